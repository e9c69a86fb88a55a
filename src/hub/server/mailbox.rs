//! Long polling: a waiting fetch sleeps on its agency's [`Notify`] and is woken when a commit
//! puts a delivery in that mailbox; it never polls the store in a loop.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

use crate::org::OrgId;

/// One wake-up per agency mailbox. Entries are made for agencies that fetch, which the
/// caller check limits to agencies of the directory: the map is bounded by it.
#[derive(Debug, Default)]
pub(crate) struct Wakers {
    map: Mutex<HashMap<OrgId, Arc<Notify>>>,
}

impl Wakers {
    /// The wake-up of `agency`'s mailbox.
    pub(crate) fn of(&self, agency: &OrgId) -> Arc<Notify> {
        let mut map = match self.map.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        Arc::clone(map.entry(*agency).or_default())
    }

    /// Wakes every fetch waiting on `agency`'s mailbox.
    pub(crate) fn wake(&self, agency: &OrgId) {
        let notify = match self.map.lock() {
            Ok(m) => m.get(agency).cloned(),
            Err(poisoned) => poisoned.into_inner().get(agency).cloned(),
        };
        if let Some(n) = notify {
            n.notify_waiters();
        }
    }

    /// Wakes every waiting fetch (shutdown).
    pub(crate) fn wake_all(&self) {
        let all: Vec<Arc<Notify>> = match self.map.lock() {
            Ok(m) => m.values().cloned().collect(),
            Err(poisoned) => poisoned.into_inner().values().cloned().collect(),
        };
        for n in all {
            n.notify_waiters();
        }
    }
}
