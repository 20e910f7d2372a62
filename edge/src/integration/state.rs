//! What the org's Durable Object keeps between requests beside the Salesforce connection:
//! the edge's own state (one row of table `edge_state`, one JSON column per value, read
//! and written through the typed accessors of [`EdgeState`]), and typed access to the two
//! values of the sync engine's store the edge reads (its settings, the initial sync's
//! progress, which the engine writes itself).

use super::sql::DurableSql;
use crate::error::EdgeError;
use contract::admin::{NotificationSetup, ObjectFields, SyncState};
use contract::panel_fields::PanelFields;
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use shared::helpdesk::{CreditPlan, JwksCache};
use shared::panel::OrgSchema;
use shared::salesforce::ApiUsage;
use shared::sync::engine::Settings;
use shared::sync::initial::{self, InitialSync};
use shared::sync::ongoing::Covered;
use shared::sync::store::{Store, StoreError};
use worker::SqlStorage;

/// The sync's own state, beside the engine's: what the admin started, paused or resumed,
/// and how far the alarm got.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Control {
    pub state: SyncState,
    pub note: Option<String>,
    pub covered: Option<Covered>,
    pub next_catch_up_ms: i64,
    /// The helpdesk webhook subscription we created.
    pub webhook_id: Option<String>,
    /// The secret in the Outbound Message URL given to Salesforce.
    pub outbound_key: String,
    /// Wait before the next attempt after an outage; doubles, capped.
    pub backoff_ms: i64,
    /// Counts the saves. A slice compares it before writing back what it did, so that a
    /// Pause, Resume or reconnect that arrived while it awaited the two systems stands.
    #[serde(default)]
    pub version: u64,
}

impl Control {
    /// Whether the sync has work of its own to do (alarms to keep going).
    pub fn is_running(&self) -> bool {
        matches!(self.state, SyncState::InitialSync | SyncState::Live)
    }
}

/// Both sides' fields of both objects, as last read.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Fields {
    pub contacts: ObjectFields,
    pub accounts: ObjectFields,
    pub read_ms: i64,
}

/// The helpdesk org's credit model and its credits left, as last read: the plan at
/// helpdesk connect (or, for a connection older than this, at the sync's first run), the
/// credits left after every sync invocation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HelpdeskCredits {
    /// `None`: the edition is one the limits do not know; the sync then keeps to none.
    pub plan: Option<CreditPlan>,
    pub plan_read_ms: i64,
    /// `X-Rate-Limit-Remaining-v3` of the sync's last answered call, and when.
    pub left: Option<u64>,
    pub left_read_ms: i64,
}

impl HelpdeskCredits {
    /// The credits left as last read, if read on the UTC day of `now_ms` (Zoho documents
    /// no reset hour; the sandbox's is midnight UTC).
    pub fn left_today(&self, now_ms: i64) -> Option<u64> {
        const DAY_MS: i64 = 86_400_000;
        let same_day = self.left_read_ms.div_euclid(DAY_MS) == now_ms.div_euclid(DAY_MS);
        self.left.filter(|_| same_day)
    }
}

/// What the connected org lets the panel read, and when it was read.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeptSchema {
    pub schema: OrgSchema,
    pub read_ms: i64,
}

/// The columns of `edge_state`.
#[derive(Debug, Clone, Copy)]
enum Column {
    Org,
    Control,
    Fields,
    ApiUsage,
    HelpdeskJwks,
    SalesforceUsername,
    OrgSchema,
    PanelFields,
    Notifications,
    HelpdeskCredits,
}

impl Column {
    fn name(self) -> &'static str {
        match self {
            Column::Org => "org",
            Column::Control => "control",
            Column::Fields => "fields",
            Column::ApiUsage => "api_usage",
            Column::HelpdeskJwks => "helpdesk_jwks",
            Column::SalesforceUsername => "salesforce_username",
            Column::OrgSchema => "org_schema",
            Column::PanelFields => "panel_fields",
            Column::Notifications => "notifications",
            Column::HelpdeskCredits => "helpdesk_credits",
        }
    }
}

/// The edge's own state in the org's database.
pub struct EdgeState<'a> {
    sql: &'a SqlStorage,
}

#[derive(Deserialize)]
struct Row {
    value: Option<String>,
}

impl<'a> EdgeState<'a> {
    pub fn new(sql: &'a SqlStorage) -> Self {
        EdgeState { sql }
    }

    fn get<T: DeserializeOwned>(&self, column: Column) -> Result<Option<T>, EdgeError> {
        let rows: Vec<Row> = self
            .sql
            .exec(
                &format!("SELECT {} AS value FROM edge_state", column.name()),
                None,
            )?
            .to_array()?;
        let Some(json) = rows.into_iter().next().and_then(|row| row.value) else {
            return Ok(None);
        };
        serde_json::from_str(&json).map(Some).map_err(|e| {
            StoreError::Corrupt {
                what: "edge state",
                detail: format!("{}: {e}", column.name()),
            }
            .into()
        })
    }

    fn put<T: Serialize>(&self, column: Column, value: &T) -> Result<(), EdgeError> {
        let column = column.name();
        self.sql.exec(
            &format!(
                "INSERT INTO edge_state (id, {column}) VALUES (1, ?)
                 ON CONFLICT (id) DO UPDATE SET {column} = excluded.{column}"
            ),
            vec![
                serde_json::to_string(value)
                    .expect("edge state serializes")
                    .into(),
            ],
        )?;
        Ok(())
    }

    /// The helpdesk org this Durable Object serves, as the last request named it: alarms
    /// come with no request to say it.
    pub fn org(&self) -> Result<Option<String>, EdgeError> {
        self.get(Column::Org)
    }

    /// Stores the org a request named, unless it is stored already (the read is cheaper
    /// than a write, which every answer would wait for).
    pub fn keep_org(&self, org: &str) -> Result<(), EdgeError> {
        if self.org()?.as_deref() == Some(org) {
            return Ok(());
        }
        self.put(Column::Org, &org)
    }

    pub fn control(&self) -> Result<Option<Control>, EdgeError> {
        self.get(Column::Control)
    }

    /// Stores `control` as the next version.
    pub fn save_control(&self, control: &mut Control) -> Result<(), EdgeError> {
        control.version += 1;
        self.put(Column::Control, control)
    }

    pub fn fields(&self) -> Result<Option<Fields>, EdgeError> {
        self.get(Column::Fields)
    }

    pub fn save_fields(&self, fields: &Fields) -> Result<(), EdgeError> {
        self.put(Column::Fields, fields)
    }

    /// The org's Salesforce API usage as the sync last learnt it.
    pub fn api_usage(&self) -> Result<Option<ApiUsage>, EdgeError> {
        self.get(Column::ApiUsage)
    }

    pub fn save_api_usage(&self, usage: &ApiUsage) -> Result<(), EdgeError> {
        self.put(Column::ApiUsage, usage)
    }

    /// The helpdesk org's credit plan and credits left, as last read.
    pub fn helpdesk_credits(&self) -> Result<Option<HelpdeskCredits>, EdgeError> {
        self.get(Column::HelpdeskCredits)
    }

    pub fn save_helpdesk_credits(&self, credits: &HelpdeskCredits) -> Result<(), EdgeError> {
        self.put(Column::HelpdeskCredits, credits)
    }

    /// The helpdesk's keys that sign webhook deliveries, as last read.
    pub fn helpdesk_jwks(&self) -> Result<JwksCache, EdgeError> {
        Ok(self.get(Column::HelpdeskJwks)?.unwrap_or_default())
    }

    pub fn save_helpdesk_jwks(&self, cache: &JwksCache) -> Result<(), EdgeError> {
        self.put(Column::HelpdeskJwks, cache)
    }

    /// The connected Salesforce user's name, for the console.
    pub fn salesforce_username(&self) -> Result<Option<String>, EdgeError> {
        self.get(Column::SalesforceUsername)
    }

    pub fn save_salesforce_username(&self, username: &str) -> Result<(), EdgeError> {
        self.put(Column::SalesforceUsername, &username)
    }

    /// The org's schema as last read; `None` before the first read or after a reconnect.
    pub fn org_schema(&self) -> Result<Option<KeptSchema>, EdgeError> {
        Ok(self.get::<Option<KeptSchema>>(Column::OrgSchema)?.flatten())
    }

    pub fn save_org_schema(&self, schema: Option<&KeptSchema>) -> Result<(), EdgeError> {
        self.put(Column::OrgSchema, &schema)
    }

    /// The admin's choice of panel fields; `None` until they save one.
    pub fn panel_fields(&self) -> Result<Option<PanelFields>, EdgeError> {
        self.get(Column::PanelFields)
    }

    pub fn save_panel_fields(&self, fields: &PanelFields) -> Result<(), EdgeError> {
        self.put(Column::PanelFields, fields)
    }

    /// The change notifications sfdesk set up in Salesforce (their Ids, for the removal).
    pub fn notifications(&self) -> Result<NotificationSetup, EdgeError> {
        Ok(self.get(Column::Notifications)?.unwrap_or_default())
    }

    pub fn save_notifications(&self, setup: &NotificationSetup) -> Result<(), EdgeError> {
        self.put(Column::Notifications, setup)
    }
}

/// The sync engine's store in the org's database.
pub type EdgeStore = Store<DurableSql>;

const SETTINGS_KEY: &str = "settings";

/// The sync's settings, which the edge hands the engine on each run.
pub fn settings(store: &EdgeStore) -> Result<Settings, EdgeError> {
    Ok(store.get(SETTINGS_KEY)?.unwrap_or_default())
}

pub fn save_settings(store: &EdgeStore, settings: &Settings) -> Result<(), EdgeError> {
    Ok(store.put(SETTINGS_KEY, settings)?)
}

/// The initial sync's progress, kept by the engine.
pub fn initial_sync(store: &EdgeStore) -> Result<Option<InitialSync>, StoreError> {
    store.get(initial::STATE_KEY)
}

#[cfg(test)]
mod tests {
    use super::HelpdeskCredits;

    #[test]
    fn credits_left_count_only_on_the_day_they_were_read() {
        let day = 20_000 * 86_400_000;
        let credits = HelpdeskCredits {
            left: Some(1_200),
            left_read_ms: day + 1_000,
            ..HelpdeskCredits::default()
        };
        assert_eq!(credits.left_today(day + 86_399_999), Some(1_200));
        assert_eq!(credits.left_today(day + 86_400_000), None, "the next day");
        assert_eq!(HelpdeskCredits::default().left_today(day), None);
    }
}
