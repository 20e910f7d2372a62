//! Component tests in headless Chromium: each mounts a component with given data into
//! the page and checks what a person (or an end-to-end test) would see.
//!
//! Run with `wasm-bindgen-test-runner` as the wasm32 test runner (see the crate's
//! `webdriver.json` for the browser flags).

mod admin_fixtures;
mod fixtures;
mod support;

mod admin_console;
mod admin_delete;
mod admin_failures;
mod admin_health;
mod admin_helpdesk_connect;
mod admin_history;
mod admin_notifications;
mod admin_panel_fields;
mod admin_permissions;
mod admin_progress;
mod admin_settings;
mod admin_sync_rules;
mod api;
mod choose;
mod errors;
mod format;
mod location;
mod panel;
mod panel_actions;
mod record_view;
mod states;
mod token;
mod wire;
mod zoho;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
