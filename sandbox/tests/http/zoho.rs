//! The helpdesk as the real Zoho Desk: OAuth like accounts.zoho.com in two organisations,
//! identity, credits and concurrency, the Import API and `updateMany`, webhooks as Zoho
//! signs them, and an extension's lifecycle callbacks and request proxy.

use crate::helpers::*;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::routing::any;
use hmac::{Hmac, Mac};
use sandbox::helpdesk::credits::{CreditPlan, Edition};
use sandbox::{Config, Sandbox, demo};
use serde_json::{Value, json};
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

// ---------------------------------------------------------------------------------------
// A server that records what it is sent

/// One request a [`Recorder`] received.
#[derive(Debug, Clone)]
struct Seen {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

#[derive(Clone)]
struct Recording {
    seen: Arc<Mutex<Vec<Seen>>>,
    /// The status it answers, with `{"ok": true}`.
    status: Arc<Mutex<u16>>,
}

/// A receiver for callbacks, notifications and proxied requests.
struct Recorder {
    url: String,
    recording: Recording,
}

impl Recorder {
    async fn start() -> Recorder {
        async fn record(
            State(recording): State<Recording>,
            method: Method,
            uri: Uri,
            headers: HeaderMap,
            body: Bytes,
        ) -> (StatusCode, axum::Json<Value>) {
            recording.seen.lock().unwrap().push(Seen {
                method,
                uri,
                headers,
                body,
            });
            let status = *recording.status.lock().unwrap();
            (
                StatusCode::from_u16(status).unwrap(),
                axum::Json(json!({"ok": status == 200})),
            )
        }
        let recording = Recording {
            seen: Arc::default(),
            status: Arc::new(Mutex::new(200)),
        };
        let app = Router::new()
            .fallback(any(record))
            .with_state(recording.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Recorder { url, recording }
    }

    fn answer(&self, status: u16) {
        *self.recording.status.lock().unwrap() = status;
    }

    fn seen(&self) -> Vec<Seen> {
        self.recording.seen.lock().unwrap().clone()
    }

    async fn wait_for(&self, n: usize) -> Vec<Seen> {
        for _ in 0..200 {
            let seen = self.seen();
            if seen.len() >= n {
                return seen;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("expected {n} requests, got {:?}", self.seen());
    }
}

// ---------------------------------------------------------------------------------------
// OAuth

const REDIRECT: &str = "https://app.example/helpdesk/oauth/callback";

async fn with_redirect() -> Sandbox {
    spawn_with(Config {
        helpdesk_extra_redirect_uris: vec![REDIRECT.into()],
        ..Config::ephemeral()
    })
    .await
}

fn auth_url(sandbox: &Sandbox, scope: &str) -> String {
    let mut url = url::Url::parse(&format!("{}/oauth/v2/auth", sandbox.helpdesk_url)).unwrap();
    url.query_pairs_mut()
        .append_pair("client_id", demo::HELPDESK_CLIENT_ID)
        .append_pair("response_type", "code")
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("scope", scope)
        .append_pair("access_type", "offline")
        .append_pair("prompt", "consent")
        .append_pair("state", "st-1");
    url.to_string()
}

/// An agent's consent, as a browser submits it: the redirect back.
async fn consent(
    sandbox: &Sandbox,
    scope: &str,
    email: &str,
    password: &str,
    action: &str,
) -> reqwest::Response {
    let page = client().get(auth_url(sandbox, scope)).send().await.unwrap();
    assert_eq!(page.status(), 200, "the consent page renders");
    let html = page.text().await.unwrap();
    assert!(html.contains("Desk.contacts.ALL") || !scope.contains("Desk.contacts.ALL"));
    let mut form = hidden_inputs(&html);
    form.insert("email".into(), email.into());
    form.insert("password".into(), password.into());
    form.insert("action".into(), action.into());
    client()
        .post(format!("{}/oauth/v2/auth", sandbox.helpdesk_url))
        .form(&form)
        .send()
        .await
        .unwrap()
}

async fn token_call(sandbox: &Sandbox, form: &[(&str, &str)]) -> Value {
    let response = client()
        .post(format!("{}/oauth/v2/token", sandbox.helpdesk_url))
        .form(form)
        .send()
        .await
        .unwrap();
    // Zoho answers token errors with 200 too.
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// The code, then the tokens, of an agent's consent to `scope`.
async fn grant(sandbox: &Sandbox, email: &str, scope: &str) -> Value {
    let redirect = consent(
        sandbox,
        scope,
        email,
        demo::HELPDESK_AGENT_PASSWORD,
        "accept",
    )
    .await;
    let (base, query) = redirect_query(&redirect);
    assert_eq!(base, REDIRECT);
    assert_eq!(query["state"], "st-1");
    assert_eq!(query["location"], "us");
    assert_eq!(query["accounts-server"], sandbox.helpdesk_url);
    token_call(
        sandbox,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", demo::HELPDESK_CLIENT_ID),
            ("client_secret", demo::HELPDESK_CLIENT_SECRET),
            ("redirect_uri", REDIRECT),
            ("code", &query["code"]),
        ],
    )
    .await
}

async fn refresh(sandbox: &Sandbox, refresh_token: &str) -> Value {
    token_call(
        sandbox,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", demo::HELPDESK_CLIENT_ID),
            ("client_secret", demo::HELPDESK_CLIENT_SECRET),
            ("refresh_token", refresh_token),
        ],
    )
    .await
}

/// A helpdesk API call with `token` in `org`.
fn api(
    sandbox: &Sandbox,
    method: Method,
    path: &str,
    token: &str,
    org: &str,
) -> reqwest::RequestBuilder {
    client()
        .request(method, format!("{}/api/v1{path}", sandbox.helpdesk_url))
        .header("Authorization", format!("Zoho-oauthtoken {token}"))
        .header("orgId", org)
}

fn admin_email(sandbox: &Sandbox, org: &str) -> String {
    sandbox.helpdesk().desk_of(org).unwrap().agents[0]
        .email_id
        .clone()
}

const SCOPES: &str = demo::HELPDESK_SCOPES;

#[tokio::test]
async fn each_organisations_admin_grants_access_to_their_own_desk() {
    let sandbox = with_redirect().await;
    for org in [demo::HELPDESK_ORG_ID, demo::SECOND_HELPDESK_ORG_ID] {
        let email = admin_email(&sandbox, org);
        let tokens = grant(&sandbox, &email, SCOPES).await;
        let access = tokens["access_token"].as_str().unwrap();
        assert!(access.starts_with("1000."), "{tokens}");
        assert!(
            tokens["refresh_token"]
                .as_str()
                .unwrap()
                .starts_with("1000.")
        );
        assert_eq!(tokens["api_domain"], sandbox.helpdesk_url);
        assert_eq!(tokens["token_type"], "Bearer");
        assert_eq!(tokens["expires_in"], 3600);
        assert!(
            tokens["scope"]
                .as_str()
                .unwrap()
                .contains("Desk.contacts.ALL")
        );
        let me = ok(api(&sandbox, Method::GET, "/myinfo", access, org)).await;
        assert_eq!(me["emailId"], email.as_str());
        let orgs = ok(client()
            .get(format!("{}/api/v1/organizations", sandbox.helpdesk_url))
            .header("Authorization", format!("Zoho-oauthtoken {access}")))
        .await;
        assert_eq!(orgs["data"][0]["id"], org);
    }
    // The two desks hold different people.
    let first = sandbox.helpdesk().desk().contacts.len();
    let second = sandbox
        .helpdesk()
        .desk_of(demo::SECOND_HELPDESK_ORG_ID)
        .unwrap()
        .contacts
        .len();
    assert!(first > 0 && second > 0 && first != second);
}

#[tokio::test]
async fn codes_work_once_and_bad_sign_ins_or_refusals_get_no_code() {
    let sandbox = with_redirect().await;
    let email = admin_email(&sandbox, demo::HELPDESK_ORG_ID);
    let wrong = consent(&sandbox, SCOPES, &email, "not-the-password", "accept").await;
    assert_eq!(wrong.status(), 401);
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("Invalid email address or password")
    );

    let rejected = consent(
        &sandbox,
        SCOPES,
        &email,
        demo::HELPDESK_AGENT_PASSWORD,
        "reject",
    )
    .await;
    let (_, query) = redirect_query(&rejected);
    assert_eq!(query["error"], "access_denied");
    assert!(!query.contains_key("code"));

    let redirect = consent(
        &sandbox,
        SCOPES,
        &email,
        demo::HELPDESK_AGENT_PASSWORD,
        "accept",
    )
    .await;
    let (_, query) = redirect_query(&redirect);
    let exchange = [
        ("grant_type", "authorization_code"),
        ("client_id", demo::HELPDESK_CLIENT_ID),
        ("client_secret", demo::HELPDESK_CLIENT_SECRET),
        ("redirect_uri", REDIRECT),
        ("code", query["code"].as_str()),
    ];
    let mut bad_secret = exchange;
    bad_secret[2].1 = "wrong";
    assert_eq!(
        token_call(&sandbox, &bad_secret).await,
        json!({"error": "invalid_client"})
    );
    assert!(token_call(&sandbox, &exchange).await["access_token"].is_string());
    assert_eq!(
        token_call(&sandbox, &exchange).await,
        json!({"error": "invalid_code"}),
        "a code works once"
    );

    // The edge's own callback is registered; an unregistered redirect URI gets Zoho's
    // error page, never a redirect.
    let edge_callback = auth_url(&sandbox, SCOPES).replace(
        &url::form_urlencoded::byte_serialize(REDIRECT.as_bytes()).collect::<String>(),
        &url::form_urlencoded::byte_serialize(sandbox.helpdesk_oauth_redirect_uri().as_bytes())
            .collect::<String>(),
    );
    assert_eq!(
        client().get(edge_callback).send().await.unwrap().status(),
        200
    );
    let page = client()
        .get(auth_url(&sandbox, SCOPES).replace("app.example", "evil.example"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 400);
}

#[tokio::test]
async fn access_tokens_expire_after_an_hour_and_refresh_tokens_renew_them() {
    let sandbox = with_redirect().await;
    let org = demo::HELPDESK_ORG_ID;
    let tokens = grant(&sandbox, &admin_email(&sandbox, org), SCOPES).await;
    let access = tokens["access_token"].as_str().unwrap();
    ok(api(&sandbox, Method::GET, "/contacts", access, org)).await;

    sandbox.advance_clock(Duration::from_secs(3_601));
    let (status, code, _) = error(api(&sandbox, Method::GET, "/contacts", access, org)).await;
    assert_eq!((status, code.as_str()), (401, "INVALID_OAUTH"));

    let renewed = refresh(&sandbox, tokens["refresh_token"].as_str().unwrap()).await;
    assert!(renewed.get("refresh_token").is_none(), "{renewed}");
    assert_eq!(renewed["expires_in"], 3600);
    let access = renewed["access_token"].as_str().unwrap();
    ok(api(&sandbox, Method::GET, "/contacts", access, org)).await;

    // Tests can end every access token at once; the static demo token never expires.
    sandbox.expire_helpdesk_tokens();
    let (status, code, _) = error(api(&sandbox, Method::GET, "/contacts", access, org)).await;
    assert_eq!((status, code.as_str()), (401, "INVALID_OAUTH"));
    ok(Desk::of(&sandbox).get("/contacts")).await;
}

#[tokio::test]
async fn a_revoked_refresh_token_gets_invalid_code_and_ends_its_access_tokens() {
    let sandbox = with_redirect().await;
    let org = demo::HELPDESK_ORG_ID;
    let tokens = grant(&sandbox, &admin_email(&sandbox, org), SCOPES).await;
    let refresh_token = tokens["refresh_token"].as_str().unwrap();
    let revoke = |token: String| {
        client()
            .post(format!("{}/oauth/v2/token/revoke", sandbox.helpdesk_url))
            .query(&[("token", token)])
            .send()
    };
    let answer = revoke(refresh_token.to_owned()).await.unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(
        answer.json::<Value>().await.unwrap(),
        json!({"status": "success"})
    );
    assert_eq!(
        refresh(&sandbox, refresh_token).await,
        json!({"error": "invalid_code"})
    );
    let access = tokens["access_token"].as_str().unwrap();
    let (status, code, _) = error(api(&sandbox, Method::GET, "/contacts", access, org)).await;
    assert_eq!((status, code.as_str()), (401, "INVALID_OAUTH"));
    assert_eq!(revoke("1000.nothing".into()).await.unwrap().status(), 400);

    // An admin removing the app's access revokes the organisation's grants.
    let again = grant(&sandbox, &admin_email(&sandbox, org), SCOPES).await;
    let (status, _) = send(
        Desk::of(&sandbox)
            .control(Method::POST, "/oauth/revoke")
            .json(&json!({"orgId": org})),
    )
    .await;
    assert_eq!(status, 204);
    let refreshed = refresh(&sandbox, again["refresh_token"].as_str().unwrap()).await;
    assert_eq!(refreshed["error"], "invalid_code");
}

#[tokio::test]
async fn a_token_is_refused_in_another_organisation_and_sees_only_its_own() {
    let sandbox = with_redirect().await;
    let (first, second) = (demo::HELPDESK_ORG_ID, demo::SECOND_HELPDESK_ORG_ID);
    let tokens = grant(&sandbox, &admin_email(&sandbox, second), SCOPES).await;
    let access = tokens["access_token"].as_str().unwrap();
    let (status, code, _) = error(api(&sandbox, Method::GET, "/contacts", access, first)).await;
    assert_eq!((status, code.as_str()), (401, "OAUTH_ORG_MISMATCH"));
    let demo_token = demo::HELPDESK_API_TOKEN;
    let (status, code, _) =
        error(api(&sandbox, Method::GET, "/contacts", demo_token, second)).await;
    assert_eq!((status, code.as_str()), (401, "OAUTH_ORG_MISMATCH"));

    let theirs = ok(api(
        &sandbox,
        Method::GET,
        "/contacts?limit=100",
        access,
        second,
    ))
    .await;
    let ids: Vec<&str> = theirs["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    {
        let desk = sandbox.helpdesk().desk_of(second).unwrap();
        assert_eq!(ids.len(), desk.contacts.len());
        assert!(ids.iter().all(|id| desk.contacts.contains_key(*id)));
    }
    // A record of the other organisation is not found here.
    let foreign = sandbox
        .helpdesk()
        .desk()
        .contacts
        .keys()
        .next()
        .unwrap()
        .clone();
    let (status, code, _) = error(api(
        &sandbox,
        Method::GET,
        &format!("/contacts/{foreign}"),
        access,
        second,
    ))
    .await;
    assert_eq!((status, code.as_str()), (404, "URL_NOT_FOUND"));
}

#[tokio::test]
async fn a_token_does_what_its_scopes_allow() {
    let sandbox = with_redirect().await;
    let org = demo::HELPDESK_ORG_ID;
    let tokens = grant(
        &sandbox,
        &admin_email(&sandbox, org),
        "Desk.contacts.READ,Desk.basic.READ",
    )
    .await;
    let access = tokens["access_token"].as_str().unwrap();
    let contacts = ok(api(&sandbox, Method::GET, "/contacts", access, org)).await;
    let id = contacts["data"][0]["id"].as_str().unwrap();
    ok(api(&sandbox, Method::GET, "/myinfo", access, org)).await;
    let (status, code, _) = error(
        api(
            &sandbox,
            Method::PATCH,
            &format!("/contacts/{id}"),
            access,
            org,
        )
        .json(&json!({"title": "CTO"})),
    )
    .await;
    assert_eq!((status, code.as_str()), (401, "SCOPE_MISMATCH"));
}

// ---------------------------------------------------------------------------------------
// Identity

#[tokio::test]
async fn myinfo_agents_profiles_and_roles_answer_zohos_shapes() {
    let sandbox = with_redirect().await;
    let org = demo::HELPDESK_ORG_ID;
    let desk = Desk::of(&sandbox);
    let agent = sandbox.helpdesk().desk().agents[1].clone();
    let tokens = grant(&sandbox, &agent.email_id, SCOPES).await;
    let me = ok(api(
        &sandbox,
        Method::GET,
        "/myinfo",
        tokens["access_token"].as_str().unwrap(),
        org,
    ))
    .await;
    assert_eq!(
        me["id"],
        agent.id.as_str(),
        "myinfo is the agent who consented"
    );
    for key in [
        "id",
        "firstName",
        "lastName",
        "name",
        "emailId",
        "profileId",
        "roleId",
        "status",
        "isConfirmed",
        "langCode",
        "timeZone",
    ] {
        assert!(me.get(key).is_some(), "myinfo has {key}: {me}");
    }
    let one = ok(desk.get(&format!("/agents/{}", agent.id))).await;
    assert_eq!(one["profileId"], agent.profile_id.as_str());
    assert_eq!(one["roleId"], agent.role_id.as_str());
    let profile = ok(desk.get(&format!("/profiles/{}", agent.profile_id))).await;
    assert_eq!(profile["id"], agent.profile_id.as_str());
    assert_eq!(profile["type"], "Agent");
    let role = ok(desk.get(&format!("/roles/{}", agent.role_id))).await;
    for key in [
        "id",
        "name",
        "shareDataWithPeers",
        "reportsTo",
        "immediateSubRoles",
        "isDefault",
        "isVisible",
    ] {
        assert!(role.get(key).is_some(), "a role has {key}: {role}");
    }
    let top = ok(desk.get(&format!("/roles/{}", role["reportsTo"].as_str().unwrap()))).await;
    assert!(
        top["immediateSubRoles"]
            .as_array()
            .unwrap()
            .contains(&role["id"])
    );
    assert_eq!(send(desk.get("/roles/42")).await.0, 404);
}

// ---------------------------------------------------------------------------------------
// Credits and concurrency

#[tokio::test]
async fn a_spent_day_gets_threshold_exceeded_and_credits_are_counted_per_organisation() {
    let sandbox = spawn().await;
    let desk = Desk::of(&sandbox);
    let org = demo::HELPDESK_ORG_ID;
    ok(desk.get("/contacts")).await;
    let spent = ok(desk.control(Method::GET, "/credits")).await;
    // Every organisation has its edition's plan from the start.
    assert_eq!(
        spent["orgs"][org]["plan"]["edition"], "professional",
        "{spent}"
    );
    assert_eq!(spent["orgs"][org]["spent"], 3, "a list costs 3: {spent}");

    sandbox.set_helpdesk_credit_plan(Some(CreditPlan {
        edition: Edition::Free,
        agents: 0,
    }));
    // The organisation's other integrations spent nearly everything.
    ok(desk
        .control(Method::POST, "/credits/spend")
        .json(&json!({"orgId": org, "credits": 4_992})))
    .await;
    let response = desk.get("/contacts").send().await.unwrap();
    assert_eq!(response.headers()["x-rate-limit-request-weight-v3"], "3");
    assert_eq!(response.headers()["x-rate-limit-remaining-v3"], "2");
    let refused = desk.get("/contacts").send().await.unwrap();
    assert_eq!(refused.status(), 429);
    let retry: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=86_400).contains(&retry));
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["errorCode"], "THRESHOLD_EXCEEDED");
    // Single records still fit (1 credit each), to the last credit; then nothing does.
    let id = sandbox
        .helpdesk()
        .desk()
        .contacts
        .keys()
        .next()
        .unwrap()
        .clone();
    ok(desk.get(&format!("/contacts/{id}"))).await;
    let last = desk.get(&format!("/contacts/{id}")).send().await.unwrap();
    assert_eq!(last.headers()["x-rate-limit-remaining-v3"], "0");
    let (status, code, _) = error(desk.get(&format!("/contacts/{id}"))).await;
    assert_eq!((status, code.as_str()), (429, "THRESHOLD_EXCEEDED"));

    // The other organisation has its own day; the next day brings credits back.
    let report = sandbox.helpdesk_credits();
    assert_eq!(report.orgs[org].threshold_refusals, 2);
    assert_eq!(report.orgs[org].daily_credits, Some(5_000));
    sandbox.advance_clock(Duration::from_secs(86_400));
    ok(desk.get("/contacts")).await;
}

#[tokio::test]
async fn calls_past_the_editions_concurrency_get_too_many_requests() {
    let sandbox = spawn().await;
    sandbox.set_helpdesk_credit_plan(Some(CreditPlan {
        edition: Edition::Free,
        agents: 0,
    }));
    sandbox
        .inject_helpdesk_fault(
            sandbox::helpdesk::traffic::Fault::latency(Duration::from_millis(600))
                .times(8)
                .on_path("/api/v1/contacts"),
        )
        .unwrap();
    let calls: Vec<_> = (0..8)
        .map(|_| tokio::spawn(send(Desk::of(&sandbox).get("/contacts"))))
        .collect();
    let mut codes = Vec::new();
    for call in calls {
        let (status, body) = call.await.unwrap();
        codes.push((
            status,
            body["errorCode"].as_str().unwrap_or_default().to_owned(),
        ));
    }
    let refused = codes.iter().filter(|(s, _)| *s == 429).count();
    assert!(refused >= 3, "5 at once on Free: {codes:?}");
    assert!(
        codes
            .iter()
            .all(|(s, c)| *s == 200 || c == "TOO_MANY_REQUESTS"),
        "{codes:?}"
    );
    let report = sandbox.helpdesk_credits();
    assert_eq!(
        report.orgs[demo::HELPDESK_ORG_ID].concurrency_refusals,
        refused as u64
    );
    assert_eq!(report.orgs[demo::HELPDESK_ORG_ID].in_flight, 0);
}

// ---------------------------------------------------------------------------------------
// Bulk

#[tokio::test]
async fn update_many_sets_one_value_on_many_records() {
    let sandbox = spawn().await;
    let desk = Desk::of(&sandbox);
    let ids: Vec<String> = sandbox
        .helpdesk()
        .desk()
        .contacts
        .keys()
        .take(3)
        .cloned()
        .collect();
    let response = desk
        .post(
            "/contacts/updateMany",
            &json!({"ids": [ids[0], ids[1], ids[2], "1"], "fieldName": "title", "fieldValue": "CTO", "isCustomField": false}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["x-rate-limit-request-weight-v3"],
        "2",
        "a credit per 2 records"
    );
    let body: Value = response.json().await.unwrap();
    let results = body["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    assert!(
        results[..3]
            .iter()
            .all(|r| r["success"] == true && r["errors"].is_null())
    );
    assert_eq!(results[3]["success"], false);
    assert_eq!(results[3]["errors"]["httpCode"], "404");
    for id in &ids[..3] {
        assert_eq!(
            ok(desk.get(&format!("/contacts/{id}"))).await["title"],
            "CTO"
        );
    }
    ok(desk.post(
        "/contacts/updateMany",
        &json!({"ids": [ids[0]], "fieldName": "cf_seats", "fieldValue": "12", "isCustomField": true}),
    ))
    .await;
    assert_eq!(
        ok(desk.get(&format!("/contacts/{}", ids[0]))).await["cf"]["cf_seats"],
        "12"
    );
    let (status, code, fields) = error(desk.post(
        "/contacts/updateMany",
        &json!({"ids": [ids[0]], "fieldName": "shoeSize", "fieldValue": "9"}),
    ))
    .await;
    assert_eq!(
        (status, code.as_str(), fields),
        (422, "INVALID_DATA", vec!["/shoeSize".to_owned()])
    );
    let too_many: Vec<String> = (0..51).map(|i| i.to_string()).collect();
    let (status, _, fields) = error(desk.post(
        "/contacts/updateMany",
        &json!({"ids": too_many, "fieldName": "title", "fieldValue": "x"}),
    ))
    .await;
    assert_eq!((status, fields), (422, vec!["/ids".to_owned()]));
}

const SCOPE: &str = "7d69f2c6-1d6d-4a75-99d1-fafc4e4177a7";

#[tokio::test]
async fn an_import_runs_in_the_background_maps_external_ids_and_reports_failed_rows() {
    let sandbox = spawn().await;
    let desk = Desk::of(&sandbox);
    let notify = Recorder::start().await;
    let request = json!({
        "scopeId": SCOPE,
        "notifyUrl": format!("{}/imported", notify.url),
        "data": {
            "accounts": [
                {"accountExtId": "001A000001", "accountName": "Imported Traders", "website": "https://imported.example", "customFields": {"cf_region": "EMEA"}},
                {"accountExtId": "001A000002", "website": "https://nameless.example"},
            ],
            "contacts": [
                {"contactExtId": "003A000001", "lastName": "Ibsen", "email": "ibsen@imported.example", "accountExtId": "001A000001"},
                {"contactExtId": "003A000002", "lastName": "Orphan", "accountExtId": "001A000002"},
                {"contactExtId": "003A000003", "lastName": "Okoro", "email": "not-an-address"},
            ],
        },
    });
    let response = desk.post("/imports", &request).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-rate-limit-request-weight-v3"], "3");
    let queued: Value = response.json().await.unwrap();
    assert_eq!(queued["status"], "queued");
    assert_eq!(queued["scopeId"], SCOPE);
    let id = queued["id"].as_str().unwrap();

    let notified = notify.wait_for(1).await;
    assert_eq!(notified[0].method, Method::POST);
    let done = notified[0].json();
    assert_eq!(done["id"], id);
    assert_eq!(done["status"], "completed");
    assert_eq!(ok(desk.get(&format!("/imports/{id}"))).await, done);
    assert_eq!(done["hasError"], true);
    let report_url = done["errorReportUrl"].as_str().unwrap();
    assert_eq!(
        report_url,
        format!("{}/api/v1/importErrorLog/{id}", sandbox.helpdesk_url)
    );

    let report = ok(desk.get(&format!("/importErrorLog/{id}"))).await;
    let failed: Vec<(String, String)> = report["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["externalId"].as_str().unwrap().to_owned(),
                row["errors"][0]["fieldName"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        failed,
        [
            ("001A000002".to_owned(), "/accountName".to_owned()),
            ("003A000002".to_owned(), "/accountExtId".to_owned()),
            ("003A000003".to_owned(), "/email".to_owned()),
        ]
    );

    let mapped = ok(desk.post(
        "/importMappings",
        &json!({"scopeId": SCOPE, "module": "contacts", "externalIds": ["003A000001", "003A000002"]}),
    ))
    .await;
    let data = mapped["data"].as_array().unwrap();
    assert_eq!(data.len(), 1);
    let contact = ok(desk.get(&format!(
        "/contacts/{}",
        data[0]["entityId"].as_str().unwrap()
    )))
    .await;
    assert_eq!(contact["lastName"], "Ibsen");
    let account = ok(desk.get(&format!(
        "/accounts/{}",
        contact["accountId"].as_str().unwrap()
    )))
    .await;
    assert_eq!(account["accountName"], "Imported Traders");
    assert_eq!(account["cf"]["cf_region"], "EMEA");

    // The same external id again in the scope is a failed row, not a second record.
    let again = ok(desk.post(
        "/imports",
        &json!({"scopeId": SCOPE, "data": {"contacts": [{"contactExtId": "003A000001", "lastName": "Twice"}]}}),
    ))
    .await;
    let again_id = again["id"].as_str().unwrap();
    for _ in 0..100 {
        if ok(desk.get(&format!("/imports/{again_id}"))).await["status"] == "completed" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let report = ok(desk.get(&format!("/importErrorLog/{again_id}"))).await;
    assert_eq!(report["data"][0]["errors"][0]["errorType"], "duplicate");
    let (status, code, _) =
        error(desk.post("/imports", &json!({"scopeId": "nope", "data": {}}))).await;
    assert_eq!((status, code.as_str()), (422, "INVALID_DATA"));
}

// ---------------------------------------------------------------------------------------
// Webhooks

#[tokio::test]
async fn subscribing_sends_an_unsigned_validation_request_and_deliveries_sign_no_body() {
    let sandbox = spawn_with(Config {
        helpdesk: sandbox::helpdesk::Settings {
            webhook_body_hash: false,
            ..sandbox::helpdesk::Settings::default()
        },
        ..Config::ephemeral()
    })
    .await;
    let desk = Desk::of(&sandbox);
    let refusing = Recorder::start().await;
    refusing.answer(403);
    let (status, code, fields) =
        error(desk.post("/webhooks", &subscription(&refusing.url, None))).await;
    assert_eq!(
        (status, code.as_str(), fields),
        (422, "INVALID_DATA", vec!["/url".to_owned()])
    );

    let receiver = Recorder::start().await;
    let webhook = ok(desk.post("/webhooks", &subscription(&receiver.url, None))).await;
    let validation = &receiver.seen()[0];
    assert_eq!(validation.method, Method::GET);
    assert!(
        validation.header(shared::helpdesk::JWT_HEADER).is_none(),
        "unsigned"
    );

    let id = sandbox
        .helpdesk()
        .desk()
        .contacts
        .keys()
        .next()
        .unwrap()
        .clone();
    sandbox
        .helpdesk_agent_edit(&sandbox::helpdesk::controls::AgentEdit::update(
            "contacts",
            &id,
            json!({"title": "Chief Tester"}),
        ))
        .unwrap();
    let seen = receiver.wait_for(2).await;
    let token = seen[1].header(shared::helpdesk::JWT_HEADER).unwrap();
    let claims: Value = {
        use base64::Engine;
        let part = token.split('.').nth(1).unwrap();
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(part)
                .unwrap(),
        )
        .unwrap()
    };
    assert_eq!(claims["iss"], format!("orgId:{}", demo::HELPDESK_ORG_ID));
    assert_eq!(
        claims["aud"],
        format!("webhookId:{}", webhook["id"].as_str().unwrap())
    );
    assert!(claims["exp"].as_u64().unwrap() > claims["iat"].as_u64().unwrap());
    assert!(
        claims.get("bodySha256").is_none(),
        "Zoho's token covers no body: {claims}"
    );
}

// ---------------------------------------------------------------------------------------
// The extension

const SECRET: &str = "sfdesk-extension-secret";

fn hex_hmac(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn install(sandbox: &Sandbox, body: Value) -> Value {
    ok(Desk::of(sandbox)
        .control(Method::POST, "/extension/install")
        .json(&body))
    .await
}

#[tokio::test]
async fn install_and_uninstall_callbacks_carry_the_hash_of_their_body() {
    let sandbox = spawn().await;
    let callbacks = Recorder::start().await;
    let installed = install(
        &sandbox,
        json!({
            "secret": SECRET,
            "callbackListener": {
                "onInstall": format!("{}/installed", callbacks.url),
                "onUninstall": format!("{}/uninstalled", callbacks.url),
            },
        }),
    )
    .await;
    assert_eq!(installed["orgId"], demo::HELPDESK_ORG_ID);
    assert_eq!(installed["callback"]["status"], 200);
    let seen = callbacks.wait_for(1).await;
    let call = &seen[0];
    assert_eq!(
        (call.method.as_str(), call.uri.path()),
        ("POST", "/installed")
    );
    assert_eq!(call.header("HASH").unwrap(), hex_hmac(SECRET, &call.body));
    assert_ne!(
        call.header("HASH").unwrap(),
        hex_hmac("another secret", &call.body)
    );
    let payload = call.json();
    assert_eq!(payload["event"], "onInstall");
    assert_eq!(
        payload["orgId"],
        json!(demo::HELPDESK_ORG_ID.parse::<u64>().unwrap())
    );
    assert_eq!(payload["securityContext"], installed["securityContext"]);

    let uninstalled = ok(Desk::of(&sandbox)
        .control(Method::POST, "/extension/uninstall")
        .json(&json!({"installationId": installed["installationId"]})))
    .await;
    assert_eq!(uninstalled["callback"]["status"], 200);
    let seen = callbacks.wait_for(2).await;
    assert_eq!(seen[1].uri.path(), "/uninstalled");
    assert_eq!(seen[1].json()["event"], "onUninstall");
    assert_eq!(
        seen[1].header("HASH").unwrap(),
        hex_hmac(SECRET, &seen[1].body)
    );
}

/// `ZOHODESK.request(reqObj)` from a demo page as `agent`.
async fn proxied(sandbox: &Sandbox, agent: &str, request: Value) -> (u16, Value) {
    send(
        client()
            .post(format!("{}/__zoho/request", sandbox.demo_url))
            .header(
                "Cookie",
                format!("{}={agent}", sandbox::demo_pages::AGENT_COOKIE),
            )
            .json(&request),
    )
    .await
}

#[tokio::test]
async fn the_proxy_fills_secure_parameters_and_attaches_the_agents_connection_token() {
    let sandbox = spawn().await;
    let target = Recorder::start().await;
    install(
        &sandbox,
        json!({
            "secret": SECRET,
            "whiteListedDomains": [target.url],
            "secureParams": {"installSecret": "s3cr3t-from-install"},
            "connections": [{"connectionLinkName": "sfdeskdesk", "scope": ["Desk.basic.READ"]}],
        }),
    )
    .await;
    let agent = sandbox.demo_agent_id("Agent").unwrap();
    let (status, answer) = proxied(
        &sandbox,
        &agent,
        json!({
            "url": format!("{}/api/panel?key={{{{secure.installSecret}}}}", target.url),
            "type": "POST",
            "headers": {"X-Install-Secret": "{{secure.installSecret}}", "header-override": "PATCH"},
            "postBody": {"ticket": "{{installationId}}"},
            "data": {"view": "ticket"},
            "connectionLinkName": "sfdeskdesk",
        }),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let inner: Value = serde_json::from_str(answer["response"].as_str().unwrap()).unwrap();
    assert_eq!(
        inner,
        json!({"status": "true", "statusMessage": {"ok": true}})
    );

    let seen = target.wait_for(1).await;
    let call = &seen[0];
    assert_eq!(
        call.method,
        Method::PATCH,
        "header-override turns the POST into a PATCH"
    );
    assert_eq!(call.header("X-Install-Secret"), Some("s3cr3t-from-install"));
    assert!(call.header("header-override").is_none());
    let query: HashMap<String, String> =
        url::form_urlencoded::parse(call.uri.query().unwrap().as_bytes())
            .into_owned()
            .collect();
    assert_eq!(query["key"], "s3cr3t-from-install");
    assert_eq!(query["view"], "ticket");
    assert!(
        call.json()["ticket"]
            .as_str()
            .unwrap()
            .chars()
            .all(|c| c.is_ascii_digit())
    );
    // The attached token is the agent's, for the connection's scopes.
    let token = call
        .header("Authorization")
        .unwrap()
        .strip_prefix("Zoho-oauthtoken ")
        .unwrap();
    let me = ok(api(
        &sandbox,
        Method::GET,
        "/myinfo",
        token,
        demo::HELPDESK_ORG_ID,
    ))
    .await;
    assert_eq!(me["id"], agent.as_str());
    let (status, code, _) = error(api(
        &sandbox,
        Method::GET,
        "/contacts",
        token,
        demo::HELPDESK_ORG_ID,
    ))
    .await;
    assert_eq!((status, code.as_str()), (401, "SCOPE_MISMATCH"));

    // A target's refusal comes back as Zoho wraps it.
    target.answer(403);
    let (status, answer) = proxied(
        &sandbox,
        &agent,
        json!({"url": format!("{}/x", target.url), "type": "GET"}),
    )
    .await;
    assert_eq!(
        (
            status,
            answer["status"].as_str(),
            answer["statusCode"].as_u64()
        ),
        (200, Some("false"), Some(403))
    );

    // Not whitelisted, or an unknown secure parameter: refused before anything is sent.
    let before = target.seen().len();
    for (request, code) in [
        (
            json!({"url": "http://127.0.0.1:9/elsewhere", "type": "GET"}),
            "DOMAIN_NOT_WHITELISTED",
        ),
        (
            json!({"url": format!("{}/x?k={{{{secure.nope}}}}", target.url), "type": "GET"}),
            "INVALID_PLACEHOLDER",
        ),
        (
            json!({"url": format!("{}/x", target.url), "type": "GET", "connectionLinkName": "other"}),
            "INVALID_CONNECTION",
        ),
    ] {
        let (status, answer) = proxied(&sandbox, &agent, request).await;
        assert_eq!(status, 400);
        let message: Value =
            serde_json::from_str(answer["statusMessage"].as_str().unwrap()).unwrap();
        assert_eq!(message["errorCode"], code);
    }
    assert_eq!(target.seen().len(), before);
}

#[tokio::test]
async fn widget_pages_carry_the_sdk_context_and_serve_the_sdk_stand_in() {
    let sandbox = spawn().await;
    let html = client()
        .get(sandbox.demo_ticket_url())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = html.find("data-context=\"").unwrap() + "data-context=\"".len();
    let end = start + html[start..].find('"').unwrap();
    let context: Value = serde_json::from_str(&unescape(&html[start..end])).unwrap();
    let email = sandbox.helpdesk().desk().tickets[sandbox.demo_ticket_id()]
        .email
        .clone();
    assert_eq!(context["location"], "desk.ticket.detail.rightpanel");
    assert_eq!(context["values"]["ticket.email"], email.as_str());
    assert_eq!(context["values"]["portal.id"], demo::HELPDESK_ORG_ID);
    let user = &context["values"]["user"];
    assert!(user["id"].is_string() && user["email"].is_string());
    assert!(
        user.get("profileId").is_none(),
        "Zoho's user has no profile"
    );
    assert!(html.contains("<script src=\"/__zoho/host.js\"></script>"));
    for script in ["sdk.js", "host.js"] {
        let response = client()
            .get(format!("{}/__zoho/{script}", sandbox.demo_url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/javascript")
        );
        assert!(response.text().await.unwrap().contains("zohodesk"));
    }
}
