//! Where the network layer reads the time. The library never reads the clock by itself: a hub
//! server or client is given a [`Clock`], and [`SystemClock`] is the one a deployment passes.

use time::OffsetDateTime;

/// A source of the current time, for everything a hub server or client checks at "now"
/// (certificates, receipts, visibility timeouts, due dates).
pub trait Clock: Send + Sync + 'static {
    /// The current time.
    fn now(&self) -> OffsetDateTime;
}

/// The operating system's clock, in UTC.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}
