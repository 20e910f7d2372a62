//! A widely used third-party client, simple-salesforce (PyPI), drives the sandbox org as
//! it is: password-grant token, `query_all` across several pages, create, update,
//! describe, delete, errors, the SOAP login. The client only speaks `https://`, so this
//! also proves the org's HTTPS.
//!
//! Needs `python3` with `venv` and PyPI: the package is installed, pinned, into a virtual
//! environment under the target directory on first use. Without them the test fails; it
//! never skips.

use sandbox::salesforce::BulkSeed;
use sandbox::{Config, demo};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::process::Command;

const SIMPLE_SALESFORCE: &str = "simple-salesforce==1.12.10";
const PINNED_VERSION: &str = "1.12.10";
/// More than one 2,000-record page, and not a round number.
const SEEDED: usize = 4_321;

fn venv_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("simple-salesforce-venv")
}

/// Runs a command to completion within `limit`, failing the test loudly otherwise.
async fn run(what: &str, command: &mut Command, limit: Duration) -> std::process::Output {
    command.kill_on_drop(true);
    let output = tokio::time::timeout(limit, command.output())
        .await
        .unwrap_or_else(|_| panic!("{what} took longer than {limit:?}"))
        .unwrap_or_else(|e| panic!("{what} could not start: {e}"));
    if !output.status.success() {
        panic!(
            "{what} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    output
}

/// The venv's Python with the pinned simple-salesforce, created or repaired as needed.
async fn python_with_simple_salesforce() -> PathBuf {
    let venv = venv_dir();
    let python = venv.join("bin").join("python");
    if !python.exists() {
        run(
            "creating a Python venv (python3 -m venv)",
            Command::new("python3").arg("-m").arg("venv").arg(&venv),
            Duration::from_secs(120),
        )
        .await;
    }
    let installed = Command::new(&python)
        .args([
            "-c",
            "import sys, simple_salesforce; from importlib.metadata import version; \
             sys.stdout.write(version('simple-salesforce'))",
        ])
        .output()
        .await
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    if installed.as_deref() != Some(PINNED_VERSION) {
        run(
            &format!("pip install {SIMPLE_SALESFORCE}"),
            Command::new(&python).args([
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "--quiet",
                SIMPLE_SALESFORCE,
            ]),
            Duration::from_secs(600),
        )
        .await;
    }
    python
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simple_salesforce_works_against_the_sandbox_org_unmodified() {
    let python = python_with_simple_salesforce().await;
    let sandbox = sandbox::start(Config::ephemeral())
        .await
        .expect("the sandbox starts");
    let seeded = sandbox.salesforce().seed_bulk(BulkSeed {
        contacts: SEEDED,
        accounts: 7,
    });
    assert_eq!(seeded.contacts, SEEDED);
    let https_url = sandbox
        .salesforce_https_url()
        .expect("the org answers HTTPS");
    let ca = sandbox.salesforce().tls_ca_pem().expect("a CA");
    let ca_path = venv_dir().join(format!(
        "sandbox-ca-{}.pem",
        https_url.rsplit(':').next().unwrap()
    ));
    std::fs::write(&ca_path, ca).expect("the CA is written");
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("python")
        .join("simple_salesforce_check.py");

    let before = sandbox.salesforce().counters();
    let output = run(
        "the simple-salesforce script",
        Command::new(&python)
            .arg(&script)
            .env("SFDESK_SF_URL", &https_url)
            .env("REQUESTS_CA_BUNDLE", &ca_path)
            .env("SFDESK_SF_USERNAME", demo::ADMIN_USERNAME)
            .env("SFDESK_SF_PASSWORD", demo::ADMIN_PASSWORD)
            .env("SFDESK_SF_CLIENT_ID", demo::CLIENT_ID)
            .env("SFDESK_SF_CLIENT_SECRET", demo::CLIENT_SECRET)
            .env("SFDESK_SF_SEEDED", SEEDED.to_string())
            .env_remove("HTTPS_PROXY")
            .env_remove("https_proxy")
            .env_remove("ALL_PROXY")
            .env_remove("all_proxy"),
        Duration::from_secs(180),
    )
    .await;
    let _ = std::fs::remove_file(&ca_path);
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("{stdout}");
    assert!(
        stdout.contains("simple-salesforce: all checks passed"),
        "the script did not finish:\n{stdout}"
    );

    // The client really went through the org's API: several query pages, the token call.
    let after = sandbox.salesforce().counters();
    let calls = |key: &str| after.get(key) - before.get(key);
    assert!(calls("GET /query/{cursor}") >= 2, "{:?}", after.endpoints);
    assert!(calls("POST /services/oauth2/token") >= 1);
    assert!(calls("POST /services/Soap/u/{version}") >= 1);
    assert!(calls("PATCH /sobjects/{sobject}/{id}") >= 1);
}
