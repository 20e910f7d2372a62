//! Browser tests of choosing among several contacts of the requester.

use crate::fixtures::{full_view, id};
use crate::support::{FetchStub, Mounted, Reply, mount};
use contract::api::{ContactChoice, PANEL_CHOICE_PATH, PANEL_PATH, Panel, PanelChoice};
use contract::ids::{Email, SfId};
use leptos::prelude::*;
use serde_json::json;
use std::sync::{Arc, Mutex};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::HtmlElement;
use widget::api::Client;
use widget::components::{AgentPanel, PanelView};

fn candidates() -> Vec<ContactChoice> {
    vec![
        ContactChoice {
            id: id("003", 11),
            name: "Sam Okafor".to_owned(),
            title: Some("IT Manager".to_owned()),
            account_name: Some("Northwind Traders".to_owned()),
        },
        ContactChoice {
            id: id("003", 12),
            name: "Samantha Lee".to_owned(),
            title: None,
            account_name: Some("Northwind EMEA".to_owned()),
        },
    ]
}

fn choose_panel() -> Panel {
    Panel::Choose {
        email: Email::parse("sam@northwind.test").unwrap(),
        candidates: candidates(),
    }
}

fn choose_reply() -> Reply {
    Reply::Json(200, serde_json::to_value(choose_panel()).unwrap())
}

fn view_reply() -> Reply {
    Reply::Json(
        200,
        serde_json::to_value(Panel::View { view: full_view() }).unwrap(),
    )
}

/// The choice state with a client for `token`; what `on_chosen` received.
fn show(token: &str) -> (Mounted, Arc<Mutex<Vec<SfId>>>) {
    let chosen = Arc::new(Mutex::new(Vec::new()));
    let sink = chosen.clone();
    let client = Client::new(token);
    let m = mount(move || {
        let on_chosen = move |id: SfId| sink.lock().unwrap().push(id);
        view! {
            <PanelView
                outcome=Ok(choose_panel())
                on_retry=|()| {}
                client=Some(client)
                on_chosen=on_chosen
            />
        }
    });
    (m, chosen)
}

fn click_candidate(m: &Mounted, index: usize) {
    m.all("[data-testid=choose-contact]")[index]
        .unchecked_ref::<HtmlElement>()
        .click();
}

#[wasm_bindgen_test]
fn every_candidate_is_a_button() {
    let (m, _) = show("tok");

    assert_eq!(m.state().as_deref(), Some("choose"));
    assert!(m.text("state-detail").contains("sam@northwind.test"));
    let buttons = m.all("[data-testid=choose-contact]");
    assert_eq!(buttons.len(), 2);
    for button in &buttons {
        assert_eq!(button.tag_name(), "BUTTON");
        assert_eq!(button.get_attribute("type").as_deref(), Some("button"));
        assert_eq!(button.parent_element().unwrap().tag_name(), "LI");
    }
    assert_eq!(
        m.texts("[data-testid=choose-contact] .choice-name"),
        ["Sam Okafor", "Samantha Lee"]
    );
    assert_eq!(
        m.texts("[data-testid=choose-contact] .choice-sub"),
        ["IT Manager · Northwind Traders", "Northwind EMEA"],
        "title and account, whichever Salesforce has"
    );
    assert_eq!(
        buttons[1].get_attribute("data-contact-id"),
        Some(id("003", 12).to_string())
    );
    let document = web_sys::window().unwrap().document().unwrap();
    buttons[1].unchecked_ref::<HtmlElement>().focus().unwrap();
    assert_eq!(document.active_element().as_ref(), Some(&buttons[1]));
}

#[wasm_bindgen_test]
async fn choosing_posts_the_choice_with_the_token_then_shows_it() {
    let stub = FetchStub::install(vec![Reply::Json(200, json!({}))]);
    stub.hold();
    let (m, chosen) = show("tok-9");

    click_candidate(&m, 1);
    m.wait_for("the POST", |_| stub.calls().len() == 1).await;
    let buttons = m.all("[data-testid=choose-contact]");
    assert!(
        buttons.iter().all(|b| b.has_attribute("disabled")),
        "no second choice while the first is saved"
    );
    assert!(buttons[1].class_list().contains("pending"), "{}", m.html());
    assert!(
        chosen.lock().unwrap().is_empty(),
        "not before the edge has it"
    );

    stub.release();
    m.wait_for("the choice", |_| !chosen.lock().unwrap().is_empty())
        .await;
    assert_eq!(*chosen.lock().unwrap(), [id("003", 12)]);
    let calls = stub.calls();
    let call = &calls[0];
    assert_eq!(call.method, "POST");
    assert!(call.url.ends_with(PANEL_CHOICE_PATH), "{}", call.url);
    assert_eq!(call.authorization.as_deref(), Some("Bearer tok-9"));
    assert_eq!(call.content_type.as_deref(), Some("application/json"));
    let body: PanelChoice = serde_json::from_str(call.body.as_deref().unwrap()).unwrap();
    assert_eq!(body.contact, id("003", 12));
}

#[wasm_bindgen_test]
async fn a_failed_choice_is_explained_and_can_be_made_again() {
    let stub = FetchStub::install(vec![
        Reply::Json(
            502,
            json!({"error": {"code": "salesforce_unavailable", "message": "Salesforce is not answering"}}),
        ),
        Reply::Json(200, json!({})),
    ]);
    let (m, chosen) = show("tok");

    click_candidate(&m, 0);
    m.wait_for("the error", |m| m.has("choose-error")).await;
    assert!(
        m.text("choose-error")
            .contains("Salesforce is not answering"),
        "{}",
        m.html()
    );
    assert_eq!(m.attr("choose-error", "role").as_deref(), Some("alert"));
    assert!(chosen.lock().unwrap().is_empty());
    m.wait_for("the buttons again", |m| {
        m.all("[data-testid=choose-contact]")
            .iter()
            .all(|b| !b.has_attribute("disabled"))
    })
    .await;

    click_candidate(&m, 0);
    m.wait_for("the choice", |_| !chosen.lock().unwrap().is_empty())
        .await;
    assert_eq!(*chosen.lock().unwrap(), [id("003", 11)]);
    assert!(!m.has("choose-error"), "the error goes with a new attempt");
    assert_eq!(stub.calls().len(), 2);
}

#[wasm_bindgen_test]
async fn the_panel_asks_for_the_chosen_contact_from_then_on() {
    let stub = FetchStub::install(vec![
        choose_reply(),
        Reply::Json(200, json!({})),
        view_reply(),
    ]);
    let token = RwSignal::new(Some("tok-1".to_owned()));
    let m = mount(move || view! { <AgentPanel token=token /> });

    m.wait_for("the choice", |m| m.has("choose-contact")).await;
    click_candidate(&m, 0);
    m.wait_for("the chosen contact", |m| m.has("record-name"))
        .await;
    assert_eq!(m.text("record-name"), "Maya Patel");

    let chosen = id("003", 11);
    let calls = stub.calls();
    let summary: Vec<(&str, &str)> = calls
        .iter()
        .map(|call| (call.method.as_str(), path_of(&call.url)))
        .collect();
    let with_contact = format!("{PANEL_PATH}?contact={chosen}");
    assert_eq!(
        summary,
        [
            ("GET", PANEL_PATH),
            ("POST", PANEL_CHOICE_PATH),
            ("GET", with_contact.as_str())
        ]
    );
    assert!(
        calls
            .iter()
            .all(|call| call.authorization.as_deref() == Some("Bearer tok-1"))
    );

    // A refresh keeps the choice.
    m.click("refresh");
    m.wait_for("the refresh", |_| stub.calls().len() == 4).await;
    assert_eq!(
        path_of(&stub.calls()[3].url),
        format!("{with_contact}&fresh=true"),
        "and reads Salesforce afresh"
    );

    // Another ticket (token) starts without it.
    token.set(Some("tok-2".to_owned()));
    m.wait_for("the next ticket's panel", |_| stub.calls().len() == 5)
        .await;
    let last = &stub.calls()[4];
    assert_eq!(path_of(&last.url), PANEL_PATH);
    assert_eq!(last.authorization.as_deref(), Some("Bearer tok-2"));
}

fn path_of(url: &str) -> &str {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    after_scheme
        .find('/')
        .map_or("/", |start| &after_scheme[start..])
}
