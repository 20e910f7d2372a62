//! The org's data: records as ordered field maps, validated against the schema on every
//! write the way Salesforce validates them, so a client that passes here is not surprised
//! by a real org.

use super::schema::{self, Access, FieldDef, FieldType, ObjectDef};
use crate::clock;
use serde_json::{Map, Value};
use shared::ids::{Email, SfId};
use std::collections::{BTreeMap, HashMap};

/// One record: every field of its object, in schema order, `null` where empty.
pub type Record = Map<String, Value>;

/// The org's pod code: the two characters after the key prefix in every Id.
pub const POD: &str = "5g";

/// Sequences start high so Ids have mixed-case digits (and non-trivial case-safe
/// suffixes) like real ones, instead of a run of zeros.
const SEQUENCE_BASE: u64 = 7_316_210_000;

/// A write Salesforce would refuse, in its own words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteError {
    pub code: &'static str,
    pub message: String,
    pub fields: Option<Vec<String>>,
}

impl WriteError {
    fn new(code: &'static str, message: impl Into<String>, fields: Option<Vec<String>>) -> Self {
        WriteError {
            code,
            message: message.into(),
            fields,
        }
    }

    pub fn not_found() -> Self {
        WriteError::new("NOT_FOUND", "The requested resource does not exist", None)
    }

    pub fn deleted() -> Self {
        WriteError::new("ENTITY_IS_DELETED", "entity is deleted", Some(vec![]))
    }
}

pub struct Org {
    pub org_id: SfId,
    tables: HashMap<&'static str, BTreeMap<String, Record>>,
    /// One counter for every object, so no two records share an Id body.
    sequence: u64,
}

impl Org {
    pub fn new(org_id: SfId) -> Self {
        Org {
            org_id,
            tables: HashMap::new(),
            sequence: 0,
        }
    }

    /// A fresh Id with this key prefix. Base62 digits sort like their values, so a
    /// table keyed by Id iterates in creation order, as Salesforce's default order does.
    pub fn next_id(&mut self, key_prefix: &str) -> SfId {
        self.sequence += 1;
        SfId::from_parts(key_prefix, POD, SEQUENCE_BASE + self.sequence)
            .expect("key prefixes and the pod are alphanumeric")
    }

    /// The Id the next record with this key prefix will get (for self-references, like
    /// the first user being its own creator).
    pub fn peek_next_id(&self, key_prefix: &str) -> SfId {
        SfId::from_parts(key_prefix, POD, SEQUENCE_BASE + self.sequence + 1)
            .expect("key prefixes and the pod are alphanumeric")
    }

    /// A record by Id, deleted ones included (callers decide how to answer for those).
    pub fn get(&self, id: &SfId) -> Option<(&'static ObjectDef, &Record)> {
        let object = schema::object_by_prefix(id.key_prefix())?;
        let record = self.tables.get(object.name)?.get(id.as_str())?;
        Some((object, record))
    }

    /// The records a query sees: not deleted, in Id order.
    pub fn live<'a>(&'a self, object: &ObjectDef) -> impl Iterator<Item = &'a Record> + 'a {
        self.tables
            .get(object.name)
            .into_iter()
            .flat_map(|table| table.values())
            .filter(|record| !is_deleted(record))
    }

    pub fn is_live(&self, id: &SfId) -> bool {
        self.get(id).is_some_and(|(_, record)| !is_deleted(record))
    }

    pub fn create(
        &mut self,
        object: &'static ObjectDef,
        input: &Map<String, Value>,
        actor: &SfId,
        now_ms: i64,
    ) -> Result<SfId, WriteError> {
        let changes = self.validate(object, input)?;
        let id = self.next_id(object.key_prefix);
        let mut record = Record::new();
        for field in object.fields {
            let empty = match field.ty {
                FieldType::Boolean => Value::Bool(false),
                _ => Value::Null,
            };
            record.insert(field.name.to_owned(), empty);
        }
        let now = Value::String(clock::sf_datetime(now_ms));
        let actor = Value::String(actor.to_string());
        for (name, value) in [
            ("Id", Value::String(id.to_string())),
            ("CreatedDate", now.clone()),
            ("CreatedById", actor.clone()),
            ("OwnerId", actor.clone()),
            ("LastModifiedDate", now.clone()),
            ("LastModifiedById", actor),
            ("SystemModstamp", now),
        ] {
            if let Some(slot) = record.get_mut(name) {
                *slot = value;
            }
        }
        apply_defaults(object, &mut record);
        record.extend(changes.clone());
        derive(object, &mut record, &changes);
        check_required(object, &record)?;
        self.tables
            .entry(object.name)
            .or_default()
            .insert(id.to_string(), record);
        Ok(id)
    }

    pub fn update(
        &mut self,
        object: &'static ObjectDef,
        id: &SfId,
        input: &Map<String, Value>,
        actor: &SfId,
        now_ms: i64,
    ) -> Result<(), WriteError> {
        self.check_writable(object, id)?;
        let changes = self.validate(object, input)?;
        let record = self.record_mut(object, id)?;
        let mut updated = record.clone();
        updated.extend(changes.clone());
        derive(object, &mut updated, &changes);
        check_required(object, &updated)?;
        touch(&mut updated, actor, now_ms);
        *record = updated;
        Ok(())
    }

    /// Deletion moves a record to the recycle bin: `IsDeleted` set, invisible to queries.
    pub fn delete(
        &mut self,
        object: &'static ObjectDef,
        id: &SfId,
        actor: &SfId,
        now_ms: i64,
    ) -> Result<(), WriteError> {
        self.check_writable(object, id)?;
        let record = self.record_mut(object, id)?;
        record.insert("IsDeleted".into(), Value::Bool(true));
        touch(record, actor, now_ms);
        Ok(())
    }

    fn check_writable(&self, object: &ObjectDef, id: &SfId) -> Result<(), WriteError> {
        match self.get(id) {
            Some((found, _)) if found.name != object.name => Err(WriteError::not_found()),
            Some((_, record)) if is_deleted(record) => Err(WriteError::deleted()),
            Some(_) => Ok(()),
            None => Err(WriteError::not_found()),
        }
    }

    fn record_mut(&mut self, object: &ObjectDef, id: &SfId) -> Result<&mut Record, WriteError> {
        self.tables
            .get_mut(object.name)
            .and_then(|table| table.get_mut(id.as_str()))
            .ok_or_else(WriteError::not_found)
    }

    /// Maps a request body to canonical field names and stored values, or refuses it.
    fn validate(
        &self,
        object: &ObjectDef,
        input: &Map<String, Value>,
    ) -> Result<Record, WriteError> {
        let mut changes = Record::new();
        let mut read_only = Vec::new();
        for (name, value) in input {
            let Some(field) = object.field(name) else {
                return Err(WriteError::new(
                    "INVALID_FIELD",
                    format!("No such column '{name}' on sobject of type {}", object.name),
                    None,
                ));
            };
            if !field.access.writable() {
                read_only.push(field.name.to_owned());
                continue;
            }
            let value = coerce(field, value)?;
            if let (FieldType::Reference { .. }, Value::String(id)) = (field.ty, &value) {
                let live = SfId::parse(id).is_ok_and(|id| self.is_live(&id));
                if !live {
                    return Err(WriteError::new(
                        "INVALID_CROSS_REFERENCE_KEY",
                        format!("invalid cross reference id: {id}"),
                        Some(vec![]),
                    ));
                }
            }
            changes.insert(field.name.to_owned(), value);
        }
        if !read_only.is_empty() {
            return Err(WriteError::new(
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                format!(
                    "Unable to create/update fields: {}. Please check the security settings of \
                     this field and verify that it is read/write for your role or permission set.",
                    read_only.join(", ")
                ),
                Some(read_only),
            ));
        }
        Ok(changes)
    }
}

pub fn is_deleted(record: &Record) -> bool {
    record.get("IsDeleted") == Some(&Value::Bool(true))
}

fn touch(record: &mut Record, actor: &SfId, now_ms: i64) {
    let now = Value::String(clock::sf_datetime(now_ms));
    record.insert("LastModifiedDate".into(), now.clone());
    record.insert("LastModifiedById".into(), Value::String(actor.to_string()));
    record.insert("SystemModstamp".into(), now);
}

/// Converts a JSON value to what the field stores, with Salesforce's error when it cannot.
fn coerce(field: &FieldDef, value: &Value) -> Result<Value, WriteError> {
    let ty = field.ty;
    let parser_error = || {
        let shown = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let kind = match value {
            Value::String(_) => "VALUE_STRING",
            Value::Number(_) => "VALUE_NUMBER",
            Value::Bool(_) => "VALUE_BOOLEAN",
            Value::Array(_) => "START_ARRAY",
            _ => "START_OBJECT",
        };
        WriteError::new(
            "JSON_PARSER_ERROR",
            format!(
                "Cannot deserialize instance of {} from {kind} value {shown} or request may be \
                 missing a required field",
                ty.describe_name()
            ),
            None,
        )
    };
    if value.is_null() {
        return Ok(match ty {
            FieldType::Boolean => Value::Bool(false),
            _ => Value::Null,
        });
    }
    match ty {
        FieldType::Boolean => value.as_bool().map(Value::Bool).ok_or_else(parser_error),
        FieldType::Int => {
            let number = number_of(value).ok_or_else(parser_error)?;
            if number.fract() != 0.0 {
                return Err(parser_error());
            }
            Ok(Value::from(number as i64))
        }
        FieldType::Currency | FieldType::Percent | FieldType::Double => {
            number_of(value).map(Value::from).ok_or_else(parser_error)
        }
        FieldType::Date => {
            let text = value.as_str().ok_or_else(parser_error)?;
            clock::parse_date(text)
                .map(|ms| Value::String(clock::sf_date(ms)))
                .ok_or_else(parser_error)
        }
        FieldType::DateTime => {
            let text = value.as_str().ok_or_else(parser_error)?;
            clock::parse_datetime(text)
                .map(|ms| Value::String(clock::sf_datetime(ms)))
                .ok_or_else(parser_error)
        }
        FieldType::Id | FieldType::Reference { .. } => {
            let text = value.as_str().ok_or_else(parser_error)?;
            let to = match ty {
                FieldType::Reference { to, .. } => to,
                _ => &[][..],
            };
            let id = SfId::parse(text).ok().filter(|id| {
                to.iter().any(|name| {
                    schema::object(name).is_some_and(|o| o.key_prefix == id.key_prefix())
                })
            });
            id.map(|id| Value::String(id.to_string())).ok_or_else(|| {
                WriteError::new(
                    "MALFORMED_ID",
                    format!("{}: id value of incorrect type: {text}", field.label),
                    Some(vec![field.name.to_owned()]),
                )
            })
        }
        _ => {
            // Text of every kind. Salesforce stores an empty string as null.
            let text = match value {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => return Err(parser_error()),
            };
            if text.is_empty() {
                return Ok(Value::Null);
            }
            if ty == FieldType::Email && Email::parse(&text).is_err() {
                return Err(WriteError::new(
                    "INVALID_EMAIL_ADDRESS",
                    format!("{}: invalid email address: {text}", field.label),
                    Some(vec![field.name.to_owned()]),
                ));
            }
            let max = ty.max_length().unwrap_or(u32::MAX) as usize;
            if text.chars().count() > max {
                return Err(WriteError::new(
                    "STRING_TOO_LONG",
                    format!(
                        "{}: data value too large: {text} (max length={max})",
                        field.label
                    ),
                    Some(vec![field.name.to_owned()]),
                ));
            }
            Ok(Value::String(text))
        }
    }
}

/// Salesforce's JSON reader takes numbers for numeric fields, and numeric strings too.
fn number_of(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
        _ => None,
    }
}

/// The defaults a new org ships with.
fn apply_defaults(object: &ObjectDef, record: &mut Record) {
    match object.name {
        "Task" => {
            record.insert("Status".into(), Value::String("Not Started".into()));
            record.insert("Priority".into(), Value::String("Normal".into()));
        }
        "User" => {
            record.insert("IsActive".into(), Value::Bool(true));
        }
        _ => {}
    }
}

/// Recomputes the fields Salesforce derives from others.
fn derive(object: &ObjectDef, record: &mut Record, changes: &Record) {
    let text = |record: &Record, name: &str| {
        record
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    match object.name {
        "Contact" | "User" => {
            let name = [text(record, "FirstName"), text(record, "LastName")]
                .into_iter()
                .filter(|part| !part.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            record.insert("Name".into(), Value::String(name));
        }
        "Opportunity" => {
            let stage = text(record, "StageName");
            // A stage change sets the stage's default probability unless one is given.
            let default = schema::OPPORTUNITY_STAGES.iter().find(|(s, _)| *s == stage);
            if changes.contains_key("StageName")
                && !changes.contains_key("Probability")
                && let Some((_, probability)) = default
            {
                record.insert("Probability".into(), Value::from(*probability));
            }
            let closed = stage.starts_with("Closed");
            record.insert("IsClosed".into(), Value::Bool(closed));
            record.insert("IsWon".into(), Value::Bool(stage == "Closed Won"));
        }
        "Task" => {
            let closed = text(record, "Status") == "Completed";
            record.insert("IsClosed".into(), Value::Bool(closed));
        }
        "Event" => {
            let start = clock::parse_datetime(&text(record, "StartDateTime"));
            let end = clock::parse_datetime(&text(record, "EndDateTime"));
            if let Some(start) = start {
                record.insert(
                    "ActivityDateTime".into(),
                    Value::String(clock::sf_datetime(start)),
                );
                record.insert("ActivityDate".into(), Value::String(clock::sf_date(start)));
            }
            if let (Some(start), Some(end)) = (start, end) {
                record.insert(
                    "DurationInMinutes".into(),
                    Value::from((end - start) / 60_000),
                );
            }
        }
        _ => {}
    }
}

fn check_required(object: &ObjectDef, record: &Record) -> Result<(), WriteError> {
    let missing: Vec<String> = object
        .fields
        .iter()
        .filter(|f| f.access == Access::Required)
        .filter(|f| record.get(f.name).is_none_or(Value::is_null))
        .map(|f| f.name.to_owned())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(WriteError::new(
        "REQUIRED_FIELD_MISSING",
        format!("Required fields are missing: [{}]", missing.join(", ")),
        Some(missing),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: i64 = 1_765_890_330_000;

    fn org() -> (Org, SfId) {
        let mut org = Org::new(SfId::from_parts("00D", POD, 1).unwrap());
        let actor = org.next_id("005");
        (org, actor)
    }

    fn body(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn ids_are_real_eighteen_char_ids_in_creation_order() {
        let (mut org, actor) = org();
        let a = org
            .create(
                &schema::CONTACT,
                &body(json!({"LastName": "A"})),
                &actor,
                NOW,
            )
            .unwrap();
        let b = org
            .create(
                &schema::CONTACT,
                &body(json!({"LastName": "B"})),
                &actor,
                NOW,
            )
            .unwrap();
        assert_eq!(a.as_str().len(), 18);
        assert_eq!(a.key_prefix(), "003");
        assert_eq!(&a.as_str()[3..5], POD);
        assert_eq!(SfId::parse(&a.as_str()[..15]).unwrap(), a);
        assert!(a < b);
        let names: Vec<_> = org
            .live(&schema::CONTACT)
            .map(|r| r["LastName"].clone())
            .collect();
        assert_eq!(names, vec![json!("A"), json!("B")]);
    }

    #[test]
    fn create_fills_system_and_derived_fields() {
        let (mut org, actor) = org();
        let id = org
            .create(
                &schema::CONTACT,
                &body(json!({"firstname": "Ada", "LastName": "Lovelace", "Email": ""})),
                &actor,
                NOW,
            )
            .unwrap();
        let (_, record) = org.get(&id).unwrap();
        assert_eq!(record["Name"], "Ada Lovelace");
        assert_eq!(
            record["Email"],
            Value::Null,
            "empty strings are stored as null"
        );
        assert_eq!(record["IsDeleted"], false);
        assert_eq!(record["CreatedDate"], "2025-12-16T13:05:30.000+0000");
        assert_eq!(record["OwnerId"], actor.as_str());
        let keys: Vec<_> = record.keys().take(2).collect();
        assert_eq!(keys, ["Id", "IsDeleted"], "schema order");
    }

    #[test]
    fn update_touches_timestamps_and_rederives() {
        let (mut org, actor) = org();
        let id = org
            .create(
                &schema::OPPORTUNITY,
                &body(
                    json!({"Name": "Deal", "StageName": "Prospecting", "CloseDate": "2026-01-31"}),
                ),
                &actor,
                NOW,
            )
            .unwrap();
        assert_eq!(org.get(&id).unwrap().1["Probability"], 10.0);
        org.update(
            &schema::OPPORTUNITY,
            &id,
            &body(json!({"StageName": "Closed Won"})),
            &actor,
            NOW + 1000,
        )
        .unwrap();
        let (_, record) = org.get(&id).unwrap();
        assert_eq!(record["IsWon"], true);
        assert_eq!(record["Probability"], 100.0);
        assert_eq!(record["LastModifiedDate"], "2025-12-16T13:05:31.000+0000");
        assert_eq!(record["CreatedDate"], "2025-12-16T13:05:30.000+0000");
    }

    #[test]
    fn writes_are_validated_like_salesforce() {
        let (mut org, actor) = org();
        let refuse = |org: &mut Org, input: Value| {
            org.create(&schema::CONTACT, &body(input), &actor, NOW)
                .unwrap_err()
        };
        assert_eq!(refuse(&mut org, json!({})).code, "REQUIRED_FIELD_MISSING");
        assert_eq!(
            refuse(&mut org, json!({"LastName": "X", "Nope": 1})).code,
            "INVALID_FIELD"
        );
        let read_only = refuse(&mut org, json!({"LastName": "X", "Name": "Y"}));
        assert_eq!(read_only.code, "INVALID_FIELD_FOR_INSERT_UPDATE");
        assert_eq!(read_only.fields, Some(vec!["Name".to_owned()]));
        assert_eq!(
            refuse(&mut org, json!({"LastName": "X", "Email": "nope"})).code,
            "INVALID_EMAIL_ADDRESS"
        );
        assert_eq!(
            refuse(&mut org, json!({"LastName": "X", "AccountId": "003"})).code,
            "MALFORMED_ID"
        );
        let missing_account = SfId::from_parts("001", POD, 99).unwrap().to_string();
        assert_eq!(
            refuse(
                &mut org,
                json!({"LastName": "X", "AccountId": missing_account})
            )
            .code,
            "INVALID_CROSS_REFERENCE_KEY"
        );
        let err = org
            .create(
                &schema::ACCOUNT,
                &body(json!({"Name": "A", "NumberOfEmployees": "many"})),
                &actor,
                NOW,
            )
            .unwrap_err();
        assert_eq!(err.code, "JSON_PARSER_ERROR");
        assert!(err.message.contains("int"), "{}", err.message);
    }

    #[test]
    fn deleted_records_leave_queries_and_refuse_writes() {
        let (mut org, actor) = org();
        let id = org
            .create(
                &schema::ACCOUNT,
                &body(json!({"Name": "Gone"})),
                &actor,
                NOW,
            )
            .unwrap();
        org.delete(&schema::ACCOUNT, &id, &actor, NOW).unwrap();
        assert_eq!(org.live(&schema::ACCOUNT).count(), 0);
        assert_eq!(
            org.delete(&schema::ACCOUNT, &id, &actor, NOW)
                .unwrap_err()
                .code,
            "ENTITY_IS_DELETED"
        );
        assert_eq!(
            org.update(&schema::CONTACT, &id, &Map::new(), &actor, NOW)
                .unwrap_err()
                .code,
            "NOT_FOUND"
        );
    }
}
