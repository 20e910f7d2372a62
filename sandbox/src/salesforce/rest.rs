//! The REST API under `/services/data`: versions, query and queryAll (with query locators
//! for paging), sObject rows (create, read, update, delete), sObject Collections,
//! Composite, describe, the replication resources (`updated`, `deleted`) and limits.
//!
//! Each operation is a plain function over the org that answers a [`Reply`]; the HTTP
//! handlers and the Composite resource both call them, so a sub-request behaves exactly
//! like the same request sent on its own.

use super::query::{self, Answer, Options, Plan};
use super::schema::{self, FieldType, ObjectDef};
use super::store::{self, Org};
use super::{ApiError, Caller, SalesforceState, json_response, lock};
use crate::clock;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use contract::ids::SfId;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use shared::salesforce::API_VERSION;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

/// Salesforce's default and bounds for `Sforce-Query-Options: batchSize=N`.
pub(super) const DEFAULT_BATCH: usize = 2000;
const MIN_BATCH: usize = 200;
/// Open query cursors kept; older ones expire, as idle cursors do in a real org.
const MAX_CURSORS: usize = 64;
/// Records per sObject Collections call.
pub(super) const MAX_COLLECTION: usize = 200;
/// How far back the replication API (`updated`, `deleted`) reaches.
const REPLICATION_WINDOW_MS: i64 = 30 * 24 * 3_600_000;

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

pub(super) fn public_routes() -> Router<Arc<SalesforceState>> {
    Router::new().route("/services/data", get(versions))
}

/// Routes that need a session; [`super::authenticate`] guards them all.
pub(super) fn routes() -> Router<Arc<SalesforceState>> {
    Router::new()
        .route("/services/data/{version}", get(resources))
        .route("/services/data/{version}/limits", get(limits))
        .route("/services/data/{version}/query", get(run_query))
        .route("/services/data/{version}/query/{cursor}", get(next_page))
        .route("/services/data/{version}/queryAll", get(run_query_all))
        .route("/services/data/{version}/queryAll/{cursor}", get(next_page))
        .route(
            "/services/data/{version}/composite",
            post(super::composite::handle),
        )
        .route(
            "/services/data/{version}/composite/sobjects",
            post(collection_write)
                .patch(collection_write)
                .delete(collection_delete),
        )
        .route("/services/data/{version}/sobjects", get(global_describe))
        .route(
            "/services/data/{version}/sobjects/{sobject}",
            get(object_info).post(create),
        )
        .route(
            "/services/data/{version}/sobjects/{sobject}/describe",
            get(describe),
        )
        .route(
            "/services/data/{version}/sobjects/{sobject}/updated",
            get(updated),
        )
        .route(
            "/services/data/{version}/sobjects/{sobject}/deleted",
            get(deleted),
        )
        .route(
            "/services/data/{version}/sobjects/{sobject}/{id}",
            get(read).patch(update).delete(delete),
        )
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

async fn versions() -> Response {
    let version = API_VERSION.trim_start_matches('v');
    json_response(
        StatusCode::OK,
        &json!([{
            "label": "Summer '25",
            "url": format!("/services/data/{API_VERSION}"),
            "version": version,
        }]),
    )
}

async fn resources(Extension(caller): Extension<Caller>) -> Response {
    let v = &caller.version;
    let resources: Map<String, Value> = ["composite", "limits", "query", "queryAll", "sobjects"]
        .into_iter()
        .map(|name| (name.to_owned(), json!(format!("/services/data/{v}/{name}"))))
        .collect();
    json_response(StatusCode::OK, &resources)
}

async fn limits(State(state): State<Arc<SalesforceState>>) -> Response {
    let max = state.daily_api_limit();
    let remaining = max.saturating_sub(state.api_usage());
    json_response(
        StatusCode::OK,
        &json!({
            "DailyApiRequests": {"Max": max, "Remaining": remaining},
            "DailyBulkApiBatches": {"Max": 15000, "Remaining": 15000},
            "DataStorageMB": {"Max": 1024, "Remaining": 1024},
        }),
    )
}

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

#[derive(Deserialize)]
struct QueryParams {
    q: Option<String>,
}

async fn run_query(
    State(state): State<Arc<SalesforceState>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Query(params): Query<QueryParams>,
) -> Outcome {
    let org = lock(&state.org);
    query_page(
        &state,
        &org,
        &caller,
        params.q.as_deref(),
        false,
        batch_size(&headers),
    )
}

async fn run_query_all(
    State(state): State<Arc<SalesforceState>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Query(params): Query<QueryParams>,
) -> Outcome {
    let org = lock(&state.org);
    query_page(
        &state,
        &org,
        &caller,
        params.q.as_deref(),
        true,
        batch_size(&headers),
    )
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
        ..Options::new(&caller.version, state.clock.now_ms())
    };
    let (plan, positions) = match query::execute(org, soql, &options)? {
        Answer::Rows { plan, positions } => (plan, positions),
        other => {
            let total = other.total();
            return Ok(page(total, other.into_values(org), None));
        }
    };
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

/// `GET .../query/<locator>-<offset>`: the page after a `nextRecordsUrl`.
async fn next_page(
    State(state): State<Arc<SalesforceState>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Path(params): Path<HashMap<String, String>>,
) -> Outcome {
    let invalid = || ApiError::bad_request("INVALID_QUERY_LOCATOR", "invalid query locator");
    let cursor = params.get("cursor").cloned().unwrap_or_default();
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
    let end = (offset + batch_size(&headers)).min(positions.len());
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

fn batch_size(headers: &HeaderMap) -> usize {
    headers
        .get("Sforce-Query-Options")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split(',')
                .filter_map(|option| option.trim().strip_prefix("batchSize="))
                .find_map(|n| n.trim().parse::<usize>().ok())
        })
        .map_or(DEFAULT_BATCH, |n| n.clamp(MIN_BATCH, DEFAULT_BATCH))
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

pub(super) fn object_named(name: &str) -> Result<&'static ObjectDef, ApiError> {
    schema::object(name).ok_or_else(ApiError::not_found)
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
fn id_in_path(text: &str) -> Result<SfId, ApiError> {
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
    let object = object_named(sobject)?;
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
    let object = object_named(sobject)?;
    let id = id_in_path(id)?;
    let record = match org.get(&id) {
        Some(record) if record.object().name == object.name => record,
        _ => return Err(ApiError::not_found()),
    };
    if record.is_deleted() {
        return Err(store::WriteError::deleted().into());
    }
    let fields = selected_fields(object, fields)?;
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
    let object = object_named(sobject)?;
    let id = id_in_path(id)?;
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
    let object = object_named(sobject)?;
    let id = id_in_path(id)?;
    org.delete(object, &id, &caller.user, now)?;
    Ok(Reply::no_content())
}

/// `?fields=A,B` limits a read to those fields; without it, every field.
fn selected_fields(
    object: &'static ObjectDef,
    fields: Option<&str>,
) -> Result<Vec<usize>, ApiError> {
    let Some(fields) = fields else {
        return Ok((0..object.fields.len()).collect());
    };
    fields
        .split(',')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(|name| {
            object.index_of(name).ok_or_else(|| {
                ApiError::bad_request(
                    "INVALID_FIELD",
                    format!("No such column '{name}' on entity '{}'.", object.name),
                )
            })
        })
        .collect()
}

#[derive(Deserialize)]
struct ObjectPath {
    sobject: String,
}

#[derive(Deserialize)]
struct RecordPath {
    sobject: String,
    id: String,
}

async fn create(
    State(state): State<Arc<SalesforceState>>,
    Extension(caller): Extension<Caller>,
    Path(path): Path<ObjectPath>,
    body: Bytes,
) -> Outcome {
    object_named(&path.sobject)?;
    let body = parse_body(&body)?;
    let input = as_record(&body)?;
    let now = state.clock.now_ms();
    state.write(|org| create_record(org, &caller, now, &path.sobject, input))
}

async fn read(
    State(state): State<Arc<SalesforceState>>,
    Extension(caller): Extension<Caller>,
    Path(path): Path<RecordPath>,
    Query(params): Query<HashMap<String, String>>,
) -> Outcome {
    let org = lock(&state.org);
    read_record(
        &org,
        &caller,
        &path.sobject,
        &path.id,
        params.get("fields").map(String::as_str),
    )
}

async fn update(
    State(state): State<Arc<SalesforceState>>,
    Extension(caller): Extension<Caller>,
    Path(path): Path<RecordPath>,
    body: Bytes,
) -> Outcome {
    object_named(&path.sobject)?;
    id_in_path(&path.id)?;
    let body = parse_body(&body)?;
    let input = as_record(&body)?;
    let now = state.clock.now_ms();
    state.write(|org| update_record(org, &caller, now, &path.sobject, &path.id, input))
}

async fn delete(
    State(state): State<Arc<SalesforceState>>,
    Extension(caller): Extension<Caller>,
    Path(path): Path<RecordPath>,
) -> Outcome {
    let now = state.clock.now_ms();
    state.write(|org| delete_record(org, &caller, now, &path.sobject, &path.id))
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

/// The sObject type a Collections record names in `attributes.type`.
fn record_type(record: &Map<String, Value>) -> Result<&'static ObjectDef, store::WriteError> {
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
    schema::object(name).ok_or_else(|| {
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
    if failed && all_or_none {
        org.rollback(savepoint);
    } else {
        org.commit(savepoint);
    }
    let rolled = rolled_back();
    let answers: Vec<Value> = results
        .iter()
        .map(|result| match result {
            Ok(_) if failed && all_or_none => save_result(None, Some(&rolled)),
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
    let object = record_type(record)?;
    let mut input = record.clone();
    input.remove("attributes");
    let id_key = input.keys().find(|k| k.eq_ignore_ascii_case("id")).cloned();
    let id = id_key.and_then(|key| input.remove(&key));
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
            let object = schema::object_by_prefix(id.key_prefix())
                .ok_or_else(store::WriteError::not_found)?;
            org.delete(object, &id, &caller.user, now)
        })
        .collect();
    let failed = results.iter().any(Result::is_err);
    if failed && all_or_none {
        org.rollback(savepoint);
    } else {
        org.commit(savepoint);
    }
    let rolled = rolled_back();
    let answers = ids
        .iter()
        .zip(&results)
        .map(|(id, result)| match result {
            Ok(()) if failed && all_or_none => save_result(Some(id), Some(&rolled)),
            Ok(()) => save_result(Some(id), None),
            Err(error) => save_result(Some(id), Some(error)),
        })
        .collect();
    Ok((Reply::ok(Value::Array(answers)), failed))
}

async fn collection_write(
    State(state): State<Arc<SalesforceState>>,
    Extension(caller): Extension<Caller>,
    method: axum::http::Method,
    body: Bytes,
) -> Outcome {
    let body = parse_body(&body)?;
    let now = state.clock.now_ms();
    let creating = method == axum::http::Method::POST;
    state
        .write(|org| collection_save(org, &caller, now, creating, &body, false))
        .map(|(reply, _)| reply)
}

async fn collection_delete(
    State(state): State<Arc<SalesforceState>>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<HashMap<String, String>>,
) -> Outcome {
    let ids = params.get("ids").cloned().unwrap_or_default();
    let all_or_none = params.get("allOrNone").is_some_and(|v| v == "true");
    let now = state.clock.now_ms();
    state
        .write(|org| collection_remove(org, &caller, now, &ids, all_or_none))
        .map(|(reply, _)| reply)
}

// ---------------------------------------------------------------------------------------
// Replication: updated and deleted records

#[derive(Deserialize)]
struct Window {
    start: Option<String>,
    end: Option<String>,
}

/// `start`/`end` to a `[start, end)` span in whole minutes (Salesforce ignores seconds),
/// with the end capped at now; refused as Salesforce refuses bad spans.
fn replication_window(window: &Window, now: i64) -> Result<(i64, i64), ApiError> {
    const MINUTE: i64 = 60_000;
    let parse = |name: &str, text: Option<&String>| {
        let text = text.ok_or_else(|| {
            ApiError::bad_request(
                "MISSING_ARGUMENT",
                format!("The {name} parameter is required, as an ISO 8601 dateTime"),
            )
        })?;
        clock::parse_datetime(text.trim()).ok_or_else(|| {
            ApiError::bad_request(
                "INVALID_REPLICATION_DATE",
                format!("{name} is not a valid dateTime: {text}"),
            )
        })
    };
    let start = parse("start", window.start.as_ref())?.div_euclid(MINUTE) * MINUTE;
    let end = parse("end", window.end.as_ref())?.div_euclid(MINUTE) * MINUTE;
    if start > end {
        return Err(ApiError::bad_request(
            "INVALID_REPLICATION_DATE",
            "startDate must chronologically precede endDate",
        ));
    }
    if start < now - REPLICATION_WINDOW_MS {
        return Err(ApiError::bad_request(
            "INVALID_REPLICATION_DATE",
            "startDate cannot be more than 30 days ago",
        ));
    }
    Ok((start, end.min(now.div_euclid(MINUTE) * MINUTE)))
}

async fn updated(
    State(state): State<Arc<SalesforceState>>,
    Path(path): Path<ObjectPath>,
    Query(window): Query<Window>,
) -> Outcome {
    let object = object_named(&path.sobject)?;
    let (start, end) = replication_window(&window, state.clock.now_ms())?;
    let org = lock(&state.org);
    let ids: Vec<&str> = org
        .live(object)
        .filter(|r| (start..end).contains(&r.modstamp_ms()))
        .map(|r| r.id())
        .collect();
    Ok(Reply::ok(json!({
        "ids": ids,
        "latestDateCovered": clock::sf_datetime(end),
    })))
}

async fn deleted(
    State(state): State<Arc<SalesforceState>>,
    Path(path): Path<ObjectPath>,
    Query(window): Query<Window>,
) -> Outcome {
    let object = object_named(&path.sobject)?;
    let (start, end) = replication_window(&window, state.clock.now_ms())?;
    let org = lock(&state.org);
    let records: Vec<Value> = org
        .all(object)
        .iter()
        .filter_map(|r| Some((r, r.deleted_ms()?)))
        .filter(|(_, at)| (start..end).contains(at))
        .map(|(r, at)| json!({"id": r.id(), "deletedDate": clock::sf_datetime(at)}))
        .collect();
    let earliest = org.created_ms().unwrap_or(start).div_euclid(60_000) * 60_000;
    Ok(Reply::ok(json!({
        "deletedRecords": records,
        "earliestDateAvailable": clock::sf_datetime(earliest),
        "latestDateCovered": clock::sf_datetime(end),
    })))
}

// ---------------------------------------------------------------------------------------
// Describe

fn object_summary(object: &ObjectDef, version: &str) -> Value {
    let base = format!("/services/data/{version}/sobjects/{}", object.name);
    json!({
        "name": object.name,
        "label": object.label,
        "labelPlural": object.label_plural,
        "keyPrefix": object.key_prefix,
        "custom": false,
        "createable": object.name != "User",
        "updateable": true,
        "deletable": object.name != "User",
        "queryable": true,
        "replicateable": true,
        "retrieveable": true,
        "searchable": true,
        "urls": {
            "sobject": base,
            "describe": format!("{base}/describe"),
            "rowTemplate": format!("{base}/{{ID}}"),
        },
    })
}

async fn global_describe(Extension(caller): Extension<Caller>) -> Response {
    let sobjects: Vec<Value> = schema::OBJECTS
        .iter()
        .map(|o| object_summary(o, &caller.version))
        .collect();
    json_response(
        StatusCode::OK,
        &json!({"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": sobjects}),
    )
}

async fn object_info(
    Extension(caller): Extension<Caller>,
    Path(path): Path<ObjectPath>,
) -> Result<Response, ApiError> {
    let object = object_named(&path.sobject)?;
    Ok(json_response(
        StatusCode::OK,
        &json!({"objectDescribe": object_summary(object, &caller.version), "recentItems": []}),
    ))
}

async fn describe(Extension(caller): Extension<Caller>, Path(path): Path<ObjectPath>) -> Outcome {
    describe_object(&caller, &path.sobject)
}

pub(super) fn describe_object(caller: &Caller, sobject: &str) -> Outcome {
    let object = object_named(sobject)?;
    let mut body = object_summary(object, &caller.version);
    let fields: Vec<Value> = object.fields.iter().map(describe_field).collect();
    body["fields"] = Value::Array(fields);
    // The child relationships sub-queries can use.
    let own: Vec<Value> = object
        .children
        .iter()
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
            .map(|v| json!({"active": true, "defaultValue": false, "label": v, "value": v, "validFor": null}))
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
        "filterable": true,
        "sortable": !matches!(field.ty, FieldType::TextArea(n) if n > 255),
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

pub(super) fn soap_type(ty: FieldType) -> &'static str {
    match ty {
        FieldType::Id | FieldType::Reference { .. } => "tns:ID",
        FieldType::Boolean => "xsd:boolean",
        FieldType::Currency | FieldType::Percent | FieldType::Double => "xsd:double",
        FieldType::Int => "xsd:int",
        FieldType::Date => "xsd:date",
        FieldType::DateTime => "xsd:dateTime",
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

    #[test]
    fn batch_size_is_read_and_clamped() {
        let mut headers = HeaderMap::new();
        assert_eq!(batch_size(&headers), 2000);
        headers.insert(
            "Sforce-Query-Options",
            HeaderValue::from_static("batchSize=500"),
        );
        assert_eq!(batch_size(&headers), 500);
        headers.insert(
            "Sforce-Query-Options",
            HeaderValue::from_static("batchSize=5"),
        );
        assert_eq!(batch_size(&headers), 200);
    }

    #[test]
    fn replication_windows_ignore_seconds_and_refuse_bad_spans() {
        let now = clock::parse_datetime("2026-03-02T12:30:45Z").unwrap();
        let window = |start: &str, end: &str| Window {
            start: Some(start.into()),
            end: Some(end.into()),
        };
        let (start, end) = replication_window(
            &window("2026-03-02T12:00:15Z", "2026-03-02T12:20:59+00:00"),
            now,
        )
        .unwrap();
        assert_eq!(clock::sf_datetime(start), "2026-03-02T12:00:00.000+0000");
        assert_eq!(clock::sf_datetime(end), "2026-03-02T12:20:00.000+0000");
        let (_, end) =
            replication_window(&window("2026-03-02T12:00:00Z", "2026-03-09T00:00:00Z"), now)
                .unwrap();
        assert_eq!(
            clock::sf_datetime(end),
            "2026-03-02T12:30:00.000+0000",
            "capped at now"
        );
        for (start, end) in [
            ("2026-03-02T12:10:00Z", "2026-03-02T12:00:00Z"),
            ("2026-01-01T00:00:00Z", "2026-03-02T12:00:00Z"),
            ("yesterday", "2026-03-02T12:00:00Z"),
        ] {
            let err = replication_window(&window(start, end), now).unwrap_err();
            assert_eq!(err.body.error_code, "INVALID_REPLICATION_DATE", "{start}");
        }
    }
}
