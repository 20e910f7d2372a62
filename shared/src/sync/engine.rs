//! The engine: brings one changed record into step with its counterpart.
//!
//! Both systems sit behind the same small [`Port`] trait, so one code path serves both
//! directions: a change is read from its source, matched or linked to its counterpart,
//! merged field by field, written where needed, and the link's snapshot updated. The
//! caller decides *which* records to bring into step (a notification, a catch-up page,
//! the initial sync, a retry) and aggregates the outcomes into the history.

use super::failure::FailureReason;
use super::matching::{self, Candidate, MatchOutcome};
use super::merge::{self, Values};
use super::port::{Parent, Port, PortError, Record};
use super::store::{Link, Store, StoreError};
use contract::ids::SfId;
use contract::mapping::{self, FieldMeta, FieldPair, ObjectKind, SyncType};
use contract::side::Side;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The admin's choices: direction and field pairs per object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub sync_type: SyncType,
    pub contacts: Vec<FieldPair>,
    pub accounts: Vec<FieldPair>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            sync_type: SyncType::TwoWay,
            contacts: mapping::default_pairs(ObjectKind::Contact),
            accounts: mapping::default_pairs(ObjectKind::Account),
        }
    }
}

impl Settings {
    pub fn pairs(&self, object: ObjectKind) -> &[FieldPair] {
        match object {
            ObjectKind::Contact => &self.contacts,
            ObjectKind::Account => &self.accounts,
        }
    }

    /// Each mapped field's rule, keyed by its helpdesk field.
    pub fn rules(&self, object: ObjectKind) -> merge::Rules {
        self.pairs(object)
            .iter()
            .map(|pair| (pair.helpdesk.clone(), pair.rule))
            .collect()
    }

    /// These settings less the pairs whose Salesforce field the org does not offer the
    /// connected user (describe lists only the fields it may read): the defaults name
    /// standard fields that field-level security may hide, and a hidden field would read
    /// as empty and be refused on every write. A saved mapping naming one was refused
    /// when saved; if the field is hidden later, the other pairs go on syncing.
    pub fn offered_by(mut self, contacts: &[FieldMeta], accounts: &[FieldMeta]) -> Self {
        let offered = |fields: &[FieldMeta], pair: &FieldPair| {
            fields.iter().any(|field| field.name == pair.salesforce)
        };
        self.contacts.retain(|pair| offered(contacts, pair));
        self.accounts.retain(|pair| offered(accounts, pair));
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Added,
    Updated,
    Unchanged,
    Failed(FailureReason),
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Unavailable(String),
    /// A side's allowance for the day is spent ([`PortError::OutOfAllowance`]).
    #[error("{detail}")]
    OutOfAllowance {
        detail: String,
        retry_after_ms: Option<i64>,
    },
    /// That side's access was revoked: reconnect it.
    #[error("{0:?} access was revoked: reconnect it")]
    Reconnect(contract::side::Side),
    /// A side's fields changed since they were read: the caller reads them again (and
    /// the settings that depend on them) before going on. No record failed.
    #[error("Salesforce's fields changed since they were read, so they are read again: {0}")]
    FieldsChanged(String),
}

pub struct Engine<'a, S: crate::sql::Sql, SF: Port, HD: Port> {
    pub store: &'a Store<S>,
    pub salesforce: &'a SF,
    pub helpdesk: &'a HD,
    pub settings: &'a Settings,
    pub now_ms: i64,
}

/// A port error that stops a whole batch (a record-level one is not expected here).
impl From<PortError> for EngineError {
    fn from(error: PortError) -> Self {
        match error {
            PortError::Reconnect(side) => EngineError::Reconnect(side),
            PortError::Unavailable(detail) => EngineError::Unavailable(detail),
            PortError::OutOfAllowance {
                detail,
                retry_after_ms,
            } => EngineError::OutOfAllowance {
                detail,
                retry_after_ms,
            },
            PortError::FieldsChanged(detail) => EngineError::FieldsChanged(detail),
            PortError::Record(reason) => EngineError::Unavailable(reason.to_string()),
        }
    }
}

/// What a [`Plan`] writes on the other side.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    /// No counterpart yet: create it with these fields.
    Create(Map<String, Value>),
    /// Fields to change on the counterpart (`to`) and on the changed record (`back`,
    /// two-way only); either may be empty.
    Update {
        to: Map<String, Value>,
        back: Map<String, Value>,
    },
}

/// How to bring one record and its counterpart into step.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub write: Write,
    pub outcome: Outcome,
    /// What both sides hold once the writes are done: the link's next snapshot.
    pub agreed: Values,
}

/// A record-level failure, or an error that stops this change altogether.
pub(super) enum Stop {
    Failed(FailureReason),
    Engine(EngineError),
}

impl From<PortError> for Stop {
    fn from(error: PortError) -> Self {
        match error {
            PortError::Record(reason) => Stop::Failed(reason),
            other => Stop::Engine(other.into()),
        }
    }
}

impl From<StoreError> for Stop {
    fn from(error: StoreError) -> Self {
        Stop::Engine(EngineError::Store(error))
    }
}

impl<S: crate::sql::Sql, SF: Port, HD: Port> Engine<'_, S, SF, HD> {
    /// Brings the record `id` of side `from` into step with its counterpart.
    /// Record-level problems are logged as failures and returned as [`Outcome::Failed`];
    /// outages and a revoked connection are errors, so the caller keeps the change for
    /// later.
    pub async fn sync_record(
        &self,
        from: Side,
        object: ObjectKind,
        id: &str,
    ) -> Result<Outcome, EngineError> {
        if from == Side::Helpdesk && self.settings.sync_type == SyncType::SalesforceToHelpdesk {
            return Ok(Outcome::Unchanged);
        }
        // Deletes never propagate: a record gone from its source is left alone elsewhere.
        match self.get(from, object, id).await.map_err(Stop::from) {
            Ok(Some(record)) => self.sync_fetched(from, object, &record).await,
            Ok(None) => Ok(Outcome::Unchanged),
            Err(Stop::Engine(error)) => Err(error),
            Err(Stop::Failed(reason)) => self.log(from, object, id, id, Outcome::Failed(reason)),
        }
    }

    /// [`Engine::sync_record`] for a record already read from side `from` (a page of
    /// changes, or records read together with [`Port::get_many`]).
    pub async fn sync_fetched(
        &self,
        from: Side,
        object: ObjectKind,
        record: &Record,
    ) -> Result<Outcome, EngineError> {
        if from == Side::Helpdesk && self.settings.sync_type == SyncType::SalesforceToHelpdesk {
            return Ok(Outcome::Unchanged);
        }
        let label = self.label_of(from, object, record);
        let outcome = match Box::pin(self.bring_into_step(from, object, record)).await {
            Ok(outcome) => outcome,
            Err(Stop::Engine(error)) => return Err(error),
            Err(Stop::Failed(reason)) => Outcome::Failed(reason),
        };
        self.log(from, object, &record.id, &label, outcome)
    }

    /// What a person recognises a record by in the failure log: its email or name.
    pub(super) fn label_of(&self, side: Side, object: ObjectKind, record: &Record) -> String {
        self.key_of(side, object, record)
            .filter(|key| !key.is_empty())
            .unwrap_or(&record.id)
            .to_owned()
    }

    /// The record's match key as it holds it (email or name).
    pub(super) fn key_of<'r>(
        &self,
        side: Side,
        object: ObjectKind,
        record: &'r Record,
    ) -> Option<&'r str> {
        record
            .fields
            .get(self.port_key_field(side, object))
            .and_then(Value::as_str)
    }

    /// Keeps the failure log in step with the outcome.
    pub(super) fn log(
        &self,
        from: Side,
        object: ObjectKind,
        id: &str,
        label: &str,
        outcome: Outcome,
    ) -> Result<Outcome, EngineError> {
        match &outcome {
            Outcome::Failed(reason) => {
                self.store
                    .record_failure(object, from, id, label, reason, self.now_ms)?
            }
            _ => self.store.clear_failure(object, from, id)?,
        }
        Ok(outcome)
    }

    pub(super) fn link(
        &self,
        side: Side,
        object: ObjectKind,
        id: &str,
    ) -> Result<Option<Link>, StoreError> {
        match side {
            Side::Salesforce => match SfId::parse(id) {
                Ok(sf_id) => self.store.link_by_salesforce(object, &sf_id),
                Err(_) => Ok(None),
            },
            Side::Helpdesk => self.store.link_by_helpdesk(object, id),
        }
    }

    async fn get(
        &self,
        side: Side,
        object: ObjectKind,
        id: &str,
    ) -> Result<Option<Record>, PortError> {
        match side {
            Side::Salesforce => self.salesforce.get(object, id).await,
            Side::Helpdesk => self.helpdesk.get(object, id).await,
        }
    }

    async fn bring_into_step(
        &self,
        from: Side,
        object: ObjectKind,
        record: &Record,
    ) -> Result<Outcome, Stop> {
        let id = record.id.as_str();
        let to = from.other();
        let link = self.link(from, object, id)?;
        let (counterpart, snapshot) = match &link {
            Some(link) => {
                // Our own write coming back, or a change to unmapped fields only.
                if self.values(from, object, record) == link.snapshot {
                    return Ok(Outcome::Unchanged);
                }
                match self.get(to, object, &link.id_on(to)).await? {
                    Some(other) => (Some(other), Some(&link.snapshot)),
                    // Deleted on the other side: an update here adds it back there.
                    None => (None, None),
                }
            }
            None => (self.find_counterpart(to, object, record).await?, None),
        };
        let parent = self.counterpart_parent(from, to, object, record).await?;
        let plan = self
            .plan(from, object, record, counterpart.as_ref(), snapshot, parent)
            .map_err(Stop::Failed)?;
        self.carry_out(from, object, record, counterpart.as_ref(), plan)
            .await
    }

    /// Writes what `plan` says for `record` (from side `from`) and its `counterpart`, and
    /// links the two with the values they now hold.
    pub(super) async fn carry_out(
        &self,
        from: Side,
        object: ObjectKind,
        record: &Record,
        counterpart: Option<&Record>,
        plan: Plan,
    ) -> Result<Outcome, Stop> {
        let (id, to) = (record.id.as_str(), from.other());
        let other_id = match (&plan.write, counterpart) {
            (Write::Create(fields), _) => self.create(to, object, fields.clone()).await?,
            (Write::Update { to: there, back }, Some(other)) => {
                if !there.is_empty() {
                    self.update(to, object, &other.id, there.clone()).await?;
                }
                if !back.is_empty() {
                    self.update(from, object, id, back.clone()).await?;
                }
                other.id.clone()
            }
            (Write::Update { .. }, None) => unreachable!("an update plan has a counterpart"),
        };
        let (salesforce_id, helpdesk_id) = match from {
            Side::Salesforce => (id.to_owned(), other_id),
            Side::Helpdesk => (other_id, id.to_owned()),
        };
        self.save_link(object, &salesforce_id, helpdesk_id, plan.agreed)?;
        Ok(plan.outcome)
    }

    /// Records the pair as linked, with the values both now hold.
    pub(super) fn save_link(
        &self,
        object: ObjectKind,
        salesforce_id: &str,
        helpdesk_id: String,
        agreed: Values,
    ) -> Result<(), Stop> {
        let salesforce_id = SfId::parse(salesforce_id).map_err(|e| {
            Stop::Failed(FailureReason::Other(format!(
                "Salesforce answered with an invalid Id: {e}"
            )))
        })?;
        self.store.save_link(&Link {
            object,
            salesforce_id,
            helpdesk_id,
            snapshot: agreed,
        })?;
        Ok(())
    }

    /// What to write where to bring `record` (from side `from`) and its `counterpart`
    /// (if any) into step, given the values they last agreed on and the counterpart's
    /// parent on the other side. Pure: the single-record path and the bulk initial sync
    /// both gather the inputs their own way and carry out the plan their own way.
    pub fn plan(
        &self,
        from: Side,
        object: ObjectKind,
        record: &Record,
        counterpart: Option<&Record>,
        snapshot: Option<&Values>,
        parent: Option<String>,
    ) -> Result<Plan, FailureReason> {
        let to = from.other();
        let from_values = self.values(from, object, record);
        let to_values = counterpart
            .map(|c| self.values(to, object, c))
            .unwrap_or_default();
        let modified = |r: Option<&Record>| r.map_or(0, |r| r.modified_ms);
        let ((sf_values, sf_modified), (hd_values, hd_modified)) = match from {
            Side::Salesforce => (
                (&from_values, modified(Some(record))),
                (&to_values, modified(counterpart)),
            ),
            Side::Helpdesk => (
                (&to_values, modified(counterpart)),
                (&from_values, modified(Some(record))),
            ),
        };
        let rules = self.settings.rules(object);
        let merged = match counterpart {
            None => merge::create(to, &rules, &from_values),
            Some(_) => merge::merge(
                self.settings.sync_type,
                &rules,
                snapshot,
                merge::Side {
                    values: sf_values,
                    modified_ms: sf_modified,
                },
                merge::Side {
                    values: hd_values,
                    modified_ms: hd_modified,
                },
            ),
        };

        let (to_changes, from_changes) = match to {
            Side::Helpdesk => (&merged.to_helpdesk, &merged.to_salesforce),
            Side::Salesforce => (&merged.to_salesforce, &merged.to_helpdesk),
        };
        let mut to_fields = self.write_fields(from, to, object, to_changes)?;
        let parent_field = self.port_parent_field(to);
        let parent_changed = match (&parent, counterpart) {
            (Some(parent_id), Some(other)) => match self.parent_of(to, other) {
                Parent::Account(id) => id != parent_id,
                Parent::None => true,
                Parent::Own => false,
            },
            (Some(_), None) => true,
            (None, _) => false,
        };
        if let Some(parent_id) = parent.filter(|_| parent_changed) {
            to_fields.insert(parent_field.to_owned(), Value::String(parent_id));
        }
        let (write, outcome) = match counterpart {
            None => (Write::Create(to_fields), Outcome::Added),
            Some(_) => {
                let back = self.write_fields(to, from, object, from_changes)?;
                let outcome = if !merged.is_noop() || parent_changed {
                    Outcome::Updated
                } else {
                    Outcome::Unchanged
                };
                (
                    Write::Update {
                        to: to_fields,
                        back,
                    },
                    outcome,
                )
            }
        };
        Ok(Plan {
            write,
            outcome,
            agreed: merged.agreed,
        })
    }

    /// A counterpart found by match key; a match already linked elsewhere is a failure.
    async fn find_counterpart(
        &self,
        to: Side,
        object: ObjectKind,
        record: &Record,
    ) -> Result<Option<Record>, Stop> {
        let from = to.other();
        let raw_key = record
            .fields
            .get(self.port_key_field(from, object))
            .and_then(Value::as_str);
        let Some(key) = matching::match_key(object, raw_key) else {
            return Ok(None);
        };
        let found = match to {
            Side::Salesforce => {
                self.salesforce
                    .find(object, raw_key.unwrap_or_default())
                    .await?
            }
            Side::Helpdesk => {
                self.helpdesk
                    .find(object, raw_key.unwrap_or_default())
                    .await?
            }
        };
        let candidates = found
            .iter()
            .map(|r| {
                Ok(Candidate {
                    id: r.id.clone(),
                    linked_elsewhere: self.link(to, object, &r.id)?.is_some(),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        match matching::choose(Some(&key), &candidates) {
            MatchOutcome::Create => Ok(None),
            MatchOutcome::Link(chosen) => Ok(found.into_iter().find(|r| r.id == chosen)),
            MatchOutcome::AlreadyMapped(_) => Err(Stop::Failed(FailureReason::AlreadyMapped)),
        }
    }

    /// The other side's id of a contact's account, syncing the account first if needed.
    async fn counterpart_parent(
        &self,
        from: Side,
        to: Side,
        object: ObjectKind,
        record: &Record,
    ) -> Result<Option<String>, Stop> {
        if object != ObjectKind::Contact {
            return Ok(None);
        }
        let Parent::Account(parent_id) = self.parent_of(from, record) else {
            return Ok(None);
        };
        if self.link(from, ObjectKind::Account, parent_id)?.is_none()
            && let Err(error) =
                Box::pin(self.sync_record(from, ObjectKind::Account, parent_id)).await
        {
            return Err(Stop::Engine(error));
        }
        Ok(self
            .link(from, ObjectKind::Account, parent_id)?
            .map(|link| match to {
                Side::Helpdesk => link.helpdesk_id,
                Side::Salesforce => link.salesforce_id.to_string(),
            }))
    }

    /// The other side's id of a contact's account when it is linked (no call: the
    /// account was brought into step before).
    pub(super) fn linked_parent(
        &self,
        from: Side,
        object: ObjectKind,
        record: &Record,
    ) -> Result<Option<String>, StoreError> {
        Ok(match self.parent_of(from, record) {
            Parent::Account(id) if object == ObjectKind::Contact => self
                .link(from, ObjectKind::Account, id)?
                .map(|link| link.id_on(from.other())),
            _ => None,
        })
    }

    fn port_key_field(&self, side: Side, object: ObjectKind) -> &'static str {
        match side {
            Side::Salesforce => self.salesforce.key_field(object),
            Side::Helpdesk => self.helpdesk.key_field(object),
        }
    }

    fn port_parent_field(&self, side: Side) -> &'static str {
        match side {
            Side::Salesforce => self.salesforce.parent_field(),
            Side::Helpdesk => self.helpdesk.parent_field(),
        }
    }

    pub(super) fn parent_of<'r>(&self, side: Side, record: &'r Record) -> Parent<'r> {
        match side {
            Side::Salesforce => self.salesforce.parent_of(record),
            Side::Helpdesk => self.helpdesk.parent_of(record),
        }
    }

    fn metas(&self, side: Side, object: ObjectKind) -> &[FieldMeta] {
        match side {
            Side::Salesforce => self.salesforce.fields(object),
            Side::Helpdesk => self.helpdesk.fields(object),
        }
    }

    /// A record's mapped values in canonical form, keyed by helpdesk field name; a field
    /// that is not synced is no part of them, so a change to it is no change.
    pub(super) fn values(&self, side: Side, object: ObjectKind, record: &Record) -> Values {
        let metas = self.metas(side, object);
        self.settings
            .pairs(object)
            .iter()
            .filter(|pair| pair.rule != mapping::SyncRule::DontSync)
            .map(|pair| {
                let name = if side == Side::Salesforce {
                    &pair.salesforce
                } else {
                    &pair.helpdesk
                };
                let kind = metas
                    .iter()
                    .find(|m| &m.name == name)
                    .map_or(mapping::ValueKind::Text, |m| m.kind);
                let value = record
                    .fields
                    .get(name)
                    .map_or(Value::Null, |v| mapping::canonical(v, kind));
                (pair.helpdesk.clone(), value)
            })
            .collect()
    }

    /// Values to write on `target`, converted to its field names and types.
    fn write_fields(
        &self,
        source: Side,
        target: Side,
        object: ObjectKind,
        values: &Values,
    ) -> Result<Map<String, Value>, FailureReason> {
        let pairs = self.settings.pairs(object);
        let (source_metas, target_metas) = (self.metas(source, object), self.metas(target, object));
        let mut fields = Map::new();
        for (key, value) in values {
            let Some(pair) = pairs.iter().find(|p| &p.helpdesk == key) else {
                continue;
            };
            let (source_name, target_name) = match target {
                Side::Helpdesk => (&pair.salesforce, &pair.helpdesk),
                Side::Salesforce => (&pair.helpdesk, &pair.salesforce),
            };
            let source_kind = source_metas
                .iter()
                .find(|m| &m.name == source_name)
                .map_or(mapping::ValueKind::Text, |m| m.kind);
            let Some(target_meta) = target_metas.iter().find(|m| &m.name == target_name) else {
                return Err(FailureReason::IncorrectParameter);
            };
            let converted =
                mapping::convert(value, source_kind, target_meta, target).map_err(|e| match e {
                    mapping::ConversionError::Kind { .. } => {
                        FailureReason::TypeMismatch(e.to_string())
                    }
                    other => FailureReason::InvalidValue(other.to_string()),
                })?;
            fields.insert(target_name.clone(), converted);
        }
        Ok(fields)
    }

    async fn create(
        &self,
        side: Side,
        object: ObjectKind,
        fields: Map<String, Value>,
    ) -> Result<String, PortError> {
        match side {
            Side::Salesforce => self.salesforce.create(object, fields).await,
            Side::Helpdesk => self.helpdesk.create(object, fields).await,
        }
    }

    async fn update(
        &self,
        side: Side,
        object: ObjectKind,
        id: &str,
        fields: Map<String, Value>,
    ) -> Result<(), PortError> {
        match side {
            Side::Salesforce => self.salesforce.update(object, id, fields).await,
            Side::Helpdesk => self.helpdesk.update(object, id, fields).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::NativeSql;
    use crate::sync::port::{Changes, Page};
    use contract::mapping::ValueKind;
    use serde_json::json;
    use std::cell::{Cell, RefCell};
    use std::collections::BTreeMap;

    fn meta(name: &str, kind: ValueKind, required: bool) -> FieldMeta {
        FieldMeta {
            required,
            ..FieldMeta::new(name, kind)
        }
    }

    /// A system held in memory, with the field names of the real one.
    struct MemoryPort {
        side: Side,
        records: RefCell<BTreeMap<(ObjectKind, String), Record>>,
        next_id: Cell<u64>,
        contacts: Vec<FieldMeta>,
        accounts: Vec<FieldMeta>,
        writes: Cell<u32>,
        clock: Cell<i64>,
        /// Ids whose reads the system refuses (a record-level error).
        unreadable: RefCell<Vec<String>>,
    }

    impl MemoryPort {
        fn salesforce() -> Self {
            let contacts = [
                "FirstName",
                "Email",
                "Phone",
                "MobilePhone",
                "Title",
                "Description",
                "AccountId",
            ]
            .iter()
            .map(|n| meta(n, ValueKind::Text, false))
            .chain([meta("LastName", ValueKind::Text, true)])
            .collect();
            let accounts = ["Phone", "Website", "Industry", "Description"]
                .iter()
                .map(|n| meta(n, ValueKind::Text, false))
                .chain([meta("Name", ValueKind::Text, true)])
                .collect();
            Self::new(Side::Salesforce, contacts, accounts)
        }

        fn helpdesk() -> Self {
            let contacts = [
                "firstName",
                "email",
                "phone",
                "mobile",
                "title",
                "description",
                "accountId",
            ]
            .iter()
            .map(|n| meta(n, ValueKind::Text, false))
            .chain([
                meta("lastName", ValueKind::Text, true),
                meta("cf_seats", ValueKind::Integer, false),
            ])
            .collect();
            let accounts = ["phone", "website", "industry", "description"]
                .iter()
                .map(|n| meta(n, ValueKind::Text, false))
                .chain([meta("accountName", ValueKind::Text, true)])
                .collect();
            Self::new(Side::Helpdesk, contacts, accounts)
        }

        fn new(side: Side, contacts: Vec<FieldMeta>, accounts: Vec<FieldMeta>) -> Self {
            MemoryPort {
                side,
                records: RefCell::default(),
                next_id: Cell::new(1),
                contacts,
                accounts,
                writes: Cell::new(0),
                clock: Cell::new(1_000),
                unreadable: RefCell::default(),
            }
        }

        fn tick(&self) -> i64 {
            self.clock.set(self.clock.get() + 1);
            self.clock.get()
        }

        fn new_id(&self, object: ObjectKind) -> String {
            let n = self.next_id.get();
            self.next_id.set(n + 1);
            match self.side {
                Side::Salesforce => SfId::from_parts(
                    if object == ObjectKind::Contact {
                        "003"
                    } else {
                        "001"
                    },
                    "5g",
                    n,
                )
                .unwrap()
                .to_string(),
                Side::Helpdesk => format!("hd{n}"),
            }
        }

        /// A person editing the record in that system's UI.
        fn put(&self, object: ObjectKind, id: Option<&str>, fields: Value) -> String {
            let id = id.map_or_else(|| self.new_id(object), str::to_owned);
            let mut records = self.records.borrow_mut();
            let modified_ms = self.tick();
            let record = records.entry((object, id.clone())).or_insert(Record {
                id: id.clone(),
                modified_ms,
                fields: Map::new(),
            });
            record.modified_ms = modified_ms;
            record.fields.extend(fields.as_object().unwrap().clone());
            id
        }

        fn field(&self, object: ObjectKind, id: &str, name: &str) -> Value {
            self.records.borrow()[&(object, id.to_owned())]
                .fields
                .get(name)
                .cloned()
                .unwrap_or(Value::Null)
        }

        fn ids(&self, object: ObjectKind) -> Vec<String> {
            self.records
                .borrow()
                .keys()
                .filter(|(o, _)| *o == object)
                .map(|(_, id)| id.clone())
                .collect()
        }

        fn delete(&self, object: ObjectKind, id: &str) {
            self.records.borrow_mut().remove(&(object, id.to_owned()));
        }
    }

    impl Port for MemoryPort {
        fn key_field(&self, object: ObjectKind) -> &'static str {
            match (self.side, object) {
                (Side::Salesforce, ObjectKind::Contact) => "Email",
                (Side::Salesforce, ObjectKind::Account) => "Name",
                (Side::Helpdesk, ObjectKind::Contact) => "email",
                (Side::Helpdesk, ObjectKind::Account) => "accountName",
            }
        }
        fn parent_field(&self) -> &'static str {
            if self.side == Side::Salesforce {
                "AccountId"
            } else {
                "accountId"
            }
        }
        /// As Salesforce's person contacts: their account is their own.
        fn parent_of<'r>(&self, record: &'r Record) -> Parent<'r> {
            if record.fields.get("IsPersonAccount") == Some(&Value::Bool(true)) {
                return Parent::Own;
            }
            Parent::named(record, self.parent_field())
        }
        fn fields(&self, object: ObjectKind) -> &[FieldMeta] {
            if object == ObjectKind::Contact {
                &self.contacts
            } else {
                &self.accounts
            }
        }
        async fn get(&self, object: ObjectKind, id: &str) -> Result<Option<Record>, PortError> {
            if self.unreadable.borrow().iter().any(|u| u == id) {
                return Err(PortError::Record(FailureReason::IncorrectParameter));
            }
            Ok(self.records.borrow().get(&(object, id.to_owned())).cloned())
        }
        async fn find(&self, object: ObjectKind, key: &str) -> Result<Vec<Record>, PortError> {
            let field = self.key_field(object);
            Ok(self
                .records
                .borrow()
                .iter()
                .filter(|((o, _), r)| {
                    *o == object
                        && r.fields
                            .get(field)
                            .and_then(Value::as_str)
                            .is_some_and(|v| v.eq_ignore_ascii_case(key))
                })
                .map(|(_, r)| r.clone())
                .collect())
        }
        async fn create(
            &self,
            object: ObjectKind,
            fields: Map<String, Value>,
        ) -> Result<String, PortError> {
            let required = self
                .fields(object)
                .iter()
                .filter(|m| m.required)
                .map(|m| m.name.clone())
                .collect::<Vec<_>>();
            if required
                .iter()
                .any(|r| fields.get(r).is_none_or(Value::is_null))
            {
                return Err(PortError::Record(FailureReason::MandatoryFieldMissing));
            }
            self.writes.set(self.writes.get() + 1);
            Ok(self.put(object, None, Value::Object(fields)))
        }
        async fn update(
            &self,
            object: ObjectKind,
            id: &str,
            fields: Map<String, Value>,
        ) -> Result<(), PortError> {
            self.writes.set(self.writes.get() + 1);
            self.put(object, Some(id), Value::Object(fields));
            Ok(())
        }
        async fn changed_since(
            &self,
            object: ObjectKind,
            since_ms: i64,
            _after: Option<&str>,
        ) -> Result<Changes, PortError> {
            let records = self
                .records
                .borrow()
                .iter()
                .filter(|((o, _), r)| *o == object && r.modified_ms >= since_ms)
                .map(|(_, r)| r.clone())
                .collect();
            Ok(Changes {
                records,
                next: None,
            })
        }
        /// Pages of three, so the initial sync's paging is exercised.
        async fn page(&self, object: ObjectKind, cursor: Option<&str>) -> Result<Page, PortError> {
            let records: Vec<Record> = self
                .records
                .borrow()
                .iter()
                .filter(|((o, id), _)| *o == object && cursor.is_none_or(|c| id.as_str() > c))
                .take(3)
                .map(|(_, r)| r.clone())
                .collect();
            let next = (records.len() == 3).then(|| records[2].id.clone());
            Ok(Page { records, next })
        }
    }

    struct World {
        store: Store<NativeSql>,
        salesforce: MemoryPort,
        helpdesk: MemoryPort,
        settings: Settings,
    }

    impl World {
        fn new() -> Self {
            World {
                store: Store::open(NativeSql::in_memory()).unwrap(),
                salesforce: MemoryPort::salesforce(),
                helpdesk: MemoryPort::helpdesk(),
                settings: Settings::default(),
            }
        }

        fn engine(&self) -> Engine<'_, NativeSql, MemoryPort, MemoryPort> {
            Engine {
                store: &self.store,
                salesforce: &self.salesforce,
                helpdesk: &self.helpdesk,
                settings: &self.settings,
                now_ms: 5,
            }
        }

        fn sync(&self, from: Side, object: ObjectKind, id: &str) -> Outcome {
            block_on(self.engine().sync_record(from, object, id)).unwrap()
        }

        /// A Salesforce contact synced to the helpdesk: its id there and here.
        fn synced_contact(&self) -> (String, String) {
            let contact = self.salesforce.put(
                ObjectKind::Contact,
                None,
                json!({"LastName": "Patel", "Email": "m@x.example"}),
            );
            self.sync(Side::Salesforce, ObjectKind::Contact, &contact);
            let hd = self.helpdesk.ids(ObjectKind::Contact)[0].clone();
            (contact, hd)
        }

        /// An agent edits the helpdesk contact `hd`, and its webhook arrives.
        fn edit_in_helpdesk(&self, hd: &str, fields: Value) -> Outcome {
            self.helpdesk.put(ObjectKind::Contact, Some(hd), fields);
            self.sync(Side::Helpdesk, ObjectKind::Contact, hd)
        }
    }

    /// The ports here never wait, so a single poll completes every future.
    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        let waker = std::task::Waker::noop();
        let mut context = std::task::Context::from_waker(waker);
        match std::pin::pin!(future).poll(&mut context) {
            std::task::Poll::Ready(output) => output,
            std::task::Poll::Pending => panic!("memory ports complete immediately"),
        }
    }

    /// Runs the initial sync to its end, counting the steps.
    fn initial(w: &World) -> (crate::sync::initial::InitialSync, u32) {
        let mut run = crate::sync::initial::start(&w.store, w.settings.sync_type, 5).unwrap();
        let mut steps = 0;
        while !run.is_finished() {
            block_on(w.engine().advance_initial(&mut run)).unwrap();
            steps += 1;
            assert!(steps < 100, "the initial sync does not end");
        }
        (run, steps)
    }

    #[test]
    fn one_unreadable_record_in_the_inbox_is_logged_and_the_others_are_applied() {
        let w = World::new();
        let ids: Vec<String> = (0..3)
            .map(|n| {
                w.helpdesk.put(
                    ObjectKind::Contact,
                    None,
                    json!({"lastName": format!("Hd{n}"), "email": format!("hd{n}@x.example")}),
                )
            })
            .collect();
        w.helpdesk.unreadable.borrow_mut().push(ids[1].clone());
        for id in &ids {
            w.store
                .enqueue(Side::Helpdesk, ObjectKind::Contact, id, 5)
                .unwrap();
        }
        let mut tallies = crate::sync::ongoing::Tallies::default();
        block_on(w.engine().process_inbox(100, &mut tallies)).unwrap();
        assert_eq!(
            w.store.inbox_len().unwrap(),
            0,
            "nothing left to retry for ever"
        );
        assert_eq!(w.salesforce.ids(ObjectKind::Contact).len(), 2);
        let failures = w.store.failures(None).unwrap();
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert_eq!(failures[0].record_id, ids[1]);
        let total = tallies.total();
        assert_eq!((total.added, total.failed), (2, 1));
    }

    #[test]
    fn linked_records_in_the_inbox_are_merged_and_written_together() {
        let w = World::new();
        let contacts: Vec<String> = (0..4)
            .map(|n| {
                let id = w.salesforce.put(
                    ObjectKind::Contact,
                    None,
                    json!({"LastName": format!("Sf{n}"), "Email": format!("sf{n}@x.example")}),
                );
                w.sync(Side::Salesforce, ObjectKind::Contact, &id);
                id
            })
            .collect();
        let counterpart = |id: &str| {
            w.store
                .link_by_salesforce(ObjectKind::Contact, &SfId::parse(id).unwrap())
                .unwrap()
                .unwrap()
                .helpdesk_id
        };
        let hd: Vec<String> = contacts.iter().map(|id| counterpart(id)).collect();
        // 0: a data load's title; 1: notified but unchanged; 2: changed here, its
        // counterpart deleted there; 3: changed on both sides, in different fields.
        for n in [0, 2, 3] {
            w.salesforce.put(
                ObjectKind::Contact,
                Some(&contacts[n]),
                json!({"Title": "Loaded"}),
            );
        }
        w.helpdesk.delete(ObjectKind::Contact, &hd[2]);
        w.helpdesk
            .put(ObjectKind::Contact, Some(&hd[3]), json!({"phone": "555"}));
        for id in &contacts {
            w.store
                .enqueue(Side::Salesforce, ObjectKind::Contact, id, 5)
                .unwrap();
        }
        let (sf_writes, hd_writes) = (w.salesforce.writes.get(), w.helpdesk.writes.get());

        let mut tallies = crate::sync::ongoing::Tallies::default();
        block_on(w.engine().process_inbox(100, &mut tallies)).unwrap();

        assert_eq!(w.store.inbox_len().unwrap(), 0);
        let title = |id: &str| w.helpdesk.field(ObjectKind::Contact, id, "title");
        assert_eq!(title(&hd[0]), json!("Loaded"));
        assert_eq!(title(&hd[1]), Value::Null, "nothing to write");
        assert_eq!(title(&hd[3]), json!("Loaded"));
        assert_eq!(
            title(&counterpart(&contacts[2])),
            json!("Loaded"),
            "a deleted counterpart is added back"
        );
        assert_ne!(counterpart(&contacts[2]), hd[2]);
        assert_eq!(
            w.salesforce
                .field(ObjectKind::Contact, &contacts[3], "Phone"),
            json!("555"),
            "the helpdesk's own edit goes back"
        );
        assert_eq!(
            (
                w.helpdesk.writes.get() - hd_writes,
                w.salesforce.writes.get() - sf_writes
            ),
            (3, 1),
            "two updates and a create there, one update back"
        );
        let total = tallies.total();
        assert_eq!((total.added, total.updated, total.failed), (1, 2, 0));
        assert!(w.store.failures(None).unwrap().is_empty());
    }

    #[test]
    fn the_initial_sync_matches_duplicates_links_accounts_and_exports_the_rest() {
        let w = World::new();
        let northwind = w
            .salesforce
            .put(ObjectKind::Account, None, json!({"Name": "Northwind"}));
        w.salesforce
            .put(ObjectKind::Account, None, json!({"Name": "Contoso"}));
        let maya = w.salesforce.put(
            ObjectKind::Contact,
            None,
            json!({"LastName": "Patel", "Email": "maya@nw.example", "AccountId": northwind}),
        );
        w.salesforce
            .put(ObjectKind::Contact, None, json!({"LastName": "Nomail"}));
        for n in 0..4 {
            w.salesforce.put(
                ObjectKind::Contact,
                None,
                json!({"LastName": format!("Sf{n}"), "Email": format!("sf{n}@x.example")}),
            );
        }
        let hd_northwind = w.helpdesk.put(
            ObjectKind::Account,
            None,
            json!({"accountName": "NORTHWIND", "website": "nw.example"}),
        );
        let hd_maya = w.helpdesk.put(
            ObjectKind::Contact,
            None,
            json!({"lastName": "Patel", "email": "Maya@NW.example"}),
        );
        w.helpdesk.put(
            ObjectKind::Contact,
            None,
            json!({"lastName": "Helpdesk only", "email": "hd@x.example"}),
        );

        let (run, _) = initial(&w);

        // Salesforce: 2 accounts; the helpdesk: 1 + 1 new. Contacts: 6 + 1 exported back.
        assert_eq!(w.helpdesk.ids(ObjectKind::Account).len(), 2);
        assert_eq!(w.salesforce.ids(ObjectKind::Contact).len(), 7);
        assert_eq!(w.helpdesk.ids(ObjectKind::Contact).len(), 7);
        assert_eq!(w.store.link_count(ObjectKind::Contact).unwrap(), 7);
        let link = w
            .store
            .link_by_helpdesk(ObjectKind::Contact, &hd_maya)
            .unwrap()
            .unwrap();
        assert_eq!(link.salesforce_id.as_str(), maya);
        assert_eq!(
            w.helpdesk.field(ObjectKind::Contact, &hd_maya, "accountId"),
            json!(hd_northwind),
            "the contact's account link is carried across"
        );
        assert_eq!(
            w.salesforce
                .field(ObjectKind::Account, &northwind, "Website"),
            json!("nw.example"),
            "a field only the helpdesk had flows to Salesforce"
        );
        let steps: Vec<_> = run
            .steps
            .iter()
            .map(|s| (s.done, s.total, s.finished))
            .collect();
        assert_eq!(
            steps,
            [
                (2, Some(2), true),
                (6, Some(6), true),
                (1, Some(1), true),
                (2, Some(2), true)
            ]
        );
        let runs = w.store.runs(10).unwrap();
        let added: u32 = runs.iter().map(|r| r.added).sum();
        assert_eq!(
            added,
            1 + 5 + 1,
            "1 account and 5 contacts out, 1 contact back"
        );
        assert!(run.finished_ms.is_some());
    }

    #[test]
    fn a_second_initial_sync_changes_nothing() {
        let w = World::new();
        for n in 0..5 {
            w.salesforce.put(
                ObjectKind::Contact,
                None,
                json!({"LastName": format!("C{n}"), "Email": format!("c{n}@x.example")}),
            );
        }
        initial(&w);
        let writes = (w.salesforce.writes.get(), w.helpdesk.writes.get());
        let (run, _) = initial(&w);
        assert_eq!((w.salesforce.writes.get(), w.helpdesk.writes.get()), writes);
        assert_eq!(w.helpdesk.ids(ObjectKind::Contact).len(), 5);
        assert!(run.steps.iter().all(|s| s.finished));
    }

    #[test]
    fn a_new_salesforce_contact_is_created_in_the_helpdesk_with_its_account() {
        let w = World::new();
        let account = w.salesforce.put(
            ObjectKind::Account,
            None,
            json!({"Name": "Northwind", "Phone": "1"}),
        );
        let contact = w.salesforce.put(
            ObjectKind::Contact,
            None,
            json!({"LastName": "Patel", "Email": "maya@nw.example", "AccountId": account}),
        );
        assert_eq!(
            w.sync(Side::Salesforce, ObjectKind::Contact, &contact),
            Outcome::Added
        );
        let hd_contact = &w.helpdesk.ids(ObjectKind::Contact)[0];
        let hd_account = &w.helpdesk.ids(ObjectKind::Account)[0];
        assert_eq!(
            w.helpdesk
                .field(ObjectKind::Contact, hd_contact, "lastName"),
            json!("Patel")
        );
        assert_eq!(
            w.helpdesk
                .field(ObjectKind::Contact, hd_contact, "accountId"),
            json!(hd_account)
        );
        assert_eq!(
            w.helpdesk
                .field(ObjectKind::Account, hd_account, "accountName"),
            json!("Northwind")
        );
        assert_eq!(w.store.link_count(ObjectKind::Account).unwrap(), 1);
    }

    #[test]
    fn duplicates_are_linked_by_email_regardless_of_case() {
        let w = World::new();
        let existing = w.helpdesk.put(
            ObjectKind::Contact,
            None,
            json!({"lastName": "Patel", "email": "MAYA@nw.example", "phone": "555"}),
        );
        let contact = w.salesforce.put(
            ObjectKind::Contact,
            None,
            json!({"LastName": "Patel", "Email": "maya@nw.example", "Title": "Ops"}),
        );
        assert_eq!(
            w.sync(Side::Salesforce, ObjectKind::Contact, &contact),
            Outcome::Updated
        );
        assert_eq!(
            w.helpdesk.ids(ObjectKind::Contact),
            vec![existing.clone()],
            "no duplicate was created"
        );
        // First meeting fills gaps both ways.
        assert_eq!(
            w.helpdesk.field(ObjectKind::Contact, &existing, "title"),
            json!("Ops")
        );
        assert_eq!(
            w.salesforce.field(ObjectKind::Contact, &contact, "Phone"),
            json!("555")
        );
    }

    #[test]
    fn accounts_match_by_name_and_a_taken_match_fails_with_the_reference_message() {
        let w = World::new();
        w.helpdesk
            .put(ObjectKind::Account, None, json!({"accountName": "Acme"}));
        let first = w
            .salesforce
            .put(ObjectKind::Account, None, json!({"Name": "ACME"}));
        let second = w
            .salesforce
            .put(ObjectKind::Account, None, json!({"Name": "acme"}));
        assert_eq!(
            w.sync(Side::Salesforce, ObjectKind::Account, &first),
            Outcome::Updated
        );
        assert_eq!(
            w.sync(Side::Salesforce, ObjectKind::Account, &second),
            Outcome::Failed(FailureReason::AlreadyMapped)
        );
        let failures = w.store.failures(None).unwrap();
        assert_eq!(failures.len(), 1);
        assert_eq!(
            failures[0].reason.to_string(),
            "CRM ID is already mapped with another Support Entity"
        );
        assert_eq!(
            failures[0].label, "acme",
            "the log names the record as people know it"
        );
    }

    #[test]
    fn contacts_without_email_are_created_not_matched() {
        let w = World::new();
        w.helpdesk
            .put(ObjectKind::Contact, None, json!({"lastName": "Nomail"}));
        let contact = w
            .salesforce
            .put(ObjectKind::Contact, None, json!({"LastName": "Nomail"}));
        assert_eq!(
            w.sync(Side::Salesforce, ObjectKind::Contact, &contact),
            Outcome::Added
        );
        assert_eq!(w.helpdesk.ids(ObjectKind::Contact).len(), 2);
    }

    #[test]
    fn our_own_write_coming_back_is_not_a_change() {
        let w = World::new();
        let (_, hd) = w.synced_contact();
        let writes = (w.salesforce.writes.get(), w.helpdesk.writes.get());
        // The helpdesk's webhook for the record we just created:
        assert_eq!(
            w.sync(Side::Helpdesk, ObjectKind::Contact, &hd),
            Outcome::Unchanged
        );
        assert_eq!(
            (w.salesforce.writes.get(), w.helpdesk.writes.get()),
            writes,
            "no echo write either way"
        );
    }

    #[test]
    fn two_way_changes_flow_back_to_salesforce() {
        let w = World::new();
        let (contact, hd) = w.synced_contact();
        assert_eq!(
            w.edit_in_helpdesk(&hd, json!({"title": "Head of Ops"})),
            Outcome::Updated
        );
        assert_eq!(
            w.salesforce.field(ObjectKind::Contact, &contact, "Title"),
            json!("Head of Ops")
        );
    }

    /// The contact's title under `rule`, two-way.
    fn title_under(rule: mapping::SyncRule) -> World {
        let mut w = World::new();
        for pair in &mut w.settings.contacts {
            if pair.helpdesk == "title" {
                pair.rule = rule;
            }
        }
        w
    }

    #[test]
    fn salesforce_always_wins_puts_salesforces_value_back_over_a_helpdesk_edit() {
        let w = title_under(mapping::SyncRule::SalesforceWins);
        let (contact, hd) = w.synced_contact();
        w.salesforce
            .put(ObjectKind::Contact, Some(&contact), json!({"Title": "CTO"}));
        w.sync(Side::Salesforce, ObjectKind::Contact, &contact);
        assert_eq!(
            w.edit_in_helpdesk(&hd, json!({"title": "Boss", "phone": "555"})),
            Outcome::Updated
        );
        assert_eq!(
            w.helpdesk.field(ObjectKind::Contact, &hd, "title"),
            json!("CTO")
        );
        // The rest of the helpdesk edit, two-way, still goes over.
        assert_eq!(
            w.salesforce.field(ObjectKind::Contact, &contact, "Phone"),
            json!("555")
        );
        assert_eq!(
            w.salesforce.field(ObjectKind::Contact, &contact, "Title"),
            json!("CTO")
        );
    }

    #[test]
    fn dont_sync_carries_a_field_neither_way_nor_on_create() {
        let w = title_under(mapping::SyncRule::DontSync);
        let contact = w.salesforce.put(
            ObjectKind::Contact,
            None,
            json!({"LastName": "Patel", "Email": "m@x.example", "Title": "CTO"}),
        );
        w.sync(Side::Salesforce, ObjectKind::Contact, &contact);
        let hd = w.helpdesk.ids(ObjectKind::Contact)[0].clone();
        assert_eq!(
            w.helpdesk.field(ObjectKind::Contact, &hd, "title"),
            Value::Null
        );
        let writes = w.salesforce.writes.get();
        assert_eq!(
            w.edit_in_helpdesk(&hd, json!({"title": "Boss"})),
            Outcome::Unchanged
        );
        assert_eq!(w.salesforce.writes.get(), writes);
        assert_eq!(
            w.salesforce.field(ObjectKind::Contact, &contact, "Title"),
            json!("CTO")
        );
    }

    #[test]
    fn a_contact_created_in_salesforce_keeps_a_field_the_helpdesk_always_wins() {
        let w = title_under(mapping::SyncRule::HelpdeskWins);
        let contact = w.salesforce.put(
            ObjectKind::Contact,
            None,
            json!({"LastName": "Patel", "Email": "m@x.example", "Title": "CTO"}),
        );
        assert_eq!(
            w.sync(Side::Salesforce, ObjectKind::Contact, &contact),
            Outcome::Added
        );
        let hd = w.helpdesk.ids(ObjectKind::Contact)[0].clone();
        assert_eq!(
            w.helpdesk.field(ObjectKind::Contact, &hd, "title"),
            json!("CTO")
        );
        // The next change to the pair finds both sides agreeing: nothing is blanked.
        w.salesforce
            .put(ObjectKind::Contact, Some(&contact), json!({"Phone": "555"}));
        w.sync(Side::Salesforce, ObjectKind::Contact, &contact);
        assert_eq!(
            w.salesforce.field(ObjectKind::Contact, &contact, "Title"),
            json!("CTO")
        );
        assert_eq!(
            w.helpdesk.field(ObjectKind::Contact, &hd, "title"),
            json!("CTO")
        );
    }

    /// Runs a drift check to its end.
    fn drift_check(w: &World) -> contract::history::DriftRun {
        let mut check = crate::sync::drift::start(&w.store, 5).unwrap();
        let mut steps = 0;
        while !check.is_finished() {
            block_on(w.engine().advance_drift(&mut check)).unwrap();
            steps += 1;
            assert!(steps < 100, "the drift check does not end");
        }
        check.counts
    }

    #[test]
    fn a_drift_check_repairs_what_no_notification_brought_by_each_fields_rule() {
        let w = title_under(mapping::SyncRule::HelpdeskWins);
        let mut pairs = Vec::new();
        for n in 0..4 {
            let contact = w.salesforce.put(
                ObjectKind::Contact,
                None,
                json!({"LastName": format!("P{n}"), "Email": format!("p{n}@x.example")}),
            );
            w.sync(Side::Salesforce, ObjectKind::Contact, &contact);
            let hd = w
                .store
                .link_by_salesforce(ObjectKind::Contact, &SfId::parse(&contact).unwrap())
                .unwrap()
                .unwrap()
                .helpdesk_id;
            // The title is the helpdesk's to set.
            w.edit_in_helpdesk(&hd, json!({"title": "CTO"}));
            pairs.push((contact, hd));
        }
        assert_eq!(drift_check(&w).differing, 0, "all in step");
        // Behind the engine's back (no sync call): a Salesforce phone edit, a helpdesk
        // phone edit, and a Salesforce title edit that the helpdesk's rule undoes.
        let (sf0, hd0) = &pairs[0];
        let (sf1, hd1) = &pairs[1];
        let (sf2, hd2) = &pairs[2];
        w.salesforce
            .put(ObjectKind::Contact, Some(sf0), json!({"Phone": "111"}));
        w.helpdesk
            .put(ObjectKind::Contact, Some(hd1), json!({"phone": "222"}));
        w.salesforce
            .put(ObjectKind::Contact, Some(sf2), json!({"Title": "Intern"}));

        let counts = drift_check(&w);
        assert_eq!(
            (
                counts.compared,
                counts.differing,
                counts.repaired,
                counts.failed
            ),
            (4, 3, 3, 0)
        );
        assert_eq!(
            w.helpdesk.field(ObjectKind::Contact, hd0, "phone"),
            json!("111")
        );
        assert_eq!(
            w.salesforce.field(ObjectKind::Contact, sf1, "Phone"),
            json!("222")
        );
        assert_eq!(
            w.salesforce.field(ObjectKind::Contact, sf2, "Title"),
            json!("CTO")
        );
        assert_eq!(
            w.helpdesk.field(ObjectKind::Contact, hd2, "title"),
            json!("CTO")
        );
        let drift_runs: Vec<_> = w
            .store
            .runs(5)
            .unwrap()
            .into_iter()
            .filter(|run| run.kind == contract::history::RunKind::Drift)
            .collect();
        assert_eq!(
            drift_runs.len(),
            1,
            "one line per object with repairs: {drift_runs:?}"
        );
        assert_eq!(drift_runs[0].updated, 3);
        assert_eq!(w.store.drift_runs(5).unwrap().len(), 2);
        assert_eq!(drift_check(&w).differing, 0, "repaired for good");
    }

    #[test]
    fn a_drift_check_resumes_from_its_stored_state() {
        let w = World::new();
        for n in 0..5 {
            let contact = w.salesforce.put(
                ObjectKind::Contact,
                None,
                json!({"LastName": format!("P{n}"), "Email": format!("p{n}@x.example")}),
            );
            w.sync(Side::Salesforce, ObjectKind::Contact, &contact);
        }
        let mut check = crate::sync::drift::start(&w.store, 5).unwrap();
        // Accounts (none here), then the first page of three contacts.
        block_on(w.engine().advance_drift(&mut check)).unwrap();
        block_on(w.engine().advance_drift(&mut check)).unwrap();
        assert_eq!(check.counts.compared, 3);
        // A restart: the check goes on from the store, not from the start.
        let mut resumed = crate::sync::drift::start(&w.store, 6).unwrap();
        assert_eq!(resumed, check);
        block_on(w.engine().advance_drift(&mut resumed)).unwrap();
        assert!(resumed.is_finished());
        assert_eq!(resumed.counts.compared, 5);
    }

    #[test]
    fn one_way_ignores_helpdesk_changes() {
        let mut w = World::new();
        w.settings.sync_type = SyncType::SalesforceToHelpdesk;
        let (contact, hd) = w.synced_contact();
        assert_eq!(
            w.edit_in_helpdesk(&hd, json!({"title": "Changed here"})),
            Outcome::Unchanged
        );
        assert_eq!(
            w.salesforce.field(ObjectKind::Contact, &contact, "Title"),
            Value::Null
        );
    }

    #[test]
    fn deletes_do_not_propagate_and_an_update_adds_the_record_back() {
        let w = World::new();
        let (contact, hd) = w.synced_contact();
        w.helpdesk.delete(ObjectKind::Contact, &hd);
        assert_eq!(
            w.sync(Side::Helpdesk, ObjectKind::Contact, &hd),
            Outcome::Unchanged
        );
        assert_eq!(
            w.salesforce.ids(ObjectKind::Contact),
            vec![contact.clone()],
            "the Salesforce record stays"
        );
        w.salesforce.put(
            ObjectKind::Contact,
            Some(&contact),
            json!({"Title": "Back"}),
        );
        assert_eq!(
            w.sync(Side::Salesforce, ObjectKind::Contact, &contact),
            Outcome::Added
        );
        let again = w.helpdesk.ids(ObjectKind::Contact);
        assert_eq!(again.len(), 1);
        assert_eq!(
            w.helpdesk.field(ObjectKind::Contact, &again[0], "title"),
            json!("Back")
        );
        assert_eq!(
            w.store
                .link_by_helpdesk(ObjectKind::Contact, &again[0])
                .unwrap()
                .unwrap()
                .salesforce_id
                .as_str(),
            contact
        );
    }

    #[test]
    fn a_type_mismatch_goes_to_the_failure_log_and_clears_when_fixed() {
        let mut w = World::new();
        w.settings
            .contacts
            .push(FieldPair::new("cf_seats", "Description"));
        let contact = w.salesforce.put(
            ObjectKind::Contact,
            None,
            json!({"LastName": "Patel", "Description": "lots"}),
        );
        let outcome = w.sync(Side::Salesforce, ObjectKind::Contact, &contact);
        assert_eq!(
            outcome,
            Outcome::Failed(FailureReason::TypeMismatch(
                "Text value is given for an Integer field (cf_seats)".into()
            ))
        );
        assert_eq!(
            w.store.failures(Some(ObjectKind::Contact)).unwrap().len(),
            1
        );
        w.salesforce.put(
            ObjectKind::Contact,
            Some(&contact),
            json!({"Description": "12"}),
        );
        // Still text: "12" is a string in a Text field; fix the mapping instead.
        w.settings.contacts.pop();
        assert_eq!(
            w.sync(Side::Salesforce, ObjectKind::Contact, &contact),
            Outcome::Added
        );
        assert!(w.store.failures(None).unwrap().is_empty());
    }

    /// A person account in Salesforce: its account half and its person contact.
    fn person(w: &World, last_name: &str, email: &str) -> String {
        let account = w.salesforce.put(
            ObjectKind::Account,
            None,
            json!({"Name": last_name, "IsPersonAccount": true}),
        );
        w.salesforce.put(
            ObjectKind::Contact,
            None,
            json!({"LastName": last_name, "Email": email, "AccountId": account, "IsPersonAccount": true}),
        )
    }

    #[test]
    fn a_person_contact_becomes_a_helpdesk_contact_without_an_account() {
        let w = World::new();
        let contact = person(&w, "Lovelace", "ada@x.example");
        assert_eq!(
            w.sync(Side::Salesforce, ObjectKind::Contact, &contact),
            Outcome::Added
        );
        let hd = &w.helpdesk.ids(ObjectKind::Contact)[0];
        assert_eq!(
            w.helpdesk.field(ObjectKind::Contact, hd, "accountId"),
            Value::Null
        );
        assert!(w.helpdesk.ids(ObjectKind::Account).is_empty());
        assert_eq!(w.store.link_count(ObjectKind::Account).unwrap(), 0);
    }

    #[test]
    fn a_person_contacts_account_is_never_written() {
        let w = World::new();
        let contact = person(&w, "Lovelace", "ada@x.example");
        let business = w
            .salesforce
            .put(ObjectKind::Account, None, json!({"Name": "Engines Ltd"}));
        w.sync(Side::Salesforce, ObjectKind::Account, &business);
        w.sync(Side::Salesforce, ObjectKind::Contact, &contact);
        let person_account = w
            .salesforce
            .field(ObjectKind::Contact, &contact, "AccountId");
        let hd = w.helpdesk.ids(ObjectKind::Contact)[0].clone();
        let hd_business = w.helpdesk.ids(ObjectKind::Account)[0].clone();
        // An agent files the person under a company and changes her title.
        assert_eq!(
            w.edit_in_helpdesk(&hd, json!({"accountId": hd_business, "title": "Countess"})),
            Outcome::Updated
        );
        assert_eq!(
            w.salesforce.field(ObjectKind::Contact, &contact, "Title"),
            json!("Countess")
        );
        assert_eq!(
            w.salesforce
                .field(ObjectKind::Contact, &contact, "AccountId"),
            person_account
        );
    }

    #[test]
    fn pairs_whose_salesforce_field_the_org_hides_are_left_out() {
        let visible = |names: &[&str]| -> Vec<FieldMeta> {
            names
                .iter()
                .map(|n| FieldMeta::new(n, ValueKind::Text))
                .collect()
        };
        let settings = Settings::default().offered_by(
            &visible(&[
                "FirstName",
                "LastName",
                "Email",
                "MobilePhone",
                "Description",
            ]),
            &visible(&["Name", "Phone", "Website", "Description"]),
        );
        let salesforce = |pairs: &[FieldPair]| -> Vec<String> {
            pairs.iter().map(|p| p.salesforce.clone()).collect()
        };
        assert_eq!(
            salesforce(&settings.contacts),
            [
                "FirstName",
                "LastName",
                "Email",
                "MobilePhone",
                "Description"
            ]
        );
        assert_eq!(
            salesforce(&settings.accounts),
            ["Name", "Phone", "Website", "Description"]
        );
        assert_eq!(settings.sync_type, SyncType::TwoWay);
    }

    #[test]
    fn a_missing_mandatory_value_is_reported() {
        let w = World::new();
        let contact = w
            .helpdesk
            .put(ObjectKind::Contact, None, json!({"email": "x@y.example"}));
        assert_eq!(
            w.sync(Side::Helpdesk, ObjectKind::Contact, &contact),
            Outcome::Failed(FailureReason::MandatoryFieldMissing)
        );
    }
}
