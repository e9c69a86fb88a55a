//! How the library writes a time for people (error messages, reports in words): RFC 3339 in
//! Vietnam's zone, UTC+07:00 all year, the zone documents are dated in. Machine-readable forms
//! (JSON, signed payloads) keep their own RFC 3339 values untouched.

use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// `2031-01-01T07:00:00+07:00` for 2031-01-01 00:00 UTC.
pub(crate) fn text(t: OffsetDateTime) -> String {
    let vietnam = UtcOffset::from_hms(7, 0, 0).unwrap_or(UtcOffset::UTC);
    t.to_offset(vietnam)
        .format(&Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_time_is_written_in_rfc3339_at_plus_seven() {
        let t = time::macros::datetime!(2031-01-01 0:00 UTC);
        assert_eq!(super::text(t), "2031-01-01T07:00:00+07:00");
    }
}
