//! The helpdesk emulator: Zoho Desk's REST API shape under `/api/v1` for several
//! organisations, with its authentication headers (`Authorization: Zoho-oauthtoken
//! <token>`, `orgId`), its error bodies (`{"errorCode", "message"}`), its API credits,
//! concurrency and rate limit, and its webhooks (signed deliveries, retried until
//! acknowledged). `sandbox/ZOHO.md` lists every Zoho behaviour it plays, with its source.
//!
//! Beside the API, on the same listener:
//! - `/oauth/v2/...`: Zoho's OAuth server (see [`oauth`]);
//! - `GET /.well-known/jwks.json`: the keys that sign webhook deliveries;
//! - `/__sandbox/...`: test controls (see [`controls`]), also callable as methods on
//!   [`crate::Sandbox`].
//!
//! | module | holds |
//! |---|---|
//! | [`store`], [`fields`] | an organisation's data and webhook subscriptions; field definitions and checks |
//! | `api`, `records` | the read endpoints for the org and its people; contacts and accounts, `updateMany` |
//! | [`imports`] | the asynchronous Import API |
//! | [`oauth`] | accounts.zoho.com: consent, tokens, revocation, scopes |
//! | [`credits`] | daily credits and concurrency by edition, per organisation |
//! | [`webhooks`], [`signing`] | event delivery to subscriptions; the signatures on it |
//! | [`extension`] | an installed extension: lifecycle callbacks, the `ZOHODESK.request` proxy |
//! | [`traffic`] | call counting, injected faults and the sandbox's own throttle |
//! | [`controls`] | test controls |
//!
//! This file holds the helpdesk's state ([`HelpdeskState`]), its router, the gate every
//! `/api/v1` call passes, and its error ([`DeskError`]).

mod api;
pub mod controls;
pub mod credits;
pub mod extension;
pub mod fields;
pub mod imports;
pub mod oauth;
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
use credits::{CreditPlan, Ledger};
use oauth::{Accounts, Caller, OAuthClient};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use store::{Change, Desk};
use tokio::sync::Notify;
use traffic::{RateLimit, Spend, Traffic};
use webhooks::Outbox;

pub use shared::helpdesk::JWKS_PATH;

/// How the helpdesk behaves: its API limits, its tokens and its webhook timing.
#[derive(Debug, Clone)]
pub struct Settings {
    /// API credits per window; `None` for no limit. The sandbox's own throttle, kept as
    /// the default; Zoho's daily credits are `credit_plan`.
    pub rate_limit: Option<RateLimit>,
    /// Zoho's credit model (daily credits and concurrency by edition) for every
    /// organisation; `None`, the default: each its own ([`store::Desk::credit_plan`]).
    pub credit_plan: Option<CreditPlan>,
    /// How long an OAuth access token works (Zoho: an hour).
    pub access_token_lifetime: Duration,
    /// The first retry of a failed webhook delivery; doubles up to `webhook_retry_max`.
    pub webhook_retry_base: Duration,
    pub webhook_retry_max: Duration,
    /// A receiver that has not answered by then has failed (Zoho allows 5 seconds).
    pub webhook_timeout: Duration,
    /// Whether delivery tokens carry a `bodySha256` claim. Zoho's do not (their JWT names
    /// the sender, the webhook and the time, not the body): `false` plays Zoho; `true`,
    /// the default, is a stand-in the product's tests still use.
    pub webhook_body_hash: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            rate_limit: Some(RateLimit {
                credits: 3_000,
                window: Duration::from_secs(60),
            }),
            credit_plan: None,
            access_token_lifetime: oauth::ACCESS_TOKEN_LIFETIME,
            webhook_retry_base: Duration::from_secs(1),
            webhook_retry_max: Duration::from_secs(60),
            webhook_timeout: Duration::from_secs(5),
            webhook_body_hash: true,
        }
    }
}

/// What the helpdesk starts with besides its settings.
pub struct Setup {
    /// The organisations; the first is the demo's.
    pub desks: Vec<Desk>,
    /// The demo's static API token (a stand-in for an OAuth grant), and the agent it
    /// belongs to in the first organisation.
    pub api_token: String,
    pub token_owner: String,
    /// The listener's own URL: the `api_domain` and `accounts-server` of its tokens.
    pub base_url: String,
    /// Where agents open the helpdesk (the demo pages): what a ticket's `webUrl` links to.
    pub web_url: String,
    /// The OAuth clients registered with its accounts server.
    pub oauth_clients: Vec<OAuthClient>,
}

pub struct HelpdeskState {
    pub clock: Arc<Clock>,
    /// The organisations, the demo's first; `org_ids` names them in the same order.
    desks: Vec<Mutex<Desk>>,
    org_ids: Vec<String>,
    /// The agent the static API token belongs to (the demo administrator).
    token_owner: String,
    base_url: String,
    web_url: String,
    accounts: Mutex<Accounts>,
    traffic: Mutex<Traffic>,
    credits: Mutex<Ledger>,
    outbox: Mutex<Outbox>,
    installations: Mutex<extension::Installations>,
    /// Wakes the webhook worker when there is something to deliver.
    wake: Notify,
    signer: signing::Signer,
    webhook_body_hash: bool,
    http: reqwest::Client,
}

impl HelpdeskState {
    pub fn new(setup: Setup, clock: Arc<Clock>, settings: Settings) -> Self {
        let org_ids: Vec<String> = setup.desks.iter().map(|d| d.org_id.clone()).collect();
        let mut accounts = Accounts::new(setup.oauth_clients, settings.access_token_lifetime);
        accounts.add_static_token(&setup.api_token, &org_ids[0], &setup.token_owner);
        let ledger = Ledger::new(setup.desks.iter().map(|desk| {
            let plan = settings.credit_plan.unwrap_or_else(|| desk.credit_plan());
            (desk.org_id.clone(), Some(plan))
        }));
        HelpdeskState {
            clock,
            desks: setup.desks.into_iter().map(Mutex::new).collect(),
            org_ids,
            token_owner: setup.token_owner,
            base_url: setup.base_url,
            web_url: setup.web_url,
            accounts: Mutex::new(accounts),
            traffic: Mutex::new(Traffic::new(settings.rate_limit)),
            credits: Mutex::new(ledger),
            outbox: Mutex::new(Outbox::new(
                settings.webhook_retry_base,
                settings.webhook_retry_max,
            )),
            installations: Mutex::new(extension::Installations::default()),
            wake: Notify::new(),
            signer: signing::Signer::demo(),
            webhook_body_hash: settings.webhook_body_hash,
            http: reqwest::Client::builder()
                .timeout(settings.webhook_timeout)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("an HTTP client builds"),
        }
    }

    /// The demo organisation's data; see [`crate::salesforce::lock`] for why poisoning is
    /// ignored.
    pub fn desk(&self) -> MutexGuard<'_, Desk> {
        lock(&self.desks[0])
    }

    /// An organisation's data, by its `orgId`.
    pub fn desk_of(&self, org_id: &str) -> Option<MutexGuard<'_, Desk>> {
        let index = self.org_ids.iter().position(|id| id == org_id)?;
        Some(lock(&self.desks[index]))
    }

    fn desks(&self) -> impl Iterator<Item = &Mutex<Desk>> {
        self.desks.iter()
    }

    /// The caller's organisation (the gate has checked it exists).
    fn org(&self, org_id: &str) -> Result<MutexGuard<'_, Desk>, DeskError> {
        self.desk_of(org_id).ok_or_else(DeskError::not_found)
    }

    fn traffic(&self) -> MutexGuard<'_, Traffic> {
        lock(&self.traffic)
    }

    fn outbox(&self) -> MutexGuard<'_, Outbox> {
        lock(&self.outbox)
    }

    /// The edition `desk` is held to: its plan's, or its own when a test lifted the plan.
    fn edition_of(&self, desk: &Desk) -> credits::Edition {
        lock(&self.credits)
            .plan(&desk.org_id)
            .map_or(desk.edition, |plan| plan.edition)
    }

    /// The agent the static API token belongs to (the administrator).
    pub fn token_owner(&self) -> &str {
        &self.token_owner
    }

    /// Runs a write on the demo organisation's data: [`write_in`](Self::write_in).
    pub fn write<R>(
        &self,
        source_id: Option<&str>,
        write: impl FnOnce(&mut Desk, i64) -> Result<(R, Vec<Change>), DeskError>,
    ) -> Result<R, DeskError> {
        self.write_in(&self.org_ids[0], source_id, write)
    }

    /// Runs a write on `org_id`'s data and tells the webhooks what it changed. Writes
    /// tagged with a `sourceId` stay silent to webhooks that ignore that source.
    pub fn write_in<R>(
        &self,
        org_id: &str,
        source_id: Option<&str>,
        write: impl FnOnce(&mut Desk, i64) -> Result<(R, Vec<Change>), DeskError>,
    ) -> Result<R, DeskError> {
        let mut desk = self.org(org_id)?;
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
        .merge(imports::routes())
        .route_layer(middleware::from_fn_with_state(state.clone(), gate))
        .merge(oauth::routes())
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

    /// 401 for a token the helpdesk does not take: unknown, revoked or expired.
    pub fn invalid_oauth() -> Self {
        DeskError::new(
            StatusCode::UNAUTHORIZED,
            "INVALID_OAUTH",
            "The OAuth Token you provided is invalid.",
        )
    }

    /// 401 for a token without a scope the call needs.
    pub fn scope_mismatch() -> Self {
        DeskError::new(
            StatusCode::UNAUTHORIZED,
            "SCOPE_MISMATCH",
            "The OAuth Token you provided does not have the scope this API needs.",
        )
    }

    /// 429 when the organisation has as many calls in progress as its edition allows.
    pub fn too_many_concurrent() -> Self {
        DeskError {
            retry_after: Some(1),
            ..DeskError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "TOO_MANY_REQUESTS",
                "Too many API calls are in progress at once for this organization; retry when one has finished.",
            )
        }
    }

    /// 429 when the organisation's credits for the day are spent.
    pub fn threshold_exceeded(retry_after_secs: u64) -> Self {
        DeskError {
            retry_after: Some(retry_after_secs),
            ..DeskError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "THRESHOLD_EXCEEDED",
                "The API credits of this organization for the day are used up; they are renewed at the start of the next day.",
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
        }
        // The day's credits are spent: none left. Other refusals say nothing of the day.
        if self.code == "THRESHOLD_EXCEEDED" {
            response
                .headers_mut()
                .insert(REMAINING_HEADER, HeaderValue::from(0));
        }
        response
    }
}

/// What a call cost, and the organisation's credits left today: Zoho's credit headers
/// (their names and meaning as a third-party reference built from Zoho's throttling notes
/// quotes them; see `sandbox/ZOHO.md`, "Credits and concurrency"). Only the day's
/// credits set the remaining header, never the sandbox's own throttle.
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

/// What a call cost when that depends on its body (bulk calls): set by the endpoint on
/// its response, charged instead of the route's weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Charge(pub u64);

/// Credits a call costs: 3 for a list or a search, 1 for anything else (bulk endpoints
/// set their own [`Charge`]).
fn weight(method: &Method, route: &str) -> u64 {
    let single = route.ends_with('}') || route.ends_with("/myinfo");
    if method == Method::GET && !single {
        3
    } else {
        1
    }
}

/// Every `/api/v1` call: counted, authenticated, admitted by its organisation's credits,
/// maybe faulted, throttled, then run and charged.
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
    state.traffic().count(&format!("{method} {route}"));
    let caller = match check_credentials(&state, request.headers(), &path, &method, &route) {
        Ok(caller) => caller,
        Err(error) => return error.into_response(),
    };
    let org = caller.org_id.clone();
    let weight = weight(&method, &route);
    let admitted = lock(&state.credits).admit(&org, weight, state.clock.now_ms());
    if let Err(refusal) = admitted {
        return match refusal {
            credits::Refusal::TooManyConcurrent => DeskError::too_many_concurrent(),
            credits::Refusal::ThresholdExceeded { retry_after_secs } => {
                DeskError::threshold_exceeded(retry_after_secs)
            }
        }
        .into_response();
    }
    request.extensions_mut().insert(caller);
    let (mut response, ran) = run(&state, request, next, &path, weight).await;
    let charged = if ran {
        response
            .extensions()
            .get::<Charge>()
            .map_or(weight, |c| c.0)
    } else {
        0
    };
    let left_today = lock(&state.credits).finish(&org, charged, state.clock.now_ms());
    if ran {
        let headers = response.headers_mut();
        headers.insert(WEIGHT_HEADER, HeaderValue::from(charged));
        if let Some(left) = left_today {
            headers.insert(REMAINING_HEADER, HeaderValue::from(left));
        }
    }
    response
}

/// An admitted call: an injected fault, the throttle, or the endpoint. Whether the
/// endpoint ran.
async fn run(
    state: &HelpdeskState,
    request: Request,
    next: Next,
    path: &str,
    weight: u64,
) -> (Response, bool) {
    let fault = state.traffic().take_fault(path);
    if let Some(fault) = fault {
        if let Some(ms) = fault.latency_ms {
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
        match fault.status {
            Some(429) => {
                let error = DeskError::too_many_requests(fault.retry_after.unwrap_or(1));
                return (error.into_response(), false);
            }
            Some(500) => {
                let error = DeskError::server_error(StatusCode::INTERNAL_SERVER_ERROR);
                return (error.into_response(), false);
            }
            // A gateway's answer: no helpdesk error body.
            Some(status) => {
                let status =
                    StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
                let page = format!("<html><body><h1>{status}</h1></body></html>");
                let response = (status, [(header::CONTENT_TYPE, "text/html")], page);
                return (response.into_response(), false);
            }
            None => {}
        }
    }
    let spend = state
        .traffic()
        .spend(u32::try_from(weight).unwrap_or(u32::MAX), Instant::now());
    match spend {
        Spend::Refused { retry_after_secs } => {
            state.traffic().note_rate_limited();
            let error = DeskError::too_many_requests(retry_after_secs);
            (error.into_response(), false)
        }
        Spend::Allowed => (next.run(request).await, true),
    }
}

/// The caller a request's token speaks for, in the organisation its `orgId` names, with
/// the scope its route needs; or Zoho's refusal.
fn check_credentials(
    state: &HelpdeskState,
    headers: &HeaderMap,
    path: &str,
    method: &Method,
    route: &str,
) -> Result<Caller, DeskError> {
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
    let caller = state.caller(token)?;
    if !caller.may(&oauth::required_scopes(method, route)) {
        return Err(DeskError::scope_mismatch());
    }
    // Every endpoint but the organisation list names the organisation it acts on.
    if path == "/api/v1/organizations" {
        return Ok(caller);
    }
    let org_id = headers
        .get("orgId")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| DeskError::invalid_data("orgId", "missing"))?;
    // A token works in its own organisation only ("OAUTH_ORG_MISMATCH", Zoho Desk API
    // documentation, error codes).
    if org_id != caller.org_id {
        return Err(DeskError::new(
            StatusCode::UNAUTHORIZED,
            "OAUTH_ORG_MISMATCH",
            "The OAuth Token you provided is not valid for the organization in the orgId header.",
        ));
    }
    Ok(caller)
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
    fn a_429_carries_retry_after_and_only_a_spent_day_says_nothing_is_left() {
        let response = DeskError::too_many_requests(7).into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "7");
        assert!(response.headers().get(REMAINING_HEADER).is_none());
        let spent = DeskError::threshold_exceeded(60).into_response();
        assert_eq!(spent.headers()[REMAINING_HEADER], "0");
    }
}
