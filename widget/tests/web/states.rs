use crate::support::{jane, mount};
use leptos::prelude::*;
use shared::api::Panel;
use shared::ids::Email;
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
            },
            "no_match",
        ),
    ];
    for (panel, state) in cases {
        let m = show(Ok(panel));
        assert_eq!(m.state().as_deref(), Some(state), "{}", m.html());
        assert!(!m.has("contact-card"));
    }
}

#[wasm_bindgen_test]
fn the_switch_shows_a_contact_as_its_card() {
    let m = show(Ok(Panel::Contact { contact: jane() }));

    assert_eq!(m.text("contact-name"), "Jane Doe");
    assert_eq!(m.text("account-name"), "Acme Corp");
    assert_eq!(m.state(), None);
}

#[wasm_bindgen_test]
fn the_switch_shows_an_error_as_an_error() {
    let m = show(Err(ClientError::MissingToken));

    assert_eq!(m.state().as_deref(), Some("missing_token"));
    assert!(!m.has("contact-card"));
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
