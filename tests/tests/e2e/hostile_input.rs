//! Hostile input against the running stack: every request below gets a specific 4xx and a
//! message that says what is wrong, stores nothing, and leaves the org as it was; hostile
//! values (quotes, emoji, values at every length limit) sync both ways intact.

use contract::admin::{
    self, AdminStatus, ConnectionStatus, FailureView, HistoryView, SettingsView, SyncState,
};
use contract::api::Panel;
use contract::context::{self, ContextClaims, Role};
use contract::ids::Email;
use e2e::{ReqwestTransport, Stack, StackOptions, eventually, oauth_browser};
use reqwest::Method;
use sandbox::helpdesk::controls::AgentEdit;
use serde_json::{Map, Value, json};
use shared::helpdesk;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const ORG: &str = sandbox::demo::HELPDESK_ORG_ID;
const OTHER_ORG: &str = "60099999";
const SECRET: &[u8] = sandbox::demo::DEV_CONTEXT_SECRET.as_bytes();

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn claims(org: &str, role: Role, profile: &str) -> ContextClaims {
    ContextClaims {
        org: org.to_owned(),
        agent: "1000".into(),
        profile_id: "1".into(),
        profile_name: profile.to_owned(),
        role,
        ticket: None,
        requester: None,
        account: None,
        aud: context::AUDIENCE.into(),
        iat: now_secs(),
        exp: now_secs() + 600,
    }
}

fn admin_token(org: &str) -> String {
    context::sign(&claims(org, Role::Admin, "Administrator"), SECRET)
}

/// One answer: its status and body (JSON when it is JSON, else the text as a string).
struct Answer {
    status: u16,
    body: Value,
}

impl Answer {
    /// The `{"error": {"message"}}` of an API error, or the text of a page.
    fn message(&self) -> String {
        self.body["error"]["message"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| self.body.as_str().unwrap_or_default().to_owned())
    }

    #[track_caller]
    fn expect(&self, status: u16, words: &str) {
        assert_eq!(self.status, status, "{words:?}: {}", self.body);
        assert!(
            self.message().contains(words),
            "expected {words:?} in {:?}",
            self.message()
        );
    }
}

async fn call(
    stack: &Stack,
    method: Method,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<Vec<u8>>,
) -> anyhow::Result<Answer> {
    let mut request = reqwest::Client::new().request(method, format!("{}{path}", stack.edge_url));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = body {
        request = request.body(body);
    }
    let response = request.send().await?;
    let status = response.status().as_u16();
    let text = response.text().await?;
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Ok(Answer { status, body })
}

/// What must not change under hostile input.
#[derive(Debug, PartialEq)]
struct OrgState {
    connection: ConnectionStatus,
    state: SyncState,
    pending: u64,
    runs: usize,
    updated: u32,
    failures: usize,
    settings: SettingsView,
    helpdesk_contacts: usize,
}

async fn org_state(stack: &Stack) -> anyhow::Result<OrgState> {
    let status = stack.admin_status().await?;
    let history: HistoryView = stack.admin(Method::GET, admin::HISTORY_PATH, None).await?;
    let failures: Vec<FailureView> = stack.admin(Method::GET, admin::FAILURES_PATH, None).await?;
    let mut settings: SettingsView = stack.admin(Method::GET, admin::SETTINGS_PATH, None).await?;
    // Field metadata is read afresh each time; only the choices matter here.
    settings.contact_fields.helpdesk.clear();
    settings.contact_fields.salesforce.clear();
    settings.account_fields.helpdesk.clear();
    settings.account_fields.salesforce.clear();
    let mut connection = status.connection;
    if let ConnectionStatus::Connected(info) = &mut connection {
        // Usage moves with every call, and the OAuth checks below reconnect once.
        info.api_used = None;
        info.connected_at_ms = 0;
    }
    Ok(OrgState {
        connection,
        state: status.sync.state,
        pending: status.sync.pending_changes,
        runs: history.runs.len(),
        updated: history.runs.iter().map(|r| r.updated + r.added).sum(),
        failures: failures.len(),
        settings,
        helpdesk_contacts: stack.sandbox.helpdesk().desk().contacts.len(),
    })
}

fn outbound_body(org_id: &str, record_id: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>
<notifications xmlns="http://soap.sforce.com/2005/09/outbound"><OrganizationId>{org_id}</OrganizationId><ActionId>04k000000000001AAA</ActionId>
<Notification><Id>04l000000000001AAA</Id><sObject xsi:type="sf:Contact" xmlns:sf="urn:sobject.enterprise.soap.sforce.com"><sf:Id>{record_id}</sf:Id></sObject></Notification>
</notifications></soapenv:Body></soapenv:Envelope>"#
    )
}

#[tokio::test]
async fn hostile_requests_get_a_clear_4xx_and_change_nothing() -> anyhow::Result<()> {
    let stack = Stack::start_live(StackOptions::test("hostile-requests")).await?;
    let before = org_state(&stack).await?;
    let status: AdminStatus = stack.admin_status().await?;
    let outbound_url = status.outbound_message_url.clone().unwrap();
    let outbound_path = &outbound_url[stack.edge_url.len()..];
    let sf_org = stack.sandbox.salesforce().org_id().to_string();
    let some_contact = {
        let desk = stack.sandbox.helpdesk().desk();
        desk.contacts.keys().next().unwrap().clone()
    };

    // --- Helpdesk webhooks: signature first, then the body.
    let hook = stack.helpdesk_webhook_url(ORG)[stack.edge_url.len()..].to_owned();
    let helpdesk = stack.sandbox.helpdesk();
    let webhook_id = helpdesk.webhook_ids().pop().expect("the sync subscribed");
    let event = |id: &str| {
        json!([{"eventType": "Contact_Update", "orgId": ORG, "eventTime": "1765890330000",
                "payload": {"id": id}}])
        .to_string()
    };
    let body = event(&some_contact);
    let post = |token: Option<String>, body: Vec<u8>| {
        let hook = hook.clone();
        let stack = &stack;
        async move {
            let headers: Vec<(&str, String)> = token
                .map(|t| vec![(shared::helpdesk::JWT_HEADER, t)])
                .unwrap_or_default();
            let headers: Vec<(&str, &str)> =
                headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
            call(stack, Method::POST, &hook, None, &headers, Some(body)).await
        }
    };
    post(None, body.clone().into_bytes())
        .await?
        .expect(401, "X-ZDesk-JWT");
    post(Some("not.a.jwt".into()), body.clone().into_bytes())
        .await?
        .expect(401, "");
    let good = helpdesk.sign_delivery(body.as_bytes(), &webhook_id, None);
    let (input, signature) = good.rsplit_once('.').unwrap();
    let flipped = if signature.starts_with('A') { "B" } else { "A" };
    let tampered = format!("{input}.{flipped}{}", &signature[1..]);
    post(Some(tampered), body.clone().into_bytes())
        .await?
        .expect(401, "");
    let expired = helpdesk.sign_delivery(body.as_bytes(), &webhook_id, Some(now_secs() - 3_600));
    post(Some(expired), body.clone().into_bytes())
        .await?
        .expect(401, "expired");
    let other_webhook = helpdesk.sign_delivery(body.as_bytes(), "999999", None);
    post(Some(other_webhook), body.clone().into_bytes())
        .await?
        .expect(401, "");
    for malformed in [
        "",
        "{",
        "not json",
        "[{\"eventType\": 5}]",
        "{\"events\": []}",
    ] {
        let token = helpdesk.sign_delivery(malformed.as_bytes(), &webhook_id, None);
        post(Some(token), malformed.as_bytes().to_vec())
            .await?
            .expect(400, "not a list of events");
    }
    let no_id =
        json!([{"eventType": "Contact_Add", "orgId": ORG, "eventTime": "1", "payload": {}}])
            .to_string();
    let token = helpdesk.sign_delivery(no_id.as_bytes(), &webhook_id, None);
    post(Some(token), no_id.into_bytes())
        .await?
        .expect(400, "names no record id");
    let bad_id = json!([{"eventType": "Contact_Update", "orgId": ORG, "eventTime": "1",
        "payload": {"id": "1' OR '1'='1"}}])
    .to_string();
    let token = helpdesk.sign_delivery(bad_id.as_bytes(), &webhook_id, None);
    post(Some(token), bad_id.into_bytes())
        .await?
        .expect(400, "ids are digits");
    let huge = vec![b'['; 2 << 20];
    let token = helpdesk.sign_delivery(&huge, &webhook_id, None);
    post(Some(token), huge).await?.expect(400, "larger than");
    // Events about another helpdesk org are not this org's to store.
    let foreign = json!([{"eventType": "Contact_Update", "orgId": OTHER_ORG, "eventTime": "1",
                          "payload": {"id": some_contact}}])
    .to_string();
    let token = helpdesk.sign_delivery(foreign.as_bytes(), &webhook_id, None);
    post(Some(token), foreign.into_bytes())
        .await?
        .expect(400, "another helpdesk org");
    // A delivery signed for this org, sent to another org's URL.
    let token = helpdesk.sign_delivery(body.as_bytes(), &webhook_id, None);
    let answer = call(
        &stack,
        Method::POST,
        &stack.helpdesk_webhook_url(OTHER_ORG)[stack.edge_url.len()..],
        None,
        &[(shared::helpdesk::JWT_HEADER, &token)],
        Some(body.clone().into_bytes()),
    )
    .await?;
    assert!(matches!(answer.status, 401 | 403), "{}", answer.body);
    call(
        &stack,
        Method::POST,
        "/webhooks/helpdesk/..%2F..%2Fapi",
        None,
        &[],
        Some(vec![]),
    )
    .await?
    .expect(404, "no such route");

    // --- Salesforce Outbound Messages: the URL's key, then the org, then the body.
    let a_contact = "003000000000001AAA";
    let soap = outbound_body(&sf_org, a_contact);
    let without_key = outbound_path.split('?').next().unwrap();
    call(
        &stack,
        Method::POST,
        without_key,
        None,
        &[],
        Some(soap.clone().into_bytes()),
    )
    .await?
    .expect(401, "no key");
    let wrong_key = format!("{without_key}?key=wrong");
    call(
        &stack,
        Method::POST,
        &wrong_key,
        None,
        &[],
        Some(soap.clone().into_bytes()),
    )
    .await?
    .expect(401, "key is wrong");
    let other_org_soap = outbound_body("00D999999999999AAA", a_contact);
    call(
        &stack,
        Method::POST,
        outbound_path,
        None,
        &[],
        Some(other_org_soap.into_bytes()),
    )
    .await?
    .expect(403, "another Salesforce org");
    for malformed in ["", "<x>", "not xml", "<a><b></a>"] {
        call(
            &stack,
            Method::POST,
            outbound_path,
            None,
            &[],
            Some(malformed.into()),
        )
        .await?
        .expect(400, "");
    }
    let bad_id = outbound_body(&sf_org, "003'OR'1'='1");
    call(
        &stack,
        Method::POST,
        outbound_path,
        None,
        &[],
        Some(bad_id.into_bytes()),
    )
    .await?
    .expect(400, "invalid record Id");
    // The key on another org's URL: that URL's tag is not this one.
    let with_key_elsewhere = outbound_path.replace(ORG, OTHER_ORG);
    call(
        &stack,
        Method::POST,
        &with_key_elsewhere,
        None,
        &[],
        Some(soap.clone().into_bytes()),
    )
    .await?
    .expect(404, "no such route");

    // --- Context tokens: forged, expired, malformed, missing.
    let forged = context::sign(&claims(ORG, Role::Admin, "Administrator"), b"guessed");
    let mut old = claims(ORG, Role::Admin, "Administrator");
    old.exp = now_secs() - 1;
    let expired = context::sign(&old, SECRET);
    let none_alg = {
        let good = admin_token(ORG);
        let (_, rest) = good.split_once('.').unwrap();
        // {"alg":"none","typ":"JWT"}
        let header = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0";
        format!("{header}.{}", rest.rsplit_once('.').unwrap().0) + "."
    };
    let mut other_audience = claims(ORG, Role::Admin, "Administrator");
    other_audience.aud = "another-service".into();
    let other_audience = context::sign(&other_audience, SECRET);
    let mut from_the_future = claims(ORG, Role::Admin, "Administrator");
    from_the_future.iat = now_secs() + 300;
    from_the_future.exp = now_secs() + 900;
    let from_the_future = context::sign(&from_the_future, SECRET);
    let mut everlasting = claims(ORG, Role::Admin, "Administrator");
    everlasting.exp = everlasting.iat + 30 * 24 * 3_600;
    let everlasting = context::sign(&everlasting, SECRET);
    for path in [contract::api::PANEL_PATH, admin::STATUS_PATH] {
        call(&stack, Method::GET, path, Some(&other_audience), &[], None)
            .await?
            .expect(401, "not meant for sfdesk");
        call(&stack, Method::GET, path, Some(&from_the_future), &[], None)
            .await?
            .expect(401, "issued in the future");
        call(&stack, Method::GET, path, Some(&everlasting), &[], None)
            .await?
            .expect(401, "lives longer than sfdesk accepts");
        call(&stack, Method::GET, path, Some(&forged), &[], None)
            .await?
            .expect(401, "signature does not match");
        call(&stack, Method::GET, path, Some(&expired), &[], None)
            .await?
            .expect(401, "expired");
        call(&stack, Method::GET, path, Some(&none_alg), &[], None)
            .await?
            .expect(401, "not a well-formed");
        call(&stack, Method::GET, path, Some("garbage"), &[], None)
            .await?
            .expect(401, "not a well-formed");
        call(&stack, Method::GET, path, None, &[], None)
            .await?
            .expect(401, "missing context token");
    }

    // --- Org A's data is not org B's: another org's admin sees an org with nothing.
    let other = admin_token(OTHER_ORG);
    let answer = call(
        &stack,
        Method::GET,
        admin::STATUS_PATH,
        Some(&other),
        &[],
        None,
    )
    .await?;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let other_status: AdminStatus = serde_json::from_value(answer.body)?;
    assert_eq!(other_status.connection, ConnectionStatus::NotConnected);
    assert_eq!(other_status.sync.state, SyncState::NotStarted);
    assert_eq!(other_status.outbound_message_url, None);
    let mut agent_b = claims(OTHER_ORG, Role::Agent, "Agent");
    agent_b.requester = Some(Email::parse("maya.patel@northwind.example")?);
    let answer = call(
        &stack,
        Method::GET,
        contract::api::PANEL_PATH,
        Some(&context::sign(&agent_b, SECRET)),
        &[],
        None,
    )
    .await?;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let panel: Panel = serde_json::from_value(answer.body)?;
    assert_eq!(panel, Panel::NotConnected { can_connect: false });

    // --- Agents and light agents on every admin endpoint: 403 before anything runs.
    let endpoints = [
        (Method::GET, admin::STATUS_PATH),
        (Method::GET, admin::SETTINGS_PATH),
        (Method::PUT, admin::SETTINGS_PATH),
        (Method::POST, admin::SYNC_START_PATH),
        (Method::POST, admin::SYNC_PAUSE_PATH),
        (Method::POST, admin::SYNC_RESUME_PATH),
        (Method::GET, admin::HISTORY_PATH),
        (Method::GET, admin::FAILURES_PATH),
        (Method::POST, admin::RETRY_PATH),
        (Method::GET, admin::PERMISSIONS_PATH),
        (Method::PUT, admin::PERMISSIONS_PATH),
        (Method::DELETE, admin::INTEGRATION_PATH),
    ];
    for profile in ["Agent", "Light Agent"] {
        let token = stack.context_token(profile, true);
        for (method, path) in &endpoints {
            let body = Some(br#"{"retry": "all", "object": null}"#.to_vec());
            call(&stack, method.clone(), path, Some(&token), &[], body)
                .await?
                .expect(403, "administrators");
        }
        call(
            &stack,
            Method::POST,
            admin::OAUTH_START_CODE_PATH,
            Some(&token),
            &[],
            None,
        )
        .await?
        .expect(403, "administrators");
    }

    // --- SOQL injection through the requester's email: one exact lookup, no match.
    for attack in [
        "x'OR'a'='a@evil.example",
        "x\\'OR(Email!=null)OR'@evil.example",
        "%@northwind.example",
        "maya.patel@northwind.example'OR'1'='1",
    ] {
        let mut agent = claims(ORG, Role::Agent, "Agent");
        agent.requester = Some(Email::parse(attack)?);
        let answer = call(
            &stack,
            Method::GET,
            contract::api::PANEL_PATH,
            Some(&context::sign(&agent, SECRET)),
            &[],
            None,
        )
        .await?;
        assert_eq!(answer.status, 200, "{attack}: {}", answer.body);
        let panel: Panel = serde_json::from_value(answer.body)?;
        assert!(
            matches!(panel, Panel::NoMatch { .. }),
            "{attack} found {panel:?}"
        );
    }
    let answer = call(
        &stack,
        Method::GET,
        &format!("{}?contact=003'OR'1'='1", contract::api::PANEL_PATH),
        Some(&stack.context_token("Agent", true)),
        &[],
        None,
    )
    .await?;
    answer.expect(400, "");

    // --- Invalid mappings: 400 with the reference's words, nothing saved.
    let admin_token_demo = stack.context_token("Administrator", false);
    let save = |contacts: Value, accounts: Value| {
        json!({"sync_type": "two_way", "contacts": contacts, "accounts": accounts})
            .to_string()
            .into_bytes()
    };
    let pair = |h: &str, s: &str| json!({"helpdesk": h, "salesforce": s});
    let accounts = json!([pair("accountName", "Name")]);
    let cases = [
        (
            json!([pair("lastName", "LastName"), pair("cf_seats", "Seats__c")]),
            accounts.clone(),
            "Decimal value is given for an Integer field",
        ),
        (
            json!([pair("lastName", "LastName"), pair("cf_seats", "Title")]),
            accounts.clone(),
            "Text value is given for an Integer field",
        ),
        (
            json!([pair("email", "Email")]),
            accounts.clone(),
            "Mandatory Field Missing",
        ),
        (
            json!([pair("lastName", "LastName"), pair("nope", "Title")]),
            accounts.clone(),
            "The helpdesk field nope does not exist",
        ),
        (
            json!([pair("lastName", "LastName"), pair("title", "Name")]),
            accounts.clone(),
            "read-only",
        ),
        (
            json!([pair("lastName", "LastName"), pair("title", "LastName")]),
            accounts.clone(),
            "mapped more than once",
        ),
    ];
    for (contacts, accounts, words) in cases {
        call(
            &stack,
            Method::PUT,
            admin::SETTINGS_PATH,
            Some(&admin_token_demo),
            &[],
            Some(save(contacts, accounts)),
        )
        .await?
        .expect(400, words);
    }
    call(
        &stack,
        Method::PUT,
        admin::SETTINGS_PATH,
        Some(&admin_token_demo),
        &[],
        Some(b"{\"sync_type\": 7}".to_vec()),
    )
    .await?
    .expect(400, "not valid");

    // --- OAuth callbacks: an unknown state, a replayed callback, a reused code.
    let callback = admin::OAUTH_CALLBACK_PATH;
    call(
        &stack,
        Method::GET,
        &format!("{callback}?code=abc&state=forged"),
        None,
        &[],
        None,
    )
    .await?
    .expect(400, "not one sfdesk issued");
    call(&stack, Method::GET, callback, None, &[], None)
        .await?
        .expect(400, "lacks");
    let browser = oauth_browser()?;
    let fresh = url::Url::parse(&stack.begin_oauth(&browser).await?)?;
    let fresh_state = fresh
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let mut guessed = fresh_state.clone();
    guessed.pop();
    guessed.push(if fresh_state.ends_with('A') { 'B' } else { 'A' });
    let answer = browser
        .get(format!(
            "{}{callback}?code=abc&state={guessed}",
            stack.edge_url
        ))
        .send()
        .await?;
    assert_eq!(answer.status(), 400, "{}", answer.text().await?);

    // Reconnecting runs the flow once more; replaying its callback must fail.
    let browser = oauth_browser()?;
    let used = stack.approve_in_salesforce(&browser).await?;
    let page = browser.get(&used).send().await?.text().await?;
    assert!(page.contains("Salesforce connected"), "{page}");
    let replayed = browser.get(&used).send().await?;
    assert_eq!(replayed.status(), 400);
    assert!(replayed.text().await?.contains("already used"));
    // The used code with a state sfdesk did issue: Salesforce refuses the code.
    let used = url::Url::parse(&used)?;
    let code = used
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let fresh = url::Url::parse(&stack.begin_oauth(&browser).await?)?;
    let state = fresh
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let reused = format!(
        "{}{callback}?{}",
        stack.edge_url,
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("code", &code)
            .append_pair("state", &state)
            .finish()
    );
    let reused = browser.get(reused).send().await?;
    assert_eq!(reused.status(), 400);
    assert!(reused.text().await?.contains("Start connecting again"));

    // --- Nothing of it stuck: same connection, sync, history, failures and settings.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = org_state(&stack).await?;
    assert_eq!(before, after);
    Ok(())
}

/// The OAuth flow belongs to the browser that started it and to the Salesforce org first
/// connected: an authorize link sent on to someone else, or a sign-in to another org,
/// connects nothing and leaves the connection as it was.
#[tokio::test]
async fn oauth_is_bound_to_its_browser_and_to_the_connected_org() -> anyhow::Result<()> {
    let stack = Stack::start_live(StackOptions::test("hostile-oauth-binding")).await?;
    let before = org_state(&stack).await?;
    let connected_org = stack.sandbox.salesforce().org_id().to_string();

    // The start sets the nonce cookie, HttpOnly and SameSite=Lax (not Secure over http).
    let starter = oauth_browser()?;
    let start_url = stack.oauth_start_url().await?;
    let start = starter.get(&start_url).send().await?;
    assert_eq!(start.status(), 302);
    let cookie = start.headers()["set-cookie"].to_str()?.to_owned();
    for attribute in [
        "sfdesk_oauth=",
        "HttpOnly",
        "SameSite=Lax",
        "Path=/oauth/salesforce",
    ] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    assert!(!cookie.contains("Secure"), "{cookie}");

    // The start takes a one-time code, asked for with the admin's token in a header; the
    // token itself in the URL (as before) no longer starts anything.
    let again = starter.get(&start_url).send().await?;
    assert_eq!(again.status(), 400);
    assert!(again.text().await?.contains("expired or was already used"));
    let admin = stack.context_token("Administrator", false);
    let with_token = starter
        .get(format!(
            "{}{}?ctx={admin}",
            stack.edge_url,
            admin::OAUTH_START_PATH
        ))
        .send()
        .await?;
    assert_eq!(with_token.status(), 400);
    assert!(with_token.text().await?.contains("lacks its code"));
    call(
        &stack,
        Method::POST,
        admin::OAUTH_START_CODE_PATH,
        None,
        &[],
        None,
    )
    .await?
    .expect(401, "missing context token");

    // The starter sends the approved link's callback on: a browser without the cookie,
    // and one with a cookie of its own flow, are both refused.
    let callback = stack.approve_in_salesforce(&starter).await?;
    let stranger = reqwest::Client::new();
    let answer = stranger.get(&callback).send().await?;
    assert_eq!(answer.status(), 400);
    assert!(answer.text().await?.contains("not started in this browser"));
    let other_admin = oauth_browser()?;
    stack.begin_oauth(&other_admin).await?;
    let answer = other_admin.get(&callback).send().await?;
    assert_eq!(answer.status(), 400);
    assert!(answer.text().await?.contains("not started in this browser"));

    // The result page tells the console that opened it how it went. The console is
    // hosted on Zoho's origin, which the page cannot name, so the message goes to any
    // opener (the console takes it from the edge's origin only): it holds nothing of the
    // grant, neither the code nor the state.
    let callback = stack.approve_in_salesforce(&starter).await?;
    let page = starter.get(&callback).send().await?.text().await?;
    assert!(page.contains("Salesforce connected"), "{page}");
    let message = &page[page
        .find("postMessage(")
        .expect("the page tells its opener")..];
    let query = url::Url::parse(&callback)?;
    for (name, value) in query.query_pairs() {
        if name == "code" || name == "state" {
            assert!(!message.contains(value.as_ref()), "{name} in {message}");
        }
    }

    // A sign-in to another Salesforce org: refused, the connection unchanged.
    let other_org = "00D000000000777";
    stack
        .sandbox
        .salesforce()
        .set_org_id(contract::ids::SfId::parse(other_org)?);
    let callback = stack.approve_in_salesforce(&starter).await?;
    let answer = starter.get(&callback).send().await?;
    assert_eq!(answer.status(), 400);
    let text = answer.text().await?;
    assert!(
        text.contains(&format!("bound to Salesforce org {connected_org}"))
            && text.contains("Delete the integration to connect another"),
        "{text}"
    );
    stack
        .sandbox
        .salesforce()
        .set_org_id(contract::ids::SfId::parse(&connected_org)?);
    assert_eq!(before, org_state(&stack).await?);
    Ok(())
}

/// URLs that need no context token are checked by the Worker itself: a forged or unknown
/// org's webhook URL, OAuth `state` or start code wakes no Durable Object, and an
/// enrolled org's URL with a wrong tag answers exactly as a path that does not exist.
#[tokio::test]
async fn unauthenticated_requests_wake_no_durable_object() -> anyhow::Result<()> {
    let stack = Stack::start(StackOptions::test("hostile-no-object")).await?;
    stack.connect_salesforce().await?;
    let objects = stack.durable_objects();
    assert_eq!(objects, 1, "the connected org's");
    let unknown_path = call(&stack, Method::POST, "/webhooks/nothing", None, &[], None).await?;
    unknown_path.expect(404, "no such route");

    let stranger = "60077777";
    let forged_tag = "AAAAAAAAAAAAAAAAAAAAAA";
    let random = "a".repeat(32);
    for path in [
        format!("/webhooks/helpdesk/{stranger}"),
        format!("/webhooks/helpdesk/{stranger}/{forged_tag}"),
        format!("/webhooks/helpdesk/{ORG}"),
        format!("/webhooks/helpdesk/{ORG}/{forged_tag}"),
        format!("/webhooks/salesforce/{stranger}?key=k"),
        format!("/webhooks/salesforce/{stranger}/{forged_tag}?key=k"),
        // A helpdesk webhook's tag on the Salesforce path.
        stack.helpdesk_webhook_url(ORG)[stack.edge_url.len()..].replace("helpdesk", "salesforce"),
    ] {
        for method in [Method::GET, Method::POST] {
            let answer = call(
                &stack,
                method.clone(),
                &path,
                None,
                &[],
                Some(b"[]".to_vec()),
            )
            .await?;
            assert_eq!(
                (answer.status, &answer.body),
                (unknown_path.status, &unknown_path.body),
                "{method} {path}"
            );
        }
    }
    let browser = oauth_browser()?;
    for query in [
        format!(
            "{}?code=c&state={stranger}.{random}",
            admin::OAUTH_CALLBACK_PATH
        ),
        format!(
            "{}?code=c&state={stranger}.{random}.{forged_tag}",
            admin::OAUTH_CALLBACK_PATH
        ),
        format!(
            "{}?code={stranger}.{random}.{forged_tag}",
            admin::OAUTH_START_PATH
        ),
    ] {
        let answer = browser
            .get(format!("{}{query}", stack.edge_url))
            .send()
            .await?;
        assert_eq!(answer.status(), 400, "{query}");
        assert!(
            answer.text().await?.contains("not one sfdesk issued"),
            "{query}"
        );
    }
    assert_eq!(
        stack.durable_objects(),
        objects,
        "no Durable Object was created"
    );
    Ok(())
}

#[tokio::test]
async fn replayed_webhooks_are_applied_once() -> anyhow::Result<()> {
    let stack = Stack::start_live(StackOptions::test("hostile-replay")).await?;
    let helpdesk = stack.sandbox.helpdesk();
    let transport = ReqwestTransport::default();
    let salesforce = shared::salesforce::Client::new(&transport, stack.salesforce_admin().await?);
    let maya = "maya.patel@northwind.example";
    let desk_maya = {
        let desk = helpdesk.desk();
        desk.contacts
            .values()
            .find(|c| c.email.as_deref() == Some(maya))
            .unwrap()
            .id
            .clone()
    };
    helpdesk.clear_webhook_deliveries();
    helpdesk
        .agent_edit(&AgentEdit::update(
            "contacts",
            &desk_maya,
            json!({"title": "Replayed Title"}),
        ))
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let lookup = format!("SELECT Id, Title, LastModifiedDate FROM Contact WHERE Email = '{maya}'");
    let first: Map<String, Value> = eventually(
        "the edit in Salesforce",
        Duration::from_secs(30),
        async || {
            let page = salesforce.query::<Map<String, Value>>(&lookup).await?;
            Ok(page
                .records
                .into_iter()
                .find(|r| r["Title"] == "Replayed Title"))
        },
    )
    .await?;
    let delivery = helpdesk
        .webhook_deliveries()
        .into_iter()
        .find(|d| d.delivered && d.body.contains(&desk_maya))
        .expect("the delivery is in the log");
    let before = org_state(&stack).await?;

    // The same delivery, ten times over, all at once and again later.
    let hook = stack.helpdesk_webhook_url(ORG)[stack.edge_url.len()..].to_owned();
    let mut replays = Vec::new();
    let token = helpdesk.sign_delivery(delivery.body.as_bytes(), &delivery.webhook_id, None);
    for _ in 0..10 {
        let token = token.clone();
        let stack = &stack;
        let (hook, body) = (hook.clone(), delivery.body.clone());
        replays.push(async move {
            call(
                stack,
                Method::POST,
                &hook,
                None,
                &[(shared::helpdesk::JWT_HEADER, token.as_str())],
                Some(body.into_bytes()),
            )
            .await
        });
    }
    let mut stored = 0;
    for answer in futures::future::join_all(replays).await {
        let answer = answer?;
        assert_eq!(answer.status, 200, "{}", answer.body);
        stored += answer.body["stored"].as_u64().unwrap_or_default();
    }
    assert!(stored <= 1, "one token stores once at most: {stored}");
    eventually("the replays applied", Duration::from_secs(30), async || {
        let status = stack.admin_status().await?.sync;
        Ok((status.pending_changes == 0).then_some(()))
    })
    .await?;
    let page = salesforce.query::<Map<String, Value>>(&lookup).await?;
    assert_eq!(page.records.len(), 1, "still one Maya");
    assert_eq!(
        page.records[0]["LastModifiedDate"], first["LastModifiedDate"],
        "a replay changes nothing in Salesforce"
    );
    let after = org_state(&stack).await?;
    assert_eq!(after.updated, before.updated, "no run counts the replays");
    assert_eq!(after.failures, 0);
    let compared = stack.compare_sides().await?;
    assert!(compared.is_clean(), "{}", compared.summary());

    // A token that binds no body (as Zoho Desk's) serves every delivery of its second:
    // a second delivery under it is no replay, and is stored; the same one again is.
    let token = helpdesk.sign_unbound(&delivery.webhook_id);
    let first = call(
        &stack,
        Method::POST,
        &hook,
        None,
        &[(shared::helpdesk::JWT_HEADER, token.as_str())],
        Some(delivery.body.clone().into_bytes()),
    )
    .await?;
    assert_eq!(first.body["stored"], 1, "{}", first.body);
    let other = {
        let desk = helpdesk.desk();
        desk.contacts
            .values()
            .find(|c| c.id != desk_maya)
            .unwrap()
            .id
            .clone()
    };
    let answer = call(
        &stack,
        Method::POST,
        &hook,
        None,
        &[(shared::helpdesk::JWT_HEADER, token.as_str())],
        Some(delivery.body.replace(&desk_maya, &other).into_bytes()),
    )
    .await?;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        answer.body["stored"], 1,
        "another body under the same token is another delivery"
    );
    let again = call(
        &stack,
        Method::POST,
        &hook,
        None,
        &[(shared::helpdesk::JWT_HEADER, token.as_str())],
        Some(delivery.body.replace(&desk_maya, &other).into_bytes()),
    )
    .await?;
    assert_eq!(
        again.body["stored"], 0,
        "the same delivery again: {}",
        again.body
    );
    Ok(())
}

/// Values at each field's limits, quotes that would break a naive query, emoji and
/// other scripts, empty fields: created on both sides, synced, edited, synced again,
/// and identical on both sides throughout.
#[tokio::test]
async fn extreme_values_sync_both_ways_intact() -> anyhow::Result<()> {
    let stack = Stack::start(StackOptions::test("hostile-values")).await?;
    let salesforce = stack.sandbox.salesforce();
    let helpdesk = stack.sandbox.helpdesk();
    let n = |c: char, count: usize| std::iter::repeat_n(c, count).collect::<String>();
    // Salesforce side: limits by Salesforce's lengths that the helpdesk also allows.
    let sf_records = [
        json!({"FirstName": n('é', 40), "LastName": n('x', 80), "Email": "o'hara+tag@quote.example",
               "Title": format!("{}{}", n('😀', 20), n('b', 60)), "Description": n('🦀', 8_000)}),
        json!({"LastName": "x' OR LastName != '", "Email": "injection.o'neil@quote.example",
               "Title": "\"); DROP TABLE contacts; --", "Phone": "+1 (555) 010-9999"}),
        json!({"LastName": "名前 テスト", "FirstName": "Ωμέγα", "Email": "unicode@names.example",
               "Description": "line1\nline2\r\n\ttab \u{200b} zero-width \u{0301} combining"}),
        json!({"LastName": "No Email At All", "Title": null, "Description": ""}),
    ];
    for record in &sf_records {
        salesforce
            .user_create("Contact", record.as_object().unwrap())
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    }
    salesforce
        .user_create(
            "Account",
            json!({"Name": "Acme' OR Name != '", "Description": n('ß', 5_000)})
                .as_object()
                .unwrap(),
        )
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    // Helpdesk side.
    let hd_records = [
        json!({"lastName": n('z', 80), "firstName": n('ü', 40), "email": "max.length@desk.example",
               "title": n('ñ', 100), "description": n('q', 32_000)}),
        json!({"lastName": "%_wildcards_%", "email": "under_score.o'brien@desk.example",
               "title": "back\\slash 'single' \"double\""}),
    ];
    for record in &hd_records {
        helpdesk
            .agent_edit(&AgentEdit::create("contacts", record.clone()))
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    }
    helpdesk
        .agent_edit(&AgentEdit::create(
            "accounts",
            json!({"accountName": "Globex\\' OR 1=1 --", "industry": "Technology", "description": "🚀 Rockets"}),
        ))
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;

    stack.connect_salesforce().await?;
    stack.start_sync().await?;
    stack
        .wait_for_sync(SyncState::Live, Duration::from_secs(90))
        .await?;
    let compared = stack.compare_sides().await?;
    let failures: Vec<FailureView> = stack.admin(Method::GET, admin::FAILURES_PATH, None).await?;
    assert!(failures.is_empty(), "{failures:?}");
    assert!(
        compared.is_clean(),
        "after the initial sync: {}",
        compared.summary()
    );

    // Ongoing: extreme edits on each side travel through the webhooks.
    let transport = ReqwestTransport::default();
    let sf_client = shared::salesforce::Client::new(&transport, stack.salesforce_admin().await?);
    let page = sf_client
        .query::<Map<String, Value>>(
            "SELECT Id FROM Contact WHERE Email = 'o\\'hara+tag@quote.example'",
        )
        .await?;
    let sf_id = page.records[0]["Id"].as_str().unwrap().to_owned();
    salesforce
        .user_update(
            "Contact",
            &sf_id,
            json!({"Title": format!("{}{}", n('🧪', 10), n('ü', 90)), "Phone": null, "Description": "edited ✅"})
                .as_object()
                .unwrap(),
        )
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let connection = helpdesk::Connection {
        base_url: stack.sandbox.helpdesk_url.clone(),
        org_id: ORG.to_owned(),
        access_token: sandbox::demo::HELPDESK_API_TOKEN.to_owned(),
    };
    let desk = helpdesk::Client::new(&transport, &connection);
    let desk_id = desk
        .search_contacts_by_email("max.length@desk.example")
        .await?[0]
        .id
        .clone();
    helpdesk
        .agent_edit(&AgentEdit::update(
            "contacts",
            &desk_id,
            json!({"title": "ünïcödé ' \" \\ %_", "firstName": null}),
        ))
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    eventually("both edits applied", Duration::from_secs(60), async || {
        let status = stack.admin_status().await?.sync;
        let hd = desk.contact(&desk_id).await?;
        Ok(
            (status.pending_changes == 0 && hd.title.as_deref() == Some("ünïcödé ' \" \\ %_"))
                .then_some(()),
        )
    })
    .await?;
    let compared = eventually("both sides equal", Duration::from_secs(60), async || {
        let compared = stack.compare_sides().await?;
        Ok(compared.is_clean().then_some(compared))
    })
    .await;
    let compared = match compared {
        Ok(compared) => compared,
        Err(_) => {
            let compared = stack.compare_sides().await?;
            anyhow::bail!("after the edits: {}", compared.summary());
        }
    };
    assert!(compared.compared >= 8, "{}", compared.summary());
    Ok(())
}

/// A proxied answer as the extension's page reads it: the edge's status and body.
fn proxied(answer: &Value) -> (u16, Value) {
    if let Some(text) = answer["response"].as_str() {
        let inner: Value = serde_json::from_str(text).expect("the proxy wraps JSON");
        return (200, inner["statusMessage"].clone());
    }
    let status = answer["statusCode"]
        .as_u64()
        .expect("a failure has a statusCode");
    let text = answer["statusMessage"].as_str().unwrap_or_default();
    let body = serde_json::from_str(text).unwrap_or(Value::String(text.to_owned()));
    (u16::try_from(status).unwrap(), body)
}

#[track_caller]
fn expect_refusal(answer: &Value, status: u16, words: &str) {
    let (got, body) = proxied(answer);
    assert_eq!(got, status, "{words:?}: {body}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains(words), "expected {words:?} in {message:?}");
    assert!(
        body.get("token").is_none(),
        "no session in a refusal: {body}"
    );
}

#[tokio::test]
async fn session_requests_are_checked_against_the_helpdesk() -> anyhow::Result<()> {
    use contract::context::{RecordInView, SessionRequest};
    let stack = Stack::start(StackOptions::test("hostile-session")).await?;
    let second = sandbox::demo::SECOND_HELPDESK_ORG_ID;
    let installed = stack
        .install_extension(second, e2e::DEV_EXTENSION_SECRET)
        .await?;
    assert_eq!(installed.callback.and_then(|c| c.status), Some(204));
    let agent = stack.sandbox.demo_agent_id("Agent").expect("a demo agent");
    let admin = stack
        .sandbox
        .demo_agent_id("Administrator")
        .expect("a demo admin");
    let ticket = stack.sandbox.demo_ticket_id().to_owned();
    let asked = SessionRequest {
        org: ORG.to_owned(),
        agent: agent.clone(),
        profile_id: None,
        view: RecordInView {
            ticket: Some(ticket.clone()),
            ..RecordInView::default()
        },
    };

    // Through the extension, as itself: a session the panel takes.
    let answer = stack
        .zoho_request(&agent, &stack.session_request(&asked))
        .await?;
    let (status, session) = proxied(&answer);
    assert_eq!(status, 200, "{session}");
    let token = session["token"].as_str().expect("a session token");
    let claims = context::verify(token, SECRET, now_secs())?;
    assert_eq!(
        (claims.org.as_str(), claims.agent.as_str()),
        (ORG, agent.as_str())
    );
    assert_eq!(claims.role, Role::Agent);
    assert_eq!(claims.ticket.as_deref(), Some(ticket.as_str()));
    assert!(
        claims.requester.is_some(),
        "the requester read from the ticket"
    );
    let panel = call(
        &stack,
        Method::GET,
        contract::api::PANEL_PATH,
        Some(token),
        &[],
        None,
    )
    .await?;
    assert_ne!(panel.status, 401, "{}", panel.body);

    // Without the installation's secret.
    let mut bare = stack.session_request(&asked);
    bare["headers"]
        .as_object_mut()
        .unwrap()
        .remove(context::INSTALLATION_HEADER);
    let answer = stack.zoho_request(&agent, &bare).await?;
    expect_refusal(&answer, 401, "no installation secret");

    // With another org's secret, for this org.
    let mut foreign = stack.session_request(&asked);
    foreign["headers"][context::INSTALLATION_HEADER] =
        Value::String(context::installation_secret(SECRET, second));
    let answer = stack.zoho_request(&agent, &foreign).await?;
    expect_refusal(&answer, 401, "not this helpdesk org's");

    // Without the agent's helpdesk token.
    let mut tokenless = stack.session_request(&asked);
    tokenless
        .as_object_mut()
        .unwrap()
        .remove("connectionLinkName");
    let answer = stack.zoho_request(&agent, &tokenless).await?;
    expect_refusal(&answer, 401, "no helpdesk token");

    // This org's agent token, for the other org (with that org's secret).
    let mut cross = stack.session_request(&SessionRequest {
        org: second.to_owned(),
        ..asked.clone()
    });
    cross["headers"][context::INSTALLATION_HEADER] =
        Value::String(context::installation_secret(SECRET, second));
    let answer = stack.zoho_request(&agent, &cross).await?;
    expect_refusal(&answer, 401, "does not accept this agent token");

    // Claiming another agent, or another profile, than the helpdesk reports.
    let other_agent = SessionRequest {
        agent: admin.clone(),
        ..asked.clone()
    };
    let answer = stack
        .zoho_request(&agent, &stack.session_request(&other_agent))
        .await?;
    expect_refusal(&answer, 403, "another agent's");
    let admin_profile = {
        let desk = stack.sandbox.helpdesk().desk();
        desk.agent(&admin).unwrap().profile_id.clone()
    };
    let other_profile = SessionRequest {
        profile_id: Some(admin_profile),
        ..asked.clone()
    };
    let answer = stack
        .zoho_request(&agent, &stack.session_request(&other_profile))
        .await?;
    expect_refusal(&answer, 403, "another profile");

    // Straight at the edge, past Zoho's proxy, with the right secret but no token.
    let direct = call(
        &stack,
        Method::POST,
        context::SESSION_PATH,
        None,
        &[(
            context::INSTALLATION_HEADER,
            &context::installation_secret(SECRET, ORG),
        )],
        Some(serde_json::to_vec(&asked)?),
    )
    .await?;
    direct.expect(401, "no helpdesk token");
    Ok(())
}

/// A session request straight at the edge with `secret` and a token the helpdesk never
/// issued: what the edge answers before and after the installation check.
async fn session(
    stack: &Stack,
    asked: &contract::context::SessionRequest,
    secret: &str,
) -> anyhow::Result<Answer> {
    call(
        stack,
        Method::POST,
        context::SESSION_PATH,
        None,
        &[
            (context::INSTALLATION_HEADER, secret),
            (
                "Authorization",
                "Zoho-oauthtoken not-a-token-the-helpdesk-issued",
            ),
        ],
        Some(serde_json::to_vec(asked)?),
    )
    .await
}

#[tokio::test]
async fn lifecycle_callbacks_bind_refuse_and_erase() -> anyhow::Result<()> {
    use contract::context::SessionRequest;
    let stack = Stack::start(StackOptions::test("hostile-lifecycle")).await?;
    let second = sandbox::demo::SECOND_HELPDESK_ORG_ID;
    let second_agent = {
        let desk = stack
            .sandbox
            .helpdesk()
            .desk_of(second)
            .expect("the second org");
        desk.agents[0].id.clone()
    };
    let asked = SessionRequest {
        org: second.to_owned(),
        agent: second_agent.clone(),
        profile_id: None,
        view: Default::default(),
    };
    let secret = context::installation_secret(SECRET, second);

    // A callback whose HASH is not the extension's: refused, nothing bound.
    let forged = stack
        .install_extension(second, "not the extension's secret")
        .await?;
    assert_eq!(forged.callback.and_then(|c| c.status), Some(401));
    session(&stack, &asked, &secret)
        .await?
        .expect(403, "not installed");

    // Installed: bound, the session goes on to ask the helpdesk about the token.
    let installed = stack
        .install_extension(second, e2e::DEV_EXTENSION_SECRET)
        .await?;
    assert_eq!(installed.callback.and_then(|c| c.status), Some(204));
    session(&stack, &asked, &secret)
        .await?
        .expect(401, "does not accept this agent token");

    // Uninstalled: erased.
    let callback = stack
        .sandbox
        .helpdesk()
        .uninstall_extension(&installed.installation_id)
        .await
        .map_err(anyhow::Error::msg)?;
    assert_eq!(callback.and_then(|c| c.status), Some(204));
    session(&stack, &asked, &secret)
        .await?
        .expect(403, "not installed");
    Ok(())
}

#[tokio::test]
async fn the_installation_secret_goes_to_an_administrator_through_the_proxy_only()
-> anyhow::Result<()> {
    use contract::context::{InstallationSecretRequest, SessionRequest};
    let stack = Stack::start(StackOptions::test("hostile-install-secret")).await?;
    let second = sandbox::demo::SECOND_HELPDESK_ORG_ID;
    let installed = stack
        .install_extension(second, e2e::DEV_EXTENSION_SECRET)
        .await?;
    assert_eq!(installed.callback.and_then(|c| c.status), Some(204));
    let agent = stack.sandbox.demo_agent_id("Agent").expect("a demo agent");
    let admin = stack
        .sandbox
        .demo_agent_id("Administrator")
        .expect("a demo admin");
    let ask = |org: &str| {
        stack.proxy_request(
            context::INSTALLATION_SECRET_PATH,
            &InstallationSecretRequest {
                org: org.to_owned(),
            },
        )
    };

    // An administrator, through the extension: the org's secret.
    let (status, body) = proxied(&stack.zoho_request(&admin, &ask(ORG)).await?);
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["secret"],
        json!(context::installation_secret(SECRET, ORG))
    );

    // An agent who is not an administrator: refused.
    let answer = stack.zoho_request(&agent, &ask(ORG)).await?;
    expect_refusal(&answer, 403, "an administrator");

    // An administrator's token of this org, for the other org: the helpdesk refuses it.
    let answer = stack.zoho_request(&admin, &ask(second)).await?;
    expect_refusal(&answer, 401, "does not accept this agent token");

    // Straight at the edge, past Zoho's proxy: no helpdesk token, nothing.
    let direct = call(
        &stack,
        Method::POST,
        context::INSTALLATION_SECRET_PATH,
        None,
        &[],
        Some(serde_json::to_vec(&InstallationSecretRequest {
            org: ORG.to_owned(),
        })?),
    )
    .await?;
    direct.expect(401, "no helpdesk token");

    // A fresh installation has no secret until an administrator opens sfdesk: a session
    // request then says so, and nothing else.
    stack
        .install_extension(ORG, e2e::DEV_EXTENSION_SECRET)
        .await?;
    let asked = SessionRequest {
        org: ORG.to_owned(),
        agent: agent.clone(),
        profile_id: None,
        view: Default::default(),
    };
    let answer = stack
        .zoho_request(&agent, &stack.session_request(&asked))
        .await?;
    expect_refusal(&answer, 401, context::INSTALLATION_UNFINISHED);
    stack.finish_installation().await?;
    let answer = stack
        .zoho_request(&agent, &stack.session_request(&asked))
        .await?;
    assert_eq!(proxied(&answer).0, 200, "{answer}");
    Ok(())
}

#[tokio::test]
async fn the_edge_answers_cors_for_the_widget_host_only() -> anyhow::Result<()> {
    let stack = Stack::start(StackOptions::test("hostile-cors")).await?;
    let widget_host = stack.sandbox.widget_host_url();
    let client = reqwest::Client::new();
    let preflight = |origin: &str, path: &str| {
        client
            .request(Method::OPTIONS, format!("{}{path}", stack.edge_url))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "GET")
            .header("Access-Control-Request-Headers", "authorization")
            .send()
    };
    let allowed = |response: &reqwest::Response| {
        response
            .headers()
            .get("Access-Control-Allow-Origin")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };

    // The page Zoho hosts: its preflight passes, Authorization included.
    let answer = preflight(&widget_host, contract::api::PANEL_PATH).await?;
    assert_eq!(answer.status(), 204);
    assert_eq!(allowed(&answer).as_deref(), Some(widget_host.as_str()));
    let headers = answer
        .headers()
        .get("Access-Control-Allow-Headers")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(headers.contains("authorization"), "{headers}");
    assert!(
        answer
            .headers()
            .get("Access-Control-Allow-Credentials")
            .is_none()
    );
    // Kept by the browser, so a page load does not ask it again (the widget's requests
    // leave caching to the answers, as a no-store request would skip this cache).
    assert_eq!(
        answer
            .headers()
            .get("Access-Control-Max-Age")
            .map(|v| v.as_bytes()),
        Some(&b"600"[..])
    );

    // Its calls' answers, refusals too, are readable there.
    let refused = client
        .get(format!("{}{}", stack.edge_url, contract::api::PANEL_PATH))
        .header("Origin", &widget_host)
        .send()
        .await?;
    assert_eq!(refused.status(), 401);
    assert_eq!(allowed(&refused).as_deref(), Some(widget_host.as_str()));
    // Per agent: never kept by the browser (the widget relies on this, asking nothing of
    // the cache itself).
    assert_eq!(
        refused.headers().get("Cache-Control").map(|v| v.as_bytes()),
        Some(&b"no-store"[..])
    );

    // Any other origin, or a route no page calls: no CORS.
    let answer = preflight("https://evil.example", contract::api::PANEL_PATH).await?;
    assert_eq!(allowed(&answer), None);
    let answer = client
        .get(format!("{}{}", stack.edge_url, contract::api::PANEL_PATH))
        .header("Origin", "https://evil.example")
        .send()
        .await?;
    assert_eq!(allowed(&answer), None);
    let answer = preflight(&widget_host, context::INSTALL_CALLBACK_PATH).await?;
    assert_eq!(allowed(&answer), None);
    Ok(())
}
