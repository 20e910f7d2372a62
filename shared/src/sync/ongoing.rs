//! Ongoing sync: the stored notifications (the inbox) and the periodic catch-up that
//! finds what a lost notification would have missed. Both read records in bulk and bring
//! each into step through the engine; echoes of our own writes compare equal to their
//! link's snapshot and cost nothing more.

use super::engine::{Engine, EngineError, Outcome};
use super::initial::Tally;
use super::port::{Port, PortError, Record};
use super::store::InboxEntry;
use crate::sql::Sql;
use contract::history::{Run, RunKind};
use contract::mapping::{ObjectKind, SyncType};
use contract::side::Side;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Catch-up windows reach this far before the last covered time, so a change committed
/// while the previous window was read is not missed.
pub const OVERLAP_MS: i64 = 2 * 60 * 1000;

/// Up to when each side's changes have been caught up (Unix milliseconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Covered {
    pub salesforce_ms: i64,
    pub helpdesk_ms: i64,
}

impl Covered {
    pub fn from(now_ms: i64) -> Self {
        Covered {
            salesforce_ms: now_ms,
            helpdesk_ms: now_ms,
        }
    }
}

/// Outcomes per direction and object, recorded as one history entry each.
#[derive(Debug, Default)]
pub struct Tallies(BTreeMap<(Side, ObjectKind), Tally>);

impl Tallies {
    pub fn count(&mut self, source: Side, object: ObjectKind, outcome: &Outcome) {
        self.0.entry((source, object)).or_default().count(outcome);
    }

    pub fn total(&self) -> Tally {
        self.0.values().fold(Tally::default(), |mut sum, t| {
            sum.added += t.added;
            sum.updated += t.updated;
            sum.failed += t.failed;
            sum
        })
    }

    /// One history entry per direction and object that saw any change.
    pub fn runs(&self, kind: RunKind, at_ms: i64) -> Vec<Run> {
        self.0
            .iter()
            .map(|(&(source, object), tally)| Run {
                at_ms,
                kind,
                from: source,
                object,
                added: tally.added,
                updated: tally.updated,
                failed: tally.failed,
            })
            .collect()
    }
}

const OBJECTS: [ObjectKind; 2] = [ObjectKind::Account, ObjectKind::Contact];

impl<S: Sql, SF: Port, HD: Port> Engine<'_, S, SF, HD> {
    /// Applies up to `limit` stored notifications, accounts first; each record is read
    /// in bulk per side and object. An entry leaves the inbox only once applied.
    pub async fn process_inbox(
        &self,
        limit: u32,
        tallies: &mut Tallies,
    ) -> Result<(), EngineError> {
        let entries = self.store.inbox(limit)?;
        for source in Side::BOTH {
            for object in OBJECTS {
                let batch: Vec<&InboxEntry> = entries
                    .iter()
                    .filter(|e| e.source == source && e.object == object)
                    .collect();
                if batch.is_empty() {
                    continue;
                }
                let ids: Vec<&str> = batch.iter().map(|e| e.record_id.as_str()).collect();
                match self.read_many(source, object, &ids).await {
                    Ok(records) => self.apply(source, object, &records, tallies).await?,
                    // One record the side will not read must not hold up the others for
                    // ever: each is read and synced on its own, the refused one logged.
                    Err(PortError::Record(_)) => {
                        for id in &ids {
                            let outcome = self.sync_record(source, object, id).await?;
                            tallies.count(source, object, &outcome);
                        }
                    }
                    Err(other) => return Err(other.into()),
                }
                for entry in batch {
                    self.store.done(entry)?;
                }
            }
        }
        Ok(())
    }

    /// Reads each side's changes since `covered` (less the overlap) and brings them into
    /// step; `covered` moves forward only past what was applied.
    pub async fn catch_up(
        &self,
        covered: &mut Covered,
        tallies: &mut Tallies,
    ) -> Result<(), EngineError> {
        let mut sources = vec![Side::Salesforce];
        if self.settings.sync_type == SyncType::TwoWay {
            sources.push(Side::Helpdesk);
        }
        for source in sources {
            let mark = match source {
                Side::Salesforce => &mut covered.salesforce_ms,
                Side::Helpdesk => &mut covered.helpdesk_ms,
            };
            let since = *mark - OVERLAP_MS;
            let mut reached = i64::MAX;
            for object in OBJECTS {
                let changes = match source {
                    Side::Salesforce => {
                        self.salesforce
                            .changed_since(object, since, self.now_ms)
                            .await
                    }
                    Side::Helpdesk => {
                        self.helpdesk
                            .changed_since(object, since, self.now_ms)
                            .await
                    }
                }
                .map_err(EngineError::from)?;
                self.apply(source, object, &changes.records, tallies)
                    .await?;
                for id in &changes.unread {
                    self.store.enqueue(source, object, id, self.now_ms)?;
                }
                reached = reached.min(changes.until_ms);
            }
            *mark = reached.max(*mark);
        }
        Ok(())
    }

    async fn read_many(
        &self,
        source: Side,
        object: ObjectKind,
        ids: &[&str],
    ) -> Result<Vec<Record>, PortError> {
        match source {
            Side::Salesforce => self.salesforce.get_many(object, ids).await,
            Side::Helpdesk => self.helpdesk.get_many(object, ids).await,
        }
    }

    async fn apply(
        &self,
        source: Side,
        object: ObjectKind,
        records: &[Record],
        tallies: &mut Tallies,
    ) -> Result<(), EngineError> {
        for record in records {
            let outcome = self.sync_fetched(source, object, record).await?;
            tallies.count(source, object, &outcome);
        }
        Ok(())
    }
}
