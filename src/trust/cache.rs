//! A bounded, thread-safe cache of validated chains.
//!
//! A hit needs the same chain bytes, the same policy, the same trust-store generation and a
//! validation time inside the window where the earlier result still holds (every certificate
//! valid, every CRL current). Verifying many documents from one signer then costs one chain
//! validation plus one signature check each.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use time::OffsetDateTime;

use super::chain::ValidatedChain;

/// Cache counters, for tests and benchmarks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct CacheStats {
    /// Lookups answered from the cache.
    pub hits: u64,
    /// Lookups that had to validate.
    pub misses: u64,
    /// Entries held now.
    pub entries: usize,
}

struct Entry {
    generation: u64,
    from: OffsetDateTime,
    until: OffsetDateTime,
    chain: Arc<ValidatedChain>,
}

#[derive(Default)]
struct Inner {
    map: HashMap<[u8; 32], Entry>,
    // Insertion order, for eviction of the oldest entry.
    order: VecDeque<[u8; 32]>,
}

pub(crate) struct ChainCache {
    capacity: usize,
    inner: Mutex<Inner>,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl ChainCache {
    pub(crate) fn new(capacity: usize) -> ChainCache {
        ChainCache {
            capacity,
            inner: Mutex::new(Inner::default()),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    pub(crate) fn get(
        &self,
        key: &[u8; 32],
        generation: u64,
        at: OffsetDateTime,
    ) -> Option<Arc<ValidatedChain>> {
        let found = self.lock().map.get(key).and_then(|e| {
            (e.generation == generation && e.from <= at && at <= e.until)
                .then(|| Arc::clone(&e.chain))
        });
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    pub(crate) fn insert(
        &self,
        key: [u8; 32],
        generation: u64,
        window: (OffsetDateTime, OffsetDateTime),
        chain: Arc<ValidatedChain>,
    ) {
        if self.capacity == 0 {
            return;
        }
        let mut inner = self.lock();
        if !inner.map.contains_key(&key) {
            while inner.map.len() >= self.capacity {
                match inner.order.pop_front() {
                    Some(old) => {
                        inner.map.remove(&old);
                    }
                    None => break,
                }
            }
            inner.order.push_back(key);
        }
        inner.map.insert(
            key,
            Entry {
                generation,
                from: window.0,
                until: window.1,
                chain,
            },
        );
    }

    pub(crate) fn clear(&self) {
        let mut inner = self.lock();
        inner.map.clear();
        inner.order.clear();
    }

    pub(crate) fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            entries: self.lock().map.len(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves a map that is still consistent: recover it.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl std::fmt::Debug for ChainCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChainCache")
            .field("capacity", &self.capacity)
            .field("stats", &self.stats())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn entry() -> Arc<ValidatedChain> {
        Arc::new(ValidatedChain {
            subject: Default::default(),
            issuer: Default::default(),
            serial: String::new(),
            not_before: datetime!(2025-01-01 00:00 UTC),
            not_after: datetime!(2030-01-01 00:00 UTC),
            spki: Vec::new(),
            leaf_sha256: [0; 32],
            certificates: Vec::new(),
            anchor: Default::default(),
            validated_at: datetime!(2026-01-01 00:00 UTC),
            holder: Default::default(),
        })
    }

    const WINDOW: (OffsetDateTime, OffsetDateTime) = (
        datetime!(2025-01-01 00:00 UTC),
        datetime!(2030-01-01 00:00 UTC),
    );

    #[test]
    fn cache_evicts_the_oldest_entry_at_capacity() {
        let cache = ChainCache::new(2);
        for k in 0..3u8 {
            cache.insert([k; 32], 1, WINDOW, entry());
        }
        assert_eq!(cache.stats().entries, 2);
        let at = datetime!(2026-01-01 00:00 UTC);
        assert!(cache.get(&[0; 32], 1, at).is_none(), "the oldest is gone");
        assert!(cache.get(&[2; 32], 1, at).is_some());
    }

    #[test]
    fn cache_misses_on_another_generation_or_outside_the_window() {
        let cache = ChainCache::new(8);
        cache.insert([7; 32], 1, WINDOW, entry());
        assert!(cache
            .get(&[7; 32], 2, datetime!(2026-01-01 00:00 UTC))
            .is_none());
        assert!(cache
            .get(&[7; 32], 1, datetime!(2024-12-31 23:59 UTC))
            .is_none());
        assert!(cache
            .get(&[7; 32], 1, datetime!(2030-01-01 00:00:01 UTC))
            .is_none());
        assert!(cache
            .get(&[7; 32], 1, datetime!(2030-01-01 00:00 UTC))
            .is_some());
        assert_eq!((cache.stats().hits, cache.stats().misses), (1, 3));
    }
}
