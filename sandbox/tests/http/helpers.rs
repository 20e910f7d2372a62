//! What the tests share: a sandbox on ephemeral ports, and talking to it the way the edge
//! will (OAuth and the REST API of the org; the helpdesk API with its credentials; a webhook
//! receiver that verifies every delivery with the shared client's signature check).

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::routing::any;
use sandbox::{Config, Sandbox, demo};
use serde_json::Value;
use shared::helpdesk::{
    DeliveryClaims, Expected, JWT_HEADER, Jwks, SignatureError, WebhookEvent, parse_delivery,
    verify_delivery,
};
use shared::http::ReqwestTransport;
use shared::salesforce::{OAuthApp, Session, TokenResponse};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

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

// ---------------------------------------------------------------------------------------
// The org's REST API

pub const V: &str = "/services/data/v64.0";

/// A signed-in REST client for one sandbox.
pub struct Api<'a> {
    pub sandbox: &'a Sandbox,
    pub token: String,
}

impl<'a> Api<'a> {
    pub async fn new(sandbox: &'a Sandbox) -> Self {
        Api {
            sandbox,
            token: password_token(sandbox).await.access_token,
        }
    }

    pub fn url(&self, path: &str) -> String {
        if path.starts_with("/services/") {
            format!("{}{path}", self.sandbox.salesforce_url)
        } else {
            format!("{}{V}{path}", self.sandbox.salesforce_url)
        }
    }

    pub async fn send(&self, builder: reqwest::RequestBuilder) -> (u16, HeaderMap, Value) {
        let response = builder.bearer_auth(&self.token).send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.unwrap();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        (status, headers, body)
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let (status, _, body) = self.send(client().get(self.url(path))).await;
        (status, body)
    }

    pub async fn query(&self, soql: &str) -> (u16, Value) {
        let (status, _, body) = self
            .send(client().get(self.url("/query")).query(&[("q", soql)]))
            .await;
        (status, body)
    }

    pub async fn query_all(&self, soql: &str) -> (u16, Value) {
        let (status, _, body) = self
            .send(client().get(self.url("/queryAll")).query(&[("q", soql)]))
            .await;
        (status, body)
    }

    pub async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let (status, _, body) = self.send(client().post(self.url(path)).json(body)).await;
        (status, body)
    }

    pub async fn patch(&self, path: &str, body: &Value) -> (u16, Value) {
        let (status, _, body) = self.send(client().patch(self.url(path)).json(body)).await;
        (status, body)
    }

    pub async fn delete(&self, path: &str) -> (u16, Value) {
        let (status, _, body) = self.send(client().delete(self.url(path))).await;
        (status, body)
    }

    pub async fn create(&self, object: &str, fields: Value) -> String {
        let (status, body) = self.post(&format!("/sobjects/{object}"), &fields).await;
        assert_eq!(status, 201, "{body}");
        body["id"].as_str().unwrap().to_owned()
    }
}

/// A test control call on the org's listener.
pub async fn control(
    sandbox: &Sandbox,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let url = format!("{}/__sandbox{path}", sandbox.salesforce_url);
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = client().request(method, url);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// The single error of a REST error body.
pub fn only_error(body: &Value) -> &Value {
    let errors = body
        .as_array()
        .unwrap_or_else(|| panic!("an error array: {body}"));
    assert_eq!(errors.len(), 1, "{body}");
    &errors[0]
}

// ---------------------------------------------------------------------------------------
// The helpdesk

/// The helpdesk API with the demo's credentials.
pub struct Desk {
    base: String,
    http: reqwest::Client,
}

impl Desk {
    pub fn of(sandbox: &Sandbox) -> Desk {
        Desk {
            base: sandbox.helpdesk_url.clone(),
            http: reqwest::Client::new(),
        }
    }

    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}/api/v1{path}", self.base))
            .header(
                "Authorization",
                format!("Zoho-oauthtoken {}", demo::HELPDESK_API_TOKEN),
            )
            .header("orgId", demo::HELPDESK_ORG_ID)
    }

    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.request(reqwest::Method::GET, path)
    }

    pub fn post(&self, path: &str, body: &Value) -> reqwest::RequestBuilder {
        self.request(reqwest::Method::POST, path).json(body)
    }

    pub fn patch(&self, path: &str, body: &Value) -> reqwest::RequestBuilder {
        self.request(reqwest::Method::PATCH, path).json(body)
    }

    pub fn delete(&self, path: &str) -> reqwest::RequestBuilder {
        self.request(reqwest::Method::DELETE, path)
    }

    /// A test control on the helpdesk listener.
    pub fn control(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}/__sandbox{path}", self.base))
    }

    pub fn jwks_url(&self) -> String {
        format!("{}/.well-known/jwks.json", self.base)
    }
}

/// Status and JSON body (null when there is none).
pub async fn send(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.expect("the sandbox answers");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| Value::String(text))
    };
    (status, body)
}

/// Sends and expects success; the JSON body.
pub async fn ok(request: reqwest::RequestBuilder) -> Value {
    let (status, body) = send(request).await;
    assert!((200..300).contains(&status), "HTTP {status}: {body}");
    body
}

/// Sends and expects a helpdesk error: the status, `errorCode` and the fields at fault.
pub async fn error(request: reqwest::RequestBuilder) -> (u16, String, Vec<String>) {
    let (status, body) = send(request).await;
    assert!(status >= 400, "expected an error, got {status}: {body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    let fields = body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["fieldName"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default();
    (
        status,
        body["errorCode"].as_str().unwrap().to_owned(),
        fields,
    )
}

/// How the receiver answers the helpdesk's URL validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validation {
    /// 200 to the GET.
    Get,
    /// 405 to the GET, 200 to the POST that follows.
    PostOnly,
    /// Neither.
    Refuse,
}

/// One delivery as the receiver saw it.
#[derive(Debug, Clone)]
pub struct Received {
    pub body: Vec<u8>,
    pub token: Option<String>,
    pub verified: Result<DeliveryClaims, SignatureError>,
    /// What the receiver answered.
    pub answered: u16,
}

impl Received {
    pub fn events(&self) -> Vec<WebhookEvent> {
        parse_delivery(&self.body).expect("a delivery is a JSON array of events")
    }
}

#[derive(Default)]
struct Log {
    validations: Vec<Method>,
    deliveries: Vec<Received>,
    /// Statuses to answer the next deliveries with (then 200).
    script: VecDeque<u16>,
}

struct ReceiverState {
    jwks: Jwks,
    validation: Validation,
    log: Mutex<Log>,
}

/// A webhook endpoint on an ephemeral port that verifies each delivery against the
/// helpdesk's published JWKS before it answers.
pub struct Receiver {
    pub url: String,
    state: Arc<ReceiverState>,
    server: tokio::task::JoinHandle<()>,
}

impl Receiver {
    pub async fn start(sandbox: &Sandbox, validation: Validation) -> Receiver {
        let jwks: Jwks = reqwest::get(Desk::of(sandbox).jwks_url())
            .await
            .unwrap()
            .json()
            .await
            .expect("the helpdesk publishes a JWKS");
        let state = Arc::new(ReceiverState {
            jwks,
            validation,
            log: Mutex::default(),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hooks/desk", listener.local_addr().unwrap());
        let app = Router::new()
            .route("/hooks/desk", any(receive))
            .with_state(state.clone());
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Receiver { url, state, server }
    }

    /// The next deliveries get these statuses (then 200 again).
    pub fn answer_next(&self, statuses: &[u16]) {
        self.state.log.lock().unwrap().script.extend(statuses);
    }

    pub fn validations(&self) -> Vec<Method> {
        self.state.log.lock().unwrap().validations.clone()
    }

    pub fn deliveries(&self) -> Vec<Received> {
        self.state.log.lock().unwrap().deliveries.clone()
    }

    /// The events of every acknowledged delivery, in order.
    pub fn acknowledged_events(&self) -> Vec<WebhookEvent> {
        self.deliveries()
            .iter()
            .filter(|d| (200..300).contains(&d.answered))
            .flat_map(Received::events)
            .collect()
    }

    /// Waits until `n` events were acknowledged (deliveries may batch several).
    pub async fn wait_for_events(&self, n: usize, patience: Duration) -> Vec<WebhookEvent> {
        let deadline = tokio::time::Instant::now() + patience;
        loop {
            let events = self.acknowledged_events();
            if events.len() >= n {
                return events;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{} of {n} events acknowledged: {:?}",
                events.len(),
                self.deliveries()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn receive(
    State(state): State<Arc<ReceiverState>>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let token = headers
        .get(JWT_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut log = state.log.lock().unwrap();
    // Validation requests carry no token.
    if token.is_none() {
        log.validations.push(method.clone());
        return match (state.validation, method) {
            (Validation::Get, Method::GET) | (Validation::PostOnly, Method::POST) => StatusCode::OK,
            _ => StatusCode::METHOD_NOT_ALLOWED,
        };
    }
    let expected = Expected {
        org_id: demo::HELPDESK_ORG_ID,
        webhook_id: None,
        require_body_hash: true,
    };
    let verified = verify_delivery(
        token.as_deref().unwrap_or_default(),
        &body,
        &state.jwks,
        expected,
        now_secs(),
    );
    let answered = if verified.is_err() {
        401
    } else {
        log.script.pop_front().unwrap_or(200)
    };
    log.deliveries.push(Received {
        body: body.to_vec(),
        token,
        verified,
        answered,
    });
    StatusCode::from_u16(answered).unwrap()
}

/// A webhook subscription to all six events (previous state on updates).
pub fn subscription(url: &str, ignore_source_id: Option<&str>) -> Value {
    let draft =
        shared::helpdesk::WebhookDraft::contacts_and_accounts(url, "sfdesk test", ignore_source_id);
    serde_json::to_value(draft).unwrap()
}

/// What a demo page gives its widget: the iframe is the extension's page the helpdesk
/// hosts (not the edge at `edge_url`), with no token in its URL; returns the values the page's SDK host answers
/// `ZOHODESK.get` with (`user.id`, `portal.id`, `ticket.email`, ...) and the location.
pub fn widget_view(html: &str, edge_url: &str) -> (Value, String) {
    let at = html
        .find(&format!("id=\"{}\"", sandbox::demo_pages::WIDGET_IFRAME_ID))
        .expect("the page has the widget iframe");
    let tag = &html[html[..at].rfind('<').unwrap()..at + html[at..].find('>').unwrap()];
    assert!(tag.starts_with("<iframe"), "{tag}");
    let src = tag.split("src=\"").nth(1).expect("the iframe has a src");
    let src = unescape(&src[..src.find('"').unwrap()]);
    // Hosted by the helpdesk, under the demo listener's other local name, as Zoho hosts
    // an uploaded package; never by the edge.
    assert!(
        src.starts_with("http://localhost:")
            && src.contains(sandbox::demo_pages::EXTENSION_PAGE_PATH)
            && !src.starts_with(edge_url.trim_end_matches('/')),
        "{src}: the helpdesk hosts the extension's page"
    );
    assert!(!src.contains("ctx="), "no page holds a token: {src}");
    let start = html.find("data-context=\"").expect("the SDK context") + "data-context=\"".len();
    let end = start + html[start..].find('"').unwrap();
    let context: Value = serde_json::from_str(&unescape(&html[start..end])).unwrap();
    let location = context["location"].as_str().unwrap_or_default().to_owned();
    (context["values"].clone(), location)
}
