//! The sync running in the edge under `wrangler dev`: started through the admin API,
//! changes carried both ways through the real webhook paths (Salesforce Outbound
//! Messages, signed helpdesk webhooks), and an initial sync surviving a crash.

use anyhow::Context;
use contract::admin::{HISTORY_PATH, HistoryView, SyncState};
use e2e::{ReqwestTransport, Stack, StackOptions, eventually};
use reqwest::Method;
use sandbox::helpdesk::controls::AgentEdit;
use serde_json::{Map, Value, json};
use shared::helpdesk;
use shared::salesforce::{Client, Scope};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const MAYA: &str = "maya.patel@northwind.example";

/// The demo's shared contact's Salesforce Id.
async fn salesforce_maya(salesforce: &Client<'_, ReqwestTransport>) -> anyhow::Result<String> {
    let page = salesforce
        .query::<Map<String, Value>>(&format!("SELECT Id FROM Contact WHERE Email = '{MAYA}'"))
        .await?;
    Ok(page.records[0]["Id"].as_str().context("an Id")?.to_owned())
}

#[tokio::test]
async fn changes_flow_both_ways_through_the_real_webhooks() -> anyhow::Result<()> {
    let stack = Stack::start(StackOptions::test("sync-live")).await?;
    stack.connect_salesforce().await?;
    stack.start_sync().await?;
    let status = stack
        .wait_for_sync(SyncState::Live, Duration::from_secs(60))
        .await?;
    assert!(status.steps.iter().all(|s| s.finished), "{status:?}");

    let transport = ReqwestTransport::default();
    let connection = stack.sandbox.demo_helpdesk_connection();
    let desk = helpdesk::Client::new(&transport, &connection);
    let found = desk.search_contacts_by_email(MAYA).await?;
    assert_eq!(
        found.len(),
        1,
        "the demo's shared contact is linked, not copied"
    );
    let desk_maya = found[0].id.clone();

    // A Salesforce user edits Maya: the Outbound Message brings it to the helpdesk.
    let salesforce = Client::new(&transport, stack.salesforce_admin().await?);
    let sf_maya = salesforce_maya(&salesforce).await?;
    let edited = Instant::now();
    stack
        .sandbox
        .salesforce()
        .user_update(
            "Contact",
            &sf_maya,
            json!({"Title": "Chief of Staff"}).as_object().unwrap(),
        )
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    eventually(
        "the Salesforce edit in the helpdesk",
        Duration::from_secs(20),
        async || {
            let contact = desk.contact(&desk_maya).await?;
            Ok((contact.title.as_deref() == Some("Chief of Staff")).then_some(()))
        },
    )
    .await?;
    let salesforce_to_helpdesk = edited.elapsed();

    // An agent edits her in the helpdesk: the signed webhook brings it to Salesforce.
    let edited = Instant::now();
    stack
        .sandbox
        .helpdesk()
        .agent_edit(&AgentEdit::update(
            "contacts",
            &desk_maya,
            json!({"title": "VP Operations"}),
        ))
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let sf_id = contract::ids::SfId::parse(&sf_maya)?;
    eventually(
        "the helpdesk edit in Salesforce",
        Duration::from_secs(20),
        async || {
            let record: Value = salesforce.get("Contact", &sf_id, &["Title"]).await?;
            Ok((record["Title"] == "VP Operations").then_some(()))
        },
    )
    .await?;
    let helpdesk_to_salesforce = edited.elapsed();
    println!(
        "Salesforce -> helpdesk {salesforce_to_helpdesk:?}, helpdesk -> Salesforce {helpdesk_to_salesforce:?}"
    );

    // No echo: our write to Salesforce comes back as an Outbound Message and changes nothing.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let history: HistoryView = stack.admin(Method::GET, HISTORY_PATH, None).await?;
    let updated: u32 = history.runs.iter().map(|r| r.updated).sum();
    assert!(updated >= 2, "both edits are in the history: {history:?}");
    assert_eq!(
        desk.contact(&desk_maya).await?.title.as_deref(),
        Some("VP Operations")
    );
    let status = stack.admin_status().await?.sync;
    assert_eq!(status.pending_changes, 0, "{status:?}");
    Ok(())
}

/// Successive helpdesk edits of one contact, each made as soon as the previous one shows
/// in Salesforce (as `cargo xtask bench sync` does): every one must arrive, not only the
/// first.
#[tokio::test]
async fn successive_helpdesk_edits_of_one_contact_each_reach_salesforce() -> anyhow::Result<()> {
    let stack = Stack::start(StackOptions::test("sync-successive")).await?;
    stack.connect_salesforce().await?;
    stack.start_sync().await?;
    stack
        .wait_for_sync(SyncState::Live, Duration::from_secs(60))
        .await?;
    let transport = ReqwestTransport::default();
    let connection = stack.sandbox.demo_helpdesk_connection();
    let desk = helpdesk::Client::new(&transport, &connection);
    let desk_maya = desk.search_contacts_by_email(MAYA).await?[0].id.clone();
    let salesforce = Client::new(&transport, stack.salesforce_admin().await?);
    let sf_id = contract::ids::SfId::parse(&salesforce_maya(&salesforce).await?)?;

    // As the bench: Salesforce edits reach the helpdesk first, then the helpdesk's are
    // made, each the moment the previous one shows (polled every 5 ms).
    let sf_maya = sf_id.as_str().to_owned();
    for title in ["Salesforce's first", "Salesforce's second"] {
        stack
            .sandbox
            .salesforce()
            .user_update(
                "Contact",
                &sf_maya,
                json!({"Title": title}).as_object().unwrap(),
            )
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        eventually(
            &format!("the Salesforce edit {title:?} in the helpdesk"),
            Duration::from_secs(20),
            async || {
                let contact = desk.contact(&desk_maya).await?;
                Ok((contact.title.as_deref() == Some(title)).then_some(()))
            },
        )
        .await?;
    }
    for title in ["First title", "Second title", "Third title"] {
        stack
            .sandbox
            .helpdesk()
            .agent_edit(&AgentEdit::update(
                "contacts",
                &desk_maya,
                json!({"title": title}),
            ))
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let record: Value = salesforce.get("Contact", &sf_id, &["Title"]).await?;
            if record["Title"] == title {
                break;
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "the helpdesk edit {title:?} is not in Salesforce after 20 s: {:?}",
                stack.sandbox.helpdesk().webhook_deliveries()
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    Ok(())
}

/// Contacts of the crash test: more than two imports' worth.
const CRASH_CONTACTS: usize = 12_000;

#[tokio::test]
async fn an_initial_sync_survives_a_crash_midway_with_nothing_lost_or_doubled() -> anyhow::Result<()>
{
    let mut stack = Stack::start(StackOptions::test("sync-crash")).await?;
    stack
        .sandbox
        .salesforce()
        .seed_bulk(sandbox::salesforce::BulkSeed {
            // Three imports of contacts (up to 5,000 records each), so a crash can come
            // between them.
            contacts: CRASH_CONTACTS,
            accounts: 50,
        });
    stack.connect_salesforce().await?;
    // Contacts' helpdesk copies written so far (one by one, or by the import).
    let desk_contacts = || stack.sandbox.helpdesk().desk().contacts.len();
    let before = desk_contacts();
    stack.start_sync().await?;
    // Midway: the first import of contacts has run (the sandbox sees its records).
    eventually(
        "some contacts written",
        Duration::from_secs(120),
        async || Ok((desk_contacts() - before >= 300).then_some(())),
    )
    .await?;
    let written_before_crash = desk_contacts() - before;
    stack.crash_and_restart_edge().await?;
    let status = stack
        .wait_for_sync(SyncState::Live, Duration::from_secs(300))
        .await?;
    assert!(status.steps.iter().all(|s| s.finished), "{status:?}");
    assert!(
        written_before_crash < CRASH_CONTACTS,
        "the crash came midway: {written_before_crash} of {CRASH_CONTACTS} written"
    );

    // Compare both sides by email: each exactly once on each side.
    let transport = ReqwestTransport::default();
    let salesforce = Client::new(&transport, stack.salesforce_admin().await?);
    let mut salesforce_emails = BTreeMap::new();
    let records: Vec<Map<String, Value>> = salesforce
        .query_all_pages("SELECT Email FROM Contact", Scope::Live)
        .await?;
    for record in records {
        let email = record["Email"].as_str().unwrap_or_default().to_lowercase();
        *salesforce_emails.entry(email).or_insert(0) += 1;
    }
    let connection = stack.sandbox.demo_helpdesk_connection();
    let desk = helpdesk::Client::new(&transport, &connection);
    let mut helpdesk_emails = BTreeMap::new();
    for contact in desk.all_contacts(None).await? {
        let email = contact.email.unwrap_or_default().to_lowercase();
        *helpdesk_emails.entry(email).or_insert(0) += 1;
    }
    let doubled: Vec<_> = helpdesk_emails
        .iter()
        .chain(&salesforce_emails)
        .filter(|(email, n)| !email.is_empty() && **n > 1)
        .collect();
    assert!(doubled.is_empty(), "duplicated: {doubled:?}");
    let missing: Vec<_> = salesforce_emails
        .keys()
        .filter(|email| !helpdesk_emails.contains_key(*email))
        .collect();
    assert!(
        missing.is_empty(),
        "{} lost, e.g. {:?}",
        missing.len(),
        missing.first()
    );
    assert!(salesforce_emails.len() >= CRASH_CONTACTS);
    assert_eq!(
        salesforce_emails.len(),
        helpdesk_emails.len(),
        "two-way: the helpdesk's own contacts reached Salesforce too"
    );
    Ok(())
}

#[tokio::test]
async fn paused_nothing_moves_resumed_everything_is_caught_up_deleted_all_is_gone()
-> anyhow::Result<()> {
    use contract::admin::{INTEGRATION_PATH, SYNC_PAUSE_PATH, SYNC_RESUME_PATH, SyncStatus};
    let stack = Stack::start_live(StackOptions::test("sync-pause")).await?;
    let transport = ReqwestTransport::default();
    let connection = stack.sandbox.demo_helpdesk_connection();
    let desk = helpdesk::Client::new(&transport, &connection);
    let desk_maya = desk.search_contacts_by_email(MAYA).await?[0].id.clone();
    let sf_maya =
        salesforce_maya(&Client::new(&transport, stack.salesforce_admin().await?)).await?;

    let paused: SyncStatus = stack.admin(Method::POST, SYNC_PAUSE_PATH, None).await?;
    assert_eq!(paused.state, SyncState::Paused);
    stack
        .sandbox
        .salesforce()
        .user_update(
            "Contact",
            &sf_maya,
            json!({"Title": "Edited while paused"}).as_object().unwrap(),
        )
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    // The notification is stored (Salesforce stops resending) but not applied.
    eventually(
        "the notification stored",
        Duration::from_secs(10),
        async || {
            let status = stack.admin_status().await?.sync;
            Ok((status.pending_changes == 1).then_some(()))
        },
    )
    .await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_ne!(
        desk.contact(&desk_maya).await?.title.as_deref(),
        Some("Edited while paused")
    );

    let resumed: SyncStatus = stack.admin(Method::POST, SYNC_RESUME_PATH, None).await?;
    assert_eq!(resumed.state, SyncState::Live);
    eventually(
        "the paused change applied",
        Duration::from_secs(20),
        async || {
            let contact = desk.contact(&desk_maya).await?;
            Ok((contact.title.as_deref() == Some("Edited while paused")).then_some(()))
        },
    )
    .await?;

    // Delete: the webhook is gone from the helpdesk, the panel says "not connected".
    let _: Value = stack.admin(Method::DELETE, INTEGRATION_PATH, None).await?;
    assert!(desk.webhooks().await?.is_empty(), "the webhook was removed");
    assert!(matches!(
        stack.panel("Agent", true).await?,
        contract::api::Panel::NotConnected { .. }
    ));
    let status = stack.admin_status().await?;
    assert_eq!(status.sync.state, SyncState::NotStarted);
    assert!(matches!(
        status.connection,
        contract::admin::ConnectionStatus::NotConnected
    ));
    Ok(())
}

/// Races with the alarm, made deterministic: the sandbox org holds the edge's calls at
/// its door (`/__sandbox/holds`), so a slice is parked at an await while the admin acts.
mod races {
    use super::*;
    use contract::admin::{
        ConnectionStatus, INTEGRATION_PATH, RETRY_PATH, SETTINGS_PATH, SYNC_PAUSE_PATH,
        SettingsView, SyncStatus,
    };
    use e2e::wait_for_held;

    const TOKEN_ENDPOINT: &str = "POST /services/oauth2/token";

    /// The state the console reads stays `state` for a while (longer than a slice).
    async fn stays(stack: &Stack, state: SyncState) -> anyhow::Result<SyncStatus> {
        let until = Instant::now() + Duration::from_secs(5);
        loop {
            let status = stack.admin_status().await?.sync;
            anyhow::ensure!(status.state == state, "expected {state:?}, read {status:?}");
            if Instant::now() > until {
                return Ok(status);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    #[tokio::test]
    async fn a_pause_while_a_slice_awaits_salesforce_stands() -> anyhow::Result<()> {
        let stack = Stack::start(StackOptions::test("race-pause")).await?;
        stack.connect_salesforce().await?;
        let salesforce = stack.sandbox.salesforce();
        salesforce.hold(vec!["GET /".into()]);
        stack.start_sync().await?;
        wait_for_held(salesforce, 1).await?;

        let paused: SyncStatus = stack.admin(Method::POST, SYNC_PAUSE_PATH, None).await?;
        assert_eq!(paused.state, SyncState::Paused);
        salesforce.hold(Vec::new());
        let status = stays(&stack, SyncState::Paused).await?;
        assert!(
            status.steps.iter().any(|s| !s.finished),
            "the paused initial sync went no further: {status:?}"
        );
        Ok(())
    }

    #[tokio::test]
    async fn a_delete_while_a_slice_awaits_salesforce_leaves_nothing_behind() -> anyhow::Result<()>
    {
        let stack = Stack::start(StackOptions::test("race-delete")).await?;
        stack.connect_salesforce().await?;
        let salesforce = stack.sandbox.salesforce();
        salesforce.hold(vec!["GET /".into()]);
        stack.start_sync().await?;
        wait_for_held(salesforce, 1).await?;

        let delete = stack.admin::<Value>(Method::DELETE, INTEGRATION_PATH, None);
        let release = async {
            tokio::time::sleep(Duration::from_millis(500)).await;
            salesforce.hold(Vec::new());
        };
        let (deleted, ()) = tokio::join!(delete, release);
        deleted?;
        let status = stays(&stack, SyncState::NotStarted).await?;
        assert_eq!(status.note, None, "no alarm failing over the erased state");
        assert!(matches!(
            stack.admin_status().await?.connection,
            ConnectionStatus::NotConnected
        ));
        Ok(())
    }

    #[tokio::test]
    async fn a_retry_while_a_slice_syncs_the_same_record_creates_it_once() -> anyhow::Result<()> {
        let stack = Stack::start(StackOptions::test("race-retry")).await?;
        let transport = ReqwestTransport::default();
        let salesforce = Client::new(&transport, stack.salesforce_admin().await?);
        // The helpdesk refuses its 120-character title: a failure, not linked.
        let email = "grace@compilers.example";
        let failing = salesforce
            .create(
                "Contact",
                &json!({"LastName": "Hopper", "Email": email, "Title": "T".repeat(120)}),
            )
            .await?;
        stack.connect_salesforce().await?;
        stack.start_sync().await?;
        stack
            .wait_for_sync(SyncState::Live, Duration::from_secs(60))
            .await?;
        let failures: Vec<contract::admin::FailureView> = stack
            .admin(Method::GET, contract::admin::FAILURES_PATH, None)
            .await?;
        assert!(
            failures.iter().any(|f| f.record_id == failing.as_str()),
            "{failures:?}"
        );

        // The fix's Outbound Message reaches the alarm, whose read waits at the door...
        let org = stack.sandbox.salesforce();
        org.hold(vec!["GET /".into()]);
        org.user_update(
            "Contact",
            failing.as_str(),
            json!({"Title": "Rear Admiral"}).as_object().unwrap(),
        )
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        wait_for_held(org, 1).await?;
        // ...when the admin presses "Try all again".
        let retry = stack.admin::<Value>(
            Method::POST,
            RETRY_PATH,
            Some(json!({"retry": "all", "object": null})),
        );
        let release = async {
            tokio::time::sleep(Duration::from_millis(500)).await;
            org.hold(Vec::new());
        };
        let (retried, ()) = tokio::join!(retry, release);
        // The slice may have fixed it first: then there is nothing left to retry.
        if let Err(error) = retried {
            assert!(error.to_string().contains("no such failure"), "{error:#}");
        }

        let connection = stack.sandbox.demo_helpdesk_connection();
        let desk = helpdesk::Client::new(&transport, &connection);
        eventually(
            "the fixed contact in the helpdesk",
            Duration::from_secs(20),
            async || {
                let found = desk.search_contacts_by_email(email).await?;
                Ok((!found.is_empty()).then_some(()))
            },
        )
        .await?;
        tokio::time::sleep(Duration::from_secs(2)).await;
        let found = desk.search_contacts_by_email(email).await?;
        assert_eq!(found.len(), 1, "created once: {found:?}");
        Ok(())
    }

    #[tokio::test]
    async fn webhooks_are_acknowledged_while_a_slice_awaits_salesforce() -> anyhow::Result<()> {
        let stack = Stack::start_live(StackOptions::test("race-ack")).await?;
        let transport = ReqwestTransport::default();
        let salesforce = Client::new(&transport, stack.salesforce_admin().await?);
        let sf_maya = salesforce_maya(&salesforce).await?;
        let connection = stack.sandbox.demo_helpdesk_connection();
        let desk = helpdesk::Client::new(&transport, &connection);
        let desk_maya = desk.search_contacts_by_email(MAYA).await?[0].id.clone();

        // A Salesforce edit's slice waits at the door, as long as the test likes...
        let org = stack.sandbox.salesforce();
        org.hold(vec!["GET /".into()]);
        org.user_update(
            "Contact",
            &sf_maya,
            json!({"Title": "Held"}).as_object().unwrap(),
        )
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        wait_for_held(org, 1).await?;
        // ...while an agent's edit is delivered, acknowledged and stored.
        let hd = stack.sandbox.helpdesk();
        hd.clear_webhook_deliveries();
        hd.agent_edit(&AgentEdit::update(
            "contacts",
            &desk_maya,
            json!({"phone": "+1 555 0100"}),
        ))
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let delivery = eventually(
            "the delivery answered",
            Duration::from_secs(10),
            async || {
                Ok(hd
                    .webhook_deliveries()
                    .into_iter()
                    .find(|d| d.status.is_some()))
            },
        )
        .await?;
        assert_eq!(delivery.status, Some(200), "{delivery:?}");
        assert!(org.holds().waiting >= 1, "the slice still waits");
        assert!(stack.admin_status().await?.sync.pending_changes >= 1);
        org.hold(Vec::new());
        eventually("both edits applied", Duration::from_secs(20), async || {
            let phone: Value = salesforce
                .get(
                    "Contact",
                    &contract::ids::SfId::parse(&sf_maya)?,
                    &["Phone"],
                )
                .await?;
            let title = desk.contact(&desk_maya).await?.title;
            Ok((phone["Phone"] == "+1 555 0100" && title.as_deref() == Some("Held")).then_some(()))
        })
        .await?;
        Ok(())
    }

    #[tokio::test]
    async fn an_expired_session_is_renewed_once_for_calls_made_at_once() -> anyhow::Result<()> {
        let stack = Stack::start(StackOptions::test("race-renewal")).await?;
        stack.connect_salesforce().await?;
        let org = stack.sandbox.salesforce();
        org.expire_sessions();
        let renewals_before = org.counters().get(TOKEN_ENDPOINT);
        org.hold(vec![TOKEN_ENDPOINT.into()]);

        // An agent's panel and the admin's settings both find the session expired.
        let panel = stack.panel("Agent", true);
        let settings = stack.admin::<SettingsView>(Method::GET, SETTINGS_PATH, None);
        let release = async {
            wait_for_held(org, 1).await?;
            // Long enough for the other call to reach the door too, were it to renew.
            tokio::time::sleep(Duration::from_millis(1_000)).await;
            let waiting = org.holds().waiting;
            org.hold(Vec::new());
            anyhow::Ok(waiting)
        };
        let (panel, settings, waiting) = tokio::join!(panel, settings, release);
        panel?;
        settings?;
        assert_eq!(waiting?, 1, "one renewal at the door at a time");
        assert_eq!(
            org.counters().get(TOKEN_ENDPOINT) - renewals_before,
            1,
            "renewed once between them"
        );
        Ok(())
    }
}
