//! The hub end to end, on two in-process hubs (`hub.h57` for Hue, `hub.national`) over a
//! generated test PKI: every refusal reason, de-duplication, multi-hop routing with verified
//! trace entries, statuses routed back, recalls and the overdue list.

use std::sync::Arc;

use edoc::{
    verify_trace, Agency, Algorithm, AttachmentEntry, BusinessAction, Commitment, Competence,
    Confidentiality, Detached, Directory, Disposition, HeaderBuilder, HubId, HubRegistry,
    InProcessNetwork, Limits, MemoryStore, OrgId, Package, PayloadKind, Policy, Receipt, Router,
    RouterConfig, RoutingTable, SignedMessageError, Staff, StatusCode, StatusMessage,
    StatusTransitionError, StoreError, SubIndication, SubmitError, TestIdentity, TestPki,
    TraceError, TrustStore, Urgency, Verifier,
};
use time::macros::{date, datetime};
use time::{Date, Duration, OffsetDateTime};

// Signed at 10:00 on 2 July 2025 and routed from 15:00: inside every test certificate's
// validity (2025-01-01..2030-01-01) and before any CRL's nextUpdate.
const SIGNED: OffsetDateTime = datetime!(2025-07-02 10:00 UTC);
const NOW: OffsetDateTime = datetime!(2025-07-02 15:00 UTC);
const PDF: &[u8] =
    b"%PDF-1.7 request for purchasing guidelines and early allocation of the 2025 budget";

const CITY: &str = "000.00.00.H57";
const FINANCE: &str = "000.00.05.H57";
const A_LUOI_1: &str = "000.00.41.H57";
const A_LUOI_2: &str = "000.00.42.H57";
const A_LUOI_4: &str = "000.00.44.H57";
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
    policy: Policy,
    hubs: HubRegistry,
    net: InProcessNetwork,
}

impl World {
    fn new() -> World {
        World::with_national(Directory::sample(), RoutingTable::sample())
    }

    /// Both hubs on the sample directory and table, except the national hub's own.
    fn with_national(national_directory: Directory, national_table: RoutingTable) -> World {
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
        let mut net = InProcessNetwork::new();
        for (name, seal, directory, table) in [
            (
                "hub.h57",
                &city_seal,
                Directory::sample(),
                RoutingTable::sample(),
            ),
            (
                "hub.national",
                &national_seal,
                national_directory,
                national_table,
            ),
        ] {
            net.add(Arc::new(Router::new(RouterConfig {
                hub: hub(name),
                trust: Arc::clone(&trust),
                policy: Policy::strict(),
                limits: Limits::default(),
                directory: Arc::new(directory),
                table,
                hubs: hubs.clone(),
                seal: Arc::new(seal.signer().unwrap()),
                store: Arc::new(MemoryStore::new(Duration::minutes(5))),
            })));
        }
        World {
            pki,
            trust,
            policy: Policy::strict(),
            hubs,
            net,
        }
    }

    fn city(&self) -> &Router {
        self.net.router(&hub("hub.h57")).unwrap()
    }

    fn national(&self) -> &Router {
        self.net.router(&hub("hub.national")).unwrap()
    }

    fn seal(&self, agency: &str) -> TestIdentity {
        self.pki
            .seal(&format!("Seal of {agency}"), &id(agency), Algorithm::Es256)
            .unwrap()
    }

    fn person(&self, agency: &str) -> TestIdentity {
        self.pki
            .person("Hồ Văn Chủ Tịch", "UBND", &id(agency), Algorithm::Es256)
            .unwrap()
    }

    /// A package from `sender` sealed by `sealed_by` (normally the sender itself).
    fn package(&self, doc: Doc, sealed_by: &str) -> Vec<u8> {
        self.package_sealed_with(doc, &self.seal(sealed_by))
    }

    fn package_sealed_with(&self, doc: Doc, seal: &TestIdentity) -> Vec<u8> {
        let mut b = HeaderBuilder::new()
            .sender(Agency::new(id(doc.sender), "sender"))
            .document_type("CV", "Công văn")
            .number_and_notation(doc.number, "UBND-VP")
            .issued("Huế", date!(2025 - 07 - 02))
            .subject(doc.subject)
            .signatory("Hồ Văn Chủ Tịch", "Chủ tịch", Competence::None)
            .urgency(doc.urgency)
            .confidentiality(doc.confidentiality)
            .attachment(AttachmentEntry::for_bytes("request.pdf", "application/pdf", PDF).unwrap());
        for r in doc.to {
            b = b.recipient(Agency::new(id(r), "recipient"));
        }
        if let Some(due) = doc.due {
            b = b.due_date(due);
        }
        if let Some(action) = doc.action {
            b = b.action(action);
        }
        let mut p = Package::new(
            b.build().unwrap(),
            [("request.pdf".to_owned(), PDF.to_vec())],
        )
        .unwrap();
        for (who, c) in [
            (self.person(doc.sender), Commitment::ProofOfApproval),
            (seal.clone(), Commitment::ProofOfOrigin),
        ] {
            p.sign(&who.signer().unwrap(), c, SIGNED, &mut Detached::none())
                .unwrap();
        }
        p.to_json()
    }

    fn status(
        &self,
        from: &str,
        to: &str,
        doc: &str,
        code: StatusCode,
        at: OffsetDateTime,
    ) -> Vec<u8> {
        self.status_sealed_by(from, from, to, doc, code, at)
    }

    fn status_sealed_by(
        &self,
        sealed_by: &str,
        from: &str,
        to: &str,
        doc: &str,
        code: StatusCode,
        at: OffsetDateTime,
    ) -> Vec<u8> {
        StatusMessage {
            from: id(from),
            to: id(to),
            document_id: doc.into(),
            code,
            description: code.words().into(),
            time: at,
            staff: Staff {
                name: "Nguyễn Văn A".into(),
                position: "Chuyên viên".into(),
            },
        }
        .sign(&self.seal(sealed_by).signer().unwrap())
        .unwrap()
    }

    /// Everything in `agency`'s mailbox at `router`, acknowledged.
    fn take(&self, router: &Router, agency: &str) -> Vec<edoc::Delivery> {
        let got = router.store().fetch(&id(agency), 100, NOW).unwrap();
        for d in &got {
            router.store().ack(&id(agency), d.id, NOW).unwrap();
        }
        got
    }

    fn codes(&self, router: &Router, doc: &str, recipient: &str) -> Vec<StatusCode> {
        router
            .store()
            .status_history(doc, &id(recipient))
            .unwrap()
            .into_iter()
            .filter_map(|r| r.code())
            .collect()
    }
}

#[derive(Clone)]
struct Doc {
    sender: &'static str,
    to: Vec<&'static str>,
    number: &'static str,
    subject: &'static str,
    urgency: Urgency,
    confidentiality: Confidentiality,
    due: Option<Date>,
    action: Option<BusinessAction>,
}

fn doc(sender: &'static str, to: &[&'static str], number: &'static str) -> Doc {
    Doc {
        sender,
        to: to.to_vec(),
        number,
        subject: "Xin hướng dẫn mua sắm và tạm cấp kinh phí năm 2025",
        urgency: Urgency::Normal,
        confidentiality: Confidentiality::None,
        due: None,
        action: None,
    }
}

fn doc_id(sender: &str, number: &str) -> String {
    format!("{sender},2025/07/02,{number}/UBND-VP")
}

#[test]
fn local_document_is_delivered_with_a_signed_receipt_and_one_trace_entry() {
    let w = World::new();
    let bytes = w.package(doc(A_LUOI_5, &[FINANCE], "12"), A_LUOI_5);
    let accepted = w.city().submit(&bytes, NOW).unwrap();
    assert!(!accepted.duplicate);
    let receipt =
        Receipt::verify(&accepted.signed_receipt, &w.hubs, &w.trust, &w.policy, NOW).unwrap();
    assert_eq!(receipt, accepted.receipt);
    assert_eq!(receipt.hub, hub("hub.h57"));
    assert_eq!(receipt.from, id(A_LUOI_5));
    assert_eq!(
        receipt.disposition(&id(FINANCE)),
        Some(&Disposition::Delivered)
    );

    let got = w.take(w.city(), FINANCE);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].kind, PayloadKind::Document);
    let verified = Verifier::new(&w.trust, &w.policy)
        .verify_bytes(
            &got[0].payload,
            &Limits::default(),
            &mut Detached::none(),
            NOW,
        )
        .unwrap();
    let hops = verify_trace(&verified, &w.hubs, &w.trust, &w.policy, NOW).unwrap();
    assert_eq!(hops.len(), 1);
    assert_eq!(hops[0].hub, hub("hub.h57"));
    assert_eq!(hops[0].delivered, vec![id(FINANCE)]);
    assert!(hops[0].forwarded.is_empty());
    assert_eq!(hops[0].previous_sha256, None);
}

#[test]
fn resubmission_returns_the_first_receipt_and_delivers_once() {
    let w = World::new();
    let bytes = w.package(doc(A_LUOI_5, &[FINANCE], "12"), A_LUOI_5);
    let first = w.city().submit(&bytes, NOW).unwrap();
    let again = w.city().submit(&bytes, NOW + Duration::minutes(3)).unwrap();
    assert!(again.duplicate);
    assert_eq!(again.signed_receipt, first.signed_receipt);
    assert_eq!(again.receipt, first.receipt);
    assert_eq!(w.take(w.city(), FINANCE).len(), 1);
}

#[test]
fn same_document_id_with_other_content_is_a_conflict() {
    let w = World::new();
    let first = w.package(doc(A_LUOI_5, &[FINANCE], "12"), A_LUOI_5);
    w.city().submit(&first, NOW).unwrap();
    let mut changed = doc(A_LUOI_5, &[FINANCE], "12");
    changed.subject = "Báo cáo tiến độ xóa nhà tạm";
    let second = w.package(changed, A_LUOI_5);
    match w.city().submit(&second, NOW) {
        Err(SubmitError::Conflict { key }) => assert_eq!(
            key,
            edoc::MessageKey::Document {
                sender: id(A_LUOI_5),
                id: doc_id(A_LUOI_5, "12")
            }
        ),
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(w.take(w.city(), FINANCE).len(), 1);
}

#[test]
fn package_sealed_by_another_commune_is_refused_with_the_report() {
    let w = World::new();
    // Sealed by A Luoi 1, claiming to come from A Luoi 2.
    let bytes = w.package(doc(A_LUOI_2, &[FINANCE], "7"), A_LUOI_1);
    match w.city().submit(&bytes, NOW) {
        Err(SubmitError::Rejected(r)) => {
            assert_eq!(
                r.sub_indication(),
                Some(SubIndication::SigConstraintsFailure)
            );
            let text = r.report().to_string();
            assert!(
                text.contains("cannot sign for agency 000.00.42.H57"),
                "{text}"
            );
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    assert!(w.take(w.city(), FINANCE).is_empty());
}

#[test]
fn seal_listed_in_the_directory_may_sign_for_its_agency() {
    // A seal whose certificate names A Luoi 1 signs for A Luoi 2 only once the directory
    // lists it for A Luoi 2.
    let w = World::new();
    let seal = w.seal(A_LUOI_1);
    let bytes = w.package_sealed_with(doc(A_LUOI_2, &[FINANCE], "7"), &seal);
    let mut dir = Directory::sample();
    let verify = |dir: &Directory| {
        Verifier::new(&w.trust, &w.policy)
            .with_directory(dir)
            .verify_bytes(&bytes, &Limits::default(), &mut Detached::none(), NOW)
            .map(|_| ())
            .map_err(|r| r.sub_indication())
    };
    assert_eq!(
        verify(&dir),
        Err(Some(SubIndication::SigConstraintsFailure))
    );
    dir.add_certificate(
        &id(A_LUOI_2),
        Directory::certificate_fingerprint(&seal.chain[0]),
    )
    .unwrap();
    assert_eq!(verify(&dir), Ok(()));
}

#[test]
fn classified_document_is_refused() {
    let w = World::new();
    let mut d = doc(A_LUOI_5, &[FINANCE], "13");
    d.confidentiality = Confidentiality::Confidential;
    let bytes = w.package(d, A_LUOI_5);
    match w.city().submit(&bytes, NOW) {
        Err(e @ SubmitError::Classified { .. }) => {
            assert!(e.to_string().contains("classified"), "{e}");
        }
        other => panic!("expected a classified refusal, got {other:?}"),
    }
}

#[test]
fn unknown_recipient_is_refused() {
    let w = World::new();
    let bytes = w.package(doc(A_LUOI_5, &[FINANCE, "000.00.99.H57"], "14"), A_LUOI_5);
    match w.city().submit(&bytes, NOW) {
        Err(SubmitError::UnknownRecipient { recipient, .. }) => {
            assert_eq!(recipient, id("000.00.99.H57"))
        }
        other => panic!("expected an unknown recipient, got {other:?}"),
    }
    assert!(w.take(w.city(), FINANCE).is_empty());
}

#[test]
fn sender_of_another_hub_is_refused() {
    let w = World::new();
    let bytes = w.package(doc(MINISTRY, &[A_LUOI_2], "1"), MINISTRY);
    match w.city().submit(&bytes, NOW) {
        Err(SubmitError::NotServedHere {
            sender, serving, ..
        }) => {
            assert_eq!(sender, id(MINISTRY));
            assert_eq!(serving, hub("hub.national"));
        }
        other => panic!("expected not served here, got {other:?}"),
    }
}

#[test]
fn package_from_an_unknown_hub_is_refused() {
    let w = World::new();
    let bytes = w.package(doc(A_LUOI_5, &[FINANCE], "12"), A_LUOI_5);
    assert!(matches!(
        w.city().receive(&hub("hub.h99"), PayloadKind::Document, &bytes, NOW),
        Err(SubmitError::UnknownHub(h)) if h == hub("hub.h99")
    ));
}

/// A Luoi 2 reports to the ministry: city hub, national hub, ministry.
fn two_hops(w: &World) -> (String, Vec<u8>) {
    let bytes = w.package(doc(A_LUOI_2, &[MINISTRY], "21"), A_LUOI_2);
    let accepted = w.city().submit(&bytes, NOW).unwrap();
    assert_eq!(
        accepted.receipt.disposition(&id(MINISTRY)),
        Some(&Disposition::Forwarded {
            hub: hub("hub.national")
        })
    );
    let report = w.net.pump(NOW).unwrap();
    assert_eq!((report.sent, report.retried), (1, 0), "{report:?}");
    assert!(report.refused.is_empty(), "{report:?}");
    let got = w.take(w.national(), MINISTRY);
    assert_eq!(got.len(), 1);
    (doc_id(A_LUOI_2, "21"), got[0].payload.to_vec())
}

#[test]
fn document_crosses_two_hubs_and_both_trace_entries_verify() {
    let w = World::new();
    let (_, delivered) = two_hops(&w);
    let verified = Verifier::new(&w.trust, &w.policy)
        .verify_bytes(&delivered, &Limits::default(), &mut Detached::none(), NOW)
        .unwrap();
    let hops = verify_trace(&verified, &w.hubs, &w.trust, &w.policy, NOW).unwrap();
    let summary: Vec<_> = hops
        .iter()
        .map(|h| (h.hub.as_str(), h.delivered.clone(), h.forwarded.len()))
        .collect();
    assert_eq!(
        summary,
        [
            ("hub.h57", vec![], 1),
            ("hub.national", vec![id(MINISTRY)], 0)
        ]
    );
    assert_eq!(hops[0].forwarded[0].hub, hub("hub.national"));
    assert_eq!(hops[0].forwarded[0].recipients, vec![id(MINISTRY)]);
    assert!(hops[1].previous_sha256.is_some());
    // Nothing stays in the city's mailboxes or outbox.
    assert!(w
        .city()
        .store()
        .take_outbox(&hub("hub.national"), 10, NOW + Duration::hours(1))
        .unwrap()
        .is_empty());
}

/// The delivered package with its trace array edited.
fn edit_trace(bytes: &[u8], edit: impl FnOnce(&mut Vec<serde_json::Value>)) -> Vec<u8> {
    let mut v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    let trace = v.get_mut("trace").unwrap().as_array_mut().unwrap();
    edit(trace);
    serde_json::to_vec(&v).unwrap()
}

fn trace_error(w: &World, bytes: &[u8]) -> TraceError {
    let verified = Verifier::new(&w.trust, &w.policy)
        .verify_bytes(bytes, &Limits::default(), &mut Detached::none(), NOW)
        .expect("the signatures do not cover the trace");
    verify_trace(&verified, &w.hubs, &w.trust, &w.policy, NOW).unwrap_err()
}

#[test]
fn cut_reordered_or_tampered_trace_is_detected() {
    let w = World::new();
    let (_, delivered) = two_hops(&w);

    let cut = edit_trace(&delivered, |t| {
        t.remove(0);
    });
    assert!(
        matches!(trace_error(&w, &cut), TraceError::Broken { index: 0, hub } if hub == hub_national())
    );

    let reordered = edit_trace(&delivered, |t| t.swap(0, 1));
    assert!(matches!(
        trace_error(&w, &reordered),
        TraceError::Broken { index: 0, .. }
    ));

    let tampered = edit_trace(&delivered, |t| {
        let p = t[1]["payload"].as_str().unwrap().to_owned();
        // Flip one base64url character of the signed hop.
        let mut chars: Vec<char> = p.chars().collect();
        chars[10] = if chars[10] == 'A' { 'B' } else { 'A' };
        t[1]["payload"] = serde_json::Value::String(chars.into_iter().collect());
    });
    assert!(matches!(
        trace_error(&w, &tampered),
        TraceError::Entry {
            index: 1,
            source: SignedMessageError::Signature { .. }
        }
    ));
}

fn hub_national() -> HubId {
    hub("hub.national")
}

#[test]
fn trace_entry_moved_to_another_package_is_detected() {
    let w = World::new();
    let (_, delivered) = two_hops(&w);
    // Another package routed locally, given the first package's trace.
    let other = w.package(doc(A_LUOI_2, &[FINANCE], "22"), A_LUOI_2);
    let mut v: serde_json::Value = serde_json::from_slice(&other).unwrap();
    let donor: serde_json::Value = serde_json::from_slice(&delivered).unwrap();
    v["trace"] = donor["trace"].clone();
    let grafted = serde_json::to_vec(&v).unwrap();
    assert!(matches!(
        trace_error(&w, &grafted),
        TraceError::OtherPackage { index: 0, .. }
    ));
}

#[test]
fn package_with_a_trace_from_an_agency_is_refused() {
    let w = World::new();
    let (_, delivered) = two_hops(&w);
    assert!(matches!(
        w.national().submit(&delivered, NOW),
        Err(SubmitError::TraceFromAgency(2))
    ));
}

#[test]
fn status_from_the_ministry_is_routed_back_across_both_hubs() {
    let w = World::new();
    let (doc, _) = two_hops(&w);
    let later = NOW + Duration::hours(1);
    let accepted = w
        .national()
        .submit_status(
            &w.status(MINISTRY, A_LUOI_2, &doc, StatusCode::Accepted, later),
            later,
        )
        .unwrap();
    assert_eq!(
        accepted.receipt.disposition(&id(A_LUOI_2)),
        Some(&Disposition::Forwarded {
            hub: hub("hub.h57")
        })
    );
    w.net.pump(later).unwrap();
    let got = w.city().store().fetch(&id(A_LUOI_2), 10, later).unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].kind, PayloadKind::Status);
    let status = StatusMessage::verify_signed(
        &got[0].payload,
        &w.trust,
        &w.policy,
        w.city().directory(),
        later,
    )
    .unwrap();
    assert_eq!(status.message().code, StatusCode::Accepted);
    assert_eq!(status.message().from, id(MINISTRY));
    // Both hubs recorded it against (document, ministry).
    assert_eq!(
        w.codes(w.national(), &doc, MINISTRY),
        [StatusCode::Accepted]
    );
    assert_eq!(w.codes(w.city(), &doc, MINISTRY), [StatusCode::Accepted]);
}

#[test]
fn statuses_follow_the_rules_and_an_impossible_one_is_refused() {
    let w = World::new();
    let bytes = w.package(doc(A_LUOI_5, &[FINANCE], "12"), A_LUOI_5);
    w.city().submit(&bytes, NOW).unwrap();
    let doc = doc_id(A_LUOI_5, "12");
    for (i, code) in [
        StatusCode::Accepted,
        StatusCode::Processing,
        StatusCode::Completed,
    ]
    .into_iter()
    .enumerate()
    {
        let at = NOW + Duration::hours(i as i64 + 1);
        w.city()
            .submit_status(&w.status(FINANCE, A_LUOI_5, &doc, code, at), at)
            .unwrap();
    }
    let at = NOW + Duration::hours(5);
    match w.city().submit_status(
        &w.status(FINANCE, A_LUOI_5, &doc, StatusCode::Assigned, at),
        at,
    ) {
        Err(SubmitError::Store(StoreError::Transition { source, .. })) => assert_eq!(
            source,
            StatusTransitionError {
                next: StatusCode::Assigned,
                previous: Some(StatusCode::Completed),
                reason: "completion is final; only a recall request may follow",
            }
        ),
        other => panic!("expected a transition error, got {other:?}"),
    }
    assert_eq!(
        w.codes(w.city(), &doc, FINANCE),
        [
            StatusCode::Accepted,
            StatusCode::Processing,
            StatusCode::Completed
        ]
    );
    // The three statuses reached the commune's mailbox, in order.
    let got: Vec<_> = w
        .take(w.city(), A_LUOI_5)
        .into_iter()
        .map(|d| d.kind)
        .collect();
    assert_eq!(got, [PayloadKind::Status; 3]);
}

#[test]
fn status_about_a_document_the_agency_never_received_is_refused() {
    let w = World::new();
    let bytes = w.package(doc(A_LUOI_5, &[FINANCE], "12"), A_LUOI_5);
    w.city().submit(&bytes, NOW).unwrap();
    let doc = doc_id(A_LUOI_5, "12");
    assert!(matches!(
        w.city().submit_status(&w.status(A_LUOI_1, A_LUOI_5, &doc, StatusCode::Accepted, NOW), NOW),
        Err(SubmitError::UnknownDocument { recipient, .. }) if recipient == id(A_LUOI_1)
    ));
    // Finance answering someone other than the sender.
    assert!(matches!(
        w.city().submit_status(&w.status(FINANCE, A_LUOI_1, &doc, StatusCode::Accepted, NOW), NOW),
        Err(SubmitError::WrongParty { expected_to, .. }) if expected_to == id(A_LUOI_5)
    ));
}

#[test]
fn status_sealed_by_another_agency_is_refused() {
    let w = World::new();
    let bytes = w.package(doc(A_LUOI_5, &[FINANCE], "12"), A_LUOI_5);
    w.city().submit(&bytes, NOW).unwrap();
    let forged = w.status_sealed_by(
        A_LUOI_1,
        FINANCE,
        A_LUOI_5,
        &doc_id(A_LUOI_5, "12"),
        StatusCode::Completed,
        NOW,
    );
    assert!(matches!(
        w.city().submit_status(&forged, NOW),
        Err(SubmitError::Status(SignedMessageError::WrongSigner { .. }))
    ));
}

#[test]
fn plan_to_all_communes_lists_the_one_that_did_not_complete_as_overdue() {
    let w = World::new();
    let communes: Vec<&'static str> = vec![A_LUOI_1, A_LUOI_2, "000.00.43.H57", A_LUOI_4, A_LUOI_5];
    assert_eq!(
        Directory::sample().expand_group("communes").unwrap(),
        communes.iter().map(|c| id(c)).collect::<Vec<_>>()
    );
    let mut plan = doc(CITY, &communes, "45");
    plan.subject = "Kế hoạch xóa nhà tạm, nhà dột nát";
    plan.due = Some(date!(2025 - 07 - 18));
    plan.urgency = Urgency::Urgent;
    w.city().submit(&w.package(plan, CITY), NOW).unwrap();
    let doc = doc_id(CITY, "45");
    for c in &communes {
        assert_eq!(w.take(w.city(), c).len(), 1);
        let mut codes = vec![StatusCode::Accepted, StatusCode::Processing];
        if *c != A_LUOI_4 {
            codes.push(StatusCode::Completed);
        }
        for (i, code) in codes.into_iter().enumerate() {
            let at = NOW + Duration::days(i as i64 + 1);
            w.city()
                .submit_status(&w.status(c, CITY, &doc, code, at), at)
                .unwrap();
        }
    }
    assert!(w.city().overdue(date!(2025 - 07 - 18)).unwrap().is_empty());
    let late = w.city().overdue(date!(2025 - 07 - 19)).unwrap();
    assert_eq!(late.len(), 1);
    assert_eq!(late[0].recipient, id(A_LUOI_4));
    assert_eq!(late[0].sender, id(CITY));
    assert_eq!(
        late[0].latest,
        Some(edoc::StatusEvent::Status(StatusCode::Processing))
    );
    assert_eq!(late[0].document_id, doc);
}

#[test]
fn recall_records_13_and_only_one_answer_is_accepted() {
    let w = World::new();
    w.city()
        .submit(&w.package(doc(CITY, &[A_LUOI_1], "45"), CITY), NOW)
        .unwrap();
    let plan = doc_id(CITY, "45");
    let mut recall = doc(CITY, &[A_LUOI_1], "46");
    recall.subject = "Thu hồi kế hoạch số 45";
    recall.action = Some(BusinessAction::Revoke(plan.parse().unwrap()));
    w.city().submit(&w.package(recall, CITY), NOW).unwrap();
    assert_eq!(
        w.codes(w.city(), &plan, A_LUOI_1),
        [StatusCode::RecallRequested]
    );
    let at = NOW + Duration::hours(1);
    w.city()
        .submit_status(
            &w.status(A_LUOI_1, CITY, &plan, StatusCode::RecallAgreed, at),
            at,
        )
        .unwrap();
    let at = NOW + Duration::hours(2);
    assert!(matches!(
        w.city().submit_status(
            &w.status(A_LUOI_1, CITY, &plan, StatusCode::RecallRefused, at),
            at
        ),
        Err(SubmitError::Store(StoreError::Transition { .. }))
    ));
    assert_eq!(
        w.codes(w.city(), &plan, A_LUOI_1),
        [StatusCode::RecallRequested, StatusCode::RecallAgreed]
    );
}

#[test]
fn express_document_is_fetched_before_earlier_normal_ones() {
    let w = World::new();
    for (n, u) in [
        ("1", Urgency::Normal),
        ("2", Urgency::Urgent),
        ("3", Urgency::Express),
    ] {
        let mut d = doc(A_LUOI_5, &[FINANCE], n);
        d.urgency = u;
        w.city().submit(&w.package(d, A_LUOI_5), NOW).unwrap();
    }
    let order: Vec<_> = w
        .take(w.city(), FINANCE)
        .into_iter()
        .map(|d| d.document_id)
        .collect();
    assert_eq!(
        order,
        [
            doc_id(A_LUOI_5, "3"),
            doc_id(A_LUOI_5, "2"),
            doc_id(A_LUOI_5, "1")
        ]
    );
}

#[test]
fn unacknowledged_delivery_comes_back_after_the_visibility_timeout() {
    let w = World::new();
    w.city()
        .submit(&w.package(doc(A_LUOI_5, &[FINANCE], "12"), A_LUOI_5), NOW)
        .unwrap();
    let first = w.city().store().fetch(&id(FINANCE), 10, NOW).unwrap();
    assert_eq!(first.len(), 1);
    assert!(w
        .city()
        .store()
        .fetch(&id(FINANCE), 10, NOW + Duration::minutes(4))
        .unwrap()
        .is_empty());
    let again = w
        .city()
        .store()
        .fetch(&id(FINANCE), 10, NOW + Duration::minutes(5))
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].id, first[0].id);
    assert_eq!(again[0].attempts, 2);
}

#[test]
fn package_waits_in_the_outbox_while_the_next_hub_is_unreachable() {
    let w = World::new();
    let bytes = w.package(doc(A_LUOI_2, &[MINISTRY], "21"), A_LUOI_2);
    w.city().submit(&bytes, NOW).unwrap();
    // A network that has no link to the national hub yet.
    let mut partial = InProcessNetwork::new();
    partial.add(Arc::clone(w.net.router(&hub("hub.h57")).unwrap()));
    let report = partial.pump(NOW).unwrap();
    assert_eq!(
        (report.sent, report.retried, report.refused.len()),
        (0, 1, 0)
    );
    // Invisible until the visibility timeout, then delivered once the link exists.
    assert_eq!(w.net.pump(NOW + Duration::minutes(1)).unwrap().sent, 0);
    let later = NOW + Duration::minutes(5);
    assert_eq!(w.net.pump(later).unwrap().sent, 1);
    assert_eq!(
        w.national()
            .store()
            .fetch(&id(MINISTRY), 10, later)
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn refusal_by_the_next_hub_is_reported_and_the_package_leaves_the_outbox() {
    // The national hub's directory does not list the ministry.
    let mut national_dir = Directory::new();
    for a in Directory::sample().agencies() {
        if a.id() != id(MINISTRY) {
            national_dir.add_agency(a.clone()).unwrap();
        }
    }
    let w = World::with_national(national_dir, RoutingTable::sample());
    w.city()
        .submit(&w.package(doc(A_LUOI_2, &[MINISTRY], "21"), A_LUOI_2), NOW)
        .unwrap();
    let report = w.net.pump(NOW).unwrap();
    assert_eq!(report.sent, 0);
    assert_eq!(report.refused.len(), 1);
    assert!(
        report.refused[0].contains("recipient 000.00.00.G09")
            && report.refused[0].contains("not in the directory"),
        "{report:?}"
    );
    assert!(w
        .city()
        .store()
        .take_outbox(&hub("hub.national"), 10, NOW + Duration::hours(1))
        .unwrap()
        .is_empty());
}

#[test]
fn route_leading_back_to_the_previous_hub_is_refused_as_a_loop() {
    // A misconfigured national table sends the ministry back to the city hub.
    let mut table = RoutingTable::sample();
    table
        .add_rule("*.G09".parse().unwrap(), hub("hub.h57"))
        .unwrap();
    let w = World::with_national(Directory::sample(), table);
    w.city()
        .submit(&w.package(doc(A_LUOI_2, &[MINISTRY], "21"), A_LUOI_2), NOW)
        .unwrap();
    let city_outbox = w
        .city()
        .store()
        .take_outbox(&hub("hub.national"), 10, NOW)
        .unwrap();
    let accepted = w
        .national()
        .receive(
            &hub("hub.h57"),
            PayloadKind::Document,
            &city_outbox[0].payload,
            NOW,
        )
        .unwrap();
    match accepted.receipt.disposition(&id(MINISTRY)) {
        Some(Disposition::Refused { reason }) => {
            assert!(reason.starts_with("routing loop"), "{reason}")
        }
        other => panic!("expected a loop refusal, got {other:?}"),
    }
    assert!(w
        .national()
        .store()
        .take_outbox(&hub("hub.h57"), 10, NOW)
        .unwrap()
        .is_empty());
}

#[test]
fn forwarded_package_not_meant_for_this_hub_is_refused() {
    let w = World::new();
    w.city()
        .submit(&w.package(doc(A_LUOI_2, &[MINISTRY], "21"), A_LUOI_2), NOW)
        .unwrap();
    let out = w
        .city()
        .store()
        .take_outbox(&hub("hub.national"), 10, NOW)
        .unwrap();
    // The city hub's entry forwards to the national hub; presenting it as coming from the
    // national hub to the city hub does not match the trace.
    assert!(matches!(
        w.city().receive(
            &hub("hub.national"),
            PayloadKind::Document,
            &out[0].payload,
            NOW
        ),
        Err(SubmitError::NotForwardedHere { .. })
    ));
}

#[test]
fn update_and_replace_request_an_answer_like_a_recall() {
    for (n, make) in [
        (
            "47",
            BusinessAction::Update as fn(edoc::DocumentId) -> BusinessAction,
        ),
        ("48", BusinessAction::Replace),
    ] {
        let w = World::new();
        w.city()
            .submit(&w.package(doc(CITY, &[A_LUOI_1], "45"), CITY), NOW)
            .unwrap();
        let plan = doc_id(CITY, "45");
        let mut change = doc(CITY, &[A_LUOI_1], n);
        change.action = Some(make(plan.parse().unwrap()));
        w.city().submit(&w.package(change, CITY), NOW).unwrap();
        assert_eq!(
            w.codes(w.city(), &plan, A_LUOI_1),
            [StatusCode::RecallRequested],
            "{n}"
        );
        // Another sender cannot even write a document about it (tests/document_identity.rs
        // shows the hub refusing one signed by hand).
        let mut b = HeaderBuilder::new()
            .sender(Agency::new(id(FINANCE), "sender"))
            .recipient(Agency::new(id(A_LUOI_1), "recipient"))
            .document_type("CV", "Công văn")
            .number_and_notation(n, "UBND-VP")
            .issued("Huế", date!(2025 - 07 - 02))
            .subject("about another agency's plan")
            .signatory("Hồ Văn Chủ Tịch", "Chủ tịch", Competence::None);
        b = b.action(make(plan.parse().unwrap()));
        assert!(matches!(
            b.build(),
            Err(edoc::DocumentError::ActionOnAnothersDocument { sender, .. }) if sender == id(FINANCE)
        ));
        assert_eq!(
            w.codes(w.city(), &plan, A_LUOI_1),
            [StatusCode::RecallRequested],
            "{n}"
        );
    }
}

#[test]
fn national_hub_needs_only_the_agencies_it_serves() {
    // The national hub's directory lists the ministry alone: it still carries the commune's
    // report in and the ministry's status back out.
    let mut national_dir = Directory::new();
    national_dir
        .add_agency(Directory::sample().agency(&id(MINISTRY)).unwrap().clone())
        .unwrap();
    let w = World::with_national(national_dir, RoutingTable::sample());
    let (doc, _) = two_hops(&w);
    let later = NOW + Duration::hours(1);
    w.national()
        .submit_status(
            &w.status(MINISTRY, A_LUOI_2, &doc, StatusCode::Accepted, later),
            later,
        )
        .unwrap();
    w.net.pump(later).unwrap();
    let got = w.take(w.city(), A_LUOI_2);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].kind, PayloadKind::Status);
}

#[test]
fn sender_missing_from_its_hubs_directory_is_refused() {
    let w = World::new();
    let stranger = "000.00.46.H57";
    let bytes = w.package(doc(stranger, &[FINANCE], "3"), stranger);
    assert!(matches!(
        w.city().submit(&bytes, NOW),
        Err(SubmitError::UnknownSender { sender, .. }) if sender == id(stranger)
    ));
}

#[test]
fn sender_may_request_a_recall_by_status_and_the_recipient_answers() {
    let w = World::new();
    w.city()
        .submit(&w.package(doc(CITY, &[A_LUOI_1], "45"), CITY), NOW)
        .unwrap();
    let plan = doc_id(CITY, "45");
    w.city()
        .submit_status(
            &w.status(A_LUOI_1, CITY, &plan, StatusCode::Accepted, NOW),
            NOW,
        )
        .unwrap();
    // Only the sender may ask for a recall.
    assert!(matches!(
        w.city().submit_status(&w.status(FINANCE, A_LUOI_1, &plan, StatusCode::RecallRequested, NOW), NOW),
        Err(SubmitError::WrongParty { expected_from, .. }) if expected_from == id(CITY)
    ));
    let at = NOW + Duration::hours(1);
    w.city()
        .submit_status(
            &w.status(CITY, A_LUOI_1, &plan, StatusCode::RecallRequested, at),
            at,
        )
        .unwrap();
    let at = NOW + Duration::hours(2);
    w.city()
        .submit_status(
            &w.status(A_LUOI_1, CITY, &plan, StatusCode::RecallRefused, at),
            at,
        )
        .unwrap();
    // The recall was refused: the work goes on from 03.
    let at = NOW + Duration::hours(3);
    w.city()
        .submit_status(
            &w.status(A_LUOI_1, CITY, &plan, StatusCode::Processing, at),
            at,
        )
        .unwrap();
    assert_eq!(
        w.codes(w.city(), &plan, A_LUOI_1),
        [
            StatusCode::Accepted,
            StatusCode::RecallRequested,
            StatusCode::RecallRefused,
            StatusCode::Processing
        ]
    );
    let kinds: Vec<_> = w
        .take(w.city(), A_LUOI_1)
        .into_iter()
        .map(|d| d.kind)
        .collect();
    assert_eq!(kinds, [PayloadKind::Document, PayloadKind::Status]);
}

#[test]
fn batch_with_a_document_and_its_update_records_the_request() {
    for action in [
        BusinessAction::Revoke,
        BusinessAction::Update,
        BusinessAction::Replace,
    ] as [fn(edoc::DocumentId) -> BusinessAction; 3]
    {
        let w = World::new();
        let plan = w.package(doc(CITY, &[A_LUOI_1], "45"), CITY);
        let mut change = doc(CITY, &[A_LUOI_1], "46");
        change.action = Some(action(doc_id(CITY, "45").parse().unwrap()));
        let change = w.package(change, CITY);
        let answers = w.city().submit_batch(&[&plan, &change], NOW);
        assert!(answers.iter().all(Result::is_ok), "{answers:?}");
        assert_eq!(
            w.codes(w.city(), &doc_id(CITY, "45"), A_LUOI_1),
            [StatusCode::RecallRequested]
        );
    }
}
