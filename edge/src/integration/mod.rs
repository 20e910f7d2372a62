//! The `Integration` Durable Object: one per helpdesk org, holding that org's Salesforce
//! connection and state in its own SQLite database (schema in [`schema`]).
//!
//! The Worker has already verified the caller; it sends one [`Command`] per request.

mod connection;
mod panel;
pub mod panel_cache;
mod permissions;
mod protocol;
mod schema;
mod sql;

pub use permissions::ProfileRef;
pub use protocol::{AuthorizeRedirect, Command, ConnectedOrg, call, call_no_content, org_of_state};

use crate::config::Config;
use crate::error::EdgeError;
use std::cell::Cell;
use worker::{DurableObject, Env, Request, Response, Result, SqlStorage, State, durable_object};

#[durable_object]
pub struct Integration {
    state: State,
    env: Env,
    migrated: Cell<bool>,
}

impl DurableObject for Integration {
    fn new(state: State, env: Env) -> Self {
        Integration {
            state,
            env,
            migrated: Cell::new(false),
        }
    }

    async fn fetch(&self, mut request: Request) -> Result<Response> {
        let outcome = match request.json::<Command>().await {
            Ok(command) => self.dispatch(command).await,
            Err(e) => Err(EdgeError::BadRequest(format!("malformed command: {e}"))),
        };
        Ok(outcome.unwrap_or_else(EdgeError::into_response))
    }
}

impl Integration {
    fn sql(&self) -> std::result::Result<SqlStorage, EdgeError> {
        let sql = self.state.storage().sql();
        if !self.migrated.get() {
            schema::migrate(&sql::DurableSql(sql.clone()))
                .map_err(|e| EdgeError::Config(format!("storage migration: {e}")))?;
            self.migrated.set(true);
        }
        Ok(sql)
    }

    async fn dispatch(&self, command: Command) -> std::result::Result<Response, EdgeError> {
        let config = Config::from_env(&self.env)?;
        let sql = self.sql()?;
        let now_ms = worker::Date::now().as_millis();
        match command {
            Command::Panel { claims, query } => Ok(Response::from_json(
                &panel::panel(&sql, &config, claims, query, now_ms).await?,
            )?),
            Command::ChooseContact { claims, contact } => {
                panel::choose(&sql, &claims, &contact, now_ms)?;
                Ok(Response::empty()?.with_status(204))
            }
            Command::PanelSearch { claims, text } => Ok(Response::from_json(
                &panel::search(&sql, &config, &claims, &text).await?,
            )?),
            Command::ListPermissions { profiles } => {
                Ok(Response::from_json(&permissions::list(&sql, profiles)?)?)
            }
            Command::SavePermissions { permissions } => Ok(Response::from_json(
                &permissions::put(&sql, &permissions, now_ms)?,
            )?),
            Command::BeginOAuth { org } => Ok(Response::from_json(&connection::begin_oauth(
                &sql, &config, &org, now_ms,
            )?)?),
            Command::CompleteOAuth { org, state, code } => Ok(Response::from_json(
                &connection::complete_oauth(&sql, &config, &org, &state, &code, now_ms).await?,
            )?),
        }
    }
}
