//! Group commit: documents checked one per thread, at the same time, then committed together
//! in ONE store transaction by one committer. The hub server uses it so that concurrent
//! submissions share a disk sync; [`Router::submit_batch`] does the same for a caller that
//! holds all the packages at once.

use std::collections::HashSet;

use time::OffsetDateTime;

use super::{Accepted, Origin, Prepared, Router, SubmitError};
use crate::org::OrgId;
use crate::route::receipt::Receipt;
use crate::route::store::{MessageKey, SubmitEffects};
use crate::route::table::HubId;

/// A document package checked, routed and signed (trace entry and receipt), waiting for a
/// commit it may share with others. Nothing of it is stored yet.
pub(crate) struct PreparedSubmission {
    /// The bytes, kept to prepare it again: a recall, update or replacement reads the
    /// tracking records that submissions committed before it may change.
    bytes: Vec<u8>,
    from_hub: Option<HubId>,
    prepared: Prepared,
}

impl PreparedSubmission {
    /// The agency the receipt names as the sender (the verified package's sender).
    pub(crate) fn sender(&self) -> OrgId {
        match &self.prepared {
            Prepared::Done(done) => done.receipt.from,
            Prepared::Commit { receipt, .. } => receipt.from,
        }
    }
}

impl Router {
    /// Everything [`Router::submit`] (`from_hub` = `None`) or [`Router::receive`] of a document
    /// does but the commit; [`Router::commit_group`] commits.
    pub(crate) fn prepare_document_from(
        &self,
        bytes: Vec<u8>,
        from_hub: Option<&HubId>,
        now: OffsetDateTime,
    ) -> Result<PreparedSubmission, SubmitError> {
        let prepared = self.prepare_with(&bytes, from_hub, now)?;
        Ok(PreparedSubmission {
            bytes,
            from_hub: from_hub.cloned(),
            prepared,
        })
    }

    fn prepare_with(
        &self,
        bytes: &[u8],
        from_hub: Option<&HubId>,
        now: OffsetDateTime,
    ) -> Result<Prepared, SubmitError> {
        match from_hub {
            None => self.prepare_document(bytes, Origin::Agency, now),
            Some(from) => {
                if !self.cfg.hubs.contains(from) || *from == self.cfg.hub {
                    return Err(SubmitError::UnknownHub(from.clone()));
                }
                self.prepare_document(bytes, Origin::Hub(from), now)
            }
        }
    }

    /// Commits prepared submissions, in order, in as few store transactions as their
    /// content allows: one for the lot, usually. Each answer is the one [`Router::submit`]
    /// would have given; none is returned before its transaction committed.
    ///
    /// Two submissions of one message id (a client retrying while its first attempt is still
    /// in flight) never share a transaction: the later waits for the next, where it is
    /// answered as the duplicate (or conflict) it is, instead of failing the whole group.
    pub(crate) fn commit_group(
        &self,
        items: Vec<PreparedSubmission>,
        now: OffsetDateTime,
    ) -> Vec<Result<Accepted, SubmitError>> {
        let mut answers: Vec<Option<Result<Accepted, SubmitError>>> =
            items.iter().map(|_| None).collect();
        let mut round: Vec<PreparedSubmission> = items;
        let mut index: Vec<usize> = (0..round.len()).collect();
        while !round.is_empty() {
            let mut pending: Vec<(usize, SubmitEffects, Receipt)> = Vec::new();
            let mut ids: HashSet<MessageKey> = HashSet::new();
            let mut later: Vec<(usize, PreparedSubmission)> = Vec::new();
            for (i, item) in index.drain(..).zip(round.drain(..)) {
                match item.prepared {
                    Prepared::Done(done) => answers[i] = Some(Ok(done)),
                    Prepared::Commit {
                        reads_tracking: true,
                        ..
                    } => {
                        // Prepared before the commits ahead of it were in: prepare it again
                        // once they are, and commit it alone.
                        self.commit_pending(std::mem::take(&mut pending), &mut answers, now);
                        ids.clear();
                        let again = self.prepare_with(&item.bytes, item.from_hub.as_ref(), now);
                        answers[i] = Some(match again {
                            Ok(Prepared::Done(done)) => Ok(done),
                            Ok(Prepared::Commit {
                                effects, receipt, ..
                            }) => self.commit(effects, receipt, now),
                            Err(e) => Err(e),
                        });
                    }
                    Prepared::Commit {
                        effects,
                        receipt,
                        reads_tracking,
                    } => {
                        if ids.insert(effects.submission.key.clone()) {
                            pending.push((i, effects, receipt));
                        } else {
                            later.push((
                                i,
                                PreparedSubmission {
                                    prepared: Prepared::Commit {
                                        effects,
                                        receipt,
                                        reads_tracking,
                                    },
                                    ..item
                                },
                            ));
                        }
                    }
                }
            }
            self.commit_pending(pending, &mut answers, now);
            (index, round) = later.into_iter().unzip();
        }
        answers
            .into_iter()
            .map(|a| {
                a.unwrap_or_else(|| {
                    Err(SubmitError::Store(
                        crate::route::store::StoreError::Backend(
                            "a grouped submission was left without an answer".into(),
                        ),
                    ))
                })
            })
            .collect()
    }
}
