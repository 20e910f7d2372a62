//! What the agent panel may open, and the record of what it opened.
//!
//! `?record=` and a contact choice reach Salesforce with the connecting admin's access, so
//! they are limited to records the edge itself offered in the same view: those of the
//! requester's own answer (their contacts, their account, a suggested account) and the
//! hits of a search made there. Offers are kept per ticket (per agent outside a ticket),
//! for a day; every opened record is logged. All three tables are bounded.

use crate::error::EdgeError;
use contract::context::ContextClaims;
use contract::ids::SfId;
use worker::SqlStorage;

/// An offer is good for this long: a ticket worked on over a day asks Salesforce again.
const OFFER_TTL_MS: i64 = 24 * 60 * 60 * 1000;
/// Logs and choices are kept this long.
const KEEP_MS: i64 = 90 * 24 * 60 * 60 * 1000;
/// No table here grows past this many rows; the oldest go first.
const MAX_ROWS: i64 = 20_000;

/// Why a record was offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offer {
    /// In the requester's own answer: only these can be chosen as the requester.
    Requester,
    /// A search hit, or a record related to an opened one.
    Opened,
}

impl Offer {
    fn as_str(self) -> &'static str {
        match self {
            Offer::Requester => "requester",
            Offer::Opened => "opened",
        }
    }
}

/// The view offers belong to: the ticket, or the agent outside a ticket.
fn scope(claims: &ContextClaims) -> String {
    match &claims.ticket {
        Some(ticket) => format!("ticket:{ticket}"),
        None => format!("agent:{}", claims.agent),
    }
}

/// Only contacts (`003`) and accounts (`001`) open in the panel.
fn openable(id: &SfId) -> bool {
    matches!(id.key_prefix(), "001" | "003")
}

/// Deletes rows older than `keep_ms` and all but the newest [`MAX_ROWS`].
fn bound(
    sql: &SqlStorage,
    table: &str,
    time: &str,
    keep_ms: i64,
    now_ms: i64,
) -> Result<(), EdgeError> {
    sql.exec(
        &format!("DELETE FROM {table} WHERE {time} < ?"),
        vec![(now_ms - keep_ms).into()],
    )?;
    sql.exec(
        &format!(
            "DELETE FROM {table} WHERE rowid NOT IN
               (SELECT rowid FROM {table} ORDER BY {time} DESC LIMIT {MAX_ROWS})"
        ),
        None,
    )?;
    Ok(())
}

/// Remembers that the view of `claims` offered `ids`.
pub fn remember<'a>(
    sql: &SqlStorage,
    claims: &ContextClaims,
    ids: impl IntoIterator<Item = &'a SfId>,
    offer: Offer,
    now_ms: i64,
) -> Result<(), EdgeError> {
    let scope = scope(claims);
    for id in ids.into_iter().filter(|id| openable(id)) {
        // A requester offer is never downgraded by a later search finding the same record.
        sql.exec(
            "INSERT INTO panel_offered (scope, record_id, offer, offered_at_ms) VALUES (?, ?, ?, ?)
             ON CONFLICT (scope, record_id) DO UPDATE SET offered_at_ms = excluded.offered_at_ms,
               offer = CASE WHEN offer = 'requester' THEN offer ELSE excluded.offer END",
            vec![
                scope.clone().into(),
                id.as_str().into(),
                offer.as_str().into(),
                now_ms.into(),
            ],
        )?;
    }
    bound(sql, "panel_offered", "offered_at_ms", OFFER_TTL_MS, now_ms)
}

#[derive(serde::Deserialize)]
struct OfferRow {
    offer: String,
}

/// Whether the view of `claims` offered `id` (as `only`, when given) within the last day.
pub fn was_offered(
    sql: &SqlStorage,
    claims: &ContextClaims,
    id: &SfId,
    only: Option<Offer>,
    now_ms: i64,
) -> Result<bool, EdgeError> {
    let rows: Vec<OfferRow> = sql
        .exec(
            "SELECT offer FROM panel_offered WHERE scope = ? AND record_id = ? AND offered_at_ms >= ?",
            vec![
                scope(claims).into(),
                id.as_str().into(),
                (now_ms - OFFER_TTL_MS).into(),
            ],
        )?
        .to_array()?;
    Ok(rows
        .iter()
        .any(|row| only.is_none_or(|offer| row.offer == offer.as_str())))
}

/// Logs that the agent of `claims` opened `id`.
pub fn log_opened(
    sql: &SqlStorage,
    claims: &ContextClaims,
    id: &SfId,
    now_ms: i64,
) -> Result<(), EdgeError> {
    sql.exec(
        "INSERT INTO panel_opened (ticket, agent, record_id, opened_at_ms) VALUES (?, ?, ?, ?)",
        vec![
            claims.ticket.as_deref().into(),
            claims.agent.as_str().into(),
            id.as_str().into(),
            now_ms.into(),
        ],
    )?;
    bound(sql, "panel_opened", "opened_at_ms", KEEP_MS, now_ms)
}

/// Keeps the remembered contact choices bounded.
pub fn bound_choices(sql: &SqlStorage, now_ms: i64) -> Result<(), EdgeError> {
    bound(sql, "panel_choices", "chosen_at_ms", KEEP_MS, now_ms)
}
