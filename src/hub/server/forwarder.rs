//! The forwarder: background workers that drain the outbox to each neighbouring hub, a
//! bounded number per hub at once, with exponential backoff and jitter when a hub is
//! unreachable. Each worker calls [`Router::forward_to`] on the blocking pool: the router
//! decides what leaves the outbox (only what the next hub accepted with a verified receipt)
//! and what becomes a dead letter; the worker decides when to try.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use ring::rand::SecureRandom;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

use super::metrics::Metrics;
use super::HubService;
use crate::hub::clock::Clock;
use crate::route::{HubId, Router, Transport};

/// How the forwarder drains the outbox.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ForwarderOptions {
    /// Requests in flight to one neighbouring hub at once. Default 4.
    pub concurrency: usize,
    /// Outbox entries one worker takes at a time. Default 8.
    pub batch: usize,
    /// How often an idle worker looks at the outbox without being woken: entries whose send
    /// failed come back after the store's visibility timeout, without a wake-up. Default 1 s.
    pub poll: Duration,
    /// The first pause after a failed send. Default 250 ms; doubled at each failure in a row.
    pub backoff_min: Duration,
    /// The longest pause. Default 60 s.
    pub backoff_max: Duration,
}

impl Default for ForwarderOptions {
    fn default() -> Self {
        ForwarderOptions {
            concurrency: 4,
            batch: 8,
            poll: Duration::from_secs(1),
            backoff_min: Duration::from_millis(250),
            backoff_max: Duration::from_secs(60),
        }
    }
}

/// One wake-up per neighbouring hub: a commit that queued a package for it wakes its workers.
#[derive(Debug)]
pub(crate) struct Kicks {
    map: BTreeMap<HubId, Notify>,
}

impl Kicks {
    pub(crate) fn new<'a>(hubs: impl Iterator<Item = &'a HubId>) -> Kicks {
        Kicks {
            map: hubs.map(|h| (h.clone(), Notify::new())).collect(),
        }
    }

    pub(crate) fn kick(&self, hub: &HubId) {
        if let Some(n) = self.map.get(hub) {
            n.notify_waiters();
        }
    }

    pub(crate) fn kick_all(&self) {
        for n in self.map.values() {
            n.notify_waiters();
        }
    }

    fn hubs(&self) -> impl Iterator<Item = &HubId> {
        self.map.keys()
    }
}

/// A running forwarder. [`Forwarder::stop`] ends it.
#[derive(Debug)]
pub struct Forwarder {
    stop: watch::Sender<bool>,
    workers: Vec<JoinHandle<()>>,
}

impl Forwarder {
    /// Starts the workers for every neighbour of `service`'s hub, sending over `transport`.
    /// Must be called inside a tokio runtime; `transport` is called from blocking threads.
    pub fn start(
        service: &HubService,
        transport: Arc<dyn Transport>,
        options: ForwarderOptions,
    ) -> Forwarder {
        let shared = service.shared();
        let (stop, watch) = watch::channel(false);
        let mut workers = Vec::new();
        for hub in shared.kicks.hubs() {
            for _ in 0..options.concurrency.max(1) {
                workers.push(tokio::spawn(worker(Worker {
                    hub: hub.clone(),
                    router: Arc::clone(&shared.router),
                    transport: Arc::clone(&transport),
                    kicks: Arc::clone(&shared.kicks),
                    metrics: Arc::clone(&shared.metrics),
                    clock: Arc::clone(&shared.clock),
                    options: options.clone(),
                    stop: watch.clone(),
                })));
            }
        }
        Forwarder { stop, workers }
    }

    /// Stops the workers; a send in flight finishes first.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for w in self.workers {
            let _ = w.await;
        }
    }
}

struct Worker {
    hub: HubId,
    router: Arc<Router>,
    transport: Arc<dyn Transport>,
    kicks: Arc<Kicks>,
    metrics: Arc<Metrics>,
    clock: Arc<dyn Clock>,
    options: ForwarderOptions,
    stop: watch::Receiver<bool>,
}

/// The pause after `failures` failed rounds in a row: exponential, capped, with jitter
/// (between half and all of it) so that workers and hubs do not retry in step.
fn backoff(options: &ForwarderOptions, failures: u32) -> Duration {
    let exp = options
        .backoff_min
        .saturating_mul(1u32 << failures.saturating_sub(1).min(20));
    let full = exp.min(options.backoff_max);
    let mut byte = [0u8; 1];
    let _ = ring::rand::SystemRandom::new().fill(&mut byte);
    full.mul_f64(0.5 + f64::from(byte[0]) / 510.0)
}

async fn worker(mut w: Worker) {
    let mut failures: u32 = 0;
    let Some(notify) = w.kicks.map.get(&w.hub) else {
        return;
    };
    loop {
        if *w.stop.borrow() {
            return;
        }
        let woken = notify.notified();
        tokio::pin!(woken);
        woken.as_mut().enable();
        let (router, transport, hub, now) = (
            Arc::clone(&w.router),
            Arc::clone(&w.transport),
            w.hub.clone(),
            w.clock.now(),
        );
        let batch = w.options.batch.max(1);
        let round = tokio::task::spawn_blocking(move || {
            router.forward_to(&hub, transport.as_ref(), batch, now)
        })
        .await;
        let pause = match round {
            Ok(Ok(report)) => {
                w.metrics.forward(
                    w.hub.as_str(),
                    report.sent,
                    report.refused.len(),
                    report.retried,
                );
                if report.retried > 0 {
                    failures = failures.saturating_add(1);
                    Some(backoff(&w.options, failures))
                } else {
                    failures = 0;
                    if report.sent + report.refused.len() > 0 {
                        continue;
                    }
                    None
                }
            }
            Ok(Err(e)) => {
                tracing::error!(hub = %w.hub, error = %e, "the outbox could not be read");
                failures = failures.saturating_add(1);
                Some(backoff(&w.options, failures))
            }
            Err(e) => {
                tracing::error!(hub = %w.hub, error = %e, "a forwarding round failed");
                failures = failures.saturating_add(1);
                Some(backoff(&w.options, failures))
            }
        };
        match pause {
            Some(pause) => {
                tokio::select! {
                    () = tokio::time::sleep(pause) => {}
                    _ = w.stop.changed() => {}
                }
            }
            None => {
                tokio::select! {
                    () = &mut woken => {}
                    () = tokio::time::sleep(w.options.poll) => {}
                    _ = w.stop.changed() => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_with_jitter() {
        let o = ForwarderOptions::default();
        for failures in 1..30 {
            let full = o
                .backoff_min
                .saturating_mul(1 << (failures - 1).min(20))
                .min(o.backoff_max);
            let b = backoff(&o, failures);
            assert!(
                b >= full / 2 && b <= full,
                "{failures}: {b:?} not in [{:?}, {full:?}]",
                full / 2
            );
        }
        assert!(backoff(&o, 29) <= o.backoff_max);
    }
}
