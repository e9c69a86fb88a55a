//! Runs `verify` or `submit` N times on one package, for instruction counts that do not depend
//! on the machine's load (see BENCHMARKS.md, "Routing overhead in instructions"):
//!
//! ```sh
//! cargo build --release --example route_cost
//! valgrind --tool=callgrind target/release/examples/route_cost verify 1048576 5
//! ```
//!
//! Arguments: `verify|submit`, the attachment size in bytes, the number of runs. The setup (test
//! PKI, signing) is the same in every mode: subtract a run with N = 0.
#[path = "../benches/common/mod.rs"]
mod common;
use edoc::*;
use std::sync::Arc;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: route_cost verify|submit SIZE N";
    let mode = args.get(1).expect(usage).clone();
    let size: usize = args.get(2).expect(usage).parse().expect(usage);
    let n: u32 = args.get(3).expect(usage).parse().expect(usage);
    let pki = TestPki::new().unwrap();
    let trust = Arc::new(pki.trust_store(&[]).unwrap());
    let directory = Arc::new(Directory::sample());
    let hub_seal = Arc::new(
        pki.seal("hub", &common::id("000.00.00.H57"), Algorithm::Es256)
            .unwrap()
            .signer()
            .unwrap(),
    );
    let p = common::signed_package(&pki, Algorithm::Es256, &common::bytes(size));
    let json = p.to_json();
    let policy = Policy::strict();
    for _ in 0..n {
        if mode == "verify" {
            Verifier::new(&trust, &policy)
                .with_directory(directory.as_ref())
                .verify_bytes(
                    &json,
                    &Limits::default(),
                    &mut Detached::none(),
                    common::NOW,
                )
                .unwrap();
        } else {
            let r = Router::new(RouterConfig {
                hub: "hub.h57".parse().unwrap(),
                trust: trust.clone(),
                policy: Policy::strict(),
                limits: Limits::default(),
                directory: directory.clone(),
                table: RoutingTable::sample(),
                hubs: HubRegistry::new(),
                seal: hub_seal.clone(),
                store: Arc::new(MemoryStore::new(time::Duration::minutes(5))),
            });
            r.submit(&json, common::NOW).unwrap();
        }
    }
}
