//! The widget's components, one file each. All are public so tests can mount them alone.
//!
//! Stable hooks for end-to-end tests are `data-testid` attributes: `panel-state` (with
//! `data-state`) on every state that is not a contact, `contact-card`, `contact-name`,
//! `contact-title`, `contact-email`, `contact-phone`, `account-name`,
//! `view-in-salesforce`, `loading`, `refresh` and `retry`.

mod app;
mod contact_card;
mod error_state;
mod header;
mod panel;
mod skeleton;
mod states;

pub use app::App;
pub use contact_card::ContactCardView;
pub use error_state::ErrorState;
pub use header::PanelHeader;
pub use panel::{AgentPanel, PanelView};
pub use skeleton::LoadingSkeleton;
pub use states::{NoMatchState, NoRequesterState, NotConnectedState, StateMessage};
