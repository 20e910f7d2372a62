//! Person accounts, in an org that has them: "When a person account is created (or an
//! existing business account is changed to a person account), a corresponding contact
//! record is also created ... This record is the only contact record that can be
//! associated directly with the person account. Also, the ID of the corresponding person
//! contact record is stored in the PersonContactId field on the person account" (SOAP API
//! Developer Guide, "Person Account Record Types").
//!
//! The store asks here what a write means before it makes it ([`plan_write`],
//! [`plan_delete`]): what Salesforce refuses, what the write implies, and which second
//! record it carries over to. A person account and its person contact share the person's
//! names and contact details, and a change to either changes both ("Salesforce always
//! updates the LastModifiedDate system field in both the account and contact", Change
//! Data Capture Developer Guide, "Updating a Person Account").

use super::schema::ObjectDef;
use super::store::{Org, Record, WriteError};
use serde_json::{Map, Value};

/// The record a write carries over to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Partner {
    None,
    /// A new person account's person contact, made from it.
    NewPersonContact,
    /// The other half of a person account, given the same person's details.
    Mirror(String),
    /// The other half, deleted with it.
    Delete(String),
}

/// What a write means in an org with person accounts.
#[derive(Debug)]
pub struct Plan {
    /// Fields the write sets without naming them: (position, value).
    pub implied: Vec<(usize, Value)>,
    pub partner: Partner,
}

impl Plan {
    fn nothing() -> Plan {
        Plan {
            implied: Vec::new(),
            partner: Partner::None,
        }
    }
}

/// (Account field, Contact field): the person's details, held by both halves.
const MIRRORED: [(&str, &str); 5] = [
    ("FirstName", "FirstName"),
    ("LastName", "LastName"),
    ("PersonEmail", "Email"),
    ("PersonTitle", "Title"),
    ("PersonMobilePhone", "MobilePhone"),
];

/// Whether a request body names a field, case-insensitive as Salesforce reads bodies.
fn named<'a>(input: &'a Map<String, Value>, field: &str) -> Option<&'a Value> {
    input
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(field))
        .map(|(_, value)| value)
}

fn is_person(record: &Record) -> bool {
    record["IsPersonAccount"] == Value::Bool(true)
}

/// Fields a write may not name, refused as Salesforce refuses them: "Account: bad field
/// names on insert/update call: Name" (INVALID_FIELD_FOR_INSERT_UPDATE), the answer real
/// orgs give to a person account's Name, a business account's person fields and a person
/// contact's AccountId alike.
fn bad_field_names(fields: Vec<&str>) -> WriteError {
    WriteError::new(
        "INVALID_FIELD_FOR_INSERT_UPDATE",
        format!(
            "Account: bad field names on insert/update call: {}",
            fields.join(", ")
        ),
        Some(fields.into_iter().map(str::to_owned).collect()),
    )
}

/// What a create (`existing` is `None`) or an update of `object` means.
pub fn plan_write(
    org: &Org,
    object: &'static ObjectDef,
    existing: Option<&Record>,
    input: &Map<String, Value>,
) -> Result<Plan, WriteError> {
    if !org.schema().has_person_accounts() {
        return Ok(Plan::nothing());
    }
    match object.name {
        "Account" => plan_account(org, object, existing, input),
        "Contact" => plan_contact(org, existing, input),
        "ContentDocumentLink" => {
            refuse_person_contact(org, named(input, "LinkedEntityId"))?;
            Ok(Plan::nothing())
        }
        _ => Ok(Plan::nothing()),
    }
}

/// A person account is one by its record type; it is named after its person and has
/// the person's fields, which a business account does not have.
fn plan_account(
    org: &Org,
    object: &'static ObjectDef,
    existing: Option<&Record>,
    input: &Map<String, Value>,
) -> Result<Plan, WriteError> {
    let person_type = |id: &str| org.get_str(id).is_some_and(|rt| rt["IsPersonType"] == true);
    let chosen = named(input, "RecordTypeId").and_then(Value::as_str);
    let person = match existing {
        None => chosen.is_some_and(person_type),
        Some(account) => {
            let person = is_person(account);
            // Turning one kind into the other ("marrying or separating") is a Setup
            // matter the sandbox does not model; Salesforce refuses it alongside other
            // fields with this message.
            if chosen.is_some_and(|rt| person_type(rt) != person) {
                return Err(WriteError::new(
                    "INVALID_FIELD_FOR_INSERT_UPDATE",
                    "Cannot specify any additional fields when marrying or separating a \
                     Person-Account",
                    Some(vec![]),
                ));
            }
            person
        }
    };
    let mut implied = Vec::new();
    if existing.is_none() {
        let at = |name| {
            object
                .index_of(name)
                .expect("a person accounts org's Account")
        };
        implied.push((at("IsPersonAccount"), Value::Bool(person)));
        if chosen.is_none()
            && let Some(business) = default_record_type(org)
        {
            implied.push((at("RecordTypeId"), Value::String(business)));
        }
    }
    if !person {
        let person_fields: Vec<&str> = MIRRORED
            .iter()
            .map(|(field, _)| *field)
            .filter(|field| named(input, field).is_some())
            .collect();
        if !person_fields.is_empty() {
            return Err(bad_field_names(person_fields));
        }
        return Ok(Plan {
            implied,
            partner: Partner::None,
        });
    }
    if named(input, "Name").is_some() {
        return Err(bad_field_names(vec!["Name"]));
    }
    let last_name = match named(input, "LastName") {
        Some(value) => value.clone(),
        None => existing.map_or(Value::Null, |a| a["LastName"].clone()),
    };
    if last_name.as_str().is_none_or(str::is_empty) {
        return Err(WriteError::new(
            "REQUIRED_FIELD_MISSING",
            "Required fields are missing: [LastName]",
            Some(vec!["LastName".into()]),
        ));
    }
    let partner = match existing {
        None => Partner::NewPersonContact,
        Some(account) => Partner::Mirror(
            account["PersonContactId"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        ),
    };
    Ok(Plan { implied, partner })
}

/// The business account record type new accounts get when they name none.
fn default_record_type(org: &Org) -> Option<String> {
    let record_types = org.schema().object("RecordType")?;
    org.live(record_types)
        .find(|rt| rt["SobjectType"] == "Account" && rt["IsPersonType"] == false)
        .map(|rt| rt.id().to_owned())
}

/// A person contact changes with its account, but never leaves it; no other contact may
/// join a person account.
fn plan_contact(
    org: &Org,
    existing: Option<&Record>,
    input: &Map<String, Value>,
) -> Result<Plan, WriteError> {
    let account = named(input, "AccountId");
    if let Some(contact) = existing.filter(|c| is_person(c)) {
        if account.is_some() {
            return Err(bad_field_names(vec!["AccountId"]));
        }
        let account = contact["AccountId"].as_str().unwrap_or_default();
        return Ok(Plan {
            implied: Vec::new(),
            partner: Partner::Mirror(account.to_owned()),
        });
    }
    let joins_a_person = account
        .and_then(Value::as_str)
        .and_then(|id| org.get_str(id))
        .is_some_and(is_person);
    if joins_a_person {
        // The person contact "is the only contact record that can be associated directly
        // with the person account" (SOAP API Developer Guide, "Person Account Record
        // Types"). The guides do not quote the refusal; this is the code and wording
        // integrations report for it.
        return Err(WriteError::new(
            "FIELD_INTEGRITY_EXCEPTION",
            "You can't link a contact to a Person Account.",
            Some(vec!["AccountId".into()]),
        ));
    }
    Ok(Plan::nothing())
}

/// "INVALID_PERSON_ACCOUNT_OPERATION, cannot reference person contact": what a real org
/// answers a record pointing at a person contact where it must point at its account (a
/// note's ContentDocumentLink, for one).
fn refuse_person_contact(org: &Org, target: Option<&Value>) -> Result<(), WriteError> {
    let person_contact = target
        .and_then(Value::as_str)
        .and_then(|id| org.get_str(id))
        .is_some_and(|r| r.object().name == "Contact" && is_person(r));
    if person_contact {
        return Err(person_contact_refused());
    }
    Ok(())
}

fn person_contact_refused() -> WriteError {
    WriteError::new(
        "INVALID_PERSON_ACCOUNT_OPERATION",
        "cannot reference person contact",
        Some(vec![]),
    )
}

/// A person account goes to the recycle bin with its person contact; the contact alone
/// cannot be deleted ("INVALID_PERSON_ACCOUNT_OPERATION: You can't delete a person
/// account", SOAP API Developer Guide, StatusCode, for the contact half).
pub fn plan_delete(record: &Record) -> Result<Partner, WriteError> {
    if !is_person(record) {
        return Ok(Partner::None);
    }
    match record.object().name {
        "Account" => Ok(Partner::Delete(
            record["PersonContactId"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        )),
        _ => Err(person_contact_refused()),
    }
}

/// A new person account's person contact: the person's details, its account, flagged.
pub fn person_contact(account: &Record, contact: &'static ObjectDef) -> Vec<(usize, Value)> {
    let mut changes = mirrored(account, contact);
    for (name, value) in [
        ("AccountId", Value::String(account.id().to_owned())),
        ("IsPersonAccount", Value::Bool(true)),
    ] {
        changes.extend(contact.index_of(name).map(|i| (i, value)));
    }
    changes
}

/// The person's details of one half, as the other half (`to`) holds them.
pub fn mirrored(from: &Record, to: &'static ObjectDef) -> Vec<(usize, Value)> {
    let from_account = from.object().name == "Account";
    MIRRORED
        .iter()
        .map(|&(account, contact)| {
            if from_account {
                (contact, &from[account])
            } else {
                (account, &from[contact])
            }
        })
        .filter_map(|(name, value)| Some((to.index_of(name)?, value.clone())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::salesforce::OrgShape;
    use crate::salesforce::store::POD;
    use contract::ids::SfId;
    use serde_json::json;

    const NOW: i64 = 1_765_890_330_000;

    /// A person-accounts org with its two account record types: (org, admin, business
    /// type, person type).
    fn org() -> (Org, SfId, String, String) {
        let schema = OrgShape::PersonAccounts.schema();
        let mut org = Org::new(SfId::from_parts("00D", POD, 1).unwrap(), schema);
        let admin = org.next_id("005");
        let record_type = schema.object("RecordType").unwrap();
        let add = |org: &mut Org, name: &str, person: bool| {
            let at = |field| record_type.index_of(field).unwrap();
            let values = [
                (at("Name"), json!(name)),
                (at("DeveloperName"), json!(name.replace(' ', "_"))),
                (at("SobjectType"), json!("Account")),
                (at("IsPersonType"), json!(person)),
                (at("IsActive"), json!(true)),
            ];
            org.insert_trusted(record_type, values, &admin, NOW)
                .to_string()
        };
        let business = add(&mut org, "Business Account", false);
        let person = add(&mut org, "Person Account", true);
        (org, admin, business, person)
    }

    fn body(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn a_person_account_comes_with_its_person_contact_and_keeps_it_in_step() {
        let (mut org, admin, _, person) = org();
        let schema = org.schema();
        let (account, contact) = (
            schema.object("Account").unwrap(),
            schema.object("Contact").unwrap(),
        );
        let id = org
            .create(
                account,
                &body(
                    json!({"RecordTypeId": person, "FirstName": "Emma", "LastName": "Larsen",
                             "PersonEmail": "emma@larsen.example"}),
                ),
                &admin,
                NOW,
            )
            .unwrap();
        let created = org.get(&id).unwrap().clone();
        assert_eq!(created["Name"], "Emma Larsen");
        assert_eq!(created["IsPersonAccount"], true);
        let person_contact = SfId::parse(created["PersonContactId"].as_str().unwrap()).unwrap();
        let half = org.get(&person_contact).unwrap();
        assert_eq!(half["AccountId"], id.as_str());
        assert_eq!(half["Email"], "emma@larsen.example");
        assert_eq!(half["IsPersonAccount"], true);
        assert_eq!(half["Name"], "Emma Larsen");
        let kinds: Vec<_> = org.take_changes().iter().map(|c| c.object.name).collect();
        assert_eq!(kinds, ["Account", "Contact"]);

        // Either half changes both.
        org.update(
            account,
            &id,
            &body(json!({"LastName": "Berg"})),
            &admin,
            NOW + 1000,
        )
        .unwrap();
        assert_eq!(org.get(&person_contact).unwrap()["Name"], "Emma Berg");
        org.update(
            contact,
            &person_contact,
            &body(json!({"Email": "emma@berg.example", "Title": "Architect"})),
            &admin,
            NOW + 2000,
        )
        .unwrap();
        let account_now = org.get(&id).unwrap();
        assert_eq!(account_now["PersonEmail"], "emma@berg.example");
        assert_eq!(account_now["PersonTitle"], "Architect");
        assert_eq!(
            account_now["LastModifiedDate"],
            org.get(&person_contact).unwrap()["LastModifiedDate"]
        );
        // Deleting the account deletes its person contact; the contact alone cannot go.
        assert_eq!(
            org.delete(contact, &person_contact, &admin, NOW)
                .unwrap_err()
                .code,
            "INVALID_PERSON_ACCOUNT_OPERATION"
        );
        org.delete(account, &id, &admin, NOW).unwrap();
        assert!(org.get(&person_contact).unwrap().is_deleted());
    }

    #[test]
    fn what_salesforce_refuses_for_person_accounts() {
        let (mut org, admin, business, person) = org();
        let schema = org.schema();
        let (account, contact) = (
            schema.object("Account").unwrap(),
            schema.object("Contact").unwrap(),
        );
        let refuse = |org: &mut Org, object, existing: Option<&SfId>, input: Value| {
            let input = body(input);
            let err = match existing {
                None => org.create(object, &input, &admin, NOW).unwrap_err(),
                Some(id) => org.update(object, id, &input, &admin, NOW).unwrap_err(),
            };
            (err.code, err.message, err.fields.unwrap_or_default())
        };
        let named_person = refuse(
            &mut org,
            account,
            None,
            json!({"RecordTypeId": person, "Name": "Emma Larsen", "LastName": "Larsen"}),
        );
        assert_eq!(
            named_person,
            (
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                "Account: bad field names on insert/update call: Name".to_owned(),
                vec!["Name".to_owned()]
            )
        );
        assert_eq!(
            refuse(
                &mut org,
                account,
                None,
                json!({"RecordTypeId": person, "FirstName": "E"})
            )
            .0,
            "REQUIRED_FIELD_MISSING"
        );
        let business_with_person_fields = refuse(
            &mut org,
            account,
            None,
            json!({"Name": "Acme", "PersonEmail": "x@acme.example", "FirstName": "X"}),
        );
        assert_eq!(
            business_with_person_fields.0,
            "INVALID_FIELD_FOR_INSERT_UPDATE"
        );
        assert_eq!(business_with_person_fields.2, ["FirstName", "PersonEmail"]);

        let person_account = org
            .create(
                account,
                &body(json!({"RecordTypeId": person, "LastName": "Larsen"})),
                &admin,
                NOW,
            )
            .unwrap();
        let acme = org
            .create(account, &body(json!({"Name": "Acme"})), &admin, NOW)
            .unwrap();
        assert_eq!(org.get(&acme).unwrap()["RecordTypeId"], business.as_str());
        assert_eq!(org.get(&acme).unwrap()["IsPersonAccount"], false);
        assert_eq!(
            refuse(
                &mut org,
                account,
                Some(&person_account),
                json!({"Name": "E. Larsen"})
            )
            .2,
            ["Name"]
        );
        assert_eq!(
            refuse(
                &mut org,
                account,
                Some(&acme),
                json!({"RecordTypeId": person})
            )
            .0,
            "INVALID_FIELD_FOR_INSERT_UPDATE"
        );
        let person_contact = SfId::parse(
            org.get(&person_account).unwrap()["PersonContactId"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
        let moved = refuse(
            &mut org,
            contact,
            Some(&person_contact),
            json!({"AccountId": acme.as_str()}),
        );
        assert_eq!(
            moved,
            (
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                "Account: bad field names on insert/update call: AccountId".to_owned(),
                vec!["AccountId".to_owned()]
            )
        );
        let joined = refuse(
            &mut org,
            contact,
            None,
            json!({"LastName": "Stranger", "AccountId": person_account.as_str()}),
        );
        assert_eq!(joined.0, "FIELD_INTEGRITY_EXCEPTION");
        let business_contact = org
            .create(
                contact,
                &body(json!({"LastName": "Kim", "AccountId": acme.as_str()})),
                &admin,
                NOW,
            )
            .unwrap();
        assert_eq!(
            refuse(
                &mut org,
                contact,
                Some(&business_contact),
                json!({"AccountId": person_account.as_str()})
            )
            .0,
            "FIELD_INTEGRITY_EXCEPTION"
        );
        assert_eq!(
            refuse(
                &mut org,
                contact,
                None,
                json!({"LastName": "X", "IsPersonAccount": true})
            )
            .0,
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            "no contact becomes a person contact through the Contact object"
        );
        // Nothing refused left a trace.
        assert_eq!(org.count_live(contact), 2);
    }
}
