//! The end-to-end tests, one module per area, against the running stack: the sandbox in
//! this process, the edge under `wrangler dev` (the real Workers runtime), and Chromium
//! for the browser tests. The harness they share is this crate's library (`tests/src`).
//!
//! Run one area with a filter on its module path, e.g. `cargo test -p e2e --test e2e
//! chaos::` (the widget and the edge built first: `cargo xtask build`).

mod admin_console;
mod agent_panel;
mod at_rest;
mod chaos;
mod demo_pages;
mod helpdesk_connection;
mod helpdesk_credits;
mod hostile_input;
mod org_shapes;
mod panel_actions;
mod sync_live;
mod sync_rules;

/// Seconds since the Unix epoch, as context tokens count them.
fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs()
}
