//! Browser tests of "Changes from Salesforce": setting change notifications up for the
//! admin, with progress, result and error, removing them, and the steps by hand.

use crate::support::{FetchStub, Mounted, Reply, mount};
use contract::admin::{NOTIFICATIONS_PATH, NotificationSetup, ObjectNotifications};
use contract::api::{ApiError, ErrorBody, ErrorCode};
use contract::ids::SfId;
use contract::mapping::ObjectKind;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use widget::admin::connect::OutboundMessageCard;
use widget::admin::notifications::MANUAL_STEPS;
use widget::api::Client;

const URL: &str = "https://edge.example/webhooks/salesforce/org-1/tag?key=k";

fn card() -> Mounted {
    mount(|| view! { <OutboundMessageCard client=Client::new("tok") url=URL.to_owned() /> })
}

fn set_up(objects: &[ObjectKind]) -> serde_json::Value {
    let setup = NotificationSetup {
        objects: objects
            .iter()
            .enumerate()
            .map(|(i, object)| ObjectNotifications {
                object: *object,
                outbound_message_id: SfId::from_parts("04k", "5g", i as u64 + 1).unwrap(),
                outbound_message_name: format!(
                    "{}.sfdesk_{}_changes",
                    object.salesforce_name(),
                    object.salesforce_name()
                ),
                flow_definition_id: SfId::from_parts("300", "5g", i as u64 + 1).unwrap(),
                flow_name: format!("sfdesk_{}_changes", object.salesforce_name()),
                reused: false,
            })
            .collect(),
    };
    serde_json::to_value(setup).unwrap()
}

fn state(m: &Mounted) -> Option<String> {
    m.attr("notifications", "data-state")
}

#[wasm_bindgen_test]
async fn set_it_up_for_me_shows_progress_then_what_was_made() {
    let stub = FetchStub::install(vec![
        Reply::Json(200, set_up(&[])),
        Reply::Json(200, set_up(&[ObjectKind::Account, ObjectKind::Contact])),
    ]);
    let m = card();
    m.wait_for("the set-up state", |m| {
        state(m).as_deref() == Some("not_set_up")
    })
    .await;
    assert_eq!(m.text("set-up-notifications"), "Set it up for me");
    assert!(m.text("outbound-url").contains("Manage Flow"));

    stub.hold();
    m.click("set-up-notifications");
    m.wait_for("the progress", |m| m.has("notifications-progress"))
        .await;
    assert_eq!(state(&m).as_deref(), Some("setting_up"));
    assert_eq!(
        m.attr("notifications-working", "aria-busy").as_deref(),
        Some("true")
    );
    stub.release();
    m.wait_for("the result", |m| state(m).as_deref() == Some("set_up"))
        .await;
    assert_eq!(
        m.texts("[data-testid=notification-object]"),
        [
            "Accounts: the Flow sfdesk_Account_changes is active and sends the Outbound Message Account.sfdesk_Account_changes.",
            "Contacts: the Flow sfdesk_Contact_changes is active and sends the Outbound Message Contact.sfdesk_Contact_changes.",
        ]
    );
    assert!(m.has("notifications-done"));
    assert!(m.has("remove-notifications"));
    assert!(
        !m.has("set-up-notifications"),
        "complete: nothing left to set up"
    );

    let calls = stub.calls();
    assert_eq!(calls[0].method, "GET");
    assert!(calls[0].url.ends_with(NOTIFICATIONS_PATH));
    assert_eq!(calls[1].method, "POST");
    assert!(calls[1].url.ends_with(NOTIFICATIONS_PATH));
}

#[wasm_bindgen_test]
async fn a_refusal_names_what_is_missing_and_keeps_what_was_made() {
    let refusal = ErrorBody {
        error: ApiError::new(
            ErrorCode::BadRequest,
            "sfdesk could not read the Flows: the connected Salesforce user (admin@acme.example) lacks the \"Manage Flow\" permission (Salesforce answered INVALID_TYPE).",
        ),
    };
    let _stub = FetchStub::install(vec![
        Reply::Json(200, set_up(&[])),
        Reply::Json(400, serde_json::to_value(refusal).unwrap()),
        Reply::Json(200, set_up(&[ObjectKind::Account])),
    ]);
    let m = card();
    m.wait_for("the button", |m| m.has("set-up-notifications"))
        .await;
    m.click("set-up-notifications");
    m.wait_for("the error", |m| m.has("notifications-error"))
        .await;
    assert!(m.text("notifications-error").contains("\"Manage Flow\""));
    m.wait_for("what was made", |m| state(m).as_deref() == Some("set_up"))
        .await;
    assert_eq!(m.all("[data-testid=notification-object]").len(), 1);
    assert_eq!(
        m.text("set-up-notifications"),
        "Finish setting up",
        "half done: it can be finished"
    );
    assert!(m.has("remove-notifications"));
}

#[wasm_bindgen_test]
async fn remove_takes_it_away() {
    let stub = FetchStub::install(vec![
        Reply::Json(200, set_up(&[ObjectKind::Account, ObjectKind::Contact])),
        Reply::Json(200, set_up(&[])),
    ]);
    let m = card();
    m.wait_for("the set-up", |m| m.has("remove-notifications"))
        .await;
    m.click("remove-notifications");
    m.wait_for("the removal", |m| state(m).as_deref() == Some("not_set_up"))
        .await;
    assert!(m.text("notifications-done").starts_with("Removed"));
    assert_eq!(stub.calls()[1].method, "DELETE");
}

#[wasm_bindgen_test]
async fn the_steps_by_hand_give_the_address_and_the_flow_set_up() {
    let _stub = FetchStub::install(vec![Reply::Json(200, set_up(&[]))]);
    let m = card();
    let value = |m: &Mounted| {
        m.get("outbound-url-input")
            .dyn_into::<web_sys::HtmlInputElement>()
            .unwrap()
            .value()
    };
    m.wait_for("the address", |m| value(m) == URL).await;
    let steps = m.texts("[data-testid=manual-setup] li");
    assert_eq!(steps, MANUAL_STEPS);
    assert!(steps.iter().any(|s| s.contains("Record-Triggered Flow")));
    assert!(
        steps
            .iter()
            .any(|s| s.contains("A record is created or updated"))
    );
    assert!(
        steps
            .iter()
            .any(|s| s.contains("Actions and Related Records"))
    );
    assert!(steps.iter().any(|s| s.contains("Activate")));
}
