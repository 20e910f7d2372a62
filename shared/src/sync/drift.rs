//! Drift repair: every linked pair compared through the mapping, now and then, to find
//! what the notifications and the catch-up missed (a lost webhook older than the
//! catch-up's window, a write that bypassed both), and to repair it by the fields' rules.
//!
//! A check walks the helpdesk's records page by page (100 a call), accounts then
//! contacts; each page's linked Salesforce records are read in one query by Id
//! (`WHERE Id IN`, in batches of up to 2,000: `Port::get_many`). So a check costs one
//! call per side per hundred pairs, in steps small enough for one Worker invocation each,
//! and its state is stored after every step: a restart goes on where it stopped.

use super::engine::{Engine, EngineError, Outcome, Stop};
use super::initial::Tally;
use super::merge::Values;
use super::port::{Port, Record};
use super::store::Link;
use crate::sql::Sql;
use contract::history::{DriftRun, Run, RunKind};
use contract::ids::SfId;
use contract::mapping::ObjectKind;
use contract::side::Side;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Where the check under way keeps its state in the store.
pub const STATE_KEY: &str = "drift_check";
/// Where the last finished check's end is kept, for the daily schedule.
pub const LAST_KEY: &str = "drift_last";
/// A check runs by itself this long after the last one finished.
pub const EVERY_MS: i64 = 24 * 60 * 60 * 1000;

const OBJECTS: [ObjectKind; 2] = [ObjectKind::Account, ObjectKind::Contact];

/// A drift check under way; stored after every step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriftCheck {
    /// The object being walked; `None` once every object was.
    pub object: Option<ObjectKind>,
    /// Where the walk of `object`'s helpdesk records goes on.
    pub cursor: Option<String>,
    /// The counts so far (`at_ms`: the last step).
    pub counts: DriftRun,
    /// `object`'s repairs so far, its line in the history once it is walked.
    #[serde(default)]
    pub tally: Tally,
}

impl DriftCheck {
    pub fn new(now_ms: i64) -> Self {
        DriftCheck {
            object: Some(OBJECTS[0]),
            cursor: None,
            counts: DriftRun {
                started_ms: now_ms,
                at_ms: now_ms,
                ..DriftRun::default()
            },
            tally: Tally::default(),
        }
    }

    pub fn is_finished(&self) -> bool {
        self.object.is_none()
    }

    /// Moves to the page after `next`, or to the next object when `next` is `None`.
    fn moved_on(&mut self, next: Option<String>) {
        if next.is_none() {
            self.object = self
                .object
                .and_then(|now| OBJECTS.iter().skip_while(|o| **o != now).nth(1).copied());
        }
        self.cursor = next;
    }
}

/// When the next check is due: a day after the last one ended, or, before the first, a
/// day after the sync went live.
pub fn next_due_ms(last_finished_ms: Option<i64>, live_since_ms: i64) -> i64 {
    last_finished_ms.unwrap_or(live_since_ms) + EVERY_MS
}

/// The mapped fields (by helpdesk name) whose values the two records do not share.
pub fn differing_fields(salesforce: &Values, helpdesk: &Values) -> Vec<String> {
    salesforce
        .keys()
        .chain(helpdesk.keys())
        .filter(|key| salesforce.get(*key) != helpdesk.get(*key))
        .fold(Vec::new(), |mut keys, key| {
            if !keys.contains(key) {
                keys.push(key.clone());
            }
            keys
        })
}

impl<S: Sql, SF: Port, HD: Port> Engine<'_, S, SF, HD> {
    /// Does one step of `check` (one helpdesk page and its Salesforce counterparts,
    /// compared and repaired) and stores where it got to; a finished check goes into the
    /// history. Outages are errors: the step is redone later from the stored state.
    pub async fn advance_drift(&self, check: &mut DriftCheck) -> Result<(), EngineError> {
        let Some(object) = check.object else {
            return Ok(());
        };
        let page = self.helpdesk.page(object, check.cursor.as_deref()).await?;
        let mut linked: Vec<(Link, Record)> = Vec::new();
        for record in page.records {
            if let Some(link) = self.store.link_by_helpdesk(object, &record.id)? {
                linked.push((link, record));
            }
        }
        let ids: Vec<String> = linked
            .iter()
            .map(|(link, _)| link.salesforce_id.to_string())
            .collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let salesforce: HashMap<SfId, Record> = self
            .salesforce
            .get_many(object, &ids)
            .await?
            .into_iter()
            .filter_map(|record| Some((SfId::parse(&record.id).ok()?, record)))
            .collect();
        for (link, helpdesk) in &linked {
            // Deletes never propagate: a pair with a side gone is not compared.
            let Some(salesforce) = salesforce.get(&link.salesforce_id) else {
                continue;
            };
            check.counts.compared += 1;
            let (s, h) = (
                self.values(Side::Salesforce, object, salesforce),
                self.values(Side::Helpdesk, object, helpdesk),
            );
            if differing_fields(&s, &h).is_empty() {
                continue;
            }
            check.counts.differing += 1;
            let outcome = self.repair(object, salesforce, helpdesk, link).await?;
            match outcome {
                Outcome::Failed(_) => check.counts.failed += 1,
                Outcome::Updated | Outcome::Added => check.counts.repaired += 1,
                Outcome::Unchanged => {}
            }
            check.tally.count(&outcome);
        }
        check.counts.at_ms = self.now_ms;
        if page.next.is_none() {
            let tally = std::mem::take(&mut check.tally);
            self.store.record_run(&Run {
                at_ms: self.now_ms,
                kind: RunKind::Drift,
                from: Side::Salesforce,
                object,
                added: tally.added,
                updated: tally.updated,
                failed: tally.failed,
            })?;
        }
        check.moved_on(page.next);
        if check.is_finished() {
            self.store.record_drift_run(&check.counts)?;
            self.store.put(LAST_KEY, &self.now_ms)?;
        }
        self.store.put(STATE_KEY, check)?;
        Ok(())
    }

    /// Brings one differing pair into step by its fields' rules, against what the pair
    /// last agreed on; a record-level problem goes to the failure log.
    async fn repair(
        &self,
        object: ObjectKind,
        salesforce: &Record,
        helpdesk: &Record,
        link: &Link,
    ) -> Result<Outcome, EngineError> {
        let from = Side::Salesforce;
        let outcome = match self.plan(
            from,
            object,
            salesforce,
            Some(helpdesk),
            Some(&link.snapshot),
            None,
        ) {
            Err(reason) => Outcome::Failed(reason),
            Ok(plan) => match self
                .carry_out(from, object, salesforce, Some(helpdesk), plan)
                .await
            {
                Ok(outcome) => outcome,
                Err(Stop::Failed(reason)) => Outcome::Failed(reason),
                Err(Stop::Engine(error)) => return Err(error),
            },
        };
        let label = self.label_of(from, object, salesforce);
        self.log(from, object, &salesforce.id, &label, outcome)
    }
}

/// Starts a check now, unless one is under way (that one goes on).
pub fn start<S: Sql>(
    store: &super::store::Store<S>,
    now_ms: i64,
) -> Result<DriftCheck, super::store::StoreError> {
    if let Some(check) = store.get::<DriftCheck>(STATE_KEY)?
        && !check.is_finished()
    {
        return Ok(check);
    }
    let check = DriftCheck::new(now_ms);
    store.put(STATE_KEY, &check)?;
    Ok(check)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_fields_that_differ_are_named_once() {
        let sf = Values::from([
            ("title".to_owned(), json!("CTO")),
            ("phone".to_owned(), json!("1")),
        ]);
        let hd = Values::from([
            ("title".to_owned(), json!("CEO")),
            ("phone".to_owned(), json!("1")),
            ("mobile".to_owned(), json!("2")),
        ]);
        assert_eq!(differing_fields(&sf, &hd), ["title", "mobile"]);
        assert!(differing_fields(&sf, &sf).is_empty());
    }

    #[test]
    fn a_check_walks_accounts_then_contacts_page_by_page() {
        let mut check = DriftCheck::new(7);
        check.moved_on(Some("100".into()));
        assert_eq!(
            (check.object, check.cursor.as_deref()),
            (Some(ObjectKind::Account), Some("100"))
        );
        check.moved_on(None);
        assert_eq!(
            (check.object, check.cursor.clone()),
            (Some(ObjectKind::Contact), None)
        );
        check.moved_on(None);
        assert!(check.is_finished());
    }

    #[test]
    fn the_daily_check_is_due_a_day_after_the_last() {
        assert_eq!(next_due_ms(None, 5), 5 + EVERY_MS);
        assert_eq!(next_due_ms(Some(10), 5), 10 + EVERY_MS);
    }
}
