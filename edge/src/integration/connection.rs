//! The org's Salesforce connection: the OAuth flow that creates it, its sealed tokens,
//! and the refresh that keeps it alive.

use super::protocol::{AuthorizeRedirect, ConnectedOrg, new_org_token};
use crate::config::Config;
use crate::error::EdgeError;
use crate::fetch_transport::WorkerFetch;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use contract::admin::StartCode;
use serde::Deserialize;
use shared::http::Transport;
use shared::pkce;
use shared::salesforce::{Client, OAuthApp, Refreshed, Session, SessionKeeper, SfError};
use shared::url_tag::Purpose;
use worker::SqlStorage;

/// An OAuth flow must finish within this long of starting.
pub const PENDING_TTL_MS: u64 = 10 * 60 * 1000;

/// A start code must be used within this long: the console opens the popup right away.
const START_CODE_TTL_MS: u64 = 60 * 1000;

/// When the callback's browser is not the one that started the flow.
pub const OTHER_BROWSER: &str = "This Salesforce sign-in was not started in this browser, so \
     sfdesk did not connect it. Start connecting again from the admin console, in this browser.";

/// A connected org, tokens opened. Lives only for one request.
pub struct Connection {
    pub session: Session,
    refresh_token: Option<String>,
}

#[derive(Deserialize)]
struct ConnectionRow {
    instance_url: String,
    access_token_sealed: String,
    refresh_token_sealed: Option<String>,
}

fn seal(config: &Config, org: &str, token: &str) -> String {
    STANDARD.encode(config.sealer.seal(token, org))
}

fn open(config: &Config, org: &str, sealed: &str) -> Result<String, EdgeError> {
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

pub fn issue_start_code(
    sql: &SqlStorage,
    config: &Config,
    org: &str,
    now_ms: u64,
) -> Result<StartCode, EdgeError> {
    sql.exec(
        "DELETE FROM oauth_start_codes WHERE created_at_ms < ?",
        vec![(now_ms.saturating_sub(START_CODE_TTL_MS) as i64).into()],
    )?;
    let code = new_org_token(config, Purpose::OAuthStartCode, org);
    sql.exec(
        "INSERT INTO oauth_start_codes (code, created_at_ms) VALUES (?, ?)",
        vec![code.clone().into(), (now_ms as i64).into()],
    )?;
    Ok(StartCode { code })
}

#[derive(Deserialize)]
struct StartCodeRow {
    created_at_ms: i64,
}

pub fn begin_oauth(
    sql: &SqlStorage,
    config: &Config,
    org: &str,
    start_code: &str,
    browser_nonce: &str,
    now_ms: u64,
) -> Result<AuthorizeRedirect, EdgeError> {
    // Single use, like the flow it starts.
    let issued: Vec<StartCodeRow> = sql
        .exec(
            "DELETE FROM oauth_start_codes WHERE code = ? RETURNING created_at_ms",
            vec![start_code.into()],
        )?
        .to_array()?;
    if !issued
        .iter()
        .any(|row| now_ms.saturating_sub(row.created_at_ms as u64) <= START_CODE_TTL_MS)
    {
        return Err(EdgeError::BadRequest(
            "This connect link expired or was already used. Choose Connect Salesforce in the \
             admin console again."
                .into(),
        ));
    }
    let state = new_org_token(config, Purpose::OAuthState, org);
    let verifier = pkce::new_verifier();
    sql.exec(
        "DELETE FROM oauth_pending WHERE created_at_ms < ?",
        vec![(now_ms.saturating_sub(PENDING_TTL_MS) as i64).into()],
    )?;
    sql.exec(
        "INSERT INTO oauth_pending (state, code_verifier, created_at_ms, browser_nonce)
         VALUES (?, ?, ?, ?)",
        vec![
            state.clone().into(),
            verifier.clone().into(),
            (now_ms as i64).into(),
            browser_nonce.into(),
        ],
    )?;
    Ok(AuthorizeRedirect {
        authorize_url: config
            .salesforce
            .authorize_url(&state, &pkce::challenge_s256(&verifier)),
    })
}

#[derive(Deserialize)]
struct PendingRow {
    code_verifier: String,
    created_at_ms: i64,
    browser_nonce: Option<String>,
}

/// What Salesforce's redirect brought back, and the cookie of the browser it reached.
pub struct Callback<'a> {
    pub state: &'a str,
    pub code: &'a str,
    pub browser_nonce: &'a str,
}

pub async fn complete_oauth(
    sql: &SqlStorage,
    config: &Config,
    org: &str,
    callback: Callback<'_>,
    now_ms: u64,
) -> Result<ConnectedOrg, EdgeError> {
    // Single use: the pending flow is consumed whether or not the exchange succeeds.
    let pending: Vec<PendingRow> = sql
        .exec(
            "DELETE FROM oauth_pending WHERE state = ?
             RETURNING code_verifier, created_at_ms, browser_nonce",
            vec![callback.state.into()],
        )?
        .to_array()?;
    let pending = pending
        .into_iter()
        .next()
        .filter(|p| now_ms.saturating_sub(p.created_at_ms as u64) <= PENDING_TTL_MS)
        .ok_or_else(|| {
            EdgeError::BadRequest(
                "This sign-in link expired or was already used. Start connecting again.".into(),
            )
        })?;
    // Someone else's approval must not land in the flow this browser started (or the
    // other way round): the cookie set at the start must come back.
    if !pending.browser_nonce.as_deref().is_some_and(|nonce| {
        shared::constant_time_eq(nonce.as_bytes(), callback.browser_nonce.as_bytes())
    }) {
        return Err(EdgeError::BadRequest(OTHER_BROWSER.into()));
    }

    let response = WorkerFetch
        .send(
            config
                .salesforce
                .code_exchange(callback.code, &pending.code_verifier),
        )
        .await
        .map_err(SfError::from)?;
    let tokens = OAuthApp::parse_token_response(&response).map_err(|e| match e {
        // The code was already used, expired, or was never issued for this flow.
        SfError::OAuth { error, .. } if error == "invalid_grant" => EdgeError::BadRequest(
            "Salesforce refused the sign-in code (it was already used or has expired). Start connecting again."
                .into(),
        ),
        other => other.into(),
    })?;
    let (salesforce_org_id, user_id) = tokens.org_and_user().ok_or_else(|| {
        SfError::Decode(format!(
            "identity URL {:?} names no org and user",
            tokens.id
        ))
    })?;
    // Links and cursors belong to the org they were made with: another org's records
    // would be recreated, not matched.
    if let Some(bound) = info(sql)?.filter(|c| c.salesforce_org_id != salesforce_org_id) {
        return Err(EdgeError::BadRequest(format!(
            "This integration is bound to Salesforce org {}; you signed in to org {salesforce_org_id}. \
             Delete the integration to connect another org.",
            bound.salesforce_org_id
        )));
    }
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
            (now_ms as i64).into(),
        ],
    )?;
    // Answers cached from a previously connected org must not show.
    super::panel_cache::clear(sql)?;
    Ok(ConnectedOrg {
        salesforce_user_id: user_id.to_owned(),
        salesforce_org_id: salesforce_org_id.to_owned(),
        instance_url: tokens.instance_url.clone(),
    })
}

impl Connection {
    /// The REST client for this connection: it renews the access token itself when
    /// Salesforce says it expired, one renewal at a time for the whole object, stored at
    /// once (see [`KeptSession`]).
    pub fn client<'a, T: Transport>(
        &self,
        transport: &'a T,
        kept: &'a KeptSession<'a>,
    ) -> Client<'a, T> {
        let client = Client::new(transport, &self.session);
        match &self.refresh_token {
            Some(refresh_token) => {
                client.with_kept_session(&kept.config.salesforce, refresh_token.clone(), kept)
            }
            None => client,
        }
    }
}

/// The org's stored connection as the keeper of its Salesforce session, shared by every
/// client the Durable Object makes at once (an agent's panel, the sync, the console).
pub struct KeptSession<'a> {
    pub sql: &'a SqlStorage,
    pub config: &'a Config,
    pub org: &'a str,
    /// The object's one renewal turn.
    pub turn: &'a RenewalTurn,
}

/// Held while a Salesforce session is renewed.
pub type RenewalTurn = futures_util::lock::Mutex<()>;

impl SessionKeeper for KeptSession<'_> {
    fn renewal_turn(&self) -> &RenewalTurn {
        self.turn
    }

    fn current(&self) -> Result<Option<(Session, String)>, SfError> {
        let connection =
            load(self.sql, self.config, self.org).map_err(|e| SfError::Keeping(e.to_string()))?;
        Ok(connection.and_then(|c| Some((c.session, c.refresh_token?))))
    }

    /// Seals and stores the renewed session (and the refresh token, when the app rotates
    /// them), so the next request starts from it.
    fn keep(&self, renewed: &Refreshed) -> Result<(), SfError> {
        let Refreshed {
            session,
            refresh_token,
        } = renewed;
        let (sql, config, org) = (self.sql, self.config, self.org);
        let stored = (|| {
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
            Ok::<_, worker::Error>(())
        })();
        stored.map_err(|e| SfError::Keeping(e.to_string()))
    }
}

/// An org whose tokens no longer work must be reconnected by an admin.
pub fn reconnect_if_revoked(error: SfError) -> EdgeError {
    if error.needs_reconnect() {
        EdgeError::Reconnect
    } else {
        EdgeError::Salesforce(error)
    }
}
