//! The Tooling API's change notifications: the product's own set-up and removal
//! (`shared::salesforce::tooling`) against the org, what an active flow makes the org
//! send, and the answers Salesforce gives to what it refuses.

use crate::helpers::{client, http, ok, password_token, send, session, sf_query, spawn};
use contract::admin::ObjectNotifications;
use contract::mapping::ObjectKind;
use reqwest::Method;
use sandbox::{Sandbox, demo};
use serde_json::{Value, json};
use shared::salesforce::Client;
use shared::salesforce::tooling::{self, NOTIFIED_OBJECTS, SetupError};
use std::time::{Duration, Instant};

/// Nothing listens there: a delivery is attempted and logged, never acknowledged.
const HOOK: &str = "http://127.0.0.1:9/webhooks/salesforce/org-1/tag?key=k1";

fn tooling_url(sandbox: &Sandbox, rest: &str) -> String {
    format!(
        "{}/services/data/v64.0/tooling/{rest}",
        sandbox.salesforce_url
    )
}

async fn controls(sandbox: &Sandbox, path: &str) -> Value {
    ok(client().get(format!("{}/__sandbox/{path}", sandbox.salesforce_url))).await
}

async fn set_permissions(sandbox: &Sandbox, customize_application: bool, manage_flow: bool) {
    ok(client()
        .put(format!(
            "{}/__sandbox/tooling/permissions",
            sandbox.salesforce_url
        ))
        .json(&json!({
            "customizeApplication": customize_application,
            "manageFlow": manage_flow,
        })))
    .await;
}

async fn set_up_all(
    client: &Client<'_, shared::http::ReqwestTransport>,
) -> Vec<ObjectNotifications> {
    let mut done = Vec::new();
    for object in NOTIFIED_OBJECTS {
        done.push(
            tooling::set_up(client, object, HOOK, demo::ADMIN_USERNAME)
                .await
                .unwrap(),
        );
    }
    done
}

/// Deliveries to [`HOOK`] that named `record`.
fn deliveries_of(sandbox: &Sandbox, record: &str) -> usize {
    sandbox
        .salesforce()
        .outbound_deliveries()
        .iter()
        .filter(|d| d.endpoint_url == HOOK && d.record_ids.iter().any(|id| id == record))
        .count()
}

async fn edit_a_contact(sandbox: &Sandbox, token: &str, title: &str) -> String {
    let contacts: Value = sf_query(sandbox, token, "SELECT Id FROM Contact LIMIT 1")
        .await
        .json()
        .await
        .unwrap();
    let id = contacts["records"][0]["Id"].as_str().unwrap().to_owned();
    ok(client()
        .patch(format!(
            "{}/__sandbox/records/Contact/{id}",
            sandbox.salesforce_url
        ))
        .json(&json!({ "Title": title })))
    .await;
    id
}

#[tokio::test]
async fn the_set_up_makes_the_org_send_changes_and_its_removal_stops_them() {
    let sandbox = spawn().await;
    let token = password_token(&sandbox).await;
    let transport = http();
    let client = Client::new(&transport, session(&token));

    let set = set_up_all(&client).await;
    assert!(set.iter().all(|s| !s.reused));
    let org = controls(&sandbox, "tooling").await;
    assert_eq!(
        org["outboundMessages"].as_array().unwrap().len(),
        2,
        "{org}"
    );
    for flow in org["flows"].as_array().unwrap() {
        assert_eq!(flow["activeVersionNumber"], 1, "{org}");
        assert_eq!(flow["versions"][0]["status"], "Active", "{org}");
    }
    let outbound = controls(&sandbox, "outbound").await;
    for object in ["Account", "Contact"] {
        assert_eq!(
            outbound["endpoints"][object]["endpointUrl"], HOOK,
            "{outbound}"
        );
        assert_eq!(outbound["endpoints"][object]["fields"], json!(["Id"]));
    }

    // A user's edit in Salesforce goes out as an Outbound Message within seconds.
    let contact = edit_a_contact(&sandbox, &token.access_token, "Chief Buyer").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while deliveries_of(&sandbox, &contact) == 0 {
        assert!(
            Instant::now() < deadline,
            "no Outbound Message for the edit"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // Setting up again finds and reuses everything.
    let again = set_up_all(&client).await;
    assert!(again.iter().all(|s| s.reused));
    let ids = |set: &[ObjectNotifications]| {
        set.iter()
            .map(|s| (s.outbound_message_id.clone(), s.flow_definition_id.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&again), ids(&set));
    let org = controls(&sandbox, "tooling").await;
    assert_eq!(org["outboundMessages"].as_array().unwrap().len(), 2);
    assert!(
        org["flows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["versions"].as_array().unwrap().len() == 1),
        "{org}"
    );

    for notifications in &set {
        tooling::remove(&client, notifications).await.unwrap();
    }
    let org = controls(&sandbox, "tooling").await;
    assert_eq!(org["outboundMessages"], json!([]), "{org}");
    assert_eq!(org["flows"], json!([]), "{org}");
    let outbound = controls(&sandbox, "outbound").await;
    assert_eq!(outbound["endpoints"], json!({}), "{outbound}");
    let before = deliveries_of(&sandbox, &contact);
    edit_a_contact(&sandbox, &token.access_token, "Former Buyer").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        deliveries_of(&sandbox, &contact),
        before,
        "nothing sends any more"
    );

    // Removing what is gone already is no error.
    tooling::remove(&client, &set[0]).await.unwrap();
}

#[tokio::test]
async fn without_the_permissions_the_org_hides_what_the_set_up_needs() {
    let sandbox = spawn().await;
    let token = password_token(&sandbox).await;
    let transport = http();
    let client = Client::new(&transport, session(&token));

    set_permissions(&sandbox, true, false).await;
    let error = tooling::set_up(&client, ObjectKind::Contact, HOOK, demo::ADMIN_USERNAME)
        .await
        .unwrap_err();
    assert!(
        matches!(
            &error,
            SetupError::MissingPermission { permission: "Manage Flow", code, .. } if code == "INVALID_TYPE"
        ),
        "{error}"
    );

    set_permissions(&sandbox, false, true).await;
    let (status, body) = send(
        api(
            &token.access_token,
            Method::GET,
            tooling_url(&sandbox, "query"),
        )
        .query(&[("q", "SELECT Id FROM WorkflowOutboundMessage")]),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body[0]["errorCode"], "INVALID_TYPE", "{body}");
    let (status, body) = send(
        api(
            &token.access_token,
            Method::POST,
            tooling_url(&sandbox, "sobjects/WorkflowOutboundMessage"),
        )
        .json(&tooling::new_outbound_message(
            ObjectKind::Contact,
            HOOK,
            demo::ADMIN_USERNAME,
        )),
    )
    .await;
    assert_eq!((status, &body[0]["errorCode"]), (404, &json!("NOT_FOUND")));
    let error = tooling::set_up(&client, ObjectKind::Account, HOOK, demo::ADMIN_USERNAME)
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            SetupError::MissingPermission {
                permission: "Customize Application",
                ..
            }
        ),
        "{error}"
    );
}

/// A Tooling API request with the session's bearer token.
fn api(token: &str, method: reqwest::Method, url: String) -> reqwest::RequestBuilder {
    client().request(method, url).bearer_auth(token)
}

#[tokio::test]
async fn flows_start_inactive_and_one_that_cannot_run_is_not_activated() {
    let sandbox = spawn().await;
    let token = password_token(&sandbox).await;
    let call =
        |method: Method, rest: &str| api(&token.access_token, method, tooling_url(&sandbox, rest));

    // A flow whose action names no existing Outbound Message, sent as active.
    let mut flow = tooling::new_flow(ObjectKind::Contact);
    flow["Metadata"]["status"] = "Active".into();
    let (status, created) = send(call(Method::POST, "sobjects/Flow").json(&flow)).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["success"], true);
    let version = created["id"].as_str().unwrap().to_owned();
    assert!(version.starts_with("301"), "{created}");

    let (status, answer) = send(call(Method::GET, "query").query(&[(
        "q",
        format!("SELECT Id, DefinitionId, VersionNumber, Status FROM Flow WHERE Id = '{version}'"),
    )]))
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["entityTypeName"], "Flow");
    assert_eq!(answer["size"], 1);
    assert_eq!(answer["done"], true);
    let row = &answer["records"][0];
    assert_eq!(row["attributes"]["type"], "Flow");
    assert_eq!(row["VersionNumber"], 1);
    assert_eq!(
        row["Status"], "InvalidDraft",
        "created inactive, and it cannot run"
    );
    let definition = row["DefinitionId"].as_str().unwrap().to_owned();

    let activate = |version: u32| {
        call(
            Method::PATCH,
            &format!("sobjects/FlowDefinition/{definition}"),
        )
        .json(&tooling::activation(version))
    };
    let (status, body) = send(activate(1)).await;
    assert_eq!(
        (status, &body[0]["errorCode"]),
        (400, &json!("FIELD_INTEGRITY_EXCEPTION"))
    );
    let (status, body) = send(activate(7)).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body[0]["message"]
            .as_str()
            .unwrap()
            .contains("Invalid version number 7")
    );

    // With its Outbound Message there, a second version can run and be activated.
    ok(call(Method::POST, "sobjects/WorkflowOutboundMessage").json(
        &tooling::new_outbound_message(ObjectKind::Contact, HOOK, demo::ADMIN_USERNAME),
    ))
    .await;
    let second = ok(call(Method::POST, "sobjects/Flow").json(&flow)).await;
    let second = second["id"].as_str().unwrap().to_owned();
    assert_eq!(send(activate(2)).await.0, 204);
    let read = ok(call(Method::GET, &format!("sobjects/Flow/{second}"))).await;
    assert_eq!(read["Status"], "Active");
    assert_eq!(read["VersionNumber"], 2);
    assert_eq!(read["Metadata"]["start"]["object"], "Contact");

    // An active version is not deleted; definitions are never deleted directly.
    let (status, body) = send(call(Method::DELETE, &format!("sobjects/Flow/{second}"))).await;
    assert_eq!(status, 400, "{body}");
    let (status, _) = send(call(
        Method::DELETE,
        &format!("sobjects/FlowDefinition/{definition}"),
    ))
    .await;
    assert_eq!(status, 405);

    // FullName and Metadata are read for one row at a time.
    let (status, body) =
        send(call(Method::GET, "query").query(&[("q", "SELECT Id, FullName FROM Flow")])).await;
    assert_eq!(
        (status, &body[0]["errorCode"]),
        (400, &json!("MALFORMED_QUERY"))
    );

    // An Outbound Message must be sent as an active user of the org.
    let mut stranger =
        tooling::new_outbound_message(ObjectKind::Account, HOOK, "nobody@else.example");
    stranger["FullName"] = "Account.Other".into();
    let (status, body) =
        send(call(Method::POST, "sobjects/WorkflowOutboundMessage").json(&stranger)).await;
    assert_eq!(
        (status, &body[0]["errorCode"]),
        (400, &json!("FIELD_INTEGRITY_EXCEPTION"))
    );
}
