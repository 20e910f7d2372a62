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

#[tokio::test]
async fn system_modstamp_filters_sorts_and_moves_on_every_write() {
    let sandbox = spawn_shape(OrgShape::Demo).await;
    let api = Api::new(&sandbox).await;
    let soql = "SELECT Id, SystemModstamp FROM Contact \
                WHERE SystemModstamp > 2026-01-01T00:00:00Z ORDER BY SystemModstamp, Id";
    let (status, before) = api.query(soql).await;
    assert_eq!(status, 200, "{before}");
    let stamps = |body: &Value| -> Vec<(String, String)> {
        body["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["SystemModstamp"].as_str().unwrap().to_owned(),
                    r["Id"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let before = stamps(&before);
    assert!(before.len() >= 9);
    assert!(before.windows(2).all(|w| w[0] <= w[1]), "sorted");
    let contact = demo_contact(&api).await;
    let (status, _) = api
        .patch(
            &format!("/sobjects/Contact/{contact}"),
            &json!({"Department": "Operations"}),
        )
        .await;
    assert_eq!(status, 204);
    let (_, after) = api.query(soql).await;
    let after = stamps(&after);
    assert_eq!(after.last().unwrap().1, contact, "the write moved it last");
    assert!(after.last().unwrap().0 > before.last().unwrap().0);
    let (_, account) = api
        .query("SELECT SystemModstamp FROM Account ORDER BY SystemModstamp DESC LIMIT 1")
        .await;
    assert!(account["records"][0]["SystemModstamp"].is_string());
}

#[tokio::test]
async fn the_replication_api_refuses_a_start_more_than_30_days_back_on_the_sandbox_clock() {
    let sandbox = spawn_shape(OrgShape::Demo).await;
    let api = Api::new(&sandbox).await;
    let now = sandbox.salesforce().clock.now_ms();
    let at = |ms: i64| sandbox::clock::sf_datetime(ms).replace("+0000", "Z");
    let window = format!("start={}&end={}", at(now - 29 * 86_400_000), at(now));
    for resource in ["updated", "deleted"] {
        let (status, body) = api
            .get(&format!("/sobjects/Contact/{resource}?{window}"))
            .await;
        assert_eq!(status, 200, "{resource}: {body}");
    }
    let (status, _) = control(
        &sandbox,
        "POST",
        "/clock",
        Some(json!({"advanceSecs": 2 * 86_400})),
    )
    .await;
    assert_eq!(status, 200);
    // Two days on, the old session has expired too.
    let api = Api::new(&sandbox).await;
    for resource in ["updated", "deleted"] {
        let (status, body) = api
            .get(&format!("/sobjects/Contact/{resource}?{window}"))
            .await;
        let (status, code, _) = refusal(status, &body);
        assert_eq!(
            (status, code),
            (400, "INVALID_REPLICATION_DATE"),
            "{resource}"
        );
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

// ---------------------------------------------------------------------------------------
// multi_currency

#[tokio::test]
async fn a_multi_currency_org_lists_its_currencies_and_prices_deals_in_several() {
    let sandbox = spawn_shape(OrgShape::MultiCurrency).await;
    let api = Api::new(&sandbox).await;
    for object in ["Account", "Contact", "Opportunity"] {
        let (_, describe) = api.get(&format!("/sobjects/{object}/describe")).await;
        let currency = describe["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == "CurrencyIsoCode")
            .unwrap_or_else(|| panic!("{object} has CurrencyIsoCode"));
        assert_eq!(currency["type"], "picklist");
        assert_eq!(currency["restrictedPicklist"], true);
        let values: Vec<(&str, bool)> = currency["picklistValues"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| (v["value"].as_str().unwrap(), v["defaultValue"] == true))
            .collect();
        assert_eq!(
            values,
            [
                ("USD", true),
                ("EUR", false),
                ("GBP", false),
                ("JPY", false)
            ]
        );
    }
    let (status, body) = api
        .query(&format!(
            "SELECT CurrencyIsoCode, (SELECT Name, Amount, CurrencyIsoCode FROM Opportunities \
             ORDER BY CloseDate), Account.CurrencyIsoCode FROM Contact WHERE Email = '{DEMO_EMAIL}'"
        ))
        .await;
    assert_eq!(status, 200, "{body}");
    let row = &body["records"][0];
    assert_eq!(row["CurrencyIsoCode"], "USD");
    assert_eq!(row["Account"]["CurrencyIsoCode"], "USD");
    let deals: Vec<&str> = row["Opportunities"]["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["CurrencyIsoCode"].as_str().unwrap())
        .collect();
    assert!(
        deals.contains(&"EUR") && deals.contains(&"JPY"),
        "{deals:?}"
    );
    let (_, body) = api
        .query("SELECT CurrencyIsoCode FROM Account WHERE Name = 'Blue Harbor Logistics'")
        .await;
    assert_eq!(body["records"][0]["CurrencyIsoCode"], "EUR");

    // A new record takes the corporate currency; a currency the org lacks is refused.
    let id = api.create("Account", json!({"Name": "New Co"})).await;
    let (_, account) = api.get(&format!("/sobjects/Account/{id}")).await;
    assert_eq!(account["CurrencyIsoCode"], "USD");
    let (status, body) = api
        .patch(
            &format!("/sobjects/Account/{id}"),
            &json!({"CurrencyIsoCode": "CHF"}),
        )
        .await;
    assert_eq!(
        refusal(status, &body).1,
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    );
}

#[tokio::test]
async fn a_single_currency_org_has_no_currency_field() {
    let sandbox = spawn_shape(OrgShape::Demo).await;
    let api = Api::new(&sandbox).await;
    let (status, body) = api.query("SELECT CurrencyIsoCode FROM Opportunity").await;
    assert_eq!(refusal(status, &body).1, "INVALID_FIELD");
}

// ---------------------------------------------------------------------------------------
// A panel-like query in every shape

/// What an agent's panel asks for a contact: the contact, its roles on deals with their
/// opportunity, its activities and both kinds of notes.
fn panel_query(email: &str) -> String {
    format!(
        "SELECT Id, Name, Email, \
         (SELECT Role, IsPrimary, Opportunity.Id, Opportunity.Name, Opportunity.StageName, \
          Opportunity.Amount, Opportunity.CloseDate, Opportunity.IsClosed, Opportunity.IsWon \
          FROM OpportunityContactRoles), \
         (SELECT Subject, IsAllDayEvent, ActivityDate, StartDateTime, EndDateTime FROM Events \
          ORDER BY StartDateTime DESC), \
         (SELECT Id, Title, CreatedDate FROM Notes ORDER BY CreatedDate DESC), \
         (SELECT Id, ContentDocumentId, Title, TextPreview, CreatedDate FROM AttachedContentNotes \
          ORDER BY CreatedDate DESC LIMIT 20) \
         FROM Contact WHERE Email = '{email}'"
    )
}

#[tokio::test]
async fn the_panel_query_answers_in_every_shape_that_can_read_deals() {
    for shape in OrgShape::ALL
        .into_iter()
        .filter(|&s| s != OrgShape::Restricted)
    {
        let sandbox = spawn_shape(shape).await;
        let api = Api::new(&sandbox).await;
        let (status, body) = api.query(&panel_query(DEMO_EMAIL)).await;
        assert_eq!(status, 200, "{shape}: {body}");
        let contact = &body["records"][0];
        // A role on another account's deal: reachable only through the role.
        let roles = contact["OpportunityContactRoles"]["records"]
            .as_array()
            .unwrap();
        let other = roles
            .iter()
            .find(|r| r["Role"] == "Evaluator")
            .unwrap_or_else(|| panic!("{shape}: {roles:?}"));
        assert_eq!(other["IsPrimary"], false);
        assert_eq!(other["Opportunity"]["attributes"]["type"], "Opportunity");
        assert_eq!(
            other["Opportunity"]["Name"],
            "Blue Harbor - Fleet tracking rollout"
        );
        assert_eq!(other["Opportunity"]["IsClosed"], false);
        let (_, owned) = api
            .query(&format!(
                "SELECT Id FROM Opportunity WHERE Contact.Email = '{DEMO_EMAIL}' \
                 OR Account.Name = 'Northwind Traders'"
            ))
            .await;
        assert!(
            owned["records"]
                .as_array()
                .unwrap()
                .iter()
                .all(|o| o["Id"] != other["Opportunity"]["Id"]),
            "{shape}: not hers by ContactId nor by account"
        );
        // Her all-day event: its day, from midnight GMT.
        let events = contact["Events"]["records"].as_array().unwrap();
        let all_day = events
            .iter()
            .find(|e| e["IsAllDayEvent"] == true)
            .unwrap_or_else(|| panic!("{shape}: {events:?}"));
        assert_eq!(all_day["ActivityDate"], "2026-12-18");
        assert_eq!(all_day["StartDateTime"], "2026-12-18T00:00:00.000+0000");
        assert!(contact["Notes"]["totalSize"].as_u64().unwrap() >= 2);
        if !shape.has_enhanced_notes() {
            assert_eq!(contact["AttachedContentNotes"], Value::Null, "{shape}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// enhanced_notes

#[tokio::test]
async fn enhanced_notes_are_read_through_attached_content_notes_beside_classic_ones() {
    let sandbox = spawn_shape(OrgShape::EnhancedNotes).await;
    let api = Api::new(&sandbox).await;
    let (status, body) = api.query(&panel_query(DEMO_EMAIL)).await;
    assert_eq!(status, 200, "{body}");
    let contact = &body["records"][0];
    let attached = contact["AttachedContentNotes"]["records"]
        .as_array()
        .unwrap();
    let titles: Vec<&str> = attached
        .iter()
        .map(|n| n["Title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Renewal risks", "Kickoff call"], "newest first");
    let note = &attached[0];
    assert_eq!(note["attributes"]["type"], "AttachedContentNote");
    assert_eq!(note["Id"], note["ContentDocumentId"]);
    assert!(note["Id"].as_str().unwrap().starts_with("069"));
    assert_eq!(
        note["TextPreview"],
        "Export timeouts at month end & the invoice CSV issue are the two things Maya raised."
    );
    // Classic and enhanced notes interleave by creation date.
    let created = |notes: &Value| -> Vec<String> {
        notes["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["CreatedDate"].as_str().unwrap().to_owned())
            .collect()
    };
    let (classic, enhanced) = (
        created(&contact["Notes"]),
        created(&contact["AttachedContentNotes"]),
    );
    assert!(
        enhanced[1] < classic[1] && classic[0] < enhanced[0],
        "{classic:?} {enhanced:?}"
    );

    let (_, account) = api
        .query(
            "SELECT Name, (SELECT Title, TextPreview FROM AttachedContentNotes) FROM Account \
             WHERE Name = 'Northwind Traders'",
        )
        .await;
    let plan = &account["records"][0]["AttachedContentNotes"]["records"][0];
    assert_eq!(plan["Title"], "Account plan FY27");
    let preview = plan["TextPreview"].as_str().unwrap();
    assert_eq!(preview.chars().count(), 255, "the first 255 characters");
    assert!(preview.starts_with("Northwind is consolidating"));
}

#[tokio::test]
async fn attached_content_notes_are_no_query_of_their_own_and_links_need_a_filter() {
    let sandbox = spawn_shape(OrgShape::Demo).await;
    let api = Api::new(&sandbox).await;
    let (status, body) = api.query("SELECT Id, Title FROM AttachedContentNote").await;
    let (status, code, message) = refusal(status, &body);
    assert_eq!((status, code), (400, "INVALID_TYPE_FOR_OPERATION"));
    assert!(
        message.contains("entity type AttachedContentNote does not support query"),
        "{message}"
    );
    let (status, body) = api.query("SELECT Id FROM ContentDocumentLink").await;
    let (status, code, message) = refusal(status, &body);
    assert_eq!((status, code), (400, "MALFORMED_QUERY"));
    assert!(
        message.contains("Implementation restriction: ContentDocumentLink requires a filter"),
        "{message}"
    );

    // A note made through the API, as an integration would, then attached to a contact.
    let contact = demo_contact(&api).await;
    let html = format!("<p>{}</p>", "Long note. ".repeat(40));
    let content = base64_of(&html);
    let note = api
        .create(
            "ContentNote",
            json!({"Title": "From the API", "Content": content}),
        )
        .await;
    let (_, described) = api.get(&format!("/sobjects/ContentNote/{note}")).await;
    assert_eq!(described["FileType"], "SNOTE");
    assert_eq!(described["ContentSize"], html.len());
    api.create(
        "ContentDocumentLink",
        json!({"ContentDocumentId": note, "LinkedEntityId": contact, "ShareType": "V"}),
    )
    .await;
    let (status, links) = api
        .query(&format!(
            "SELECT ContentDocumentId, ContentDocument.Title, ShareType, Visibility \
             FROM ContentDocumentLink WHERE LinkedEntityId = '{contact}'"
        ))
        .await;
    assert_eq!(status, 200, "{links}");
    assert_eq!(
        links["records"][0]["ContentDocument"]["Title"],
        "From the API"
    );
    assert_eq!(links["records"][0]["Visibility"], "AllUsers");
    let (_, body) = api
        .query(&format!(
            "SELECT (SELECT Title, TextPreview FROM AttachedContentNotes) FROM Contact \
             WHERE Id = '{contact}'"
        ))
        .await;
    let attached = &body["records"][0]["AttachedContentNotes"];
    assert_eq!(attached["totalSize"], 1);
    let preview = attached["records"][0]["TextPreview"].as_str().unwrap();
    assert_eq!(preview.chars().count(), 255);
    assert!(preview.starts_with("Long note. Long note."));
    // Deleting the note takes it off the record.
    let (status, _) = api.delete(&format!("/sobjects/ContentNote/{note}")).await;
    assert_eq!(status, 204);
    let (_, body) = api
        .query(&format!(
            "SELECT (SELECT Id FROM AttachedContentNotes) FROM Contact WHERE Id = '{contact}'"
        ))
        .await;
    assert_eq!(body["records"][0]["AttachedContentNotes"], Value::Null);
}

fn base64_of(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(text)
}

// ---------------------------------------------------------------------------------------
// person_accounts

#[tokio::test]
async fn a_person_accounts_org_describes_and_keeps_people_beside_businesses() {
    let sandbox = spawn_shape(OrgShape::PersonAccounts).await;
    let api = Api::new(&sandbox).await;
    let (_, account) = api.get("/sobjects/Account/describe").await;
    let fields = field_names(&account);
    for name in [
        "RecordTypeId",
        "IsPersonAccount",
        "FirstName",
        "LastName",
        "PersonEmail",
        "PersonContactId",
        "PersonTitle",
        "PersonMobilePhone",
    ] {
        assert!(fields.contains(&name), "Account.{name}");
    }
    let (_, contact) = api.get("/sobjects/Contact/describe").await;
    assert!(field_names(&contact).contains(&"IsPersonAccount"));

    let (status, people) = api
        .query(
            "SELECT Id, Name, FirstName, LastName, PersonEmail, PersonContactId, \
             PersonContact.Email, PersonContact.AccountId, PersonContact.IsPersonAccount \
             FROM Account WHERE IsPersonAccount = true ORDER BY LastName",
        )
        .await;
    assert_eq!(status, 200, "{people}");
    let people = people["records"].as_array().unwrap();
    assert!(people.len() >= 3);
    for person in people {
        let name = format!(
            "{} {}",
            person["FirstName"].as_str().unwrap(),
            person["LastName"].as_str().unwrap()
        );
        assert_eq!(person["Name"], name.as_str());
        assert_eq!(person["PersonContact"]["Email"], person["PersonEmail"]);
        assert_eq!(person["PersonContact"]["AccountId"], person["Id"]);
        assert_eq!(person["PersonContact"]["IsPersonAccount"], true);
    }
    let (_, businesses) = api
        .query("SELECT Name FROM Account WHERE IsPersonAccount = false")
        .await;
    assert!(businesses["totalSize"].as_u64().unwrap() >= 4);
    let (_, maya) = api
        .query(&format!(
            "SELECT IsPersonAccount, Account.IsPersonAccount FROM Contact WHERE Email = '{DEMO_EMAIL}'"
        ))
        .await;
    assert_eq!(maya["records"][0]["IsPersonAccount"], false);
    assert_eq!(maya["records"][0]["Account"]["IsPersonAccount"], false);
    let (_, deals) = api
        .query("SELECT Name, Account.Name, Contact.Name FROM Opportunity WHERE Account.IsPersonAccount = true")
        .await;
    assert_eq!(deals["records"][0]["Account"]["Name"], "Emma Larsen");
    assert_eq!(deals["records"][0]["Contact"]["Name"], "Emma Larsen");
}

#[tokio::test]
async fn a_person_accounts_org_refuses_what_salesforce_refuses() {
    let sandbox = spawn_shape(OrgShape::PersonAccounts).await;
    let api = Api::new(&sandbox).await;
    let (_, types) = api
        .query(
            "SELECT Id, DeveloperName, IsPersonType FROM RecordType \
             WHERE SobjectType = 'Account' ORDER BY DeveloperName",
        )
        .await;
    let person_type = types["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["IsPersonType"] == true)
        .unwrap()["Id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, emma) = api
        .query("SELECT Id, PersonContactId FROM Account WHERE PersonEmail = 'emma.larsen@mail.example'")
        .await;
    let person = emma["records"][0]["Id"].as_str().unwrap().to_owned();
    let person_contact = emma["records"][0]["PersonContactId"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, northwind) = api
        .query("SELECT Id FROM Account WHERE Name = 'Northwind Traders'")
        .await;
    let business = northwind["records"][0]["Id"].as_str().unwrap().to_owned();
    let business_contact = demo_contact(&api).await;
    let error = |body: &Value| {
        let error = only_error(body).clone();
        (
            error["errorCode"].as_str().unwrap().to_owned(),
            error["message"].as_str().unwrap().to_owned(),
            error["fields"].clone(),
        )
    };

    // Renaming a person account: its name is its person's.
    let (status, body) = api
        .patch(
            &format!("/sobjects/Account/{person}"),
            &json!({"Name": "E. Larsen"}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        error(&body),
        (
            "INVALID_FIELD_FOR_INSERT_UPDATE".into(),
            "Account: bad field names on insert/update call: Name".into(),
            json!(["Name"])
        )
    );
    // Moving a person contact to another account.
    let (status, body) = api
        .patch(
            &format!("/sobjects/Contact/{person_contact}"),
            &json!({"AccountId": business}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        error(&body),
        (
            "INVALID_FIELD_FOR_INSERT_UPDATE".into(),
            "Account: bad field names on insert/update call: AccountId".into(),
            json!(["AccountId"])
        )
    );
    // Linking a business contact to a person account, new or existing.
    let (status, body) = api
        .post(
            "/sobjects/Contact",
            &json!({"LastName": "Stranger", "AccountId": person}),
        )
        .await;
    assert_eq!(
        (status, error(&body).0.as_str()),
        (400, "FIELD_INTEGRITY_EXCEPTION")
    );
    let (status, body) = api
        .patch(
            &format!("/sobjects/Contact/{business_contact}"),
            &json!({"AccountId": person}),
        )
        .await;
    assert_eq!(
        (status, error(&body).0.as_str()),
        (400, "FIELD_INTEGRITY_EXCEPTION")
    );
    // A business account has no person fields; a person contact is never made directly.
    let (status, body) = api
        .patch(
            &format!("/sobjects/Account/{business}"),
            &json!({"PersonEmail": "x@northwind.example"}),
        )
        .await;
    assert_eq!(
        (status, error(&body).1),
        (
            400,
            "Account: bad field names on insert/update call: PersonEmail".into()
        )
    );
    let (status, body) = api
        .post(
            "/sobjects/Contact",
            &json!({"LastName": "Self", "IsPersonAccount": true}),
        )
        .await;
    assert_eq!(
        (status, error(&body).0.as_str()),
        (400, "INVALID_FIELD_FOR_INSERT_UPDATE")
    );
    // The same refusal inside sObject Collections, per record.
    let (status, body) = api
        .patch(
            "/composite/sobjects",
            &json!({"records": [{"attributes": {"type": "Account"}, "Id": person, "Name": "X"}]}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        body[0]["errors"][0]["statusCode"],
        "INVALID_FIELD_FOR_INSERT_UPDATE"
    );

    // What is allowed: a person account's person fields, and its contact's own details,
    // each kept in step with the other half.
    let (status, _) = api
        .patch(
            &format!("/sobjects/Contact/{person_contact}"),
            &json!({"Email": "emma@larsen.example", "LastName": "Larsen-Berg"}),
        )
        .await;
    assert_eq!(status, 204);
    let (_, now) = api
        .get(&format!(
            "/sobjects/Account/{person}?fields=Name,PersonEmail"
        ))
        .await;
    assert_eq!(now["Name"], "Emma Larsen-Berg");
    assert_eq!(now["PersonEmail"], "emma@larsen.example");
    // A new person account through the API, named by its person, with its contact.
    let (status, body) = api
        .post(
            "/sobjects/Account",
            &json!({"RecordTypeId": person_type, "Name": "Noah Fischer", "LastName": "Fischer"}),
        )
        .await;
    assert_eq!((status, error(&body).2), (400, json!(["Name"])));
    let id = api
        .create(
            "Account",
            json!({"RecordTypeId": person_type, "FirstName": "Noah", "LastName": "Fischer",
                   "PersonEmail": "noah@fischerdesign.example"}),
        )
        .await;
    let (_, created) = api
        .query(&format!(
            "SELECT Name, PersonContact.Email, PersonContact.Name FROM Account WHERE Id = '{id}'"
        ))
        .await;
    assert_eq!(created["records"][0]["Name"], "Noah Fischer");
    assert_eq!(
        created["records"][0]["PersonContact"]["Email"],
        "noah@fischerdesign.example"
    );
}
