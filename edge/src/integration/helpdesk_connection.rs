//! The org's helpdesk connection as stored: its own Zoho Desk OAuth grant, in its own
//! data centre (accounts server and API domain, as the grant named them), the refresh
//! and access tokens sealed as the Salesforce ones are ([`connection::seal`]). Until an
//! admin connects the helpdesk, the edge's shared `HELPDESK_API_TOKEN` stands in (the dev
//! fallback, see `Config::helpdesk_fallback`).

use super::connection::{open, seal};
use super::oauth::{Callback, take_pending};
use super::org::Org;
use super::state;
use crate::config::Config;
use crate::error::EdgeError;
use crate::fetch_transport::WorkerFetch;
use contract::admin::{HelpdeskConnectionInfo, HelpdeskConnectionStatus, HelpdeskCredits};
use contract::side::Side;
use serde::{Deserialize, Serialize};
use shared::helpdesk::{self, Grant, HelpdeskApp, HelpdeskError, TokenAnswer};
use shared::http::Transport;
use worker::SqlStorage;

/// What connecting the helpdesk did, for the popup's last page.
#[derive(Debug, Serialize, Deserialize)]
pub struct ConnectedHelpdesk {
    pub agent_email: String,
    pub api_domain: String,
}

/// A helpdesk error met while connecting, as the admin should read it.
fn refused(error: HelpdeskError) -> EdgeError {
    if error.is_transient() {
        EdgeError::Unavailable(error.to_string())
    } else {
        EdgeError::BadRequest(format!("The helpdesk was not connected: {error}"))
    }
}

/// Finishes the helpdesk's flow: the code exchanged in the data centre the callback named
/// (`accounts_server`, Zoho's `accounts-server`), the grant checked to be this org's, and
/// stored sealed in place of any earlier one.
pub async fn complete(
    org: &Org<'_>,
    callback: Callback<'_>,
    accounts_server: Option<&str>,
) -> Result<ConnectedHelpdesk, EdgeError> {
    take_pending(org, &callback, Side::Helpdesk)?;
    let app = &org.config.helpdesk_app;
    let accounts_server = app
        .trusted_accounts_server(accounts_server)
        .ok_or_else(|| {
            EdgeError::BadRequest(
                "The sign-in came back from an accounts server that is not Zoho's; sfdesk did not \
             connect it."
                    .into(),
            )
        })?;
    let answer = WorkerFetch
        .send(app.code_exchange(&accounts_server, callback.code))
        .await
        .map_err(|e| refused(e.into()))?;
    let tokens = HelpdeskApp::parse_token_answer(&answer).map_err(|e| match e {
        HelpdeskError::OAuth { error } if error == "invalid_code" => EdgeError::BadRequest(
            "Zoho refused the sign-in code (it was already used or has expired). Start connecting again."
                .into(),
        ),
        other => refused(other),
    })?;
    let refresh_token = tokens.refresh_token.clone().ok_or_else(|| {
        EdgeError::BadRequest("Zoho granted no refresh token. Start connecting again.".into())
    })?;
    // A grant works in its own organisation only (401 `OAUTH_ORG_MISMATCH` elsewhere):
    // asking who granted it, as this org, proves it is this org's.
    let api = helpdesk::Connection {
        base_url: tokens.api_domain.clone(),
        org_id: org.id.to_owned(),
        access_token: tokens.access_token.clone(),
    };
    let agent = helpdesk::Client::new(&WorkerFetch, &api)
        .myinfo()
        .await
        .map_err(|e| match e {
            HelpdeskError::Unauthorized { .. } => EdgeError::BadRequest(format!(
                "You signed in to another helpdesk organisation than {}. Sign in as an agent of this one.",
                org.id
            )),
            other => refused(other),
        })?;
    // The org's credit model, kept with the connection: the sync keeps to its share.
    let plan = helpdesk::Client::new(&WorkerFetch, &api)
        .credit_plan()
        .await
        .map_err(refused)?;
    org.state().save_helpdesk_credits(&state::HelpdeskCredits {
        plan,
        plan_read_ms: org.now_ms,
        ..state::HelpdeskCredits::default()
    })?;
    save(
        org.sql,
        org.config,
        org.id,
        &Grant {
            accounts_server,
            refresh_token,
        },
        &tokens,
        &agent.email_id,
        org.now_ms,
    )?;
    Ok(ConnectedHelpdesk {
        agent_email: agent.email_id,
        api_domain: tokens.api_domain,
    })
}

/// A connected helpdesk, tokens opened. Lives only for one request.
pub struct HelpdeskConnection {
    pub api: helpdesk::Connection,
    pub grant: Grant,
}

#[derive(Deserialize)]
struct Row {
    accounts_server: String,
    api_domain: String,
    access_token_sealed: String,
    refresh_token_sealed: String,
}

pub fn load(
    sql: &SqlStorage,
    config: &Config,
    org: &str,
) -> Result<Option<HelpdeskConnection>, EdgeError> {
    let rows: Vec<Row> = sql
        .exec(
            "SELECT accounts_server, api_domain, access_token_sealed, refresh_token_sealed
             FROM helpdesk_connection",
            None,
        )?
        .to_array()?;
    let Some(row) = rows.into_iter().next() else {
        return Ok(None);
    };
    Ok(Some(HelpdeskConnection {
        api: helpdesk::Connection {
            base_url: row.api_domain,
            org_id: org.to_owned(),
            access_token: open(config, org, &row.access_token_sealed)?,
        },
        grant: Grant {
            accounts_server: row.accounts_server,
            refresh_token: open(config, org, &row.refresh_token_sealed)?,
        },
    }))
}

#[derive(Deserialize)]
struct StatusRow {
    api_domain: String,
    agent_email: String,
    connected_at_ms: i64,
    revoked_at_ms: Option<i64>,
}

/// The connection as the admin console shows it, with the org's credits as last read.
pub fn status(org: &Org<'_>) -> Result<HelpdeskConnectionStatus, EdgeError> {
    let rows: Vec<StatusRow> = org
        .sql
        .exec(
            "SELECT api_domain, agent_email, connected_at_ms, revoked_at_ms FROM helpdesk_connection",
            None,
        )?
        .to_array()?;
    Ok(match rows.into_iter().next() {
        None => HelpdeskConnectionStatus::NotConnected,
        Some(row) if row.revoked_at_ms.is_some() => HelpdeskConnectionStatus::Revoked {
            api_domain: row.api_domain,
        },
        Some(row) => HelpdeskConnectionStatus::Connected(HelpdeskConnectionInfo {
            agent_email: row.agent_email,
            api_domain: row.api_domain,
            connected_at_ms: row.connected_at_ms,
            credits: credits_info(org)?,
        }),
    })
}

/// The org's credits for the console: its plan's day, the sync's share, what is left.
fn credits_info(org: &Org<'_>) -> Result<Option<HelpdeskCredits>, EdgeError> {
    let Some(credits) = org.state().helpdesk_credits()? else {
        return Ok(None);
    };
    Ok(credits.plan.map(|plan| {
        let daily = plan.daily_credits();
        HelpdeskCredits {
            edition: plan.edition.label().to_owned(),
            daily,
            sync_share: org.config.helpdesk_sync_budget.ceiling(daily),
            left_today: credits.left_today(org.now_ms),
        }
    }))
}

/// Zoho refused the grant: kept until a reconnect replaces it, so the console says so.
pub fn mark_revoked(sql: &SqlStorage, now_ms: i64) -> Result<(), EdgeError> {
    sql.exec(
        "UPDATE helpdesk_connection SET revoked_at_ms = ?",
        vec![now_ms.into()],
    )?;
    Ok(())
}

/// The grant, opened: only to revoke it.
pub fn grant(sql: &SqlStorage, config: &Config, org: &str) -> Result<Option<Grant>, EdgeError> {
    Ok(load(sql, config, org)?.map(|c| c.grant))
}

/// Stores a new grant in place of any other, its tokens sealed.
pub fn save(
    sql: &SqlStorage,
    config: &Config,
    org: &str,
    grant: &Grant,
    tokens: &TokenAnswer,
    agent_email: &str,
    now_ms: i64,
) -> Result<(), EdgeError> {
    sql.exec(
        "INSERT OR REPLACE INTO helpdesk_connection
           (id, accounts_server, api_domain, agent_email, access_token_sealed, refresh_token_sealed, connected_at_ms)
         VALUES (1, ?, ?, ?, ?, ?, ?)",
        vec![
            grant.accounts_server.clone().into(),
            tokens.api_domain.clone().into(),
            agent_email.into(),
            seal(config, org, &tokens.access_token).into(),
            seal(config, org, &grant.refresh_token).into(),
            now_ms.into(),
        ],
    )?;
    Ok(())
}

/// The access token as stored now, opened.
pub fn access_token(
    sql: &SqlStorage,
    config: &Config,
    org: &str,
) -> Result<Option<String>, EdgeError> {
    Ok(load(sql, config, org)?.map(|c| c.api.access_token))
}

/// Seals and stores a renewed access token, so the next request starts from it.
pub fn keep(
    sql: &SqlStorage,
    config: &Config,
    org: &str,
    access_token: &str,
) -> Result<(), EdgeError> {
    sql.exec(
        "UPDATE helpdesk_connection SET access_token_sealed = ?",
        vec![seal(config, org, access_token).into()],
    )?;
    Ok(())
}
