//! The sync engine, driven by the Durable Object: what the admin started, paused or
//! resumed; the alarm that does the work in slices short enough for one invocation; the
//! notifications stored before they are acknowledged.

use super::connection::{self, KeptSession, RenewalTurn};
use super::sql::DurableSql;
use crate::config::Config;
use crate::error::EdgeError;
use crate::fetch_transport::WorkerFetch;
use contract::admin::{ObjectFields, SyncState, SyncStatus};
use contract::history::RunKind;
use contract::mapping::FieldMeta;
use serde::{Deserialize, Serialize};
use shared::helpdesk::{self, TransportSleep};
use shared::salesforce::{ApiUsage, Budget};
use shared::sync::engine::{Engine, EngineError, Settings};
use shared::sync::helpdesk_port::HelpdeskPort;
use shared::sync::initial::{self, InitialSync};
use shared::sync::ongoing::{Covered, Tallies};
use shared::sync::salesforce_port::SalesforcePort;
use shared::sync::store::Store;
use worker::SqlStorage;

/// Background sync never spends more than this share of the org's daily API allowance;
/// the rest stays for the agent panel and the org's other integrations.
const SYNC_BUDGET: Budget = Budget::Percent(80);
/// One alarm invocation works this long, then hands over to the next; short, since the
/// object answers nothing else (the console's progress, webhooks) meanwhile.
const SLICE_MS: i64 = 3_000;
/// A Worker invocation may make 1,000 outgoing requests; a slice starts no new step
/// past this many, and one step makes at most a few hundred (a chunk of 200 records).
const SLICE_CALLS: u64 = 300;
/// How often the catch-up looks for changes whose notification was lost.
const CATCH_UP_EVERY_MS: i64 = 60_000;
/// Notifications applied per inbox batch (two or three calls each, at most).
const INBOX_BATCH: u32 = 100;
/// The longest wait after an outage or a rate limit (a helpdesk rate window is a minute).
const MAX_BACKOFF_MS: i64 = 60_000;
/// Field metadata is read again after this long (and whenever settings are opened).
const FIELDS_TTL_MS: i64 = 60 * 60 * 1000;

const CONTROL_KEY: &str = "control";
const SETTINGS_KEY: &str = "settings";
const FIELDS_KEY: &str = "fields";
const USAGE_KEY: &str = "api_usage";

/// The sync's own state, beside the engine's.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Control {
    /// The helpdesk org this Durable Object serves (alarms carry no request to say it).
    pub org: String,
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

/// Both sides' fields of both objects, as last read.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Fields {
    pub contacts: ObjectFields,
    pub accounts: ObjectFields,
    pub read_ms: i64,
}

pub type EdgeStore = Store<DurableSql>;
type EdgeEngine<'a> = Engine<
    'a,
    DurableSql,
    SalesforcePort<'a, WorkerFetch>,
    HelpdeskPort<'a, WorkerFetch, TransportSleep<'a, WorkerFetch>>,
>;

pub fn store(sql: &SqlStorage) -> Result<EdgeStore, EdgeError> {
    Ok(Store::open(DurableSql(sql.clone()))?)
}

pub fn control(store: &EdgeStore) -> Result<Option<Control>, EdgeError> {
    Ok(store.get(CONTROL_KEY)?)
}

/// Stores `control` as the next version.
pub fn save_control(store: &EdgeStore, control: &mut Control) -> Result<(), EdgeError> {
    control.version += 1;
    Ok(store.put(CONTROL_KEY, control)?)
}

pub fn settings(store: &EdgeStore) -> Result<Settings, EdgeError> {
    Ok(store.get(SETTINGS_KEY)?.unwrap_or_default())
}

pub fn save_settings(store: &EdgeStore, settings: &Settings) -> Result<(), EdgeError> {
    Ok(store.put(SETTINGS_KEY, settings)?)
}

pub fn api_usage(store: &EdgeStore) -> Result<Option<ApiUsage>, EdgeError> {
    Ok(store.get(USAGE_KEY)?)
}

/// What a job run by [`Context::with_engine`] can see beside the engine.
pub struct Invocation<'a> {
    pub fields: &'a Fields,
    /// Outgoing requests made so far in this invocation.
    pub calls: &'a dyn Fn() -> u64,
}

impl Invocation<'_> {
    /// Whether another step still fits this invocation.
    fn has_room(&self, deadline_ms: i64) -> bool {
        (self.calls)() < SLICE_CALLS && worker::Date::now().as_millis() as i64 <= deadline_ms
    }
}

/// The org's connection to both systems for one invocation.
pub struct Context<'a> {
    pub sql: &'a SqlStorage,
    pub config: &'a Config,
    pub org: &'a str,
    pub now_ms: i64,
    /// The object's one Salesforce session renewal at a time.
    pub renewal_turn: &'a RenewalTurn,
}

impl<'a> Context<'a> {
    /// The org's stored session, kept for every client made from it.
    pub fn kept_session(&self) -> KeptSession<'a> {
        KeptSession {
            sql: self.sql,
            config: self.config,
            org: self.org,
            turn: self.renewal_turn,
        }
    }
}

impl Context<'_> {
    /// Runs `job` with an engine over both systems, then keeps what the Salesforce
    /// client learnt (a renewed token, the API usage). `fresh_fields` reads both sides'
    /// field metadata again instead of using the stored copy.
    pub async fn with_engine<R>(
        &self,
        fresh_fields: bool,
        job: impl AsyncFnOnce(&EdgeEngine<'_>, &Invocation<'_>) -> Result<R, EngineError>,
    ) -> Result<R, EdgeError> {
        let connection = connection::load(self.sql, self.config, self.org)?.ok_or(
            EdgeError::BadRequest("Salesforce is not connected: connect it first".into()),
        )?;
        let store = store(self.sql)?;
        let transport = WorkerFetch;
        let kept = self.kept_session();
        let mut salesforce = connection
            .client(&transport, &kept)
            .with_budget(SYNC_BUDGET);
        if let Some(usage) = api_usage(&store)? {
            salesforce = salesforce.with_known_usage(usage);
        }
        let helpdesk_connection = self.config.helpdesk(self.org);
        // A rate limit is not waited out inside a slice: the slice ends and the note says
        // what the sync waits for.
        let helpdesk = helpdesk::Client::new(&transport, &helpdesk_connection)
            .with_source_id(helpdesk::SOURCE_ID)
            .with_retry(helpdesk::RetryPolicy {
                max_retry_after: std::time::Duration::from_secs(5),
                ..helpdesk::RetryPolicy::default()
            });

        let stored: Option<Fields> = store.get(FIELDS_KEY)?;
        let fields = match stored {
            Some(fields) if !fresh_fields && self.now_ms - fields.read_ms < FIELDS_TTL_MS => fields,
            _ => {
                let read = async {
                    let sf = SalesforcePort::load(&salesforce).await?.fields_read();
                    let hd = HelpdeskPort::load(&helpdesk).await?.fields_read();
                    Ok::<_, EngineError>(fields_of(sf, hd, self.now_ms))
                };
                let fields = read.await.map_err(|e| self.engine_error(e))?;
                store.put(FIELDS_KEY, &fields)?;
                fields
            }
        };
        let settings = settings(&store)?;
        let salesforce_port = SalesforcePort::with_fields(
            &salesforce,
            fields.contacts.salesforce.clone(),
            fields.accounts.salesforce.clone(),
        );
        let helpdesk_port = HelpdeskPort::with_fields(
            &helpdesk,
            fields.contacts.helpdesk.clone(),
            fields.accounts.helpdesk.clone(),
        );
        let engine = Engine {
            store: &store,
            salesforce: &salesforce_port,
            helpdesk: &helpdesk_port,
            settings: &settings,
            now_ms: self.now_ms,
        };
        let calls = || salesforce.requests_sent() + helpdesk.calls();
        let invocation = Invocation {
            fields: &fields,
            calls: &calls,
        };
        let outcome = job(&engine, &invocation).await;
        if let Some(usage) = salesforce.api_usage() {
            store.put(USAGE_KEY, &usage)?;
        }
        outcome.map_err(|e| self.engine_error(e))
    }

    fn engine_error(&self, error: EngineError) -> EdgeError {
        match error {
            EngineError::Reconnect => EdgeError::Reconnect,
            EngineError::Unavailable(detail) => EdgeError::Unavailable(detail),
            EngineError::Store(e) => EdgeError::Storage(e),
        }
    }
}

fn fields_of(
    (sf_contacts, sf_accounts): (Vec<FieldMeta>, Vec<FieldMeta>),
    (hd_contacts, hd_accounts): (Vec<FieldMeta>, Vec<FieldMeta>),
    now_ms: i64,
) -> Fields {
    Fields {
        contacts: ObjectFields {
            salesforce: sf_contacts,
            helpdesk: hd_contacts,
        },
        accounts: ObjectFields {
            salesforce: sf_accounts,
            helpdesk: hd_accounts,
        },
        read_ms: now_ms,
    }
}

/// What the alarm should do next.
pub enum Next {
    /// Nothing scheduled: not started, paused, or waiting for a reconnect.
    Idle,
    /// Run again after this many milliseconds.
    After(i64),
}

/// One alarm's work: a slice of the initial sync, or of the inbox and the catch-up.
///
/// The Durable Object answers other requests while the slice awaits Salesforce and the
/// helpdesk; those that change what the slice works on (start, retry, delete) wait for
/// the object's sync turn, the others (pause, resume, a reconnect) change the control,
/// which the slice reads again between steps and before it writes back.
pub async fn run_slice(
    sql: &SqlStorage,
    config: &Config,
    renewal_turn: &RenewalTurn,
    now_ms: i64,
) -> Result<Next, EdgeError> {
    let store = store(sql)?;
    let Some(started) = control(&store)? else {
        return Ok(Next::Idle);
    };
    if !started.is_running() {
        return Ok(Next::Idle);
    }
    let context = Context {
        sql,
        config,
        org: &started.org,
        now_ms,
        renewal_turn,
    };
    let deadline = now_ms + SLICE_MS;
    // Between steps: stop as soon as the admin paused (or anything else changed the state).
    let unchanged =
        || control(&store).is_ok_and(|c| c.is_some_and(|c| c.version == started.version));
    let mut covered = started.covered.unwrap_or(Covered::from(now_ms));
    let outcome = match started.state {
        SyncState::InitialSync => {
            context
                .with_engine(false, async |engine, _| {
                    let mut run: InitialSync = engine
                        .store
                        .get(initial::STATE_KEY)?
                        .unwrap_or_else(|| InitialSync::new(engine.settings.sync_type, now_ms));
                    while !run.is_finished()
                        && worker::Date::now().as_millis() as i64 <= deadline
                        && unchanged()
                    {
                        engine.advance_initial(&mut run).await?;
                    }
                    Ok(SliceDone::Initial {
                        finished_ms: run.finished_ms,
                    })
                })
                .await
        }
        _ => {
            let catch_up_due = now_ms >= started.next_catch_up_ms;
            context
                .with_engine(false, async |engine, invocation| {
                    let mut tallies = Tallies::default();
                    while engine.store.inbox_len()? > 0
                        && invocation.has_room(deadline)
                        && unchanged()
                    {
                        engine.process_inbox(INBOX_BATCH, &mut tallies).await?;
                    }
                    let caught_up = catch_up_due && invocation.has_room(deadline) && unchanged();
                    if caught_up {
                        engine.catch_up(&mut covered, &mut tallies).await?;
                    }
                    for run in tallies.runs(RunKind::Incremental, now_ms) {
                        engine.store.record_run(&run)?;
                    }
                    Ok(SliceDone::Ongoing { caught_up })
                })
                .await
        }
    };
    worker::console_log!(
        "sync slice for org {}: {:?} in {} ms{}",
        started.org,
        started.state,
        worker::Date::now().as_millis() as i64 - now_ms,
        outcome
            .as_ref()
            .err()
            .map(|e| format!(", then: {e}"))
            .unwrap_or_default()
    );
    // Read again: no await from here to the write, so nothing else runs in between.
    let Some(mut control) = control(&store)? else {
        return Ok(Next::Idle); // deleted meanwhile
    };
    if control.version != started.version {
        // The admin's change stands; keep only how far the catch-up got.
        if outcome.is_ok() && control.state == SyncState::Live {
            control.covered = Some(covered);
        }
        save_control(&store, &mut control)?;
        return Ok(if control.is_running() {
            Next::After(0)
        } else {
            Next::Idle
        });
    }
    let next = match outcome {
        Ok(done) => {
            control.note = None;
            control.backoff_ms = 0;
            match done {
                SliceDone::Initial {
                    finished_ms: Some(finished_ms),
                } => {
                    // From here on, changes flow as they happen; the catch-up starts where
                    // the initial sync's reading began.
                    control.state = SyncState::Live;
                    let started = store
                        .get::<InitialSync>(initial::STATE_KEY)?
                        .map_or(finished_ms, |run| run.started_ms);
                    control.covered = Some(Covered::from(started));
                    control.next_catch_up_ms = now_ms + CATCH_UP_EVERY_MS;
                }
                SliceDone::Initial { finished_ms: None } => {}
                SliceDone::Ongoing { caught_up } => {
                    control.covered = Some(covered);
                    if caught_up {
                        control.next_catch_up_ms = now_ms + CATCH_UP_EVERY_MS;
                    }
                }
            }
            let busy = control.state == SyncState::InitialSync || store.inbox_len()? > 0;
            Next::After(if busy {
                0
            } else {
                (control.next_catch_up_ms - now_ms).max(1_000)
            })
        }
        Err(EdgeError::Reconnect) => {
            control.state = SyncState::NeedsReconnect;
            control.note = Some(
                "Salesforce refused sfdesk's access (the connection was revoked or expired). Reconnect Salesforce to resume syncing."
                    .into(),
            );
            Next::Idle
        }
        Err(EdgeError::Unavailable(detail)) => {
            control.backoff_ms = (control.backoff_ms * 2).clamp(5_000, MAX_BACKOFF_MS);
            control.note = Some(format!(
                "Waiting {} s before trying again: {detail}",
                control.backoff_ms / 1000
            ));
            Next::After(control.backoff_ms)
        }
        Err(other) => {
            worker::console_error!("sync slice failed: {other}");
            control.backoff_ms = (control.backoff_ms * 2).clamp(5_000, MAX_BACKOFF_MS);
            control.note = Some(format!("Sync hit an error and will try again: {other}"));
            Next::After(control.backoff_ms)
        }
    };
    save_control(&store, &mut control)?;
    Ok(next)
}

/// What a slice got done.
enum SliceDone {
    /// The initial sync advanced, and finished at `finished_ms` if it did.
    Initial { finished_ms: Option<i64> },
    /// The inbox was worked through; `caught_up` if the catch-up ran too.
    Ongoing { caught_up: bool },
}

impl Control {
    /// Whether the sync has work of its own to do (alarms to keep going).
    pub fn is_running(&self) -> bool {
        matches!(self.state, SyncState::InitialSync | SyncState::Live)
    }
}

/// Whether the sync has work of its own to do (alarms to keep going).
pub fn is_running(sql: &SqlStorage) -> Result<bool, EdgeError> {
    Ok(control(&store(sql)?)?.is_some_and(|c| c.is_running()))
}

/// The sync's state as the admin console shows it.
pub fn status(store: &EdgeStore) -> Result<SyncStatus, EdgeError> {
    let control = control(store)?;
    let run: Option<InitialSync> = store.get(initial::STATE_KEY)?;
    Ok(SyncStatus {
        state: control.as_ref().map_or(SyncState::NotStarted, |c| c.state),
        sync_type: settings(store)?.sync_type,
        steps: run.as_ref().map(|r| r.steps.clone()).unwrap_or_default(),
        started_ms: run.as_ref().map(|r| r.started_ms),
        finished_ms: run.as_ref().and_then(|r| r.finished_ms),
        pending_changes: store.inbox_len()? as u64,
        note: control.and_then(|c| c.note),
    })
}
