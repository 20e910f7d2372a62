//! Browser tests of the agent panel: loading, refreshing and following the ticket.

use crate::fixtures::id;
use crate::support::{FetchStub, Mounted, Reply, jane, mount};
use contract::api::{AccountSuggestion, Panel};
use contract::ids::Email;
use leptos::prelude::*;
use serde_json::json;
use wasm_bindgen_test::wasm_bindgen_test;
use widget::App;
use widget::components::AgentPanel;

fn contact_reply() -> Reply {
    Reply::Json(
        200,
        serde_json::to_value(Panel::View { view: jane() }).unwrap(),
    )
}

fn outage_reply() -> Reply {
    Reply::Json(
        502,
        json!({"error": {"code": "salesforce_unavailable", "message": "Salesforce is not answering; try again shortly."}}),
    )
}

#[wasm_bindgen_test]
async fn loads_behind_a_skeleton_then_shows_the_contact() {
    let stub = FetchStub::install(vec![contact_reply()]);
    stub.hold();
    let m = mount(|| {
        let token = RwSignal::new(Some("tok-1".to_owned()));
        view! { <AgentPanel token=token /> }
    });

    m.wait_for("the request", |_| !stub.calls().is_empty())
        .await;
    assert!(
        m.has("loading"),
        "the skeleton shows while fetching: {}",
        m.html()
    );
    assert!(!m.has("salesforce-view"));
    assert!(
        m.query(".panel-body.stale").is_none(),
        "the skeleton is not dimmed"
    );

    stub.release();
    m.wait_for("the contact", |m| m.has("contact-name")).await;
    assert_eq!(m.text("contact-name"), "Jane Doe");
    assert_eq!(m.text("account-name"), "Acme Corp");
    assert!(!m.has("loading"));
    let calls = stub.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].authorization.as_deref(), Some("Bearer tok-1"));
}

#[wasm_bindgen_test]
async fn without_a_token_it_explains_and_calls_nothing() {
    let stub = FetchStub::install(vec![contact_reply()]);
    let m = mount(|| {
        let token = RwSignal::new(None::<String>);
        view! { <AgentPanel token=token /> }
    });

    m.wait_for("the missing-token state", |m| m.state().is_some())
        .await;
    assert_eq!(m.state().as_deref(), Some("missing_token"));
    assert!(stub.calls().is_empty(), "no API call without a token");
}

#[wasm_bindgen_test]
async fn try_again_after_an_outage_fetches_again() {
    let stub = FetchStub::install(vec![outage_reply(), contact_reply()]);
    let m = mount(|| {
        let token = RwSignal::new(Some("tok".to_owned()));
        view! { <AgentPanel token=token /> }
    });

    m.wait_for("the error", |m| m.state().as_deref() == Some("error"))
        .await;
    assert_eq!(
        m.text("state-detail"),
        "Salesforce is not answering; try again shortly."
    );
    m.click("retry");
    m.wait_for("the contact", |m| m.has("contact-name")).await;
    assert_eq!(stub.calls().len(), 2);
    assert_eq!(m.state(), None);
}

#[wasm_bindgen_test]
async fn refresh_refetches_and_is_busy_meanwhile() {
    let stub = FetchStub::install(vec![
        Reply::Json(200, json!({"state": "no_match", "email": "new@acme.test"})),
        contact_reply(),
    ]);
    let m = mount(|| {
        let token = RwSignal::new(Some("tok".to_owned()));
        view! { <AgentPanel token=token /> }
    });
    m.wait_for("the first answer", |m| {
        m.state().as_deref() == Some("no_match")
    })
    .await;
    assert_eq!(m.attr("refresh", "aria-busy").as_deref(), Some("false"));

    stub.hold();
    m.click("refresh");
    m.wait_for("the refresh request", |_| stub.calls().len() == 2)
        .await;
    m.wait_for("the busy refresh button", |m| {
        m.attr("refresh", "disabled").is_some()
    })
    .await;
    assert_eq!(m.attr("refresh", "aria-busy").as_deref(), Some("true"));
    assert_eq!(
        m.state().as_deref(),
        Some("no_match"),
        "the old answer stays while refreshing"
    );
    assert!(
        m.query(".panel-body.stale").is_some(),
        "the old answer is dimmed"
    );

    stub.release();
    m.wait_for("the refreshed contact", |m| m.has("contact-name"))
        .await;
    m.wait_for("the idle refresh button", |m| {
        m.attr("refresh", "disabled").is_none()
    })
    .await;
    assert_eq!(stub.calls().len(), 2);
}

#[wasm_bindgen_test]
async fn a_new_token_fetches_with_it() {
    let stub = FetchStub::install(vec![contact_reply()]);
    let token = RwSignal::new(Some("first".to_owned()));
    let m = mount(move || view! { <AgentPanel token=token /> });
    m.wait_for("the contact", |m| m.has("contact-name")).await;

    token.set(Some("second".to_owned()));
    m.wait_for("a second request", |_| stub.calls().len() == 2)
        .await;
    let calls = stub.calls();
    assert_eq!(calls[0].authorization.as_deref(), Some("Bearer first"));
    assert_eq!(calls[1].authorization.as_deref(), Some("Bearer second"));
}

#[wasm_bindgen_test]
async fn the_app_follows_the_token_in_the_fragment() {
    let location = web_sys::window().unwrap().location();
    let original = location.hash().unwrap();
    let stub = FetchStub::install(vec![contact_reply()]);
    location.set_hash("ctx=from-hash").unwrap();

    let m = mount(App);
    m.wait_for("the contact", |m| m.has("contact-name")).await;
    location.set_hash("ctx=next-ticket").unwrap();
    m.wait_for("a request with the new token", |_| stub.calls().len() == 2)
        .await;
    location.set_hash(&original).unwrap();

    let calls = stub.calls();
    assert_eq!(calls[0].authorization.as_deref(), Some("Bearer from-hash"));
    assert_eq!(
        calls[1].authorization.as_deref(),
        Some("Bearer next-ticket")
    );
}

#[wasm_bindgen_test]
async fn a_new_ticket_is_fetched_at_once_and_a_late_answer_for_the_old_one_is_dropped() {
    let stub = FetchStub::install(vec![
        contact_reply(),
        Reply::Json(200, json!({"state": "no_match", "email": "old@acme.test"})),
    ]);
    stub.hold();
    let token = RwSignal::new(Some("slow-ticket".to_owned()));
    let m = mount(move || view! { <AgentPanel token=token /> });
    m.wait_for("the first request", |_| stub.calls().len() == 1)
        .await;

    token.set(Some("next-ticket".to_owned()));
    m.wait_for("a request for the next ticket", |_| stub.calls().len() == 2)
        .await;
    assert_eq!(
        stub.calls()[1].authorization.as_deref(),
        Some("Bearer next-ticket")
    );

    // The next ticket's answer comes first; the old ticket's comes late.
    stub.release_newest();
    m.wait_for("the next ticket's contact", |m| m.has("contact-name"))
        .await;
    stub.release();
    crate::support::sleep(100).await;
    assert!(m.has("contact-name"), "{}", m.html());
    assert_eq!(m.state(), None, "the old ticket's answer is not shown");
    assert!(m.query(".panel-body.stale").is_none());
}

#[wasm_bindgen_test]
async fn another_ticket_shows_the_skeleton_not_the_last_ticket() {
    let stub = FetchStub::install(vec![contact_reply()]);
    let token = RwSignal::new(Some("first".to_owned()));
    let m = mount(move || view! { <AgentPanel token=token /> });
    m.wait_for("the contact", |m| m.has("contact-name")).await;

    stub.hold();
    token.set(Some("second".to_owned()));
    m.wait_for("the skeleton", |m| m.has("loading")).await;
    assert!(!m.has("contact-name"), "the first ticket's contact is gone");
    stub.release();
    m.wait_for("the second ticket's contact", |m| m.has("contact-name"))
        .await;
}

#[wasm_bindgen_test]
async fn an_opened_suggestion_has_a_way_back_to_the_requester() {
    let account = id("001", 21);
    let no_match = Panel::NoMatch {
        email: Email::parse("ada@northwind.test").unwrap(),
        suggestion: Some(AccountSuggestion {
            id: account.clone(),
            name: "Northwind".into(),
            website: None,
        }),
        lead: None,
        actions: vec![],
    };
    let reply = |panel: &Panel| Reply::Json(200, serde_json::to_value(panel).unwrap());
    let stub = FetchStub::install(vec![
        reply(&no_match),
        reply(&Panel::View { view: jane() }),
        reply(&no_match),
    ]);
    let token = RwSignal::new(Some("tok-open".to_owned()));
    let m = mount(move || view! { <AgentPanel token=token /> });
    m.wait_for("the suggestion", |m| m.has("open-suggestion"))
        .await;
    assert!(!m.has("back"), "nothing is opened yet");

    m.click("open-suggestion");
    m.wait_for("the opened record", |m| m.has("contact-name"))
        .await;
    assert!(m.has("back"));
    assert!(
        stub.calls()[1].url.ends_with(&format!("?record={account}")),
        "{}",
        stub.calls()[1].url
    );

    m.click("back");
    m.wait_for("the requester again", |m| m.has("open-suggestion"))
        .await;
    assert!(!m.has("back"));
    assert!(
        !stub.calls()[2].url.contains("record="),
        "{}",
        stub.calls()[2].url
    );
}

#[wasm_bindgen_test]
async fn a_refresh_that_changes_nothing_leaves_the_panel_as_it_is() {
    let stub = FetchStub::install(vec![contact_reply()]);
    let token = RwSignal::new(Some("tok-same".to_owned()));
    let m = mount(move || view! { <AgentPanel token=token /> });
    m.wait_for("the contact", |m| m.has("section-toggle")).await;
    let folded =
        |m: &Mounted| m.attr("section-toggle", "aria-expanded").as_deref() == Some("false");
    m.click("section-toggle");
    m.wait_for("the folded section", folded).await;

    m.click("refresh");
    m.wait_for("the refresh", |m| {
        stub.calls().len() == 2 && m.attr("refresh", "disabled").is_none()
    })
    .await;
    assert!(folded(&m), "the folded section is still folded");
}
