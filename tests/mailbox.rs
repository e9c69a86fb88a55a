//! Mailbox stores: urgency ordering, visibility timeout, acknowledgement, atomic commits,
//! outbox, status history and the overdue list. All times are explicit; nothing sleeps.

use std::sync::Arc;

use edoc::{
    DeliveryId, DeliveryState, HubId, MailboxStore, MemoryStore, MessageKey, NewDelivery,
    NewOutboxEntry, OrgId, OutboxId, PayloadKind, Refusal, StatusCode, StatusEvent,
    StatusTransitionError, StatusUpdate, StoreError, Submission, SubmitEffects, Tracking,
    UrgencyRank,
};
use time::macros::{date, datetime};
use time::{Duration, OffsetDateTime};

const T0: OffsetDateTime = datetime!(2025-07-01 08:00 +07:00);
const TIMEOUT: Duration = Duration::minutes(5);

fn id(s: &str) -> OrgId {
    s.parse().unwrap()
}

fn hub(s: &str) -> HubId {
    s.parse().unwrap()
}

fn bytes(s: &str) -> Arc<[u8]> {
    Arc::from(s.as_bytes())
}

/// The key of document `id`, sent by the Department of Finance.
fn key(id: &str) -> MessageKey {
    MessageKey::Document {
        sender: "000.00.05.H57".parse().unwrap(),
        id: id.into(),
    }
}

/// The key of status `id`, set by A Lưới 1.
fn status_key(id: &str) -> MessageKey {
    MessageKey::Status {
        from: "000.00.41.H57".parse().unwrap(),
        id: id.into(),
    }
}

fn submission(message_id: &str, digest: u8) -> Submission {
    Submission {
        key: key(message_id),
        digest: [digest; 32],
        receipt: bytes(&format!("receipt for {message_id}")),
        at: T0,
    }
}

fn delivery(to: &str, doc: &str, urgency: UrgencyRank) -> NewDelivery {
    NewDelivery {
        recipient: id(to),
        document_id: doc.into(),
        kind: PayloadKind::Document,
        urgency,
        payload: bytes(doc),
    }
}

/// A submission of document `doc` delivered to one agency.
fn deliver(doc: &str, to: &str, urgency: UrgencyRank) -> SubmitEffects {
    let mut e = SubmitEffects::new(submission(doc, 1));
    e.deliveries.push(delivery(to, doc, urgency));
    e
}

fn status(doc: &str, recipient: &str, code: StatusCode) -> StatusUpdate {
    StatusUpdate {
        document_id: doc.into(),
        recipient: id(recipient),
        event: StatusEvent::Status(code),
        at: T0,
        message: bytes(&format!("{doc} {recipient} {code}")),
    }
}

/// A status submission with its own message id.
fn status_submission(msg: &str, doc: &str, recipient: &str, code: StatusCode) -> SubmitEffects {
    let mut e = SubmitEffects::new(Submission {
        key: status_key(msg),
        ..submission(msg, 2)
    });
    e.statuses.push(status(doc, recipient, code));
    e
}

const A1: &str = "000.00.41.H57";
const A2: &str = "000.00.42.H57";

fn store() -> MemoryStore {
    MemoryStore::new(TIMEOUT)
}

fn docs(ds: &[edoc::Delivery]) -> Vec<&str> {
    ds.iter().map(|d| d.document_id.as_str()).collect()
}

#[test]
fn fetch_returns_most_urgent_first_then_arrival_order() {
    let s = store();
    let express_set_time = UrgencyRank::from_edxml_code(4).unwrap();
    for (doc, u) in [
        ("normal-1", UrgencyRank::NORMAL),
        ("express-1", UrgencyRank::EXPRESS),
        ("urgent-1", UrgencyRank::URGENT),
        ("set-time-1", express_set_time),
        ("very-urgent-1", UrgencyRank::VERY_URGENT),
        ("normal-2", UrgencyRank::NORMAL),
        ("urgent-2", UrgencyRank::URGENT),
    ] {
        s.commit(deliver(doc, A1, u), T0).unwrap();
    }
    let got = s.fetch(&id(A1), 10, T0).unwrap();
    assert_eq!(
        docs(&got),
        [
            "express-1",
            "set-time-1",
            "very-urgent-1",
            "urgent-1",
            "urgent-2",
            "normal-1",
            "normal-2"
        ]
    );
    assert!(got.iter().all(|d| d.attempts == 1 && d.recipient == id(A1)));
}

#[test]
fn fetch_takes_at_most_max_and_only_from_the_agencys_own_mailbox() {
    let s = store();
    s.commit(deliver("d1", A1, UrgencyRank::NORMAL), T0)
        .unwrap();
    s.commit(deliver("d2", A2, UrgencyRank::EXPRESS), T0)
        .unwrap();
    s.commit(deliver("d3", A1, UrgencyRank::URGENT), T0)
        .unwrap();
    assert_eq!(docs(&s.fetch(&id(A1), 1, T0).unwrap()), ["d3"]);
    assert_eq!(docs(&s.fetch(&id(A1), 5, T0).unwrap()), ["d1"]);
    assert_eq!(docs(&s.fetch(&id(A2), 5, T0).unwrap()), ["d2"]);
    assert!(s.fetch(&id("000.00.43.H57"), 5, T0).unwrap().is_empty());
    assert!(s.fetch(&id(A1), 0, T0).unwrap().is_empty());
}

#[test]
fn unacked_delivery_comes_back_exactly_when_the_visibility_timeout_ends() {
    let s = store();
    s.commit(deliver("d1", A1, UrgencyRank::NORMAL), T0)
        .unwrap();
    let first = s.fetch(&id(A1), 10, T0).unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(
        first[0].state,
        DeliveryState::InFlight {
            until: T0 + TIMEOUT
        }
    );
    let just_before = T0 + TIMEOUT - Duration::SECOND;
    assert!(s.fetch(&id(A1), 10, just_before).unwrap().is_empty());
    let again = s.fetch(&id(A1), 10, T0 + TIMEOUT).unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].id, first[0].id);
    assert_eq!(again[0].attempts, 2);
    assert_eq!(again[0].payload, first[0].payload);
}

#[test]
fn acked_delivery_never_comes_back_and_a_second_ack_is_harmless() {
    let s = store();
    s.commit(deliver("d1", A1, UrgencyRank::NORMAL), T0)
        .unwrap();
    let d = s.fetch(&id(A1), 10, T0).unwrap().remove(0);
    let t1 = T0 + Duration::MINUTE;
    s.ack(&id(A1), d.id, t1).unwrap();
    s.ack(&id(A1), d.id, t1 + Duration::MINUTE).unwrap();
    assert!(s.fetch(&id(A1), 10, T0 + Duration::DAY).unwrap().is_empty());
    let all = s.deliveries(&id(A1)).unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].state, DeliveryState::Acked { at: t1 });
}

#[test]
fn late_ack_after_the_timeout_is_accepted() {
    let s = store();
    s.commit(deliver("d1", A1, UrgencyRank::NORMAL), T0)
        .unwrap();
    let d = s.fetch(&id(A1), 10, T0).unwrap().remove(0);
    let late = T0 + TIMEOUT + Duration::MINUTE;
    s.ack(&id(A1), d.id, late).unwrap();
    assert!(s.fetch(&id(A1), 10, late).unwrap().is_empty());
}

#[test]
fn ack_of_a_foreign_or_unknown_delivery_is_not_in_mailbox() {
    let s = store();
    let c = s
        .commit(deliver("d1", A1, UrgencyRank::NORMAL), T0)
        .unwrap();
    let d1 = c.deliveries[0];
    s.fetch(&id(A1), 10, T0).unwrap();
    assert_eq!(
        s.ack(&id(A2), d1, T0),
        Err(StoreError::NotInMailbox {
            agency: id(A2),
            delivery: d1
        })
    );
    assert_eq!(
        s.ack(&id(A1), DeliveryId(999), T0),
        Err(StoreError::NotInMailbox {
            agency: id(A1),
            delivery: DeliveryId(999)
        })
    );
    // The foreign ack changed nothing: A1's delivery still comes back after the timeout.
    assert_eq!(s.fetch(&id(A1), 10, T0 + TIMEOUT).unwrap().len(), 1);
}

#[test]
fn ack_of_a_delivery_never_fetched_is_refused() {
    let s = store();
    let c = s
        .commit(deliver("d1", A1, UrgencyRank::NORMAL), T0)
        .unwrap();
    assert_eq!(
        s.ack(&id(A1), c.deliveries[0], T0),
        Err(StoreError::NotFetched {
            agency: id(A1),
            delivery: c.deliveries[0]
        })
    );
}

#[test]
fn resubmission_is_told_apart_from_a_conflict_and_keeps_the_first_receipt() {
    let s = store();
    s.commit(deliver("doc-1", A1, UrgencyRank::NORMAL), T0)
        .unwrap();
    assert_eq!(
        s.commit(deliver("doc-1", A1, UrgencyRank::NORMAL), T0),
        Err(StoreError::DuplicateSubmission {
            key: key("doc-1"),
            same_content: true
        })
    );
    let mut other = deliver("doc-1", A2, UrgencyRank::NORMAL);
    other.submission.digest = [9; 32];
    assert_eq!(
        s.commit(other, T0),
        Err(StoreError::DuplicateSubmission {
            key: key("doc-1"),
            same_content: false
        })
    );
    let rec = s.lookup_submission(&key("doc-1")).unwrap().unwrap();
    assert_eq!(&*rec.receipt, b"receipt for doc-1");
    assert_eq!(rec.digest, [1; 32]);
    assert_eq!(s.deliveries(&id(A1)).unwrap().len(), 1);
    assert!(s.deliveries(&id(A2)).unwrap().is_empty());
    assert_eq!(s.lookup_submission(&key("doc-2")).unwrap(), None);
}

/// Everything observable in the store, to compare before and after a refused commit.
fn snapshot(s: &MemoryStore) -> String {
    let mut out = String::new();
    for a in [A1, A2] {
        out += &format!("{:?}\n", s.deliveries(&id(a)).unwrap());
        out += &format!("{:?}\n", s.status_history("doc-1", &id(a)).unwrap());
    }
    out += &format!("{:?}\n", s.lookup_submission(&key("batch-1")).unwrap());
    out += &format!("{:?}\n", s.overdue(date!(2030 - 01 - 01)).unwrap());
    out
}

fn full_effects(msg: &str) -> SubmitEffects {
    let mut e = SubmitEffects::new(submission(msg, 3));
    e.deliveries.push(delivery(A1, msg, UrgencyRank::URGENT));
    e.outbox.push(NewOutboxEntry {
        next_hub: hub("hub.national"),
        document_id: msg.into(),
        key: key(msg),
        digest: [3; 32],
        urgency: UrgencyRank::URGENT,
        recipients: vec![id("000.00.00.G09")],
        payload: bytes(msg),
    });
    e.tracking.push(Tracking {
        document_id: msg.into(),
        sender: id(A2),
        recipient: id(A1),
        due: Some(date!(2025 - 07 - 18)),
    });
    e
}

#[test]
fn batch_with_a_duplicate_submission_applies_nothing() {
    let s = store();
    s.commit(deliver("doc-1", A1, UrgencyRank::NORMAL), T0)
        .unwrap();
    let before = snapshot(&s);
    let err = s
        .commit_batch(
            vec![
                full_effects("batch-1"),
                deliver("doc-1", A2, UrgencyRank::NORMAL),
            ],
            T0,
        )
        .unwrap_err();
    assert_eq!(
        err,
        StoreError::DuplicateSubmission {
            key: key("doc-1"),
            same_content: true
        }
    );
    assert_eq!(snapshot(&s), before);
    assert!(s
        .take_outbox(&hub("hub.national"), 10, T0)
        .unwrap()
        .is_empty());
}

#[test]
fn batch_with_a_forbidden_status_applies_nothing() {
    let s = store();
    let before = snapshot(&s);
    let err = s
        .commit_batch(
            vec![
                full_effects("batch-1"),
                status_submission("st-1", "doc-1", A1, StatusCode::Accepted),
                status_submission("st-2", "doc-1", A1, StatusCode::Arrived),
            ],
            T0,
        )
        .unwrap_err();
    assert_eq!(
        err,
        StoreError::Transition {
            document_id: "doc-1".into(),
            recipient: id(A1),
            source: StatusTransitionError {
                next: StatusCode::Arrived,
                previous: Some(StatusCode::Accepted),
                reason: "01 arrived can only be the first status",
            }
        }
    );
    assert_eq!(snapshot(&s), before);
}

#[test]
fn batch_with_the_same_message_twice_applies_nothing() {
    let s = store();
    let before = snapshot(&s);
    assert_eq!(
        s.commit_batch(vec![full_effects("batch-1"), full_effects("batch-1")], T0),
        Err(StoreError::DuplicateSubmission {
            key: key("batch-1"),
            same_content: true
        })
    );
    assert_eq!(snapshot(&s), before);
}

#[test]
fn batch_without_conflict_applies_everything_in_order() {
    let s = store();
    let done = s
        .commit_batch(
            vec![
                full_effects("batch-1"),
                status_submission("st-1", "batch-1", A1, StatusCode::Arrived),
                status_submission("st-2", "batch-1", A1, StatusCode::Accepted),
            ],
            T0,
        )
        .unwrap();
    assert_eq!(done.len(), 3);
    assert_eq!(done[0].deliveries.len(), 1);
    assert_eq!(done[0].outbox.len(), 1);
    let codes: Vec<_> = s
        .status_history("batch-1", &id(A1))
        .unwrap()
        .into_iter()
        .filter_map(|r| r.code())
        .collect();
    assert_eq!(codes, [StatusCode::Arrived, StatusCode::Accepted]);
}

#[test]
fn single_commit_with_a_forbidden_status_leaves_no_delivery_behind() {
    let s = store();
    s.commit(
        status_submission("st-1", "doc-1", A1, StatusCode::Accepted),
        T0,
    )
    .unwrap();
    s.commit(
        status_submission("st-2", "doc-1", A1, StatusCode::Completed),
        T0,
    )
    .unwrap();
    let mut e = status_submission("st-3", "doc-1", A1, StatusCode::Processing);
    e.deliveries
        .push(delivery(A2, "doc-1", UrgencyRank::NORMAL));
    assert!(matches!(
        s.commit(e, T0),
        Err(StoreError::Transition {
            source: StatusTransitionError {
                next: StatusCode::Processing,
                previous: Some(StatusCode::Completed),
                ..
            },
            ..
        })
    ));
    assert!(s.deliveries(&id(A2)).unwrap().is_empty());
    assert_eq!(s.lookup_submission(&status_key("st-3")).unwrap(), None);
    assert_eq!(
        s.latest_status("doc-1", &id(A1))
            .unwrap()
            .and_then(|r| r.code()),
        Some(StatusCode::Completed)
    );
}

#[test]
fn tracking_a_pair_twice_is_refused() {
    let s = store();
    s.commit(full_effects("doc-1"), T0).unwrap();
    let mut again = full_effects("doc-2");
    again.tracking[0].document_id = "doc-1".into();
    assert_eq!(
        s.commit(again, T0),
        Err(StoreError::DuplicateTracking {
            document_id: "doc-1".into(),
            recipient: id(A1)
        })
    );
    assert_eq!(s.lookup_submission(&key("doc-2")).unwrap(), None);
}

#[test]
fn outbox_orders_by_urgency_hides_taken_entries_and_completes_per_hub() {
    let s = store();
    let national = hub("hub.national");
    let mut ids = Vec::new();
    for (msg, u, to) in [
        ("o1", UrgencyRank::NORMAL, "hub.national"),
        ("o2", UrgencyRank::EXPRESS, "hub.national"),
        ("o3", UrgencyRank::EXPRESS, "hub.h56"),
    ] {
        let mut e = SubmitEffects::new(submission(msg, 1));
        e.outbox.push(NewOutboxEntry {
            next_hub: hub(to),
            document_id: msg.into(),
            key: key(msg),
            digest: [1; 32],
            urgency: u,
            recipients: vec![id("000.00.00.G09")],
            payload: bytes(msg),
        });
        ids.push(s.commit(e, T0).unwrap().outbox[0]);
    }
    let taken = s.take_outbox(&national, 10, T0).unwrap();
    let names: Vec<_> = taken.iter().map(|e| e.document_id.as_str()).collect();
    assert_eq!(names, ["o2", "o1"]);
    assert!(s
        .take_outbox(&national, 10, T0 + Duration::MINUTE)
        .unwrap()
        .is_empty());
    assert_eq!(
        s.complete_outbox(&hub("hub.h56"), ids[0], T0),
        Err(StoreError::NotInOutbox {
            hub: hub("hub.h56"),
            entry: ids[0]
        })
    );
    s.complete_outbox(&national, ids[1], T0).unwrap();
    // o1 was not completed: it comes back after the timeout, with a second attempt.
    let back = s.take_outbox(&national, 10, T0 + TIMEOUT).unwrap();
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].id, ids[0]);
    assert_eq!(back[0].attempts, 2);
    assert_eq!(
        s.complete_outbox(&national, OutboxId(77), T0),
        Err(StoreError::NotInOutbox {
            hub: national.clone(),
            entry: OutboxId(77)
        })
    );
    assert_eq!(s.take_outbox(&hub("hub.h56"), 10, T0).unwrap().len(), 1);
}

#[test]
fn overdue_names_every_pair_past_its_due_date_without_completion() {
    let s = store();
    let city = id("000.00.00.H57");
    let plan = "000.00.00.H57,2025/07/01,45/KH-UBND";
    let communes: Vec<String> = (1..=5).map(|n| format!("000.00.4{n}.H57")).collect();
    let mut e = SubmitEffects::new(submission(plan, 1));
    for c in &communes {
        e.deliveries.push(delivery(c, plan, UrgencyRank::URGENT));
        e.tracking.push(Tracking {
            document_id: plan.into(),
            sender: city,
            recipient: id(c),
            due: Some(date!(2025 - 07 - 18)),
        });
    }
    // A document with no due date is never overdue.
    e.tracking.push(Tracking {
        document_id: "no-deadline".into(),
        sender: city,
        recipient: id(A1),
        due: None,
    });
    s.commit(e, T0).unwrap();
    for (i, c) in communes.iter().enumerate() {
        let mut codes = vec![
            StatusCode::Arrived,
            StatusCode::Accepted,
            StatusCode::Processing,
        ];
        if c != "000.00.44.H57" {
            codes.push(StatusCode::Completed);
        }
        for (j, code) in codes.into_iter().enumerate() {
            s.commit(status_submission(&format!("st-{i}-{j}"), plan, c, code), T0)
                .unwrap();
        }
    }
    // On the due date itself nothing is overdue yet.
    assert!(s.overdue(date!(2025 - 07 - 18)).unwrap().is_empty());
    let late = s.overdue(date!(2025 - 07 - 19)).unwrap();
    assert_eq!(
        late,
        vec![edoc::Overdue {
            document_id: plan.into(),
            sender: city,
            recipient: id("000.00.44.H57"),
            due: Some(date!(2025 - 07 - 18)),
            latest: Some(StatusEvent::Status(StatusCode::Processing)),
        }]
    );
}

#[test]
fn overdue_lists_refused_and_silent_recipients_sorted_by_due_date() {
    let s = store();
    let sender = id("000.00.05.H57");
    let mut e = SubmitEffects::new(submission("m", 1));
    for (doc, to, due) in [
        ("doc-b", A1, date!(2025 - 07 - 10)),
        ("doc-a", A2, date!(2025 - 07 - 10)),
        ("doc-c", A1, date!(2025 - 07 - 05)),
    ] {
        e.tracking.push(Tracking {
            document_id: doc.into(),
            sender,
            recipient: id(to),
            due: Some(due),
        });
    }
    s.commit(e, T0).unwrap();
    s.commit(
        status_submission("s1", "doc-a", A2, StatusCode::Refused),
        T0,
    )
    .unwrap();
    let got: Vec<_> = s
        .overdue(date!(2025 - 08 - 01))
        .unwrap()
        .into_iter()
        .map(|o| (o.document_id, o.latest))
        .collect();
    assert_eq!(
        got,
        [
            ("doc-c".to_string(), None),
            (
                "doc-a".to_string(),
                Some(StatusEvent::Status(StatusCode::Refused))
            ),
            ("doc-b".to_string(), None)
        ]
    );
}

#[test]
fn concurrent_commits_of_one_message_succeed_exactly_once() {
    let s = Arc::new(store());
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let s = Arc::clone(&s);
            std::thread::spawn(move || {
                let mut e = deliver("doc-race", A1, UrgencyRank::NORMAL);
                e.deliveries[0].document_id = format!("copy-{i}");
                s.commit(e, T0).is_ok()
            })
        })
        .collect();
    let wins = handles
        .into_iter()
        .map(|h| h.join().unwrap())
        .filter(|ok| *ok)
        .count();
    assert_eq!(wins, 1);
    assert_eq!(s.deliveries(&id(A1)).unwrap().len(), 1);
}

#[test]
fn urgency_ranks_map_from_edxml_codes() {
    let ranks: Vec<_> = (0..=5).map(UrgencyRank::from_edxml_code).collect();
    assert_eq!(
        ranks,
        [
            Some(UrgencyRank::NORMAL),
            Some(UrgencyRank::URGENT),
            Some(UrgencyRank::VERY_URGENT),
            Some(UrgencyRank::EXPRESS),
            Some(UrgencyRank::EXPRESS),
            None
        ]
    );
}

#[test]
fn document_status_and_notice_ids_are_separate_namespaces_qualified_by_their_owner() {
    let s = store();
    let same = "000.00.41.H57,2025/07/01,12/UBND";
    let a1 = id(A1);
    let a2 = id(A2);
    let keys = [
        MessageKey::Document {
            sender: a1,
            id: same.into(),
        },
        MessageKey::Document {
            sender: a2,
            id: same.into(),
        },
        MessageKey::Status {
            from: a1,
            id: same.into(),
        },
        MessageKey::Notice {
            hub: hub("hub.h57"),
            id: same.into(),
        },
    ];
    for (i, k) in keys.iter().enumerate() {
        let e = SubmitEffects::new(Submission {
            key: k.clone(),
            ..submission(same, i as u8)
        });
        s.commit(e, T0).unwrap();
    }
    for (i, k) in keys.iter().enumerate() {
        assert_eq!(
            s.lookup_submission(k).unwrap().unwrap().digest,
            [i as u8; 32]
        );
    }
    assert_eq!(
        s.lookup_submission(&MessageKey::Status {
            from: a2,
            id: same.into()
        })
        .unwrap(),
        None
    );
}

#[test]
fn a_status_older_than_the_latest_of_its_pair_is_refused_and_applies_nothing() {
    let s = store();
    let mut accepted = status_submission("st-1", "doc-1", A1, StatusCode::Accepted);
    accepted.statuses[0].at = T0 + Duration::hours(2);
    s.commit(accepted, T0).unwrap();
    let mut late = status_submission("st-2", "doc-1", A1, StatusCode::Processing);
    late.statuses[0].at = T0 + Duration::hours(1);
    late.deliveries
        .push(delivery(A2, "doc-1", UrgencyRank::NORMAL));
    assert_eq!(
        s.commit(late, T0),
        Err(StoreError::OutOfOrder {
            document_id: "doc-1".into(),
            recipient: id(A1),
            at: T0 + Duration::hours(1),
            latest: T0 + Duration::hours(2),
        })
    );
    assert!(s.deliveries(&id(A2)).unwrap().is_empty());
    assert_eq!(s.lookup_submission(&status_key("st-2")).unwrap(), None);
    // The same time is not older.
    let mut same_time = status_submission("st-3", "doc-1", A1, StatusCode::Processing);
    same_time.statuses[0].at = T0 + Duration::hours(2);
    s.commit(same_time, T0).unwrap();
}

/// The document `doc` queued for the national hub, tracked for the ministry.
fn queued_for_national(s: &MemoryStore, doc: &str) -> OutboxId {
    let mut e = full_effects(doc);
    e.tracking[0].recipient = id("000.00.00.G09");
    s.commit(e, T0).unwrap().outbox[0]
}

/// A refusal by the national hub, with the notice `notice` delivered to A2 and the
/// non-delivery recorded for the ministry.
fn refusal(doc: &str, notice: &str) -> Refusal {
    let mut effects = SubmitEffects::new(Submission {
        key: MessageKey::Notice {
            hub: hub("hub.h57"),
            id: notice.into(),
        },
        ..submission(notice, 7)
    });
    effects.deliveries.push(NewDelivery {
        kind: PayloadKind::Notice,
        ..delivery(A2, doc, UrgencyRank::URGENT)
    });
    effects.statuses.push(StatusUpdate {
        document_id: doc.into(),
        recipient: id("000.00.00.G09"),
        event: StatusEvent::NotDelivered {
            refused_by: hub("hub.national"),
            reason: "recipient unknown".into(),
        },
        at: T0,
        message: bytes(notice),
    });
    Refusal {
        refused_by: hub("hub.national"),
        recipients: vec![id("000.00.00.G09")],
        reason: "recipient unknown".into(),
        notice: Some(effects),
    }
}

#[test]
fn a_refused_outbox_entry_becomes_a_dead_letter_with_its_notice_in_one_step() {
    let s = store();
    let national = hub("hub.national");
    let entry = queued_for_national(&s, "doc-1");
    let taken = s.take_outbox(&national, 10, T0).unwrap();
    let dead = s
        .dead_letter(
            &national,
            entry,
            refusal("doc-1", "n-1"),
            T0 + Duration::MINUTE,
        )
        .unwrap();
    let letters = s.dead_letters().unwrap();
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0].id, dead);
    assert_eq!(letters[0].entry, taken[0]);
    assert_eq!(letters[0].refused_by, national);
    assert_eq!(letters[0].reason, "recipient unknown");
    assert_eq!(letters[0].at, T0 + Duration::MINUTE);
    // It left the outbox for good, and cannot be completed or dead-lettered again.
    assert!(s
        .take_outbox(&national, 10, T0 + TIMEOUT)
        .unwrap()
        .is_empty());
    assert_eq!(
        s.complete_outbox(&national, entry, T0),
        Err(StoreError::NotInOutbox {
            hub: national.clone(),
            entry
        })
    );
    // The notice is in the sender's mailbox, and the history says what happened.
    let got = s.fetch(&id(A2), 10, T0).unwrap();
    let notices: Vec<_> = got
        .iter()
        .filter(|d| d.kind == PayloadKind::Notice)
        .collect();
    assert_eq!(notices.len(), 1);
    let history = s.status_history("doc-1", &id("000.00.00.G09")).unwrap();
    assert_eq!(
        history.iter().map(|r| r.event.clone()).collect::<Vec<_>>(),
        [StatusEvent::NotDelivered {
            refused_by: national,
            reason: "recipient unknown".into()
        }]
    );
}

#[test]
fn a_dead_letter_whose_notice_is_refused_applies_nothing() {
    let s = store();
    let national = hub("hub.national");
    let first = queued_for_national(&s, "doc-1");
    let second = queued_for_national(&s, "doc-2");
    s.dead_letter(&national, first, refusal("doc-1", "n-1"), T0)
        .unwrap();
    let before = (
        s.dead_letters().unwrap(),
        s.deliveries(&id(A2)).unwrap(),
        s.status_history("doc-2", &id("000.00.00.G09")).unwrap(),
    );
    // A notice key already used.
    assert!(matches!(
        s.dead_letter(&national, second, refusal("doc-2", "n-1"), T0),
        Err(StoreError::DuplicateSubmission { .. })
    ));
    // A refusal that tracks a pair.
    let mut tracking = refusal("doc-2", "n-2");
    tracking
        .notice
        .as_mut()
        .unwrap()
        .tracking
        .push(full_effects("x").tracking[0].clone());
    assert_eq!(
        s.dead_letter(&national, second, tracking, T0),
        Err(StoreError::TrackingInRefusal)
    );
    // Another hub's entry.
    assert_eq!(
        s.dead_letter(&hub("hub.h56"), second, refusal("doc-2", "n-3"), T0),
        Err(StoreError::NotInOutbox {
            hub: hub("hub.h56"),
            entry: second
        })
    );
    let after = (
        s.dead_letters().unwrap(),
        s.deliveries(&id(A2)).unwrap(),
        s.status_history("doc-2", &id("000.00.00.G09")).unwrap(),
    );
    assert_eq!(after, before);
    assert_eq!(s.take_outbox(&national, 10, T0).unwrap().len(), 1);
}

#[test]
fn overdue_lists_an_undelivered_pair_whatever_its_due_date_until_a_status_follows() {
    let s = store();
    let national = hub("hub.national");
    // Tracked with a due date far away.
    let entry = queued_for_national(&s, "doc-1");
    assert!(s.overdue(date!(2025 - 07 - 02)).unwrap().is_empty());
    s.dead_letter(&national, entry, refusal("doc-1", "n-1"), T0)
        .unwrap();
    let listed = s.overdue(date!(2025 - 07 - 02)).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].recipient, id("000.00.00.G09"));
    assert_eq!(
        listed[0].latest,
        Some(StatusEvent::NotDelivered {
            refused_by: national,
            reason: "recipient unknown".into()
        })
    );
    // Delivered after all (the operator sent it again) and accepted: no longer listed early.
    s.commit(
        status_submission("st-1", "doc-1", "000.00.00.G09", StatusCode::Accepted),
        T0,
    )
    .unwrap();
    assert!(s.overdue(date!(2025 - 07 - 02)).unwrap().is_empty());
}
