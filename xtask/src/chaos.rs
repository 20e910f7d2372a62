//! `cargo xtask chaos`: the reliability suite at full size, and its report.
//!
//! Runs the property tests of `contract` and `shared` with many more cases, the
//! hostile-input and at-rest end-to-end tests, and the fault and load scenarios of the
//! end-to-end `chaos` module (`tests/tests/e2e/chaos.rs`) with `SFDESK_CHAOS=full`; prints
//! one table of what each did and found, and writes it to `RELIABILITY.md` with the date
//! and the machine.

use crate::{compile, tools};
use e2e::repo_root;
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// Property-test cases per property at full size (the quick suite runs each file's own).
const FULL_PROPTEST_CASES: &str = "20000";

struct Step {
    scenario: &'static str,
    size: &'static str,
    injected: &'static str,
    /// What passing shows.
    holds: &'static str,
    command: Command,
}

fn cargo(args: &[&str]) -> Command {
    let mut command = Command::new("cargo");
    command.args(args);
    command
}

fn steps() -> Vec<Step> {
    let mut fuzz = cargo(&["test", "-p", "contract", "-p", "shared", "--lib", "fuzz"]);
    fuzz.env("PROPTEST_CASES", FULL_PROPTEST_CASES);
    vec![
        Step {
            scenario: "fuzz: SOQL builder, webhook parsers, mapping validator",
            size: "20,000 cases per property (11 properties)",
            injected: "hostile strings, spliced JSON and XML, random bytes, random mappings",
            holds: "yes: no panic; every string one literal that reads back as itself; mapping issues name real problems",
            command: fuzz,
        },
        Step {
            scenario: "hostile input",
            size: "3 stacks, ~90 requests",
            injected: "bad/missing/expired signatures, wrong key and org, malformed and 2 MB bodies, replays ×10, forged/expired/other-org tokens, agents on every admin path, SOQL injection, values at limits, invalid mappings, bad OAuth state, reused code",
            holds: "yes: every case a specific 4xx and message, nothing stored, org state unchanged; extreme values identical on both sides",
            command: cargo(&["test", "-p", "e2e", "--test", "e2e", "hostile_input::"]),
        },
        Step {
            scenario: "tokens at rest",
            size: "every file of the Durable Object's storage, the log, every answer",
            injected: "token renewal mid-run",
            holds: "yes: no access or refresh token in the SQLite files, the wrangler log or any answer",
            command: cargo(&["test", "-p", "e2e", "--test", "e2e", "at_rest::"]),
        },
        Step {
            scenario: "Durable Object races",
            size: "5 stacks; one Salesforce call held at the door each",
            injected: "a pause, a delete, a retry, two renewals and a webhook while a sync slice (or a renewal) awaits Salesforce",
            holds: "yes: the pause stands, the delete leaves nothing behind, the retried record is created once, the session is renewed once, the webhook is acknowledged at once",
            command: cargo(&["test", "-p", "e2e", "--test", "e2e", "sync_live::races::"]),
        },
        Step {
            scenario: "catch-up of a data load",
            size: "100,000 contacts changed without notifications",
            injected: "every Outbound Message lost",
            holds: "yes: each catch-up step is one query of at most 200 records by SystemModstamp, every change reaches the helpdesk",
            command: cargo(&[
                "test",
                "-p",
                "shared",
                "--test",
                "against_sandbox",
                "caught_up_in_bounded_steps",
                "--",
                "--nocapture",
            ]),
        },
        Step {
            scenario: "",
            size: "",
            injected: "",
            holds: "",
            command: cargo(&[
                "test",
                "-p",
                "e2e",
                "--test",
                "e2e",
                "chaos::",
                "--",
                "--test-threads=1",
            ]),
        },
    ]
}

struct Line {
    scenario: String,
    size: String,
    injected: String,
    compared: String,
    lost: String,
    duplicated: String,
    expected: String,
    seconds: u64,
}

pub fn run() -> anyhow::Result<()> {
    let started = Instant::now();
    tools::ensure_all()?;
    compile::all()?;
    let rows_dir = repo_root().join("target/chaos/rows");
    let _ = std::fs::remove_dir_all(&rows_dir);
    std::fs::create_dir_all(&rows_dir)?;

    let mut lines = Vec::new();
    let mut failed = Vec::new();
    for mut step in steps() {
        let step_started = Instant::now();
        step.command
            .current_dir(repo_root())
            .env("SFDESK_CHAOS", "full")
            .env("SFDESK_CHAOS_REPORT", &rows_dir);
        println!("\n=== chaos: {} ===", display_name(&step));
        let outcome = tools::run(&mut step.command);
        if let Err(error) = &outcome {
            eprintln!("{error:#}");
            failed.push(display_name(&step));
        }
        if step.scenario.is_empty() {
            continue;
        }
        lines.push(Line {
            scenario: step.scenario.into(),
            size: step.size.into(),
            injected: step.injected.into(),
            compared: "-".into(),
            lost: "-".into(),
            duplicated: "-".into(),
            expected: if outcome.is_ok() {
                step.holds.into()
            } else {
                "NO (see the output above)".into()
            },
            seconds: step_started.elapsed().as_secs(),
        });
    }
    // The scenario rows, as each scenario wrote them.
    lines.extend(scenario_rows(&rows_dir)?);
    for expected in [
        "initial sync under faults",
        "ongoing sync under faults",
        "revoked refresh token",
        "edge killed mid-sync",
        "webhook load",
        "concurrent panels",
    ] {
        if !lines.iter().any(|l| l.scenario == expected) {
            lines.push(Line {
                scenario: expected.into(),
                size: "-".into(),
                injected: "-".into(),
                compared: "-".into(),
                lost: "-".into(),
                duplicated: "-".into(),
                expected: "NO: the scenario failed (see the output above)".into(),
                seconds: 0,
            });
        }
    }

    let table = table(&lines);
    let elapsed = started.elapsed();
    println!("\n{table}");
    println!("cargo xtask chaos finished in {:.0?}", elapsed);
    std::fs::write(
        repo_root().join("RELIABILITY.md"),
        report(&table, elapsed.as_secs(), failed.is_empty()),
    )?;
    println!("wrote RELIABILITY.md");
    if !failed.is_empty() {
        anyhow::bail!("failed: {}", failed.join(", "));
    }
    Ok(())
}

fn display_name(step: &Step) -> String {
    if step.scenario.is_empty() {
        "fault and load scenarios".into()
    } else {
        step.scenario.into()
    }
}

fn scenario_rows(dir: &Path) -> anyhow::Result<Vec<Line>> {
    let mut rows = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(dir)?
        .flatten()
        .map(|e| e.path())
        .collect();
    paths.sort();
    for path in paths {
        let row: Value = serde_json::from_slice(&std::fs::read(&path)?)?;
        let text = |key: &str| match &row[key] {
            Value::String(s) => s.clone(),
            Value::Null => "-".into(),
            other => other.to_string(),
        };
        rows.push(Line {
            scenario: text("scenario"),
            size: text("size"),
            injected: text("injected"),
            compared: text("compared"),
            lost: text("lost"),
            duplicated: text("duplicated"),
            expected: text("errors_as_expected"),
            seconds: row["seconds"].as_u64().unwrap_or(0),
        });
    }
    Ok(rows)
}

fn table(lines: &[Line]) -> String {
    let cell = |text: &str| text.replace('|', "\\|").replace('\n', " ");
    let mut out = String::from(
        "| scenario | size | injected | records compared | lost | duplicated | errors as expected | time |\n\
         |---|---|---|---:|---:|---:|---|---:|\n",
    );
    for line in lines {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} s |\n",
            cell(&line.scenario),
            cell(&line.size),
            cell(&line.injected),
            line.compared,
            line.lost,
            line.duplicated,
            cell(&line.expected),
            line.seconds
        ));
    }
    out
}

pub(crate) fn command_output(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

pub(crate) fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, model)| model.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| {
            let kb: u64 = info
                .lines()
                .find(|l| l.starts_with("MemTotal"))?
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()?;
            Some(format!("{:.1} GB RAM", kb as f64 / 1024.0 / 1024.0))
        })
        .unwrap_or_default();
    format!(
        "{} ({cores} cores, {cpu}, {memory})",
        command_output("uname", &["-srm"])
    )
}

fn report(table: &str, seconds: u64, passed: bool) -> String {
    format!(
        "# Reliability\n\n\
         Produced by `cargo xtask chaos` (the full suite: `SFDESK_CHAOS=full`); `cargo xtask test` \
         runs the same scenarios at a smaller size. Rerun it to refresh this file.\n\n\
         - date: {}\n\
         - machine: {}\n\
         - run time: {} min {} s; {}\n\n\
         Each sync scenario ends by comparing both sides record by record through the default \
         mapping (contacts by email, or by name without one; accounts by name): *lost* counts \
         records on one side only, *duplicated* counts records held twice on one side plus mapped \
         fields that disagree (half-written). Faults are injected by the sandboxes \
         (`/__sandbox/faults` on each) or by the test itself (replayed, reordered and delayed \
         deliveries, a killed `wrangler dev`).\n\n\
         {table}\n\
         Sources: `tests/tests/e2e/chaos.rs` (faults and load), \
         `tests/tests/e2e/hostile_input.rs`, `tests/tests/e2e/at_rest.rs`, and the `fuzz` \
         modules beside `shared/src/soql.rs`, \
         `shared/src/helpdesk/webhooks.rs`, `shared/src/salesforce/outbound.rs` and \
         `contract/src/mapping.rs`.\n",
        command_output("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
        machine(),
        seconds / 60,
        seconds % 60,
        if passed {
            "every row holds"
        } else {
            "SOME ROWS FAILED"
        },
    )
}
