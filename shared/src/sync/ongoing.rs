//! Ongoing sync: the stored notifications (the inbox) and the periodic catch-up that
//! finds what a lost notification would have missed. Both read records in bulk and bring
//! each into step through the engine; echoes of our own writes compare equal to their
//! link's snapshot and cost nothing more.

use super::batch::{Planned, Written};
use super::engine::{Engine, EngineError, Outcome};
use super::initial::Tally;
use super::port::{Parent, Port, PortError, Record};
use super::store::{InboxEntry, Link, StoreError};
use crate::sql::Sql;
use contract::history::{Run, RunKind};
use contract::mapping::{ObjectKind, SyncType};
use contract::side::Side;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Catch-up windows reach this far before the last covered time, so a change committed
/// while the previous window was read is not missed.
pub const OVERLAP_MS: i64 = 2 * 60 * 1000;

/// Up to when each side's changes have been caught up (Unix milliseconds), and where a
/// catch-up read in several steps goes on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Covered {
    pub salesforce_ms: i64,
    pub helpdesk_ms: i64,
    /// The objects of a catch-up under way: its mark moves once every object of the side
    /// was read to the end.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reading: Vec<Reading>,
}

/// One object's part of a catch-up under way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reading {
    pub side: Side,
    pub object: ObjectKind,
    /// Where its next step goes on ([`super::port::Changes::next`]); `None` once it was
    /// read to the end.
    pub next: Option<String>,
}

impl Covered {
    pub fn from(now_ms: i64) -> Self {
        Covered {
            salesforce_ms: now_ms,
            helpdesk_ms: now_ms,
            reading: Vec::new(),
        }
    }

    /// Whether a catch-up is under way, with steps still to read.
    pub fn is_reading(&self) -> bool {
        self.reading.iter().any(|r| r.next.is_some())
    }

    /// The start of the oldest window a catch-up under way is reading, if one is.
    pub fn reading_since_ms(&self) -> Option<i64> {
        self.reading
            .iter()
            .filter(|r| r.next.is_some())
            .map(|r| self.mark(r.side) - OVERLAP_MS)
            .min()
    }

    fn mark(&self, side: Side) -> i64 {
        match side {
            Side::Salesforce => self.salesforce_ms,
            Side::Helpdesk => self.helpdesk_ms,
        }
    }

    fn mark_mut(&mut self, side: Side) -> &mut i64 {
        match side {
            Side::Salesforce => &mut self.salesforce_ms,
            Side::Helpdesk => &mut self.helpdesk_ms,
        }
    }

    /// Where `object`'s part of the window under way stands: not begun (`None`), going
    /// on after a position (`Some(Some(_))`), or read to the end (`Some(None)`).
    fn progress(&self, side: Side, object: ObjectKind) -> Option<Option<&str>> {
        self.reading
            .iter()
            .find(|r| r.side == side && r.object == object)
            .map(|r| r.next.as_deref())
    }

    /// Records a step of `object`; once every object of `side` was read to the end, the
    /// side is covered up to `now_ms`, when its last step read. A side read to the end
    /// waits for the other before it reads again: the catch-up is one round of both, and a
    /// side that starts a new window at every step while the other still reads (every
    /// record is recent after a data load) would never let the round end.
    fn record_step(&mut self, side: Side, object: ObjectKind, next: Option<String>, now_ms: i64) {
        self.reading
            .retain(|r| !(r.side == side && r.object == object));
        self.reading.push(Reading { side, object, next });
        if self.side_done(side) {
            let mark = self.mark_mut(side);
            *mark = now_ms.max(*mark);
        }
    }

    /// Ends the round under way once every side in it was read to the end, so that the
    /// next catch-up reads both sides again.
    fn end_round_if_read(&mut self) {
        if Side::BOTH
            .iter()
            .all(|&s| self.side_done(s) || !self.reading.iter().any(|r| r.side == s))
        {
            self.reading.clear();
        }
    }

    /// Whether every object of `side` was read to the end in the round under way.
    fn side_done(&self, side: Side) -> bool {
        OBJECTS
            .iter()
            .all(|&o| self.progress(side, o) == Some(None))
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

    /// One bounded step of the catch-up: reads each side's changes since `covered` (less
    /// the overlap), each object at most one step of its walk, and brings them into step.
    /// `covered` moves only past what was applied; [`Covered::is_reading`] says whether
    /// more steps remain.
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
            let since = covered.mark(source) - OVERLAP_MS;
            for object in OBJECTS {
                let after = match covered.progress(source, object) {
                    Some(None) => continue, // read to the end in this window
                    Some(Some(after)) => Some(after.to_owned()),
                    None => None,
                };
                let changes = match source {
                    Side::Salesforce => {
                        self.salesforce
                            .changed_since(object, since, after.as_deref())
                            .await
                    }
                    Side::Helpdesk => {
                        self.helpdesk
                            .changed_since(object, since, after.as_deref())
                            .await
                    }
                }
                .map_err(EngineError::from)?;
                self.apply(source, object, &changes.records, tallies)
                    .await?;
                covered.record_step(source, object, changes.next, self.now_ms);
            }
        }
        covered.end_round_if_read();
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

    /// Brings `records` into step: those already linked (and whose account is) together,
    /// as nothing they do depends on each other; the others one by one, so that two with
    /// the same match key, or the same new account, never both create a counterpart.
    async fn apply(
        &self,
        source: Side,
        object: ObjectKind,
        records: &[Record],
        tallies: &mut Tallies,
    ) -> Result<(), EngineError> {
        if source == Side::Helpdesk && self.settings.sync_type == SyncType::SalesforceToHelpdesk {
            return Ok(()); // one-way: the helpdesk's changes stay there
        }
        let mut linked = Vec::new();
        let mut one_by_one = Vec::new();
        for record in records {
            match self.independent_link(source, object, record)? {
                Some((link, parent)) => linked.push((record, link, parent)),
                None => one_by_one.push(record),
            }
        }
        self.apply_linked(source, object, linked, tallies).await?;
        for record in one_by_one {
            let outcome = self.sync_fetched(source, object, record).await?;
            tallies.count(source, object, &outcome);
        }
        Ok(())
    }

    /// Linked records in bulk: their counterparts read in as few calls as the other side
    /// allows, each pair merged against what they last agreed on, and the writes made in
    /// each side's largest batches (a data load of one value goes out as `updateMany`).
    async fn apply_linked(
        &self,
        from: Side,
        object: ObjectKind,
        linked: Vec<(&Record, Link, Option<String>)>,
        tallies: &mut Tallies,
    ) -> Result<(), EngineError> {
        let to = from.other();
        let mut changed = Vec::new();
        for (record, link, parent) in linked {
            if self.values(from, object, record) == link.snapshot {
                // Our own write coming back, or a change to unmapped fields only.
                let outcome = self.log(from, object, &record.id, "", Outcome::Unchanged)?;
                tallies.count(from, object, &outcome);
            } else {
                changed.push((record, link, parent));
            }
        }
        if changed.is_empty() {
            return Ok(());
        }
        let ids: Vec<String> = changed.iter().map(|(_, link, _)| link.id_on(to)).collect();
        let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let counterparts = match self.read_many(to, object, &id_refs).await {
            Ok(counterparts) => counterparts,
            // One counterpart the side will not read must not hold up the others.
            Err(PortError::Record(_)) => {
                for (record, _, _) in changed {
                    let outcome = self.sync_fetched(from, object, record).await?;
                    tallies.count(from, object, &outcome);
                }
                return Ok(());
            }
            Err(other) => return Err(other.into()),
        };
        let by_id: HashMap<&str, &Record> =
            counterparts.iter().map(|c| (c.id.as_str(), c)).collect();
        let mut planned: Vec<Planned> = Vec::new();
        for ((record, link, parent), id) in changed.iter().zip(&ids) {
            let Some(&counterpart) = by_id.get(id.as_str()) else {
                // Deleted on the other side: the single-record path adds it back.
                let outcome = self.sync_fetched(from, object, record).await?;
                tallies.count(from, object, &outcome);
                continue;
            };
            match self.plan(
                from,
                object,
                record,
                Some(counterpart),
                Some(&link.snapshot),
                parent.clone(),
            ) {
                Ok(plan) => planned.push((record, Some(counterpart.id.clone()), plan)),
                Err(reason) => {
                    tallies.count(from, object, &self.fail(from, object, record, reason)?)
                }
            }
        }
        let mut results: Vec<Written> = planned.iter().map(|(_, id, _)| Ok(id.clone())).collect();
        self.write_updates(from, object, &planned, &mut results)
            .await?;
        for ((record, _, plan), result) in planned.into_iter().zip(results) {
            let outcome = self.finish_write(from, object, record, plan, result)?;
            tallies.count(from, object, &outcome);
        }
        Ok(())
    }

    /// The link of `record` when bringing it into step creates nothing: it is linked, and
    /// so is its account, if it names one; with that account's id on the other side.
    fn independent_link(
        &self,
        source: Side,
        object: ObjectKind,
        record: &Record,
    ) -> Result<Option<(Link, Option<String>)>, StoreError> {
        let Some(link) = self.link(source, object, &record.id)? else {
            return Ok(None);
        };
        let parent = match self.parent_of(source, record) {
            Parent::Account(id) if object == ObjectKind::Contact => {
                match self.link(source, ObjectKind::Account, id)? {
                    Some(account) => Some(account.id_on(source.other())),
                    None => return Ok(None),
                }
            }
            _ => None,
        };
        Ok(Some((link, parent)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_side_is_covered_once_every_object_was_read_to_the_end() {
        let mut covered = Covered::from(1_000);
        let contacts = Some("within:0:003000000000001AAA".to_owned());
        covered.record_step(Side::Salesforce, ObjectKind::Account, None, 5_000);
        covered.record_step(
            Side::Salesforce,
            ObjectKind::Contact,
            contacts.clone(),
            5_000,
        );
        assert_eq!(
            covered.salesforce_ms, 1_000,
            "contacts are still being read"
        );
        assert!(covered.is_reading());
        assert_eq!(covered.reading_since_ms(), Some(1_000 - OVERLAP_MS));
        assert_eq!(
            covered.progress(Side::Salesforce, ObjectKind::Account),
            Some(None),
            "accounts are not read again in this window"
        );
        assert_eq!(
            covered.progress(Side::Salesforce, ObjectKind::Contact),
            Some(contacts.as_deref())
        );

        covered.record_step(Side::Salesforce, ObjectKind::Contact, None, 9_000);
        assert_eq!(covered.salesforce_ms, 9_000);
        assert_eq!(covered.helpdesk_ms, 1_000);
        assert!(!covered.is_reading());
        assert_eq!(covered.reading_since_ms(), None);
    }

    #[test]
    fn a_side_read_to_the_end_waits_for_the_other_before_reading_again() {
        let mut covered = Covered::from(1_000);
        let more = || Some("1000".to_owned());
        for object in OBJECTS {
            covered.record_step(Side::Helpdesk, object, None, 5_000);
            covered.record_step(Side::Salesforce, object, more(), 5_000);
        }
        assert_eq!(covered.helpdesk_ms, 5_000, "the helpdesk is covered");
        assert_eq!(
            covered.progress(Side::Helpdesk, ObjectKind::Contact),
            Some(None),
            "and not read again while Salesforce still reads"
        );
        assert!(covered.is_reading());
        assert_eq!(covered.reading_since_ms(), Some(1_000 - OVERLAP_MS));
        covered.end_round_if_read();
        assert_eq!(
            covered.progress(Side::Helpdesk, ObjectKind::Contact),
            Some(None),
            "the round goes on"
        );

        for object in OBJECTS {
            covered.record_step(Side::Salesforce, object, None, 8_000);
        }
        assert_eq!((covered.salesforce_ms, covered.helpdesk_ms), (8_000, 5_000));
        assert!(!covered.is_reading());
        covered.end_round_if_read();
        assert!(
            covered.reading.is_empty(),
            "the next round reads both again"
        );
    }

    #[test]
    fn a_mark_never_moves_back_and_old_stored_marks_still_read() {
        let mut covered: Covered =
            serde_json::from_str(r#"{"salesforce_ms":9000,"helpdesk_ms":7000}"#).unwrap();
        assert!(!covered.is_reading());
        for object in OBJECTS {
            covered.record_step(Side::Helpdesk, object, None, 6_000);
        }
        covered.end_round_if_read();
        assert_eq!(covered.helpdesk_ms, 7_000);
        assert_eq!(
            serde_json::to_string(&covered).unwrap(),
            r#"{"salesforce_ms":9000,"helpdesk_ms":7000}"#
        );
    }
}
