//! Salesforce as the engine sees it: the [`Port`] over the REST [`Client`].
//!
//! Person accounts (an org whose Account describe lists `IsPersonAccount`): a person
//! account is both an account and a contact, its "person contact" ("Person Account Record
//! Types", SOAP API Developer Guide). On the helpdesk a person account is a person: it
//! syncs as a helpdesk contact, from and to its person contact, with no helpdesk account.
//! Person accounts themselves are left out of every account read, so none becomes a
//! helpdesk account and none is matched to one. That keeps the sync clear of what
//! Salesforce refuses: a person account's `Name` (it is its person's first and last name)
//! is never written, a person contact's `AccountId` is never written
//! ([`Parent::Own`]), and no business contact is linked to a person account (helpdesk
//! accounts only ever stand for business accounts). A person contact's own fields are
//! written on the Contact, which Salesforce allows ("Person contacts can be updated, but
//! not created or deleted", same guide), and it keeps the person account in step.

use super::engine::Settings;
use super::failure::FailureReason;
use super::modstamp::Position;
use super::port::{Changes, Page, Parent, Port, PortError, Record};
use crate::http::Transport;
use crate::salesforce::{Client, FieldDescribe, FieldType, SaveResult, Scope, SfError};
use crate::soql::{Condition, Ident, Select};
use contract::ids::SfId;
use contract::mapping::{FieldMeta, ObjectKind, ValueKind};
use serde_json::{Map, Value};

pub struct SalesforcePort<'a, T: Transport> {
    client: &'a Client<'a, T>,
    contacts: Vec<FieldMeta>,
    accounts: Vec<FieldMeta>,
    /// The fields queries read of each object: every field describe listed, until
    /// [`SalesforcePort::reading`] narrows them to what the sync needs.
    contact_reads: Vec<Ident>,
    account_reads: Vec<Ident>,
}

fn meta(field: &FieldDescribe) -> FieldMeta {
    FieldMeta {
        name: field.name.clone(),
        label: field.label.clone(),
        kind: ValueKind::from_salesforce(field.field_type.name()),
        max_length: (field.length > 0).then_some(field.length),
        picklist: matches!(field.field_type, FieldType::Picklist)
            .then(|| field.active_values().map(str::to_owned).collect()),
        required: field.required_on_create(),
        writable: field.createable || field.updateable,
    }
}

/// Sorts a Salesforce failure into "this record" and "try again later".
pub fn port_error(error: SfError) -> PortError {
    if error.needs_reconnect() {
        return PortError::Reconnect(contract::side::Side::Salesforce);
    }
    match error {
        SfError::Save { errors } => match errors.first() {
            Some(first) => PortError::Record(FailureReason::from_salesforce(
                &first.status_code,
                &first.message,
            )),
            None => PortError::Record(FailureReason::Other(
                "Salesforce refused the record without a reason".into(),
            )),
        },
        // The port names only fields describe listed: one Salesforce no longer knows was
        // hidden since (field-level security), which no record can be blamed for.
        SfError::Api { code, message, .. } if code == "INVALID_FIELD" => {
            PortError::FieldsChanged(message)
        }
        SfError::Api { code, message, .. } if code != "REQUEST_LIMIT_EXCEEDED" => {
            PortError::Record(FailureReason::from_salesforce(&code, &message))
        }
        other => PortError::Unavailable(other.to_string()),
    }
}

/// Records per query page: Salesforce's largest.
const PAGE_SIZE: u32 = 2000;
/// Ids per `Id IN (...)` query: 200 18-character Ids keep the URL well under its limit.
const READ_BATCH: usize = 200;
/// Changed records per catch-up step: bringing each into step may cost a read and a
/// write on the helpdesk, and a step must fit in one Worker invocation.
const CATCH_UP_STEP: u32 = 200;

/// A collection result as the engine's per-record outcome.
fn save_outcome(result: SaveResult) -> Result<String, FailureReason> {
    result
        .into_result()
        .map(|id| id.to_string())
        .map_err(|error| match port_error(error) {
            PortError::Record(reason) => reason,
            other => FailureReason::Other(other.to_string()),
        })
}

/// A record's last change, from the system field every record has.
fn modified_ms(fields: &Map<String, Value>) -> i64 {
    ["SystemModstamp", "LastModifiedDate"]
        .iter()
        .filter_map(|name| fields.get(*name)?.as_str())
        .find_map(|text| chrono::DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z").ok())
        .map_or(0, |dt| dt.timestamp_millis())
}

/// The field person-account orgs add to Account and Contact.
const IS_PERSON_ACCOUNT: &str = "IsPersonAccount";

fn is_person(record: &Record) -> bool {
    record.fields.get(IS_PERSON_ACCOUNT) == Some(&Value::Bool(true))
}

fn record(mut fields: Map<String, Value>) -> Option<Record> {
    fields.remove("attributes");
    let id = fields.get("Id")?.as_str()?.to_owned();
    Some(Record {
        id,
        modified_ms: modified_ms(&fields),
        fields,
    })
}

impl<'a, T: Transport> SalesforcePort<'a, T> {
    /// A port over field metadata read earlier (see [`SalesforcePort::fields_read`]), so
    /// a short-lived invocation need not describe both objects again.
    pub fn with_fields(
        client: &'a Client<'a, T>,
        contacts: Vec<FieldMeta>,
        accounts: Vec<FieldMeta>,
    ) -> Self {
        let every = |fields: &[FieldMeta]| {
            fields
                .iter()
                .filter_map(|f| Ident::parse(&f.name).ok())
                .collect()
        };
        SalesforcePort {
            contact_reads: every(&contacts),
            account_reads: every(&accounts),
            client,
            contacts,
            accounts,
        }
    }

    /// Queries read only what the sync needs of each object: the `Id`, `SystemModstamp`,
    /// the match key, a contact's account, and the Salesforce side of each field pair,
    /// each only if describe lists it (narrower rows also come in fewer batches).
    pub fn reading(mut self, settings: &Settings) -> Self {
        for object in [ObjectKind::Contact, ObjectKind::Account] {
            let offered = self.fields(object);
            let system: &[&str] = match object {
                ObjectKind::Contact => &[
                    "Id",
                    "SystemModstamp",
                    "Email",
                    "AccountId",
                    IS_PERSON_ACCOUNT,
                ],
                ObjectKind::Account => &["Id", "SystemModstamp", "Name", IS_PERSON_ACCOUNT],
            };
            let mut names: Vec<&str> = Vec::new();
            for name in system
                .iter()
                .copied()
                .chain(settings.pairs(object).iter().map(|p| p.salesforce.as_str()))
            {
                if !names.contains(&name) && offered.iter().any(|f| f.name == name) {
                    names.push(name);
                }
            }
            let reads = names
                .into_iter()
                .filter_map(|name| Ident::parse(name).ok())
                .collect();
            match object {
                ObjectKind::Contact => self.contact_reads = reads,
                ObjectKind::Account => self.account_reads = reads,
            }
        }
        self
    }

    /// The contact and account fields this port was loaded with.
    pub fn fields_read(&self) -> (Vec<FieldMeta>, Vec<FieldMeta>) {
        (self.contacts.clone(), self.accounts.clone())
    }

    /// Reads both objects' field metadata (two describe calls).
    pub async fn load(client: &'a Client<'a, T>) -> Result<Self, PortError> {
        let describe = |object: ObjectKind| async move {
            client
                .describe(object.salesforce_name())
                .await
                .map(|d| d.fields.iter().map(meta).collect::<Vec<_>>())
                .map_err(port_error)
        };
        Ok(SalesforcePort::with_fields(
            client,
            describe(ObjectKind::Contact).await?,
            describe(ObjectKind::Account).await?,
        ))
    }

    /// Whether the org has person accounts.
    fn has_person_accounts(&self) -> bool {
        self.accounts.iter().any(|f| f.name == IS_PERSON_ACCOUNT)
    }

    /// A query of the records of `object` the sync covers (person accounts are synced as
    /// contacts only), selecting the fields the port reads.
    fn select(&self, object: ObjectKind) -> Select {
        let reads = match object {
            ObjectKind::Contact => &self.contact_reads,
            ObjectKind::Account => &self.account_reads,
        };
        let select = Select::from_object(object.salesforce_name()).fields(reads.iter().cloned());
        if object == ObjectKind::Account && self.has_person_accounts() {
            select.where_eq(IS_PERSON_ACCOUNT, false)
        } else {
            select
        }
    }
}

impl<T: Transport> Port for SalesforcePort<'_, T> {
    fn key_field(&self, object: ObjectKind) -> &'static str {
        match object {
            ObjectKind::Contact => "Email",
            ObjectKind::Account => "Name",
        }
    }

    fn parent_field(&self) -> &'static str {
        "AccountId"
    }

    fn parent_of<'r>(&self, record: &'r Record) -> Parent<'r> {
        if is_person(record) {
            return Parent::Own;
        }
        Parent::named(record, self.parent_field())
    }

    fn fields(&self, object: ObjectKind) -> &[FieldMeta] {
        match object {
            ObjectKind::Contact => &self.contacts,
            ObjectKind::Account => &self.accounts,
        }
    }

    async fn get(&self, object: ObjectKind, id: &str) -> Result<Option<Record>, PortError> {
        let Ok(id) = SfId::parse(id) else {
            return Ok(None);
        };
        match self
            .client
            .get::<Map<String, Value>>(object.salesforce_name(), &id, &[])
            .await
        {
            // A person account is synced as its person contact, not as an account.
            Ok(fields) => {
                Ok(record(fields).filter(|r| object == ObjectKind::Contact || !is_person(r)))
            }
            Err(SfError::Api { code, .. })
                if code == "NOT_FOUND" || code == "ENTITY_IS_DELETED" =>
            {
                Ok(None)
            }
            Err(error) => Err(port_error(error)),
        }
    }

    async fn find(&self, object: ObjectKind, key: &str) -> Result<Vec<Record>, PortError> {
        let soql = self
            .select(object)
            .where_eq(self.key_field(object), key)
            .limit(10)
            .build();
        let page = self
            .client
            .query::<Map<String, Value>>(&soql)
            .await
            .map_err(port_error)?;
        Ok(page.records.into_iter().filter_map(record).collect())
    }

    async fn create(
        &self,
        object: ObjectKind,
        fields: Map<String, Value>,
    ) -> Result<String, PortError> {
        self.client
            .create(object.salesforce_name(), &fields)
            .await
            .map(|id| id.to_string())
            .map_err(port_error)
    }

    async fn update(
        &self,
        object: ObjectKind,
        id: &str,
        fields: Map<String, Value>,
    ) -> Result<(), PortError> {
        let id =
            SfId::parse(id).map_err(|_| PortError::Record(FailureReason::IncorrectParameter))?;
        self.client
            .update(object.salesforce_name(), &id, &fields)
            .await
            .map_err(port_error)
    }

    /// One query of up to [`CATCH_UP_STEP`] changed records, with the fields the sync
    /// reads, keyset-paged by `SystemModstamp` and `Id` (see [`super::modstamp`]): one call
    /// per step, however far back `since_ms` is and however many records changed.
    async fn changed_since(
        &self,
        object: ObjectKind,
        since_ms: i64,
        after: Option<&str>,
    ) -> Result<Changes, PortError> {
        // A position this code did not write (none is expected) restarts the window.
        let position = after
            .and_then(Position::decode)
            .unwrap_or_else(|| Position::since(since_ms));
        let soql = position.query(self.select(object), CATCH_UP_STEP).build();
        // Every batch of the step's query, followed to `done`.
        let rows = self
            .client
            .query_all_pages::<Map<String, Value>>(&soql, Scope::Live)
            .await
            .map_err(port_error)?;
        let mut records: Vec<Record> = rows.into_iter().filter_map(record).collect();
        let keys: Vec<(i64, SfId)> = records
            .iter()
            .filter_map(|r| Some((r.modified_ms, SfId::parse(&r.id).ok()?)))
            .collect();
        let step = position.step(&keys, CATCH_UP_STEP);
        records.truncate(step.apply);
        Ok(Changes {
            records,
            next: step.next.map(|next| next.encode()),
        })
    }

    /// One query per 200 Ids.
    async fn get_many(&self, object: ObjectKind, ids: &[&str]) -> Result<Vec<Record>, PortError> {
        let valid: Vec<SfId> = ids.iter().filter_map(|id| SfId::parse(id).ok()).collect();
        let mut found = Vec::with_capacity(valid.len());
        for chunk in valid.chunks(READ_BATCH) {
            let soql = self.select(object).where_in("Id", chunk).build();
            // Every batch of the answer: Salesforce may split even 200 rows.
            let rows = self
                .client
                .query_all_pages::<Map<String, Value>>(&soql, Scope::Live)
                .await
                .map_err(port_error)?;
            found.extend(rows.into_iter().filter_map(record));
        }
        Ok(found)
    }

    /// Pages by Id (keyset): a page can be re-read after a restart, unlike a query
    /// locator, which expires.
    async fn page(&self, object: ObjectKind, cursor: Option<&str>) -> Result<Page, PortError> {
        let mut select = self.select(object).order_by("Id").limit(PAGE_SIZE);
        if let Some(after) = cursor {
            select = select.filter(Condition::gt("Id", after));
        }
        // Every batch of this page's query, followed to `done`: Salesforce may answer fewer
        // rows than asked for (wide or complex rows); following them leaves no query
        // locator half-read.
        let rows = self
            .client
            .query_all_pages::<Map<String, Value>>(&select.build(), Scope::Live)
            .await
            .map_err(port_error)?;
        let last_id = (rows.len() == PAGE_SIZE as usize)
            .then(|| rows.last().and_then(|row| row.get("Id")))
            .flatten()
            .and_then(Value::as_str)
            .map(str::to_owned);
        Ok(Page {
            records: rows.into_iter().filter_map(record).collect(),
            next: last_id,
        })
    }

    async fn create_many(
        &self,
        object: ObjectKind,
        records: Vec<Map<String, Value>>,
    ) -> Result<Vec<Result<String, FailureReason>>, PortError> {
        let results = self
            .client
            .create_many(object.salesforce_name(), &records, false)
            .await
            .map_err(port_error)?;
        Ok(results.into_iter().map(save_outcome).collect())
    }

    async fn update_many(
        &self,
        object: ObjectKind,
        records: Vec<(String, Map<String, Value>)>,
    ) -> Result<Vec<Result<(), FailureReason>>, PortError> {
        let bodies: Vec<Map<String, Value>> = records
            .into_iter()
            .map(|(id, mut fields)| {
                fields.insert("Id".into(), Value::String(id));
                fields
            })
            .collect();
        let results = self
            .client
            .update_many(object.salesforce_name(), &bodies, false)
            .await
            .map_err(port_error)?;
        Ok(results
            .into_iter()
            .map(|r| save_outcome(r).map(drop))
            .collect())
    }
}
