//! `cargo xtask bench engine`: the full-size initial sync with the engine run natively:
//! the Durable Object's code path (`Engine::advance_initial`, step after step) over SQLite
//! in a file, against the sandbox over HTTP. Beside the edge's figures, it shows what the
//! Workers runtime adds.

use super::Figure;
use super::sync::{ACCOUNTS, CONTACTS, Counts, Initial, calls};
use e2e::ReqwestTransport;
use shared::helpdesk;
use shared::salesforce::{Client, OAuthApp, Session};
use shared::sql::NativeSql;
use shared::sync::engine::{Engine, Settings};
use shared::sync::helpdesk_port::HelpdeskPort;
use shared::sync::initial;
use shared::sync::salesforce_port::SalesforcePort;
use shared::sync::store::Store;
use std::time::Instant;

/// A UUID, as the helpdesk wants `sourceId`s.
const SOURCE_ID: &str = "7c1e0f4a-2b9d-4e6f-8a13-5d2c9b7e4f01";

pub fn run() -> anyhow::Result<Vec<Figure>> {
    tokio::runtime::Runtime::new()?.block_on(measure(CONTACTS, ACCOUNTS))
}

async fn measure(contacts: usize, accounts: usize) -> anyhow::Result<Vec<Figure>> {
    let sandbox = sandbox::start(sandbox::Config::ephemeral()).await?;
    let seeded = sandbox
        .salesforce()
        .seed_bulk(sandbox::salesforce::BulkSeed { contacts, accounts });
    println!(
        "seeded {contacts} contacts and {accounts} accounts in the sandbox org ({} ms)",
        seeded.elapsed_ms
    );
    // The sandbox helpdesk allows 3,000 calls a minute, as a helpdesk plan might; that
    // alone would stretch 110,000 writes over 37 minutes. The bench measures sfdesk.
    sandbox.set_helpdesk_rate_limit(None);
    let transport = ReqwestTransport::default();
    let tokens = OAuthApp::parse_token_response(
        &shared::http::Transport::send(
            &transport,
            sandbox
                .demo_oauth_app()
                .password_grant(sandbox::demo::ADMIN_USERNAME, sandbox::demo::ADMIN_PASSWORD),
        )
        .await?,
    )?;
    let session = Session {
        instance_url: tokens.instance_url,
        access_token: tokens.access_token,
    };
    let before = Counts::read(&sandbox, &session).await?;

    let dir = e2e::repo_root().join("target/bench");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("sync.sqlite");
    for stale in ["sync.sqlite", "sync.sqlite-wal", "sync.sqlite-shm"] {
        let _ = std::fs::remove_file(dir.join(stale));
    }
    let store = Store::open(NativeSql::open(&path)?)?;
    let settings = Settings::default();
    let calls_before = calls(&sandbox);
    let started = Instant::now();

    let salesforce_client = Client::new(&transport, session.clone());
    let connection = sandbox.demo_helpdesk_connection();
    let helpdesk_client = helpdesk::Client::new(&transport, &connection).with_source_id(SOURCE_ID);
    let salesforce = SalesforcePort::load(&salesforce_client).await?;
    let helpdesk = HelpdeskPort::load(&helpdesk_client).await?;
    let mut run = initial::start(&store, settings.sync_type, 0)?;
    let mut peak_storage_bytes = 0;
    let mut last_report = Instant::now();
    while !run.is_finished() {
        let engine = Engine {
            store: &store,
            salesforce: &salesforce,
            helpdesk: &helpdesk,
            settings: &settings,
            now_ms: started.elapsed().as_millis() as i64,
        };
        engine.advance_initial(&mut run).await?;
        peak_storage_bytes = peak_storage_bytes.max(file_bytes(&path));
        if last_report.elapsed().as_secs() >= 10 {
            let done: u64 = run.steps.iter().map(|s| s.done).sum();
            println!(
                "  {:>4.0?}  {} read, {done} applied",
                started.elapsed(),
                run.read
            );
            last_report = Instant::now();
        }
    }
    let wall = started.elapsed();
    let calls_after = calls(&sandbox);
    let after = Counts::read(&sandbox, &session).await?;
    anyhow::ensure!(
        after.helpdesk.1 >= after.salesforce.1 && after.helpdesk.0 >= after.salesforce.0,
        "every Salesforce record reached the helpdesk: {after:?}"
    );
    let (salesforce_minimum, helpdesk_minimum) = before.minimum_calls(&after);
    println!("\nthe engine, natively (SQLite file, measured after every step):");
    Ok(Initial {
        wall,
        salesforce_calls: calls_after.0 - calls_before.0,
        salesforce_minimum,
        helpdesk_calls: calls_after.1 - calls_before.1,
        helpdesk_minimum,
        helpdesk_credits: None,
        peak_storage_bytes,
    }
    .figures(&format!(
        "initial sync {contacts} + {accounts}, engine natively"
    )))
}

/// The database and its write-ahead log.
fn file_bytes(path: &std::path::Path) -> u64 {
    ["", "-wal"]
        .iter()
        .filter_map(|suffix| std::fs::metadata(format!("{}{suffix}", path.display())).ok())
        .map(|meta| meta.len())
        .sum()
}
