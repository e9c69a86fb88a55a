//! Group commit: one committer thread takes every document that request handlers have
//! checked (in parallel, on the blocking pool) and commits all that are waiting in ONE store
//! transaction. No batching delay: while one transaction syncs to disk, the next group
//! gathers, so the group grows with the load and a lone request is committed at once. Each
//! handler gets its answer only after the transaction that holds its document committed.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::sync::{mpsc, oneshot};

use super::metrics::Metrics;
use crate::hub::clock::Clock;
use crate::route::{Accepted, PreparedSubmission, Router, SubmitError};

struct Job {
    item: PreparedSubmission,
    reply: oneshot::Sender<Result<Accepted, SubmitError>>,
}

/// The committer is closed (the hub is shutting down) or gone.
#[derive(Debug)]
pub(crate) struct Closed;

pub(crate) struct Committer {
    tx: Mutex<Option<mpsc::Sender<Job>>>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl Committer {
    /// Starts the committer thread. `max_group` bounds one transaction; `queue` bounds the
    /// documents waiting (handlers wait for room beyond it).
    pub(crate) fn start(
        router: Arc<Router>,
        clock: Arc<dyn Clock>,
        metrics: Arc<Metrics>,
        max_group: usize,
        queue: usize,
    ) -> std::io::Result<Committer> {
        let (tx, mut rx) = mpsc::channel::<Job>(queue.max(1));
        let max_group = max_group.max(1);
        let thread = std::thread::Builder::new()
            .name("edoc-committer".into())
            .spawn(move || {
                while let Some(first) = rx.blocking_recv() {
                    let mut jobs = vec![first];
                    while jobs.len() < max_group {
                        match rx.try_recv() {
                            Ok(job) => jobs.push(job),
                            Err(_) => break,
                        }
                    }
                    let size = jobs.len();
                    let (items, replies): (Vec<_>, Vec<_>) =
                        jobs.into_iter().map(|j| (j.item, j.reply)).unzip();
                    let started = Instant::now();
                    let answers = router.commit_group(items, clock.now());
                    metrics.committed(size, started.elapsed());
                    for (reply, answer) in replies.into_iter().zip(answers) {
                        // The handler may have gone (client disconnected): the document is
                        // committed all the same, and a retry gets its receipt.
                        let _ = reply.send(answer);
                    }
                }
                tracing::debug!("committer stopped: every queued submission is committed");
            })?;
        Ok(Committer {
            tx: Mutex::new(Some(tx)),
            thread: Mutex::new(Some(thread)),
        })
    }

    /// Queues a checked document and waits until the transaction holding it committed.
    pub(crate) async fn commit(
        &self,
        item: PreparedSubmission,
    ) -> Result<Result<Accepted, SubmitError>, Closed> {
        let tx = self
            .tx
            .lock()
            .map_err(|_| Closed)?
            .as_ref()
            .cloned()
            .ok_or(Closed)?;
        let (reply, answer) = oneshot::channel();
        tx.send(Job { item, reply }).await.map_err(|_| Closed)?;
        answer.await.map_err(|_| Closed)
    }

    /// Takes no more documents, commits what is queued, and waits for the thread to end.
    /// Blocking: call it off the async reactor.
    pub(crate) fn close(&self) {
        if let Ok(mut tx) = self.tx.lock() {
            tx.take();
        }
        let thread = self.thread.lock().ok().and_then(|mut t| t.take());
        if let Some(thread) = thread {
            if thread.join().is_err() {
                tracing::error!("the committer thread panicked");
            }
        }
    }
}
