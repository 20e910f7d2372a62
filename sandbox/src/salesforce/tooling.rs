//! The Tooling API's part that sets up change notifications: Outbound Messages
//! (`WorkflowOutboundMessage`), flows (`Flow`, one row per version) and their definitions
//! (`FlowDefinition`), under `/services/data/vNN.0/tooling/`: `query`, and `sobjects/{Type}`
//! to create, `sobjects/{Type}/{Id}` to read, update and delete.
//!
//! An active after-save flow on Account or Contact, run on create and update, whose action
//! sends one of the org's Outbound Messages, configures the org's Outbound Message
//! delivery (`outbound`) for that object with the message's URL and fields, as the
//! `/__sandbox/outbound/{Type}` control does; deactivating or deleting either stops it.
//!
//! Test controls: `GET /__sandbox/tooling` (what the org holds), `PUT
//! /__sandbox/tooling/permissions` (`{"customizeApplication", "manageFlow"}`: take a
//! permission from every API user to see the org answer as it does without it).

use super::operations::{id_in_path, parse_body};
use super::outbound::OutboundEndpoint;
use super::schema::{ObjectDef, Schema};
use super::soql::{self, Condition, Literal, Op, SelectItem};
use super::store::{Org, POD};
use super::{ApiError, Caller, SalesforceState, json_response, lock};
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router, middleware};
use contract::ids::SfId;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

/// The Tooling API's routes (behind the org's session check) and their test controls.
pub(super) fn routes(state: &Arc<SalesforceState>) -> Router<Arc<SalesforceState>> {
    let api = Router::new()
        .route("/services/data/{version}/tooling/query", get(query))
        .route(
            "/services/data/{version}/tooling/sobjects/{sobject}",
            post(create),
        )
        .route(
            "/services/data/{version}/tooling/sobjects/{sobject}/{id}",
            get(read).patch(update).delete(delete),
        )
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            super::authenticate,
        ));
    let controls = Router::new()
        .route("/__sandbox/tooling", get(view))
        .route("/__sandbox/tooling/permissions", put(put_permissions));
    api.merge(controls)
        .layer(Extension(Arc::new(Mutex::new(Setup::new(
            state.shape.schema(),
        )))))
}

type Shared = Extension<Arc<Mutex<Setup>>>;

/// The Tooling objects the sandbox keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Type {
    OutboundMessage,
    Flow,
    FlowDefinition,
}

impl Type {
    const ALL: [Type; 3] = [Type::OutboundMessage, Type::Flow, Type::FlowDefinition];

    fn name(self) -> &'static str {
        match self {
            Type::OutboundMessage => "WorkflowOutboundMessage",
            Type::Flow => "Flow",
            Type::FlowDefinition => "FlowDefinition",
        }
    }

    /// Object names in URLs and queries are case-insensitive, as the REST API's are.
    fn named(name: &str) -> Option<Type> {
        Type::ALL
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(name))
    }

    /// Key prefixes: `04k` (Tooling API, "WorkflowOutboundMessage" Ids in its examples),
    /// `301` flow versions and `300` flow definitions ("Flow", "FlowDefinition").
    fn key_prefix(self) -> &'static str {
        match self {
            Type::OutboundMessage => "04k",
            Type::Flow => "301",
            Type::FlowDefinition => "300",
        }
    }

    /// The fields a query may name (Tooling API Developer Guide, each object's "Fields").
    fn fields(self) -> &'static [&'static str] {
        match self {
            Type::OutboundMessage => &[
                "Id",
                "Name",
                "FullName",
                "EntityDefinitionId",
                "IntegrationUserId",
                "ApiVersion",
                "NamespacePrefix",
                "ManageableState",
                "Metadata",
            ],
            Type::Flow => &[
                "Id",
                "DefinitionId",
                "VersionNumber",
                "Status",
                "ProcessType",
                "MasterLabel",
                "Description",
                "ApiVersion",
                "FullName",
                "Metadata",
            ],
            Type::FlowDefinition => &[
                "Id",
                "DeveloperName",
                "MasterLabel",
                "Description",
                "ActiveVersionId",
                "LatestVersionId",
                "NamespacePrefix",
                "ManageableState",
                "FullName",
                "Metadata",
            ],
        }
    }

    /// Whether the user may see and change this type: metadata needs "Customize
    /// Application" (Metadata API Developer Guide, "Modify Metadata Through Metadata API
    /// Functions Permission"), flows "Manage Flow" (Salesforce Help, "Flow Builder User
    /// Permissions").
    fn allowed(self, permissions: Permissions) -> bool {
        match self {
            Type::OutboundMessage => permissions.customize_application,
            Type::Flow | Type::FlowDefinition => permissions.manage_flow,
        }
    }
}

/// What every API user of the org may do in Setup (the sandbox's users share one profile).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Permissions {
    customize_application: bool,
    manage_flow: bool,
}

impl Default for Permissions {
    fn default() -> Self {
        Permissions {
            customize_application: true,
            manage_flow: true,
        }
    }
}

/// A flow version's `Status` (Tooling API, "Flow": Active, Draft, Obsolete, InvalidDraft).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Draft,
    /// Saved, but it cannot be activated; why is kept beside it.
    InvalidDraft,
    Active,
    /// Once active, now not.
    Obsolete,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "Draft",
            Status::InvalidDraft => "InvalidDraft",
            Status::Active => "Active",
            Status::Obsolete => "Obsolete",
        }
    }
}

struct Message {
    id: SfId,
    object: &'static ObjectDef,
    /// The unique name: the full name is `Object.Name`.
    name: String,
    integration_user: SfId,
    metadata: Map<String, Value>,
}

impl Message {
    fn full_name(&self) -> String {
        format!("{}.{}", self.object.name, self.name)
    }

    fn endpoint(&self) -> OutboundEndpoint {
        let fields = self
            .metadata
            .get("fields")
            .and_then(Value::as_array)
            .map(|fields| {
                fields
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            });
        OutboundEndpoint {
            endpoint_url: text(&self.metadata, "endpointUrl").to_owned(),
            fields,
        }
    }
}

struct Definition {
    id: SfId,
    developer_name: String,
    active: Option<u32>,
}

struct Version {
    id: SfId,
    definition: SfId,
    number: u32,
    status: Status,
    /// Why it is an invalid draft.
    problem: Option<String>,
    metadata: Map<String, Value>,
}

/// The org's Setup as far as the Tooling API reaches here.
struct Setup {
    /// The org's objects, as its shape has them.
    schema: &'static Schema,
    messages: Vec<Message>,
    definitions: Vec<Definition>,
    versions: Vec<Version>,
    sequence: u64,
    permissions: Permissions,
    /// Objects whose Outbound Message delivery a flow configured (and may stop).
    delivering: BTreeSet<&'static str>,
}

fn text<'a>(map: &'a Map<String, Value>, key: &str) -> &'a str {
    map.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// Developer names: letters, digits and single underscores, starting with a letter, not
/// ending with an underscore (Metadata API Developer Guide, `fullName` of any metadata).
fn is_developer_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.ends_with('_')
        && !name.contains("__")
        && name.len() <= 80
}

fn missing(field: &str) -> ApiError {
    ApiError::bad_request(
        "REQUIRED_FIELD_MISSING",
        format!("Required fields are missing: [{field}]"),
    )
    .with_fields(Some(vec![field.to_owned()]))
}

/// A metadata value Salesforce will not save; flows that cannot run are refused in these
/// words when deployed ("field integrity exception: ... The flow can't run because ...").
fn integrity(message: impl Into<String>) -> ApiError {
    ApiError::bad_request("FIELD_INTEGRITY_EXCEPTION", message)
}

/// What a user without the permission meets: the object does not exist for them
/// (`NOT_FOUND` to a write, as for a user without "Author Apex" writing an ApexTrigger:
/// github.com/jamesward/salesforce-webhook-creator/issues/31).
fn hidden() -> ApiError {
    ApiError::not_found()
}

/// `INVALID_TYPE` to a query of an object the user cannot see, as the REST API answers
/// for an unknown object (github.com/afawcett/apex-toolingapi/issues/19: a non-admin's
/// Tooling query).
fn unsupported(soql_text: &str, at: usize, name: &str) -> ApiError {
    ApiError::bad_request(
        "INVALID_TYPE",
        soql::positioned(
            soql_text,
            at,
            &format!(
                "sObject type '{name}' is not supported. If you are attempting to use a custom \
                 object, be sure to append the '__c' after the entity name. Please reference \
                 your WSDL or the describe call for the appropriate names."
            ),
        ),
    )
}

impl Setup {
    fn new(schema: &'static Schema) -> Self {
        Setup {
            schema,
            messages: Vec::new(),
            definitions: Vec::new(),
            versions: Vec::new(),
            sequence: 0,
            permissions: Permissions::default(),
            delivering: BTreeSet::new(),
        }
    }

    fn next_id(&mut self, kind: Type) -> SfId {
        self.sequence += 1;
        SfId::from_parts(kind.key_prefix(), POD, 1_000 + self.sequence).expect("a fixed prefix")
    }

    fn message_named(&self, full_name: &str) -> Option<&Message> {
        self.messages
            .iter()
            .find(|m| m.full_name().eq_ignore_ascii_case(full_name))
    }

    fn definition(&self, id: &SfId) -> Option<&Definition> {
        self.definitions.iter().find(|d| &d.id == id)
    }

    fn versions_of<'a>(&'a self, definition: &'a SfId) -> impl Iterator<Item = &'a Version> + 'a {
        self.versions
            .iter()
            .filter(move |v| &v.definition == definition)
    }

    /// Every row of `kind`, with all its fields, as a query or a read shows it.
    fn rows(&self, kind: Type) -> Vec<Map<String, Value>> {
        let rows: Vec<Value> = match kind {
            Type::OutboundMessage => self
                .messages
                .iter()
                .map(|m| {
                    json!({
                        "Id": m.id.as_str(),
                        "Name": m.name,
                        "FullName": m.full_name(),
                        // Standard objects' entity definitions are named by the object.
                        "EntityDefinitionId": m.object.name,
                        "IntegrationUserId": m.integration_user.as_str(),
                        "ApiVersion": m.metadata.get("apiVersion").cloned().unwrap_or(Value::Null),
                        "NamespacePrefix": null,
                        "ManageableState": "unmanaged",
                        "Metadata": m.metadata,
                    })
                })
                .collect(),
            Type::Flow => self
                .versions
                .iter()
                .map(|v| {
                    let name = self
                        .definition(&v.definition)
                        .map(|d| d.developer_name.as_str())
                        .unwrap_or_default();
                    let mut metadata = v.metadata.clone();
                    metadata.insert("status".into(), v.status.as_str().into());
                    json!({
                        "Id": v.id.as_str(),
                        "DefinitionId": v.definition.as_str(),
                        "VersionNumber": v.number,
                        "Status": v.status.as_str(),
                        "ProcessType": v.metadata.get("processType").cloned().unwrap_or(Value::Null),
                        "MasterLabel": v.metadata.get("label").cloned().unwrap_or(Value::Null),
                        "Description": v.metadata.get("description").cloned().unwrap_or(Value::Null),
                        "ApiVersion": v.metadata.get("apiVersion").cloned().unwrap_or(Value::Null),
                        "FullName": name,
                        "Metadata": metadata,
                    })
                })
                .collect(),
            Type::FlowDefinition => self
                .definitions
                .iter()
                .map(|d| {
                    let latest = self.versions_of(&d.id).max_by_key(|v| v.number);
                    let active = self
                        .versions_of(&d.id)
                        .find(|v| Some(v.number) == d.active);
                    let label = latest
                        .and_then(|v| v.metadata.get("label").cloned())
                        .unwrap_or(Value::Null);
                    let description = latest
                        .and_then(|v| v.metadata.get("description").cloned())
                        .unwrap_or(Value::Null);
                    json!({
                        "Id": d.id.as_str(),
                        "DeveloperName": d.developer_name,
                        "MasterLabel": label,
                        "Description": description,
                        "ActiveVersionId": active.map(|v| v.id.as_str()),
                        "LatestVersionId": latest.map(|v| v.id.as_str()),
                        "NamespacePrefix": null,
                        "ManageableState": "unmanaged",
                        "FullName": d.developer_name,
                        "Metadata": {
                            "activeVersionNumber": d.active,
                            "description": description,
                            "masterLabel": label,
                        },
                    })
                })
                .collect(),
        };
        rows.into_iter()
            .filter_map(|row| match row {
                Value::Object(map) => Some(map),
                _ => None,
            })
            .collect()
    }

    /// Why a flow version could not run, if it could not: the sandbox runs after-save
    /// record-triggered flows whose start leads to an action call, and checks that an
    /// Outbound Message action names a message of the flow's object ("Flow" metadata:
    /// `start`, `actionCalls`; an outbound message action calls `Object.MessageName`).
    fn problem(&self, flow: &Map<String, Value>) -> Option<String> {
        let start = flow.get("start").and_then(Value::as_object)?;
        let object = text(start, "object");
        let Some(object) = self.schema.object(object) else {
            return Some(format!(
                "The flow's start names no object it can run on: {object:?}."
            ));
        };
        if text(start, "triggerType") != "RecordAfterSave" {
            return Some(
                "The sandbox runs record-triggered flows that run after the record is saved."
                    .into(),
            );
        }
        if !matches!(
            text(start, "recordTriggerType"),
            "Create" | "Update" | "CreateAndUpdate"
        ) {
            return Some("The flow's start says neither create nor update.".into());
        }
        let target = start
            .get("connector")
            .and_then(|c| c.get("targetReference"))
            .and_then(Value::as_str);
        let actions = flow
            .get("actionCalls")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let Some(target) = target else {
            return Some(
                "The flow can't run because nothing is connected to the Start element.".into(),
            );
        };
        if !actions
            .iter()
            .any(|a| a.get("name").and_then(Value::as_str) == Some(target))
        {
            return Some(format!(
                "The element {target} connected to the Start element doesn't exist."
            ));
        }
        for action in actions.iter().filter_map(Value::as_object) {
            if text(action, "actionType") != "outboundMessage" {
                continue;
            }
            let name = text(action, "actionName");
            match self.message_named(name) {
                Some(message) if message.object.name == object.name => {}
                Some(message) => {
                    return Some(format!(
                        "The outbound message {name} is for {}, not {}.",
                        message.object.name, object.name
                    ));
                }
                None => return Some(format!("The outbound message {name} doesn't exist.")),
            }
        }
        None
    }

    /// The delivery an object's active flows ask for: the first outbound message action of
    /// an active after-save flow run on create and update. The sandbox's Outbound Messages
    /// go out on every create and update, so flows run on one of them only configure none.
    fn delivery_for(&self, object: &str) -> Option<OutboundEndpoint> {
        self.versions
            .iter()
            .filter(|v| v.status == Status::Active)
            .filter(|v| {
                let start = v.metadata.get("start");
                let field = |key| start.and_then(|s| s.get(key)).and_then(Value::as_str);
                field("object") == Some(object)
                    && field("triggerType") == Some("RecordAfterSave")
                    && field("recordTriggerType") == Some("CreateAndUpdate")
            })
            .flat_map(|v| {
                v.metadata
                    .get("actionCalls")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default()
            })
            .filter(|a| a.get("actionType").and_then(Value::as_str) == Some("outboundMessage"))
            .find_map(|a| {
                let name = a.get("actionName").and_then(Value::as_str)?;
                self.message_named(name).map(Message::endpoint)
            })
    }

    /// Points the org's Outbound Message delivery where the active flows say, and stops
    /// what a flow started once none asks for it (an endpoint set by the test controls
    /// stays).
    fn deliver(&mut self, state: &SalesforceState) {
        for object in ["Account", "Contact"] {
            match self.delivery_for(object) {
                Some(endpoint) => match state.set_outbound_endpoint(object, endpoint) {
                    Ok(()) => {
                        self.delivering.insert(object);
                    }
                    Err(error) => {
                        eprintln!("sandbox: a flow's outbound message is not sent: {error}")
                    }
                },
                None if self.delivering.remove(object) => {
                    let _ = state.remove_outbound_endpoint(object);
                }
                None => {}
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Queries

#[derive(Deserialize)]
struct QueryParams {
    q: String,
}

/// `GET /tooling/query?q=`: the Tooling API's QueryResult (`size`, `totalSize`, `done`,
/// `queryLocator`, `entityTypeName`, `records`; Tooling API, "QueryResult").
async fn query(
    Extension(setup): Shared,
    Extension(caller): Extension<Caller>,
    Query(params): Query<QueryParams>,
) -> Response {
    match run_query(&lock(&setup), &params.q, &caller.version) {
        Ok(answer) => json_response(StatusCode::OK, &answer),
        Err(error) => error.into_response(),
    }
}

fn run_query(setup: &Setup, soql_text: &str, version: &str) -> Result<Value, ApiError> {
    let malformed = |at: usize, detail: &str| {
        ApiError::bad_request("MALFORMED_QUERY", soql::positioned(soql_text, at, detail))
    };
    let query = soql::parse(soql_text)
        .map_err(|e| ApiError::bad_request("MALFORMED_QUERY", e.message(soql_text)))?;
    let kind = Type::named(&query.from.text)
        .filter(|kind| kind.allowed(setup.permissions))
        .ok_or_else(|| unsupported(soql_text, query.from.at, &query.from.text))?;
    let column = |path: &soql::Path| -> Result<&'static str, ApiError> {
        let name = path.dotted();
        kind.fields()
            .iter()
            .copied()
            .find(|f| f.eq_ignore_ascii_case(&name))
            .ok_or_else(|| {
                ApiError::bad_request(
                    "INVALID_FIELD",
                    soql::positioned(
                        soql_text,
                        path.at,
                        &format!(
                            "No such column '{name}' on entity '{}'. If you are attempting to use \
                             a custom field, be sure to append the '__c' after the custom field \
                             name. Please reference your WSDL or the describe call for the \
                             appropriate names.",
                            kind.name()
                        ),
                    ),
                )
            })
    };
    let mut columns = Vec::new();
    for item in &query.select {
        match item {
            SelectItem::Field(path) => columns.push(column(path)?),
            SelectItem::SubQuery { at, .. }
            | SelectItem::CountRows { at }
            | SelectItem::CountField { at, .. } => {
                return Err(malformed(
                    *at,
                    "the sandbox's Tooling API selects fields only",
                ));
            }
        }
    }
    let mut records = Vec::new();
    for row in setup.rows(kind) {
        if let Some(filter) = &query.filter
            && !matches(filter, &row, &column).map_err(|(at, detail)| malformed(at, &detail))?
        {
            continue;
        }
        records.push(row);
    }
    if let Some(limit) = query.limit {
        records.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    }
    // "Query this field only if the query result contains no more than one record."
    // (Tooling API, the `FullName` and `Metadata` fields of every metadata object.)
    if records.len() > 1
        && columns
            .iter()
            .any(|c| matches!(*c, "FullName" | "Metadata"))
    {
        return Err(ApiError::bad_request(
            "MALFORMED_QUERY",
            format!(
                "When retrieving results with Metadata or FullName fields, the query \
                 qualifications must specify no more than one row for retrieval. Result size: {}",
                records.len()
            ),
        ));
    }
    let records: Vec<Value> = records
        .iter()
        .map(|row| {
            let mut out = Map::new();
            out.insert(
                "attributes".into(),
                attributes(kind, text(row, "Id"), version),
            );
            for column in &columns {
                out.insert(
                    (*column).into(),
                    row.get(*column).cloned().unwrap_or(Value::Null),
                );
            }
            Value::Object(out)
        })
        .collect();
    Ok(json!({
        "size": records.len(),
        "totalSize": records.len(),
        "done": true,
        "queryLocator": null,
        "entityTypeName": kind.name(),
        "records": records,
    }))
}

fn attributes(kind: Type, id: &str, version: &str) -> Value {
    json!({
        "type": kind.name(),
        "url": format!("/services/data/{version}/tooling/sobjects/{}/{id}", kind.name()),
    })
}

type Column<'a> = dyn Fn(&soql::Path) -> Result<&'static str, ApiError> + 'a;

/// Whether `row` meets the condition: comparisons with `=` and `!=` and `IN` lists,
/// combined with `AND`, `OR` and `NOT`: what setting up change notifications asks.
fn matches(
    condition: &Condition,
    row: &Map<String, Value>,
    column: &Column<'_>,
) -> Result<bool, (usize, String)> {
    let value_of = |path: &soql::Path| -> Result<&Value, (usize, String)> {
        let name = column(path).map_err(|e| (path.at, e.body.message))?;
        Ok(row.get(name).unwrap_or(&Value::Null))
    };
    Ok(match condition {
        Condition::And(all) => {
            for c in all {
                if !matches(c, row, column)? {
                    return Ok(false);
                }
            }
            true
        }
        Condition::Or(any) => {
            for c in any {
                if matches(c, row, column)? {
                    return Ok(true);
                }
            }
            false
        }
        Condition::Not(inner) => !matches(inner, row, column)?,
        Condition::Compare {
            path,
            op: op @ (Op::Eq | Op::Ne),
            value,
            ..
        } => equals(value_of(path)?, value) == (*op == Op::Eq),
        Condition::In {
            path,
            values,
            negated,
        } => {
            let value = value_of(path)?;
            values.iter().any(|(literal, _)| equals(value, literal)) != *negated
        }
        Condition::Compare { path, .. }
        | Condition::Like { path, .. }
        | Condition::InQuery { path, .. } => {
            return Err((
                path.at,
                "the sandbox's Tooling API filters with =, != and IN".into(),
            ));
        }
    })
}

/// SOQL equality: text case-insensitively, Ids in their 15- or 18-character forms.
fn equals(value: &Value, literal: &Literal) -> bool {
    match (value, literal) {
        (Value::Null, Literal::Null) => true,
        (Value::String(a), Literal::String(b)) => match (SfId::parse(a), SfId::parse(b)) {
            (Ok(a), Ok(b)) => a == b,
            _ => a.eq_ignore_ascii_case(b),
        },
        (Value::Number(a), Literal::Number(b)) => a.as_f64() == Some(*b),
        (Value::Bool(a), Literal::Bool(b)) => a == b,
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------
// Records

/// The type of a `/tooling/sobjects/{Type}` path the user may use.
fn type_in_path(setup: &Setup, name: &str) -> Result<Type, ApiError> {
    Type::named(name)
        .filter(|kind| kind.allowed(setup.permissions))
        .ok_or_else(hidden)
}

fn created(kind: Type, id: &SfId, version: &str) -> Response {
    let mut response = json_response(
        StatusCode::CREATED,
        &json!({"id": id.as_str(), "success": true, "errors": []}),
    );
    let location = format!(
        "/services/data/{version}/tooling/sobjects/{}/{id}",
        kind.name()
    );
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

fn body_object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    match parse_body(body)? {
        Value::Object(map) => Ok(map),
        _ => Err(ApiError::bad_request(
            "JSON_PARSER_ERROR",
            "Cannot deserialize instance of an sObject from a non-object value",
        )),
    }
}

fn metadata_of(body: &Map<String, Value>) -> Result<Map<String, Value>, ApiError> {
    body.get("Metadata")
        .and_then(Value::as_object)
        .cloned()
        .ok_or_else(|| missing("Metadata"))
}

/// `POST /tooling/sobjects/{Type}` with `FullName` and `Metadata`: a new Outbound Message,
/// or a new flow version (a flow's first creates its definition; Tooling API,
/// "FlowDefinition": "implicitly created when the Flow object is created").
async fn create(
    State(state): State<Arc<SalesforceState>>,
    Extension(setup): Shared,
    Extension(caller): Extension<Caller>,
    Path((_, sobject)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Response {
    let mut setup = lock(&setup);
    let outcome = type_in_path(&setup, &sobject).and_then(|kind| {
        let body = body_object(&body)?;
        let id = match kind {
            Type::OutboundMessage => create_message(&mut setup, &state, &body)?,
            Type::Flow => create_flow(&mut setup, &body)?,
            // "FlowDefinition objects can only be updated." (Tooling API, "FlowDefinition")
            Type::FlowDefinition => return Err(method_not_allowed("POST", "GET,HEAD,PATCH")),
        };
        Ok((kind, id))
    });
    match outcome {
        Ok((kind, id)) => {
            setup.deliver(&state);
            created(kind, &id, &caller.version)
        }
        Err(error) => error.into_response(),
    }
}

fn method_not_allowed(method: &str, allowed: &str) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        format!("HTTP Method '{method}' not allowed. Allowed are {allowed}"),
    )
}

fn full_name(body: &Map<String, Value>) -> Result<&str, ApiError> {
    body.get("FullName")
        .and_then(Value::as_str)
        .filter(|name| !name.is_empty())
        .ok_or_else(|| missing("FullName"))
}

/// The active user of the org with this username (the message is sent as them).
fn active_user(org: &Org, username: &str) -> Option<SfId> {
    let users = org.schema().object("User")?;
    org.live(users)
        .find(|user| {
            user.get("Username")
                .and_then(Value::as_str)
                .is_some_and(|u| u.eq_ignore_ascii_case(username.trim()))
                && user.get("IsActive") != Some(&Value::Bool(false))
        })
        .and_then(|user| SfId::parse(user.id()).ok())
}

/// An Outbound Message's metadata checked against its object and the org's users
/// (Metadata API, "Workflow": WorkflowOutboundMessage requires `endpointUrl`,
/// `integrationUser`, `name`; `fields` are fields of the object). Answers the sending user.
fn checked_message(
    state: &SalesforceState,
    object: &'static ObjectDef,
    metadata: &Map<String, Value>,
) -> Result<SfId, ApiError> {
    for required in ["endpointUrl", "integrationUser", "name"] {
        if text(metadata, required).is_empty() {
            return Err(missing(required));
        }
    }
    let url = text(metadata, "endpointUrl");
    if !url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https")) {
        return Err(integrity(format!(
            "Endpoint URL: {url} is not a valid URL."
        )));
    }
    for field in metadata
        .get("fields")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let name = field.as_str().unwrap_or_default();
        if object.index_of(name).is_none() {
            return Err(integrity(format!(
                "Fields to send: {name} is not a field of {}.",
                object.name
            )));
        }
    }
    let username = text(metadata, "integrationUser");
    active_user(&lock(&state.org), username).ok_or_else(|| {
        integrity(format!(
            "User to send as: {username} is not an active user of this organization."
        ))
    })
}

fn create_message(
    setup: &mut Setup,
    state: &SalesforceState,
    body: &Map<String, Value>,
) -> Result<SfId, ApiError> {
    let full_name = full_name(body)?;
    let metadata = metadata_of(body)?;
    let (object_name, name) = full_name.split_once('.').unwrap_or(("", full_name));
    let object = state.shape.schema().object(object_name).ok_or_else(|| {
        integrity(format!(
            "FullName: {full_name} must name the object first (Contact.My_Message)."
        ))
    })?;
    if !is_developer_name(name) {
        return Err(integrity(format!(
            "FullName: {name} is not a valid unique name: use letters, digits and single underscores, starting with a letter."
        )));
    }
    if setup.message_named(full_name).is_some() {
        return Err(ApiError::bad_request(
            "DUPLICATE_DEVELOPER_NAME",
            format!("An outbound message named {full_name} already exists."),
        ));
    }
    let integration_user = checked_message(state, object, &metadata)?;
    let id = setup.next_id(Type::OutboundMessage);
    setup.messages.push(Message {
        id: id.clone(),
        object,
        name: name.to_owned(),
        integration_user,
        metadata,
    });
    Ok(id)
}

/// A new version of the flow `FullName`: a draft, or an invalid draft that says why. A
/// flow created as active starts inactive all the same, as in a production org ("By
/// default, active processes and flows are deployed as inactive"; Salesforce Help,
/// "Deploy Processes and Flows as Active").
fn create_flow(setup: &mut Setup, body: &Map<String, Value>) -> Result<SfId, ApiError> {
    let name = full_name(body)?.to_owned();
    let metadata = metadata_of(body)?;
    if !is_developer_name(&name) {
        return Err(integrity(format!(
            "FullName: {name} is not a valid API name: use letters, digits and single underscores, starting with a letter."
        )));
    }
    if text(&metadata, "label").is_empty() {
        return Err(missing("label"));
    }
    let definition = match setup
        .definitions
        .iter()
        .find(|d| d.developer_name.eq_ignore_ascii_case(&name))
    {
        Some(definition) => definition.id.clone(),
        None => {
            let id = setup.next_id(Type::FlowDefinition);
            setup.definitions.push(Definition {
                id: id.clone(),
                developer_name: name,
                active: None,
            });
            id
        }
    };
    let number = setup
        .versions_of(&definition)
        .map(|v| v.number)
        .max()
        .unwrap_or(0)
        + 1;
    let problem = setup.problem(&metadata);
    let id = setup.next_id(Type::Flow);
    setup.versions.push(Version {
        id: id.clone(),
        definition,
        number,
        status: if problem.is_some() {
            Status::InvalidDraft
        } else {
            Status::Draft
        },
        problem,
        metadata,
    });
    Ok(id)
}

/// `GET /tooling/sobjects/{Type}/{Id}`: every field, `Metadata` included.
async fn read(
    Extension(setup): Shared,
    Extension(caller): Extension<Caller>,
    Path((_, sobject, id)): Path<(String, String, String)>,
) -> Response {
    let setup = lock(&setup);
    let outcome = type_in_path(&setup, &sobject).and_then(|kind| {
        let id = id_in_path(&id)?;
        let mut row = setup
            .rows(kind)
            .into_iter()
            .find(|row| SfId::parse(text(row, "Id")).is_ok_and(|found| found == id))
            .ok_or_else(ApiError::not_found)?;
        row.insert(
            "attributes".into(),
            attributes(kind, id.as_str(), &caller.version),
        );
        Ok(Value::Object(row))
    });
    match outcome {
        Ok(row) => json_response(StatusCode::OK, &row),
        Err(error) => error.into_response(),
    }
}

/// `PATCH /tooling/sobjects/{Type}/{Id}` with `Metadata`: an Outbound Message's new
/// definition, or a flow definition's active version (`activeVersionNumber`; 0 or none
/// deactivates: Metadata API, "FlowDefinition").
async fn update(
    State(state): State<Arc<SalesforceState>>,
    Extension(setup): Shared,
    Path((_, sobject, id)): Path<(String, String, String)>,
    body: axum::body::Bytes,
) -> Response {
    let mut setup = lock(&setup);
    let outcome = type_in_path(&setup, &sobject).and_then(|kind| {
        let id = id_in_path(&id)?;
        let metadata = metadata_of(&body_object(&body)?)?;
        match kind {
            Type::OutboundMessage => update_message(&mut setup, &state, &id, metadata),
            Type::FlowDefinition => activate(&mut setup, &id, &metadata),
            // Salesforce replaces a version on update (Tooling API, "Flow"); nothing here
            // needs it.
            Type::Flow => Err(method_not_allowed("PATCH", "GET,DELETE,POST")),
        }
    });
    match outcome {
        Ok(()) => {
            setup.deliver(&state);
            no_content()
        }
        Err(error) => error.into_response(),
    }
}

fn update_message(
    setup: &mut Setup,
    state: &SalesforceState,
    id: &SfId,
    metadata: Map<String, Value>,
) -> Result<(), ApiError> {
    let object = setup
        .messages
        .iter()
        .find(|m| &m.id == id)
        .map(|m| m.object)
        .ok_or_else(ApiError::not_found)?;
    let integration_user = checked_message(state, object, &metadata)?;
    let message = setup
        .messages
        .iter_mut()
        .find(|m| &m.id == id)
        .ok_or_else(ApiError::not_found)?;
    message.integration_user = integration_user;
    message.metadata = metadata;
    Ok(())
}

fn activate(setup: &mut Setup, id: &SfId, metadata: &Map<String, Value>) -> Result<(), ApiError> {
    let definition = setup.definition(id).ok_or_else(ApiError::not_found)?;
    let wanted = match metadata.get("activeVersionNumber") {
        None | Some(Value::Null) => 0,
        Some(value) => value
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| integrity(format!("Invalid version number {value}")))?,
    };
    if wanted != 0 {
        let version = setup
            .versions_of(&definition.id)
            .find(|v| v.number == wanted)
            // What an org answers for a version the flow does not have (docs.gearset.com,
            // "Invalid version number <x>" on FlowDefinition).
            .ok_or_else(|| integrity(format!("Invalid version number {wanted}")))?;
        if let Some(problem) = &version.problem {
            return Err(integrity(format!(
                "The flow version {wanted} can't be activated: {problem}"
            )));
        }
    }
    let definition_id = definition.id.clone();
    for version in setup
        .versions
        .iter_mut()
        .filter(|v| v.definition == definition_id)
    {
        if version.number == wanted {
            version.status = Status::Active;
        } else if version.status == Status::Active {
            version.status = Status::Obsolete;
        }
    }
    if let Some(definition) = setup.definitions.iter_mut().find(|d| d.id == definition_id) {
        definition.active = (wanted != 0).then_some(wanted);
    }
    Ok(())
}

/// `DELETE /tooling/sobjects/{Type}/{Id}`: an Outbound Message, or a flow version that is
/// not active ("You can delete a flow version as long as it isn't active"; Tooling API,
/// "Flow"); a flow whose last version goes is gone from Setup.
async fn delete(
    State(state): State<Arc<SalesforceState>>,
    Extension(setup): Shared,
    Path((_, sobject, id)): Path<(String, String, String)>,
) -> Response {
    let mut setup = lock(&setup);
    let outcome = type_in_path(&setup, &sobject).and_then(|kind| {
        let id = id_in_path(&id)?;
        match kind {
            Type::OutboundMessage => {
                let before = setup.messages.len();
                setup.messages.retain(|m| m.id != id);
                if setup.messages.len() == before {
                    return Err(ApiError::not_found());
                }
                Ok(())
            }
            Type::Flow => delete_version(&mut setup, &id),
            Type::FlowDefinition => Err(method_not_allowed("DELETE", "GET,HEAD,PATCH,POST")),
        }
    });
    match outcome {
        Ok(()) => {
            setup.deliver(&state);
            no_content()
        }
        Err(error) => error.into_response(),
    }
}

fn delete_version(setup: &mut Setup, id: &SfId) -> Result<(), ApiError> {
    let version = setup
        .versions
        .iter()
        .find(|v| &v.id == id)
        .ok_or_else(ApiError::not_found)?;
    if version.status == Status::Active {
        // What orgs answer to deleting a flow they will not delete
        // (github.com/forcedotcom/cli/issues/3401).
        return Err(ApiError::bad_request(
            "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY",
            "insufficient access rights on cross-reference id",
        ));
    }
    let definition = version.definition.clone();
    setup.versions.retain(|v| &v.id != id);
    if setup.versions_of(&definition).next().is_none() {
        setup.definitions.retain(|d| d.id != definition);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Test controls

/// `GET /__sandbox/tooling`: the org's Outbound Messages and flows, and the permissions.
async fn view(Extension(setup): Shared) -> Response {
    let setup = lock(&setup);
    let messages: Vec<Value> = setup
        .messages
        .iter()
        .map(|m| {
            json!({
                "id": m.id.as_str(),
                "fullName": m.full_name(),
                "endpointUrl": text(&m.metadata, "endpointUrl"),
            })
        })
        .collect();
    let flows: Vec<Value> = setup
        .definitions
        .iter()
        .map(|d| {
            let versions: Vec<Value> = setup
                .versions_of(&d.id)
                .map(|v| {
                    json!({
                        "id": v.id.as_str(),
                        "versionNumber": v.number,
                        "status": v.status.as_str(),
                        "problem": v.problem,
                    })
                })
                .collect();
            json!({
                "definitionId": d.id.as_str(),
                "developerName": d.developer_name,
                "activeVersionNumber": d.active,
                "versions": versions,
            })
        })
        .collect();
    Json(json!({
        "permissions": setup.permissions,
        "outboundMessages": messages,
        "flows": flows,
    }))
    .into_response()
}

/// `PUT /__sandbox/tooling/permissions`: what every API user may do from now on.
async fn put_permissions(
    Extension(setup): Shared,
    Json(permissions): Json<Permissions>,
) -> Response {
    lock(&setup).permissions = permissions;
    Json(json!({ "permissions": permissions })).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::salesforce::OrgShape;

    fn flow(object: &str, action: &str) -> Map<String, Value> {
        json!({
            "label": "Changes",
            "processType": "AutoLaunchedFlow",
            "start": {
                "object": object,
                "triggerType": "RecordAfterSave",
                "recordTriggerType": "CreateAndUpdate",
                "connector": {"targetReference": "Send"},
            },
            "actionCalls": [{"name": "Send", "actionType": "outboundMessage", "actionName": action}],
        })
        .as_object()
        .cloned()
        .unwrap()
    }

    fn with_message(setup: &mut Setup, object: &str, name: &str, url: &str) {
        let id = setup.next_id(Type::OutboundMessage);
        setup.messages.push(Message {
            id,
            object: setup.schema.object(object).unwrap(),
            name: name.into(),
            integration_user: SfId::parse("0055g0000000001AAA").unwrap(),
            metadata: json!({"endpointUrl": url, "fields": ["Id"]})
                .as_object()
                .cloned()
                .unwrap(),
        });
    }

    #[test]
    fn developer_names_follow_salesforce_s_rules() {
        for good in ["sfdesk_Contact_changes", "A", "a1_b2"] {
            assert!(is_developer_name(good), "{good}");
        }
        for bad in ["", "1abc", "_abc", "abc_", "a__b", "a-b", "a.b", "a b"] {
            assert!(!is_developer_name(bad), "{bad}");
        }
    }

    #[test]
    fn a_flow_is_invalid_unless_its_start_leads_to_an_existing_message_of_its_object() {
        let mut setup = Setup::new(OrgShape::Demo.schema());
        assert_eq!(
            setup.problem(&flow("Contact", "Contact.Notify")),
            Some("The outbound message Contact.Notify doesn't exist.".into())
        );
        with_message(&mut setup, "Contact", "Notify", "https://edge.example/hook");
        assert_eq!(setup.problem(&flow("Contact", "Contact.Notify")), None);
        assert!(setup.problem(&flow("Account", "Contact.Notify")).is_some());
        let mut unconnected = flow("Contact", "Contact.Notify");
        unconnected["start"]
            .as_object_mut()
            .unwrap()
            .remove("connector");
        assert_eq!(
            setup.problem(&unconnected),
            Some("The flow can't run because nothing is connected to the Start element.".into())
        );
        let mut before_save = flow("Contact", "Contact.Notify");
        before_save["start"]["triggerType"] = "RecordBeforeSave".into();
        assert!(setup.problem(&before_save).is_some());
    }

    #[test]
    fn only_an_active_flow_run_on_create_and_update_asks_for_delivery() {
        let mut setup = Setup::new(OrgShape::Demo.schema());
        with_message(&mut setup, "Contact", "Notify", "https://edge.example/hook");
        let body =
            json!({"FullName": "Notify_Flow", "Metadata": flow("Contact", "Contact.Notify")});
        let id = create_flow(&mut setup, body.as_object().unwrap()).unwrap();
        assert_eq!(setup.delivery_for("Contact"), None, "a draft sends nothing");
        let definition = setup.versions[0].definition.clone();
        activate(
            &mut setup,
            &definition,
            json!({"activeVersionNumber": 1}).as_object().unwrap(),
        )
        .unwrap();
        let endpoint = setup.delivery_for("Contact").unwrap();
        assert_eq!(endpoint.endpoint_url, "https://edge.example/hook");
        assert_eq!(endpoint.fields, Some(vec!["Id".to_owned()]));
        assert_eq!(setup.delivery_for("Account"), None);
        assert!(
            delete_version(&mut setup, &id).is_err(),
            "an active version stays"
        );
        activate(
            &mut setup,
            &definition,
            json!({"activeVersionNumber": 0}).as_object().unwrap(),
        )
        .unwrap();
        assert_eq!(setup.versions[0].status, Status::Obsolete);
        assert_eq!(setup.delivery_for("Contact"), None);
        delete_version(&mut setup, &id).unwrap();
        assert!(
            setup.definitions.is_empty(),
            "the flow went with its last version"
        );
    }

    #[test]
    fn tooling_queries_filter_select_and_refuse_what_salesforce_refuses() {
        let mut setup = Setup::new(OrgShape::Demo.schema());
        with_message(&mut setup, "Contact", "Notify", "https://edge.example/hook");
        with_message(&mut setup, "Account", "Other", "https://edge.example/hook");
        let answer = run_query(
            &setup,
            "SELECT Id, Name FROM WorkflowOutboundMessage WHERE Name = 'notify'",
            "v64.0",
        )
        .unwrap();
        assert_eq!(answer["size"], 1);
        assert_eq!(answer["entityTypeName"], "WorkflowOutboundMessage");
        assert_eq!(answer["records"][0]["Name"], "Notify");
        assert!(
            answer["records"][0]["attributes"]["url"]
                .as_str()
                .unwrap()
                .starts_with("/services/data/v64.0/tooling/sobjects/WorkflowOutboundMessage/04k")
        );
        let error = run_query(
            &setup,
            "SELECT Metadata FROM WorkflowOutboundMessage",
            "v64.0",
        )
        .unwrap_err();
        assert_eq!(error.body.error_code, "MALFORMED_QUERY");
        let error = run_query(&setup, "SELECT Nope FROM Flow", "v64.0").unwrap_err();
        assert_eq!(error.body.error_code, "INVALID_FIELD");
        setup.permissions.manage_flow = false;
        let error = run_query(&setup, "SELECT Id FROM Flow", "v64.0").unwrap_err();
        assert_eq!(error.body.error_code, "INVALID_TYPE");
    }
}
