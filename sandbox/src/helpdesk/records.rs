//! Contacts and accounts: list (`from`/`limit` up to 100, `sortBy` `createdTime` or
//! `modifiedTime`), read, search (`/contacts/search?email=`, `/accounts/search?accountName=`,
//! with `*` wildcards and `modifiedTimeRange`/`createdTimeRange`), create (POST), update
//! (PATCH), delete (`POST .../moveToTrash`), one value to many records
//! (`POST .../updateMany`), and the field metadata (`/organizationFields?module=`). Writes
//! may carry a `sourceId` header (see webhooks).

use super::api::{list, one, only, sorted_by_time, window};
use super::oauth::Caller;
use super::store::{Account, Contact, Module, Time, Writable};
use super::{Charge, DeskError, HelpdeskState, json_body, source_id};
use crate::clock;
use axum::body::Bytes;
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

type Params = Query<HashMap<String, String>>;

pub(super) fn routes() -> Router<Arc<HelpdeskState>> {
    Router::new()
        .route(
            "/api/v1/contacts",
            get(list_of::<Contact>).post(create::<Contact>),
        )
        .route("/api/v1/contacts/search", get(search::<Contact>))
        .route("/api/v1/contacts/moveToTrash", post(trash::<Contact>))
        .route("/api/v1/contacts/updateMany", post(update_many::<Contact>))
        .route(
            "/api/v1/contacts/{id}",
            get(one_of::<Contact>).patch(update::<Contact>),
        )
        .route(
            "/api/v1/accounts",
            get(list_of::<Account>).post(create::<Account>),
        )
        .route("/api/v1/accounts/search", get(search::<Account>))
        .route("/api/v1/accounts/moveToTrash", post(trash::<Account>))
        .route("/api/v1/accounts/updateMany", post(update_many::<Account>))
        .route(
            "/api/v1/accounts/{id}",
            get(one_of::<Account>).patch(update::<Account>),
        )
        .route("/api/v1/organizationFields", get(fields))
}

/// What lists, searches and trashing need of a record, beside what writes need.
trait Record: Writable + 'static {
    /// The search parameters this module takes.
    const SEARCH: &'static [&'static str];
    /// The key of a `moveToTrash` body's id list.
    const TRASH_IDS: &'static str;
    fn times(&self) -> (Time, Time);
    /// The value a search parameter is matched against.
    fn searched(&self, param: &str) -> Option<String>;
}

impl Record for Contact {
    const SEARCH: &'static [&'static str] = &[
        "email",
        "firstName",
        "lastName",
        "fullName",
        "phone",
        "mobile",
    ];
    const TRASH_IDS: &'static str = "contactIds";

    fn times(&self) -> (Time, Time) {
        (self.created_time, self.modified_time)
    }

    fn searched(&self, param: &str) -> Option<String> {
        match param {
            "email" => self.email.clone(),
            "firstName" => self.first_name.clone(),
            "lastName" => Some(self.last_name.clone()),
            "fullName" => Some(self.full_name()),
            "phone" => self.phone.clone(),
            "mobile" => self.mobile.clone(),
            _ => None,
        }
    }
}

impl Record for Account {
    const SEARCH: &'static [&'static str] = &["accountName", "email", "phone", "website"];
    const TRASH_IDS: &'static str = "accountIds";

    fn times(&self) -> (Time, Time) {
        (self.created_time, self.modified_time)
    }

    fn searched(&self, param: &str) -> Option<String> {
        match param {
            "accountName" => Some(self.account_name.clone()),
            "email" => self.email.clone(),
            "phone" => self.phone.clone(),
            "website" => self.website.clone(),
            _ => None,
        }
    }
}

async fn list_of<R: Record>(
    State(state): State<Arc<HelpdeskState>>,
    Extension(caller): Extension<Caller>,
    Query(params): Params,
) -> Result<Response, DeskError> {
    let window = window(&params, &["sortBy"], 100)?;
    let desk = state.org(&caller.org_id)?;
    let items = sorted_by_time(
        R::records(&desk).values(),
        params.get("sortBy").map(String::as_str),
        R::times,
    )?;
    Ok(list(items.into_iter(), window))
}

async fn one_of<R: Record>(
    State(state): State<Arc<HelpdeskState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, DeskError> {
    one(R::records(&*state.org(&caller.org_id)?).get(&id))
}

/// `*` matches any run of characters; everything else matches itself, ignoring case.
fn glob(pattern: &str, text: &str) -> bool {
    let (pattern, text) = (pattern.to_lowercase(), text.to_lowercase());
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    true
}

/// `from,to` as two helpdesk times (either may be empty for an open end).
fn time_range(
    params: &HashMap<String, String>,
    name: &str,
) -> Result<Option<(i64, i64)>, DeskError> {
    let Some(text) = params.get(name) else {
        return Ok(None);
    };
    let invalid = || DeskError::invalid_data(&format!("/{name}"), "invalid");
    let (from, to) = text.split_once(',').ok_or_else(invalid)?;
    let end = |t: &str, open: i64| match t.trim() {
        "" => Ok(open),
        t => clock::parse_datetime(t).ok_or_else(invalid),
    };
    Ok(Some((end(from, i64::MIN)?, end(to, i64::MAX)?)))
}

async fn search<R: Record>(
    State(state): State<Arc<HelpdeskState>>,
    Extension(caller): Extension<Caller>,
    Query(params): Params,
) -> Result<Response, DeskError> {
    let mut allowed = R::SEARCH.to_vec();
    allowed.extend(["sortBy", "modifiedTimeRange", "createdTimeRange"]);
    let window = window(&params, &allowed, 100)?;
    let modified = time_range(&params, "modifiedTimeRange")?;
    let created = time_range(&params, "createdTimeRange")?;
    let criteria: Vec<(&str, &String)> = R::SEARCH
        .iter()
        .filter_map(|p| params.get(*p).map(|v| (*p, v)))
        .collect();
    let desk = state.org(&caller.org_id)?;
    let matching = R::records(&desk).values().filter(|record| {
        let (created_at, modified_at) = record.times();
        let within = |range: Option<(i64, i64)>, at: Time| {
            range.is_none_or(|(from, to)| (from..=to).contains(&at.0))
        };
        within(modified, modified_at)
            && within(created, created_at)
            && criteria.iter().all(|(param, pattern)| {
                record
                    .searched(param)
                    .is_some_and(|value| glob(pattern.trim(), &value))
            })
    });
    let found = sorted_by_time(matching, params.get("sortBy").map(String::as_str), R::times)?;
    let count = found.len();
    let data: Vec<Value> = found
        .into_iter()
        .skip(window.from)
        .take(window.limit)
        .map(|r| serde_json::to_value(r).expect("records serialize"))
        .collect();
    if data.is_empty() {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    Ok(Json(json!({ "data": data, "count": count })).into_response())
}

async fn create<R: Record>(
    State(state): State<Arc<HelpdeskState>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, DeskError> {
    let body = json_body(&body)?;
    let source = source_id(&headers);
    let record = state.write_in(&caller.org_id, source.as_deref(), |desk, now| {
        let (record, change) = desk.create::<R>(&body, &caller.agent_id, now)?;
        Ok((record, vec![change]))
    })?;
    Ok(Json(record).into_response())
}

async fn update<R: Record>(
    State(state): State<Arc<HelpdeskState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, DeskError> {
    let body = json_body(&body)?;
    let source = source_id(&headers);
    let record = state.write_in(&caller.org_id, source.as_deref(), |desk, now| {
        let (record, change) = desk.update::<R>(&id, &body, now)?;
        Ok((record, vec![change]))
    })?;
    Ok(Json(record).into_response())
}

/// The ids of a `moveToTrash` body (`contactIds`/`accountIds`), all of which must exist.
fn ids_to_trash(
    body: &Value,
    key: &str,
    exists: impl Fn(&str) -> bool,
) -> Result<Vec<String>, DeskError> {
    let pointer = format!("/{key}");
    let ids: Vec<String> = body
        .get(key)
        .and_then(Value::as_array)
        .ok_or_else(|| DeskError::invalid_data(&pointer, "missing"))?
        .iter()
        .map(|v| v.as_str().map(str::to_owned))
        .collect::<Option<_>>()
        .ok_or_else(|| DeskError::invalid_data(&pointer, "invalid"))?;
    if ids.is_empty() || ids.len() > 50 || !ids.iter().all(|id| exists(id)) {
        return Err(DeskError::invalid_data(&pointer, "invalid"));
    }
    Ok(ids)
}

async fn trash<R: Record>(
    State(state): State<Arc<HelpdeskState>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, DeskError> {
    let body = json_body(&body)?;
    let source = source_id(&headers);
    state.write_in(&caller.org_id, source.as_deref(), |desk, now| {
        let ids = ids_to_trash(&body, R::TRASH_IDS, |id| R::records(desk).contains_key(id))?;
        let changes = ids
            .iter()
            .map(|id| desk.trash::<R>(id, now))
            .collect::<Result<_, _>>()?;
        Ok(((), changes))
    })?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Ids one `updateMany` takes (a sandbox choice, as many as `moveToTrash`: Zoho's spec
/// does not bound the list).
const UPDATE_MANY_LIMIT: usize = 50;

/// `{"ids", "fieldName", "fieldValue", "isCustomField"}`: the one field change an
/// `updateMany` makes to each record, as an update body (Zoho's OpenAPI spec,
/// `Contact.json`, `contact_massupdate`).
fn mass_update(body: &Value) -> Result<(Vec<String>, Value), DeskError> {
    let ids: Vec<String> = body
        .get("ids")
        .and_then(Value::as_array)
        .ok_or_else(|| DeskError::invalid_data("/ids", "missing"))?
        .iter()
        .map(|id| id.as_str().map(str::to_owned))
        .collect::<Option<_>>()
        .filter(|ids: &Vec<String>| (1..=UPDATE_MANY_LIMIT).contains(&ids.len()))
        .ok_or_else(|| DeskError::invalid_data("/ids", "invalid"))?;
    let name = body
        .get("fieldName")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| DeskError::invalid_data("/fieldName", "missing"))?;
    let value = match body.get("fieldValue") {
        None | Some(Value::Null) => Value::Null,
        Some(Value::String(text)) => Value::String(text.clone()),
        Some(_) => return Err(DeskError::invalid_data("/fieldValue", "invalid")),
    };
    let custom = body
        .get("isCustomField")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let change = if custom {
        json!({ "cf": { name: value } })
    } else {
        json!({ name: value })
    };
    Ok((ids, change))
}

/// One value to many records: each record updated alone, each with its own result
/// (`{"results": [{"success", "id", "errors"}]}`, Zoho's `MassActionResponse.json`). A
/// field the module does not have refuses the whole request. It costs a credit per 2
/// records (Zoho's throttling notes for bulk updates).
async fn update_many<R: Record>(
    State(state): State<Arc<HelpdeskState>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, DeskError> {
    let (ids, change) = mass_update(&json_body(&body)?)?;
    let source = source_id(&headers);
    let results = state.write_in(&caller.org_id, source.as_deref(), |desk, now| {
        // The field itself is checked once, against a record-free body.
        desk.check_fields(R::MODULE, &change)?;
        let mut results = Vec::new();
        let mut changes = Vec::new();
        for id in &ids {
            match desk.update::<R>(id, &change, now) {
                Ok((_, change)) => {
                    changes.push(change);
                    results.push(json!({"success": true, "id": id, "errors": null}));
                }
                Err(error) => results.push(json!({
                    "success": false,
                    "id": id,
                    "errors": {"errorCode": error.code, "httpCode": error.status.as_u16().to_string()},
                })),
            }
        }
        Ok((results, changes))
    })?;
    let mut response = Json(json!({ "results": results })).into_response();
    let cost = u64::try_from(ids.len().div_ceil(2)).unwrap_or(u64::MAX);
    response.extensions_mut().insert(Charge(cost));
    Ok(response)
}

async fn fields(
    State(state): State<Arc<HelpdeskState>>,
    Extension(caller): Extension<Caller>,
    Query(params): Params,
) -> Result<Response, DeskError> {
    only(&params, &["module", "departmentId"])?;
    let module = params
        .get("module")
        .ok_or_else(|| DeskError::invalid_data("/module", "missing"))?;
    let module =
        Module::parse(module).ok_or_else(|| DeskError::invalid_data("/module", "invalid"))?;
    let desk = state.org(&caller.org_id)?;
    let data: Vec<Value> = desk.fields(module).iter().map(|f| f.to_json()).collect();
    Ok(Json(json!({ "data": data })).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_like_zoho_search() {
        assert!(glob(
            "maya.patel@northwind.example",
            "Maya.Patel@Northwind.example"
        ));
        assert!(glob("*@northwind.example", "tom@northwind.example"));
        assert!(glob("north*", "Northwind Traders"));
        assert!(glob("*wind*trad*", "Northwind Traders"));
        assert!(!glob("north", "Northwind Traders"));
        assert!(!glob("*@northwind.example", "tom@blueharbor.example"));
        assert!(!glob("ab*ba", "aba"));
    }

    #[test]
    fn time_ranges_parse_with_open_ends() {
        let params: HashMap<String, String> = [(
            "modifiedTimeRange".to_owned(),
            "2026-03-02T09:00:00.000Z,".to_owned(),
        )]
        .into();
        let (from, to) = time_range(&params, "modifiedTimeRange").unwrap().unwrap();
        assert_eq!(from, clock::parse_datetime("2026-03-02T09:00:00Z").unwrap());
        assert_eq!(to, i64::MAX);
        let bad: HashMap<String, String> =
            [("createdTimeRange".to_owned(), "yesterday".to_owned())].into();
        assert!(time_range(&bad, "createdTimeRange").is_err());
    }
}
