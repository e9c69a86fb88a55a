//! The in-memory mailbox store: for tests, examples and single-process hubs that may lose
//! their state on restart.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};

use time::{Date, Duration, OffsetDateTime};

use super::{
    check_status_update, Committed, DeadLetter, DeadLetterId, Delivery, DeliveryId, DeliveryState,
    MailboxStore, MessageKey, NewDelivery, NewOutboxEntry, OutboxEntry, OutboxId, Overdue, Refusal,
    StatusRecord, StoreError, Submission, SubmitEffects, Tracking,
};
use crate::org::OrgId;
use crate::route::table::HubId;

/// A thread-safe [`MailboxStore`] held in memory.
///
/// ```
/// use edoc::{MailboxStore, MemoryStore};
/// let store = MemoryStore::new(time::Duration::minutes(5));
/// let now = time::macros::datetime!(2025-07-01 08:00 UTC);
/// let agency: edoc::OrgId = "000.00.45.H57".parse().unwrap();
/// assert!(store.fetch(&agency, 10, now).unwrap().is_empty());
/// ```
#[derive(Debug)]
pub struct MemoryStore {
    visibility_timeout: Duration,
    inner: Mutex<Inner>,
}

#[derive(Debug, Clone, Default)]
struct Inner {
    next_delivery: u64,
    next_outbox: u64,
    next_dead_letter: u64,
    submissions: HashMap<MessageKey, Submission>,
    deliveries: BTreeMap<u64, Delivery>,
    // Unacked delivery ids per agency, in arrival order.
    pending: HashMap<OrgId, Vec<u64>>,
    outbox: BTreeMap<u64, (OutboxEntry, Option<OffsetDateTime>)>,
    tracking: BTreeMap<(String, OrgId), Tracked>,
    // Status histories; a pair may have statuses without being tracked (a status passing
    // through a hub that did not see the document).
    statuses: HashMap<(String, OrgId), Vec<StatusRecord>>,
    dead_letters: BTreeMap<u64, DeadLetter>,
}

#[derive(Debug, Clone)]
struct Tracked {
    sender: OrgId,
    due: Option<Date>,
}

impl MemoryStore {
    /// An empty store whose fetched deliveries and taken outbox entries stay invisible for
    /// `visibility_timeout`.
    pub fn new(visibility_timeout: Duration) -> MemoryStore {
        MemoryStore {
            visibility_timeout,
            inner: Mutex::new(Inner::default()),
        }
    }

    fn lock(&self) -> Result<MutexGuard<'_, Inner>, StoreError> {
        // A panic while holding the lock cannot leave half a commit (commits are applied to a
        // copy first), but refusing further use is the honest answer after a bug.
        self.inner
            .lock()
            .map_err(|_| StoreError::Backend("in-memory store poisoned by an earlier panic".into()))
    }
}

impl Inner {
    // Checks, then applies, one submission. Callers apply to a scratch copy when several must
    // succeed together.
    fn apply(&mut self, e: SubmitEffects, now: OffsetDateTime) -> Result<Committed, StoreError> {
        if let Some(prev) = self.submissions.get(&e.submission.key) {
            return Err(StoreError::DuplicateSubmission {
                key: e.submission.key.clone(),
                same_content: prev.digest == e.submission.digest,
            });
        }
        let mut new_pairs = HashSet::new();
        for t in &e.tracking {
            let key = (t.document_id.clone(), t.recipient);
            if self.tracking.contains_key(&key) || !new_pairs.insert(key) {
                return Err(StoreError::DuplicateTracking {
                    document_id: t.document_id.clone(),
                    recipient: t.recipient,
                });
            }
        }
        // Statuses in one commit are checked in order, each against the history plus the ones
        // before it.
        let mut pending: HashMap<(String, OrgId), Vec<StatusRecord>> = HashMap::new();
        for s in &e.statuses {
            let key = (s.document_id.clone(), s.recipient);
            let history = pending
                .entry(key.clone())
                .or_insert_with(|| self.statuses.get(&key).cloned().unwrap_or_default());
            check_status_update(history, s)?;
            history.push(StatusRecord {
                event: s.event.clone(),
                at: s.at,
                message: s.message.clone(),
            });
        }

        // Everything is checked: apply. Nothing below can fail.
        let mut committed = Committed {
            deliveries: Vec::with_capacity(e.deliveries.len()),
            outbox: Vec::with_capacity(e.outbox.len()),
        };
        for d in e.deliveries {
            committed.deliveries.push(self.add_delivery(d, now));
        }
        for o in e.outbox {
            committed.outbox.push(self.add_outbox(o, now));
        }
        for t in e.tracking {
            self.tracking.insert(
                (t.document_id, t.recipient),
                Tracked {
                    sender: t.sender,
                    due: t.due,
                },
            );
        }
        for s in e.statuses {
            self.statuses
                .entry((s.document_id, s.recipient))
                .or_default()
                .push(StatusRecord {
                    event: s.event,
                    at: s.at,
                    message: s.message,
                });
        }
        self.submissions
            .insert(e.submission.key.clone(), e.submission);
        Ok(committed)
    }

    fn add_delivery(&mut self, d: NewDelivery, now: OffsetDateTime) -> DeliveryId {
        self.next_delivery += 1;
        let id = self.next_delivery;
        self.pending.entry(d.recipient).or_default().push(id);
        self.deliveries.insert(
            id,
            Delivery {
                id: DeliveryId(id),
                recipient: d.recipient,
                document_id: d.document_id,
                kind: d.kind,
                urgency: d.urgency,
                payload: d.payload,
                arrived: now,
                attempts: 0,
                state: DeliveryState::Ready,
            },
        );
        DeliveryId(id)
    }

    fn add_outbox(&mut self, o: NewOutboxEntry, now: OffsetDateTime) -> OutboxId {
        self.next_outbox += 1;
        let id = self.next_outbox;
        self.outbox.insert(
            id,
            (
                OutboxEntry {
                    id: OutboxId(id),
                    next_hub: o.next_hub,
                    key: o.key,
                    digest: o.digest,
                    document_id: o.document_id,
                    urgency: o.urgency,
                    recipients: o.recipients,
                    payload: o.payload,
                    queued: now,
                    attempts: 0,
                },
                None,
            ),
        );
        OutboxId(id)
    }
}

fn visible(state: DeliveryState, now: OffsetDateTime) -> bool {
    match state {
        DeliveryState::Ready => true,
        DeliveryState::InFlight { until } => until <= now,
        DeliveryState::Acked { .. } => false,
    }
}

impl MailboxStore for MemoryStore {
    fn commit(&self, effects: SubmitEffects, now: OffsetDateTime) -> Result<Committed, StoreError> {
        let mut inner = self.lock()?;
        // `apply` checks everything before it changes anything, so no copy is needed.
        inner.apply(effects, now)
    }

    fn commit_batch(
        &self,
        batch: Vec<SubmitEffects>,
        now: OffsetDateTime,
    ) -> Result<Vec<Committed>, StoreError> {
        let mut inner = self.lock()?;
        // Apply to a copy and swap it in only if every item succeeded: all or nothing.
        // (Copying the whole store is fine in memory; a durable store uses one transaction.)
        let mut scratch = inner.clone();
        let mut out = Vec::with_capacity(batch.len());
        for e in batch {
            out.push(scratch.apply(e, now)?);
        }
        *inner = scratch;
        Ok(out)
    }

    fn lookup_submission(&self, key: &MessageKey) -> Result<Option<Submission>, StoreError> {
        Ok(self.lock()?.submissions.get(key).cloned())
    }

    fn fetch(
        &self,
        agency: &OrgId,
        max: usize,
        now: OffsetDateTime,
    ) -> Result<Vec<Delivery>, StoreError> {
        let until = now + self.visibility_timeout;
        let mut guard = self.lock()?;
        let inner = &mut *guard;
        let Some(ids) = inner.pending.get(agency) else {
            return Ok(Vec::new());
        };
        // Pending ids are in arrival order; a stable sort by rank keeps it within a rank.
        let mut ready: Vec<(std::cmp::Reverse<_>, u64)> = ids
            .iter()
            .filter_map(|id| inner.deliveries.get(id))
            .filter(|d| visible(d.state, now))
            .map(|d| (std::cmp::Reverse(d.urgency), d.id.0))
            .collect();
        ready.sort();
        let mut out = Vec::with_capacity(ready.len().min(max));
        for (_, id) in ready.into_iter().take(max) {
            if let Some(d) = inner.deliveries.get_mut(&id) {
                d.state = DeliveryState::InFlight { until };
                d.attempts = d.attempts.saturating_add(1);
                out.push(d.clone());
            }
        }
        Ok(out)
    }

    fn ack(
        &self,
        agency: &OrgId,
        delivery: DeliveryId,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let mut guard = self.lock()?;
        let inner = &mut *guard;
        let d = inner
            .deliveries
            .get_mut(&delivery.0)
            .filter(|d| d.recipient == *agency)
            .ok_or(StoreError::NotInMailbox {
                agency: *agency,
                delivery,
            })?;
        let Some(state) = d.state.acknowledged(d.attempts, agency, delivery, now)? else {
            return Ok(());
        };
        d.state = state;
        if let Some(ids) = inner.pending.get_mut(agency) {
            ids.retain(|&i| i != delivery.0);
        }
        Ok(())
    }

    fn deliveries(&self, agency: &OrgId) -> Result<Vec<Delivery>, StoreError> {
        Ok(self
            .lock()?
            .deliveries
            .values()
            .filter(|d| d.recipient == *agency)
            .cloned()
            .collect())
    }

    fn take_outbox(
        &self,
        hub: &HubId,
        max: usize,
        now: OffsetDateTime,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        let until = now + self.visibility_timeout;
        let mut inner = self.lock()?;
        let mut ready: Vec<(std::cmp::Reverse<_>, u64)> = inner
            .outbox
            .values()
            .filter(|(e, hidden)| e.next_hub == *hub && hidden.is_none_or(|t| t <= now))
            .map(|(e, _)| (std::cmp::Reverse(e.urgency), e.id.0))
            .collect();
        ready.sort();
        let mut out = Vec::with_capacity(ready.len().min(max));
        for (_, id) in ready.into_iter().take(max) {
            if let Some((e, hidden)) = inner.outbox.get_mut(&id) {
                *hidden = Some(until);
                e.attempts = e.attempts.saturating_add(1);
                out.push(e.clone());
            }
        }
        Ok(out)
    }

    fn complete_outbox(
        &self,
        hub: &HubId,
        entry: OutboxId,
        _now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let mut inner = self.lock()?;
        match inner.outbox.get(&entry.0) {
            Some((e, _)) if e.next_hub == *hub => {
                inner.outbox.remove(&entry.0);
                Ok(())
            }
            _ => Err(StoreError::NotInOutbox {
                hub: hub.clone(),
                entry,
            }),
        }
    }

    fn dead_letter(
        &self,
        hub: &HubId,
        entry: OutboxId,
        refusal: Refusal,
        now: OffsetDateTime,
    ) -> Result<DeadLetterId, StoreError> {
        let mut inner = self.lock()?;
        let queued = match inner.outbox.get(&entry.0) {
            Some((e, _)) if e.next_hub == *hub => e.clone(),
            _ => {
                return Err(StoreError::NotInOutbox {
                    hub: hub.clone(),
                    entry,
                })
            }
        };
        if let Some(notice) = refusal.notice {
            if !notice.tracking.is_empty() {
                return Err(StoreError::TrackingInRefusal);
            }
            // `apply` checks everything before it changes anything; nothing after it can fail.
            inner.apply(notice, now)?;
        }
        inner.outbox.remove(&entry.0);
        inner.next_dead_letter += 1;
        let id = DeadLetterId(inner.next_dead_letter);
        inner.dead_letters.insert(
            id.0,
            DeadLetter {
                id,
                entry: queued,
                refused_by: refusal.refused_by,
                recipients: refusal.recipients,
                reason: refusal.reason,
                at: now,
            },
        );
        Ok(id)
    }

    fn dead_letters(&self) -> Result<Vec<DeadLetter>, StoreError> {
        Ok(self.lock()?.dead_letters.values().cloned().collect())
    }

    fn status_history(
        &self,
        document_id: &str,
        recipient: &OrgId,
    ) -> Result<Vec<StatusRecord>, StoreError> {
        Ok(self
            .lock()?
            .statuses
            .get(&(document_id.to_owned(), *recipient))
            .cloned()
            .unwrap_or_default())
    }

    fn tracked(
        &self,
        document_id: &str,
        recipient: &OrgId,
    ) -> Result<Option<Tracking>, StoreError> {
        Ok(self
            .lock()?
            .tracking
            .get(&(document_id.to_owned(), *recipient))
            .map(|t| Tracking {
                document_id: document_id.to_owned(),
                sender: t.sender,
                recipient: *recipient,
                due: t.due,
            }))
    }

    fn overdue(&self, today: Date) -> Result<Vec<Overdue>, StoreError> {
        let inner = self.lock()?;
        let mut out: Vec<Overdue> = inner
            .tracking
            .iter()
            .filter_map(|((doc, recipient), t)| {
                let tracking = Tracking {
                    document_id: doc.clone(),
                    sender: t.sender,
                    recipient: *recipient,
                    due: t.due,
                };
                let history = inner.statuses.get(&(doc.clone(), *recipient));
                Overdue::of(
                    &tracking,
                    history.map(Vec::as_slice).unwrap_or_default(),
                    today,
                )
            })
            .collect();
        Overdue::sort(&mut out);
        Ok(out)
    }
}
