//! Zoho Desk's asynchronous Import API, for accounts and contacts (Zoho's OpenAPI spec
//! for Desk, `v1.0/Import.json`).
//!
//! - `POST /api/v1/imports` with `{"scopeId": "<uuid>", "data": {"accounts": [...],
//!   "contacts": [...]}, "notifyUrl": "...", "runAutomation": false}` queues an import and
//!   answers it (`status` `queued`). Each account carries an `accountExtId`, each contact a
//!   `contactExtId` and may name its account by `accountExtId` (in this import or an
//!   earlier one of the scope) or `accountId`; custom fields go in `customFields`.
//! - The import runs in the background; then `status` is `completed`, with
//!   `importCompletedTime`, `hasError` and `errorReportUrl`, and the `notifyUrl`, if any,
//!   gets a POST of the import as JSON.
//! - `GET /api/v1/imports/{id}` answers the import; `POST /api/v1/importMappings` with
//!   `{"scopeId", "module", "externalIds"}` answers `{"data": [{"externalId",
//!   "entityId"}]}` for the external ids imported in that scope.
//! - `GET /api/v1/importErrorLog/{id}` (the `errorReportUrl`) lists the rows that failed
//!   and why. Zoho's spec names the URL but not its content; the sandbox answers
//!   `{"data": [{"module", "externalId", "row", "errors": [{"fieldName", "errorType",
//!   "errorMessage"}]}]}`.
//!
//! Sandbox choices where the spec is silent: at most [`MAX_RECORDS`] records an import;
//! an import costs a credit per 2 records (the rate Zoho's throttling notes give bulk
//! updates); imported records keep the import's time (`createdTime`/`modifiedTime` are
//! not replayed) and fire no webhooks unless `runAutomation` is true; fields the desk
//! does not have fail their row.

use super::fields::Issue;
use super::oauth::Caller;
use super::store::{Account, Change, Contact, Desk, Module, Time, Writable};
use super::{Charge, DeskError, HelpdeskState, json_body};
use axum::body::Bytes;
use axum::extract::{Extension, Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Records one import may carry (a sandbox choice).
pub const MAX_RECORDS: usize = 5_000;

/// An import job, as `GET /api/v1/imports/{id}` answers it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Import {
    pub id: String,
    pub scope_id: String,
    /// `queued`, then `completed`.
    pub status: &'static str,
    pub import_initiated_time: Time,
    pub import_completed_time: Option<Time>,
    pub error_report_url: Option<String>,
    pub has_error: bool,
    pub notify_url: Option<String>,
    pub run_automation: bool,
    pub imported_by: String,
}

/// A row that did not import, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RowError {
    pub module: &'static str,
    pub external_id: Option<String>,
    /// The row's index in its module's list (0-based).
    pub row: usize,
    pub errors: Vec<Value>,
}

/// What an organisation imported: the jobs, their failed rows, and the external ids
/// they mapped, by scope.
#[derive(Debug, Default)]
pub struct Imports {
    jobs: BTreeMap<String, Import>,
    pending: BTreeMap<String, Batch>,
    errors: BTreeMap<String, Vec<RowError>>,
    /// (scope, module, external id) -> record id.
    mapped: BTreeMap<(String, &'static str, String), String>,
}

/// The records an import carries.
#[derive(Debug, Clone, Default)]
struct Batch {
    accounts: Vec<Value>,
    contacts: Vec<Value>,
}

impl Batch {
    fn len(&self) -> usize {
        self.accounts.len() + self.contacts.len()
    }
}

pub(super) fn routes() -> Router<Arc<HelpdeskState>> {
    Router::new()
        .route("/api/v1/imports", post(create))
        .route("/api/v1/imports/{id}", get(one))
        .route("/api/v1/importMappings", post(mappings))
        .route("/api/v1/importErrorLog/{id}", get(error_log))
}

fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, len)| g.len() == len && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The body of `POST /api/v1/imports`, checked.
fn parse_request(body: &Value) -> Result<(String, Batch, Option<String>, bool), DeskError> {
    let invalid = |field: &str, kind: &'static str, message: String| {
        DeskError::invalid_fields(vec![Issue {
            field: field.to_owned(),
            kind,
            message,
        }])
    };
    let scope = body
        .get("scopeId")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("/scopeId", "missing", "scopeId is mandatory".into()))?;
    if !is_uuid(scope) {
        return Err(invalid("/scopeId", "invalid", "scopeId is a UUID".into()));
    }
    let data = body
        .get("data")
        .and_then(Value::as_object)
        .ok_or_else(|| invalid("/data", "missing", "data is an object of modules".into()))?;
    let mut batch = Batch::default();
    for (module, rows) in data {
        let rows = match rows {
            Value::Null => continue,
            Value::Array(rows) => rows.clone(),
            _ => {
                return Err(invalid(
                    &format!("/data/{module}"),
                    "invalid",
                    "a module's records are an array".into(),
                ));
            }
        };
        match module.as_str() {
            "accounts" => batch.accounts = rows,
            "contacts" => batch.contacts = rows,
            _ if rows.is_empty() => {}
            other => {
                return Err(invalid(
                    &format!("/data/{other}"),
                    "invalid",
                    format!("the sandbox imports accounts and contacts, not {other}"),
                ));
            }
        }
    }
    if batch.len() == 0 || batch.len() > MAX_RECORDS {
        return Err(invalid(
            "/data",
            "invalid",
            format!("an import carries 1 to {MAX_RECORDS} records"),
        ));
    }
    let notify = match body.get("notifyUrl") {
        None | Some(Value::Null) => None,
        Some(Value::String(url))
            if url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https")) =>
        {
            Some(url.clone())
        }
        Some(_) => {
            return Err(invalid(
                "/notifyUrl",
                "invalid",
                "notifyUrl is an http(s) URL".into(),
            ));
        }
    };
    let automation = body
        .get("runAutomation")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    Ok((scope.to_owned(), batch, notify, automation))
}

/// A credit per 2 records.
fn charge(records: usize) -> u64 {
    u64::try_from(records.div_ceil(2))
        .unwrap_or(u64::MAX)
        .max(1)
}

async fn create(
    State(state): State<Arc<HelpdeskState>>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Response, DeskError> {
    let (scope, batch, notify, automation) = parse_request(&json_body(&body)?)?;
    let records = batch.len();
    let import = {
        let mut desk = state.org(&caller.org_id)?;
        let now = Time(state.clock.now_ms());
        let import = Import {
            id: desk.next_id(),
            scope_id: scope,
            status: "queued",
            import_initiated_time: now,
            import_completed_time: None,
            error_report_url: None,
            has_error: false,
            notify_url: notify,
            run_automation: automation,
            imported_by: caller.agent_id.clone(),
        };
        desk.imports.jobs.insert(import.id.clone(), import.clone());
        desk.imports.pending.insert(import.id.clone(), batch);
        import
    };
    tokio::spawn(run(state.clone(), caller.org_id.clone(), import.id.clone()));
    let mut response = Json(import).into_response();
    response.extensions_mut().insert(Charge(charge(records)));
    Ok(response)
}

/// Runs a queued import, then tells its `notifyUrl`.
async fn run(state: Arc<HelpdeskState>, org_id: String, id: String) {
    let error_report_url = format!("{}/api/v1/importErrorLog/{id}", state.base_url);
    let outcome = state.write_in(&org_id, None, |desk, now| {
        let batch = desk.imports.pending.remove(&id).unwrap_or_default();
        let import = desk
            .imports
            .jobs
            .get(&id)
            .cloned()
            .ok_or_else(DeskError::not_found)?;
        let (errors, changes) = import_batch(desk, &import, &batch, now);
        let done = Import {
            status: "completed",
            import_completed_time: Some(desk.stamp(now)),
            has_error: !errors.is_empty(),
            error_report_url: Some(error_report_url),
            ..import
        };
        desk.imports.jobs.insert(id.clone(), done.clone());
        desk.imports.errors.insert(id.clone(), errors);
        let changes = if done.run_automation {
            changes
        } else {
            Vec::new()
        };
        Ok((done, changes))
    });
    let Ok(done) = outcome else { return };
    if let Some(url) = &done.notify_url {
        // The notification is best effort: the import's status stays pollable.
        let _ = state.http.post(url).json(&done).send().await;
    }
}

/// Imports the accounts, then the contacts: the rows that failed, and what changed.
fn import_batch(
    desk: &mut Desk,
    import: &Import,
    batch: &Batch,
    now: i64,
) -> (Vec<RowError>, Vec<Change>) {
    let mut errors = Vec::new();
    let mut changes = Vec::new();
    for (module, rows) in [
        (Module::Accounts, &batch.accounts),
        (Module::Contacts, &batch.contacts),
    ] {
        for (row, record) in rows.iter().enumerate() {
            let external_id = record
                .get(external_key(module))
                .and_then(Value::as_str)
                .map(str::to_owned);
            let outcome = match module {
                Module::Accounts => import_row::<Account>(desk, import, record, now),
                Module::Contacts => import_row::<Contact>(desk, import, record, now),
            };
            match outcome {
                Ok(change) => changes.push(change),
                Err(error) => errors.push(RowError {
                    module: module.as_str(),
                    external_id,
                    row,
                    errors: error.errors.unwrap_or_else(|| {
                        vec![json!({"fieldName": "", "errorType": "invalid", "errorMessage": error.message})]
                    }),
                }),
            }
        }
    }
    (errors, changes)
}

/// The key of a module's external id in an import row.
fn external_key(module: Module) -> &'static str {
    match module {
        Module::Accounts => "accountExtId",
        Module::Contacts => "contactExtId",
    }
}

/// One row: its external id mapped, its fields checked and written as the API would.
fn import_row<R: Writable>(
    desk: &mut Desk,
    import: &Import,
    record: &Value,
    now: i64,
) -> Result<Change, DeskError> {
    let module = R::MODULE;
    let key = external_key(module);
    let row = record
        .as_object()
        .ok_or_else(|| DeskError::invalid_body("A record is a JSON object."))?;
    let external = row
        .get(key)
        .and_then(Value::as_str)
        .filter(|id| !id.trim().is_empty())
        .ok_or_else(|| DeskError::invalid_data(&format!("/{key}"), "missing"))?;
    let mapping = (
        import.scope_id.clone(),
        module.as_str(),
        external.to_owned(),
    );
    if desk.imports.mapped.contains_key(&mapping) {
        return Err(DeskError::invalid_data(&format!("/{key}"), "duplicate"));
    }
    let mut fields = Map::new();
    for (name, value) in row {
        match name.as_str() {
            // Times are not replayed; the external ids are the import's own.
            "createdTime" | "modifiedTime" | "contactExtId" => {}
            "accountExtId" if module == Module::Contacts => {
                if let Some(account) = value.as_str() {
                    let known = (
                        import.scope_id.clone(),
                        Module::Accounts.as_str(),
                        account.to_owned(),
                    );
                    let id = desk
                        .imports
                        .mapped
                        .get(&known)
                        .ok_or_else(|| DeskError::invalid_data("/accountExtId", "invalid"))?;
                    fields.insert("accountId".into(), Value::String(id.clone()));
                }
            }
            "accountExtId" => {}
            "customFields" => {
                if let Some(custom) = value.as_object().filter(|c| !c.is_empty()) {
                    fields.insert("cf".into(), Value::Object(custom.clone()));
                }
            }
            _ if value.is_null() => {}
            _ => {
                fields.insert(name.clone(), value.clone());
            }
        }
    }
    let (created, change) = desk.create::<R>(&Value::Object(fields), &import.imported_by, now)?;
    let id = serde_json::to_value(&created).expect("records serialize")["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    desk.imports.mapped.insert(mapping, id);
    Ok(change)
}

async fn one(
    State(state): State<Arc<HelpdeskState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, DeskError> {
    let desk = state.org(&caller.org_id)?;
    let import = desk
        .imports
        .jobs
        .get(&id)
        .ok_or_else(DeskError::not_found)?;
    Ok(Json(import).into_response())
}

async fn error_log(
    State(state): State<Arc<HelpdeskState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, DeskError> {
    let desk = state.org(&caller.org_id)?;
    let errors = desk
        .imports
        .errors
        .get(&id)
        .ok_or_else(DeskError::not_found)?;
    Ok(Json(json!({ "data": errors })).into_response())
}

async fn mappings(
    State(state): State<Arc<HelpdeskState>>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Response, DeskError> {
    let body = json_body(&body)?;
    let text = |name: &str| body.get(name).and_then(Value::as_str);
    let scope = text("scopeId").ok_or_else(|| DeskError::invalid_data("/scopeId", "missing"))?;
    let module = text("module")
        .and_then(Module::parse)
        .ok_or_else(|| DeskError::invalid_data("/module", "invalid"))?;
    let external_ids = body
        .get("externalIds")
        .and_then(Value::as_array)
        .ok_or_else(|| DeskError::invalid_data("/externalIds", "missing"))?;
    let desk = state.org(&caller.org_id)?;
    let data: Vec<Value> = external_ids
        .iter()
        .filter_map(Value::as_str)
        .filter_map(|external| {
            let key = (scope.to_owned(), module.as_str(), external.to_owned());
            let id = desk.imports.mapped.get(&key)?;
            Some(json!({"externalId": external, "entityId": id}))
        })
        .collect();
    Ok(Json(json!({ "data": data })).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCOPE: &str = "7d69f2c6-1d6d-4a75-99d1-fafc4e4177a7";

    fn import() -> Import {
        Import {
            id: "9".into(),
            scope_id: SCOPE.into(),
            status: "queued",
            import_initiated_time: Time(0),
            import_completed_time: None,
            error_report_url: None,
            has_error: false,
            notify_url: None,
            run_automation: false,
            imported_by: "1".into(),
        }
    }

    #[test]
    fn contacts_find_their_accounts_by_external_id_and_bad_rows_are_reported() {
        let mut desk = Desk::new("1", "Org");
        let batch = Batch {
            accounts: vec![
                json!({"accountExtId": "001A", "accountName": "Acme", "customFields": {}}),
                json!({"accountExtId": "001B"}),
            ],
            contacts: vec![
                json!({"contactExtId": "003A", "lastName": "Ng", "accountExtId": "001A", "city": null}),
                json!({"contactExtId": "003B", "lastName": "Ito", "accountExtId": "001B"}),
                json!({"contactExtId": "003A", "lastName": "Again"}),
                json!({"lastName": "Nobody"}),
            ],
        };
        let (errors, changes) = import_batch(&mut desk, &import(), &batch, 1_000);
        assert_eq!(changes.len(), 2, "Acme and Ng");
        let failed: Vec<(&str, usize)> = errors.iter().map(|e| (e.module, e.row)).collect();
        assert_eq!(
            failed,
            [
                ("accounts", 1),
                ("contacts", 1),
                ("contacts", 2),
                ("contacts", 3)
            ]
        );
        assert_eq!(errors[0].errors[0]["fieldName"], "/accountName");
        assert_eq!(errors[2].errors[0]["errorType"], "duplicate");
        let acme = desk
            .accounts
            .values()
            .find(|a| a.account_name == "Acme")
            .unwrap();
        let ng = desk
            .contacts
            .values()
            .find(|c| c.last_name == "Ng")
            .unwrap();
        assert_eq!(ng.account_id.as_deref(), Some(acme.id.as_str()));
        let key = (SCOPE.to_owned(), "contacts", "003A".to_owned());
        assert_eq!(desk.imports.mapped[&key], ng.id);
    }

    #[test]
    fn requests_are_checked() {
        let good = json!({"scopeId": SCOPE, "data": {"contacts": [{"contactExtId": "1", "lastName": "A"}], "tickets": []}});
        let (scope, batch, notify, automation) = parse_request(&good).unwrap();
        assert_eq!(
            (scope.as_str(), batch.len(), notify, automation),
            (SCOPE, 1, None, false)
        );
        for bad in [
            json!({"data": {"contacts": [{}]}}),
            json!({"scopeId": "x", "data": {"contacts": [{}]}}),
            json!({"scopeId": SCOPE, "data": {}}),
            json!({"scopeId": SCOPE, "data": {"tickets": [{}]}}),
            json!({"scopeId": SCOPE, "data": {"contacts": [{}]}, "notifyUrl": "ftp://x"}),
        ] {
            assert!(parse_request(&bad).is_err(), "{bad}");
        }
        assert_eq!(charge(1), 1);
        assert_eq!(charge(5_000), 2_500);
    }
}
