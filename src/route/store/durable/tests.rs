//! Power cuts, simulated below redb: a storage backend that forgets what was written since
//! the last sync (or keeps any part of it, write by write), stops at a chosen write, and is
//! reopened from what a disk could hold after the cut. SIGKILL (tests/crash.rs) cannot lose
//! the page cache; this can.

use std::sync::{Arc, Mutex};

use redb::StorageBackend;
use time::macros::datetime;

use super::*;
use crate::route::store::{MessageKey, NewDelivery, PayloadKind, UrgencyRank};

const NOW: OffsetDateTime = datetime!(2025-07-02 15:00 +07:00);

#[derive(Debug, Clone)]
enum Op {
    Write(u64, Vec<u8>),
    SetLen(u64),
}

#[derive(Debug, Default)]
struct Disk {
    /// What the medium holds for sure: the state at the last sync.
    synced: Vec<u8>,
    /// What a reader sees now.
    current: Vec<u8>,
    /// Changes since the last sync, in order; any of them may or may not reach the medium.
    unsynced: Vec<Op>,
    /// Writes and syncs left before the cut; `None`: no cut planned.
    ops_left: Option<u64>,
    cut: bool,
}

fn apply(image: &mut Vec<u8>, op: &Op) {
    match op {
        Op::Write(offset, data) => {
            let start = usize::try_from(*offset).unwrap();
            let end = start + data.len();
            if image.len() < end {
                image.resize(end, 0);
            }
            image[start..end].copy_from_slice(data);
        }
        Op::SetLen(len) => image.resize(usize::try_from(*len).unwrap(), 0),
    }
}

impl Disk {
    fn tick(&mut self) -> std::io::Result<()> {
        if self.cut {
            return Err(std::io::Error::other("power cut"));
        }
        if let Some(n) = self.ops_left.as_mut() {
            if *n == 0 {
                self.cut = true;
                return Err(std::io::Error::other("power cut"));
            }
            *n -= 1;
        }
        Ok(())
    }

    fn record(&mut self, op: Op) -> std::io::Result<()> {
        self.tick()?;
        apply(&mut self.current, &op);
        self.unsynced.push(op);
        Ok(())
    }

    /// What the medium may hold after the cut: the synced state plus a random subset of
    /// the later changes (disks reorder writes between syncs).
    fn after_cut(&self, rng: &mut Rng) -> Vec<u8> {
        let mut image = self.synced.clone();
        for op in &self.unsynced {
            if rng.below(2) == 0 {
                apply(&mut image, op);
            }
        }
        image
    }
}

#[derive(Debug, Clone)]
struct PowerCut(Arc<Mutex<Disk>>);

impl PowerCut {
    fn disk(&self) -> std::sync::MutexGuard<'_, Disk> {
        self.0.lock().unwrap()
    }
}

impl StorageBackend for PowerCut {
    fn len(&self) -> std::io::Result<u64> {
        Ok(self.disk().current.len() as u64)
    }

    fn read(&self, offset: u64, out: &mut [u8]) -> std::io::Result<()> {
        let disk = self.disk();
        let start = usize::try_from(offset).map_err(std::io::Error::other)?;
        let bytes = disk
            .current
            .get(start..start + out.len())
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::UnexpectedEof))?;
        out.copy_from_slice(bytes);
        Ok(())
    }

    fn set_len(&self, len: u64) -> std::io::Result<()> {
        self.disk().record(Op::SetLen(len))
    }

    fn sync_data(&self) -> std::io::Result<()> {
        let mut disk = self.disk();
        disk.tick()?;
        disk.synced = disk.current.clone();
        disk.unsynced.clear();
        Ok(())
    }

    fn write(&self, offset: u64, data: &[u8]) -> std::io::Result<()> {
        self.disk().record(Op::Write(offset, data.to_vec()))
    }
}

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn open_on(disk: &PowerCut) -> Result<DurableStore, StoreError> {
    let label = PathBuf::from("power-cut disk");
    let db = builder()
        .create_with_backend(disk.clone())
        .map_err(|e| open_error(e, &label))?;
    DurableStore::on(db, label, Duration::minutes(5))
}

fn key(doc: &str) -> MessageKey {
    MessageKey::Document {
        sender: "000.00.41.H57".parse().unwrap(),
        id: doc.to_owned(),
    }
}

fn effects(n: u64) -> SubmitEffects {
    let doc = format!("doc-{n}");
    let mut e = SubmitEffects::new(Submission {
        key: key(&doc),
        digest: [(n % 251) as u8; 32],
        receipt: Arc::from(format!("receipt {n}").as_bytes()),
        at: NOW,
    });
    e.deliveries.push(NewDelivery {
        recipient: "000.00.05.H57".parse().unwrap(),
        document_id: doc,
        kind: PayloadKind::Document,
        urgency: UrgencyRank::NORMAL,
        // Packages of a few pages, so that commits span several pages and writes.
        payload: (0..(3000 + n * 977 % 9000))
            .map(|i| (i % 253) as u8)
            .collect(),
    });
    e
}

#[test]
fn a_power_cut_at_any_write_keeps_every_acknowledged_commit_and_nothing_half_done() {
    let mut rng = Rng(0x7e57_0fc0_ffee);
    let finance: OrgId = "000.00.05.H57".parse().unwrap();
    let (mut cuts, mut checked, mut cut_mid_commit) = (0, 0, 0);
    for trial in 0..40 {
        let disk = PowerCut(Arc::new(Mutex::new(Disk::default())));
        let store = open_on(&disk).unwrap();
        disk.disk().ops_left = Some(rng.below(600));
        let mut acked = Vec::new();
        let mut next = 0;
        // Commit until the power goes: single commits and batches of 5, alternately.
        let attempted = loop {
            let (batch, result) = if trial % 2 == 0 {
                (vec![next], store.commit(effects(next), NOW).map(|_| ()))
            } else {
                let ids: Vec<u64> = (next..next + 5).collect();
                let r = store.commit_batch(ids.iter().map(|&n| effects(n)).collect(), NOW);
                (ids, r.map(|_| ()))
            };
            next += batch.len() as u64;
            match result {
                Ok(()) => acked.extend(batch),
                Err(_) => break batch,
            }
            if next > 400 {
                break Vec::new();
            }
        };
        drop(store);
        let image = disk.disk().after_cut(&mut rng);
        cuts += 1;
        let reopened = PowerCut(Arc::new(Mutex::new(Disk {
            synced: image.clone(),
            current: image,
            ..Disk::default()
        })));
        let store = open_on(&reopened)
            .unwrap_or_else(|e| panic!("trial {trial}: the store does not reopen: {e}"));
        let delivered: Vec<String> = store
            .deliveries(&finance)
            .unwrap()
            .into_iter()
            .map(|d| d.document_id)
            .collect();
        for n in &acked {
            let doc = format!("doc-{n}");
            assert!(
                store.lookup_submission(&key(&doc)).unwrap().is_some(),
                "trial {trial}: acknowledged {doc} lost"
            );
            assert_eq!(
                delivered.iter().filter(|d| **d == doc).count(),
                1,
                "trial {trial}: {doc}"
            );
            checked += 1;
        }
        // The commit the cut interrupted is all there or not at all.
        let present: Vec<bool> = attempted
            .iter()
            .map(|n| {
                store
                    .lookup_submission(&key(&format!("doc-{n}")))
                    .unwrap()
                    .is_some()
            })
            .collect();
        assert!(
            present.iter().all(|p| *p) || present.iter().all(|p| !*p),
            "trial {trial}: half a batch: {present:?}"
        );
        if present.first() == Some(&true) {
            cut_mid_commit += 1;
        }
        let expected = acked.len() + present.iter().filter(|p| **p).count();
        assert_eq!(delivered.len(), expected, "trial {trial}: deliveries");
        // The reopened store keeps working.
        store.commit(effects(10_000), NOW).unwrap();
    }
    println!(
        "power cuts: {cuts}, acknowledged commits checked: {checked}, interrupted commits \
         found complete: {cut_mid_commit}"
    );
    assert!(checked > 0);
}
