//! Bulk writes against the sandbox helpdesk: the port sends one value to many records as
//! `updateMany` (a credit per 2 records), the other updates one by one, and a record the
//! helpdesk refuses inside the bulk call fails alone.

use super::support::sandbox;
use contract::mapping::ObjectKind;
use sandbox::demo;
use sandbox::helpdesk::controls::SeedRequest;
use serde_json::{Map, Value, json};
use shared::helpdesk::Client;
use shared::http::ReqwestTransport;
use shared::sync::helpdesk_port::HelpdeskPort;
use shared::sync::port::Port;

fn fields(value: Value) -> Map<String, Value> {
    value.as_object().cloned().unwrap()
}

#[tokio::test]
async fn one_value_to_many_records_is_one_update_many() {
    let sandbox = sandbox().await;
    sandbox
        .seed_helpdesk(&SeedRequest {
            contacts: 30,
            accounts: 0,
            webhooks: false,
        })
        .unwrap();
    let ids: Vec<String> = sandbox.helpdesk().desk().contacts.keys().cloned().collect();
    let transport = ReqwestTransport::default();
    let connection = sandbox.demo_helpdesk_connection();
    let client = Client::new(&transport, &connection);
    let port = HelpdeskPort::load(&client).await.unwrap();

    // 27 contacts become CTOs, one id the helpdesk does not have is among them; two get
    // their own phone numbers.
    let mut batch: Vec<(String, Map<String, Value>)> = ids[..27]
        .iter()
        .map(|id| (id.clone(), fields(json!({"title": "CTO"}))))
        .collect();
    batch.insert(5, ("999999999".into(), fields(json!({"title": "CTO"}))));
    batch.push((ids[27].clone(), fields(json!({"phone": "+1 555 0101"}))));
    batch.push((ids[28].clone(), fields(json!({"phone": "+1 555 0102"}))));
    sandbox.reset_helpdesk_calls();
    let before = sandbox.helpdesk_credits().orgs[demo::HELPDESK_ORG_ID].spent;

    let results = port.update_many(ObjectKind::Contact, batch).await.unwrap();

    assert_eq!(results.len(), 30);
    assert!(results[5].is_err(), "the missing record fails alone");
    assert!(
        results.iter().enumerate().all(|(i, r)| i == 5 || r.is_ok()),
        "{results:?}"
    );
    {
        let desk = sandbox.helpdesk().desk();
        assert!(
            ids[..27]
                .iter()
                .all(|id| desk.contacts[id].title.as_deref() == Some("CTO"))
        );
        assert_eq!(
            desk.contacts[&ids[27]].phone.as_deref(),
            Some("+1 555 0101")
        );
    }
    let calls = sandbox.helpdesk_calls();
    assert_eq!(
        calls.by_route.get("POST /api/v1/contacts/updateMany"),
        Some(&1),
        "28 records in one call: {calls:?}"
    );
    assert_eq!(calls.by_route.get("PATCH /api/v1/contacts/{id}"), Some(&2));
    let spent = sandbox.helpdesk_credits().orgs[demo::HELPDESK_ORG_ID].spent - before;
    assert_eq!(
        spent,
        14 + 2,
        "a credit per 2 records in bulk, one per single write"
    );
}

#[tokio::test]
async fn recent_changes_are_read_in_bounded_steps_that_miss_none() {
    let sandbox = sandbox().await;
    sandbox
        .seed_helpdesk(&SeedRequest {
            contacts: 2_500,
            accounts: 0,
            webhooks: false,
        })
        .unwrap();
    let all: std::collections::BTreeSet<String> =
        sandbox.helpdesk().desk().contacts.keys().cloned().collect();
    let transport = ReqwestTransport::default();
    let connection = sandbox.demo_helpdesk_connection();
    let client = Client::new(&transport, &connection);
    let port = HelpdeskPort::load(&client).await.unwrap();

    // Every contact is recent (as after a large initial sync): read them step by step.
    let mut read = std::collections::BTreeSet::new();
    let mut after: Option<String> = None;
    let mut steps = 0;
    loop {
        let changes = port
            .changed_since(ObjectKind::Contact, 0, after.as_deref())
            .await
            .unwrap();
        steps += 1;
        assert!(changes.records.len() <= 1_000, "a step is bounded");
        read.extend(changes.records.into_iter().map(|r| r.id));
        match changes.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert!(steps >= 3, "{steps} steps for {} contacts", all.len());
    assert!(all.is_subset(&read), "no contact is skipped");

    // Nothing changed since now: one step, one page, nothing read.
    let later = port
        .changed_since(ObjectKind::Contact, i64::MAX, None)
        .await
        .unwrap();
    assert!(later.records.is_empty() && later.next.is_none());
}
