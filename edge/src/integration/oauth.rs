//! Connecting the org's Salesforce (the OAuth 2.0 web-server flow with PKCE) or its
//! helpdesk (Zoho Accounts' code flow): the one-time start code, the pending flow bound
//! to the starting browser, both shared; the callback that stores Salesforce's connection
//! (the helpdesk's: `helpdesk_connection`).

use super::org::Org;
use super::protocol::{AuthorizeRedirect, ConnectedOrg, new_org_token};
use super::{connection, panel_cache, panel_fields};
use crate::error::EdgeError;
use crate::fetch_transport::WorkerFetch;
use contract::admin::StartCode;
use contract::side::Side;
use serde::Deserialize;
use shared::http::Transport;
use shared::pkce;
use shared::salesforce::{OAuthApp, SfError};
use shared::url_tag::Purpose;

/// An OAuth flow must finish within this long of starting.
pub const PENDING_TTL_MS: i64 = 10 * 60 * 1000;

/// A start code must be used within this long: the console opens the popup right away.
const START_CODE_TTL_MS: i64 = 60 * 1000;

/// When the callback's browser is not the one that started the flow.
pub const OTHER_BROWSER: &str = "This sign-in was not started in this browser, so \
     sfdesk did not connect it. Start connecting again from the admin console, in this browser.";

/// How a flow's system is stored.
fn system(side: Side) -> &'static str {
    match side {
        Side::Salesforce => "salesforce",
        Side::Helpdesk => "helpdesk",
    }
}

fn connect_label(side: Side) -> &'static str {
    match side {
        Side::Salesforce => "Connect Salesforce",
        Side::Helpdesk => "Connect the helpdesk",
    }
}

pub fn issue_start_code(org: &Org<'_>, side: Side) -> Result<StartCode, EdgeError> {
    org.sql.exec(
        "DELETE FROM oauth_start_codes WHERE created_at_ms < ?",
        vec![(org.now_ms - START_CODE_TTL_MS).into()],
    )?;
    let code = new_org_token(org.config, Purpose::OAuthStartCode, org.id);
    org.sql.exec(
        "INSERT INTO oauth_start_codes (code, created_at_ms, system) VALUES (?, ?, ?)",
        vec![code.clone().into(), org.now_ms.into(), system(side).into()],
    )?;
    Ok(StartCode { code })
}

#[derive(Deserialize)]
struct StartCodeRow {
    created_at_ms: i64,
}

pub fn begin_oauth(
    org: &Org<'_>,
    start_code: &str,
    browser_nonce: &str,
    side: Side,
) -> Result<AuthorizeRedirect, EdgeError> {
    let (sql, now_ms) = (org.sql, org.now_ms);
    // Single use, like the flow it starts.
    let issued: Vec<StartCodeRow> = sql
        .exec(
            "DELETE FROM oauth_start_codes WHERE code = ? AND system = ? RETURNING created_at_ms",
            vec![start_code.into(), system(side).into()],
        )?
        .to_array()?;
    if !issued
        .iter()
        .any(|row| now_ms - row.created_at_ms <= START_CODE_TTL_MS)
    {
        return Err(EdgeError::BadRequest(format!(
            "This connect link expired or was already used. Choose {} in the admin console \
             again.",
            connect_label(side)
        )));
    }
    let state = new_org_token(org.config, Purpose::OAuthState, org.id);
    let verifier = pkce::new_verifier();
    sql.exec(
        "DELETE FROM oauth_pending WHERE created_at_ms < ?",
        vec![(now_ms - PENDING_TTL_MS).into()],
    )?;
    sql.exec(
        "INSERT INTO oauth_pending (state, code_verifier, created_at_ms, browser_nonce, system)
         VALUES (?, ?, ?, ?, ?)",
        vec![
            state.clone().into(),
            verifier.clone().into(),
            now_ms.into(),
            browser_nonce.into(),
            system(side).into(),
        ],
    )?;
    // Zoho Accounts documents no PKCE: the helpdesk's flow rests on the state, the
    // browser's nonce and the client secret.
    let authorize_url = match side {
        Side::Salesforce => org
            .config
            .salesforce
            .authorize_url(&state, &pkce::challenge_s256(&verifier)),
        Side::Helpdesk => org.config.helpdesk_app.authorize_url(&state),
    };
    Ok(AuthorizeRedirect { authorize_url })
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

/// The flow `callback` finishes, consumed (whether or not the exchange then succeeds),
/// once checked: started for `side`, recently, in the browser the callback reached.
/// Answers the PKCE verifier.
pub fn take_pending(
    org: &Org<'_>,
    callback: &Callback<'_>,
    side: Side,
) -> Result<String, EdgeError> {
    let pending: Vec<PendingRow> = org
        .sql
        .exec(
            "DELETE FROM oauth_pending WHERE state = ? AND system = ?
             RETURNING code_verifier, created_at_ms, browser_nonce",
            vec![callback.state.into(), system(side).into()],
        )?
        .to_array()?;
    let pending = pending
        .into_iter()
        .next()
        .filter(|p| org.now_ms - p.created_at_ms <= PENDING_TTL_MS)
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
    Ok(pending.code_verifier)
}

pub async fn complete_oauth(
    org: &Org<'_>,
    callback: Callback<'_>,
) -> Result<ConnectedOrg, EdgeError> {
    let sql = org.sql;
    let code_verifier = take_pending(org, &callback, Side::Salesforce)?;
    let response = WorkerFetch
        .send(
            org.config
                .salesforce
                .code_exchange(callback.code, &code_verifier),
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
    if let Some(bound) = connection::info(sql)?.filter(|c| c.salesforce_org_id != salesforce_org_id)
    {
        return Err(EdgeError::BadRequest(format!(
            "This integration is bound to Salesforce org {}; you signed in to org {salesforce_org_id}. \
             Delete the integration to connect another org.",
            bound.salesforce_org_id
        )));
    }
    connection::save(
        sql,
        org.config,
        org.id,
        &tokens,
        salesforce_org_id,
        user_id,
        org.now_ms,
    )?;
    // Answers cached from a previously connected org must not show, and what the
    // (maybe other) connected user may read is read again: now, so that the first panel
    // is one call; if Salesforce does not answer, the first panel reads it.
    panel_cache::clear(sql)?;
    panel_fields::forget_schema(org)?;
    if let Some(client) = org.salesforce()?
        && let Err(error) = panel_fields::schema(org, &client, true).await
    {
        worker::console_warn!("reading what the connected org lets the panel read: {error}");
    }
    Ok(ConnectedOrg {
        salesforce_user_id: user_id.to_owned(),
        salesforce_org_id: salesforce_org_id.to_owned(),
        instance_url: tokens.instance_url.clone(),
    })
}
