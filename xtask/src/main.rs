//! `cargo xtask <command>`: the project's set-up, demo and test commands.
//!
//! Every command first makes sure the tools it needs are installed (only what is missing,
//! so a second run spends seconds on it), then builds what it runs.

mod bench;
mod chaos;
mod compile;
mod dev;
mod test;
mod tools;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  dev     build everything, start the sandbox and the edge, print the demo URL (Ctrl-C stops)
  test    run every test: native, widget (headless Chromium), end to end
  chaos   the reliability suite at full size (faults, load, hostile input); writes RELIABILITY.md
  build   build the widget, the extension package (target/extension) and the edge (release),
          as `dev` and `test` do first
  setup   install the tools the other commands need, and nothing else
  bench [<target>] measure and print figures (not a test); with no target, run them all
                   and write BENCHMARKS.md; targets:";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = args.first().cloned().unwrap_or_default();
    let outcome = match command.as_str() {
        "dev" => dev::run(),
        "test" => test::run(),
        "chaos" => chaos::run(),
        "build" => tools::ensure_all().and_then(|()| compile::all()),
        "setup" => tools::ensure_all(),
        "bench" => bench::run(args.get(1).map(String::as_str)),
        _ => {
            eprintln!("{USAGE}\n{}", bench::usage());
            return ExitCode::from(2);
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask {command}: {error:#}");
            ExitCode::FAILURE
        }
    }
}
