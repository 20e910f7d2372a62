//! Browser tests of per-profile permissions: each switch saved at once, a refused save put back.

use crate::admin_fixtures::{json, light_agent};
use crate::support::{FetchStub, Mounted, Reply, mount, sleep};
use contract::admin::{PERMISSIONS_PATH, ProfilePermissions};
use contract::api::{ApiError, ErrorBody, ErrorCode, RecordKind};
use contract::permissions::{Access, Items};
use leptos::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;
use widget::admin::permissions::{PermissionsScreen, ProfileRow};
use widget::api::Client;

fn row() -> Mounted {
    mount(|| {
        view! {
            <table>
                <ProfileRow client=Client::new("tok") profile=light_agent() />
            </table>
        }
    })
}

fn checked(m: &Mounted, test_id: &str) -> bool {
    js_sys::Reflect::get(&m.get(test_id), &"checked".into())
        .unwrap()
        .as_bool()
        .unwrap()
}

#[wasm_bindgen_test]
fn a_restricted_profile_shows_its_items_as_checkboxes() {
    let m = row();

    assert!(checked(&m, "perm-visible"));
    assert_eq!(
        m.attr("perm-shows-contacts", "aria-checked").as_deref(),
        Some("true")
    );
    assert!(m.has("perm-items"));
    assert!(checked(&m, "perm-item-information"));
    assert!(!checked(&m, "perm-item-opportunities"));
    assert!(checked(&m, "perm-item-tasks"));
    assert!(m.text("perm-items").contains("Contact information"));
}

#[wasm_bindgen_test]
async fn a_change_is_saved_at_once() {
    let mut saved = light_agent();
    saved.permissions.access = Access::Restricted {
        items: Items {
            opportunities: false,
            notes: false,
            ..Items::READ_ONLY
        },
    };
    let stub = FetchStub::install(vec![Reply::Json(200, json(&saved))]);
    let m = row();

    m.click("perm-item-notes");
    m.wait_for("the save", |m| m.text("save-state") == "Saved")
        .await;

    let calls = stub.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].method, "PUT");
    assert!(calls[0].url.ends_with(PERMISSIONS_PATH));
    let sent: ProfilePermissions = serde_json::from_str(calls[0].body.as_deref().unwrap()).unwrap();
    assert_eq!(sent, saved);
    assert!(!checked(&m, "perm-item-notes"));
}

#[wasm_bindgen_test]
async fn switching_to_accounts_relabels_the_record_item() {
    let mut saved = light_agent();
    saved.permissions.shows = RecordKind::Account;
    let _stub = FetchStub::install(vec![Reply::Json(200, json(&saved))]);
    let m = row();

    m.click("perm-shows-accounts");
    m.wait_for("the save", |m| m.text("save-state") == "Saved")
        .await;
    assert_eq!(
        m.attr("perm-shows-accounts", "aria-checked").as_deref(),
        Some("true")
    );
    assert!(m.text("perm-items").contains("Account information"));
}

#[wasm_bindgen_test]
async fn a_refused_save_puts_the_switch_back_and_says_why() {
    let refusal = ErrorBody {
        error: ApiError::new(ErrorCode::BadRequest, "unknown profile"),
    };
    let stub = FetchStub::install(vec![Reply::Json(400, json(&refusal))]);
    let m = row();

    // The refusal waits until the optimistic state has been seen: an answer that came
    // first would put the switch back before the check.
    stub.hold();
    m.click("perm-visible");
    sleep(0).await;
    assert!(!checked(&m, "perm-visible"), "optimistic while saving");
    stub.release();
    m.wait_for("the error", |m| m.has("perm-error")).await;

    assert!(checked(&m, "perm-visible"), "back as it was");
    assert!(m.text("perm-error").contains("unknown profile"));
}

#[wasm_bindgen_test]
async fn the_screen_lists_every_profile() {
    let mut agent = light_agent();
    agent.profile_id = "7002".into();
    agent.profile_name = "Agent".into();
    agent.permissions.access = Access::Full;
    let _stub = FetchStub::install(vec![Reply::Json(200, json(&vec![agent, light_agent()]))]);
    let m = mount(|| view! { <PermissionsScreen client=Client::new("tok") /> });

    m.wait_for("the table", |m| m.has("permissions-table"))
        .await;
    let rows = m.all("[data-testid=profile-row]");
    let names: Vec<_> = rows
        .iter()
        .map(|r| r.get_attribute("data-profile").unwrap())
        .collect();
    assert_eq!(names, ["Agent", "Light Agent"]);
    assert_eq!(
        m.all("[data-testid=perm-items]").len(),
        1,
        "only restricted rows list items"
    );
}
