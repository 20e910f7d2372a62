//! The ports: what the engine needs from each system, and the shapes that cross them.
//! Salesforce and the helpdesk each implement [`Port`] (`salesforce_port.rs`,
//! `helpdesk_port.rs`); the engine, the store and the sync's runs speak these types.

use super::failure::FailureReason;
use contract::mapping::{FieldMeta, ObjectKind};
use serde_json::{Map, Value};

/// One record as a side holds it: API field names to values.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub id: String,
    pub modified_ms: i64,
    pub fields: Map<String, Value>,
}

/// Why a side could not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortError {
    /// This record cannot be synced as it is; it goes to the failure log.
    #[error("{0}")]
    Record(FailureReason),
    /// The side is unavailable or out of allowance; try the whole change again later.
    #[error("{0}")]
    Unavailable(String),
    /// The side's API allowance for the day is spent, or the sync's share of it: nothing
    /// more until it is back, in `retry_after_ms` when the side said.
    #[error("{detail}")]
    OutOfAllowance {
        detail: String,
        retry_after_ms: Option<i64>,
    },
    /// That side's access was revoked: nothing syncs until an admin reconnects it.
    #[error("reconnect {0:?}")]
    Reconnect(contract::side::Side),
    /// The side's fields changed since they were read (field-level security now hides one
    /// the sync names): read them again, then try the whole change again.
    #[error("{0}")]
    FieldsChanged(String),
}

/// A contact's account, as a side holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parent<'r> {
    None,
    Account(&'r str),
    /// The contact is its account's own half (a Salesforce person account's person
    /// contact): that account is not carried across, and the contact's account is never
    /// written, since it cannot change.
    Own,
}

impl<'r> Parent<'r> {
    /// The account a contact's `field` names.
    pub fn named(record: &'r Record, field: &str) -> Self {
        match record.fields.get(field).and_then(Value::as_str) {
            Some(id) if !id.is_empty() => Parent::Account(id),
            _ => Parent::None,
        }
    }
}

/// What one step of [`Port::changed_since`] read.
#[derive(Debug, Default)]
pub struct Changes {
    /// Changed records, read, to bring into step now.
    pub records: Vec<Record>,
    /// Where the next step goes on, in the side's own terms; `None` once every change
    /// since the start was read. A data load may change a hundred thousand records at
    /// once, more than one step can bring into step.
    pub next: Option<String>,
}

/// What the engine needs from one system.
#[allow(async_fn_in_trait)] // Not Send: the Worker's handles are !Send.
pub trait Port {
    /// The field holding the match key: the contact's email, the account's name.
    fn key_field(&self, object: ObjectKind) -> &'static str;
    /// The contact's account reference.
    fn parent_field(&self) -> &'static str;
    /// A contact's account.
    fn parent_of<'r>(&self, record: &'r Record) -> Parent<'r> {
        Parent::named(record, self.parent_field())
    }
    fn fields(&self, object: ObjectKind) -> &[FieldMeta];
    /// `None` when the record does not exist (or was deleted).
    async fn get(&self, object: ObjectKind, id: &str) -> Result<Option<Record>, PortError>;
    /// Records whose key field equals `key` (case-insensitively for emails).
    async fn find(&self, object: ObjectKind, key: &str) -> Result<Vec<Record>, PortError>;
    async fn create(
        &self,
        object: ObjectKind,
        fields: Map<String, Value>,
    ) -> Result<String, PortError>;
    async fn update(
        &self,
        object: ObjectKind,
        id: &str,
        fields: Map<String, Value>,
    ) -> Result<(), PortError>;

    /// The records among `ids` that exist, in as few calls as the side allows.
    async fn get_many(&self, object: ObjectKind, ids: &[&str]) -> Result<Vec<Record>, PortError> {
        let mut found = Vec::with_capacity(ids.len());
        for id in ids {
            found.extend(self.get(object, id).await?);
        }
        Ok(found)
    }

    /// Records of `object` changed at or after `since_ms` (with some before: callers
    /// overlap windows), one bounded step at a time: `after` is the previous step's
    /// [`Changes::next`], `None` for the first.
    async fn changed_since(
        &self,
        object: ObjectKind,
        since_ms: i64,
        after: Option<&str>,
    ) -> Result<Changes, PortError>;

    /// One page of every record of `object`, in a stable order; `cursor` is the previous
    /// page's [`Page::next`].
    async fn page(&self, object: ObjectKind, cursor: Option<&str>) -> Result<Page, PortError>;

    /// Creates each record, in the side's largest batches; one result per record, in order.
    async fn create_many(
        &self,
        object: ObjectKind,
        records: Vec<Map<String, Value>>,
    ) -> Result<Vec<Result<String, FailureReason>>, PortError> {
        let mut results = Vec::with_capacity(records.len());
        for fields in records {
            results.push(self.create(object, fields).await);
        }
        per_record(results)
    }

    /// Updates each `(id, fields)`, in the side's largest batches; results in order.
    async fn update_many(
        &self,
        object: ObjectKind,
        records: Vec<(String, Map<String, Value>)>,
    ) -> Result<Vec<Result<(), FailureReason>>, PortError> {
        let mut results = Vec::with_capacity(records.len());
        for (id, fields) in records {
            results.push(self.update(object, &id, fields).await);
        }
        per_record(results)
    }

    /// The most new records one background job of [`Port::queue_export`] takes; 0 on a
    /// side that has none.
    fn export_limit(&self) -> usize {
        0
    }

    /// Queues new records, each with the id of its source record, as one background job
    /// on a side that has one (the helpdesk's Import API): the job's id, or `None` when
    /// the side writes them with [`Port::create_many`] instead.
    async fn queue_export(
        &self,
        _object: ObjectKind,
        _records: Vec<(String, Map<String, Value>)>,
    ) -> Result<Option<String>, PortError> {
        Ok(None)
    }

    /// A queued job's outcome for each of its `source_ids` (in that order) once it has
    /// run: the new record's id, or why it was refused. `None` while it runs.
    async fn export_results(
        &self,
        _object: ObjectKind,
        _job: &str,
        _source_ids: &[String],
    ) -> Result<Option<Vec<Result<String, FailureReason>>>, PortError> {
        Err(PortError::Unavailable(
            "this side queues no export jobs".into(),
        ))
    }
}

/// A batch's per-record results, unless a side was unavailable for some of them: then
/// the whole batch is an error, to be redone (records already written are then found by
/// their match key, not written twice).
pub fn per_record<T>(
    results: Vec<Result<T, PortError>>,
) -> Result<Vec<Result<T, FailureReason>>, PortError> {
    results
        .into_iter()
        .map(|result| match result {
            Ok(value) => Ok(Ok(value)),
            Err(PortError::Record(reason)) => Ok(Err(reason)),
            Err(other) => Err(other),
        })
        .collect()
}

/// Records read in one call, and where the next page starts (`None`: that was the last).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page {
    pub records: Vec<Record>,
    pub next: Option<String>,
}
