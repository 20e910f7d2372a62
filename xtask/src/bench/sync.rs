//! `cargo xtask bench sync`: the initial sync of 100,000 contacts and 10,000 accounts
//! through the edge under `wrangler dev`, then the time a Salesforce edit takes to reach
//! the helpdesk. A benchmark, not a test: it reports, it does not judge.

use crate::{build, tools};
use e2e::{ReqwestTransport, Stack, StackOptions};
use shared::admin::SyncState;
use shared::helpdesk;
use shared::salesforce::Client;
use std::time::{Duration, Instant};

const CONTACTS: usize = 100_000;
const ACCOUNTS: usize = 10_000;
const EDITS: usize = 50;

pub fn run() -> anyhow::Result<()> {
    tools::ensure_all()?;
    build::all()?;
    tokio::runtime::Runtime::new()?.block_on(measure())
}

async fn measure() -> anyhow::Result<()> {
    let stack = Stack::start(StackOptions::test("bench-sync")).await?;
    let seeded = stack
        .sandbox
        .salesforce()
        .seed_bulk(sandbox::salesforce::BulkSeed {
            contacts: CONTACTS,
            accounts: ACCOUNTS,
        });
    println!(
        "seeded {CONTACTS} contacts and {ACCOUNTS} accounts in Salesforce ({} ms); building and starting the stack",
        seeded.elapsed_ms
    );
    // The sandbox helpdesk allows 3,000 calls a minute by default, which alone would
    // stretch 110,000 writes over 37 minutes: the bench measures sfdesk, so it lifts it.
    stack.sandbox.set_helpdesk_rate_limit(None);
    stack.connect_salesforce().await?;
    let sf_total_contacts = salesforce_count(&stack, "Contact").await?;
    let sf_total_accounts = salesforce_count(&stack, "Account").await?;
    let (hd_accounts_before, hd_contacts_before) = helpdesk_counts(&stack).await?;
    let salesforce_before = stack.sandbox.salesforce().counters().api_usage;
    let helpdesk_before = stack.sandbox.helpdesk().calls().total;

    let started = Instant::now();
    stack.start_sync().await?;
    let mut peak_storage = 0;
    let mut last_report = Instant::now();
    loop {
        let status = stack.admin_status().await?.sync;
        peak_storage = peak_storage.max(stack.storage_bytes());
        if last_report.elapsed() > Duration::from_secs(10) {
            let done: u64 = status.steps.iter().map(|s| s.done).sum();
            println!("  {:>4.0?}  {done} records applied", started.elapsed());
            last_report = Instant::now();
        }
        if status.state == SyncState::Live {
            break;
        }
        anyhow::ensure!(
            status.state == SyncState::InitialSync,
            "the sync stopped: {status:?}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let wall = started.elapsed();
    let salesforce_calls = stack.sandbox.salesforce().counters().api_usage - salesforce_before;
    let helpdesk_calls = stack.sandbox.helpdesk().calls().total - helpdesk_before;
    let (hd_accounts, hd_contacts) = helpdesk_counts(&stack).await?;
    let records = CONTACTS + ACCOUNTS;

    // The fewest calls: Salesforce reads every record in pages of 2,000 (and exports the
    // helpdesk's own records in collections of 200), after two describes; the helpdesk
    // is read in pages of 100 and has no bulk write, so one call per record it gains.
    let exported = (salesforce_count(&stack, "Contact").await? - sf_total_contacts)
        + (salesforce_count(&stack, "Account").await? - sf_total_accounts);
    let salesforce_minimum = 2
        + sf_total_contacts.div_ceil(2_000)
        + sf_total_accounts.div_ceil(2_000)
        + exported.div_ceil(200);
    let gained = (hd_contacts - hd_contacts_before) + (hd_accounts - hd_accounts_before);
    let helpdesk_minimum =
        2 + hd_contacts_before.div_ceil(100) + hd_accounts_before.div_ceil(100) + gained;

    let latencies = edit_latencies(&stack).await?;
    println!();
    println!(
        "initial sync of {CONTACTS} contacts and {ACCOUNTS} accounts (two-way, helpdesk rate limit lifted)"
    );
    println!("  wall time            {:.1} s", wall.as_secs_f64());
    println!(
        "  records per second   {:.0}",
        records as f64 / wall.as_secs_f64()
    );
    println!(
        "  Salesforce calls     {salesforce_calls} (minimum {salesforce_minimum}, {:+.1}%)",
        percent_over(salesforce_calls as usize, salesforce_minimum)
    );
    println!(
        "  helpdesk calls       {helpdesk_calls} (minimum {helpdesk_minimum}, {:+.1}%)",
        percent_over(helpdesk_calls as usize, helpdesk_minimum)
    );
    println!(
        "  peak DO storage      {:.1} MB (sampled every 0.5 s)",
        peak_storage as f64 / 1e6
    );
    println!("Salesforce edit -> helpdesk record changed ({EDITS} edits, one at a time)");
    println!(
        "  median {:.0} ms, p95 {:.0} ms",
        percentile(&latencies, 50.0),
        percentile(&latencies, 95.0)
    );
    Ok(())
}

fn percent_over(calls: usize, minimum: usize) -> f64 {
    (calls as f64 / minimum as f64 - 1.0) * 100.0
}

fn percentile(sorted_ms: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * (sorted_ms.len() - 1) as f64).round() as usize;
    sorted_ms[rank]
}

/// Live records of a Salesforce object (one `COUNT()` query).
async fn salesforce_count(stack: &Stack, object: &str) -> anyhow::Result<usize> {
    let transport = ReqwestTransport::default();
    let client = Client::new(&transport, stack.salesforce_admin().await?);
    let page = client
        .query::<serde_json::Value>(&format!("SELECT COUNT() FROM {object}"))
        .await?;
    Ok(page.total_size as usize)
}

/// Accounts and contacts in the helpdesk, read through its API.
async fn helpdesk_counts(stack: &Stack) -> anyhow::Result<(usize, usize)> {
    let transport = ReqwestTransport::default();
    let connection = helpdesk_connection(stack);
    let desk = helpdesk::Client::new(&transport, &connection);
    Ok((
        desk.all_accounts(None).await?.len(),
        desk.all_contacts(None).await?.len(),
    ))
}

fn helpdesk_connection(stack: &Stack) -> helpdesk::Connection {
    helpdesk::Connection {
        base_url: stack.sandbox.helpdesk_url.clone(),
        org_id: sandbox::demo::HELPDESK_ORG_ID.to_owned(),
        access_token: sandbox::demo::HELPDESK_API_TOKEN.to_owned(),
    }
}

/// Edits the demo's shared contact in Salesforce again and again, as a user would,
/// timing each edit until the helpdesk has it.
async fn edit_latencies(stack: &Stack) -> anyhow::Result<Vec<f64>> {
    const EMAIL: &str = "maya.patel@northwind.example";
    let transport = ReqwestTransport::default();
    let client = Client::new(&transport, stack.salesforce_admin().await?);
    let page = client
        .query::<serde_json::Map<String, serde_json::Value>>(&format!(
            "SELECT Id FROM Contact WHERE Email = '{EMAIL}'"
        ))
        .await?;
    let contact = page.records[0]["Id"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("the demo contact has an Id"))?
        .to_owned();
    let connection = helpdesk_connection(stack);
    let desk = helpdesk::Client::new(&transport, &connection);
    let desk_id = desk.search_contacts_by_email(EMAIL).await?[0].id.clone();
    let mut latencies = Vec::with_capacity(EDITS);
    for n in 0..EDITS {
        let title = format!("Edit {n}");
        let edited = Instant::now();
        stack
            .sandbox
            .salesforce()
            .user_update(
                "Contact",
                &contact,
                serde_json::json!({"Title": title}).as_object().unwrap(),
            )
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let deadline = edited + Duration::from_secs(30);
        while desk.contact(&desk_id).await?.title.as_deref() != Some(title.as_str()) {
            anyhow::ensure!(Instant::now() < deadline, "edit {n} did not arrive in 30 s");
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        latencies.push(edited.elapsed().as_secs_f64() * 1000.0);
    }
    latencies.sort_by(f64::total_cmp);
    Ok(latencies)
}
