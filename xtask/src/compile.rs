//! Building the two WebAssembly halves: the widget (Trunk) and the edge (worker-build).

use crate::tools::run;
use e2e::repo_root;
use std::process::Command;

/// wasm-opt comes from the npm package binaryen; both Trunk and worker-build use it.
fn path_with_npm_bins() -> std::ffi::OsString {
    let mut paths = vec![repo_root().join("node_modules/.bin")];
    paths.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(paths).expect("PATH entries join")
}

pub fn widget() -> anyhow::Result<()> {
    println!("building the widget (trunk, release)");
    run(Command::new("trunk")
        .args(["build", "--release", "--offline"])
        .current_dir(repo_root().join("widget"))
        .env("PATH", path_with_npm_bins()))
}

pub fn edge() -> anyhow::Result<()> {
    println!("building the edge (worker-build, release)");
    run(Command::new("worker-build")
        .arg("--release")
        .current_dir(repo_root().join("edge"))
        .env("PATH", path_with_npm_bins())
        .env("WASM_BINDGEN_BIN", "wasm-bindgen")
        .env(
            "WASM_OPT_BIN",
            repo_root().join("node_modules/.bin/wasm-opt"),
        ))
}

pub fn all() -> anyhow::Result<()> {
    widget()?;
    edge()
}
