//! The org's own tables (the Salesforce and helpdesk connections, the panel's, the edge's state), as an
//! append-only migration list. The sync engine's tables are migrated by
//! `shared::sync::store` in the same database, first: migration 9 reads one of them.

use super::sql::DurableSql;
use shared::sql;
use shared::sync::store::{Store, StoreError};
use worker::SqlStorage;

/// Each entry runs once, in order; never edit one that has shipped, add another.
const MIGRATIONS: &[&str] = &[
    // 1: the Salesforce connection (a single row) and OAuth flows in progress.
    // (`IF NOT EXISTS`: databases from before this list was versioned already have them.)
    "CREATE TABLE IF NOT EXISTS connection (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        instance_url TEXT NOT NULL,
        salesforce_org_id TEXT NOT NULL,
        salesforce_user_id TEXT NOT NULL,
        access_token_sealed TEXT NOT NULL,
        refresh_token_sealed TEXT,
        connected_at_ms INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS oauth_pending (
        state TEXT PRIMARY KEY,
        code_verifier TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL
    )",
    // 2: which of several same-email contacts an agent picked for a ticket.
    "CREATE TABLE panel_choices (
        ticket TEXT PRIMARY KEY,
        contact_id TEXT NOT NULL,
        chosen_at_ms INTEGER NOT NULL
    )",
    // 3: the agent panel: each helpdesk profile's stored permissions (JSON of
    // `contract::permissions::Permissions`; a profile without a row has the defaults), and
    // the short-lived cache of Salesforce's answers (JSON of the Composite answer, as
    // sent, unfiltered) indexed by every record Id in them (`panel_cache::forget`).
    "CREATE TABLE profile_permissions (
        profile_id TEXT PRIMARY KEY,
        profile_name TEXT NOT NULL,
        permissions TEXT NOT NULL,
        updated_at_ms INTEGER NOT NULL
    );
    CREATE TABLE panel_cache (
        key TEXT PRIMARY KEY,
        answer TEXT NOT NULL,
        stored_at_ms INTEGER NOT NULL
    );
    CREATE TABLE panel_cache_records (
        record_id TEXT NOT NULL,
        key TEXT NOT NULL,
        PRIMARY KEY (record_id, key)
    );
    CREATE INDEX panel_cache_records_by_key ON panel_cache_records (key)",
    // 4: the nonce of the browser that started an OAuth flow (its cookie), which the
    // callback must bring back.
    "ALTER TABLE oauth_pending ADD COLUMN browser_nonce TEXT",
    // 5: one-time codes that open the OAuth start (so no context token goes in its URL).
    "CREATE TABLE oauth_start_codes (
        code TEXT PRIMARY KEY,
        created_at_ms INTEGER NOT NULL
    )",
    // 6: the agent panel's scope (`panel_scope`): records offered per view, and the log
    // of records opened.
    "CREATE TABLE panel_offered (
        scope TEXT NOT NULL,
        record_id TEXT NOT NULL,
        offer TEXT NOT NULL,
        offered_at_ms INTEGER NOT NULL,
        PRIMARY KEY (scope, record_id)
    );
    CREATE INDEX panel_offered_by_time ON panel_offered (offered_at_ms);
    CREATE TABLE panel_opened (
        ticket TEXT,
        agent TEXT NOT NULL,
        record_id TEXT NOT NULL,
        opened_at_ms INTEGER NOT NULL
    );
    CREATE INDEX panel_opened_by_time ON panel_opened (opened_at_ms);
    CREATE INDEX panel_choices_by_time ON panel_choices (chosen_at_ms)",
    // 7: each helpdesk profile's kind (its `type`), by id: the permission defaults follow
    // the kind, so renaming a profile keeps them.
    "CREATE TABLE profile_kinds (
        profile_id TEXT PRIMARY KEY,
        kind TEXT
    )",
    // 8: helpdesk delivery tokens already accepted (SHA-256, base64), kept until they
    // expire, so a replayed token stores nothing.
    "CREATE TABLE seen_deliveries (
        digest TEXT PRIMARY KEY,
        expires_ms INTEGER NOT NULL
    )",
    // 9: the edge's own state (`state::EdgeState`), one row, one JSON column per value,
    // moved out of the engine's `sync_settings` where it was kept by string key (the
    // helpdesk's keys under `helpdesk_jwks_cache`; `helpdesk_jwks`, an older key no
    // version reads, goes too). The org, which the control kept a copy of for the alarm,
    // gets its own column.
    "CREATE TABLE edge_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        org TEXT,
        control TEXT,
        fields TEXT,
        api_usage TEXT,
        helpdesk_jwks TEXT,
        salesforce_username TEXT
    );
    INSERT INTO edge_state (id, org, control, fields, api_usage, helpdesk_jwks, salesforce_username)
    SELECT 1,
        (SELECT json_quote(json_extract(value, '$.org')) FROM sync_settings
            WHERE key = 'control' AND json_extract(value, '$.org') IS NOT NULL),
        (SELECT value FROM sync_settings WHERE key = 'control'),
        (SELECT value FROM sync_settings WHERE key = 'fields'),
        (SELECT value FROM sync_settings WHERE key = 'api_usage'),
        (SELECT value FROM sync_settings WHERE key = 'helpdesk_jwks_cache'),
        (SELECT value FROM sync_settings WHERE key = 'salesforce_username');
    DELETE FROM sync_settings WHERE key IN
        ('control', 'fields', 'api_usage', 'helpdesk_jwks_cache', 'helpdesk_jwks', 'salesforce_username')",
    // 10: what the connected org lets the panel read (`shared::panel::OrgSchema`, from
    // describe) and the admin's choice of panel fields.
    "ALTER TABLE edge_state ADD COLUMN org_schema TEXT;
    ALTER TABLE edge_state ADD COLUMN panel_fields TEXT",
    // 11: the change notifications set up in Salesforce for the admin (`notifications`),
    // remembered so that deleting the integration removes them.
    "ALTER TABLE edge_state ADD COLUMN notifications TEXT",
    // 12: the org's own helpdesk OAuth grant (`helpdesk_connection`), one row, tokens
    // sealed; OAuth flows in progress and their start codes say which system they
    // connect.
    "CREATE TABLE helpdesk_connection (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        accounts_server TEXT NOT NULL,
        api_domain TEXT NOT NULL,
        agent_email TEXT NOT NULL,
        access_token_sealed TEXT NOT NULL,
        refresh_token_sealed TEXT NOT NULL,
        connected_at_ms INTEGER NOT NULL,
        revoked_at_ms INTEGER
    );
    ALTER TABLE oauth_pending ADD COLUMN system TEXT NOT NULL DEFAULT 'salesforce';
    ALTER TABLE oauth_start_codes ADD COLUMN system TEXT NOT NULL DEFAULT 'salesforce'",
    // 13: the helpdesk org's credit plan (edition, paid agents) and credits left, as last
    // read (`state::HelpdeskCredits`).
    "ALTER TABLE edge_state ADD COLUMN helpdesk_credits TEXT",
    // 14: the panel's actions (`actions`): each one's outcome per ticket (and record),
    // claimed before Salesforce is called (`outcome` NULL until done), so a second click
    // gets the first outcome; the case a ticket opened is its `open_case` row.
    "CREATE TABLE panel_actions (
        ticket TEXT NOT NULL,
        action TEXT NOT NULL,
        record TEXT NOT NULL,
        outcome TEXT,
        claimed_at_ms INTEGER NOT NULL,
        PRIMARY KEY (ticket, action, record)
    )",
];

/// Brings the org's database up to date: the engine's tables, then the edge's.
pub fn migrate(sql: &SqlStorage) -> Result<(), StoreError> {
    Store::open(DurableSql(sql.clone()))?;
    sql::migrate(&DurableSql(sql.clone()), "integration", MIGRATIONS)?;
    Ok(())
}
