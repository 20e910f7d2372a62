//! Browser tests of the helpdesk connection card: connecting the org's own Zoho Desk
//! through the same popup as Salesforce, the connected grant, and a revoked one.

use crate::admin_fixtures::{PopupStub, connected, json, post_message, status, sync, token};
use crate::support::{FetchStub, Mounted, Reply, mount};
use contract::admin::{
    AdminStatus, ConnectionStatus, HELPDESK_OAUTH_START_CODE_PATH, HELPDESK_OAUTH_START_PATH,
    HelpdeskConnectionInfo, HelpdeskConnectionStatus, HelpdeskCredits, STATUS_PATH, SyncState,
};
use contract::context::Role;
use leptos::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;
use widget::admin::AdminConsole;

fn console() -> Mounted {
    let admin = token(Role::Admin, None);
    mount(move || view! { <AdminConsole token=Signal::derive(move || Some(admin.clone())) /> })
}

/// A live sync with Salesforce connected and the helpdesk in `helpdesk`.
fn live_with(helpdesk: HelpdeskConnectionStatus) -> serde_json::Value {
    json(&AdminStatus {
        helpdesk,
        ..status(connected(), sync(SyncState::Live, vec![]))
    })
}

fn helpdesk_connected() -> HelpdeskConnectionStatus {
    HelpdeskConnectionStatus::Connected(HelpdeskConnectionInfo {
        agent_email: "alex.morgan@sandboxdesk.example".into(),
        api_domain: "https://desk.zoho.eu".into(),
        connected_at_ms: 1_765_000_000_000,
        credits: Some(HelpdeskCredits {
            edition: "Professional".into(),
            daily: 80_000,
            sync_share: 64_000,
            left_today: Some(61_500),
        }),
    })
}

#[wasm_bindgen_test]
async fn the_helpdesk_is_offered_beside_salesforce_before_either_is_connected() {
    let _stub = FetchStub::install(vec![Reply::Json(
        200,
        json(&status(
            ConnectionStatus::NotConnected,
            sync(SyncState::NotStarted, vec![]),
        )),
    )]);
    let m = console();
    m.wait_for("the helpdesk card", |m| m.has("helpdesk-connection"))
        .await;

    assert_eq!(
        m.attr("helpdesk-connection", "data-state").as_deref(),
        Some("not_connected")
    );
    assert_eq!(m.text("helpdesk-connect"), "Connect the helpdesk");
    assert_eq!(m.text("connect"), "Connect Salesforce");
}

#[wasm_bindgen_test]
async fn connected_shows_the_data_centre_and_the_agent() {
    let _stub = FetchStub::install(vec![Reply::Json(200, live_with(helpdesk_connected()))]);
    let m = console();
    m.wait_for("the overview", |m| m.has("helpdesk-connection"))
        .await;

    assert_eq!(
        m.attr("helpdesk-connection", "data-state").as_deref(),
        Some("connected")
    );
    assert_eq!(m.text("helpdesk-api-domain"), "desk.zoho.eu");
    assert_eq!(m.text("helpdesk-agent"), "alex.morgan@sandboxdesk.example");
    assert_eq!(
        m.text("helpdesk-credits"),
        "Professional: 61,500 of 80,000 credits left today; the sync uses up to 64,000"
    );
    // The overview's health summary says the same of the helpdesk's budget.
    assert_eq!(
        m.text("health-helpdesk-budget"),
        "Professional: 61,500 of 80,000 credits left today; the sync uses up to 64,000"
    );
    assert_eq!(m.text("helpdesk-connect"), "Reconnect");
    assert_eq!(
        m.attr("connection", "data-state").as_deref(),
        Some("connected")
    );
}

/// The helpdesk's popup opens on the helpdesk's own one-time code and start path.
#[wasm_bindgen_test]
async fn connect_opens_the_helpdesk_popup_on_its_own_start_code() {
    let stub = FetchStub::install(vec![
        Reply::Json(200, live_with(HelpdeskConnectionStatus::NotConnected)),
        Reply::Json(200, serde_json::json!({"code": "60001.helpdesk-code"})),
    ]);
    let m = console();
    m.wait_for("the helpdesk card", |m| m.has("helpdesk-connect"))
        .await;

    let popup = PopupStub::install();
    m.click("helpdesk-connect");
    m.wait_for("the popup sent on", |_| {
        popup.href().contains(HELPDESK_OAUTH_START_PATH)
    })
    .await;
    let href = popup.href();
    drop(popup);

    assert!(
        href.ends_with(&format!(
            "{HELPDESK_OAUTH_START_PATH}?code=60001.helpdesk-code"
        )),
        "{href}"
    );
    let calls = stub.calls();
    assert!(
        calls[1].url.ends_with(HELPDESK_OAUTH_START_CODE_PATH),
        "{}",
        calls[1].url
    );
    assert_eq!(calls[1].method, "POST");
    assert_eq!(m.text("helpdesk-connect"), "Waiting for the helpdesk…");
    assert_eq!(
        m.text("connect"),
        "Reconnect",
        "Salesforce's button is untouched"
    );
}

/// A revoked grant asks for a reconnect; once the helpdesk's popup reports success the
/// console reads the status again and shows the grant connected.
#[wasm_bindgen_test]
async fn revoked_asks_to_reconnect_and_a_granted_popup_connects_it() {
    let stub = FetchStub::install(vec![
        Reply::Json(
            200,
            live_with(HelpdeskConnectionStatus::Revoked {
                api_domain: "https://desk.zoho.com".into(),
            }),
        ),
        Reply::Json(200, live_with(helpdesk_connected())),
    ]);
    let m = console();
    m.wait_for("the revoked card", |m| m.has("helpdesk-connection"))
        .await;

    assert_eq!(
        m.attr("helpdesk-connection", "data-state").as_deref(),
        Some("revoked")
    );
    assert_eq!(m.text("helpdesk-connect"), "Reconnect the helpdesk");
    assert_eq!(m.text("helpdesk-api-domain"), "https://desk.zoho.com");

    post_message(r#"{"sfdesk": "oauth", "side": "helpdesk", "ok": true}"#);
    m.wait_for("the connected card", |m| {
        m.attr("helpdesk-connection", "data-state").as_deref() == Some("connected")
    })
    .await;
    assert!(stub.calls()[1].url.ends_with(STATUS_PATH));
}

/// Each button takes only its own side's popup: a refused helpdesk grant is explained on
/// the helpdesk's card, not on Salesforce's, and Salesforce's outcome leaves it alone.
#[wasm_bindgen_test]
async fn a_refused_helpdesk_grant_is_explained_on_its_own_card() {
    let _stub = FetchStub::install(vec![Reply::Json(
        200,
        live_with(HelpdeskConnectionStatus::NotConnected),
    )]);
    let m = console();
    m.wait_for("the helpdesk card", |m| m.has("helpdesk-connect"))
        .await;

    post_message(
        r#"{"sfdesk": "oauth", "side": "helpdesk", "ok": false, "message": "Access was not granted in the helpdesk. Start again and choose Accept."}"#,
    );
    m.wait_for("the error", |m| m.has("helpdesk-connect-error"))
        .await;
    let text = m.text("helpdesk-connect-error");
    assert!(
        text.starts_with("The helpdesk was not connected. Access was not granted"),
        "{text}"
    );
    assert!(!m.has("connect-error"), "Salesforce's card shows nothing");

    post_message(r#"{"sfdesk": "oauth", "side": "salesforce", "ok": false}"#);
    m.wait_for("Salesforce's error", |m| m.has("connect-error"))
        .await;
    assert!(
        m.text("connect-error")
            .starts_with("Salesforce was not connected.")
    );
    assert!(
        m.text("helpdesk-connect-error")
            .contains("Access was not granted")
    );
}
