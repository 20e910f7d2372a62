//! The admin console's contract with the edge: every request and answer under
//! `/api/admin`. All of it needs a context token with the admin role; any other role gets
//! 403 from every path here.
//!
//! Connecting Salesforce is the OAuth popup at [`OAUTH_START_PATH`]`?code=<code>`, the
//! code asked for first at [`OAUTH_START_CODE_PATH`] (the context token stays out of
//! URLs, which end up in logs and history); the popup ends by posting
//! `{sfdesk: "oauth", ok}` to its opener.

use crate::history::{DayTotals, DriftRun, Run};
use crate::ids::SfId;
use crate::mapping::{self, FieldMeta, FieldPair, MappingIssue, ObjectKind, SyncType};
use crate::permissions::Permissions;
use crate::side::{Side, as_direction};
use serde::{Deserialize, Serialize};

/// `GET` → [`AdminStatus`].
pub const STATUS_PATH: &str = "/api/admin/status";
/// `GET` → [`SettingsView`]; `PUT` [`SaveSettings`] → [`SettingsView`] (400 naming every
/// mapping issue when invalid: the widget runs [`SaveSettings::issues`] first).
pub const SETTINGS_PATH: &str = "/api/admin/settings";
/// `POST` → [`SyncStatus`]: starts the initial sync (again, when already done).
pub const SYNC_START_PATH: &str = "/api/admin/sync/start";
/// `POST` → [`SyncStatus`].
pub const SYNC_PAUSE_PATH: &str = "/api/admin/sync/pause";
/// `POST` → [`SyncStatus`]: catches up everything changed while paused.
pub const SYNC_RESUME_PATH: &str = "/api/admin/sync/resume";
/// `GET` → [`HistoryView`].
pub const HISTORY_PATH: &str = "/api/admin/history";
/// `GET` → `Vec<FailureView>`, newest first.
pub const FAILURES_PATH: &str = "/api/admin/failures";
/// `GET` → the failure log as a CSV file (`text/csv`, an attachment), newest first, with
/// the columns of [`FAILURES_CSV_HEADER`].
pub const FAILURES_CSV_PATH: &str = "/api/admin/failures.csv";
/// The CSV export's header row.
pub const FAILURES_CSV_HEADER: [&str; 7] = [
    "id",
    "object",
    "direction",
    "record_id",
    "record",
    "reason",
    "failed_at_utc",
];
/// `GET` → [`DriftView`]; `POST` → [`DriftView`]: starts a drift check now (the sync
/// must be live; a check already under way goes on).
pub const DRIFT_PATH: &str = "/api/admin/drift";
/// `POST` [`RetryRequest`] → [`RetryResult`].
pub const RETRY_PATH: &str = "/api/admin/failures/retry";
/// `GET` → `Vec<ProfilePermissions>` (every helpdesk profile, defaults filled in);
/// `PUT` [`ProfilePermissions`] → [`ProfilePermissions`].
pub const PERMISSIONS_PATH: &str = "/api/admin/permissions";
/// `DELETE` → 204: revokes Salesforce, removes the helpdesk webhooks, erases the org's
/// stored state.
pub const INTEGRATION_PATH: &str = "/api/admin/integration";
/// Change notifications set up in Salesforce for the admin, through its Tooling API.
/// `GET` → [`NotificationSetup`] (what sfdesk created and still holds); `POST` →
/// [`NotificationSetup`]: creates, per object (Account, Contact), an Outbound Message to
/// [`AdminStatus::outbound_message_url`] and an active record-triggered Flow that sends it
/// when a record is created or updated, reusing what exists under sfdesk's names (400 when
/// the sync has not started, or naming the permission the connected user lacks);
/// `DELETE` → [`NotificationSetup`] (empty): removes them. Deleting the integration
/// removes them too.
pub const NOTIFICATIONS_PATH: &str = "/api/admin/notifications";
/// `POST` → [`StartCode`]: a one-time code for [`OAUTH_START_PATH`], valid for a minute.
pub const OAUTH_START_CODE_PATH: &str = "/oauth/salesforce/start-code";
/// `GET ?code=<StartCode::code>` in the popup: redirects to Salesforce's consent page.
pub const OAUTH_START_PATH: &str = "/oauth/salesforce/start";
/// Where Salesforce's consent page sends the popup back, relative to the edge's public
/// URL: the redirect URI registered with the connected app.
pub const OAUTH_CALLBACK_PATH: &str = "/oauth/salesforce/callback";
/// `POST` → [`StartCode`] for [`HELPDESK_OAUTH_START_PATH`]: connecting the org's own
/// helpdesk (Zoho Desk OAuth), as Salesforce is connected.
pub const HELPDESK_OAUTH_START_CODE_PATH: &str = "/helpdesk/oauth/start-code";
/// `GET ?code=<StartCode::code>` in the popup: redirects to Zoho's consent page.
pub const HELPDESK_OAUTH_START_PATH: &str = "/helpdesk/oauth/start";
/// Where Zoho's consent page sends the popup back: the redirect URI registered with
/// Zoho's API console.
pub const HELPDESK_OAUTH_CALLBACK_PATH: &str = "/helpdesk/oauth/callback";

/// A one-time code that starts the OAuth flow in a popup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartCode {
    pub code: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminStatus {
    pub connection: ConnectionStatus,
    pub sync: SyncStatus,
    /// Where Salesforce must send the Outbound Messages that its Account and Contact
    /// record-triggered Flows send (a secret URL), once the sync has started.
    #[serde(default)]
    pub outbound_message_url: Option<String>,
    /// The org's own helpdesk grant.
    #[serde(default)]
    pub helpdesk: HelpdeskConnectionStatus,
    /// The overview's health summary.
    #[serde(default)]
    pub health: Health,
}

/// How the sync is doing, for the overview: the newest change synced each way (Unix
/// milliseconds), the records that failed in the last seven days, and the drift check.
/// Changes waiting are [`SyncStatus::pending_changes`]; the Salesforce API budget is in
/// [`ConnectedOrgInfo`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub last_from_salesforce_ms: Option<i64>,
    pub last_from_helpdesk_ms: Option<i64>,
    pub failures_this_week: u32,
    pub drift: DriftView,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum HelpdeskConnectionStatus {
    /// No grant of the org's own: only a development fallback token, if any, stands in.
    #[default]
    NotConnected,
    Connected(HelpdeskConnectionInfo),
    /// Zoho refused the stored grant: an admin must connect the helpdesk again.
    Revoked {
        api_domain: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HelpdeskConnectionInfo {
    /// The agent who granted access.
    pub agent_email: String,
    /// The Desk API of the grant's data centre.
    pub api_domain: String,
    pub connected_at_ms: i64,
    /// The helpdesk org's API credits, once read.
    #[serde(default)]
    pub credits: Option<HelpdeskCredits>,
}

/// A Zoho Desk org's API credits: the day's, the sync's share of them, and what is left
/// (every integration of the org draws on the same credits).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelpdeskCredits {
    /// The org's edition, e.g. `Professional`.
    pub edition: String,
    /// Credits a day under the edition and the org's agents.
    pub daily: u64,
    /// Of those, what the sync may spend.
    pub sync_share: u64,
    /// Left today as the helpdesk last said; `None` before the sync's first call today.
    pub left_today: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ConnectionStatus {
    NotConnected,
    Connected(ConnectedOrgInfo),
    /// Salesforce refused the stored refresh token: an admin must connect again.
    Revoked {
        instance_url: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectedOrgInfo {
    pub instance_url: String,
    pub salesforce_org_id: String,
    /// The connected Salesforce user's username.
    pub username: String,
    pub connected_at_ms: i64,
    /// Today's API requests used and allowed, as Salesforce last reported them.
    pub api_used: Option<u64>,
    pub api_max: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    /// Settings can be changed; nothing is exchanged until the admin starts the sync.
    NotStarted,
    /// The initial sync is under way (see [`SyncStatus::steps`]).
    InitialSync,
    /// Ongoing sync: changes on either side flow within seconds.
    Live,
    Paused,
    /// Salesforce access was revoked; nothing syncs until an admin reconnects.
    NeedsReconnect,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncStatus {
    pub state: SyncState,
    pub sync_type: SyncType,
    /// The initial sync's progress, one entry per object and direction, in run order;
    /// empty before the first start.
    pub steps: Vec<StepProgress>,
    pub started_ms: Option<i64>,
    pub finished_ms: Option<i64>,
    /// Changes received and not yet applied.
    pub pending_changes: u64,
    /// Why the sync is waiting, when it is (e.g. the API allowance share is used up).
    pub note: Option<String>,
    /// Set while the sync reads, step by step, the changes made since this time (Unix
    /// milliseconds) that no notification brought: after a pause, an outage or a data
    /// load. The console says "Catching up on changes made since <date>".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catching_up_since_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepProgress {
    pub object: ObjectKind,
    /// Where the step's records come from.
    #[serde(rename = "direction", with = "as_direction")]
    pub from: Side,
    pub done: u64,
    /// Known once the source has been counted.
    pub total: Option<u64>,
    pub finished: bool,
}

/// Both sides' fields of one object, for the mapping dropdowns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectFields {
    pub salesforce: Vec<FieldMeta>,
    pub helpdesk: Vec<FieldMeta>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsView {
    pub sync_type: SyncType,
    pub contacts: Vec<FieldPair>,
    pub accounts: Vec<FieldPair>,
    pub contact_fields: ObjectFields,
    pub account_fields: ObjectFields,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveSettings {
    pub sync_type: SyncType,
    pub contacts: Vec<FieldPair>,
    pub accounts: Vec<FieldPair>,
}

/// A mapping issue and the object whose mapping has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectIssue {
    pub object: ObjectKind,
    pub issue: MappingIssue,
}

impl SaveSettings {
    /// Every issue of both mappings against the fields in `view`; empty when valid. The
    /// edge refuses to save unless this is empty; the console shows the same list inline.
    pub fn issues(&self, view: &SettingsView) -> Vec<ObjectIssue> {
        [
            (ObjectKind::Contact, &self.contacts, &view.contact_fields),
            (ObjectKind::Account, &self.accounts, &view.account_fields),
        ]
        .into_iter()
        .flat_map(|(object, pairs, fields)| {
            mapping::validate(pairs, self.sync_type, &fields.helpdesk, &fields.salesforce)
                .into_iter()
                .map(move |issue| ObjectIssue { object, issue })
        })
        .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryView {
    /// Every run of the last seven days, newest first.
    pub runs: Vec<Run>,
    /// Per-day totals for the chart, oldest first, today last.
    pub days: Vec<DayTotals>,
    /// Every drift check of the last seven days, newest first.
    #[serde(default)]
    pub drift: Vec<DriftRun>,
}

/// The drift check: the one under way, the last finished, and when the next is due.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DriftView {
    /// The check under way: its counts so far (`at_ms` is when they were last counted).
    pub running: Option<DriftRun>,
    pub last: Option<DriftRun>,
    /// When the daily check runs next by itself, once the sync is live.
    pub next_due_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureView {
    pub id: i64,
    pub object: ObjectKind,
    /// The side the record failed to sync from.
    #[serde(rename = "direction", with = "as_direction")]
    pub from: Side,
    /// The record on the `from` side.
    pub record_id: String,
    /// What a person recognises the record by: its email or name.
    pub label: String,
    /// The reason in plain words.
    pub reason: String,
    pub at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "retry", rename_all = "snake_case")]
pub enum RetryRequest {
    /// These failure log entries.
    Records { ids: Vec<i64> },
    /// Every failure of one record type, or of all when `object` is `None`.
    All { object: Option<ObjectKind> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryResult {
    pub retried: u32,
    pub succeeded: u32,
    pub failed: u32,
}

/// The change notifications sfdesk set up in the connected org (see
/// [`NOTIFICATIONS_PATH`]); no objects when it set up none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationSetup {
    /// Accounts, then Contacts.
    pub objects: Vec<ObjectNotifications>,
}

/// What notifies sfdesk of one object's changes, as it exists in Salesforce.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectNotifications {
    pub object: ObjectKind,
    /// The `WorkflowOutboundMessage`'s Id and its unique name (`Contact.sfdesk_Contact_changes`).
    pub outbound_message_id: SfId,
    pub outbound_message_name: String,
    /// The `FlowDefinition`'s Id and the Flow's API name, as Setup → Flows lists it.
    pub flow_definition_id: SfId,
    pub flow_name: String,
    /// Found in the org under sfdesk's names (an earlier set-up) and reused.
    pub reused: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfilePermissions {
    pub profile_id: String,
    pub profile_name: String,
    pub permissions: Permissions,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::ValueKind;

    fn field(name: &str, kind: ValueKind, required: bool) -> FieldMeta {
        FieldMeta {
            required,
            ..FieldMeta::new(name, kind)
        }
    }

    #[test]
    fn issues_name_their_object_and_use_the_reference_wording() {
        let fields = |sf: Vec<FieldMeta>, hd: Vec<FieldMeta>| ObjectFields {
            salesforce: sf,
            helpdesk: hd,
        };
        let view = SettingsView {
            sync_type: SyncType::TwoWay,
            contacts: vec![],
            accounts: vec![],
            contact_fields: fields(
                vec![
                    field("LastName", ValueKind::Text, true),
                    field("Title", ValueKind::Text, false),
                ],
                vec![
                    field("lastName", ValueKind::Text, true),
                    field("cf_seats", ValueKind::Integer, false),
                ],
            ),
            account_fields: fields(
                vec![field("Name", ValueKind::Text, true)],
                vec![field("accountName", ValueKind::Text, true)],
            ),
        };
        let pair = FieldPair::new;
        let save = SaveSettings {
            sync_type: SyncType::TwoWay,
            contacts: vec![pair("lastName", "LastName"), pair("cf_seats", "Title")],
            accounts: vec![],
        };
        let issues = save.issues(&view);
        let messages: Vec<_> = issues
            .iter()
            .map(|i| (i.object, i.issue.to_string()))
            .collect();
        assert!(messages.contains(&(
            ObjectKind::Contact,
            "Text value is given for an Integer field".to_owned()
        )));
        assert!(messages.contains(&(ObjectKind::Account, "Mandatory Field Missing".to_owned())));

        let fixed = SaveSettings {
            contacts: vec![pair("lastName", "LastName")],
            accounts: vec![pair("accountName", "Name")],
            ..save
        };
        assert_eq!(fixed.issues(&view), vec![]);
    }
}
