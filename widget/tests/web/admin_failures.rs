//! Browser tests of the failure log: each failure, the type filter and retries.

use crate::admin_fixtures::{failures, json};
use crate::support::{FetchStub, Mounted, Reply, mount};
use contract::admin::{RETRY_PATH, RetryRequest, RetryResult};
use contract::mapping::ObjectKind;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::HtmlElement;
use widget::admin::failures::{FailureList, FailureLog, retry_summary};
use widget::api::Client;

fn list() -> Mounted {
    mount(|| {
        view! {
            <FailureList
                client=Client::new("tok")
                failures=failures()
                result=RwSignal::new(None)
                filter=RwSignal::new(None)
                on_retried=|()| {}
            />
        }
    })
}

#[wasm_bindgen_test]
fn each_failure_shows_record_reason_type_and_time() {
    let m = list();

    assert_eq!(m.all("[data-testid=failure]").len(), 2);
    assert_eq!(
        m.texts("[data-testid=failure-label]"),
        ["maya@northwind.example", "Blue Harbor Logistics"]
    );
    assert_eq!(
        m.texts("[data-testid=failure-reason]")[0],
        "Text value is given for an Integer field (cf_seats)"
    );
    let meta = m.texts(".failure-meta");
    assert!(
        meta[0].starts_with("Contact Salesforce → Helpdesk"),
        "{meta:?}"
    );
    assert!(
        meta[1].starts_with("Account Helpdesk → Salesforce"),
        "{meta:?}"
    );
    assert_eq!(m.all("[data-testid=retry-one]").len(), 2);
}

#[wasm_bindgen_test]
async fn record_types_filter_the_log() {
    let m = list();

    assert_eq!(m.text("failure-filter-contact"), "Contacts 1");
    m.click("failure-filter-account");
    crate::support::sleep(0).await;
    assert_eq!(
        m.texts("[data-testid=failure-label]"),
        ["Blue Harbor Logistics"]
    );
    assert_eq!(
        m.attr("failure-filter-account", "aria-pressed").as_deref(),
        Some("true")
    );
}

#[wasm_bindgen_test]
async fn try_again_retries_that_record_and_try_all_the_shown_type() {
    let result = RetryResult {
        retried: 1,
        succeeded: 1,
        failed: 0,
    };
    let stub = FetchStub::install(vec![Reply::Json(200, json(&result))]);
    let m = list();

    m.all("[data-testid=retry-one]")[0]
        .unchecked_ref::<HtmlElement>()
        .click();
    m.wait_for("the first retry", |_| stub.calls().len() == 1)
        .await;
    m.click("failure-filter-contact");
    crate::support::sleep(30).await;
    m.click("retry-all");
    m.wait_for("the second retry", |_| stub.calls().len() == 2)
        .await;

    let calls = stub.calls();
    assert!(calls[0].url.ends_with(RETRY_PATH));
    assert_eq!(calls[0].method, "POST");
    let first: RetryRequest = serde_json::from_str(calls[0].body.as_deref().unwrap()).unwrap();
    assert_eq!(first, RetryRequest::Records { ids: vec![7] });
    let all: RetryRequest = serde_json::from_str(calls[1].body.as_deref().unwrap()).unwrap();
    assert_eq!(
        all,
        RetryRequest::All {
            object: Some(ObjectKind::Contact)
        }
    );
}

#[wasm_bindgen_test]
async fn the_log_reloads_after_a_retry_and_says_what_happened() {
    let result = RetryResult {
        retried: 2,
        succeeded: 2,
        failed: 0,
    };
    let stub = FetchStub::install(vec![
        Reply::Json(200, json(&failures())),
        Reply::Json(200, json(&result)),
        Reply::Json(200, serde_json::json!([])),
    ]);
    let m = mount(|| view! { <FailureLog client=Client::new("tok") /> });

    m.wait_for("the log", |m| m.has("failure-list")).await;
    m.click("retry-all");
    m.wait_for("the emptied log", |m| m.has("failures-empty"))
        .await;

    assert_eq!(m.text("retry-result"), "Synced 2 records again.");
    assert_eq!(stub.calls().len(), 3);
}

#[wasm_bindgen_test]
fn retry_outcomes_read_plainly() {
    let summary = |retried, succeeded, failed| {
        retry_summary(&RetryResult {
            retried,
            succeeded,
            failed,
        })
    };
    assert_eq!(summary(1, 1, 0), "Synced 1 record again.");
    assert_eq!(summary(3, 2, 1), "Synced 2 of 3 records; 1 still fails.");
    assert_eq!(summary(0, 0, 0), "Nothing to retry.");
}
