//! Urgency (độ khẩn), edXML codes 0 to 4, ranked.

use time::OffsetDateTime;

/// Urgency (độ khẩn), edXML codes 0 to 4.
///
/// `Ord` ranks by urgency: a more urgent value is *greater*, so sort with
/// `std::cmp::Reverse` to put the most urgent first. Among two express-at-set-time values the
/// earlier time is the more urgent.
///
/// ```
/// use edoc::Urgency;
/// let mut v = vec![Urgency::Normal, Urgency::Express, Urgency::Urgent];
/// v.sort_by(|a, b| b.cmp(a));
/// assert_eq!(v, [Urgency::Express, Urgency::Urgent, Urgency::Normal]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Urgency {
    /// Normal (thường), code 0.
    Normal,
    /// Urgent (khẩn), code 1.
    Urgent,
    /// Very urgent (thượng khẩn), code 2.
    VeryUrgent,
    /// Express (hỏa tốc), code 3.
    Express,
    /// Express at a set time (hỏa tốc hẹn giờ), code 4, with the time.
    ExpressAtSetTime(OffsetDateTime),
}

impl Urgency {
    /// The edXML code, 0 (normal) to 4 (express at a set time); also the urgency rank.
    pub fn code(self) -> u8 {
        match self {
            Urgency::Normal => 0,
            Urgency::Urgent => 1,
            Urgency::VeryUrgent => 2,
            Urgency::Express => 3,
            Urgency::ExpressAtSetTime(_) => 4,
        }
    }

    /// The set time of express-at-set-time.
    pub fn set_time(self) -> Option<OffsetDateTime> {
        match self {
            Urgency::ExpressAtSetTime(t) => Some(t),
            _ => None,
        }
    }
}

impl PartialOrd for Urgency {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Urgency {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.code()
            .cmp(&other.code())
            // Earlier set time is more urgent, hence greater.
            .then_with(|| other.set_time().cmp(&self.set_time()))
    }
}
