//! Salesforce's `date` and `dateTime` values, without a calendar crate: a civil date, and
//! an instant in milliseconds since the Unix epoch (UTC), each with the exact text forms
//! Salesforce reads and writes.
//!
//! - JSON (REST answers and bodies): date `2025-12-16`, dateTime `2025-12-16T13:05:30.000+0000`.
//! - SOQL literals: date `2025-12-16`, dateTime `2025-12-16T13:05:30Z` (no fraction).
//! - Query parameters (`/updated`, `/deleted`): `2025-12-16T13:05:30+00:00`.

use contract::calendar;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Text that is not a Salesforce date or dateTime.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a Salesforce date or dateTime")]
pub struct DateError(pub String);

const MS_PER_DAY: i64 = 86_400_000;

/// A calendar date (`date` fields: `CloseDate`, `ActivityDate`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SfDate {
    year: i32,
    month: u8,
    day: u8,
}

fn days_in_month(year: i32, month: u8) -> u8 {
    calendar::days_in_month(i64::from(year), u32::from(month)) as u8
}

fn days_from_civil(year: i32, month: u8, day: u8) -> i64 {
    calendar::days_from_civil(i64::from(year), u32::from(month), u32::from(day))
}

fn civil_from_days(days: i64) -> (i32, u8, u8) {
    let (year, month, day) = calendar::civil_from_days(days);
    (year as i32, month as u8, day as u8)
}

/// `digits` ASCII digits at the front of `text`, as a number.
fn number(text: &str, digits: usize) -> Option<u32> {
    let part = text.get(..digits)?;
    part.bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| part.parse().ok())
        .flatten()
}

impl SfDate {
    pub fn new(year: i32, month: u8, day: u8) -> Option<Self> {
        let valid = (1..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month);
        valid.then_some(SfDate { year, month, day })
    }

    /// `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<Self, DateError> {
        let refuse = || DateError(text.to_owned());
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return Err(refuse());
        }
        let year = number(text, 4).ok_or_else(refuse)?;
        let month = number(&text[5..], 2).ok_or_else(refuse)?;
        let day = number(&text[8..], 2).ok_or_else(refuse)?;
        SfDate::new(year as i32, month as u8, day as u8).ok_or_else(refuse)
    }

    pub fn year(&self) -> i32 {
        self.year
    }

    pub fn month(&self) -> u8 {
        self.month
    }

    pub fn day(&self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days_since_epoch(&self) -> i64 {
        days_from_civil(self.year, self.month, self.day)
    }

    /// Midnight UTC at the start of this date.
    pub fn start(&self) -> SfDateTime {
        SfDateTime::from_unix_millis(self.days_since_epoch() * MS_PER_DAY)
    }
}

impl fmt::Display for SfDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl fmt::Debug for SfDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SfDate({self})")
    }
}

/// An instant (`dateTime` fields: `CreatedDate`, `SystemModstamp`, `StartDateTime`), held
/// as milliseconds since the Unix epoch in UTC, which is what Salesforce stores.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SfDateTime {
    millis: i64,
}

impl SfDateTime {
    pub fn from_unix_millis(millis: i64) -> Self {
        SfDateTime { millis }
    }

    pub fn unix_millis(&self) -> i64 {
        self.millis
    }

    /// Salesforce's JSON form, `2025-12-16T13:05:30.000+0000`, and the ISO 8601 variants
    /// (`Z`, `+hh:mm`, `+hhmm`; with or without milliseconds).
    pub fn parse(text: &str) -> Result<Self, DateError> {
        let refuse = || DateError(text.to_owned());
        let (date, rest) = text.split_once('T').ok_or_else(refuse)?;
        let date = SfDate::parse(date).map_err(|_| refuse())?;
        let bytes = rest.as_bytes();
        if bytes.len() < 8 || bytes[2] != b':' || bytes[5] != b':' {
            return Err(refuse());
        }
        let hour = number(rest, 2).ok_or_else(refuse)?;
        let minute = number(&rest[3..], 2).ok_or_else(refuse)?;
        let second = number(&rest[6..], 2).ok_or_else(refuse)?;
        if hour > 23 || minute > 59 || second > 59 {
            return Err(refuse());
        }
        let mut rest = &rest[8..];
        let mut millis = 0;
        if let Some(fraction) = rest.strip_prefix('.') {
            let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return Err(refuse());
            }
            // Milliseconds from the first three digits; finer digits are dropped.
            let kept = &fraction[..digits.min(3)];
            millis = kept.parse::<u32>().map_err(|_| refuse())? * 10u32.pow(3 - kept.len() as u32);
            rest = &fraction[digits..];
        }
        let offset_minutes: i64 = match rest {
            "Z" => 0,
            _ => {
                let sign = match rest.as_bytes().first() {
                    Some(b'+') => 1,
                    Some(b'-') => -1,
                    _ => return Err(refuse()),
                };
                let zone = rest[1..].replace(':', "");
                if zone.len() != 4 {
                    return Err(refuse());
                }
                let hours = number(&zone, 2).ok_or_else(refuse)?;
                let minutes = number(&zone[2..], 2).ok_or_else(refuse)?;
                sign * i64::from(hours * 60 + minutes)
            }
        };
        let local = date.days_since_epoch() * MS_PER_DAY
            + i64::from(hour * 3600 + minute * 60 + second) * 1000
            + i64::from(millis);
        Ok(SfDateTime::from_unix_millis(
            local - offset_minutes * 60_000,
        ))
    }

    fn parts(&self) -> (SfDate, u32, u32, u32, u32) {
        let days = self.millis.div_euclid(MS_PER_DAY);
        let in_day = self.millis.rem_euclid(MS_PER_DAY) as u32;
        let (year, month, day) = civil_from_days(days);
        let date = SfDate { year, month, day };
        (
            date,
            in_day / 3_600_000,
            in_day / 60_000 % 60,
            in_day / 1000 % 60,
            in_day % 1000,
        )
    }

    /// The UTC calendar date of this instant.
    pub fn date(&self) -> SfDate {
        self.parts().0
    }

    /// `2025-12-16T13:05:30.000+0000`, as Salesforce writes JSON.
    pub fn to_wire(&self) -> String {
        let (date, h, m, s, ms) = self.parts();
        format!("{date}T{h:02}:{m:02}:{s:02}.{ms:03}+0000")
    }

    /// `2025-12-16T13:05:30Z`: a SOQL literal (SOQL takes no fraction of a second, so the
    /// milliseconds are dropped; `>` comparisons then include the rest of that second).
    pub fn to_soql(&self) -> String {
        let (date, h, m, s, _) = self.parts();
        format!("{date}T{h:02}:{m:02}:{s:02}Z")
    }

    /// `2025-12-16T13:05:30+00:00`: the form the `/updated` and `/deleted` resources take.
    pub fn to_iso8601(&self) -> String {
        let (date, h, m, s, _) = self.parts();
        format!("{date}T{h:02}:{m:02}:{s:02}+00:00")
    }
}

impl fmt::Display for SfDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_wire())
    }
}

impl fmt::Debug for SfDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SfDateTime({self})")
    }
}

impl Serialize for SfDate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SfDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        SfDate::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl Serialize for SfDateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SfDateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        SfDateTime::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_validate_and_print() {
        let date = SfDate::parse("2025-12-16").unwrap();
        assert_eq!((date.year(), date.month(), date.day()), (2025, 12, 16));
        assert_eq!(date.to_string(), "2025-12-16");
        assert!(SfDate::parse("2024-02-29").is_ok(), "a leap day");
        for bad in [
            "2025-02-29",
            "2100-02-29",
            "2025-13-01",
            "2025-00-10",
            "2025-1-16",
            "2025-12-16T00:00:00Z",
            "25-12-16",
            "2025/12/16",
            "",
        ] {
            assert!(SfDate::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn epoch_day_numbers_match_the_calendar() {
        // Known values: the epoch, the first day after a 400-year leap, a date before 1970.
        assert_eq!(SfDate::parse("1970-01-01").unwrap().days_since_epoch(), 0);
        assert_eq!(
            SfDate::parse("2000-03-01").unwrap().days_since_epoch(),
            11_017
        );
        assert_eq!(SfDate::parse("1969-12-31").unwrap().days_since_epoch(), -1);
        assert_eq!(
            SfDate::parse("2025-12-16").unwrap().days_since_epoch(),
            20_438
        );
    }

    #[test]
    fn datetimes_read_salesforce_and_iso_forms() {
        // 2025-12-16T13:05:30Z is 1765890330 seconds after the epoch.
        let expected = SfDateTime::from_unix_millis(1_765_890_330_000);
        for text in [
            "2025-12-16T13:05:30.000+0000",
            "2025-12-16T13:05:30Z",
            "2025-12-16T13:05:30+00:00",
            "2025-12-16T14:05:30.000+01:00",
            "2025-12-16T05:05:30-0800",
        ] {
            assert_eq!(SfDateTime::parse(text).unwrap(), expected, "{text}");
        }
        let precise = SfDateTime::parse("2025-12-16T13:05:30.25Z").unwrap();
        assert_eq!(precise.unix_millis(), 1_765_890_330_250);
        for bad in [
            "2025-12-16",
            "2025-12-16T13:05",
            "2025-12-16T24:00:00Z",
            "2025-12-16T13:05:30",
            "2025-12-16T13:05:30.Z",
            "2025-12-16T13:05:30+1",
        ] {
            assert!(SfDateTime::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn datetimes_print_in_each_wire_form() {
        let at = SfDateTime::parse("2025-12-16T13:05:30.042+0000").unwrap();
        assert_eq!(at.to_wire(), "2025-12-16T13:05:30.042+0000");
        assert_eq!(at.to_string(), at.to_wire());
        assert_eq!(at.to_soql(), "2025-12-16T13:05:30Z");
        assert_eq!(at.to_iso8601(), "2025-12-16T13:05:30+00:00");
        assert_eq!(at.date(), SfDate::parse("2025-12-16").unwrap());
        let before_epoch = SfDateTime::from_unix_millis(-1);
        assert_eq!(before_epoch.to_wire(), "1969-12-31T23:59:59.999+0000");
        assert_eq!(
            SfDate::parse("2025-12-16").unwrap().start().to_soql(),
            "2025-12-16T00:00:00Z"
        );
    }

    #[test]
    fn serde_uses_the_json_forms() {
        let at: SfDateTime = serde_json::from_str("\"2025-12-16T13:05:30.000+0000\"").unwrap();
        assert_eq!(
            serde_json::to_string(&at).unwrap(),
            "\"2025-12-16T13:05:30.000+0000\""
        );
        let date: SfDate = serde_json::from_str("\"2027-01-31\"").unwrap();
        assert_eq!(serde_json::to_string(&date).unwrap(), "\"2027-01-31\"");
        assert!(serde_json::from_str::<SfDate>("\"2027-02-31\"").is_err());
    }
}
