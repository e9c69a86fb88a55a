//! Crash safety of the durable store, with real processes and SIGKILL.
//!
//! This test binary is its own child (harness = false): run with `EDOC_CRASH_CHILD` set it plays
//! a hub instead of the test. The parent signs packages with the test PKI (the person's
//! approval, then the agency seal), then, again and again, starts a hub child that verifies
//! each package and commits it to the store, printing each acknowledged document id only after
//! the commit has returned, and kills it with SIGKILL at a random moment. After each kill the
//! parent reopens the store and checks that every acknowledged package is there exactly once,
//! byte for byte, fetchable and verifiable; and that nothing is half there.
//!
//! No router exists on this branch yet, so the child builds the store effects itself (verify,
//! then one delivery per recipient, tracking with the due date, and every fifth package an
//! outbox entry), the way the router's submit will. The child also fetches and acknowledges
//! deliveries as the receiving agency, so kills also land inside fetch and ack transactions.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use edoc::{
    Agency, Algorithm, AttachmentEntry, Commitment, Competence, DeliveryState, Detached,
    DurableStore, HeaderBuilder, HubId, Limits, MailboxStore, NewDelivery, NewOutboxEntry, OrgId,
    Package, PayloadKind, Policy, StoreError, Submission, SubmitEffects, TestPki, Tracking,
    TrustStore, Urgency, UrgencyRank, Verifier,
};
use sha2::{Digest, Sha256};
use time::macros::{date, datetime};
use time::{Duration, OffsetDateTime};

// Signed at 10:00 on 2 July 2025 and checked the same afternoon, inside the test PKI's
// validity (leaves 2025-01-01..2030-01-01) and before any CRL's nextUpdate.
const SIGNED: OffsetDateTime = datetime!(2025-07-02 10:00 UTC);
const NOW: OffsetDateTime = datetime!(2025-07-02 15:00 UTC);
const TIMEOUT: Duration = Duration::minutes(5);

const A_LUOI_5: &str = "000.05.05.H57";
const FINANCE: &str = "000.00.10.H57";
const OFFICE: &str = "000.00.01.H57";
const NATIONAL: &str = "hub.national";

/// How many packages the parent signs. More than the children get through in all the runs.
const PACKAGES: usize = 400;
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
    store: TrustStore,
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
        store,
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

/// What a hub commits for a verified package (the router will do the same).
fn effects_for(bytes: &[u8], n: usize, trust: &Trust) -> SubmitEffects {
    let verified = Verifier::new(&trust.store, &trust.policy)
        .verify_bytes(bytes, &Limits::default(), &mut Detached::none(), NOW)
        .unwrap_or_else(|r| panic!("package {n} does not verify: {}", r.report()));
    let header = verified.header();
    let doc = header.id().as_str().to_owned();
    let payload: Arc<[u8]> = Arc::from(bytes);
    let mut e = SubmitEffects::new(Submission {
        message_id: doc.clone(),
        digest: Sha256::digest(bytes).into(),
        receipt: Arc::from(format!("receipt for {doc}").as_bytes()),
        at: NOW,
    });
    let urgency = UrgencyRank::from_edxml_code(header.urgency().code()).unwrap();
    for agency in header.all_recipients() {
        e.deliveries.push(NewDelivery {
            recipient: agency.id,
            document_id: doc.clone(),
            kind: PayloadKind::Document,
            urgency,
            payload: Arc::clone(&payload),
        });
        e.tracking.push(Tracking {
            document_id: doc.clone(),
            sender: header.sender().id,
            recipient: agency.id,
            due: header.due_date(),
        });
    }
    if n % 5 == 0 {
        e.outbox.push(NewOutboxEntry {
            next_hub: NATIONAL.parse().unwrap(),
            document_id: doc.clone(),
            kind: PayloadKind::Document,
            urgency,
            recipients: vec![id("000.00.00.G09")],
            payload,
        });
    }
    e
}

/// A hub: submits every package in order, in batches of `EDOC_CRASH_BATCH`, printing
/// `ack <document id>` after each commit returns and `dup <document id>` for a package the
/// store already holds; between batches the finance department fetches and acknowledges,
/// printing `acked <delivery id>` after each acknowledgement returns.
fn child_hub() {
    let dir = PathBuf::from(std::env::var("EDOC_CRASH_DIR").unwrap());
    let batch: usize = std::env::var("EDOC_CRASH_BATCH").unwrap().parse().unwrap();
    let trust = load_trust(&dir);
    let store = DurableStore::open(dir.join("mailboxes.redb"), TIMEOUT).unwrap();
    let mut out = std::io::stdout().lock();
    writeln!(out, "ready").unwrap();
    out.flush().unwrap();
    let finance = id(FINANCE);
    let mut pending: Vec<SubmitEffects> = Vec::new();
    let mut now = NOW;
    for (n, file) in package_files(&dir).iter().enumerate() {
        let bytes = std::fs::read(file).unwrap();
        // The fast path of a retry: a known message id with the same digest is answered
        // from the de-duplication index, without verifying again.
        let doc = Package::parse(&bytes, &Limits::default())
            .unwrap()
            .header()
            .id()
            .as_str()
            .to_owned();
        if let Some(known) = store.lookup_submission(&doc).unwrap() {
            assert_eq!(known.digest, <[u8; 32]>::from(Sha256::digest(&bytes)));
            writeln!(out, "dup {doc}").unwrap();
            out.flush().unwrap();
            continue;
        }
        pending.push(effects_for(&bytes, n, &trust));
        if pending.len() < batch {
            continue;
        }
        let docs: Vec<String> = pending
            .iter()
            .map(|e| e.submission.message_id.clone())
            .collect();
        store
            .commit_batch(std::mem::take(&mut pending), now)
            .unwrap();
        for doc in docs {
            writeln!(out, "ack {doc}").unwrap();
        }
        out.flush().unwrap();
        now += Duration::SECOND;
        if n % 3 == 0 {
            for d in store.fetch(&finance, 2, now).unwrap() {
                store.ack(&finance, d.id, now).unwrap();
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

fn child(role: &str, envs: &[(&str, &Path)], batch: usize) -> std::process::Child {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.env("EDOC_CRASH_CHILD", role)
        .env("EDOC_CRASH_BATCH", batch.to_string())
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
    let mut holder = child("hold", &[("EDOC_CRASH_STORE", &path)], 1);
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

/// Signs the packages and writes them, with the trust material, into `dir`. Returns each
/// document id with its bytes.
fn prepare(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let pki = TestPki::new().unwrap();
    std::fs::write(dir.join("anchors.pem"), pki.anchors_pem()).unwrap();
    std::fs::write(dir.join("intermediates.pem"), pki.intermediates_pem()).unwrap();
    std::fs::write(dir.join("crls.pem"), pki.crls_pem(&[]).unwrap()).unwrap();
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
        if n % 2 == 0 {
            b = b.copy_recipient(Agency::new(id(OFFICE), "Văn phòng UBND thành phố"));
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
        out.insert(p.header().id().as_str().to_owned(), bytes);
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
        // Batches of 1 (a commit per package) and of 7, alternately.
        let batch = if run % 2 == 0 { 1 } else { 7 };
        let mut hub = child("hub", &[("EDOC_CRASH_DIR", dir)], batch);
        let stdout = hub.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map(|l| l.unwrap())
                .collect::<Vec<String>>()
        });
        // Startup (opening and checking the store) takes a few tens of milliseconds; some kills
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
                    assert!(t.acked.contains(doc) || packages.contains_key(doc));
                    t.resubmissions += 1;
                }
                Some(("acked", n)) => {
                    t.agency_acks.insert(n.parse().unwrap());
                }
                _ => assert!(line == "ready" || line == "done", "odd line {line:?}"),
            }
        }
        println!(
            "run {run}: batch {batch}, killed after {delay} ms ({status}), {new} new packages acknowledged"
        );
        check_store(&store_path, &packages, &t, &trust, run);
    }
    println!(
        "crash: {} kills ({} runs finished first), {} acknowledged packages checked after every \
         kill ({} resubmissions recognised), {} agency acknowledgements kept",
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
fn check_store(
    path: &Path,
    packages: &BTreeMap<String, Vec<u8>>,
    t: &Tally,
    trust: &Trust,
    run: usize,
) {
    let store = DurableStore::open(path, TIMEOUT).expect("the store opens cleanly after a kill");
    let finance = store.deliveries(&id(FINANCE)).unwrap();
    let office = store.deliveries(&id(OFFICE)).unwrap();
    let mut per_doc: BTreeMap<&str, usize> = BTreeMap::new();
    for d in &finance {
        *per_doc.entry(d.document_id.as_str()).or_default() += 1;
    }
    // Whatever is there (acknowledged or committed just before the kill) is whole: a
    // de-duplication record, exactly one delivery to each recipient, the tracked pairs.
    for (doc, bytes) in packages {
        let submission = store.lookup_submission(doc).unwrap();
        let count = per_doc.get(doc.as_str()).copied().unwrap_or(0);
        match submission {
            Some(s) => {
                assert_eq!(count, 1, "{doc}: {count} deliveries to finance");
                assert_eq!(s.digest, <[u8; 32]>::from(Sha256::digest(bytes)));
                assert_eq!(&*s.receipt, format!("receipt for {doc}").as_bytes());
            }
            None => {
                assert!(!t.acked.contains(doc), "acknowledged {doc} is missing");
                assert_eq!(count, 0, "{doc}: a delivery without its submission record");
            }
        }
    }
    // Every acknowledged package is fetchable, byte for byte, and verifies.
    let verifier = Verifier::new(&trust.store, &trust.policy);
    for d in &finance {
        assert_eq!(d.payload.as_ref(), packages[&d.document_id].as_slice());
        if t.acked.contains(&d.document_id) {
            let v = verifier
                .verify_bytes(&d.payload, &Limits::default(), &mut Detached::none(), NOW)
                .unwrap_or_else(|r| panic!("{}: {}", d.document_id, r.report()));
            assert_eq!(v.header().id().as_str(), d.document_id);
        }
        if t.agency_acks.contains(&d.id.0) {
            assert!(
                matches!(d.state, DeliveryState::Acked { .. }),
                "{}: acknowledged by the agency, but {:?}",
                d.id,
                d.state
            );
        }
    }
    let copies = office.iter().filter(|d| t.acked.contains(&d.document_id));
    let expected_copies = t
        .acked
        .iter()
        .filter(|doc| {
            let n: usize = doc_number(doc);
            (n - 1) % 2 == 0
        })
        .count();
    assert_eq!(copies.count(), expected_copies, "copies to the city office");
    // The outbox holds every fifth package, once.
    let national: HubId = NATIONAL.parse().unwrap();
    // Taking hides the entries for the visibility timeout: each check takes a month later.
    let later = NOW + Duration::days(30 * (run as i64 + 1));
    let queued = store.take_outbox(&national, usize::MAX, later).unwrap();
    let mut queued_docs = BTreeSet::new();
    for e in &queued {
        assert!(queued_docs.insert(e.document_id.clone()), "queued twice");
        assert_eq!(e.payload.as_ref(), packages[&e.document_id].as_slice());
    }
    for doc in &t.acked {
        let n = doc_number(doc);
        assert_eq!(
            queued_docs.contains(doc),
            (n - 1) % 5 == 0,
            "{doc} in the outbox"
        );
    }
    // Each acknowledged pair is tracked: a second tracking of it is refused.
    if let Some(doc) = t.acked.iter().next() {
        let mut e = SubmitEffects::new(Submission {
            message_id: "probe".into(),
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
