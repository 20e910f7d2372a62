//! `cargo xtask bench <target>`: benchmarks that report figures, never pass or fail on
//! them (speed targets live here, not in timed tests).

mod sync;

use crate::{build, tools};

const TARGETS: &str = "sync";

pub fn run(target: Option<&str>) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    match target {
        Some("sync") => {
            tools::ensure_all()?;
            build::all()?;
            runtime.block_on(sync::run())
        }
        _ => anyhow::bail!("usage: cargo xtask bench <{TARGETS}>"),
    }
}
