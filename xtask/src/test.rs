//! `cargo xtask test`: every test, in three suites, each reported.

use crate::{compile, tools};
use anyhow::bail;
use std::process::Command;
use std::time::Instant;

struct Suite {
    name: &'static str,
    command: Command,
}

fn suites() -> anyhow::Result<Vec<Suite>> {
    let mut native = Command::new("cargo");
    native.args([
        "test", "-p", "contract", "-p", "shared", "-p", "sandbox", "-p", "xtask", "-p", "edge",
    ]);

    let mut widget = Command::new("cargo");
    widget
        .args(["test", "-p", "widget", "--target", "wasm32-unknown-unknown"])
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
            "wasm-bindgen-test-runner",
        )
        .env("CHROMEDRIVER", "/usr/bin/chromedriver")
        // The flags the widget ships with (`erase_components` changes how Leptos renders).
        .env("CARGO_ENCODED_RUSTFLAGS", compile::widget_rustflags()?);

    let mut end_to_end = Command::new("cargo");
    end_to_end.args(["test", "-p", "e2e"]);

    Ok(vec![
        Suite {
            name: "native (contract, shared, sandbox, xtask, edge)",
            command: native,
        },
        Suite {
            name: "widget in headless Chromium",
            command: widget,
        },
        Suite {
            name: "end to end (sandbox + wrangler dev + Chromium)",
            command: end_to_end,
        },
    ])
}

pub fn run() -> anyhow::Result<()> {
    let started = Instant::now();
    tools::ensure_all()?;
    compile::all()?;
    let mut failed = Vec::new();
    for mut suite in suites()? {
        println!("\n=== {} ===", suite.name);
        if let Err(error) = tools::run(&mut suite.command) {
            eprintln!("{error:#}");
            failed.push(suite.name);
        }
    }
    println!("\ncargo xtask test finished in {:.0?}", started.elapsed());
    if !failed.is_empty() {
        bail!("failed suites: {}", failed.join(", "));
    }
    println!("all suites passed");
    Ok(())
}
