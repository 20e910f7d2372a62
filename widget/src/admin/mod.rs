//! The admin console, the widget's second bundle (`#ctx=<token>&view=admin`, administrators
//! only; [`crate::bundle`]):
//! connect Salesforce and the helpdesk, sync settings and field mapping, the initial sync's progress,
//! pause / resume, the 7-day history, the failure log, per-profile permissions, the
//! panel's fields, and
//! deleting the integration. A UI over [`contract::admin`]; one file per screen.
//!
//! Stable hooks for end-to-end tests (`data-testid`):
//! - shell: `admin-console`, `tab-overview`, `tab-mapping`, `tab-history`,
//!   `tab-failures`, `tab-permissions`, `tab-panel-fields`, `sync-state` (with `data-state`: `not_started`,
//!   `initial_sync`, `live`, `paused`, `needs_reconnect`), `pause`, `resume`,
//!   `back-to-panel`, `status-error`;
//! - connect: `connection` (with `data-state`: `not_connected`, `connected`,
//!   `revoked`), `connect`, `connect-error`, `org-url`, `org-id`, `org-user`, `api-usage`;
//! - helpdesk: `helpdesk-connection` (with `data-state`: `not_connected`, `connected`,
//!   `revoked`), `helpdesk-connect`, `helpdesk-connect-error`, `helpdesk-api-domain`,
//!   `helpdesk-agent`;
//! - settings: `sync-settings`, `sync-type-two_way`, `sync-type-salesforce_to_helpdesk`,
//!   `mapping-contacts`, `mapping-accounts`, each `mapping-row` (with `data-field`, the
//!   helpdesk field) holding `mapping-select` and any `mapping-issue`;
//!   `mapping-summary`, `save-settings`, `start-sync`, `settings-saved`,
//!   `settings-error`;
//! - progress: `sync-overview`, `sync-title`, `sync-note`, `open-settings`,
//!   `sync-progress`, each `progress-step` (with `data-state`: `done`, `running`,
//!   `waiting`) holding `progress-counts`, `progress-bar`, `progress-detail`;
//! - history: `history`, `history-chart` (`chart-bar` with `data-day`, `data-series`,
//!   `data-value`; `chart-day`; `legend-added`, ...), `history-table`, `history-row`,
//!   `history-empty`, `history-refresh`;
//! - failures: `failures`, `failure-filter-all`, `-contact`, `-account`, `retry-all`,
//!   `failure-list`, `failure` (with `data-failure-id`) holding `failure-label`,
//!   `failure-reason`, `retry-one`; `failures-empty`, `retry-result`;
//! - permissions: `permissions`, `permissions-table`, `profile-row` (with
//!   `data-profile`) holding `perm-visible`, `perm-shows-contacts`,
//!   `perm-shows-accounts`, `perm-access`, `perm-items` with `perm-item-information`,
//!   `-opportunities`, `-notes`, `-events`, `-tasks`; `save-state`, `perm-error`;
//! - changes from Salesforce: `outbound-url` (the card), `notifications` (with
//!   `data-state`: `loading`, `not_set_up`, `setting_up`, `set_up`, `removing`),
//!   `set-up-notifications`, `notifications-working`, `notifications-progress`,
//!   `notifications-set-up` with each `notification-object` (`data-object`),
//!   `remove-notifications`, `notifications-done`, `notifications-error`, `manual-setup`,
//!   `outbound-url-input`;
//! - panel fields: `panel-fields`, `panel-fields-contact`, `-account`, `-opportunity`,
//!   each with `chosen-field` rows (with `data-field`) holding `move-field-up` and
//!   `remove-field`, and `add-field`; `save-panel-fields`, `notice`;
//! - health (overview): `health`, `health-last-from-salesforce`,
//!   `health-last-from-helpdesk`, `health-pending`, `health-salesforce-budget`,
//!   `health-helpdesk-budget`, `health-failures`, `health-drift` (with `data-state`:
//!   `idle`, `running`), `check-drift`, `drift-error`; failures: `export-csv`,
//!   `export-error`; settings rows: `mapping-rule`;
//! - delete: `delete-integration`, `confirm-delete`, `erase-list`, `cancel-delete`,
//!   `confirm-delete-button`, `delete-error`.

pub mod api;
mod app;
pub mod connect;
pub mod console;
pub mod delete;
pub mod failures;
pub mod health;
pub mod helpdesk_connect;
pub mod history;
pub mod notifications;
pub mod panel_fields;
pub mod parts;
pub mod permissions;
pub mod progress;
pub mod settings;
pub mod sync_control;

pub use app::ConsoleApp;
pub use console::{AdminConsole, Console, Tab};
