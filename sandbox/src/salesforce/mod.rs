//! The Salesforce org emulator: OAuth 2.0 endpoints (and the SOAP `login` call), the REST
//! API (query and queryAll, sObjects, sObject Collections, Composite, describe, the
//! replication resources, limits), Outbound Messages, minimal record pages, and test
//! controls under `/__sandbox`, speaking Salesforce's wire format.
//!
//! The listener answers plain HTTP and HTTPS on the same port (see [`tls`]): third-party
//! clients only speak `https://`.
//!
//! | module | holds |
//! |---|---|
//! | [`shape`] | the kinds of org the sandbox can be, chosen at start |
//! | [`schema`], [`store`] | the org's objects and fields; its records, validated on write |
//! | [`access`] | what a caller sees of the schema (field-level security) |
//! | [`content_notes`] | enhanced notes and the `AttachedContentNotes` derived from them |
//! | [`person_accounts`] | person accounts and their person contacts, kept in step |
//! | [`soql`], [`query`] | SOQL parsed, then evaluated against the store |
//! | `operations` | the REST operations over the org, shared by `rest` and `composite` |
//! | `rest`, `composite` | the REST routes and handlers; the Composite resource |
//! | `oauth`, `soap` | sign-in: OAuth 2.0 grants and pages; the SOAP `login` call |
//! | [`outbound`] | Outbound Messages and their delivery |
//! | `pages` | the org's own record pages |
//! | [`control`] | test controls |
//! | [`tls`] | HTTPS on the same port |
//!
//! This file holds the org's state ([`SalesforceState`]), its router, and the session and
//! error handling every API call shares.

pub mod access;
mod composite;
pub mod content_notes;
pub mod control;
mod oauth;
mod operations;
pub mod outbound;
mod pages;
pub mod person_accounts;
pub mod query;
mod rest;
pub mod schema;
pub mod shape;
mod soap;
pub mod soql;
pub mod store;
pub mod tls;
mod tooling;

pub use control::{BulkSeed, Counters, Faults, HoldStatus, Seeded};
pub use oauth::{ConnectedApp, User};
pub use outbound::{Delivery, OutboundEndpoint, OutboundStatus, RetryPolicy};
pub use shape::{OrgShape, UnknownShape};

use crate::clock::Clock;
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use contract::ids::SfId;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use store::Org;

/// Salesforce's JSON content type: note there is no space after the semicolon.
pub const JSON_CONTENT_TYPE: &str = "application/json;charset=UTF-8";

/// How the org is set up: what kind of org it is, where it answers, who may sign in, how
/// generous it is.
pub struct Settings {
    pub shape: OrgShape,
    /// The org's own base URL: login URL, `instance_url` and the host of record links.
    pub base_url: String,
    pub token_lifetime: Duration,
    pub daily_api_limit: u64,
    pub apps: Vec<ConnectedApp>,
    /// The first user is the org's administrator: the one whose edits
    /// [`SalesforceState::user_update`] simulates.
    pub users: Vec<User>,
    /// Outbound Message endpoints configured from the start, by object name.
    pub outbound: Vec<(String, OutboundEndpoint)>,
    pub outbound_retry: RetryPolicy,
}

pub struct SalesforceState {
    pub shape: OrgShape,
    /// What field-level security and object permissions hide from the API user: the
    /// shape's, until a test changes it as an admin would in Setup.
    hidden: Mutex<&'static access::Hidden>,
    pub base_url: String,
    pub clock: Arc<Clock>,
    pub org: Mutex<Org>,
    auth: Mutex<oauth::Auth>,
    cursors: Mutex<operations::Cursors>,
    api_usage: AtomicU64,
    daily_api_limit: AtomicU64,
    token_lifetime_ms: AtomicU64,
    /// Records per query batch at most, whatever the client asks for; 0: as asked.
    query_batch_cap: std::sync::atomic::AtomicUsize,
    admin: Option<SfId>,
    counters: Mutex<BTreeMap<String, u64>>,
    faults: Mutex<control::FaultState>,
    holds: control::Holds,
    outbound: outbound::Outbound,
    bulk_sequence: AtomicU64,
    tls_ca: Mutex<Option<String>>,
}

impl SalesforceState {
    pub fn new(settings: Settings, mut org: Org, clock: Arc<Clock>) -> Self {
        // What the org held before it started is history, not news for Outbound Messages.
        org.take_changes();
        let admin = settings.users.first().map(|u| u.id.clone());
        let state = SalesforceState {
            shape: settings.shape,
            hidden: Mutex::new(settings.shape.hidden_from_api_user()),
            base_url: settings.base_url.trim_end_matches('/').to_owned(),
            clock,
            org: Mutex::new(org),
            auth: Mutex::new(oauth::Auth::new(settings.apps, settings.users)),
            cursors: Mutex::new(operations::Cursors::default()),
            api_usage: AtomicU64::new(0),
            daily_api_limit: AtomicU64::new(settings.daily_api_limit),
            query_batch_cap: std::sync::atomic::AtomicUsize::new(
                settings.shape.query_batch_cap().unwrap_or(0),
            ),
            token_lifetime_ms: AtomicU64::new(
                u64::try_from(settings.token_lifetime.as_millis()).unwrap_or(u64::MAX / 2),
            ),
            admin,
            counters: Mutex::new(BTreeMap::new()),
            faults: Mutex::new(control::FaultState::default()),
            holds: control::Holds::default(),
            outbound: outbound::Outbound::new(settings.outbound_retry),
            bulk_sequence: AtomicU64::new(0),
            tls_ca: Mutex::new(None),
        };
        for (object, endpoint) in settings.outbound {
            if let Err(error) = state.set_outbound_endpoint(&object, endpoint) {
                eprintln!("sandbox: ignoring the Outbound Message endpoint for {object}: {error}");
            }
        }
        state
    }

    /// REST API calls answered so far (what `Sforce-Limit-Info` reports as used).
    pub fn api_usage(&self) -> u64 {
        self.api_usage.load(Ordering::Relaxed)
    }

    pub fn daily_api_limit(&self) -> u64 {
        self.daily_api_limit.load(Ordering::Relaxed)
    }

    /// Ends every access token now, as an admin's "revoke sessions" or an org-wide
    /// session timeout would; refresh tokens keep working.
    pub fn expire_sessions(&self) {
        lock(&self.auth).expire_sessions();
    }

    /// Every access and refresh token the org has issued and not forgotten (tests look
    /// for them where they must never appear).
    pub fn issued_tokens(&self) -> Vec<String> {
        lock(&self.auth).issued_tokens()
    }

    /// Revokes every refresh token and the sessions issued from them, as revoking the
    /// connected app's access in Setup does.
    pub fn revoke_refresh_tokens(&self) {
        lock(&self.auth).revoke_all();
    }

    pub fn org_id(&self) -> SfId {
        lock(&self.org).org_id.clone()
    }

    /// Makes the sandbox answer as another org from now on (its tokens and identity URLs
    /// name `org_id`), as signing in to a different org would.
    pub fn set_org_id(&self, org_id: SfId) {
        lock(&self.org).set_org_id(org_id);
    }

    /// The schema as the org's API user sees it, through field-level security.
    pub fn api_view(&self) -> access::View {
        access::View::new(self.shape.schema(), *lock(&self.hidden))
    }

    /// Changes what the API user may not read from now on, as an admin editing
    /// field-level security and object permissions in Setup would; in effect at once, for
    /// describe, queries and writes alike.
    pub fn set_field_security(&self, hidden: access::HiddenNames) {
        *lock(&self.hidden) = hidden.into_static();
    }

    /// How long new access tokens live.
    pub(crate) fn token_lifetime(&self) -> Duration {
        Duration::from_millis(self.token_lifetime_ms.load(Ordering::Relaxed))
    }

    /// Runs writes on the org; the creates and updates they commit become Outbound
    /// Messages (for the objects that have an endpoint).
    pub(crate) fn write<R>(&self, f: impl FnOnce(&mut Org) -> R) -> R {
        let mut org = lock(&self.org);
        let result = f(&mut org);
        let changes = org.take_changes();
        if !changes.is_empty() {
            self.outbound.enqueue(&org, &changes, &self.base_url);
        }
        result
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
    let counted = oauth::routes()
        .merge(soap::routes())
        .route_layer(middleware::from_fn_with_state(state.clone(), count_call));
    Router::new()
        .merge(counted)
        .merge(api)
        .merge(tooling::routes(&state))
        .merge(rest::public_routes())
        .merge(control::routes())
        .merge(pages::routes())
        .fallback(not_found)
        .with_state(state)
}

/// Serves the org on `listener` until `stopped` turns true: plain HTTP, and HTTPS on the
/// same port when `https` (see [`tls`]).
pub fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<SalesforceState>,
    https: bool,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    // Salesforce answers `/query/` like `/query` (and clients rely on it): paths lose a
    // trailing slash before routing, so the whole router sits inside the rewrite.
    let app = axum::ServiceExt::<Request>::into_make_service(tower::Layer::layer(
        &middleware::from_fn(strip_trailing_slash),
        router(state.clone()),
    ));
    let shutdown = async move {
        let _ = stopped.wait_for(|stop| *stop).await;
    };
    if !https {
        return Ok(tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
            {
                eprintln!("sandbox Salesforce server stopped: {error}");
            }
        }));
    }
    let identity = tls::TlsIdentity::generate()?;
    state.set_tls_ca_pem(identity.ca_pem.clone());
    let listener = tls::DualListener::new(listener, &identity)?;
    Ok(tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await
        {
            eprintln!("sandbox Salesforce server stopped: {error}");
        }
    }))
}

async fn strip_trailing_slash(mut request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path.len() > 1 && path.ends_with('/') {
        let trimmed = path.trim_end_matches('/');
        let trimmed = if trimmed.is_empty() { "/" } else { trimmed };
        let rewritten = match request.uri().query() {
            Some(query) => format!("{trimmed}?{query}"),
            None => trimmed.to_owned(),
        };
        if let Ok(uri) = rewritten.parse() {
            *request.uri_mut() = uri;
        }
    }
    next.run(request).await
}

/// The Outbound Message delivery loop; runs until the task is aborted.
pub async fn deliver_outbound_messages(state: Arc<SalesforceState>) {
    outbound::run(state).await;
}

/// Who is calling the REST API, what they can see, in which version: put on the request
/// by [`authenticate`].
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: SfId,
    pub view: access::View,
    pub version: String,
}

/// `GET /query`, `POST /services/oauth2/token`: the counter key of a routed request.
fn endpoint_key(method: &Method, request: &Request) -> String {
    let path = request.extensions().get::<MatchedPath>().map_or_else(
        || request.uri().path().to_owned(),
        |p| p.as_str().to_owned(),
    );
    let path = path
        .strip_prefix("/services/data/{version}")
        .map_or(path.clone(), |rest| {
            if rest.is_empty() {
                "/".to_owned()
            } else {
                rest.to_owned()
            }
        });
    format!("{method} {path}")
}

fn count(state: &SalesforceState, key: String) {
    *lock(&state.counters).entry(key).or_default() += 1;
}

async fn count_call(
    State(state): State<Arc<SalesforceState>>,
    request: Request,
    next: Next,
) -> Response {
    let endpoint = endpoint_key(request.method(), &request);
    state.holds.pass(&endpoint).await;
    count(&state, endpoint);
    next.run(request).await
}

/// Gate of every `/services/data/vNN.0/...` call: counters, injected faults, a valid
/// session, then the API budget, and `Sforce-Limit-Info` on whatever is answered.
async fn authenticate(
    State(state): State<Arc<SalesforceState>>,
    mut request: Request,
    next: Next,
) -> Response {
    let endpoint = endpoint_key(request.method(), &request);
    state.holds.pass(&endpoint).await;
    count(&state, endpoint);
    let version = request
        .uri()
        .path()
        .split('/')
        .nth(3)
        .unwrap_or_default()
        .to_owned();
    let injected = lock(&state.faults).draw();
    if !injected.latency.is_zero() {
        tokio::time::sleep(injected.latency).await;
    }
    let limit = state.daily_api_limit();
    let with_usage = |mut response: Response, used: u64| {
        let limit_info = format!("api-usage={used}/{limit}");
        response.headers_mut().insert(
            "Sforce-Limit-Info",
            HeaderValue::from_str(&limit_info).expect("digits and ASCII"),
        );
        response
    };
    if !operations::supported_version(&version) {
        return with_usage(ApiError::not_found().into_response(), state.api_usage());
    }
    let now = state.clock.now_ms();
    let user = bearer_token(request.headers())
        .and_then(|token| lock(&state.auth).session_user(token, now));
    let Some(user) = user else {
        return with_usage(invalid_session(), state.api_usage());
    };
    if injected.unavailable {
        return with_usage(server_unavailable(), state.api_usage());
    }
    let used = state.api_usage.fetch_add(1, Ordering::Relaxed) + 1;
    let response = if used > limit || injected.limit_exceeded {
        limit_exceeded().into_response()
    } else {
        let view = state.api_view();
        request.extensions_mut().insert(Caller {
            user,
            view,
            version,
        });
        next.run(request).await
    };
    with_usage(response, used)
}

fn limit_exceeded() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "REQUEST_LIMIT_EXCEEDED",
        "TotalRequests Limit exceeded.",
    )
}

fn server_unavailable() -> Response {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "SERVER_UNAVAILABLE",
        "Unable to process your request at this time. Please try again later.",
    )
    .into_response()
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

/// One element of a REST error body, in the order Salesforce writes its keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    pub message: String,
    pub error_code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<String>>,
}

/// A REST error: answered as Salesforce does, a one-element array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            body: ErrorBody {
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

    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// The error array, as a JSON value (Composite item bodies carry it).
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::json!([self.body])
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
