//! The sandbox org over real HTTP: child sub-queries, queryAll, paging, sObject
//! Collections, Composite, the replication resources, limits, validation errors, injected
//! faults, call counters, Outbound Messages and the bulk seed.

use crate::helpers::*;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use sandbox::salesforce::{BulkSeed, Faults, OutboundEndpoint, RetryPolicy};
use sandbox::{Config, Sandbox};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------
// Queries

#[tokio::test]
async fn child_sub_queries_nest_related_records_or_null() {
    let sandbox = spawn().await;
    let api = Api::new(&sandbox).await;
    let account = api.create("Account", json!({"Name": "Sub Query Co"})).await;
    let contact = api
        .create(
            "Contact",
            json!({"LastName": "Nested", "Email": "nested@subquery.example", "AccountId": account}),
        )
        .await;
    for (name, stage, close) in [
        ("Later deal", "Prospecting", "2027-05-01"),
        ("Earlier deal", "Closed Won", "2026-02-01"),
    ] {
        api.create(
            "Opportunity",
            json!({"Name": name, "StageName": stage, "CloseDate": close, "Amount": 1000,
                   "ContactId": contact, "AccountId": account}),
        )
        .await;
    }
    api.create("Note", json!({"Title": "Call notes", "ParentId": contact}))
        .await;
    api.create("Task", json!({"Subject": "Follow up", "WhoId": contact}))
        .await;

    let soql = "SELECT Id, Name, \
        (SELECT Id, Name, StageName, Amount, CloseDate, Probability, IsClosed, IsWon \
         FROM Opportunities ORDER BY CloseDate), \
        (SELECT Id, Title FROM Notes), (SELECT Id, Subject FROM Tasks), \
        (SELECT Id, Subject FROM Events) \
        FROM Contact WHERE Email = 'nested@subquery.example'";
    let (status, body) = api.query(soql).await;
    assert_eq!(status, 200, "{body}");
    let row = &body["records"][0];
    let keys: Vec<&String> = row.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "attributes",
            "Id",
            "Name",
            "Opportunities",
            "Notes",
            "Tasks",
            "Events"
        ]
    );
    let opportunities = &row["Opportunities"];
    assert_eq!(opportunities["totalSize"], 2);
    assert_eq!(opportunities["done"], true);
    let records = opportunities["records"].as_array().unwrap();
    assert_eq!(records[0]["Name"], "Earlier deal", "ORDER BY CloseDate");
    assert_eq!(records[0]["IsWon"], true);
    assert_eq!(records[0]["Probability"], 100.0);
    assert_eq!(records[1]["IsClosed"], false);
    assert_eq!(records[0]["attributes"]["type"], "Opportunity");
    let url = records[0]["attributes"]["url"].as_str().unwrap();
    assert!(
        url.starts_with("/services/data/v64.0/sobjects/Opportunity/"),
        "{url}"
    );
    assert_eq!(row["Notes"]["records"][0]["Title"], "Call notes");
    assert_eq!(row["Tasks"]["totalSize"], 1);
    assert_eq!(row["Events"], Value::Null, "an empty sub-query is null");

    let (_, body) = api
        .query(&format!(
            "SELECT Name, (SELECT LastName FROM Contacts), (SELECT Name FROM Opportunities \
             WHERE IsClosed = false) FROM Account WHERE Id = '{account}'"
        ))
        .await;
    let row = &body["records"][0];
    assert_eq!(row["Contacts"]["records"][0]["LastName"], "Nested");
    assert_eq!(row["Opportunities"]["totalSize"], 1);
    assert_eq!(row["Opportunities"]["records"][0]["Name"], "Later deal");

    // Anything outside the supported subset is refused, pointing at the token.
    let (status, body) = api
        .query("SELECT Id, (SELECT Id FROM Opportunities GROUP BY Id) FROM Contact")
        .await;
    assert_eq!(status, 400);
    let error = only_error(&body);
    assert_eq!(error["errorCode"], "MALFORMED_QUERY");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("unexpected token: GROUP"),
        "{error}"
    );
    assert!(error.get("fields").is_none());
    let (status, body) = api
        .query("SELECT Id FROM Contact WHERE CreatedDate = LAST_FISCAL_QUARTER")
        .await;
    assert_eq!(status, 400);
    assert!(
        only_error(&body)["message"]
            .as_str()
            .unwrap()
            .contains("ERROR at Row:1:Column:44"),
        "{body}"
    );
}

#[tokio::test]
async fn count_and_date_literals() {
    let sandbox = spawn().await;
    let api = Api::new(&sandbox).await;
    let (_, before) = api.query("SELECT COUNT() FROM Contact").await;
    let before = before["totalSize"].as_u64().unwrap();
    api.create("Contact", json!({"LastName": "Counted"})).await;
    let (status, body) = api.query("SELECT COUNT() FROM Contact").await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"totalSize": before + 1, "done": true, "records": []})
    );

    let (_, body) = api
        .query("SELECT COUNT() FROM Contact WHERE CreatedDate = LAST_N_DAYS:7")
        .await;
    assert_eq!(body["totalSize"], 1, "only the contact created today");
    let (_, body) = api
        .query("SELECT Id FROM Contact WHERE CreatedDate = TODAY AND LastName = 'Counted'")
        .await;
    assert_eq!(body["totalSize"], 1);
    sandbox.advance_clock(Duration::from_secs(9 * 86_400));
    let api = Api::new(&sandbox).await;
    let (_, body) = api
        .query("SELECT COUNT() FROM Contact WHERE CreatedDate = LAST_N_DAYS:7")
        .await;
    assert_eq!(
        body["totalSize"], 0,
        "nine days later it is no longer recent"
    );

    let (_, body) = api.query("SELECT COUNT(Id) n FROM Contact").await;
    assert_eq!(
        body["records"][0]["attributes"],
        json!({"type": "AggregateResult"})
    );
    assert_eq!(body["records"][0]["n"], before + 1);
}

#[tokio::test]
async fn query_all_includes_the_recycle_bin() {
    let sandbox = spawn().await;
    let api = Api::new(&sandbox).await;
    let id = api
        .create(
            "Contact",
            json!({"LastName": "Binned", "Email": "binned@qa.example"}),
        )
        .await;
    let (status, _) = api.delete(&format!("/sobjects/Contact/{id}")).await;
    assert_eq!(status, 204);
    let soql = "SELECT Id, IsDeleted FROM Contact WHERE Email = 'binned@qa.example'";
    let (_, body) = api.query(soql).await;
    assert_eq!(body["totalSize"], 0);
    let (status, body) = api.query_all(soql).await;
    assert_eq!(status, 200);
    assert_eq!(body["totalSize"], 1);
    assert_eq!(body["records"][0]["Id"], id.as_str());
    assert_eq!(body["records"][0]["IsDeleted"], true);
    // Salesforce takes a trailing slash on any resource (simple-salesforce sends one).
    let (status, body) = api.get(&format!("/queryAll/?q={}", urlencode(soql))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["totalSize"], 1);
}

#[tokio::test]
async fn paging_crosses_2000_record_pages() {
    let sandbox = spawn().await;
    let api = Api::new(&sandbox).await;
    let (status, seeded) =
        control(&sandbox, "POST", "/seed", Some(json!({"contacts": 4500}))).await;
    assert_eq!(status, 200, "{seeded}");
    assert_eq!(seeded["contacts"], 4500);
    sandbox.salesforce().reset_counters();

    let soql = "SELECT Id, Email FROM Contact WHERE Email LIKE '%@bulk.example' ORDER BY Email";
    let (status, mut page) = api.query(soql).await;
    assert_eq!(status, 200);
    let mut sizes = Vec::new();
    let mut emails = Vec::new();
    loop {
        assert_eq!(page["totalSize"], 4500, "every page repeats the total");
        let records = page["records"].as_array().unwrap();
        sizes.push(records.len());
        emails.extend(
            records
                .iter()
                .map(|r| r["Email"].as_str().unwrap().to_owned()),
        );
        if page["done"] == true {
            assert!(page.get("nextRecordsUrl").is_none());
            break;
        }
        let next = page["nextRecordsUrl"].as_str().unwrap().to_owned();
        assert!(next.starts_with("/services/data/v64.0/query/01g"), "{next}");
        page = api.get(&next).await.1;
    }
    assert_eq!(sizes, [2000, 2000, 500]);
    let mut sorted = emails.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 4500, "no record twice");
    assert_eq!(sorted, emails, "the order holds across pages");
    let counters = sandbox.salesforce().counters();
    assert_eq!(counters.get("GET /query"), 1);
    assert_eq!(counters.get("GET /query/{cursor}"), 2);

    // queryAll pages link back to queryAll.
    let (_, page) = api.query_all(soql).await;
    let next = page["nextRecordsUrl"].as_str().unwrap();
    assert!(
        next.starts_with("/services/data/v64.0/queryAll/01g"),
        "{next}"
    );
    assert_eq!(
        api.get(next).await.1["records"].as_array().unwrap().len(),
        2000
    );
}

// ---------------------------------------------------------------------------------------
// Writes

#[tokio::test]
async fn collections_answer_per_record_and_roll_back_with_all_or_none() {
    let sandbox = spawn().await;
    let api = Api::new(&sandbox).await;
    let usage = sandbox.salesforce_api_usage();
    let records = |tag: &str| {
        json!([
            {"attributes": {"type": "Contact"}, "LastName": "One", "Email": format!("one.{tag}@coll.example")},
            {"attributes": {"type": "Contact"}, "FirstName": "No last name", "Email": format!("two.{tag}@coll.example")},
            {"attributes": {"type": "Account"}, "Name": format!("Coll {tag}")},
        ])
    };
    let (status, body) = api
        .post(
            "/composite/sobjects",
            &json!({"allOrNone": false, "records": records("partial")}),
        )
        .await;
    assert_eq!(status, 200, "200 even when items fail");
    assert_eq!(sandbox.salesforce_api_usage(), usage + 1, "one API call");
    let results = body.as_array().unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!(results[0]["success"], true);
    assert_eq!(results[0]["errors"], json!([]));
    assert_eq!(results[0]["id"].as_str().unwrap().len(), 18);
    assert_eq!(
        results[1],
        json!({"success": false, "errors": [{
            "statusCode": "REQUIRED_FIELD_MISSING",
            "message": "Required fields are missing: [LastName]",
            "fields": ["LastName"],
        }]}),
        "a failed item has no id"
    );
    assert!(results[2]["id"].as_str().unwrap().starts_with("001"));
    let (_, found) = api
        .query("SELECT COUNT() FROM Contact WHERE Email LIKE '%.partial@coll.example'")
        .await;
    assert_eq!(found["totalSize"], 1);

    let (status, body) = api
        .post(
            "/composite/sobjects",
            &json!({"allOrNone": true, "records": records("atomic")}),
        )
        .await;
    assert_eq!(status, 200);
    let results = body.as_array().unwrap();
    for i in [0, 2] {
        assert_eq!(results[i]["success"], false);
        assert!(results[i].get("id").is_none());
        assert_eq!(
            results[i]["errors"][0]["statusCode"],
            "ALL_OR_NONE_OPERATION_ROLLED_BACK"
        );
    }
    assert_eq!(
        results[1]["errors"][0]["statusCode"],
        "REQUIRED_FIELD_MISSING"
    );
    let (_, found) = api
        .query("SELECT COUNT() FROM Account WHERE Name = 'Coll atomic'")
        .await;
    assert_eq!(found["totalSize"], 0, "rolled back");

    // Updates: one good, one deleted, one malformed, one without an id.
    let keep = api.create("Contact", json!({"LastName": "Keep"})).await;
    let gone = api.create("Contact", json!({"LastName": "Gone"})).await;
    api.delete(&format!("/sobjects/Contact/{gone}")).await;
    let (status, body) = api
        .patch(
            "/composite/sobjects",
            &json!({"records": [
                {"attributes": {"type": "Contact"}, "id": keep, "Title": "Updated in bulk"},
                {"attributes": {"type": "Contact"}, "id": gone, "Title": "x"},
                {"attributes": {"type": "Contact"}, "id": "003nope", "Title": "x"},
                {"attributes": {"type": "Contact"}, "Title": "x"},
            ]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let codes: Vec<&str> = body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["errors"][0]["statusCode"].as_str().unwrap_or("ok"))
        .collect();
    assert_eq!(
        codes,
        [
            "ok",
            "ENTITY_IS_DELETED",
            "MALFORMED_ID",
            "MISSING_ARGUMENT"
        ]
    );
    assert_eq!(body[0]["id"], keep.as_str());
    assert_eq!(body[2]["errors"][0]["fields"], json!(["Id"]));
    let (_, record) = api
        .get(&format!("/sobjects/Contact/{keep}?fields=Title"))
        .await;
    assert_eq!(record["Title"], "Updated in bulk");

    let too_many: Vec<Value> = (0..201)
        .map(|i| json!({"attributes": {"type": "Contact"}, "LastName": format!("N{i}")}))
        .collect();
    let (status, body) = api
        .post("/composite/sobjects", &json!({"records": too_many}))
        .await;
    assert_eq!(status, 400);
    assert_eq!(only_error(&body)["errorCode"], "EXCEEDED_ID_LIMIT");
}

#[tokio::test]
async fn composite_resolves_references_and_counts_as_one_call() {
    let sandbox = spawn().await;
    let api = Api::new(&sandbox).await;
    let usage = sandbox.salesforce_api_usage();
    let (status, body) = api
        .post(
            "/composite",
            &json!({"allOrNone": true, "compositeRequest": [
                {"method": "POST", "url": format!("{V}/sobjects/Account"), "referenceId": "acct",
                 "body": {"Name": "Composite Co"}},
                {"method": "POST", "url": format!("{V}/sobjects/Contact"), "referenceId": "person",
                 "body": {"LastName": "Ref", "AccountId": "@{acct.id}", "Email": "ref@composite.example"}},
                {"method": "GET", "url": format!("{V}/query?q=SELECT+Id,Account.Name+FROM+Contact+WHERE+Id='@{{person.id}}'"),
                 "referenceId": "found"},
                {"method": "PATCH", "url": format!("{V}/sobjects/Contact/@{{found.records[0].Id}}"),
                 "referenceId": "touch", "body": {"Title": "of @{found.records[0].Account.Name}"}},
                {"method": "GET", "url": format!("{V}/sobjects/Contact/@{{person.id}}?fields=Title"),
                 "referenceId": "read"},
            ]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(sandbox.salesforce_api_usage(), usage + 1, "one API call");
    let items = body["compositeResponse"].as_array().unwrap();
    let keys: Vec<&String> = items[0].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["body", "httpHeaders", "httpStatusCode", "referenceId"]
    );
    assert_eq!(items[0]["httpStatusCode"], 201);
    let account = items[0]["body"]["id"].as_str().unwrap();
    assert_eq!(
        items[0]["httpHeaders"]["Location"],
        format!("{V}/sobjects/Account/{account}")
    );
    assert_eq!(
        items[2]["body"]["records"][0]["Account"]["Name"],
        "Composite Co"
    );
    assert_eq!(items[3]["httpStatusCode"], 204);
    assert_eq!(items[3]["body"], Value::Null);
    assert_eq!(items[3]["httpHeaders"], json!({}));
    assert_eq!(items[4]["body"]["Title"], "of Composite Co");

    // allOrNone: the failure keeps its error, everything else is halted and rolled back.
    let (status, body) = api
        .post(
            "/composite",
            &json!({"allOrNone": true, "compositeRequest": [
                {"method": "POST", "url": format!("{V}/sobjects/Account"), "referenceId": "a",
                 "body": {"Name": "Halted Co"}},
                {"method": "POST", "url": format!("{V}/sobjects/Contact"), "referenceId": "b",
                 "body": {"FirstName": "No last name", "AccountId": "@{a.id}"}},
                {"method": "GET", "url": format!("{V}/sobjects/Account/@{{a.id}}"), "referenceId": "c"},
            ]}),
        )
        .await;
    assert_eq!(status, 200);
    let items = body["compositeResponse"].as_array().unwrap();
    assert_eq!(
        items[0]["body"],
        json!([{"errorCode": "PROCESSING_HALTED",
                "message": "The transaction was rolled back since another operation in the same transaction failed."}])
    );
    assert_eq!(items[0]["httpStatusCode"], 400);
    assert_eq!(items[1]["body"][0]["errorCode"], "REQUIRED_FIELD_MISSING");
    assert_eq!(items[2]["body"][0]["errorCode"], "PROCESSING_HALTED");
    assert_eq!(items[2]["referenceId"], "c");
    let (_, found) = api
        .query("SELECT COUNT() FROM Account WHERE Name = 'Halted Co'")
        .await;
    assert_eq!(found["totalSize"], 0, "the account was rolled back");

    // Without allOrNone the first write stays; a reference to a failure is refused.
    let (_, body) = api
        .post(
            "/composite",
            &json!({"compositeRequest": [
                {"method": "POST", "url": format!("{V}/sobjects/Account"), "referenceId": "a",
                 "body": {"Name": "Kept Co"}},
                {"method": "POST", "url": format!("{V}/sobjects/Contact"), "referenceId": "b",
                 "body": {"FirstName": "No last name"}},
                {"method": "PATCH", "url": format!("{V}/sobjects/Contact/@{{b.id}}"), "referenceId": "c",
                 "body": {"Title": "x"}},
            ]}),
        )
        .await;
    let items = body["compositeResponse"].as_array().unwrap();
    assert_eq!(items[0]["httpStatusCode"], 201);
    assert_eq!(items[2]["body"][0]["errorCode"], "PROCESSING_HALTED");
    assert!(
        items[2]["body"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("Invalid reference specified. No value for b.id found in b.")
    );

    let too_many: Vec<Value> = (0..26)
        .map(|i| json!({"method": "GET", "url": format!("{V}/limits"), "referenceId": format!("r{i}")}))
        .collect();
    let (status, _) = api
        .post("/composite", &json!({"compositeRequest": too_many}))
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn updated_and_deleted_report_the_window() {
    let sandbox = spawn().await;
    let api = Api::new(&sandbox).await;
    let changed = api.create("Contact", json!({"LastName": "Changed"})).await;
    let removed = api.create("Contact", json!({"LastName": "Removed"})).await;
    // Replication windows are in whole minutes: start on the next one.
    sandbox.advance_clock(Duration::from_secs(120));
    let (_, limits) = api.get("/limits").await;
    assert!(limits["DailyApiRequests"]["Max"].as_u64().unwrap() > 0);
    let start = now_utc(&sandbox);
    sandbox.advance_clock(Duration::from_secs(60));
    let api = Api::new(&sandbox).await;
    api.patch(
        &format!("/sobjects/Contact/{changed}"),
        &json!({"Title": "Changed"}),
    )
    .await;
    api.delete(&format!("/sobjects/Contact/{removed}")).await;
    sandbox.advance_clock(Duration::from_secs(120));
    let api = Api::new(&sandbox).await;
    let end = now_utc(&sandbox);

    let window = |resource: &str| {
        format!(
            "/sobjects/Contact/{resource}?start={}&end={}",
            urlencode(&start),
            urlencode(&end)
        )
    };
    let (status, body) = api.get(&window("updated")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["ids"],
        json!([changed]),
        "the deleted one is not updated"
    );
    let latest = body["latestDateCovered"].as_str().unwrap();
    assert!(latest.ends_with(":00.000+0000"), "{latest}");
    let (status, body) = api.get(&window("deleted")).await;
    assert_eq!(status, 200, "{body}");
    let deleted = body["deletedRecords"].as_array().unwrap();
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0]["id"], removed.as_str());
    assert!(
        deleted[0]["deletedDate"]
            .as_str()
            .unwrap()
            .ends_with("+0000")
    );
    assert!(body["earliestDateAvailable"].is_string());
    assert!(body["latestDateCovered"].is_string());

    let (status, body) = api
        .get("/sobjects/Contact/updated?start=2001-01-01T00:00:00Z&end=2001-01-02T00:00:00Z")
        .await;
    assert_eq!(status, 400);
    assert_eq!(only_error(&body)["errorCode"], "INVALID_REPLICATION_DATE");
}

/// The org's now (its clock runs ahead of the wall clock by what the test advanced).
fn now_utc(sandbox: &Sandbox) -> String {
    sandbox::clock::sf_datetime(sandbox.salesforce().clock.now_ms())
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn validation_errors_use_salesforce_codes() {
    let sandbox = spawn().await;
    let api = Api::new(&sandbox).await;
    let error = |body: Value| only_error(&body).clone();

    let (status, body) = api
        .post("/sobjects/Contact", &json!({"FirstName": "X"}))
        .await;
    assert_eq!(status, 400);
    let e = error(body);
    assert_eq!(e["errorCode"], "REQUIRED_FIELD_MISSING");
    assert_eq!(e["fields"], json!(["LastName"]));

    api.create(
        "Contact",
        json!({"LastName": "First", "Helpdesk_Id__c": "HD-7"}),
    )
    .await;
    let (status, body) = api
        .post(
            "/sobjects/Contact",
            &json!({"LastName": "Second", "Helpdesk_Id__c": "hd-7"}),
        )
        .await;
    assert_eq!(status, 400);
    let e = error(body);
    assert_eq!(e["errorCode"], "DUPLICATE_VALUE");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .starts_with("duplicate value found: Helpdesk_Id__c")
    );

    let contact = api.create("Contact", json!({"LastName": "Parent"})).await;
    let (status, body) = api
        .post(
            "/sobjects/Note",
            &json!({"Title": "T", "ParentId": contact, "IsPrivate": null}),
        )
        .await;
    assert_eq!(status, 400);
    let e = error(body);
    assert_eq!(e["errorCode"], "INVALID_TYPE_ON_FIELD_IN_RECORD");
    assert_eq!(e["fields"], json!(["IsPrivate"]));

    let (status, body) = api
        .post("/sobjects/Contact", &json!({"LastName": "L".repeat(81)}))
        .await;
    assert_eq!(status, 400);
    assert_eq!(error(body)["errorCode"], "STRING_TOO_LONG");

    let (status, body) = api
        .post(
            "/sobjects/Contact",
            &json!({"LastName": "X", "AccountId": "001xyz"}),
        )
        .await;
    assert_eq!(status, 400);
    let e = error(body);
    assert_eq!(e["errorCode"], "MALFORMED_ID");
    assert_eq!(e["fields"], json!(["AccountId"]));

    let (status, body) = api
        .post(
            "/sobjects/Contact",
            &json!({"LastName": "X", "Subscription_Type__c": "Platinum"}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        error(body)["errorCode"],
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    );

    api.delete(&format!("/sobjects/Contact/{contact}")).await;
    let (status, body) = api
        .patch(
            &format!("/sobjects/Contact/{contact}"),
            &json!({"Title": "x"}),
        )
        .await;
    assert_eq!(status, 404);
    let e = error(body);
    assert_eq!(e["errorCode"], "ENTITY_IS_DELETED");
    assert_eq!(e["fields"], json!([]));

    let (status, body) = api.get("/sobjects/Widget__c/describe").await;
    assert_eq!(status, 404);
    let e = error(body);
    assert_eq!(e["errorCode"], "NOT_FOUND");
    assert!(e.get("fields").is_none());

    // The demo's custom fields, as describe shows them.
    let (_, describe) = api.get("/sobjects/Contact/describe").await;
    let fields = describe["fields"].as_array().unwrap();
    let field = |name: &str| fields.iter().find(|f| f["name"] == name).unwrap().clone();
    let subscription = field("Subscription_Type__c");
    assert_eq!(subscription["type"], "picklist");
    assert_eq!(subscription["custom"], true);
    let values: Vec<&str> = subscription["picklistValues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["value"].as_str().unwrap())
        .collect();
    assert_eq!(values, ["Trial", "Standard", "Professional", "Enterprise"]);
    assert_eq!(field("Seats__c")["type"], "double");
    assert_eq!(field("Seats__c")["custom"], true);
    assert_eq!(field("Helpdesk_Id__c")["unique"], true);
    let children: Vec<&str> = describe["childRelationships"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["relationshipName"].as_str().unwrap())
        .collect();
    assert!(children.contains(&"Opportunities") && children.contains(&"Events"));
}

// ---------------------------------------------------------------------------------------
// Limits, faults, counters

#[tokio::test]
async fn the_daily_allowance_is_enforced() {
    let sandbox = spawn_with(Config {
        daily_api_limit: 4,
        ..Config::ephemeral()
    })
    .await;
    let api = Api::new(&sandbox).await;
    let mut seen = Vec::new();
    for _ in 0..5 {
        let (status, headers, body) = api.send(client().get(api.url("/limits"))).await;
        let info = headers["sforce-limit-info"].to_str().unwrap().to_owned();
        seen.push((status, info, body));
    }
    let infos: Vec<&str> = seen.iter().map(|(_, i, _)| i.as_str()).collect();
    assert_eq!(
        infos,
        [
            "api-usage=1/4",
            "api-usage=2/4",
            "api-usage=3/4",
            "api-usage=4/4",
            "api-usage=5/4"
        ]
    );
    assert_eq!(seen[3].0, 200);
    assert_eq!(
        seen[3].2["DailyApiRequests"],
        json!({"Max": 4, "Remaining": 0})
    );
    assert_eq!(seen[4].0, 403);
    let error = only_error(&seen[4].2);
    assert_eq!(error["errorCode"], "REQUEST_LIMIT_EXCEEDED");
    assert_eq!(error["message"], "TotalRequests Limit exceeded.");

    // A new day (or an admin raising the limit), through the test control.
    let (status, _) = control(
        &sandbox,
        "PUT",
        "/limits",
        Some(json!({"dailyApiLimit": 100, "used": 10})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, headers, _) = api.send(client().get(api.url("/limits"))).await;
    assert_eq!(status, 200);
    assert_eq!(headers["sforce-limit-info"], "api-usage=11/100");
    // Even a refused session carries the header.
    let response = client()
        .get(api.url("/limits"))
        .bearer_auth("00Dnope!nope")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["www-authenticate"], "Token");
    assert!(response.headers().contains_key("sforce-limit-info"));
}

#[tokio::test]
async fn held_calls_wait_at_the_door_until_released() {
    let sandbox = spawn().await;
    let api = Api::new(&sandbox).await;
    let (status, holds) = control(
        &sandbox,
        "PUT",
        "/holds",
        Some(json!({"endpoints": ["GET /query"]})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(holds["endpoints"], json!(["GET /query"]));

    let held = api.query("SELECT Id FROM Account LIMIT 1");
    let watch = async {
        let deadline = Instant::now() + Duration::from_secs(5);
        while sandbox.salesforce().holds().waiting == 0 {
            assert!(
                Instant::now() < deadline,
                "the query never reached the door"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        // Other endpoints pass meanwhile.
        let (status, _) = api.get("/limits").await;
        assert_eq!(status, 200);
        assert_eq!(sandbox.salesforce().holds().waiting, 1, "still held");
        let (_, holds) = control(&sandbox, "GET", "/holds", None).await;
        assert_eq!(holds["waiting"], 1);
        sandbox.salesforce().hold(Vec::new());
    };
    let ((status, _), ()) = tokio::join!(held, watch);
    assert_eq!(status, 200, "answered once released");
    assert_eq!(sandbox.salesforce().holds().waiting, 0);
}

#[tokio::test]
async fn injected_faults_fail_calls_as_salesforce_would() {
    let sandbox = spawn().await;
    let api = Api::new(&sandbox).await;
    let soql = "SELECT Id FROM Account LIMIT 1";

    let (status, faults) = control(
        &sandbox,
        "PUT",
        "/faults",
        Some(json!({"unavailableRate": 1.0})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(faults["unavailableRate"], 1.0);
    let usage = sandbox.salesforce_api_usage();
    let (status, body) = api.query(soql).await;
    assert_eq!(status, 503);
    assert_eq!(only_error(&body)["errorCode"], "SERVER_UNAVAILABLE");
    assert_eq!(sandbox.salesforce_api_usage(), usage, "not counted");

    sandbox.salesforce().set_faults(Faults {
        limit_exceeded_rate: 1.0,
        ..Faults::default()
    });
    let (status, body) = api.query(soql).await;
    assert_eq!(status, 403);
    assert_eq!(only_error(&body)["errorCode"], "REQUEST_LIMIT_EXCEEDED");

    sandbox.salesforce().set_faults(Faults {
        unavailable_rate: 0.5,
        seed: 42,
        ..Faults::default()
    });
    let mut failed = 0;
    for _ in 0..40 {
        if api.query(soql).await.0 == 503 {
            failed += 1;
        }
    }
    assert!(
        (8..=32).contains(&failed),
        "about half of 40 failed: {failed}"
    );

    sandbox.salesforce().set_faults(Faults {
        latency_ms: 300,
        ..Faults::default()
    });
    let started = Instant::now();
    assert_eq!(api.query(soql).await.0, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));

    // Early token expiry: the token in hand dies within the new lifetime.
    sandbox.salesforce().set_faults(Faults {
        token_lifetime_secs: Some(30),
        ..Faults::default()
    });
    assert_eq!(api.query(soql).await.0, 200);
    sandbox.advance_clock(Duration::from_secs(31));
    let (status, body) = api.query(soql).await;
    assert_eq!(status, 401);
    assert_eq!(only_error(&body)["errorCode"], "INVALID_SESSION_ID");

    let (status, _) = control(&sandbox, "DELETE", "/faults", None).await;
    assert_eq!(status, 200);
    let api = Api::new(&sandbox).await;
    assert_eq!(api.query(soql).await.0, 200);
    let (_, faults) = control(&sandbox, "GET", "/faults", None).await;
    assert_eq!(faults["unavailableRate"], 0.0);
}

#[tokio::test]
async fn counters_count_each_endpoint_and_reset() {
    let sandbox = spawn().await;
    let api = Api::new(&sandbox).await;
    let (status, _) = control(&sandbox, "DELETE", "/counters", None).await;
    assert_eq!(status, 200);
    api.query("SELECT Id FROM Contact LIMIT 1").await;
    api.query("SELECT Id FROM Contact LIMIT 2").await;
    api.create("Contact", json!({"LastName": "Counted"})).await;
    api.get("/sobjects/Contact/describe").await;
    password_token(&sandbox).await;

    let (status, counters) = control(&sandbox, "GET", "/counters", None).await;
    assert_eq!(status, 200);
    assert_eq!(
        counters["endpoints"],
        json!({
            "GET /query": 2,
            "GET /sobjects/{sobject}/describe": 1,
            "POST /services/oauth2/token": 1,
            "POST /sobjects/{sobject}": 1,
        })
    );
    assert_eq!(counters["apiUsage"], sandbox.salesforce_api_usage());
    assert_eq!(sandbox.salesforce().counters().get("GET /query"), 2);
    sandbox.salesforce().reset_counters();
    assert!(sandbox.salesforce().counters().endpoints.is_empty());
}

// ---------------------------------------------------------------------------------------
// Outbound Messages

/// A receiver that records every message and answers a failure `failures` times before
/// acknowledging.
#[derive(Clone, Default)]
struct Receiver {
    received: Arc<Mutex<Vec<(HeaderMap, String)>>>,
    failures: Arc<Mutex<usize>>,
}

const ACK: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
    <soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\">\
    <soapenv:Body><notificationsResponse xmlns=\"http://soap.sforce.com/2005/09/outbound\">\
    <Ack>true</Ack></notificationsResponse></soapenv:Body></soapenv:Envelope>";

impl Receiver {
    async fn start(failures: usize) -> (Self, String) {
        let receiver = Receiver::default();
        *receiver.failures.lock().unwrap() = failures;
        let app = Router::new()
            .route("/outbound", post(receive))
            .with_state(receiver.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/outbound", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (receiver, url)
    }

    fn messages(&self) -> Vec<(HeaderMap, String)> {
        self.received.lock().unwrap().clone()
    }
}

async fn receive(
    State(receiver): State<Receiver>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    receiver
        .received
        .lock()
        .unwrap()
        .push((headers, String::from_utf8_lossy(&body).into_owned()));
    let mut failures = receiver.failures.lock().unwrap();
    if *failures > 0 {
        *failures -= 1;
        return (StatusCode::INTERNAL_SERVER_ERROR, "try again later".into());
    }
    (StatusCode::OK, ACK.into())
}

async fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        initial: Duration::from_millis(50),
        max: Duration::from_millis(400),
        give_up_after: Duration::from_secs(60),
    }
}

#[tokio::test]
async fn outbound_messages_are_sent_as_salesforce_sends_them() {
    let sandbox = spawn().await;
    let (receiver, url) = Receiver::start(0).await;
    let (status, body) = control(
        &sandbox,
        "PUT",
        "/outbound/Contact",
        Some(json!({"endpointUrl": url})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["endpoints"]["Contact"]["endpointUrl"], url.as_str());
    let (status, _) = control(
        &sandbox,
        "PUT",
        "/outbound/Opportunity",
        Some(json!({"endpointUrl": url})),
    )
    .await;
    assert_eq!(status, 400, "only Accounts and Contacts notify");

    let api = Api::new(&sandbox).await;
    let id = api
        .create(
            "Contact",
            json!({"FirstName": "Olga", "LastName": "O'Neil & Co", "Email": "olga@om.example"}),
        )
        .await;
    api.create("Account", json!({"Name": "No endpoint, no message"}))
        .await;
    wait_for("the create's message", || receiver.messages().len() == 1).await;
    let (headers, xml) = receiver.messages()[0].clone();
    assert_eq!(xml.matches("<Notification>").count(), 1, "{xml}");
    assert_eq!(headers["content-type"], "text/xml; charset=utf-8");
    assert_eq!(headers["soapaction"], "\"\"");
    let org_id = sandbox.salesforce().org_id().to_string();
    assert!(xml.contains("<notifications xmlns=\"http://soap.sforce.com/2005/09/outbound\">"));
    assert!(xml.contains(&format!("<OrganizationId>{org_id}</OrganizationId>")));
    assert!(xml.contains("<ActionId>04k"));
    assert!(xml.contains("<SessionId xsi:nil=\"true\"/>"));
    assert!(xml.contains(&format!(
        "<EnterpriseUrl>{}/services/Soap/c/64.0/",
        sandbox.salesforce_url
    )));
    assert!(xml.contains(&format!(
        "<PartnerUrl>{}/services/Soap/u/64.0/",
        sandbox.salesforce_url
    )));
    assert!(xml.contains("<Notification>\n<Id>04l"));
    assert!(xml.contains(
        "<sObject xsi:type=\"sf:Contact\" xmlns:sf=\"urn:sobject.enterprise.soap.sforce.com\">"
    ));
    assert!(xml.contains(&format!("<sf:Id>{id}</sf:Id>")));
    assert!(xml.contains("<sf:LastName>O&apos;Neil &amp; Co</sf:LastName>"));
    assert!(xml.contains("<sf:Email>olga@om.example</sf:Email>"));
    assert!(!xml.contains("<sf:MobilePhone"), "null fields are omitted");

    // An update, and a user's edit in the Salesforce UI, each send one more.
    api.patch(
        &format!("/sobjects/Contact/{id}"),
        &json!({"Title": "Buyer"}),
    )
    .await;
    wait_for("the update's message", || receiver.messages().len() == 2).await;
    assert!(
        receiver.messages()[1]
            .1
            .contains("<sf:Title>Buyer</sf:Title>")
    );
    sandbox.advance_clock(Duration::from_secs(60));
    let (status, record) = control(
        &sandbox,
        "PATCH",
        &format!("/records/Contact/{id}"),
        Some(json!({"Title": "Head of Buying"})),
    )
    .await;
    assert_eq!(status, 200, "{record}");
    assert_eq!(record["Title"], "Head of Buying");
    assert_eq!(record["LastModifiedDate"], record["SystemModstamp"]);
    assert_ne!(record["LastModifiedDate"], record["CreatedDate"]);
    wait_for("the user edit's message", || {
        sandbox.salesforce().outbound_deliveries().len() == 3
    })
    .await;
    assert!(
        receiver.messages()[2]
            .1
            .contains("<sf:Title>Head of Buying</sf:Title>")
    );
    let deliveries = sandbox.salesforce().outbound_deliveries();
    assert_eq!(deliveries.len(), 3);
    assert!(deliveries.iter().all(|d| d.acknowledged && d.attempt == 1));
    assert_eq!(sandbox.salesforce().outbound_status().pending, 0);
}

#[tokio::test]
async fn undelivered_messages_are_retried_until_acknowledged() {
    let (receiver, url) = Receiver::start(2).await;
    let sandbox = spawn_with(Config {
        salesforce_outbound_endpoints: vec![("Contact".into(), url.clone())],
        salesforce_outbound_retry: fast_retries(),
        ..Config::ephemeral()
    })
    .await;
    let api = Api::new(&sandbox).await;
    let id = api.create("Contact", json!({"LastName": "Retried"})).await;
    wait_for("three attempts, the last acknowledged", || {
        sandbox.salesforce().outbound_deliveries().len() == 3
    })
    .await;
    assert_eq!(receiver.messages().len(), 3);
    let deliveries = sandbox.salesforce().outbound_deliveries();
    let attempts: Vec<(u32, Option<u16>, bool)> = deliveries
        .iter()
        .map(|d| (d.attempt, d.status, d.acknowledged))
        .collect();
    assert_eq!(
        attempts,
        [
            (1, Some(500), false),
            (2, Some(500), false),
            (3, Some(200), true)
        ]
    );
    assert!(deliveries.iter().all(|d| d.record_ids == [id.clone()]));
    assert_eq!(sandbox.salesforce().outbound_status().pending, 0);
    // The same message each time: same notification Id.
    let ids: Vec<String> = receiver
        .messages()
        .iter()
        .map(|(_, xml)| xml.split("<Notification>\n<Id>").nth(1).unwrap()[..18].to_owned())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] == w[1]), "{ids:?}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.messages().len(), 3, "nothing after the ack");
}

#[tokio::test]
async fn a_mass_update_is_batched_100_notifications_a_message() {
    let (receiver, url) = Receiver::start(0).await;
    let sandbox = spawn().await;
    let seeded = sandbox.salesforce().seed_bulk(BulkSeed {
        contacts: 150,
        accounts: 0,
    });
    sandbox
        .salesforce()
        .set_outbound_endpoint(
            "Contact",
            OutboundEndpoint {
                endpoint_url: url,
                fields: Some(vec!["Email".into(), "Title".into()]),
            },
        )
        .unwrap();
    assert!(receiver.messages().is_empty(), "seeding sends nothing");
    let api = Api::new(&sandbox).await;
    let (_, page) = api
        .query("SELECT Id FROM Contact WHERE Email LIKE '%@bulk.example'")
        .await;
    let ids: Vec<String> = page["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["Id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), seeded.contacts);
    for chunk in ids.chunks(200) {
        let records: Vec<Value> = chunk
            .iter()
            .map(|id| json!({"attributes": {"type": "Contact"}, "id": id, "Title": "Mass updated"}))
            .collect();
        let (status, body) = api
            .patch("/composite/sobjects", &json!({"records": records}))
            .await;
        assert_eq!(status, 200);
        assert!(
            body.as_array()
                .unwrap()
                .iter()
                .all(|r| r["success"] == true)
        );
    }
    wait_for("two messages", || receiver.messages().len() == 2).await;
    let counts: Vec<usize> = receiver
        .messages()
        .iter()
        .map(|(_, xml)| xml.matches("<Notification>").count())
        .collect();
    assert_eq!(counts, [100, 50]);
    let first = &receiver.messages()[0].1;
    assert_eq!(
        first.matches("<sf:Title>Mass updated</sf:Title>").count(),
        100
    );
    assert!(
        !first.contains("<sf:LastName>"),
        "only the configured fields"
    );
    let notified: Vec<String> = sandbox
        .salesforce()
        .outbound_deliveries()
        .iter()
        .flat_map(|d| d.record_ids.clone())
        .collect();
    assert_eq!(notified, ids, "every record once, in order");
}

// ---------------------------------------------------------------------------------------
// Bulk seed

#[tokio::test]
async fn bulk_seeding_100k_contacts_is_fast_and_pages_through() {
    let sandbox = spawn().await;
    let api = Api::new(&sandbox).await;
    let (_, before) = api.query("SELECT COUNT() FROM Contact").await;
    let before = before["totalSize"].as_u64().unwrap();
    let started = Instant::now();
    let (status, seeded) = control(
        &sandbox,
        "POST",
        "/seed",
        Some(json!({"contacts": 100_000, "accounts": 500})),
    )
    .await;
    let seeding = started.elapsed();
    assert_eq!(status, 200, "{seeded}");
    assert_eq!(seeded["contacts"], 100_000);
    assert_eq!(seeded["totalContacts"], before + 100_000);
    assert!(
        seeding < Duration::from_secs(30),
        "seeding took {seeding:?}"
    );

    let (_, count) = api.query("SELECT COUNT() FROM Contact").await;
    assert_eq!(count["totalSize"], before + 100_000);
    let (_, count) = api
        .query(
            "SELECT COUNT() FROM Contact WHERE Email LIKE '%@bulk.example' AND AccountId != null",
        )
        .await;
    assert_eq!(count["totalSize"], 100_000);

    let started = Instant::now();
    let (_, mut page) = api
        .query("SELECT Id, Name, Email, Account.Name FROM Contact")
        .await;
    let mut read = 0;
    let mut pages = 0;
    loop {
        read += page["records"].as_array().unwrap().len();
        pages += 1;
        let Some(next) = page["nextRecordsUrl"].as_str() else {
            break;
        };
        page = api.get(next).await.1;
    }
    let paging = started.elapsed();
    assert_eq!(read as u64, before + 100_000);
    assert_eq!(pages, read.div_ceil(2000));
    println!(
        "seeded 100,000 contacts and 500 accounts in {seeding:?} (store: {} ms); \
         read {read} contacts in {pages} pages in {paging:?}",
        seeded["elapsedMs"]
    );
}
