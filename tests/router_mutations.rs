//! Deterministic mutations of real submissions (a fuzz stand-in that runs in `cargo test`): the
//! hub never panics, refuses with a typed error, and never accepts content that was not signed.

use std::sync::Arc;

use edoc::{
    Agency, Algorithm, AttachmentEntry, Commitment, Competence, Detached, Directory, HeaderBuilder,
    HubRegistry, Limits, MemoryStore, OrgId, Package, Policy, Router, RouterConfig, RoutingTable,
    Staff, StatusCode, StatusMessage, SubmitError, TestPki,
};
use time::macros::{date, datetime};
use time::OffsetDateTime;

// Inside the test certificates' validity (2025-01-01..2030-01-01).
const SIGNED: OffsetDateTime = datetime!(2025-07-02 10:00 UTC);
const NOW: OffsetDateTime = datetime!(2025-07-02 15:00 UTC);

fn id(s: &str) -> OrgId {
    s.parse().unwrap()
}

struct Fixture {
    router: Router,
    package: Vec<u8>,
    status: Vec<u8>,
}

fn fixture() -> Fixture {
    let pki = TestPki::new().unwrap();
    let sender = id("000.00.45.H57");
    let finance = id("000.00.05.H57");
    let hub_seal = pki
        .seal("Hue LGSP hub", &id("000.00.00.H57"), Algorithm::Es256)
        .unwrap();
    let mut hubs = HubRegistry::new();
    hubs.add(
        "hub.h57".parse().unwrap(),
        Directory::certificate_fingerprint(&hub_seal.chain[0]),
    );
    let router = Router::new(RouterConfig {
        hub: "hub.h57".parse().unwrap(),
        trust: Arc::new(pki.trust_store(&[]).unwrap()),
        policy: Policy::strict(),
        limits: Limits::default(),
        directory: Arc::new(Directory::sample()),
        table: RoutingTable::sample(),
        hubs,
        seal: Arc::new(hub_seal.signer().unwrap()),
        store: Arc::new(MemoryStore::new(time::Duration::minutes(5))),
    });
    let pdf = b"%PDF-1.7 small".to_vec();
    let header = HeaderBuilder::new()
        .sender(Agency::new(sender, "UBND xã A Lưới 5"))
        .recipient(Agency::new(finance, "Sở Tài chính"))
        .document_type("CV", "Công văn")
        .number_and_notation("12", "UBND-VP")
        .issued("A Lưới", date!(2025 - 07 - 02))
        .subject("Xin hướng dẫn")
        .signatory("Hồ Văn Chủ Tịch", "Chủ tịch", Competence::None)
        .attachment(AttachmentEntry::for_bytes("r.pdf", "application/pdf", &pdf).unwrap())
        .build()
        .unwrap();
    let mut p = Package::new(header, [("r.pdf".to_owned(), pdf)]).unwrap();
    for (who, c) in [
        (
            pki.person("Hồ Văn Chủ Tịch", "UBND", &sender, Algorithm::Es256)
                .unwrap(),
            Commitment::ProofOfApproval,
        ),
        (
            pki.seal("UBND xã A Lưới 5", &sender, Algorithm::Es256)
                .unwrap(),
            Commitment::ProofOfOrigin,
        ),
    ] {
        p.sign(&who.signer().unwrap(), c, SIGNED, &mut Detached::none())
            .unwrap();
    }
    let status = StatusMessage {
        from: finance,
        to: sender,
        document_id: "000.00.45.H57,2025/07/02,12/UBND-VP".into(),
        code: StatusCode::Accepted,
        description: "Đã tiếp nhận".into(),
        time: NOW,
        staff: Staff {
            name: "Nguyễn Văn A".into(),
            position: "Chuyên viên".into(),
        },
    }
    .sign(
        &pki.seal("Sở Tài chính", &finance, Algorithm::Es256)
            .unwrap()
            .signer()
            .unwrap(),
    )
    .unwrap();
    Fixture {
        router,
        package: p.to_json(),
        status,
    }
}

/// Every 7th byte flipped in its low bit, and every 97th prefix.
fn mutations(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for i in (0..bytes.len()).step_by(7) {
        let mut m = bytes.to_vec();
        m[i] ^= 1;
        out.push(m);
    }
    for end in (0..bytes.len()).step_by(97) {
        out.push(bytes[..end].to_vec());
    }
    out
}

#[test]
fn mutated_packages_are_refused_and_never_deliver_unsigned_content() {
    let f = fixture();
    let original = f.router.submit(&f.package, NOW).unwrap();
    let (mut refused, mut same_content) = (0, 0);
    for m in mutations(&f.package) {
        match f.router.submit(&m, NOW) {
            Ok(a) => {
                // Only a change the signatures do not cover can pass (e.g. in JSON layout):
                // it must then be the very same document, answered as a duplicate.
                assert!(a.duplicate);
                assert_eq!(a.receipt.content_sha256, original.receipt.content_sha256);
                same_content += 1;
            }
            Err(
                SubmitError::Rejected(_)
                | SubmitError::Conflict { .. }
                | SubmitError::UnknownRecipient { .. }
                | SubmitError::UnknownSender { .. }
                | SubmitError::NotServedHere { .. }
                | SubmitError::TraceFromAgency(_),
            ) => refused += 1,
            Err(other) => panic!("unexpected refusal: {other:?}"),
        }
    }
    println!("package mutations: {refused} refused, {same_content} harmless (same content)");
    assert!(refused > 100);
    assert_eq!(
        f.router
            .store()
            .deliveries(&id("000.00.05.H57"))
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn mutated_status_messages_are_refused() {
    let f = fixture();
    f.router.submit(&f.package, NOW).unwrap();
    let mut refused = 0;
    for m in mutations(&f.status) {
        match f.router.submit_status(&m, NOW) {
            Err(
                SubmitError::Status(_)
                | SubmitError::UnknownDocument { .. }
                | SubmitError::WrongParty { .. }
                | SubmitError::NotServedHere { .. },
            ) => refused += 1,
            other => panic!("a mutated status was not refused as expected: {other:?}"),
        }
    }
    println!("status mutations: {refused} refused");
    assert!(refused > 50);
    assert!(f
        .router
        .store()
        .status_history("000.00.45.H57,2025/07/02,12/UBND-VP", &id("000.00.05.H57"))
        .unwrap()
        .is_empty());
    f.router.submit_status(&f.status, NOW).unwrap();
}
