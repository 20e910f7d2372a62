//! `cargo xtask bench <target>`: benchmarks, not tests. Each target builds what it needs,
//! measures, and prints its figures; none of them fails on a number.
//!
//! A target is one module with a `run` function and one entry in [`TARGETS`].

mod sync;
mod widget;

struct Target {
    name: &'static str,
    about: &'static str,
    run: fn() -> anyhow::Result<()>,
}

const TARGETS: &[Target] = &[
    Target {
        name: "widget",
        about: "widget size, Salesforce calls per view, edge latency cold and warm, time to data in Chromium",
        run: widget::run,
    },
    Target {
        name: "sync",
        about: "initial sync of 100,000 contacts and 10,000 accounts through the edge; edit latency",
        run: sync::run,
    },
];

/// What `cargo xtask bench` offers, for the usage text.
pub fn usage() -> String {
    TARGETS
        .iter()
        .map(|target| format!("  bench {:<8}{}", target.name, target.about))
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn run(target: Option<&str>) -> anyhow::Result<()> {
    match TARGETS.iter().find(|t| Some(t.name) == target) {
        Some(target) => (target.run)(),
        None => anyhow::bail!(
            "name a benchmark: cargo xtask bench <target>\n\ntargets:\n{}",
            usage()
        ),
    }
}
