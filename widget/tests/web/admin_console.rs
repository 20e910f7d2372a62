//! Browser tests of the admin console's frame: who gets it, connecting Salesforce through
//! the popup, and what a connected org shows.

use crate::admin_fixtures::{
    PopupStub, connected, json, post_message, press, status, step, sync, token,
};
use crate::support::{FetchStub, Mounted, Reply, mount, sleep};
use contract::admin::{
    ConnectionStatus, OAUTH_START_CODE_PATH, OAUTH_START_PATH, STATUS_PATH, SYNC_PAUSE_PATH,
    SyncState,
};
use contract::context::Role;
use contract::mapping::ObjectKind;
use contract::side::Side;
use leptos::prelude::*;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;
use widget::admin::AdminConsole;
use widget::admin::connect::{OAuthOutcome, failure_text};
use widget::components::{ConsoleEntry, PanelHeader};
use widget::location::{hash_for, is_console_hash, token_from_hash};

fn console(token: String) -> Mounted {
    mount(move || view! { <AdminConsole token=Signal::derive(move || Some(token.clone())) /> })
}

#[wasm_bindgen_test]
fn agents_do_not_get_the_console() {
    let _stub = FetchStub::install(vec![Reply::Json(500, serde_json::json!({}))]);
    let m = console(token(Role::Agent, None));

    assert_eq!(m.state().as_deref(), Some("forbidden"));
    assert_eq!(m.text("state-title"), "Administrators only");
    assert!(!m.has("admin-console"));
}

#[wasm_bindgen_test]
async fn not_connected_offers_only_connect() {
    let stub = FetchStub::install(vec![Reply::Json(
        200,
        json(&status(
            ConnectionStatus::NotConnected,
            sync(SyncState::NotStarted, vec![]),
        )),
    )]);
    let m = console(token(Role::Admin, None));

    m.wait_for("the connect card", |m| m.has("connection"))
        .await;
    assert_eq!(
        m.attr("connection", "data-state").as_deref(),
        Some("not_connected")
    );
    assert_eq!(m.text("connect"), "Connect Salesforce");
    assert!(!m.has("tab-mapping"), "no tabs before connecting");
    assert!(!m.has("sync-state"));
    let calls = stub.calls();
    assert!(calls[0].url.ends_with(STATUS_PATH));
    assert!(
        calls[0]
            .authorization
            .as_deref()
            .unwrap()
            .starts_with("Bearer ey")
    );
}

#[wasm_bindgen_test]
async fn a_refused_connection_is_explained() {
    let _stub = FetchStub::install(vec![Reply::Json(
        200,
        json(&status(
            ConnectionStatus::NotConnected,
            sync(SyncState::NotStarted, vec![]),
        )),
    )]);
    let m = console(token(Role::Admin, None));
    m.wait_for("the connect card", |m| m.has("connect")).await;

    post_message(
        r#"{"sfdesk": "oauth", "side": "salesforce", "ok": false, "message": "API_DISABLED_FOR_ORG: API is not enabled"}"#,
    );
    m.wait_for("the error", |m| m.has("connect-error")).await;

    let text = m.text("connect-error");
    assert!(text.starts_with("Salesforce was not connected."), "{text}");
    assert!(
        text.contains("no API access (API_DISABLED_FOR_ORG)"),
        "{text}"
    );
}

#[wasm_bindgen_test]
async fn once_connected_the_console_goes_on_to_the_settings() {
    let stub = FetchStub::install(vec![
        Reply::Json(
            200,
            json(&status(
                ConnectionStatus::NotConnected,
                sync(SyncState::NotStarted, vec![]),
            )),
        ),
        Reply::Json(
            200,
            json(&status(connected(), sync(SyncState::NotStarted, vec![]))),
        ),
        Reply::Json(200, json(&crate::admin_fixtures::settings())),
    ]);
    let m = console(token(Role::Admin, None));
    m.wait_for("the connect card", |m| m.has("connect")).await;

    post_message(r#"{"sfdesk": "oauth", "side": "salesforce", "ok": true}"#);
    m.wait_for("the settings", |m| m.has("sync-settings")).await;

    assert_eq!(
        m.attr("tab-mapping", "aria-selected").as_deref(),
        Some("true")
    );
    assert!(!m.has("connect-error"));
    assert!(stub.calls()[1].url.ends_with(STATUS_PATH));
}

/// The popup opens on a one-time code asked for with the token in a header: the token
/// itself never goes in a URL.
#[wasm_bindgen_test]
async fn connect_opens_the_popup_on_a_one_time_code() {
    let stub = FetchStub::install(vec![
        Reply::Json(
            200,
            json(&status(
                ConnectionStatus::NotConnected,
                sync(SyncState::NotStarted, vec![]),
            )),
        ),
        Reply::Json(200, serde_json::json!({"code": "60001.one-time"})),
    ]);
    let admin = token(Role::Admin, None);
    let m = console(admin.clone());
    m.wait_for("the connect card", |m| m.has("connect")).await;

    let popup = PopupStub::install();
    m.click("connect");
    m.wait_for("the popup sent on", |_| {
        popup.href().contains(OAUTH_START_PATH)
    })
    .await;
    let href = popup.href();
    drop(popup);

    assert!(
        href.ends_with(&format!("{OAUTH_START_PATH}?code=60001.one-time")),
        "{href}"
    );
    assert!(!href.contains(&admin), "{href}");
    let calls = stub.calls();
    let asked = &calls[1];
    assert!(asked.url.ends_with(OAUTH_START_CODE_PATH), "{}", asked.url);
    assert_eq!(asked.method, "POST");
    assert_eq!(
        asked.authorization.as_deref(),
        Some(format!("Bearer {admin}").as_str())
    );
    assert!(calls.iter().all(|call| !call.url.contains(&admin)));
}

#[wasm_bindgen_test]
fn the_popups_message_is_read_strictly() {
    let parse = |text: &str| OAuthOutcome::from_message(&js_sys::JSON::parse(text).unwrap());
    assert_eq!(
        parse(r#"{"sfdesk": "oauth", "side": "salesforce", "ok": true}"#),
        Some(OAuthOutcome {
            side: Side::Salesforce,
            ok: true,
            message: None
        })
    );
    assert_eq!(
        parse(r#"{"sfdesk": "oauth", "side": "helpdesk", "ok": false}"#).map(|o| o.side),
        Some(Side::Helpdesk)
    );
    assert_eq!(parse(r#"{"sfdesk": "oauth", "ok": true}"#), None, "no side");
    assert_eq!(
        parse(r#"{"sfdesk": "oauth", "side": "zendesk", "ok": true}"#),
        None
    );
    assert_eq!(
        parse(r#"{"sfdesk": "other", "side": "salesforce", "ok": true}"#),
        None
    );
    assert_eq!(parse(r#"{"ok": true}"#), None);
    assert_eq!(
        OAuthOutcome::from_message(&JsValue::from_str("oauth")),
        None
    );
    assert!(failure_text(Side::Salesforce, None).contains("choose Allow"));
    assert!(failure_text(Side::Helpdesk, None).contains("choose Accept"));
    assert_eq!(
        failure_text(
            Side::Salesforce,
            Some("Access was not granted in Salesforce.")
        ),
        "Access was not granted in Salesforce."
    );
}

#[wasm_bindgen_test]
async fn connected_shows_the_org_the_state_and_pause() {
    let live = status(
        connected(),
        sync(
            SyncState::Live,
            vec![step(
                ObjectKind::Contact,
                Side::Salesforce,
                5,
                Some(5),
                true,
            )],
        ),
    );
    let stub = FetchStub::install(vec![
        Reply::Json(200, json(&live)),
        Reply::Json(200, json(&sync(SyncState::Paused, vec![]))),
    ]);
    let m = console(token(Role::Admin, None));
    m.wait_for("the overview", |m| m.has("overview")).await;

    assert_eq!(m.attr("sync-state", "data-state").as_deref(), Some("live"));
    assert_eq!(m.text("org-user"), "admin@acme.example");
    assert_eq!(m.text("org-url"), "acme.my.salesforce.com");
    assert!(
        m.text("api-usage")
            .starts_with("1,204 of 15,000 requests (8%)")
    );
    assert_eq!(m.text("sync-title"), "Sync is live");
    assert!(!m.has("back-to-panel"), "opened without a record");

    m.click("pause");
    m.wait_for("the paused state", |m| {
        m.attr("sync-state", "data-state").as_deref() == Some("paused")
    })
    .await;
    assert!(m.has("resume"));
    assert_eq!(m.text("sync-title"), "Sync is paused");
    let calls = stub.calls();
    assert!(calls[1].url.ends_with(SYNC_PAUSE_PATH) && calls[1].method == "POST");
}

#[wasm_bindgen_test]
async fn before_the_first_start_the_console_opens_on_the_settings() {
    let _stub = FetchStub::install(vec![
        Reply::Json(
            200,
            json(&status(connected(), sync(SyncState::NotStarted, vec![]))),
        ),
        Reply::Json(200, json(&crate::admin_fixtures::settings())),
    ]);
    let m = console(token(Role::Admin, Some("42")));
    m.wait_for("the settings", |m| m.has("sync-settings")).await;

    assert_eq!(
        m.attr("tab-mapping", "aria-selected").as_deref(),
        Some("true")
    );
    assert_eq!(
        m.attr("sync-state", "data-state").as_deref(),
        Some("not_started")
    );
    assert!(m.has("back-to-panel"), "opened beside a ticket");
}

#[wasm_bindgen_test]
async fn the_tabs_follow_the_arrow_keys() {
    let _stub = FetchStub::install(vec![Reply::Json(
        200,
        json(&status(connected(), sync(SyncState::Live, vec![]))),
    )]);
    let m = console(token(Role::Admin, None));
    m.wait_for("the tabs", |m| m.has("tab-overview")).await;

    assert_eq!(m.attr("tab-overview", "tabindex").as_deref(), Some("0"));
    assert_eq!(m.attr("tab-history", "tabindex").as_deref(), Some("-1"));
    press(&m.get("tab-overview"), "ArrowRight", false);
    sleep(0).await;
    assert_eq!(
        m.attr("tab-mapping", "aria-selected").as_deref(),
        Some("true")
    );
    press(&m.get("tab-mapping"), "End", false);
    sleep(0).await;
    assert_eq!(
        m.attr("tab-panel-fields", "aria-selected").as_deref(),
        Some("true")
    );
    assert_eq!(document().active_element(), Some(m.get("tab-panel-fields")));
    press(&m.get("tab-panel-fields"), "ArrowRight", false);
    sleep(0).await;
    assert_eq!(
        m.attr("tab-overview", "aria-selected").as_deref(),
        Some("true")
    );
}

#[wasm_bindgen_test]
fn the_console_is_a_fragment_away() {
    let hash = hash_for("a.b.c", true);
    assert_eq!(hash, "#ctx=a.b.c&view=admin");
    assert!(is_console_hash(&hash));
    assert_eq!(token_from_hash(&hash).as_deref(), Some("a.b.c"));
    assert!(!is_console_hash(&hash_for("a.b.c", false)));
    assert!(!is_console_hash("#ctx=a.b.c&view=panel"));
}

#[wasm_bindgen_test]
fn admins_get_a_settings_link_in_the_panel_header() {
    let m = mount(|| {
        provide_context(ConsoleEntry(Signal::derive(|| {
            Some("#ctx=t&view=admin".to_owned())
        })));
        view! { <PanelHeader busy=false on_refresh=|()| {} /> }
    });
    assert_eq!(
        m.attr("open-console", "href").as_deref(),
        Some("#ctx=t&view=admin")
    );
    assert_eq!(
        m.attr("open-console", "aria-label").as_deref(),
        Some("Salesforce integration settings")
    );

    let agent = mount(|| {
        provide_context(ConsoleEntry(Signal::derive(|| None)));
        view! { <PanelHeader busy=false on_refresh=|()| {} /> }
    });
    assert!(!agent.has("open-console"));
}

#[wasm_bindgen_test]
async fn a_status_poll_leaves_unsaved_edits_alone() {
    // The initial sync runs, so the console asks for the status every 1.5 s; each answer
    // counts more of today's Salesforce API calls, as the sync makes them.
    let running = |api_used: u64| {
        let mut now = status(connected(), sync(SyncState::InitialSync, vec![]));
        if let ConnectionStatus::Connected(info) = &mut now.connection {
            info.api_used = Some(api_used);
        }
        json(&now)
    };
    let stub = FetchStub::install(vec![
        Reply::Json(200, running(1_204)),
        Reply::Json(200, json(&crate::admin_fixtures::settings())),
        Reply::Json(200, running(1_310)),
        Reply::Json(200, running(1_422)),
    ]);
    let m = console(token(Role::Admin, None));
    m.wait_for("the overview", |m| m.has("tab-mapping")).await;
    m.click("tab-mapping");
    m.wait_for("the settings", |m| m.has("sync-settings")).await;
    let title = "[data-testid=mapping-contacts] [data-field=title] [data-testid=mapping-rule]";
    crate::admin_fixtures::choose(&m.query(title).unwrap(), "helpdesk_wins");

    // Two more polls, however slowly the machine runs them (10 s at most).
    let polls = || {
        stub.calls()
            .iter()
            .filter(|call| call.url.contains(STATUS_PATH))
            .count()
    };
    for _ in 0..100 {
        if polls() >= 3 {
            break;
        }
        sleep(100).await;
    }
    assert!(polls() >= 3, "the status was asked again: {}", polls());
    // The API usage changed meanwhile (the overview's figure), and the screen stayed.
    let picker = m.query(title).expect("the picker is still there");
    assert_eq!(
        wasm_bindgen::JsCast::unchecked_ref::<web_sys::HtmlSelectElement>(&picker).value(),
        "helpdesk_wins",
        "the unsaved choice survives the polls"
    );
}
