//! The helpdesk API over HTTP: contacts and accounts (CRUD, typed custom fields, paging,
//! search), field metadata, API credits and the rate limit, fault injection, and the
//! test controls.

use crate::helpers::*;
use reqwest::Method;
use sandbox::helpdesk::controls::{SeedRequest, Seeded};
use sandbox::helpdesk::traffic::{Fault, RateLimit};
use sandbox::{Config, demo};
use serde_json::{Value, json};
use shared::helpdesk::{FieldMeta, FieldType};
use std::collections::HashSet;
use std::time::{Duration, Instant};

fn ids(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| i["id"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn contacts_are_created_read_updated_and_trashed_with_typed_custom_fields() {
    let sandbox = spawn().await;
    let desk = Desk::of(&sandbox);
    let account = ok(desk.get("/accounts").query(&[("limit", "1")])).await["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let created = ok(desk.post(
        "/contacts",
        &json!({"firstName": "Ada", "lastName": "Lovelace", "email": "ada@engines.example",
            "accountId": account, "cf": {"cf_plan": "Trial", "cf_seats": 5, "cf_renewal_date": "2027-03-01"}}),
    ))
    .await;
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(
        created["cf"]["cf_seats"], "5",
        "numbers come back as Zoho sends them"
    );
    assert_eq!(
        created["cf"]["cf_preferred_language"],
        Value::Null,
        "every custom field is present"
    );
    assert_eq!(created["createdTime"], created["modifiedTime"]);
    assert_eq!(created["ownerId"], sandbox.helpdesk().token_owner());
    let read = ok(desk.get(&format!("/contacts/{id}"))).await;
    assert_eq!(read, created);

    // Every field at fault is named, with Zoho's code.
    let (status, code, fields) = error(desk.patch(
        &format!("/contacts/{id}"),
        &json!({"email": "not an email", "cf": {"cf_seats": "twelve", "cf_plan": "Gold", "cf_renewal_date": "01/03/2027"}}),
    ))
    .await;
    assert_eq!((status, code.as_str()), (422, "INVALID_DATA"));
    for field in [
        "/email",
        "/cf/cf_seats",
        "/cf/cf_plan",
        "/cf/cf_renewal_date",
    ] {
        assert!(fields.contains(&field.to_owned()), "{field} in {fields:?}");
    }
    let (_, _, fields) = error(desk.post("/contacts", &json!({"email": "x@y.example"}))).await;
    assert_eq!(fields, ["/lastName"], "lastName is mandatory");
    let (_, _, fields) = error(desk.post(
        "/contacts",
        &json!({"lastName": "X", "nickname": "x", "id": "1"}),
    ))
    .await;
    assert_eq!(fields, ["/nickname", "/id"]);
    let (status, code, _) = error(
        desk.request(Method::POST, "/contacts")
            .header("Content-Type", "application/json")
            .body("{not json"),
    )
    .await;
    assert_eq!((status, code.as_str()), (422, "INVALID_DATA"));

    let updated = ok(desk.patch(
        &format!("/contacts/{id}"),
        &json!({"title": "Analyst", "cf": {"cf_seats": "7"}}),
    ))
    .await;
    assert_eq!(updated["title"], "Analyst");
    assert_eq!(updated["cf"]["cf_seats"], "7");
    assert_eq!(updated["cf"]["cf_plan"], "Trial", "untouched fields stay");
    assert_eq!(updated["createdTime"], created["createdTime"]);
    assert!(
        updated["modifiedTime"].as_str() > created["modifiedTime"].as_str(),
        "{updated}"
    );

    let (status, _) = send(desk.post("/contacts/moveToTrash", &json!({"contactIds": [id]}))).await;
    assert_eq!(status, 204);
    assert_eq!(
        error(desk.get(&format!("/contacts/{id}"))).await.1,
        "URL_NOT_FOUND"
    );
    let (_, code, fields) =
        error(desk.post("/contacts/moveToTrash", &json!({"contactIds": [id]}))).await;
    assert_eq!(
        (code.as_str(), fields),
        ("INVALID_DATA", vec!["/contactIds".to_owned()])
    );
    assert_eq!(
        error(desk.patch("/contacts/404", &json!({"title": "x"})))
            .await
            .1,
        "URL_NOT_FOUND"
    );
}

#[tokio::test]
async fn accounts_are_written_and_trashing_one_unlinks_its_contacts() {
    let sandbox = spawn().await;
    let desk = Desk::of(&sandbox);
    let account = ok(desk.post(
        "/accounts",
        &json!({"accountName": "Analytical Engines", "website": "https://engines.example",
            "cf": {"cf_region": "EMEA", "cf_employees": "12"}}),
    ))
    .await;
    let id = account["id"].as_str().unwrap();
    let (_, _, fields) = error(desk.post("/accounts", &json!({"cf": {"cf_region": "Mars"}}))).await;
    assert_eq!(fields, ["/cf/cf_region", "/accountName"]);
    let contact = ok(desk.post(
        "/contacts",
        &json!({"lastName": "Babbage", "accountId": id}),
    ))
    .await;
    let (_, _, fields) =
        error(desk.post("/contacts", &json!({"lastName": "B", "accountId": "42"}))).await;
    assert_eq!(fields, ["/accountId"], "the account must exist");

    let renamed = ok(desk.patch(
        &format!("/accounts/{id}"),
        &json!({"accountName": "Engines Ltd"}),
    ))
    .await;
    assert_eq!(renamed["accountName"], "Engines Ltd");
    let (status, _) = send(desk.post("/accounts/moveToTrash", &json!({"accountIds": [id]}))).await;
    assert_eq!(status, 204);
    let contact = ok(desk.get(&format!("/contacts/{}", contact["id"].as_str().unwrap()))).await;
    assert_eq!(contact["accountId"], Value::Null);
}

#[tokio::test]
async fn lists_page_past_100_records_in_modification_order() {
    let sandbox = spawn().await;
    let desk = Desk::of(&sandbox);
    let seeded: Seeded = sandbox
        .seed_helpdesk(&SeedRequest {
            contacts: 230,
            accounts: 3,
            webhooks: false,
        })
        .unwrap();
    assert_eq!(seeded.contact_ids.len(), 230);
    let total = sandbox.helpdesk().desk().contacts.len();
    assert!(total > 230);

    let mut seen = Vec::new();
    let mut times = Vec::new();
    for from in (0..total + 100).step_by(100) {
        let response = desk
            .get("/contacts")
            .query(&[
                ("from", from.to_string()),
                ("limit", "100".into()),
                ("sortBy", "modifiedTime".into()),
            ])
            .send()
            .await
            .unwrap();
        if response.status() == 204 {
            break;
        }
        let page: Value = response.json().await.unwrap();
        let data = page["data"].as_array().unwrap();
        assert!(data.len() <= 100);
        times.extend(
            data.iter()
                .map(|c| c["modifiedTime"].as_str().unwrap().to_owned()),
        );
        seen.extend(ids(&page));
    }
    assert_eq!(seen.len(), total, "every contact once");
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), total);
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "ascending modifiedTime"
    );

    // A change moves the record to the end of the modification order.
    let first = seen[0].clone();
    ok(desk.patch(&format!("/contacts/{first}"), &json!({"title": "Moved"}))).await;
    let newest = ok(desk
        .get("/contacts")
        .query(&[("sortBy", "-modifiedTime"), ("limit", "1")]))
    .await;
    assert_eq!(ids(&newest), [first]);

    let (status, code, _) = error(desk.get("/contacts").query(&[("limit", "101")])).await;
    assert_eq!((status, code.as_str()), (422, "INVALID_DATA"));
    let (_, code, _) = error(desk.get("/contacts").query(&[("sortBy", "name")])).await;
    assert_eq!(code, "INVALID_DATA");
    let accounts = ok(desk.get("/accounts").query(&[("limit", "100")])).await;
    assert_eq!(ids(&accounts).len(), 4 + 3);
}

#[tokio::test]
async fn search_finds_contacts_by_email_and_accounts_by_name() {
    let sandbox = spawn().await;
    let desk = Desk::of(&sandbox);
    let found = ok(desk
        .get("/contacts/search")
        .query(&[("email", "MAYA.PATEL@northwind.example")]))
    .await;
    assert_eq!(found["count"], 1);
    assert_eq!(found["data"][0]["lastName"], "Patel");
    let domain = ok(desk
        .get("/contacts/search")
        .query(&[("email", "*@northwind.example")]))
    .await;
    assert_eq!(domain["count"], 2);
    let (status, body) = send(
        desk.get("/contacts/search")
            .query(&[("email", "nobody@nowhere.example")]),
    )
    .await;
    assert_eq!((status, body), (204, Value::Null));

    let accounts = ok(desk
        .get("/accounts/search")
        .query(&[("accountName", "northwind traders")]))
    .await;
    assert_eq!(accounts["count"], 1);
    assert_eq!(accounts["data"][0]["accountName"], "Northwind Traders");
    let prefix = ok(desk
        .get("/accounts/search")
        .query(&[("accountName", "*Health*")]))
    .await;
    assert_eq!(prefix["data"][0]["accountName"], "Juniper Health");

    // Paged searches report the total, and windows cover it.
    sandbox
        .seed_helpdesk(&SeedRequest {
            contacts: 120,
            ..SeedRequest::default()
        })
        .unwrap();
    let page = ok(desk.get("/contacts/search").query(&[
        ("email", "*@bulk.example"),
        ("from", "100"),
        ("limit", "100"),
    ]))
    .await;
    assert_eq!(page["count"], 120);
    assert_eq!(ids(&page).len(), 20);

    // Modified since: only what changed after the cut.
    let cut = ok(desk
        .get("/contacts")
        .query(&[("sortBy", "-modifiedTime"), ("limit", "1")]))
    .await["data"][0]["modifiedTime"]
        .as_str()
        .unwrap()
        .to_owned();
    let maya = found["data"][0]["id"].as_str().unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;
    ok(desk.patch(&format!("/contacts/{maya}"), &json!({"title": "COO"}))).await;
    let changed = ok(desk
        .get("/contacts/search")
        .query(&[("modifiedTimeRange", format!("{cut},"))]))
    .await;
    let changed_ids = ids(&changed);
    assert!(changed_ids.contains(&maya.to_owned()), "{changed}");
    assert!(changed_ids.len() <= 2, "{changed}");

    let (_, code, _) = error(desk.get("/contacts/search").query(&[("accountName", "x")])).await;
    assert_eq!(
        code, "UNPROCESSABLE_ENTITY",
        "contacts are not searched by account name"
    );
    let (_, code, fields) = error(
        desk.get("/contacts/search")
            .query(&[("modifiedTimeRange", "soon")]),
    )
    .await;
    assert_eq!(
        (code.as_str(), fields),
        ("INVALID_DATA", vec!["/modifiedTimeRange".to_owned()])
    );
}

#[tokio::test]
async fn field_metadata_tells_the_types_the_api_enforces() {
    let sandbox = spawn().await;
    let desk = Desk::of(&sandbox);
    let body = ok(desk
        .get("/organizationFields")
        .query(&[("module", "contacts")]))
    .await;
    let fields: Vec<FieldMeta> = serde_json::from_value(body["data"].clone()).unwrap();
    let field = |name: &str| fields.iter().find(|f| f.api_name == name).unwrap();
    assert!(field("lastName").is_mandatory && !field("lastName").is_custom_field);
    assert_eq!(field("lastName").max_length, Some(80));
    assert_eq!(field("cf_plan").field_type, FieldType::Picklist);
    assert_eq!(
        field("cf_plan").allowed_values,
        ["Enterprise", "Professional", "Standard", "Trial"]
    );
    assert_eq!(field("cf_seats").field_type, FieldType::Number);
    assert_eq!(field("cf_renewal_date").field_type, FieldType::Date);
    assert_eq!(field("cf_preferred_language").field_type, FieldType::Text);
    for raw in body["data"].as_array().unwrap() {
        for key in [
            "apiName",
            "displayLabel",
            "type",
            "isCustomField",
            "isMandatory",
            "id",
        ] {
            assert!(raw.get(key).is_some(), "{key} in {raw}");
        }
    }

    // What the metadata allows is what the API accepts, and the reverse.
    let maya = ok(desk
        .get("/contacts/search")
        .query(&[("email", "maya.patel@northwind.example")]))
    .await["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for (name, value) in [
        ("cf_seats", json!("12")),
        ("cf_seats", json!("twelve")),
        ("cf_seats", json!(12.5)),
        ("cf_plan", json!("Standard")),
        ("cf_plan", json!("Platinum")),
        ("cf_renewal_date", json!("2027-02-28")),
        ("cf_renewal_date", json!("2027-02-30")),
        ("cf_preferred_language", json!(7)),
    ] {
        let allowed = field(name).check(&value).is_ok();
        let (status, _) =
            send(desk.patch(&format!("/contacts/{maya}"), &json!({"cf": {name: value}}))).await;
        assert_eq!(status == 200, allowed, "{name} = {value}: HTTP {status}");
    }

    let accounts = ok(desk
        .get("/organizationFields")
        .query(&[("module", "accounts")]))
    .await;
    let names: Vec<&str> = accounts["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["apiName"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"accountName")
            && names.contains(&"cf_region")
            && names.contains(&"cf_employees")
    );
    let (_, code, fields) = error(desk.get("/organizationFields")).await;
    assert_eq!(
        (code.as_str(), fields),
        ("INVALID_DATA", vec!["/module".to_owned()])
    );
    assert_eq!(
        error(
            desk.get("/organizationFields")
                .query(&[("module", "tickets")])
        )
        .await
        .1,
        "INVALID_DATA"
    );
}

#[tokio::test]
async fn past_the_rate_limit_calls_get_429_with_retry_after() {
    let sandbox = spawn_with(Config {
        helpdesk: sandbox::helpdesk::Settings {
            rate_limit: Some(RateLimit {
                credits: 5,
                window: Duration::from_secs(2),
            }),
            ..sandbox::helpdesk::Settings::default()
        },
        ..Config::ephemeral()
    })
    .await;
    let desk = Desk::of(&sandbox);
    let list = desk.get("/contacts").send().await.unwrap();
    assert_eq!(list.status(), 200);
    assert_eq!(list.headers()["x-rate-limit-request-weight-v3"], "3");
    // The credits-left header speaks of the day's credits, never of this throttle.
    let daily = sandbox.helpdesk_credits().orgs[demo::HELPDESK_ORG_ID]
        .daily_credits
        .unwrap();
    let left = |response: &reqwest::Response| -> u64 {
        response.headers()["x-rate-limit-remaining-v3"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert_eq!(left(&list), daily - 3);
    let one = desk.get("/myinfo").send().await.unwrap();
    assert_eq!(one.headers()["x-rate-limit-request-weight-v3"], "1");
    assert_eq!(left(&one), daily - 4);

    let refused = desk.get("/contacts").send().await.unwrap();
    assert_eq!(refused.status(), 429);
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry_after), "{retry_after}");
    assert!(refused.headers().get("x-rate-limit-remaining-v3").is_none());
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["errorCode"], "TOO_MANY_REQUESTS");
    assert_eq!(sandbox.helpdesk_calls().rate_limited, 1);

    // After Retry-After, the window has credits again.
    tokio::time::sleep(Duration::from_secs(retry_after) + Duration::from_millis(100)).await;
    assert_eq!(desk.get("/contacts").send().await.unwrap().status(), 200);

    // The limit can be changed at run time, over HTTP too.
    let set = ok(desk
        .control(Method::PUT, "/rate-limit")
        .json(&json!({"credits": null})))
    .await;
    assert_eq!(set, json!({"credits": null, "windowMs": null}));
    for _ in 0..5 {
        assert_eq!(desk.get("/contacts").send().await.unwrap().status(), 200);
    }
    let (status, _) = send(
        desk.control(Method::PUT, "/rate-limit")
            .json(&json!({"credits": 3})),
    )
    .await;
    assert_eq!(status, 400, "a limit needs a window");
}

#[tokio::test]
async fn injected_faults_answer_instead_of_the_api_and_are_counted() {
    let sandbox = spawn().await;
    let desk = Desk::of(&sandbox);
    sandbox
        .inject_helpdesk_fault(Fault::status(503).times(2).on_path("/api/v1/contacts"))
        .unwrap();
    assert_eq!(
        desk.get("/accounts").send().await.unwrap().status(),
        200,
        "other paths unaffected"
    );
    for _ in 0..2 {
        let response = desk.get("/contacts").send().await.unwrap();
        assert_eq!(response.status(), 503);
        assert!(
            response.text().await.unwrap().contains("<html>"),
            "a gateway's page"
        );
    }
    assert_eq!(desk.get("/contacts").send().await.unwrap().status(), 200);

    // Over HTTP: a 429 with Retry-After, a 500 with Zoho's body, latency.
    let (status, _) = send(
        desk.control(Method::POST, "/faults")
            .json(&json!({"status": 429, "retryAfter": 9})),
    )
    .await;
    assert_eq!(status, 204);
    let limited = desk.get("/myinfo").send().await.unwrap();
    assert_eq!(
        (
            limited.status().as_u16(),
            limited.headers()["retry-after"].to_str().unwrap()
        ),
        (429, "9")
    );
    ok(desk
        .control(Method::POST, "/faults")
        .json(&json!({"status": 500})))
    .await;
    assert_eq!(error(desk.get("/myinfo")).await.1, "INTERNAL_SERVER_ERROR");
    ok(desk
        .control(Method::POST, "/faults")
        .json(&json!({"latencyMs": 300})))
    .await;
    let started = Instant::now();
    assert_eq!(desk.get("/myinfo").send().await.unwrap().status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
    let (status, body) = send(
        desk.control(Method::POST, "/faults")
            .json(&json!({"status": 404})),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    ok(desk
        .control(Method::POST, "/faults")
        .json(&json!({"status": 502, "times": 5})))
    .await;
    ok(desk.control(Method::DELETE, "/faults")).await;
    assert_eq!(desk.get("/myinfo").send().await.unwrap().status(), 200);

    let counts = sandbox.helpdesk_calls();
    assert_eq!(counts.faulted, 5);
    assert_eq!(counts.route("GET /api/v1/contacts"), 3);
    assert_eq!(counts.route("GET /api/v1/myinfo"), 4);
    let over_http = ok(desk.control(Method::GET, "/calls")).await;
    assert_eq!(over_http["total"], counts.total);
    assert_eq!(over_http["byRoute"]["GET /api/v1/accounts"], 1);
    ok(desk.control(Method::POST, "/calls/reset")).await;
    assert_eq!(sandbox.helpdesk_calls().total, 0);
    // Controls and the JWKS are not API calls.
    ok(desk.control(Method::GET, "")).await;
    reqwest::get(desk.jwks_url()).await.unwrap();
    assert_eq!(sandbox.helpdesk_calls().total, 0);
}

#[tokio::test]
async fn controls_seed_and_edit_like_the_rust_methods() {
    let sandbox = spawn().await;
    let desk = Desk::of(&sandbox);
    let seeded = ok(desk
        .control(Method::POST, "/seed")
        .json(&json!({"contacts": 3, "accounts": 2})))
    .await;
    let seeded: Seeded = serde_json::from_value(seeded).unwrap();
    assert_eq!((seeded.contact_ids.len(), seeded.account_ids.len()), (3, 2));
    let contact = ok(desk.get(&format!("/contacts/{}", seeded.contact_ids[1]))).await;
    assert_eq!(contact["accountId"], seeded.account_ids[1].as_str());
    let (status, _) = send(
        desk.control(Method::POST, "/seed")
            .json(&json!({"contacts": 20000})),
    )
    .await;
    assert_eq!(status, 422);
    let (status, _) = send(
        desk.control(Method::POST, "/seed")
            .json(&json!({"people": 1})),
    )
    .await;
    assert_eq!(status, 400);

    let edited = ok(desk.control(Method::POST, "/agent-edits").json(&json!({
        "action": "update", "module": "contacts", "id": seeded.contact_ids[0],
        "fields": {"title": "Edited by an agent"},
    })))
    .await;
    assert_eq!(edited["title"], "Edited by an agent");
    let (status, body) = send(desk.control(Method::POST, "/agent-edits").json(&json!({
        "action": "update", "module": "contacts", "id": seeded.contact_ids[0], "fields": {"cf": {"cf_seats": "x"}},
    })))
    .await;
    assert_eq!(
        (status, body["errorCode"].as_str()),
        (422, Some("INVALID_DATA"))
    );
    let deleted = ok(desk.control(Method::POST, "/agent-edits").json(&json!({
        "action": "delete", "module": "accounts", "id": seeded.account_ids[0],
    })))
    .await;
    assert_eq!(deleted, json!({"id": seeded.account_ids[0]}));
    assert_eq!(
        error(desk.get(&format!("/accounts/{}", seeded.account_ids[0])))
            .await
            .1,
        "URL_NOT_FOUND"
    );
    let (status, _) = send(desk.control(Method::POST, "/agent-edits").json(&json!({
        "action": "create", "module": "tickets", "fields": {},
    })))
    .await;
    assert_eq!(status, 422);
    let index = ok(desk.control(Method::GET, "")).await;
    assert!(index["controls"].as_object().unwrap().len() >= 8);
}

#[tokio::test]
async fn the_webhook_keys_are_published_as_a_jwks() {
    let sandbox = spawn().await;
    let desk = Desk::of(&sandbox);
    let response = reqwest::get(desk.jwks_url()).await.unwrap();
    assert_eq!(response.status(), 200);
    let jwks: shared::helpdesk::Jwks = response.json().await.unwrap();
    assert_eq!(jwks.keys.len(), 1);
    let key = &jwks.keys[0];
    assert_eq!(
        (key.kty.as_str(), key.alg.as_deref()),
        ("RSA", Some("RS256"))
    );
    assert!(
        !key.kid.is_empty() && key.n.len() > 300,
        "a 2048-bit modulus"
    );
    // Unauthenticated, outside /api/v1; unknown paths still answer Zoho's 404.
    assert_eq!(
        error(reqwest::Client::new().get(format!("{}/nope", sandbox.helpdesk_url)))
            .await
            .1,
        "URL_NOT_FOUND"
    );
    assert_eq!(demo::HELPDESK_ORG_ID, sandbox.helpdesk().desk().org_id);
}
