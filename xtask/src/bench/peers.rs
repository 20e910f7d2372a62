//! `cargo xtask bench peers`: all 100,000 contacts read from the sandbox org with our
//! client (`shared::salesforce`), with simple-salesforce's `query_all` (Python) and with
//! jsforce's `autoFetch` (Node): same SOQL, same org, same machine, each timed inside its
//! own process from the first request to the last record parsed, best of [`RUNS`].

use super::Figure;
use crate::tools;
use e2e::{ReqwestTransport, repo_root};
use serde_json::{Map, Value};
use shared::salesforce::{Client, OAuthApp, Scope, Session};
use std::path::Path;
use std::time::Instant;
use tokio::process::Command;

const CONTACTS: usize = 100_000;
const RUNS: usize = 3;
/// The fields the sync reads of a contact.
const SOQL: &str =
    "SELECT Id, FirstName, LastName, Email, Phone, Title, AccountId, SystemModstamp FROM Contact";

pub fn run() -> anyhow::Result<Vec<Figure>> {
    let python = tools::ensure_simple_salesforce()?;
    tokio::runtime::Runtime::new()?.block_on(measure(&python))
}

async fn measure(python: &Path) -> anyhow::Result<Vec<Figure>> {
    let sandbox = sandbox::start(sandbox::Config::ephemeral()).await?;
    sandbox
        .salesforce()
        .seed_bulk(sandbox::salesforce::BulkSeed {
            contacts: CONTACTS,
            accounts: 0,
        });
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
    let https_url = sandbox
        .salesforce_https_url()
        .ok_or_else(|| anyhow::anyhow!("the sandbox org answers HTTPS"))?;
    let dir = repo_root().join("target/bench");
    std::fs::create_dir_all(&dir)?;
    let ca = dir.join("sandbox-ca.pem");
    std::fs::write(
        &ca,
        sandbox
            .salesforce()
            .tls_ca_pem()
            .ok_or_else(|| anyhow::anyhow!("the sandbox org has a CA"))?,
    )?;

    let ours = best_of(async || {
        let client = Client::new(&transport, session.clone());
        let started = Instant::now();
        let records: Vec<Map<String, Value>> = client.query_all_pages(SOQL, Scope::Live).await?;
        Ok((records.len(), started.elapsed().as_secs_f64()))
    })
    .await?;
    let (waiting, parsing) = ours_split(&session).await?;
    let scripts = repo_root().join("xtask/src/bench/peers");
    let peer = |program: &Path, script: &str, url: &str| {
        let mut command = Command::new(program);
        command
            .arg(scripts.join(script))
            .current_dir(repo_root())
            .env("SFDESK_SF_URL", url)
            .env("SFDESK_SF_TOKEN", &session.access_token)
            .env("SFDESK_SOQL", SOQL)
            .env("REQUESTS_CA_BUNDLE", &ca)
            .env("NODE_EXTRA_CA_CERTS", &ca);
        command
    };
    let node = Path::new("node");
    let simple_salesforce = best_of(async || {
        script_run(&mut peer(python, "read_simple_salesforce.py", &https_url)).await
    })
    .await?;
    let jsforce_http = best_of(async || {
        script_run(&mut peer(node, "read_jsforce.js", &session.instance_url)).await
    })
    .await?;
    let jsforce_https =
        best_of(async || script_run(&mut peer(node, "read_jsforce.js", &https_url)).await).await?;

    let figure = |name: &str, seconds: f64| {
        let line = format!(
            "{seconds:.2} s ({:.0} records/s); ours / it = {:.2}",
            CONTACTS as f64 / seconds,
            ours / seconds
        );
        println!("  {name:<45} {line}");
        Figure::new(format!("read of {CONTACTS} contacts: {name}"), line).target("ratio < 1.0")
    };
    let ours_line = format!("{ours:.2} s ({:.0} records/s)", CONTACTS as f64 / ours);
    println!("  {:<45} {ours_line}", "ours (shared::salesforce, HTTP)");
    let split = format!("{waiting:.2} s waiting for the org, {parsing:.2} s parsing");
    println!("  {:<45} {split}", "ours, split");
    Ok(vec![
        Figure::new(
            format!("read of {CONTACTS} contacts: ours (shared::salesforce, HTTP)"),
            ours_line,
        ),
        Figure::new("ours, the same pages: where the time goes", split),
        figure(
            "simple-salesforce query_all (HTTPS only)",
            simple_salesforce,
        ),
        figure("jsforce autoFetch, HTTP", jsforce_http),
        figure("jsforce autoFetch, HTTPS", jsforce_https),
    ])
}

/// The pages our client reads, fetched as bytes (timed: the org's answer and the
/// transport), then parsed as our client parses them (timed apart). The locator of the
/// next page is read without building the records.
async fn ours_split(session: &Session) -> anyhow::Result<(f64, f64)> {
    let http = reqwest::Client::new();
    let first = http
        .get(format!(
            "{}/services/data/{}/query",
            session.instance_url,
            shared::salesforce::API_VERSION
        ))
        .query(&[("q", SOQL)]);
    let mut next = Some(first);
    let mut bodies = Vec::new();
    let started = Instant::now();
    while let Some(request) = next {
        let body = request
            .bearer_auth(&session.access_token)
            .send()
            .await?
            .error_for_status()?
            .bytes()
            .await?;
        next =
            next_records_url(&body).map(|path| http.get(format!("{}{path}", session.instance_url)));
        bodies.push(body);
    }
    let waiting = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let mut records = 0;
    for body in &bodies {
        let page: shared::salesforce::QueryResponse<Map<String, Value>> =
            serde_json::from_slice(body)?;
        records += page.records.len();
    }
    anyhow::ensure!(
        records >= CONTACTS,
        "parsed {records} of {CONTACTS} contacts"
    );
    Ok((waiting, started.elapsed().as_secs_f64()))
}

/// A page's `nextRecordsUrl`, found without parsing the page (Salesforce writes it
/// before the records; a locator has no quote or backslash).
fn next_records_url(body: &[u8]) -> Option<String> {
    const KEY: &[u8] = b"\"nextRecordsUrl\":\"";
    let start = body.windows(KEY.len()).position(|w| w == KEY)? + KEY.len();
    let len = body[start..].iter().position(|b| *b == b'"')?;
    String::from_utf8(body[start..start + len].to_vec()).ok()
}

/// The fastest of [`RUNS`] reads, in seconds; each must return every contact.
async fn best_of(
    mut read: impl AsyncFnMut() -> anyhow::Result<(usize, f64)>,
) -> anyhow::Result<f64> {
    let mut best = f64::INFINITY;
    for _ in 0..RUNS {
        let (records, seconds) = read().await?;
        anyhow::ensure!(records >= CONTACTS, "read {records} of {CONTACTS} contacts");
        best = best.min(seconds);
    }
    Ok(best)
}

/// Runs a peer's script, which prints `<records> <seconds>`.
async fn script_run(command: &mut Command) -> anyhow::Result<(usize, f64)> {
    let output = command.output().await?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    anyhow::ensure!(
        output.status.success(),
        "{command:?} failed: {}{}",
        stdout,
        String::from_utf8_lossy(&output.stderr)
    );
    let mut words = stdout.split_whitespace();
    let parsed = (|| Some((words.next()?.parse().ok()?, words.next()?.parse().ok()?)))();
    parsed.ok_or_else(|| anyhow::anyhow!("{command:?} printed {stdout:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_next_page_without_parsing() {
        let page = br#"{"totalSize":3,"done":false,"nextRecordsUrl":"/services/data/v64.0/query/01gX-2000","records":[]}"#;
        assert_eq!(
            next_records_url(page).as_deref(),
            Some("/services/data/v64.0/query/01gX-2000")
        );
        assert_eq!(next_records_url(br#"{"done":true,"records":[]}"#), None);
    }
}
