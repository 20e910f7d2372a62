//! A short-lived cache of Salesforce's answers for the agent panel: a warm view costs no
//! Salesforce call. Answers are kept as Salesforce sent them, unfiltered, so one copy
//! serves every profile (each read filters for the profile), and indexed by every record
//! Id they mention so [`forget`] can drop the ones a change makes stale.

use crate::error::EdgeError;
use contract::ids::SfId;
use shared::salesforce::CompositeResponse;
use std::collections::BTreeSet;
use worker::{SqlStorage, SqlStorageValue};

/// How long an answer is served without asking Salesforce again.
pub const TTL_MS: i64 = 60_000;

/// Bound parameters per statement, well under the Durable Object's limit.
const CHUNK: usize = 50;

#[derive(serde::Deserialize)]
struct Row {
    answer: String,
}

/// The answer kept under `key`, if younger than [`TTL_MS`].
pub fn get(
    sql: &SqlStorage,
    key: &str,
    now_ms: i64,
) -> Result<Option<CompositeResponse>, EdgeError> {
    let rows: Vec<Row> = sql
        .exec(
            "SELECT answer FROM panel_cache WHERE key = ? AND stored_at_ms > ?",
            vec![key.into(), (now_ms - TTL_MS).into()],
        )?
        .to_array()?;
    // An entry this version cannot read is a miss, not an error.
    Ok(rows
        .first()
        .and_then(|row| serde_json::from_str(&row.answer).ok()))
}

/// Keeps `answer` under `key`, indexed by `records`; drops expired entries on the way.
pub fn put(
    sql: &SqlStorage,
    key: &str,
    answer: &CompositeResponse,
    records: &BTreeSet<SfId>,
    now_ms: i64,
) -> Result<(), EdgeError> {
    sql.exec(
        "DELETE FROM panel_cache WHERE stored_at_ms <= ?",
        vec![(now_ms - TTL_MS).into()],
    )?;
    sql.exec(
        "INSERT OR REPLACE INTO panel_cache (key, answer, stored_at_ms) VALUES (?, ?, ?)",
        vec![
            key.into(),
            serde_json::to_string(answer)
                .expect("answers serialize")
                .into(),
            now_ms.into(),
        ],
    )?;
    sql.exec(
        "DELETE FROM panel_cache_records WHERE key = ? OR key NOT IN (SELECT key FROM panel_cache)",
        vec![key.into()],
    )?;
    let ids: Vec<&SfId> = records.iter().collect();
    for chunk in ids.chunks(CHUNK) {
        let rows = vec!["(?, ?)"; chunk.len()].join(", ");
        let params: Vec<SqlStorageValue> = chunk
            .iter()
            .flat_map(|id| [id.as_str().into(), key.into()])
            .collect();
        sql.exec(
            &format!("INSERT OR IGNORE INTO panel_cache_records (record_id, key) VALUES {rows}"),
            params,
        )?;
    }
    Ok(())
}

/// Drops every cached answer that mentions one of these Salesforce records (15- or
/// 18-character Ids), so the next panel load reads Salesforce again. Called when a
/// Salesforce notification or a sync touches a record.
pub fn forget(sql: &SqlStorage, salesforce_ids: &[&str]) -> Result<(), EdgeError> {
    let ids: Vec<String> = salesforce_ids
        .iter()
        .map(|id| SfId::parse(id.trim()).map_or_else(|_| id.trim().to_owned(), |id| id.to_string()))
        .collect();
    for chunk in ids.chunks(CHUNK) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let params =
            || -> Vec<SqlStorageValue> { chunk.iter().map(|id| id.as_str().into()).collect() };
        sql.exec(
            &format!(
                "DELETE FROM panel_cache WHERE key IN
                   (SELECT key FROM panel_cache_records WHERE record_id IN ({marks}))"
            ),
            params(),
        )?;
    }
    sql.exec(
        "DELETE FROM panel_cache_records WHERE key NOT IN (SELECT key FROM panel_cache)",
        None,
    )?;
    Ok(())
}

/// Drops every cached answer (a new Salesforce org was connected).
pub fn clear(sql: &SqlStorage) -> Result<(), EdgeError> {
    sql.exec("DELETE FROM panel_cache", None)?;
    sql.exec("DELETE FROM panel_cache_records", None)?;
    Ok(())
}
