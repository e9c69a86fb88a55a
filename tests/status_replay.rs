//! Status messages at the hubs: de-duplicated on what their signature signs, each with its own
//! id in its own namespace, in time order for each (document, recipient), close to their
//! signing time and to the hub's clock, and carrying the forwarding hubs' signed trace.

mod hub_support;

use edoc::StoreError;
use edoc::{
    sign_attached_compact, Commitment, PayloadKind, SignOptions, SignedMessageError, Staff,
    StatusCode, StatusMessage, SubmitError,
};
use hub_support::*;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

fn body(from: &str, to: &str, doc: &str, code: StatusCode, at: OffsetDateTime) -> StatusMessage {
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
}

/// Signed with `from`'s own seal, the signing time `iat`.
fn signed_at(w: &World, msg: &StatusMessage, iat: OffsetDateTime) -> Vec<u8> {
    let opts = SignOptions::new(iat).with_commitment(Commitment::ProofOfReceipt);
    sign_attached_compact(
        &w.seal(&msg.from.to_string()).signer().unwrap(),
        &msg.to_json(),
        &opts,
    )
    .unwrap()
    .into_bytes()
}

fn signed(w: &World, msg: &StatusMessage) -> Vec<u8> {
    signed_at(w, msg, msg.time)
}

fn submit(w: &World, bytes: &[u8], at: OffsetDateTime) -> Result<edoc::Accepted, SubmitError> {
    w.city().submit_status(bytes, at)
}

/// The city's plan to A Lưới 1, accepted (03) by the commune.
fn plan(w: &World) -> String {
    w.city()
        .submit(&w.package(&doc(CITY, &[A_LUOI_1], "45")), NOW)
        .unwrap();
    let plan = doc_id(CITY, "45");
    let accepted = body(A_LUOI_1, CITY, &plan, StatusCode::Accepted, later(10));
    submit(w, &signed(w, &accepted), later(10)).unwrap();
    plan
}

#[test]
fn an_old_status_replayed_with_a_trailing_newline_is_a_duplicate_and_blocks_nothing() {
    let w = World::new();
    let plan = plan(&w);
    // A first recall request, refused by the commune.
    let ask = body(
        CITY,
        A_LUOI_1,
        &plan,
        StatusCode::RecallRequested,
        later(20),
    );
    submit(&w, &signed(&w, &ask), later(20)).unwrap();
    let refused = signed(
        &w,
        &body(A_LUOI_1, CITY, &plan, StatusCode::RecallRefused, later(30)),
    );
    submit(&w, &refused, later(30)).unwrap();
    // The city asks again.
    let again = body(
        CITY,
        A_LUOI_1,
        &plan,
        StatusCode::RecallRequested,
        later(40),
    );
    submit(&w, &signed(&w, &again), later(40)).unwrap();
    // Someone who kept the old "16" replays it with a trailing newline ...
    let mut replay = refused.clone();
    replay.push(b'\n');
    let answer = submit(&w, &replay, later(41)).expect("a replay is answered as a duplicate");
    assert!(answer.duplicate);
    // ... and the commune's genuine "15" still goes through.
    let agreed = body(A_LUOI_1, CITY, &plan, StatusCode::RecallAgreed, later(50));
    submit(&w, &signed(&w, &agreed), later(50)).unwrap();
    assert_eq!(
        w.codes(w.city(), &plan, A_LUOI_1),
        [
            StatusCode::Accepted,
            StatusCode::RecallRequested,
            StatusCode::RecallRefused,
            StatusCode::RecallRequested,
            StatusCode::RecallAgreed
        ]
    );
}

#[test]
fn a_status_older_than_the_last_one_for_its_document_and_recipient_is_refused() {
    let w = World::new();
    let plan = plan(&w);
    // 04 set at 10:50 is held back; 05 at 11:00 goes first.
    let assigned = signed(
        &w,
        &body(A_LUOI_1, CITY, &plan, StatusCode::Assigned, later(50)),
    );
    let processing = body(A_LUOI_1, CITY, &plan, StatusCode::Processing, later(60));
    submit(&w, &signed(&w, &processing), later(60)).unwrap();
    assert!(matches!(
        submit(&w, &assigned, later(61)),
        Err(SubmitError::Store(StoreError::OutOfOrder { .. }))
    ));
    assert_eq!(
        w.codes(w.city(), &plan, A_LUOI_1),
        [StatusCode::Accepted, StatusCode::Processing]
    );
}

#[test]
fn a_status_far_from_its_signing_time_or_from_the_hubs_clock_is_refused() {
    let w = World::new();
    let plan = plan(&w);
    let msg = body(A_LUOI_1, CITY, &plan, StatusCode::Processing, later(60));
    // Signed a day after the time it states.
    let late_signature = signed_at(&w, &msg, later(60) + Duration::days(1));
    let time_refused = |r: Result<edoc::Accepted, SubmitError>| {
        matches!(r, Err(SubmitError::Status(SignedMessageError::Time { .. })))
    };
    assert!(time_refused(submit(
        &w,
        &late_signature,
        later(60) + Duration::days(1)
    )));
    // Stating a time a day before it reaches the hub.
    let stale = signed(&w, &msg);
    assert!(time_refused(submit(
        &w,
        &stale,
        later(60) + Duration::days(1)
    )));
    // Stating a time in the hub's future: signed at 10:30 for 11:00, submitted at 10:30 (the
    // skew is five minutes).
    let ahead = signed_at(&w, &msg, later(30));
    assert!(time_refused(submit(&w, &ahead, later(30))));
    // Within the window, it is taken.
    submit(&w, &stale, later(70)).unwrap();
    assert_eq!(
        w.codes(w.city(), &plan, A_LUOI_1),
        [StatusCode::Accepted, StatusCode::Processing]
    );
}

/// The ministry's "03" to A Lưới 2's report, taken by the national hub at `at`.
fn ministry_answer(w: &World, at: OffsetDateTime) -> (String, Vec<u8>, edoc::Accepted) {
    w.city()
        .submit(&w.package(&doc(A_LUOI_2, &[MINISTRY], "21")), NOW)
        .unwrap();
    w.net.pump(NOW).unwrap();
    w.take(w.national(), MINISTRY, NOW);
    let report = doc_id(A_LUOI_2, "21");
    let status = signed(
        w,
        &body(MINISTRY, A_LUOI_2, &report, StatusCode::Accepted, at),
    );
    let accepted = w.national().submit_status(&status, at).unwrap();
    (report, status, accepted)
}

#[test]
fn each_status_has_its_own_id_from_what_its_signature_signs() {
    let w = World::new();
    let plan = plan(&w);
    let first = body(A_LUOI_1, CITY, &plan, StatusCode::Processing, later(20));
    let second = body(A_LUOI_1, CITY, &plan, StatusCode::Processing, later(30));
    let bytes = signed(&w, &first);
    let a = submit(&w, &bytes, later(20)).unwrap();
    let b = submit(&w, &signed(&w, &second), later(30)).unwrap();
    assert!(a.receipt.message_id.starts_with("status:"));
    assert_ne!(a.receipt.message_id, b.receipt.message_id);
    // The id is the digest of the protected header and payload, nothing else.
    let text = std::str::from_utf8(&bytes).unwrap();
    let input = text.rsplit_once('.').unwrap().0;
    let want: String = Sha256::digest(input.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(a.receipt.message_id, format!("status:{want}"));
}

#[test]
fn a_document_cannot_take_the_id_of_a_status_on_its_way() {
    let w = World::new();
    // A Lưới 2 reports to the ministry; the ministry answers 03 through the national hub.
    let (_, _, accepted) = ministry_answer(&w, later(10));
    // Before it is forwarded, A Lưới 1 submits a document whose id is the status's id.
    let key = accepted.receipt.message_id.clone();
    let squatter = w.forged_package(&doc(A_LUOI_1, &[FINANCE], "66"), |h| {
        h["id"] = serde_json::Value::String(key.clone());
    });
    assert!(w.city().submit(&squatter, later(10)).is_err());
    // The status still reaches A Lưới 2.
    w.net.pump(later(11)).unwrap();
    let got = w.take(w.city(), A_LUOI_2, later(11));
    assert_eq!(got.len(), 1, "the ministry's status was lost");
    assert_eq!(got[0].kind, PayloadKind::Status);
}

#[test]
fn a_status_between_hubs_without_the_forwarding_hubs_trace_is_refused() {
    let w = World::new();
    let (_, status, _) = ministry_answer(&w, later(10));
    // The bare status, handed over by a registered hub without its signed trace entry.
    match w.city().receive(
        &hub("hub.national"),
        PayloadKind::Status,
        &status,
        later(10),
    ) {
        Err(SubmitError::Status(SignedMessageError::Format { .. })) => {}
        other => panic!("expected a refusal, got {:?}", other.map(|a| a.receipt)),
    }
    // Wrapped with an empty trace: refused too.
    let wrapped = serde_json::to_vec(&serde_json::json!({
        "status": String::from_utf8(status.clone()).unwrap(),
        "trace": [],
    }))
    .unwrap();
    match w.city().receive(
        &hub("hub.national"),
        PayloadKind::Status,
        &wrapped,
        later(10),
    ) {
        Err(SubmitError::NotForwardedHere { .. }) => {}
        other => panic!("expected a refusal, got {:?}", other.map(|a| a.receipt)),
    }
    // The real one, with the national hub's entry, arrives.
    let report = w.net.pump(later(11)).unwrap();
    assert_eq!(report.sent, 1, "{report:?}");
    assert_eq!(w.take(w.city(), A_LUOI_2, later(11)).len(), 1);
}

#[test]
fn a_status_held_up_between_hubs_is_judged_by_when_the_first_hub_took_it() {
    let w = World::new();
    let (report, _, _) = ministry_answer(&w, later(10));
    // The link is down for a day; the status is accepted when it comes back.
    let next_day = later(10) + Duration::days(1);
    let sent = w.net.pump(next_day).unwrap();
    assert_eq!(sent.sent, 1, "{sent:?}");
    let got = w.take(w.city(), A_LUOI_2, next_day);
    assert_eq!(got.len(), 1);
    assert_eq!(w.codes(w.city(), &report, MINISTRY), [StatusCode::Accepted]);
}
