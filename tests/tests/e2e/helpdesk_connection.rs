//! Each helpdesk org's own helpdesk connection, in the Workers runtime: two helpdesk orgs
//! (the sandbox's demo desk and its second, Harbor Desk) connect their own helpdesk and
//! Salesforce and sync on their own; an access token the helpdesk calls expired is
//! renewed with no failure; a revoked grant stops the sync with "reconnect the helpdesk".

use contract::admin::{
    AdminStatus, FAILURES_PATH, FailureView, HelpdeskConnectionStatus, SETTINGS_PATH, STATUS_PATH,
    SYNC_PAUSE_PATH, SYNC_RESUME_PATH, SYNC_START_PATH, SettingsView, SyncState, SyncStatus,
};
use e2e::{ReqwestTransport, Stack, StackOptions, eventually};
use reqwest::Method;
use sandbox::demo;
use serde_json::{Map, Value};
use shared::salesforce::Client;
use std::time::Duration;

const ORGS: [&str; 2] = [demo::HELPDESK_ORG_ID, demo::SECOND_HELPDESK_ORG_ID];

async fn status(stack: &Stack, org: &str) -> anyhow::Result<AdminStatus> {
    stack
        .admin_as(&stack.admin_token(org), Method::GET, STATUS_PATH, None)
        .await
}

/// Emails of `org`'s helpdesk contacts.
fn desk_emails(stack: &Stack, org: &str) -> Vec<String> {
    let desk = stack.sandbox.helpdesk().desk_of(org).expect("the org");
    desk.contacts
        .values()
        .filter_map(|c| c.email.clone())
        .collect()
}

#[tokio::test]
async fn two_orgs_each_sync_through_their_own_helpdesk_grant() -> anyhow::Result<()> {
    let stack = Stack::start(StackOptions::test("helpdesk-connection")).await?;
    let transport = ReqwestTransport::default();
    let salesforce = Client::new(&transport, stack.salesforce_admin().await?);
    let salesforce_emails: Vec<String> = salesforce
        .query::<Map<String, Value>>("SELECT Email FROM Contact WHERE Email != null")
        .await?
        .records
        .iter()
        .filter_map(|c| c["Email"].as_str().map(str::to_lowercase))
        .collect();
    assert!(!salesforce_emails.is_empty());
    for org in ORGS {
        stack.connect_helpdesk(org).await?;
        stack.connect_salesforce_in(org).await?;
        let admin_email = stack.sandbox.helpdesk().desk_of(org).unwrap().agents[0]
            .email_id
            .clone();
        match status(&stack, org).await?.helpdesk {
            HelpdeskConnectionStatus::Connected(info) => {
                assert_eq!(info.agent_email, admin_email);
                assert_eq!(info.api_domain, stack.sandbox.helpdesk_url);
            }
            other => panic!("{org}: {other:?}"),
        }
        let token = stack.admin_token(org);
        let _: SyncStatus = stack
            .admin_as(&token, Method::POST, SYNC_START_PATH, None)
            .await?;
    }
    for org in ORGS {
        eventually(
            &format!("{org} synced"),
            Duration::from_secs(90),
            async || Ok((status(&stack, org).await?.sync.state == SyncState::Live).then_some(())),
        )
        .await?;
        let emails: Vec<String> = desk_emails(&stack, org)
            .into_iter()
            .map(|e| e.to_lowercase())
            .collect();
        for email in &salesforce_emails {
            assert!(emails.contains(email), "{org} lacks {email}");
        }
    }

    // Every access token ends: the next helpdesk calls renew each org's own, silently.
    stack.sandbox.expire_helpdesk_tokens();
    for org in ORGS {
        let token = stack.admin_token(org);
        let _: SettingsView = stack
            .admin_as(&token, Method::GET, SETTINGS_PATH, None)
            .await?;
        let failures: Vec<FailureView> = stack
            .admin_as(&token, Method::GET, FAILURES_PATH, None)
            .await?;
        assert!(failures.is_empty(), "{org}: {failures:?}");
    }

    // Harbor Desk's admin removes the app: its sync stops and says why; the demo org's
    // goes on.
    let second = demo::SECOND_HELPDESK_ORG_ID;
    stack.sandbox.helpdesk().revoke_org_grants(second);
    let token = stack.admin_token(second);
    let _: SyncStatus = stack
        .admin_as(&token, Method::POST, SYNC_PAUSE_PATH, None)
        .await?;
    let _: SyncStatus = stack
        .admin_as(&token, Method::POST, SYNC_RESUME_PATH, None)
        .await?;
    let stopped = eventually(
        "the revoked grant is noticed",
        Duration::from_secs(60),
        async || {
            let status = status(&stack, second).await?;
            Ok((status.sync.state == SyncState::NeedsReconnect).then_some(status))
        },
    )
    .await?;
    assert!(
        matches!(stopped.helpdesk, HelpdeskConnectionStatus::Revoked { .. }),
        "{stopped:?}"
    );
    let note = stopped.sync.note.unwrap_or_default();
    assert!(note.contains("Reconnect the helpdesk"), "{note}");
    assert!(
        !matches!(
            stopped.connection,
            contract::admin::ConnectionStatus::Revoked { .. }
        ),
        "Salesforce's connection is not the one revoked"
    );
    assert_eq!(
        status(&stack, demo::HELPDESK_ORG_ID).await?.sync.state,
        SyncState::Live
    );

    // Connecting again resumes it.
    stack.connect_helpdesk(second).await?;
    eventually("resumed", Duration::from_secs(60), async || {
        Ok((status(&stack, second).await?.sync.state == SyncState::Live).then_some(()))
    })
    .await?;
    Ok(())
}
