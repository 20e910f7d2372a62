//! The helpdesk's plan and the Import API against the sandbox helpdesk: the client reads
//! the org's edition and paid agents as its credit plan, and an import of accounts and
//! contacts with external ids is queued, polled to completion, mapped back to desk ids,
//! its refused rows read with their reasons, at a credit per 2 records.

use super::support::sandbox;
use sandbox::demo;
use sandbox::helpdesk::credits::{CreditPlan as SandboxPlan, Edition as SandboxEdition};
use serde_json::{Map, Value, json};
use shared::helpdesk::{Client, Edition, ImportData, ImportRequest, Module, RetryPolicy};
use shared::http::ReqwestTransport;
use std::time::Duration;

fn fields(value: Value) -> Map<String, Value> {
    value.as_object().cloned().unwrap()
}

const SCOPE: &str = "7d69f2c6-1d6d-4a75-99d1-fafc4e4177a7";

#[tokio::test]
async fn the_plan_is_the_orgs_edition_and_its_paid_agents() {
    let sandbox = sandbox().await;
    let transport = ReqwestTransport::default();
    let connection = sandbox.demo_helpdesk_connection();
    let client = Client::new(&transport, &connection);

    let plan = client.credit_plan().await.unwrap().unwrap();
    let expected = sandbox.helpdesk_credits().orgs[demo::HELPDESK_ORG_ID]
        .plan
        .unwrap();
    assert_eq!(plan.edition, Edition::Professional);
    assert_eq!(plan.agents, u64::from(expected.agents));
    assert_eq!(
        Some(plan.daily_credits()),
        sandbox.helpdesk_credits().orgs[demo::HELPDESK_ORG_ID].daily_credits,
        "the client counts the day's credits as the helpdesk does"
    );

    sandbox.set_helpdesk_credit_plan(Some(SandboxPlan {
        edition: SandboxEdition::Free,
        agents: 2,
    }));
    let free = client.credit_plan().await.unwrap().unwrap();
    assert_eq!(free.edition, Edition::Free);
    assert_eq!(free.daily_credits(), 5_000, "no credits per agent on Free");
}

#[tokio::test]
async fn an_import_is_polled_mapped_back_and_its_refused_rows_say_why() {
    let sandbox = sandbox().await;
    let transport = ReqwestTransport::default();
    let connection = sandbox.demo_helpdesk_connection();
    let client = Client::new(&transport, &connection).with_retry(RetryPolicy::none());
    let before = sandbox.helpdesk_credits().orgs[demo::HELPDESK_ORG_ID].spent;

    let request = ImportRequest {
        scope_id: SCOPE.into(),
        notify_url: None,
        run_automation: false,
        data: ImportData {
            accounts: vec![fields(
                json!({"accountExtId": "001A", "accountName": "Import Co"}),
            )],
            contacts: vec![
                fields(
                    json!({"contactExtId": "003A", "lastName": "Ng", "email": "ng@import.example", "accountExtId": "001A"}),
                ),
                fields(json!({"contactExtId": "003B", "lastName": "Bad", "email": "not an email"})),
                fields(
                    json!({"contactExtId": "003C", "lastName": "Orphan", "accountExtId": "001Z"}),
                ),
            ],
        },
    };
    let queued = client.queue_import(&request).await.unwrap();
    assert!(!queued.is_completed() || queued.status == "completed");

    let mut import = queued.clone();
    for _ in 0..100 {
        if import.is_completed() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        import = client.import(&queued.id).await.unwrap();
    }
    assert!(import.is_completed(), "{import:?}");
    assert!(import.has_error);

    let contacts = client
        .import_mappings(SCOPE, Module::Contacts, &["003A", "003B", "003C"])
        .await
        .unwrap();
    assert_eq!(contacts.len(), 1, "{contacts:?}");
    assert_eq!(contacts[0].external_id, "003A");
    let accounts = client
        .import_mappings(SCOPE, Module::Accounts, &["001A"])
        .await
        .unwrap();
    {
        let desk = sandbox.helpdesk().desk();
        let contact = &desk.contacts[&contacts[0].entity_id];
        assert_eq!(contact.last_name, "Ng");
        assert_eq!(
            contact.account_id.as_deref(),
            Some(accounts[0].entity_id.as_str())
        );
    }

    let mut refused = client.import_errors(&import).await.unwrap();
    refused.sort_by(|a, b| a.external_id.cmp(&b.external_id));
    let ids: Vec<_> = refused.iter().map(|r| r.external_id.as_deref()).collect();
    assert_eq!(ids, [Some("003B"), Some("003C")]);
    assert!(
        refused[0].reason().contains("/email"),
        "{}",
        refused[0].reason()
    );

    // 4 records: 2 credits for the import, then a credit for each poll, mapping and log.
    let spent = sandbox.helpdesk_credits().orgs[demo::HELPDESK_ORG_ID].spent - before;
    let polls = client.calls() - 4;
    assert_eq!(
        spent,
        2 + polls + 3,
        "{spent} credits for {} calls",
        client.calls()
    );
}
