//! The sync under faults and load, measured. Each scenario injects its faults through the
//! sandboxes, lets the sync finish, then compares both sides record by record: nothing
//! lost, nothing duplicated, no record half-written, failures listed with a reason.
//!
//! Sizes are small by default (the quick version inside `cargo xtask test`);
//! `SFDESK_CHAOS=full` runs them full size (`cargo xtask chaos`). Each scenario writes its
//! row of the reliability table to `SFDESK_CHAOS_REPORT` (a directory), when set.

use contract::admin::{self, FailureView, HistoryView, SyncState};
use contract::api::Panel;
use contract::context::{self, ContextClaims, Role};
use contract::ids::Email;
use e2e::{Comparison, Stack, StackOptions, eventually};
use reqwest::Method;
use sandbox::helpdesk::controls::{AgentEdit, SeedRequest};
use sandbox::helpdesk::store::Contact;
use sandbox::helpdesk::traffic::{Fault, RateLimit};
use sandbox::salesforce::{BulkSeed, Faults};
use serde::Serialize;
use serde_json::{Value, json};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const ORG: &str = sandbox::demo::HELPDESK_ORG_ID;

fn full() -> bool {
    std::env::var("SFDESK_CHAOS").is_ok_and(|v| v == "full")
}

/// `quick` by default, `full` under `SFDESK_CHAOS=full`.
fn size(quick: usize, full_size: usize) -> usize {
    if full() { full_size } else { quick }
}

/// One row of the reliability table.
#[derive(Debug, Serialize)]
struct Row {
    scenario: String,
    size: String,
    injected: String,
    compared: usize,
    lost: usize,
    duplicated: usize,
    errors_as_expected: String,
    seconds: u64,
}

impl Row {
    fn new(scenario: &str, size: String, injected: &str) -> Self {
        Row {
            scenario: scenario.to_owned(),
            size,
            injected: injected.to_owned(),
            compared: 0,
            lost: 0,
            duplicated: 0,
            errors_as_expected: String::new(),
            seconds: 0,
        }
    }

    fn compared(&mut self, comparison: &Comparison) {
        self.compared = comparison.compared;
        self.lost = comparison.lost.len();
        self.duplicated = comparison.duplicated.len() + comparison.mismatched.len();
    }

    /// Prints the row and, for `cargo xtask chaos`, stores it beside the others.
    fn report(mut self, started: Instant) {
        self.seconds = started.elapsed().as_secs();
        println!("chaos row: {}", serde_json::to_string(&self).unwrap());
        if let Ok(dir) = std::env::var("SFDESK_CHAOS_REPORT") {
            let dir = std::path::PathBuf::from(dir);
            let _ = std::fs::create_dir_all(&dir);
            let name: String = self
                .scenario
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect();
            let _ = std::fs::write(
                dir.join(format!("{name}.json")),
                serde_json::to_vec_pretty(&self).unwrap(),
            );
        }
    }
}

/// Waits until the sync is live with nothing pending, and stays so for a moment (a
/// catch-up or a retried delivery may still add work).
async fn settled(stack: &Stack, timeout: Duration) -> anyhow::Result<()> {
    let mut quiet_since: Option<Instant> = None;
    eventually("the sync settled", timeout, async || {
        let status = stack.admin_status().await?.sync;
        anyhow::ensure!(
            status.state != SyncState::NeedsReconnect,
            "the sync stopped for a reconnect that no fault called for: {:?}",
            status.note
        );
        let idle = status.state == SyncState::Live
            && status.pending_changes == 0
            && status.catching_up_since_ms.is_none()
            && stack.sandbox.salesforce().outbound_status().pending == 0
            && stack
                .sandbox
                .helpdesk_webhooks_settled(Duration::ZERO)
                .await;
        if !idle {
            quiet_since = None;
            return Ok(None);
        }
        let since = *quiet_since.get_or_insert_with(Instant::now);
        Ok((since.elapsed() >= Duration::from_secs(3)).then_some(()))
    })
    .await
}

fn clear_faults(stack: &Stack) {
    stack.sandbox.salesforce().set_faults(Faults::default());
    stack.sandbox.clear_helpdesk_faults();
    stack.sandbox.set_helpdesk_rate_limit(None);
}

async fn failures(stack: &Stack) -> anyhow::Result<Vec<FailureView>> {
    stack.admin(Method::GET, admin::FAILURES_PATH, None).await
}

/// Whether a failure reason is about a fault that should have passed (an outage, a
/// limit, an expired session) rather than about the record's data.
fn transient(reason: &str) -> bool {
    let reason = reason.to_lowercase();
    [
        "503",
        "429",
        "unavailable",
        "limit",
        "session",
        "timed out",
        "try again",
    ]
    .iter()
    .any(|word| reason.contains(word))
}

/// Failures left after the faults: each must say why; a retry must clear every one a
/// fault caused; what stays is about the record's data (a value the other side refuses).
async fn failures_explained_and_retried(stack: &Stack) -> anyhow::Result<String> {
    let left = failures(stack).await?;
    for failure in &left {
        anyhow::ensure!(
            failure.reason.len() > 10,
            "a failure without a clear reason: {failure:?}"
        );
    }
    if left.is_empty() {
        return Ok("no failures".into());
    }
    let _: admin::RetryResult = stack
        .admin(
            Method::POST,
            admin::RETRY_PATH,
            Some(json!({"retry": "all", "object": null})),
        )
        .await?;
    let after = failures(stack).await?;
    let stuck: Vec<_> = after.iter().filter(|f| transient(&f.reason)).collect();
    anyhow::ensure!(
        stuck.is_empty(),
        "fault failures a retry did not clear: {stuck:?}"
    );
    let reasons: Vec<String> = after.iter().take(2).map(|f| f.reason.clone()).collect();
    Ok(format!(
        "{} failures listed, {} cleared by retry, {} about data ({})",
        left.len(),
        left.len().saturating_sub(after.len()),
        after.len(),
        reasons.join("; ")
    ))
}

/// A record in the failure log, with its reason, is not lost: it is reported. Drops
/// those from `comparison.lost`.
async fn excuse_listed(stack: &Stack, comparison: &mut Comparison) -> anyhow::Result<()> {
    let labels: Vec<String> = failures(stack)
        .await?
        .iter()
        .filter(|f| !transient(&f.reason))
        .map(|f| f.label.to_lowercase())
        .collect();
    comparison.lost.retain(|entry| {
        let key = entry
            .rsplit_once(": ")
            .map_or("", |(_, key)| key)
            .to_lowercase();
        !labels.contains(&key)
    });
    Ok(())
}

fn assert_clean(comparison: &Comparison, what: &str) {
    assert!(comparison.is_clean(), "{what}: {}", comparison.summary());
}

/// Initial sync of records on both sides while Salesforce answers 10% of calls 503,
/// throws a burst of `REQUEST_LIMIT_EXCEEDED`, adds latency and expires access tokens
/// every few seconds, and the helpdesk answers 429 beyond a low rate limit.
#[tokio::test]
async fn initial_sync_under_faults_loses_and_doubles_nothing() -> anyhow::Result<()> {
    let started = Instant::now();
    let (sf_contacts, hd_contacts) = (size(300, 3_000), size(60, 600));
    let stack = Stack::start(StackOptions::test("chaos-initial")).await?;
    stack.sandbox.salesforce().seed_bulk(BulkSeed {
        contacts: sf_contacts,
        accounts: sf_contacts / 20,
    });
    stack
        .sandbox
        .seed_helpdesk(&SeedRequest {
            contacts: hd_contacts,
            accounts: hd_contacts / 10,
            webhooks: false,
        })
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    stack.connect_salesforce().await?;
    let faults = Faults {
        unavailable_rate: 0.10,
        latency_ms: 30,
        token_lifetime_secs: Some(4),
        seed: 8,
        ..Faults::default()
    };
    stack.sandbox.salesforce().set_faults(faults.clone());
    stack.start_sync().await?;
    // The helpdesk's troubles start once the sync is started (starting it under a
    // helpdesk outage is refused with a message to try again).
    stack.sandbox.set_helpdesk_rate_limit(Some(RateLimit {
        credits: 15,
        window: Duration::from_secs(1),
    }));
    stack
        .sandbox
        .inject_helpdesk_fault(Fault::status(503).times(5))
        .map_err(anyhow::Error::msg)?;
    stack
        .sandbox
        .inject_helpdesk_fault(Fault::latency(Duration::from_millis(400)).times(10))
        .map_err(anyhow::Error::msg)?;
    // A burst of REQUEST_LIMIT_EXCEEDED once the sync is under way.
    eventually(
        "the initial sync under way",
        Duration::from_secs(120),
        async || {
            let status = stack.admin_status().await?.sync;
            Ok(status.steps.iter().any(|s| s.done > 0).then_some(()))
        },
    )
    .await?;
    stack.sandbox.salesforce().set_faults(Faults {
        limit_exceeded_rate: 1.0,
        ..faults.clone()
    });
    tokio::time::sleep(Duration::from_secs(3)).await;
    let note = stack.admin_status().await?.sync.note;
    stack.sandbox.salesforce().set_faults(faults);
    stack
        .wait_for_sync(SyncState::Live, Duration::from_secs(size(300, 600) as u64))
        .await?;
    clear_faults(&stack);
    settled(&stack, Duration::from_secs(120)).await?;

    let mut comparison = stack.compare_sides().await?;
    excuse_listed(&stack, &mut comparison).await?;
    let mut row = Row::new(
        "initial sync under faults",
        format!("{sf_contacts} SF + {hd_contacts} helpdesk contacts"),
        "SF 10% 503, 3 s REQUEST_LIMIT_EXCEEDED burst, 30 ms latency, tokens expire every 4 s; helpdesk 429 over 15/s, 5×503, 10×400 ms",
    );
    row.compared(&comparison);
    assert_clean(&comparison, "after the initial sync");
    assert!(comparison.compared >= sf_contacts + hd_contacts);
    let failures = failures_explained_and_retried(&stack).await?;
    row.errors_as_expected = format!(
        "yes: {failures}; burst shown as {:?}",
        note.unwrap_or_else(|| "no note".into())
    );
    let mut comparison = stack.compare_sides().await?;
    excuse_listed(&stack, &mut comparison).await?;
    assert_clean(&comparison, "after retrying");
    row.report(started);
    Ok(())
}

/// Changes on both sides while live, under the same faults, with helpdesk deliveries
/// duplicated, reordered and delayed, Outbound Messages duplicated, and access tokens
/// expiring mid-run. Each record's last edit must win on both sides.
#[tokio::test]
async fn ongoing_sync_under_faults_and_messy_deliveries() -> anyhow::Result<()> {
    let started = Instant::now();
    let edits = size(40, 400);
    let stack = Stack::start(StackOptions::test("chaos-ongoing")).await?;
    stack.sandbox.salesforce().seed_bulk(BulkSeed {
        contacts: edits,
        accounts: 0,
    });
    let seeded = stack
        .sandbox
        .seed_helpdesk(&SeedRequest {
            contacts: edits,
            accounts: 0,
            webhooks: false,
        })
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    stack.connect_salesforce().await?;
    stack.start_sync().await?;
    stack
        .wait_for_sync(SyncState::Live, Duration::from_secs(180))
        .await?;
    settled(&stack, Duration::from_secs(60)).await?;

    let salesforce = stack.sandbox.salesforce();
    let helpdesk = stack.sandbox.helpdesk();
    helpdesk.clear_webhook_deliveries();
    salesforce.set_faults(Faults {
        unavailable_rate: 0.10,
        latency_ms: 20,
        token_lifetime_secs: Some(3),
        seed: 21,
        ..Faults::default()
    });
    stack.sandbox.set_helpdesk_rate_limit(Some(RateLimit {
        credits: 20,
        window: Duration::from_secs(1),
    }));
    // Salesforce side: bulk-seeded contacts edited by users (Outbound Messages).
    let sf_ids: Vec<String> = {
        let transport = e2e::ReqwestTransport::default();
        let client = shared::salesforce::Client::new(&transport, stack.salesforce_admin().await?);
        let records: Vec<serde_json::Map<String, Value>> = client
            .query_all_pages(
                // Salesforce's own seeded contacts (the helpdesk's, synced, end in `@bulk.example` too).
                "SELECT Id FROM Contact WHERE Email LIKE '%.b1@bulk.example'",
                shared::salesforce::Scope::Live,
            )
            .await?;
        records
            .iter()
            .filter_map(|r| r["Id"].as_str().map(str::to_owned))
            .collect()
    };
    let mut expected_titles = Vec::new();
    for round in 0..3 {
        for (i, id) in sf_ids.iter().enumerate() {
            let title = format!("sf edit {round} of {i}");
            salesforce
                .user_update("Contact", id, json!({"Title": title}).as_object().unwrap())
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            if round == 2 {
                expected_titles.push((id.clone(), title));
            }
        }
        for (i, id) in seeded.contact_ids.iter().enumerate() {
            helpdesk
                .agent_edit(&AgentEdit::update(
                    "contacts",
                    id,
                    json!({"title": format!("desk edit {round} of {i}")}),
                ))
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        }
        if round == 1 {
            // Sessions end mid-run, all at once.
            salesforce.expire_sessions();
        }
    }
    // New records on both sides too.
    for i in 0..edits / 4 {
        helpdesk
            .agent_edit(&AgentEdit::create(
                "contacts",
                json!({"lastName": format!("New Desk {i}"), "email": format!("new.desk{i}@chaos.example")}),
            ))
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        salesforce
            .user_create(
                "Contact",
                json!({"LastName": format!("New SF {i}"), "Email": format!("new.sf{i}@chaos.example")})
                    .as_object()
                    .unwrap(),
            )
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    }
    // Messy deliveries: every helpdesk delivery so far again, in reverse order, twice,
    // some a few seconds late; Outbound Messages for the edited records again.
    stack
        .sandbox
        .helpdesk_webhooks_settled(Duration::from_secs(60))
        .await;
    let delivered: Vec<_> = helpdesk
        .webhook_deliveries()
        .into_iter()
        .filter(|d| d.delivered)
        .collect();
    let hook = stack.helpdesk_webhook_url(ORG);
    let client = reqwest::Client::new();
    let mut replayed = 0;
    for (n, delivery) in delivered.iter().rev().chain(delivered.iter()).enumerate() {
        if n == delivered.len() {
            tokio::time::sleep(Duration::from_secs(3)).await;
        }
        let token = helpdesk.sign_delivery(delivery.body.as_bytes(), &delivery.webhook_id, None);
        let answer = client
            .post(&hook)
            .header(shared::helpdesk::JWT_HEADER, token)
            .body(delivery.body.clone())
            .send()
            .await?;
        assert_eq!(answer.status(), 200, "{}", answer.text().await?);
        replayed += 1;
    }
    let status = stack.admin_status().await?;
    let outbound_url = status.outbound_message_url.unwrap();
    let sf_org = salesforce.org_id().to_string();
    for chunk in sf_ids.chunks(20) {
        let body = outbound_body(&sf_org, chunk);
        for _ in 0..2 {
            let answer = client.post(&outbound_url).body(body.clone()).send().await?;
            assert_eq!(answer.status(), 200, "{}", answer.text().await?);
            replayed += 1;
        }
    }

    settled(&stack, Duration::from_secs(size(180, 600) as u64)).await?;
    clear_faults(&stack);
    settled(&stack, Duration::from_secs(60)).await?;
    let mut comparison = stack.compare_sides().await?;
    excuse_listed(&stack, &mut comparison).await?;
    let mut row = Row::new(
        "ongoing sync under faults",
        format!("{} edits + {} creates", 3 * 2 * edits, 2 * (edits / 4)),
        &format!(
            "SF 10% 503, 20 ms, tokens expire every 3 s and all at once; helpdesk 429 over 20/s; {replayed} deliveries duplicated, reversed, delayed 3 s"
        ),
    );
    row.compared(&comparison);
    assert_clean(&comparison, "after the ongoing sync");
    // The last edit of each side won on both sides (the two sides edited different
    // records, so no conflict between them).
    let transport = e2e::ReqwestTransport::default();
    let client = shared::salesforce::Client::new(&transport, stack.salesforce_admin().await?);
    let records: Vec<serde_json::Map<String, Value>> = client
        .query_all_pages(
            "SELECT Id, Title FROM Contact",
            shared::salesforce::Scope::Live,
        )
        .await?;
    for (id, title) in &expected_titles {
        let record = records
            .iter()
            .find(|r| r["Id"].as_str() == Some(id.as_str()))
            .expect("the edited contact exists");
        assert_eq!(record["Title"].as_str(), Some(title.as_str()), "{id}");
    }
    let desk_titles: Vec<String> = records
        .iter()
        .filter_map(|r| r["Title"].as_str())
        .filter(|t| t.starts_with("desk edit 2 of "))
        .map(str::to_owned)
        .collect();
    assert_eq!(
        desk_titles.len(),
        edits,
        "every helpdesk last edit in Salesforce"
    );
    row.errors_as_expected = format!("yes: {}", failures_explained_and_retried(&stack).await?);
    row.report(started);
    Ok(())
}

fn outbound_body(org_id: &str, record_ids: &[String]) -> String {
    let notifications: String = record_ids
        .iter()
        .enumerate()
        .map(|(n, id)| {
            format!(
                r#"<Notification><Id>04l0000000{n:05}AAA</Id><sObject xsi:type="sf:Contact" xmlns:sf="urn:sobject.enterprise.soap.sforce.com"><sf:Id>{id}</sf:Id></sObject></Notification>"#
            )
        })
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><notifications xmlns="http://soap.sforce.com/2005/09/outbound"><OrganizationId>{org_id}</OrganizationId><ActionId>04k000000000001AAA</ActionId>{notifications}</notifications></soapenv:Body></soapenv:Envelope>"#
    )
}

/// Salesforce revokes sfdesk's refresh token: the sync stops in "needs reconnect" with a
/// note saying so (not a loop of failures), and a reconnect picks up what changed.
#[tokio::test]
async fn a_revoked_refresh_token_stops_the_sync_until_reconnected() -> anyhow::Result<()> {
    let started = Instant::now();
    let stack = Stack::start_live(StackOptions::test("chaos-revoked")).await?;
    let desk_id = {
        let desk = stack.sandbox.helpdesk().desk();
        desk.contacts
            .values()
            .find(|c| c.email.as_deref() == Some("maya.patel@northwind.example"))
            .unwrap()
            .id
            .clone()
    };
    stack.sandbox.salesforce().revoke_refresh_tokens();
    stack.sandbox.expire_salesforce_sessions();
    stack
        .sandbox
        .helpdesk_agent_edit(&AgentEdit::update(
            "contacts",
            &desk_id,
            json!({"title": "Edited while revoked"}),
        ))
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let status = stack
        .wait_for_sync(SyncState::NeedsReconnect, Duration::from_secs(60))
        .await?;
    let note = status.note.clone().unwrap_or_default();
    assert!(note.contains("Reconnect Salesforce"), "{note}");
    let failures_then = failures(&stack).await?.len();
    let calls_then = stack
        .sandbox
        .salesforce()
        .counters()
        .get("POST /services/oauth2/token");
    tokio::time::sleep(Duration::from_secs(8)).await;
    let status = stack.admin_status().await?;
    assert_eq!(status.sync.state, SyncState::NeedsReconnect);
    assert!(
        matches!(status.connection, admin::ConnectionStatus::Revoked { .. }),
        "{:?}",
        status.connection
    );
    assert_eq!(
        failures(&stack).await?.len(),
        failures_then,
        "no failure loop"
    );
    let calls_now = stack
        .sandbox
        .salesforce()
        .counters()
        .get("POST /services/oauth2/token");
    assert!(
        calls_now <= calls_then + 1,
        "no refresh loop: {calls_then} -> {calls_now}"
    );

    stack.connect_salesforce().await?;
    stack
        .wait_for_sync(SyncState::Live, Duration::from_secs(60))
        .await?;
    settled(&stack, Duration::from_secs(120)).await?;
    let mut comparison = stack.compare_sides().await?;
    excuse_listed(&stack, &mut comparison).await?;
    let mut row = Row::new(
        "revoked refresh token",
        "demo org".into(),
        "refresh token revoked, sessions ended, an edit while revoked",
    );
    row.compared(&comparison);
    assert_clean(&comparison, "after reconnecting");
    row.errors_as_expected = format!("yes: NeedsReconnect, note {note:?}, no retry loop");
    row.report(started);
    Ok(())
}

/// `wrangler dev` killed outright while changes are being applied, then restarted.
#[tokio::test]
async fn the_edge_killed_mid_sync_loses_nothing() -> anyhow::Result<()> {
    let started = Instant::now();
    let count = size(60, 600);
    let mut stack = Stack::start(StackOptions::test("chaos-crash")).await?;
    let seeded = stack
        .sandbox
        .seed_helpdesk(&SeedRequest {
            contacts: count,
            accounts: 0,
            webhooks: false,
        })
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    stack.connect_salesforce().await?;
    stack.start_sync().await?;
    stack
        .wait_for_sync(SyncState::Live, Duration::from_secs(180))
        .await?;
    stack.sandbox.salesforce().set_faults(Faults {
        latency_ms: 50,
        ..Faults::default()
    });
    for (i, id) in seeded.contact_ids.iter().enumerate() {
        stack
            .sandbox
            .helpdesk_agent_edit(&AgentEdit::update(
                "contacts",
                id,
                json!({"title": format!("before the crash {i}")}),
            ))
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    }
    eventually("changes pending", Duration::from_secs(30), async || {
        Ok((stack.admin_status().await?.sync.pending_changes > 0).then_some(()))
    })
    .await?;
    stack.crash_and_restart_edge().await?;
    settled(&stack, Duration::from_secs(size(120, 400) as u64)).await?;
    clear_faults(&stack);
    let mut comparison = stack.compare_sides().await?;
    excuse_listed(&stack, &mut comparison).await?;
    let mut row = Row::new(
        "edge killed mid-sync",
        format!("{count} contacts edited"),
        "SIGKILL of wrangler dev with changes pending; 50 ms SF latency",
    );
    row.compared(&comparison);
    assert_clean(&comparison, "after the crash");
    row.errors_as_expected = format!("yes: {}", failures_explained_and_retried(&stack).await?);
    row.report(started);
    Ok(())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

/// Signed helpdesk deliveries at a steady rate into one org, each naming contacts whose
/// title changed (silently, so these deliveries are the only hints): every delivery is
/// stored before it is acknowledged, and every changed contact is applied exactly once.
#[tokio::test]
async fn webhook_load_is_absorbed_and_applied_exactly_once() -> anyhow::Result<()> {
    let started = Instant::now();
    let (per_second, seconds, contacts) = if full() {
        (1_000, 30, 2_000)
    } else {
        (200, 5, 200)
    };
    let stack = Stack::start(StackOptions::test("chaos-load")).await?;
    let seeded = stack
        .sandbox
        .seed_helpdesk(&SeedRequest {
            contacts,
            accounts: 0,
            webhooks: false,
        })
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    stack.connect_salesforce().await?;
    stack.start_sync().await?;
    stack
        .wait_for_sync(SyncState::Live, Duration::from_secs(300))
        .await?;
    settled(&stack, Duration::from_secs(60)).await?;
    let updated_before: u32 = history_updated(&stack).await?;

    // Every seeded contact changes in the helpdesk without a webhook of its own.
    let helpdesk = stack.sandbox.helpdesk();
    for (i, id) in seeded.contact_ids.iter().enumerate() {
        helpdesk
            .write(Some(shared::helpdesk::SOURCE_ID), |desk, now| {
                let (_, change) =
                    desk.update::<Contact>(id, &json!({"title": format!("load {i}")}), now)?;
                Ok(((), vec![change]))
            })
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    }
    let webhook_id = helpdesk.webhook_ids().pop().unwrap();
    let hook = stack.helpdesk_webhook_url(ORG);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()?;
    // Deliveries of 10 events each (the helpdesk's batch), sent on a fixed schedule.
    let deliveries_per_second = per_second / 10;
    let total = deliveries_per_second * seconds;
    let mut tasks = tokio::task::JoinSet::new();
    let load_started = Instant::now();
    for n in 0..total {
        let due = load_started + Duration::from_secs_f64(n as f64 / deliveries_per_second as f64);
        tokio::time::sleep_until(due.into()).await;
        let events: Vec<Value> = (0..10)
            .map(|k| {
                let id = &seeded.contact_ids[(n * 10 + k) % seeded.contact_ids.len()];
                json!({"eventType": "Contact_Update", "orgId": ORG,
                       "eventTime": format!("{}", 1_765_890_330_000u64 + n as u64),
                       "payload": {"id": id}})
            })
            .collect();
        let body = serde_json::to_string(&events)?;
        let token = helpdesk.sign_delivery(body.as_bytes(), &webhook_id, None);
        let (client, hook) = (client.clone(), hook.clone());
        tasks.spawn(async move {
            // As the helpdesk does: a delivery that is not acknowledged is sent again,
            // after a pause (at-least-once delivery).
            let mut first = None;
            for attempt in 0..6u32 {
                let sent = Instant::now();
                let answer = client
                    .post(&hook)
                    .header(shared::helpdesk::JWT_HEADER, token.clone())
                    .body(body.clone())
                    .send()
                    .await;
                let status = answer.map(|a| a.status().as_u16()).unwrap_or(0);
                let first = *first.get_or_insert((status, sent.elapsed()));
                if status == 200 {
                    return (first, attempt);
                }
                tokio::time::sleep(Duration::from_secs(1 << attempt)).await;
            }
            (first.unwrap_or((0, Duration::ZERO)), u32::MAX)
        });
    }
    let mut latencies = Vec::new();
    let (mut refused, mut retried) = (0, 0);
    while let Some(done) = tasks.join_next().await {
        let ((status, latency), attempts) = done?;
        if status != 200 {
            retried += 1;
        }
        if attempts == u32::MAX {
            refused += 1;
        }
        latencies.push(latency);
    }
    let sending = load_started.elapsed();
    latencies.sort();
    let (p50, p95, p99) = (
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.95),
        percentile(&latencies, 0.99),
    );
    println!(
        "{total} deliveries ({} events) in {sending:?}: p50 {p50:?}, p95 {p95:?}, p99 {p99:?}, max {:?}, {retried} not acknowledged at first, {refused} never",
        total * 10,
        latencies.last().copied().unwrap_or_default()
    );
    assert_eq!(
        refused, 0,
        "every delivery stored and acknowledged, at most after retries"
    );

    let applied = Instant::now();
    settled(&stack, Duration::from_secs(size(120, 400) as u64)).await?;
    let applied = applied.elapsed();
    let comparison = stack.compare_sides().await?;
    let updated = history_updated(&stack).await? - updated_before;
    let mut row = Row::new(
        "webhook load",
        format!("{} events/s × {seconds} s into one org", per_second),
        &format!(
            "{} signed events naming {contacts} changed contacts, sent over {} s; first-try ack p50 {} ms, p95 {} ms, p99 {} ms; {retried} deliveries retried as the helpdesk would; applied {} s after",
            total * 10,
            sending.as_secs(),
            p50.as_millis(),
            p95.as_millis(),
            p99.as_millis(),
            applied.as_secs()
        ),
    );
    row.compared(&comparison);
    assert_clean(&comparison, "after the load");
    assert_eq!(
        updated as usize, contacts,
        "each changed contact applied exactly once, however often it was named"
    );
    row.errors_as_expected =
        format!("yes: {refused} refused, {updated} updates for {contacts} changes");
    row.report(started);
    Ok(())
}

async fn history_updated(stack: &Stack) -> anyhow::Result<u32> {
    let history: HistoryView = stack.admin(Method::GET, admin::HISTORY_PATH, None).await?;
    Ok(history.runs.iter().map(|r| r.updated).sum())
}

/// Agents of ten helpdesk orgs open panels at once: each sees its own requester only,
/// and an org without Salesforce sees nothing of the connected one.
#[tokio::test]
async fn concurrent_panels_across_orgs_never_leak() -> anyhow::Result<()> {
    let started = Instant::now();
    let (agents, rounds) = (50, size(4, 20));
    let stack = Stack::start(StackOptions::test("chaos-panels")).await?;
    stack.connect_salesforce().await?;
    let secret = sandbox::demo::DEV_CONTEXT_SECRET.as_bytes();
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    let exp = now + 900;
    let requesters = [
        "maya.patel@northwind.example",
        "nobody.here@nowhere.example",
    ];
    let orgs: Vec<String> = (0..10)
        .map(|i| {
            if i == 0 {
                ORG.to_owned()
            } else {
                format!("6009{i:04}")
            }
        })
        .collect();
    let client = reqwest::Client::new();
    let mut tasks = tokio::task::JoinSet::new();
    for agent in 0..agents {
        let org = orgs[agent % orgs.len()].clone();
        let requester = requesters[agent % requesters.len()];
        let claims = ContextClaims {
            org: org.clone(),
            agent: format!("{}", 9000 + agent),
            profile_id: "2".into(),
            profile_name: "Agent".into(),
            role: Role::Agent,
            ticket: Some(format!("{}", 100 + agent)),
            requester: Some(Email::parse(requester)?),
            account: None,
            aud: context::AUDIENCE.into(),
            iat: now,
            exp,
        };
        let token = context::sign(&claims, secret);
        let url = format!("{}{}", stack.edge_url, contract::api::PANEL_PATH);
        let client = client.clone();
        tasks.spawn(async move {
            let mut seen = Vec::new();
            for _ in 0..rounds {
                let sent = Instant::now();
                let response = client.get(&url).bearer_auth(&token).send().await;
                let latency = sent.elapsed();
                let outcome = match response {
                    Ok(r) => {
                        let status = r.status().as_u16();
                        let text = r.text().await.unwrap_or_default();
                        (status, text)
                    }
                    Err(e) => (0, e.to_string()),
                };
                seen.push((outcome, latency));
            }
            (org, requester, seen)
        });
    }
    let mut latencies = Vec::new();
    let mut checked = 0;
    let mut leaks = Vec::new();
    while let Some(done) = tasks.join_next().await {
        let (org, requester, seen) = done?;
        for ((status, text), latency) in seen {
            latencies.push(latency);
            checked += 1;
            if status != 200 {
                leaks.push(format!("{org}: {status} {text}"));
                continue;
            }
            let panel: Panel = serde_json::from_str(&text)?;
            let fine = match (&panel, org == ORG) {
                (Panel::NotConnected { .. }, false) => true,
                (Panel::NoMatch { email, .. }, true) => email.as_str() == requester,
                (Panel::View { .. }, true) => {
                    requester.starts_with("maya") && text.contains("Patel")
                }
                _ => false,
            };
            if !fine || (org != ORG && text.contains("maya")) {
                leaks.push(format!("{org} asking about {requester} saw {text}"));
            }
        }
    }
    latencies.sort();
    let (p50, p95, p99) = (
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.95),
        percentile(&latencies, 0.99),
    );
    println!("{checked} panels: p50 {p50:?}, p95 {p95:?}, p99 {p99:?}");
    let mut row = Row::new(
        "concurrent panels",
        format!("{agents} agents × {rounds} loads across 10 orgs"),
        &format!(
            "1 org connected, 9 not; p50 {} ms, p95 {} ms, p99 {} ms",
            p50.as_millis(),
            p95.as_millis(),
            p99.as_millis()
        ),
    );
    row.compared = checked;
    assert!(
        leaks.is_empty(),
        "{} wrong answers: {:?}",
        leaks.len(),
        &leaks[..leaks.len().min(3)]
    );
    row.errors_as_expected = "yes: every panel its own org's and requester's".into();
    row.report(started);
    Ok(())
}
