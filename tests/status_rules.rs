//! Status codes: the transition table (every pair), recall rules, and the message body's JSON.

use edoc::StatusCode::{self, *};
use edoc::{Staff, StatusAuthor, StatusMessage, StatusMessageError, StatusTransitionError};
use time::macros::datetime;

/// A history that ends in `last` (or is empty), reached by allowed steps.
fn history_ending_in(last: Option<StatusCode>) -> Vec<StatusCode> {
    match last {
        None => vec![],
        Some(Arrived) => vec![Arrived],
        Some(Refused) => vec![Arrived, Refused],
        Some(Accepted) => vec![Arrived, Accepted],
        Some(Assigned) => vec![Accepted, Assigned],
        Some(Processing) => vec![Accepted, Assigned, Processing],
        Some(Completed) => vec![Accepted, Processing, Completed],
        Some(RecallRequested) => vec![Accepted, RecallRequested],
        Some(RecallAgreed) => vec![Accepted, RecallRequested, RecallAgreed],
        // After a refused recall of an accepted document, work continues from 03.
        Some(RecallRefused) => vec![Accepted, RecallRequested, RecallRefused],
    }
}

/// The rule table, written out independently of the implementation: previous → allowed next.
fn allowed(previous: Option<StatusCode>) -> &'static [StatusCode] {
    match previous {
        None => &[Arrived, Refused, Accepted, RecallRequested],
        Some(Arrived) => &[Refused, Accepted, RecallRequested],
        Some(Refused) => &[RecallRequested],
        Some(Accepted) => &[Assigned, Processing, Completed, RecallRequested],
        Some(Assigned) => &[Assigned, Processing, Completed, RecallRequested],
        Some(Processing) => &[Assigned, Processing, Completed, RecallRequested],
        Some(Completed) => &[RecallRequested],
        Some(RecallRequested) => &[RecallAgreed, RecallRefused],
        Some(RecallAgreed) => &[],
        // As after 03 (the work status before the recall).
        Some(RecallRefused) => &[Assigned, Processing, Completed, RecallRequested],
    }
}

#[test]
fn every_pair_of_statuses_follows_the_table() {
    let mut checked = 0;
    let mut forbidden = 0;
    for previous in std::iter::once(None).chain(StatusCode::ALL.map(Some)) {
        let history = history_ending_in(previous);
        // The fixture itself must be a legal history.
        for (i, c) in history.iter().enumerate() {
            c.check_after(&history[..i]).unwrap();
        }
        for next in StatusCode::ALL {
            let got = next.check_after(&history);
            if allowed(previous).contains(&next) {
                assert_eq!(got, Ok(()), "{next} after {previous:?}");
            } else {
                forbidden += 1;
                match got {
                    Err(StatusTransitionError {
                        next: n,
                        previous: p,
                        reason,
                    }) => {
                        assert_eq!((n, p), (next, previous));
                        assert!(!reason.is_empty());
                    }
                    Ok(()) => panic!("{next} accepted after {previous:?}"),
                }
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 90);
    assert_eq!(forbidden, 90 - 27);
}

#[test]
fn may_follow_agrees_with_the_table_outside_recall_refusals() {
    for previous in std::iter::once(None).chain(StatusCode::ALL.map(Some)) {
        if previous == Some(RecallRefused) {
            continue;
        }
        for next in StatusCode::ALL {
            assert_eq!(
                next.may_follow(previous),
                allowed(previous).contains(&next),
                "{next} after {previous:?}"
            );
        }
    }
}

#[test]
fn after_a_refused_recall_work_resumes_from_the_status_before_it() {
    let done = [Accepted, Completed, RecallRequested, RecallRefused];
    assert_eq!(
        Processing.check_after(&done),
        Err(StatusTransitionError {
            next: Processing,
            previous: Some(RecallRefused),
            reason: "the work status before the recall does not allow it",
        })
    );
    assert_eq!(RecallRequested.check_after(&done), Ok(()));
    let refused = [Arrived, Refused, RecallRequested, RecallRefused];
    assert!(Accepted.check_after(&refused).is_err());
    let early = [RecallRequested, RecallRefused];
    assert_eq!(Arrived.check_after(&early), Ok(()));
    assert_eq!(Accepted.check_after(&early), Ok(()));
    // The answer to a recall cannot be repeated.
    assert!(RecallRefused.check_after(&early).is_err());
    assert!(RecallAgreed.check_after(&early).is_err());
}

#[test]
fn refusal_and_completion_are_final_except_for_a_recall() {
    for last in [Refused, Completed] {
        let h = history_ending_in(Some(last));
        for next in StatusCode::ALL {
            assert_eq!(
                next.check_after(&h).is_ok(),
                next == RecallRequested,
                "{next} after {last}"
            );
        }
    }
}

#[test]
fn agreed_recall_closes_the_document() {
    let h = history_ending_in(Some(RecallAgreed));
    let err = Processing.check_after(&h).unwrap_err();
    assert_eq!(
        err.to_string(),
        "status 05 being processed cannot follow 15 recall or update agreed: the recall or update was agreed; the document is closed"
    );
}

#[test]
fn only_the_sender_requests_a_recall() {
    for c in StatusCode::ALL {
        let expected = if c == RecallRequested {
            StatusAuthor::Sender
        } else {
            StatusAuthor::Recipient
        };
        assert_eq!(c.author(), expected, "{c}");
    }
}

#[test]
fn codes_display_in_words_and_serialize_as_two_digits() {
    assert_eq!(Completed.to_string(), "06 completed");
    assert_eq!(RecallRequested.to_string(), "13 recall requested");
    let json: Vec<String> = StatusCode::ALL
        .iter()
        .map(|c| serde_json::to_string(c).unwrap())
        .collect();
    assert_eq!(
        json,
        [
            "\"01\"", "\"02\"", "\"03\"", "\"04\"", "\"05\"", "\"06\"", "\"13\"", "\"15\"",
            "\"16\""
        ]
    );
    assert!(serde_json::from_str::<StatusCode>("\"07\"").is_err());
    assert!(serde_json::from_str::<StatusCode>("6").is_err());
}

fn message() -> StatusMessage {
    StatusMessage {
        from: "000.00.05.H57".parse().unwrap(),
        to: "000.00.45.H57".parse().unwrap(),
        document_id: "000.00.45.H57,2025/07/01,12/UBND-VP".into(),
        code: Accepted,
        description: "Đã tiếp nhận văn bản".into(),
        time: datetime!(2025-07-01 09:30 +07:00),
        staff: Staff {
            name: "Nguyễn Văn A".into(),
            position: "Chuyên viên".into(),
        },
    }
}

#[test]
fn status_message_json_is_canonical_and_round_trips() {
    let m = message();
    let json = m.to_json();
    let text = String::from_utf8(json.clone()).unwrap();
    assert!(text.starts_with(r#"{"code":"03","description":"#), "{text}");
    assert!(
        text.contains(r#""time":"2025-07-01T09:30:00+07:00""#),
        "{text}"
    );
    assert_eq!(StatusMessage::from_json(&json).unwrap(), m);
}

fn json_error(json: &str) -> String {
    match StatusMessage::from_json(json.as_bytes()) {
        Err(StatusMessageError::Json(m)) => m,
        other => panic!("expected a JSON error, got {other:?}"),
    }
}

#[test]
fn status_message_with_unknown_repeated_or_bad_fields_is_refused() {
    let good = String::from_utf8(message().to_json()).unwrap();
    let extra = good.replacen('{', r#"{"priority":"high","#, 1);
    assert!(json_error(&extra).contains("unknown field `priority`"));
    let twice = good.replacen('{', r#"{"code":"06","#, 1);
    assert!(json_error(&twice).contains("duplicate field `code`"));
    let bad_code = good.replace(r#""code":"03""#, r#""code":"07""#);
    assert!(json_error(&bad_code).contains("unknown status code \"07\""));
    let bad_org = good.replace("000.00.05.H57", "000.00.05.h57");
    assert!(json_error(&bad_org).contains("Xnn"));
    let bad_time = good.replace("2025-07-01T09:30:00+07:00", "2025-07-01 09:30");
    json_error(&bad_time);
    let staff_extra = good.replace(r#""name":"#, r#""email":"a@b","name":"#);
    assert!(json_error(&staff_extra).contains("unknown field `email`"));
}

#[test]
fn status_message_fields_are_bounded_and_printable() {
    let mut m = message();
    m.staff.name = " ".into();
    assert_eq!(
        StatusMessage::from_json(&m.to_json()),
        Err(StatusMessageError::Field {
            field: "staff.name",
            reason: "it is empty"
        })
    );
    let mut m = message();
    m.document_id = "doc\u{1b}[2J".into();
    assert_eq!(
        StatusMessage::from_json(&m.to_json()),
        Err(StatusMessageError::Field {
            field: "documentId",
            reason: "it holds control characters"
        })
    );
    let mut m = message();
    m.description = "x".repeat(StatusMessage::MAX_DESCRIPTION_CHARS + 1);
    assert_eq!(
        StatusMessage::from_json(&m.to_json()),
        Err(StatusMessageError::Field {
            field: "description",
            reason: "it is too long"
        })
    );
    let mut m = message();
    m.description = "line one\nline two".into();
    assert_eq!(StatusMessage::from_json(&m.to_json()), Ok(m));
    let mut m = message();
    m.to = m.from;
    assert!(matches!(
        StatusMessage::from_json(&m.to_json()),
        Err(StatusMessageError::Field { field: "to", .. })
    ));
    let huge = vec![b' '; StatusMessage::MAX_JSON_BYTES + 1];
    assert_eq!(
        StatusMessage::from_json(&huge),
        Err(StatusMessageError::TooLarge {
            size: StatusMessage::MAX_JSON_BYTES + 1,
            limit: StatusMessage::MAX_JSON_BYTES
        })
    );
}

#[test]
fn truncated_status_messages_are_refused_without_panic() {
    let json = message().to_json();
    let accepted = (0..=json.len())
        .filter(|&end| {
            json.get(..end)
                .is_some_and(|p| StatusMessage::from_json(p).is_ok())
        })
        .count();
    assert_eq!(accepted, 1);
}
