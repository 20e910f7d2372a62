//! The Salesforce org emulator: OAuth 2.0 endpoints, the REST API (query, sObjects,
//! describe, limits) and minimal record pages, speaking Salesforce's wire format (see
//! the project's `spec/salesforce-wire-notes.md`).

mod oauth;
mod pages;
pub mod query;
mod rest;
pub mod schema;
pub mod soql;
pub mod store;

pub use oauth::{ConnectedApp, User};

use crate::clock::Clock;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use shared::ids::SfId;
use shared::salesforce::RestError;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use store::Org;

/// Salesforce's JSON content type: note there is no space after the semicolon.
pub const JSON_CONTENT_TYPE: &str = "application/json;charset=UTF-8";

/// How the org is set up: where it answers, who may sign in, how generous it is.
pub struct Settings {
    /// The org's own base URL: login URL, `instance_url` and the host of record links.
    pub base_url: String,
    pub token_lifetime: Duration,
    pub daily_api_limit: u64,
    pub apps: Vec<ConnectedApp>,
    pub users: Vec<User>,
}

pub struct SalesforceState {
    pub base_url: String,
    pub clock: Arc<Clock>,
    pub org: Mutex<Org>,
    auth: Mutex<oauth::Auth>,
    cursors: Mutex<rest::Cursors>,
    api_usage: AtomicU64,
    daily_api_limit: u64,
    token_lifetime: Duration,
}

impl SalesforceState {
    pub fn new(settings: Settings, org: Org, clock: Arc<Clock>) -> Self {
        SalesforceState {
            base_url: settings.base_url.trim_end_matches('/').to_owned(),
            clock,
            org: Mutex::new(org),
            auth: Mutex::new(oauth::Auth::new(settings.apps, settings.users)),
            cursors: Mutex::new(rest::Cursors::default()),
            api_usage: AtomicU64::new(0),
            daily_api_limit: settings.daily_api_limit,
            token_lifetime: settings.token_lifetime,
        }
    }

    /// REST API calls answered so far (what `Sforce-Limit-Info` reports as used).
    pub fn api_usage(&self) -> u64 {
        self.api_usage.load(Ordering::Relaxed)
    }

    /// Ends every access token now, as an admin's "revoke sessions" or an org-wide
    /// session timeout would; refresh tokens keep working.
    pub fn expire_sessions(&self) {
        lock(&self.auth).expire_sessions();
    }

    pub fn org_id(&self) -> SfId {
        lock(&self.org).org_id.clone()
    }
}

/// A poisoned lock only means a handler panicked mid-request; the data is still usable
/// for an emulator, and refusing every later request would hide the original failure.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub fn router(state: Arc<SalesforceState>) -> Router {
    let api =
        rest::routes().route_layer(middleware::from_fn_with_state(state.clone(), authenticate));
    Router::new()
        .merge(oauth::routes())
        .merge(api)
        .merge(rest::public_routes())
        .merge(pages::routes())
        .fallback(not_found)
        .with_state(state)
}

/// Who is calling the REST API, in which version: put on the request by [`authenticate`].
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: SfId,
    pub version: String,
}

/// Gate of every `/services/data/vNN.0/...` call: a valid session, then the API budget,
/// and `Sforce-Limit-Info` on whatever the handler answers.
async fn authenticate(
    State(state): State<Arc<SalesforceState>>,
    mut request: Request,
    next: Next,
) -> Response {
    let version = request
        .uri()
        .path()
        .split('/')
        .nth(3)
        .unwrap_or_default()
        .to_owned();
    if !rest::supported_version(&version) {
        return ApiError::not_found().into_response();
    }
    let now = state.clock.now_ms();
    let user = bearer_token(request.headers())
        .and_then(|token| lock(&state.auth).session_user(token, now));
    let Some(user) = user else {
        return invalid_session();
    };
    let used = state.api_usage.fetch_add(1, Ordering::Relaxed) + 1;
    let mut response = if used > state.daily_api_limit {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "REQUEST_LIMIT_EXCEEDED",
            "TotalRequests Limit exceeded.",
        )
        .into_response()
    } else {
        request.extensions_mut().insert(Caller { user, version });
        next.run(request).await
    };
    let limit_info = format!("api-usage={used}/{}", state.daily_api_limit);
    response.headers_mut().insert(
        "Sforce-Limit-Info",
        HeaderValue::from_str(&limit_info).expect("digits and ASCII"),
    );
    response
}

/// `Authorization: Bearer <token>` (Salesforce also takes the older `OAuth <token>`).
fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let known = scheme.eq_ignore_ascii_case("Bearer") || scheme.eq_ignore_ascii_case("OAuth");
    (known && !token.trim().is_empty()).then(|| token.trim())
}

/// 401 with `WWW-Authenticate: Token`, exactly as an org answers a bad or expired token.
fn invalid_session() -> Response {
    let mut response = ApiError::new(
        StatusCode::UNAUTHORIZED,
        "INVALID_SESSION_ID",
        "Session expired or invalid",
    )
    .into_response();
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Token"));
    response
}

async fn not_found(request: Request) -> Response {
    if request.uri().path().starts_with("/services/") {
        ApiError::not_found().into_response()
    } else {
        pages::not_found_page()
    }
}

/// A JSON answer with Salesforce's content type.
pub fn json_response(status: StatusCode, body: &impl Serialize) -> Response {
    let body = serde_json::to_vec(body).expect("JSON values serialize");
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(JSON_CONTENT_TYPE),
        )],
        body,
    )
        .into_response()
}

/// A REST error: answered as Salesforce does, a one-element array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: RestError,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            body: RestError {
                message: message.into(),
                error_code: code.to_owned(),
                fields: None,
            },
        }
    }

    pub fn with_fields(mut self, fields: Option<Vec<String>>) -> Self {
        self.body.fields = fields;
        self
    }

    pub fn not_found() -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "The requested resource does not exist",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        json_response(self.status, &[self.body])
    }
}

impl From<store::WriteError> for ApiError {
    fn from(error: store::WriteError) -> Self {
        let status = match error.code {
            "NOT_FOUND" | "ENTITY_IS_DELETED" => StatusCode::NOT_FOUND,
            _ => StatusCode::BAD_REQUEST,
        };
        ApiError::new(status, error.code, error.message).with_fields(error.fields)
    }
}

impl From<query::QueryError> for ApiError {
    fn from(error: query::QueryError) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, error.code, error.message)
    }
}
