//! The org shapes over real HTTP: each shape's describe and panel-like queries, what it
//! refuses, and what every shape has in common (the org record, the demo requester, an
//! all-day event, a contact role on another account's deal, the replication window).

use crate::helpers::*;
use sandbox::salesforce::BulkSeed;
use sandbox::{Config, OrgShape, Sandbox};
use serde_json::{Value, json};

const DEMO_EMAIL: &str = "maya.patel@northwind.example";

async fn spawn_shape(shape: OrgShape) -> Sandbox {
    spawn_with(Config {
        org_shape: shape,
        ..Config::ephemeral()
    })
    .await
}

/// The names of a describe's fields.
fn field_names(describe: &Value) -> Vec<&str> {
    describe["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect()
}

fn child_relationships(describe: &Value) -> Vec<&str> {
    describe["childRelationships"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["relationshipName"].as_str().unwrap())
        .collect()
}

/// The demo requester's Id.
async fn demo_contact(api: &Api<'_>) -> String {
    let (status, body) = api
        .query(&format!(
            "SELECT Id FROM Contact WHERE Email = '{DEMO_EMAIL}'"
        ))
        .await;
    assert_eq!(status, 200, "{body}");
    body["records"][0]["Id"].as_str().unwrap().to_owned()
}

/// Status, `errorCode` and message of a refused call.
fn refusal(status: u16, body: &Value) -> (u16, &str, &str) {
    let error = only_error(body);
    (
        status,
        error["errorCode"].as_str().unwrap(),
        error["message"].as_str().unwrap(),
    )
}

// ---------------------------------------------------------------------------------------
// Every shape

#[tokio::test]
async fn every_shape_says_what_it_is_and_keeps_the_demo_requester() {
    for shape in OrgShape::ALL {
        let sandbox = spawn_shape(shape).await;
        assert_eq!(sandbox.org_shape(), shape);
        let (status, body) = control(&sandbox, "GET", "/shape", None).await;
        assert_eq!((status, body), (200, json!({"shape": shape.name()})));
        let api = Api::new(&sandbox).await;
        let (status, body) = api
            .query(&format!(
                "SELECT Name, Account.Name FROM Contact WHERE Email = '{DEMO_EMAIL}'"
            ))
            .await;
        assert_eq!(status, 200, "{shape}: {body}");
        assert_eq!(body["records"][0]["Account"]["Name"], "Northwind Traders");
        let (_, body) = api
            .query("SELECT Id, Name, DefaultCurrencyIsoCode FROM Organization")
            .await;
        let org = &body["records"][0];
        assert_eq!(org["Id"], sandbox.salesforce().org_id().as_str(), "{shape}");
        assert_eq!(org["DefaultCurrencyIsoCode"], shape.default_currency());
    }
}

// ---------------------------------------------------------------------------------------
// plain: no custom fields

#[tokio::test]
async fn a_plain_org_has_no_custom_field_and_refuses_one_like_salesforce() {
    let sandbox = spawn_shape(OrgShape::Plain).await;
    let api = Api::new(&sandbox).await;
    for object in ["Contact", "Account"] {
        let (status, describe) = api.get(&format!("/sobjects/{object}/describe")).await;
        assert_eq!(status, 200);
        let custom: Vec<&Value> = describe["fields"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["custom"] == true || f["name"].as_str().unwrap().ends_with("__c"))
            .collect();
        assert!(custom.is_empty(), "{object}: {custom:?}");
    }
    let (status, body) = api
        .query(&format!(
            "SELECT Id, Subscription_Type__c FROM Contact WHERE Email = '{DEMO_EMAIL}'"
        ))
        .await;
    let (status, code, message) = refusal(status, &body);
    assert_eq!((status, code), (400, "INVALID_FIELD"));
    assert!(
        message.contains(
            "No such column 'Subscription_Type__c' on entity 'Contact'. If you are attempting \
             to use a custom field"
        ),
        "{message}"
    );
    let contact = demo_contact(&api).await;
    let (status, body) = api
        .patch(
            &format!("/sobjects/Contact/{contact}"),
            &json!({"Subscription_Type__c": "Trial"}),
        )
        .await;
    assert_eq!(refusal(status, &body).1, "INVALID_FIELD");
    let (status, body) = api
        .post(
            "/sobjects/Account",
            &json!({"Name": "Custom Co", "Helpdesk_Id__c": "hd-1"}),
        )
        .await;
    let (status, code, message) = refusal(status, &body);
    assert_eq!((status, code), (400, "INVALID_FIELD"));
    assert!(message.contains("Helpdesk_Id__c"), "{message}");
    // The org truly has no such field: its own controls cannot write one either.
    let (status, _) = control(
        &sandbox,
        "PATCH",
        &format!("/records/Contact/{contact}"),
        Some(json!({"Seats__c": 3})),
    )
    .await;
    assert_eq!(status, 400);
}

// ---------------------------------------------------------------------------------------
// restricted: field-level security

#[tokio::test]
async fn a_restricted_org_describes_only_what_its_user_can_read() {
    let sandbox = spawn_shape(OrgShape::Restricted).await;
    let api = Api::new(&sandbox).await;
    let (_, contact) = api.get("/sobjects/Contact/describe").await;
    let fields = field_names(&contact);
    assert!(fields.contains(&"Email") && fields.contains(&"Subscription_Type__c"));
    assert!(
        !fields.contains(&"Title") && !fields.contains(&"Phone"),
        "{fields:?}"
    );
    let children = child_relationships(&contact);
    assert!(children.contains(&"Tasks") && children.contains(&"Notes"));
    assert!(
        !children.contains(&"Opportunities") && !children.contains(&"OpportunityContactRoles"),
        "{children:?}"
    );
    let (_, account) = api.get("/sobjects/Account/describe").await;
    assert!(!field_names(&account).contains(&"Industry"));
    assert!(!child_relationships(&account).contains(&"Opportunities"));
    let (status, body) = api.get("/sobjects/Opportunity/describe").await;
    assert_eq!(
        refusal(status, &body),
        (404, "NOT_FOUND", "The requested resource does not exist")
    );
    let (_, global) = api.get("/sobjects").await;
    let names: Vec<&str> = global["sobjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"Contact") && !names.contains(&"Opportunity"),
        "{names:?}"
    );
}

#[tokio::test]
async fn a_restricted_org_refuses_hidden_fields_and_relationships_in_queries_and_writes() {
    let sandbox = spawn_shape(OrgShape::Restricted).await;
    let api = Api::new(&sandbox).await;
    let query =
        |select: &str| format!("SELECT Id, {select} FROM Contact WHERE Email = '{DEMO_EMAIL}'");
    let (status, body) = api.query(&query("Title")).await;
    let (status, code, message) = refusal(status, &body);
    assert_eq!((status, code), (400, "INVALID_FIELD"));
    assert!(
        message.contains(
            "No such column 'Title' on entity 'Contact'. If you are attempting to use a custom \
             field, be sure to append the '__c' after the custom field name."
        ),
        "{message}"
    );
    let (status, body) = api.query(&query("Account.Industry")).await;
    let (_, code, message) = refusal(status, &body);
    assert_eq!(code, "INVALID_FIELD");
    assert!(
        message.contains("No such column 'Industry' on entity 'Account'"),
        "{message}"
    );
    let (status, body) = api
        .query(&query("(SELECT Id, Name FROM Opportunities)"))
        .await;
    let (status, code, message) = refusal(status, &body);
    assert_eq!((status, code), (400, "INVALID_TYPE"));
    assert!(
        message
            .contains("Didn't understand relationship 'Opportunities' in FROM part of query call"),
        "{message}"
    );
    let (status, body) = api
        .query(&query(
            "(SELECT Role, Opportunity.Name FROM OpportunityContactRoles)",
        ))
        .await;
    let (_, code, message) = refusal(status, &body);
    assert_eq!(code, "INVALID_TYPE");
    assert!(message.contains("'OpportunityContactRoles'"), "{message}");
    let (status, body) = api.query("SELECT Id FROM Opportunity").await;
    assert_eq!(refusal(status, &body).1, "INVALID_TYPE");
    // What the user can read answers as ever.
    let (status, body) = api
        .query(&query(
            "Name, Email, Account.Name, (SELECT Subject FROM Tasks)",
        ))
        .await;
    assert_eq!(status, 200, "{body}");

    let contact = demo_contact(&api).await;
    let (status, body) = api.get(&format!("/sobjects/Contact/{contact}")).await;
    assert_eq!(status, 200);
    assert!(
        body.get("Title").is_none() && body.get("Email").is_some(),
        "{body}"
    );
    let (status, body) = api
        .get(&format!("/sobjects/Contact/{contact}?fields=Email,Title"))
        .await;
    assert_eq!(refusal(status, &body).1, "INVALID_FIELD");
    let (status, body) = api
        .patch(
            &format!("/sobjects/Contact/{contact}"),
            &json!({"Title": "CEO"}),
        )
        .await;
    let (status, code, message) = refusal(status, &body);
    assert_eq!((status, code), (400, "INVALID_FIELD"));
    assert!(message.contains("No such column 'Title'"), "{message}");
    let (status, body) = api
        .post(
            "/composite/sobjects",
            &json!({"records": [{"attributes": {"type": "Contact"}, "LastName": "X", "Phone": "1"}]}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body[0]["errors"][0]["statusCode"], "INVALID_FIELD");

    // The records still hold the values, and the org's own controls see and write them.
    let (status, record) = control(
        &sandbox,
        "PATCH",
        &format!("/records/Contact/{contact}"),
        Some(json!({"Title": "Chief Operations Officer"})),
    )
    .await;
    assert_eq!(status, 200, "{record}");
    assert_eq!(record["Title"], "Chief Operations Officer");
    assert_eq!(record["Phone"], "+1 206 555 0143");
}

// ---------------------------------------------------------------------------------------
// small_batches

#[tokio::test]
async fn a_small_batches_org_answers_200_records_a_batch_whatever_is_asked() {
    let sandbox = spawn_shape(OrgShape::SmallBatches).await;
    sandbox.salesforce().seed_bulk(BulkSeed {
        contacts: 450,
        accounts: 0,
    });
    let api = Api::new(&sandbox).await;
    let (status, _, body) = api
        .send(
            client()
                .get(api.url("/query"))
                .header("Sforce-Query-Options", "batchSize=2000")
                .query(&[("q", "SELECT Id FROM Contact")]),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["records"].as_array().unwrap().len(), 200);
    assert_eq!(body["done"], false);
    let mut total = 200;
    let mut next = body["nextRecordsUrl"].as_str().map(str::to_owned);
    while let Some(url) = next {
        let (_, page) = api.get(&url).await;
        let records = page["records"].as_array().unwrap().len();
        assert!(records <= 200);
        total += records;
        next = page["nextRecordsUrl"].as_str().map(str::to_owned);
    }
    assert_eq!(total as u64, body["totalSize"].as_u64().unwrap());
}
