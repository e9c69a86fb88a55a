//! The trace a hub accepts from another hub: its first hop is the sender's own hub, and every
//! hop states the document's business action. A registered hub cannot inject another
//! province's documents or relabel what a document does.

mod hub_support;

use edoc::{
    sign_attached_compact, Algorithm, Commitment, Detached, Forwarded, Limits, PayloadKind,
    SignOptions, SubmitError, TestIdentity, TraceEntry, TraceError, TraceHop, Verifier,
};
use hub_support::*;

/// `package` with one trace entry made by `seal` for `hop_hub`, forwarding to the national hub
/// for the ministry, with the business action `action`.
fn with_first_hop(
    w: &World,
    package: &[u8],
    seal: &TestIdentity,
    hop_hub: &str,
    action: u8,
) -> Vec<u8> {
    let verified = Verifier::new(&w.trust, &w.policy)
        .verify_bytes(package, &Limits::default(), &mut Detached::none(), NOW)
        .unwrap();
    let hop = TraceHop {
        hub: hub(hop_hub),
        time: NOW,
        document_id: verified.header().id().to_string(),
        action,
        content_sha256: verified
            .content_digest()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
        previous_sha256: None,
        delivered: vec![],
        forwarded: vec![Forwarded {
            hub: hub("hub.national"),
            recipients: vec![id(MINISTRY)],
        }],
    };
    let payload = serde_json_canonicalizer::to_vec(&hop).unwrap();
    let opts = SignOptions::new(NOW).with_commitment(Commitment::ProofOfReceipt);
    let jws = sign_attached_compact(&seal.signer().unwrap(), &payload, &opts).unwrap();
    let mut parts = jws.split('.');
    let entry = TraceEntry {
        protected: parts.next().unwrap().into(),
        payload: parts.next().unwrap().into(),
        signature: parts.next().unwrap().into(),
    };
    let mut v: serde_json::Value = serde_json::from_slice(package).unwrap();
    v["trace"] = serde_json::json!([entry]);
    serde_json::to_vec(&v).unwrap()
}

#[test]
fn a_document_whose_first_hop_is_not_its_senders_hub_is_refused() {
    // hub.h56 is a registered hub, but A Lưới 2 (H57) is served by hub.h57.
    let (w, rogue) = World::with_third_hub(|pki| {
        pki.seal(
            "Another province's hub",
            &id("000.00.00.H56"),
            Algorithm::Es256,
        )
        .unwrap()
    });
    let genuine = w.package(&doc(A_LUOI_2, &[MINISTRY], "21"));
    let injected = with_first_hop(&w, &genuine, &rogue, "hub.h56", 0);
    match w
        .national()
        .receive(&hub("hub.h56"), PayloadKind::Document, &injected, NOW)
    {
        Err(SubmitError::Trace(TraceError::NotSendersHub { hub: h, .. })) => {
            assert_eq!(h, hub("hub.h56"))
        }
        other => panic!("expected a refusal, got {:?}", other.map(|a| a.receipt)),
    }
    assert!(w.take(w.national(), MINISTRY, NOW).is_empty());
}

#[test]
fn a_trace_hop_stating_another_business_action_is_refused() {
    let w = World::new();
    let genuine = w.package(&doc(A_LUOI_2, &[MINISTRY], "21"));
    // Signed by the city hub's real seal, but saying "3 replace" for a new document.
    let relabelled = with_first_hop(&w, &genuine, &w.city_seal, "hub.h57", 3);
    match w
        .national()
        .receive(&hub("hub.h57"), PayloadKind::Document, &relabelled, NOW)
    {
        Err(SubmitError::Trace(TraceError::OtherPackage { index: 0, .. })) => {}
        other => panic!("expected a refusal, got {:?}", other.map(|a| a.receipt)),
    }
    // The honest entry is accepted.
    let honest = with_first_hop(&w, &genuine, &w.city_seal, "hub.h57", 0);
    w.national()
        .receive(&hub("hub.h57"), PayloadKind::Document, &honest, NOW)
        .unwrap();
}
