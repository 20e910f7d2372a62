//! Installing what the build and tests need, idempotently: each check is a version probe,
//! and only a missing or wrong tool is installed.

use anyhow::{Context, bail};
use e2e::repo_root;
use std::process::Command;

const WORKER_BUILD_VERSION: &str = "0.8.7";
/// Trunk 0.22 needs a newer rustc than this project's toolchain.
const TRUNK_VERSION: &str = "0.21.14";

pub fn ensure_all() -> anyhow::Result<()> {
    ensure_wasm_target()?;
    let wasm_bindgen = locked_version("wasm-bindgen")?;
    // Not `--locked`: one of its locked dependencies was yanked from crates.io.
    ensure_cargo_tool(
        "wasm-bindgen",
        &wasm_bindgen,
        &["wasm-bindgen-cli", "--version", &wasm_bindgen],
    )?;
    ensure_cargo_tool(
        "worker-build",
        WORKER_BUILD_VERSION,
        &[
            "worker-build",
            "--version",
            WORKER_BUILD_VERSION,
            "--locked",
        ],
    )?;
    ensure_cargo_tool(
        "trunk",
        TRUNK_VERSION,
        &["trunk", "--version", TRUNK_VERSION, "--locked"],
    )?;
    ensure_npm_packages()?;
    ensure_chromium()
}

/// Runs a command, failing with its name if it fails.
pub fn run(command: &mut Command) -> anyhow::Result<()> {
    let status = command
        .status()
        .with_context(|| format!("could not start {command:?}"))?;
    if !status.success() {
        bail!("{command:?} failed ({status})");
    }
    Ok(())
}

fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn ensure_wasm_target() -> anyhow::Result<()> {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if !installed
        .lines()
        .any(|t| t.trim() == "wasm32-unknown-unknown")
    {
        println!("installing the wasm32-unknown-unknown target");
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    Ok(())
}

/// The version of `package` that Cargo.lock pins.
fn locked_version(package: &str) -> anyhow::Result<String> {
    let lock = std::fs::read_to_string(repo_root().join("Cargo.lock"))?;
    version_in_lock(&lock, package).with_context(|| format!("{package} is not in Cargo.lock"))
}

fn version_in_lock(lock: &str, package: &str) -> Option<String> {
    let marker = format!("name = \"{package}\"\nversion = \"");
    let start = lock.find(&marker)? + marker.len();
    Some(lock[start..start + lock[start..].find('"')?].to_owned())
}

/// `binary --version` prints e.g. `trunk 0.21.14`; is it `version`?
fn reports_version(version_output: &str, version: &str) -> bool {
    version_output
        .split_whitespace()
        .any(|word| word.trim_start_matches('v') == version)
}

fn ensure_cargo_tool(binary: &str, version: &str, install_args: &[&str]) -> anyhow::Result<()> {
    if output(binary, &["--version"]).is_some_and(|out| reports_version(&out, version)) {
        return Ok(());
    }
    println!("installing {binary} {version} (first time only; this compiles for a few minutes)");
    run(Command::new("cargo").arg("install").args(install_args))
}

/// `npm ci` when node_modules does not match package-lock.json.
fn ensure_npm_packages() -> anyhow::Result<()> {
    let root = repo_root();
    let lock =
        std::fs::read(root.join("package-lock.json")).context("reading package-lock.json")?;
    let stamp_path = root.join("node_modules/.sfdesk-lock");
    if std::fs::read(&stamp_path).is_ok_and(|stamp| stamp == lock) {
        return Ok(());
    }
    println!("installing npm packages (wrangler, binaryen, jsforce)");
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&root))?;
    std::fs::write(stamp_path, lock)?;
    Ok(())
}

/// simple-salesforce, at the version the sandbox's own test pins
/// (`sandbox/tests/http/salesforce_simple_salesforce.rs`), in the virtual environment that
/// test makes under the target directory: its Python, for `cargo xtask bench peers`.
pub fn ensure_simple_salesforce() -> anyhow::Result<std::path::PathBuf> {
    const PINNED: &str = "simple-salesforce==1.12.10";
    let venv = repo_root().join("target/tmp/simple-salesforce-venv");
    let python = venv.join("bin/python");
    if !python.exists() {
        println!("creating a Python venv for simple-salesforce");
        run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
    }
    let installed = output(
        python.to_str().context("a UTF-8 path")?,
        &["-m", "pip", "show", "simple-salesforce"],
    )
    .is_some_and(|out| reports_version(&out, PINNED.trim_start_matches("simple-salesforce==")));
    if !installed {
        println!("installing {PINNED}");
        run(Command::new(&python).args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            PINNED,
        ]))?;
    }
    Ok(python)
}

fn ensure_chromium() -> anyhow::Result<()> {
    if ["/usr/bin/chromium", "/usr/bin/chromedriver"]
        .iter()
        .all(|p| std::path::Path::new(p).exists())
    {
        return Ok(());
    }
    println!("installing chromium and chromium-driver from Debian");
    run(Command::new("apt-get").arg("update").arg("-qq"))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-qq", "chromium", "chromium-driver"])
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_locked_version() {
        let lock = "[[package]]\nname = \"wasm-bindgen-futures\"\nversion = \"0.4.1\"\n\n[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n";
        assert_eq!(
            version_in_lock(lock, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(version_in_lock(lock, "trunk"), None);
    }

    #[test]
    fn this_workspace_pins_wasm_bindgen() {
        let version = locked_version("wasm-bindgen").unwrap();
        let manifest = std::fs::read_to_string(repo_root().join("Cargo.toml")).unwrap();
        assert!(
            manifest.contains(&format!("wasm-bindgen = \"={version}\"")),
            "Cargo.toml must pin wasm-bindgen to {version}"
        );
    }

    #[test]
    fn matches_version_output() {
        assert!(reports_version("trunk 0.21.14\n", "0.21.14"));
        assert!(reports_version("wasm-bindgen 0.2.130", "0.2.130"));
        assert!(reports_version("worker-build v0.8.7", "0.8.7"));
        assert!(!reports_version("trunk 0.21.1", "0.21.14"));
    }
}
