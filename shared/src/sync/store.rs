//! What the sync engine keeps between runs, in the org's SQLite: links between records,
//! settings, cursors, the durable inbox of notifications, the history and the failure log.

use super::failure::{FailureReason, clipped};
use super::merge::Values;
use super::port::Record;
use crate::sql::{self, Sql, SqlError, SqlValue};
use contract::history::{DriftRun, Run, RunKind, retention_cutoff_ms};
use contract::ids::SfId;
use contract::mapping::ObjectKind;
use contract::side::Side;
use serde::{Serialize, de::DeserializeOwned};

/// Append-only; each entry runs once per database.
const MIGRATIONS: &[&str] = &[
    "
    CREATE TABLE sync_links (
        object TEXT NOT NULL,
        salesforce_id TEXT NOT NULL,
        helpdesk_id TEXT NOT NULL,
        snapshot TEXT NOT NULL,
        PRIMARY KEY (object, salesforce_id),
        UNIQUE (object, helpdesk_id)
    );
    CREATE TABLE sync_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE sync_inbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        source TEXT NOT NULL,
        object TEXT NOT NULL,
        record_id TEXT NOT NULL,
        received_ms INTEGER NOT NULL,
        UNIQUE (source, object, record_id)
    );
    CREATE TABLE sync_runs (
        at_ms INTEGER NOT NULL,
        kind TEXT NOT NULL,
        direction TEXT NOT NULL,
        object TEXT NOT NULL,
        added INTEGER NOT NULL,
        updated INTEGER NOT NULL,
        failed INTEGER NOT NULL
    );
    CREATE INDEX sync_runs_at ON sync_runs (at_ms);
    CREATE TABLE sync_failures (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        object TEXT NOT NULL,
        direction TEXT NOT NULL,
        record_id TEXT NOT NULL,
        label TEXT NOT NULL,
        reason TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        UNIQUE (object, direction, record_id)
    )
",
    "
    CREATE TABLE sync_staged (
        side TEXT NOT NULL,
        object TEXT NOT NULL,
        id TEXT NOT NULL,
        match_key TEXT,
        modified_ms INTEGER NOT NULL,
        fields TEXT NOT NULL,
        state INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (side, object, id)
    );
    CREATE INDEX sync_staged_key ON sync_staged (side, object, match_key)
",
    "
    CREATE TABLE sync_drift_runs (
        started_ms INTEGER NOT NULL,
        at_ms INTEGER NOT NULL,
        compared INTEGER NOT NULL,
        differing INTEGER NOT NULL,
        repaired INTEGER NOT NULL,
        failed INTEGER NOT NULL
    );
    CREATE INDEX sync_drift_runs_at ON sync_drift_runs (at_ms)
",
];

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Sql(#[from] SqlError),
    #[error("stored {what} is unreadable: {detail}")]
    Corrupt { what: &'static str, detail: String },
}

/// One Salesforce record and its helpdesk counterpart, with the values both last held.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub object: ObjectKind,
    pub salesforce_id: SfId,
    pub helpdesk_id: String,
    pub snapshot: Values,
}

impl Link {
    /// The id of this link's record on `side`.
    pub fn id_on(&self, side: Side) -> String {
        match side {
            Side::Salesforce => self.salesforce_id.to_string(),
            Side::Helpdesk => self.helpdesk_id.clone(),
        }
    }
}

/// Where a staged record is in the initial sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StagedState {
    Read,
    /// Its counterpart was being created when the sync stopped: it may exist already,
    /// so it is looked up again by match key rather than created blindly.
    Writing,
    Applied,
}

/// A stored notification: "this record changed", to be re-read and synced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxEntry {
    pub id: i64,
    /// When the latest notification for the record arrived.
    pub received_ms: i64,
    /// Which side the notification came from.
    pub source: Side,
    pub object: ObjectKind,
    pub record_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub id: i64,
    pub object: ObjectKind,
    /// The side the record failed to sync from.
    pub from: Side,
    /// The record on the `from` side.
    pub record_id: String,
    /// What a person recognises the record by (name, email).
    pub label: String,
    pub reason: FailureReason,
    pub at_ms: i64,
}

fn enum_text<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        other => panic!("{other:?} is not a unit enum"),
    }
}

fn enum_from<T: DeserializeOwned>(what: &'static str, text: Option<&str>) -> Result<T, StoreError> {
    serde_json::from_value(serde_json::Value::String(
        text.unwrap_or_default().to_owned(),
    ))
    .map_err(|e| StoreError::Corrupt {
        what,
        detail: e.to_string(),
    })
}

fn text(row: &[SqlValue], column: usize) -> Option<&str> {
    row.get(column).and_then(SqlValue::as_text)
}

fn integer(row: &[SqlValue], column: usize) -> i64 {
    row.get(column)
        .and_then(SqlValue::as_integer)
        .unwrap_or_default()
}

/// The side a stored direction (`salesforce_to_helpdesk`) starts from.
fn direction_from(what: &'static str, text: Option<&str>) -> Result<Side, StoreError> {
    let text = text.unwrap_or_default();
    Side::from_direction_name(text).ok_or_else(|| StoreError::Corrupt {
        what,
        detail: format!("unknown direction {text:?}"),
    })
}

pub struct Store<S: Sql> {
    sql: S,
}

impl<S: Sql> Store<S> {
    /// Opens the store, creating or upgrading its tables.
    pub fn open(sql: S) -> Result<Self, StoreError> {
        sql::migrate(&sql, "sync", MIGRATIONS)?;
        Ok(Store { sql })
    }

    // Links.

    pub fn link_by_salesforce(
        &self,
        object: ObjectKind,
        id: &SfId,
    ) -> Result<Option<Link>, StoreError> {
        self.link_where("salesforce_id", object, id.as_str())
    }

    pub fn link_by_helpdesk(
        &self,
        object: ObjectKind,
        id: &str,
    ) -> Result<Option<Link>, StoreError> {
        self.link_where("helpdesk_id", object, id)
    }

    fn link_where(
        &self,
        column: &str,
        object: ObjectKind,
        id: &str,
    ) -> Result<Option<Link>, StoreError> {
        let query = format!(
            "SELECT salesforce_id, helpdesk_id, snapshot FROM sync_links WHERE object = ? AND {column} = ?"
        );
        let rows = self
            .sql
            .query(&query, &[enum_text(&object).into(), id.into()])?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        let corrupt = |detail: String| StoreError::Corrupt {
            what: "link",
            detail,
        };
        Ok(Some(Link {
            object,
            salesforce_id: SfId::parse(text(row, 0).unwrap_or_default())
                .map_err(|e| corrupt(e.to_string()))?,
            helpdesk_id: text(row, 1).unwrap_or_default().to_owned(),
            snapshot: serde_json::from_str(text(row, 2).unwrap_or("{}"))
                .map_err(|e| corrupt(e.to_string()))?,
        }))
    }

    /// Inserts or replaces the link of `link.salesforce_id` (and drops any stale link that
    /// still claims its helpdesk record).
    pub fn save_link(&self, link: &Link) -> Result<(), StoreError> {
        let object = enum_text(&link.object);
        self.sql.execute(
            "DELETE FROM sync_links WHERE object = ? AND helpdesk_id = ? AND salesforce_id != ?",
            &[
                object.clone().into(),
                link.helpdesk_id.as_str().into(),
                link.salesforce_id.as_str().into(),
            ],
        )?;
        self.sql.execute(
            "INSERT INTO sync_links (object, salesforce_id, helpdesk_id, snapshot) VALUES (?, ?, ?, ?)
             ON CONFLICT (object, salesforce_id) DO UPDATE SET helpdesk_id = excluded.helpdesk_id, snapshot = excluded.snapshot",
            &[
                object.into(),
                link.salesforce_id.as_str().into(),
                link.helpdesk_id.as_str().into(),
                serde_json::to_string(&link.snapshot).expect("JSON values serialize").into(),
            ],
        )?;
        Ok(())
    }

    pub fn link_count(&self, object: ObjectKind) -> Result<i64, StoreError> {
        let rows = self.sql.query(
            "SELECT count(*) FROM sync_links WHERE object = ?",
            &[enum_text(&object).into()],
        )?;
        Ok(rows.first().map_or(0, |row| integer(row, 0)))
    }

    // Settings and cursors: small JSON values by key.

    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, StoreError> {
        let rows = self.sql.query(
            "SELECT value FROM sync_settings WHERE key = ?",
            &[key.into()],
        )?;
        rows.first()
            .map(|row| serde_json::from_str(text(row, 0).unwrap_or("null")))
            .transpose()
            .map_err(|e| StoreError::Corrupt {
                what: "setting",
                detail: format!("{key}: {e}"),
            })
    }

    pub fn put<T: Serialize>(&self, key: &str, value: &T) -> Result<(), StoreError> {
        self.sql.execute(
            "INSERT INTO sync_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[key.into(), serde_json::to_string(value).expect("settings serialize").into()],
        )?;
        Ok(())
    }

    // The inbox: notifications stored before they are acknowledged.

    /// Stores a change notification; a record already waiting is not queued twice, since
    /// the record is re-read when processed anyway.
    pub fn enqueue(
        &self,
        source: Side,
        object: ObjectKind,
        record_id: &str,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        self.sql.execute(
            "INSERT INTO sync_inbox (source, object, record_id, received_ms) VALUES (?, ?, ?, ?)
             ON CONFLICT (source, object, record_id) DO UPDATE SET received_ms = excluded.received_ms",
            &[
                source.as_str().into(),
                enum_text(&object).into(),
                record_id.into(),
                now_ms.into(),
            ],
        )?;
        Ok(())
    }

    pub fn inbox(&self, limit: u32) -> Result<Vec<InboxEntry>, StoreError> {
        let rows = self.sql.query(
            "SELECT id, source, object, record_id, received_ms FROM sync_inbox ORDER BY id LIMIT ?",
            &[i64::from(limit).into()],
        )?;
        rows.iter()
            .map(|row| {
                Ok(InboxEntry {
                    id: integer(row, 0),
                    source: if text(row, 1) == Some(Side::Salesforce.as_str()) {
                        Side::Salesforce
                    } else {
                        Side::Helpdesk
                    },
                    object: enum_from("inbox object", text(row, 2))?,
                    record_id: text(row, 3).unwrap_or_default().to_owned(),
                    received_ms: integer(row, 4),
                })
            })
            .collect()
    }

    pub fn inbox_len(&self) -> Result<i64, StoreError> {
        Ok(self
            .sql
            .query("SELECT count(*) FROM sync_inbox", &[])?
            .first()
            .map_or(0, |row| integer(row, 0)))
    }

    /// Removes a processed entry, unless a newer notification for the record arrived
    /// while it was processed: then the record is read once more.
    pub fn done(&self, entry: &InboxEntry) -> Result<(), StoreError> {
        self.sql.execute(
            "DELETE FROM sync_inbox WHERE id = ? AND received_ms = ?",
            &[entry.id.into(), entry.received_ms.into()],
        )?;
        Ok(())
    }

    // Staging: both sides' records, read once at the start of the initial sync, so
    // duplicates are matched without a search call per record.

    /// Stores a page of `side`'s records; records already staged keep their state.
    pub fn stage(
        &self,
        side: Side,
        object: ObjectKind,
        records: &[(Record, Option<String>)],
    ) -> Result<(), StoreError> {
        for (record, key) in records {
            self.sql.execute(
                "INSERT INTO sync_staged (side, object, id, match_key, modified_ms, fields) VALUES (?, ?, ?, ?, ?, ?)
                 ON CONFLICT (side, object, id) DO NOTHING",
                &[
                    side.as_str().into(),
                    enum_text(&object).into(),
                    record.id.as_str().into(),
                    key.clone().map_or(SqlValue::Null, SqlValue::from),
                    record.modified_ms.into(),
                    serde_json::to_string(&record.fields).expect("JSON values serialize").into(),
                ],
            )?;
        }
        Ok(())
    }

    /// Up to `limit` staged records not yet applied, in id order.
    pub fn staged_to_apply(
        &self,
        side: Side,
        object: ObjectKind,
        limit: u32,
    ) -> Result<Vec<(Record, StagedState)>, StoreError> {
        self.staged_where(
            "state != 2 ORDER BY id LIMIT ?",
            side,
            object,
            i64::from(limit).into(),
        )
    }

    /// Staged records of `side` with this match key.
    pub fn staged_by_key(
        &self,
        side: Side,
        object: ObjectKind,
        key: &str,
    ) -> Result<Vec<Record>, StoreError> {
        Ok(self
            .staged_where("match_key = ? ORDER BY id", side, object, key.into())?
            .into_iter()
            .map(|(record, _)| record)
            .collect())
    }

    pub fn staged(
        &self,
        side: Side,
        object: ObjectKind,
        id: &str,
    ) -> Result<Option<Record>, StoreError> {
        Ok(self
            .staged_where("id = ?", side, object, id.into())?
            .into_iter()
            .next()
            .map(|(record, _)| record))
    }

    fn staged_where(
        &self,
        condition: &str,
        side: Side,
        object: ObjectKind,
        value: SqlValue,
    ) -> Result<Vec<(Record, StagedState)>, StoreError> {
        let query = format!(
            "SELECT id, modified_ms, fields, state FROM sync_staged WHERE side = ? AND object = ? AND {condition}"
        );
        let rows = self.sql.query(
            &query,
            &[side.as_str().into(), enum_text(&object).into(), value],
        )?;
        rows.iter()
            .map(|row| {
                let fields = serde_json::from_str(text(row, 2).unwrap_or("{}")).map_err(|e| {
                    StoreError::Corrupt {
                        what: "staged record",
                        detail: e.to_string(),
                    }
                })?;
                let state = match integer(row, 3) {
                    1 => StagedState::Writing,
                    2 => StagedState::Applied,
                    _ => StagedState::Read,
                };
                Ok((
                    Record {
                        id: text(row, 0).unwrap_or_default().to_owned(),
                        modified_ms: integer(row, 1),
                        fields,
                    },
                    state,
                ))
            })
            .collect()
    }

    pub fn mark_staged(
        &self,
        side: Side,
        object: ObjectKind,
        ids: &[&str],
        state: StagedState,
    ) -> Result<(), StoreError> {
        let code: i64 = match state {
            StagedState::Read => 0,
            StagedState::Writing => 1,
            StagedState::Applied => 2,
        };
        for id in ids {
            self.sql.execute(
                "UPDATE sync_staged SET state = ? WHERE side = ? AND object = ? AND id = ?",
                &[
                    code.into(),
                    side.as_str().into(),
                    enum_text(&object).into(),
                    (*id).into(),
                ],
            )?;
        }
        Ok(())
    }

    pub fn staged_count(&self, side: Side, object: ObjectKind) -> Result<u64, StoreError> {
        let rows = self.sql.query(
            "SELECT count(*) FROM sync_staged WHERE side = ? AND object = ?",
            &[side.as_str().into(), enum_text(&object).into()],
        )?;
        Ok(rows.first().map_or(0, |row| integer(row, 0)) as u64)
    }

    pub fn clear_staged(&self) -> Result<(), StoreError> {
        self.sql.execute("DELETE FROM sync_staged", &[])?;
        Ok(())
    }

    // History.

    /// Records a run (skipping empty ones) and prunes entries past the retention window.
    pub fn record_run(&self, run: &Run) -> Result<(), StoreError> {
        if run.added + run.updated + run.failed > 0 {
            self.sql.execute(
                "INSERT INTO sync_runs (at_ms, kind, direction, object, added, updated, failed) VALUES (?, ?, ?, ?, ?, ?, ?)",
                &[
                    run.at_ms.into(),
                    enum_text(&run.kind).into(),
                    run.from.direction_name().into(),
                    enum_text(&run.object).into(),
                    i64::from(run.added).into(),
                    i64::from(run.updated).into(),
                    i64::from(run.failed).into(),
                ],
            )?;
        }
        self.sql.execute(
            "DELETE FROM sync_runs WHERE at_ms < ?",
            &[retention_cutoff_ms(run.at_ms).into()],
        )?;
        Ok(())
    }

    /// Runs within the retention window, newest first.
    pub fn runs(&self, now_ms: i64) -> Result<Vec<Run>, StoreError> {
        let rows = self.sql.query(
            "SELECT at_ms, kind, direction, object, added, updated, failed FROM sync_runs WHERE at_ms >= ? ORDER BY at_ms DESC",
            &[retention_cutoff_ms(now_ms).into()],
        )?;
        rows.iter()
            .map(|row| {
                Ok(Run {
                    at_ms: integer(row, 0),
                    kind: enum_from::<RunKind>("run kind", text(row, 1))?,
                    from: direction_from("run direction", text(row, 2))?,
                    object: enum_from("run object", text(row, 3))?,
                    added: integer(row, 4) as u32,
                    updated: integer(row, 5) as u32,
                    failed: integer(row, 6) as u32,
                })
            })
            .collect()
    }

    /// Records a finished drift check and prunes those past the retention window.
    pub fn record_drift_run(&self, run: &DriftRun) -> Result<(), StoreError> {
        self.sql.execute(
            "INSERT INTO sync_drift_runs (started_ms, at_ms, compared, differing, repaired, failed) VALUES (?, ?, ?, ?, ?, ?)",
            &[
                run.started_ms.into(),
                run.at_ms.into(),
                i64::from(run.compared).into(),
                i64::from(run.differing).into(),
                i64::from(run.repaired).into(),
                i64::from(run.failed).into(),
            ],
        )?;
        self.sql.execute(
            "DELETE FROM sync_drift_runs WHERE at_ms < ?",
            &[retention_cutoff_ms(run.at_ms).into()],
        )?;
        Ok(())
    }

    /// Drift checks within the retention window, newest first.
    pub fn drift_runs(&self, now_ms: i64) -> Result<Vec<DriftRun>, StoreError> {
        let rows = self.sql.query(
            "SELECT started_ms, at_ms, compared, differing, repaired, failed FROM sync_drift_runs WHERE at_ms >= ? ORDER BY at_ms DESC",
            &[retention_cutoff_ms(now_ms).into()],
        )?;
        Ok(rows
            .iter()
            .map(|row| DriftRun {
                started_ms: integer(row, 0),
                at_ms: integer(row, 1),
                compared: integer(row, 2) as u32,
                differing: integer(row, 3) as u32,
                repaired: integer(row, 4) as u32,
                failed: integer(row, 5) as u32,
            })
            .collect())
    }

    // The failure log: one entry per record and direction, the latest reason.

    pub fn record_failure(
        &self,
        object: ObjectKind,
        from: Side,
        record_id: &str,
        label: &str,
        reason: &FailureReason,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        self.sql.execute(
            "INSERT INTO sync_failures (object, direction, record_id, label, reason, at_ms) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (object, direction, record_id) DO UPDATE SET label = excluded.label, reason = excluded.reason, at_ms = excluded.at_ms",
            &[
                enum_text(&object).into(),
                from.direction_name().into(),
                record_id.into(),
                clipped(label).into(),
                serde_json::to_string(&reason.clipped())
                    .expect("reasons serialize")
                    .into(),
                now_ms.into(),
            ],
        )?;
        Ok(())
    }

    /// A record synced fine: it has no failure any more.
    pub fn clear_failure(
        &self,
        object: ObjectKind,
        from: Side,
        record_id: &str,
    ) -> Result<(), StoreError> {
        self.sql.execute(
            "DELETE FROM sync_failures WHERE object = ? AND direction = ? AND record_id = ?",
            &[
                enum_text(&object).into(),
                from.direction_name().into(),
                record_id.into(),
            ],
        )?;
        Ok(())
    }

    /// Failures, newest first; all objects when `object` is `None`.
    pub fn failures(&self, object: Option<ObjectKind>) -> Result<Vec<Failure>, StoreError> {
        let filter = object.map(|o| enum_text(&o));
        let rows = self.sql.query(
            "SELECT id, object, direction, record_id, label, reason, at_ms FROM sync_failures
             WHERE ? IS NULL OR object = ? ORDER BY at_ms DESC, id DESC",
            &[filter.clone().into(), filter.into()],
        )?;
        rows.iter()
            .map(|row| {
                Ok(Failure {
                    id: integer(row, 0),
                    object: enum_from("failure object", text(row, 1))?,
                    from: direction_from("failure direction", text(row, 2))?,
                    record_id: text(row, 3).unwrap_or_default().to_owned(),
                    label: text(row, 4).unwrap_or_default().to_owned(),
                    reason: serde_json::from_str(text(row, 5).unwrap_or("null")).map_err(|e| {
                        StoreError::Corrupt {
                            what: "failure reason",
                            detail: e.to_string(),
                        }
                    })?,
                    at_ms: integer(row, 6),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::NativeSql;
    use serde_json::json;

    fn store() -> Store<NativeSql> {
        Store::open(NativeSql::in_memory()).unwrap()
    }

    fn sf_id(n: u64) -> SfId {
        SfId::from_parts("003", "5g", n).unwrap()
    }

    #[test]
    fn links_are_found_from_either_side_and_updated_in_place() {
        let store = store();
        let mut link = Link {
            object: ObjectKind::Contact,
            salesforce_id: sf_id(1),
            helpdesk_id: "h1".into(),
            snapshot: [("email".to_owned(), json!("a@x.co"))].into(),
        };
        store.save_link(&link).unwrap();
        assert_eq!(
            store.link_by_helpdesk(ObjectKind::Contact, "h1").unwrap(),
            Some(link.clone())
        );
        assert_eq!(
            store.link_by_helpdesk(ObjectKind::Account, "h1").unwrap(),
            None
        );
        link.helpdesk_id = "h2".into();
        store.save_link(&link).unwrap();
        assert_eq!(
            store
                .link_by_salesforce(ObjectKind::Contact, &sf_id(1))
                .unwrap()
                .unwrap()
                .helpdesk_id,
            "h2"
        );
        assert_eq!(store.link_count(ObjectKind::Contact).unwrap(), 1);
    }

    #[test]
    fn a_helpdesk_record_is_linked_once() {
        let store = store();
        let link = |n| Link {
            object: ObjectKind::Contact,
            salesforce_id: sf_id(n),
            helpdesk_id: "h1".into(),
            snapshot: Values::new(),
        };
        store.save_link(&link(1)).unwrap();
        store.save_link(&link(2)).unwrap();
        assert_eq!(
            store
                .link_by_helpdesk(ObjectKind::Contact, "h1")
                .unwrap()
                .unwrap()
                .salesforce_id,
            sf_id(2)
        );
        assert_eq!(
            store
                .link_by_salesforce(ObjectKind::Contact, &sf_id(1))
                .unwrap(),
            None
        );
    }

    #[test]
    fn inbox_keeps_one_entry_per_record_in_arrival_order() {
        let store = store();
        store
            .enqueue(Side::Helpdesk, ObjectKind::Contact, "h1", 1)
            .unwrap();
        store
            .enqueue(Side::Salesforce, ObjectKind::Account, "001", 2)
            .unwrap();
        store
            .enqueue(Side::Helpdesk, ObjectKind::Contact, "h1", 3)
            .unwrap();
        let entries = store.inbox(10).unwrap();
        assert_eq!(
            entries
                .iter()
                .map(|e| e.record_id.as_str())
                .collect::<Vec<_>>(),
            ["h1", "001"]
        );
        assert_eq!(entries[1].source, Side::Salesforce);
        store.done(&entries[0]).unwrap();
        assert_eq!(store.inbox_len().unwrap(), 1);
    }

    #[test]
    fn settings_round_trip() {
        let store = store();
        assert_eq!(store.get::<String>("cursor").unwrap(), None);
        store.put("cursor", &"2025-01-01").unwrap();
        store.put("cursor", &"2025-01-02").unwrap();
        assert_eq!(
            store.get::<String>("cursor").unwrap().as_deref(),
            Some("2025-01-02")
        );
    }

    #[test]
    fn history_skips_empty_runs_and_prunes_old_ones() {
        let store = store();
        let day = 24 * 60 * 60 * 1000;
        let run = |at_ms, added| Run {
            at_ms,
            kind: RunKind::Incremental,
            from: Side::Helpdesk,
            object: ObjectKind::Account,
            added,
            updated: 0,
            failed: 0,
        };
        store.record_run(&run(day, 1)).unwrap();
        store.record_run(&run(2 * day, 0)).unwrap();
        store.record_run(&run(9 * day, 4)).unwrap();
        assert_eq!(store.runs(9 * day).unwrap(), vec![run(9 * day, 4)]);
    }

    #[test]
    fn drift_runs_are_kept_seven_days_newest_first() {
        let store = store();
        let day = 24 * 60 * 60 * 1000;
        let run = |at_ms, differing| DriftRun {
            started_ms: at_ms - 10,
            at_ms,
            compared: 5,
            differing,
            repaired: differing,
            failed: 0,
        };
        store.record_drift_run(&run(day, 1)).unwrap();
        store.record_drift_run(&run(2 * day, 0)).unwrap();
        store.record_drift_run(&run(9 * day, 3)).unwrap();
        assert_eq!(
            store.drift_runs(9 * day).unwrap(),
            vec![run(9 * day, 3), run(2 * day, 0)]
        );
    }

    #[test]
    fn failures_keep_the_latest_reason_per_record_until_cleared() {
        let store = store();
        let (contact, from) = (ObjectKind::Contact, Side::Salesforce);
        store
            .record_failure(
                contact,
                from,
                "003x",
                "Ada",
                &FailureReason::MandatoryFieldMissing,
                1,
            )
            .unwrap();
        store
            .record_failure(
                contact,
                from,
                "003x",
                "Ada L",
                &FailureReason::AlreadyMapped,
                2,
            )
            .unwrap();
        let failures = store.failures(Some(contact)).unwrap();
        assert_eq!(failures.len(), 1);
        assert_eq!(
            (failures[0].label.as_str(), &failures[0].reason),
            ("Ada L", &FailureReason::AlreadyMapped)
        );
        assert!(
            store
                .failures(Some(ObjectKind::Account))
                .unwrap()
                .is_empty()
        );
        assert_eq!(store.failures(None).unwrap().len(), 1);
        store.clear_failure(contact, from, "003x").unwrap();
        assert!(store.failures(None).unwrap().is_empty());
    }
}
