//! Many submissions, one store commit: the throughput path for a durable store, where each
//! commit costs a disk sync.

use time::OffsetDateTime;

use super::{Accepted, Origin, Prepared, Router, SubmitError};
use crate::route::receipt::Receipt;
use crate::route::store::{StoreError, SubmitEffects};

impl Router {
    /// Accepts several document packages from agencies this hub serves, committing every one
    /// that passes in ONE store transaction: with a durable store, one disk sync for the lot.
    ///
    /// Each package is checked exactly as by [`Router::submit`] and gets its own answer, in
    /// order. Every `Ok` is on disk (or in the store) when this returns; none is acknowledged
    /// before the commit. A package refused by the checks does not hold the others back. If
    /// the store refuses the combined commit (two packages of the batch with one id, say, or a
    /// status a concurrent submit made impossible), the packages are committed one by one
    /// instead, so that each answer is exactly the one [`Router::submit`] would give.
    pub fn submit_batch(
        &self,
        packages: &[&[u8]],
        now: OffsetDateTime,
    ) -> Vec<Result<Accepted, SubmitError>> {
        let mut answers: Vec<Option<Result<Accepted, SubmitError>>> =
            packages.iter().map(|_| None).collect();
        let mut pending: Vec<(usize, SubmitEffects, Receipt)> = Vec::new();
        for (i, bytes) in packages.iter().enumerate() {
            let mut prepared = self.prepare_document(bytes, Origin::Agency, now);
            // A recall reads the tracking of the document it recalls, which may be in
            // `pending`: commit those first, then prepare the recall again.
            if let Ok(Prepared::Commit {
                reads_tracking: true,
                ..
            }) = &prepared
            {
                if !pending.is_empty() {
                    self.commit_pending(std::mem::take(&mut pending), &mut answers, now);
                    prepared = self.prepare_document(bytes, Origin::Agency, now);
                }
            }
            match prepared {
                Ok(Prepared::Done(done)) => answers[i] = Some(Ok(done)),
                Ok(Prepared::Commit {
                    effects, receipt, ..
                }) => pending.push((i, effects, receipt)),
                Err(e) => answers[i] = Some(Err(e)),
            }
        }
        self.commit_pending(pending, &mut answers, now);
        answers
            .into_iter()
            .map(|a| {
                a.unwrap_or_else(|| {
                    Err(SubmitError::Store(StoreError::Backend(
                        "a batch item was left without an answer".into(),
                    )))
                })
            })
            .collect()
    }

    pub(super) fn commit_pending(
        &self,
        pending: Vec<(usize, SubmitEffects, Receipt)>,
        answers: &mut [Option<Result<Accepted, SubmitError>>],
        now: OffsetDateTime,
    ) {
        if pending.is_empty() {
            return;
        }
        let batch: Vec<SubmitEffects> = pending.iter().map(|(_, e, _)| e.clone()).collect();
        match self.cfg.store.commit_batch(batch, now) {
            Ok(_) => {
                for (i, effects, receipt) in pending {
                    if let Some(slot) = answers.get_mut(i) {
                        *slot = Some(Ok(Accepted {
                            receipt,
                            signed_receipt: effects.submission.receipt,
                            duplicate: false,
                        }));
                    }
                }
            }
            Err(e) => {
                tracing::debug!(error = %e, items = pending.len(), "batch commit refused; committing one by one");
                for (i, effects, receipt) in pending {
                    if let Some(slot) = answers.get_mut(i) {
                        *slot = Some(self.commit(effects, receipt, now));
                    }
                }
            }
        }
    }
}
