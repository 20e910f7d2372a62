//! The Tooling API, for the one piece of an org's Setup that sfdesk does for its admin:
//! change notifications. Workflow Rules and Process Builder were retired on 31 December
//! 2025; an Outbound Message is now sent by a record-triggered Flow. For each object
//! (Account, Contact), [`set_up`] creates a `WorkflowOutboundMessage` to the edge's URL
//! and an after-save Flow ("a record is created or updated") whose one action sends it,
//! then activates the Flow; [`remove`] deactivates the Flow and deletes both.
//!
//! What exists under sfdesk's names is reused (and pointed at the current URL), so a
//! second set-up, or one after a removal that half failed, converges instead of failing
//! on duplicates. The names are fixed: one sfdesk integration per Salesforce org.
//!
//! Request bodies come from pure functions, tested below; the calls go through the
//! [`Client`], so its budget, session renewal and backoff hold. The resources (Tooling API
//! Developer Guide, "REST Resources"): `GET /tooling/query?q=`, `POST
//! /tooling/sobjects/{Type}`, `PATCH`/`DELETE /tooling/sobjects/{Type}/{Id}`.

use super::client::{Call, Client};
use super::wire::SaveResult;
use super::{API_VERSION, QueryResponse, SfError};
use crate::http::{Method, Transport};
use crate::soql::Select;
use contract::admin::ObjectNotifications;
use contract::ids::SfId;
use contract::mapping::ObjectKind;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// The objects whose changes sfdesk is told of.
pub const NOTIFIED_OBJECTS: [ObjectKind; 2] = [ObjectKind::Account, ObjectKind::Contact];

/// The Flow's one element: the action that sends the Outbound Message.
const ACTION: &str = "Send_to_sfdesk";

/// The Tooling objects sfdesk writes, and the permission of the connected user each needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    OutboundMessage,
    Flow,
    FlowDefinition,
}

impl Kind {
    fn sobject(self) -> &'static str {
        match self {
            Kind::OutboundMessage => "WorkflowOutboundMessage",
            Kind::Flow => "Flow",
            Kind::FlowDefinition => "FlowDefinition",
        }
    }

    /// Creating metadata needs "Customize Application" (Metadata API Developer Guide,
    /// "Modify Metadata Through Metadata API Functions Permission"); flows need "Manage
    /// Flow" to be created, activated and deleted (Salesforce Help, "Flow Builder User
    /// Permissions").
    fn permission(self) -> &'static str {
        match self {
            Kind::OutboundMessage => "Customize Application",
            Kind::Flow | Kind::FlowDefinition => "Manage Flow",
        }
    }
}

/// Why change notifications could not be set up or removed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SetupError {
    /// The connected user may not touch this part of Setup: Salesforce hides the Tooling
    /// object (`INVALID_TYPE` to a query, `NOT_FOUND` to a create) or refuses the write
    /// (`INSUFFICIENT_ACCESS...`).
    #[error(
        "the connected Salesforce user lacks the \"{permission}\" permission, needed to {step} (Salesforce answered {code}: {message})"
    )]
    MissingPermission {
        permission: &'static str,
        step: String,
        code: String,
        message: String,
    },
    #[error("could not {step}: {error}")]
    Salesforce { step: String, error: SfError },
}

impl SetupError {
    /// Salesforce's own error, when it was not a missing permission.
    pub fn salesforce_error(&self) -> Option<&SfError> {
        match self {
            SetupError::Salesforce { error, .. } => Some(error),
            SetupError::MissingPermission { .. } => None,
        }
    }
}

/// The Flow's API name and the Outbound Message's unique name, for `object`.
pub fn name(object: ObjectKind) -> String {
    format!("sfdesk_{}_changes", object.salesforce_name())
}

/// The Outbound Message's full name: `Contact.sfdesk_Contact_changes`, the object first as
/// the Metadata API names workflow actions.
pub fn outbound_message_full_name(object: ObjectKind) -> String {
    format!("{}.{}", object.salesforce_name(), name(object))
}

/// `64.0`, as metadata writes its `apiVersion`.
fn api_version() -> f64 {
    API_VERSION
        .trim_start_matches('v')
        .parse()
        .expect("API_VERSION is vNN.0")
}

/// The Outbound Message's `Metadata` (Metadata API Developer Guide, "Workflow":
/// WorkflowOutboundMessage). It carries the record's Id only: notifications are hints,
/// the record is read again. It is sent as `integration_user`, who must be an active user.
pub fn outbound_message_metadata(
    object: ObjectKind,
    endpoint_url: &str,
    integration_user: &str,
) -> Value {
    json!({
        "apiVersion": api_version(),
        "description": "Tells sfdesk that a record changed. Created by sfdesk; removed when its integration is deleted.",
        "endpointUrl": endpoint_url,
        "fields": ["Id"],
        "includeSessionId": false,
        "integrationUser": integration_user,
        "name": name(object),
        "protected": false,
    })
}

/// The body that creates the Outbound Message: `FullName` and `Metadata`.
pub fn new_outbound_message(
    object: ObjectKind,
    endpoint_url: &str,
    integration_user: &str,
) -> Value {
    json!({
        "FullName": outbound_message_full_name(object),
        "Metadata": outbound_message_metadata(object, endpoint_url, integration_user),
    })
}

/// The body that creates the Flow, as a draft (Metadata API Developer Guide, "Flow"):
/// an autolaunched flow started after save (`RecordAfterSave`, what Flow Builder calls
/// "Optimize for Actions and Related Records") when a record is created or updated,
/// whose one action call sends the Outbound Message in the saving transaction (a
/// rolled-back save sends nothing). Production orgs do not take flows created active, so
/// it is activated afterwards ([`activation`]).
pub fn new_flow(object: ObjectKind) -> Value {
    let object_name = object.salesforce_name();
    json!({
        "FullName": name(object),
        "Metadata": {
            "apiVersion": api_version(),
            "label": format!("sfdesk: {object_name} changes"),
            "description": format!(
                "Sends the Outbound Message {} when a {object_name} is created or updated, so sfdesk syncs it within seconds. Created by sfdesk; removed when its integration is deleted.",
                outbound_message_full_name(object)
            ),
            "processType": "AutoLaunchedFlow",
            "status": "Draft",
            "start": {
                "locationX": 50,
                "locationY": 0,
                "object": object_name,
                "recordTriggerType": "CreateAndUpdate",
                "triggerType": "RecordAfterSave",
                "connector": { "targetReference": ACTION },
            },
            "actionCalls": [{
                "name": ACTION,
                "label": "Send to sfdesk",
                "locationX": 176,
                "locationY": 134,
                "actionName": outbound_message_full_name(object),
                "actionType": "outboundMessage",
                "flowTransactionModel": "CurrentTransaction",
            }],
        },
    })
}

/// The `FlowDefinition` update that makes `version` the active one; 0 deactivates (Tooling
/// API Developer Guide, "FlowDefinition": activate and deactivate with the Metadata field).
pub fn activation(version: u32) -> Value {
    json!({ "Metadata": { "activeVersionNumber": version } })
}

/// The message's row, by name.
fn outbound_message_query(object: ObjectKind) -> String {
    Select::new("WorkflowOutboundMessage", &["Id", "Name"])
        .where_eq("Name", name(object))
        .build()
}

/// The flow's definition, by API name.
fn flow_definition_query(object: ObjectKind) -> String {
    Select::new(
        "FlowDefinition",
        &["Id", "ActiveVersionId", "LatestVersionId"],
    )
    .where_eq("DeveloperName", name(object))
    .build()
}

fn flow_version_query(version: &SfId) -> String {
    Select::new("Flow", &["Id", "DefinitionId", "VersionNumber"])
        .where_eq("Id", version)
        .build()
}

fn flow_versions_query(definition: &SfId) -> String {
    Select::new("Flow", &["Id"])
        .where_eq("DefinitionId", definition)
        .build()
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Row {
    id: SfId,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DefinitionRow {
    id: SfId,
    active_version_id: Option<SfId>,
    latest_version_id: Option<SfId>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct VersionRow {
    definition_id: SfId,
    version_number: u32,
}

/// A Tooling call that failed, told as what it tried and, where it is one, the permission
/// the user lacks. `NOT_FOUND` means a hidden object for a query or a create, a missing
/// record otherwise.
fn failed(kind: Kind, step: String, names_a_record: bool, error: SfError) -> SetupError {
    const HIDDEN: [&str; 3] = [
        "INVALID_TYPE",
        "INSUFFICIENT_ACCESS",
        "INSUFFICIENT_ACCESS_OR_READONLY",
    ];
    match error {
        SfError::Api { code, message, .. }
            if HIDDEN.contains(&code.as_str()) || (code == "NOT_FOUND" && !names_a_record) =>
        {
            SetupError::MissingPermission {
                permission: kind.permission(),
                step,
                code,
                message,
            }
        }
        error => SetupError::Salesforce { step, error },
    }
}

/// Whether a record addressed by Id is not there (any more).
fn is_gone(error: &SetupError) -> bool {
    error
        .salesforce_error()
        .and_then(SfError::code)
        .is_some_and(|code| matches!(code, "NOT_FOUND" | "ENTITY_IS_DELETED"))
}

impl<'a, T: Transport> Client<'a, T> {
    /// The rows of a Tooling query (one page: sfdesk's queries name one or two rows).
    async fn tooling_query<R: DeserializeOwned>(
        &self,
        kind: Kind,
        step: &str,
        soql: &str,
    ) -> Result<Vec<R>, SetupError> {
        let query = serde_urlencoded::to_string([("q", soql)]).expect("string pairs encode");
        let call = Call::data(Method::Get, &format!("tooling/query?{query}"));
        self.execute_json::<QueryResponse<R>>(&call)
            .await
            .map(|page| page.records)
            .map_err(|e| failed(kind, step.to_owned(), false, e))
    }

    async fn tooling_create(
        &self,
        kind: Kind,
        step: &str,
        body: &Value,
    ) -> Result<SfId, SetupError> {
        let failure = |e| failed(kind, step.to_owned(), false, e);
        let call = Call::data(
            Method::Post,
            &format!("tooling/sobjects/{}", kind.sobject()),
        )
        .json(body)
        .map_err(failure)?;
        self.execute_json::<SaveResult>(&call)
            .await
            .and_then(SaveResult::into_result)
            .map_err(failure)
    }

    async fn tooling_update(
        &self,
        kind: Kind,
        step: &str,
        id: &SfId,
        body: &Value,
    ) -> Result<(), SetupError> {
        let failure = |e| failed(kind, step.to_owned(), true, e);
        let call = Call::data(
            Method::Patch,
            &format!("tooling/sobjects/{}/{id}", kind.sobject()),
        )
        .json(body)
        .map_err(failure)?;
        self.execute(&call).await.map(drop).map_err(failure)
    }

    async fn tooling_delete(&self, kind: Kind, step: &str, id: &SfId) -> Result<(), SetupError> {
        let call = Call::data(
            Method::Delete,
            &format!("tooling/sobjects/{}/{id}", kind.sobject()),
        );
        self.execute(&call)
            .await
            .map(drop)
            .map_err(|e| failed(kind, step.to_owned(), true, e))
    }
}

/// Sets up `object`'s change notifications: its Outbound Message to `endpoint_url`, sent
/// as `integration_user` (the connected user's username), and its active Flow. Six calls
/// in an org that has neither; fewer when they exist.
pub async fn set_up<T: Transport>(
    client: &Client<'_, T>,
    object: ObjectKind,
    endpoint_url: &str,
    integration_user: &str,
) -> Result<ObjectNotifications, SetupError> {
    let plural = object.plural();
    let message_name = outbound_message_full_name(object);
    let existing: Vec<Row> = client
        .tooling_query(
            Kind::OutboundMessage,
            "read the Outbound Messages",
            &outbound_message_query(object),
        )
        .await?;
    let (outbound_message_id, message_reused) = match existing.into_iter().next() {
        Some(row) => {
            // Ours from an earlier set-up: its URL's key may be an older one.
            let body = json!({
                "Metadata": outbound_message_metadata(object, endpoint_url, integration_user)
            });
            let step = format!("point the Outbound Message {message_name} at sfdesk");
            client
                .tooling_update(Kind::OutboundMessage, &step, &row.id, &body)
                .await?;
            (row.id, true)
        }
        None => {
            let step = format!("create the Outbound Message {message_name}");
            let body = new_outbound_message(object, endpoint_url, integration_user);
            let id = client
                .tooling_create(Kind::OutboundMessage, &step, &body)
                .await?;
            (id, false)
        }
    };

    let flow_name = name(object);
    let definitions: Vec<DefinitionRow> = client
        .tooling_query(
            Kind::FlowDefinition,
            "read the Flows",
            &flow_definition_query(object),
        )
        .await?;
    let (flow_definition_id, flow_reused) = match definitions.into_iter().next() {
        Some(DefinitionRow {
            id,
            active_version_id: Some(_),
            ..
        }) => (id, true),
        found => {
            let existed = found.is_some();
            let version = match found.and_then(|d| d.latest_version_id) {
                Some(latest) => latest,
                None => {
                    let step = format!("create the Flow {flow_name} for {plural}");
                    client
                        .tooling_create(Kind::Flow, &step, &new_flow(object))
                        .await?
                }
            };
            let rows: Vec<VersionRow> = client
                .tooling_query(
                    Kind::Flow,
                    "read the new Flow's version",
                    &flow_version_query(&version),
                )
                .await?;
            let version = rows
                .into_iter()
                .next()
                .ok_or_else(|| SetupError::Salesforce {
                    step: format!("find the version of the Flow {flow_name}"),
                    error: SfError::Decode(format!("no Flow {version}")),
                })?;
            let step = format!("activate the Flow {flow_name}");
            client
                .tooling_update(
                    Kind::FlowDefinition,
                    &step,
                    &version.definition_id,
                    &activation(version.version_number),
                )
                .await?;
            (version.definition_id, existed)
        }
    };
    Ok(ObjectNotifications {
        object,
        outbound_message_id,
        outbound_message_name: message_name,
        flow_definition_id,
        flow_name,
        reused: message_reused || flow_reused,
    })
}

/// Removes what [`set_up`] made: deactivates the Flow, deletes its versions (a flow
/// version can be deleted once it is not active; Tooling API Developer Guide, "Flow"),
/// then the Outbound Message the Flow used. What is already gone counts as removed.
pub async fn remove<T: Transport>(
    client: &Client<'_, T>,
    notifications: &ObjectNotifications,
) -> Result<(), SetupError> {
    let flow = &notifications.flow_name;
    let gone_is_fine = |result: Result<(), SetupError>| match result {
        Err(error) if is_gone(&error) => Ok(()),
        other => other,
    };
    gone_is_fine(
        client
            .tooling_update(
                Kind::FlowDefinition,
                &format!("deactivate the Flow {flow}"),
                &notifications.flow_definition_id,
                &activation(0),
            )
            .await,
    )?;
    let versions: Vec<Row> = client
        .tooling_query(
            Kind::Flow,
            "read the Flow's versions",
            &flow_versions_query(&notifications.flow_definition_id),
        )
        .await?;
    for version in versions {
        let step = format!("delete version {} of the Flow {flow}", version.id);
        gone_is_fine(client.tooling_delete(Kind::Flow, &step, &version.id).await)?;
    }
    let step = format!(
        "delete the Outbound Message {}",
        notifications.outbound_message_name
    );
    gone_is_fine(
        client
            .tooling_delete(
                Kind::OutboundMessage,
                &step,
                &notifications.outbound_message_id,
            )
            .await,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::salesforce::client::tests::{Script, answer, ok, run, session};

    const USER: &str = "integration@acme.example";
    const URL: &str = "https://edge.example/webhooks/salesforce/org-1/tag?key=secret";
    const OM_ID: &str = "04k5g0000000001AAA";
    const FLOW_ID: &str = "3015g0000000001AAA";
    const DEF_ID: &str = "3005g0000000001AAA";

    fn created(id: &str) -> crate::http::HttpResponse {
        answer(
            201,
            Some("2/1000"),
            &format!(r#"{{"id":"{id}","success":true,"errors":[]}}"#),
        )
    }

    fn rows(entity: &str, records: Value) -> crate::http::HttpResponse {
        let size = records.as_array().map_or(0, Vec::len);
        ok(&json!({
            "size": size, "totalSize": size, "done": true, "queryLocator": null,
            "entityTypeName": entity, "records": records,
        })
        .to_string())
    }

    fn no_content() -> crate::http::HttpResponse {
        answer(204, Some("3/1000"), "")
    }

    fn query_of(script: &Script, index: usize) -> String {
        let url = url::Url::parse(&script.urls()[index]).unwrap();
        assert_eq!(url.path(), "/services/data/v64.0/tooling/query");
        url.query_pairs()
            .find(|(k, _)| k == "q")
            .unwrap()
            .1
            .into_owned()
    }

    #[test]
    fn the_outbound_message_carries_the_id_to_the_url_as_the_connected_user() {
        let body = new_outbound_message(ObjectKind::Contact, URL, USER);
        assert_eq!(body["FullName"], "Contact.sfdesk_Contact_changes");
        let metadata = &body["Metadata"];
        assert_eq!(metadata["endpointUrl"], URL);
        assert_eq!(metadata["integrationUser"], USER);
        assert_eq!(metadata["name"], "sfdesk_Contact_changes");
        assert_eq!(metadata["fields"], json!(["Id"]));
        assert_eq!(metadata["includeSessionId"], false);
        assert_eq!(metadata["apiVersion"], 64.0);
    }

    #[test]
    fn the_flow_is_an_after_save_draft_on_create_and_update_that_sends_the_message() {
        let body = new_flow(ObjectKind::Account);
        assert_eq!(body["FullName"], "sfdesk_Account_changes");
        let flow = &body["Metadata"];
        assert_eq!(flow["processType"], "AutoLaunchedFlow");
        assert_eq!(flow["status"], "Draft");
        let start = &flow["start"];
        assert_eq!(start["object"], "Account");
        assert_eq!(start["triggerType"], "RecordAfterSave");
        assert_eq!(start["recordTriggerType"], "CreateAndUpdate");
        let action = &flow["actionCalls"][0];
        assert_eq!(start["connector"]["targetReference"], action["name"]);
        assert_eq!(action["actionType"], "outboundMessage");
        assert_eq!(action["actionName"], "Account.sfdesk_Account_changes");
        assert_eq!(
            activation(3),
            json!({"Metadata": {"activeVersionNumber": 3}})
        );
    }

    #[test]
    fn a_fresh_org_gets_a_message_and_an_active_flow_in_six_calls() {
        let script = Script::new([
            rows("WorkflowOutboundMessage", json!([])),
            created(OM_ID),
            rows("FlowDefinition", json!([])),
            created(FLOW_ID),
            rows(
                "Flow",
                json!([{"Id": FLOW_ID, "DefinitionId": DEF_ID, "VersionNumber": 1}]),
            ),
            no_content(),
        ]);
        let client = Client::new(&script, session());
        let set = run(set_up(&client, ObjectKind::Contact, URL, USER)).unwrap();
        assert_eq!(set.outbound_message_id.as_str(), OM_ID);
        assert_eq!(set.flow_definition_id.as_str(), DEF_ID);
        assert_eq!(set.flow_name, "sfdesk_Contact_changes");
        assert!(!set.reused);

        assert_eq!(
            query_of(&script, 0),
            "SELECT Id, Name FROM WorkflowOutboundMessage WHERE Name = 'sfdesk_Contact_changes'"
        );
        let sent = script.sent.borrow();
        let calls: Vec<_> = sent
            .iter()
            .map(|r| (r.method, r.url.split('?').next().unwrap().to_owned()))
            .collect();
        drop(sent);
        let tooling = "https://org.example/services/data/v64.0/tooling";
        assert_eq!(
            calls,
            [
                (Method::Get, format!("{tooling}/query")),
                (
                    Method::Post,
                    format!("{tooling}/sobjects/WorkflowOutboundMessage")
                ),
                (Method::Get, format!("{tooling}/query")),
                (Method::Post, format!("{tooling}/sobjects/Flow")),
                (Method::Get, format!("{tooling}/query")),
                (
                    Method::Patch,
                    format!("{tooling}/sobjects/FlowDefinition/{DEF_ID}")
                ),
            ]
        );
        assert_eq!(
            script.body(1),
            new_outbound_message(ObjectKind::Contact, URL, USER)
        );
        assert_eq!(script.body(3), new_flow(ObjectKind::Contact));
        assert_eq!(
            query_of(&script, 4),
            format!("SELECT Id, DefinitionId, VersionNumber FROM Flow WHERE Id = '{FLOW_ID}'")
        );
        assert_eq!(script.body(5), activation(1));
    }

    #[test]
    fn what_exists_is_reused_and_the_message_pointed_at_the_current_url() {
        let script = Script::new([
            rows(
                "WorkflowOutboundMessage",
                json!([{"Id": OM_ID, "Name": "sfdesk_Contact_changes"}]),
            ),
            no_content(),
            rows(
                "FlowDefinition",
                json!([{"Id": DEF_ID, "ActiveVersionId": FLOW_ID, "LatestVersionId": FLOW_ID}]),
            ),
        ]);
        let client = Client::new(&script, session());
        let set = run(set_up(&client, ObjectKind::Contact, URL, USER)).unwrap();
        assert!(set.reused);
        assert_eq!(set.flow_definition_id.as_str(), DEF_ID);
        assert_eq!(script.sent.borrow()[1].method, Method::Patch);
        assert!(script.urls()[1].ends_with(&format!(
            "/tooling/sobjects/WorkflowOutboundMessage/{OM_ID}"
        )));
        let body = script.body(1);
        assert_eq!(body["Metadata"]["endpointUrl"], URL);
        assert!(
            body.get("FullName").is_none(),
            "a full name is not updatable"
        );
    }

    #[test]
    fn an_inactive_flow_of_ours_is_activated_rather_than_created_again() {
        let script = Script::new([
            rows("WorkflowOutboundMessage", json!([])),
            created(OM_ID),
            rows(
                "FlowDefinition",
                json!([{"Id": DEF_ID, "ActiveVersionId": null, "LatestVersionId": FLOW_ID}]),
            ),
            rows(
                "Flow",
                json!([{"Id": FLOW_ID, "DefinitionId": DEF_ID, "VersionNumber": 2}]),
            ),
            no_content(),
        ]);
        let client = Client::new(&script, session());
        let set = run(set_up(&client, ObjectKind::Account, URL, USER)).unwrap();
        assert!(set.reused);
        assert_eq!(script.body(4), activation(2));
        assert!(
            script
                .sent
                .borrow()
                .iter()
                .filter(|r| r.method == Method::Post)
                .count()
                == 1,
            "only the message was created"
        );
    }

    #[test]
    fn a_hidden_tooling_object_names_the_missing_permission() {
        let invalid_type = r#"[{"message":"sObject type 'FlowDefinition' is not supported.","errorCode":"INVALID_TYPE"}]"#;
        let script = Script::new([
            rows("WorkflowOutboundMessage", json!([])),
            created(OM_ID),
            answer(400, Some("3/1000"), invalid_type),
        ]);
        let client = Client::new(&script, session());
        let error = run(set_up(&client, ObjectKind::Contact, URL, USER)).unwrap_err();
        assert!(matches!(
            &error,
            SetupError::MissingPermission { permission: "Manage Flow", code, .. } if code == "INVALID_TYPE"
        ));
        assert!(error.to_string().contains("\"Manage Flow\""), "{error}");

        let not_found =
            r#"[{"message":"The requested resource does not exist","errorCode":"NOT_FOUND"}]"#;
        let script = Script::new([
            rows("WorkflowOutboundMessage", json!([])),
            answer(404, Some("2/1000"), not_found),
        ]);
        let client = Client::new(&script, session());
        let error = run(set_up(&client, ObjectKind::Contact, URL, USER)).unwrap_err();
        assert!(matches!(
            error,
            SetupError::MissingPermission {
                permission: "Customize Application",
                ..
            }
        ));
    }

    #[test]
    fn other_refusals_keep_salesforce_s_words() {
        let body = r#"[{"message":"The flow can't be activated: the action Contact.x doesn't exist.","errorCode":"FIELD_INTEGRITY_EXCEPTION"}]"#;
        let script = Script::new([
            rows(
                "WorkflowOutboundMessage",
                json!([{"Id": OM_ID, "Name": "x"}]),
            ),
            no_content(),
            rows("FlowDefinition", json!([])),
            created(FLOW_ID),
            rows(
                "Flow",
                json!([{"Id": FLOW_ID, "DefinitionId": DEF_ID, "VersionNumber": 1}]),
            ),
            answer(400, Some("6/1000"), body),
        ]);
        let client = Client::new(&script, session());
        let error = run(set_up(&client, ObjectKind::Contact, URL, USER)).unwrap_err();
        assert_eq!(
            error.salesforce_error().and_then(SfError::code),
            Some("FIELD_INTEGRITY_EXCEPTION")
        );
        assert!(
            error
                .to_string()
                .starts_with("could not activate the Flow sfdesk_Contact_changes")
        );
    }

    fn notifications() -> ObjectNotifications {
        ObjectNotifications {
            object: ObjectKind::Contact,
            outbound_message_id: SfId::parse(OM_ID).unwrap(),
            outbound_message_name: outbound_message_full_name(ObjectKind::Contact),
            flow_definition_id: SfId::parse(DEF_ID).unwrap(),
            flow_name: name(ObjectKind::Contact),
            reused: false,
        }
    }

    #[test]
    fn removal_deactivates_then_deletes_every_version_then_the_message() {
        let second = "3015g0000000002AAA";
        let script = Script::new([
            no_content(),
            rows("Flow", json!([{"Id": FLOW_ID}, {"Id": second}])),
            no_content(),
            no_content(),
            no_content(),
        ]);
        let client = Client::new(&script, session());
        run(remove(&client, &notifications())).unwrap();
        let sent = script.sent.borrow();
        let calls: Vec<_> = sent
            .iter()
            .map(|r| {
                (
                    r.method,
                    r.url
                        .rsplit("/tooling/")
                        .next()
                        .unwrap()
                        .split('?')
                        .next()
                        .unwrap()
                        .to_owned(),
                )
            })
            .collect();
        drop(sent);
        assert_eq!(
            calls,
            [
                (Method::Patch, format!("sobjects/FlowDefinition/{DEF_ID}")),
                (Method::Get, "query".to_owned()),
                (Method::Delete, format!("sobjects/Flow/{FLOW_ID}")),
                (Method::Delete, format!("sobjects/Flow/{second}")),
                (
                    Method::Delete,
                    format!("sobjects/WorkflowOutboundMessage/{OM_ID}")
                ),
            ]
        );
        assert_eq!(script.body(0), activation(0));
        assert_eq!(
            query_of(&script, 1),
            format!("SELECT Id FROM Flow WHERE DefinitionId = '{DEF_ID}'")
        );
    }

    #[test]
    fn removing_what_is_already_gone_succeeds() {
        let gone =
            r#"[{"message":"The requested resource does not exist","errorCode":"NOT_FOUND"}]"#;
        let script = Script::new([
            answer(404, Some("1/1000"), gone),
            rows("Flow", json!([])),
            answer(404, Some("3/1000"), gone),
        ]);
        let client = Client::new(&script, session());
        run(remove(&client, &notifications())).unwrap();
        assert_eq!(script.sent.borrow().len(), 3);
    }
}
