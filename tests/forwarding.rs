//! Forwarding between hubs: a package leaves the outbox only on the next hub's verified receipt
//! for exactly that message and content; a refusal downstream never drops an acknowledged
//! document silently (a dead letter for the operator, a signed non-delivery notice for the
//! sender, and the status history and the overdue list say so).

mod hub_support;

use std::sync::Mutex;

use edoc::{
    sign_attached_compact, Algorithm, Commitment, Directory, Disposition, HubId, InProcessNetwork,
    NonDeliveryNotice, PayloadKind, Receipt, RecipientDisposition, RoutingTable, SignOptions,
    StatusEvent, SubmitError, Transport, TransportError,
};
use hub_support::*;
use time::{Duration, OffsetDateTime};

/// The in-process network with the next hub's answer replaced.
struct Tampered<'a, F> {
    net: &'a InProcessNetwork,
    answer: F,
}

impl<F> Transport for Tampered<'_, F>
where
    F: Fn(Result<Vec<u8>, TransportError>) -> Result<Vec<u8>, TransportError> + Send + Sync,
{
    fn send(
        &self,
        to: &HubId,
        from: &HubId,
        kind: PayloadKind,
        payload: &[u8],
        now: OffsetDateTime,
    ) -> Result<Vec<u8>, TransportError> {
        (self.answer)(self.net.send(to, from, kind, payload, now))
    }
}

/// A Lưới 2's report to the ministry, accepted by the city hub for forwarding.
fn queued_report(w: &World, number: &'static str) -> String {
    let accepted = w
        .city()
        .submit(&w.package(&doc(A_LUOI_2, &[MINISTRY], number)), NOW)
        .unwrap();
    assert_eq!(
        accepted.receipt.disposition(&id(MINISTRY)),
        Some(&Disposition::Forwarded {
            hub: hub("hub.national")
        })
    );
    doc_id(A_LUOI_2, number)
}

fn queued(w: &World, at: OffsetDateTime) -> usize {
    w.city()
        .store()
        .take_outbox(&hub("hub.national"), 100, at)
        .unwrap()
        .len()
}

/// Forwards once through `transport`, expects the package to stay queued, then forwards
/// through the honest network after the visibility timeout and expects it delivered.
fn stays_queued_until_a_real_receipt(w: &World, transport: &dyn Transport) {
    let report = w.city().forward(transport, 10, NOW).unwrap();
    assert_eq!((report.sent, report.retried), (0, 1), "{report:?}");
    assert!(report.refused.is_empty(), "{report:?}");
    // Still in the outbox: it comes back after the visibility timeout.
    let back = NOW + Duration::minutes(5);
    assert_eq!(queued(w, back), 1);
    let report = w
        .city()
        .forward(&w.net, 10, back + Duration::minutes(5))
        .unwrap();
    assert_eq!(report.sent, 1, "{report:?}");
    assert_eq!(queued(w, back + Duration::hours(1)), 0);
}

#[test]
fn an_answer_that_is_not_a_signed_receipt_is_not_a_delivery() {
    let w = World::new();
    queued_report(&w, "21");
    let gateway_error = Tampered {
        net: &w.net,
        answer: |_| Ok(b"<html>502 Bad Gateway</html>".to_vec()),
    };
    stays_queued_until_a_real_receipt(&w, &gateway_error);
}

/// A receipt, signed by `seal`, for `message_id` with `content_sha256`, claiming hub.national.
fn forged_receipt(seal: &edoc::TestIdentity, message_id: &str, content_sha256: &str) -> Vec<u8> {
    let receipt = Receipt {
        hub: hub("hub.national"),
        message_id: message_id.into(),
        content_sha256: content_sha256.into(),
        from: id(A_LUOI_2),
        received: NOW,
        dispositions: vec![RecipientDisposition {
            recipient: id(MINISTRY),
            disposition: Disposition::Delivered,
        }],
    };
    let payload = serde_json_canonicalizer::to_vec(&receipt).unwrap();
    let opts = SignOptions::new(NOW).with_commitment(Commitment::ProofOfReceipt);
    sign_attached_compact(&seal.signer().unwrap(), &payload, &opts)
        .unwrap()
        .into_bytes()
}

#[test]
fn a_receipt_not_signed_by_the_next_hubs_registered_seal_is_not_a_delivery() {
    let w = World::new();
    let doc = queued_report(&w, "21");
    // Signed by a trusted seal registered for the city hub, not for the national hub.
    let forged = forged_receipt(&w.city_seal, &doc, "00");
    let wrong_hub = Tampered {
        net: &w.net,
        answer: move |_| Ok(forged.clone()),
    };
    stays_queued_until_a_real_receipt(&w, &wrong_hub);
    // And by a seal of no hub at all (an agency's).
    let agency = w.seal(MINISTRY);
    let doc = queued_report(&w, "22");
    let by_agency = forged_receipt(&agency, &doc, "00");
    let not_a_hub = Tampered {
        net: &w.net,
        answer: move |_| Ok(by_agency.clone()),
    };
    let report = w.city().forward(&not_a_hub, 10, later(30)).unwrap();
    assert_eq!((report.sent, report.retried), (0, 1), "{report:?}");
    assert!(
        report.bad_receipts[0].contains("not a valid receipt"),
        "{report:?}"
    );
}

#[test]
fn a_receipt_for_another_message_or_other_content_is_not_a_delivery() {
    let w = World::new();
    // An older report, forwarded honestly: its receipt is genuine.
    queued_report(&w, "20");
    let first = Mutex::new(None::<Vec<u8>>);
    let keep = Tampered {
        net: &w.net,
        answer: |r: Result<Vec<u8>, TransportError>| {
            let r = r?;
            *first.lock().unwrap() = Some(r.clone());
            Ok(r)
        },
    };
    assert_eq!(w.city().forward(&keep, 10, NOW).unwrap().sent, 1);
    let old_receipt = first.lock().unwrap().clone().unwrap();

    // The next report is answered with the older report's (genuine) receipt.
    let doc = queued_report(&w, "21");
    let replayed = Tampered {
        net: &w.net,
        answer: move |_| Ok(old_receipt.clone()),
    };
    stays_queued_until_a_real_receipt(&w, &replayed);

    // And a report answered by the national hub's own seal, for its id, with other content.
    let doc2 = queued_report(&w, "22");
    let other_content = forged_receipt(&w.national_seal, &doc2, &"ab".repeat(32));
    let wrong_digest = Tampered {
        net: &w.net,
        answer: move |_| Ok(other_content.clone()),
    };
    let _ = doc;
    let report = w.city().forward(&wrong_digest, 10, NOW).unwrap();
    assert_eq!((report.sent, report.retried), (0, 1), "{report:?}");
    assert!(
        report.bad_receipts[0].contains("other content"),
        "{report:?}"
    );
}

fn without_ministry() -> Directory {
    let mut dir = Directory::new();
    for a in Directory::sample().agencies() {
        if a.id() != id(MINISTRY) {
            dir.add_agency(a.clone()).unwrap();
        }
    }
    dir
}

/// The notice in `agency`'s mailbox at `router`, verified.
fn notice_for(w: &World, router: &edoc::Router, agency: &str) -> NonDeliveryNotice {
    let got = w.take(router, agency, later(60));
    let notices: Vec<_> = got
        .iter()
        .filter(|d| d.kind == PayloadKind::Notice)
        .collect();
    assert_eq!(notices.len(), 1, "the sender must be told: {got:?}");
    let (notice, _) =
        NonDeliveryNotice::verify(&notices[0].payload, &w.hubs, &w.trust, &w.policy, later(60))
            .expect("the notice verifies");
    assert_eq!(notices[0].document_id, notice.document_id);
    notice
}

#[test]
fn a_package_the_next_hub_refuses_becomes_a_dead_letter_and_the_sender_gets_a_signed_notice() {
    // The national hub's directory does not list the ministry: it refuses the report.
    let w = World::with_national(without_ministry());
    let mut d = doc(A_LUOI_2, &[MINISTRY], "21");
    d.due = Some(time::macros::date!(2025 - 07 - 31));
    w.city().submit(&w.package(&d), NOW).unwrap();
    let doc = doc_id(A_LUOI_2, "21");
    let report = w.net.pump(NOW).unwrap();
    assert_eq!(report.sent, 0, "{report:?}");
    assert_eq!(report.refused.len(), 1, "{report:?}");

    // The operator finds it among the dead letters, package and reason kept.
    let letters = w.city().dead_letters().unwrap();
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0].entry.document_id, doc);
    assert_eq!(letters[0].refused_by, hub("hub.national"));
    assert_eq!(letters[0].recipients, [id(MINISTRY)]);
    assert!(
        letters[0].reason.contains("not in the directory"),
        "{}",
        letters[0].reason
    );
    assert!(!letters[0].entry.payload.is_empty());
    assert_eq!(queued(&w, later(60)), 0, "nothing left to retry");

    // The sender gets the city hub's signed notice, with the national hub's reason.
    let notice = notice_for(&w, w.city(), A_LUOI_2);
    assert_eq!(notice.hub, hub("hub.h57"));
    assert_eq!(notice.document_id, doc);
    assert_eq!(notice.sender, id(A_LUOI_2));
    assert_eq!(notice.recipients, [id(MINISTRY)]);
    assert_eq!(notice.refused_by, hub("hub.national"));
    assert_eq!(notice.reason, letters[0].reason);

    // The notice, should it come back to the hub that issued it, is a duplicate.
    let letters_before = w.city().dead_letters().unwrap();
    let notice_bytes = w
        .city()
        .store()
        .deliveries(&id(A_LUOI_2))
        .unwrap()
        .into_iter()
        .find(|d| d.kind == PayloadKind::Notice)
        .unwrap()
        .payload;
    let again = w
        .city()
        .receive(
            &hub("hub.national"),
            PayloadKind::Notice,
            &notice_bytes,
            later(61),
        )
        .unwrap();
    assert!(again.duplicate);
    assert_eq!(w.city().dead_letters().unwrap(), letters_before);

    // The history and the overdue list say so, long before the due date.
    let history = w
        .city()
        .store()
        .status_history(&doc, &id(MINISTRY))
        .unwrap();
    assert_eq!(
        history.last().map(|r| r.event.clone()),
        Some(StatusEvent::NotDelivered {
            refused_by: hub("hub.national"),
            reason: notice.reason.clone()
        })
    );
    let overdue = w
        .city()
        .overdue(time::macros::date!(2025 - 07 - 03))
        .unwrap();
    assert_eq!(overdue.len(), 1);
    assert_eq!(
        (overdue[0].recipient, overdue[0].sender),
        (id(MINISTRY), id(A_LUOI_2))
    );
    assert!(matches!(
        overdue[0].latest,
        Some(StatusEvent::NotDelivered { .. })
    ));
}

#[test]
fn recipients_the_next_hubs_receipt_refuses_are_not_dropped_silently() {
    // A misconfigured national table sends the ministry back to the city hub: the national
    // hub accepts the package but refuses the ministry (a loop) in its receipt.
    let w = World::new();
    let mut table = RoutingTable::sample();
    table
        .add_rule("*.G09".parse().unwrap(), hub("hub.h57"))
        .unwrap();
    let national = edoc::Router::new(edoc::RouterConfig {
        hub: hub("hub.national"),
        trust: w.trust.clone(),
        policy: w.policy.clone(),
        limits: edoc::Limits::default(),
        directory: std::sync::Arc::new(Directory::sample()),
        table,
        hubs: w.hubs.clone(),
        seal: std::sync::Arc::new(w.national_seal.signer().unwrap()),
        store: std::sync::Arc::new(edoc::MemoryStore::new(Duration::minutes(5))),
    });
    let mut net = InProcessNetwork::new();
    net.add(std::sync::Arc::new(national));
    queued_report(&w, "21");
    let report = w.city().forward(&net, 10, NOW).unwrap();
    assert_eq!((report.sent, report.refused.len()), (0, 1), "{report:?}");
    assert!(report.refused[0].contains("routing loop"), "{report:?}");
    let letters = w.city().dead_letters().unwrap();
    assert_eq!(letters[0].recipients, [id(MINISTRY)]);
    let notice = notice_for(&w, w.city(), A_LUOI_2);
    assert!(notice.reason.contains("routing loop"), "{}", notice.reason);
}

#[test]
fn a_refusal_two_hubs_away_reaches_the_sender_through_its_own_hub() {
    // city → national → hub.h56, which knows no agency and refuses.
    let (w, _) = World::with_third_hub(|pki| {
        pki.seal("H56 hub", &id("000.00.00.H56"), Algorithm::Es256)
            .unwrap()
    });
    let far = FAR;
    let accepted = w
        .city()
        .submit(&w.package(&doc(A_LUOI_2, &[far], "31")), NOW)
        .unwrap();
    assert_eq!(
        accepted.receipt.disposition(&id(far)),
        Some(&Disposition::Forwarded {
            hub: hub("hub.national")
        })
    );
    let report = w.net.pump(NOW).unwrap();
    assert_eq!(
        report.refused.len(),
        1,
        "{report:?} {:?}",
        w.national().dead_letters()
    );
    // The national hub keeps the dead letter; the city hub is told, records it, and the
    // commune gets the national hub's notice.
    assert_eq!(w.national().dead_letters().unwrap().len(), 1);
    assert!(w.city().dead_letters().unwrap().is_empty());
    let doc = doc_id(A_LUOI_2, "31");
    for router in [w.national(), w.city()] {
        let history = router.store().status_history(&doc, &id(far)).unwrap();
        assert!(
            matches!(history.last().map(|r| &r.event), Some(StatusEvent::NotDelivered { refused_by, .. }) if *refused_by == hub("hub.h56")),
            "{}: {history:?}",
            router.id()
        );
    }
    let notice = notice_for(&w, w.city(), A_LUOI_2);
    assert_eq!(notice.hub, hub("hub.national"));
    assert_eq!(notice.refused_by, hub("hub.h56"));
    assert!(
        notice.reason.contains("not in the directory"),
        "{}",
        notice.reason
    );
}

#[test]
fn a_notice_about_a_message_the_hub_never_accepted_is_refused() {
    let (w, rogue) = World::with_third_hub(|pki| {
        pki.seal("H56 hub", &id("000.00.00.H56"), Algorithm::Es256)
            .unwrap()
    });
    // A registered hub makes up a non-delivery of a document the city never accepted.
    let notice = NonDeliveryNotice {
        id: "made-up".into(),
        hub: hub("hub.h56"),
        document_id: doc_id(A_LUOI_2, "99"),
        status_id: None,
        content_sha256: "00".repeat(32),
        sender: id(A_LUOI_2),
        recipients: vec![id(MINISTRY)],
        refused_by: hub("hub.h56"),
        reason: "made up".into(),
        time: NOW,
    };
    let payload = serde_json_canonicalizer::to_vec(&notice).unwrap();
    let opts = SignOptions::new(NOW).with_commitment(Commitment::ProofOfReceipt);
    let signed = sign_attached_compact(&rogue.signer().unwrap(), &payload, &opts).unwrap();
    assert!(matches!(
        w.city()
            .receive(&hub("hub.h56"), PayloadKind::Notice, signed.as_bytes(), NOW),
        Err(SubmitError::UnknownMessage { .. })
    ));
    assert!(w.take(w.city(), A_LUOI_2, NOW).is_empty());
    // Signed by a hub other than the one it names.
    let forged =
        sign_attached_compact(&w.national_seal.signer().unwrap(), &payload, &opts).unwrap();
    assert!(matches!(
        w.city().receive(
            &hub("hub.national"),
            PayloadKind::Notice,
            forged.as_bytes(),
            NOW
        ),
        Err(SubmitError::Notice(
            edoc::SignedMessageError::WrongSigner { .. }
        ))
    ));
}
