//! The org's Salesforce connection as stored: its sealed tokens, opened for one request,
//! kept up to date when a client renews the session, and its public facts.

use crate::config::Config;
use crate::error::EdgeError;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use shared::http::Transport;
use shared::salesforce::{Client, OAuthApp, Refreshed, Session, SessionKeeper, TokenResponse};
use worker::SqlStorage;

/// A connected org, tokens opened. Lives only for one request.
pub struct Connection {
    session: Session,
    refresh_token: Option<String>,
}

#[derive(Deserialize)]
struct ConnectionRow {
    instance_url: String,
    access_token_sealed: String,
    refresh_token_sealed: Option<String>,
}

pub(super) fn seal(config: &Config, org: &str, token: &str) -> String {
    STANDARD.encode(config.sealer.seal(token, org))
}

pub(super) fn open(config: &Config, org: &str, sealed: &str) -> Result<String, EdgeError> {
    let bytes = STANDARD
        .decode(sealed)
        .map_err(|_| shared::seal::SealError::Corrupt)?;
    Ok(config.sealer.open(&bytes, org)?)
}

pub fn load(sql: &SqlStorage, config: &Config, org: &str) -> Result<Option<Connection>, EdgeError> {
    let rows: Vec<ConnectionRow> = sql
        .exec(
            "SELECT instance_url, access_token_sealed, refresh_token_sealed FROM connection",
            None,
        )?
        .to_array()?;
    let Some(row) = rows.into_iter().next() else {
        return Ok(None);
    };
    Ok(Some(Connection {
        session: Session {
            instance_url: row.instance_url,
            access_token: open(config, org, &row.access_token_sealed)?,
        },
        refresh_token: row
            .refresh_token_sealed
            .map(|sealed| open(config, org, &sealed))
            .transpose()?,
    }))
}

/// The connection's public facts, for the admin console.
#[derive(Deserialize)]
pub struct ConnectionInfo {
    pub instance_url: String,
    pub salesforce_org_id: String,
    pub salesforce_user_id: String,
    pub connected_at_ms: i64,
}

pub fn info(sql: &SqlStorage) -> Result<Option<ConnectionInfo>, EdgeError> {
    let rows: Vec<ConnectionInfo> = sql
        .exec(
            "SELECT instance_url, salesforce_org_id, salesforce_user_id, connected_at_ms FROM connection",
            None,
        )?
        .to_array()?;
    Ok(rows.into_iter().next())
}

/// The refresh token, opened: only to revoke it.
pub fn refresh_token(
    sql: &SqlStorage,
    config: &Config,
    org: &str,
) -> Result<Option<String>, EdgeError> {
    Ok(load(sql, config, org)?.and_then(|c| c.refresh_token))
}

/// Stores a new connection in place of any other, its tokens sealed.
pub fn save(
    sql: &SqlStorage,
    config: &Config,
    org: &str,
    tokens: &TokenResponse,
    salesforce_org_id: &str,
    user_id: &str,
    connected_at_ms: i64,
) -> Result<(), EdgeError> {
    sql.exec(
        "INSERT OR REPLACE INTO connection
           (id, instance_url, salesforce_org_id, salesforce_user_id, access_token_sealed, refresh_token_sealed, connected_at_ms)
         VALUES (1, ?, ?, ?, ?, ?, ?)",
        vec![
            tokens.instance_url.clone().into(),
            salesforce_org_id.into(),
            user_id.into(),
            seal(config, org, &tokens.access_token).into(),
            tokens.refresh_token.as_deref().map(|t| seal(config, org, t)).into(),
            connected_at_ms.into(),
        ],
    )?;
    Ok(())
}

impl Connection {
    /// The REST client for this connection: it renews the access token itself when
    /// Salesforce says it expired, through `keeper`, which holds the session for every
    /// client of the org.
    pub fn client<'a, T: Transport>(
        &self,
        transport: &'a T,
        app: &'a OAuthApp,
        keeper: &'a dyn SessionKeeper,
    ) -> Client<'a, T> {
        let client = Client::new(transport, &self.session);
        match &self.refresh_token {
            Some(refresh_token) => client.with_kept_session(app, refresh_token.clone(), keeper),
            None => client,
        }
    }

    /// The session and refresh token, as a [`SessionKeeper`] hands them over.
    pub fn kept(self) -> Option<(Session, String)> {
        Some((self.session, self.refresh_token?))
    }
}

/// Seals and stores a renewed session (and the refresh token, when the app rotates them),
/// so the next request starts from it.
pub fn keep(
    sql: &SqlStorage,
    config: &Config,
    org: &str,
    renewed: &Refreshed,
) -> Result<(), worker::Error> {
    let Refreshed {
        session,
        refresh_token,
    } = renewed;
    sql.exec(
        "UPDATE connection SET access_token_sealed = ?, instance_url = ?",
        vec![
            seal(config, org, &session.access_token).into(),
            session.instance_url.clone().into(),
        ],
    )?;
    if let Some(rotated) = refresh_token {
        sql.exec(
            "UPDATE connection SET refresh_token_sealed = ?",
            vec![seal(config, org, rotated).into()],
        )?;
    }
    Ok(())
}
