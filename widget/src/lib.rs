//! The sfdesk widget: a Leptos CSR app shown in an iframe beside a helpdesk ticket.
//!
//! It reads its session token from the page's hash (`#ctx=<token>`; as the Zoho Desk
//! extension's page it first gets one through Zoho's SDK, [`zoho`]), asks the
//! edge for the agent panel ([`contract::api::PANEL_PATH`]) and renders whichever
//! [`contract::api::Panel`] state comes back. With `&view=admin` in the hash, an
//! administrator gets the admin console ([`admin`]) instead, a bundle of its own so that
//! agents download only the panel ([`bundle`]). The components are public so that tests
//! can mount each of them with given data.

pub mod admin;
pub mod api;
pub mod bundle;
pub mod components;
pub mod json;
pub mod location;
pub mod token;
pub mod wire;
pub mod zoho;

pub use components::App;
