//! `shared` against the sandbox, natively: the Salesforce client, the helpdesk client and
//! the sync engine over real HTTP (reqwest) and real SQLite, talking to the sandbox's
//! Salesforce org and helpdesk, which speak the real wire formats. No Worker and no
//! browser: the end-to-end tests in `tests/` cover those. One module per part; each test
//! starts a sandbox of its own on free ports.

mod helpdesk_bulk;
mod helpdesk_client;
mod helpdesk_import;
mod helpdesk_limits;
mod helpdesk_oauth;
mod salesforce_client;
mod support;
mod sync_engine;
mod sync_import;
mod sync_shapes;
