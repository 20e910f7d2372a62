//! The REST API's operations, each a plain function over the org that answers a
//! [`Reply`]: query pages (with query locators), sObject rows (create, read, update,
//! delete), sObject Collections and describe. The HTTP handlers (`rest`) and the
//! Composite sub-requests (`composite`) both run them, so a sub-request behaves exactly
//! like the same request sent on its own.

use super::access::View;
use super::query::{self, Answer, Options, Plan};
use super::schema::{self, Call, FieldType, ObjectDef};
use super::store::{self, Org, Savepoint};
use super::{ApiError, Caller, SalesforceState, json_response, lock};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use contract::ids::SfId;
use serde_json::{Map, Value, json};
use shared::salesforce::API_VERSION;
use std::collections::VecDeque;
use std::sync::Arc;

/// Salesforce's default and bounds for `Sforce-Query-Options: batchSize=N`.
pub(super) const DEFAULT_BATCH: usize = 2000;
pub(super) const MIN_BATCH: usize = 200;
/// Open query cursors kept; older ones expire, as idle cursors do in a real org.
const MAX_CURSORS: usize = 64;
/// Records per sObject Collections call.
const MAX_COLLECTION: usize = 200;

/// Versions from Winter '11 (v20.0) up to ours are accepted.
pub(super) fn supported_version(version: &str) -> bool {
    let ours: u32 = API_VERSION
        .trim_start_matches('v')
        .trim_end_matches(".0")
        .parse()
        .expect("API_VERSION is vNN.0");
    version
        .strip_prefix('v')
        .and_then(|v| v.strip_suffix(".0"))
        .and_then(|n| n.parse::<u32>().ok())
        .is_some_and(|n| (20..=ours).contains(&n))
}

/// What an operation answers: a status, maybe a `Location`, maybe a JSON body.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Reply {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: Option<Value>,
}

impl Reply {
    pub fn ok(body: Value) -> Self {
        Reply {
            status: StatusCode::OK,
            location: None,
            body: Some(body),
        }
    }

    fn no_content() -> Self {
        Reply {
            status: StatusCode::NO_CONTENT,
            location: None,
            body: None,
        }
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let mut response = match &self.body {
            Some(body) => json_response(self.status, body),
            None => self.status.into_response(),
        };
        if let Some(location) = self.location
            && let Ok(value) = HeaderValue::from_str(&location)
        {
            response.headers_mut().insert(header::LOCATION, value);
        }
        response
    }
}

pub(super) type Outcome = Result<Reply, ApiError>;

// ---------------------------------------------------------------------------------------
// Query

struct Cursor {
    locator: String,
    plan: Arc<Plan>,
    positions: Arc<Vec<usize>>,
    /// `queryAll` pages link back to `queryAll`.
    all: bool,
}

#[derive(Default)]
pub(super) struct Cursors {
    issued: u64,
    open: VecDeque<Cursor>,
}

/// Runs a query and answers its first page, opening a query locator for the rest.
pub(super) fn query_page(
    state: &SalesforceState,
    org: &Org,
    caller: &Caller,
    soql: Option<&str>,
    all: bool,
    batch: usize,
) -> Outcome {
    let Some(soql) = soql.filter(|q| !q.trim().is_empty()) else {
        return Err(ApiError::bad_request(
            "MALFORMED_QUERY",
            "A query string has to be specified",
        ));
    };
    let options = Options {
        include_deleted: all,
        ..Options::new(caller.view, &caller.version, state.clock.now_ms())
    };
    let (plan, positions) = match query::execute(org, soql, &options)? {
        Answer::Rows { plan, positions } => (plan, positions),
        other => {
            let total = other.total();
            return Ok(page(total, other.into_values(org), None));
        }
    };
    let batch = state.query_batch(batch);
    let total = positions.len();
    if total <= batch {
        return Ok(page(total, plan.shape(org, &positions), None));
    }
    let first = plan.shape(org, &positions[..batch]);
    let mut cursors = lock(&state.cursors);
    cursors.issued += 1;
    let locator = SfId::from_parts("01g", store::POD, cursors.issued)
        .expect("a fixed prefix and pod")
        .to_string();
    cursors.open.push_back(Cursor {
        locator: locator.clone(),
        plan,
        positions: Arc::new(positions),
        all,
    });
    if cursors.open.len() > MAX_CURSORS {
        cursors.open.pop_front();
    }
    let resource = if all { "queryAll" } else { "query" };
    let next = format!(
        "/services/data/{}/{resource}/{locator}-{batch}",
        caller.version
    );
    Ok(page(total, first, Some(next)))
}

/// The page after a `nextRecordsUrl`: `cursor` is `<locator>-<offset>`.
pub(super) fn next_query_page(
    state: &SalesforceState,
    caller: &Caller,
    cursor: &str,
    batch: usize,
) -> Outcome {
    let invalid = || ApiError::bad_request("INVALID_QUERY_LOCATOR", "invalid query locator");
    let (locator, offset) = cursor.rsplit_once('-').ok_or_else(invalid)?;
    let offset: usize = offset.parse().map_err(|_| invalid())?;
    let (plan, positions, all) = {
        let cursors = lock(&state.cursors);
        let cursor = cursors
            .open
            .iter()
            .find(|c| c.locator == locator)
            .ok_or_else(invalid)?;
        (cursor.plan.clone(), cursor.positions.clone(), cursor.all)
    };
    if offset >= positions.len() {
        return Err(invalid());
    }
    let end = (offset + state.query_batch(batch)).min(positions.len());
    let resource = if all { "queryAll" } else { "query" };
    let next = (end < positions.len()).then(|| {
        format!(
            "/services/data/{}/{resource}/{locator}-{end}",
            caller.version
        )
    });
    let org = lock(&state.org);
    let records = plan.shape(&org, &positions[offset..end]);
    Ok(page(positions.len(), records, next))
}

/// A query page: `nextRecordsUrl` is absent, not null, on the last one.
fn page(total: usize, records: Vec<Value>, next_records_url: Option<String>) -> Reply {
    let mut body = Map::new();
    body.insert("totalSize".into(), Value::from(total));
    body.insert("done".into(), Value::Bool(next_records_url.is_none()));
    if let Some(next) = next_records_url {
        body.insert("nextRecordsUrl".into(), Value::String(next));
    }
    body.insert("records".into(), Value::Array(records));
    Reply::ok(Value::Object(body))
}

// ---------------------------------------------------------------------------------------
// sObject rows

/// An object the caller can read, by name; any other name is not found, as an object
/// without read permission is for its user.
pub(super) fn object_named(view: View, name: &str) -> Result<&'static ObjectDef, ApiError> {
    view.object(name).ok_or_else(ApiError::not_found)
}

/// Refuses a write the caller cannot make: a call the object does not support, or a body
/// naming a field hidden from the caller, refused as a field the object does not have
/// (REST API Developer Guide: fields "inaccessible to you by field-level security" are
/// treated as not there).
fn check_write(
    view: View,
    object: &'static ObjectDef,
    call: Call,
    input: &Map<String, Value>,
) -> Result<(), store::WriteError> {
    // "INVALID_TYPE_FOR_OPERATION: The specified sObject type is invalid for the
    // specified operation" (SOAP API Developer Guide, StatusCode).
    if !object.calls.allows(call) {
        return Err(store::WriteError::unsupported(object, call));
    }
    let hidden = input
        .keys()
        .find(|name| object.index_of(name).is_some() && view.field(object, name).is_none());
    match hidden {
        Some(name) => Err(store::WriteError::no_such_column(object, name)),
        None => Ok(()),
    }
}

pub(super) fn parse_body(body: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(
            "JSON_PARSER_ERROR",
            format!("Unexpected character in the request body: {e}"),
        )
    })
}

pub(super) fn as_record(body: &Value) -> Result<&Map<String, Value>, ApiError> {
    body.as_object().ok_or_else(|| {
        ApiError::bad_request(
            "JSON_PARSER_ERROR",
            "Cannot deserialize instance of an sObject from a non-object value",
        )
    })
}

/// An Id from the URL; an unparsable one reads as an unknown external id, as in a real org.
pub(super) fn id_in_path(text: &str) -> Result<SfId, ApiError> {
    SfId::parse(text).map_err(|_| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            format!("Provided external ID field does not exist or is not accessible: {text}"),
        )
    })
}

fn record_url(version: &str, object: &str, id: &str) -> String {
    format!("/services/data/{version}/sobjects/{object}/{id}")
}

pub(super) fn create_record(
    org: &mut Org,
    caller: &Caller,
    now: i64,
    sobject: &str,
    input: &Map<String, Value>,
) -> Outcome {
    let object = object_named(caller.view, sobject)?;
    check_write(caller.view, object, Call::Create, input)?;
    let id = org.create(object, input, &caller.user, now)?;
    Ok(Reply {
        status: StatusCode::CREATED,
        location: Some(record_url(&caller.version, object.name, id.as_str())),
        body: Some(json!({"id": id.as_str(), "success": true, "errors": []})),
    })
}

pub(super) fn read_record(
    org: &Org,
    caller: &Caller,
    sobject: &str,
    id: &str,
    fields: Option<&str>,
) -> Outcome {
    let object = object_named(caller.view, sobject)?;
    let id = id_in_path(id)?;
    let record = match org.get(&id) {
        Some(record) if record.object().name == object.name => record,
        _ => return Err(ApiError::not_found()),
    };
    if record.is_deleted() {
        return Err(store::WriteError::deleted().into());
    }
    let fields = selected_fields(caller.view, object, fields)?;
    let mut body = Map::new();
    body.insert(
        "attributes".into(),
        query::attributes(object.name, object.name, id.as_str(), &caller.version),
    );
    for index in fields {
        body.insert(
            object.fields[index].name.to_owned(),
            record.at(index).clone(),
        );
    }
    Ok(Reply::ok(Value::Object(body)))
}

pub(super) fn update_record(
    org: &mut Org,
    caller: &Caller,
    now: i64,
    sobject: &str,
    id: &str,
    input: &Map<String, Value>,
) -> Outcome {
    let object = object_named(caller.view, sobject)?;
    let id = id_in_path(id)?;
    check_write(caller.view, object, Call::Update, input)?;
    org.update(object, &id, input, &caller.user, now)?;
    Ok(Reply::no_content())
}

pub(super) fn delete_record(
    org: &mut Org,
    caller: &Caller,
    now: i64,
    sobject: &str,
    id: &str,
) -> Outcome {
    let object = object_named(caller.view, sobject)?;
    let id = id_in_path(id)?;
    check_write(caller.view, object, Call::Delete, &Map::new())?;
    org.delete(object, &id, &caller.user, now)?;
    Ok(Reply::no_content())
}

/// `?fields=A,B` limits a read to those fields; without it, every field the caller can
/// see ("If you specify fields that don't exist or are inaccessible to you by field-level
/// security, a 400 error response is returned", REST API Developer Guide, "Get Field
/// Values from a Standard Object Record").
fn selected_fields(
    view: View,
    object: &'static ObjectDef,
    fields: Option<&str>,
) -> Result<Vec<usize>, ApiError> {
    let Some(fields) = fields else {
        return Ok(view.fields(object).map(|(i, _)| i).collect());
    };
    fields
        .split(',')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(|name| {
            view.field(object, name).ok_or_else(|| {
                ApiError::bad_request(
                    "INVALID_FIELD",
                    format!("No such column '{name}' on entity '{}'.", object.name),
                )
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// sObject Collections

/// One record's save result as Collections answer it (`statusCode`, not `errorCode`, and
/// `fields` always present); a failed create has no `id`.
fn save_result(id: Option<&str>, error: Option<&store::WriteError>) -> Value {
    let mut result = Map::new();
    if let Some(id) = id {
        result.insert("id".into(), Value::String(id.to_owned()));
    }
    result.insert("success".into(), Value::Bool(error.is_none()));
    let errors: Vec<Value> = error
        .map(|e| {
            json!({
                "statusCode": e.code,
                "message": e.message,
                "fields": e.fields.clone().unwrap_or_default(),
            })
        })
        .into_iter()
        .collect();
    result.insert("errors".into(), Value::Array(errors));
    Value::Object(result)
}

fn rolled_back() -> store::WriteError {
    store::WriteError::new(
        "ALL_OR_NONE_OPERATION_ROLLED_BACK",
        "Record rolled back because not all records were valid and the request was using \
         AllOrNone header",
        Some(vec![]),
    )
}

/// Ends a Collections call's savepoint: everything is rolled back when `roll_back` (an
/// `allOrNone` call in which a record failed), else kept. Answers `roll_back`.
fn settle(org: &mut Org, savepoint: Savepoint, roll_back: bool) -> bool {
    if roll_back {
        org.rollback(savepoint);
    } else {
        org.commit(savepoint);
    }
    roll_back
}

/// The sObject type a Collections record names in `attributes.type`.
fn record_type(
    view: View,
    record: &Map<String, Value>,
) -> Result<&'static ObjectDef, store::WriteError> {
    let name = record
        .get("attributes")
        .and_then(|a| a.get("type"))
        .and_then(Value::as_str)
        .ok_or_else(|| {
            store::WriteError::new(
                "INVALID_TYPE",
                "Must send a concrete entity type.",
                Some(vec![]),
            )
        })?;
    view.object(name).ok_or_else(|| {
        store::WriteError::new(
            "INVALID_TYPE",
            format!("sObject type '{name}' is not supported."),
            Some(vec![]),
        )
    })
}

/// `POST` (create) or `PATCH` (update) `/composite/sobjects`: up to 200 records, each
/// answered on its own; with `allOrNone` a failure rolls every record back. Answers the
/// results and whether any record failed.
pub(super) fn collection_save(
    org: &mut Org,
    caller: &Caller,
    now: i64,
    creating: bool,
    body: &Value,
    force_all_or_none: bool,
) -> Result<(Reply, bool), ApiError> {
    let body = as_record(body)?;
    let all_or_none =
        force_all_or_none || body.get("allOrNone").and_then(Value::as_bool) == Some(true);
    let records = body
        .get("records")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            ApiError::bad_request("JSON_PARSER_ERROR", "The request body must list records")
        })?;
    if records.len() > MAX_COLLECTION {
        return Err(ApiError::bad_request(
            "EXCEEDED_ID_LIMIT",
            "record limit reached. cannot submit more than 200 records into this call",
        ));
    }
    let savepoint = org.begin();
    let mut results: Vec<Result<String, store::WriteError>> = Vec::with_capacity(records.len());
    for record in records {
        let result = match record.as_object() {
            None => Err(store::WriteError::new(
                "JSON_PARSER_ERROR",
                "Cannot deserialize instance of an sObject from a non-object value",
                Some(vec![]),
            )),
            Some(record) => save_one(org, caller, now, creating, record),
        };
        results.push(result);
    }
    let failed = results.iter().any(Result::is_err);
    let rolled_back_all = settle(org, savepoint, failed && all_or_none);
    let rolled = rolled_back();
    let answers: Vec<Value> = results
        .iter()
        .map(|result| match result {
            Ok(_) if rolled_back_all => save_result(None, Some(&rolled)),
            Ok(id) => save_result(Some(id), None),
            Err(error) => save_result(None, Some(error)),
        })
        .collect();
    Ok((Reply::ok(Value::Array(answers)), failed))
}

fn save_one(
    org: &mut Org,
    caller: &Caller,
    now: i64,
    creating: bool,
    record: &Map<String, Value>,
) -> Result<String, store::WriteError> {
    let object = record_type(caller.view, record)?;
    let mut input = record.clone();
    input.remove("attributes");
    let id_key = input.keys().find(|k| k.eq_ignore_ascii_case("id")).cloned();
    let id = id_key.and_then(|key| input.remove(&key));
    let call = if creating { Call::Create } else { Call::Update };
    check_write(caller.view, object, call, &input)?;
    if creating {
        if id.is_some_and(|id| !id.is_null()) {
            return Err(store::WriteError::new(
                "INVALID_FIELD",
                "cannot specify Id in an insert call",
                Some(vec!["Id".into()]),
            ));
        }
        return org
            .create(object, &input, &caller.user, now)
            .map(|id| id.to_string());
    }
    let text = id.as_ref().and_then(Value::as_str).unwrap_or_default();
    if text.is_empty() {
        return Err(store::WriteError::new(
            "MISSING_ARGUMENT",
            "Id not specified in an update call",
            Some(vec![]),
        ));
    }
    let id = SfId::parse(text)
        .ok()
        .filter(|id| id.key_prefix() == object.key_prefix)
        .ok_or_else(|| {
            store::WriteError::new(
                "MALFORMED_ID",
                format!("{} ID: id value of incorrect type: {text}", object.label),
                Some(vec!["Id".into()]),
            )
        })?;
    org.update(object, &id, &input, &caller.user, now)?;
    Ok(id.to_string())
}

/// `DELETE /composite/sobjects?ids=...&allOrNone=...`.
pub(super) fn collection_remove(
    org: &mut Org,
    caller: &Caller,
    now: i64,
    ids: &str,
    all_or_none: bool,
) -> Result<(Reply, bool), ApiError> {
    let ids: Vec<&str> = ids
        .split(',')
        .map(str::trim)
        .filter(|i| !i.is_empty())
        .collect();
    if ids.is_empty() {
        return Err(ApiError::bad_request(
            "MISSING_ARGUMENT",
            "The ids parameter must list the records to delete",
        ));
    }
    if ids.len() > MAX_COLLECTION {
        return Err(ApiError::bad_request(
            "EXCEEDED_ID_LIMIT",
            "record limit reached. cannot submit more than 200 records into this call",
        ));
    }
    let savepoint = org.begin();
    let results: Vec<Result<(), store::WriteError>> = ids
        .iter()
        .map(|text| {
            let id = SfId::parse(text).map_err(|_| {
                store::WriteError::new(
                    "MALFORMED_ID",
                    format!("malformed id {text}"),
                    Some(vec!["Id".into()]),
                )
            })?;
            let object = caller
                .view
                .object_by_prefix(id.key_prefix())
                .ok_or_else(store::WriteError::not_found)?;
            check_write(caller.view, object, Call::Delete, &Map::new())?;
            org.delete(object, &id, &caller.user, now)
        })
        .collect();
    let failed = results.iter().any(Result::is_err);
    let rolled_back_all = settle(org, savepoint, failed && all_or_none);
    let rolled = rolled_back();
    let answers = ids
        .iter()
        .zip(&results)
        .map(|(id, result)| match result {
            Ok(()) if rolled_back_all => save_result(Some(id), Some(&rolled)),
            Ok(()) => save_result(Some(id), None),
            Err(error) => save_result(Some(id), Some(error)),
        })
        .collect();
    Ok((Reply::ok(Value::Array(answers)), failed))
}

// ---------------------------------------------------------------------------------------
// Describe

pub(super) fn object_summary(object: &ObjectDef, version: &str) -> Value {
    let base = format!("/services/data/{version}/sobjects/{}", object.name);
    let calls = object.calls;
    json!({
        "name": object.name,
        "label": object.label,
        "labelPlural": object.label_plural,
        // Objects whose rows are derived from others have no key prefix of their own.
        "keyPrefix": (!object.key_prefix.is_empty()).then_some(object.key_prefix),
        "custom": false,
        "createable": calls.create,
        "updateable": calls.update,
        "deletable": calls.delete,
        "queryable": calls.query,
        // What only answers as a child relationship is neither replicated nor retrieved.
        "replicateable": calls.query,
        "retrieveable": calls.query,
        "searchable": calls.query,
        "urls": {
            "sobject": base,
            "describe": format!("{base}/describe"),
            "rowTemplate": format!("{base}/{{ID}}"),
        },
    })
}

/// An object's describe as the caller sees it: the fields and child relationships it can
/// read.
pub(super) fn describe_object(caller: &Caller, sobject: &str) -> Outcome {
    let view = caller.view;
    let object = object_named(view, sobject)?;
    let mut body = object_summary(object, &caller.version);
    let fields: Vec<Value> = view
        .fields(object)
        .map(|(_, f)| describe_field(f))
        .collect();
    body["fields"] = Value::Array(fields);
    // The child relationships sub-queries can use.
    let own: Vec<Value> = view
        .children(object)
        .map(|c| {
            json!({
                "childSObject": c.object,
                "field": c.field,
                "relationshipName": c.name,
                "cascadeDelete": false,
            })
        })
        .collect();
    body["childRelationships"] = Value::Array(own);
    Ok(Reply::ok(body))
}

fn describe_field(field: &schema::FieldDef) -> Value {
    let (reference_to, relationship_name, polymorphic) = match field.ty {
        FieldType::Reference {
            to,
            relationship,
            polymorphic,
        } => (to.to_vec(), Some(relationship), polymorphic),
        _ => (vec![], None, false),
    };
    let picklist: Vec<Value> = match field.ty {
        FieldType::Picklist(values) => values
            .iter()
            .map(|&v| {
                let default = field.default_value == Some(v);
                json!({"active": true, "defaultValue": default, "label": v, "value": v, "validFor": null})
            })
            .collect(),
        _ => vec![],
    };
    let (precision, scale) = match field.ty {
        FieldType::Currency => (18, 2),
        FieldType::Double if field.custom => (18, 0),
        FieldType::Double => (18, 2),
        FieldType::Percent => (3, 0),
        _ => (0, 0),
    };
    let writable = field.access.writable();
    json!({
        "name": field.name,
        "label": field.label,
        "type": field.ty.describe_name(),
        "length": field.ty.max_length().filter(|_| field.ty.is_text() || field.ty.is_id()).unwrap_or(0),
        "precision": precision,
        "scale": scale,
        "digits": if field.ty == FieldType::Int { 9 } else { 0 },
        "custom": field.custom,
        "createable": writable,
        "updateable": writable,
        "nillable": field.access != schema::Access::Required && field.ty != FieldType::Boolean && writable,
        "calculated": field.access == schema::Access::Derived,
        "defaultedOnCreate": matches!(field.access, schema::Access::System) || field.ty == FieldType::Boolean,
        "filterable": field.ty != FieldType::Base64,
        "sortable": !matches!(field.ty, FieldType::TextArea(n) if n > 255) && field.ty != FieldType::Base64,
        "unique": field.unique,
        "caseSensitive": false,
        "externalId": field.external_id,
        "idLookup": field.ty == FieldType::Id || field.ty == FieldType::Email || field.external_id,
        "referenceTo": reference_to,
        "relationshipName": relationship_name,
        "polymorphicForeignKey": polymorphic,
        "restrictedPicklist": field.restricted,
        "picklistValues": picklist,
        "soapType": soap_type(field.ty),
    })
}

fn soap_type(ty: FieldType) -> &'static str {
    match ty {
        FieldType::Id | FieldType::Reference { .. } => "tns:ID",
        FieldType::Boolean => "xsd:boolean",
        FieldType::Currency | FieldType::Percent | FieldType::Double => "xsd:double",
        FieldType::Int => "xsd:int",
        FieldType::Date => "xsd:date",
        FieldType::DateTime => "xsd:dateTime",
        FieldType::Base64 => "xsd:base64Binary",
        _ => "xsd:string",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_up_to_ours_are_supported() {
        assert!(supported_version(API_VERSION));
        assert!(supported_version("v58.0"));
        assert!(!supported_version("v99.0"));
        assert!(!supported_version("64.0"));
        assert!(!supported_version("vx.0"));
    }
}
