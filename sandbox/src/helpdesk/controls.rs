//! Test controls for the helpdesk, on its listener under `/__sandbox/` (JSON, no token)
//! and as methods on [`crate::Sandbox`]; both call the same [`HelpdeskState`] methods.
//!
//! | route | does |
//! |---|---|
//! | `GET /__sandbox` | lists these controls |
//! | `GET /__sandbox/calls`, `POST /__sandbox/calls/reset` | API call counters (total, by route, rate-limited, faulted) |
//! | `POST /__sandbox/faults`, `DELETE /__sandbox/faults` | queue a fault for the next calls: `{"status": 503, "times": 2, "path": "/api/v1/contacts"}`, `{"status": 429, "retryAfter": 2}`, `{"latencyMs": 800}` |
//! | `GET`/`PUT /__sandbox/rate-limit` | `{"credits": 10, "windowMs": 1000}`, or `{"credits": null}` for none |
//! | `POST /__sandbox/seed` | bulk-create `{"contacts": 250, "accounts": 20}` (`"webhooks": true` to announce them) |
//! | `POST /__sandbox/agent-edits` | what an agent does in the helpdesk UI: `{"action": "update", "module": "contacts", "id": "...", "fields": {"title": "CTO"}}` (also `create`, `delete`); fires webhooks |
//! | `GET`/`DELETE /__sandbox/webhooks/deliveries` | every delivery attempt, with its body and the receiver's answer |
//! | `PUT /__sandbox/webhooks/retry` | `{"baseMs": 50, "maxMs": 400}`: how soon failed deliveries are retried |
//! | `GET /__sandbox/credits` | each organisation's plan and API credits spent (`{"orgs": {"<orgId>": {"plan": ..., "dailyCredits": n, "spent": n, "spentToday": n, ...}}}`) |
//! | `PUT /__sandbox/credits` | `{"plan": {"edition": "professional", "agents": 10}, "orgId": "..."}` (`orgId` optional: every org; `"plan": null`: count, refuse nothing) sets Zoho's credit model; `POST /__sandbox/credits/reset` zeroes the meters |
//! | `POST /__sandbox/credits/spend` | `{"orgId": "...", "credits": n}`: what the organisation's other integrations spent today |
//! | `POST /__sandbox/oauth/expire` | ends every OAuth access token now (refresh tokens keep working) |
//! | `POST /__sandbox/oauth/revoke` | `{"orgId": "..."}`: revokes that organisation's grants, as its admin removing the app would |
//! | `POST /__sandbox/extension/install`, `.../uninstall` | the extension's lifecycle, with its callbacks (see [`super::extension`]) |

use super::credits::{CreditPlan, OrgCredits};
use super::store::{Account, Change, Contact, Desk, Module, Writable};
use super::traffic::{CallCounts, Fault, RateLimit};
use super::webhooks::Delivery;
use super::{DeskError, HelpdeskState, lock};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

pub(super) fn routes() -> Router<Arc<HelpdeskState>> {
    Router::new()
        .route("/__sandbox", get(index))
        .route("/__sandbox/calls", get(calls))
        .route("/__sandbox/calls/reset", post(reset_calls))
        .route("/__sandbox/faults", post(add_fault).delete(clear_faults))
        .route("/__sandbox/rate-limit", get(rate_limit).put(set_rate_limit))
        .route("/__sandbox/seed", post(seed))
        .route("/__sandbox/agent-edits", post(agent_edit))
        .route(
            "/__sandbox/webhooks/deliveries",
            get(deliveries).delete(clear_deliveries),
        )
        .route("/__sandbox/webhooks/retry", put(set_retry))
        .route("/__sandbox/credits", get(credits).put(set_credit_plan))
        .route("/__sandbox/credits/reset", post(reset_credits))
        .route("/__sandbox/credits/spend", post(spend_credits))
        .route("/__sandbox/oauth/expire", post(expire_tokens))
        .route("/__sandbox/oauth/revoke", post(revoke_org))
        .merge(super::extension::control_routes())
}

/// Bulk records to create.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedRequest {
    #[serde(default)]
    pub contacts: usize,
    #[serde(default)]
    pub accounts: usize,
    /// Announce the new records to webhooks (a bulk import usually does not).
    #[serde(default)]
    pub webhooks: bool,
}

/// The ids of what a seed created, in creation order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Seeded {
    pub account_ids: Vec<String>,
    pub contact_ids: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EditAction {
    Create,
    Update,
    Delete,
}

/// One change an agent makes in the helpdesk's own UI (so with no `sourceId`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AgentEdit {
    pub action: EditAction,
    /// `contacts` or `accounts`.
    pub module: String,
    /// The record, for `update` and `delete`.
    #[serde(default)]
    pub id: Option<String>,
    /// The fields to write, as the API takes them (with `cf` for custom fields).
    #[serde(default)]
    pub fields: Value,
    /// Who edits (default: the administrator).
    #[serde(default)]
    pub agent_id: Option<String>,
}

impl AgentEdit {
    pub fn update(module: &str, id: &str, fields: Value) -> Self {
        AgentEdit {
            action: EditAction::Update,
            module: module.to_owned(),
            id: Some(id.to_owned()),
            fields,
            agent_id: None,
        }
    }

    pub fn create(module: &str, fields: Value) -> Self {
        AgentEdit {
            action: EditAction::Create,
            id: None,
            ..AgentEdit::update(module, "", fields)
        }
    }

    pub fn delete(module: &str, id: &str) -> Self {
        AgentEdit {
            action: EditAction::Delete,
            ..AgentEdit::update(module, id, Value::Null)
        }
    }
}

const SEED_LIMIT: usize = 10_000;

const INDUSTRIES: [&str; 5] = ["Retail", "Logistics", "Healthcare", "Technology", "Finance"];

impl HelpdeskState {
    /// API calls answered since the last reset.
    pub fn calls(&self) -> CallCounts {
        self.traffic().counts().clone()
    }

    pub fn reset_calls(&self) {
        self.traffic().reset_counts();
    }

    /// Queues a fault for the next matching calls.
    pub fn inject_fault(&self, fault: Fault) -> Result<(), String> {
        fault.validate()?;
        self.traffic().add_fault(fault);
        Ok(())
    }

    pub fn clear_faults(&self) {
        self.traffic().clear_faults();
    }

    /// Replaces the rate limit (and starts a fresh window); `None` lifts it.
    pub fn set_rate_limit(&self, limit: Option<RateLimit>) {
        self.traffic().set_limit(limit);
    }

    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.traffic().limit()
    }

    /// Bulk-creates accounts, then contacts spread over the new accounts, through the
    /// same validation as the API, in the demo organisation.
    pub fn seed(&self, request: &SeedRequest) -> Result<Seeded, DeskError> {
        self.seed_in(&self.org_ids[0], request)
    }

    /// [`seed`](Self::seed) in the organisation `org_id`, owned by its first agent.
    pub fn seed_in(&self, org_id: &str, request: &SeedRequest) -> Result<Seeded, DeskError> {
        if request.contacts + request.accounts > SEED_LIMIT {
            return Err(DeskError::invalid_body(&format!(
                "Seed at most {SEED_LIMIT} records at a time."
            )));
        }
        let owner = self
            .desk_of(org_id)
            .and_then(|desk| desk.agents.first().map(|a| a.id.clone()))
            .ok_or_else(DeskError::not_found)?;
        let announce = request.webhooks;
        self.write_in(org_id, None, |desk, now| {
            let mut seeded = Seeded::default();
            let mut changes = Vec::new();
            let base_accounts = desk.accounts.len();
            for i in 0..request.accounts {
                let n = base_accounts + i + 1;
                let fields = json!({
                    "accountName": format!("Bulk Account {n:04}"),
                    "industry": INDUSTRIES[n % INDUSTRIES.len()],
                    "website": format!("https://bulk-{n:04}.example"),
                });
                let (account, change) = desk.create::<Account>(&fields, &owner, now)?;
                seeded.account_ids.push(account.id);
                changes.push(change);
            }
            let base_contacts = desk.contacts.len();
            for i in 0..request.contacts {
                let n = base_contacts + i + 1;
                let mut fields = json!({
                    "firstName": "Bulk",
                    "lastName": format!("Contact {n:05}"),
                    "email": format!("contact{n:05}@bulk.example"),
                });
                if !seeded.account_ids.is_empty() {
                    fields["accountId"] = json!(seeded.account_ids[i % seeded.account_ids.len()]);
                }
                let (contact, change) = desk.create::<Contact>(&fields, &owner, now)?;
                seeded.contact_ids.push(contact.id);
                changes.push(change);
            }
            Ok((seeded, if announce { changes } else { Vec::new() }))
        })
    }

    /// Makes the change an agent would make in the helpdesk, and tells the webhooks.
    pub fn agent_edit(&self, edit: &AgentEdit) -> Result<Value, DeskError> {
        let module = Module::parse(&edit.module)
            .ok_or_else(|| DeskError::invalid_body("module is contacts or accounts"))?;
        let agent = match &edit.agent_id {
            Some(id) if self.desk().agent(id).is_none() => {
                return Err(DeskError::invalid_body(&format!(
                    "No agent has the id {id:?}"
                )));
            }
            Some(id) => id.clone(),
            None => self.token_owner().to_owned(),
        };
        let id = || {
            edit.id
                .clone()
                .ok_or_else(|| DeskError::invalid_body("update and delete need the record's id"))
        };
        let fields = if edit.fields.is_null() {
            json!({})
        } else {
            edit.fields.clone()
        };
        self.write(None, |desk, now| {
            let (record, change) = match module {
                Module::Contacts => {
                    edit_record::<Contact>(desk, edit.action, &fields, &agent, id, now)?
                }
                Module::Accounts => {
                    edit_record::<Account>(desk, edit.action, &fields, &agent, id, now)?
                }
            };
            Ok((record, vec![change]))
        })
    }
}

/// An agent's edit of one record: the record as it now is (for a delete: its id), and
/// what changed. `id` names the record an update or a delete is about.
fn edit_record<R: Writable>(
    desk: &mut Desk,
    action: EditAction,
    fields: &Value,
    agent: &str,
    id: impl Fn() -> Result<String, DeskError>,
    now: i64,
) -> Result<(Value, Change), DeskError> {
    Ok(match action {
        EditAction::Create => {
            let (record, change) = desk.create::<R>(fields, agent, now)?;
            (to_json(record), change)
        }
        EditAction::Update => {
            let (record, change) = desk.update::<R>(&id()?, fields, now)?;
            (to_json(record), change)
        }
        EditAction::Delete => {
            let change = desk.trash::<R>(&id()?, now)?;
            (change.payload.clone(), change)
        }
    })
}

fn to_json(record: impl Serialize) -> Value {
    serde_json::to_value(record).expect("records serialize")
}

/// Each organisation's credit model and what it spent: `GET /__sandbox/credits`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreditReport {
    pub orgs: BTreeMap<String, OrgCredits>,
}

impl HelpdeskState {
    pub fn credits(&self) -> CreditReport {
        CreditReport {
            orgs: lock(&self.credits).report(self.clock.now_ms()),
        }
    }

    /// Sets Zoho's credit model for one organisation, or every one (`org_id` `None`);
    /// a plan of `None` counts and refuses nothing (a sandbox-only mode).
    pub fn set_credit_plan(&self, org_id: Option<&str>, plan: Option<CreditPlan>) {
        lock(&self.credits).set_plan(org_id, plan);
    }

    pub fn reset_credits(&self) {
        lock(&self.credits).reset();
    }

    /// Charges `org_id` credits spent outside this client (its other integrations).
    pub fn spend_credits(&self, org_id: &str, credits: u64) {
        lock(&self.credits).spend(org_id, credits, self.clock.now_ms());
    }
}

impl crate::Sandbox {
    /// Helpdesk API credits spent per organisation, and the credit model.
    pub fn helpdesk_credits(&self) -> CreditReport {
        self.helpdesk.credits()
    }

    /// Sets Zoho's credit model for every helpdesk organisation.
    pub fn set_helpdesk_credit_plan(&self, plan: Option<CreditPlan>) {
        self.helpdesk.set_credit_plan(None, plan);
    }

    /// Charges a helpdesk organisation credits its other integrations spent.
    pub fn spend_helpdesk_credits(&self, org_id: &str, credits: u64) {
        self.helpdesk.spend_credits(org_id, credits);
    }

    /// Sets Zoho's credit model for one helpdesk organisation.
    pub fn set_helpdesk_org_credit_plan(&self, org_id: &str, plan: Option<CreditPlan>) {
        self.helpdesk.set_credit_plan(Some(org_id), plan);
    }

    /// Helpdesk API calls answered since the last reset.
    pub fn helpdesk_calls(&self) -> CallCounts {
        self.helpdesk.calls()
    }

    pub fn reset_helpdesk_calls(&self) {
        self.helpdesk.reset_calls();
    }

    /// Queues a fault for the next matching helpdesk API calls.
    pub fn inject_helpdesk_fault(&self, fault: Fault) -> Result<(), String> {
        self.helpdesk.inject_fault(fault)
    }

    pub fn clear_helpdesk_faults(&self) {
        self.helpdesk.clear_faults();
    }

    /// Sets the helpdesk's API limit (`None` lifts it).
    pub fn set_helpdesk_rate_limit(&self, limit: Option<RateLimit>) {
        self.helpdesk.set_rate_limit(limit);
    }

    /// Bulk-creates helpdesk contacts and accounts.
    pub fn seed_helpdesk(&self, request: &SeedRequest) -> Result<Seeded, DeskError> {
        self.helpdesk.seed(request)
    }

    /// An agent's edit in the helpdesk UI: fires webhooks like any write without a
    /// `sourceId`.
    pub fn helpdesk_agent_edit(&self, edit: &AgentEdit) -> Result<Value, DeskError> {
        self.helpdesk.agent_edit(edit)
    }

    /// Every helpdesk webhook delivery attempt so far.
    pub fn helpdesk_webhook_deliveries(&self) -> Vec<Delivery> {
        self.helpdesk.webhook_deliveries()
    }

    /// How soon failed webhook deliveries are retried.
    pub fn set_helpdesk_webhook_retry(&self, base: Duration, max: Duration) {
        self.helpdesk.set_webhook_retry(base, max);
    }

    /// Waits until every queued webhook event is delivered; false if `timeout` passed
    /// first (say, a receiver keeps failing).
    pub async fn helpdesk_webhooks_settled(&self, timeout: Duration) -> bool {
        self.helpdesk.webhooks_settled(timeout).await
    }
}

pub(super) fn bad_request(message: impl Into<String>) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({ "error": message.into() })),
    )
        .into_response()
}

/// A control's JSON body, or the 400 to answer (boxed: a `Response` is large).
pub(super) fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Box<Response>> {
    serde_json::from_slice(body)
        .map_err(|e| Box::new(bad_request(format!("bad control request: {e}"))))
}

async fn index() -> Json<Value> {
    Json(json!({
        "controls": {
            "GET /__sandbox/calls": "API call counters",
            "POST /__sandbox/calls/reset": "zero the counters",
            "POST /__sandbox/faults": "{\"status\": 503|429|500, \"latencyMs\": n, \"retryAfter\": s, \"times\": n, \"path\": \"/api/v1/...\"}",
            "DELETE /__sandbox/faults": "drop queued faults",
            "GET|PUT /__sandbox/rate-limit": "{\"credits\": n, \"windowMs\": n} or {\"credits\": null}",
            "POST /__sandbox/seed": "{\"contacts\": n, \"accounts\": n, \"webhooks\": false}",
            "POST /__sandbox/agent-edits": "{\"action\": \"create|update|delete\", \"module\": \"contacts|accounts\", \"id\": \"...\", \"fields\": {...}}",
            "GET|DELETE /__sandbox/webhooks/deliveries": "the delivery log",
            "PUT /__sandbox/webhooks/retry": "{\"baseMs\": n, \"maxMs\": n}",
            "GET /__sandbox/credits": "API credits spent per organisation",
            "PUT /__sandbox/credits": "{\"plan\": {\"edition\": \"free|express|standard|professional|enterprise\", \"agents\": n} | null, \"orgId\": \"...\" (optional: every org)}",
            "POST /__sandbox/credits/reset": "zero the credit meters",
            "POST /__sandbox/credits/spend": "{\"orgId\": \"...\", \"credits\": n}: spent by the organisation's other integrations",
            "POST /__sandbox/oauth/expire": "end every OAuth access token now",
            "POST /__sandbox/oauth/revoke": "{\"orgId\": \"...\"}: revoke that organisation's grants",
            "POST /__sandbox/extension/install": "{\"orgId\", \"callbackUrl\", \"secret\", \"whiteListedDomains\", \"secureParams\", \"connections\"}: install the extension, calling its onInstall callback",
            "POST /__sandbox/extension/uninstall": "{\"installationId\": \"...\"}: uninstall it, calling its onUninstall callback",
        }
    }))
}

async fn calls(State(state): State<Arc<HelpdeskState>>) -> Json<CallCounts> {
    Json(state.calls())
}

async fn reset_calls(State(state): State<Arc<HelpdeskState>>) -> StatusCode {
    state.reset_calls();
    StatusCode::NO_CONTENT
}

async fn add_fault(State(state): State<Arc<HelpdeskState>>, body: Bytes) -> Response {
    let fault: Fault = match parse(&body) {
        Ok(fault) => fault,
        Err(response) => return *response,
    };
    match state.inject_fault(fault) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(message) => bad_request(message),
    }
}

async fn clear_faults(State(state): State<Arc<HelpdeskState>>) -> StatusCode {
    state.clear_faults();
    StatusCode::NO_CONTENT
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RateLimitBody {
    credits: Option<u32>,
    #[serde(default)]
    window_ms: Option<u64>,
}

fn rate_limit_json(limit: Option<RateLimit>) -> Json<RateLimitBody> {
    Json(RateLimitBody {
        credits: limit.map(|l| l.credits),
        window_ms: limit.map(|l| u64::try_from(l.window.as_millis()).unwrap_or(u64::MAX)),
    })
}

async fn rate_limit(State(state): State<Arc<HelpdeskState>>) -> Json<RateLimitBody> {
    rate_limit_json(state.rate_limit())
}

async fn set_rate_limit(State(state): State<Arc<HelpdeskState>>, body: Bytes) -> Response {
    let body: RateLimitBody = match parse(&body) {
        Ok(body) => body,
        Err(response) => return *response,
    };
    let limit = match (body.credits, body.window_ms) {
        (None, _) => None,
        (Some(credits), Some(ms)) if ms > 0 => Some(RateLimit {
            credits,
            window: Duration::from_millis(ms),
        }),
        (Some(_), _) => return bad_request("a rate limit needs windowMs > 0"),
    };
    state.set_rate_limit(limit);
    rate_limit_json(limit).into_response()
}

async fn seed(State(state): State<Arc<HelpdeskState>>, body: Bytes) -> Response {
    let request: SeedRequest = match parse(&body) {
        Ok(request) => request,
        Err(response) => return *response,
    };
    match state.seed(&request) {
        Ok(seeded) => Json(seeded).into_response(),
        Err(error) => error.into_response(),
    }
}

async fn agent_edit(State(state): State<Arc<HelpdeskState>>, body: Bytes) -> Response {
    let edit: AgentEdit = match parse(&body) {
        Ok(edit) => edit,
        Err(response) => return *response,
    };
    match state.agent_edit(&edit) {
        Ok(record) => Json(record).into_response(),
        Err(error) => error.into_response(),
    }
}

async fn deliveries(State(state): State<Arc<HelpdeskState>>) -> Json<Vec<Delivery>> {
    Json(state.webhook_deliveries())
}

async fn clear_deliveries(State(state): State<Arc<HelpdeskState>>) -> StatusCode {
    state.clear_webhook_deliveries();
    StatusCode::NO_CONTENT
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RetryBody {
    base_ms: u64,
    max_ms: u64,
}

async fn set_retry(State(state): State<Arc<HelpdeskState>>, body: Bytes) -> Response {
    let body: RetryBody = match parse(&body) {
        Ok(body) => body,
        Err(response) => return *response,
    };
    state.set_webhook_retry(
        Duration::from_millis(body.base_ms),
        Duration::from_millis(body.max_ms),
    );
    StatusCode::NO_CONTENT.into_response()
}

async fn credits(State(state): State<Arc<HelpdeskState>>) -> Json<CreditReport> {
    Json(state.credits())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PlanBody {
    plan: Option<CreditPlan>,
    /// One organisation's; every one's without it.
    #[serde(default)]
    org_id: Option<String>,
}

async fn set_credit_plan(State(state): State<Arc<HelpdeskState>>, body: Bytes) -> Response {
    let body: PlanBody = match parse(&body) {
        Ok(body) => body,
        Err(response) => return *response,
    };
    state.set_credit_plan(body.org_id.as_deref(), body.plan);
    Json(state.credits()).into_response()
}

async fn reset_credits(State(state): State<Arc<HelpdeskState>>) -> StatusCode {
    state.reset_credits();
    StatusCode::NO_CONTENT
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SpendBody {
    org_id: String,
    credits: u64,
}

async fn spend_credits(State(state): State<Arc<HelpdeskState>>, body: Bytes) -> Response {
    let body: SpendBody = match parse(&body) {
        Ok(body) => body,
        Err(response) => return *response,
    };
    if state.desk_of(&body.org_id).is_none() {
        return bad_request(format!("no organisation has the id {:?}", body.org_id));
    }
    state.spend_credits(&body.org_id, body.credits);
    Json(state.credits()).into_response()
}

async fn expire_tokens(State(state): State<Arc<HelpdeskState>>) -> StatusCode {
    state.expire_access_tokens();
    StatusCode::NO_CONTENT
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct OrgBody {
    org_id: String,
}

async fn revoke_org(State(state): State<Arc<HelpdeskState>>, body: Bytes) -> Response {
    let body: OrgBody = match parse(&body) {
        Ok(body) => body,
        Err(response) => return *response,
    };
    if state.desk_of(&body.org_id).is_none() {
        return bad_request(format!("no organisation has the id {:?}", body.org_id));
    }
    state.revoke_org_grants(&body.org_id);
    StatusCode::NO_CONTENT.into_response()
}
