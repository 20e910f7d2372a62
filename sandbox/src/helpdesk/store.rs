//! The helpdesk's data, shaped like Zoho Desk's resources. Field names serialize as
//! Zoho's camelCase JSON; custom fields live in `cf`, as Zoho keeps them.

use crate::clock;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Zoho ids are long decimal strings; a fixed width keeps a `BTreeMap` in creation order.
const ID_BASE: u64 = 1_892_000_000_040_000;

/// Epoch milliseconds that serialize as Zoho's `2025-12-16T13:05:30.000Z`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Time(pub i64);

impl Serialize for Time {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&clock::zoho_datetime(self.0))
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub id: String,
    pub name: String,
    pub description: String,
    /// `Administrator`, `Agent`, `LightAgent`: what the profile is built on.
    #[serde(rename = "type")]
    pub kind: String,
    pub is_default: bool,
    pub is_visible: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Role {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Agent {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub name: String,
    pub email_id: String,
    pub profile_id: String,
    pub role_id: String,
    pub status: String,
    pub is_confirmed: bool,
    pub lang_code: String,
    pub time_zone: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    pub id: String,
    pub account_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub industry: Option<String>,
    pub description: Option<String>,
    pub owner_id: Option<String>,
    pub created_time: Time,
    pub modified_time: Time,
    pub cf: Map<String, Value>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    pub id: String,
    pub first_name: Option<String>,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub mobile: Option<String>,
    pub title: Option<String>,
    pub account_id: Option<String>,
    pub owner_id: Option<String>,
    pub description: Option<String>,
    pub created_time: Time,
    pub modified_time: Time,
    pub cf: Map<String, Value>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ticket {
    pub id: String,
    pub ticket_number: String,
    pub subject: String,
    pub description: String,
    pub status: String,
    /// `Open`, `On Hold` or `Closed`: the family `status` belongs to.
    pub status_type: String,
    pub priority: String,
    pub channel: String,
    pub contact_id: String,
    pub account_id: Option<String>,
    /// The requester's address, as the ticket was raised.
    pub email: String,
    pub phone: Option<String>,
    pub department_id: String,
    pub assignee_id: Option<String>,
    pub created_time: Time,
    pub modified_time: Time,
    pub cf: Map<String, Value>,
}

/// One helpdesk organisation.
pub struct Desk {
    pub org_id: String,
    pub org_name: String,
    pub department_id: String,
    pub profiles: Vec<Profile>,
    pub roles: Vec<Role>,
    pub agents: Vec<Agent>,
    pub accounts: BTreeMap<String, Account>,
    pub contacts: BTreeMap<String, Contact>,
    pub tickets: BTreeMap<String, Ticket>,
    issued_ids: u64,
    issued_ticket_numbers: u64,
}

impl Desk {
    pub fn new(org_id: &str, org_name: &str) -> Self {
        let mut desk = Desk {
            org_id: org_id.to_owned(),
            org_name: org_name.to_owned(),
            department_id: String::new(),
            profiles: Vec::new(),
            roles: Vec::new(),
            agents: Vec::new(),
            accounts: BTreeMap::new(),
            contacts: BTreeMap::new(),
            tickets: BTreeMap::new(),
            issued_ids: 0,
            issued_ticket_numbers: 100,
        };
        desk.department_id = desk.next_id();
        desk
    }

    pub fn next_id(&mut self) -> String {
        self.issued_ids += 1;
        (ID_BASE + self.issued_ids).to_string()
    }

    pub fn next_ticket_number(&mut self) -> String {
        self.issued_ticket_numbers += 1;
        self.issued_ticket_numbers.to_string()
    }

    pub fn agent(&self, id: &str) -> Option<&Agent> {
        self.agents.iter().find(|a| a.id == id)
    }

    pub fn profile(&self, id: &str) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.id == id)
    }

    pub fn contact_by_email(&self, email: &str) -> Option<&Contact> {
        self.contacts.values().find(|c| {
            c.email
                .as_deref()
                .is_some_and(|e| e.eq_ignore_ascii_case(email))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_fixed_width_and_ordered() {
        let mut desk = Desk::new("1", "Org");
        let (a, b) = (desk.next_id(), desk.next_id());
        assert_eq!(a.len(), b.len());
        assert!(a < b);
        assert_eq!(desk.next_ticket_number(), "101");
    }

    #[test]
    fn times_serialize_in_zoho_format() {
        let json = serde_json::to_value(Time(1_765_890_330_000)).unwrap();
        assert_eq!(json, "2025-12-16T13:05:30.000Z");
    }
}
