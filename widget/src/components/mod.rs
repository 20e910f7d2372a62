//! The widget's components, one file each. All are public so tests can mount them alone.
//!
//! Stable hooks for end-to-end tests are `data-testid` attributes:
//! - every state that is not a record: `panel-state` (with `data-state`: the contract's
//!   tag, e.g. `not_connected`, `choose`, or `error`), `state-title`, `state-detail`,
//!   `retry`; while choosing among contacts, `choose-contact` on each candidate (with
//!   `data-contact-id`) and `choose-error`;
//! - the frame: `loading`, `refresh`;
//! - a record (`Panel::View`, `salesforce-view` with `data-kind`): `record-header`,
//!   `record-name` (holding `contact-name` or `account-name`), `record-title`,
//!   `account-name` (a contact's account), `record-email`, `record-phone`,
//!   `record-owner`, `record-field`, `view-in-salesforce` (the record's own link);
//!   sections `section-opportunities`, `section-notes`, `section-events`,
//!   `section-tasks` (each with `count`, `section-toggle` and, when empty, `empty`),
//!   or `section-unavailable` (with `data-section`) when the org does not serve one;
//!   rows `opportunity`, `note`, `event`, `task` (with `data-status`), each with an
//!   `item-link` into Salesforce, parts such as `opportunity-amount`,
//!   `opportunity-role`, `opportunity-field`, `task-due`, `event-when`, and
//!   for a long note `item-body` and `body-toggle`; `closed-opportunities`;
//! - cases: `section-cases` with rows `case` (`data-status` `open` or `closed`; parts
//!   `case-status`, `case-opened`, `case-closed`, `case-priority`) and `closed-cases`;
//! - actions: `actions`, each `action` (with `data-action`: `create_contact`,
//!   `create_lead`, `log_ticket`, `open_case`), then `action-done` or `action-error`;
//! - no match: a lead with the email, `lead` (`lead-name`, `lead-company`,
//!   `lead-status`);
//! - no match or no account: `suggested-account` (with `open-suggestion`), the search
//!   `record-search` with `search-input`, `search-submit`, hits `search-hit` (with
//!   `data-record-id`), `search-empty`, `search-error`; an opened record has `back`.

mod actions;
mod app;
mod cases;
mod choose_contact;
mod error_state;
mod events;
pub mod format;
mod header;
mod item_row;
mod lead;
mod notes;
mod opportunities;
mod panel;
mod record_header;
mod record_view;
mod search;
mod section;
mod section_unavailable;
mod skeleton;
mod states;
mod tasks;

pub use actions::{ActionBar, ActionButton, done_text};
pub use app::App;
pub use cases::{CasesSection, case_row, cases_section};
pub use choose_contact::ChooseContact;
pub use error_state::ErrorState;
pub use events::{EventsSection, event_row, events_section, split_events};
pub use header::{ConsoleEntry, PanelHeader};
pub use item_row::{Body, ItemList, ItemRow, Part, Row, ViewInSalesforce};
pub use lead::LeadCard;
pub use notes::{NotesSection, note_row, notes_section};
pub use opportunities::{OpportunitiesSection, opportunities_section, opportunity_row};
pub use panel::{AgentPanel, PanelView};
pub use record_header::{FieldRow, RecordHeader, field_rows};
pub use record_view::RecordView;
pub use search::RecordSearch;
pub use section::{Group, SectionData, SectionView};
pub use section_unavailable::SectionUnavailable;
pub use skeleton::LoadingSkeleton;
pub use states::{
    NoAccountState, NoMatchState, NoRequesterState, NotConnectedState, StateMessage, Tone,
};
pub use tasks::{TasksSection, is_completed, is_overdue, task_row, tasks_section};
