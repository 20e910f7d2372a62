//! Planned changes written in each side's largest batches, then each record's link
//! stored or its failure logged: shared by the initial sync's chunks and the ongoing
//! sync's linked records, so that a data load of a hundred thousand changes costs calls
//! per batch, not per record.

use super::engine::{Engine, EngineError, Outcome, Plan, Stop, Write};
use super::failure::FailureReason;
use super::port::{Port, PortError, Record};
use crate::sql::Sql;
use contract::mapping::ObjectKind;
use contract::side::Side;
use serde_json::{Map, Value};

/// A record with its counterpart's id (when it has one) and what to write.
pub(super) type Planned<'r> = (&'r Record, Option<String>, Plan);

/// Each planned record's counterpart id once written (`None`: nothing to link), or why
/// its write was refused.
pub(super) type Written = Result<Option<String>, FailureReason>;

impl<S: Sql, SF: Port, HD: Port> Engine<'_, S, SF, HD> {
    /// Writes the updates of `planned` on both sides in batches; a record whose update
    /// either side refused gets its reason in `results` (one per planned record). An
    /// outage is an error: the batch is redone, and updates set values, so twice is once.
    pub(super) async fn write_updates(
        &self,
        from: Side,
        object: ObjectKind,
        planned: &[Planned<'_>],
        results: &mut [Written],
    ) -> Result<(), EngineError> {
        let to = from.other();
        let mut updates_there = Vec::new();
        let mut updates_back = Vec::new();
        for (index, (record, counterpart_id, plan)) in planned.iter().enumerate() {
            if let Write::Update { to: there, back } = &plan.write {
                let counterpart_id = counterpart_id.clone().unwrap_or_default();
                if !there.is_empty() {
                    updates_there.push((index, (counterpart_id, there.clone())));
                }
                if !back.is_empty() {
                    updates_back.push((index, (record.id.clone(), back.clone())));
                }
            }
        }
        for (side, updates) in [(to, updates_there), (from, updates_back)] {
            let (indexes, bodies): (Vec<_>, Vec<_>) = updates.into_iter().unzip();
            let updated = self
                .update_many(side, object, bodies)
                .await
                .map_err(EngineError::from)?;
            for (index, outcome) in indexes.into_iter().zip(updated) {
                if let (Err(reason), Ok(_)) = (outcome, &results[index]) {
                    results[index] = Err(reason);
                }
            }
        }
        Ok(())
    }

    /// A record's write done: its link stored and its outcome logged, or its failure.
    pub(super) fn finish_write(
        &self,
        from: Side,
        object: ObjectKind,
        record: &Record,
        plan: Plan,
        result: Written,
    ) -> Result<Outcome, EngineError> {
        Ok(match result {
            Ok(Some(counterpart_id)) => {
                let (salesforce_id, helpdesk_id) = match from {
                    Side::Salesforce => (record.id.clone(), counterpart_id),
                    Side::Helpdesk => (counterpart_id, record.id.clone()),
                };
                match self.save_link(object, &salesforce_id, helpdesk_id, plan.agreed) {
                    Ok(()) => self.log(from, object, &record.id, "", plan.outcome)?,
                    Err(Stop::Failed(reason)) => self.fail(from, object, record, reason)?,
                    Err(Stop::Engine(error)) => return Err(error),
                }
            }
            Ok(None) => plan.outcome,
            Err(reason) => self.fail(from, object, record, reason)?,
        })
    }

    /// Logs `record` as failed for `reason`.
    pub(super) fn fail(
        &self,
        from: Side,
        object: ObjectKind,
        record: &Record,
        reason: FailureReason,
    ) -> Result<Outcome, EngineError> {
        let label = self.label_of(from, object, record);
        self.log(from, object, &record.id, &label, Outcome::Failed(reason))
    }

    pub(super) async fn create_many(
        &self,
        side: Side,
        object: ObjectKind,
        records: Vec<Map<String, Value>>,
    ) -> Result<Vec<Result<String, FailureReason>>, PortError> {
        if records.is_empty() {
            return Ok(Vec::new());
        }
        match side {
            Side::Salesforce => self.salesforce.create_many(object, records).await,
            Side::Helpdesk => self.helpdesk.create_many(object, records).await,
        }
    }

    async fn update_many(
        &self,
        side: Side,
        object: ObjectKind,
        records: Vec<(String, Map<String, Value>)>,
    ) -> Result<Vec<Result<(), FailureReason>>, PortError> {
        if records.is_empty() {
            return Ok(Vec::new());
        }
        match side {
            Side::Salesforce => self.salesforce.update_many(object, records).await,
            Side::Helpdesk => self.helpdesk.update_many(object, records).await,
        }
    }
}
