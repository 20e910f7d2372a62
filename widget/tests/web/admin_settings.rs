//! Browser tests of the sync settings: sync type and the field mapping with its checks.

use crate::admin_fixtures::{choose, json, pair, settings};
use crate::support::{FetchStub, Mounted, Reply, mount, sleep};
use contract::admin::{SETTINGS_PATH, SYNC_START_PATH, SaveSettings, SyncState};
use contract::mapping::{MappingIssue, SyncType};
use contract::side::Side;
use leptos::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;
use widget::admin::settings::{MappingForm, issue_rows};
use widget::api::Client;

fn form(state: SyncState) -> Mounted {
    mount(move || {
        view! {
            <MappingForm
                client=Client::new("tok")
                view=settings()
                sync_state=Signal::derive(move || state)
                on_started=|_| {}
            />
        }
    })
}

fn row(m: &Mounted, object: &str, field: &str) -> web_sys::Element {
    m.query(&format!(
        "[data-testid=mapping-{object}] [data-testid=mapping-row][data-field={field}]"
    ))
    .unwrap_or_else(|| panic!("no row for {field} in {}", m.html()))
}

fn row_issues(m: &Mounted, object: &str, field: &str) -> Vec<String> {
    m.texts(&format!(
        "[data-testid=mapping-{object}] [data-testid=mapping-row][data-field={field}] [data-testid=mapping-issue]"
    ))
}

#[wasm_bindgen_test]
fn every_helpdesk_field_has_a_dropdown_with_its_salesforce_field() {
    let m = form(SyncState::NotStarted);

    assert_eq!(
        m.all("[data-testid=mapping-contacts] [data-testid=mapping-row]")
            .len(),
        4
    );
    let select = row(&m, "contacts", "title")
        .query_selector("select")
        .unwrap()
        .unwrap();
    assert_eq!(
        js_sys::Reflect::get(&select, &"value".into())
            .unwrap()
            .as_string()
            .as_deref(),
        Some("Title")
    );
    // The unmapped Integer field offers "not synced" and every Salesforce field.
    let options = m.texts("[data-field=cf_seats] option");
    assert_eq!(options[0], "— Not synced —");
    assert!(
        options.contains(&"Seats · Integer".to_owned()),
        "{options:?}"
    );
    assert!(!m.has("mapping-issue"), "a valid mapping shows no issue");
    assert!(
        m.has("start-sync"),
        "before the first start, the form starts the sync"
    );
}

#[wasm_bindgen_test]
async fn a_text_field_for_an_integer_field_is_flagged_inline() {
    let m = form(SyncState::NotStarted);

    choose(
        &row(&m, "contacts", "cf_seats")
            .query_selector("select")
            .unwrap()
            .unwrap(),
        "Title",
    );
    sleep(0).await;

    let issues = row_issues(&m, "contacts", "cf_seats");
    assert_eq!(issues.len(), 2, "{issues:?}");
    assert!(
        issues
            .iter()
            .any(|i| i.starts_with("Text value is given for an Integer field")),
        "{issues:?}"
    );
    assert!(
        issues
            .iter()
            .any(|i| i.contains("Title is mapped more than once")),
        "{issues:?}"
    );
    assert_eq!(
        row(&m, "contacts", "cf_seats")
            .query_selector("select")
            .unwrap()
            .unwrap()
            .get_attribute("aria-invalid")
            .as_deref(),
        Some("true")
    );

    // The matching Integer field clears it.
    choose(
        &row(&m, "contacts", "cf_seats")
            .query_selector("select")
            .unwrap()
            .unwrap(),
        "Seats__c",
    );
    sleep(0).await;
    assert!(
        row_issues(&m, "contacts", "cf_seats").is_empty(),
        "{}",
        m.html()
    );
}

#[wasm_bindgen_test]
async fn an_unmapped_mandatory_field_is_flagged_on_both_sides() {
    let m = form(SyncState::NotStarted);

    choose(
        &row(&m, "accounts", "accountName")
            .query_selector("select")
            .unwrap()
            .unwrap(),
        "",
    );
    sleep(0).await;

    assert_eq!(
        row_issues(&m, "accounts", "accountName"),
        vec![
            "Mandatory Field Missing The helpdesk requires this field: choose a Salesforce field for it."
        ]
    );
    let object_level = m.texts("[data-testid=mapping-accounts] .object-issue");
    assert_eq!(
        object_level,
        vec![
            "Mandatory Field Missing Salesforce requires Account Name (Name): map a helpdesk field to it."
        ]
    );
}

#[wasm_bindgen_test]
async fn a_mapping_with_issues_is_refused_before_any_call() {
    let stub = FetchStub::install(vec![Reply::Json(500, serde_json::json!({}))]);
    let m = form(SyncState::NotStarted);

    choose(
        &row(&m, "contacts", "cf_seats")
            .query_selector("select")
            .unwrap()
            .unwrap(),
        "Email",
    );
    sleep(0).await;
    m.click("start-sync");
    sleep(20).await;

    assert!(
        stub.calls().is_empty(),
        "nothing is sent while issues remain"
    );
    let summary = m.text("mapping-summary");
    assert!(
        summary.contains("mapping issues to fix before saving"),
        "{summary}"
    );
}

#[wasm_bindgen_test]
async fn start_sync_saves_the_mapping_then_starts() {
    let stub = FetchStub::install(vec![
        Reply::Json(200, json(&settings())),
        Reply::Json(
            200,
            json(&crate::admin_fixtures::sync(SyncState::InitialSync, vec![])),
        ),
    ]);
    let m = form(SyncState::NotStarted);

    crate::support::sleep(0).await;
    m.get("sync-type-salesforce_to_helpdesk")
        .unchecked_ref::<web_sys::HtmlElement>()
        .click();
    choose(
        &row(&m, "contacts", "cf_seats")
            .query_selector("select")
            .unwrap()
            .unwrap(),
        "Seats__c",
    );
    sleep(0).await;
    m.click("start-sync");
    m.wait_for("the saved notice", |m| m.has("settings-saved"))
        .await;

    let calls = stub.calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].method, "PUT");
    assert!(calls[0].url.ends_with(SETTINGS_PATH));
    let sent: SaveSettings = serde_json::from_str(calls[0].body.as_deref().unwrap()).unwrap();
    assert_eq!(sent.sync_type, SyncType::SalesforceToHelpdesk);
    assert!(sent.contacts.contains(&pair("cf_seats", "Seats__c")));
    assert_eq!(calls[1].method, "POST");
    assert!(calls[1].url.ends_with(SYNC_START_PATH));
}

#[wasm_bindgen_test]
fn once_started_the_form_only_saves() {
    let m = form(SyncState::Live);
    assert!(!m.has("start-sync"));
    assert_eq!(m.text("save-settings"), "Save changes");
}

#[wasm_bindgen_test]
fn issues_land_on_the_rows_they_concern() {
    let pairs = vec![pair("title", "Title"), pair("cf_seats", "Title")];
    let twice = MappingIssue::MappedTwice {
        side: Side::Salesforce,
        field: "Title".into(),
    };
    assert_eq!(issue_rows(&twice, &pairs), vec!["title", "cf_seats"]);
    let missing = MappingIssue::MandatoryMissing {
        side: Side::Salesforce,
        field: "LastName".into(),
    };
    assert!(
        issue_rows(&missing, &pairs).is_empty(),
        "an object-level issue"
    );
}

use wasm_bindgen::JsCast;
