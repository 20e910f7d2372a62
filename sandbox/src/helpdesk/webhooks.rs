//! Webhooks as Zoho Desk runs them.
//!
//! - `POST/GET /api/v1/webhooks`, `GET/DELETE /api/v1/webhooks/{id}`: subscriptions to
//!   `Contact_Add`, `Contact_Update`, `Contact_Delete`, `Account_Add`, `Account_Update`,
//!   `Account_Delete`, each with `includePrevState`; `ignoreSourceId` silences writes
//!   tagged with that `sourceId`. Subscribing first sends an unsigned validation request
//!   to the URL (GET, then POST if that fails), which must answer 200, or the
//!   subscription is refused (Desk Webhook Documentation,
//!   desk.zoho.com/support/WebhookDocument.do: a callback URL answers 200 OK). Each
//!   organisation has its own subscriptions.
//! - Each write queues an event per matching subscription. A background worker posts
//!   each subscription's queue in order, as a JSON array of
//!   `{eventType, orgId, eventTime, payload, prevState}`, signed in `X-ZDesk-JWT` (see
//!   [`super::signing`]: the token names the organisation, the webhook and the time,
//!   not the body, unless the sandbox's `webhook_body_hash` stand-in is on); a
//!   delivery that does not get a 2xx is retried with backoff, the same events first
//!   (at-least-once, in order). A 410 Gone removes the subscription, as Zoho does.
//! - Every attempt is logged for tests (`/__sandbox/webhooks/deliveries`).

use super::oauth::Caller;
use super::store::{Change, Desk, Subscription, Time};
use super::{DeskError, HelpdeskState, json_body, lock};
use crate::clock;
use axum::body::Bytes;
use axum::extract::{Extension, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// The events the sandbox sends.
pub const EVENTS: [&str; 6] = [
    "Contact_Add",
    "Contact_Update",
    "Contact_Delete",
    "Account_Add",
    "Account_Update",
    "Account_Delete",
];

/// At most this many events in one delivery.
pub const BATCH: usize = 10;

/// Most webhooks an org may have (Zoho's ceiling).
const MAX_WEBHOOKS: usize = 20;

/// Delivery attempts the log keeps.
const LOG_LIMIT: usize = 2_000;

pub(super) fn routes() -> Router<Arc<HelpdeskState>> {
    Router::new()
        .route("/api/v1/webhooks", get(list).post(create))
        .route("/api/v1/webhooks/{id}", get(one).delete(remove))
}

/// A subscription request, checked (before its URL is validated).
#[derive(Debug, PartialEq)]
struct Draft {
    name: String,
    url: String,
    description: Option<String>,
    events: BTreeMap<String, bool>,
    ignore_source_id: Option<String>,
    is_enabled: bool,
}

fn parse_draft(body: &Value) -> Result<Draft, DeskError> {
    use super::fields::Issue;
    let Some(body) = body.as_object() else {
        return Err(DeskError::invalid_body(
            "The request body must be a JSON object.",
        ));
    };
    let mut issues = Vec::new();
    let issue = |field: &str, kind: &'static str, message: String| Issue {
        field: field.to_owned(),
        kind,
        message,
    };
    let text = |name: &str| body.get(name).and_then(Value::as_str).map(str::trim);
    for key in body.keys() {
        let known = [
            "url",
            "name",
            "description",
            "subscriptions",
            "ignoreSourceId",
            "isEnabled",
            "includeEventsFrom",
        ];
        if !known.contains(&key.as_str()) {
            issues.push(issue(
                &format!("/{key}"),
                "invalid",
                format!("{key} is not a webhook field"),
            ));
        }
    }
    let url = match text("url") {
        None | Some("") => {
            issues.push(issue("/url", "missing", "url is mandatory".into()));
            String::new()
        }
        Some(url) => {
            let ok = url::Url::parse(url)
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
            if !ok {
                issues.push(issue(
                    "/url",
                    "invalid",
                    format!("{url:?} is not an http(s) URL"),
                ));
            }
            url.to_owned()
        }
    };
    let mut events = BTreeMap::new();
    match body.get("subscriptions") {
        Some(Value::Object(map)) if !map.is_empty() => {
            for (event, options) in map {
                let pointer = format!("/subscriptions/{event}");
                if !EVENTS.contains(&event.as_str()) {
                    issues.push(issue(
                        &pointer,
                        "invalid",
                        format!("The sandbox sends {}, not {event}", EVENTS.join(", ")),
                    ));
                    continue;
                }
                let prev = match options {
                    Value::Null => false,
                    Value::Object(o) => {
                        if let Some(other) = o.keys().find(|k| *k != "includePrevState") {
                            issues.push(issue(
                                &format!("{pointer}/{other}"),
                                "invalid",
                                format!("{other} does not apply to {event}"),
                            ));
                        }
                        match o.get("includePrevState") {
                            None | Some(Value::Bool(false)) => false,
                            Some(Value::Bool(true)) if event.ends_with("_Update") => true,
                            Some(Value::Bool(true)) => {
                                issues.push(issue(
                                    &format!("{pointer}/includePrevState"),
                                    "invalid",
                                    "only update events have a previous state".into(),
                                ));
                                false
                            }
                            Some(_) => {
                                issues.push(issue(
                                    &format!("{pointer}/includePrevState"),
                                    "invalid",
                                    "includePrevState is true or false".into(),
                                ));
                                false
                            }
                        }
                    }
                    _ => {
                        issues.push(issue(
                            &pointer,
                            "invalid",
                            "null or an object of options".into(),
                        ));
                        false
                    }
                };
                events.insert(event.clone(), prev);
            }
        }
        Some(_) => issues.push(issue(
            "/subscriptions",
            "invalid",
            "subscriptions is an object of events".into(),
        )),
        None => issues.push(issue(
            "/subscriptions",
            "missing",
            "subscriptions is mandatory".into(),
        )),
    }
    let ignore_source_id = match body.get("ignoreSourceId") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) if is_uuid(s) => Some(s.clone()),
        Some(_) => {
            issues.push(issue(
                "/ignoreSourceId",
                "invalid",
                "ignoreSourceId is a UUID".into(),
            ));
            None
        }
    };
    let is_enabled = match body.get("isEnabled") {
        None | Some(Value::Null) => true,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            issues.push(issue(
                "/isEnabled",
                "invalid",
                "isEnabled is true or false".into(),
            ));
            true
        }
    };
    let name = text("name").unwrap_or_default().to_owned();
    if name.chars().count() > 100 {
        issues.push(issue(
            "/name",
            "invalid",
            "name takes at most 100 characters".into(),
        ));
    }
    if !issues.is_empty() {
        return Err(DeskError::invalid_fields(issues));
    }
    Ok(Draft {
        name,
        url,
        description: text("description").map(str::to_owned),
        events,
        ignore_source_id,
        is_enabled,
    })
}

fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, len)| g.len() == len && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Zoho's check before it subscribes a URL: GET must answer 200, or else POST.
async fn validate_url(state: &HelpdeskState, url: &str) -> Result<(), DeskError> {
    let ok = |r: Result<reqwest::Response, reqwest::Error>| r.is_ok_and(|r| r.status() == 200);
    if ok(state.http.get(url).send().await) {
        return Ok(());
    }
    let post = state
        .http
        .post(url)
        .header(header::CONTENT_TYPE, "application/json")
        .body("[]")
        .send()
        .await;
    if ok(post) {
        return Ok(());
    }
    Err(DeskError::invalid_fields(vec![super::fields::Issue {
        field: "/url".into(),
        kind: "invalid",
        message: "The URL did not answer the validation request (GET, then POST) with 200 OK"
            .into(),
    }]))
}

async fn create(
    State(state): State<Arc<HelpdeskState>>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Response, DeskError> {
    let draft = parse_draft(&json_body(&body)?)?;
    if state.org(&caller.org_id)?.webhooks.len() >= MAX_WEBHOOKS {
        return Err(DeskError::invalid_body(
            "This help desk has the most webhooks it may have; delete one first.",
        ));
    }
    validate_url(&state, &draft.url).await?;
    let now = Time(state.clock.now_ms());
    let mut desk = state.org(&caller.org_id)?;
    let subscription = Subscription {
        id: desk.next_id(),
        name: draft.name,
        url: draft.url,
        description: draft.description,
        events: draft.events,
        ignore_source_id: draft.ignore_source_id,
        is_enabled: draft.is_enabled,
        created_by: caller.agent_id,
        created_time: now,
        modified_time: now,
    };
    desk.webhooks.push(subscription.clone());
    Ok(Json(subscription.to_json()).into_response())
}

async fn list(
    State(state): State<Arc<HelpdeskState>>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, DeskError> {
    let desk = state.org(&caller.org_id)?;
    if desk.webhooks.is_empty() {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let data: Vec<Value> = desk.webhooks.iter().map(Subscription::to_json).collect();
    Ok(Json(json!({ "data": data })).into_response())
}

async fn one(
    State(state): State<Arc<HelpdeskState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, DeskError> {
    let desk = state.org(&caller.org_id)?;
    let subscription = desk
        .webhooks
        .iter()
        .find(|w| w.id == id)
        .ok_or_else(DeskError::not_found)?;
    Ok(Json(subscription.to_json()).into_response())
}

async fn remove(
    State(state): State<Arc<HelpdeskState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, DeskError> {
    let theirs = state
        .org(&caller.org_id)?
        .webhooks
        .iter()
        .any(|w| w.id == id);
    if !theirs || !unsubscribe(&state, &id) {
        return Err(DeskError::not_found());
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Removes a subscription (of whichever organisation has it) and drops what was still
/// queued for it.
fn unsubscribe(state: &HelpdeskState, id: &str) -> bool {
    let removed = state.desks().any(|desk| {
        let mut desk = lock(desk);
        let before = desk.webhooks.len();
        desk.webhooks.retain(|w| w.id != id);
        desk.webhooks.len() != before
    });
    state.outbox().queues.remove(id);
    removed
}

/// Queues `change` for every enabled subscription to its event, unless the write's
/// `sourceId` is one the subscription ignores.
pub(super) fn publish(
    state: &HelpdeskState,
    desk: &Desk,
    change: &Change,
    source_id: Option<&str>,
) {
    let mut outbox = state.outbox();
    for subscription in desk.webhooks.iter().filter(|w| w.is_enabled) {
        let Some(&with_prev) = subscription.events.get(&change.event_type) else {
            continue;
        };
        let ignored = subscription
            .ignore_source_id
            .as_deref()
            .zip(source_id)
            .is_some_and(|(ignored, source)| ignored.eq_ignore_ascii_case(source));
        if ignored {
            continue;
        }
        let mut event = json!({
            "eventType": change.event_type,
            "orgId": desk.org_id,
            "eventTime": change.time.to_string(),
            "payload": change.payload,
        });
        if let (true, Some(prev)) = (with_prev, &change.prev_state) {
            event["prevState"] = prev.clone();
        }
        outbox
            .queues
            .entry(subscription.id.clone())
            .or_insert_with(|| Queue::new(&subscription.url, &desk.org_id))
            .pending
            .push_back(event);
    }
}

/// One delivery attempt, as the log keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    pub webhook_id: String,
    pub url: String,
    /// 1 for the first try of these events, 2 for the first retry, ...
    pub attempt: u32,
    pub event_types: Vec<String>,
    /// The receiver's status, if it answered.
    pub status: Option<u16>,
    /// Why there was no answer (refused, timed out).
    pub error: Option<String>,
    pub delivered: bool,
    /// When it was sent (sandbox time).
    pub at: String,
    /// The exact body that was sent and signed.
    pub body: String,
}

struct Queue {
    url: String,
    /// The organisation whose webhook this is, which signs its deliveries.
    org_id: String,
    pending: VecDeque<Value>,
    failures: u32,
    not_before: Option<Instant>,
    in_flight: bool,
}

impl Queue {
    fn new(url: &str, org_id: &str) -> Self {
        Queue {
            url: url.to_owned(),
            org_id: org_id.to_owned(),
            pending: VecDeque::new(),
            failures: 0,
            not_before: None,
            in_flight: false,
        }
    }
}

/// What is waiting to be delivered, per subscription, and what was tried.
pub struct Outbox {
    queues: BTreeMap<String, Queue>,
    log: VecDeque<Delivery>,
    retry_base: Duration,
    retry_max: Duration,
}

/// One delivery to make.
struct Job {
    webhook_id: String,
    org_id: String,
    url: String,
    events: Vec<Value>,
    attempt: u32,
}

impl Outbox {
    pub fn new(retry_base: Duration, retry_max: Duration) -> Self {
        Outbox {
            queues: BTreeMap::new(),
            log: VecDeque::new(),
            retry_base,
            retry_max,
        }
    }

    pub fn set_retry(&mut self, base: Duration, max: Duration) {
        self.retry_base = base;
        self.retry_max = max.max(base);
    }

    fn backoff(&self, failures: u32) -> Duration {
        let factor = 2u32.saturating_pow(failures.saturating_sub(1).min(20));
        self.retry_base.saturating_mul(factor).min(self.retry_max)
    }

    /// Queues with nothing in flight whose turn has come; and when the next one comes.
    fn due(&mut self, now: Instant) -> (Vec<Job>, Option<Instant>) {
        let mut jobs = Vec::new();
        let mut next = None::<Instant>;
        for (id, queue) in &mut self.queues {
            if queue.in_flight || queue.pending.is_empty() {
                continue;
            }
            if let Some(at) = queue.not_before.filter(|at| *at > now) {
                next = Some(next.map_or(at, |n| n.min(at)));
                continue;
            }
            queue.in_flight = true;
            jobs.push(Job {
                webhook_id: id.clone(),
                org_id: queue.org_id.clone(),
                url: queue.url.clone(),
                events: queue.pending.iter().take(BATCH).cloned().collect(),
                attempt: queue.failures + 1,
            });
        }
        (jobs, next)
    }

    fn finish(&mut self, job: &Job, delivery: Delivery) {
        let delivered = delivery.delivered;
        self.log.push_back(delivery);
        while self.log.len() > LOG_LIMIT {
            self.log.pop_front();
        }
        let backoff = self.backoff(job.attempt);
        let Some(queue) = self.queues.get_mut(&job.webhook_id) else {
            return; // unsubscribed meanwhile
        };
        queue.in_flight = false;
        if delivered {
            queue
                .pending
                .drain(..job.events.len().min(queue.pending.len()));
            queue.failures = 0;
            queue.not_before = None;
        } else {
            queue.failures += 1;
            queue.not_before = Some(Instant::now() + backoff);
        }
    }

    /// Nothing queued, nothing in flight.
    pub fn is_idle(&self) -> bool {
        self.queues
            .values()
            .all(|q| q.pending.is_empty() && !q.in_flight)
    }

    pub fn deliveries(&self) -> Vec<Delivery> {
        self.log.iter().cloned().collect()
    }

    pub fn clear_log(&mut self) {
        self.log.clear();
    }
}

/// Delivers in the background until the sandbox stops.
pub fn spawn_worker(
    state: Arc<HelpdeskState>,
    mut stopped: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let (jobs, next) = state.outbox().due(Instant::now());
            for job in jobs {
                tokio::spawn(deliver(state.clone(), job));
            }
            let until_next = async {
                match next {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = state.wake.notified() => {}
                () = until_next => {}
                _ = stopped.wait_for(|stop| *stop) => return,
            }
        }
    })
}

async fn deliver(state: Arc<HelpdeskState>, job: Job) {
    let body = serde_json::to_vec(&job.events).expect("events serialize");
    let now_ms = state.clock.now_ms();
    let now_secs = u64::try_from(now_ms / 1000).unwrap_or_default();
    let bound = state.webhook_body_hash.then_some(body.as_slice());
    let token = state
        .signer
        .sign_claims(&job.org_id, &job.webhook_id, now_secs, bound);
    let answer = state
        .http
        .post(&job.url)
        .header(header::CONTENT_TYPE, "application/json")
        .header(shared::helpdesk::JWT_HEADER, token)
        .body(body.clone())
        .send()
        .await;
    let (status, error) = match answer {
        Ok(response) => (Some(response.status().as_u16()), None),
        Err(error) => (None, Some(error.to_string())),
    };
    let delivered = status.is_some_and(|s| (200..300).contains(&s));
    let delivery = Delivery {
        webhook_id: job.webhook_id.clone(),
        url: job.url.clone(),
        attempt: job.attempt,
        event_types: job
            .events
            .iter()
            .map(|e| e["eventType"].as_str().unwrap_or_default().to_owned())
            .collect(),
        status,
        error,
        delivered,
        at: clock::zoho_datetime(now_ms),
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    state.outbox().finish(&job, delivery);
    if status == Some(410) {
        unsubscribe(&state, &job.webhook_id);
    }
    state.wake.notify_one();
}

impl HelpdeskState {
    /// Every delivery attempt so far (the most recent 2,000).
    pub fn webhook_deliveries(&self) -> Vec<Delivery> {
        self.outbox().deliveries()
    }

    pub fn clear_webhook_deliveries(&self) {
        self.outbox().clear_log();
    }

    /// The `X-ZDesk-JWT` the demo organisation would send with `body` from `webhook_id`,
    /// binding the body (the stand-in's token), issued at `at_secs` (now by the sandbox
    /// clock when `None`): for tests that replay, reorder or delay deliveries themselves.
    pub fn sign_delivery(&self, body: &[u8], webhook_id: &str, at_secs: Option<u64>) -> String {
        let now_secs = u64::try_from(self.clock.now_ms() / 1000).unwrap_or_default();
        self.signer.sign(
            body,
            &self.org_ids[0],
            webhook_id,
            at_secs.unwrap_or(now_secs),
        )
    }

    /// A token for any delivery of `webhook_id` now, binding no body.
    pub fn sign_unbound(&self, webhook_id: &str) -> String {
        let now_secs = u64::try_from(self.clock.now_ms() / 1000).unwrap_or_default();
        self.signer
            .sign_claims(&self.org_ids[0], webhook_id, now_secs, None)
    }

    /// The ids of the demo organisation's webhook subscriptions, oldest first.
    pub fn webhook_ids(&self) -> Vec<String> {
        self.desk().webhooks.iter().map(|w| w.id.clone()).collect()
    }

    /// How soon failed deliveries are retried (doubling from `base` up to `max`).
    pub fn set_webhook_retry(&self, base: Duration, max: Duration) {
        self.outbox().set_retry(base, max);
    }

    /// Waits until every queued event is delivered (or `timeout` passes): true if idle.
    pub async fn webhooks_settled(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if self.outbox().is_idle() {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_are_checked_like_zoho_checks_them() {
        let good = json!({
            "url": "http://127.0.0.1:9/hook", "name": "sync",
            "subscriptions": {"Contact_Update": {"includePrevState": true}, "Account_Add": null},
            "ignoreSourceId": "49ad222a-f812-11e7-8c3f-9a214cf093ae",
        });
        let draft = parse_draft(&good).unwrap();
        assert!(draft.events["Contact_Update"]);
        assert!(!draft.events["Account_Add"]);
        assert!(draft.is_enabled);

        let bad = json!({
            "url": "ftp://x", "subscriptions": {"Ticket_Add": null, "Contact_Add": {"includePrevState": true}},
            "ignoreSourceId": "not-a-uuid", "colour": "red",
        });
        let error = parse_draft(&bad).unwrap_err();
        let fields: Vec<String> = error
            .errors
            .unwrap()
            .iter()
            .map(|e| e["fieldName"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            fields,
            [
                "/colour",
                "/url",
                "/subscriptions/Ticket_Add",
                "/subscriptions/Contact_Add/includePrevState",
                "/ignoreSourceId"
            ]
        );
        assert!(parse_draft(&json!({"url": "http://x.example/"})).is_err());
    }

    #[test]
    fn the_outbox_keeps_order_and_backs_off() {
        let mut outbox = Outbox::new(Duration::from_secs(1), Duration::from_secs(4));
        let mut queue = Queue::new("http://r.example/", "1");
        for i in 0..12 {
            queue.pending.push_back(json!(i));
        }
        outbox.queues.insert("w".into(), queue);
        let now = Instant::now();
        let (jobs, _) = outbox.due(now);
        assert_eq!(jobs.len(), 1);
        assert_eq!(jobs[0].events.len(), BATCH);
        assert!(
            outbox.due(now).0.is_empty(),
            "one delivery in flight at a time"
        );
        let failed = Delivery {
            webhook_id: "w".into(),
            url: String::new(),
            attempt: 1,
            event_types: vec![],
            status: Some(500),
            error: None,
            delivered: false,
            at: String::new(),
            body: String::new(),
        };
        outbox.finish(&jobs[0], failed.clone());
        let (again, next) = outbox.due(Instant::now());
        assert!(again.is_empty() && next.is_some(), "waits out the backoff");
        let later = Instant::now() + Duration::from_secs(2);
        let (retry, _) = outbox.due(later);
        assert_eq!(retry[0].attempt, 2);
        assert_eq!(retry[0].events[0], json!(0), "the same events, first");
        outbox.finish(
            &retry[0],
            Delivery {
                delivered: true,
                ..failed
            },
        );
        let (rest, _) = outbox.due(later);
        assert_eq!(rest[0].events, [json!(10), json!(11)]);
        assert_eq!(outbox.backoff(1), Duration::from_secs(1));
        assert_eq!(outbox.backoff(3), Duration::from_secs(4));
        assert_eq!(outbox.backoff(30), Duration::from_secs(4));
        assert!(!outbox.is_idle());
        assert_eq!(outbox.deliveries().len(), 2);
    }
}
