//! Browser tests of the panel fields screen: what the org offers, chosen in order, saved.

use crate::admin_fixtures::{choose, json};
use crate::support::{FetchStub, Mounted, Reply, mount};
use contract::api::{ApiError, ErrorBody, ErrorCode};
use contract::panel_fields::{
    PANEL_FIELDS_PATH, PanelFieldOption, PanelFields, PanelFieldsView, PerObject,
};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::HtmlElement;
use widget::admin::panel_fields::PanelFieldsScreen;
use widget::api::Client;

fn option(name: &str, label: &str) -> PanelFieldOption {
    PanelFieldOption {
        name: name.into(),
        label: label.into(),
    }
}

fn org_view() -> PanelFieldsView {
    PanelFieldsView {
        chosen: PerObject {
            contact: vec!["Department".into(), "MobilePhone".into()],
            account: vec!["Website".into()],
            opportunity: vec![],
        },
        offered: PerObject {
            contact: vec![
                option("Department", "Department"),
                option("MobilePhone", "Mobile"),
                option("Subscription_Type__c", "Subscription Type"),
            ],
            account: vec![option("Website", "Website")],
            opportunity: vec![option("NextStep", "Next Step")],
        },
    }
}

fn chosen(m: &Mounted, object: &str) -> Vec<String> {
    m.all(&format!(
        "[data-testid=panel-fields-{object}] [data-testid=chosen-field]"
    ))
    .iter()
    .map(|row| row.get_attribute("data-field").unwrap_or_default())
    .collect()
}

/// Clicks the `n`th button `test_id` among the contact's fields.
fn click_nth(m: &Mounted, test_id: &str, n: usize) {
    m.all(&format!(
        "[data-testid=panel-fields-contact] [data-testid={test_id}]"
    ))[n]
        .clone()
        .dyn_into::<HtmlElement>()
        .unwrap()
        .click();
}

fn screen() -> Mounted {
    mount(|| view! { <PanelFieldsScreen client=Client::new("tok") /> })
}

#[wasm_bindgen_test]
async fn the_admin_adds_reorders_and_saves_the_panels_fields() {
    let mut saved = org_view();
    saved.chosen.contact = vec!["Subscription_Type__c".into(), "Department".into()];
    let stub = FetchStub::install(vec![
        Reply::Json(200, json(&org_view())),
        Reply::Json(200, json(&saved)),
    ]);
    let m = screen();
    m.wait_for("the fields", |m| m.has("panel-fields-contact"))
        .await;
    assert_eq!(chosen(&m, "contact"), ["Department", "MobilePhone"]);
    let add = m
        .query("[data-testid=panel-fields-contact] [data-testid=add-field]")
        .unwrap();
    assert!(
        add.text_content()
            .unwrap_or_default()
            .contains("Subscription Type"),
        "offered, not yet chosen"
    );
    choose(&add, "Subscription_Type__c");
    m.wait_for("the field added", |m| chosen(m, "contact").len() == 3)
        .await;
    // Up to the top, then the mobile phone goes.
    click_nth(&m, "move-field-up", 2);
    m.wait_for("moved up", |m| {
        chosen(m, "contact")[1] == "Subscription_Type__c"
    })
    .await;
    click_nth(&m, "move-field-up", 1);
    m.wait_for("moved to the top", |m| {
        chosen(m, "contact")[0] == "Subscription_Type__c"
    })
    .await;
    click_nth(&m, "remove-field", 2);
    m.wait_for("removed", |m| chosen(m, "contact").len() == 2)
        .await;
    m.click("save-panel-fields");
    m.wait_for("the save", |m| m.has("notice")).await;

    let calls = stub.calls();
    let put = calls.last().unwrap();
    assert_eq!(put.method, "PUT");
    assert!(put.url.ends_with(PANEL_FIELDS_PATH));
    let sent: PanelFields = serde_json::from_str(put.body.as_deref().unwrap()).unwrap();
    assert_eq!(sent.contact, ["Subscription_Type__c", "Department"]);
    assert_eq!(sent.account, ["Website"]);
    assert!(m.text("notice").contains("Saved"), "{}", m.html());
}

#[wasm_bindgen_test]
async fn a_refused_save_says_why() {
    let refusal = ErrorBody {
        error: ApiError::new(
            ErrorCode::BadRequest,
            "Contacts: Title is not a field the connected Salesforce user can read",
        ),
    };
    let _stub = FetchStub::install(vec![
        Reply::Json(200, json(&org_view())),
        Reply::Json(400, json(&refusal)),
    ]);
    let m = screen();
    m.wait_for("the fields", |m| m.has("save-panel-fields"))
        .await;
    m.click("save-panel-fields");
    m.wait_for("the refusal", |m| m.has("notice")).await;
    assert!(
        m.text("notice").contains("Title is not a field"),
        "{}",
        m.html()
    );
}
