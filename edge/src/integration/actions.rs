//! The panel's actions on Salesforce: create a contact or a lead for an unknown requester,
//! log the ticket as a completed task, open a case from it.
//!
//! Each is a permission item of the caller's profile, checked here, where the writes are
//! made; each is taken from a ticket, on a record that ticket's panel offered
//! ([`panel_scope`]); each goes through the org's one budgeted Salesforce client. An
//! action is done once per ticket (and record): its outcome is kept in `panel_actions`,
//! claimed before Salesforce is called, so a double click or a second agent gets the
//! first outcome instead of a second record. The panel's cached answers about the records
//! touched are dropped, so the next view shows the change.

use super::org::Org;
use super::panel::salesforce;
use super::panel_scope;
use super::{panel_cache, permissions};
use crate::error::EdgeError;
use contract::api::{Action, ActionDone};
use contract::context::ContextClaims;
use contract::ids::{Email, SfId};
use serde::Deserialize;
use shared::helpdesk::HelpdeskError;
use shared::panel::actions::{
    self, Requester, TicketFacts, account_named, account_of_contact, can_act_on, case_number,
};
use shared::salesforce::{QueryResponse, SfDateTime};
use worker::SqlStorage;

/// A claim older than this was left by an invocation that died mid-way: it may be taken
/// over.
const CLAIM_TTL_MS: i64 = 2 * 60 * 1000;

const NOT_IN_VIEW: &str = "Actions are about the record this ticket's panel shows: reload \
     the panel and try again from there.";

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct IdRow {
    id: SfId,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AccountIdRow {
    account_id: Option<SfId>,
}

/// Takes `action` for the context's ticket, on `record` (the record in view) where the
/// action is about one.
pub async fn act(
    org: &Org<'_>,
    claims: &ContextClaims,
    action: Action,
    record: Option<SfId>,
) -> Result<ActionDone, EdgeError> {
    let Some(client) = salesforce(org)? else {
        return Err(EdgeError::BadRequest(
            "Salesforce is not connected yet; an administrator can connect it".into(),
        ));
    };
    let permissions = permissions::get(org, &claims.profile_id).await?;
    if !permissions.may(action) {
        return Err(EdgeError::Forbidden(refusal(action)));
    }
    let ticket = claims.ticket.as_deref().ok_or_else(|| {
        EdgeError::BadRequest("Actions are taken from a ticket: open one first".into())
    })?;
    let record = match (action, record) {
        (Action::LogTicket | Action::OpenCase, Some(record)) => {
            if !can_act_on(&record)
                || !panel_scope::was_offered(org.sql, claims, &record, None, org.now_ms)?
            {
                return Err(EdgeError::Forbidden(NOT_IN_VIEW));
            }
            Some(record)
        }
        (Action::LogTicket | Action::OpenCase, None) => {
            return Err(EdgeError::BadRequest(
                "expected {\"record\": \"<the Salesforce Id in view>\"}".into(),
            ));
        }
        (Action::CreateContact | Action::CreateLead, _) => None,
    };
    // One outcome per ticket: an unknown requester becomes one contact or one lead, a
    // ticket opens one case; a ticket is logged once on each record.
    let key = Key {
        ticket,
        action: match action {
            Action::CreateContact | Action::CreateLead => "create_requester",
            Action::LogTicket => "log_ticket",
            Action::OpenCase => "open_case",
        },
        record: match action {
            Action::LogTicket => record.as_ref().map_or("", SfId::as_str),
            _ => "",
        },
    };
    match claim(org.sql, &key, org.now_ms)? {
        Claim::Done(mut done) => {
            done.earlier = true;
            return Ok(done);
        }
        Claim::Busy => {
            return Err(EdgeError::BadRequest(
                "This is already being done for this ticket: wait a moment and reload the panel"
                    .into(),
            ));
        }
        Claim::Mine => {}
    }
    let outcome = async {
        let facts = ticket_facts(org, claims, ticket).await?;
        let (object, fields) = match (action, &record) {
            (Action::CreateContact, _) => {
                let account = match &facts.account_name {
                    Some(name) => client
                        .query::<IdRow>(&account_named(name))
                        .await?
                        .records
                        .into_iter()
                        .next()
                        .map(|row| row.id),
                    None => None,
                };
                ("Contact", actions::contact_draft(&facts, account.as_ref()))
            }
            (Action::CreateLead, _) => ("Lead", actions::lead_draft(&facts)),
            (Action::LogTicket, Some(record)) => {
                let today = SfDateTime::from_unix_millis(org.now_ms).date().to_string();
                ("Task", actions::task_draft(&facts, record, &today))
            }
            (Action::OpenCase, Some(record)) => {
                let account = if record.key_prefix() == "003" {
                    client
                        .query::<AccountIdRow>(&account_of_contact(record))
                        .await?
                        .records
                        .into_iter()
                        .next()
                        .and_then(|row| row.account_id)
                } else {
                    None
                };
                (
                    "Case",
                    actions::case_draft(&facts, record, account.as_ref()),
                )
            }
            (Action::LogTicket | Action::OpenCase, None) => unreachable!("checked above"),
        };
        let id = client.create(object, &fields).await?;
        let number = if action == Action::OpenCase {
            let page: QueryResponse<CaseNumberRow> = client.query(&case_number(&id)).await?;
            page.records.into_iter().next().and_then(|r| r.case_number)
        } else {
            None
        };
        Ok::<_, EdgeError>(ActionDone {
            action,
            url: format!("{}/{id}", client.instance_url().trim_end_matches('/')),
            id,
            number,
            earlier: false,
        })
    };
    match outcome.await {
        Ok(done) => {
            keep(org.sql, &key, &done, org.now_ms)?;
            let touched: Vec<&str> = record
                .iter()
                .map(SfId::as_str)
                .chain([done.id.as_str()])
                .collect();
            panel_cache::forget(org.sql, &touched)?;
            // A created contact or lead is found by the requester's email, which no
            // cached answer names by Id: those answers go too.
            if matches!(action, Action::CreateContact | Action::CreateLead) {
                panel_cache::clear(org.sql)?;
            }
            // What the action made may be opened from this ticket's panel.
            panel_scope::remember(
                org.sql,
                claims,
                [&done.id],
                panel_scope::Offer::Requester,
                org.now_ms,
            )?;
            Ok(done)
        }
        Err(error) => {
            release(org.sql, &key)?;
            Err(match error {
                EdgeError::Salesforce(error) => EdgeError::reconnect_if_revoked(error),
                other => other,
            })
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CaseNumberRow {
    case_number: Option<String>,
}

fn refusal(action: Action) -> &'static str {
    match action {
        Action::CreateContact => {
            "Your helpdesk profile may not create contacts in Salesforce; an administrator can allow it"
        }
        Action::CreateLead => {
            "Your helpdesk profile may not create leads in Salesforce; an administrator can allow it"
        }
        Action::LogTicket => {
            "Your helpdesk profile may not log tickets in Salesforce; an administrator can allow it"
        }
        Action::OpenCase => {
            "Your helpdesk profile may not open cases in Salesforce; an administrator can allow it"
        }
    }
}

/// The ticket as the helpdesk has it, with its requester's name.
async fn ticket_facts(
    org: &Org<'_>,
    claims: &ContextClaims,
    ticket: &str,
) -> Result<TicketFacts, EdgeError> {
    let helpdesk = org.helpdesk();
    let read = |error: HelpdeskError| {
        worker::console_error!("actions: the helpdesk failed: {error}");
        if error.needs_reconnect() {
            EdgeError::ReconnectHelpdesk
        } else {
            EdgeError::Helpdesk("The helpdesk did not answer just now. Try again in a moment.")
        }
    };
    let facts = helpdesk.ticket_requester(ticket).await.map_err(read)?;
    let contact = match &facts.contact_id {
        Some(id) => Some(helpdesk.contact(id).await.map_err(read)?),
        None => None,
    };
    // The session's requester is the helpdesk's own answer for this ticket.
    let email = claims
        .requester
        .clone()
        .or_else(|| facts.email.as_deref().and_then(|e| Email::parse(e).ok()))
        .ok_or_else(|| {
            EdgeError::BadRequest("This ticket's requester has no email address".into())
        })?;
    Ok(TicketFacts {
        id: facts.id,
        number: facts.ticket_number,
        subject: facts.subject,
        description: facts.description,
        web_url: facts.web_url,
        requester: Requester {
            first_name: contact.as_ref().and_then(|c| c.first_name.clone()),
            last_name: contact.map(|c| c.last_name),
            email,
        },
        account_name: claims.account.clone(),
    })
}

/// Names an action's one outcome.
struct Key<'a> {
    ticket: &'a str,
    action: &'static str,
    record: &'a str,
}

enum Claim {
    /// Done before: its outcome.
    Done(ActionDone),
    /// Another invocation is doing it now.
    Busy,
    /// This invocation does it.
    Mine,
}

#[derive(Deserialize)]
struct ClaimRow {
    outcome: Option<String>,
    claimed_at_ms: i64,
}

/// Claims the action's outcome for this invocation, unless it is done or being done.
/// Durable Object storage calls run without interleaving, so check and claim are one step.
fn claim(sql: &SqlStorage, key: &Key<'_>, now_ms: i64) -> Result<Claim, EdgeError> {
    let rows: Vec<ClaimRow> = sql
        .exec(
            "SELECT outcome, claimed_at_ms FROM panel_actions
             WHERE ticket = ? AND action = ? AND record = ?",
            vec![key.ticket.into(), key.action.into(), key.record.into()],
        )?
        .to_array()?;
    if let Some(row) = rows.first() {
        match &row.outcome {
            Some(outcome) => {
                if let Ok(done) = serde_json::from_str(outcome) {
                    return Ok(Claim::Done(done));
                }
            }
            None if now_ms - row.claimed_at_ms < CLAIM_TTL_MS => return Ok(Claim::Busy),
            None => {}
        }
    }
    sql.exec(
        "INSERT INTO panel_actions (ticket, action, record, outcome, claimed_at_ms)
         VALUES (?, ?, ?, NULL, ?)
         ON CONFLICT (ticket, action, record) DO UPDATE
         SET outcome = NULL, claimed_at_ms = excluded.claimed_at_ms",
        vec![
            key.ticket.into(),
            key.action.into(),
            key.record.into(),
            now_ms.into(),
        ],
    )?;
    Ok(Claim::Mine)
}

fn keep(sql: &SqlStorage, key: &Key<'_>, done: &ActionDone, now_ms: i64) -> Result<(), EdgeError> {
    sql.exec(
        "UPDATE panel_actions SET outcome = ?, claimed_at_ms = ?
         WHERE ticket = ? AND action = ? AND record = ?",
        vec![
            serde_json::to_string(done)
                .expect("outcomes serialize")
                .into(),
            now_ms.into(),
            key.ticket.into(),
            key.action.into(),
            key.record.into(),
        ],
    )?;
    Ok(())
}

/// Gives a failed claim up, so the agent can try again.
fn release(sql: &SqlStorage, key: &Key<'_>) -> Result<(), EdgeError> {
    sql.exec(
        "DELETE FROM panel_actions
         WHERE ticket = ? AND action = ? AND record = ? AND outcome IS NULL",
        vec![key.ticket.into(), key.action.into(), key.record.into()],
    )?;
    Ok(())
}

/// The case a ticket opened, if any: the ticket remembers its case.
pub fn case_of(sql: &SqlStorage, ticket: &str) -> Result<Option<ActionDone>, EdgeError> {
    let rows: Vec<ClaimRow> = sql
        .exec(
            "SELECT outcome, claimed_at_ms FROM panel_actions
             WHERE ticket = ? AND action = 'open_case' AND record = ''",
            vec![ticket.into()],
        )?
        .to_array()?;
    Ok(rows
        .first()
        .and_then(|row| row.outcome.as_deref())
        .and_then(|outcome| serde_json::from_str(outcome).ok()))
}
