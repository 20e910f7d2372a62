//! The sync keeps to its share of the helpdesk org's daily API credits, in the Workers
//! runtime: on a small plan whose credits the org's other integrations have nearly spent,
//! the initial sync stops at its share with a note saying when it goes on, loses
//! nothing, and goes on once the helpdesk's day rolls over.

use contract::admin::{
    AdminStatus, FAILURES_PATH, FailureView, HelpdeskConnectionStatus, STATUS_PATH,
    SYNC_PAUSE_PATH, SYNC_RESUME_PATH, SYNC_START_PATH, SyncState, SyncStatus,
};
use e2e::{ReqwestTransport, Stack, StackOptions, eventually};
use reqwest::Method;
use sandbox::demo;
use sandbox::helpdesk::credits::{CreditPlan, Edition};
use serde_json::{Map, Value};
use shared::salesforce::Client;
use std::time::Duration;

const ORG: &str = demo::HELPDESK_ORG_ID;
/// Free: 5,000 credits a day; the sync's default share, 80%.
const DAILY: u64 = 5_000;
const SHARE: u64 = 4_000;
/// Credits the sync finds left of its share: far fewer than the initial sync needs.
const ROOM: u64 = 40;

async fn status(stack: &Stack) -> anyhow::Result<AdminStatus> {
    stack
        .admin_as(&stack.admin_token(ORG), Method::GET, STATUS_PATH, None)
        .await
}

#[tokio::test]
async fn the_sync_stops_at_its_share_of_the_credits_and_goes_on_the_next_day() -> anyhow::Result<()>
{
    let stack = Stack::start(StackOptions::test("helpdesk-credits")).await?;
    stack.sandbox.set_helpdesk_org_credit_plan(
        ORG,
        Some(CreditPlan {
            edition: Edition::Free,
            agents: 3,
        }),
    );
    // Contacts the helpdesk does not have: a credit each to write.
    stack
        .sandbox
        .salesforce()
        .seed_bulk(sandbox::salesforce::BulkSeed {
            contacts: 150,
            accounts: 10,
        });
    // Connecting reads the org's edition: the sync's limits follow it.
    stack.connect_helpdesk(ORG).await?;
    stack.connect_salesforce_in(ORG).await?;
    let spent = stack.sandbox.helpdesk_credits().orgs[ORG].spent_today;
    stack
        .sandbox
        .spend_helpdesk_credits(ORG, SHARE - ROOM - spent);

    let token = stack.admin_token(ORG);
    let _: SyncStatus = stack
        .admin_as(&token, Method::POST, SYNC_START_PATH, None)
        .await?;
    let stopped = eventually(
        "the sync stops at its share",
        Duration::from_secs(90),
        async || {
            let status = status(&stack).await?;
            let waiting = status
                .sync
                .note
                .as_deref()
                .is_some_and(|n| n.contains("share of the helpdesk's API credits"));
            Ok(waiting.then_some(status))
        },
    )
    .await?;
    assert_eq!(stopped.sync.state, SyncState::InitialSync, "{stopped:?}");
    let note = stopped.sync.note.clone().unwrap_or_default();
    assert!(note.contains("goes on by itself"), "{note}");
    let day_one = stack.sandbox.helpdesk_credits().orgs[ORG].clone();
    // Calls in flight when the share ran out may each pass it by their weight (a list's
    // 3 credits), at most 4 at once (80% of Free's 5); an import, whose cost is known,
    // never; and never the helpdesk's own refusal.
    assert!(day_one.spent_today <= SHARE + 4 * 3, "{day_one:?}");
    assert_eq!(day_one.threshold_refusals, 0);
    match &stopped.helpdesk {
        HelpdeskConnectionStatus::Connected(info) => {
            let credits = info.credits.as_ref().expect("the credits are shown");
            assert_eq!(credits.edition, "Free");
            assert_eq!((credits.daily, credits.sync_share), (DAILY, SHARE));
            let left = credits.left_today.expect("credits left today are known");
            // What the helpdesk last said: the sync went towards its share, not past it.
            assert!(
                (DAILY - SHARE - 3 * 4..=DAILY - SHARE + ROOM).contains(&left),
                "{credits:?}"
            );
        }
        other => panic!("{other:?}"),
    }

    // The helpdesk's day rolls over; the sync goes on (a pause and resume stands in for
    // the hour the alarm waits before it looks again).
    stack
        .sandbox
        .advance_clock(Duration::from_secs(24 * 60 * 60));
    let _: SyncStatus = stack
        .admin_as(&token, Method::POST, SYNC_PAUSE_PATH, None)
        .await?;
    let _: SyncStatus = stack
        .admin_as(&token, Method::POST, SYNC_RESUME_PATH, None)
        .await?;
    eventually(
        "the sync finishes the next day",
        Duration::from_secs(120),
        async || Ok((status(&stack).await?.sync.state == SyncState::Live).then_some(())),
    )
    .await?;

    // Nothing lost: every Salesforce contact with an email is in the helpdesk, no failure.
    let transport = ReqwestTransport::default();
    let salesforce = Client::new(&transport, stack.salesforce_admin().await?);
    let emails: Vec<String> = salesforce
        .query::<Map<String, Value>>("SELECT Email FROM Contact WHERE Email != null")
        .await?
        .records
        .iter()
        .filter_map(|c| c["Email"].as_str().map(str::to_lowercase))
        .collect();
    let desk: Vec<String> = {
        let desk = stack.sandbox.helpdesk().desk_of(ORG).expect("the org");
        desk.contacts
            .values()
            .filter_map(|c| c.email.as_deref().map(str::to_lowercase))
            .collect()
    };
    for email in &emails {
        assert!(desk.contains(email), "the helpdesk lacks {email}");
    }
    let failures: Vec<FailureView> = stack
        .admin_as(&token, Method::GET, FAILURES_PATH, None)
        .await?;
    assert!(failures.is_empty(), "{failures:?}");
    assert_eq!(
        stack.sandbox.helpdesk_credits().orgs[ORG].threshold_refusals,
        0
    );
    Ok(())
}
