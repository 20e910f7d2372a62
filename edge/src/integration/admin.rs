//! The admin console's requests, answered by the org's Durable Object.

use super::connection;
use super::helpdesk_connection;
use super::org::Org;
use super::state::{self, Control, EdgeStore};
use crate::error::EdgeError;
use crate::fetch_transport::WorkerFetch;
use contract::admin::{
    AdminStatus, ConnectedOrgInfo, ConnectionStatus, DriftView, FailureView, Health,
    HelpdeskConnectionStatus, HistoryView, RetryRequest, RetryResult, SaveSettings, SettingsView,
    SyncState, SyncStatus,
};
use contract::history::{RunKind, daily_totals, last_change_ms};
use contract::side::Side;
use serde::Deserialize;
use shared::helpdesk::{HelpdeskApp, WebhookDraft};
use shared::http::Transport;
use shared::sync::drift::{self, DriftCheck};
use shared::sync::engine::{Outcome, Settings};
use shared::sync::initial;
use shared::sync::ongoing::Tallies;
use shared::sync::store::StoreError;
use shared::url_tag::Purpose;

/// Remembers the connected user's name for the console (one query, at connect time).
pub async fn remember_username(org: &Org<'_>, user_id: &str) -> Result<(), EdgeError> {
    let Some(client) = org.salesforce()? else {
        return Ok(());
    };
    let id = contract::ids::SfId::parse(user_id)
        .map_err(|e| EdgeError::BadRequest(format!("Salesforce named an invalid user: {e}")))?;
    #[derive(Deserialize)]
    struct User {
        #[serde(rename = "Username")]
        username: String,
    }
    let user: User = client.get("User", &id, &["Username"]).await?;
    org.state().save_salesforce_username(&user.username)
}

pub fn status(org: &Org<'_>) -> Result<AdminStatus, EdgeError> {
    let state = org.state();
    let control = state.control()?;
    let helpdesk = helpdesk_connection::status(org)?;
    // A stop for the helpdesk's sake says nothing of Salesforce's connection.
    let helpdesk_revoked = matches!(helpdesk, HelpdeskConnectionStatus::Revoked { .. });
    let connection = match connection::info(org.sql)? {
        None => ConnectionStatus::NotConnected,
        Some(info)
            if !helpdesk_revoked
                && control.as_ref().map(|c| c.state) == Some(SyncState::NeedsReconnect) =>
        {
            ConnectionStatus::Revoked {
                instance_url: info.instance_url,
            }
        }
        Some(info) => {
            let usage = state.api_usage()?;
            ConnectionStatus::Connected(ConnectedOrgInfo {
                username: state
                    .salesforce_username()?
                    .unwrap_or(info.salesforce_user_id),
                instance_url: info.instance_url,
                salesforce_org_id: info.salesforce_org_id,
                connected_at_ms: info.connected_at_ms,
                api_used: usage.map(|u| u.used),
                api_max: usage.map(|u| u.max),
            })
        }
    };
    let store = org.store()?;
    Ok(AdminStatus {
        connection,
        sync: sync_status(org, &store)?,
        outbound_message_url: control.map(|c| outbound_url(org, &c)),
        helpdesk,
        health: health(org, &store)?,
    })
}

fn health(org: &Org<'_>, store: &EdgeStore) -> Result<Health, EdgeError> {
    let runs = store.runs(org.now_ms)?;
    Ok(Health {
        last_from_salesforce_ms: last_change_ms(&runs, Side::Salesforce),
        last_from_helpdesk_ms: last_change_ms(&runs, Side::Helpdesk),
        failures_this_week: runs.iter().map(|run| run.failed).sum(),
        drift: drift(org)?,
    })
}

pub(super) fn outbound_url(org: &Org<'_>, control: &Control) -> String {
    format!(
        "{}/webhooks/salesforce/{}/{}?key={}",
        org.config.public_url,
        org.id,
        org.config.tagger.tag(Purpose::SalesforceWebhook, org.id),
        control.outbound_key
    )
}

pub fn helpdesk_webhook_url(org: &Org<'_>) -> String {
    format!(
        "{}/webhooks/helpdesk/{}/{}",
        org.config.public_url,
        org.id,
        org.config.tagger.tag(Purpose::HelpdeskWebhook, org.id)
    )
}

pub async fn settings(org: &Org<'_>) -> Result<SettingsView, EdgeError> {
    org.with_engine(true, async |engine, invocation| {
        let fields = invocation.fields;
        Ok(SettingsView {
            sync_type: engine.settings.sync_type,
            contacts: engine.settings.contacts.clone(),
            accounts: engine.settings.accounts.clone(),
            contact_fields: fields.contacts.clone(),
            account_fields: fields.accounts.clone(),
        })
    })
    .await
}

pub async fn save_settings(org: &Org<'_>, save: SaveSettings) -> Result<SettingsView, EdgeError> {
    let current = settings(org).await?;
    let issues = save.issues(&current);
    if !issues.is_empty() {
        let messages: Vec<String> = issues
            .iter()
            .map(|i| format!("{}: {}", i.object.plural(), i.issue))
            .collect();
        return Err(EdgeError::BadRequest(format!(
            "The mapping was not saved: {}",
            messages.join("; ")
        )));
    }
    let settings = Settings {
        sync_type: save.sync_type,
        contacts: save.contacts,
        accounts: save.accounts,
    };
    state::save_settings(&org.store()?, &settings)?;
    Ok(SettingsView {
        sync_type: settings.sync_type,
        contacts: settings.contacts,
        accounts: settings.accounts,
        ..current
    })
}

/// Subscribes the helpdesk webhook (once) and starts the initial sync.
pub async fn start(org: &Org<'_>) -> Result<SyncStatus, EdgeError> {
    if connection::info(org.sql)?.is_none() {
        return Err(EdgeError::BadRequest(
            "Connect Salesforce before starting the sync.".into(),
        ));
    }
    let store = org.store()?;
    let state = org.state();
    let mut control = state.control()?.unwrap_or_else(|| Control {
        state: SyncState::NotStarted,
        note: None,
        covered: None,
        next_catch_up_ms: 0,
        webhook_id: None,
        outbound_key: shared::random_token(),
        backoff_ms: 0,
        version: 0,
    });
    if control.webhook_id.is_none() {
        let webhook = org
            .helpdesk()
            .create_webhook(&WebhookDraft::contacts_and_accounts(
                &helpdesk_webhook_url(org),
                "sfdesk Salesforce sync",
                Some(shared::helpdesk::SOURCE_ID),
            ))
            .await
            .map_err(|e| {
                EdgeError::Unavailable(format!("the helpdesk refused the webhook: {e}"))
            })?;
        control.webhook_id = Some(webhook.id);
    }
    control.state = SyncState::InitialSync;
    control.note = None;
    control.backoff_ms = 0;
    initial::start(&store, state::settings(&store)?.sync_type, org.now_ms)?;
    state.save_control(&mut control)?;
    sync_status(org, &store)
}

pub fn pause(org: &Org<'_>) -> Result<SyncStatus, EdgeError> {
    let store = org.store()?;
    let mut control = started(org)?;
    if matches!(control.state, SyncState::InitialSync | SyncState::Live) {
        control.state = SyncState::Paused;
        control.note = None;
        org.state().save_control(&mut control)?;
    }
    sync_status(org, &store)
}

/// Picks up where the sync was: the initial sync if unfinished, else live sync with a
/// catch-up straight away for whatever changed meanwhile. Also how a reconnect resumes.
pub fn resume(org: &Org<'_>) -> Result<SyncStatus, EdgeError> {
    let store = org.store()?;
    let mut control = started(org)?;
    if matches!(control.state, SyncState::Paused | SyncState::NeedsReconnect) {
        control.state = match state::initial_sync(&store)? {
            Some(run) if !run.is_finished() => SyncState::InitialSync,
            _ => SyncState::Live,
        };
        control.note = None;
        control.backoff_ms = 0;
        control.next_catch_up_ms = org.now_ms;
        org.state().save_control(&mut control)?;
    }
    sync_status(org, &store)
}

fn started(org: &Org<'_>) -> Result<Control, EdgeError> {
    org.state()
        .control()?
        .ok_or_else(|| EdgeError::BadRequest("The sync has not been started yet.".into()))
}

pub fn history(org: &Org<'_>) -> Result<HistoryView, EdgeError> {
    let store = org.store()?;
    let mut runs = store.runs(org.now_ms)?;
    let days = daily_totals(&runs, org.now_ms);
    runs.sort_by_key(|run| std::cmp::Reverse(run.at_ms));
    Ok(HistoryView {
        runs,
        days,
        drift: store.drift_runs(org.now_ms)?,
    })
}

/// The drift check under way, if any.
fn drift_running(store: &EdgeStore) -> Result<Option<DriftCheck>, StoreError> {
    Ok(store
        .get::<DriftCheck>(drift::STATE_KEY)?
        .filter(|check| !check.is_finished()))
}

/// When the daily drift check is due (`None` before the initial sync has finished).
fn drift_due_ms(store: &EdgeStore) -> Result<Option<i64>, StoreError> {
    let live_since = state::initial_sync(store)?.and_then(|run| run.finished_ms);
    let last = store.get::<i64>(drift::LAST_KEY)?;
    Ok(live_since.map(|since| drift::next_due_ms(last, since)))
}

/// The drift check for the alarm to advance: the one under way, or a new one when the
/// daily one is due.
pub(super) fn drift_to_advance(
    store: &EdgeStore,
    now_ms: i64,
) -> Result<Option<DriftCheck>, StoreError> {
    if let Some(check) = drift_running(store)? {
        return Ok(Some(check));
    }
    match drift_due_ms(store)? {
        Some(due) if now_ms >= due => Ok(Some(drift::start(store, now_ms)?)),
        _ => Ok(None),
    }
}

pub fn drift(org: &Org<'_>) -> Result<DriftView, EdgeError> {
    let store = org.store()?;
    let live = org.state().control()?.map(|c| c.state) == Some(SyncState::Live);
    Ok(DriftView {
        running: drift_running(&store)?.map(|check| check.counts),
        last: store.drift_runs(org.now_ms)?.into_iter().next(),
        next_due_ms: if live { drift_due_ms(&store)? } else { None },
    })
}

/// Starts a drift check now (the alarm does it, step by step).
pub fn check_drift(org: &Org<'_>) -> Result<DriftView, EdgeError> {
    if started(org)?.state != SyncState::Live {
        return Err(EdgeError::BadRequest(
            "A drift check needs the sync to be live: start or resume it first.".into(),
        ));
    }
    drift::start(&org.store()?, org.now_ms)?;
    drift(org)
}

pub fn failures(org: &Org<'_>) -> Result<Vec<FailureView>, EdgeError> {
    let store = org.store()?;
    Ok(store
        .failures(None)?
        .into_iter()
        .map(|f| FailureView {
            id: f.id,
            object: f.object,
            from: f.from,
            record_id: f.record_id,
            label: f.label,
            reason: f.reason.to_string(),
            at_ms: f.at_ms,
        })
        .collect())
}

/// Syncs each chosen failed record again, now; the history records it as a retry run.
pub async fn retry(org: &Org<'_>, request: RetryRequest) -> Result<RetryResult, EdgeError> {
    let store = org.store()?;
    let chosen: Vec<_> = store
        .failures(None)?
        .into_iter()
        .filter(|f| match &request {
            RetryRequest::Records { ids } => ids.contains(&f.id),
            RetryRequest::All { object } => object.is_none_or(|o| o == f.object),
        })
        .collect();
    if chosen.is_empty() {
        return Err(EdgeError::BadRequest(
            "There is no such failure to try again.".into(),
        ));
    }
    let now_ms = org.now_ms;
    org.with_engine(false, async |engine, _| {
        let mut tallies = Tallies::default();
        let mut result = RetryResult {
            retried: 0,
            succeeded: 0,
            failed: 0,
        };
        for failure in &chosen {
            let outcome = engine
                .sync_record(failure.from, failure.object, &failure.record_id)
                .await?;
            result.retried += 1;
            match outcome {
                Outcome::Failed(_) => result.failed += 1,
                _ => result.succeeded += 1,
            }
            tallies.count(failure.from, failure.object, &outcome);
        }
        for run in tallies.runs(RunKind::Retry, now_ms) {
            engine.store.record_run(&run)?;
        }
        Ok(result)
    })
    .await
}

/// Everything outside the Durable Object that the integration holds: the change
/// notifications set up in Salesforce (removed while the grant still works), the
/// Salesforce grant and the helpdesk webhook. Failures to reach either do not stop the
/// delete; the caller erases the storage afterwards either way.
pub async fn release(org: &Org<'_>) -> Result<(), EdgeError> {
    super::notifications::release(org).await;
    if let Some(token) = connection::refresh_token(org.sql, org.config, org.id)? {
        let revoke = org.config.salesforce.revoke(&token);
        if let Err(e) = WorkerFetch.send(revoke).await {
            worker::console_warn!("revoking the Salesforce token failed: {e}");
        }
    }
    if let Some(webhook_id) = org.state().control()?.and_then(|c| c.webhook_id)
        && let Err(e) = org.helpdesk().delete_webhook(&webhook_id).await
    {
        worker::console_warn!("removing the helpdesk webhook failed: {e}");
    }
    // Last: the webhook is removed with the grant.
    if let Some(grant) = helpdesk_connection::grant(org.sql, org.config, org.id)?
        && let Err(e) = WorkerFetch.send(HelpdeskApp::revoke(&grant)).await
    {
        worker::console_warn!("revoking the helpdesk grant failed: {e}");
    }
    Ok(())
}

/// The sync's state as the admin console shows it.
fn sync_status(org: &Org<'_>, store: &EdgeStore) -> Result<SyncStatus, EdgeError> {
    let control = org.state().control()?;
    let run = state::initial_sync(store)?;
    Ok(SyncStatus {
        state: control.as_ref().map_or(SyncState::NotStarted, |c| c.state),
        sync_type: state::settings(store)?.sync_type,
        steps: run.as_ref().map(|r| r.steps.clone()).unwrap_or_default(),
        started_ms: run.as_ref().map(|r| r.started_ms),
        finished_ms: run.as_ref().and_then(|r| r.finished_ms),
        pending_changes: store.inbox_len()? as u64,
        catching_up_since_ms: control
            .as_ref()
            .and_then(|c| c.covered.as_ref()?.reading_since_ms()),
        note: control.and_then(|c| c.note),
    })
}
