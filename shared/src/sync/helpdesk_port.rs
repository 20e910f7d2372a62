//! The helpdesk as the engine sees it: the [`Port`] over the helpdesk [`Client`].
//!
//! Records are flattened for the engine: custom fields (`cf.cf_plan`) sit beside the
//! standard ones (`cf_plan`), since the mapping names them that way.

use super::failure::FailureReason;
use super::port::{Changes, Page, Port, PortError, Record, per_record};
use crate::helpdesk::{
    self, AccountDraft, Client, ContactDraft, HelpdeskError, IMPORT_LIMIT, ImportData,
    ImportRequest, Module, PAGE_LIMIT, Sleep, Sort, UPDATE_MANY_LIMIT,
};
use crate::http::Transport;
use contract::mapping::{FieldMeta, ObjectKind, ValueKind};
use futures_util::{StreamExt, stream};
use serde::Serialize;
use serde_json::{Map, Value};

/// Per-record calls in flight at once when the portal's edition is not known. Reads and
/// writes of one record each hide the helpdesk's latency by overlapping; a client with
/// limits overlaps as many as its share of the edition's calls at once
/// ([`Client::calls_at_once`]: Free allows 5, Enterprise 25).
const CALLS_AT_ONCE: usize = 8;

/// Pages of changes one catch-up step reads at most (1,000 records): a step fits one
/// Worker invocation with room for the webhooks that arrive meanwhile.
const PAGES_PER_STEP: usize = 10;

pub struct HelpdeskPort<'a, T: Transport, S: Sleep> {
    client: &'a Client<'a, T, S>,
    contacts: Vec<FieldMeta>,
    accounts: Vec<FieldMeta>,
}

fn meta(field: &helpdesk::FieldMeta) -> FieldMeta {
    FieldMeta {
        name: field.api_name.clone(),
        label: field.display_label.clone(),
        kind: ValueKind::from_helpdesk(field.field_type.as_str()),
        max_length: field.max_length,
        picklist: (!field.allowed_values.is_empty()).then(|| field.allowed_values.clone()),
        required: field.is_mandatory,
        writable: true,
    }
}

/// What a helpdesk error means to the engine.
pub fn port_error(error: HelpdeskError) -> PortError {
    if error.needs_reconnect() {
        return PortError::Reconnect(contract::side::Side::Helpdesk);
    }
    if let Some(back_in) = error.credits_back_in() {
        return PortError::OutOfAllowance {
            detail: error.to_string(),
            retry_after_ms: back_in.map(|wait| i64::try_from(wait.as_millis()).unwrap_or(i64::MAX)),
        };
    }
    if error.is_transient() {
        return PortError::Unavailable(error.to_string());
    }
    let code = error.code().unwrap_or("ERROR").to_owned();
    PortError::Record(FailureReason::from_helpdesk(&code, &error.to_string()))
}

/// A helpdesk record as the engine's flat field map.
fn record(id: &str, modified_ms: i64, typed: &impl Serialize) -> Record {
    let mut fields = match serde_json::to_value(typed) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    if let Some(Value::Object(custom)) = fields.remove("cf") {
        fields.extend(custom);
    }
    Record {
        id: id.to_owned(),
        modified_ms,
        fields,
    }
}

/// Records whose update sets the same one field to the same text (or clears it): one
/// `updateMany` each, instead of a call per record.
#[derive(Debug, PartialEq)]
struct OneValue {
    field: String,
    value: Option<String>,
    /// Positions in the batch.
    positions: Vec<usize>,
}

/// Splits a batch of updates into groups of two or more records that `updateMany` can
/// write (one field, one text or null value), and the positions left to write one by one.
fn one_value_groups(records: &[(String, Map<String, Value>)]) -> (Vec<OneValue>, Vec<usize>) {
    let mut groups: Vec<OneValue> = Vec::new();
    let mut single = Vec::new();
    for (position, (_, fields)) in records.iter().enumerate() {
        let mut entries = fields.iter();
        let change = match (entries.next(), entries.next()) {
            (Some((field, Value::String(text))), None) => Some((field, Some(text.clone()))),
            (Some((field, Value::Null)), None) => Some((field, None)),
            _ => None,
        };
        let Some((field, value)) = change else {
            single.push(position);
            continue;
        };
        match groups
            .iter_mut()
            .find(|g| g.field == *field && g.value == value)
        {
            Some(group) => group.positions.push(position),
            None => groups.push(OneValue {
                field: field.clone(),
                value,
                positions: vec![position],
            }),
        }
    }
    let (groups, lone): (Vec<_>, Vec<_>) = groups.into_iter().partition(|g| g.positions.len() > 1);
    single.extend(lone.into_iter().flat_map(|g| g.positions));
    single.sort_unstable();
    (groups, single)
}

/// The engine's flat fields as a draft: `cf_*` back under `cf`.
fn draft<D: serde::de::DeserializeOwned>(fields: Map<String, Value>) -> Result<D, PortError> {
    let (custom, standard): (Map<String, Value>, Map<String, Value>) = fields
        .into_iter()
        .partition(|(name, _)| name.starts_with("cf_"));
    let mut body = standard;
    if !custom.is_empty() {
        body.insert("cf".into(), Value::Object(custom));
    }
    serde_json::from_value(Value::Object(body))
        .map_err(|e| PortError::Record(FailureReason::InvalidValue(e.to_string())))
}

/// The import module of an object, and its external id's key.
fn import_module(object: ObjectKind) -> (Module, &'static str) {
    match object {
        ObjectKind::Contact => (Module::Contacts, "contactExtId"),
        ObjectKind::Account => (Module::Accounts, "accountExtId"),
    }
}

/// A record as an import row: the create body's fields, its custom fields under
/// `customFields` (Desk OAS, `Import.json`), its source id as its external id.
fn import_row(
    object: ObjectKind,
    key: &str,
    source_id: &str,
    fields: Map<String, Value>,
) -> Result<Map<String, Value>, PortError> {
    let body = match object {
        ObjectKind::Contact => serde_json::to_value(draft::<ContactDraft>(fields)?),
        ObjectKind::Account => serde_json::to_value(draft::<AccountDraft>(fields)?),
    }
    .expect("drafts serialize");
    let Value::Object(mut row) = body else {
        unreachable!("a draft is an object")
    };
    if let Some(custom) = row.remove("cf") {
        row.insert("customFields".into(), custom);
    }
    row.insert(key.into(), Value::String(source_id.to_owned()));
    Ok(row)
}

/// The import's scope, a UUID: external ids are unique within a scope, and one import's
/// records are never imported again (they are linked once it has run).
fn import_scope(source_ids: &[&str]) -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for id in source_ids {
        hash.update(id.as_bytes());
        hash.update([0]);
    }
    let hex: String = hash.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

impl<'a, T: Transport, S: Sleep> HelpdeskPort<'a, T, S> {
    /// Per-record calls to have in flight at once.
    fn calls_at_once(&self) -> usize {
        self.client.calls_at_once().unwrap_or(CALLS_AT_ONCE)
    }

    /// A port over field lists read earlier (see [`HelpdeskPort::fields_read`]).
    pub fn with_fields(
        client: &'a Client<'a, T, S>,
        contacts: Vec<FieldMeta>,
        accounts: Vec<FieldMeta>,
    ) -> Self {
        HelpdeskPort {
            client,
            contacts,
            accounts,
        }
    }

    /// The contact and account fields this port was loaded with.
    pub fn fields_read(&self) -> (Vec<FieldMeta>, Vec<FieldMeta>) {
        (self.contacts.clone(), self.accounts.clone())
    }

    /// One page of a module's list.
    async fn list(
        &self,
        object: ObjectKind,
        from: usize,
        sort: Option<Sort>,
    ) -> Result<Vec<Record>, PortError> {
        Ok(match object {
            ObjectKind::Contact => self
                .client
                .contacts_page(from, PAGE_LIMIT, sort)
                .await
                .map_err(port_error)?
                .iter()
                .map(|c| record(&c.id, c.modified_time.epoch_ms(), c))
                .collect(),
            ObjectKind::Account => self
                .client
                .accounts_page(from, PAGE_LIMIT, sort)
                .await
                .map_err(port_error)?
                .iter()
                .map(|a| record(&a.id, a.modified_time.epoch_ms(), a))
                .collect(),
        })
    }

    /// One `updateMany` of `ids` (at `positions` of the batch), each record's outcome put
    /// in `results`. A refusal of the whole call is every record's.
    async fn update_one_value(
        &self,
        object: ObjectKind,
        ids: &[&str],
        group: &OneValue,
        positions: &[usize],
        results: &mut [Result<(), PortError>],
    ) -> Result<(), PortError> {
        let module = match object {
            ObjectKind::Contact => Module::Contacts,
            ObjectKind::Account => Module::Accounts,
        };
        let answer = self
            .client
            .update_many(module, ids, &group.field, group.value.as_deref())
            .await;
        match answer {
            Ok(outcomes) => {
                for (&position, id) in positions.iter().zip(ids) {
                    let outcome = outcomes.iter().find(|o| o.id == *id);
                    results[position] = match outcome {
                        Some(o) if o.success => Ok(()),
                        Some(o) => Err(PortError::Record(FailureReason::from_helpdesk(
                            o.errors.as_ref().map_or("ERROR", |e| e.error_code.as_str()),
                            "the helpdesk refused this record's update",
                        ))),
                        None => Err(PortError::Record(FailureReason::Other(
                            "the helpdesk's updateMany gave no result for this record".into(),
                        ))),
                    };
                }
                Ok(())
            }
            Err(error) => match port_error(error) {
                PortError::Record(reason) => {
                    for &position in positions {
                        results[position] = Err(PortError::Record(reason.clone()));
                    }
                    Ok(())
                }
                other => Err(other),
            },
        }
    }

    /// Reads both modules' field lists (two calls).
    pub async fn load(client: &'a Client<'a, T, S>) -> Result<Self, PortError> {
        let fields = |module| async move {
            client
                .fields(module)
                .await
                .map(|f| f.iter().map(meta).collect::<Vec<_>>())
                .map_err(port_error)
        };
        Ok(HelpdeskPort {
            client,
            contacts: fields(Module::Contacts).await?,
            accounts: fields(Module::Accounts).await?,
        })
    }
}

impl<T: Transport, S: Sleep> Port for HelpdeskPort<'_, T, S> {
    fn key_field(&self, object: ObjectKind) -> &'static str {
        match object {
            ObjectKind::Contact => "email",
            ObjectKind::Account => "accountName",
        }
    }

    fn parent_field(&self) -> &'static str {
        "accountId"
    }

    fn fields(&self, object: ObjectKind) -> &[FieldMeta] {
        match object {
            ObjectKind::Contact => &self.contacts,
            ObjectKind::Account => &self.accounts,
        }
    }

    async fn get(&self, object: ObjectKind, id: &str) -> Result<Option<Record>, PortError> {
        let found = match object {
            ObjectKind::Contact => self
                .client
                .contact(id)
                .await
                .map(|c| record(&c.id, c.modified_time.epoch_ms(), &c)),
            ObjectKind::Account => self
                .client
                .account(id)
                .await
                .map(|a| record(&a.id, a.modified_time.epoch_ms(), &a)),
        };
        match found {
            Ok(found) => Ok(Some(found)),
            Err(error) if error.is_not_found() => Ok(None),
            Err(error) => Err(port_error(error)),
        }
    }

    /// A read by id per record, a few at once: Desk's "List Contacts By Ids" answers the
    /// list's fields only (its documented answer has neither custom fields nor
    /// `modifiedTime`, which a merge needs) and has no accounts counterpart (Desk API).
    async fn get_many(&self, object: ObjectKind, ids: &[&str]) -> Result<Vec<Record>, PortError> {
        let found: Vec<Result<Option<Record>, PortError>> = stream::iter(ids)
            .map(|id| self.get(object, id))
            .buffered(self.calls_at_once())
            .collect()
            .await;
        found.into_iter().filter_map(Result::transpose).collect()
    }

    async fn find(&self, object: ObjectKind, key: &str) -> Result<Vec<Record>, PortError> {
        Ok(match object {
            ObjectKind::Contact => self
                .client
                .search_contacts_by_email(key)
                .await
                .map_err(port_error)?
                .iter()
                .map(|c| record(&c.id, c.modified_time.epoch_ms(), c))
                .collect(),
            ObjectKind::Account => self
                .client
                .search_accounts_by_name(key)
                .await
                .map_err(port_error)?
                .iter()
                .map(|a| record(&a.id, a.modified_time.epoch_ms(), a))
                .collect(),
        })
    }

    async fn create(
        &self,
        object: ObjectKind,
        fields: Map<String, Value>,
    ) -> Result<String, PortError> {
        match object {
            ObjectKind::Contact => self
                .client
                .create_contact(&draft::<ContactDraft>(fields)?)
                .await
                .map(|c| c.id),
            ObjectKind::Account => self
                .client
                .create_account(&draft::<AccountDraft>(fields)?)
                .await
                .map(|a| a.id),
        }
        .map_err(port_error)
    }

    async fn update(
        &self,
        object: ObjectKind,
        id: &str,
        fields: Map<String, Value>,
    ) -> Result<(), PortError> {
        match object {
            ObjectKind::Contact => self
                .client
                .update_contact(id, &draft::<ContactDraft>(fields)?)
                .await
                .map(drop),
            ObjectKind::Account => self
                .client
                .update_account(id, &draft::<AccountDraft>(fields)?)
                .await
                .map(drop),
        }
        .map_err(port_error)
    }

    async fn create_many(
        &self,
        object: ObjectKind,
        records: Vec<Map<String, Value>>,
    ) -> Result<Vec<Result<String, FailureReason>>, PortError> {
        let results = stream::iter(records)
            .map(|fields| self.create(object, fields))
            .buffered(self.calls_at_once())
            .collect()
            .await;
        per_record(results)
    }

    fn export_limit(&self) -> usize {
        IMPORT_LIMIT
    }

    /// New records as one import (Zoho's Import API), external ids = source ids: a
    /// credit per 2 records instead of a credit each.
    async fn queue_export(
        &self,
        object: ObjectKind,
        records: Vec<(String, Map<String, Value>)>,
    ) -> Result<Option<String>, PortError> {
        let (module, key) = import_module(object);
        let mut rows = Vec::with_capacity(records.len());
        for (source_id, fields) in &records {
            rows.push(import_row(object, key, source_id, fields.clone())?);
        }
        let mut data = ImportData::default();
        match module {
            Module::Contacts => data.contacts = rows,
            Module::Accounts => data.accounts = rows,
        }
        let ids: Vec<&str> = records.iter().map(|(id, _)| id.as_str()).collect();
        let request = ImportRequest {
            scope_id: import_scope(&ids),
            notify_url: None,
            // The sync's writes stay silent to its own webhook, as tagged writes do.
            run_automation: false,
            data,
        };
        let import = self
            .client
            .queue_import(&request)
            .await
            .map_err(port_error)?;
        Ok(Some(format!("{}/{}", import.id, import.scope_id)))
    }

    /// The import's outcome once it has run: each external id's desk id (read back from
    /// `importMappings`), or the error log's reason for its row.
    async fn export_results(
        &self,
        object: ObjectKind,
        job: &str,
        source_ids: &[String],
    ) -> Result<Option<Vec<Result<String, FailureReason>>>, PortError> {
        let (import_id, scope_id) = job.split_once('/').unwrap_or((job, ""));
        let import = self.client.import(import_id).await.map_err(port_error)?;
        if !import.is_completed() {
            return Ok(None);
        }
        let (module, _) = import_module(object);
        let ids: Vec<&str> = source_ids.iter().map(String::as_str).collect();
        let mut mapped: std::collections::HashMap<String, String> =
            std::collections::HashMap::new();
        for chunk in ids.chunks(IMPORT_LIMIT) {
            let mappings = self
                .client
                .import_mappings(scope_id, module, chunk)
                .await
                .map_err(port_error)?;
            mapped.extend(mappings.into_iter().map(|m| (m.external_id, m.entity_id)));
        }
        let refused: std::collections::HashMap<String, String> = self
            .client
            .import_errors(&import)
            .await
            .map_err(port_error)?
            .into_iter()
            .filter_map(|row| Some((row.external_id.clone()?, row.reason())))
            .collect();
        Ok(Some(
            source_ids
                .iter()
                .map(|id| match (mapped.remove(id), refused.get(id)) {
                    (Some(entity), _) => Ok(entity),
                    (None, Some(reason)) => Err(FailureReason::InvalidValue(format!(
                        "the helpdesk's import refused it: {reason}"
                    ))),
                    (None, None) => Err(FailureReason::Other(
                        "the helpdesk's import neither wrote nor refused it".into(),
                    )),
                })
                .collect(),
        ))
    }

    /// One value to many records goes through `updateMany`; the rest record by record.
    async fn update_many(
        &self,
        object: ObjectKind,
        records: Vec<(String, Map<String, Value>)>,
    ) -> Result<Vec<Result<(), FailureReason>>, PortError> {
        let (groups, single) = one_value_groups(&records);
        let mut results: Vec<Result<(), PortError>> = vec![Ok(()); records.len()];
        for group in &groups {
            for chunk in group.positions.chunks(UPDATE_MANY_LIMIT) {
                let ids: Vec<&str> = chunk.iter().map(|&p| records[p].0.as_str()).collect();
                self.update_one_value(object, &ids, group, chunk, &mut results)
                    .await?;
            }
        }
        let singles: Vec<Result<(), PortError>> = stream::iter(&single)
            .map(|&position| {
                let (id, fields) = records[position].clone();
                async move { self.update(object, &id, fields).await }
            })
            .buffered(self.calls_at_once())
            .collect()
            .await;
        for (position, result) in single.into_iter().zip(singles) {
            results[position] = result;
        }
        per_record(results)
    }

    /// Newest changes first, page by page, until a record older than `since_ms`, at most
    /// [`PAGES_PER_STEP`] pages a step: after a data load or a large initial sync every
    /// record is recent, and one unbounded step would hold the slice (and the webhooks
    /// waiting behind it) for as long as reading them all takes. The cursor is the offset
    /// in that order: a record changed meanwhile moves to the front, so a later step may
    /// read one record twice but never skips one (and the moved one is after `since_ms`,
    /// so the next catch-up reads it).
    async fn changed_since(
        &self,
        object: ObjectKind,
        since_ms: i64,
        after: Option<&str>,
    ) -> Result<Changes, PortError> {
        let sort = Some(Sort::ModifiedTimeDesc);
        let start: usize = after.and_then(|a| a.parse().ok()).unwrap_or(0);
        let mut changed = Vec::new();
        for from in (start..).step_by(PAGE_LIMIT).take(PAGES_PER_STEP) {
            let page = self.list(object, from, sort).await?;
            let full = page.len() == PAGE_LIMIT;
            let before = changed.len();
            changed.extend(page.into_iter().filter(|r| r.modified_ms >= since_ms));
            if !full || changed.len() - before < PAGE_LIMIT {
                return Ok(Changes {
                    records: changed,
                    next: None,
                });
            }
        }
        Ok(Changes {
            records: changed,
            next: Some((start + PAGES_PER_STEP * PAGE_LIMIT).to_string()),
        })
    }

    /// Pages by offset in creation order, so records added meanwhile come last.
    async fn page(&self, object: ObjectKind, cursor: Option<&str>) -> Result<Page, PortError> {
        let from: usize = cursor.and_then(|c| c.parse().ok()).unwrap_or(0);
        let records = self.list(object, from, Some(Sort::CreatedTime)).await?;
        let next = (records.len() == PAGE_LIMIT).then(|| (from + PAGE_LIMIT).to_string());
        Ok(Page { records, next })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_import_row_is_the_create_body_with_its_external_id_and_custom_fields() {
        let fields = json!({"lastName": "Ng", "email": "ng@acme.example", "accountId": "71",
                            "cf_region": "EMEA"});
        let row = import_row(
            ObjectKind::Contact,
            "contactExtId",
            "003A",
            fields.as_object().cloned().unwrap(),
        )
        .unwrap();
        assert_eq!(
            Value::Object(row),
            json!({"lastName": "Ng", "email": "ng@acme.example", "accountId": "71",
                   "customFields": {"cf_region": "EMEA"}, "contactExtId": "003A"})
        );
    }

    #[test]
    fn an_imports_scope_is_a_uuid_of_its_records() {
        let scope = import_scope(&["003A", "003B"]);
        let groups: Vec<usize> = scope.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12]);
        assert_eq!(scope, import_scope(&["003A", "003B"]));
        assert_ne!(scope, import_scope(&["003A", "003C"]));
        assert_ne!(import_scope(&["003A", "003B"]), import_scope(&["003A003B"]));
    }

    #[test]
    fn one_value_to_many_records_is_grouped_for_update_many() {
        let batch: Vec<(String, Map<String, Value>)> = [
            ("1", json!({"title": "CTO"})),
            ("2", json!({"title": "CTO", "phone": "1"})),
            ("3", json!({"title": "CTO"})),
            ("4", json!({"cf_plan": null})),
            ("5", json!({"cf_plan": null})),
            ("6", json!({"title": "CEO"})),
            ("7", json!({"cf_seats": 3})),
            ("8", json!({"cf_seats": 3})),
        ]
        .into_iter()
        .map(|(id, fields)| (id.to_owned(), fields.as_object().cloned().unwrap()))
        .collect();
        let (groups, single) = one_value_groups(&batch);
        assert_eq!(
            groups,
            [
                OneValue {
                    field: "title".into(),
                    value: Some("CTO".into()),
                    positions: vec![0, 2]
                },
                OneValue {
                    field: "cf_plan".into(),
                    value: None,
                    positions: vec![3, 4]
                },
            ]
        );
        assert_eq!(
            single,
            [1, 5, 6, 7],
            "two fields, a value alone, and numbers (updateMany takes text) go one by one"
        );
    }

    #[test]
    fn custom_fields_are_flattened_and_put_back() {
        let typed = json!({"id": "1", "lastName": "Patel", "cf": {"cf_plan": "Gold"}});
        let flat = record("1", 5, &typed);
        assert_eq!(flat.fields.get("cf_plan"), Some(&json!("Gold")));
        assert!(!flat.fields.contains_key("cf"));
        let back: ContactDraft = draft(flat.fields).unwrap();
        assert_eq!(back.last_name.as_deref(), Some("Patel"));
        assert_eq!(back.cf.get("cf_plan"), Some(&json!("Gold")));
    }
}
