//! The org's REST API: queries through `shared`'s client, writes, paging, errors, and
//! the headers every answer carries.

use crate::helpers::*;
use contract::ids::Email;
use serde_json::{Value, json};
use shared::panel::{ContactRecord, contact_by_email};
use shared::salesforce::{Client, SfError};
use std::time::Duration;

const MAYA: &str = "maya.patel@northwind.example";

#[tokio::test]
async fn the_shared_client_finds_a_contact_by_email_with_its_account() {
    let sandbox = spawn().await;
    let token = password_token(&sandbox).await;
    let session = session(&token);
    let transport = http();
    let client = Client::new(&transport, &session);

    // Case differs from the stored address: SOQL's `=` ignores case.
    let email = Email::parse("Maya.Patel@Northwind.example").unwrap();
    let page = client
        .query::<ContactRecord>(&contact_by_email(&email))
        .await
        .unwrap();
    assert_eq!((page.total_size, page.done), (1, true));
    let maya = page.records.into_iter().next().unwrap();
    assert_eq!(maya.name, "Maya Patel");
    assert_eq!(maya.title.as_deref(), Some("Head of Operations"));
    assert_eq!(
        maya.account.and_then(|a| a.name).as_deref(),
        Some("Northwind Traders")
    );

    // "View in Salesforce" (the instance URL and the Id) lands on a record page.
    let url = format!("{}/{}", token.instance_url.trim_end_matches('/'), maya.id);
    assert_eq!(url, format!("{}/{}", sandbox.salesforce_url, maya.id));
    let page = reqwest::get(&url).await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Maya Patel") && html.contains("Northwind Traders"));

    let nobody = Email::parse("nobody@nowhere.example").unwrap();
    let page = client
        .query::<ContactRecord>(&contact_by_email(&nobody))
        .await
        .unwrap();
    assert_eq!((page.total_size, page.records.len()), (0, 0));

    transport_sees_invalid_session(&transport, &token).await;
}

async fn transport_sees_invalid_session(
    transport: &shared::http::ReqwestTransport,
    token: &shared::salesforce::TokenResponse,
) {
    let bad = shared::salesforce::Session {
        instance_url: token.instance_url.clone(),
        access_token: "00Dnope!nope".into(),
    };
    let result = Client::new(transport, &bad)
        .query::<ContactRecord>("SELECT Id FROM Contact")
        .await;
    assert_eq!(result.unwrap_err(), SfError::InvalidSession);
}

#[tokio::test]
async fn answers_carry_salesforce_headers_and_count_calls() {
    let sandbox = spawn().await;
    let token = password_token(&sandbox).await;
    let before = sandbox.salesforce_api_usage();
    let response = sf_query(&sandbox, &token.access_token, "SELECT Id FROM Account").await;
    assert_eq!(
        response.headers()["content-type"],
        "application/json;charset=UTF-8"
    );
    assert_eq!(
        response.headers()["sforce-limit-info"],
        format!("api-usage={}/100000", before + 1)
    );
    let response = sf_query(&sandbox, &token.access_token, "SELEKT").await;
    assert_eq!(
        response.headers()["sforce-limit-info"],
        format!("api-usage={}/100000", before + 2)
    );
    assert_eq!(sandbox.salesforce_api_usage(), before + 2);
}

#[tokio::test]
async fn query_rows_have_the_wire_shape() {
    let sandbox = spawn().await;
    let token = password_token(&sandbox).await.access_token;
    let soql = format!(
        "SELECT Id, Name, Subscription_Type__c, Account.Name, Account.Industry FROM Contact \
         WHERE Email = '{MAYA}'"
    );
    let body = json(sf_query(&sandbox, &token, &soql).await).await;
    assert_eq!(body["totalSize"], 1);
    assert_eq!(body["done"], true);
    assert!(
        body.get("nextRecordsUrl").is_none(),
        "absent, not null, when done"
    );
    let row = &body["records"][0];
    let id = row["Id"].as_str().unwrap();
    assert_eq!(id.len(), 18);
    assert_eq!(
        row["attributes"],
        json!({"type": "Contact", "url": format!("/services/data/v64.0/sobjects/Contact/{id}")})
    );
    assert_eq!(row["Subscription_Type__c"], "Enterprise");
    assert_eq!(row["Account"]["attributes"]["type"], "Account");
    assert_eq!(row["Account"]["Name"], "Northwind Traders");
    assert_eq!(row["Account"]["Industry"], "Retail");

    let soql =
        "SELECT Name, Account.Name FROM Contact WHERE Email = 'olivia@brooksconsulting.example'";
    let body = json(sf_query(&sandbox, &token, soql).await).await;
    assert_eq!(body["records"][0]["Account"], Value::Null);

    let soql = format!(
        "SELECT Name, Amount, StageName, CloseDate, Probability, IsClosed FROM Opportunity \
         WHERE Contact.Email = '{MAYA}' ORDER BY CloseDate DESC"
    );
    let body = json(sf_query(&sandbox, &token, &soql).await).await;
    let rows = body["records"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["StageName"], "Negotiation/Review");
    assert_eq!(rows[0]["CloseDate"], "2027-01-31");
    assert_eq!(rows[0]["Amount"], 48000.0);
    assert_eq!(rows[0]["IsClosed"], false);
    assert_eq!(rows[1]["IsClosed"], true);

    let soql = "SELECT CreatedDate FROM Task LIMIT 1";
    let body = json(sf_query(&sandbox, &token, soql).await).await;
    let created = body["records"][0]["CreatedDate"].as_str().unwrap();
    assert_eq!(created.len(), "2025-12-16T13:05:30.000+0000".len());
    assert!(created.ends_with(".000+0000"), "{created}");
}

#[tokio::test]
async fn an_escaped_injection_attempt_matches_nothing() {
    let sandbox = spawn().await;
    let token = password_token(&sandbox).await.access_token;
    let email = Email::parse("x'OR'Name'!='@evil.example").unwrap();
    let soql = contact_by_email(&email);
    let body = json(sf_query(&sandbox, &token, &soql).await).await;
    assert_eq!(body["totalSize"], 0);
    let soql = shared::soql::Select::new("Contact", &["Id"])
        .where_eq("Email", "x' OR Name != '")
        .build();
    let body = json(sf_query(&sandbox, &token, &soql).await).await;
    assert_eq!(body["totalSize"], 0, "one literal, not a second condition");
}

#[tokio::test]
async fn patch_then_query_shows_the_change() {
    let sandbox = spawn().await;
    let token = password_token(&sandbox).await.access_token;
    let soql = format!(
        "SELECT Id, Title, LastModifiedDate, SystemModstamp FROM Contact WHERE Email = '{MAYA}'"
    );
    let before = json(sf_query(&sandbox, &token, &soql).await).await["records"][0].clone();
    let id = before["Id"].as_str().unwrap();

    sandbox.advance_clock(Duration::from_secs(60));
    let response = client()
        .patch(format!(
            "{}/services/data/v64.0/sobjects/Contact/{id}",
            sandbox.salesforce_url
        ))
        .bearer_auth(&token)
        .json(&json!({"Title": "COO", "phone": "+1 206 555 0000"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert!(response.headers().contains_key("sforce-limit-info"));
    assert!(response.bytes().await.unwrap().is_empty());

    let after = json(sf_query(&sandbox, &token, &soql).await).await["records"][0].clone();
    assert_eq!(after["Title"], "COO");
    assert_ne!(after["LastModifiedDate"], before["LastModifiedDate"]);
    assert_eq!(after["LastModifiedDate"], after["SystemModstamp"]);

    let record = json(
        sf_get(
            &sandbox,
            &token,
            &format!("/services/data/v64.0/sobjects/Contact/{id}?fields=Phone,Title"),
        )
        .await,
    )
    .await;
    assert_eq!(record["Phone"], "+1 206 555 0000");
    assert_eq!(
        record.as_object().unwrap().len(),
        3,
        "attributes and two fields"
    );

    // A read-only field is refused with Salesforce's error, and nothing changes.
    let response = client()
        .patch(format!(
            "{}/services/data/v64.0/sobjects/Contact/{id}",
            sandbox.salesforce_url
        ))
        .bearer_auth(&token)
        .json(&json!({"Name": "Someone Else"}))
        .send()
        .await
        .unwrap();
    let (status, error) = sf_error(response).await;
    assert_eq!(status, 400);
    assert_eq!(error["errorCode"], "INVALID_FIELD_FOR_INSERT_UPDATE");
    assert_eq!(error["fields"], json!(["Name"]));
}

#[tokio::test]
async fn create_read_and_delete() {
    let sandbox = spawn().await;
    let token = password_token(&sandbox).await.access_token;
    let url = format!(
        "{}/services/data/v64.0/sobjects/Contact",
        sandbox.salesforce_url
    );
    let response = client()
        .post(&url)
        .bearer_auth(&token)
        .json(&json!({"FirstName": "Noah", "LastName": "Fischer", "Email": "noah@fischerdesign.example"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let body = json(response).await;
    let id = body["id"].as_str().unwrap();
    assert_eq!(body, json!({"id": id, "success": true, "errors": []}));
    assert_eq!(
        location,
        format!("/services/data/v64.0/sobjects/Contact/{id}")
    );

    let record = json(sf_get(&sandbox, &token, &location).await).await;
    assert_eq!(record["Name"], "Noah Fischer");
    assert_eq!(record["IsDeleted"], false);
    assert_eq!(record["attributes"]["type"], "Contact");

    let response = client()
        .post(&url)
        .bearer_auth(&token)
        .json(&json!({"FirstName": "No last name"}))
        .send()
        .await
        .unwrap();
    let (status, error) = sf_error(response).await;
    assert_eq!(status, 400);
    assert_eq!(error["errorCode"], "REQUIRED_FIELD_MISSING");
    assert_eq!(error["fields"], json!(["LastName"]));

    let response = client()
        .delete(format!("{}{location}", sandbox.salesforce_url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let (status, error) = sf_error(sf_get(&sandbox, &token, &location).await).await;
    assert_eq!(
        (status, error["errorCode"].as_str()),
        (404, Some("ENTITY_IS_DELETED"))
    );
    let soql = "SELECT Id FROM Contact WHERE Email = 'noah@fischerdesign.example'";
    assert_eq!(
        json(sf_query(&sandbox, &token, soql).await).await["totalSize"],
        0
    );
}

#[tokio::test]
async fn errors_have_salesforce_codes_and_messages() {
    let sandbox = spawn().await;
    let token = password_token(&sandbox).await.access_token;

    let (status, error) =
        sf_error(sf_query(&sandbox, &token, "SELEKT Id FROM Contact").await).await;
    assert_eq!(
        (status, error["errorCode"].as_str()),
        (400, Some("MALFORMED_QUERY"))
    );
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("unexpected token: SELEKT")
    );
    assert!(error.get("fields").is_none());

    let (status, error) =
        sf_error(sf_query(&sandbox, &token, "SELECT Id, Nope FROM Contact").await).await;
    assert_eq!(
        (status, error["errorCode"].as_str()),
        (400, Some("INVALID_FIELD"))
    );
    let message = error["message"].as_str().unwrap();
    assert!(message.contains("ERROR at Row:1:Column:12"), "{message}");
    assert!(
        message.contains("No such column 'Nope' on entity 'Contact'"),
        "{message}"
    );

    let (status, error) = sf_error(
        sf_get(
            &sandbox,
            &token,
            "/services/data/v64.0/sobjects/Widget__c/001000000000001",
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, error["errorCode"].as_str()),
        (404, Some("NOT_FOUND"))
    );
    assert_eq!(error["message"], "The requested resource does not exist");

    let missing = contract::ids::SfId::from_parts("003", "5g", 999_999).unwrap();
    let path = format!("/services/data/v64.0/sobjects/Contact/{missing}");
    let (status, error) = sf_error(sf_get(&sandbox, &token, &path).await).await;
    assert_eq!(
        (status, error["errorCode"].as_str()),
        (404, Some("NOT_FOUND"))
    );

    let (status, _) = sf_error(
        sf_get(
            &sandbox,
            &token,
            "/services/data/v99.0/query?q=SELECT+Id+FROM+Contact",
        )
        .await,
    )
    .await;
    assert_eq!(status, 404);
}

/// `PUT /__sandbox/query-batch` makes the org answer in smaller batches than asked for,
/// as Salesforce may: `done` and `nextRecordsUrl` still lead through every record.
#[tokio::test]
async fn an_org_may_answer_in_smaller_batches_than_asked() {
    let sandbox = spawn().await;
    let token = password_token(&sandbox).await.access_token;
    sandbox
        .salesforce()
        .seed_bulk(sandbox::salesforce::BulkSeed {
            contacts: 450,
            accounts: 1,
        });
    let capped = client()
        .put(format!("{}/__sandbox/query-batch", sandbox.salesforce_url))
        .json(&json!({"max": 200}))
        .send()
        .await
        .unwrap();
    assert_eq!(capped.status(), 204);

    let mut page = json(
        sf_get(
            &sandbox,
            &token,
            "/services/data/v64.0/query?q=SELECT+Id+FROM+Contact",
        )
        .await,
    )
    .await;
    let total = page["totalSize"].as_u64().unwrap();
    assert!(total > 450, "{total}");
    let mut sizes = Vec::new();
    loop {
        sizes.push(page["records"].as_array().unwrap().len());
        let Some(next) = page["nextRecordsUrl"].as_str() else {
            assert_eq!(page["done"], true);
            break;
        };
        assert_eq!(page["done"], false);
        page = json(sf_get(&sandbox, &token, next).await).await;
    }
    assert!(sizes.iter().all(|&n| n <= 200), "{sizes:?}");
    assert_eq!(sizes.iter().sum::<usize>() as u64, total, "{sizes:?}");
}

#[tokio::test]
async fn large_results_page_through_query_locators() {
    let sandbox = spawn().await;
    let token = password_token(&sandbox).await.access_token;
    let url = format!(
        "{}/services/data/v64.0/sobjects/Task",
        sandbox.salesforce_url
    );
    let http = client();
    for i in 0..205 {
        let response = http
            .post(&url)
            .bearer_auth(&token)
            .json(&json!({"Subject": format!("Bulk {i:03}"), "Priority": "Low"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
    }
    let soql = "SELECT Subject FROM Task WHERE Subject LIKE 'Bulk%' ORDER BY Subject";
    let first = json(
        http.get(format!(
            "{}/services/data/v64.0/query",
            sandbox.salesforce_url
        ))
        .query(&[("q", soql)])
        .bearer_auth(&token)
        .header("Sforce-Query-Options", "batchSize=200")
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(first["totalSize"], 205);
    assert_eq!(first["done"], false);
    assert_eq!(first["records"].as_array().unwrap().len(), 200);
    let next = first["nextRecordsUrl"].as_str().unwrap();
    assert!(next.starts_with("/services/data/v64.0/query/01g"), "{next}");
    assert!(next.ends_with("-200"), "{next}");

    let second = json(sf_get(&sandbox, &token, next).await).await;
    assert_eq!(second["totalSize"], 205, "every page repeats the total");
    assert_eq!(second["done"], true);
    assert!(second.get("nextRecordsUrl").is_none());
    let rest = second["records"].as_array().unwrap();
    assert_eq!(rest.len(), 5);
    assert_eq!(rest[4]["Subject"], "Bulk 204");

    let (status, error) =
        sf_error(sf_get(&sandbox, &token, "/services/data/v64.0/query/01gnope-200").await).await;
    assert_eq!(
        (status, error["errorCode"].as_str()),
        (400, Some("INVALID_QUERY_LOCATOR"))
    );
}

#[tokio::test]
async fn versions_and_describe() {
    let sandbox = spawn().await;
    let versions = json(
        reqwest::get(format!("{}/services/data", sandbox.salesforce_url))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(versions[0]["url"], "/services/data/v64.0");
    assert_eq!(versions[0]["version"], "64.0");

    let token = password_token(&sandbox).await.access_token;
    let describe = json(
        sf_get(
            &sandbox,
            &token,
            "/services/data/v64.0/sobjects/Contact/describe",
        )
        .await,
    )
    .await;
    assert_eq!(describe["keyPrefix"], "003");
    let fields = describe["fields"].as_array().unwrap();
    let field = |name: &str| fields.iter().find(|f| f["name"] == name).unwrap().clone();
    assert_eq!(field("Subscription_Type__c")["custom"], true);
    assert_eq!(field("Subscription_Type__c")["type"], "picklist");
    assert_eq!(field("AccountId")["referenceTo"], json!(["Account"]));
    assert_eq!(field("AccountId")["relationshipName"], "Account");
    assert_eq!(field("Name")["updateable"], false);
    assert_eq!(field("Email")["type"], "email");
}
