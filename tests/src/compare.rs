//! Both sides compared record by record through the integration's mapping (as the admin
//! settings show it, so only fields this org offers): what one side has and the other
//! lacks (lost), what one side has more than once (duplicated), and mapped fields that
//! disagree (mismatched, i.e. half-written or corrupted).
//!
//! Contacts are paired the way the sync matches them, by email (case-insensitively), and
//! contacts without an email by their names; accounts by name. A person account is a
//! person: it is compared as its contact, not as an account.

use crate::stack::Stack;
use contract::admin::{SETTINGS_PATH, SettingsView};
use contract::mapping::FieldPair;
use reqwest::Method;
use serde_json::{Map, Value};
use shared::helpdesk;
use shared::salesforce::{Client, Scope};
use std::collections::BTreeMap;

/// What a comparison found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Comparison {
    /// Records paired across both sides.
    pub compared: usize,
    /// Keys on one side only, each with the side that has it.
    pub lost: Vec<String>,
    /// Keys held more than once on one side.
    pub duplicated: Vec<String>,
    /// Paired records whose mapped fields differ: key, field, Salesforce, helpdesk.
    pub mismatched: Vec<String>,
}

impl Comparison {
    pub fn add(&mut self, other: Comparison) {
        self.compared += other.compared;
        self.lost.extend(other.lost);
        self.duplicated.extend(other.duplicated);
        self.mismatched.extend(other.mismatched);
    }

    /// Nothing lost, duplicated or mismatched.
    pub fn is_clean(&self) -> bool {
        self.lost.is_empty() && self.duplicated.is_empty() && self.mismatched.is_empty()
    }

    /// A short account of what went wrong, for assertion messages.
    pub fn summary(&self) -> String {
        let first = |list: &[String]| list.iter().take(5).cloned().collect::<Vec<_>>();
        format!(
            "{} compared; {} lost {:?}; {} duplicated {:?}; {} mismatched {:?}",
            self.compared,
            self.lost.len(),
            first(&self.lost),
            self.duplicated.len(),
            first(&self.duplicated),
            self.mismatched.len(),
            first(&self.mismatched),
        )
    }
}

type Record = Map<String, Value>;

/// A field's value as text; empty and absent are the same (neither side stores "").
fn text(record: &Record, field: &str) -> String {
    match record.get(field) {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

fn contact_key(record: &Record, email: &str, first: &str, last: &str) -> String {
    let email = text(record, email).to_lowercase();
    if email.is_empty() {
        format!("name:{}|{}", text(record, first), text(record, last))
    } else {
        email
    }
}

fn compare(
    salesforce: Vec<Record>,
    helpdesk: Vec<Record>,
    fields: &[FieldPair],
    key_of_salesforce: impl Fn(&Record) -> String,
    key_of_helpdesk: impl Fn(&Record) -> String,
) -> Comparison {
    let mut result = Comparison::default();
    let mut by_key = |records: Vec<Record>, key: &dyn Fn(&Record) -> String, side: &str| {
        let mut map: BTreeMap<String, Record> = BTreeMap::new();
        for record in records {
            let key = key(&record);
            if map.insert(key.clone(), record).is_some() {
                result.duplicated.push(format!("{side}: {key}"));
            }
        }
        map
    };
    let sf = by_key(salesforce, &key_of_salesforce, "Salesforce");
    let hd = by_key(helpdesk, &key_of_helpdesk, "helpdesk");
    for (key, sf_record) in &sf {
        let Some(hd_record) = hd.get(key) else {
            result.lost.push(format!("only in Salesforce: {key}"));
            continue;
        };
        result.compared += 1;
        for FieldPair {
            salesforce: sf_field,
            helpdesk: hd_field,
            ..
        } in fields
        {
            let (a, b) = (text(sf_record, sf_field), text(hd_record, hd_field));
            let same = if sf_field == "Email" {
                a.eq_ignore_ascii_case(&b)
            } else {
                a == b
            };
            if !same {
                result
                    .mismatched
                    .push(format!("{key} {sf_field}: {a:?} vs {b:?}"));
            }
        }
    }
    for key in hd.keys().filter(|key| !sf.contains_key(*key)) {
        result.lost.push(format!("only in the helpdesk: {key}"));
    }
    result
}

impl Stack {
    fn helpdesk_connection(&self) -> helpdesk::Connection {
        helpdesk::Connection {
            base_url: self.sandbox.helpdesk_url.clone(),
            org_id: sandbox::demo::HELPDESK_ORG_ID.to_owned(),
            access_token: sandbox::demo::HELPDESK_API_TOKEN.to_owned(),
        }
    }

    /// Every live contact and account of both sides, compared through the integration's
    /// mapping. Clear injected faults first: this reads through the same APIs.
    pub async fn compare_sides(&self) -> anyhow::Result<Comparison> {
        let transport = shared::http::ReqwestTransport::default();
        let salesforce = Client::new(&transport, self.salesforce_admin().await?);
        let connection = self.helpdesk_connection();
        let desk = helpdesk::Client::new(&transport, &connection);
        let settings: SettingsView = self.admin(Method::GET, SETTINGS_PATH, None).await?;
        let to_maps = |records: Vec<Value>| -> Vec<Record> {
            records
                .into_iter()
                .filter_map(|r| match r {
                    Value::Object(map) => Some(map),
                    _ => None,
                })
                .collect()
        };
        let select = |object: &str, pairs: &[FieldPair], filter: &str| {
            let fields: Vec<&str> = pairs.iter().map(|p| p.salesforce.as_str()).collect();
            format!("SELECT Id, {} FROM {object}{filter}", fields.join(", "))
        };
        let person_accounts = salesforce
            .describe("Account")
            .await?
            .field("IsPersonAccount")
            .is_some();

        let sf_contacts: Vec<Record> = salesforce
            .query_all_pages(&select("Contact", &settings.contacts, ""), Scope::Live)
            .await?;
        let hd_contacts = to_maps(
            desk.all_contacts(None)
                .await?
                .into_iter()
                .map(|c| serde_json::to_value(c).unwrap_or_default())
                .collect(),
        );
        let mut result = compare(
            sf_contacts,
            hd_contacts,
            &settings.contacts,
            |r| contact_key(r, "Email", "FirstName", "LastName"),
            |r| contact_key(r, "email", "firstName", "lastName"),
        );

        let businesses = if person_accounts {
            " WHERE IsPersonAccount = false"
        } else {
            ""
        };
        let sf_accounts: Vec<Record> = salesforce
            .query_all_pages(
                &select("Account", &settings.accounts, businesses),
                Scope::Live,
            )
            .await?;
        let hd_accounts = to_maps(
            desk.all_accounts(None)
                .await?
                .into_iter()
                .map(|a| serde_json::to_value(a).unwrap_or_default())
                .collect(),
        );
        result.add(compare(
            sf_accounts,
            hd_accounts,
            &settings.accounts,
            |r| text(r, "Name"),
            |r| text(r, "accountName"),
        ));
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use contract::mapping::{ObjectKind, default_pairs};
    use serde_json::json;

    fn record(value: Value) -> Record {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn finds_lost_duplicated_and_mismatched_records() {
        let sf = vec![
            record(json!({"Email": "A@x.example", "LastName": "A", "Title": "CEO"})),
            record(json!({"Email": "b@x.example", "LastName": "B"})),
            record(json!({"Email": "b@x.example", "LastName": "B"})),
            record(json!({"LastName": "NoMail", "FirstName": null})),
        ];
        let hd = vec![
            record(json!({"email": "a@x.example", "lastName": "A", "title": "CFO"})),
            record(json!({"email": "b@x.example", "lastName": "B"})),
            record(json!({"lastName": "NoMail", "firstName": ""})),
            record(json!({"email": "c@x.example", "lastName": "C"})),
        ];
        let result = compare(
            sf,
            hd,
            &default_pairs(ObjectKind::Contact),
            |r| contact_key(r, "Email", "FirstName", "LastName"),
            |r| contact_key(r, "email", "firstName", "lastName"),
        );
        assert_eq!(result.compared, 3);
        assert_eq!(result.lost, vec!["only in the helpdesk: c@x.example"]);
        assert_eq!(result.duplicated, vec!["Salesforce: b@x.example"]);
        assert_eq!(result.mismatched.len(), 1, "{result:?}");
        assert!(result.mismatched[0].contains("Title"));
    }
}
