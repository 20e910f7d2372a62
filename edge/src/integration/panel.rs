//! The agent panel's lookup: the context's requester, found in Salesforce by email.

use super::connection::{self, reconnect_if_revoked};
use crate::config::Config;
use crate::error::EdgeError;
use crate::fetch_transport::WorkerFetch;
use shared::api::Panel;
use shared::context::{ContextClaims, Role};
use shared::ids::SfId;
use shared::permissions::Permissions;
use shared::salesforce::{Budget, PanelContact, QueryResponse, RetryPolicy, panel_lookup};
use std::time::Duration;
use worker::SqlStorage;

/// An agent is waiting: retry briefly. The panel may use more of the org's allowance than
/// background sync does, so agents still see data when sync holds back.
const PANEL_RETRY: RetryPolicy = RetryPolicy {
    max_attempts: 3,
    base_delay: Duration::from_millis(250),
    max_delay: Duration::from_secs(1),
};
const PANEL_BUDGET: Budget = Budget::Percent(95);

pub async fn panel(
    sql: &SqlStorage,
    config: &Config,
    claims: ContextClaims,
    chosen: Option<SfId>,
) -> Result<Panel, EdgeError> {
    let permissions = Permissions::default_for(&claims.profile_name);
    if !permissions.visible {
        return Err(EdgeError::Forbidden(
            "Salesforce is not shown for your helpdesk profile",
        ));
    }
    let Some(connection) = connection::load(sql, config, &claims.org)? else {
        return Ok(Panel::NotConnected {
            can_connect: claims.role == Role::Admin,
        });
    };
    let Some(email) = claims.requester else {
        return Ok(Panel::NoRequester);
    };
    let chosen = match (chosen, &claims.ticket) {
        (Some(chosen), _) => Some(chosen),
        (None, Some(ticket)) => remembered_choice(sql, ticket)?,
        (None, None) => None,
    };
    let client = connection
        .client(&WorkerFetch, &config.salesforce)
        .with_retry(PANEL_RETRY)
        .with_budget(PANEL_BUDGET);
    // One call: the contacts with this email, each with its sections as sub-queries.
    let result = client.query::<PanelContact>(&panel_lookup(&email)).await;
    // A renewed session is kept even when the call after it failed.
    connection::store_refreshed(sql, config, &claims.org, &client)?;
    let page: QueryResponse<PanelContact> = result.map_err(reconnect_if_revoked)?;
    let mut matches = page.records;
    // A chosen contact must be one of the requester's: the choice never widens access.
    if let Some(chosen) = chosen {
        matches.retain(|contact| contact.id == chosen);
    }
    if matches.len() > 1 {
        let candidates = matches.iter().map(PanelContact::choice).collect();
        return Ok(Panel::Choose { email, candidates });
    }
    let Some(contact) = matches.pop() else {
        return Ok(Panel::NoMatch { email });
    };
    let view = contact.into_view(&client.instance_url());
    let view = permissions.filter(view).ok_or(EdgeError::Forbidden(
        "Salesforce is not shown for your helpdesk profile",
    ))?;
    Ok(Panel::View { view })
}

#[derive(serde::Deserialize)]
struct ChoiceRow {
    contact_id: String,
}

fn remembered_choice(sql: &SqlStorage, ticket: &str) -> Result<Option<SfId>, EdgeError> {
    let rows: Vec<ChoiceRow> = sql
        .exec(
            "SELECT contact_id FROM panel_choices WHERE ticket = ?",
            vec![ticket.into()],
        )?
        .to_array()?;
    Ok(rows
        .first()
        .and_then(|row| SfId::parse(&row.contact_id).ok()))
}

/// Remembers the agent's pick for the ticket; the next panel load (by anyone on the ticket)
/// shows that contact, still only if it has the requester's email.
pub fn choose(
    sql: &SqlStorage,
    claims: &ContextClaims,
    contact: &SfId,
    now_ms: u64,
) -> Result<(), EdgeError> {
    let ticket = claims
        .ticket
        .as_deref()
        .ok_or_else(|| EdgeError::BadRequest("a contact can only be chosen for a ticket".into()))?;
    sql.exec(
        "INSERT INTO panel_choices (ticket, contact_id, chosen_at_ms) VALUES (?, ?, ?)
         ON CONFLICT (ticket) DO UPDATE SET contact_id = excluded.contact_id, chosen_at_ms = excluded.chosen_at_ms",
        vec![ticket.into(), contact.as_str().into(), (now_ms as i64).into()],
    )?;
    Ok(())
}
