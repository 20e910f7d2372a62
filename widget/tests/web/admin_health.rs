//! Browser tests of the overview's health summary (with the drift check) and of the
//! failure log's CSV export.

use crate::admin_fixtures::{connected, json, sync};
use crate::support::{FetchStub, Mounted, Reply, mount, sleep};
use contract::admin::{
    DRIFT_PATH, DriftView, FAILURES_CSV_PATH, Health, HelpdeskConnectionStatus, SyncState,
};
use contract::history::DriftRun;
use leptos::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;
use widget::admin::failures::{FailureLog, csv_data_url};
use widget::admin::health::{HealthSummary, budget_left, drift_counts};
use widget::api::Client;

fn drift_run(compared: u32, differing: u32) -> DriftRun {
    DriftRun {
        started_ms: 1_765_000_000_000,
        at_ms: 1_765_000_060_000,
        compared,
        differing,
        repaired: differing,
        failed: 0,
    }
}

fn health(drift: DriftView) -> Health {
    Health {
        last_from_salesforce_ms: Some(1_765_000_000_000),
        last_from_helpdesk_ms: None,
        failures_this_week: 3,
        drift,
    }
}

fn idle() -> DriftView {
    DriftView {
        running: None,
        last: Some(drift_run(12, 1)),
        next_due_ms: Some(1_765_086_460_000),
    }
}

#[wasm_bindgen_test]
fn the_budget_and_the_drift_counts_read_plainly() {
    assert_eq!(
        budget_left(Some(1_204), Some(15_000)).as_deref(),
        Some("13,796 of 15,000 calls left today")
    );
    assert_eq!(budget_left(None, Some(15_000)), None);
    assert_eq!(
        drift_counts(&drift_run(12, 1)),
        "12 pairs compared: 1 differed, 1 repaired, 0 failed"
    );
}

fn summary(state: SyncState) -> Mounted {
    mount(move || {
        view! {
            <HealthSummary
                client=Client::new("tok")
                sync=Signal::derive(move || contract::admin::SyncStatus { pending_changes: 3, ..sync(state, vec![]) })
                connection=Signal::derive(|| Some(connected()))
                helpdesk=Signal::derive(|| HelpdeskConnectionStatus::NotConnected)
                health=Signal::derive(|| health(idle()))
            />
        }
    })
}

#[wasm_bindgen_test]
async fn the_overview_shows_health_and_a_drift_check_on_demand() {
    let started = DriftView {
        running: Some(drift_run(0, 0)),
        ..idle()
    };
    let stub = FetchStub::install(vec![Reply::Json(200, json(&started))]);
    let m = summary(SyncState::Live);
    assert!(
        m.text("health-drift")
            .contains("12 pairs compared: 1 differed, 1 repaired"),
        "{}",
        m.html()
    );
    assert!(stub.calls().is_empty(), "the status brings it all");
    assert_eq!(m.text("health-last-from-helpdesk"), "None yet");
    assert_eq!(m.text("health-pending"), "3");
    assert_eq!(m.text("health-failures"), "3");
    assert_eq!(
        m.text("health-salesforce-budget"),
        "13,796 of 15,000 calls left today"
    );
    assert_eq!(m.text("health-helpdesk-budget"), "Not reported yet");
    assert!(
        m.text("health-drift").contains("Next daily check"),
        "{}",
        m.html()
    );

    m.click("check-drift");
    m.wait_for("the check running", |m| {
        m.attr("health-drift", "data-state").as_deref() == Some("running")
    })
    .await;
    assert_eq!(m.text("check-drift"), "Checking…");
    let calls = stub.calls();
    let post = calls.iter().find(|c| c.method == "POST").expect("a POST");
    assert!(post.url.ends_with(DRIFT_PATH), "{}", post.url);
}

#[wasm_bindgen_test]
fn before_the_sync_is_live_a_drift_check_cannot_be_asked_for() {
    let m = summary(SyncState::Paused);
    assert_eq!(m.attr("check-drift", "disabled").as_deref(), Some(""));
}

#[wasm_bindgen_test]
async fn the_failure_log_exports_as_a_csv_download() {
    const CSV: &str = "id,object\r\n7,\"Patel, Maya\"\r\n";
    let stub = FetchStub::install(vec![
        Reply::Json(200, serde_json::json!([])),
        Reply::Raw(200, CSV),
    ]);
    let m = mount(|| view! { <FailureLog client=Client::new("tok") /> });
    sleep(0).await;
    // The download itself is the browser's: record where the link pointed instead.
    js_sys::Function::new_no_args(
        "const a = document.querySelector('[data-testid=export-csv-link]'); \
         a.addEventListener('click', (e) => { e.preventDefault(); globalThis.__sfdeskExported = a.href; });",
    )
    .call0(&wasm_bindgen::JsValue::NULL)
    .unwrap();
    m.click("export-csv");
    let exported = || {
        js_sys::Reflect::get(&js_sys::global(), &"__sfdeskExported".into())
            .ok()
            .and_then(|v| v.as_string())
    };
    for _ in 0..50 {
        if exported().is_some() {
            break;
        }
        sleep(10).await;
    }
    assert_eq!(exported(), Some(csv_data_url(CSV)));
    assert!(csv_data_url(CSV).starts_with("data:text/csv;charset=utf-8,id%2Cobject%0D%0A"));
    assert_eq!(
        m.attr("export-csv-link", "download").as_deref(),
        Some("sfdesk-failures.csv")
    );
    let calls = stub.calls();
    assert!(
        calls.iter().any(|c| c.url.ends_with(FAILURES_CSV_PATH)),
        "{calls:?}"
    );
}
