//! The one harness that starts the sfdesk stack: the sandbox (Salesforce org, helpdesk and
//! demo pages) in this process and the edge under `wrangler dev` (the real Workers
//! runtime) as a child process. End-to-end tests and `cargo xtask dev` both use it.
//!
//! It expects the widget and the edge to be built already (`cargo xtask test` and
//! `cargo xtask dev` build them first).

mod admin;
mod browser;
mod compare;
mod connect;
mod inspector;
mod paths;
mod stack;
mod wait;

pub use admin::DEMO_CONTACT_FIELD;
pub use browser::Browser;
pub use compare::Comparison;
pub use connect::oauth_browser;
pub use paths::repo_root;
pub use shared::http::ReqwestTransport;
pub use stack::{DEV_EXTENSION_SECRET, Ports, Stack, StackOptions};
pub use wait::{eventually, wait_for_held};
