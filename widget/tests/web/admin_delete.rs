//! Browser tests of deleting the integration: the confirmation dialog, the call and its outcome.

use crate::admin_fixtures::press;
use crate::support::{FetchStub, Mounted, Reply, mount, sleep};
use contract::admin::INTEGRATION_PATH;
use leptos::prelude::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use wasm_bindgen_test::wasm_bindgen_test;
use widget::admin::delete::{DeleteIntegration, ERASED};
use widget::api::Client;

fn show() -> (Mounted, Arc<AtomicU32>) {
    let deleted = Arc::new(AtomicU32::new(0));
    let count = deleted.clone();
    let m = mount(move || {
        view! {
            <DeleteIntegration
                client=Client::new("tok")
                on_deleted=move |()| {
                    count.fetch_add(1, Ordering::SeqCst);
                }
            />
        }
    });
    (m, deleted)
}

#[wasm_bindgen_test]
async fn the_dialog_says_what_will_be_erased_and_cancel_keeps_everything() {
    let stub = FetchStub::install(vec![Reply::Raw(204, "")]);
    let (m, deleted) = show();

    assert!(!m.has("confirm-delete"));
    m.click("delete-integration");
    sleep(0).await;

    let dialog = m.get("confirm-delete");
    assert_eq!(dialog.get_attribute("role").as_deref(), Some("alertdialog"));
    assert_eq!(dialog.get_attribute("aria-modal").as_deref(), Some("true"));
    assert_eq!(m.texts("[data-testid=erase-list] li"), ERASED);
    assert!(
        m.text("confirm-delete")
            .contains("nothing is deleted there")
    );
    // Focus starts on the safe choice.
    assert_eq!(
        document().active_element(),
        Some(m.get("cancel-delete")),
        "Cancel has the focus"
    );

    m.click("cancel-delete");
    sleep(0).await;
    assert!(!m.has("confirm-delete"));
    assert!(stub.calls().is_empty());
    assert_eq!(deleted.load(Ordering::SeqCst), 0);
}

#[wasm_bindgen_test]
async fn escape_closes_and_tab_stays_inside() {
    let (m, _) = show();
    m.click("delete-integration");
    sleep(0).await;

    press(&m.get("cancel-delete"), "Tab", true);
    assert_eq!(
        document().active_element(),
        Some(m.get("confirm-delete-button"))
    );
    press(&m.get("confirm-delete-button"), "Tab", false);
    assert_eq!(document().active_element(), Some(m.get("cancel-delete")));

    press(&m.get("cancel-delete"), "Escape", false);
    sleep(0).await;
    assert!(!m.has("confirm-delete"));
}

#[wasm_bindgen_test]
async fn delete_calls_the_edge_then_reports() {
    let stub = FetchStub::install(vec![Reply::Raw(204, "")]);
    let (m, deleted) = show();
    m.click("delete-integration");
    sleep(0).await;

    m.click("confirm-delete-button");
    m.wait_for("the deletion", |_| deleted.load(Ordering::SeqCst) == 1)
        .await;

    let calls = stub.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].method, "DELETE");
    assert!(calls[0].url.ends_with(INTEGRATION_PATH));
}

#[wasm_bindgen_test]
async fn a_failed_delete_stays_in_the_dialog_with_the_reason() {
    let _stub = FetchStub::install(vec![Reply::NetworkError]);
    let (m, deleted) = show();
    m.click("delete-integration");
    sleep(0).await;

    m.click("confirm-delete-button");
    m.wait_for("the error", |m| m.has("delete-error")).await;
    assert!(
        m.text("delete-error")
            .starts_with("The integration was not deleted")
    );
    assert!(m.has("confirm-delete"));
    assert_eq!(deleted.load(Ordering::SeqCst), 0);
}
