//! Browser tests of the per-field sync rule picker on the mapping screen.

use crate::admin_fixtures::{choose, json, pair, settings};
use crate::support::{FetchStub, Mounted, Reply, mount, sleep};
use contract::admin::{SETTINGS_PATH, SaveSettings, SyncState};
use contract::mapping::SyncRule;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use widget::admin::settings::MappingForm;
use widget::api::Client;

fn form() -> Mounted {
    mount(move || {
        view! {
            <MappingForm
                client=Client::new("tok")
                view=settings()
                sync_state=Signal::derive(|| SyncState::Live)
                on_started=|_| {}
            />
        }
    })
}

fn rule_picker(m: &Mounted, field: &str) -> Option<web_sys::Element> {
    m.query(&format!(
        "[data-testid=mapping-contacts] [data-field={field}] [data-testid=mapping-rule]"
    ))
}

fn value(element: &web_sys::Element) -> String {
    element
        .unchecked_ref::<web_sys::HtmlSelectElement>()
        .value()
}

#[wasm_bindgen_test]
fn every_mapped_row_has_a_rule_picker_on_two_way_and_unmapped_rows_none() {
    let m = form();
    let title = rule_picker(&m, "title").expect("a picker on a mapped row");
    assert_eq!(value(&title), "two_way");
    assert_eq!(
        m.texts("[data-field=title] [data-testid=mapping-rule] option"),
        [
            "Two-way",
            "Salesforce always wins",
            "Helpdesk always wins",
            "Salesforce unless blank",
            "Don't sync"
        ]
    );
    assert!(rule_picker(&m, "cf_seats").is_none(), "{}", m.html());
}

#[wasm_bindgen_test]
async fn a_rule_that_writes_to_salesforce_is_flagged_one_way() {
    let m = form();
    choose(&rule_picker(&m, "title").unwrap(), "helpdesk_wins");
    m.get("sync-type-salesforce_to_helpdesk")
        .unchecked_ref::<web_sys::HtmlElement>()
        .click();
    sleep(0).await;
    assert_eq!(
        m.texts("[data-field=title] [data-testid=mapping-issue]"),
        [
            "\"Helpdesk always wins\" writes title to Salesforce, which one-way sync never does Choose \"Salesforce always wins\" or \"Don't sync\", or sync both ways."
        ]
    );
    choose(&rule_picker(&m, "title").unwrap(), "salesforce_wins");
    sleep(0).await;
    assert!(!m.has("mapping-issue"), "{}", m.html());
}

#[wasm_bindgen_test]
async fn the_chosen_rules_are_saved_with_the_mapping() {
    let stub = FetchStub::install(vec![Reply::Json(200, json(&settings()))]);
    let m = form();
    choose(&rule_picker(&m, "title").unwrap(), "dont_sync");
    choose(
        &rule_picker(&m, "email").unwrap(),
        "salesforce_unless_blank",
    );
    sleep(0).await;
    m.click("save-settings");
    m.wait_for("the saved notice", |m| m.has("settings-saved"))
        .await;

    let calls = stub.calls();
    assert_eq!(calls.len(), 1);
    assert!(calls[0].url.ends_with(SETTINGS_PATH));
    let sent: SaveSettings = serde_json::from_str(calls[0].body.as_deref().unwrap()).unwrap();
    assert!(
        sent.contacts
            .contains(&pair("title", "Title").with_rule(SyncRule::DontSync))
    );
    assert!(
        sent.contacts
            .contains(&pair("email", "Email").with_rule(SyncRule::SalesforceUnlessBlank))
    );
    assert!(sent.contacts.contains(&pair("lastName", "LastName")));
}
