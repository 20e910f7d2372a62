//! The sync engine natively against the sandbox: the real Salesforce and helpdesk wire
//! APIs, real SQLite, the same engine code the Durable Object runs.

use anyhow::Context;
use contract::ids::SfId;
use contract::mapping::{FieldMeta, ObjectKind};
use contract::side::Side;
use serde_json::{Map, Value, json};
use shared::helpdesk::TransportSleep;
use shared::helpdesk::{self, ContactDraft};
use shared::http::ReqwestTransport;
use shared::panel::ContactFields;
use shared::salesforce::{Client, Scope};
use shared::sql::NativeSql;
use shared::sync::engine::{Engine, Outcome, Settings};
use shared::sync::helpdesk_port::HelpdeskPort;
use shared::sync::initial::{self, InitialSync};
use shared::sync::ongoing::{Covered, Tallies};
use shared::sync::salesforce_port::SalesforcePort;
use shared::sync::store::Store;
use std::collections::BTreeMap;

/// A UUID, as the helpdesk wants `sourceId`s.
const SOURCE_ID: &str = "0b9c6f7e-3f0a-4d2b-8c51-7d2e9a4f6b13";

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

pub(super) struct World {
    pub(super) sandbox: sandbox::Sandbox,
    transport: ReqwestTransport,
    session: shared::salesforce::Session,
    helpdesk: helpdesk::Connection,
    pub(super) store: Store<NativeSql>,
    settings: Settings,
    /// How far the sandbox clock was moved on; the engine's clock follows it.
    clock_offset_ms: std::cell::Cell<i64>,
}

/// A world over the demo org.
async fn world() -> anyhow::Result<World> {
    world_of(sandbox::OrgShape::Demo).await
}

/// A world over an org of `shape`.
pub(super) async fn world_of(shape: sandbox::OrgShape) -> anyhow::Result<World> {
    let sandbox = sandbox::start(sandbox::Config {
        org_shape: shape,
        ..sandbox::Config::ephemeral()
    })
    .await?;
    // Thousands of writes would wait out the helpdesk's rate limit (3,000 calls a
    // minute); the client's waiting is tested with the helpdesk client.
    sandbox.set_helpdesk_rate_limit(None);
    let transport = ReqwestTransport::default();
    let session = sign_in(&sandbox, &transport).await?;
    let helpdesk = sandbox.demo_helpdesk_connection();
    Ok(World {
        sandbox,
        transport,
        session,
        helpdesk,
        store: Store::open(NativeSql::in_memory())?,
        settings: Settings::default(),
        clock_offset_ms: std::cell::Cell::new(0),
    })
}

/// A Salesforce session of the demo admin (the password grant).
async fn sign_in(
    sandbox: &sandbox::Sandbox,
    transport: &ReqwestTransport,
) -> anyhow::Result<shared::salesforce::Session> {
    let app = sandbox.demo_oauth_app();
    let response = shared::http::Transport::send(
        transport,
        app.password_grant(sandbox::demo::ADMIN_USERNAME, sandbox::demo::ADMIN_PASSWORD),
    )
    .await?;
    let tokens = shared::salesforce::OAuthApp::parse_token_response(&response)?;
    Ok(shared::salesforce::Session {
        instance_url: tokens.instance_url,
        access_token: tokens.access_token,
    })
}

pub(super) type SandboxEngine<'a> = Engine<
    'a,
    NativeSql,
    SalesforcePort<'a, ReqwestTransport>,
    HelpdeskPort<'a, ReqwestTransport, TransportSleep<'a, ReqwestTransport>>,
>;

impl World {
    /// Runs `job` with the engine over the sandbox, as the Durable Object does.
    pub(super) async fn with_engine<R>(
        &self,
        job: impl AsyncFnOnce(&SandboxEngine<'_>) -> anyhow::Result<R>,
    ) -> anyhow::Result<R> {
        self.with_engine_on(None, job).await
    }

    /// [`World::with_engine`] over Salesforce fields read earlier, as the edge keeps them
    /// between runs (`None`: read them now).
    pub(super) async fn with_engine_on<R>(
        &self,
        salesforce_fields: Option<(Vec<FieldMeta>, Vec<FieldMeta>)>,
        job: impl AsyncFnOnce(&SandboxEngine<'_>) -> anyhow::Result<R>,
    ) -> anyhow::Result<R> {
        let salesforce_client = Client::new(&self.transport, self.session.clone());
        let helpdesk_client =
            helpdesk::Client::new(&self.transport, &self.helpdesk).with_source_id(SOURCE_ID);
        let (contacts, accounts) = match salesforce_fields {
            Some(fields) => fields,
            None => SalesforcePort::load(&salesforce_client)
                .await?
                .fields_read(),
        };
        let helpdesk = HelpdeskPort::load(&helpdesk_client).await?;
        // As the edge does: only what the org offers the connected user is synced, and read.
        let settings = self.settings.clone().offered_by(&contacts, &accounts);
        let salesforce =
            SalesforcePort::with_fields(&salesforce_client, contacts, accounts).reading(&settings);
        let engine = Engine {
            store: &self.store,
            salesforce: &salesforce,
            helpdesk: &helpdesk,
            settings: &settings,
            now_ms: now_ms() + self.clock_offset_ms.get(),
        };
        job(&engine).await
    }

    pub(super) async fn sync(
        &self,
        from: Side,
        object: ObjectKind,
        id: &str,
    ) -> anyhow::Result<Outcome> {
        self.with_engine(async |engine| Ok(engine.sync_record(from, object, id).await?))
            .await
    }

    /// Runs the initial sync to its end.
    pub(super) async fn initial_sync(&self) -> anyhow::Result<InitialSync> {
        let mut run = initial::start(&self.store, self.settings.sync_type, now_ms())?;
        self.with_engine(async |engine| {
            while !run.is_finished() {
                engine.advance_initial(&mut run).await?;
            }
            Ok(())
        })
        .await?;
        Ok(run)
    }

    /// Time passes for both systems and the engine.
    fn advance_clock(&self, by: std::time::Duration) {
        self.sandbox.advance_clock(by);
        self.clock_offset_ms
            .set(self.clock_offset_ms.get() + by.as_millis() as i64);
    }

    /// A data load: every seeded contact's title set at once, as Salesforce's Data Loader
    /// would; returns the contacts (their `Id`s).
    async fn retitle_bulk_contacts(&self, title: &str) -> anyhow::Result<Vec<Map<String, Value>>> {
        let records: Vec<Map<String, Value>> = self
            .salesforce()
            .query_all_pages(
                "SELECT Id FROM Contact WHERE Email LIKE '%@bulk.example'",
                Scope::Live,
            )
            .await?;
        let updates: Vec<Value> = records
            .iter()
            .map(|r| json!({"Id": r["Id"], "Title": title}))
            .collect();
        self.salesforce()
            .update_many("Contact", &updates, false)
            .await?;
        Ok(records)
    }

    pub(super) fn salesforce(&self) -> Client<'_, ReqwestTransport> {
        Client::new(&self.transport, self.session.clone())
    }

    pub(super) fn helpdesk(&self) -> helpdesk::Client<'_, ReqwestTransport> {
        helpdesk::Client::new(&self.transport, &self.helpdesk)
    }
}

#[tokio::test]
async fn a_salesforce_contact_reaches_the_helpdesk_and_changes_come_back() -> anyhow::Result<()> {
    let w = world().await?;
    let salesforce = w.salesforce();
    let created = salesforce
        .create("Contact", &json!({"FirstName": "Grace", "LastName": "Hopper", "Email": "grace.hopper@navy.example", "Title": "Rear Admiral"}))
        .await?;

    assert_eq!(
        w.sync(Side::Salesforce, ObjectKind::Contact, created.as_str())
            .await?,
        Outcome::Added
    );
    let found = w
        .helpdesk()
        .search_contacts_by_email("GRACE.HOPPER@navy.example")
        .await?;
    assert_eq!(found.len(), 1, "created once in the helpdesk");
    let contact = &found[0];
    assert_eq!(
        (contact.last_name.as_str(), contact.title.as_deref()),
        ("Hopper", Some("Rear Admiral"))
    );

    // The helpdesk's notification for our own write is not a change.
    assert_eq!(
        w.sync(Side::Helpdesk, ObjectKind::Contact, &contact.id)
            .await?,
        Outcome::Unchanged
    );

    // An agent edits the contact in the helpdesk: two-way sync carries it to Salesforce.
    let edit = ContactDraft {
        title: Some("Commodore".into()),
        ..ContactDraft::default()
    };
    w.helpdesk().update_contact(&contact.id, &edit).await?;
    assert_eq!(
        w.sync(Side::Helpdesk, ObjectKind::Contact, &contact.id)
            .await?,
        Outcome::Updated
    );
    let record: Value = salesforce.get("Contact", &created, &["Title"]).await?;
    assert_eq!(record["Title"], "Commodore");
    Ok(())
}

#[tokio::test]
async fn a_seeded_duplicate_is_linked_by_email_not_created_again() -> anyhow::Result<()> {
    let w = world().await?;
    // The demo data has contacts on both sides with the same emails.
    let salesforce = w.salesforce();
    let page = salesforce.query::<ContactFields>(&maya_by_email()).await?;
    let maya = page
        .records
        .first()
        .context("Maya Patel is in the demo org")?;
    let before = w
        .helpdesk()
        .search_contacts_by_email("maya.patel@northwind.example")
        .await?
        .len();
    let outcome = w
        .sync(Side::Salesforce, ObjectKind::Contact, maya.id.as_str())
        .await?;
    assert!(
        matches!(outcome, Outcome::Updated | Outcome::Unchanged),
        "{outcome:?}"
    );
    assert_eq!(
        w.helpdesk()
            .search_contacts_by_email("maya.patel@northwind.example")
            .await?
            .len(),
        before.max(1)
    );
    let link = w
        .store
        .link_by_salesforce(ObjectKind::Contact, &maya.id)?
        .context("linked")?;
    assert!(!link.helpdesk_id.is_empty());
    let account: &SfId = maya.account_id.as_ref().context("Maya has an account")?;
    assert!(
        w.store
            .link_by_salesforce(ObjectKind::Account, account)?
            .is_some(),
        "her account was linked first"
    );
    Ok(())
}

/// An org that answers queries in smaller batches than asked for, as real orgs do for
/// wide rows: every contact is still read (paging follows `done`, not the batch's size).
#[tokio::test]
async fn an_org_answering_in_small_batches_is_synced_whole() -> anyhow::Result<()> {
    let w = world().await?;
    w.sandbox
        .salesforce()
        .seed_bulk(sandbox::salesforce::BulkSeed {
            contacts: 2_500,
            accounts: 30,
        });
    w.sandbox.salesforce().cap_query_batches(Some(150));
    let salesforce_before = salesforce_emails(&w).await?;

    let run = w.initial_sync().await?;

    assert!(run.steps.iter().all(|s| s.finished));
    let (salesforce_after, helpdesk_after) =
        (salesforce_emails(&w).await?, helpdesk_emails(&w).await?);
    let missing: Vec<&String> = salesforce_before
        .keys()
        .filter(|email| !helpdesk_after.contains_key(*email))
        .collect();
    assert!(
        missing.is_empty(),
        "{} of {} Salesforce contacts never reached the helpdesk, e.g. {:?}",
        missing.len(),
        salesforce_before.len(),
        missing.iter().take(3).collect::<Vec<_>>()
    );
    let doubled = salesforce_after
        .iter()
        .chain(&helpdesk_after)
        .filter(|(email, n)| !email.is_empty() && **n > 1)
        .count();
    assert_eq!(doubled, 0, "contacts held twice on one side");
    assert!(
        w.store.link_count(ObjectKind::Contact)? > 2_500,
        "every contact linked"
    );
    Ok(())
}

/// Live Salesforce contacts, by lowercased email.
async fn salesforce_emails(w: &World) -> anyhow::Result<BTreeMap<String, u32>> {
    let records: Vec<Map<String, Value>> = w
        .salesforce()
        .query_all_pages("SELECT Email FROM Contact", Scope::Live)
        .await?;
    Ok(count_emails(records.iter().map(|r| r["Email"].as_str())))
}

async fn helpdesk_emails(w: &World) -> anyhow::Result<BTreeMap<String, u32>> {
    let contacts = w.helpdesk().all_contacts(None).await?;
    Ok(count_emails(contacts.iter().map(|c| c.email.as_deref())))
}

fn count_emails<'a>(emails: impl Iterator<Item = Option<&'a str>>) -> BTreeMap<String, u32> {
    let mut counts = BTreeMap::new();
    for email in emails {
        *counts
            .entry(email.unwrap_or_default().to_lowercase())
            .or_insert(0) += 1;
    }
    counts
}

#[tokio::test]
async fn the_initial_sync_is_complete_and_within_ten_percent_of_the_minimum_calls()
-> anyhow::Result<()> {
    let w = world().await?;
    w.sandbox
        .salesforce()
        .seed_bulk(sandbox::salesforce::BulkSeed {
            contacts: 4_500,
            accounts: 120,
        });
    w.sandbox
        .seed_helpdesk(&sandbox::helpdesk::controls::SeedRequest {
            contacts: 250,
            accounts: 10,
            webhooks: false,
        })
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    // A contact with no email on each side: created across, never matched.
    w.salesforce()
        .create("Contact", &json!({"LastName": "No Email In Salesforce"}))
        .await?;
    let (sf_before, hd_before) = (salesforce_emails(&w).await?, helpdesk_emails(&w).await?);
    let shared_emails = sf_before
        .keys()
        .filter(|e| !e.is_empty() && hd_before.contains_key(*e))
        .count();
    assert!(shared_emails > 0, "the demo data has duplicates to match");
    let usage_before = w.sandbox.salesforce().counters().api_usage;

    let run = w.initial_sync().await?;

    let salesforce_calls = w.sandbox.salesforce().counters().api_usage - usage_before;
    let (sf_after, hd_after) = (salesforce_emails(&w).await?, helpdesk_emails(&w).await?);
    assert!(run.steps.iter().all(|s| s.finished));
    let doubled: Vec<_> = sf_after
        .iter()
        .chain(&hd_after)
        .filter(|(email, n)| !email.is_empty() && **n > 1)
        .collect();
    assert!(doubled.is_empty(), "duplicates: {doubled:?}");
    assert_eq!(
        sf_after.keys().collect::<Vec<_>>(),
        hd_after.keys().collect::<Vec<_>>(),
        "the same contacts on both sides"
    );
    assert_eq!(
        hd_after.get("").copied().unwrap_or(0),
        hd_before.get("").copied().unwrap_or(0) + 1,
        "the contact without an email was created, not matched"
    );

    // The fewest calls those batch sizes allow: every record read in pages of 2,000,
    // the helpdesk's own records written in collections of 200, plus the two describes.
    let pages = |n: usize| n.div_ceil(2_000) as u64;
    let sf_accounts = w.store.link_count(ObjectKind::Account)? as usize;
    let sf_contacts = sf_before.values().sum::<u32>() as usize;
    let exported = hd_after.len() - sf_before.len();
    let minimum = 2
        + pages(sf_accounts)
        + pages(sf_contacts)
        + (exported.div_ceil(200) + 10usize.div_ceil(200)) as u64;
    println!("Salesforce calls: {salesforce_calls}, minimum {minimum}");
    assert!(
        salesforce_calls as f64 <= minimum as f64 * 1.1 + 1.0,
        "{salesforce_calls} calls for a minimum of {minimum}"
    );
    Ok(())
}

#[tokio::test]
async fn a_mass_update_of_a_thousand_contacts_reaches_the_helpdesk() -> anyhow::Result<()> {
    let w = world().await?;
    w.sandbox
        .salesforce()
        .seed_bulk(sandbox::salesforce::BulkSeed {
            contacts: 1_000,
            accounts: 0,
        });
    w.initial_sync().await?;
    let records = w.retitle_bulk_contacts("Mass updated").await?;
    assert_eq!(records.len(), 1_000);

    // What the Outbound Messages deliver: each id, stored in the inbox.
    for record in &records {
        w.store.enqueue(
            Side::Salesforce,
            ObjectKind::Contact,
            record["Id"].as_str().unwrap_or_default(),
            now_ms(),
        )?;
    }
    let usage_before = w.sandbox.salesforce().counters().api_usage;
    w.sandbox.reset_helpdesk_calls();
    let mut tallies = Tallies::default();
    w.with_engine(async |engine| {
        while engine.store.inbox_len()? > 0 {
            engine.process_inbox(200, &mut tallies).await?;
        }
        Ok(())
    })
    .await?;
    let reads = w.sandbox.salesforce().counters().api_usage - usage_before;
    assert_eq!(tallies.total().updated, 1_000);
    assert!(reads <= 2 + 5, "read 200 a query: {reads} calls");
    // One title to every contact: written 50 at a time, not one call each; each
    // counterpart is read by id (Zoho reads no custom fields by ids in bulk).
    let calls = w.sandbox.helpdesk_calls();
    assert_eq!(
        calls.route("POST /api/v1/contacts/updateMany"),
        1_000 / 50,
        "{calls:?}"
    );
    assert_eq!(calls.route("PATCH /api/v1/contacts/{id}"), 0, "{calls:?}");
    assert_eq!(calls.route("GET /api/v1/contacts/{id}"), 1_000, "{calls:?}");
    let titles = w
        .helpdesk()
        .all_contacts(None)
        .await?
        .into_iter()
        .filter(|c| c.title.as_deref() == Some("Mass updated"))
        .count();
    assert_eq!(titles, 1_000);
    Ok(())
}

/// Records per catch-up step, as the Salesforce port reads them.
const CATCH_UP_STEP: usize = 200;

/// A data load changes thousands of contacts and no notification arrives: the catch-up
/// reads them by `SystemModstamp` in bounded steps, one query each, and every change
/// reaches the helpdesk. (`cargo xtask chaos` runs it at 100,000 contacts.)
#[tokio::test]
async fn a_data_load_whose_notifications_were_lost_is_caught_up_in_bounded_steps()
-> anyhow::Result<()> {
    let contacts = if std::env::var("SFDESK_CHAOS").is_ok_and(|v| v == "full") {
        100_000
    } else {
        5_000
    };
    let started = std::time::Instant::now();
    let w = world().await?;
    w.sandbox
        .salesforce()
        .seed_bulk(sandbox::salesforce::BulkSeed {
            contacts,
            accounts: 0,
        });
    let run = w.initial_sync().await?;
    let mut covered = Covered::from(run.started_ms);
    w.retitle_bulk_contacts("Loaded, never notified").await?;

    let queries = || w.sandbox.salesforce().counters().get("GET /query");
    let usage_before = w.sandbox.salesforce().counters().api_usage;
    let queries_before = queries();
    let mut tallies = Tallies::default();
    let mut steps = 0usize;
    let mut slowest_step_ms = 0;
    w.with_engine(async |engine| {
        loop {
            let (queries_then, applied_then) = (queries(), tallies.total().updated);
            let step_started = std::time::Instant::now();
            engine.catch_up(&mut covered, &mut tallies).await?;
            slowest_step_ms = slowest_step_ms.max(step_started.elapsed().as_millis());
            steps += 1;
            // One query per object at most, each of at most one step's records.
            anyhow::ensure!(queries() - queries_then <= 2, "step {steps}: one read");
            let applied = (tallies.total().updated - applied_then) as usize;
            anyhow::ensure!(applied <= CATCH_UP_STEP, "step {steps}: {applied} applied");
            if !covered.is_reading() {
                return Ok(());
            }
            anyhow::ensure!(steps <= 2 * contacts / CATCH_UP_STEP, "the catch-up ends");
        }
    })
    .await?;
    let salesforce_calls = w.sandbox.salesforce().counters().api_usage - usage_before;
    let reads = queries() - queries_before;

    let titles = w
        .helpdesk()
        .all_contacts(None)
        .await?
        .into_iter()
        .filter(|c| c.title.as_deref() == Some("Loaded, never notified"))
        .count();
    assert_eq!(titles, contacts, "every change caught up");
    assert_eq!(w.store.inbox_len()?, 0, "nothing left for later");
    assert!(w.store.failures(None)?.is_empty());
    // The fewest calls: the changed contacts read a step's worth a query, and the
    // accounts once, plus the two describes; and a second busier than a step is read again
    // by Id from its start (one query per such second). How many seconds the load filled
    // depends on the machine's speed, so they are counted from the data, not assumed.
    let modstamps: Vec<Map<String, Value>> = w
        .salesforce()
        .query_all_pages(
            "SELECT SystemModstamp FROM Contact WHERE Email LIKE '%@bulk.example'",
            Scope::Live,
        )
        .await?;
    let mut per_second: std::collections::BTreeMap<String, usize> = Default::default();
    for row in &modstamps {
        let stamp = row["SystemModstamp"].as_str().unwrap_or_default();
        *per_second
            .entry(stamp.get(..19).unwrap_or(stamp).to_owned())
            .or_default() += 1;
    }
    let busy_seconds = per_second.values().filter(|n| **n > CATCH_UP_STEP).count() as u64;
    let minimum = 2 + 1 + contacts.div_ceil(CATCH_UP_STEP) as u64 + busy_seconds;
    println!(
        "catch-up of {contacts} changed contacts: {steps} steps (the slowest {slowest_step_ms} ms), \
         {reads} queries, {salesforce_calls} Salesforce calls for a minimum of {minimum}, \
         {:.0?} in all",
        started.elapsed()
    );
    assert!(
        salesforce_calls as f64 <= minimum as f64 * 1.1 + 2.0,
        "{salesforce_calls} Salesforce calls for a minimum of {minimum}"
    );
    Ok(())
}

/// Salesforce's `/updated` reaches 30 days back; the catch-up's query on `SystemModstamp`
/// reaches any distance, so a sync paused for longer still catches up.
#[tokio::test]
async fn a_change_made_after_a_pause_longer_than_thirty_days_is_caught_up() -> anyhow::Result<()> {
    let mut w = world().await?;
    let run = w.initial_sync().await?;
    let mut covered = Covered::from(run.started_ms);
    w.advance_clock(std::time::Duration::from_secs(31 * 24 * 60 * 60));
    // The session expired meanwhile; the edge renews it with its refresh token.
    w.session = sign_in(&w.sandbox, &w.transport).await?;
    let maya = maya_id(&w).await?;
    w.sandbox
        .salesforce()
        .user_update(
            "Contact",
            maya.as_str(),
            json!({"Title": "Back after a month"}).as_object().unwrap(),
        )
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;

    let mut tallies = Tallies::default();
    w.with_engine(async |engine| {
        engine.catch_up(&mut covered, &mut tallies).await?;
        anyhow::ensure!(!covered.is_reading(), "a few changes: one step");
        Ok(())
    })
    .await?;
    let found = w
        .helpdesk()
        .search_contacts_by_email("maya.patel@northwind.example")
        .await?;
    assert_eq!(found[0].title.as_deref(), Some("Back after a month"));
    assert!(
        covered.salesforce_ms > run.started_ms + 30 * 24 * 60 * 60 * 1000,
        "the catch-up is now current"
    );
    Ok(())
}

#[tokio::test]
async fn the_catch_up_finds_a_change_whose_notification_was_lost() -> anyhow::Result<()> {
    let w = world().await?;
    let run = w.initial_sync().await?;
    let mut covered = Covered::from(run.started_ms);
    let maya = maya_id(&w).await?;
    w.sandbox
        .salesforce()
        .user_update(
            "Contact",
            maya.as_str(),
            json!({"Title": "Changed, never notified"})
                .as_object()
                .unwrap(),
        )
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let mut tallies = Tallies::default();
    w.with_engine(async |engine| Ok(engine.catch_up(&mut covered, &mut tallies).await?))
        .await?;
    assert_eq!(tallies.total().updated, 1, "only Maya changed");
    let found = w
        .helpdesk()
        .search_contacts_by_email("maya.patel@northwind.example")
        .await?;
    assert_eq!(found[0].title.as_deref(), Some("Changed, never notified"));
    Ok(())
}

/// Maya Patel's contact (the demo org's) with her account.
fn maya_by_email() -> String {
    shared::soql::Select::new("Contact", &["Id", "Name", "AccountId"])
        .where_eq("Email", "maya.patel@northwind.example")
        .build()
}

async fn maya_id(w: &World) -> anyhow::Result<SfId> {
    let page = w
        .salesforce()
        .query::<ContactFields>(&maya_by_email())
        .await?;
    Ok(page
        .records
        .first()
        .context("Maya is in the demo org")?
        .id
        .clone())
}

#[tokio::test]
async fn a_failed_record_is_logged_in_plain_words_and_a_retry_succeeds_once_fixed()
-> anyhow::Result<()> {
    let w = world().await?;
    // The helpdesk's title holds 100 characters; Salesforce's 128.
    let long_title = "T".repeat(120);
    let created = w
        .salesforce()
        .create(
            "Contact",
            &json!({"LastName": "Lovelace", "Email": "ada@engines.example", "Title": long_title}),
        )
        .await?;
    let outcome = w
        .sync(Side::Salesforce, ObjectKind::Contact, created.as_str())
        .await?;
    assert!(matches!(outcome, Outcome::Failed(_)), "{outcome:?}");
    let failures = w.store.failures(Some(ObjectKind::Contact))?;
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].label, "ada@engines.example");
    let reason = failures[0].reason.to_string();
    assert!(
        reason.contains("title") || reason.contains("Title") || reason.contains("Parameter"),
        "a reason naming the problem: {reason}"
    );

    // The cause is fixed in Salesforce; "Try again" syncs the record.
    w.salesforce()
        .update("Contact", &created, &json!({"Title": "Countess"}))
        .await?;
    assert_eq!(
        w.sync(Side::Salesforce, ObjectKind::Contact, created.as_str())
            .await?,
        Outcome::Added
    );
    assert!(w.store.failures(None)?.is_empty(), "the failure is cleared");
    Ok(())
}

#[tokio::test]
async fn a_record_deleted_in_the_helpdesk_comes_back_when_salesforce_updates_it()
-> anyhow::Result<()> {
    let w = world().await?;
    w.initial_sync().await?;
    let maya = maya_id(&w).await?;
    let desk_id = w
        .store
        .link_by_salesforce(ObjectKind::Contact, &maya)?
        .context("linked")?
        .helpdesk_id;
    w.helpdesk().trash_contacts(&[desk_id.as_str()]).await?;
    // The delete does not propagate: Salesforce still has her.
    assert_eq!(
        w.sync(Side::Helpdesk, ObjectKind::Contact, &desk_id)
            .await?,
        Outcome::Unchanged
    );
    w.salesforce()
        .update("Contact", &maya, &json!({"Title": "Back again"}))
        .await?;
    assert_eq!(
        w.sync(Side::Salesforce, ObjectKind::Contact, maya.as_str())
            .await?,
        Outcome::Added
    );
    let found = w
        .helpdesk()
        .search_contacts_by_email("maya.patel@northwind.example")
        .await?;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].title.as_deref(), Some("Back again"));
    Ok(())
}
