//! Crash safety of the durable store, with real processes and SIGKILL.
//!
//! This test binary is its own child (harness = false): run with `EDOC_CRASH_CHILD` set it plays
//! a hub instead of the test. The parent signs packages with the test PKI (the person's
//! approval, then the agency seal), then, again and again, starts a hub child (a `Router` on a
//! `DurableStore`) that submits them, printing each acknowledged document id only after
//! `submit` (or `submit_batch`) has returned, and kills it with SIGKILL at a random moment.
//! After each kill the parent reopens the store and checks that every acknowledged package is
//! there exactly once, fetchable and verifiable (with the hub's trace entry); that nothing is
//! half there; and that the store opens cleanly. The child also fetches and acknowledges
//! deliveries as the receiving agency, so kills also land inside fetch and ack transactions.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use edoc::{
    Agency, Algorithm, AttachmentEntry, Commitment, Competence, DeliveryState, Detached, Directory,
    DurableStore, HeaderBuilder, HubId, HubRegistry, Limits, OrgId, Package, Policy, Router,
    RouterConfig, RoutingTable, SoftwareSigner, StoreError, Submission, SubmitEffects, TestPki,
    Tracking, TrustStore, Urgency, Verifier,
};
use time::macros::{date, datetime};
use time::{Duration, OffsetDateTime};

// Signed at 10:00 on 2 July 2025 and checked the same afternoon, inside the test PKI's
// validity (leaves 2025-01-01..2030-01-01) and before any CRL's nextUpdate.
const SIGNED: OffsetDateTime = datetime!(2025-07-02 10:00 UTC);
const NOW: OffsetDateTime = datetime!(2025-07-02 15:00 UTC);
const TIMEOUT: Duration = Duration::minutes(5);

// Codes of the sample directory (illustrative).
const A_LUOI_5: &str = "000.00.45.H57";
const FINANCE: &str = "000.00.05.H57";
const A_LUOI_1: &str = "000.00.41.H57";
const MINISTRY: &str = "000.00.00.G09";
const CITY_HUB: &str = "hub.h57";
const NATIONAL: &str = "hub.national";

/// How many packages the parent signs. More than the children get through in all the runs.
const PACKAGES: usize = 1000;
/// How many times the child is killed.
const KILLS: usize = 8;

fn id(code: &str) -> OrgId {
    code.parse().unwrap()
}

fn main() {
    match std::env::var("EDOC_CRASH_CHILD").as_deref() {
        Ok("hub") => child_hub(),
        Ok("hold") => child_hold(),
        Ok(other) => panic!("unknown child role {other:?}"),
        Err(_) => {
            // Arguments (test filters, --nocapture) from `cargo test` are ignored: both checks
            // always run.
            a_store_held_by_another_process_is_locked();
            acknowledged_packages_survive_sigkill();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The children.

/// Opens the store, says so, and holds it until stdin closes.
fn child_hold() {
    let path = std::env::var("EDOC_CRASH_STORE").unwrap();
    let _store = DurableStore::open(&path, TIMEOUT).unwrap();
    println!("ready");
    std::io::stdout().flush().unwrap();
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
}

struct Trust {
    store: Arc<TrustStore>,
    policy: Policy,
}

fn load_trust(dir: &Path) -> Trust {
    let mut store = TrustStore::default();
    let read = |name: &str| std::fs::read(dir.join(name)).unwrap();
    store.add_anchors_pem(&read("anchors.pem")).unwrap();
    store
        .add_intermediates_pem(&read("intermediates.pem"))
        .unwrap();
    store.add_crls_pem(&read("crls.pem")).unwrap();
    Trust {
        store: Arc::new(store),
        policy: Policy::strict(),
    }
}

fn package_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("packages"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

/// The Hue hub, on the store in `dir`, with the seal and the neighbours the parent wrote.
fn city_hub(dir: &Path, trust: &Trust) -> Router {
    let read = |name: &str| std::fs::read(dir.join(name)).unwrap();
    let chain = edoc::certificates_from_bytes(&read("hub_chain.pem")).unwrap();
    let national = edoc::certificates_from_bytes(&read("national_cert.pem")).unwrap();
    let mut hubs = HubRegistry::new();
    hubs.add(
        CITY_HUB.parse().unwrap(),
        Directory::certificate_fingerprint(&chain[0]),
    );
    hubs.add(
        NATIONAL.parse().unwrap(),
        Directory::certificate_fingerprint(&national[0]),
    );
    let seal = SoftwareSigner::from_pkcs8_pem(&read("hub_key.pem"), chain, None).unwrap();
    let store = DurableStore::open(dir.join("mailboxes.redb"), TIMEOUT).unwrap();
    Router::new(RouterConfig {
        hub: CITY_HUB.parse().unwrap(),
        trust: Arc::clone(&trust.store),
        policy: trust.policy.clone(),
        limits: Limits::default(),
        directory: Arc::new(Directory::sample()),
        table: RoutingTable::sample(),
        hubs,
        seal: Arc::new(seal),
        store: Arc::new(store),
    })
}

/// A hub: submits the packages from number `EDOC_CRASH_FROM` on, one by one or with
/// `submit_batch` in batches of `EDOC_CRASH_BATCH`, printing `ack <document id>` for each
/// accepted package once the call has returned, and `dup <document id>` for one the hub
/// already held. Now and then the finance department fetches and acknowledges, printing
/// `acked <delivery id>` after each acknowledgement returns.
fn child_hub() {
    let dir = PathBuf::from(std::env::var("EDOC_CRASH_DIR").unwrap());
    let batch: usize = std::env::var("EDOC_CRASH_BATCH").unwrap().parse().unwrap();
    let from: usize = std::env::var("EDOC_CRASH_FROM").unwrap().parse().unwrap();
    let trust = load_trust(&dir);
    let hub = city_hub(&dir, &trust);
    let mut out = std::io::stdout().lock();
    writeln!(out, "ready").unwrap();
    out.flush().unwrap();
    let finance = id(FINANCE);
    let files = package_files(&dir);
    let mut now = NOW;
    for (k, chunk) in files
        .get(from..)
        .unwrap_or_default()
        .chunks(batch)
        .enumerate()
    {
        let packages: Vec<Vec<u8>> = chunk.iter().map(|f| std::fs::read(f).unwrap()).collect();
        let answers = if batch == 1 {
            vec![hub.submit(&packages[0], now)]
        } else {
            let refs: Vec<&[u8]> = packages.iter().map(Vec::as_slice).collect();
            hub.submit_batch(&refs, now)
        };
        for a in answers {
            let a = a.unwrap_or_else(|e| panic!("the hub refused a package: {e}"));
            let word = if a.duplicate { "dup" } else { "ack" };
            writeln!(out, "{word} {}", a.receipt.message_id).unwrap();
        }
        out.flush().unwrap();
        now += Duration::SECOND;
        if k % 3 == 0 {
            for d in hub.store().fetch(&finance, 2, now).unwrap() {
                hub.store().ack(&finance, d.id, now).unwrap();
                writeln!(out, "acked {}", d.id.0).unwrap();
                out.flush().unwrap();
            }
        }
    }
    writeln!(out, "done").unwrap();
    out.flush().unwrap();
}

// ---------------------------------------------------------------------------------------------
// The parent.

fn child(role: &str, envs: &[(&str, String)]) -> std::process::Child {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.env("EDOC_CRASH_CHILD", role)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.spawn().unwrap()
}

fn a_store_held_by_another_process_is_locked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mailboxes.redb");
    let mut holder = child("hold", &[("EDOC_CRASH_STORE", path.display().to_string())]);
    let mut line = String::new();
    BufReader::new(holder.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line, "ready\n");
    let err = DurableStore::open(&path, TIMEOUT).unwrap_err();
    assert_eq!(err, StoreError::Locked { path: path.clone() });
    println!("locked store: {err}");
    holder.kill().unwrap();
    holder.wait().unwrap();
    // The lock dies with its process: the store opens once the holder is gone.
    DurableStore::open(&path, TIMEOUT).unwrap();
    println!("test a_store_held_by_another_process_is_locked ... ok");
}

/// xorshift64, seeded: the kill moments replay exactly.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Who package number `n` goes to: finance always; A Luoi 1 as a copy for even numbers; the
/// ministry (forwarded to the national hub) for every fifth.
fn recipients(n: usize) -> (bool, bool) {
    (n % 2 == 0, n % 5 == 0)
}

/// Signs the packages and writes them, with the trust material and the hub's seal, into
/// `dir`. Returns each document id with its package's content digest.
/// What the signatures of a package sign, as docs/routing.md defines the hubs' de-duplication
/// digest: SHA-256 over `header.json\0`, the SHA-256 of the canonical header, and for each
/// attachment `attachments/<name>\0` and its SHA-256.
fn signed_content(p: &Package) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(b"header.json\0");
    h.update(Sha256::digest(p.canonical_header()));
    for a in p.header().attachments() {
        h.update(format!("attachments/{}\0", a.name()).as_bytes());
        h.update(a.sha256());
    }
    h.finalize().into()
}

/// Each package's document id → (content digest, signed-content digest).
type Packages = BTreeMap<String, ([u8; 32], [u8; 32])>;

fn prepare(dir: &Path) -> Packages {
    let pki = TestPki::new().unwrap();
    std::fs::write(dir.join("anchors.pem"), pki.anchors_pem()).unwrap();
    std::fs::write(dir.join("intermediates.pem"), pki.intermediates_pem()).unwrap();
    std::fs::write(dir.join("crls.pem"), pki.crls_pem(&[]).unwrap()).unwrap();
    let hub_seal = pki
        .seal("Hue LGSP hub", &id("000.00.00.H57"), Algorithm::Es256)
        .unwrap();
    std::fs::write(dir.join("hub_key.pem"), hub_seal.key_pem()).unwrap();
    std::fs::write(dir.join("hub_chain.pem"), hub_seal.chain_pem()).unwrap();
    let national = pki
        .seal("National VDXP hub", &id("000.00.00.G01"), Algorithm::Es256)
        .unwrap();
    std::fs::write(dir.join("national_cert.pem"), national.certificate_pem()).unwrap();
    let person = pki
        .person(
            "Hồ Văn Chủ Tịch",
            "UBND xã A Lưới 5",
            &id(A_LUOI_5),
            Algorithm::Es256,
        )
        .unwrap()
        .signer()
        .unwrap();
    let seal = pki
        .seal("UBND xã A Lưới 5", &id(A_LUOI_5), Algorithm::Es256)
        .unwrap()
        .signer()
        .unwrap();
    std::fs::create_dir(dir.join("packages")).unwrap();
    let trust = load_trust(dir);
    let mut out = BTreeMap::new();
    for n in 0..PACKAGES {
        let report = format!("%PDF-1.7 progress report {n} on housing support");
        let urgency = [Urgency::Normal, Urgency::Urgent, Urgency::Express][n % 3];
        let mut b = HeaderBuilder::new()
            .sender(Agency::new(id(A_LUOI_5), "Ủy ban nhân dân xã A Lưới 5"))
            .recipient(Agency::new(id(FINANCE), "Sở Tài chính"))
            .document_type("BC", "Báo cáo")
            .number_and_notation((n + 1).to_string(), "BC-UBND")
            .issued("A Lưới", date!(2025 - 07 - 02))
            .subject(format!("Báo cáo tiến độ số {n}"))
            .signatory("Hồ Văn Chủ Tịch", "Chủ tịch", Competence::None)
            .urgency(urgency)
            .due_date(date!(2025 - 07 - 18))
            .attachment(
                AttachmentEntry::for_bytes("report.pdf", "application/pdf", report.as_bytes())
                    .unwrap(),
            );
        let (copy, ministry) = recipients(n);
        if copy {
            b = b.copy_recipient(Agency::new(id(A_LUOI_1), "UBND xã A Lưới 1"));
        }
        if ministry {
            b = b.recipient(Agency::new(id(MINISTRY), "Bộ Nội vụ"));
        }
        let mut p = Package::new(
            b.build().unwrap(),
            [("report.pdf".to_owned(), report.into_bytes())],
        )
        .unwrap();
        p.sign(
            &person,
            Commitment::ProofOfApproval,
            SIGNED,
            &mut Detached::none(),
        )
        .unwrap();
        p.sign(
            &seal,
            Commitment::ProofOfOrigin,
            SIGNED,
            &mut Detached::none(),
        )
        .unwrap();
        let bytes = p.to_json();
        std::fs::write(dir.join("packages").join(format!("{n:04}.json")), &bytes).unwrap();
        let content = *Verifier::new(&trust.store, &trust.policy)
            .verify_bytes(&bytes, &Limits::default(), &mut Detached::none(), NOW)
            .unwrap()
            .content_digest();
        out.insert(p.header().id().to_string(), (content, signed_content(&p)));
    }
    out
}

#[derive(Default)]
struct Tally {
    acked: BTreeSet<String>,
    resubmissions: usize,
    agency_acks: BTreeSet<u64>,
    kills: usize,
    finished: usize,
    /// Each acknowledged package as first fetched (verified then), to compare later.
    seen: BTreeMap<String, Vec<u8>>,
}

fn acknowledged_packages_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let started = Instant::now();
    let packages = prepare(dir);
    let trust = load_trust(dir);
    println!(
        "signed {} packages in {:.1}s",
        packages.len(),
        started.elapsed().as_secs_f64()
    );
    let store_path = dir.join("mailboxes.redb");
    let mut rng = Rng(0x00ed_0c07_c4a5_4b1d);
    let mut t = Tally::default();
    for run in 0..KILLS {
        // One `submit` per package and `submit_batch` of 7, alternately. Each run starts two
        // packages before the last acknowledged one: those must come back as duplicates.
        let batch = if run % 2 == 0 { 1 } else { 7 };
        let from = t.acked.len().saturating_sub(2);
        let mut hub = child(
            "hub",
            &[
                ("EDOC_CRASH_DIR", dir.display().to_string()),
                ("EDOC_CRASH_BATCH", batch.to_string()),
                ("EDOC_CRASH_FROM", from.to_string()),
            ],
        );
        let stdout = hub.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map(|l| l.unwrap())
                .collect::<Vec<String>>()
        });
        // Startup (opening and checking the store) takes tens of milliseconds; some kills
        // land there, most while packages are being committed.
        let delay = 60 + rng.below(900);
        std::thread::sleep(StdDuration::from_millis(delay));
        let exited_by_itself = hub.try_wait().unwrap();
        hub.kill().unwrap();
        let status = hub.wait().unwrap();
        let lines = reader.join().unwrap();
        match exited_by_itself {
            None => t.kills += 1,
            Some(s) => {
                assert!(s.success(), "the hub child failed on its own: {s}");
                assert_eq!(lines.last().map(String::as_str), Some("done"));
                t.finished += 1;
            }
        }
        let mut new = 0;
        for line in &lines {
            match line.split_once(' ') {
                Some(("ack", doc)) => {
                    assert!(t.acked.insert(doc.to_owned()), "{doc} acknowledged twice");
                    new += 1;
                }
                Some(("dup", doc)) => {
                    assert!(packages.contains_key(doc), "{doc}");
                    t.resubmissions += 1;
                }
                Some(("acked", n)) => {
                    t.agency_acks.insert(n.parse().unwrap());
                }
                _ => assert!(line == "ready" || line == "done", "odd line {line:?}"),
            }
        }
        println!(
            "run {run}: batch {batch}, from package {from}, killed after {delay} ms ({status}), \
             {new} new packages acknowledged"
        );
        check_store(&store_path, &packages, &mut t, &trust, run);
    }
    println!(
        "crash: {} kills ({} runs finished first), {} acknowledged packages checked after every \
         kill ({} resubmissions recognised as duplicates), {} agency acknowledgements kept",
        t.kills,
        t.finished,
        t.acked.len(),
        t.resubmissions,
        t.agency_acks.len()
    );
    assert!(t.kills >= KILLS / 2, "too few runs were killed mid-way");
    assert!(!t.acked.is_empty(), "no package was ever acknowledged");
    assert!(
        t.resubmissions > 0,
        "no restart resubmitted a stored package"
    );
    println!("test acknowledged_packages_survive_sigkill ... ok");
}

/// Opens the store after a kill and checks it against what the children acknowledged.
fn check_store(path: &Path, packages: &Packages, t: &mut Tally, trust: &Trust, run: usize) {
    use edoc::MailboxStore;
    let store = DurableStore::open(path, TIMEOUT).expect("the store opens cleanly after a kill");
    let finance = store.deliveries(&id(FINANCE)).unwrap();
    let copies = store.deliveries(&id(A_LUOI_1)).unwrap();
    let count =
        |ds: &[edoc::Delivery], doc: &str| ds.iter().filter(|d| d.document_id == doc).count();
    // Whatever is there (acknowledged, or committed just before the kill) is whole: a
    // de-duplication record with the receipt, exactly one delivery to each local recipient.
    for (doc, (_, signed)) in packages {
        let n = doc_number(doc) - 1;
        let (copy, _) = recipients(n);
        let key = edoc::MessageKey::Document {
            sender: id(A_LUOI_5),
            id: doc.clone(),
        };
        match store.lookup_submission(&key).unwrap() {
            Some(s) => {
                assert_eq!(count(&finance, doc), 1, "{doc}: deliveries to finance");
                assert_eq!(count(&copies, doc), usize::from(copy), "{doc}: copies");
                assert_eq!(&s.digest, signed, "{doc}: signed-content digest");
                assert!(!s.receipt.is_empty());
            }
            None => {
                assert!(!t.acked.contains(doc), "acknowledged {doc} is missing");
                assert_eq!(
                    count(&finance, doc),
                    0,
                    "{doc}: a delivery without its submission"
                );
                assert_eq!(
                    count(&copies, doc),
                    0,
                    "{doc}: a copy without its submission"
                );
            }
        }
    }
    // Every acknowledged package is fetchable and verifies, with the hub's trace entry; once
    // verified, its bytes never change.
    let verifier = Verifier::new(&trust.store, &trust.policy);
    for d in finance.iter().chain(&copies) {
        if !t.acked.contains(&d.document_id) {
            continue;
        }
        if let Some(before) = t.seen.get(&d.document_id) {
            assert_eq!(d.payload.as_ref(), before.as_slice(), "{}", d.document_id);
        } else {
            let v = verifier
                .verify_bytes(&d.payload, &Limits::default(), &mut Detached::none(), NOW)
                .unwrap_or_else(|r| panic!("{}: {}", d.document_id, r.report()));
            assert_eq!(v.header().id().to_string(), d.document_id);
            assert_eq!(v.content_digest(), &packages[&d.document_id].0);
            assert_eq!(v.package().trace().len(), 1, "the hub's trace entry");
            t.seen.insert(d.document_id.clone(), d.payload.to_vec());
        }
    }
    for d in &finance {
        if t.agency_acks.contains(&d.id.0) {
            assert!(
                matches!(d.state, DeliveryState::Acked { .. }),
                "{}: acknowledged by the agency, but {:?}",
                d.id,
                d.state
            );
        }
    }
    // The outbox holds every fifth package (for the ministry), once each.
    let national: HubId = NATIONAL.parse().unwrap();
    // Taking hides the entries for the visibility timeout: each check takes a month later.
    let later = NOW + Duration::days(30 * (run as i64 + 1));
    let queued = store.take_outbox(&national, usize::MAX, later).unwrap();
    let mut queued_docs = BTreeSet::new();
    for e in &queued {
        assert!(queued_docs.insert(e.document_id.clone()), "queued twice");
        assert_eq!(e.recipients, [id(MINISTRY)]);
    }
    for doc in &t.acked {
        let (_, ministry) = recipients(doc_number(doc) - 1);
        assert_eq!(queued_docs.contains(doc), ministry, "{doc} in the outbox");
    }
    // Each acknowledged pair is tracked: tracking it again is refused.
    if let Some(doc) = t.acked.iter().next() {
        let mut e = SubmitEffects::new(Submission {
            key: edoc::MessageKey::Document {
                sender: id(A_LUOI_5),
                id: "probe".into(),
            },
            digest: [0; 32],
            receipt: Arc::from(&b""[..]),
            at: NOW,
        });
        e.tracking.push(Tracking {
            document_id: doc.clone(),
            sender: id(A_LUOI_5),
            recipient: id(FINANCE),
            due: None,
        });
        assert!(matches!(
            store.commit_batch(vec![e], NOW),
            Err(StoreError::DuplicateTracking { .. })
        ));
    }
}

/// The number in a document id `{sender},{date},{number}/{notation}`.
fn doc_number(doc: &str) -> usize {
    let tail = doc.rsplit(',').next().unwrap();
    tail.split('/').next().unwrap().parse().unwrap()
}
