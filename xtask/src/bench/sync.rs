//! `cargo xtask bench sync`: the initial sync of 100,000 contacts and 10,000 accounts, then
//! the time a Salesforce edit takes to reach the helpdesk. A benchmark, not a test: it
//! reports, it does not judge.
//!
//! The full size runs the engine natively (the same code the Durable Object runs, over
//! SQLite in a file) against the sandbox: under `wrangler dev` the local runtime leaves
//! sockets to its own loopback server half-closed, about two per outgoing request, until
//! it runs out of descriptors (20,000 here), so the edge itself syncs a twentieth of the
//! size, and the edit latency is measured through the edge and the real webhook paths.

mod native;

use crate::{compile, tools};
use contract::admin::SyncState;
use e2e::{ReqwestTransport, Stack, StackOptions};
use shared::helpdesk;
use shared::salesforce::Client;
use std::time::{Duration, Instant};

const CONTACTS: usize = 100_000;
const ACCOUNTS: usize = 10_000;
/// What the edge syncs under `wrangler dev` (see above).
const EDGE_SCALE: usize = 20;
const EDITS: usize = 50;

pub fn run() -> anyhow::Result<()> {
    tools::ensure_all()?;
    compile::all()?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(native::measure(CONTACTS, ACCOUNTS))?;
    runtime.block_on(measure(CONTACTS / EDGE_SCALE, ACCOUNTS / EDGE_SCALE))
}

/// Figures of one initial sync, printed the same way for both runs.
pub struct Figures {
    pub contacts: usize,
    pub accounts: usize,
    pub wall: Duration,
    pub salesforce_calls: u64,
    pub salesforce_minimum: usize,
    pub helpdesk_calls: u64,
    pub helpdesk_minimum: usize,
    pub peak_storage_bytes: u64,
}

impl Figures {
    /// From both sides' counts and call meters before and after a sync.
    pub fn measured(
        (contacts, accounts): (usize, usize),
        wall: Duration,
        (before, after): (&Counts, &Counts),
        (calls_before, calls_after): ((u64, u64), (u64, u64)),
        peak_storage_bytes: u64,
    ) -> Figures {
        let (salesforce_minimum, helpdesk_minimum) = before.minimum_calls(after);
        Figures {
            contacts,
            accounts,
            wall,
            salesforce_calls: calls_after.0 - calls_before.0,
            salesforce_minimum,
            helpdesk_calls: calls_after.1 - calls_before.1,
            helpdesk_minimum,
            peak_storage_bytes,
        }
    }

    pub fn print(&self, title: &str) {
        println!();
        println!(
            "{title}: initial sync of {} contacts and {} accounts (two-way, helpdesk rate limit lifted)",
            self.contacts, self.accounts
        );
        println!("  wall time            {:.1} s", self.wall.as_secs_f64());
        println!(
            "  records per second   {:.0}",
            (self.contacts + self.accounts) as f64 / self.wall.as_secs_f64()
        );
        println!(
            "  Salesforce calls     {} (minimum {}, {:+.1}%)",
            self.salesforce_calls,
            self.salesforce_minimum,
            percent_over(self.salesforce_calls as usize, self.salesforce_minimum)
        );
        println!(
            "  helpdesk calls       {} (minimum {}, {:+.1}%)",
            self.helpdesk_calls,
            self.helpdesk_minimum,
            percent_over(self.helpdesk_calls as usize, self.helpdesk_minimum)
        );
        println!(
            "  peak storage         {:.1} MB",
            self.peak_storage_bytes as f64 / 1e6
        );
    }
}

/// Both sides' account and contact counts, before or after a sync.
#[derive(Debug, Clone, Copy)]
pub struct Counts {
    pub salesforce: (usize, usize),
    pub helpdesk: (usize, usize),
}

impl Counts {
    pub async fn read(
        sandbox: &sandbox::Sandbox,
        session: &shared::salesforce::Session,
    ) -> anyhow::Result<Counts> {
        let transport = ReqwestTransport::default();
        let salesforce = Client::new(&transport, session.clone());
        let count = async |object: &str| -> anyhow::Result<usize> {
            let page = salesforce
                .query::<serde_json::Value>(&format!("SELECT COUNT() FROM {object}"))
                .await?;
            Ok(page.total_size as usize)
        };
        let connection = sandbox.demo_helpdesk_connection();
        let desk = helpdesk::Client::new(&transport, &connection);
        Ok(Counts {
            salesforce: (count("Account").await?, count("Contact").await?),
            helpdesk: (
                desk.all_accounts(None).await?.len(),
                desk.all_contacts(None).await?.len(),
            ),
        })
    }

    /// The fewest calls a sync from `self` to `after` can make: Salesforce reads every
    /// record in pages of 2,000 (and creates the helpdesk's own records in collections
    /// of 200) after two describes; the helpdesk is read in pages of 100 and has no bulk
    /// write, so one call per record it gains, after two field lists.
    pub fn minimum_calls(&self, after: &Counts) -> (usize, usize) {
        let gained = |before: (usize, usize), after: (usize, usize)| {
            (after.0 - before.0) + (after.1 - before.1)
        };
        let (accounts, contacts) = self.salesforce;
        // Each object's exports are their own collections.
        let salesforce = 2
            + accounts.div_ceil(2_000)
            + contacts.div_ceil(2_000)
            + (after.salesforce.0 - accounts).div_ceil(200)
            + (after.salesforce.1 - contacts).div_ceil(200);
        let (accounts, contacts) = self.helpdesk;
        let helpdesk = 2
            + accounts.div_ceil(100)
            + contacts.div_ceil(100)
            + gained(self.helpdesk, after.helpdesk);
        (salesforce, helpdesk)
    }
}

/// Meters of both sandboxes: Salesforce API calls and helpdesk calls so far.
pub fn calls(sandbox: &sandbox::Sandbox) -> (u64, u64) {
    (
        sandbox.salesforce().counters().api_usage,
        sandbox.helpdesk().calls().total,
    )
}

/// The edge under `wrangler dev`: the sync started through the admin API, progress
/// polled as the console does, storage measured on disk.
async fn measure(contacts: usize, accounts: usize) -> anyhow::Result<()> {
    let stack = Stack::start(StackOptions::test("bench-sync")).await?;
    stack
        .sandbox
        .salesforce()
        .seed_bulk(sandbox::salesforce::BulkSeed { contacts, accounts });
    stack.sandbox.set_helpdesk_rate_limit(None);
    stack.connect_salesforce().await?;
    let session = stack.salesforce_admin().await?;
    let before = Counts::read(&stack.sandbox, &session).await?;
    let calls_before = calls(&stack.sandbox);

    let started = Instant::now();
    stack.start_sync().await?;
    let mut peak_storage_bytes = 0;
    let mut last_report = Instant::now();
    loop {
        let status = stack.admin_status().await?.sync;
        peak_storage_bytes = peak_storage_bytes.max(stack.storage_bytes());
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
    let calls_after = calls(&stack.sandbox);
    let after = Counts::read(&stack.sandbox, &session).await?;
    Figures::measured(
        (contacts, accounts),
        wall,
        (&before, &after),
        (calls_before, calls_after),
        peak_storage_bytes,
    )
    .print("The edge (wrangler dev, Durable Object storage sampled every 0.5 s)");

    let latencies = edit_latencies(&stack).await?;
    println!("Salesforce edit -> helpdesk record changed, through the edge ({EDITS} edits)");
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
    let connection = stack.sandbox.demo_helpdesk_connection();
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
