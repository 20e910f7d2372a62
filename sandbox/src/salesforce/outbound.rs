//! Outbound Messages, as a workflow rule with an outbound message action sends them: every
//! create and update of an object that has an endpoint becomes a `Notification`,
//! notifications go out in SOAP 1.1 `notifications` envelopes of up to 100, and a message
//! is sent again, at growing intervals, until the receiver answers `<Ack>true</Ack>`
//! (at-least-once delivery), or for a day at most.
//!
//! Each notification carries the record as it was when it changed: the endpoint's fields
//! (by default every field), null ones omitted, `Id` first.

use super::schema::{FieldType, ObjectDef, Schema};
use super::store::{Change, Org, POD};
use super::{SalesforceState, lock};
use crate::clock;
use contract::ids::SfId;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::time::Instant;

/// Notifications per message, as Salesforce batches them.
pub const MAX_NOTIFICATIONS: usize = 100;
/// Deliveries kept in the log.
const LOG_LIMIT: usize = 1000;
const NAMESPACE: &str = "http://soap.sforce.com/2005/09/outbound";

/// Where an object's Outbound Messages go, as an admin sets it up in Setup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboundEndpoint {
    /// The receiver's URL.
    pub endpoint_url: String,
    /// The fields each notification carries; absent means every field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<String>>,
}

impl OutboundEndpoint {
    pub fn new(endpoint_url: impl Into<String>) -> Self {
        OutboundEndpoint {
            endpoint_url: endpoint_url.into(),
            fields: None,
        }
    }
}

/// How undelivered messages are retried: `initial`, doubling up to `max` between
/// attempts, given up `give_up_after` the first attempt (Salesforce: up to 2 hours
/// between attempts, for 24 hours).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RetryPolicy {
    #[serde(with = "millis")]
    pub initial: Duration,
    #[serde(with = "millis")]
    pub max: Duration,
    #[serde(with = "millis")]
    pub give_up_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            initial: Duration::from_secs(5),
            max: Duration::from_secs(2 * 3600),
            give_up_after: Duration::from_secs(24 * 3600),
        }
    }
}

impl RetryPolicy {
    /// The wait after the `attempt`-th failed attempt (1-based).
    pub fn interval(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1).min(30));
        self.initial.saturating_mul(factor).min(self.max)
    }
}

mod millis {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_millis)
    }
}

/// One attempt to deliver a message, for the delivery log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    pub message: u64,
    pub object: String,
    pub endpoint_url: String,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// The records the message notified about, in order.
    pub record_ids: Vec<String>,
    /// The receiver's HTTP status, if it answered at all.
    pub status: Option<u16>,
    pub acknowledged: bool,
    /// Why the attempt failed, if it did.
    pub error: Option<String>,
    pub at: String,
}

/// What the test controls show about Outbound Messages.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboundStatus {
    pub endpoints: BTreeMap<String, OutboundEndpoint>,
    pub retry: RetryPolicy,
    /// Notifications not yet acknowledged.
    pub pending: usize,
    pub deliveries: Vec<Delivery>,
}

#[derive(Debug, Clone)]
struct Notification {
    id: String,
    object: &'static str,
    record_id: String,
    /// (field name, XML text), `Id` first, nulls left out.
    fields: Vec<(&'static str, String)>,
}

#[derive(Debug)]
struct Message {
    id: u64,
    object: &'static str,
    notifications: Vec<Notification>,
    attempts: u32,
    first_attempt: Option<Instant>,
    due: Instant,
}

struct Endpoint {
    config: OutboundEndpoint,
    /// Positions of the carried fields.
    fields: Vec<usize>,
    action_id: String,
}

struct Inner {
    endpoints: BTreeMap<&'static str, Endpoint>,
    queue: VecDeque<Notification>,
    messages: Vec<Message>,
    log: VecDeque<Delivery>,
    retry: RetryPolicy,
    sequence: u64,
    messages_sent: u64,
}

pub(super) struct Outbound {
    inner: Mutex<Inner>,
    wake: Notify,
}

impl Outbound {
    pub(super) fn new(retry: RetryPolicy) -> Self {
        Outbound {
            inner: Mutex::new(Inner {
                endpoints: BTreeMap::new(),
                queue: VecDeque::new(),
                messages: Vec::new(),
                log: VecDeque::new(),
                retry,
                sequence: 0,
                messages_sent: 0,
            }),
            wake: Notify::new(),
        }
    }

    pub(super) fn set_endpoint(
        &self,
        object: &'static ObjectDef,
        config: OutboundEndpoint,
    ) -> Result<(), String> {
        let url = url::Url::parse(&config.endpoint_url)
            .map_err(|e| format!("{:?} is not a URL: {e}", config.endpoint_url))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("{} is not an http(s) URL", config.endpoint_url));
        }
        let fields = match &config.fields {
            None => (0..object.fields.len()).collect(),
            Some(names) => {
                let mut fields = vec![0];
                for name in names {
                    let index = object
                        .index_of(name)
                        .ok_or_else(|| format!("{} has no field {name}", object.name))?;
                    if !fields.contains(&index) {
                        fields.push(index);
                    }
                }
                fields
            }
        };
        let mut inner = lock(&self.inner);
        inner.sequence += 1;
        let action_id = SfId::from_parts("04k", POD, 1_000 + inner.sequence)
            .expect("a fixed prefix")
            .to_string();
        inner.endpoints.insert(
            object.name,
            Endpoint {
                config,
                fields,
                action_id,
            },
        );
        drop(inner);
        self.wake.notify_one();
        Ok(())
    }

    /// Removes an object's endpoint and forgets its undelivered notifications.
    pub(super) fn remove_endpoint(&self, object: &'static ObjectDef) -> bool {
        let mut inner = lock(&self.inner);
        inner.queue.retain(|n| n.object != object.name);
        inner.messages.retain(|m| m.object != object.name);
        inner.endpoints.remove(object.name).is_some()
    }

    pub(super) fn set_retry(&self, retry: RetryPolicy) {
        lock(&self.inner).retry = retry;
        self.wake.notify_one();
    }

    pub(super) fn status(&self) -> OutboundStatus {
        let inner = lock(&self.inner);
        OutboundStatus {
            endpoints: inner
                .endpoints
                .iter()
                .map(|(name, e)| ((*name).to_owned(), e.config.clone()))
                .collect(),
            retry: inner.retry,
            pending: inner.queue.len()
                + inner
                    .messages
                    .iter()
                    .map(|m| m.notifications.len())
                    .sum::<usize>(),
            deliveries: inner.log.iter().cloned().collect(),
        }
    }

    pub(super) fn clear_log(&self) {
        lock(&self.inner).log.clear();
    }

    /// Turns committed changes into notifications for the objects that have endpoints.
    pub(super) fn enqueue(&self, org: &Org, changes: &[Change], _base_url: &str) {
        let mut inner = lock(&self.inner);
        let mut added = false;
        for change in changes {
            let Some(endpoint) = inner.endpoints.get(change.object.name) else {
                continue;
            };
            let Some(record) = org.get_str(&change.id) else {
                continue;
            };
            let fields = endpoint
                .fields
                .iter()
                .filter_map(|&i| {
                    let field = &change.object.fields[i];
                    xml_value(field.ty, record.at(i)).map(|text| (field.name, text))
                })
                .collect();
            inner.sequence += 1;
            let id = SfId::from_parts("04l", POD, 100_000 + inner.sequence)
                .expect("a fixed prefix")
                .to_string();
            inner.queue.push_back(Notification {
                id,
                object: change.object.name,
                record_id: change.id.clone(),
                fields,
            });
            added = true;
        }
        drop(inner);
        if added {
            self.wake.notify_one();
        }
    }
}

/// A stored value as its XML text (`None` for null: omitted from the message).
fn xml_value(ty: FieldType, value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(text) if ty == FieldType::DateTime => {
            // xsd:dateTime, UTC with a `Z`.
            clock::parse_datetime(text).map(clock::zoho_datetime)
        }
        Value::String(text) => Some(text.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(match ty {
            FieldType::Int => n
                .as_f64()
                .map_or(n.to_string(), |f| format!("{}", f as i64)),
            _ => n.as_f64().map_or(n.to_string(), |f| format!("{f:?}")),
        }),
        other => Some(other.to_string()),
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// The SOAP envelope of one message.
fn envelope(
    org_id: &str,
    action_id: &str,
    base_url: &str,
    object: &str,
    notifications: &[Notification],
) -> String {
    let version = shared::salesforce::API_VERSION.trim_start_matches('v');
    let org15 = &org_id[..15.min(org_id.len())];
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" \
         xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n<soapenv:Body>\n",
    );
    xml.push_str(&format!(
        "<notifications xmlns=\"{NAMESPACE}\">\n\
         <OrganizationId>{org_id}</OrganizationId>\n\
         <ActionId>{action_id}</ActionId>\n\
         <SessionId xsi:nil=\"true\"/>\n\
         <EnterpriseUrl>{}</EnterpriseUrl>\n\
         <PartnerUrl>{}</PartnerUrl>\n",
        escape(&format!("{base_url}/services/Soap/c/{version}/{org15}")),
        escape(&format!("{base_url}/services/Soap/u/{version}/{org15}")),
    ));
    for notification in notifications {
        xml.push_str(&format!(
            "<Notification>\n<Id>{}</Id>\n<sObject xsi:type=\"sf:{object}\" \
             xmlns:sf=\"urn:sobject.enterprise.soap.sforce.com\">\n",
            notification.id
        ));
        for (name, value) in &notification.fields {
            xml.push_str(&format!("<sf:{name}>{}</sf:{name}>\n", escape(value)));
        }
        xml.push_str("</sObject>\n</Notification>\n");
    }
    xml.push_str("</notifications>\n</soapenv:Body>\n</soapenv:Envelope>\n");
    xml
}

/// Whether a receiver's answer acknowledges the message: an `Ack` element (any namespace
/// prefix) whose text is `true`.
pub fn is_ack(body: &str) -> bool {
    let mut rest = body;
    while let Some(at) = rest.find("Ack>") {
        let before = &rest[..at];
        let opens = before.ends_with('<')
            || before.rsplit('<').next().is_some_and(|tag| {
                !tag.starts_with('/')
                    && tag
                        .chars()
                        .all(|c| c.is_alphanumeric() || c == ':' || c == '_')
                    && tag.ends_with(':')
            });
        rest = &rest[at + 4..];
        if opens {
            let text = rest.split('<').next().unwrap_or_default();
            return text.trim() == "true";
        }
    }
    false
}

/// A message ready to go, taken out of the shared state.
struct Due {
    id: u64,
    object: &'static str,
    url: String,
    body: String,
    attempt: u32,
    record_ids: Vec<String>,
}

/// The delivery loop: forms messages, sends the due ones, sleeps until the next is due
/// or something new arrives.
pub(super) async fn run(state: Arc<SalesforceState>) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("an HTTP client builds");
    let org_id = state.org_id().to_string();
    loop {
        let (due, next) = take_due(&state, &org_id);
        let sent_any = !due.is_empty();
        for message in due {
            let answer = client
                .post(&message.url)
                .header("Content-Type", "text/xml; charset=utf-8")
                .header("SOAPAction", "\"\"")
                .body(message.body.clone())
                .send()
                .await;
            let (status, acknowledged, error) = match answer {
                Err(error) => (None, false, Some(error.to_string())),
                Ok(response) => {
                    let status = response.status().as_u16();
                    let text = response.text().await.unwrap_or_default();
                    let acked = (200..300).contains(&status) && is_ack(&text);
                    let error = (!acked).then(|| {
                        format!(
                            "the receiver answered {status} without <Ack>true</Ack>: {}",
                            text.chars().take(200).collect::<String>()
                        )
                    });
                    (Some(status), acked, error)
                }
            };
            settle(&state, message, status, acknowledged, error);
        }
        if sent_any {
            // Settling scheduled retries: look again before sleeping.
            continue;
        }
        let wait = next.map_or(Duration::from_secs(3600), |at| {
            at.saturating_duration_since(Instant::now())
        });
        tokio::select! {
            _ = state.outbound.wake.notified() => {}
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

/// Forms messages from queued notifications and takes those due now; answers them and
/// when the next one is due.
fn take_due(state: &SalesforceState, org_id: &str) -> (Vec<Due>, Option<Instant>) {
    let now = Instant::now();
    let mut inner = lock(&state.outbound.inner);
    let inner = &mut *inner;
    while let Some(first) = inner.queue.pop_front() {
        let object = first.object;
        let mut batch = vec![first];
        while batch.len() < MAX_NOTIFICATIONS {
            match inner.queue.iter().position(|n| n.object == object) {
                Some(i) => batch.push(inner.queue.remove(i).expect("a found position")),
                None => break,
            }
        }
        inner.messages_sent += 1;
        inner.messages.push(Message {
            id: inner.messages_sent,
            object,
            notifications: batch,
            attempts: 0,
            first_attempt: None,
            due: now,
        });
    }
    let mut due = Vec::new();
    for message in inner.messages.iter_mut().filter(|m| m.due <= now) {
        let Some(endpoint) = inner.endpoints.get(message.object) else {
            continue;
        };
        message.attempts += 1;
        message.first_attempt.get_or_insert(now);
        // Not due again until settled; settling schedules the retry.
        message.due = now + Duration::from_secs(365 * 24 * 3600);
        due.push(Due {
            id: message.id,
            object: message.object,
            url: endpoint.config.endpoint_url.clone(),
            body: envelope(
                org_id,
                &endpoint.action_id,
                &state.base_url,
                message.object,
                &message.notifications,
            ),
            attempt: message.attempts,
            record_ids: message
                .notifications
                .iter()
                .map(|n| n.record_id.clone())
                .collect(),
        });
    }
    let next = inner.messages.iter().map(|m| m.due).min();
    (due, next)
}

fn settle(
    state: &SalesforceState,
    message: Due,
    status: Option<u16>,
    acknowledged: bool,
    error: Option<String>,
) {
    let mut inner = lock(&state.outbound.inner);
    let retry = inner.retry;
    let now = Instant::now();
    if let Some(pos) = inner.messages.iter().position(|m| m.id == message.id) {
        let expired = inner.messages[pos]
            .first_attempt
            .is_some_and(|first| now.duration_since(first) >= retry.give_up_after);
        if acknowledged || expired {
            inner.messages.remove(pos);
        } else {
            inner.messages[pos].due = now + retry.interval(message.attempt);
        }
    }
    inner.log.push_back(Delivery {
        message: message.id,
        object: message.object.to_owned(),
        endpoint_url: message.url,
        attempt: message.attempt,
        record_ids: message.record_ids,
        status,
        acknowledged,
        error,
        at: clock::sf_datetime(state.clock.now_ms()),
    });
    while inner.log.len() > LOG_LIMIT {
        inner.log.pop_front();
    }
}

/// Only Accounts and Contacts send Outbound Messages in this org.
pub(super) fn notifying_object(schema: &Schema, name: &str) -> Result<&'static ObjectDef, String> {
    match schema.object(name) {
        Some(object) if matches!(object.name, "Account" | "Contact") => Ok(object),
        Some(object) => Err(format!(
            "the sandbox sends Outbound Messages for Account and Contact, not {}",
            object.name
        )),
        None => Err(format!("no sObject type {name}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notification(id: &str, fields: &[(&'static str, &str)]) -> Notification {
        Notification {
            id: id.into(),
            object: "Contact",
            record_id: fields[0].1.into(),
            fields: fields.iter().map(|(k, v)| (*k, (*v).to_owned())).collect(),
        }
    }

    #[test]
    fn the_envelope_has_salesforce_shape() {
        let xml = envelope(
            "00D5g0000004207AAA",
            "04k5g0000000001AAA",
            "https://sandbox.example",
            "Contact",
            &[notification(
                "04l5g0000000001AAA",
                &[
                    ("Id", "0035g0000000001AAA"),
                    ("LastName", "O'Hara & <Sons>"),
                ],
            )],
        );
        assert!(xml.contains("<notifications xmlns=\"http://soap.sforce.com/2005/09/outbound\">"));
        assert!(xml.contains("<OrganizationId>00D5g0000004207AAA</OrganizationId>"));
        assert!(xml.contains("<SessionId xsi:nil=\"true\"/>"));
        assert!(xml.contains(
            "<PartnerUrl>https://sandbox.example/services/Soap/u/64.0/00D5g0000004207</PartnerUrl>"
        ));
        assert!(xml.contains(
            "<sObject xsi:type=\"sf:Contact\" xmlns:sf=\"urn:sobject.enterprise.soap.sforce.com\">"
        ));
        assert!(xml.contains("<sf:LastName>O&apos;Hara &amp; &lt;Sons&gt;</sf:LastName>"));
        let id_at = xml.find("<sf:Id>").unwrap();
        assert!(id_at < xml.find("<sf:LastName>").unwrap());
    }

    #[test]
    fn values_take_their_xml_form_and_nulls_are_omitted() {
        assert_eq!(
            xml_value(FieldType::Int, &Value::from(420)),
            Some("420".into())
        );
        assert_eq!(
            xml_value(FieldType::Double, &Value::from(12.0)),
            Some("12.0".into())
        );
        assert_eq!(
            xml_value(FieldType::Boolean, &Value::Bool(true)),
            Some("true".into())
        );
        assert_eq!(
            xml_value(
                FieldType::DateTime,
                &Value::String("2025-12-16T13:05:30.000+0000".into())
            ),
            Some("2025-12-16T13:05:30.000Z".into())
        );
        assert_eq!(xml_value(FieldType::String(80), &Value::Null), None);
    }

    #[test]
    fn acks_are_recognised_with_or_without_prefixes() {
        let ack = |inner: &str| {
            format!(
                "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\">\
                 <soapenv:Body>{inner}</soapenv:Body></soapenv:Envelope>"
            )
        };
        assert!(is_ack(&ack(
            "<notificationsResponse xmlns=\"http://soap.sforce.com/2005/09/outbound\"><Ack>true</Ack></notificationsResponse>"
        )));
        assert!(is_ack(&ack(
            "<out:notificationsResponse><out:Ack> true </out:Ack></out:notificationsResponse>"
        )));
        assert!(!is_ack(&ack(
            "<notificationsResponse><Ack>false</Ack></notificationsResponse>"
        )));
        assert!(!is_ack(&ack(
            "<notificationsResponse><NoAck>true</NoAck></notificationsResponse>"
        )));
        assert!(!is_ack("OK"));
    }

    #[test]
    fn retries_back_off_up_to_the_maximum() {
        let policy = RetryPolicy {
            initial: Duration::from_millis(100),
            max: Duration::from_millis(350),
            give_up_after: Duration::from_secs(1),
        };
        let waits: Vec<u128> = (1..=4).map(|a| policy.interval(a).as_millis()).collect();
        assert_eq!(waits, [100, 200, 350, 350]);
    }
}
