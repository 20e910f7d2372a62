//! The REST API under `/services/data`: versions, query (with query locators for
//! paging), sObject rows (create, read, update, delete), describe and limits.

use super::schema::{self, FieldType, ObjectDef};
use super::store;
use super::{ApiError, Caller, SalesforceState, json_response, lock, query};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use shared::ids::SfId;
use shared::salesforce::{API_VERSION, QueryResponse};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

/// Salesforce's default and bounds for `Sforce-Query-Options: batchSize=N`.
const DEFAULT_BATCH: usize = 2000;
const MIN_BATCH: usize = 200;
/// Open query cursors kept; older ones expire, as idle cursors do in a real org.
const MAX_CURSORS: usize = 64;

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
            "/services/data/{version}/sobjects/{sobject}/{id}",
            get(read).patch(update).delete(delete),
        )
}

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
    let resources: Map<String, Value> = ["limits", "query", "sobjects"]
        .into_iter()
        .map(|name| (name.to_owned(), json!(format!("/services/data/{v}/{name}"))))
        .collect();
    json_response(StatusCode::OK, &resources)
}

async fn limits(State(state): State<Arc<SalesforceState>>) -> Response {
    let max = state.daily_api_limit;
    json_response(
        StatusCode::OK,
        &json!({
            "DailyApiRequests": {"Max": max, "Remaining": max.saturating_sub(state.api_usage())},
        }),
    )
}

// ---------------------------------------------------------------------------------------
// Query

#[derive(Default)]
pub(super) struct Cursors {
    issued: u64,
    open: VecDeque<(String, Vec<Value>)>,
}

async fn run_query(
    State(state): State<Arc<SalesforceState>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let Some(soql) = params.get("q").filter(|q| !q.trim().is_empty()) else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "MALFORMED_QUERY",
            "A query string has to be specified",
        ));
    };
    let rows = query::run(&lock(&state.org), soql, &caller.version)?;
    let batch = batch_size(&headers);
    if rows.len() <= batch {
        return Ok(page(rows.len(), rows, None));
    }
    let total = rows.len();
    let first: Vec<Value> = rows[..batch].to_vec();
    let mut cursors = lock(&state.cursors);
    cursors.issued += 1;
    let locator = SfId::from_parts("01g", store::POD, cursors.issued)
        .expect("a fixed prefix and pod")
        .to_string();
    cursors.open.push_back((locator.clone(), rows));
    if cursors.open.len() > MAX_CURSORS {
        cursors.open.pop_front();
    }
    let next = format!("/services/data/{}/query/{locator}-{batch}", caller.version);
    Ok(page(total, first, Some(next)))
}

/// `GET .../query/<locator>-<offset>`: the page after a `nextRecordsUrl`.
async fn next_page(
    State(state): State<Arc<SalesforceState>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Path(params): Path<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let invalid = || {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "INVALID_QUERY_LOCATOR",
            "invalid query locator",
        )
    };
    let cursor = params.get("cursor").cloned().unwrap_or_default();
    let (locator, offset) = cursor.rsplit_once('-').ok_or_else(invalid)?;
    let offset: usize = offset.parse().map_err(|_| invalid())?;
    let cursors = lock(&state.cursors);
    let (_, rows) = cursors
        .open
        .iter()
        .find(|(l, _)| l == locator)
        .ok_or_else(invalid)?;
    if offset >= rows.len() {
        return Err(invalid());
    }
    let end = (offset + batch_size(&headers)).min(rows.len());
    let next = (end < rows.len())
        .then(|| format!("/services/data/{}/query/{locator}-{end}", caller.version));
    Ok(page(rows.len(), rows[offset..end].to_vec(), next))
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

fn page(total: usize, records: Vec<Value>, next_records_url: Option<String>) -> Response {
    let body = QueryResponse {
        total_size: total as u64,
        done: next_records_url.is_none(),
        next_records_url,
        records,
    };
    json_response(StatusCode::OK, &body)
}

// ---------------------------------------------------------------------------------------
// sObject rows

fn object_named(name: &str) -> Result<&'static ObjectDef, ApiError> {
    schema::object(name).ok_or_else(ApiError::not_found)
}

fn parse_body(body: &Bytes) -> Result<Map<String, Value>, ApiError> {
    let parsed: Value = serde_json::from_slice(body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "JSON_PARSER_ERROR",
            format!("Unexpected character in the request body: {e}"),
        )
    })?;
    match parsed {
        Value::Object(map) => Ok(map),
        _ => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "JSON_PARSER_ERROR",
            "Cannot deserialize instance of an sObject from a non-object value",
        )),
    }
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
) -> Result<Response, ApiError> {
    let object = object_named(&path.sobject)?;
    let input = parse_body(&body)?;
    let now = state.clock.now_ms();
    let id = lock(&state.org).create(object, &input, &caller.user, now)?;
    let mut response = json_response(
        StatusCode::CREATED,
        &json!({"id": id.as_str(), "success": true, "errors": []}),
    );
    let location = format!(
        "/services/data/{}/sobjects/{}/{id}",
        caller.version, object.name
    );
    response.headers_mut().insert(
        header::LOCATION,
        HeaderValue::from_str(&location).expect("an ASCII path"),
    );
    Ok(response)
}

async fn read(
    State(state): State<Arc<SalesforceState>>,
    Extension(caller): Extension<Caller>,
    Path(path): Path<RecordPath>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let object = object_named(&path.sobject)?;
    let id = id_in_path(&path.id)?;
    let org = lock(&state.org);
    let record = match org.get(&id) {
        Some((found, record)) if found.name == object.name => record,
        _ => return Err(ApiError::not_found()),
    };
    if store::is_deleted(record) {
        return Err(store::WriteError::deleted().into());
    }
    let fields = selected_fields(object, params.get("fields"))?;
    let mut body = Map::new();
    body.insert(
        "attributes".into(),
        query::attributes(object.name, object.name, id.as_str(), &caller.version),
    );
    for field in fields {
        body.insert(
            field.to_owned(),
            record.get(field).cloned().unwrap_or(Value::Null),
        );
    }
    Ok(json_response(StatusCode::OK, &body))
}

/// `?fields=A,B` limits a read to those fields; without it, every field.
fn selected_fields(
    object: &'static ObjectDef,
    fields: Option<&String>,
) -> Result<Vec<&'static str>, ApiError> {
    let Some(fields) = fields else {
        return Ok(object.fields.iter().map(|f| f.name).collect());
    };
    fields
        .split(',')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(|name| {
            object.field(name).map(|f| f.name).ok_or_else(|| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "INVALID_FIELD",
                    format!("No such column '{name}' on entity '{}'.", object.name),
                )
            })
        })
        .collect()
}

async fn update(
    State(state): State<Arc<SalesforceState>>,
    Extension(caller): Extension<Caller>,
    Path(path): Path<RecordPath>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let object = object_named(&path.sobject)?;
    let id = id_in_path(&path.id)?;
    let input = parse_body(&body)?;
    let now = state.clock.now_ms();
    lock(&state.org).update(object, &id, &input, &caller.user, now)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn delete(
    State(state): State<Arc<SalesforceState>>,
    Extension(caller): Extension<Caller>,
    Path(path): Path<RecordPath>,
) -> Result<Response, ApiError> {
    let object = object_named(&path.sobject)?;
    let id = id_in_path(&path.id)?;
    let now = state.clock.now_ms();
    lock(&state.org).delete(object, &id, &caller.user, now)?;
    Ok(StatusCode::NO_CONTENT.into_response())
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

async fn describe(
    Extension(caller): Extension<Caller>,
    Path(path): Path<ObjectPath>,
) -> Result<Response, ApiError> {
    let object = object_named(&path.sobject)?;
    let mut body = object_summary(object, &caller.version);
    let fields: Vec<Value> = object.fields.iter().map(describe_field).collect();
    body["fields"] = Value::Array(fields);
    Ok(json_response(StatusCode::OK, &body))
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
        FieldType::Currency | FieldType::Double => (18, 2),
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
        "unique": false,
        "externalId": false,
        "idLookup": field.ty == FieldType::Id || field.ty == FieldType::Email,
        "referenceTo": reference_to,
        "relationshipName": relationship_name,
        "polymorphicForeignKey": polymorphic,
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
}
