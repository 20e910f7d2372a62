//! The `Integration` Durable Object: one per helpdesk org, addressed by the org's id, holding
//! that org's Salesforce connection and state in its own SQLite database.
//!
//! The Worker has already verified the caller; it sends one [`Command`] per request
//! ([`protocol`]: the commands, their answers, how the Worker sends them). The object
//! builds the org's context ([`org`]) and hands it to the handler of the command:
//! [`panel`] (with [`panel_cache`] and [`panel_scope`]) and its [`actions`] on
//! Salesforce, [`permissions`], [`oauth`],
//! [`admin`] (with [`notifications`], set up in Salesforce) and [`webhooks`]; its
//! [`alarm`] drives the sync. Storage: [`installation`] (the extension's installation,
//! bound by Zoho Desk's callback), [`schema`] (the
//! migrations), [`connection`] (the sealed Salesforce tokens), [`state`] (the edge's own
//! state), [`sql`] (SQLite behind `shared`'s seam, for the sync engine's store).

mod actions;
mod admin;
mod alarm;
mod connection;
mod helpdesk_connection;
mod installation;
mod notifications;
mod oauth;
mod org;
mod panel;
mod panel_cache;
mod panel_fields;
mod panel_scope;
mod permissions;
mod protocol;
mod schema;
mod sql;
mod state;
mod webhooks;

pub use helpdesk_connection::ConnectedHelpdesk;
pub use installation::Installed;
pub use oauth::{OTHER_BROWSER, PENDING_TTL_MS};
pub use protocol::{
    AdminRequest, AuthorizeRedirect, Command, ConnectedOrg, Stored, call, call_no_content,
    is_org_id, org_of_token,
};

use crate::config::Config;
use crate::error::EdgeError;
use futures_util::lock::Mutex;
use org::{Org, RenewalTurn};
use state::EdgeState;
use std::cell::Cell;
use worker::{DurableObject, Env, Request, Response, Result, SqlStorage, State, durable_object};

#[durable_object]
pub struct Integration {
    state: State,
    env: Env,
    migrated: Cell<bool>,
    /// The object answers requests while others await Salesforce or the helpdesk. The
    /// work that changes what the sync works on (its slices, start, retry, delete) takes
    /// this turn, so a retry and a slice never write the same record at once and a
    /// delete does not run under a slice that would write the old state back.
    sync_turn: Mutex<()>,
    /// One Salesforce session renewal at a time (see `Org::salesforce`).
    renewal_turn: RenewalTurn,
    /// One helpdesk token renewal at a time (see `Org::helpdesk`).
    helpdesk_renewal_turn: RenewalTurn,
}

impl DurableObject for Integration {
    fn new(state: State, env: Env) -> Self {
        Integration {
            state,
            env,
            migrated: Cell::new(false),
            sync_turn: Mutex::new(()),
            renewal_turn: Mutex::new(()),
            helpdesk_renewal_turn: Mutex::new(()),
        }
    }

    async fn fetch(&self, mut request: Request) -> Result<Response> {
        let outcome = match protocol::receive(&mut request).await {
            Ok((org, command)) => self.dispatch(&org, command).await,
            Err(error) => Err(error),
        };
        Ok(outcome.unwrap_or_else(EdgeError::into_response))
    }

    async fn alarm(&self) -> Result<Response> {
        let next = async {
            let config = Config::from_env(&self.env)?;
            // The turn first: a delete that held it has erased the storage meanwhile.
            let _turn = self.sync_turn.lock().await;
            let sql = self.sql()?;
            // No org stored: no request has reached this object since it was created or
            // deleted, so there is no sync to run.
            let Some(id) = EdgeState::new(&sql).org()? else {
                return Ok(alarm::Next::Idle);
            };
            alarm::run_slice(&self.org(&sql, &config, &id)?).await
        };
        match next.await {
            Ok(alarm::Next::Idle) => {}
            Ok(alarm::Next::After(ms)) => self.state.storage().set_alarm(ms).await?,
            Err(error) => {
                worker::console_error!("sync alarm failed: {error}");
                self.state.storage().set_alarm(30_000).await?;
            }
        }
        Response::empty()
    }
}

fn json<T: serde::Serialize>(value: &T) -> std::result::Result<Response, EdgeError> {
    Ok(Response::from_json(value)?)
}

fn now_ms() -> i64 {
    worker::Date::now().as_millis() as i64
}

impl Integration {
    fn sql(&self) -> std::result::Result<SqlStorage, EdgeError> {
        let sql = self.state.storage().sql();
        if !self.migrated.get() {
            schema::migrate(&sql)?;
            self.migrated.set(true);
        }
        Ok(sql)
    }

    async fn dispatch(
        &self,
        id: &str,
        command: Command,
    ) -> std::result::Result<Response, EdgeError> {
        let config = Config::from_env(&self.env)?;
        let sql = self.sql()?;
        let org = self.org(&sql, &config, id)?;
        org.state().keep_org(id)?;
        match command {
            Command::Panel { claims, query } => json(&panel::panel(&org, claims, query).await?),
            Command::ChooseContact { claims, contact } => {
                panel::choose(&org, &claims, &contact)?;
                Ok(Response::empty()?.with_status(204))
            }
            Command::PanelSearch { claims, text } => {
                json(&panel::search(&org, &claims, &text).await?)
            }
            Command::Act {
                claims,
                action,
                record,
            } => json(&actions::act(&org, &claims, action, record).await?),
            Command::ListPermissions => json(&permissions::list(&org).await?),
            Command::SavePermissions { permissions } => {
                json(&permissions::put(&org, &permissions).await?)
            }
            Command::IssueStartCode { side } => json(&oauth::issue_start_code(&org, side)?),
            Command::BeginOAuth {
                start_code,
                browser_nonce,
                side,
            } => json(&oauth::begin_oauth(
                &org,
                &start_code,
                &browser_nonce,
                side,
            )?),
            Command::CompleteHelpdeskOAuth {
                state,
                code,
                accounts_server,
                browser_nonce,
            } => {
                let flow = oauth::Callback {
                    state: &state,
                    code: &code,
                    browser_nonce: &browser_nonce,
                };
                let connected =
                    helpdesk_connection::complete(&org, flow, accounts_server.as_deref()).await?;
                // A reconnect picks the sync up where it stopped, as Salesforce's does;
                // the next request builds its clients on the new grant.
                if admin::status(&org)?.sync.state == contract::admin::SyncState::NeedsReconnect {
                    admin::resume(&org)?;
                    self.wake().await?;
                }
                json(&connected)
            }
            Command::CompleteOAuth {
                state,
                code,
                browser_nonce,
            } => {
                let flow = oauth::Callback {
                    state: &state,
                    code: &code,
                    browser_nonce: &browser_nonce,
                };
                let connected = oauth::complete_oauth(&org, flow).await?;
                admin::remember_username(&org, &connected.salesforce_user_id).await?;
                // A reconnect picks the sync up where it stopped.
                if admin::status(&org)?.sync.state == contract::admin::SyncState::NeedsReconnect {
                    admin::resume(&org)?;
                    self.wake().await?;
                }
                json(&connected)
            }
            Command::Admin { request } => {
                // Alarms may not outlive a crash of the local runtime: any admin call
                // (the console polls the status) sets one again if work is pending.
                let running = org.state().control()?.is_some_and(|c| c.is_running());
                if running && self.state.storage().get_alarm().await?.is_none() {
                    self.wake().await?;
                }
                self.admin(&org, request).await
            }
            Command::HelpdeskWebhook { token, body } => {
                let stored = webhooks::helpdesk(&org, token.as_deref(), &body).await?;
                self.wake().await?;
                json(&stored)
            }
            Command::Install { security_context } => {
                installation::bind(
                    &self.state.storage(),
                    &config,
                    id,
                    &security_context,
                    now_ms(),
                )
                .await?;
                Ok(Response::empty()?.with_status(204))
            }
            Command::Installation => {
                json(&installation::is_bound(&self.state.storage(), org.helpdesk_api_base()).await?)
            }
            Command::Uninstall => self.erase(&org, false).await,
            Command::SalesforceOutbound { key, body } => {
                let stored = webhooks::salesforce(&org, &key, &body)?;
                self.wake().await?;
                json(&stored)
            }
        }
    }

    fn org<'a>(
        &'a self,
        sql: &'a SqlStorage,
        config: &'a Config,
        id: &'a str,
    ) -> std::result::Result<Org<'a>, EdgeError> {
        Org::new(
            sql,
            config,
            id,
            now_ms(),
            (&self.renewal_turn, &self.helpdesk_renewal_turn),
        )
    }

    /// Has the alarm run now, unless the sync is idle (it then ignores the alarm).
    async fn wake(&self) -> std::result::Result<(), EdgeError> {
        self.state.storage().set_alarm(0).await?;
        Ok(())
    }

    async fn admin(
        &self,
        org: &Org<'_>,
        request: AdminRequest,
    ) -> std::result::Result<Response, EdgeError> {
        match request {
            AdminRequest::Status => json(&admin::status(org)?),
            AdminRequest::Settings => json(&admin::settings(org).await?),
            AdminRequest::SaveSettings(save) => json(&admin::save_settings(org, save).await?),
            AdminRequest::Start => {
                let _turn = self.sync_turn.lock().await;
                let status = admin::start(org).await?;
                self.wake().await?;
                json(&status)
            }
            AdminRequest::Pause => json(&admin::pause(org)?),
            AdminRequest::Resume => {
                let status = admin::resume(org)?;
                self.wake().await?;
                json(&status)
            }
            AdminRequest::History => json(&admin::history(org)?),
            AdminRequest::PanelFields => json(&panel_fields::view(org).await?),
            AdminRequest::SavePanelFields(fields) => json(&panel_fields::save(org, fields).await?),
            AdminRequest::Failures => json(&admin::failures(org)?),
            AdminRequest::Retry(request) => {
                let _turn = self.sync_turn.lock().await;
                json(&admin::retry(org, request).await?)
            }
            AdminRequest::Notifications => json(&org.state().notifications()?),
            AdminRequest::SetUpNotifications => json(&notifications::set_up(org).await?),
            AdminRequest::RemoveNotifications => json(&notifications::remove(org).await?),
            // Deleting the integration is not uninstalling the extension: Zoho Desk still
            // runs it in this org, and its agents still get sessions.
            AdminRequest::Delete => self.erase(org, true).await,
            AdminRequest::Drift => json(&admin::drift(org)?),
            AdminRequest::CheckDrift => {
                let view = admin::check_drift(org)?;
                self.wake().await?;
                json(&view)
            }
        }
    }

    /// Erases the org's integration (and releases what it set up in Salesforce); the
    /// extension's installation too unless `keep_installation`.
    async fn erase(
        &self,
        org: &Org<'_>,
        keep_installation: bool,
    ) -> std::result::Result<Response, EdgeError> {
        let _turn = self.sync_turn.lock().await;
        admin::release(org).await?;
        let storage = self.state.storage();
        let kept = installation::keep(&storage).await?;
        storage.delete_alarm().await?;
        storage.delete_all().await?;
        if keep_installation {
            installation::restore(&storage, kept).await?;
        }
        self.migrated.set(false);
        Ok(Response::empty()?.with_status(204))
    }
}
