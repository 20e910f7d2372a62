//! `cargo xtask bench peers`: all 100,000 contacts read from the sandbox org with our
//! client (`shared::salesforce`, by `peers/read_ours`), with simple-salesforce's
//! `query_all` (Python) and with jsforce's `autoFetch` (Node): same SOQL, same org, same
//! machine, each timed inside its own process from the first request to the last record
//! parsed, best of [`RUNS`] rounds (the slowest beside it). Ours is built with the release
//! profile the edge ships with (the bench itself is a dev build), as the peers run as
//! their users run them.

use super::Figure;
use crate::tools;
use e2e::{ReqwestTransport, repo_root};
use shared::salesforce::OAuthApp;
use std::path::{Path, PathBuf};
use tokio::process::Command;

const CONTACTS: usize = 100_000;
/// Rounds of reads; each reader's best counts.
const RUNS: usize = 5;
const OURS: &str = "ours (shared::salesforce, release, HTTP)";
/// The fields the sync reads of a contact.
const SOQL: &str =
    "SELECT Id, FirstName, LastName, Email, Phone, Title, AccountId, SystemModstamp FROM Contact";

pub fn run() -> anyhow::Result<Vec<Figure>> {
    let python = tools::ensure_simple_salesforce()?;
    let reader = build_ours()?;
    tokio::runtime::Runtime::new()?.block_on(measure(&python, &reader))
}

/// `read_ours`, built in release (the first time, a few minutes).
fn build_ours() -> anyhow::Result<PathBuf> {
    println!("building our reader (release)");
    tools::run(
        std::process::Command::new("cargo")
            .args(["build", "--quiet", "--release", "--package", "read-ours"])
            .current_dir(repo_root()),
    )?;
    // Cargo reads a relative CARGO_TARGET_DIR from where it runs: the repository here.
    let target = std::env::var_os("CARGO_TARGET_DIR").unwrap_or_else(|| "target".into());
    Ok(repo_root().join(target).join("release/read_ours"))
}

async fn measure(python: &Path, reader: &Path) -> anyhow::Result<Vec<Figure>> {
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
    let (instance_url, access_token) = (tokens.instance_url, tokens.access_token);
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

    let scripts = repo_root().join("xtask/src/bench/peers");
    let peer = |program: &Path, script: Option<&str>, url: &str| {
        let mut command = Command::new(program);
        command
            .args(script.map(|script| scripts.join(script)))
            .current_dir(repo_root())
            .env("SFDESK_SF_URL", url)
            .env("SFDESK_SF_TOKEN", &access_token)
            .env("SFDESK_SOQL", SOQL)
            .env("REQUESTS_CA_BUNDLE", &ca)
            .env("NODE_EXTRA_CA_CERTS", &ca);
        command
    };
    let node = Path::new("node");
    let readers = [
        (OURS, reader, None, instance_url.as_str()),
        (
            "simple-salesforce query_all (HTTPS only)",
            python,
            Some("read_simple_salesforce.py"),
            &https_url,
        ),
        (
            "jsforce autoFetch, HTTP",
            node,
            Some("read_jsforce.js"),
            &instance_url,
        ),
        (
            "jsforce autoFetch, HTTPS",
            node,
            Some("read_jsforce.js"),
            &https_url,
        ),
    ];
    // Each round runs every reader once, in turn, so that the machine's changing load
    // (other work on the same cores) falls on all of them alike; each keeps its best, and
    // the slowest round shows how much the load moved it.
    let mut rounds: [Vec<f64>; 4] = Default::default();
    for _ in 0..RUNS {
        for ((name, program, script, url), times) in readers.iter().zip(&mut rounds) {
            let (records, seconds) = script_run(&mut peer(program, *script, url)).await?;
            anyhow::ensure!(
                records >= CONTACTS,
                "{name} read {records} of {CONTACTS} contacts"
            );
            times.push(seconds);
        }
    }
    let best = rounds
        .each_ref()
        .map(|times| times.iter().copied().fold(f64::INFINITY, f64::min));
    let slowest = |times: &[f64]| times.iter().copied().fold(0.0, f64::max);
    let (waiting, parsing) = ours_split(peer(reader, None, &instance_url).arg("--split")).await?;
    let ours = best[0];

    let figure = |reader: usize| {
        let (name, seconds) = (readers[reader].0, best[reader]);
        let line = format!(
            "{seconds:.2} s ({:.0} records/s, slowest round {:.2} s); ours / it = {:.2}",
            CONTACTS as f64 / seconds,
            slowest(&rounds[reader]),
            ours / seconds
        );
        println!("  {name:<45} {line}");
        Figure::new(format!("read of {CONTACTS} contacts: {name}"), line).target("ratio < 1.0")
    };
    let ours_line = format!(
        "{ours:.2} s ({:.0} records/s, slowest round {:.2} s)",
        CONTACTS as f64 / ours,
        slowest(&rounds[0])
    );
    println!("  {OURS:<45} {ours_line}");
    let split = format!("{waiting:.2} s waiting for the org, {parsing:.2} s parsing");
    println!("  {:<45} {split}", "ours, split");
    Ok(vec![
        Figure::new(format!("read of {CONTACTS} contacts: {OURS}"), ours_line),
        Figure::new("ours, the same pages: where the time goes", split),
        figure(1),
        figure(2),
        figure(3),
    ])
}

/// Where our time goes: `read_ours --split` fetches the same pages as bytes one after
/// another (the org's answers and the transport), then decodes them (timed apart).
async fn ours_split(command: &mut Command) -> anyhow::Result<(f64, f64)> {
    let [records, waiting, decoding] = printed(command).await?[..] else {
        anyhow::bail!("{command:?} printed no split");
    };
    anyhow::ensure!(
        records as usize >= CONTACTS,
        "decoded {records} of {CONTACTS} contacts"
    );
    Ok((waiting, decoding))
}

/// Runs a reader, which prints `<records> <seconds>`.
async fn script_run(command: &mut Command) -> anyhow::Result<(usize, f64)> {
    match printed(command).await?[..] {
        [records, seconds] => Ok((records as usize, seconds)),
        _ => anyhow::bail!("{command:?} printed no `<records> <seconds>`"),
    }
}

/// The numbers a reader printed, in order.
async fn printed(command: &mut Command) -> anyhow::Result<Vec<f64>> {
    let output = command.output().await?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    anyhow::ensure!(
        output.status.success(),
        "{command:?} failed: {}{}",
        stdout,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
        .split_whitespace()
        .map(|word| word.parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| anyhow::anyhow!("{command:?} printed {stdout:?}"))
}
