//! The org's SQLite schema, as an append-only list of migrations.

use crate::error::EdgeError;
use worker::SqlStorage;

/// Each entry runs once, in order; never edit one that has shipped, add another.
const MIGRATIONS: &[&str] = &[
    // 1: the Salesforce connection (a single row) and OAuth flows in progress.
    "CREATE TABLE connection (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        instance_url TEXT NOT NULL,
        salesforce_org_id TEXT NOT NULL,
        salesforce_user_id TEXT NOT NULL,
        access_token_sealed TEXT NOT NULL,
        refresh_token_sealed TEXT,
        connected_at_ms INTEGER NOT NULL
    );
    CREATE TABLE oauth_pending (
        state TEXT PRIMARY KEY,
        code_verifier TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL
    );",
];

#[derive(serde::Deserialize)]
struct Version {
    version: i64,
}

pub fn migrate(sql: &SqlStorage) -> Result<(), EdgeError> {
    sql.exec(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
        None,
    )?;
    let current = sql
        .exec("SELECT version FROM schema_version", None)?
        .to_array::<Version>()?
        .first()
        .map_or(0, |v| v.version);
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        sql.exec(migration, None)?;
        sql.exec("DELETE FROM schema_version", None)?;
        sql.exec(
            "INSERT INTO schema_version (version) VALUES (?)",
            vec![(index as i64 + 1).into()],
        )?;
    }
    Ok(())
}
