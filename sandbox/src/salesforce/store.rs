//! The org's data: records validated against the schema on every write the way Salesforce
//! validates them, so a client that passes here is not surprised by a real org.
//!
//! A record is a row of values in schema order (no per-record field names), each table is
//! a vector in creation order (which is also Id order) with a hash index by Id, so the org
//! holds hundreds of thousands of records and scans them quickly. Writes can be grouped in
//! a transaction ([`Org::begin`]) that rolls back as a whole, as `allOrNone` needs; every
//! create and update is also recorded as a [`Change`] for the org's Outbound Messages.

use super::content_notes;
use super::person_accounts::{self, Partner};
use super::schema::{self, Access, FieldDef, FieldType, ObjectDef, Schema};
use crate::clock;
use contract::ids::{Email, SfId};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// The org's pod code: the two characters after the key prefix in every Id.
pub const POD: &str = "5g";

/// Sequences start high so Ids have mixed-case digits (and non-trivial case-safe
/// suffixes) like real ones, instead of a run of zeros.
const SEQUENCE_BASE: u64 = 7_316_210_000;

static NULL: Value = Value::Null;

/// One record: a value for every field of its object, in schema order.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    object: &'static ObjectDef,
    values: Box<[Value]>,
    /// `SystemModstamp`, as epoch milliseconds.
    modstamp_ms: i64,
    /// When the record went to the recycle bin.
    deleted_ms: Option<i64>,
}

impl Record {
    /// A record no table holds, derived from others when read (`AttachedContentNote`):
    /// the named fields set, the rest null.
    pub(crate) fn derived(
        object: &'static ObjectDef,
        fields: impl IntoIterator<Item = (&'static str, Value)>,
        modstamp_ms: i64,
    ) -> Record {
        let mut record = blank(object);
        for (name, value) in fields {
            record.set(name, value);
        }
        record.modstamp_ms = modstamp_ms;
        record
    }

    pub fn object(&self) -> &'static ObjectDef {
        self.object
    }

    /// The record's 18-character Id (every object's first field).
    pub fn id(&self) -> &str {
        self.values[0].as_str().unwrap_or_default()
    }

    /// A field by name, case-insensitive; `None` when the object has no such field.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.object.index_of(name).map(|i| &self.values[i])
    }

    /// The value at a schema position (see [`ObjectDef::index_of`]).
    pub fn at(&self, index: usize) -> &Value {
        &self.values[index]
    }

    pub fn is_deleted(&self) -> bool {
        self.deleted_ms.is_some()
    }

    pub fn deleted_ms(&self) -> Option<i64> {
        self.deleted_ms
    }

    pub fn modstamp_ms(&self) -> i64 {
        self.modstamp_ms
    }

    /// Every field with its value, in schema order.
    pub fn fields(&self) -> impl Iterator<Item = (&'static FieldDef, &Value)> + '_ {
        self.object.fields.iter().zip(self.values.iter())
    }

    /// The record as a JSON object (field names in schema order).
    pub fn to_map(&self) -> Map<String, Value> {
        self.fields()
            .map(|(f, v)| (f.name.to_owned(), v.clone()))
            .collect()
    }

    fn set(&mut self, name: &str, value: Value) {
        if let Some(i) = self.object.index_of(name) {
            self.values[i] = value;
        }
    }

    fn text(&self, name: &str) -> &str {
        self.get(name).and_then(Value::as_str).unwrap_or_default()
    }
}

impl std::ops::Index<&str> for Record {
    type Output = Value;

    /// `null` for a field the object does not have, like a JSON object would answer.
    fn index(&self, name: &str) -> &Value {
        self.get(name).unwrap_or(&NULL)
    }
}

/// A write Salesforce would refuse, in its own words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteError {
    pub code: &'static str,
    pub message: String,
    pub fields: Option<Vec<String>>,
}

impl WriteError {
    pub fn new(
        code: &'static str,
        message: impl Into<String>,
        fields: Option<Vec<String>>,
    ) -> Self {
        WriteError {
            code,
            message: message.into(),
            fields,
        }
    }

    pub fn not_found() -> Self {
        WriteError::new("NOT_FOUND", "The requested resource does not exist", None)
    }

    pub fn deleted() -> Self {
        WriteError::new("ENTITY_IS_DELETED", "entity is deleted", Some(vec![]))
    }

    /// A body naming a field the object does not have (or the writer cannot see).
    pub fn no_such_column(object: &ObjectDef, name: &str) -> Self {
        WriteError::new(
            "INVALID_FIELD",
            format!("No such column '{name}' on sobject of type {}", object.name),
            None,
        )
    }

    /// A call the object does not support ("entity type X does not support insert").
    pub fn unsupported(object: &ObjectDef, call: schema::Call) -> Self {
        WriteError::new(
            "INVALID_TYPE_FOR_OPERATION",
            format!(
                "entity type {} does not support {}",
                object.name,
                call.verb()
            ),
            None,
        )
    }
}

/// What a write did to a record, for the org's Outbound Messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Created,
    Updated,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub object: &'static ObjectDef,
    pub id: String,
    pub kind: ChangeKind,
}

/// Where a transaction started: see [`Org::begin`].
#[derive(Debug)]
#[must_use = "a transaction ends with commit or rollback"]
pub struct Savepoint {
    undo: usize,
    changes: usize,
}

#[derive(Debug, Default, Clone)]
struct Table {
    /// In creation order, which is Id order; records are never removed (the recycle bin
    /// keeps deleted ones), so positions are stable.
    records: Vec<Record>,
    by_id: HashMap<String, usize>,
}

/// How to undo one write of an open transaction.
#[derive(Debug)]
enum Undo {
    Created { object: &'static str },
    Replaced { index: usize, old: Record },
}

pub struct Org {
    pub org_id: SfId,
    schema: &'static Schema,
    tables: HashMap<&'static str, Table>,
    /// One counter for every object, so no two records share an Id body.
    sequence: u64,
    /// Values of unique fields: (object, field position) -> lower-cased value -> Id.
    unique: HashMap<(&'static str, usize), HashMap<String, String>>,
    /// The undo log while a transaction is open.
    journal: Vec<Undo>,
    /// How many transactions are open (they nest as savepoints).
    depth: usize,
    /// Creates and updates not yet taken by [`Org::take_changes`].
    changes: Vec<Change>,
    /// When the first record was written: the oldest date the replication API covers.
    created_ms: Option<i64>,
}

impl Org {
    pub fn new(org_id: SfId, schema: &'static Schema) -> Self {
        Org {
            org_id,
            schema,
            tables: HashMap::new(),
            sequence: 0,
            unique: HashMap::new(),
            journal: Vec::new(),
            depth: 0,
            changes: Vec::new(),
            created_ms: None,
        }
    }

    /// The org's objects and fields.
    pub fn schema(&self) -> &'static Schema {
        self.schema
    }

    /// Makes the org another one: its Id, and its `Organization` record's with it.
    pub fn set_org_id(&mut self, org_id: SfId) {
        let old = std::mem::replace(&mut self.org_id, org_id.clone());
        let Some(table) = self.tables.get_mut("Organization") else {
            return;
        };
        if let Some(index) = table.by_id.remove(old.as_str()) {
            table.records[index].set("Id", Value::String(org_id.to_string()));
            table.by_id.insert(org_id.to_string(), index);
        }
    }

    /// A fresh Id with this key prefix. Base62 digits sort like their values, so a
    /// table in creation order is in Id order, as Salesforce's default order is.
    pub fn next_id(&mut self, key_prefix: &str) -> SfId {
        self.sequence += 1;
        SfId::from_parts(key_prefix, POD, SEQUENCE_BASE + self.sequence)
            .expect("key prefixes and the pod are alphanumeric")
    }

    /// The Id the next record with this key prefix will get (for self-references, like
    /// the first user being its own creator).
    pub fn peek_next_id(&self, key_prefix: &str) -> SfId {
        SfId::from_parts(key_prefix, POD, SEQUENCE_BASE + self.sequence + 1)
            .expect("key prefixes and the pod are alphanumeric")
    }

    /// A record by Id, deleted ones included (callers decide how to answer for those).
    pub fn get(&self, id: &SfId) -> Option<&Record> {
        self.get_str(id.as_str())
    }

    /// A record by its 18-character Id as stored.
    pub fn get_str(&self, id: &str) -> Option<&Record> {
        let object = self.schema.object_by_prefix(id.get(..3)?)?;
        let table = self.tables.get(object.name)?;
        table.by_id.get(id).map(|&i| &table.records[i])
    }

    /// Every record of an object, deleted ones included, in Id order.
    pub fn all(&self, object: &ObjectDef) -> &[Record] {
        self.tables
            .get(object.name)
            .map_or(&[][..], |t| t.records.as_slice())
    }

    /// The records a query sees: not deleted, in Id order.
    pub fn live<'a>(&'a self, object: &ObjectDef) -> impl Iterator<Item = &'a Record> + 'a {
        self.all(object).iter().filter(|r| !r.is_deleted())
    }

    pub fn count_live(&self, object: &ObjectDef) -> usize {
        self.live(object).count()
    }

    pub fn is_live(&self, id: &SfId) -> bool {
        self.get(id).is_some_and(|r| !r.is_deleted())
    }

    /// The oldest time the org's replication API can answer for.
    pub fn created_ms(&self) -> Option<i64> {
        self.created_ms
    }

    pub fn create(
        &mut self,
        object: &'static ObjectDef,
        input: &Map<String, Value>,
        actor: &SfId,
        now_ms: i64,
    ) -> Result<SfId, WriteError> {
        let mut changes = self.validate(object, input)?;
        let plan = person_accounts::plan_write(self, object, None, input)?;
        changes.extend(plan.implied);
        let savepoint = self.begin();
        let result = self
            .save(object, None, &changes, actor, now_ms)
            .and_then(|id| {
                self.follow(plan.partner, &id, actor, now_ms)?;
                Ok(id)
            });
        self.settle(savepoint, result)
    }

    pub fn update(
        &mut self,
        object: &'static ObjectDef,
        id: &SfId,
        input: &Map<String, Value>,
        actor: &SfId,
        now_ms: i64,
    ) -> Result<(), WriteError> {
        let index = self.writable(object, id)?;
        let mut changes = self.validate(object, input)?;
        let existing = &self.tables[object.name].records[index];
        let plan = person_accounts::plan_write(self, object, Some(existing), input)?;
        changes.extend(plan.implied);
        let savepoint = self.begin();
        let result = self
            .save(object, Some(index), &changes, actor, now_ms)
            .and_then(|_| self.follow(plan.partner, id, actor, now_ms));
        self.settle(savepoint, result)
    }

    /// Deletion moves a record to the recycle bin: `IsDeleted` set, invisible to queries.
    pub fn delete(
        &mut self,
        object: &'static ObjectDef,
        id: &SfId,
        actor: &SfId,
        now_ms: i64,
    ) -> Result<(), WriteError> {
        let index = self.writable(object, id)?;
        let partner = person_accounts::plan_delete(&self.tables[object.name].records[index])?;
        self.recycle(object, index, actor, now_ms);
        self.follow(partner, id, actor, now_ms)
    }

    /// Moves the record at `index` to the recycle bin.
    fn recycle(&mut self, object: &'static ObjectDef, index: usize, actor: &SfId, now_ms: i64) {
        let mut record = self.tables[object.name].records[index].clone();
        record.set("IsDeleted", Value::Bool(true));
        record.deleted_ms = Some(now_ms);
        touch(&mut record, actor, now_ms);
        self.replace(object, index, record);
    }

    /// Ends a write's savepoint: kept when the write succeeded, undone when it failed.
    fn settle<T>(
        &mut self,
        savepoint: Savepoint,
        result: Result<T, WriteError>,
    ) -> Result<T, WriteError> {
        match result {
            Ok(_) => self.commit(savepoint),
            Err(_) => self.rollback(savepoint),
        }
        result
    }

    /// Writes a record's new state at `index` (or a new record): its fields derived,
    /// checked for required and unique values, stamped, journaled and logged as a change.
    fn save(
        &mut self,
        object: &'static ObjectDef,
        index: Option<usize>,
        changes: &[(usize, Value)],
        actor: &SfId,
        now_ms: i64,
    ) -> Result<SfId, WriteError> {
        let mut record = match index {
            Some(index) => self.tables[object.name].records[index].clone(),
            None => {
                let mut record = blank(object);
                apply_defaults(&mut record);
                record
            }
        };
        for (i, value) in changes {
            record.values[*i] = value.clone();
        }
        derive(&mut record, changes);
        if object.name == "Case" {
            close_case(&mut record, now_ms);
        }
        check_required(&record)?;
        let own_id = index.map(|_| record.id().to_owned());
        self.check_unique(&record, own_id.as_deref())?;
        let (id, kind) = match index {
            Some(index) => {
                touch(&mut record, actor, now_ms);
                let id = SfId::parse(record.id()).expect("stored Ids are valid");
                self.replace(object, index, record);
                (id, ChangeKind::Updated)
            }
            None => {
                let id = self.next_id(object.key_prefix);
                stamp_new(&mut record, &id, actor, now_ms);
                if object.name == "Case" {
                    // "CaseNumber ... Autonumber, Defaulted on create" (Object Reference,
                    // Case): numbered in creation order.
                    let made = self.tables.get(object.name).map_or(0, |t| t.records.len());
                    let number = 1001 + made;
                    record.set("CaseNumber", Value::String(format!("{number:08}")));
                }
                self.insert(record);
                (id, ChangeKind::Created)
            }
        };
        self.changes.push(Change {
            object,
            id: id.to_string(),
            kind,
        });
        Ok(id)
    }

    /// Carries a write over to the record that goes with it: a person account's person
    /// contact, or the person account of its contact.
    fn follow(
        &mut self,
        partner: Partner,
        id: &SfId,
        actor: &SfId,
        now_ms: i64,
    ) -> Result<(), WriteError> {
        let stored = |org: &Org, id: &str| {
            let record = org.get_str(id).ok_or_else(WriteError::not_found)?;
            let object = record.object;
            Ok::<_, WriteError>((record.clone(), object, org.tables[object.name].by_id[id]))
        };
        match partner {
            Partner::None => Ok(()),
            Partner::NewPersonContact => {
                let (account, object, index) = stored(self, id.as_str())?;
                let contact = self
                    .schema
                    .object("Contact")
                    .expect("every org has contacts");
                let changes = person_accounts::person_contact(&account, contact);
                let contact_id = self.save(contact, None, &changes, actor, now_ms)?;
                // Part of the account's own creation: no second change, no new stamp.
                let mut linked = account;
                linked.set("PersonContactId", Value::String(contact_id.to_string()));
                self.replace(object, index, linked);
                Ok(())
            }
            Partner::Mirror(other) => {
                let (from, _, _) = stored(self, id.as_str())?;
                let (_, object, index) = stored(self, &other)?;
                let changes = person_accounts::mirrored(&from, object);
                self.save(object, Some(index), &changes, actor, now_ms)
                    .map(drop)
            }
            Partner::Delete(other) => {
                let (record, object, index) = stored(self, &other)?;
                if !record.is_deleted() {
                    self.recycle(object, index, actor, now_ms);
                }
                Ok(())
            }
        }
    }

    /// Inserts a record the caller vouches for (the bulk seed): no validation, no
    /// Outbound Messages. `values` are (field position, value) pairs.
    pub fn insert_trusted(
        &mut self,
        object: &'static ObjectDef,
        values: impl IntoIterator<Item = (usize, Value)>,
        actor: &SfId,
        now_ms: i64,
    ) -> SfId {
        let id = self.next_id(object.key_prefix);
        self.insert_trusted_as(object, id.clone(), values, actor, now_ms);
        id
    }

    /// [`Org::insert_trusted`] with a chosen Id (the org's own `Organization` record has
    /// the org's Id).
    pub fn insert_trusted_as(
        &mut self,
        object: &'static ObjectDef,
        id: SfId,
        values: impl IntoIterator<Item = (usize, Value)>,
        actor: &SfId,
        now_ms: i64,
    ) {
        let mut record = blank(object);
        apply_defaults(&mut record);
        for (i, value) in values {
            record.values[i] = value;
        }
        derive(&mut record, &Vec::new());
        stamp_new(&mut record, &id, actor, now_ms);
        self.insert(record);
    }

    /// Makes room for `additional` more records of `object`.
    pub fn reserve(&mut self, object: &'static ObjectDef, additional: usize) {
        let table = self.tables.entry(object.name).or_default();
        table.records.reserve(additional);
        table.by_id.reserve(additional);
    }

    // -----------------------------------------------------------------------------------
    // Transactions

    /// Starts recording writes so that [`Org::rollback`] can undo them. Transactions nest:
    /// an inner one is a savepoint of the outer.
    pub fn begin(&mut self) -> Savepoint {
        self.depth += 1;
        Savepoint {
            undo: self.journal.len(),
            changes: self.changes.len(),
        }
    }

    /// Keeps the writes since `savepoint` (an outer transaction may still undo them).
    pub fn commit(&mut self, savepoint: Savepoint) {
        let _ = savepoint;
        self.end();
    }

    /// Undoes every write since `savepoint`, newest first; their changes are forgotten.
    pub fn rollback(&mut self, savepoint: Savepoint) {
        let undone = self
            .journal
            .split_off(savepoint.undo.min(self.journal.len()));
        for undo in undone.into_iter().rev() {
            match undo {
                Undo::Created { object } => {
                    let table = self
                        .tables
                        .get_mut(object)
                        .expect("a created record's table");
                    let record = table.records.pop().expect("the created record is last");
                    table.by_id.remove(record.id());
                    unindex_unique(&mut self.unique, &record);
                }
                Undo::Replaced { index, old } => {
                    let table = self
                        .tables
                        .get_mut(old.object.name)
                        .expect("a replaced record's table");
                    let current = std::mem::replace(&mut table.records[index], old);
                    unindex_unique(&mut self.unique, &current);
                    index_unique(&mut self.unique, &table.records[index]);
                }
            }
        }
        self.changes.truncate(savepoint.changes);
        self.end();
    }

    fn end(&mut self) {
        self.depth = self.depth.saturating_sub(1);
        if self.depth == 0 {
            self.journal.clear();
        }
    }

    /// The creates and updates since the last call, oldest first; nothing while a
    /// transaction is open (it may still roll back).
    pub fn take_changes(&mut self) -> Vec<Change> {
        if self.depth > 0 {
            return Vec::new();
        }
        std::mem::take(&mut self.changes)
    }

    // -----------------------------------------------------------------------------------
    // Internals

    fn insert(&mut self, record: Record) {
        self.created_ms.get_or_insert(record.modstamp_ms);
        index_unique(&mut self.unique, &record);
        let object = record.object.name;
        let table = self.tables.entry(object).or_default();
        table
            .by_id
            .insert(record.id().to_owned(), table.records.len());
        table.records.push(record);
        if self.depth > 0 {
            self.journal.push(Undo::Created { object });
        }
    }

    fn replace(&mut self, object: &'static ObjectDef, index: usize, record: Record) {
        let table = self
            .tables
            .get_mut(object.name)
            .expect("the record's table");
        let old = std::mem::replace(&mut table.records[index], record);
        unindex_unique(&mut self.unique, &old);
        index_unique(&mut self.unique, &table.records[index]);
        if self.depth > 0 {
            self.journal.push(Undo::Replaced { index, old });
        }
    }

    /// The position of a record that may be written: exists, of this object, not deleted.
    fn writable(&self, object: &ObjectDef, id: &SfId) -> Result<usize, WriteError> {
        let table = self
            .tables
            .get(object.name)
            .ok_or_else(WriteError::not_found)?;
        let index = *table
            .by_id
            .get(id.as_str())
            .ok_or_else(WriteError::not_found)?;
        if table.records[index].is_deleted() {
            return Err(WriteError::deleted());
        }
        Ok(index)
    }

    fn check_unique(&self, record: &Record, own_id: Option<&str>) -> Result<(), WriteError> {
        if record.is_deleted() {
            return Ok(());
        }
        for (i, field) in record.object.fields.iter().enumerate() {
            let Some(text) = record.values[i].as_str().filter(|_| field.unique) else {
                continue;
            };
            let holder = self
                .unique
                .get(&(record.object.name, i))
                .and_then(|values| values.get(&text.to_lowercase()));
            if let Some(holder) = holder.filter(|h| Some(h.as_str()) != own_id) {
                return Err(WriteError::new(
                    "DUPLICATE_VALUE",
                    format!(
                        "duplicate value found: {} duplicates value on record with id: {holder}",
                        field.name
                    ),
                    Some(vec![]),
                ));
            }
        }
        Ok(())
    }

    /// Maps a request body to field positions and stored values, or refuses it.
    fn validate(
        &self,
        object: &ObjectDef,
        input: &Map<String, Value>,
    ) -> Result<Vec<(usize, Value)>, WriteError> {
        let mut changes = Vec::with_capacity(input.len());
        let mut read_only = Vec::new();
        for (name, value) in input {
            let Some(index) = object.index_of(name) else {
                return Err(WriteError::no_such_column(object, name));
            };
            let field = &object.fields[index];
            if !field.access.writable() {
                read_only.push(field.name.to_owned());
                continue;
            }
            let value = coerce(self.schema, field, value)?;
            if let (FieldType::Reference { .. }, Value::String(id)) = (field.ty, &value) {
                let live = SfId::parse(id).is_ok_and(|id| self.is_live(&id));
                if !live {
                    return Err(WriteError::new(
                        "INVALID_CROSS_REFERENCE_KEY",
                        format!("invalid cross reference id: {id}"),
                        Some(vec![]),
                    ));
                }
            }
            changes.retain(|(i, _)| *i != index);
            changes.push((index, value));
        }
        if !read_only.is_empty() {
            return Err(WriteError::new(
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                format!(
                    "Unable to create/update fields: {}. Please check the security settings of \
                     this field and verify that it is read/write for your role or permission set.",
                    read_only.join(", ")
                ),
                Some(read_only),
            ));
        }
        Ok(changes)
    }
}

fn blank(object: &'static ObjectDef) -> Record {
    let values = object
        .fields
        .iter()
        .map(|f| match f.ty {
            FieldType::Boolean => Value::Bool(false),
            _ => Value::Null,
        })
        .collect();
    Record {
        object,
        values,
        modstamp_ms: 0,
        deleted_ms: None,
    }
}

fn stamp_new(record: &mut Record, id: &SfId, actor: &SfId, now_ms: i64) {
    let now = Value::String(clock::sf_datetime(now_ms));
    let actor = Value::String(actor.to_string());
    record.set("Id", Value::String(id.to_string()));
    record.set("CreatedDate", now.clone());
    record.set("CreatedById", actor.clone());
    if record.get("OwnerId").is_some_and(Value::is_null) {
        record.set("OwnerId", actor.clone());
    }
    record.set("LastModifiedDate", now.clone());
    record.set("LastModifiedById", actor);
    record.set("SystemModstamp", now);
    record.modstamp_ms = now_ms;
}

fn touch(record: &mut Record, actor: &SfId, now_ms: i64) {
    let now = Value::String(clock::sf_datetime(now_ms));
    record.set("LastModifiedDate", now.clone());
    record.set("LastModifiedById", Value::String(actor.to_string()));
    record.set("SystemModstamp", now);
    record.modstamp_ms = now_ms;
}

fn unique_keys(record: &Record) -> impl Iterator<Item = (usize, String)> + '_ {
    record
        .object
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.unique)
        .filter_map(|(i, _)| record.values[i].as_str().map(|v| (i, v.to_lowercase())))
}

fn index_unique(index: &mut HashMap<(&'static str, usize), HashMap<String, String>>, r: &Record) {
    if r.is_deleted() {
        return;
    }
    for (i, value) in unique_keys(r) {
        index
            .entry((r.object.name, i))
            .or_default()
            .insert(value, r.id().to_owned());
    }
}

fn unindex_unique(index: &mut HashMap<(&'static str, usize), HashMap<String, String>>, r: &Record) {
    for (i, value) in unique_keys(r) {
        if let Some(values) = index.get_mut(&(r.object.name, i))
            && values.get(&value).map(String::as_str) == Some(r.id())
        {
            values.remove(&value);
        }
    }
}

/// Converts a JSON value to what the field stores, with Salesforce's error when it cannot.
fn coerce(schema: &Schema, field: &FieldDef, value: &Value) -> Result<Value, WriteError> {
    let ty = field.ty;
    let shown = match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    let parser_error = || {
        let kind = match value {
            Value::String(_) => "VALUE_STRING",
            Value::Number(_) => "VALUE_NUMBER",
            Value::Bool(_) => "VALUE_BOOLEAN",
            Value::Array(_) => "START_ARRAY",
            _ => "START_OBJECT",
        };
        WriteError::new(
            "JSON_PARSER_ERROR",
            format!(
                "Cannot deserialize instance of {} from {kind} value {shown} or request may be \
                 missing a required field",
                ty.describe_name()
            ),
            None,
        )
    };
    let wrong_type = || {
        WriteError::new(
            "INVALID_TYPE_ON_FIELD_IN_RECORD",
            format!("{}: value not of required type: {shown}", field.label),
            Some(vec![field.name.to_owned()]),
        )
    };
    if value.is_null() {
        // A checkbox is true or false, never empty.
        return match ty {
            FieldType::Boolean => Err(wrong_type()),
            _ => Ok(Value::Null),
        };
    }
    match ty {
        FieldType::Boolean => match value {
            Value::Bool(b) => Ok(Value::Bool(*b)),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(Value::Bool(true)),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(Value::Bool(false)),
            Value::String(_) | Value::Number(_) => Err(wrong_type()),
            _ => Err(parser_error()),
        },
        FieldType::Int => {
            let number = number_of(value).ok_or_else(parser_error)?;
            if number.fract() != 0.0 {
                return Err(wrong_type());
            }
            if number.abs() >= 1e9 {
                return Err(WriteError::new(
                    "NUMBER_OUTSIDE_VALID_RANGE",
                    format!(
                        "{}: value outside of valid range on numeric field: {shown}",
                        field.label
                    ),
                    Some(vec![field.name.to_owned()]),
                ));
            }
            Ok(Value::from(number as i64))
        }
        FieldType::Currency | FieldType::Percent | FieldType::Double => {
            number_of(value).map(Value::from).ok_or_else(parser_error)
        }
        FieldType::Date => {
            let text = value.as_str().ok_or_else(parser_error)?;
            clock::parse_date(text)
                .map(|ms| Value::String(clock::sf_date(ms)))
                .ok_or_else(parser_error)
        }
        FieldType::DateTime => {
            let text = value.as_str().ok_or_else(parser_error)?;
            clock::parse_datetime(text)
                .map(|ms| Value::String(clock::sf_datetime(ms)))
                .ok_or_else(parser_error)
        }
        FieldType::Id | FieldType::Reference { .. } => {
            let text = value.as_str().ok_or_else(parser_error)?;
            let to = match ty {
                FieldType::Reference { to, .. } => to,
                _ => &[][..],
            };
            let id = SfId::parse(text).ok().filter(|id| {
                to.iter().any(|name| {
                    schema
                        .object(name)
                        .is_some_and(|o| o.key_prefix == id.key_prefix())
                })
            });
            id.map(|id| Value::String(id.to_string())).ok_or_else(|| {
                WriteError::new(
                    "MALFORMED_ID",
                    format!("{}: id value of incorrect type: {text}", field.label),
                    Some(vec![field.name.to_owned()]),
                )
            })
        }
        _ => {
            // Text of every kind. Salesforce stores an empty string as null.
            let text = match value {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => return Err(parser_error()),
            };
            if text.is_empty() {
                return Ok(Value::Null);
            }
            if ty == FieldType::Email && Email::parse(&text).is_err() {
                return Err(WriteError::new(
                    "INVALID_EMAIL_ADDRESS",
                    format!("{}: invalid email address: {text}", field.label),
                    Some(vec![field.name.to_owned()]),
                ));
            }
            if let FieldType::Picklist(values) = ty
                && field.restricted
                && !values.contains(&text.as_str())
            {
                return Err(WriteError::new(
                    "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                    format!(
                        "{}: bad value for restricted picklist field: {text}",
                        field.label
                    ),
                    Some(vec![field.name.to_owned()]),
                ));
            }
            let max = ty.max_length().unwrap_or(u32::MAX) as usize;
            if text.chars().count() > max {
                return Err(WriteError::new(
                    "STRING_TOO_LONG",
                    format!(
                        "{}: data value too large: {text} (max length={max})",
                        field.label
                    ),
                    Some(vec![field.name.to_owned()]),
                ));
            }
            Ok(Value::String(text))
        }
    }
}

/// Salesforce's JSON reader takes numbers for numeric fields, and numeric strings too.
fn number_of(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
        _ => None,
    }
}

/// The defaults a new record gets: its fields' default picklist values, and an active
/// user.
fn apply_defaults(record: &mut Record) {
    for (field, value) in record.object.fields.iter().zip(record.values.iter_mut()) {
        if let Some(default) = field.default_value {
            *value = Value::String(default.to_owned());
        }
    }
    if record.object.name == "User" {
        record.set("IsActive", Value::Bool(true));
    }
}

/// Recomputes the fields Salesforce derives from others; `changes` are the positions and
/// values just written.
fn derive(record: &mut Record, changes: &[(usize, Value)]) {
    let object = record.object;
    let changed = |name: &str| {
        object
            .index_of(name)
            .is_some_and(|i| changes.iter().any(|(c, _)| *c == i))
    };
    match object.name {
        "Contact" | "User" | "Lead" => {
            let name = full_name(record);
            record.set("Name", Value::String(name));
        }
        // A person account is named after its person: "Name ... For person accounts,
        // this field is the person's full name" (Object Reference, Account).
        "Account" if record["IsPersonAccount"] == Value::Bool(true) => {
            let name = full_name(record);
            record.set("Name", Value::String(name));
        }
        "Opportunity" => {
            let stage = record.text("StageName").to_owned();
            // A stage change sets the stage's default probability unless one is given.
            let default = schema::OPPORTUNITY_STAGES.iter().find(|(s, _)| *s == stage);
            if changed("StageName")
                && !changed("Probability")
                && let Some((_, probability)) = default
            {
                record.set("Probability", Value::from(*probability));
            }
            let closed = stage.starts_with("Closed");
            record.set("IsClosed", Value::Bool(closed));
            record.set("IsWon", Value::Bool(stage == "Closed Won"));
        }
        "Task" => {
            let closed = record.text("Status") == "Completed";
            record.set("IsClosed", Value::Bool(closed));
        }
        "ContentNote" => {
            // A note is an SNOTE document whose size and preview follow its content
            // (Object Reference, ContentNote: FileType, FileExtension, ContentSize,
            // TextPreview).
            let content = content_notes::decode(record.text("Content"));
            let (size, preview) = match &content {
                Some((bytes, text)) => (bytes.len(), content_notes::preview(text)),
                None => (0, String::new()),
            };
            record.set("FileType", Value::String("SNOTE".into()));
            record.set("FileExtension", Value::String("snote".into()));
            record.set("ContentSize", Value::from(size));
            let preview = (!preview.is_empty()).then_some(Value::String(preview));
            record.set("TextPreview", preview.unwrap_or(Value::Null));
        }
        "Event" => {
            let all_day = record["IsAllDayEvent"] == Value::Bool(true);
            let mut start = clock::parse_datetime(record.text("StartDateTime"));
            let mut end = clock::parse_datetime(record.text("EndDateTime"));
            if all_day {
                // An all-day event is its days: ActivityDate "is a date field with a
                // timestamp that is always set to midnight in the Coordinated Universal
                // Time (UTC) time zone", and without an end "the duration defaults to one
                // day" (Object Reference, Event: ActivityDate, EndDateTime). Its start and
                // end are midnight GMT of its first and last day.
                start = start.map(clock::midnight);
                end = end.map(clock::midnight).or(start);
                for (name, at) in [("StartDateTime", start), ("EndDateTime", end)] {
                    if let Some(at) = at {
                        record.set(name, Value::String(clock::sf_datetime(at)));
                    }
                }
            }
            if let Some(start) = start {
                record.set("ActivityDateTime", Value::String(clock::sf_datetime(start)));
                record.set("ActivityDate", Value::String(clock::sf_date(start)));
            }
            if let (Some(start), Some(end)) = (start, end) {
                // An all-day event lasts to the end of its last day.
                let last_day = if all_day { clock::DAY_MS } else { 0 };
                record.set(
                    "DurationInMinutes",
                    Value::from((end + last_day - start) / 60_000),
                );
            }
        }
        _ => {}
    }
}

/// First and last name, as a person's full name.
/// A case is closed by a closing status, and `ClosedDate` says when: "The date and time
/// when the case was closed" (Object Reference, Case); reopening clears it.
fn close_case(record: &mut Record, now_ms: i64) {
    let status = record.text("Status").to_owned();
    let closed = schema::CASE_STATUSES
        .iter()
        .any(|(name, closes)| *closes && *name == status);
    record.set("IsClosed", Value::Bool(closed));
    let closed_date = match (closed, record["ClosedDate"].is_null()) {
        (true, true) => Value::String(clock::sf_datetime(now_ms)),
        (true, false) => record["ClosedDate"].clone(),
        (false, _) => Value::Null,
    };
    record.set("ClosedDate", closed_date);
}

fn full_name(record: &Record) -> String {
    [record.text("FirstName"), record.text("LastName")]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn check_required(record: &Record) -> Result<(), WriteError> {
    let missing: Vec<String> = record
        .fields()
        .filter(|(f, v)| f.access == Access::Required && v.is_null())
        .map(|(f, _)| f.name.to_owned())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(WriteError::new(
        "REQUIRED_FIELD_MISSING",
        format!("Required fields are missing: [{}]", missing.join(", ")),
        Some(missing),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: i64 = 1_765_890_330_000;

    fn org() -> (Org, SfId) {
        let mut org = Org::new(
            SfId::from_parts("00D", POD, 1).unwrap(),
            crate::salesforce::OrgShape::Demo.schema(),
        );
        let actor = org.next_id("005");
        (org, actor)
    }

    fn body(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn ids_are_real_eighteen_char_ids_in_creation_order() {
        let (mut org, actor) = org();
        let a = org
            .create(
                &schema::CONTACT,
                &body(json!({"LastName": "A"})),
                &actor,
                NOW,
            )
            .unwrap();
        let b = org
            .create(
                &schema::CONTACT,
                &body(json!({"LastName": "B"})),
                &actor,
                NOW,
            )
            .unwrap();
        assert_eq!(a.as_str().len(), 18);
        assert_eq!(a.key_prefix(), "003");
        assert_eq!(&a.as_str()[3..5], POD);
        assert_eq!(SfId::parse(&a.as_str()[..15]).unwrap(), a);
        assert!(a < b);
        let names: Vec<_> = org
            .live(&schema::CONTACT)
            .map(|r| r["LastName"].clone())
            .collect();
        assert_eq!(names, vec![json!("A"), json!("B")]);
        assert_eq!(org.get(&a).unwrap().id(), a.as_str());
    }

    #[test]
    fn cases_are_numbered_and_closing_one_stamps_when() {
        let (mut org, actor) = org();
        let case = |org: &mut Org, subject: &str| {
            org.create(
                &schema::CASE,
                &body(json!({"Subject": subject, "CaseNumber": "X"})),
                &actor,
                NOW,
            )
        };
        let error = case(&mut org, "set by hand").unwrap_err();
        assert_eq!(error.code, "INVALID_FIELD_FOR_INSERT_UPDATE", "{error:?}");
        let first = org
            .create(&schema::CASE, &body(json!({"Subject": "a"})), &actor, NOW)
            .unwrap();
        let second = org
            .create(&schema::CASE, &body(json!({"Subject": "b"})), &actor, NOW)
            .unwrap();
        assert_eq!(org.get(&first).unwrap()["CaseNumber"], "00001001");
        assert_eq!(org.get(&second).unwrap()["CaseNumber"], "00001002");
        assert_eq!(org.get(&first).unwrap()["Status"], "New");
        assert_eq!(org.get(&first).unwrap()["ClosedDate"], Value::Null);
        org.update(
            &schema::CASE,
            &first,
            &body(json!({"Status": "Closed"})),
            &actor,
            NOW + 1_000,
        )
        .unwrap();
        let closed = org.get(&first).unwrap();
        assert_eq!(closed["IsClosed"], true);
        assert_eq!(
            closed["ClosedDate"],
            clock::sf_datetime(NOW + 1_000).as_str()
        );
    }

    #[test]
    fn create_fills_system_and_derived_fields() {
        let (mut org, actor) = org();
        let id = org
            .create(
                &schema::CONTACT,
                &body(json!({"firstname": "Ada", "LastName": "Lovelace", "Email": ""})),
                &actor,
                NOW,
            )
            .unwrap();
        let record = org.get(&id).unwrap();
        assert_eq!(record["Name"], "Ada Lovelace");
        assert_eq!(
            record["Email"],
            Value::Null,
            "empty strings are stored as null"
        );
        assert_eq!(record["IsDeleted"], false);
        assert_eq!(record["CreatedDate"], "2025-12-16T13:05:30.000+0000");
        assert_eq!(record["OwnerId"], actor.as_str());
        let map = record.to_map();
        let keys: Vec<_> = map.keys().take(2).collect();
        assert_eq!(keys, ["Id", "IsDeleted"], "schema order");
    }

    #[test]
    fn update_touches_timestamps_and_rederives() {
        let (mut org, actor) = org();
        let id = org
            .create(
                &schema::OPPORTUNITY,
                &body(
                    json!({"Name": "Deal", "StageName": "Prospecting", "CloseDate": "2026-01-31"}),
                ),
                &actor,
                NOW,
            )
            .unwrap();
        assert_eq!(org.get(&id).unwrap()["Probability"], 10.0);
        org.update(
            &schema::OPPORTUNITY,
            &id,
            &body(json!({"StageName": "Closed Won"})),
            &actor,
            NOW + 1000,
        )
        .unwrap();
        let record = org.get(&id).unwrap();
        assert_eq!(record["IsWon"], true);
        assert_eq!(record["Probability"], 100.0);
        assert_eq!(record["LastModifiedDate"], "2025-12-16T13:05:31.000+0000");
        assert_eq!(record["CreatedDate"], "2025-12-16T13:05:30.000+0000");
        assert_eq!(record.modstamp_ms(), NOW + 1000);
    }

    #[test]
    fn writes_are_validated_like_salesforce() {
        let (mut org, actor) = org();
        let refuse = |org: &mut Org, input: Value| {
            org.create(&schema::CONTACT, &body(input), &actor, NOW)
                .unwrap_err()
        };
        let missing = refuse(&mut org, json!({}));
        assert_eq!(missing.code, "REQUIRED_FIELD_MISSING");
        assert_eq!(missing.fields, Some(vec!["LastName".to_owned()]));
        assert_eq!(
            refuse(&mut org, json!({"LastName": "X", "Nope": 1})).code,
            "INVALID_FIELD"
        );
        let read_only = refuse(&mut org, json!({"LastName": "X", "Name": "Y"}));
        assert_eq!(read_only.code, "INVALID_FIELD_FOR_INSERT_UPDATE");
        assert_eq!(read_only.fields, Some(vec!["Name".to_owned()]));
        assert_eq!(
            refuse(&mut org, json!({"LastName": "X", "Email": "nope"})).code,
            "INVALID_EMAIL_ADDRESS"
        );
        assert_eq!(
            refuse(&mut org, json!({"LastName": "X", "AccountId": "003"})).code,
            "MALFORMED_ID"
        );
        let too_long = refuse(&mut org, json!({"LastName": "x".repeat(81)}));
        assert_eq!(too_long.code, "STRING_TOO_LONG");
        assert_eq!(too_long.fields, Some(vec!["LastName".to_owned()]));
        let picklist = refuse(
            &mut org,
            json!({"LastName": "X", "Subscription_Type__c": "Gold"}),
        );
        assert_eq!(picklist.code, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
        let missing_account = SfId::from_parts("001", POD, 99).unwrap().to_string();
        assert_eq!(
            refuse(
                &mut org,
                json!({"LastName": "X", "AccountId": missing_account})
            )
            .code,
            "INVALID_CROSS_REFERENCE_KEY"
        );
        let err = org
            .create(
                &schema::ACCOUNT,
                &body(json!({"Name": "A", "NumberOfEmployees": "many"})),
                &actor,
                NOW,
            )
            .unwrap_err();
        assert_eq!(err.code, "JSON_PARSER_ERROR");
        assert!(err.message.contains("int"), "{}", err.message);
        let err = org
            .create(
                &schema::NOTE,
                &body(json!({"Title": "T", "ParentId": null, "IsPrivate": null})),
                &actor,
                NOW,
            )
            .unwrap_err();
        assert_eq!(err.code, "INVALID_TYPE_ON_FIELD_IN_RECORD");
        assert_eq!(err.fields, Some(vec!["IsPrivate".to_owned()]));
        let seats = org
            .create(
                &schema::CONTACT,
                &body(json!({"LastName": "S", "Seats__c": "12"})),
                &actor,
                NOW,
            )
            .unwrap();
        assert_eq!(org.get(&seats).unwrap()["Seats__c"], 12.0);
    }

    #[test]
    fn unique_fields_refuse_duplicates_case_insensitively() {
        let (mut org, actor) = org();
        let first = org
            .create(
                &schema::CONTACT,
                &body(json!({"LastName": "A", "Helpdesk_Id__c": "hd-1"})),
                &actor,
                NOW,
            )
            .unwrap();
        let err = org
            .create(
                &schema::CONTACT,
                &body(json!({"LastName": "B", "Helpdesk_Id__c": "HD-1"})),
                &actor,
                NOW,
            )
            .unwrap_err();
        assert_eq!(err.code, "DUPLICATE_VALUE");
        assert!(err.message.contains(first.as_str()), "{}", err.message);
        // Re-saving the holder itself is fine; once it is deleted the value is free.
        org.update(
            &schema::CONTACT,
            &first,
            &body(json!({"Helpdesk_Id__c": "hd-1"})),
            &actor,
            NOW,
        )
        .unwrap();
        org.delete(&schema::CONTACT, &first, &actor, NOW).unwrap();
        org.create(
            &schema::CONTACT,
            &body(json!({"LastName": "B", "Helpdesk_Id__c": "HD-1"})),
            &actor,
            NOW,
        )
        .unwrap();
    }

    #[test]
    fn a_rolled_back_transaction_leaves_no_trace() {
        let (mut org, actor) = org();
        let kept = org
            .create(
                &schema::CONTACT,
                &body(json!({"LastName": "Kept", "Helpdesk_Id__c": "k"})),
                &actor,
                NOW,
            )
            .unwrap();
        assert_eq!(org.take_changes().len(), 1);
        let outer = org.begin();
        org.update(
            &schema::CONTACT,
            &kept,
            &body(json!({"LastName": "Changed", "Helpdesk_Id__c": "k2"})),
            &actor,
            NOW + 1,
        )
        .unwrap();
        let gone = org
            .create(
                &schema::CONTACT,
                &body(json!({"LastName": "Gone", "Helpdesk_Id__c": "k"})),
                &actor,
                NOW + 1,
            )
            .unwrap();
        assert!(
            org.take_changes().is_empty(),
            "nothing leaves an open transaction"
        );
        org.rollback(outer);
        assert!(org.get(&gone).is_none());
        assert_eq!(org.get(&kept).unwrap()["LastName"], "Kept");
        assert!(org.take_changes().is_empty());
        let err = org
            .create(
                &schema::CONTACT,
                &body(json!({"LastName": "Dup", "Helpdesk_Id__c": "K"})),
                &actor,
                NOW,
            )
            .unwrap_err();
        assert_eq!(
            err.code, "DUPLICATE_VALUE",
            "the unique index is restored too"
        );

        let outer = org.begin();
        org.update(
            &schema::CONTACT,
            &kept,
            &body(json!({"Title": "CEO"})),
            &actor,
            NOW + 2,
        )
        .unwrap();
        let inner = org.begin();
        org.update(
            &schema::CONTACT,
            &kept,
            &body(json!({"Title": "CTO"})),
            &actor,
            NOW + 3,
        )
        .unwrap();
        org.rollback(inner);
        assert_eq!(
            org.get(&kept).unwrap()["Title"],
            "CEO",
            "back to the savepoint"
        );
        assert!(org.take_changes().is_empty());
        org.commit(outer);
        let changes = org.take_changes();
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].kind, ChangeKind::Updated);
        assert_eq!(changes[0].id, kept.as_str());
    }

    #[test]
    fn deleted_records_leave_queries_and_refuse_writes() {
        let (mut org, actor) = org();
        let id = org
            .create(
                &schema::ACCOUNT,
                &body(json!({"Name": "Gone"})),
                &actor,
                NOW,
            )
            .unwrap();
        org.delete(&schema::ACCOUNT, &id, &actor, NOW + 5).unwrap();
        assert_eq!(org.live(&schema::ACCOUNT).count(), 0);
        assert_eq!(org.get(&id).unwrap().deleted_ms(), Some(NOW + 5));
        assert_eq!(org.get(&id).unwrap()["IsDeleted"], true);
        assert_eq!(
            org.delete(&schema::ACCOUNT, &id, &actor, NOW)
                .unwrap_err()
                .code,
            "ENTITY_IS_DELETED"
        );
        assert_eq!(
            org.update(&schema::CONTACT, &id, &Map::new(), &actor, NOW)
                .unwrap_err()
                .code,
            "NOT_FOUND"
        );
    }

    #[test]
    fn an_all_day_event_is_its_days_from_midnight_gmt() {
        let (mut org, actor) = org();
        let event = org.schema().object("Event").unwrap();
        let id = org
            .create(
                event,
                &body(json!({
                    "Subject": "Offsite",
                    "IsAllDayEvent": true,
                    "StartDateTime": "2026-12-18T15:30:00Z",
                })),
                &actor,
                NOW,
            )
            .unwrap();
        let record = org.get(&id).unwrap();
        assert_eq!(record["StartDateTime"], "2026-12-18T00:00:00.000+0000");
        assert_eq!(record["EndDateTime"], "2026-12-18T00:00:00.000+0000");
        assert_eq!(record["ActivityDate"], "2026-12-18");
        assert_eq!(record["DurationInMinutes"], 1440);
        let timed = org
            .create(
                event,
                &body(json!({
                    "Subject": "Call",
                    "StartDateTime": "2026-12-18T15:30:00Z",
                    "EndDateTime": "2026-12-18T16:00:00Z",
                })),
                &actor,
                NOW,
            )
            .unwrap();
        let record = org.get(&timed).unwrap();
        assert_eq!(record["StartDateTime"], "2026-12-18T15:30:00.000+0000");
        assert_eq!(record["DurationInMinutes"], 30);
        assert_eq!(
            org.create(
                event,
                &body(json!({"Subject": "No end", "StartDateTime": "2026-12-18T15:30:00Z"})),
                &actor,
                NOW
            )
            .unwrap_err()
            .code,
            "REQUIRED_FIELD_MISSING",
            "only an all-day event may leave out its end"
        );
    }

    #[test]
    fn trusted_inserts_skip_validation_but_derive() {
        let (mut org, actor) = org();
        let first = schema::CONTACT.index_of("FirstName").unwrap();
        let last = schema::CONTACT.index_of("LastName").unwrap();
        let id = org.insert_trusted(
            &schema::CONTACT,
            [(first, json!("Bulk")), (last, json!("Contact"))],
            &actor,
            NOW,
        );
        assert_eq!(org.get(&id).unwrap()["Name"], "Bulk Contact");
        assert!(org.take_changes().is_empty());
    }
}
