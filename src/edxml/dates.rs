//! Dates and times as edXML writes them: `yyyy/MM/dd`, and `yyyy/MM/dd HH:mm:ss` in Vietnam
//! time (UTC+07:00), since edXML times carry no zone.

use time::Date;

/// Reads a date as the samples write it (`yyyy/MM/dd`), or as other writers do
/// (`dd/MM/yyyy`, `yyyy-MM-dd`).
pub(crate) fn parse_date(s: &str) -> Option<Date> {
    let nums: Vec<&str> = s.split(['/', '-']).collect();
    let [a, b, c] = nums.as_slice() else {
        return None;
    };
    let num = |t: &str, len: usize| -> Option<u32> {
        (t.len() == len && t.bytes().all(|b| b.is_ascii_digit())).then(|| t.parse().ok())?
    };
    let (y, m, d) = if a.len() == 4 {
        (num(a, 4)?, num(b, 2)?, num(c, 2)?)
    } else if s.contains('/') {
        (num(c, 4)?, num(b, 2)?, num(a, 2)?)
    } else {
        return None;
    };
    let month = time::Month::try_from(u8::try_from(m).ok()?).ok()?;
    Date::from_calendar_date(i32::try_from(y).ok()?, month, u8::try_from(d).ok()?).ok()
}

/// A date as edXML writes it: `yyyy/MM/dd`.
pub(crate) fn format_date(d: Date) -> String {
    format!("{:04}/{:02}/{:02}", d.year(), u8::from(d.month()), d.day())
}

/// A time as edXML writes it, `yyyy/MM/dd HH:mm:ss`, in Vietnam time (UTC+07:00): edXML
/// times carry no zone and every sample is local time.
pub(crate) fn vietnam_time(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::macros::offset!(+7));
    format!(
        "{}/{:02}/{:02} {:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Reads `yyyy/MM/dd HH:mm:ss` (or `dd/MM/yyyy HH:mm:ss`) as Vietnam time.
pub(crate) fn parse_vietnam_time(s: &str) -> Option<time::OffsetDateTime> {
    let (date, clock) = s.split_once(' ')?;
    let date = parse_date(date)?;
    let parts: Vec<&str> = clock.split(':').collect();
    let [h, m, sec] = parts.as_slice() else {
        return None;
    };
    let num = |t: &str| -> Option<u8> {
        (t.len() == 2 && t.bytes().all(|b| b.is_ascii_digit())).then(|| t.parse().ok())?
    };
    let time = time::Time::from_hms(num(h)?, num(m)?, num(sec)?).ok()?;
    Some(
        date.with_time(time)
            .assume_offset(time::macros::offset!(+7)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_in_the_forms_writers_use() {
        let d = time::macros::date!(2019 - 01 - 16);
        assert_eq!(parse_date("2019/01/16"), Some(d));
        assert_eq!(parse_date("16/01/2019"), Some(d));
        assert_eq!(parse_date("2019-01-16"), Some(d));
        assert_eq!(parse_date("2014/02/30"), None);
        assert_eq!(parse_date("2019/1/16"), None);
        assert_eq!(format_date(d), "2019/01/16");
    }

    #[test]
    fn times_are_vietnam_time_both_ways() {
        let t = parse_vietnam_time("2018/09/28 17:25:11").expect("time");
        assert_eq!(t, time::macros::datetime!(2018-09-28 10:25:11 UTC));
        assert_eq!(vietnam_time(t), "2018/09/28 17:25:11");
        assert_eq!(parse_vietnam_time("2018/09/28 7:25:11"), None);
    }
}
