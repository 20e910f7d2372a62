//! The initial sync: bulk import and export, in steps small enough for one Worker
//! invocation each, resumable from what is stored after any restart.
//!
//! First both sides' records are read page by page into a staging table (Salesforce's
//! pages of 2,000, the helpdesk's of 100), so duplicates are matched by email or name
//! without a search call per record. Then each staged record is brought into step in
//! chunks of 200 (one sObject Collections call on the Salesforce side): accounts before
//! contacts, so a contact's account is linked by the time the contact is written.
//! Salesforce's records go first; two-way, the helpdesk's unmatched records follow.
//!
//! A chunk marks the records whose counterparts it is about to create; if the sync stops
//! before their links are stored, those few are redone through the single-record path,
//! which looks the counterpart up by match key instead of creating it twice.
//!
//! Into the helpdesk, a chunk's new records go as one background import (Zoho's Import
//! API, [`Port::queue_export`]), a credit per 2 records instead of one each. Its id is
//! stored with the run before anything waits on it ([`InitialSync::export`]); later steps
//! ask after it ([`Port::export_results`]) until it has run, then link each record to
//! what the import made of it, or log the import's reason for refusing it. Such a chunk
//! takes up to an import's worth of records (5,000), but still at most 200 that need
//! writes of their own (matched records updated one call each; an invocation may make
//! 1,000 requests): a chunk is then cut short, and the rest wait for the next.

use super::batch::Written;
use super::engine::{Engine, EngineError, Outcome, Plan, Write};
use super::failure::FailureReason;
use super::matching::{self, Candidate, MatchOutcome};
use super::port::{Port, Record};
use super::store::{StagedState, Store, StoreError};
use crate::sql::Sql;
use contract::admin::StepProgress;
use contract::history::{Run, RunKind};
use contract::mapping::{ObjectKind, SyncType};
use contract::side::Side;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::HashSet;

/// Where the initial sync's state is kept in the store.
pub const STATE_KEY: &str = "initial_sync";
/// Records brought into step per chunk by writes of their own: one sObject Collections
/// call, or as many single helpdesk calls as one step should make.
const CHUNK: usize = 200;
/// How long to leave an export job before asking after it again: a quarter of how long
/// it has run so far (so the looks cost little however long it runs), within these.
const EXPORT_LOOK_MIN_MS: i64 = 250;
const EXPORT_LOOK_MAX_MS: i64 = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum Stage {
    Read { side: Side, object: ObjectKind },
    Apply { source: Side, object: ObjectKind },
    Done,
}

/// What a run of the initial sync has done so far; stored after every step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InitialSync {
    pub started_ms: i64,
    pub finished_ms: Option<i64>,
    pub stage: Stage,
    /// Where the current read stage goes on.
    pub cursor: Option<String>,
    /// Records read into staging so far.
    pub read: u64,
    /// One entry per apply stage, in order.
    pub steps: Vec<StepProgress>,
    /// The current apply stage's outcomes, recorded in the history when it ends.
    pub tally: Tally,
    /// The chunk whose new records a side writes as one background job (the helpdesk's
    /// Import API), stored once queued so that a restart collects it by its id instead
    /// of queueing it again.
    #[serde(default)]
    pub export: Option<PendingExport>,
}

/// An export job queued and not yet collected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingExport {
    pub job: String,
    /// When it was queued (older stored runs lack it: then it has run long enough).
    #[serde(default)]
    pub queued_ms: i64,
    /// The source records it creates counterparts of, in the order queued.
    pub source_ids: Vec<String>,
    /// The chunk's records, all marked applied once the job is collected.
    pub chunk_ids: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub added: u32,
    pub updated: u32,
    pub failed: u32,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.added += other.added;
        self.updated += other.updated;
        self.failed += other.failed;
    }

    pub(super) fn count(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Added => self.added += 1,
            Outcome::Updated => self.updated += 1,
            Outcome::Failed(_) => self.failed += 1,
            Outcome::Unchanged => {}
        }
    }
}

const OBJECTS: [ObjectKind; 2] = [ObjectKind::Account, ObjectKind::Contact];

/// Every stage of a run for `sync_type`, in order.
fn stages(sync_type: SyncType) -> Vec<Stage> {
    let mut stages: Vec<Stage> = [Side::Helpdesk, Side::Salesforce]
        .into_iter()
        .flat_map(|side| OBJECTS.map(|object| Stage::Read { side, object }))
        .collect();
    let sources: &[Side] = match sync_type {
        SyncType::TwoWay => &[Side::Salesforce, Side::Helpdesk],
        SyncType::SalesforceToHelpdesk => &[Side::Salesforce],
    };
    for &source in sources {
        stages.extend(OBJECTS.map(|object| Stage::Apply { source, object }));
    }
    stages.push(Stage::Done);
    stages
}

impl InitialSync {
    pub fn new(sync_type: SyncType, now_ms: i64) -> Self {
        let steps = stages(sync_type)
            .into_iter()
            .filter_map(|stage| match stage {
                Stage::Apply { source, object } => Some(StepProgress {
                    object,
                    from: source,
                    done: 0,
                    total: None,
                    finished: false,
                }),
                _ => None,
            })
            .collect();
        InitialSync {
            started_ms: now_ms,
            finished_ms: None,
            stage: stages(sync_type)[0],
            cursor: None,
            read: 0,
            steps,
            tally: Tally::default(),
            export: None,
        }
    }

    pub fn is_finished(&self) -> bool {
        self.stage == Stage::Done
    }

    /// Whether a side is running an export job of the run's: look again in a moment.
    pub fn is_waiting(&self) -> bool {
        self.export.is_some()
    }

    /// While an export job runs, how long to wait before asking after it again.
    pub fn next_look_ms(&self, now_ms: i64) -> Option<i64> {
        let export = self.export.as_ref()?;
        let running_ms = now_ms.saturating_sub(export.queued_ms);
        Some((running_ms / 4).clamp(EXPORT_LOOK_MIN_MS, EXPORT_LOOK_MAX_MS))
    }

    fn next_stage(&mut self, sync_type: SyncType) {
        let all = stages(sync_type);
        let at = all.iter().position(|s| *s == self.stage).unwrap_or(0);
        self.stage = all.get(at + 1).copied().unwrap_or(Stage::Done);
        self.cursor = None;
        self.tally = Tally::default();
    }

    fn step_mut(&mut self, from: Side, object: ObjectKind) -> Option<&mut StepProgress> {
        self.steps
            .iter_mut()
            .find(|s| s.object == object && s.from == from)
    }
}

impl<S: Sql, SF: Port, HD: Port> Engine<'_, S, SF, HD> {
    /// Does one step of the initial sync (one page read, or one chunk brought into step)
    /// and stores where it got to. Outages and a revoked connection are errors: the step
    /// is redone later from the stored state.
    pub async fn advance_initial(&self, run: &mut InitialSync) -> Result<(), EngineError> {
        match run.stage {
            Stage::Read { side, object } => self.read_page(run, side, object).await?,
            Stage::Apply { source, object } => self.apply_chunk(run, source, object).await?,
            Stage::Done => return Ok(()),
        }
        if run.stage == Stage::Done {
            run.finished_ms = Some(self.now_ms);
            self.store.clear_staged()?;
        }
        self.store.put(STATE_KEY, run)?;
        Ok(())
    }

    async fn read_page(
        &self,
        run: &mut InitialSync,
        side: Side,
        object: ObjectKind,
    ) -> Result<(), EngineError> {
        let cursor = run.cursor.as_deref();
        let page = match side {
            Side::Salesforce => self.salesforce.page(object, cursor).await,
            Side::Helpdesk => self.helpdesk.page(object, cursor).await,
        }
        .map_err(EngineError::from)?;
        let keyed: Vec<_> = page
            .records
            .into_iter()
            .map(|record| {
                let key = matching::match_key(object, self.key_of(side, object, &record));
                (record, key)
            })
            .collect();
        self.store.stage(side, object, &keyed)?;
        run.read += keyed.len() as u64;
        match page.next {
            Some(next) => run.cursor = Some(next),
            None => {
                run.next_stage(self.settings.sync_type);
                if let Stage::Apply { .. } = run.stage {
                    // Everything is read: each apply step now knows its total.
                    for step in &mut run.steps {
                        step.total = Some(self.store.staged_count(step.from, step.object)?);
                    }
                }
            }
        }
        Ok(())
    }

    async fn apply_chunk(
        &self,
        run: &mut InitialSync,
        from: Side,
        object: ObjectKind,
    ) -> Result<(), EngineError> {
        if let Some(export) = run.export.clone() {
            return self.collect_export(run, from, object, export).await;
        }
        let to = from.other();
        let export_limit = match to {
            Side::Helpdesk => self.helpdesk.export_limit(),
            Side::Salesforce => self.salesforce.export_limit(),
        };
        let rows = self
            .store
            .staged_to_apply(from, object, export_limit.max(CHUNK) as u32)?;
        if rows.is_empty() {
            if let Some(step) = run.step_mut(from, object) {
                step.finished = true;
            }
            self.store.record_run(&Run {
                at_ms: self.now_ms,
                kind: RunKind::Initial,
                from,
                object,
                added: run.tally.added,
                updated: run.tally.updated,
                failed: run.tally.failed,
            })?;
            run.next_stage(self.settings.sync_type);
            return Ok(());
        }
        let mut tally = Tally::default();
        let mut claimed = HashSet::new();
        let mut planned = Vec::new();
        // Records that need writes of their own (all of them unless new ones are exported).
        let mut writing = 0;
        let mut taken = 0;
        for (record, state) in &rows {
            if writing == CHUNK {
                break; // The rest wait for the next chunk.
            }
            taken += 1;
            if *state == StagedState::Writing {
                // Its counterpart may have been created just before a restart.
                tally.count(&self.sync_record(from, object, &record.id).await?);
                writing += 1;
                continue;
            }
            let decided = self.decide(from, object, record, &mut claimed).await?;
            match decided {
                Decision::Skip => {}
                Decision::Fail(reason) => tally.count(&self.fail(from, object, record, reason)?),
                Decision::Plan(counterpart_id, plan) => {
                    let own_calls = match &plan.write {
                        Write::Create(_) => export_limit == 0,
                        Write::Update { to, back } => !to.is_empty() || !back.is_empty(),
                    };
                    writing += usize::from(own_calls);
                    planned.push((record, counterpart_id, plan))
                }
            }
        }
        let rows = &rows[..taken];

        // Creates first, marked so a restart in between cannot duplicate them.
        let creating: Vec<&str> = planned
            .iter()
            .filter(|(_, _, p)| matches!(p.write, Write::Create(_)))
            .map(|(r, _, _)| r.id.as_str())
            .collect();
        self.store
            .mark_staged(from, object, &creating, StagedState::Writing)?;
        let mut creates = Vec::new();
        for (index, (_, _, plan)) in planned.iter().enumerate() {
            if let Write::Create(fields) = &plan.write {
                creates.push((index, fields.clone()));
            }
        }
        let mut results: Vec<Written> = planned
            .iter()
            .map(|(_, counterpart_id, _)| Ok(counterpart_id.clone()))
            .collect();
        let (indexes, fields): (Vec<_>, Vec<_>) = creates.into_iter().unzip();
        let sourced: Vec<(String, Map<String, Value>)> = indexes
            .iter()
            .map(|&i| planned[i].0.id.clone())
            .zip(fields.iter().cloned())
            .collect();
        let queued = match (sourced.is_empty(), to) {
            (false, Side::Helpdesk) => self.helpdesk.queue_export(object, sourced.clone()).await,
            (false, Side::Salesforce) => {
                self.salesforce.queue_export(object, sourced.clone()).await
            }
            (true, _) => Ok(None),
        };
        let queued = match queued {
            Ok(queued) => queued,
            Err(error) => {
                // Nothing was written: the records wait as they were, not as possibly created.
                self.store
                    .mark_staged(from, object, &creating, StagedState::Read)?;
                return Err(error.into());
            }
        };
        let exporting = queued.is_some();
        if let Some(job) = queued {
            run.export = Some(PendingExport {
                job,
                queued_ms: self.now_ms,
                source_ids: sourced.into_iter().map(|(id, _)| id).collect(),
                chunk_ids: rows.iter().map(|(r, _)| r.id.clone()).collect(),
            });
        } else {
            let created = self
                .create_many(to, object, fields)
                .await
                .map_err(EngineError::from)?;
            for (index, outcome) in indexes.iter().zip(created) {
                results[*index] = outcome.map(Some);
            }
        }
        self.write_updates(from, object, &planned, &mut results)
            .await?;

        for (index, ((record, _, plan), result)) in planned.into_iter().zip(results).enumerate() {
            if exporting && indexes.contains(&index) {
                continue; // Its counterpart is written by the export: collected later.
            }
            tally.count(&self.finish_write(from, object, record, plan, result)?);
        }
        if exporting {
            // The chunk is marked applied, and counted, once the export is collected.
            run.tally.add(tally);
            return Ok(());
        }
        let ids: Vec<&str> = rows.iter().map(|(r, _)| r.id.as_str()).collect();
        self.close_chunk(run, from, object, &ids, tally)
    }

    /// A chunk's records applied, and counted.
    fn close_chunk(
        &self,
        run: &mut InitialSync,
        from: Side,
        object: ObjectKind,
        ids: &[&str],
        tally: Tally,
    ) -> Result<(), EngineError> {
        self.store
            .mark_staged(from, object, ids, StagedState::Applied)?;
        run.tally.add(tally);
        if let Some(step) = run.step_mut(from, object) {
            step.done += ids.len() as u64;
        }
        Ok(())
    }

    /// The export of a chunk's new records, once the side has run it: each record linked
    /// to its new counterpart (its write planned again from the same staged records), or
    /// logged with the side's reason. While the job runs, nothing.
    async fn collect_export(
        &self,
        run: &mut InitialSync,
        from: Side,
        object: ObjectKind,
        export: PendingExport,
    ) -> Result<(), EngineError> {
        let results = match from.other() {
            Side::Helpdesk => {
                self.helpdesk
                    .export_results(object, &export.job, &export.source_ids)
                    .await
            }
            Side::Salesforce => {
                self.salesforce
                    .export_results(object, &export.job, &export.source_ids)
                    .await
            }
        }
        .map_err(EngineError::from)?;
        let Some(results) = results else {
            return Ok(());
        };
        let mut tally = Tally::default();
        let mut claimed = HashSet::new();
        for (source_id, result) in export.source_ids.iter().zip(results) {
            let Some(record) = self.store.staged(from, object, source_id)? else {
                continue;
            };
            let outcome = match self.decide(from, object, &record, &mut claimed).await? {
                Decision::Plan(_, plan) => {
                    self.finish_write(from, object, &record, plan, result.map(Some))?
                }
                Decision::Fail(reason) => self.fail(from, object, &record, reason)?,
                Decision::Skip => Outcome::Unchanged,
            };
            tally.count(&outcome);
        }
        run.export = None;
        let ids: Vec<&str> = export.chunk_ids.iter().map(String::as_str).collect();
        self.close_chunk(run, from, object, &ids, tally)
    }

    /// What to do with one staged record, its counterpart taken from staging.
    async fn decide(
        &self,
        from: Side,
        object: ObjectKind,
        record: &Record,
        claimed: &mut HashSet<String>,
    ) -> Result<Decision, EngineError> {
        let to = from.other();
        let (counterpart, snapshot) = match self.link(from, object, &record.id)? {
            Some(link) => {
                if self.values(from, object, record) == link.snapshot {
                    // Already in step (linked earlier in this run, or by an earlier one).
                    return Ok(Decision::Skip);
                }
                match self.store.staged(to, object, &link.id_on(to))? {
                    Some(counterpart) => (Some(counterpart), Some(link.snapshot)),
                    None => {
                        // Linked to a record newer than the staging: take the long way.
                        self.sync_record(from, object, &record.id).await?;
                        return Ok(Decision::Skip);
                    }
                }
            }
            None => {
                let key = matching::match_key(object, self.key_of(from, object, record));
                let found = match &key {
                    Some(key) => self.store.staged_by_key(to, object, key)?,
                    None => Vec::new(),
                };
                let candidates = found
                    .iter()
                    .map(|r| {
                        Ok(Candidate {
                            id: r.id.clone(),
                            linked_elsewhere: claimed.contains(&r.id)
                                || self.link(to, object, &r.id)?.is_some(),
                        })
                    })
                    .collect::<Result<Vec<_>, StoreError>>()?;
                match matching::choose(key.as_deref(), &candidates) {
                    MatchOutcome::Create => (None, None),
                    MatchOutcome::Link(id) => {
                        claimed.insert(id.clone());
                        (found.into_iter().find(|r| r.id == id), None)
                    }
                    MatchOutcome::AlreadyMapped(_) => {
                        return Ok(Decision::Fail(FailureReason::AlreadyMapped));
                    }
                }
            }
        };
        // Accounts were applied first, so a contact's account is linked by now.
        let parent = self.linked_parent(from, object, record)?;
        let counterpart_id = counterpart.as_ref().map(|c| c.id.clone());
        Ok(
            match self.plan(
                from,
                object,
                record,
                counterpart.as_ref(),
                snapshot.as_ref(),
                parent,
            ) {
                Ok(plan) => Decision::Plan(counterpart_id, plan),
                Err(reason) => Decision::Fail(reason),
            },
        )
    }
}

enum Decision {
    /// Nothing to write for this record now.
    Skip,
    Fail(FailureReason),
    /// The counterpart's id (when there is one) and what to write.
    Plan(Option<String>, Plan),
}

/// Starts (or restarts) the initial sync and stores its state.
pub fn start<S: Sql>(
    store: &Store<S>,
    sync_type: SyncType,
    now_ms: i64,
) -> Result<InitialSync, StoreError> {
    store.clear_staged()?;
    let run = InitialSync::new(sync_type, now_ms);
    store.put(STATE_KEY, &run)?;
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_export_is_looked_at_after_a_quarter_of_its_running_time_within_bounds() {
        let mut run = InitialSync::new(SyncType::TwoWay, 0);
        assert_eq!(run.next_look_ms(1_000), None, "no export, no look");
        run.export = Some(PendingExport {
            job: "import-1".into(),
            queued_ms: 10_000,
            source_ids: Vec::new(),
            chunk_ids: Vec::new(),
        });
        assert_eq!(run.next_look_ms(10_000), Some(EXPORT_LOOK_MIN_MS));
        assert_eq!(run.next_look_ms(14_000), Some(1_000));
        assert_eq!(
            run.next_look_ms(10_000 + 3_600_000),
            Some(EXPORT_LOOK_MAX_MS)
        );
    }
}
