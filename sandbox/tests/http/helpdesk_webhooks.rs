//! Webhooks as Zoho Desk sends them, received by a local endpoint that verifies every
//! delivery with the shared client's JWT check: subscription and URL validation, signed
//! deliveries with previous state, `ignoreSourceId`, retries until acknowledged, 410.

use crate::helpers::*;
use reqwest::Method;
use sandbox::helpdesk::controls::AgentEdit;
use sandbox::{Config, Sandbox, demo};
use serde_json::{Value, json};
use shared::helpdesk::{EventType, Expected, Jwks, SignatureError, verify_delivery};
use std::time::Duration;

const PATIENCE: Duration = Duration::from_secs(10);
const SOURCE: &str = "49ad222a-f812-11e7-8c3f-9a214cf093ae";

/// A sandbox whose failed deliveries are retried quickly.
async fn quick_retries() -> Sandbox {
    spawn_with(Config {
        helpdesk: sandbox::helpdesk::Settings {
            webhook_retry_base: Duration::from_millis(50),
            webhook_retry_max: Duration::from_millis(200),
            ..sandbox::helpdesk::Settings::default()
        },
        ..Config::ephemeral()
    })
    .await
}

async fn subscribe(desk: &Desk, receiver: &Receiver, ignore: Option<&str>) -> String {
    let webhook = ok(desk.post("/webhooks", &subscription(&receiver.url, ignore))).await;
    webhook["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn subscribing_validates_the_url_first() {
    let sandbox = spawn().await;
    let desk = Desk::of(&sandbox);

    let get = Receiver::start(&sandbox, Validation::Get).await;
    let webhook = ok(desk.post("/webhooks", &subscription(&get.url, Some(SOURCE)))).await;
    assert_eq!(get.validations(), [axum::http::Method::GET]);
    assert_eq!(webhook["url"], get.url.as_str());
    assert_eq!(webhook["ignoreSourceId"], SOURCE);
    assert_eq!(webhook["isEnabled"], true);
    assert_eq!(webhook["type"], "CUSTOMER_WEBHOOK");
    assert_eq!(
        webhook["subscriptions"]["Contact_Update"],
        json!({"includePrevState": true})
    );
    assert_eq!(webhook["subscriptions"]["Contact_Add"], Value::Null);

    // A URL that refuses GET gets a POST, as Zoho does.
    let post_only = Receiver::start(&sandbox, Validation::PostOnly).await;
    ok(desk.post("/webhooks", &subscription(&post_only.url, None))).await;
    assert_eq!(
        post_only.validations(),
        [axum::http::Method::GET, axum::http::Method::POST]
    );

    let refusing = Receiver::start(&sandbox, Validation::Refuse).await;
    let (status, code, fields) =
        error(desk.post("/webhooks", &subscription(&refusing.url, None))).await;
    assert_eq!(
        (status, code.as_str(), fields),
        (422, "INVALID_DATA", vec!["/url".to_owned()])
    );
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/gone", listener.local_addr().unwrap())
    };
    assert_eq!(
        error(desk.post("/webhooks", &subscription(&closed, None)))
            .await
            .2,
        ["/url"]
    );

    let (_, _, fields) = error(desk.post(
        "/webhooks",
        &json!({"url": get.url, "subscriptions": {"Ticket_Add": null, "Account_Add": {"includePrevState": true}}}),
    ))
    .await;
    assert_eq!(
        fields,
        [
            "/subscriptions/Ticket_Add",
            "/subscriptions/Account_Add/includePrevState"
        ]
    );

    let listed = ok(desk.get("/webhooks")).await;
    assert_eq!(listed["data"].as_array().unwrap().len(), 2);
    let id = webhook["id"].as_str().unwrap();
    assert_eq!(ok(desk.get(&format!("/webhooks/{id}"))).await["id"], id);
    let (status, _) = send(desk.delete(&format!("/webhooks/{id}"))).await;
    assert_eq!(status, 204);
    assert_eq!(
        error(desk.get(&format!("/webhooks/{id}"))).await.1,
        "URL_NOT_FOUND"
    );
}

#[tokio::test]
async fn writes_are_delivered_in_order_signed_and_with_previous_state() {
    let sandbox = spawn().await;
    let desk = Desk::of(&sandbox);
    let receiver = Receiver::start(&sandbox, Validation::Get).await;
    let webhook_id = subscribe(&desk, &receiver, None).await;

    let contact = ok(desk.post(
        "/contacts",
        &json!({"lastName": "Lovelace", "title": "Analyst"}),
    ))
    .await;
    let id = contact["id"].as_str().unwrap();
    let updated = ok(desk.patch(&format!("/contacts/{id}"), &json!({"title": "Engineer"}))).await;
    let account = ok(desk.post("/accounts", &json!({"accountName": "Analytical Engines"}))).await;
    ok(desk.patch(
        &format!("/accounts/{}", account["id"].as_str().unwrap()),
        &json!({"industry": "Computing"}),
    ))
    .await;
    let (status, _) = send(desk.post("/contacts/moveToTrash", &json!({"contactIds": [id]}))).await;
    assert_eq!(status, 204);
    assert!(sandbox.helpdesk_webhooks_settled(PATIENCE).await);

    let events = receiver.acknowledged_events();
    let kinds: Vec<&EventType> = events.iter().map(|e| &e.event_type).collect();
    assert_eq!(
        kinds,
        [
            &EventType::ContactAdd,
            &EventType::ContactUpdate,
            &EventType::AccountAdd,
            &EventType::AccountUpdate,
            &EventType::ContactDelete
        ]
    );
    for event in &events {
        assert_eq!(event.org_id, demo::HELPDESK_ORG_ID);
        assert!(event.event_time_ms().is_some(), "{event:?}");
    }
    assert_eq!(events[0].contact().unwrap().unwrap().last_name, "Lovelace");
    assert_eq!(events[0].prev_state, None);
    assert_eq!(
        events[1].payload, updated,
        "the payload is the record as the API shows it"
    );
    let prev = events[1]
        .prev_state
        .as_ref()
        .expect("asked for the previous state");
    assert_eq!(prev["title"], "Analyst");
    assert_eq!(
        events[3].prev_state.as_ref().unwrap()["industry"],
        Value::Null
    );
    assert_eq!(events[4].payload, json!({"id": id}));

    // Every delivery verified against the JWKS, bound to its webhook and its body.
    for delivery in receiver.deliveries() {
        let claims = delivery.verified.as_ref().expect("a valid signature");
        assert_eq!(claims.webhook_id(), Some(webhook_id.as_str()));
        assert_eq!(claims.iss, format!("orgId:{}", demo::HELPDESK_ORG_ID));
        assert!(claims.exp > claims.iat);
    }
    let log = sandbox.helpdesk_webhook_deliveries();
    assert!(log.iter().all(|d| d.delivered && d.attempt == 1), "{log:?}");
    let logged: usize = log.iter().map(|d| d.event_types.len()).sum();
    assert_eq!(logged, 5);
}

#[tokio::test]
async fn a_delivery_verifies_only_as_sent() {
    let sandbox = spawn().await;
    let desk = Desk::of(&sandbox);
    let receiver = Receiver::start(&sandbox, Validation::Get).await;
    let webhook_id = subscribe(&desk, &receiver, None).await;
    ok(desk.post("/contacts", &json!({"lastName": "Babbage"}))).await;
    receiver.wait_for_events(1, PATIENCE).await;
    let delivery = &receiver.deliveries()[0];
    let token = delivery.token.as_deref().unwrap();
    let jwks: Jwks = reqwest::get(desk.jwks_url())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let expected = Expected {
        org_id: demo::HELPDESK_ORG_ID,
        webhook_id: Some(&webhook_id),
        require_body_hash: true,
    };
    assert!(verify_delivery(token, &delivery.body, &jwks, expected, now_secs()).is_ok());

    let tampered = String::from_utf8(delivery.body.clone())
        .unwrap()
        .replace("Babbage", "Mallory");
    assert_eq!(
        verify_delivery(token, tampered.as_bytes(), &jwks, expected, now_secs()),
        Err(SignatureError::BodyMismatch)
    );
    // Another key under the same kid: the signature does not match.
    let mut wrong_key = jwks.clone();
    let n = &mut wrong_key.keys[0].n;
    let flipped = if &n[100..101] == "A" { "B" } else { "A" };
    n.replace_range(100..101, flipped);
    assert_eq!(
        verify_delivery(token, &delivery.body, &wrong_key, expected, now_secs()),
        Err(SignatureError::BadSignature)
    );
    let mut renamed = jwks.clone();
    renamed.keys[0].kid = "another-key".into();
    assert!(matches!(
        verify_delivery(token, &delivery.body, &renamed, expected, now_secs()),
        Err(SignatureError::UnknownKey(_))
    ));
    assert_eq!(
        verify_delivery(token, &delivery.body, &jwks, expected, now_secs() + 301),
        Err(SignatureError::Expired)
    );
    let other_org = Expected {
        org_id: "99999999",
        webhook_id: None,
        require_body_hash: true,
    };
    assert_eq!(
        verify_delivery(token, &delivery.body, &jwks, other_org, now_secs()),
        Err(SignatureError::WrongOrg)
    );
}

#[tokio::test]
async fn a_matching_source_id_silences_only_the_webhook_that_ignores_it() {
    let sandbox = spawn().await;
    let desk = Desk::of(&sandbox);
    let sync = Receiver::start(&sandbox, Validation::Get).await;
    let other = Receiver::start(&sandbox, Validation::Get).await;
    subscribe(&desk, &sync, Some(SOURCE)).await;
    subscribe(&desk, &other, None).await;

    // The sync's own write: only the other webhook hears of it.
    ok(desk
        .post("/contacts", &json!({"lastName": "Echo"}))
        .header("sourceId", SOURCE))
    .await;
    // Someone else's write (another source, or none): both hear of it.
    ok(desk
        .post("/contacts", &json!({"lastName": "Other"}))
        .header("sourceId", "11111111-2222-3333-4444-555555555555"))
    .await;
    sandbox
        .helpdesk_agent_edit(&AgentEdit::create(
            "accounts",
            json!({"accountName": "By hand"}),
        ))
        .unwrap();
    assert!(sandbox.helpdesk_webhooks_settled(PATIENCE).await);

    let names = |r: &Receiver| -> Vec<String> {
        r.acknowledged_events()
            .iter()
            .map(|e| {
                e.payload["lastName"]
                    .as_str()
                    .or(e.payload["accountName"].as_str())
                    .unwrap()
                    .to_owned()
            })
            .collect()
    };
    assert_eq!(names(&sync), ["Other", "By hand"]);
    assert_eq!(names(&other), ["Echo", "Other", "By hand"]);
}

#[tokio::test]
async fn failed_deliveries_are_retried_until_acknowledged() {
    let sandbox = quick_retries().await;
    let desk = Desk::of(&sandbox);
    let receiver = Receiver::start(&sandbox, Validation::Get).await;
    subscribe(&desk, &receiver, None).await;
    receiver.answer_next(&[500, 503, 404]);

    let first = ok(desk.post("/contacts", &json!({"lastName": "First"}))).await;
    let events = receiver.wait_for_events(1, PATIENCE).await;
    ok(desk.patch(
        &format!("/contacts/{}", first["id"].as_str().unwrap()),
        &json!({"lastName": "Second"}),
    ))
    .await;
    assert!(sandbox.helpdesk_webhooks_settled(PATIENCE).await);
    assert_eq!(events[0].payload["lastName"], "First");

    // The same body each time until acknowledged: at-least-once, never skipped.
    let deliveries = receiver.deliveries();
    let answered: Vec<u16> = deliveries.iter().map(|d| d.answered).collect();
    assert_eq!(answered, [500, 503, 404, 200, 200]);
    assert!(deliveries[..4].windows(2).all(|w| w[0].body == w[1].body));
    let all = receiver.acknowledged_events();
    assert_eq!(all.len(), 2);
    assert_eq!(
        all[1].payload["lastName"], "Second",
        "order kept after the retries"
    );

    let log = sandbox.helpdesk_webhook_deliveries();
    let attempts: Vec<(u32, Option<u16>, bool)> = log
        .iter()
        .map(|d| (d.attempt, d.status, d.delivered))
        .collect();
    assert_eq!(
        attempts,
        [
            (1, Some(500), false),
            (2, Some(503), false),
            (3, Some(404), false),
            (4, Some(200), true),
            (1, Some(200), true)
        ]
    );
    // The log is a control too.
    let over_http = ok(desk.control(Method::GET, "/webhooks/deliveries")).await;
    assert_eq!(over_http.as_array().unwrap().len(), 5);
    assert_eq!(
        over_http[3]["body"],
        String::from_utf8(deliveries[3].body.clone()).unwrap()
    );
    ok(desk.control(Method::DELETE, "/webhooks/deliveries")).await;
    assert!(sandbox.helpdesk_webhook_deliveries().is_empty());
}

#[tokio::test]
async fn an_unreachable_receiver_is_retried_and_catches_up_when_back() {
    let sandbox = quick_retries().await;
    let desk = Desk::of(&sandbox);
    let receiver = Receiver::start(&sandbox, Validation::Get).await;
    subscribe(&desk, &receiver, None).await;
    // The receiver refuses everything for a while; events pile up in order.
    receiver.answer_next(&[503; 4]);
    for name in ["A", "B", "C"] {
        ok(desk.post("/contacts", &json!({"lastName": name}))).await;
    }
    assert!(
        !sandbox
            .helpdesk_webhooks_settled(Duration::from_millis(50))
            .await
    );
    assert!(sandbox.helpdesk_webhooks_settled(PATIENCE).await);
    let names: Vec<String> = receiver
        .acknowledged_events()
        .iter()
        .map(|e| e.payload["lastName"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["A", "B", "C"]);
    let log = sandbox.helpdesk_webhook_deliveries();
    assert!(log.iter().filter(|d| !d.delivered).count() >= 4);
}

#[tokio::test]
async fn a_gone_receiver_loses_its_subscription() {
    let sandbox = quick_retries().await;
    let desk = Desk::of(&sandbox);
    let receiver = Receiver::start(&sandbox, Validation::Get).await;
    let id = subscribe(&desk, &receiver, None).await;
    receiver.answer_next(&[410]);
    ok(desk.post("/contacts", &json!({"lastName": "Gone"}))).await;
    assert!(sandbox.helpdesk_webhooks_settled(PATIENCE).await);
    assert_eq!(
        error(desk.get(&format!("/webhooks/{id}"))).await.1,
        "URL_NOT_FOUND"
    );
    ok(desk.post("/contacts", &json!({"lastName": "Unheard"}))).await;
    assert!(sandbox.helpdesk_webhooks_settled(PATIENCE).await);
    assert_eq!(receiver.deliveries().len(), 1);
}

#[tokio::test]
async fn agent_edits_fire_webhooks_from_rust_and_over_http() {
    let sandbox = spawn().await;
    let desk = Desk::of(&sandbox);
    let receiver = Receiver::start(&sandbox, Validation::Get).await;
    subscribe(&desk, &receiver, None).await;
    let maya = ok(desk
        .get("/contacts/search")
        .query(&[("email", "maya.patel@northwind.example")]))
    .await["data"][0]
        .clone();
    let id = maya["id"].as_str().unwrap();

    let edited = sandbox
        .helpdesk_agent_edit(&AgentEdit::update(
            "contacts",
            id,
            json!({"phone": "+1 206 555 0199"}),
        ))
        .unwrap();
    assert_eq!(edited["phone"], "+1 206 555 0199");
    ok(desk.control(Method::POST, "/agent-edits").json(&json!({
        "action": "update", "module": "contacts", "id": id, "fields": {"cf": {"cf_seats": "300"}},
    })))
    .await;
    sandbox
        .helpdesk_agent_edit(&AgentEdit::delete("contacts", id))
        .unwrap();
    let events = receiver.wait_for_events(3, PATIENCE).await;
    let events: Vec<_> = events.iter().collect();
    assert_eq!(events.len(), 3);
    assert_eq!(
        events[0].prev_state.as_ref().unwrap()["phone"],
        maya["phone"]
    );
    assert_eq!(events[1].payload["cf"]["cf_seats"], "300");
    assert_eq!(
        events[1].prev_state.as_ref().unwrap()["cf"]["cf_seats"],
        "250"
    );
    assert_eq!(events[2].event_type, EventType::ContactDelete);

    // A bulk seed is an import: silent unless asked.
    sandbox
        .seed_helpdesk(&sandbox::helpdesk::controls::SeedRequest {
            contacts: 2,
            accounts: 1,
            webhooks: false,
        })
        .unwrap();
    ok(desk
        .control(Method::POST, "/seed")
        .json(&json!({"contacts": 1, "webhooks": true})))
    .await;
    let events = receiver.wait_for_events(4, PATIENCE).await;
    assert_eq!(events.len(), 4);
    assert_eq!(events[3].event_type, EventType::ContactAdd);
}
