//! Starting a sandbox on ephemeral ports, and talking to it the way the edge will.

use sandbox::{Config, Sandbox, demo};
use serde_json::Value;
use shared::http::ReqwestTransport;
use shared::salesforce::{OAuthApp, Session, TokenResponse};
use std::collections::HashMap;

pub async fn spawn() -> Sandbox {
    spawn_with(Config::ephemeral()).await
}

pub async fn spawn_with(config: Config) -> Sandbox {
    sandbox::start(config).await.expect("the sandbox starts")
}

/// A client that shows redirects instead of following them, as an OAuth test must.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client builds")
}

/// `shared`'s own reqwest transport, without following redirects.
pub fn http() -> ReqwestTransport {
    ReqwestTransport::new(client())
}

/// A token from the username-password grant: the quickest way to an API session.
pub async fn password_token(sandbox: &Sandbox) -> TokenResponse {
    let response = client()
        .post(format!("{}/services/oauth2/token", sandbox.salesforce_url))
        .form(&[
            ("grant_type", "password"),
            ("client_id", demo::CLIENT_ID),
            ("client_secret", demo::CLIENT_SECRET),
            ("username", demo::ADMIN_USERNAME),
            ("password", demo::ADMIN_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

pub fn session(token: &TokenResponse) -> Session {
    Session {
        instance_url: token.instance_url.clone(),
        access_token: token.access_token.clone(),
    }
}

/// Runs the authorization page like a browser would and returns the redirect's query.
pub async fn authorize(
    sandbox: &Sandbox,
    app: &OAuthApp,
    state: &str,
    challenge: &str,
    password: &str,
    action: &str,
) -> reqwest::Response {
    let page = client()
        .get(app.authorize_url(state, challenge))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200, "the login page renders");
    let html = page.text().await.unwrap();
    let mut form = hidden_inputs(&html);
    assert_eq!(
        form.get("code_challenge").map(String::as_str),
        Some(challenge)
    );
    form.insert("username".into(), demo::ADMIN_USERNAME.into());
    form.insert("password".into(), password.into());
    form.insert("action".into(), action.into());
    client()
        .post(format!(
            "{}/services/oauth2/authorize",
            sandbox.salesforce_url
        ))
        .form(&form)
        .send()
        .await
        .unwrap()
}

/// The query of a redirect's `Location`, decoded.
pub fn redirect_query(response: &reqwest::Response) -> (String, HashMap<String, String>) {
    assert_eq!(response.status(), 302, "a redirect");
    let location = response.headers()["location"].to_str().unwrap();
    let url = url::Url::parse(location).unwrap();
    let base = format!("{}{}", &url[..url::Position::BeforePath], url.path());
    (base, url.query_pairs().into_owned().collect())
}

/// `name` -> `value` of every `<input type="hidden">` on a page.
pub fn hidden_inputs(html: &str) -> HashMap<String, String> {
    html.split("<input type=\"hidden\" ")
        .skip(1)
        .map(|tag| {
            let attr = |name: &str| {
                let start = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                let end = start + tag[start..].find('"').unwrap();
                unescape(&tag[start..end])
            };
            (attr("name"), attr("value"))
        })
        .collect()
}

pub fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// GET a Salesforce REST path with a bearer token.
pub async fn sf_get(sandbox: &Sandbox, token: &str, path_and_query: &str) -> reqwest::Response {
    client()
        .get(format!("{}{path_and_query}", sandbox.salesforce_url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

pub async fn sf_query(sandbox: &Sandbox, token: &str, soql: &str) -> reqwest::Response {
    client()
        .get(format!(
            "{}/services/data/v64.0/query",
            sandbox.salesforce_url
        ))
        .query(&[("q", soql)])
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

pub async fn json(response: reqwest::Response) -> Value {
    response.json().await.unwrap()
}

/// The single error of a Salesforce REST error body.
pub async fn sf_error(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    let errors = body.as_array().expect("REST errors are an array");
    assert_eq!(errors.len(), 1, "{body}");
    (status, errors[0].clone())
}

pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}
