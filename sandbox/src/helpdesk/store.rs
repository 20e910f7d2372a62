//! The helpdesk's data, shaped like Zoho Desk's resources. Field names serialize as
//! Zoho's camelCase JSON; custom fields live in `cf`, as Zoho keeps them. The webhook
//! subscriptions are part of the desk's data too.
//!
//! Writes to contacts and accounts go through [`fields::check`] and answer a [`Change`],
//! which the webhooks turn into events.

use super::DeskError;
use super::credits::{CreditPlan, Edition};
use super::fields::{self, FieldDef};
use super::imports::Imports;
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

/// A role, as `GET /api/v1/roles/{id}` answers it (Zoho's OpenAPI spec, `Role.json`,
/// `roleResponse`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Role {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub share_data_with_peers: bool,
    /// The role this one reports to (`None` at the top of the hierarchy).
    pub reports_to: Option<String>,
    pub immediate_sub_roles: Vec<String>,
    pub is_default: bool,
    pub is_visible: bool,
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

impl Contact {
    /// "First Last", or the last name alone.
    pub fn full_name(&self) -> String {
        match self.first_name.as_deref() {
            Some(first) if !first.is_empty() => format!("{first} {}", self.last_name),
            _ => self.last_name.clone(),
        }
    }
}

/// A record of a writable module (a contact or an account): what the desk's generic
/// writes ([`Desk::create`], [`Desk::update`], [`Desk::trash`]) need to know of it.
pub trait Writable: Serialize + Clone {
    const MODULE: Module;
    /// A new record: its id, owner, times and custom fields, every standard field empty.
    fn blank(id: String, owner: &str, time: Time, cf: Map<String, Value>) -> Self;
    /// Sets a standard field by its `apiName` (already checked).
    fn set(&mut self, name: &str, value: Option<String>);
    fn custom_mut(&mut self) -> &mut Map<String, Value>;
    fn set_modified_time(&mut self, time: Time);
    fn records(desk: &Desk) -> &BTreeMap<String, Self>;
    fn records_mut(desk: &mut Desk) -> &mut BTreeMap<String, Self>;
    /// What else changes when the record `id` goes to the trash.
    fn after_trash(_desk: &mut Desk, _id: &str) {}
}

impl Writable for Contact {
    const MODULE: Module = Module::Contacts;

    fn blank(id: String, owner: &str, time: Time, cf: Map<String, Value>) -> Self {
        Contact {
            id,
            first_name: None,
            last_name: String::new(),
            email: None,
            phone: None,
            mobile: None,
            title: None,
            account_id: None,
            owner_id: Some(owner.to_owned()),
            description: None,
            created_time: time,
            modified_time: time,
            cf,
        }
    }

    fn set(&mut self, name: &str, value: Option<String>) {
        match name {
            "firstName" => self.first_name = value,
            "lastName" => self.last_name = value.unwrap_or_default(),
            "email" => self.email = value,
            "phone" => self.phone = value,
            "mobile" => self.mobile = value,
            "title" => self.title = value,
            "accountId" => self.account_id = value,
            "ownerId" => self.owner_id = value,
            "description" => self.description = value,
            other => unreachable!("{other} is not a checked contact field"),
        }
    }

    fn custom_mut(&mut self) -> &mut Map<String, Value> {
        &mut self.cf
    }

    fn set_modified_time(&mut self, time: Time) {
        self.modified_time = time;
    }

    fn records(desk: &Desk) -> &BTreeMap<String, Self> {
        &desk.contacts
    }

    fn records_mut(desk: &mut Desk) -> &mut BTreeMap<String, Self> {
        &mut desk.contacts
    }
}

impl Writable for Account {
    const MODULE: Module = Module::Accounts;

    fn blank(id: String, owner: &str, time: Time, cf: Map<String, Value>) -> Self {
        Account {
            id,
            account_name: String::new(),
            email: None,
            phone: None,
            website: None,
            industry: None,
            description: None,
            owner_id: Some(owner.to_owned()),
            created_time: time,
            modified_time: time,
            cf,
        }
    }

    fn set(&mut self, name: &str, value: Option<String>) {
        match name {
            "accountName" => self.account_name = value.unwrap_or_default(),
            "email" => self.email = value,
            "phone" => self.phone = value,
            "website" => self.website = value,
            "industry" => self.industry = value,
            "ownerId" => self.owner_id = value,
            "description" => self.description = value,
            other => unreachable!("{other} is not a checked account field"),
        }
    }

    fn custom_mut(&mut self) -> &mut Map<String, Value> {
        &mut self.cf
    }

    fn set_modified_time(&mut self, time: Time) {
        self.modified_time = time;
    }

    fn records(desk: &Desk) -> &BTreeMap<String, Self> {
        &desk.accounts
    }

    fn records_mut(desk: &mut Desk) -> &mut BTreeMap<String, Self> {
        &mut desk.accounts
    }

    /// Its contacts stay, without an account.
    fn after_trash(desk: &mut Desk, id: &str) {
        for contact in desk.contacts.values_mut() {
            if contact.account_id.as_deref() == Some(id) {
                contact.account_id = None;
            }
        }
    }
}

fn to_json<T: Serialize>(record: &T) -> Value {
    serde_json::to_value(record).expect("records serialize")
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

/// The modules that can be written (and so have fields and webhook events).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Module {
    Contacts,
    Accounts,
}

impl Module {
    pub fn parse(text: &str) -> Option<Module> {
        match text {
            "contacts" => Some(Module::Contacts),
            "accounts" => Some(Module::Accounts),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Module::Contacts => "contacts",
            Module::Accounts => "accounts",
        }
    }

    /// `Contact`, `Account`: the prefix of the module's webhook events.
    pub fn event_prefix(self) -> &'static str {
        match self {
            Module::Contacts => "Contact",
            Module::Accounts => "Account",
        }
    }
}

/// What a write did, for the webhooks: `Contact_Add`, `Account_Update`, ...
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub event_type: String,
    /// The record now (for a delete: its id).
    pub payload: Value,
    /// The record before an update.
    pub prev_state: Option<Value>,
    /// Epoch milliseconds.
    pub time: i64,
}

impl Change {
    fn new(module: Module, action: &str, payload: Value, prev: Option<Value>, time: Time) -> Self {
        Change {
            event_type: format!("{}_{action}", module.event_prefix()),
            payload,
            prev_state: prev,
            time: time.0,
        }
    }
}

/// A webhook subscription: the events it wants and where they go.
#[derive(Debug, Clone, PartialEq)]
pub struct Subscription {
    pub id: String,
    pub name: String,
    pub url: String,
    pub description: Option<String>,
    /// Event name -> whether to include the previous state.
    pub events: BTreeMap<String, bool>,
    pub ignore_source_id: Option<String>,
    pub is_enabled: bool,
    pub created_by: String,
    pub created_time: Time,
    pub modified_time: Time,
}

impl Subscription {
    pub fn to_json(&self) -> Value {
        let subscriptions: Map<String, Value> = self
            .events
            .iter()
            .map(|(event, prev)| {
                let options = if *prev {
                    serde_json::json!({"includePrevState": true})
                } else {
                    Value::Null
                };
                (event.clone(), options)
            })
            .collect();
        serde_json::json!({
            "id": self.id,
            "name": self.name,
            "url": self.url,
            "description": self.description,
            "subscriptions": subscriptions,
            "ignoreSourceId": self.ignore_source_id,
            "isEnabled": self.is_enabled,
            "type": "CUSTOMER_WEBHOOK",
            "includeEventsFrom": [],
            "createdBy": self.created_by,
            "createdTime": self.created_time,
            "modifiedTime": self.modified_time,
        })
    }
}

/// One helpdesk organisation.
pub struct Desk {
    pub org_id: String,
    /// The edition the organisation starts on: with its paid agents, its credit plan
    /// ([`Desk::credit_plan`]).
    pub edition: Edition,
    pub org_name: String,
    pub department_id: String,
    pub profiles: Vec<Profile>,
    pub roles: Vec<Role>,
    pub agents: Vec<Agent>,
    pub accounts: BTreeMap<String, Account>,
    pub contacts: BTreeMap<String, Contact>,
    pub tickets: BTreeMap<String, Ticket>,
    /// Standard fields first, then custom ones.
    pub contact_fields: Vec<FieldDef>,
    pub account_fields: Vec<FieldDef>,
    pub webhooks: Vec<Subscription>,
    /// Import API jobs and the external ids they mapped.
    pub imports: Imports,
    id_base: u64,
    issued_ids: u64,
    issued_ticket_numbers: u64,
    last_write_ms: i64,
}

impl Desk {
    pub fn new(org_id: &str, org_name: &str) -> Self {
        Desk::with_id_base(org_id, org_name, ID_BASE)
    }

    /// A desk whose record ids start after `id_base`: each organisation's ids differ, as
    /// Zoho's do, so a record or webhook id names one organisation's.
    pub fn with_id_base(org_id: &str, org_name: &str, id_base: u64) -> Self {
        let mut desk = Desk {
            org_id: org_id.to_owned(),
            // A realistic org by default, not an unlimited one (issue 16).
            edition: Edition::Professional,
            org_name: org_name.to_owned(),
            department_id: String::new(),
            profiles: Vec::new(),
            roles: Vec::new(),
            agents: Vec::new(),
            accounts: BTreeMap::new(),
            contacts: BTreeMap::new(),
            tickets: BTreeMap::new(),
            contact_fields: Vec::new(),
            account_fields: Vec::new(),
            webhooks: Vec::new(),
            imports: Imports::default(),
            id_base,
            issued_ids: 0,
            issued_ticket_numbers: 100,
            last_write_ms: 0,
        };
        desk.department_id = desk.next_id();
        for field in fields::standard_contact_fields() {
            desk.add_field(Module::Contacts, field);
        }
        for field in fields::standard_account_fields() {
            desk.add_field(Module::Accounts, field);
        }
        desk
    }

    /// Adds a field (a custom one: every record gets it, empty).
    pub fn add_field(&mut self, module: Module, mut field: FieldDef) {
        field.id = self.next_id();
        if field.custom {
            let records: Vec<&mut Map<String, Value>> = match module {
                Module::Contacts => self.contacts.values_mut().map(|c| &mut c.cf).collect(),
                Module::Accounts => self.accounts.values_mut().map(|a| &mut a.cf).collect(),
            };
            for cf in records {
                cf.entry(field.api_name.clone()).or_insert(Value::Null);
            }
        }
        self.fields_mut(module).push(field);
    }

    pub fn fields(&self, module: Module) -> &[FieldDef] {
        match module {
            Module::Contacts => &self.contact_fields,
            Module::Accounts => &self.account_fields,
        }
    }

    fn fields_mut(&mut self, module: Module) -> &mut Vec<FieldDef> {
        match module {
            Module::Contacts => &mut self.contact_fields,
            Module::Accounts => &mut self.account_fields,
        }
    }

    /// A write's time: the clock, but always after the previous write, so that sorting
    /// by `modifiedTime` orders writes as they happened.
    pub fn stamp(&mut self, now_ms: i64) -> Time {
        self.last_write_ms = now_ms.max(self.last_write_ms + 1);
        Time(self.last_write_ms)
    }

    fn check(
        &self,
        module: Module,
        body: &Value,
        creating: bool,
    ) -> Result<fields::Checked, DeskError> {
        fields::check(
            module.as_str(),
            self.fields(module),
            body,
            creating,
            |field, id| match field {
                "accountId" => self.accounts.contains_key(id),
                "ownerId" => self.agent(id).is_some(),
                _ => false,
            },
        )
    }

    /// Checks an update body against the module's fields, without a record.
    pub fn check_fields(&self, module: Module, body: &Value) -> Result<(), DeskError> {
        self.check(module, body, false).map(|_| ())
    }

    /// Every custom field of the module, empty, then the given values.
    fn custom_values(&self, module: Module, given: Map<String, Value>) -> Map<String, Value> {
        let mut cf: Map<String, Value> = self
            .fields(module)
            .iter()
            .filter(|f| f.custom)
            .map(|f| (f.api_name.clone(), Value::Null))
            .collect();
        cf.extend(given);
        cf
    }

    pub fn create<R: Writable>(
        &mut self,
        body: &Value,
        owner: &str,
        now_ms: i64,
    ) -> Result<(R, Change), DeskError> {
        let checked = self.check(R::MODULE, body, true)?;
        let time = self.stamp(now_ms);
        let id = self.next_id();
        let cf = self.custom_values(R::MODULE, checked.cf);
        let mut record = R::blank(id.clone(), owner, time, cf);
        for (name, value) in checked.standard {
            record.set(&name, value);
        }
        let change = Change::new(R::MODULE, "Add", to_json(&record), None, time);
        R::records_mut(self).insert(id, record.clone());
        Ok((record, change))
    }

    pub fn update<R: Writable>(
        &mut self,
        id: &str,
        body: &Value,
        now_ms: i64,
    ) -> Result<(R, Change), DeskError> {
        if !R::records(self).contains_key(id) {
            return Err(DeskError::not_found());
        }
        let checked = self.check(R::MODULE, body, false)?;
        let time = self.stamp(now_ms);
        let record = R::records_mut(self).get_mut(id).expect("checked above");
        let before = to_json(record);
        for (name, value) in checked.standard {
            record.set(&name, value);
        }
        record.custom_mut().extend(checked.cf);
        record.set_modified_time(time);
        let change = Change::new(R::MODULE, "Update", to_json(record), Some(before), time);
        Ok((record.clone(), change))
    }

    /// Zoho's delete: the record moves to the trash (here: is gone).
    pub fn trash<R: Writable>(&mut self, id: &str, now_ms: i64) -> Result<Change, DeskError> {
        R::records_mut(self)
            .remove(id)
            .ok_or_else(DeskError::not_found)?;
        R::after_trash(self, id);
        let time = self.stamp(now_ms);
        let payload = serde_json::json!({ "id": id });
        Ok(Change::new(R::MODULE, "Delete", payload, None, time))
    }

    pub fn next_id(&mut self) -> String {
        self.issued_ids += 1;
        (self.id_base + self.issued_ids).to_string()
    }

    pub fn next_ticket_number(&mut self) -> String {
        self.issued_ticket_numbers += 1;
        self.issued_ticket_numbers.to_string()
    }

    /// The organisation's credit model: its edition, and its active agents bar light
    /// agents, who earn no credits ("Working with API Credits", variable credits).
    pub fn credit_plan(&self) -> CreditPlan {
        let paid = self
            .agents
            .iter()
            .filter(|a| a.status == "ACTIVE")
            .filter(|a| {
                self.profile(&a.profile_id)
                    .is_none_or(|p| p.kind != "LightAgent")
            })
            .count();
        CreditPlan {
            edition: self.edition,
            agents: u32::try_from(paid).unwrap_or(u32::MAX),
        }
    }

    pub fn agent(&self, id: &str) -> Option<&Agent> {
        self.agents.iter().find(|a| a.id == id)
    }

    pub fn profile(&self, id: &str) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.id == id)
    }

    pub fn role(&self, id: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.id == id)
    }

    /// An agent by sign-in address, ignoring case.
    pub fn agent_by_email(&self, email: &str) -> Option<&Agent> {
        self.agents
            .iter()
            .find(|a| a.email_id.eq_ignore_ascii_case(email.trim()))
    }

    pub fn account_name(&self, id: Option<&str>) -> Option<&str> {
        id.and_then(|id| self.accounts.get(id))
            .map(|a| a.account_name.as_str())
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

    fn desk() -> Desk {
        let mut desk = Desk::new("1", "Org");
        desk.add_field(
            Module::Contacts,
            FieldDef::custom("Seats", fields::Kind::Number, &[]),
        );
        desk
    }

    #[test]
    fn writes_stamp_strictly_increasing_times() {
        let mut desk = desk();
        let (a, _) = desk
            .create::<Contact>(&serde_json::json!({"lastName": "A"}), "9", 1_000)
            .unwrap();
        let (b, change) = desk
            .update::<Contact>(&a.id, &serde_json::json!({"title": "CTO"}), 1_000)
            .unwrap();
        assert_eq!(a.created_time, Time(1_000));
        assert_eq!(b.modified_time, Time(1_001));
        assert_eq!(b.created_time, a.created_time);
        assert_eq!(change.event_type, "Contact_Update");
        assert_eq!(change.prev_state.unwrap()["title"], Value::Null);
        assert_eq!(change.payload["title"], "CTO");
    }

    #[test]
    fn custom_fields_are_always_present() {
        let mut desk = desk();
        let (contact, _) = desk
            .create::<Contact>(&serde_json::json!({"lastName": "A"}), "9", 1)
            .unwrap();
        assert_eq!(contact.cf["cf_seats"], Value::Null);
        desk.add_field(
            Module::Contacts,
            FieldDef::custom("Tier", fields::Kind::Text, &[]),
        );
        assert_eq!(desk.contacts[&contact.id].cf["cf_tier"], Value::Null);
    }

    #[test]
    fn trashing_an_account_unlinks_its_contacts() {
        let mut desk = desk();
        let (account, _) = desk
            .create::<Account>(&serde_json::json!({"accountName": "Acme"}), "9", 1)
            .unwrap();
        let (contact, _) = desk
            .create::<Contact>(
                &serde_json::json!({"lastName": "A", "accountId": account.id}),
                "9",
                2,
            )
            .unwrap();
        let change = desk.trash::<Account>(&account.id, 3).unwrap();
        assert_eq!(change.event_type, "Account_Delete");
        assert_eq!(change.payload, serde_json::json!({"id": account.id}));
        assert_eq!(desk.contacts[&contact.id].account_id, None);
        assert!(desk.trash::<Account>(&account.id, 4).is_err());
        assert!(
            desk.update::<Contact>("nope", &serde_json::json!({}), 5)
                .is_err()
        );
    }

    #[test]
    fn times_serialize_in_zoho_format() {
        let json = serde_json::to_value(Time(1_765_890_330_000)).unwrap();
        assert_eq!(json, "2025-12-16T13:05:30.000Z");
    }
}
