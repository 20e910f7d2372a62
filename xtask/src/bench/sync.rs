//! `cargo xtask bench sync`: through the edge under `wrangler dev`, the initial sync of
//! 100,000 contacts and 10,000 accounts, then the time an edit takes to reach the other
//! side in both directions, then a data load changing every bulk contact in Salesforce
//! until the helpdesk has all of it. A benchmark, not a test: it reports, it does not
//! judge.

use super::{Figure, percentile};
use contract::admin::SyncState;
use contract::ids::SfId;
use e2e::{ReqwestTransport, Stack, StackOptions};
use sandbox::helpdesk::controls::AgentEdit;
use serde_json::{Map, Value, json};
use shared::helpdesk;
use shared::salesforce::{Client, Scope};
use std::time::{Duration, Instant};

pub const CONTACTS: usize = 100_000;
pub const ACCOUNTS: usize = 10_000;
/// Edits per direction.
const EDITS: usize = 100;
/// Records per helpdesk list page, and what the sandbox charges for one (a write costs 1).
const HELPDESK_PAGE: usize = 100;
const LIST_PAGE_CREDITS: usize = 3;
/// Zoho Desk's Professional edition with this many agents: 80,000 credits a day ("Working
/// with API Credits"), of which the sync takes its share (the edge's default).
const PROFESSIONAL_AGENTS: u32 = 10;
const SYNC_SHARE_PERCENT: u64 = 80;
/// Records one helpdesk import carries at most (`shared::helpdesk::IMPORT_LIMIT`).
const IMPORT_RECORDS: usize = shared::helpdesk::IMPORT_LIMIT;
/// The catch-up's step (`shared::sync::salesforce_port`): changed records per query.
const CATCH_UP_STEP: usize = 200;
/// How long the data load is watched at most.
const CATCH_UP_WAIT: Duration = Duration::from_secs(240);
/// Records per `updateMany` call of the helpdesk port.
const UPDATE_MANY_CHUNK: usize = 50;

pub fn run() -> anyhow::Result<Vec<Figure>> {
    tokio::runtime::Runtime::new()?.block_on(measure())
}

/// Figures of one initial sync, the same for the edge and the engine run natively.
pub struct Initial {
    pub wall: Duration,
    pub salesforce_calls: u64,
    pub salesforce_minimum: usize,
    pub helpdesk_calls: u64,
    pub helpdesk_minimum: usize,
    /// Credits spent and their minimum, where the sandbox counted them.
    pub helpdesk_credits: Option<(u64, usize)>,
    pub peak_storage_bytes: u64,
}

impl Initial {
    pub fn figures(&self, prefix: &str) -> Vec<Figure> {
        let records = (CONTACTS + ACCOUNTS) as f64;
        let mut figures = vec![
            Figure::new(
                format!("{prefix}: wall time"),
                format!("{:.1} s", self.wall.as_secs_f64()),
            )
            .target("<= 120 s"),
            Figure::new(
                format!("{prefix}: records per second"),
                format!("{:.0}", records / self.wall.as_secs_f64()),
            ),
            Figure::new(
                format!("{prefix}: Salesforce calls"),
                over_minimum(self.salesforce_calls, self.salesforce_minimum),
            )
            .target("<= 1.10 x minimum"),
            Figure::new(
                format!("{prefix}: helpdesk calls"),
                over_minimum(self.helpdesk_calls, self.helpdesk_minimum),
            ),
        ];
        if let Some((spent, minimum)) = self.helpdesk_credits {
            figures.push(
                Figure::new(
                    format!("{prefix}: helpdesk credits"),
                    over_minimum(spent, minimum),
                )
                .target("<= 1.10 x minimum"),
            );
        }
        figures.push(Figure::new(
            format!("{prefix}: peak storage"),
            format!("{:.1} MB", self.peak_storage_bytes as f64 / 1e6),
        ));
        for figure in &figures {
            println!("  {:<60} {}", figure.name, figure.value);
        }
        figures
    }
}

pub fn over_minimum(measured: u64, minimum: usize) -> String {
    format!(
        "{measured} (minimum {minimum}, {:.2} x)",
        measured as f64 / minimum as f64
    )
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
                .query::<Value>(&format!("SELECT COUNT() FROM {object}"))
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
    /// of 200) after two describes; the helpdesk is read in pages of 100 after two field
    /// lists, and gains its records through imports of 5,000, each queued, looked at
    /// once and mapped back: three calls.
    pub fn minimum_calls(&self, after: &Counts) -> (usize, usize) {
        let (accounts, contacts) = self.salesforce;
        // Each object's exports are their own collections.
        let salesforce = 2
            + accounts.div_ceil(2_000)
            + contacts.div_ceil(2_000)
            + (after.salesforce.0 - accounts).div_ceil(200)
            + (after.salesforce.1 - contacts).div_ceil(200);
        (
            salesforce,
            2 + self.helpdesk_pages() + 3 * self.helpdesk_imports(after),
        )
    }

    /// The fewest helpdesk credits: a list page costs 3, a field list, a look at an import
    /// or its mapping 1, an import a credit per 2 records.
    pub fn minimum_credits(&self, after: &Counts) -> usize {
        let imported = |gained: usize| {
            let (full, rest) = (gained / IMPORT_RECORDS, gained % IMPORT_RECORDS);
            full * IMPORT_RECORDS.div_ceil(2) + rest.div_ceil(2)
        };
        let (accounts, contacts) = self.helpdesk_gained(after);
        2 + LIST_PAGE_CREDITS * self.helpdesk_pages()
            + imported(accounts)
            + imported(contacts)
            + 2 * self.helpdesk_imports(after)
    }

    fn helpdesk_pages(&self) -> usize {
        self.helpdesk.0.div_ceil(HELPDESK_PAGE) + self.helpdesk.1.div_ceil(HELPDESK_PAGE)
    }

    /// Accounts and contacts the helpdesk gains.
    fn helpdesk_gained(&self, after: &Counts) -> (usize, usize) {
        (
            after.helpdesk.0 - self.helpdesk.0,
            after.helpdesk.1 - self.helpdesk.1,
        )
    }

    /// Each object's new records go in imports of their own.
    fn helpdesk_imports(&self, after: &Counts) -> usize {
        let (accounts, contacts) = self.helpdesk_gained(after);
        accounts.div_ceil(IMPORT_RECORDS) + contacts.div_ceil(IMPORT_RECORDS)
    }
}

/// Meters of both sandboxes: Salesforce API calls and helpdesk calls so far.
pub fn calls(sandbox: &sandbox::Sandbox) -> (u64, u64) {
    (
        sandbox.salesforce().counters().api_usage,
        sandbox.helpdesk().calls().total,
    )
}

/// The demo helpdesk organisation's credits, as `GET /__sandbox/credits` reports them.
async fn credits_report(sandbox: &sandbox::Sandbox) -> anyhow::Result<Value> {
    let mut report: Value = reqwest::get(format!("{}/__sandbox/credits", sandbox.helpdesk_url))
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(report["orgs"][sandbox::demo::HELPDESK_ORG_ID].take())
}

/// Credits the demo helpdesk organisation has spent.
async fn credits_spent(sandbox: &sandbox::Sandbox) -> anyhow::Result<u64> {
    Ok(credits_report(sandbox).await?["spent"]
        .as_u64()
        .unwrap_or(0))
}

async fn measure() -> anyhow::Result<Vec<Figure>> {
    let stack = Stack::start(StackOptions::test("bench-sync")).await?;
    stack
        .sandbox
        .salesforce()
        .seed_bulk(sandbox::salesforce::BulkSeed {
            contacts: CONTACTS,
            accounts: ACCOUNTS,
        });
    // The sandbox's own throttle (3,000 calls a minute) off; Zoho's credit model on.
    stack.sandbox.set_helpdesk_rate_limit(None);
    let http = reqwest::Client::new();
    http.put(format!("{}/__sandbox/credits", stack.sandbox.helpdesk_url))
        .json(&json!({"plan": {"edition": "professional", "agents": PROFESSIONAL_AGENTS}}))
        .send()
        .await?
        .error_for_status()?;
    stack.connect_salesforce().await?;
    let session = stack.salesforce_admin().await?;
    let before = Counts::read(&stack.sandbox, &session).await?;
    let calls_before = calls(&stack.sandbox);
    let credits_before = credits_spent(&stack.sandbox).await?;

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
    let credits = credits_spent(&stack.sandbox).await? - credits_before;
    let after = Counts::read(&stack.sandbox, &session).await?;
    let (salesforce_minimum, helpdesk_minimum) = before.minimum_calls(&after);
    println!("\nthe edge (wrangler dev, Durable Object storage sampled every 0.5 s):");
    let mut figures = Initial {
        wall,
        salesforce_calls: calls_after.0 - calls_before.0,
        salesforce_minimum,
        helpdesk_calls: calls_after.1 - calls_before.1,
        helpdesk_minimum,
        helpdesk_credits: Some((credits, before.minimum_credits(&after))),
        peak_storage_bytes,
    }
    .figures(&format!(
        "initial sync {CONTACTS} + {ACCOUNTS}, edge, two-way"
    ));
    let report = credits_report(&stack.sandbox).await?;
    let daily = report["dailyCredits"].as_u64().unwrap_or(0);
    let share = daily * SYNC_SHARE_PERCENT / 100;
    let refused = report["thresholdRefusals"].as_u64().unwrap_or(0);
    figures.push(
        Figure::new(
            format!("initial sync: helpdesk credits of the day, Professional with {PROFESSIONAL_AGENTS} agents"),
            format!(
                "{credits} of the sync's share {share} ({SYNC_SHARE_PERCENT}% of {daily}): {}; {refused} calls refused for the day's limit",
                if credits <= share { "within it" } else { "OVER IT" }
            ),
        )
        .target("never over the share"),
    );

    // What fails after the initial sync is reported in its row, the rest kept. Each part
    // runs on a day of its own: the initial sync spent most of a day's credits.
    let new_day = async || -> anyhow::Result<()> {
        http.post(format!(
            "{}/__sandbox/credits/reset",
            stack.sandbox.helpdesk_url
        ))
        .send()
        .await?
        .error_for_status()?;
        Ok(())
    };
    new_day().await?;
    let edits = Edits::find(&stack).await?;
    for (direction, latencies) in [
        (
            "Salesforce -> helpdesk",
            edits.salesforce_to_helpdesk(&stack).await,
        ),
        (
            "helpdesk -> Salesforce",
            edits.helpdesk_to_salesforce(&stack).await,
        ),
    ] {
        let value = match latencies {
            Ok(latencies) => format!(
                "p50 {:.0} ms, p95 {:.0} ms, p99 {:.0} ms",
                percentile(&latencies, 50.0),
                percentile(&latencies, 95.0),
                percentile(&latencies, 99.0)
            ),
            Err(error) => format!("did not finish: {error:#}"),
        };
        println!("  edit {direction} ({EDITS} edits): {value}");
        figures.push(
            Figure::new(format!("edit {direction}, {EDITS} edits"), value).target("p95 <= 1 s"),
        );
    }
    new_day().await?;
    match catch_up(&stack, &session).await {
        Ok(caught_up) => figures.extend(caught_up),
        Err(error) => figures.push(Figure::new(
            format!("data load of {CONTACTS} contacts"),
            format!("did not finish: {error:#}"),
        )),
    }
    Ok(figures)
}

/// The demo's shared contact, on both sides, edited again and again as a user would.
struct Edits {
    salesforce_id: String,
    helpdesk_id: String,
}

const EMAIL: &str = "maya.patel@northwind.example";

impl Edits {
    async fn find(stack: &Stack) -> anyhow::Result<Edits> {
        let transport = ReqwestTransport::default();
        let client = Client::new(&transport, stack.salesforce_admin().await?);
        let page = client
            .query::<Map<String, Value>>(&format!("SELECT Id FROM Contact WHERE Email = '{EMAIL}'"))
            .await?;
        let salesforce_id = page.records[0]["Id"]
            .as_str()
            .ok_or_else(|| anyhow::anyhow!("the demo contact has an Id"))?
            .to_owned();
        let connection = stack.sandbox.demo_helpdesk_connection();
        let desk = helpdesk::Client::new(&transport, &connection);
        let helpdesk_id = desk.search_contacts_by_email(EMAIL).await?[0].id.clone();
        Ok(Edits {
            salesforce_id,
            helpdesk_id,
        })
    }

    /// A Salesforce user edits the title; timed until the helpdesk has it (read inside
    /// the sandbox: API reads would spend the organisation's credits).
    async fn salesforce_to_helpdesk(&self, stack: &Stack) -> anyhow::Result<Vec<f64>> {
        timed_edits(
            |title| {
                stack
                    .sandbox
                    .salesforce()
                    .user_update(
                        "Contact",
                        &self.salesforce_id,
                        json!({"Title": title}).as_object().unwrap(),
                    )
                    .map(drop)
                    .map_err(|e| anyhow::anyhow!("{e:?}"))
            },
            async |title| Ok(helpdesk_title(stack, &self.helpdesk_id).as_deref() == Some(title)),
        )
        .await
    }

    /// An agent edits the title in the helpdesk; timed until Salesforce has it.
    async fn helpdesk_to_salesforce(&self, stack: &Stack) -> anyhow::Result<Vec<f64>> {
        let transport = ReqwestTransport::default();
        let client = Client::new(&transport, stack.salesforce_admin().await?);
        let id = SfId::parse(&self.salesforce_id)?;
        timed_edits(
            |title| {
                stack
                    .sandbox
                    .helpdesk()
                    .agent_edit(&AgentEdit::update(
                        "contacts",
                        &self.helpdesk_id,
                        json!({"title": title}),
                    ))
                    .map(drop)
                    .map_err(|e| anyhow::anyhow!("{e:?}"))
            },
            async |title| {
                let record: Value = client.get("Contact", &id, &["Title"]).await?;
                Ok(record["Title"] == title)
            },
        )
        .await
    }
}

/// A helpdesk contact's title as the sandbox holds it.
fn helpdesk_title(stack: &Stack, id: &str) -> Option<String> {
    let desk = stack.sandbox.helpdesk().desk();
    desk.contacts
        .get(id)
        .and_then(|contact| contact.title.clone())
}

/// Makes [`EDITS`] edits one after the other, each timed until `arrived` sees it; sorted.
async fn timed_edits(
    edit: impl Fn(&str) -> anyhow::Result<()>,
    arrived: impl AsyncFn(&str) -> anyhow::Result<bool>,
) -> anyhow::Result<Vec<f64>> {
    let mut latencies = Vec::with_capacity(EDITS);
    for n in 0..EDITS {
        // Unique per run and direction, so an earlier value never counts as arrived.
        let title = format!("Edit {n} at {}", unique_suffix());
        let edited = Instant::now();
        edit(&title)?;
        let deadline = edited + Duration::from_secs(30);
        while !arrived(&title).await? {
            anyhow::ensure!(Instant::now() < deadline, "edit {n} did not arrive in 30 s");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        latencies.push(edited.elapsed().as_secs_f64() * 1000.0);
    }
    latencies.sort_by(f64::total_cmp);
    Ok(latencies)
}

/// Microseconds since the epoch.
fn unique_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros())
}

/// A data load: every bulk contact's title changed through the REST API in collections
/// of 200, as Data Loader would; timed from its last write until the helpdesk has every
/// change, or for [`CATCH_UP_WAIT`] at most. Calls and their minimum count what arrived.
async fn catch_up(
    stack: &Stack,
    session: &shared::salesforce::Session,
) -> anyhow::Result<Vec<Figure>> {
    const TITLE: &str = "Loaded in bulk";
    let transport = ReqwestTransport::default();
    let salesforce = Client::new(&transport, session.clone());
    let records: Vec<Map<String, Value>> = salesforce
        .query_all_pages(
            "SELECT Id, Email FROM Contact WHERE Email LIKE '%@bulk.example'",
            Scope::Live,
        )
        .await?;
    let updates: Vec<Value> = records
        .iter()
        .map(|r| json!({"Id": r["Id"], "Title": TITLE}))
        .collect();
    let load_started = Instant::now();
    salesforce.update_many("Contact", &updates, false).await?;
    let loaded = Instant::now();
    println!(
        "  data load of {} contacts written in {:.1} s",
        records.len(),
        load_started.elapsed().as_secs_f64()
    );
    let changed = records.len();
    let calls_before = calls(&stack.sandbox);
    let credits_before = credits_spent(&stack.sandbox).await?;
    // Counted inside the sandbox, once a second (API reads would spend credits).
    let arrived = || {
        let desk = stack.sandbox.helpdesk().desk();
        desk.contacts
            .values()
            .filter(|c| c.title.as_deref() == Some(TITLE))
            .count()
    };
    let deadline = loaded + CATCH_UP_WAIT;
    let mut count = arrived();
    while count < changed && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_secs(1)).await;
        count = arrived();
    }
    let wall = loaded.elapsed().as_secs_f64();
    let calls_after = calls(&stack.sandbox);
    let credits = credits_spent(&stack.sandbox).await? - credits_before;
    let progress = if count == changed {
        format!("{wall:.1} s ({:.0} records/s)", count as f64 / wall)
    } else {
        // The wait is bounded to keep the whole bench short; the rate tells the rest.
        format!(
            "{count} of {changed} after {wall:.0} s ({:.0} records/s; all in about {:.0} s)",
            count as f64 / wall,
            changed as f64 * wall / count.max(1) as f64
        )
    };
    let figures = vec![
        Figure::new(
            format!("data load of {changed} contacts: load's end -> helpdesk has all"),
            progress,
        ),
        Figure::new(
            // Notifications carry the records; were they all lost, the catch-up reads
            // them a step at a time.
            "data load: Salesforce calls (minimum: catch-up reads, every notification lost)",
            over_minimum(
                calls_after.0 - calls_before.0,
                count.div_ceil(CATCH_UP_STEP),
            ),
        ),
        Figure::new(
            // Each counterpart is also read by id before it is written (Zoho reads custom
            // fields and `modifiedTime` one record at a time), which this minimum leaves out.
            "data load: helpdesk calls (minimum: updateMany of 50, no reads)",
            over_minimum(
                calls_after.1 - calls_before.1,
                count.div_ceil(UPDATE_MANY_CHUNK),
            ),
        ),
        Figure::new(
            "data load: helpdesk credits (minimum: updateMany's, no reads)",
            // updateMany costs a credit per 2 records.
            over_minimum(credits, count.div_ceil(2)),
        ),
    ];
    for figure in &figures {
        println!("  {:<60} {}", figure.name, figure.value);
    }
    Ok(figures)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimums_count_pages_and_writes() {
        let before = Counts {
            salesforce: (10_000, 100_000),
            helpdesk: (3, 250),
        };
        let after = Counts {
            salesforce: (10_003, 100_250),
            helpdesk: (10_003, 100_250),
        };
        // 2 describes + 5 + 50 pages + 1 + 2 collections of the helpdesk's own records.
        // 2 field lists + 1 + 3 pages + (2 + 20 imports) x 3 calls.
        assert_eq!(before.minimum_calls(&after), (60, 2 + 4 + 66));
        // A list page costs 3 credits, an import a credit per 2 records, a look and a
        // mapping 1 each.
        assert_eq!(
            before.minimum_credits(&after),
            2 + 3 * 4 + 110_000 / 2 + 2 * 22
        );
    }

    #[test]
    fn ratios_to_the_minimum() {
        assert_eq!(over_minimum(110, 100), "110 (minimum 100, 1.10 x)");
    }
}
