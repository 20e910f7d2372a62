//! The typed Salesforce client (`shared::salesforce`) against the sandbox org: paging,
//! sObject Collections, Composite, describe, replication, session renewal, retries,
//! the API budget and SOQL injection. Each test starts its own sandbox on free ports.

use super::support::sandbox;
use contract::ids::{Email, SfId};
use contract::panel_fields::PanelFields;
use contract::permissions::Items;
use sandbox::salesforce::control::Limits;
use sandbox::salesforce::{BulkSeed, Faults};
use sandbox::{Sandbox, demo};
use serde::Deserialize;
use serde_json::{Value, json};
use shared::http::{HttpRequest, HttpResponse, ReqwestTransport, Transport, TransportError};
use shared::panel::{ContactRecord, OrgSchema, PanelContact, QueryPlan, contact_by_email};
use shared::pkce;
use shared::salesforce::{
    Budget, Client, CompositeRequest, FieldType, OAuthApp, QueryResponse, RetryPolicy, Scope,
    Session, SfDateTime, SfError, TokenResponse, reference,
};
use shared::soql::{Condition, LikePattern, Order, Select};
use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::time::Duration;

const MAYA: &str = "maya.patel@northwind.example";

/// The transport the native tests use, counting what goes through it.
#[derive(Default)]
struct Counted {
    inner: ReqwestTransport,
    sends: Cell<u32>,
    sleeps: RefCell<Vec<Duration>>,
}

impl Transport for Counted {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.sends.set(self.sends.get() + 1);
        self.inner.send(request).await
    }

    async fn sleep(&self, duration: Duration) {
        self.sleeps.borrow_mut().push(duration);
        self.inner.sleep(duration).await;
    }
}

/// Backoff in milliseconds, so retry tests stay fast.
fn quick_retries(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(4),
    }
}

/// An API session for the org's admin from the username-password grant (which grants
/// no refresh token).
/// What the org lets the panel read, as the edge reads it: one Composite call.
async fn panel_schema(client: &Client<'_, ReqwestTransport>) -> OrgSchema {
    let answer = client.composite(&OrgSchema::request()).await.unwrap();
    OrgSchema::from_response(&answer).unwrap()
}

async fn password_session(sandbox: &Sandbox) -> Session {
    let request = sandbox
        .demo_oauth_app()
        .password_grant(demo::ADMIN_USERNAME, demo::ADMIN_PASSWORD);
    let response = ReqwestTransport::default().send(request).await.unwrap();
    Session::from_token(&OAuthApp::parse_token_response(&response).unwrap())
}

/// Tokens from the authorization-code flow with PKCE, as an admin connecting sfdesk gets
/// them: with a refresh token.
async fn connect(sandbox: &Sandbox, app: &OAuthApp) -> TokenResponse {
    let verifier = pkce::new_verifier();
    let authorize_url = app.authorize_url("test-state", &pkce::challenge_s256(&verifier));
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = browser.get(&authorize_url).send().await.unwrap();
    assert_eq!(page.status(), 200, "the login page renders");
    // The login form posts the authorize parameters back with the credentials.
    let mut form: Vec<(String, String)> = url::Url::parse(&authorize_url)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    form.extend([
        ("username".into(), demo::ADMIN_USERNAME.into()),
        ("password".into(), demo::ADMIN_PASSWORD.into()),
        ("action".into(), "allow".into()),
    ]);
    let consent = browser
        .post(format!(
            "{}/services/oauth2/authorize",
            sandbox.salesforce_url
        ))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(consent.status(), 302, "consent redirects to the callback");
    let location = url::Url::parse(consent.headers()["location"].to_str().unwrap()).unwrap();
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .expect("the callback carries a code")
        .1
        .into_owned();
    let response = ReqwestTransport::default()
        .send(app.code_exchange(&code, &verifier))
        .await
        .unwrap();
    let tokens = OAuthApp::parse_token_response(&response).unwrap();
    assert!(
        tokens.refresh_token.is_some(),
        "the code flow grants a refresh token"
    );
    tokens
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct IdRow {
    id: SfId,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct EmailRow {
    id: SfId,
    email: Option<String>,
}

fn bulk_contacts() -> Select {
    Select::new("Contact", &["Id", "Email"])
        .filter(Condition::like(
            "Email",
            LikePattern::ends_with("@bulk.example"),
        ))
        .order_by_field("Email", Order::Asc)
}

#[tokio::test]
async fn query_walks_every_page_of_thousands_of_records() {
    let sandbox = sandbox().await;
    let seeded = sandbox.salesforce().seed_bulk(BulkSeed {
        contacts: 4_500,
        accounts: 0,
    });
    assert_eq!(seeded.contacts, 4_500);
    let session = password_session(&sandbox).await;
    let transport = ReqwestTransport::default();
    let soql = bulk_contacts().build();

    // Default pages of 2,000: three calls for 4,500 records.
    let client = Client::new(&transport, &session);
    let before = sandbox.salesforce_api_usage();
    let rows: Vec<EmailRow> = client.query_all_pages(&soql, Scope::Live).await.unwrap();
    assert_eq!(rows.len(), 4_500);
    assert_eq!(
        sandbox.salesforce_api_usage() - before,
        3,
        "2,000 + 2,000 + 500"
    );
    assert_eq!(client.requests_sent(), 3);
    let ids: HashSet<&SfId> = rows.iter().map(|r| &r.id).collect();
    assert_eq!(ids.len(), 4_500, "no record twice");
    assert!(
        rows.iter()
            .all(|r| r.email.as_deref().unwrap().ends_with("@bulk.example"))
    );
    let usage = client.api_usage().expect("every answer reports the usage");
    assert_eq!(usage.used, sandbox.salesforce_api_usage());

    // The first page alone says how much there is and where to go on.
    let first: QueryResponse<EmailRow> = client.query(&soql).await.unwrap();
    assert_eq!((first.total_size, first.done), (4_500, false));
    assert_eq!(first.records.len(), 2_000);
    assert!(first.next_records_url.is_some());

    // Pages of 500, walked in two sittings: the cursor survives the client.
    let small = Client::new(&transport, &session).with_batch_size(500);
    let mut page: QueryResponse<EmailRow> = small.query_scoped(&soql, Scope::Live).await.unwrap();
    let mut seen = std::mem::take(&mut page.records);
    page = small
        .query_more(page.next_records_url.as_deref().unwrap())
        .await
        .unwrap();
    assert_eq!((seen.len(), page.records.len()), (500, 500));
    seen.append(&mut page.records);
    let cursor = page.next_records_url.unwrap();
    drop(small);
    let later = Client::new(&transport, &session).with_batch_size(500);
    let mut next = Some(cursor);
    let mut pages = 2;
    while let Some(url) = next {
        let mut page: QueryResponse<EmailRow> = later.query_more(&url).await.unwrap();
        pages += 1;
        seen.append(&mut page.records);
        next = page.next_records_url.filter(|_| !page.done);
    }
    assert_eq!(pages, 9);
    assert_eq!(
        seen.iter().map(|r| &r.id).collect::<Vec<_>>(),
        rows.iter().map(|r| &r.id).collect::<Vec<_>>(),
        "the same records in the same order"
    );
}

#[tokio::test]
async fn collections_create_in_batches_of_200_and_report_partial_failures() {
    let sandbox = sandbox().await;
    let session = password_session(&sandbox).await;
    let transport = ReqwestTransport::default();
    let client = Client::new(&transport, &session);

    let records: Vec<Value> = (0..450)
        .map(|n| json!({"LastName": format!("Batch {n:03}"), "Email": format!("batch{n}@collections.example")}))
        .collect();
    let before = sandbox.salesforce_api_usage();
    let saved = client
        .create_many("Contact", &records, false)
        .await
        .unwrap();
    assert_eq!(sandbox.salesforce_api_usage() - before, 3, "200 + 200 + 50");
    assert_eq!(saved.len(), 450);
    assert!(saved.iter().all(|r| r.success && r.id.is_some()));
    let soql = Select::new("Contact", &["Id"])
        .filter(Condition::like(
            "Email",
            LikePattern::ends_with("@collections.example"),
        ))
        .build();
    let found: Vec<IdRow> = client.query_all_pages(&soql, Scope::Live).await.unwrap();
    assert_eq!(found.len(), 450);

    // Without allOrNone, the good records are saved and the bad one says why.
    let mixed = [
        json!({"LastName": "Good One", "Email": "good1@partial.example"}),
        json!({"FirstName": "No Last Name", "Email": "bad@partial.example"}),
        json!({"LastName": "Good Two", "Email": "good2@partial.example"}),
    ];
    let results = client
        .create_collection("Contact", &mixed, false)
        .await
        .unwrap();
    assert_eq!(
        results.iter().map(|r| r.success).collect::<Vec<_>>(),
        [true, false, true]
    );
    assert_eq!(results[1].id, None, "a failed item has no id");
    let error = &results[1].errors[0];
    assert_eq!(error.status_code, "REQUIRED_FIELD_MISSING");
    assert_eq!(error.fields, ["LastName"]);
    let failure = results[1].clone().into_result().unwrap_err();
    assert_eq!(failure.code(), Some("REQUIRED_FIELD_MISSING"));
    let partial = Select::new("Contact", &["Id"])
        .filter(Condition::like(
            "Email",
            LikePattern::ends_with("@partial.example"),
        ))
        .build();
    let page: QueryResponse<IdRow> = client.query(&partial).await.unwrap();
    assert_eq!(page.total_size, 2);

    // With allOrNone, one failure rolls the others back.
    let atomic = [
        json!({"LastName": "Kept?", "Email": "kept@atomic.example"}),
        json!({"FirstName": "No Last Name", "Email": "bad@atomic.example"}),
    ];
    let results = client
        .create_collection("Contact", &atomic, true)
        .await
        .unwrap();
    assert!(results.iter().all(|r| !r.success));
    assert_eq!(results[1].errors[0].status_code, "REQUIRED_FIELD_MISSING");
    assert_eq!(
        results[0].errors[0].status_code, "ALL_OR_NONE_OPERATION_ROLLED_BACK",
        "{results:?}"
    );
    let atomic_soql = Select::new("Contact", &["Id"])
        .filter(Condition::like(
            "Email",
            LikePattern::ends_with("@atomic.example"),
        ))
        .build();
    let page: QueryResponse<IdRow> = client.query(&atomic_soql).await.unwrap();
    assert_eq!(page.total_size, 0, "nothing was kept");

    // Updates: one record changes, one that no longer exists fails on its own.
    let (kept, gone) = (saved[0].id.clone().unwrap(), saved[1].id.clone().unwrap());
    client.delete("Contact", &gone).await.unwrap();
    let updates = [
        json!({"Id": kept, "Title": "Updated in bulk"}),
        json!({"Id": gone, "Title": "Too late"}),
    ];
    let results = client
        .update_many("Contact", &updates, false)
        .await
        .unwrap();
    assert!(results[0].success);
    assert!(!results[1].success);
    assert_eq!(results[1].errors[0].status_code, "ENTITY_IS_DELETED");
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Titled {
        title: Option<String>,
    }
    let record: Titled = client.get("Contact", &kept, &["Title"]).await.unwrap();
    assert_eq!(record.title.as_deref(), Some("Updated in bulk"));
}

#[tokio::test]
async fn composite_resolves_references_in_one_call() {
    let sandbox = sandbox().await;
    let session = password_session(&sandbox).await;
    let transport = ReqwestTransport::default();
    let client = Client::new(&transport, &session);

    let request = CompositeRequest::new(true)
        .create("newAccount", "Account", json!({"Name": "Composite Works"}))
        .create(
            "newContact",
            "Contact",
            json!({"LastName": "Referenced", "Email": "ref@composite.example", "AccountId": reference("newAccount", "id")}),
        )
        .get(
            "readBack",
            "Contact",
            &reference("newContact", "id"),
            &["Id", "AccountId", "Name"],
        );
    let before = sandbox.salesforce_api_usage();
    let response = client.composite(&request).await.unwrap();
    assert_eq!(
        sandbox.salesforce_api_usage() - before,
        1,
        "three sub-requests, one API call"
    );
    let account = response.get("newAccount").unwrap();
    assert_eq!(account.http_status_code, 201);
    let account_id = account.created_id().unwrap();
    assert_eq!(account_id.key_prefix(), "001");
    let location = account
        .http_headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("Location"))
        .map(|(_, v)| v.as_str());
    assert_eq!(
        location,
        Some(format!("/services/data/v64.0/sobjects/Account/{account_id}").as_str())
    );
    let contact_id = response.get("newContact").unwrap().created_id().unwrap();
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Linked {
        id: SfId,
        account_id: Option<SfId>,
    }
    let read: Linked = response.get("readBack").unwrap().json().unwrap();
    assert_eq!(read.id, contact_id);
    assert_eq!(read.account_id, Some(account_id));

    // All or none: a failing sub-request rolls back the others.
    let failing = CompositeRequest::new(true)
        .create("okAccount", "Account", json!({"Name": "Rolled Back Inc"}))
        .create(
            "badContact",
            "Contact",
            json!({"FirstName": "No Last Name"}),
        );
    let response = client.composite(&failing).await.unwrap();
    let bad = response.get("badContact").unwrap().error().unwrap();
    assert_eq!(bad.code(), Some("REQUIRED_FIELD_MISSING"));
    let halted = response.get("okAccount").unwrap().error().unwrap();
    assert_eq!(halted.code(), Some("PROCESSING_HALTED"));
    let soql = Select::new("Account", &["Id"])
        .where_eq("Name", "Rolled Back Inc")
        .build();
    let page: QueryResponse<IdRow> = client.query(&soql).await.unwrap();
    assert_eq!(page.total_size, 0);
}

#[tokio::test]
async fn an_expired_session_is_renewed_once_and_handed_back() {
    let sandbox = sandbox().await;
    let app = sandbox.demo_oauth_app();
    let tokens = connect(&sandbox, &app).await;
    let stored = Session::from_token(&tokens);
    let transport = Counted::default();
    let email = Email::parse(MAYA).unwrap();

    let client =
        Client::new(&transport, &stored).with_refresh(&app, tokens.refresh_token.clone().unwrap());
    let page: QueryResponse<ContactRecord> = client.query(&contact_by_email(&email)).await.unwrap();
    assert_eq!(page.records.len(), 1);
    assert_eq!(client.take_refreshed(), None, "nothing to renew yet");

    sandbox.expire_salesforce_sessions();
    let sends = transport.sends.get();
    let page: QueryResponse<ContactRecord> = client.query(&contact_by_email(&email)).await.unwrap();
    assert_eq!(page.records[0].name, "Maya Patel");
    assert_eq!(
        transport.sends.get() - sends,
        3,
        "refused, renewed, sent again"
    );
    let refreshed = client
        .take_refreshed()
        .expect("the renewed session is handed back");
    assert_ne!(refreshed.session.access_token, stored.access_token);
    assert_eq!(refreshed.session.instance_url, sandbox.salesforce_url);
    assert_eq!(client.take_refreshed(), None);

    // The stored session is dead; the handed-back one works on its own.
    let old = Client::new(&transport, &stored);
    assert_eq!(
        old.query::<ContactRecord>(&contact_by_email(&email))
            .await
            .unwrap_err(),
        SfError::InvalidSession
    );
    let refreshed_token = refreshed.session.access_token.clone();
    let renewed = Client::new(&transport, refreshed.session);
    let page: QueryResponse<ContactRecord> =
        renewed.query(&contact_by_email(&email)).await.unwrap();
    assert_eq!(page.records.len(), 1);

    // Tokens that expire early (a fault of the org) are renewed the same way.
    sandbox.salesforce().set_faults(Faults {
        token_lifetime_secs: Some(60),
        ..Faults::default()
    });
    sandbox.advance_clock(Duration::from_secs(61));
    let short_lived = Client::new(&transport, renewed.session())
        .with_refresh(&app, tokens.refresh_token.clone().unwrap());
    let page: QueryResponse<ContactRecord> =
        short_lived.query(&contact_by_email(&email)).await.unwrap();
    assert_eq!(page.records.len(), 1);
    let again = short_lived
        .take_refreshed()
        .expect("renewed after early expiry");
    assert_ne!(again.session.access_token, refreshed_token);
}

#[tokio::test]
async fn a_revoked_refresh_token_asks_for_reconnecting() {
    let sandbox = sandbox().await;
    let app = sandbox.demo_oauth_app();
    let tokens = connect(&sandbox, &app).await;
    let refresh_token = tokens.refresh_token.clone().unwrap();
    let revoked = reqwest::Client::new()
        .post(format!("{}/services/oauth2/revoke", sandbox.salesforce_url))
        .form(&[("token", refresh_token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 200);
    sandbox.expire_salesforce_sessions();

    let transport = ReqwestTransport::default();
    let client = Client::new(&transport, &tokens).with_refresh(&app, refresh_token);
    let error = client
        .query::<ContactRecord>(&contact_by_email(&Email::parse(MAYA).unwrap()))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, SfError::RefreshRevoked { error, .. } if error == "invalid_grant"),
        "{error:?}"
    );
    assert!(error.needs_reconnect());
    assert!(error.to_string().contains("reconnect Salesforce"));
    assert_eq!(client.take_refreshed(), None);
}

#[tokio::test]
async fn injected_outages_and_concurrency_limits_are_retried() {
    let sandbox = sandbox().await;
    let session = password_session(&sandbox).await;
    let email = Email::parse(MAYA).unwrap();
    let soql = contact_by_email(&email);

    // Every call fails: a bounded number of sends, with growing waits between them.
    sandbox.salesforce().set_faults(Faults {
        unavailable_rate: 1.0,
        ..Faults::default()
    });
    let transport = Counted::default();
    let client = Client::new(&transport, &session).with_retry(quick_retries(4));
    let error = client.query::<ContactRecord>(&soql).await.unwrap_err();
    assert_eq!(error, SfError::Unavailable { status: 503 });
    assert_eq!(transport.sends.get(), 4);
    assert_eq!(
        *transport.sleeps.borrow(),
        [1, 2, 4].map(Duration::from_millis)
    );

    sandbox.salesforce().set_faults(Faults {
        limit_exceeded_rate: 1.0,
        ..Faults::default()
    });
    let transport = Counted::default();
    let client = Client::new(&transport, &session).with_retry(quick_retries(3));
    let error = client.query::<ContactRecord>(&soql).await.unwrap_err();
    assert_eq!(error.code(), Some("REQUEST_LIMIT_EXCEEDED"));
    assert!(matches!(error, SfError::Api { status: 403, .. }));
    assert_eq!(transport.sends.get(), 3);

    // A flaky org: every lookup still succeeds, some only after waiting.
    sandbox.salesforce().set_faults(Faults {
        unavailable_rate: 0.3,
        limit_exceeded_rate: 0.1,
        seed: 7,
        ..Faults::default()
    });
    let transport = Counted::default();
    let client = Client::new(&transport, &session).with_retry(quick_retries(10));
    for _ in 0..30 {
        let page: QueryResponse<ContactRecord> = client.query(&soql).await.unwrap();
        assert_eq!(page.records.len(), 1);
    }
    assert!(transport.sends.get() > 30, "some calls were retried");
    assert_eq!(
        transport.sleeps.borrow().len() as u32,
        transport.sends.get() - 30,
        "one wait before each retry"
    );

    // Without retries the same org fails some lookups.
    let transport = Counted::default();
    let client = Client::new(&transport, &session).with_retry(RetryPolicy::never());
    let mut failures = 0;
    for _ in 0..30 {
        if client.query::<ContactRecord>(&soql).await.is_err() {
            failures += 1;
        }
    }
    assert!(failures > 0);
    assert!(transport.sleeps.borrow().is_empty());
}

#[tokio::test]
async fn the_budget_holds_back_before_the_allowance_is_spent() {
    let sandbox = sandbox().await;
    let session = password_session(&sandbox).await;
    sandbox.salesforce().set_limits(Limits {
        daily_api_limit: 100,
        used: 0,
    });
    let transport = Counted::default();
    let client = Client::new(&transport, &session).with_budget(Budget::Percent(10));
    for _ in 0..10 {
        client.limits().await.unwrap();
    }
    let usage = client.api_usage().unwrap();
    assert_eq!((usage.used, usage.max), (10, 100));
    let error = client.limits().await.unwrap_err();
    assert_eq!(
        error,
        SfError::BudgetExhausted {
            used: 10,
            max: 100,
            ceiling: 10
        }
    );
    assert_eq!(transport.sends.get(), 10, "refused without calling");
    assert_eq!(sandbox.salesforce_api_usage(), 10);

    // A spent allowance: Salesforce refuses, and waiting seconds would not help.
    sandbox.salesforce().set_limits(Limits {
        daily_api_limit: 100,
        used: 100,
    });
    let transport = Counted::default();
    let client = Client::new(&transport, &session)
        .with_budget(Budget::Unlimited)
        .with_retry(quick_retries(5));
    let error = client.limits().await.unwrap_err();
    assert_eq!(error.code(), Some("REQUEST_LIMIT_EXCEEDED"));
    assert_eq!(transport.sends.get(), 1);
    assert!(client.api_usage().unwrap().is_spent());
}

#[tokio::test]
async fn injection_attempts_in_a_looked_up_email_find_nothing_and_fail_nothing() {
    let sandbox = sandbox().await;
    let session = password_session(&sandbox).await;
    let transport = ReqwestTransport::default();
    let client = Client::new(&transport, &session);
    let (schema, fields) = (panel_schema(&client).await, PanelFields::standard());
    let plan = QueryPlan::new(&schema, &fields, Items::ALL);

    // The honest lookup finds Maya, so an empty answer below means "no match".
    let maya = Email::parse(MAYA).unwrap();
    let page: QueryResponse<ContactRecord> = client.query(&contact_by_email(&maya)).await.unwrap();
    assert_eq!(page.records.len(), 1);

    let attacks = [
        "x'OR'Name'!='@evil.example",
        r"\'OR(Id!=null)OR'\'@evil.example",
        "'OR'1'='1@evil.example",
        "%'OR'Email'LIKE'%@evil.example",
        r"maya.patel@northwind.example\'OR'Id'!=null",
        "maya.patel@northwind.example')OR(Id!=null",
        "a\"b'c\\d@evil.example",
        "maya.patel@northwind.example'LIMIT'1",
    ];
    for attack in attacks {
        let email = Email::parse(attack).unwrap_or_else(|e| panic!("{attack}: {e}"));
        let page: QueryResponse<ContactRecord> = client
            .query(&contact_by_email(&email))
            .await
            .unwrap_or_else(|e| panic!("{attack}: {e}"));
        assert_eq!(page.total_size, 0, "{attack}");
        let page: QueryResponse<PanelContact> = client
            .query(&plan.panel_lookup(&email))
            .await
            .unwrap_or_else(|e| panic!("{attack}: {e}"));
        assert_eq!(page.total_size, 0, "{attack}");
    }

    // Values of every kind in IN lists and LIKE patterns stay values.
    let soql = Select::new("Contact", &["Id"])
        .where_in("Email", attacks)
        .build();
    let page: QueryResponse<IdRow> = client.query(&soql).await.unwrap();
    assert_eq!(page.total_size, 0);
    let soql = Select::new("Contact", &["Id"])
        .filter(Condition::like("Email", LikePattern::contains("%")))
        .build();
    let page: QueryResponse<IdRow> = client.query(&soql).await.unwrap();
    assert_eq!(page.total_size, 0, "a % in the value matches only a %");
}

#[tokio::test]
async fn the_panel_lookup_reads_contact_and_children_in_one_call() {
    let sandbox = sandbox().await;
    let session = password_session(&sandbox).await;
    let transport = ReqwestTransport::default();
    let client = Client::new(&transport, &session);
    let email = Email::parse(MAYA).unwrap();
    let (schema, fields) = (panel_schema(&client).await, PanelFields::standard());
    let plan = QueryPlan::new(&schema, &fields, Items::ALL);

    let before = sandbox.salesforce_api_usage();
    let page: QueryResponse<PanelContact> = client.query(&plan.panel_lookup(&email)).await.unwrap();
    assert_eq!(sandbox.salesforce_api_usage() - before, 1);
    let maya = &page.records[0];
    assert_eq!(maya.fields.name, "Maya Patel");
    assert_eq!(
        maya.fields.account.as_ref().and_then(|a| a.name.as_deref()),
        Some("Northwind Traders")
    );
    assert!(
        maya.fields
            .owner
            .as_ref()
            .and_then(|o| o.name.as_ref())
            .is_some()
    );

    // Each child list is what a query of its own finds.
    let children = |object: &'static str, parent: &'static str| {
        Select::new(object, &["Id"])
            .where_eq(parent, &maya.fields.id)
            .build()
    };
    let ids = |rows: Vec<IdRow>| rows.into_iter().map(|r| r.id).collect::<HashSet<_>>();
    let expected: Vec<IdRow> = client
        .query_all_pages(&children("Opportunity", "ContactId"), Scope::Live)
        .await
        .unwrap();
    assert!(!expected.is_empty());
    assert_eq!(
        maya.sections
            .opportunities
            .records
            .iter()
            .map(|o| o.id.clone())
            .collect::<HashSet<_>>(),
        ids(expected)
    );
    let expected: Vec<IdRow> = client
        .query_all_pages(&children("Note", "ParentId"), Scope::Live)
        .await
        .unwrap();
    assert!(!expected.is_empty());
    assert_eq!(
        maya.sections
            .notes
            .records
            .iter()
            .map(|n| n.id.clone())
            .collect::<HashSet<_>>(),
        ids(expected)
    );
    let expected: Vec<IdRow> = client
        .query_all_pages(&children("Task", "WhoId"), Scope::Live)
        .await
        .unwrap();
    assert_eq!(
        maya.sections
            .tasks
            .records
            .iter()
            .map(|t| t.id.clone())
            .collect::<HashSet<_>>(),
        ids(expected)
    );
    let expected: Vec<IdRow> = client
        .query_all_pages(&children("Event", "WhoId"), Scope::Live)
        .await
        .unwrap();
    assert_eq!(
        maya.sections
            .events
            .records
            .iter()
            .map(|e| e.id.clone())
            .collect::<HashSet<_>>(),
        ids(expected)
    );
    let dates: Vec<_> = maya
        .sections
        .opportunities
        .records
        .iter()
        .map(|o| o.close_date)
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted, "newest close date first");
    assert!(
        maya.sections
            .notes
            .records
            .iter()
            .all(|n| n.title.as_deref().is_some_and(|t| !t.is_empty()))
    );
}

#[tokio::test]
async fn records_by_id_describe_and_limits() {
    let sandbox = sandbox().await;
    let session = password_session(&sandbox).await;
    let transport = ReqwestTransport::default();
    let client = Client::new(&transport, &session);

    let id = client
        .create(
            "Contact",
            &json!({"FirstName": "Noah", "LastName": "Fischer", "Email": "noah@fischer.example"}),
        )
        .await
        .unwrap();
    assert_eq!(id.key_prefix(), "003");
    client
        .update("Contact", &id, &json!({"Title": "Designer"}))
        .await
        .unwrap();
    let record: Value = client
        .get("Contact", &id, &["Name", "Title"])
        .await
        .unwrap();
    assert_eq!(record["Name"], "Noah Fischer");
    assert_eq!(record["Title"], "Designer");

    let error = client
        .create("Contact", &json!({"FirstName": "No Last Name"}))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, SfError::Api { status: 400, code, fields, .. }
            if code == "REQUIRED_FIELD_MISSING" && fields == &["LastName"]),
        "{error:?}"
    );

    client.delete("Contact", &id).await.unwrap();
    let error = client.delete("Contact", &id).await.unwrap_err();
    assert!(
        matches!(&error, SfError::Api { status: 404, code, .. } if code == "ENTITY_IS_DELETED"),
        "{error:?}"
    );
    let error = client
        .get::<Value>("Widget__c", &id, &[])
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("NOT_FOUND"));

    let contact = client.describe("Contact").await.unwrap();
    assert_eq!(contact.key_prefix.as_deref(), Some("003"));
    let subscription = contact.field("Subscription_Type__c").unwrap();
    assert!(subscription.custom);
    assert_eq!(subscription.field_type, FieldType::Picklist);
    assert!(subscription.active_values().any(|v| v == "Enterprise"));
    let account = contact.field("AccountId").unwrap();
    assert_eq!(account.field_type, FieldType::Reference);
    assert_eq!(account.reference_to, ["Account"]);
    let last_name = contact.field("LastName").unwrap();
    assert!(last_name.required_on_create());
    assert!(last_name.length > 0);
    assert!(!contact.field("Name").unwrap().updateable);

    let limits = client.limits().await.unwrap();
    let daily = limits.daily_api_requests().unwrap();
    assert_eq!(daily.max, 100_000);
    assert!(daily.remaining < daily.max);
}

#[tokio::test]
async fn replication_lists_changes_and_query_all_sees_the_recycle_bin() {
    let sandbox = sandbox().await;
    let session = password_session(&sandbox).await;
    let transport = ReqwestTransport::default();
    let client = Client::new(&transport, &session);

    let created = client
        .create(
            "Contact",
            &json!({"LastName": "Replicated", "Email": "r@replication.example"}),
        )
        .await
        .unwrap();
    let doomed = client
        .create(
            "Contact",
            &json!({"LastName": "Doomed", "Email": "d@replication.example"}),
        )
        .await
        .unwrap();
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Stamped {
        system_modstamp: SfDateTime,
    }
    let stamped: Stamped = client
        .get("Contact", &created, &["SystemModstamp"])
        .await
        .unwrap();
    client.delete("Contact", &doomed).await.unwrap();

    // A window around the org's own clock, closed: Salesforce covers whole minutes up to
    // now, and the current minute only once it is over.
    sandbox.advance_clock(Duration::from_secs(180));
    let at = stamped.system_modstamp.unix_millis();
    let start = SfDateTime::from_unix_millis(at - 3_600_000);
    let end = SfDateTime::from_unix_millis(at + 120_000);
    let updated = client.updated("Contact", start, end).await.unwrap();
    assert!(updated.ids.contains(&created), "{updated:?}");
    let deleted = client.deleted("Contact", start, end).await.unwrap();
    assert!(
        deleted.deleted_records.iter().any(|d| d.id == doomed),
        "{deleted:?}"
    );

    let soql = Select::new("Contact", &["Id"])
        .filter(Condition::eq("Id", &doomed))
        .build();
    let live: QueryResponse<IdRow> = client.query(&soql).await.unwrap();
    assert_eq!(live.total_size, 0);
    let all: QueryResponse<IdRow> = client.query_include_deleted(&soql).await.unwrap();
    assert_eq!(all.records.len(), 1);
    assert_eq!(all.records[0].id, doomed);
}
