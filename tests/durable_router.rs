//! Hubs on the durable store: a restarted hub (new `Router`, store reopened from its file)
//! still recognises what it accepted, hands back unacknowledged deliveries, and resumes
//! forwarding; and `Router::submit_batch` commits many packages at once with one answer each.

#![cfg(feature = "test-pki")]

use std::path::PathBuf;
use std::sync::Arc;

use edoc::{
    Agency, Algorithm, AttachmentEntry, BusinessAction, Commitment, Competence, Detached,
    Directory, Disposition, DurableStore, HeaderBuilder, HubId, HubRegistry, InProcessNetwork,
    Limits, OrgId, Package, PayloadKind, Policy, Router, RouterConfig, RoutingTable, StatusCode,
    SubmitError, TestIdentity, TestPki, TrustStore, Verifier,
};
use time::macros::{date, datetime};
use time::{Duration, OffsetDateTime};

// Signed at 10:00 on 2 July 2025 and routed from 15:00: inside every test certificate's
// validity (2025-01-01..2030-01-01) and before any CRL's nextUpdate.
const SIGNED: OffsetDateTime = datetime!(2025-07-02 10:00 UTC);
const NOW: OffsetDateTime = datetime!(2025-07-02 15:00 UTC);
const TIMEOUT: Duration = Duration::minutes(5);
const PDF: &[u8] = b"%PDF-1.7 report on the housing support programme";

const CITY: &str = "000.00.00.H57";
const FINANCE: &str = "000.00.05.H57";
const A_LUOI_5: &str = "000.00.45.H57";
const MINISTRY: &str = "000.00.00.G09";

fn id(code: &str) -> OrgId {
    code.parse().unwrap()
}

fn hub(name: &str) -> HubId {
    name.parse().unwrap()
}

struct World {
    pki: TestPki,
    trust: Arc<TrustStore>,
    directory: Arc<Directory>,
    hubs: HubRegistry,
    city_seal: TestIdentity,
    national_seal: TestIdentity,
    _dir: tempfile::TempDir,
    folder: PathBuf,
}

impl World {
    fn new() -> World {
        let pki = TestPki::new().unwrap();
        let trust = Arc::new(pki.trust_store(&[]).unwrap());
        let city_seal = pki
            .seal("Hue LGSP hub", &id(CITY), Algorithm::Es256)
            .unwrap();
        let national_seal = pki
            .seal("National VDXP hub", &id("000.00.00.G01"), Algorithm::Es256)
            .unwrap();
        let mut hubs = HubRegistry::new();
        hubs.add(
            hub("hub.h57"),
            Directory::certificate_fingerprint(&city_seal.chain[0]),
        );
        hubs.add(
            hub("hub.national"),
            Directory::certificate_fingerprint(&national_seal.chain[0]),
        );
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().to_path_buf();
        World {
            pki,
            trust,
            directory: Arc::new(Directory::sample()),
            hubs,
            city_seal,
            national_seal,
            _dir: dir,
            folder,
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.folder.join(format!("{name}.redb"))
    }

    /// A hub whose store is the file `<name>.redb`, opened now: each call is a (re)start.
    fn router(&self, name: &str) -> Arc<Router> {
        let seal = if name == "hub.h57" {
            &self.city_seal
        } else {
            &self.national_seal
        };
        let store = DurableStore::open(self.path(name), TIMEOUT).unwrap();
        Arc::new(Router::new(RouterConfig {
            hub: hub(name),
            trust: Arc::clone(&self.trust),
            policy: Policy::strict(),
            limits: Limits::default(),
            directory: Arc::clone(&self.directory),
            table: RoutingTable::sample(),
            hubs: self.hubs.clone(),
            seal: Arc::new(seal.signer().unwrap()),
            store: Arc::new(store),
        }))
    }

    fn package(&self, number: usize, to: &[&str]) -> Vec<u8> {
        self.package_with(number, to, None)
    }

    fn package_with(&self, number: usize, to: &[&str], action: Option<BusinessAction>) -> Vec<u8> {
        let mut b = HeaderBuilder::new()
            .sender(Agency::new(id(A_LUOI_5), "UBND xã A Lưới 5"))
            .document_type("BC", "Báo cáo")
            .number_and_notation(number.to_string(), "BC-UBND")
            .issued("A Lưới", date!(2025 - 07 - 02))
            .subject("Báo cáo tiến độ hỗ trợ nhà ở")
            .signatory("Hồ Văn Chủ Tịch", "Chủ tịch", Competence::None)
            .due_date(date!(2025 - 07 - 18))
            .attachment(AttachmentEntry::for_bytes("r.pdf", "application/pdf", PDF).unwrap());
        for r in to {
            b = b.recipient(Agency::new(id(r), "recipient"));
        }
        if let Some(action) = action {
            b = b.action(action);
        }
        let mut p = Package::new(b.build().unwrap(), [("r.pdf".to_owned(), PDF.to_vec())]).unwrap();
        let person = self
            .pki
            .person("Hồ Văn Chủ Tịch", "UBND", &id(A_LUOI_5), Algorithm::Es256)
            .unwrap();
        let seal = self
            .pki
            .seal("UBND xã A Lưới 5", &id(A_LUOI_5), Algorithm::Es256)
            .unwrap();
        for (who, c) in [
            (person, Commitment::ProofOfApproval),
            (seal, Commitment::ProofOfOrigin),
        ] {
            p.sign(&who.signer().unwrap(), c, SIGNED, &mut Detached::none())
                .unwrap();
        }
        p.to_json()
    }

    fn verifies(&self, bytes: &[u8]) -> String {
        let policy = Policy::strict();
        let v = Verifier::new(&self.trust, &policy)
            .verify_bytes(bytes, &Limits::default(), &mut Detached::none(), NOW)
            .unwrap_or_else(|r| panic!("{}", r.report()));
        v.header().id().to_string()
    }
}

#[test]
fn a_restarted_hub_answers_a_resubmission_with_the_first_receipt() {
    let w = World::new();
    let pkg = w.package(1, &[FINANCE]);
    let first = w.router("hub.h57").submit(&pkg, NOW).unwrap();
    assert!(!first.duplicate);
    // The router and its store are dropped: the hub restarts on the same file.
    assert!(w.path("hub.h57").exists());
    let again = w
        .router("hub.h57")
        .submit(&pkg, NOW + Duration::hours(1))
        .unwrap();
    assert!(again.duplicate);
    assert_eq!(again.signed_receipt, first.signed_receipt);
    assert_eq!(again.receipt, first.receipt);
    let city = w.router("hub.h57");
    assert_eq!(city.store().deliveries(&id(FINANCE)).unwrap().len(), 1);
}

#[test]
fn a_restarted_hub_hands_back_unacknowledged_deliveries_that_still_verify() {
    let w = World::new();
    let city = w.router("hub.h57");
    city.submit(&w.package(1, &[FINANCE]), NOW).unwrap();
    city.submit(&w.package(2, &[FINANCE]), NOW).unwrap();
    let got = city.store().fetch(&id(FINANCE), 10, NOW).unwrap();
    assert_eq!(got.len(), 2);
    city.store().ack(&id(FINANCE), got[0].id, NOW).unwrap();
    drop(city);

    let city = w.router("hub.h57");
    let early = NOW + TIMEOUT - Duration::SECOND;
    assert!(city
        .store()
        .fetch(&id(FINANCE), 10, early)
        .unwrap()
        .is_empty());
    let back = city.store().fetch(&id(FINANCE), 10, NOW + TIMEOUT).unwrap();
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].id, got[1].id);
    assert_eq!(back[0].attempts, 2);
    assert_eq!(back[0].payload, got[1].payload);
    assert_eq!(w.verifies(&back[0].payload), back[0].document_id);
}

#[test]
fn forwarding_resumes_after_the_hub_restarts() {
    let w = World::new();
    let pkg = w.package(7, &[MINISTRY]);
    let accepted = w.router("hub.h57").submit(&pkg, NOW).unwrap();
    assert_eq!(
        accepted.receipt.dispositions[0].disposition,
        Disposition::Forwarded {
            hub: hub("hub.national")
        }
    );
    // The hub stops before forwarding; both hubs then start from their files.
    let mut net = InProcessNetwork::new();
    net.add(w.router("hub.h57"));
    net.add(w.router("hub.national"));
    let report = net.pump(NOW + Duration::MINUTE).unwrap();
    assert_eq!(report.sent, 1);
    let national = net.router(&hub("hub.national")).unwrap();
    let got = national
        .store()
        .fetch(&id(MINISTRY), 10, NOW + Duration::MINUTE)
        .unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].kind, PayloadKind::Document);
    assert_eq!(w.verifies(&got[0].payload), got[0].document_id);
    drop(net);

    // Handed over: after another restart nothing is forwarded twice.
    let mut net = InProcessNetwork::new();
    net.add(w.router("hub.h57"));
    net.add(w.router("hub.national"));
    assert_eq!(net.pump(NOW + Duration::DAY).unwrap().sent, 0);
}

#[test]
fn submit_batch_answers_each_package_as_submit_would() {
    let w = World::new();
    let city = w.router("hub.h57");
    let earlier = w.package(1, &[FINANCE]);
    let first = city.submit(&earlier, NOW).unwrap();

    let fresh: Vec<Vec<u8>> = (10..15).map(|n| w.package(n, &[FINANCE])).collect();
    let mut tampered = w.package(20, &[FINANCE]);
    let at = tampered.len() / 2;
    tampered[at] ^= 1;
    let twice = w.package(30, &[FINANCE]);
    let mut batch: Vec<&[u8]> = fresh.iter().map(Vec::as_slice).collect();
    batch.push(&tampered);
    batch.push(&earlier);
    batch.push(&twice);
    batch.push(&twice);
    let answers = city.submit_batch(&batch, NOW + Duration::MINUTE);
    assert_eq!(answers.len(), 9);
    for a in &answers[..5] {
        assert!(!a.as_ref().unwrap().duplicate);
    }
    assert!(matches!(answers[5], Err(SubmitError::Rejected(_))));
    let again = answers[6].as_ref().unwrap();
    assert!(again.duplicate);
    assert_eq!(again.signed_receipt, first.signed_receipt);
    // The same package twice in one batch: the batch commit is refused, the packages are
    // committed one by one, and the second is the first's duplicate.
    let (a, b) = (answers[7].as_ref().unwrap(), answers[8].as_ref().unwrap());
    assert!(!a.duplicate);
    assert!(b.duplicate);
    assert_eq!(a.signed_receipt, b.signed_receipt);
    drop(city);

    let city = w.router("hub.h57");
    let all = city.store().deliveries(&id(FINANCE)).unwrap();
    assert_eq!(all.len(), 7, "1 earlier, 5 fresh, 1 submitted twice");
    for d in &all {
        assert_eq!(w.verifies(&d.payload), d.document_id);
    }
}

#[test]
fn a_batch_of_new_packages_is_all_there_after_a_restart() {
    let w = World::new();
    let city = w.router("hub.h57");
    let packages: Vec<Vec<u8>> = (100..140)
        .map(|n| w.package(n, &[FINANCE, MINISTRY]))
        .collect();
    let batch: Vec<&[u8]> = packages.iter().map(Vec::as_slice).collect();
    let answers = city.submit_batch(&batch, NOW);
    assert!(answers.iter().all(|a| matches!(a, Ok(x) if !x.duplicate)));
    drop(city);
    let city = w.router("hub.h57");
    assert_eq!(city.store().deliveries(&id(FINANCE)).unwrap().len(), 40);
    let queued = city
        .store()
        .take_outbox(&hub("hub.national"), 100, NOW)
        .unwrap();
    assert_eq!(queued.len(), 40);
    for p in &packages {
        let doc = w.verifies(p);
        let key = edoc::MessageKey::Document {
            sender: id(A_LUOI_5),
            id: doc,
        };
        assert!(city.store().lookup_submission(&key).unwrap().is_some());
    }
}

#[test]
fn a_recall_in_the_same_batch_as_its_document_records_13_as_one_by_one_submits_do() {
    let w = World::new();
    let city = w.router("hub.h57");
    let plan = w.package(45, &[FINANCE]);
    let plan_id = w.verifies(&plan);
    let recall = w.package_with(
        46,
        &[FINANCE],
        Some(BusinessAction::Revoke(plan_id.parse().unwrap())),
    );
    let answers = city.submit_batch(&[&plan, &recall], NOW);
    assert!(answers.iter().all(|a| matches!(a, Ok(x) if !x.duplicate)));
    drop(city);
    let city = w.router("hub.h57");
    let codes: Vec<StatusCode> = city
        .store()
        .status_history(&plan_id, &id(FINANCE))
        .unwrap()
        .into_iter()
        .filter_map(|r| r.code())
        .collect();
    assert_eq!(codes, [StatusCode::RecallRequested]);
    assert_eq!(city.store().deliveries(&id(FINANCE)).unwrap().len(), 2);
}
