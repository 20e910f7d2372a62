//! The agent panel's lookup: the view for the context (the requester as a contact or as
//! their account, the page's account, or a record the agent opened) in ONE Salesforce
//! call, or none while the answer is in [`panel_cache`]; then the profile's permissions,
//! applied before anything leaves the edge. A record opened by Id must be one this view
//! offered ([`panel_scope`]).

use super::org::{Org, Salesforce};
use super::panel_scope::{self, Offer};
use super::{actions, panel_cache, panel_fields, permissions};
use crate::error::EdgeError;
use contract::api::{Panel, PanelQuery, RecordKind, SEARCH_MIN_CHARS, SearchHit};
use contract::context::{ContextClaims, Role};
use contract::ids::SfId;
use contract::permissions::Items;
use contract::permissions::Permissions;
use shared::panel::{
    AccountBrief, ContactBrief, Lookup, QueryPlan, decide, is_complete, names_unknown, record_ids,
    search_by_name, sections_tag,
};
use shared::salesforce::{Budget, CompositeResponse, QueryResponse, RetryPolicy};
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

const HIDDEN: &str = "Salesforce is not shown for your helpdesk profile";

const OUT_OF_SCOPE: &str = "This Salesforce record is not related to the ticket in view. \
     Open records from this ticket's panel: the requester, their account, or a search made here.";

/// The org's Salesforce client as a waiting agent needs it; `None` while not connected.
pub(super) fn salesforce<'a>(org: &'a Org<'_>) -> Result<Option<Salesforce<'a>>, EdgeError> {
    Ok(org
        .salesforce()?
        .map(|client| client.with_retry(PANEL_RETRY).with_budget(PANEL_BUDGET)))
}

/// The profile's permissions, refusing a profile that may not see the integration.
async fn visible_permissions(
    org: &Org<'_>,
    claims: &ContextClaims,
) -> Result<Permissions, EdgeError> {
    let permissions = permissions::get(org, &claims.profile_id).await?;
    if permissions.visible {
        Ok(permissions)
    } else {
        Err(EdgeError::Forbidden(HIDDEN))
    }
}

pub async fn panel(
    org: &Org<'_>,
    claims: ContextClaims,
    query: PanelQuery,
) -> Result<Panel, EdgeError> {
    let (sql, now_ms) = (org.sql, org.now_ms);
    // Before the permissions: an org without Salesforce shows nothing of it, and need not
    // ask the helpdesk what the caller's profile is.
    let Some(client) = salesforce(org)? else {
        return Ok(Panel::NotConnected {
            can_connect: claims.role == Role::Admin,
        });
    };
    let permissions = visible_permissions(org, &claims).await?;
    let opened_id = query.record.clone();
    let opened = query
        .record
        .map(|id| {
            Lookup::record(id).ok_or_else(|| {
                EdgeError::BadRequest("only contacts and accounts can be opened here".into())
            })
        })
        .transpose()?;
    if let Some(id) = &opened_id {
        if !panel_scope::was_offered(sql, &claims, id, None, now_ms)? {
            return Err(EdgeError::Forbidden(OUT_OF_SCOPE));
        }
        panel_scope::log_opened(sql, &claims, id, now_ms)?;
    }
    let Some(lookup) = Lookup::plan(&claims, permissions.shows, opened) else {
        return Ok(Panel::NoRequester);
    };
    let chosen = match (query.contact, &claims.ticket) {
        (Some(chosen), _) => Some(chosen),
        (None, Some(ticket)) => remembered_choice(sql, ticket)?,
        (None, None) => None,
    };

    let wants = permissions.wants();
    let mut schema = panel_fields::schema(org, &client, false).await?;
    let mut fields = panel_fields::chosen(org, &schema)?;
    let key = |sections: Items| format!("{}#{}", lookup.cache_key(), sections_tag(sections));
    // An answer read with every section serves any profile: each is filtered its way.
    let cached = if query.fresh {
        None
    } else {
        match panel_cache::get(sql, &key(wants), now_ms)? {
            Some(answer) => Some(answer),
            None => panel_cache::get(sql, &key(Items::ALL), now_ms)?,
        }
    };
    let answer = match cached {
        Some(answer) => answer,
        None => {
            let mut answer =
                ask(&client, &lookup, &QueryPlan::new(&schema, &fields, wants)).await?;
            if names_unknown(&answer) {
                // The org changed since its schema was read (a field deleted, access
                // taken away): read it again, and ask once more.
                schema = panel_fields::schema(org, &client, true).await?;
                fields = panel_fields::chosen(org, &schema)?;
                answer = ask(&client, &lookup, &QueryPlan::new(&schema, &fields, wants)).await?;
            }
            if is_complete(&lookup, &answer) {
                panel_cache::put(sql, &key(wants), &answer, &record_ids(&answer), now_ms)?;
            }
            answer
        }
    };
    let instance_url = client.instance_url();
    // What this answer shows may be opened next from the same view.
    let offer = if opened_id.is_some() {
        Offer::Opened
    } else {
        Offer::Requester
    };
    panel_scope::remember(sql, &claims, &record_ids(&answer), offer, now_ms)?;
    let plan = QueryPlan::new(&schema, &fields, wants);
    let panel = decide(&lookup, &answer, chosen.as_ref(), &instance_url, &plan)
        .map_err(EdgeError::reconnect_if_revoked)?
        .ok_or_else(|| {
            EdgeError::Gone("This Salesforce record no longer exists, or you followed an old link.")
        })?;
    // The ticket remembers the case it opened.
    let panel = match (panel, &claims.ticket) {
        (Panel::View { mut view }, Some(ticket)) => {
            view.ticket_case = actions::case_of(sql, ticket)?.map(Box::new);
            Panel::View { view }
        }
        (panel, _) => panel,
    };
    let panel = permissions
        .filter_panel(panel)
        .ok_or(EdgeError::Forbidden(HIDDEN))?;
    // Actions are taken from a ticket.
    Ok(match claims.ticket {
        Some(_) => panel,
        None => panel.without_actions(),
    })
}

/// One call: every query the view needs, each with its sections as sub-queries, as far as
/// the org serves them.
async fn ask(
    client: &Salesforce<'_>,
    lookup: &Lookup,
    plan: &QueryPlan<'_>,
) -> Result<CompositeResponse, EdgeError> {
    client
        .composite(&lookup.request(plan))
        .await
        .map_err(EdgeError::reconnect_if_revoked)
}

/// Salesforce records of the kind the profile shows whose name contains `text`.
pub async fn search(
    org: &Org<'_>,
    claims: &ContextClaims,
    text: &str,
) -> Result<Vec<SearchHit>, EdgeError> {
    let Some(client) = salesforce(org)? else {
        return Err(EdgeError::BadRequest(
            "Salesforce is not connected yet; an administrator can connect it".into(),
        ));
    };
    let permissions = visible_permissions(org, claims).await?;
    if !permissions.wants().information {
        return Err(EdgeError::Forbidden(
            "Your helpdesk profile may not see Salesforce record information",
        ));
    }
    let text = text.trim();
    if text.chars().count() < SEARCH_MIN_CHARS {
        return Err(EdgeError::BadRequest(format!(
            "Type at least {SEARCH_MIN_CHARS} characters of a name to search"
        )));
    }
    let soql = search_by_name(permissions.shows, text);
    let result =
        match permissions.shows {
            RecordKind::Contact => client.query::<ContactBrief>(&soql).await.map(
                |page: QueryResponse<ContactBrief>| {
                    page.records.into_iter().map(ContactBrief::hit).collect()
                },
            ),
            RecordKind::Account => client.query::<AccountBrief>(&soql).await.map(
                |page: QueryResponse<AccountBrief>| {
                    page.records.into_iter().map(AccountBrief::hit).collect()
                },
            ),
        };
    let hits: Vec<SearchHit> = result.map_err(EdgeError::reconnect_if_revoked)?;
    panel_scope::remember(
        org.sql,
        claims,
        hits.iter().map(|hit| &hit.id),
        Offer::Opened,
        org.now_ms,
    )?;
    Ok(hits)
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

/// Remembers the agent's pick for the ticket, one of the contacts its panel offered as the
/// requester; the next panel load (by anyone on the ticket) shows that contact, still only
/// if it has the requester's email.
pub fn choose(org: &Org<'_>, claims: &ContextClaims, contact: &SfId) -> Result<(), EdgeError> {
    let (sql, now_ms) = (org.sql, org.now_ms);
    let ticket = claims
        .ticket
        .as_deref()
        .ok_or_else(|| EdgeError::BadRequest("a contact can only be chosen for a ticket".into()))?;
    if contact.key_prefix() != "003"
        || !panel_scope::was_offered(sql, claims, contact, Some(Offer::Requester), now_ms)?
    {
        return Err(EdgeError::BadRequest(
            "This contact is not one of those offered for this ticket's requester: choose one \
             from the list in the panel."
                .into(),
        ));
    }
    sql.exec(
        "INSERT INTO panel_choices (ticket, contact_id, chosen_at_ms) VALUES (?, ?, ?)
         ON CONFLICT (ticket) DO UPDATE SET contact_id = excluded.contact_id, chosen_at_ms = excluded.chosen_at_ms",
        vec![ticket.into(), contact.as_str().into(), now_ms.into()],
    )?;
    panel_scope::bound_choices(sql, now_ms)
}
