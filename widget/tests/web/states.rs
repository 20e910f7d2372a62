//! Browser tests of every panel state that is not a record.

use crate::support::mount;
use contract::api::{AccountSuggestion, Panel};
use contract::ids::Email;
use leptos::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;
use widget::api::ClientError;
use widget::components::{NoMatchState, NoRequesterState, NotConnectedState, PanelView};

fn show(outcome: Result<Panel, ClientError>) -> crate::support::Mounted {
    mount(move || view! { <PanelView outcome=outcome on_retry=|()| {} /> })
}

#[wasm_bindgen_test]
fn not_connected_tells_an_admin_where_to_connect() {
    let m = mount(|| view! { <NotConnectedState can_connect=true /> });

    assert_eq!(m.state().as_deref(), Some("not_connected"));
    assert_eq!(m.text("state-title"), "Not connected to Salesforce");
    let detail = m.text("state-detail");
    assert!(
        detail.contains("Connect a Salesforce org from the admin console"),
        "{detail}"
    );
    assert!(!detail.contains("administrator"), "{detail}");
}

#[wasm_bindgen_test]
fn not_connected_sends_an_agent_to_their_admin() {
    let m = mount(|| view! { <NotConnectedState can_connect=false /> });

    assert_eq!(m.state().as_deref(), Some("not_connected"));
    let detail = m.text("state-detail");
    assert!(
        detail.contains("Ask your helpdesk administrator to connect Salesforce"),
        "{detail}"
    );
    assert!(!detail.contains("admin console"), "{detail}");
}

#[wasm_bindgen_test]
fn no_match_names_the_email_looked_up() {
    let email = Email::parse("Sam@Example.test").unwrap();
    let m = mount(move || view! { <NoMatchState email=email /> });

    assert_eq!(m.state().as_deref(), Some("no_match"));
    assert_eq!(
        m.text("state-detail"),
        "No Salesforce contact with Sam@Example.test"
    );
    assert_eq!(m.text("requester-email"), "Sam@Example.test");
}

#[wasm_bindgen_test]
fn no_requester_explains_why_nothing_is_shown() {
    let m = mount(|| view! { <NoRequesterState /> });

    assert_eq!(m.state().as_deref(), Some("no_requester"));
    assert_eq!(m.text("state-title"), "No requester to look up");
    assert!(m.text("state-detail").contains("no requester"));
}

#[wasm_bindgen_test]
fn the_switch_shows_each_panel_state() {
    let cases = [
        (Panel::NotConnected { can_connect: true }, "not_connected"),
        (Panel::NotConnected { can_connect: false }, "not_connected"),
        (Panel::NoRequester, "no_requester"),
        (
            Panel::NoMatch {
                email: Email::parse("a@b.test").unwrap(),
                suggestion: None,
                lead: None,
                actions: vec![],
            },
            "no_match",
        ),
        (
            Panel::NoAccount {
                contact: None,
                name: Some("Acme".into()),
                suggestion: None,
            },
            "no_account",
        ),
        (
            Panel::NoMatch {
                email: Email::parse("a@acme.test").unwrap(),
                suggestion: Some(AccountSuggestion {
                    id: crate::fixtures::id("001", 1),
                    name: "Acme".into(),
                    website: Some("https://acme.test".into()),
                }),
                lead: None,
                actions: vec![],
            },
            "no_match",
        ),
    ];
    for (panel, state) in cases {
        let m = show(Ok(panel));
        assert_eq!(m.state().as_deref(), Some(state), "{}", m.html());
        assert!(!m.has("salesforce-view"));
    }
}

#[wasm_bindgen_test]
fn the_switch_shows_an_error_as_an_error() {
    let m = show(Err(ClientError::MissingToken));

    assert_eq!(m.state().as_deref(), Some("missing_token"));
    assert!(!m.has("salesforce-view"));
}

#[wasm_bindgen_test]
fn the_switch_shows_a_view_as_the_record_and_its_sections() {
    let m = show(Ok(Panel::View {
        view: crate::fixtures::full_view(),
    }));

    assert_eq!(m.text("record-name"), "Maya Patel");
    assert_eq!(m.text("contact-name"), "Maya Patel");
    assert_eq!(m.text("account-name"), "Northwind Traders");
    assert!(m.has("section-opportunities") && m.has("section-tasks"));
    assert_eq!(m.state(), None, "a record is not a panel state");
}

#[wasm_bindgen_test]
async fn no_match_offers_the_domain_account_and_a_search() {
    use crate::support::{FetchStub, Reply};
    use contract::api::{PANEL_SEARCH_PATH, RecordKind, SearchHit};
    use std::sync::{Arc, Mutex};
    use widget::api::Client;

    let account = crate::fixtures::id("001", 1);
    let found = crate::fixtures::id("003", 2);
    let stub = FetchStub::install(vec![Reply::Json(
        200,
        serde_json::to_value(vec![SearchHit {
            kind: RecordKind::Contact,
            id: found.clone(),
            name: "Ann Acme".into(),
            detail: Some("CTO · Acme".into()),
        }])
        .unwrap(),
    )]);
    let opened = Arc::new(Mutex::new(Vec::new()));
    let record = opened.clone();
    let outcome = Ok(Panel::NoMatch {
        email: Email::parse("new@acme.test").unwrap(),
        suggestion: Some(AccountSuggestion {
            id: account.clone(),
            name: "Acme".into(),
            website: Some("https://acme.test/".into()),
        }),
        lead: None,
        actions: vec![],
    });
    let m = mount(move || {
        let on_open = Callback::new(move |id| record.lock().unwrap().push(id));
        view! {
            <PanelView
                outcome=outcome
                on_retry=|()| {}
                client=Some(Client::new("tok"))
                on_open=on_open
            />
        }
    });

    let suggested = m.text("suggested-account");
    assert!(
        suggested.contains("Acme") && suggested.contains("acme.test"),
        "{suggested}"
    );
    m.click("open-suggestion");
    assert_eq!(opened.lock().unwrap().first(), Some(&account));

    let input: web_sys::HtmlInputElement =
        wasm_bindgen::JsCast::unchecked_into(m.get("search-input"));
    input.set_value("a");
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    m.click("search-submit");
    m.wait_for("the hint", |m| m.has("search-error")).await;
    assert!(m.text("search-error").contains("at least 2"));
    assert!(stub.calls().is_empty(), "too short to ask Salesforce");

    input.set_value("Ann");
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    m.click("search-submit");
    m.wait_for("the hits", |m| m.has("search-hit")).await;
    assert!(
        stub.calls()[0]
            .url
            .ends_with(&format!("{PANEL_SEARCH_PATH}?q=Ann"))
    );
    assert_eq!(
        m.texts("[data-testid=search-hit] .choice-name"),
        ["Ann Acme"]
    );
    m.click("search-hit");
    assert_eq!(*opened.lock().unwrap(), [account, found]);
}
