//! `cargo xtask bench [<target>]`: benchmarks, not tests. Each target builds what it
//! needs, measures, and returns its figures; none of them fails on a number. With no
//! target, every target runs and `BENCHMARKS.md` is written (see [`report`]).
//!
//! A target is one module with a `run` function and one entry in [`TARGETS`].

mod engine;
mod peers;
mod report;
mod sync;
mod widget;

use crate::{compile, tools};
use std::time::Instant;

struct Target {
    name: &'static str,
    about: &'static str,
    /// Whether it runs the widget or the edge, which are built (WebAssembly) first.
    wasm: bool,
    run: fn() -> anyhow::Result<Vec<Figure>>,
}

const TARGETS: &[Target] = &[
    Target {
        name: "sync",
        about: "initial sync of 100,000 contacts and 10,000 accounts through the edge, edit latency both ways, a 100,000-contact data load caught up",
        wasm: true,
        run: sync::run,
    },
    Target {
        name: "engine",
        about: "the same initial sync with the engine run natively (SQLite file), for comparison",
        wasm: false,
        run: engine::run,
    },
    Target {
        name: "peers",
        about: "reading 100,000 contacts: our client, simple-salesforce (query_all), jsforce (autoFetch)",
        wasm: false,
        run: peers::run,
    },
    Target {
        name: "widget",
        about: "widget size, Salesforce calls per view, edge latency cold and warm, time to data in Chromium",
        wasm: true,
        run: widget::run,
    },
];

/// One measured figure, as printed and as BENCHMARKS.md lists it.
#[derive(Debug, Clone)]
pub struct Figure {
    pub name: String,
    pub value: String,
    /// The target for it, or "-".
    pub target: &'static str,
}

impl Figure {
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Figure {
        Figure {
            name: name.into(),
            value: value.into(),
            target: "-",
        }
    }

    pub fn target(mut self, target: &'static str) -> Figure {
        self.target = target;
        self
    }
}

/// What `cargo xtask bench` offers, for the usage text.
pub fn usage() -> String {
    TARGETS
        .iter()
        .map(|target| format!("  bench {:<8}{}", target.name, target.about))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Milliseconds at the `p`th percentile of samples sorted ascending (nearest rank).
pub fn percentile(sorted_ms: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * (sorted_ms.len() - 1) as f64).round() as usize;
    sorted_ms[rank]
}

pub fn run(target: Option<&str>) -> anyhow::Result<()> {
    tools::ensure_all()?;
    let chosen: Vec<&Target> = match target {
        None => TARGETS.iter().collect(),
        Some(name) => match TARGETS.iter().find(|t| t.name == name) {
            Some(target) => vec![target],
            None => anyhow::bail!(
                "no benchmark {name:?}: cargo xtask bench [<target>]\n\ntargets:\n{}",
                usage()
            ),
        },
    };
    if chosen.iter().any(|target| target.wasm) {
        compile::all()?;
    }
    let started = Instant::now();
    let mut sections = Vec::new();
    for target in chosen {
        println!("\n=== bench {} ===", target.name);
        let target_started = Instant::now();
        let date = report::today();
        // A target that fails is reported, and the others still run.
        let outcome = (target.run)();
        let section = report::Section {
            target: target.name,
            date,
            seconds: target_started.elapsed().as_secs(),
            outcome: outcome.map_err(|error| format!("{error:#}")),
        };
        println!("\n{}", report::section_table(&section));
        sections.push(section);
    }
    let path = e2e::repo_root().join("BENCHMARKS.md");
    if target.is_none() {
        std::fs::write(&path, report::write(&sections, started.elapsed().as_secs()))?;
        println!("wrote BENCHMARKS.md");
    } else if let Some(refreshed) = std::fs::read_to_string(&path)
        .ok()
        .and_then(|report| report::refresh(&report, &sections[0]))
    {
        std::fs::write(&path, refreshed)?;
        println!("refreshed its section of BENCHMARKS.md");
    }
    let failed: Vec<&str> = sections
        .iter()
        .filter(|s| s.outcome.is_err())
        .map(|s| s.target)
        .collect();
    anyhow::ensure!(failed.is_empty(), "did not finish: {}", failed.join(", "));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_take_the_nearest_rank() {
        let samples: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&samples, 50.0), 51.0);
        assert_eq!(percentile(&samples, 95.0), 95.0);
        assert_eq!(percentile(&samples, 99.0), 99.0);
        assert_eq!(percentile(&[7.0], 99.0), 7.0);
    }
}
