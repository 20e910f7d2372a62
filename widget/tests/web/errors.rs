//! Browser tests of how each failed fetch is explained and whether it offers a retry.

use crate::support::mount;
use contract::api::{ApiError, ErrorCode};
use leptos::prelude::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use wasm_bindgen_test::wasm_bindgen_test;
use widget::api::ClientError;
use widget::components::ErrorState;

/// Mounts the error with a retry callback that counts its calls.
fn show(error: ClientError) -> (crate::support::Mounted, Arc<AtomicUsize>) {
    let retries = Arc::new(AtomicUsize::new(0));
    let counter = retries.clone();
    let m = mount(move || {
        let on_retry = move |()| {
            counter.fetch_add(1, Ordering::SeqCst);
        };
        view! { <ErrorState error=error on_retry=on_retry /> }
    });
    (m, retries)
}

#[wasm_bindgen_test]
fn salesforce_outage_shows_the_edge_message_and_retries() {
    let (m, retries) = show(ClientError::Api(ApiError::new(
        ErrorCode::SalesforceUnavailable,
        "Salesforce did not answer in time. Try again in a minute.",
    )));

    assert_eq!(m.state().as_deref(), Some("error"));
    assert_eq!(m.text("state-title"), "Salesforce is not responding");
    assert_eq!(
        m.text("state-detail"),
        "Salesforce did not answer in time. Try again in a minute."
    );
    assert_eq!(
        m.attr("state-detail", "data-error-code").as_deref(),
        Some("salesforce_unavailable")
    );
    assert_eq!(m.text("retry"), "Try again");
    assert_eq!(retries.load(Ordering::SeqCst), 0);
    m.click("retry");
    assert_eq!(retries.load(Ordering::SeqCst), 1);
}

#[wasm_bindgen_test]
fn unauthorized_asks_for_a_reload_not_a_retry() {
    let (m, _) = show(ClientError::Unauthorized(
        "the context token expired; reload the page to get a new one".to_owned(),
    ));

    assert_eq!(m.state().as_deref(), Some("unauthorized"));
    assert!(
        m.text("state-detail").contains("Reload the helpdesk page"),
        "{}",
        m.html()
    );
    assert!(!m.has("retry"), "retrying an expired token cannot help");
}

#[wasm_bindgen_test]
fn missing_token_says_where_the_panel_belongs() {
    let (m, _) = show(ClientError::MissingToken);

    assert_eq!(m.state().as_deref(), Some("missing_token"));
    assert_eq!(m.text("state-title"), "No helpdesk context");
    assert!(m.text("state-detail").contains("helpdesk ticket"));
    assert!(!m.has("retry"));
}

#[wasm_bindgen_test]
fn forbidden_is_not_offered_a_retry() {
    let (m, _) = show(ClientError::Api(ApiError::new(
        ErrorCode::Forbidden,
        "Your profile may not see Salesforce contacts.",
    )));

    assert_eq!(m.text("state-title"), "Not allowed");
    assert_eq!(
        m.text("state-detail"),
        "Your profile may not see Salesforce contacts."
    );
    assert!(!m.has("retry"));
}

#[wasm_bindgen_test]
fn network_and_decode_failures_can_be_retried() {
    let (m, _) = show(ClientError::Network(
        "TypeError: Failed to fetch".to_owned(),
    ));
    assert_eq!(m.text("state-title"), "Can't reach sfdesk");
    assert_eq!(
        m.attr("state-detail", "data-error-code").as_deref(),
        Some("network")
    );
    assert!(m.has("retry"));
    drop(m);

    let (m, _) = show(ClientError::Decode {
        status: 500,
        detail: "expected value at line 1 column 1".to_owned(),
    });
    assert_eq!(
        m.attr("state-detail", "data-error-code").as_deref(),
        Some("decode")
    );
    assert!(m.text("state-detail").contains("HTTP 500"));
    assert!(m.has("retry"));
}
