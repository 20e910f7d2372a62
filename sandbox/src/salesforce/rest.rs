//! The REST API's HTTP side under `/services/data`: the routes and their handlers for
//! versions, query and queryAll (with query locators for paging), sObject rows (create,
//! read, update, delete), sObject Collections, Composite, describe, the replication
//! resources (`updated`, `deleted`) and limits.
//!
//! A handler reads the request and runs an operation from `operations`, which the
//! Composite resource (`composite`) runs too for its sub-requests.

use super::operations::{
    DEFAULT_BATCH, MIN_BATCH, Outcome, Reply, as_record, collection_remove, collection_save,
    create_record, delete_record, describe_object, id_in_path, next_query_page, object_named,
    object_summary, parse_body, query_page, read_record, update_record,
};
use super::{ApiError, Caller, SalesforceState, json_response, lock};
use crate::clock;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use shared::salesforce::API_VERSION;
use std::collections::HashMap;
use std::sync::Arc;

/// How far back the replication API (`updated`, `deleted`) reaches: "Results are returned
/// for no more than 30 days previous to the day the call is executed" (REST API Developer
/// Guide, "sObject Get Updated" and "sObject Get Deleted"), measured on the sandbox clock.
const REPLICATION_WINDOW_MS: i64 = 30 * 24 * 3_600_000;

pub(super) fn public_routes() -> Router<Arc<SalesforceState>> {
    Router::new().route("/services/data", get(versions))
}

/// Routes that need a session; [`super::authenticate`] guards them all.
pub(super) fn routes() -> Router<Arc<SalesforceState>> {
    Router::new()
        .route("/services/data/{version}", get(resources))
        .route("/services/data/{version}/limits", get(limits))
        .route("/services/data/{version}/query", get(run_query::<false>))
        .route("/services/data/{version}/query/{cursor}", get(next_page))
        .route("/services/data/{version}/queryAll", get(run_query::<true>))
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

#[derive(Deserialize)]
struct QueryParams {
    q: Option<String>,
}

/// `GET .../query` (`ALL`: `.../queryAll`, deleted records too): the first page.
async fn run_query<const ALL: bool>(
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
        ALL,
        batch_size(&headers),
    )
}

/// `GET .../query/<locator>-<offset>`: the page after a `nextRecordsUrl`.
async fn next_page(
    State(state): State<Arc<SalesforceState>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Path(params): Path<HashMap<String, String>>,
) -> Outcome {
    let cursor = params.get("cursor").cloned().unwrap_or_default();
    next_query_page(&state, &caller, &cursor, batch_size(&headers))
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

// ---------------------------------------------------------------------------------------
// sObject rows

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
    object_named(caller.view, &path.sobject)?;
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
    object_named(caller.view, &path.sobject)?;
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
    // A start too far back is an INVALID_REPLICATION_DATE, the code the SOAP API Developer
    // Guide (getUpdated(), getDeleted()) gives for replication dates out of range; the
    // guides do not quote the message.
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
    Extension(caller): Extension<Caller>,
    Path(path): Path<ObjectPath>,
    Query(window): Query<Window>,
) -> Outcome {
    let object = object_named(caller.view, &path.sobject)?;
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
    Extension(caller): Extension<Caller>,
    Path(path): Path<ObjectPath>,
    Query(window): Query<Window>,
) -> Outcome {
    let object = object_named(caller.view, &path.sobject)?;
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

/// The objects the caller can read.
async fn global_describe(Extension(caller): Extension<Caller>) -> Response {
    let sobjects: Vec<Value> = caller
        .view
        .objects()
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
    let object = object_named(caller.view, &path.sobject)?;
    Ok(json_response(
        StatusCode::OK,
        &json!({"objectDescribe": object_summary(object, &caller.version), "recentItems": []}),
    ))
}

async fn describe(Extension(caller): Extension<Caller>, Path(path): Path<ObjectPath>) -> Outcome {
    describe_object(&caller, &path.sobject)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

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
