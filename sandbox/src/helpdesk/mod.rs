//! The helpdesk emulator: Zoho Desk's REST API shape under `/api/v1`, with its
//! authentication headers (`Authorization: Zoho-oauthtoken <token>`, `orgId`), its error
//! bodies (`{"errorCode", "message"}`), its API credits and rate limit, and its webhooks
//! (signed deliveries, retried until acknowledged).
//!
//! Beside the API, on the same listener:
//! - `GET /.well-known/jwks.json`: the keys that sign webhook deliveries;
//! - `/__sandbox/...`: test controls (see [`controls`]), also callable as methods on
//!   [`crate::Sandbox`].
//!
//! | module | holds |
//! |---|---|
//! | [`store`], [`fields`] | the desk's data and webhook subscriptions; field definitions and checks |
//! | `api`, `records` | the read endpoints for the org and its people; contacts and accounts |
//! | [`webhooks`], [`signing`] | event delivery to subscriptions; the signatures on it |
//! | [`traffic`] | call counting, injected faults and API credits |
//! | [`controls`] | test controls |
//!
//! This file holds the helpdesk's state ([`HelpdeskState`]), its router, the gate every
//! `/api/v1` call passes, and its error ([`DeskError`]).

mod api;
pub mod controls;
pub mod fields;
mod records;
pub mod signing;
pub mod store;
pub mod traffic;
pub mod webhooks;

use crate::clock::Clock;
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use store::{Change, Desk};
use tokio::sync::Notify;
use traffic::{RateLimit, Spend, Traffic};
use webhooks::Outbox;

pub use shared::helpdesk::JWKS_PATH;

/// How the helpdesk behaves: its API limit and its webhook timing.
#[derive(Debug, Clone)]
pub struct Settings {
    /// API credits per window; `None` for no limit.
    pub rate_limit: Option<RateLimit>,
    /// The first retry of a failed webhook delivery; doubles up to `webhook_retry_max`.
    pub webhook_retry_base: Duration,
    pub webhook_retry_max: Duration,
    /// A receiver that has not answered by then has failed (Zoho allows 5 seconds).
    pub webhook_timeout: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            rate_limit: Some(RateLimit {
                credits: 3_000,
                window: Duration::from_secs(60),
            }),
            webhook_retry_base: Duration::from_secs(1),
            webhook_retry_max: Duration::from_secs(60),
            webhook_timeout: Duration::from_secs(5),
        }
    }
}

pub struct HelpdeskState {
    pub clock: Arc<Clock>,
    pub desk: Mutex<Desk>,
    org_id: String,
    /// The one API token the emulator accepts, and the agent it belongs to (`/myinfo`).
    api_token: String,
    token_owner: String,
    traffic: Mutex<Traffic>,
    outbox: Mutex<Outbox>,
    /// Wakes the webhook worker when there is something to deliver.
    wake: Notify,
    signer: signing::Signer,
    http: reqwest::Client,
}

impl HelpdeskState {
    pub fn new(
        desk: Desk,
        api_token: String,
        token_owner: String,
        clock: Arc<Clock>,
        settings: Settings,
    ) -> Self {
        HelpdeskState {
            clock,
            org_id: desk.org_id.clone(),
            desk: Mutex::new(desk),
            api_token,
            token_owner,
            traffic: Mutex::new(Traffic::new(settings.rate_limit)),
            outbox: Mutex::new(Outbox::new(
                settings.webhook_retry_base,
                settings.webhook_retry_max,
            )),
            wake: Notify::new(),
            signer: signing::Signer::demo(),
            http: reqwest::Client::builder()
                .timeout(settings.webhook_timeout)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("an HTTP client builds"),
        }
    }

    /// The desk's data; see [`crate::salesforce::lock`] for why poisoning is ignored.
    pub fn desk(&self) -> MutexGuard<'_, Desk> {
        lock(&self.desk)
    }

    fn traffic(&self) -> MutexGuard<'_, Traffic> {
        lock(&self.traffic)
    }

    fn outbox(&self) -> MutexGuard<'_, Outbox> {
        lock(&self.outbox)
    }

    /// The agent the API token belongs to (the administrator).
    pub fn token_owner(&self) -> &str {
        &self.token_owner
    }

    /// Runs a write and tells the webhooks what it changed. Writes tagged with a
    /// `sourceId` stay silent to webhooks that ignore that source.
    pub fn write<R>(
        &self,
        source_id: Option<&str>,
        write: impl FnOnce(&mut Desk, i64) -> Result<(R, Vec<Change>), DeskError>,
    ) -> Result<R, DeskError> {
        let mut desk = self.desk();
        let (result, changes) = write(&mut desk, self.clock.now_ms())?;
        // Queued under the desk's lock, so events leave in the order the writes happened.
        for change in &changes {
            webhooks::publish(self, &desk, change, source_id);
        }
        drop(desk);
        if !changes.is_empty() {
            self.wake.notify_one();
        }
        Ok(result)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub fn router(state: Arc<HelpdeskState>) -> Router {
    api::routes()
        .merge(records::routes())
        .merge(webhooks::routes())
        .route_layer(middleware::from_fn_with_state(state.clone(), gate))
        .merge(controls::routes())
        .route(JWKS_PATH, get(jwks))
        .fallback(|| async { DeskError::not_found() })
        .with_state(state)
}

async fn jwks(State(state): State<Arc<HelpdeskState>>) -> Response {
    (
        [(header::CACHE_CONTROL, "public, max-age=300")],
        axum::Json(state.signer.jwks()),
    )
        .into_response()
}

/// An error as Zoho Desk answers it.
#[derive(Debug, Clone, PartialEq)]
pub struct DeskError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Per-field detail (`fieldName`, `errorType`, `errorMessage`), on validation errors.
    pub errors: Option<Vec<Value>>,
    /// `Retry-After` seconds, on 429.
    pub retry_after: Option<u64>,
}

impl DeskError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        DeskError {
            status,
            code,
            message: message.into(),
            errors: None,
            retry_after: None,
        }
    }

    pub fn not_found() -> Self {
        DeskError::new(
            StatusCode::NOT_FOUND,
            "URL_NOT_FOUND",
            "The URL you requested could not be found.",
        )
    }

    /// 422 `INVALID_DATA` naming the field at fault (`missing` or `invalid`).
    pub fn invalid_data(field: &str, error_type: &str) -> Self {
        DeskError {
            errors: Some(vec![json!({
                "fieldName": field,
                "errorType": error_type,
                "errorMessage": "",
            })]),
            ..DeskError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "INVALID_DATA",
                "The data is invalid due to validation restrictions",
            )
        }
    }

    /// 422 `INVALID_DATA` with every field at fault.
    pub fn invalid_fields(issues: Vec<fields::Issue>) -> Self {
        DeskError {
            errors: Some(
                issues
                    .into_iter()
                    .map(|i| {
                        json!({
                            "fieldName": i.field,
                            "errorType": i.kind,
                            "errorMessage": i.message,
                        })
                    })
                    .collect(),
            ),
            ..DeskError::invalid_data("", "")
        }
    }

    /// 422 `INVALID_DATA` about the body as a whole.
    pub fn invalid_body(message: &str) -> Self {
        DeskError::new(StatusCode::UNPROCESSABLE_ENTITY, "INVALID_DATA", message)
    }

    pub fn extra_parameter(name: &str) -> Self {
        DeskError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "UNPROCESSABLE_ENTITY",
            format!("Extra query parameter '{name}' is present in the input."),
        )
    }

    pub fn too_many_requests(retry_after_secs: u64) -> Self {
        DeskError {
            retry_after: Some(retry_after_secs),
            ..DeskError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "TOO_MANY_REQUESTS",
                format!(
                    "You have made too many API calls; try again after {retry_after_secs} seconds."
                ),
            )
        }
    }

    fn server_error(status: StatusCode) -> Self {
        DeskError::new(
            status,
            "INTERNAL_SERVER_ERROR",
            "An internal error occurred; try again later.",
        )
    }
}

impl IntoResponse for DeskError {
    fn into_response(self) -> Response {
        let mut body = json!({"errorCode": self.code, "message": self.message});
        if let Some(errors) = self.errors {
            body["errors"] = Value::Array(errors);
        }
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
            response
                .headers_mut()
                .insert(REMAINING_HEADER, HeaderValue::from(0));
        }
        response
    }
}

/// What a call cost, and what is left: Zoho's credit headers.
pub const WEIGHT_HEADER: &str = "x-rate-limit-request-weight-v3";
pub const REMAINING_HEADER: &str = "x-rate-limit-remaining-v3";

/// A JSON request body, or the error Zoho gives for one it cannot read.
pub(crate) fn json_body(bytes: &[u8]) -> Result<Value, DeskError> {
    serde_json::from_slice(bytes)
        .map_err(|_| DeskError::invalid_body("The request body is not valid JSON."))
}

/// The `sourceId` a write was tagged with.
pub(crate) fn source_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get(shared::helpdesk::SOURCE_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// Credits a call costs: 3 for a list or a search, 1 for anything else.
fn weight(method: &Method, route: &str) -> u32 {
    let single = route.ends_with('}') || route.ends_with("/myinfo");
    if method == Method::GET && !single {
        3
    } else {
        1
    }
}

/// Every `/api/v1` call: counted, maybe faulted, authenticated, then charged.
async fn gate(
    State(state): State<Arc<HelpdeskState>>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| path.clone(), |m| m.as_str().to_owned());
    let method = request.method().clone();
    let fault = {
        let mut traffic = state.traffic();
        traffic.count(&format!("{method} {route}"));
        traffic.take_fault(&path)
    };
    if let Some(fault) = fault {
        if let Some(ms) = fault.latency_ms {
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
        match fault.status {
            Some(429) => {
                return DeskError::too_many_requests(fault.retry_after.unwrap_or(1))
                    .into_response();
            }
            Some(500) => {
                return DeskError::server_error(StatusCode::INTERNAL_SERVER_ERROR).into_response();
            }
            // A gateway's answer: no helpdesk error body.
            Some(status) => {
                let status =
                    StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
                let page = format!("<html><body><h1>{status}</h1></body></html>");
                return (status, [(header::CONTENT_TYPE, "text/html")], page).into_response();
            }
            None => {}
        }
    }
    if let Err(error) = check_credentials(&state, request.headers(), &path) {
        return error.into_response();
    }
    request
        .extensions_mut()
        .insert(TokenOwner(state.token_owner.clone()));
    let weight = weight(&method, &route);
    let spend = state.traffic().spend(weight, Instant::now());
    match spend {
        Spend::Refused { retry_after_secs } => {
            state.traffic().note_rate_limited();
            DeskError::too_many_requests(retry_after_secs).into_response()
        }
        Spend::Allowed { remaining } => {
            let mut response = next.run(request).await;
            let headers = response.headers_mut();
            headers.insert(WEIGHT_HEADER, HeaderValue::from(weight));
            headers.insert(REMAINING_HEADER, HeaderValue::from(remaining));
            response
        }
    }
}

/// The agent the presented token belongs to.
#[derive(Debug, Clone)]
pub struct TokenOwner(pub String);

fn check_credentials(
    state: &HelpdeskState,
    headers: &HeaderMap,
    path: &str,
) -> Result<(), DeskError> {
    let unauthorized = || {
        DeskError::new(
            StatusCode::UNAUTHORIZED,
            "UNAUTHORIZED",
            "You are not authorized to access this resource.",
        )
    };
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(unauthorized)?;
    let token = authorization
        .strip_prefix("Zoho-oauthtoken ")
        .map(str::trim)
        .ok_or_else(unauthorized)?;
    if token != state.api_token {
        return Err(DeskError::new(
            StatusCode::UNAUTHORIZED,
            "INVALID_OAUTH",
            "The OAuth Token you provided is invalid.",
        ));
    }
    // Every endpoint but the organisation list names the organisation it acts on.
    if path == "/api/v1/organizations" {
        return Ok(());
    }
    let org_id = headers
        .get("orgId")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| DeskError::invalid_data("orgId", "missing"))?;
    if org_id != state.org_id {
        return Err(DeskError::new(
            StatusCode::UNAUTHORIZED,
            "OAUTH_ORG_MISMATCH",
            "The OAuth Token you provided is not valid for the organization in the orgId header.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_searches_cost_more_than_single_records() {
        assert_eq!(weight(&Method::GET, "/api/v1/contacts"), 3);
        assert_eq!(weight(&Method::GET, "/api/v1/contacts/search"), 3);
        assert_eq!(weight(&Method::GET, "/api/v1/contacts/{id}"), 1);
        assert_eq!(weight(&Method::GET, "/api/v1/myinfo"), 1);
        assert_eq!(weight(&Method::POST, "/api/v1/contacts"), 1);
    }

    #[test]
    fn a_429_carries_retry_after() {
        let response = DeskError::too_many_requests(7).into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "7");
        assert_eq!(response.headers()[REMAINING_HEADER], "0");
    }
}
