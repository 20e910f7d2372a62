//! Test controls: what a test (or a developer) does to the org that an API client cannot.
//! Each is a method on [`SalesforceState`] for native tests and a JSON route under
//! `/__sandbox` on the org's listener for everything else; the routes call the methods.
//!
//! | route | body | what |
//! |---|---|---|
//! | `GET /__sandbox/shape` | | the org's shape, `{"shape": "plain"}` |
//! | `POST /__sandbox/seed` | `{"contacts": N, "accounts": M}` | bulk-create records |
//! | `POST /__sandbox/records/{Type}` | fields | a user creates a record |
//! | `PATCH /__sandbox/records/{Type}/{Id}` | fields | a user edits a record |
//! | `DELETE /__sandbox/records/{Type}/{Id}` | | a user deletes a record |
//! | `GET`/`DELETE /__sandbox/counters` | | calls per endpoint; reset |
//! | `GET`/`PUT`/`DELETE /__sandbox/faults` | [`Faults`] | injected faults |
//! | `GET`/`PUT /__sandbox/limits` | `{"dailyApiLimit": M, "used": N}` | the API allowance |
//! | `GET /__sandbox/outbound` | | endpoints, retry policy, pending, delivery log |
//! | `PUT /__sandbox/outbound` | `{"retry": {"initial", "max", "giveUpAfter"}}` (ms) | retry policy |
//! | `DELETE /__sandbox/outbound/deliveries` | | clears the delivery log |
//! | `PUT`/`DELETE /__sandbox/outbound/{Type}` | [`OutboundEndpoint`] | an object's endpoint |
//! | `POST /__sandbox/sessions/expire` | | ends every access token now |
//! | `GET`/`PUT /__sandbox/holds` | `{"endpoints": ["GET /query", ...]}` | calls held at the door; how many wait |
//! | `PUT /__sandbox/query-batch` | `{"max": N}` or `{"max": null}` | query batches of at most N records |
//! | `POST /__sandbox/clock` | `{"advanceSecs": N}` | moves the sandbox clock on |
//! | `GET /__sandbox/tls/ca.pem` | | the CA that signs the org's HTTPS certificate |

use super::access::View;
use super::outbound::{self, OutboundEndpoint, OutboundStatus, RetryPolicy};
use super::schema::ObjectDef;
use super::store::Org;
use super::{ApiError, SalesforceState, lock};
use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, patch, post};
use contract::ids::SfId;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------
// Types

/// Faults injected into REST API calls (`/services/data/...`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Faults {
    /// The fraction of calls answered 503 `SERVER_UNAVAILABLE` (not counted as API use).
    pub unavailable_rate: f64,
    /// The fraction of calls answered 403 `REQUEST_LIMIT_EXCEEDED`.
    pub limit_exceeded_rate: f64,
    /// Added to every call before it is answered.
    pub latency_ms: u64,
    /// Access tokens expire this many seconds after they are issued, and the ones
    /// already out expire at most this long from now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_lifetime_secs: Option<u64>,
    /// Seeds the draws, so a run with the same faults fails the same calls.
    pub seed: u64,
}

/// What the fault state decided for one call.
pub(super) struct Injected {
    pub unavailable: bool,
    pub limit_exceeded: bool,
    pub latency: Duration,
}

#[derive(Default)]
pub(super) struct FaultState {
    faults: Faults,
    rng: u64,
}

impl FaultState {
    fn set(&mut self, faults: Faults) {
        self.rng = faults.seed ^ 0x9E37_79B9_7F4A_7C15;
        self.faults = faults;
    }

    /// A uniform draw in [0, 1) (xorshift64*).
    fn next(&mut self) -> f64 {
        let mut x = self.rng.max(1);
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }

    pub(super) fn draw(&mut self) -> Injected {
        let (unavailable, limit_exceeded) = (
            self.faults.unavailable_rate,
            self.faults.limit_exceeded_rate,
        );
        let unavailable = unavailable > 0.0 && self.next() < unavailable;
        let limit_exceeded = !unavailable && limit_exceeded > 0.0 && self.next() < limit_exceeded;
        Injected {
            unavailable,
            limit_exceeded,
            latency: Duration::from_millis(self.faults.latency_ms),
        }
    }
}

/// Calls answered so far, per endpoint (`"GET /query"`, `"POST /composite/sobjects"`,
/// `"POST /services/oauth2/token"`), and the API allowance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Counters {
    pub api_usage: u64,
    pub daily_api_limit: u64,
    pub endpoints: BTreeMap<String, u64>,
}

impl Counters {
    /// Calls of one endpoint, 0 when never called.
    pub fn get(&self, endpoint: &str) -> u64 {
        self.endpoints.get(endpoint).copied().unwrap_or(0)
    }
}

/// How many records [`SalesforceState::seed_bulk`] makes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BulkSeed {
    pub contacts: usize,
    pub accounts: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Seeded {
    pub accounts: usize,
    pub contacts: usize,
    /// Live contacts in the org afterwards.
    pub total_contacts: usize,
    pub elapsed_ms: u64,
    /// The first and last contact made (when any).
    pub first_contact_id: Option<String>,
    pub last_contact_id: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Limits {
    pub daily_api_limit: u64,
    pub used: u64,
}

// ---------------------------------------------------------------------------------------
// The methods

const FIRST_NAMES: &[&str] = &[
    "Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia", "Tim",
];
const INDUSTRIES: &[&str] = &["Healthcare", "Logistics", "Retail", "Technology", "Other"];
const SUBSCRIPTIONS: &[&str] = &["Trial", "Standard", "Professional", "Enterprise"];

impl SalesforceState {
    fn admin(&self) -> Result<SfId, ApiError> {
        self.admin
            .clone()
            .ok_or_else(|| ApiError::bad_request("NOT_FOUND", "the org has no user to act as"))
    }

    /// Creates `accounts` accounts and `contacts` contacts (spread over the new accounts,
    /// if any) straight into the store, as data that was already there: no API calls
    /// counted, no Outbound Messages. Emails are unique across calls.
    pub fn seed_bulk(&self, request: BulkSeed) -> Seeded {
        let started = Instant::now();
        let admin = self.admin.clone().unwrap_or_else(|| self.org_id());
        let now = self.clock.now_ms();
        let batch = self.bulk_sequence.fetch_add(1, Ordering::Relaxed) + 1;
        let mut org = lock(&self.org);
        let schema = org.schema();
        let account = schema.object("Account").expect("every org has accounts");
        let contact = schema.object("Contact").expect("every org has contacts");
        let at =
            |object: &ObjectDef, name: &str| object.index_of(name).expect("bulk seed fields exist");
        org.reserve(account, request.accounts);
        let accounts: Vec<String> = (0..request.accounts)
            .map(|n| {
                let values = [
                    (
                        at(account, "Name"),
                        json!(format!("Bulk Account {batch}-{n:06}")),
                    ),
                    (
                        at(account, "Industry"),
                        json!(INDUSTRIES[n % INDUSTRIES.len()]),
                    ),
                    (at(account, "Type"), json!("Customer - Direct")),
                    (at(account, "NumberOfEmployees"), json!(10 + n % 990)),
                ];
                org.insert_trusted(account, values, &admin, now).to_string()
            })
            .collect();
        org.reserve(contact, request.contacts);
        let (first, last, email, account_id) = (
            at(contact, "FirstName"),
            at(contact, "LastName"),
            at(contact, "Email"),
            at(contact, "AccountId"),
        );
        // Custom fields only where the org has them.
        let (subscription, seats) = (
            contact.index_of("Subscription_Type__c"),
            contact.index_of("Seats__c"),
        );
        let mut ids = (None, None);
        for n in 0..request.contacts {
            let mut values = vec![
                (first, json!(FIRST_NAMES[n % FIRST_NAMES.len()])),
                (last, json!(format!("Contact {batch}-{n:06}"))),
                (email, json!(format!("contact{n}.b{batch}@bulk.example"))),
            ];
            values.extend(subscription.map(|i| (i, json!(SUBSCRIPTIONS[n % SUBSCRIPTIONS.len()]))));
            values.extend(seats.map(|i| (i, json!((1 + n % 50) as f64))));
            if !accounts.is_empty() {
                values.push((account_id, json!(accounts[n % accounts.len()])));
            }
            let id = org.insert_trusted(contact, values, &admin, now).to_string();
            if ids.0.is_none() {
                ids.0 = Some(id.clone());
            }
            ids.1 = Some(id);
        }
        let total_contacts = org.count_live(contact);
        Seeded {
            accounts: request.accounts,
            contacts: request.contacts,
            total_contacts,
            elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            first_contact_id: ids.0,
            last_contact_id: ids.1,
        }
    }

    /// The org as its administrator sees it: every object and field.
    fn everything(&self) -> View {
        View::everything(self.shape.schema())
    }

    /// A Salesforce user creates a record in the UI: validated like an API write, fires
    /// Outbound Messages, costs no API call. Answers the record.
    pub fn user_create(
        &self,
        sobject: &str,
        fields: &Map<String, Value>,
    ) -> Result<Value, ApiError> {
        let object = super::operations::object_named(self.everything(), sobject)?;
        let admin = self.admin()?;
        let now = self.clock.now_ms();
        self.write(|org| {
            let id = org.create(object, fields, &admin, now)?;
            Ok(record_json(org, &id))
        })
    }

    /// A Salesforce user edits a record in the UI: `LastModifiedDate` and
    /// `SystemModstamp` move on and Outbound Messages fire. Answers the record.
    pub fn user_update(
        &self,
        sobject: &str,
        id: &str,
        fields: &Map<String, Value>,
    ) -> Result<Value, ApiError> {
        let object = super::operations::object_named(self.everything(), sobject)?;
        let id = SfId::parse(id).map_err(|_| ApiError::not_found())?;
        let admin = self.admin()?;
        let now = self.clock.now_ms();
        self.write(|org| {
            org.update(object, &id, fields, &admin, now)?;
            Ok(record_json(org, &id))
        })
    }

    /// A Salesforce user deletes a record: it goes to the recycle bin.
    pub fn user_delete(&self, sobject: &str, id: &str) -> Result<(), ApiError> {
        let object = super::operations::object_named(self.everything(), sobject)?;
        let id = SfId::parse(id).map_err(|_| ApiError::not_found())?;
        let admin = self.admin()?;
        let now = self.clock.now_ms();
        self.write(|org| org.delete(object, &id, &admin, now))?;
        Ok(())
    }

    /// Calls answered so far per endpoint, and the API allowance.
    pub fn counters(&self) -> Counters {
        Counters {
            api_usage: self.api_usage(),
            daily_api_limit: self.daily_api_limit(),
            endpoints: lock(&self.counters).clone(),
        }
    }

    /// Forgets the per-endpoint counts (the API usage stays: see [`Self::set_limits`]).
    pub fn reset_counters(&self) {
        lock(&self.counters).clear();
    }

    pub fn faults(&self) -> Faults {
        lock(&self.faults).faults.clone()
    }

    /// Replaces the injected faults; `Faults::default()` clears them.
    pub fn set_faults(&self, faults: Faults) {
        if let Some(secs) = faults.token_lifetime_secs {
            let lifetime = Duration::from_secs(secs);
            self.token_lifetime_ms.store(
                u64::try_from(lifetime.as_millis()).unwrap_or(u64::MAX),
                Ordering::Relaxed,
            );
            let deadline = self
                .clock
                .now_ms()
                .saturating_add(i64::try_from(lifetime.as_millis()).unwrap_or(i64::MAX / 2));
            lock(&self.auth).cap_sessions(deadline);
        }
        lock(&self.faults).set(faults);
    }

    pub fn limits(&self) -> Limits {
        Limits {
            daily_api_limit: self.daily_api_limit(),
            used: self.api_usage(),
        }
    }

    /// Sets the daily allowance and how much of it is used.
    pub fn set_limits(&self, limits: Limits) {
        self.daily_api_limit
            .store(limits.daily_api_limit, Ordering::Relaxed);
        self.api_usage.store(limits.used, Ordering::Relaxed);
    }

    /// Points an object's (Account or Contact) Outbound Messages at a receiver.
    pub fn set_outbound_endpoint(
        &self,
        sobject: &str,
        endpoint: OutboundEndpoint,
    ) -> Result<(), String> {
        let object = outbound::notifying_object(self.shape.schema(), sobject)?;
        self.outbound.set_endpoint(object, endpoint)
    }

    /// Stops an object's Outbound Messages; answers whether it had an endpoint.
    pub fn remove_outbound_endpoint(&self, sobject: &str) -> Result<bool, String> {
        let object = outbound::notifying_object(self.shape.schema(), sobject)?;
        Ok(self.outbound.remove_endpoint(object))
    }

    pub fn set_outbound_retry(&self, retry: RetryPolicy) {
        self.outbound.set_retry(retry);
    }

    /// Endpoints, retry policy, undelivered notifications and the delivery log.
    pub fn outbound_status(&self) -> OutboundStatus {
        self.outbound.status()
    }

    pub fn outbound_deliveries(&self) -> Vec<outbound::Delivery> {
        self.outbound.status().deliveries
    }

    pub fn clear_outbound_deliveries(&self) {
        self.outbound.clear_log();
    }

    /// The PEM of the CA that signs the org's HTTPS certificate, once TLS is set up.
    pub fn tls_ca_pem(&self) -> Option<String> {
        lock(&self.tls_ca).clone()
    }

    pub(crate) fn set_tls_ca_pem(&self, pem: String) {
        *lock(&self.tls_ca) = Some(pem);
    }
}

fn record_json(org: &Org, id: &SfId) -> Value {
    org.get(id)
        .map_or(Value::Null, |record| Value::Object(record.to_map()))
}

/// Calls held at the door until released, so that a test can park a client at one of its
/// awaits and do something else meanwhile (races made deterministic). An endpoint key
/// (as [`Counters`] names them, `"GET /query"`, `"POST /services/oauth2/token"`) is held
/// when it starts with one of the held prefixes.
pub(super) struct Holds {
    held: tokio::sync::watch::Sender<Vec<String>>,
    waiting: std::sync::atomic::AtomicUsize,
}

/// What is held and how many calls wait.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HoldStatus {
    pub endpoints: Vec<String>,
    pub waiting: usize,
}

impl Default for Holds {
    fn default() -> Self {
        Holds {
            held: tokio::sync::watch::Sender::new(Vec::new()),
            waiting: Default::default(),
        }
    }
}

impl Holds {
    /// Waits while `endpoint` is held.
    pub(super) async fn pass(&self, endpoint: &str) {
        let is_held = |held: &Vec<String>| held.iter().any(|prefix| endpoint.starts_with(prefix));
        let mut held = self.held.subscribe();
        if !is_held(&held.borrow_and_update()) {
            return;
        }
        self.waiting.fetch_add(1, Ordering::SeqCst);
        let _ = held.wait_for(|held| !is_held(held)).await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
    }
}

impl SalesforceState {
    /// From now on every query batch holds at most `max` records, however many the client
    /// asked for (`None`: as asked), as a real org answers queries of wide or complex rows:
    /// "There is no guarantee that the requested batch size is the actual batch size. To
    /// maximize performance, the number of results returned can vary based on the size and
    /// complexity of the records" (SOAP API Developer Guide, QueryOptions header; the REST
    /// API's `Sforce-Query-Options` says the same). `done` and `nextRecordsUrl` still say
    /// whether more follow.
    pub fn cap_query_batches(&self, max: Option<usize>) {
        self.query_batch_cap
            .store(max.unwrap_or(0), Ordering::SeqCst);
    }

    /// The records a batch holds when `asked` were asked for.
    pub(super) fn query_batch(&self, asked: usize) -> usize {
        match self.query_batch_cap.load(Ordering::SeqCst) {
            0 => asked,
            cap => asked.min(cap),
        }
    }

    /// Holds calls to these endpoints (prefixes) from now on; an empty list lets every
    /// held call go on.
    pub fn hold(&self, endpoints: Vec<String>) {
        self.holds.held.send_replace(endpoints);
    }

    pub fn holds(&self) -> HoldStatus {
        HoldStatus {
            endpoints: self.holds.held.borrow().clone(),
            waiting: self.holds.waiting.load(Ordering::SeqCst),
        }
    }
}

// ---------------------------------------------------------------------------------------
// The routes

pub(super) fn routes() -> Router<Arc<SalesforceState>> {
    Router::new()
        .route("/__sandbox/shape", get(shape))
        .route("/__sandbox/seed", post(seed))
        .route("/__sandbox/records/{sobject}", post(record_create))
        .route(
            "/__sandbox/records/{sobject}/{id}",
            patch(record_update).delete(record_delete),
        )
        .route("/__sandbox/counters", get(counters).delete(reset_counters))
        .route(
            "/__sandbox/faults",
            get(faults).put(put_faults).delete(clear_faults),
        )
        .route("/__sandbox/limits", get(limits).put(put_limits))
        .route(
            "/__sandbox/outbound",
            get(outbound_status).put(put_outbound),
        )
        .route("/__sandbox/outbound/deliveries", delete(clear_deliveries))
        .route(
            "/__sandbox/outbound/{sobject}",
            axum::routing::put(put_endpoint).delete(delete_endpoint),
        )
        .route("/__sandbox/sessions/expire", post(expire_sessions))
        .route("/__sandbox/holds", get(holds).put(put_holds))
        .route(
            "/__sandbox/query-batch",
            axum::routing::put(put_query_batch),
        )
        .route("/__sandbox/clock", post(advance_clock))
        .route("/__sandbox/tls/ca.pem", get(ca_pem))
}

type Shared = State<Arc<SalesforceState>>;

fn refused(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({"error": message.into()}))).into_response()
}

fn api_error(error: ApiError) -> Response {
    error.into_response()
}

async fn shape(State(state): Shared) -> Response {
    Json(json!({"shape": state.shape})).into_response()
}

async fn seed(State(state): Shared, Json(request): Json<BulkSeed>) -> Response {
    const MAX: usize = 2_000_000;
    if request.contacts > MAX || request.accounts > MAX {
        return refused(
            StatusCode::BAD_REQUEST,
            format!("seed at most {MAX} records of each kind per call"),
        );
    }
    let state = state.clone();
    match tokio::task::spawn_blocking(move || state.seed_bulk(request)).await {
        Ok(seeded) => Json(seeded).into_response(),
        Err(error) => refused(StatusCode::INTERNAL_SERVER_ERROR, error.to_string()),
    }
}

async fn record_create(
    State(state): Shared,
    Path(sobject): Path<String>,
    Json(fields): Json<Map<String, Value>>,
) -> Response {
    match state.user_create(&sobject, &fields) {
        Ok(record) => (StatusCode::CREATED, Json(record)).into_response(),
        Err(error) => api_error(error),
    }
}

async fn record_update(
    State(state): Shared,
    Path((sobject, id)): Path<(String, String)>,
    Json(fields): Json<Map<String, Value>>,
) -> Response {
    match state.user_update(&sobject, &id, &fields) {
        Ok(record) => Json(record).into_response(),
        Err(error) => api_error(error),
    }
}

async fn record_delete(
    State(state): Shared,
    Path((sobject, id)): Path<(String, String)>,
) -> Response {
    match state.user_delete(&sobject, &id) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => api_error(error),
    }
}

async fn counters(State(state): Shared) -> Response {
    Json(state.counters()).into_response()
}

async fn reset_counters(State(state): Shared) -> Response {
    state.reset_counters();
    Json(state.counters()).into_response()
}

async fn faults(State(state): Shared) -> Response {
    Json(state.faults()).into_response()
}

async fn put_faults(State(state): Shared, Json(faults): Json<Faults>) -> Response {
    let rates = [faults.unavailable_rate, faults.limit_exceeded_rate];
    if rates.iter().any(|r| !(0.0..=1.0).contains(r)) {
        return refused(StatusCode::BAD_REQUEST, "rates are fractions from 0 to 1");
    }
    state.set_faults(faults);
    Json(state.faults()).into_response()
}

async fn clear_faults(State(state): Shared) -> Response {
    state.set_faults(Faults::default());
    Json(state.faults()).into_response()
}

async fn limits(State(state): Shared) -> Response {
    Json(state.limits()).into_response()
}

async fn put_limits(State(state): Shared, Json(limits): Json<Limits>) -> Response {
    state.set_limits(limits);
    Json(state.limits()).into_response()
}

async fn outbound_status(State(state): Shared) -> Response {
    Json(state.outbound_status()).into_response()
}

#[derive(Deserialize)]
struct OutboundSettings {
    retry: RetryPolicy,
}

async fn put_outbound(State(state): Shared, Json(settings): Json<OutboundSettings>) -> Response {
    state.set_outbound_retry(settings.retry);
    Json(state.outbound_status()).into_response()
}

async fn clear_deliveries(State(state): Shared) -> Response {
    state.clear_outbound_deliveries();
    StatusCode::NO_CONTENT.into_response()
}

async fn put_endpoint(
    State(state): Shared,
    Path(sobject): Path<String>,
    Json(endpoint): Json<OutboundEndpoint>,
) -> Response {
    match state.set_outbound_endpoint(&sobject, endpoint) {
        Ok(()) => Json(state.outbound_status()).into_response(),
        Err(error) => refused(StatusCode::BAD_REQUEST, error),
    }
}

async fn delete_endpoint(State(state): Shared, Path(sobject): Path<String>) -> Response {
    match state.remove_outbound_endpoint(&sobject) {
        Ok(true) => StatusCode::NO_CONTENT.into_response(),
        Ok(false) => refused(StatusCode::NOT_FOUND, format!("{sobject} has no endpoint")),
        Err(error) => refused(StatusCode::BAD_REQUEST, error),
    }
}

async fn expire_sessions(State(state): Shared) -> Response {
    state.expire_sessions();
    StatusCode::NO_CONTENT.into_response()
}

async fn holds(State(state): Shared) -> Json<HoldStatus> {
    Json(state.holds())
}

async fn put_holds(State(state): Shared, Json(request): Json<HoldStatus>) -> Json<HoldStatus> {
    state.hold(request.endpoints);
    Json(state.holds())
}

#[derive(Deserialize)]
struct QueryBatch {
    max: Option<usize>,
}

async fn put_query_batch(State(state): Shared, Json(request): Json<QueryBatch>) -> StatusCode {
    state.cap_query_batches(request.max.filter(|&max| max > 0));
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Advance {
    advance_secs: u64,
}

async fn advance_clock(State(state): Shared, Json(advance): Json<Advance>) -> Response {
    state
        .clock
        .advance(Duration::from_secs(advance.advance_secs));
    Json(json!({"now": crate::clock::sf_datetime(state.clock.now_ms())})).into_response()
}

async fn ca_pem(State(state): Shared) -> Response {
    match state.tls_ca_pem() {
        Some(pem) => (
            [(axum::http::header::CONTENT_TYPE, "application/x-pem-file")],
            pem,
        )
            .into_response(),
        None => refused(StatusCode::NOT_FOUND, "the org does not answer HTTPS"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_draws_follow_the_rates_and_the_seed() {
        let mut state = FaultState::default();
        state.set(Faults {
            unavailable_rate: 0.25,
            seed: 7,
            ..Faults::default()
        });
        let failed = (0..4000).filter(|_| state.draw().unavailable).count();
        assert!((800..1200).contains(&failed), "{failed}");
        let mut again = FaultState::default();
        again.set(Faults {
            unavailable_rate: 0.25,
            seed: 7,
            ..Faults::default()
        });
        let mut first = FaultState::default();
        first.set(again.faults.clone());
        let a: Vec<bool> = (0..50).map(|_| first.draw().unavailable).collect();
        let b: Vec<bool> = (0..50).map(|_| again.draw().unavailable).collect();
        assert_eq!(a, b, "the same seed fails the same calls");
        let mut none = FaultState::default();
        assert!((0..100).all(|_| {
            let injected = none.draw();
            !injected.unavailable && !injected.limit_exceeded && injected.latency.is_zero()
        }));
    }
}
