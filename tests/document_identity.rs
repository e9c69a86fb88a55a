//! Document identity at the hubs: an id belongs to its sender, de-duplication is on (sender, id)
//! and on what the signatures sign, and only a document's sender may revoke, update or replace
//! it. Each test plays an attack one agency could mount on another's documents.

mod hub_support;

use edoc::{BusinessAction, Detached, Disposition, Limits, SubIndication, SubmitError, Verifier};
use hub_support::*;

/// A Lưới 1's own, validly signed package to Finance that carries A Lưới 5's id.
fn impostor(w: &World, victim: &str, victim_number: &str, to: &[&'static str]) -> Vec<u8> {
    let victims_id = doc_id(victim, victim_number);
    w.forged_package(&doc(A_LUOI_1, to, "99"), |h| {
        h["id"] = serde_json::Value::String(victims_id);
    })
}

fn assert_refused_for_the_id(result: Result<edoc::Accepted, SubmitError>) {
    match result {
        Err(SubmitError::Rejected(r)) => {
            assert_eq!(r.sub_indication(), Some(SubIndication::FormatFailure));
            let text = r.report().to_string();
            assert!(
                text.contains("does not begin with the sender's code"),
                "{text}"
            );
        }
        other => panic!(
            "expected the id to be refused, got {:?}",
            other.map(|a| a.receipt)
        ),
    }
}

#[test]
fn a_document_id_that_does_not_begin_with_the_senders_code_is_refused() {
    let w = World::new();
    let bytes = impostor(&w, A_LUOI_5, "12", &[FINANCE]);
    assert_refused_for_the_id(w.city().submit(&bytes, NOW));
    // The verifier refuses it too: such a package is not a valid document anywhere.
    let refused = Verifier::new(&w.trust, &w.policy)
        .verify_bytes(&bytes, &Limits::default(), &mut Detached::none(), NOW)
        .unwrap_err();
    assert_eq!(refused.sub_indication(), Some(SubIndication::FormatFailure));
    assert!(w.take(w.city(), FINANCE, NOW).is_empty());
}

#[test]
fn an_impostor_taking_a_communes_predictable_id_does_not_block_its_real_document() {
    let w = World::new();
    // A Lưới 1 guesses A Lưới 5's next edXML id and submits first.
    let _ = w
        .city()
        .submit(&impostor(&w, A_LUOI_5, "12", &[FINANCE]), NOW);
    let genuine = w.package(&doc(A_LUOI_5, &[FINANCE], "12"));
    let accepted = w
        .city()
        .submit(&genuine, NOW)
        .expect("the real document is accepted");
    assert!(!accepted.duplicate);
    // Finance receives the genuine document, and only it, under A Lưới 5's id.
    let got = w.take(w.city(), FINANCE, NOW);
    assert_eq!(got.len(), 1);
    let v = Verifier::new(&w.trust, &w.policy)
        .verify_bytes(
            &got[0].payload,
            &Limits::default(),
            &mut Detached::none(),
            NOW,
        )
        .unwrap();
    assert_eq!(v.header().sender().id, id(A_LUOI_5));
    assert_eq!(v.header().id().as_str(), doc_id(A_LUOI_5, "12"));
}

#[test]
fn a_ministry_taking_a_communes_id_at_the_national_hub_cannot_make_the_city_hub_lose_it() {
    let w = World::new();
    // The ministry, on the national hub, takes A Lưới 2's id first.
    let victims_id = doc_id(A_LUOI_2, "21");
    let impostor = w.forged_package(&doc(MINISTRY, &[CITY], "7"), |h| {
        h["id"] = serde_json::Value::String(victims_id.clone());
    });
    assert_refused_for_the_id(w.national().submit(&impostor, NOW));

    // A Lưới 2's real report to the ministry: the city hub says "forwarded" ...
    let genuine = w.package(&doc(A_LUOI_2, &[MINISTRY], "21"));
    let accepted = w.city().submit(&genuine, NOW).unwrap();
    assert_eq!(
        accepted.receipt.disposition(&id(MINISTRY)),
        Some(&Disposition::Forwarded {
            hub: hub("hub.national")
        })
    );
    // ... and the national hub delivers it: the acknowledged document is not lost.
    let report = w.net.pump(NOW).unwrap();
    assert_eq!(report.sent, 1, "{report:?}");
    assert!(report.refused.is_empty(), "{report:?}");
    let got = w.take(w.national(), MINISTRY, NOW);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].document_id, victims_id);
}

#[test]
fn a_reencoded_copy_submitted_first_does_not_turn_the_genuine_package_into_a_conflict() {
    let w = World::new();
    let genuine = w.package(&doc(A_LUOI_5, &[FINANCE], "12"));
    // Anyone who sees the package on the way can re-encode its seal's ECDSA signature
    // (s → n − s): the copy still verifies, but its bytes differ.
    let copy = malleate_last_signature(&genuine);
    assert_ne!(copy, genuine);
    Verifier::new(&w.trust, &w.policy)
        .verify_bytes(&copy, &Limits::default(), &mut Detached::none(), NOW)
        .expect("the re-encoded copy still verifies");
    let first = w.city().submit(&copy, NOW).unwrap();
    let again = w
        .city()
        .submit(&genuine, later(1))
        .expect("the genuine package is the same document, not a conflict");
    assert!(again.duplicate);
    assert_eq!(again.signed_receipt, first.signed_receipt);
    assert_eq!(w.take(w.city(), FINANCE, NOW).len(), 1);
}

#[test]
fn only_the_sender_of_a_document_may_revoke_update_or_replace_it() {
    for (code, make) in [
        (
            1,
            BusinessAction::Revoke as fn(edoc::DocumentId) -> BusinessAction,
        ),
        (2, BusinessAction::Update),
        (3, BusinessAction::Replace),
    ] {
        let w = World::new();
        w.city()
            .submit(&w.package(&doc(A_LUOI_5, &[FINANCE], "12")), NOW)
            .unwrap();
        w.take(w.city(), FINANCE, NOW);
        // A Lưới 1 "replaces" A Lưới 5's document at Finance.
        let target = doc_id(A_LUOI_5, "12");
        let attack = w.forged_package(&doc(A_LUOI_1, &[FINANCE], "13"), |h| {
            h["action"] = serde_json::json!(code);
            h["actionTarget"] = serde_json::Value::String(target.clone());
        });
        match w.city().submit(&attack, NOW) {
            Err(SubmitError::Rejected(r)) => {
                assert_eq!(r.sub_indication(), Some(SubIndication::FormatFailure));
                let text = r.report().to_string();
                assert!(text.contains("only its sender"), "{text}");
            }
            other => panic!(
                "action {code}: expected a refusal, got {:?}",
                other.map(|a| a.receipt)
            ),
        }
        assert!(w.take(w.city(), FINANCE, NOW).is_empty(), "action {code}");
        assert!(
            w.codes(w.city(), &target, FINANCE).is_empty(),
            "action {code}"
        );

        // The sender itself may.
        let mut own = doc(A_LUOI_5, &[FINANCE], "14");
        own.action = Some(make(target.parse().unwrap()));
        w.city().submit(&w.package(&own), NOW).unwrap();
        assert_eq!(w.take(w.city(), FINANCE, NOW).len(), 1, "action {code}");
    }
}
