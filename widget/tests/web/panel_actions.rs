//! Browser tests of the cases section, the lead card and the panel's actions: a button
//! that runs once however often it is clicked, then says what it made or why not.

use crate::fixtures::{full_view, id};
use crate::support::{FetchStub, Reply, mount};
use contract::api::{
    Action, ActionDone, ApiError, CaseSummary, ErrorBody, ErrorCode, LeadSummary, Panel,
};
use contract::context::Role;
use contract::ids::Email;
use leptos::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;
use widget::api::Client;
use widget::components::{PanelView, RecordView};

fn case(n: u64, number: &str, status: &str, closed: bool) -> CaseSummary {
    let id = id("500", n);
    CaseSummary {
        url: format!("https://acme.my.salesforce.com/{id}"),
        id,
        number: number.into(),
        subject: Some(format!("Case {number}")),
        status: Some(status.into()),
        priority: Some("High".into()),
        is_closed: closed,
        opened: Some("2026-11-20T09:00:00.000Z".into()),
        closed: closed.then(|| "2026-11-22T09:00:00.000Z".into()),
    }
}

fn json<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap()
}

#[wasm_bindgen_test]
fn open_cases_come_first_and_closed_ones_are_folded() {
    let mut view = full_view();
    view.cases = Some(vec![
        case(1, "00001002", "Closed", true),
        case(2, "00001001", "Working", false),
    ]);
    let m = mount(move || view! { <RecordView view=view /> });
    assert!(m.text("section-cases").contains("Cases"));
    let rows = m.all("[data-testid=case]");
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows[0].get_attribute("data-status").as_deref(),
        Some("open")
    );
    assert!(rows[0].text_content().unwrap().contains("00001001"));
    assert!(m.has("closed-cases"));
    assert!(
        m.text("closed-cases")
            .contains("Closed in the last 30 days (1)")
    );
    assert!(!m.has("actions"), "no client, no actions");
}

#[wasm_bindgen_test]
fn an_org_without_cases_has_no_case_section() {
    let view = full_view();
    let m = mount(move || view! { <RecordView view=view /> });
    assert!(!m.has("section-cases"));
}

#[wasm_bindgen_test]
fn no_match_shows_the_lead_and_the_actions_offered() {
    let lead = LeadSummary {
        id: id("00Q", 1),
        name: "Noah Fischer".into(),
        company: Some("Fischer Design".into()),
        status: Some("Working - Contacted".into()),
        url: "https://acme.my.salesforce.com/00Q000000000001".into(),
    };
    let outcome = Ok(Panel::NoMatch {
        email: Email::parse("noah@fischerdesign.example").unwrap(),
        suggestion: None,
        lead: Some(lead),
        actions: vec![Action::CreateContact],
    });
    let m = mount(move || {
        view! { <PanelView outcome=outcome on_retry=|()| {} client=Some(Client::new("tok")) /> }
    });
    assert_eq!(m.text("lead-name"), "Noah Fischer");
    assert_eq!(m.text("lead-company"), "Fischer Design");
    assert_eq!(m.text("lead-status"), "Working - Contacted");
    assert!(m.has("view-in-salesforce"));
    let buttons = m.texts("[data-testid=action]");
    assert_eq!(buttons, ["Create contact"]);
}

#[wasm_bindgen_test]
async fn an_action_runs_once_and_says_what_it_made() {
    let mut view = full_view();
    view.actions = vec![Action::LogTicket, Action::OpenCase];
    let record = view.id.clone();
    let done = ActionDone {
        action: Action::OpenCase,
        id: id("500", 9),
        url: "https://acme.my.salesforce.com/500000000000009".into(),
        number: Some("00001026".into()),
        earlier: false,
    };
    let stub = FetchStub::install(vec![Reply::Json(200, json(&done))]);
    stub.hold();
    let m = mount(move || {
        view! { <RecordView view=view client=Some(Client::new("tok")) /> }
    });
    assert_eq!(
        m.texts("[data-testid=action]"),
        ["Log this ticket", "Open a case"]
    );
    let open_case = "[data-testid=action][data-action=open_case]";
    let button = m.query(open_case).unwrap();
    let click = || {
        use wasm_bindgen::JsCast;
        button
            .clone()
            .unchecked_into::<web_sys::HtmlElement>()
            .click()
    };
    click();
    click();
    m.wait_for("the button to be busy", |m| {
        m.query(open_case)
            .and_then(|b| b.get_attribute("aria-busy"))
            .as_deref()
            == Some("true")
    })
    .await;
    assert_eq!(
        m.query(open_case).unwrap().text_content().unwrap(),
        "Opening case…"
    );
    stub.release();
    m.wait_for("the case", |m| m.has("action-done")).await;
    assert_eq!(stub.calls().len(), 1, "a double click sends one request");
    let call = &stub.calls()[0];
    assert_eq!(call.method, "POST");
    assert!(call.url.ends_with(Action::OpenCase.path()), "{}", call.url);
    assert_eq!(
        call.body.as_deref(),
        Some(format!(r#"{{"record":"{record}"}}"#).as_str())
    );
    assert!(m.text("action-done").contains("Case 00001026 opened"));
    assert!(m.has("view-in-salesforce"));
}

#[wasm_bindgen_test]
async fn a_salesforce_refusal_is_shown_with_its_reason() {
    let mut view = full_view();
    view.actions = vec![Action::LogTicket];
    let refusal = ErrorBody {
        error: ApiError::new(
            ErrorCode::SalesforceRefused,
            "FIELD_CUSTOM_VALIDATION_EXCEPTION: Tasks need a due date",
        ),
    };
    let _stub = FetchStub::install(vec![Reply::Json(502, json(&refusal))]);
    let m = mount(move || view! { <RecordView view=view client=Some(Client::new("tok")) /> });
    m.click("action");
    m.wait_for("the error", |m| m.has("action-error")).await;
    let error = m.text("action-error");
    assert!(error.starts_with("The ticket was not logged."), "{error}");
    assert!(error.contains("Tasks need a due date"), "{error}");
    assert!(
        !m.get("action").has_attribute("disabled"),
        "it can be tried again"
    );
    assert!(!m.has("action-done"));
}

#[wasm_bindgen_test]
fn the_tickets_case_replaces_its_button() {
    let mut view = full_view();
    view.actions = vec![Action::LogTicket, Action::OpenCase];
    view.ticket_case = Some(Box::new(ActionDone {
        action: Action::OpenCase,
        id: id("500", 9),
        url: "https://acme.my.salesforce.com/500000000000009".into(),
        number: Some("00001026".into()),
        earlier: false,
    }));
    let m = mount(move || view! { <RecordView view=view client=Some(Client::new("tok")) /> });
    assert_eq!(m.texts("[data-testid=action]"), ["Log this ticket"]);
    assert!(m.text("action-done").contains("Case 00001026"));
}

#[wasm_bindgen_test]
async fn a_done_action_stays_done_when_the_panel_is_drawn_again() {
    let mut view = full_view();
    view.actions = vec![Action::LogTicket];
    let done = ActionDone {
        action: Action::LogTicket,
        id: id("00T", 7),
        url: "https://acme.my.salesforce.com/00T000000000007".into(),
        number: None,
        earlier: false,
    };
    let stub = FetchStub::install(vec![Reply::Json(200, json(&done))]);
    let token = crate::admin_fixtures::token(Role::Agent, Some("7001-drawn-again"));
    let (first, first_token) = (view.clone(), token.clone());
    let m = mount(move || {
        view! { <RecordView view=first client=Some(Client::new(first_token)) /> }
    });
    m.click("action");
    m.wait_for("the task", |m| m.has("action-done")).await;
    drop(m);
    // The panel reads Salesforce again after an action and draws the view anew.
    let again = mount(move || view! { <RecordView view=view client=Some(Client::new(token)) /> });
    assert!(again.text("action-done").contains("Ticket logged"));
    assert!(again.get("action").has_attribute("disabled"));
    assert_eq!(stub.calls().len(), 1);
}

#[wasm_bindgen_test]
async fn the_contact_made_for_the_requester_is_said_once_the_panel_shows_it() {
    let outcome = Ok(Panel::NoMatch {
        email: Email::parse("noah@fischerdesign.example").unwrap(),
        suggestion: None,
        lead: None,
        actions: vec![Action::CreateContact],
    });
    let made = ActionDone {
        action: Action::CreateContact,
        id: id("003", 42),
        url: "https://acme.my.salesforce.com/003000000000042".into(),
        number: None,
        earlier: false,
    };
    let _stub = FetchStub::install(vec![Reply::Json(200, json(&made))]);
    let token = crate::admin_fixtures::token(Role::Agent, Some("7002-made-a-contact"));
    let first_token = token.clone();
    let m = mount(move || {
        view! {
            <PanelView
                outcome=outcome
                on_retry=|()| {}
                client=Some(Client::new(first_token))
            />
        }
    });
    m.click("action");
    m.wait_for("the contact", |m| m.has("action-done")).await;
    drop(m);
    // The panel reads Salesforce again: the new contact, with the actions on it.
    let mut view = full_view();
    view.actions = vec![Action::LogTicket];
    let again = mount(move || view! { <RecordView view=view client=Some(Client::new(token)) /> });
    assert!(
        again
            .text("action-done")
            .contains("Contact created in Salesforce")
    );
    assert_eq!(again.texts("[data-testid=action]"), ["Log this ticket"]);
}
