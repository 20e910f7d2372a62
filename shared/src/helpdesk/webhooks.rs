//! Webhooks as Zoho Desk runs them: subscriptions (`/api/v1/webhooks`) and the deliveries
//! it posts, each a JSON array of `{eventType, orgId, eventTime, payload, prevState}`.
//!
//! A delivery is only a claim until [`crate::helpdesk::verify_delivery`] accepts its
//! `X-ZDesk-JWT`; and as deliveries may repeat (at-least-once) or arrive late, a receiver
//! treats each event as a hint keyed by record id and modification time.

use super::records::{Account, Contact};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::collections::BTreeMap;

/// The events sfdesk subscribes to; others are kept by name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EventType {
    ContactAdd,
    ContactUpdate,
    ContactDelete,
    AccountAdd,
    AccountUpdate,
    AccountDelete,
    Other(String),
}

impl EventType {
    pub const SYNCED: [EventType; 6] = [
        EventType::ContactAdd,
        EventType::ContactUpdate,
        EventType::ContactDelete,
        EventType::AccountAdd,
        EventType::AccountUpdate,
        EventType::AccountDelete,
    ];

    pub fn as_str(&self) -> &str {
        match self {
            EventType::ContactAdd => "Contact_Add",
            EventType::ContactUpdate => "Contact_Update",
            EventType::ContactDelete => "Contact_Delete",
            EventType::AccountAdd => "Account_Add",
            EventType::AccountUpdate => "Account_Update",
            EventType::AccountDelete => "Account_Delete",
            EventType::Other(name) => name,
        }
    }

    pub fn parse(text: &str) -> EventType {
        match text {
            "Contact_Add" => EventType::ContactAdd,
            "Contact_Update" => EventType::ContactUpdate,
            "Contact_Delete" => EventType::ContactDelete,
            "Account_Add" => EventType::AccountAdd,
            "Account_Update" => EventType::AccountUpdate,
            "Account_Delete" => EventType::AccountDelete,
            other => EventType::Other(other.to_owned()),
        }
    }

    /// Only update events can carry the previous state.
    pub fn is_update(&self) -> bool {
        self.as_str().ends_with("_Update")
    }
}

impl Serialize for EventType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for EventType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(EventType::parse(&String::deserialize(deserializer)?))
    }
}

/// One event of a delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookEvent {
    pub event_type: EventType,
    pub org_id: String,
    /// Epoch milliseconds, as a string.
    pub event_time: String,
    /// The record as it is now (for a delete, what identifies it).
    pub payload: Value,
    /// The record before an update, when the subscription asked for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prev_state: Option<Value>,
}

impl WebhookEvent {
    pub fn event_time_ms(&self) -> Option<i64> {
        self.event_time.trim().parse().ok()
    }

    /// The id of the record the event is about, if it is one: Zoho Desk's record ids
    /// are strings of digits (e.g. `"1892000000042032"`); anything else could never be
    /// read back, and would sit in the inbox for ever.
    pub fn record_id(&self) -> Option<&str> {
        self.payload
            .get("id")
            .and_then(Value::as_str)
            .filter(|id| (1..=32).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit()))
    }

    /// The payload as a contact, for `Contact_Add` and `Contact_Update`.
    pub fn contact(&self) -> Option<Result<Contact, serde_json::Error>> {
        matches!(
            self.event_type,
            EventType::ContactAdd | EventType::ContactUpdate
        )
        .then(|| serde_json::from_value(self.payload.clone()))
    }

    /// The payload as an account, for `Account_Add` and `Account_Update`.
    pub fn account(&self) -> Option<Result<Account, serde_json::Error>> {
        matches!(
            self.event_type,
            EventType::AccountAdd | EventType::AccountUpdate
        )
        .then(|| serde_json::from_value(self.payload.clone()))
    }
}

/// The events of one delivery body. Parse only after the signature verified.
pub fn parse_delivery(body: &[u8]) -> Result<Vec<WebhookEvent>, serde_json::Error> {
    serde_json::from_slice(body)
}

/// Per-event options of a subscription (`null` on the wire when none are set).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionOptions {
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub include_prev_state: bool,
}

/// `POST /api/v1/webhooks`. The helpdesk first sends a validation request to `url`
/// (GET, then POST if that fails) and creates the webhook only if it answers 200.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookDraft {
    pub url: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub subscriptions: BTreeMap<EventType, Option<SubscriptionOptions>>,
    /// Writes made with this `sourceId` header do not trigger the webhook: how a sync
    /// keeps its own writes from echoing back to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore_source_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_enabled: Option<bool>,
}

impl WebhookDraft {
    /// All six contact and account events, with the previous state on updates.
    pub fn contacts_and_accounts(url: &str, name: &str, ignore_source_id: Option<&str>) -> Self {
        let subscriptions = EventType::SYNCED
            .into_iter()
            .map(|event| {
                let options = event.is_update().then_some(SubscriptionOptions {
                    include_prev_state: true,
                });
                (event, options)
            })
            .collect();
        WebhookDraft {
            url: url.to_owned(),
            name: name.to_owned(),
            description: None,
            subscriptions,
            ignore_source_id: ignore_source_id.map(str::to_owned),
            is_enabled: Some(true),
        }
    }
}

/// A webhook as the helpdesk describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    pub id: String,
    #[serde(default)]
    pub name: String,
    pub url: String,
    #[serde(default)]
    pub description: Option<String>,
    pub subscriptions: BTreeMap<EventType, Option<SubscriptionOptions>>,
    #[serde(default)]
    pub ignore_source_id: Option<String>,
    #[serde(default)]
    pub is_enabled: bool,
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delivery_decodes_with_typed_payloads() {
        let body = br#"[{"eventType":"Contact_Update","orgId":"60012345","eventTime":"1765890330000",
            "payload":{"id":"7","lastName":"Patel","createdTime":"2026-03-02T09:25:00.000Z","modifiedTime":"2026-03-02T10:00:00.000Z","cf":{}},
            "prevState":{"id":"7","lastName":"Patil"}},
            {"eventType":"Contact_Delete","orgId":"60012345","eventTime":"1765890331000","payload":{"id":"8"}},
            {"eventType":"Ticket_Add","orgId":"60012345","eventTime":"1765890332000","payload":{"id":"9"}}]"#;
        let events = parse_delivery(body).unwrap();
        assert_eq!(events.len(), 3);
        let update = &events[0];
        assert_eq!(update.event_type, EventType::ContactUpdate);
        assert_eq!(update.event_time_ms(), Some(1_765_890_330_000));
        assert_eq!(update.contact().unwrap().unwrap().last_name, "Patel");
        assert_eq!(update.prev_state.as_ref().unwrap()["lastName"], "Patil");
        assert!(events[1].contact().is_none());
        assert_eq!(events[1].record_id(), Some("8"));
        assert_eq!(events[2].event_type, EventType::Other("Ticket_Add".into()));
    }

    #[test]
    fn only_digit_ids_are_record_ids() {
        let event = |id: Value| WebhookEvent {
            payload: serde_json::json!({ "id": id }),
            ..parse_delivery(
                br#"[{"eventType":"Contact_Update","orgId":"1","eventTime":"1","payload":{}}]"#,
            )
            .unwrap()
            .remove(0)
        };
        assert_eq!(
            event("1892000000042032".into()).record_id(),
            Some("1892000000042032")
        );
        for bad in ["", "12a", "../1", &"9".repeat(33)] {
            assert_eq!(event(bad.into()).record_id(), None, "{bad:?}");
        }
        assert_eq!(
            event(7.into()).record_id(),
            None,
            "a number is not Zoho's string id"
        );
    }

    #[test]
    fn a_draft_asks_for_previous_state_on_updates_only() {
        let draft = WebhookDraft::contacts_and_accounts(
            "https://edge.example/hooks/desk",
            "sfdesk",
            Some("49ad222a-f812-11e7-8c3f-9a214cf093ae"),
        );
        let json = serde_json::to_value(&draft).unwrap();
        assert_eq!(
            json["subscriptions"]["Contact_Update"],
            serde_json::json!({"includePrevState": true})
        );
        assert_eq!(json["subscriptions"]["Account_Add"], Value::Null);
        assert_eq!(
            json["ignoreSourceId"],
            "49ad222a-f812-11e7-8c3f-9a214cf093ae"
        );
        assert_eq!(json["subscriptions"].as_object().unwrap().len(), 6);
    }
}

/// Property tests: no delivery body, however broken, makes the parser panic.
#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    /// JSON-ish text: real event pieces cut and spliced, so the parser gets past the
    /// first byte.
    fn jsonish() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("[".to_owned()),
            Just("]".to_owned()),
            Just("{".to_owned()),
            Just("}".to_owned()),
            Just(",".to_owned()),
            Just(r#""eventType":"Contact_Update""#.to_owned()),
            Just(r#""eventType":"#.to_owned()),
            Just(r#""orgId":"60012345""#.to_owned()),
            Just(r#""eventTime":"99999999999999999999999""#.to_owned()),
            Just(r#""payload":{"id":"7","email":"a@b.c"}"#.to_owned()),
            Just(r#""payload":null"#.to_owned()),
            Just(r#""prevState":[1,2]"#.to_owned()),
            Just("1e999".to_owned()),
            Just("\"\\ud800\"".to_owned()),
            any::<String>(),
        ];
        prop::collection::vec(piece, 0..30).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]

        #[test]
        fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..512)) {
            let _ = parse_delivery(&body);
        }

        #[test]
        fn spliced_events_never_panic(body in jsonish()) {
            if let Ok(events) = parse_delivery(body.as_bytes()) {
                for event in events {
                    let _ = (event.record_id(), event.event_time_ms(), event.event_type.as_str());
                    let _ = (event.contact(), event.account());
                }
            }
        }
    }
}
