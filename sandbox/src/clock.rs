//! Sandbox time, and the date formats Salesforce and Zoho Desk put on the wire.
//!
//! The clock is the wall clock plus an offset that tests can advance, so token expiry and
//! "modified since" logic can be exercised without sleeping.

use contract::calendar::{civil_from_days, days_from_civil, days_in_month};
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Milliseconds in a day.
pub const DAY_MS: i64 = 86_400_000;

#[derive(Debug, Default)]
pub struct Clock {
    offset_ms: AtomicI64,
}

impl Clock {
    /// Milliseconds since the Unix epoch, as the sandbox sees them.
    pub fn now_ms(&self) -> i64 {
        wall_clock_ms() + self.offset_ms.load(Ordering::Relaxed)
    }

    pub fn advance(&self, by: Duration) {
        let by = i64::try_from(by.as_millis()).unwrap_or(i64::MAX / 2);
        self.offset_ms.fetch_add(by, Ordering::Relaxed);
    }
}

pub fn wall_clock_ms() -> i64 {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the system clock is after 1970");
    i64::try_from(since_epoch.as_millis()).expect("milliseconds fit an i64 until year 292 million")
}

/// Salesforce's datetime: `2025-12-16T13:05:30.000+0000` (UTC, no colon in the offset).
pub fn sf_datetime(ms: i64) -> String {
    let (date, h, m, s, milli) = split(ms);
    format!("{date}T{h:02}:{m:02}:{s:02}.{milli:03}+0000")
}

/// Midnight (UTC) of the day `ms` falls on.
pub fn midnight(ms: i64) -> i64 {
    ms.div_euclid(DAY_MS) * DAY_MS
}

/// Salesforce's date: `2025-12-16`.
pub fn sf_date(ms: i64) -> String {
    split(ms).0
}

/// Zoho Desk's time: `2025-12-16T13:05:30.000Z`.
pub fn zoho_datetime(ms: i64) -> String {
    let (date, h, m, s, milli) = split(ms);
    format!("{date}T{h:02}:{m:02}:{s:02}.{milli:03}Z")
}

fn split(ms: i64) -> (String, i64, i64, i64, i64) {
    let days = ms.div_euclid(DAY_MS);
    let in_day = ms.rem_euclid(DAY_MS);
    let (y, mo, d) = civil_from_days(days);
    let date = format!("{y:04}-{mo:02}-{d:02}");
    (
        date,
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1000 % 60,
        in_day % 1000,
    )
}

/// Parses `YYYY-MM-DD` to the epoch milliseconds of its midnight (UTC).
pub fn parse_date(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let year: i64 = digits(&text[0..4])?;
    let month: u32 = digits(&text[5..7])?;
    let day: u32 = digits(&text[8..10])?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some(days_from_civil(year, month, day) * DAY_MS)
}

/// Parses the datetimes Salesforce accepts and emits: `2025-12-16T13:05:30Z`,
/// optional `.sss` fraction, and an offset of `Z`, `+hh:mm` or `+hhmm`.
pub fn parse_datetime(text: &str) -> Option<i64> {
    let (date, rest) = text.split_once('T')?;
    let day_ms = parse_date(date)?;
    if rest.len() < 8 || rest.as_bytes()[2] != b':' || rest.as_bytes()[5] != b':' {
        return None;
    }
    let hour: i64 = digits(&rest[0..2])?;
    let minute: i64 = digits(&rest[3..5])?;
    let second: i64 = digits(&rest[6..8])?;
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let mut rest = &rest[8..];
    let mut millis = 0;
    if let Some(fraction) = rest.strip_prefix('.') {
        let len = fraction
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(fraction.len());
        if len == 0 {
            return None;
        }
        // Keep millisecond precision; pad or cut the fraction to three digits.
        let padded = format!("{:0<3}", &fraction[..len.min(3)]);
        millis = digits(&padded)?;
        rest = &fraction[len..];
    }
    let offset_minutes = match rest {
        "Z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let offset = rest[1..].replace(':', "");
            if offset.len() != 4 {
                return None;
            }
            let h: i64 = digits(&offset[0..2])?;
            let m: i64 = digits(&offset[2..4])?;
            sign * (h * 60 + m)
        }
    };
    Some(
        day_ms + hour * 3_600_000 + minute * 60_000 + second * 1000 + millis
            - offset_minutes * 60_000,
    )
}

fn digits<T: std::str::FromStr>(text: &str) -> Option<T> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2025-12-16T13:05:30.000Z
    const SAMPLE_MS: i64 = 1_765_890_330_000;

    #[test]
    fn formats_match_the_wire() {
        assert_eq!(sf_datetime(SAMPLE_MS), "2025-12-16T13:05:30.000+0000");
        assert_eq!(sf_date(SAMPLE_MS), "2025-12-16");
        assert_eq!(zoho_datetime(SAMPLE_MS + 7), "2025-12-16T13:05:30.007Z");
        assert_eq!(sf_datetime(0), "1970-01-01T00:00:00.000+0000");
    }

    #[test]
    fn parses_every_accepted_datetime_shape() {
        for text in [
            "2025-12-16T13:05:30.000+0000",
            "2025-12-16T13:05:30Z",
            "2025-12-16T13:05:30.000Z",
            "2025-12-16T14:05:30+01:00",
            "2025-12-16T08:05:30.0-0500",
        ] {
            assert_eq!(parse_datetime(text), Some(SAMPLE_MS), "{text}");
        }
        assert_eq!(
            parse_datetime(&sf_datetime(SAMPLE_MS + 123)),
            Some(SAMPLE_MS + 123)
        );
    }

    #[test]
    fn refuses_malformed_dates() {
        for text in [
            "2025-13-01",
            "2025-02-29",
            "2025-1-01",
            "20251216",
            "2025-12-16T25:00:00Z",
            "2025-12-16T13:05:30",
            "2025-12-16T13:05:30+1",
        ] {
            assert!(
                parse_date(text).is_none() && parse_datetime(text).is_none(),
                "{text}"
            );
        }
        assert!(parse_date("2024-02-29").is_some());
    }

    #[test]
    fn advancing_moves_the_clock() {
        let clock = Clock::default();
        let before = clock.now_ms();
        clock.advance(Duration::from_secs(3 * 3600));
        assert!(clock.now_ms() - before >= 3 * 3_600_000);
    }
}
