//! The org's OAuth endpoints: the web-server flow with PKCE, refresh, password, revoke,
//! and session expiry.

use crate::helpers::*;
use contract::ids::SfId;
use sandbox::{Config, demo};
use serde_json::Value;
use shared::pkce;
use shared::salesforce::{OAuthApp, SfError, TokenResponse};
use std::time::Duration;

/// Signs in through the authorization page and returns the code for `verifier`.
async fn code_for(sandbox: &sandbox::Sandbox, app: &OAuthApp, verifier: &str) -> String {
    let response = authorize(
        sandbox,
        app,
        "state-1",
        &pkce::challenge_s256(verifier),
        demo::ADMIN_PASSWORD,
        "allow",
    )
    .await;
    let (_, query) = redirect_query(&response);
    query["code"].clone()
}

async fn exchange(app: &OAuthApp, code: &str, verifier: &str) -> Result<TokenResponse, SfError> {
    let response = http().send_now(app.code_exchange(code, verifier)).await;
    OAuthApp::parse_token_response(&response)
}

/// `Transport::send` without importing the trait at every call.
trait SendNow {
    async fn send_now(&self, request: shared::http::HttpRequest) -> shared::http::HttpResponse;
}

impl SendNow for shared::http::ReqwestTransport {
    async fn send_now(&self, request: shared::http::HttpRequest) -> shared::http::HttpResponse {
        use shared::http::Transport;
        self.send(request).await.expect("the sandbox answers")
    }
}

fn oauth_error(result: Result<TokenResponse, SfError>) -> (String, String) {
    match result {
        Err(SfError::OAuth { error, description }) => (error, description),
        other => panic!("expected an OAuth error, got {other:?}"),
    }
}

#[tokio::test]
async fn authorization_code_flow_with_pkce() {
    let sandbox = spawn().await;
    let app = sandbox.demo_oauth_app();
    let verifier = pkce::new_verifier();
    let response = authorize(
        &sandbox,
        &app,
        "st&te/1",
        &pkce::challenge_s256(&verifier),
        demo::ADMIN_PASSWORD,
        "allow",
    )
    .await;
    let (target, query) = redirect_query(&response);
    assert_eq!(target, app.redirect_uri);
    assert_eq!(query["state"], "st&te/1");
    let code = &query["code"];
    assert!(code.ends_with("=="), "codes look like Salesforce's: {code}");

    let raw = http().send_now(app.code_exchange(code, &verifier)).await;
    assert_eq!(raw.status, 200);
    assert_eq!(
        raw.header("content-type"),
        Some("application/json;charset=UTF-8")
    );
    let body: Value = serde_json::from_slice(&raw.body).unwrap();
    assert!(
        body.get("expires_in").is_none(),
        "Salesforce sends no expires_in"
    );
    let token = OAuthApp::parse_token_response(&raw).unwrap();

    let (org, user) = token.org_and_user().unwrap();
    let (org, user) = (SfId::parse(org).unwrap(), SfId::parse(user).unwrap());
    assert_eq!((org.key_prefix(), user.key_prefix()), ("00D", "005"));
    assert_eq!(org.as_str().len(), 18);
    assert_eq!(
        token.id,
        format!("{}/id/{org}/{user}", sandbox.salesforce_url)
    );
    assert!(
        token
            .access_token
            .starts_with(&format!("{}!", &org.as_str()[..15])),
        "the access token starts with the 15-char org id"
    );
    assert_eq!(token.instance_url, sandbox.salesforce_url);
    assert_eq!(token.token_type, "Bearer");
    assert!(token.refresh_token.is_some());
    assert_eq!(token.scope.as_deref(), Some("api refresh_token"));
    let issued: u64 = token.issued_at.parse().unwrap();
    assert!(issued.abs_diff(now_secs() * 1000) < 60_000, "epoch millis");
    assert!(!token.signature.is_empty());

    // The session works, and so does the identity URL.
    let response = sf_query(&sandbox, &token.access_token, "SELECT Id FROM Account").await;
    assert_eq!(response.status(), 200);
    let identity = client()
        .get(&token.id)
        .bearer_auth(&token.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(identity.status(), 200);
    let identity = json(identity).await;
    assert_eq!(identity["username"], demo::ADMIN_USERNAME);
    assert_eq!(identity["organization_id"], org.as_str());

    // A code works once.
    let (error, _) = oauth_error(exchange(&app, code, &verifier).await);
    assert_eq!(error, "invalid_grant");
}

#[tokio::test]
async fn a_wrong_verifier_is_refused_and_spends_the_code() {
    let sandbox = spawn().await;
    let app = sandbox.demo_oauth_app();
    let verifier = pkce::new_verifier();
    let code = code_for(&sandbox, &app, &verifier).await;
    let (error, description) = oauth_error(exchange(&app, &code, &pkce::new_verifier()).await);
    assert_eq!(
        (error.as_str(), description.as_str()),
        ("invalid_grant", "invalid code verifier")
    );
    let (error, _) = oauth_error(exchange(&app, &code, &verifier).await);
    assert_eq!(error, "invalid_grant", "a code is spent by any attempt");
}

#[tokio::test]
async fn codes_are_bound_to_the_redirect_uri_and_expire() {
    let sandbox = spawn_with(Config {
        extra_redirect_uris: vec!["http://127.0.0.1:9/other".into()],
        ..Config::ephemeral()
    })
    .await;
    let app = sandbox.demo_oauth_app();
    let verifier = pkce::new_verifier();
    let code = code_for(&sandbox, &app, &verifier).await;
    let other = OAuthApp {
        redirect_uri: "http://127.0.0.1:9/other".into(),
        ..app.clone()
    };
    let (error, _) = oauth_error(exchange(&other, &code, &verifier).await);
    assert_eq!(error, "redirect_uri_mismatch");

    let code = code_for(&sandbox, &app, &verifier).await;
    sandbox.advance_clock(Duration::from_secs(16 * 60));
    let (error, description) = oauth_error(exchange(&app, &code, &verifier).await);
    assert_eq!(
        (error.as_str(), description.as_str()),
        ("invalid_grant", "expired authorization code")
    );
}

#[tokio::test]
async fn a_wrong_password_shows_the_page_again_and_deny_redirects_with_an_error() {
    let sandbox = spawn().await;
    let app = sandbox.demo_oauth_app();
    let challenge = pkce::challenge_s256(&pkce::new_verifier());

    let response = authorize(&sandbox, &app, "s1", &challenge, "wrong", "allow").await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("Please check your username and password"));
    assert_eq!(
        hidden_inputs(&html).get("state").map(String::as_str),
        Some("s1"),
        "the request survives the retry"
    );

    let response = authorize(&sandbox, &app, "s2", &challenge, "", "deny").await;
    let (target, query) = redirect_query(&response);
    assert_eq!(target, app.redirect_uri);
    assert_eq!(query["error"], "access_denied");
    assert_eq!(query["error_description"], "end-user denied authorization");
    assert_eq!(query["state"], "s2");
    assert!(!query.contains_key("code"));
}

#[tokio::test]
async fn bad_authorization_requests_never_redirect_to_unregistered_urls() {
    let sandbox = spawn().await;
    let app = sandbox.demo_oauth_app();
    let challenge = pkce::challenge_s256(&pkce::new_verifier());
    for evil in [
        OAuthApp {
            redirect_uri: "https://evil.example/cb".into(),
            ..app.clone()
        },
        OAuthApp {
            client_id: "someone-else".into(),
            ..app.clone()
        },
    ] {
        let response = client()
            .get(evil.authorize_url("s", &challenge))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        assert!(response.headers().get("location").is_none());
    }

    // A registered callback gets errors by redirect: here, the missing PKCE challenge.
    let response = client()
        .get(app.authorize_url("s", ""))
        .send()
        .await
        .unwrap();
    let (_, query) = redirect_query(&response);
    assert_eq!(query["error"], "invalid_request");
    assert_eq!(query["state"], "s");
}

#[tokio::test]
async fn password_grant_and_its_failures() {
    let sandbox = spawn().await;
    let token = password_token(&sandbox).await;
    assert!(
        token.refresh_token.is_none(),
        "no refresh token in this flow"
    );
    assert_eq!(token.scope.as_deref(), Some("api"));

    let attempt = |fields: Vec<(&'static str, &'static str)>| {
        let url = format!("{}/services/oauth2/token", sandbox.salesforce_url);
        async move {
            let response = client().post(url).form(&fields).send().await.unwrap();
            assert_eq!(response.status(), 400, "OAuth errors are 400, never 401");
            let body = json(response).await;
            (
                body["error"].as_str().unwrap().to_owned(),
                body["error_description"].as_str().unwrap().to_owned(),
            )
        }
    };
    let base = |password: &'static str, secret: &'static str, client_id: &'static str| {
        vec![
            ("grant_type", "password"),
            ("client_id", client_id),
            ("client_secret", secret),
            ("username", demo::ADMIN_USERNAME),
            ("password", password),
        ]
    };
    assert_eq!(
        attempt(base("nope", demo::CLIENT_SECRET, demo::CLIENT_ID)).await,
        ("invalid_grant".into(), "authentication failure".into())
    );
    assert_eq!(
        attempt(base(demo::ADMIN_PASSWORD, "nope", demo::CLIENT_ID))
            .await
            .0,
        "invalid_client"
    );
    assert_eq!(
        attempt(base(demo::ADMIN_PASSWORD, demo::CLIENT_SECRET, "nobody"))
            .await
            .0,
        "invalid_client_id"
    );
    assert_eq!(
        attempt(vec![("grant_type", "client_credentials")]).await.0,
        "unsupported_grant_type"
    );
}

#[tokio::test]
async fn refresh_grant_and_revocation() {
    let sandbox = spawn().await;
    let app = sandbox.demo_oauth_app();
    let verifier = pkce::new_verifier();
    let code = code_for(&sandbox, &app, &verifier).await;
    let first = exchange(&app, &code, &verifier).await.unwrap();
    let refresh_token = first.refresh_token.clone().unwrap();

    let response = http().send_now(app.refresh(&refresh_token)).await;
    let refreshed = OAuthApp::parse_token_response(&response).unwrap();
    assert_ne!(refreshed.access_token, first.access_token);
    assert!(
        refreshed.refresh_token.is_none(),
        "refresh tokens are not rotated"
    );
    assert_eq!(refreshed.id, first.id);
    let ok = sf_query(&sandbox, &refreshed.access_token, "SELECT Id FROM Contact").await;
    assert_eq!(ok.status(), 200);

    let other_client = OAuthApp {
        client_secret: "wrong".into(),
        ..app.clone()
    };
    let response = http().send_now(other_client.refresh(&refresh_token)).await;
    assert_eq!(
        oauth_error(OAuthApp::parse_token_response(&response)).0,
        "invalid_client"
    );

    // Revoking the refresh token ends it and the sessions issued from it.
    let response = client()
        .post(format!("{}/services/oauth2/revoke", sandbox.salesforce_url))
        .form(&[("token", refresh_token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let response = http().send_now(app.refresh(&refresh_token)).await;
    assert_eq!(
        oauth_error(OAuthApp::parse_token_response(&response)),
        (
            "invalid_grant".into(),
            "expired access/refresh token".into()
        )
    );
    let gone = sf_query(&sandbox, &refreshed.access_token, "SELECT Id FROM Contact").await;
    assert_eq!(gone.status(), 401);
}

async fn assert_invalid_session(response: reqwest::Response) {
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["www-authenticate"], "Token");
    assert_eq!(
        response.headers()["content-type"],
        "application/json;charset=UTF-8"
    );
    let body = json(response).await;
    assert_eq!(
        body,
        serde_json::json!([{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}])
    );
}

#[tokio::test]
async fn expired_and_missing_tokens_get_invalid_session_id() {
    let sandbox = spawn_with(Config {
        access_token_lifetime: Duration::from_secs(3600),
        ..Config::ephemeral()
    })
    .await;
    let token = password_token(&sandbox).await;
    let soql = "SELECT Id FROM Contact LIMIT 1";
    assert_eq!(
        sf_query(&sandbox, &token.access_token, soql).await.status(),
        200
    );

    sandbox.advance_clock(Duration::from_secs(3599));
    assert_eq!(
        sf_query(&sandbox, &token.access_token, soql).await.status(),
        200
    );
    sandbox.advance_clock(Duration::from_secs(2));
    assert_invalid_session(sf_query(&sandbox, &token.access_token, soql).await).await;

    let fresh = password_token(&sandbox).await;
    assert_eq!(
        sf_query(&sandbox, &fresh.access_token, soql).await.status(),
        200
    );
    sandbox.expire_salesforce_sessions();
    assert_invalid_session(sf_query(&sandbox, &fresh.access_token, soql).await).await;

    let anonymous = client()
        .get(format!(
            "{}/services/data/v64.0/query?q=SELECT+Id+FROM+Contact",
            sandbox.salesforce_url
        ))
        .send()
        .await
        .unwrap();
    assert_invalid_session(anonymous).await;
}
