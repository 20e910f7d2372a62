//! Helpdesk records as Zoho Desk sends them: camelCase JSON, custom fields under `cf`
//! (keyed by their `apiName`, values as the helpdesk gives them), times as
//! `2026-03-02T09:05:00.000Z`.

use contract::calendar;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use std::fmt;

/// A helpdesk timestamp: epoch milliseconds, on the wire as `2026-03-02T09:05:00.000Z`.
/// Ordered, so modification times compare directly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DeskTime(pub i64);

const MS_PER_DAY: i64 = 86_400_000;

impl DeskTime {
    pub fn epoch_ms(self) -> i64 {
        self.0
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fff]Z` (UTC, as the helpdesk writes it).
    pub fn parse(text: &str) -> Option<DeskTime> {
        let rest = text.strip_suffix('Z')?;
        let (date, time) = rest.split_once('T')?;
        let mut date_parts = date.splitn(3, '-');
        let year: i64 = number(date_parts.next()?, 4)?;
        let month: i64 = number(date_parts.next()?, 2)?;
        let day: i64 = number(date_parts.next()?, 2)?;
        let (clock, fraction) = match time.split_once('.') {
            Some((clock, fraction)) => (clock, Some(fraction)),
            None => (time, None),
        };
        let mut clock_parts = clock.splitn(3, ':');
        let hour: i64 = number(clock_parts.next()?, 2)?;
        let minute: i64 = number(clock_parts.next()?, 2)?;
        let second: i64 = number(clock_parts.next()?, 2)?;
        let millis = match fraction {
            None => 0,
            Some(f) if !f.is_empty() && f.len() <= 9 && f.bytes().all(|b| b.is_ascii_digit()) => {
                format!("{:0<3}", &f[..f.len().min(3)]).parse().ok()?
            }
            Some(_) => return None,
        };
        if !(1..=12).contains(&month)
            || day < 1
            || day > i64::from(calendar::days_in_month(year, month as u32))
            || hour > 23
            || minute > 59
            || second > 59
        {
            return None;
        }
        let days = calendar::days_from_civil(year, month as u32, day as u32);
        Some(DeskTime(
            days * MS_PER_DAY + hour * 3_600_000 + minute * 60_000 + second * 1000 + millis,
        ))
    }
}

fn number(text: &str, width: usize) -> Option<i64> {
    (text.len() == width && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

impl fmt::Display for DeskTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, mo, d) = calendar::civil_from_days(self.0.div_euclid(MS_PER_DAY));
        let in_day = self.0.rem_euclid(MS_PER_DAY);
        write!(
            f,
            "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
            in_day / 3_600_000,
            in_day / 60_000 % 60,
            in_day / 1000 % 60,
            in_day % 1000
        )
    }
}

impl Serialize for DeskTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DeskTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        DeskTime::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("not a helpdesk time: {text:?}")))
    }
}

/// A person the helpdesk knows (a requester, an end user).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    pub id: String,
    #[serde(default)]
    pub first_name: Option<String>,
    pub last_name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub mobile: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub account_id: Option<String>,
    #[serde(default)]
    pub owner_id: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    pub created_time: DeskTime,
    pub modified_time: DeskTime,
    /// Custom fields by `apiName` (`cf_plan`, ...). Values as the helpdesk sends them
    /// (strings, or null); [`crate::helpdesk::FieldMeta`] says what type each one is.
    #[serde(default)]
    pub cf: Map<String, Value>,
}

impl Contact {
    /// "First Last", or the last name alone.
    pub fn full_name(&self) -> String {
        match self.first_name.as_deref().map(str::trim) {
            Some(first) if !first.is_empty() => format!("{first} {}", self.last_name),
            _ => self.last_name.clone(),
        }
    }
}

/// A company the helpdesk knows; matched to Salesforce accounts by `account_name`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    pub id: String,
    pub account_name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
    #[serde(default)]
    pub industry: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub owner_id: Option<String>,
    pub created_time: DeskTime,
    pub modified_time: DeskTime,
    #[serde(default)]
    pub cf: Map<String, Value>,
}

/// The fields to write on a contact: for a create, `last_name` is required; for an
/// update, only the fields set here change (a `cf` value of `null` clears that field).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactDraft {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub cf: Map<String, Value>,
}

/// The fields to write on an account; `account_name` is required on create.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountDraft {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub industry: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub cf: Map<String, Value>,
}

/// A helpdesk user who works tickets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Agent {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    pub email_id: String,
    pub profile_id: String,
    pub role_id: String,
    #[serde(default)]
    pub status: Option<String>,
}

/// A helpdesk organisation as `GET /organizations` answers it (Zoho Desk API, "Get all
/// organizations").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    pub id: String,
    #[serde(default)]
    pub company_name: Option<String>,
    /// `ENTERPRISE`, `PROFESSIONAL`, ...: what its credits and calls at once follow.
    #[serde(default)]
    pub edition: Option<String>,
}

/// What an agent may do: `Administrator`, `Agent`, `Light Agent` or a custom one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub id: String,
    pub name: String,
    /// The kind the profile is built on (`Administrator`, `Agent`, `LightAgent`).
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub is_default: bool,
}

/// One page of search results: `count` is the total across all pages.
/// One record's outcome of an `updateMany` (Zoho's `MassActionResponse.json`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MassResult {
    pub id: String,
    pub success: bool,
    #[serde(default)]
    pub errors: Option<MassError>,
}

/// Why one record of a mass action failed: `{"errorCode", "httpCode"}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MassError {
    pub error_code: String,
    #[serde(default)]
    pub http_code: String,
}

/// `{"results": [...]}`.
#[derive(Debug, Clone, Deserialize)]
pub(super) struct MassResults {
    pub results: Vec<MassResult>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SearchPage<R> {
    pub data: Vec<R>,
    #[serde(default)]
    pub count: Option<usize>,
}

/// `{"data": [...]}`.
#[derive(Debug, Clone, Deserialize)]
pub(super) struct ListPage<R> {
    pub data: Vec<R>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_in_the_wire_format() {
        let time = DeskTime::parse("2025-12-16T13:05:30.007Z").unwrap();
        assert_eq!(time.epoch_ms(), 1_765_890_330_007);
        assert_eq!(time.to_string(), "2025-12-16T13:05:30.007Z");
        assert_eq!(
            DeskTime::parse("2025-12-16T13:05:30Z").unwrap().epoch_ms(),
            1_765_890_330_000
        );
        assert_eq!(DeskTime(0).to_string(), "1970-01-01T00:00:00.000Z");
        for bad in [
            "2025-12-16T13:05:30",
            "2025-02-29T00:00:00Z",
            "2025-12-16 13:05:30Z",
            "2025-12-16T24:00:00Z",
            "2025-12-16T13:05:30.Z",
            "25-12-16T13:05:30Z",
        ] {
            assert!(DeskTime::parse(bad).is_none(), "{bad}");
        }
        assert!(DeskTime::parse("2024-02-29T00:00:00.000Z").is_some());
    }

    #[test]
    fn a_contact_decodes_from_the_wire() {
        let json = r#"{"id":"1892000000040011","firstName":"Maya","lastName":"Patel",
            "email":"maya.patel@northwind.example","phone":null,"mobile":null,"title":"Head of Operations",
            "accountId":"1892000000040007","ownerId":"1892000000040005","description":null,
            "createdTime":"2026-03-02T09:25:00.000Z","modifiedTime":"2026-03-02T09:25:00.000Z",
            "cf":{"cf_plan":"Enterprise","cf_seats":"40"},"zip":"98101"}"#;
        let contact: Contact = serde_json::from_str(json).unwrap();
        assert_eq!(contact.full_name(), "Maya Patel");
        assert_eq!(contact.cf["cf_seats"], "40");
        assert!(contact.modified_time >= contact.created_time);
    }

    #[test]
    fn drafts_send_only_what_is_set() {
        let draft = ContactDraft {
            phone: Some("+1 555 0100".into()),
            ..ContactDraft::default()
        };
        assert_eq!(
            serde_json::to_value(&draft).unwrap(),
            serde_json::json!({"phone": "+1 555 0100"})
        );
    }
}
