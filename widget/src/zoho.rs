//! The widget as a Zoho Desk extension page (`extension/app/widget.html`): it reads its
//! view through the Zoho Desk JS SDK (`ZOHODESK.get`) and asks the edge for a session
//! through Zoho's proxy (`ZOHODESK.request`, which adds the installation's secret and the
//! agent's own helpdesk token; see [`contract::context`]). The session token then goes
//! into the page's fragment (`#ctx=`), so the widget runs with it exactly as with a token
//! given there. It is renewed the same way shortly before it expires, and every call made
//! with the page's session sends the latest renewal ([`renewed`]): the fragment, and so
//! what the widget shows, the agent's picks and the console's tab, stay as they are.
//!
//! Zoho Desk extension guide, "Widget data libraries" (`ZOHODESK.extension.onload`,
//! `ZOHODESK.get`) and "Request Method" (`ZOHODESK.request`, its `reqObj` and the answer
//! as text, read as `JSON.parse(JSON.parse(text).response).statusMessage`).

use crate::api::ClientError;
use crate::json::{Fields, FromJson, JsonError, ToJson, parse};
use crate::location::{current_is_console, hash_for};
use contract::api::{ApiError, ErrorBody, ErrorCode};
use contract::context::{
    CONNECTION_LINK_NAME, INSTALL_SECRET_PARAM, INSTALLATION_HEADER, INSTALLATION_SECRET_PATH,
    INSTALLATION_UNFINISHED, InstallationSecret, InstallationSecretRequest, RecordInView,
    SESSION_PATH, Session, SessionRequest,
};
use js_sys::{Function, JSON, Object, Promise, Reflect};
use std::cell::RefCell;
use std::time::Duration;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The promise `extension/app/widget.html` sets while it loads the SDK, which resolves to
/// what `ZOHODESK.extension.onload()` gave (the page asks it as soon as the SDK is in,
/// while the wasm still downloads); absent when the widget was not opened as the
/// extension's page (then only `#ctx=` counts).
const SDK_LOADED: &str = "sfdeskZohoSdk";

/// The `<meta name>` by which the extension's page names the edge (`cargo xtask build`
/// writes the edge's URL there).
const EDGE_META: &str = "sfdesk-edge";

/// The edge's origin: [`edge_base`], or the page's own.
pub fn edge_origin() -> String {
    match edge_base() {
        base if base.is_empty() => web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default(),
        base => base,
    }
}

/// The edge the page calls: the URL the extension's package names (Zoho Desk hosts the
/// page on an origin of its own), or empty, the page's own origin, for a page the edge
/// served itself.
pub fn edge_base() -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| {
            d.query_selector(&format!("meta[name=\"{EDGE_META}\"]"))
                .ok()
                .flatten()
        })
        .and_then(|meta| meta.get_attribute("content"))
        .map(|url| url.trim().trim_end_matches('/').to_owned())
        .unwrap_or_default()
}

/// How long before its expiry a session is renewed: enough for a slow proxy round trip.
pub const RENEW_BEFORE_SECS: u64 = 60;

/// Why the widget got no session through Zoho Desk.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SdkError {
    /// The SDK did not load, or a call of it failed.
    #[error("Zoho Desk's SDK failed: {0}")]
    Sdk(String),
    /// `ZOHODESK.get` did not give what a session needs.
    #[error("Zoho Desk did not say which {0} this is")]
    Missing(&'static str),
    /// The edge (or Zoho's proxy) refused the session request, as the widget shows it.
    #[error("{0}")]
    Refused(ClientError),
    /// The proxy's answer is not a session.
    #[error("unexpected answer to the session request: {0}")]
    Decode(String),
}

/// The `ZOHODESK.get` key naming the record in view at a widget location.
pub fn record_key(location: &str) -> Option<&'static str> {
    match location {
        "desk.ticket.detail.rightpanel" => Some("ticket.id"),
        "desk.contact.detail.rightpanel" => Some("contact.id"),
        "desk.account.detail.rightpanel" => Some("account.id"),
        _ => None,
    }
}

/// The record in view, from [`record_key`]'s key and the id `ZOHODESK.get` gave for it.
pub fn record_in_view(key: &str, id: String) -> RecordInView {
    match key {
        "ticket.id" => RecordInView {
            ticket: Some(id),
            ..RecordInView::default()
        },
        "contact.id" => RecordInView {
            contact: Some(id),
            ..RecordInView::default()
        },
        "account.id" => RecordInView {
            account: Some(id),
            ..RecordInView::default()
        },
        _ => RecordInView::default(),
    }
}

/// A plain JS object with these properties. The SDK's arguments are built as JS values
/// directly, not as `serde_json::Value`s: a JSON tree type costs the agent panel's wasm
/// more than the few objects it would build (issue 17).
fn object(properties: &[(&str, JsValue)]) -> Object {
    let object = Object::new();
    for (name, value) in properties {
        // Setting a property of a fresh plain object cannot fail.
        let _ = Reflect::set(&object, &(*name).into(), value);
    }
    object
}

/// The `reqObj` for `ZOHODESK.request` that posts `body` to the edge at `edge_origin`'s
/// `path`: the proxy fills the installation secret and attaches the agent's connection
/// token.
pub fn proxy_request_object(edge_origin: &str, path: &str, body: &impl ToJson) -> Object {
    let headers = object(&[
        (
            INSTALLATION_HEADER,
            format!("{{{{secure.{INSTALL_SECRET_PARAM}}}}}").into(),
        ),
        ("Content-Type", "application/json".into()),
    ]);
    object(&[
        (
            "url",
            format!("{}{path}", edge_origin.trim_end_matches('/')).into(),
        ),
        ("type", "POST".into()),
        ("headers", headers.into()),
        ("postBody", body.to_json().into()),
        ("connectionLinkName", CONNECTION_LINK_NAME.into()),
    ])
}

/// The `reqObj` that asks the edge at `edge_origin` for a session.
pub fn session_request_object(edge_origin: &str, asked: &SessionRequest) -> Object {
    proxy_request_object(edge_origin, SESSION_PATH, asked)
}

/// Property `name` of the JSON object in `text` (parsed by the browser, whose parser the
/// wasm need not carry), or why there is none.
fn json_property(text: &str, name: &str) -> Result<JsValue, String> {
    let parsed = JSON::parse(text).map_err(|e| text_of(&e))?;
    if !parsed.is_object() {
        return Err(format!("not a JSON object: {text}"));
    }
    Reflect::get(&parsed, &name.into()).map_err(|e| text_of(&e))
}

/// The JSON text of the body in a proxy's answer (`statusMessage`): as the proxy gave it
/// when text, else written out as JSON ([`text_of`]).
fn status_message(envelope: &str) -> Result<String, String> {
    let message = json_property(envelope, "statusMessage")?;
    if message.is_undefined() {
        return Err("no statusMessage".into());
    }
    Ok(text_of(&message))
}

/// The edge's answer in the proxy's answer, text resolved by `ZOHODESK.request`:
/// `{"response": "{\"status\":\"true\",\"statusMessage\":<body>}"}`.
pub fn answer_body<T: FromJson>(text: &str) -> Result<T, SdkError> {
    parse(&answer_text(text)?).map_err(|e| SdkError::Decode(e.to_string()))
}

/// [`answer_body`]'s JSON text, apart so that its code is not repeated for every `T`.
fn answer_text(text: &str) -> Result<String, SdkError> {
    let response = json_property(text, "response")
        .map_err(SdkError::Decode)?
        .as_string()
        .ok_or_else(|| SdkError::Decode("no response".into()))?;
    status_message(&response).map_err(SdkError::Decode)
}

/// The session in the proxy's answer to the session request.
pub fn session_from_answer(text: &str) -> Result<Session, SdkError> {
    answer_body(text)
}

/// What a refused session request means to the widget, from the text
/// `ZOHODESK.request` rejects with: `{"status": "false", "statusCode", "statusMessage":
/// "<body>"}`, the body the edge's error or the proxy's own refusal (`{"errorCode",
/// "message"}`: a set-up problem, which the agent cannot fix by reloading).
pub fn refusal(text: &str) -> ClientError {
    let body = json_property(text, "statusMessage")
        .ok()
        .and_then(|message| message.as_string())
        .unwrap_or_else(|| text.to_owned());
    if let Ok(ErrorBody { error }) = parse::<ErrorBody>(&body) {
        return match error.code {
            ErrorCode::Unauthorized => ClientError::Unauthorized(error.message),
            _ => ClientError::Api(error),
        };
    }
    match parse::<ProxyRefusal>(&body) {
        Ok(proxy) => ClientError::Api(ApiError::new(ErrorCode::Forbidden, proxy.message)),
        Err(_) => ClientError::Unauthorized(body),
    }
}

/// Zoho's proxy's own refusal: `{"errorCode", "message"}`.
struct ProxyRefusal {
    message: String,
}

impl FromJson for ProxyRefusal {
    fn from_json(value: &JsValue) -> Result<Self, JsonError> {
        Ok(ProxyRefusal {
            message: Fields::of(value)?.get("message")?,
        })
    }
}

impl From<SdkError> for ClientError {
    /// A refusal as the edge or the proxy gave it; anything else is a session the page
    /// could not get, which reloading the helpdesk page may fix.
    fn from(error: SdkError) -> Self {
        match error {
            SdkError::Refused(error) => error,
            other => ClientError::Unauthorized(other.to_string()),
        }
    }
}

/// How long to wait before renewing a session that expires at `expires_at` (seconds since
/// the epoch), `now` being the same clock.
pub fn renew_after(expires_at: u64, now: u64) -> Duration {
    Duration::from_secs(expires_at.saturating_sub(now + RENEW_BEFORE_SECS))
}

/// The page's session as first given (what the fragment, and so every [`crate::api::Client`],
/// holds) and its latest renewal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sessions {
    pub first: String,
    pub latest: String,
}

impl Sessions {
    /// The token to send for `token`: the latest renewal when `token` is the page's
    /// session, else `token` itself.
    pub fn token_for<'a>(&'a self, token: &'a str) -> &'a str {
        if token == self.first {
            &self.latest
        } else {
            token
        }
    }
}

thread_local! {
    static SESSIONS: RefCell<Option<Sessions>> = const { RefCell::new(None) };
}

/// The token to send for `token` (see [`Sessions::token_for`]).
pub fn renewed(token: &str) -> String {
    SESSIONS.with_borrow(|sessions| match sessions {
        Some(sessions) => sessions.token_for(token).to_owned(),
        None => token.to_owned(),
    })
}

/// Whether the page was opened as the extension's page (it is loading Zoho's SDK).
pub fn is_extension_page() -> bool {
    sdk_loaded().is_some()
}

fn sdk_loaded() -> Option<Promise> {
    let window = web_sys::window()?;
    Reflect::get(&window, &SDK_LOADED.into())
        .ok()?
        .dyn_into::<Promise>()
        .ok()
}

/// Text for whatever a promise rejected with or a call threw: a string as it is, an
/// error's message, anything else as JSON.
fn text_of(value: &JsValue) -> String {
    if let Some(error) = value.dyn_ref::<js_sys::Error>() {
        return error.message().into();
    }
    value.as_string().unwrap_or_else(|| {
        JSON::stringify(value)
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_default()
    })
}

/// Calls `ZOHODESK.<path>(arguments...)` now, and gives the promise it returns.
fn invoke(path: &[&str], arguments: &[JsValue]) -> Result<JsFuture, JsValue> {
    let window = web_sys::window().ok_or(JsValue::NULL)?;
    let mut this: JsValue = Reflect::get(&window, &"ZOHODESK".into())?;
    for name in &path[..path.len() - 1] {
        this = Reflect::get(&this, &(*name).into())?;
    }
    let function: Function = Reflect::get(&this, &path[path.len() - 1].into())?.dyn_into()?;
    let arguments: js_sys::Array = arguments.iter().collect();
    let promise: Promise = function.apply(&this, &arguments)?.dyn_into()?;
    Ok(JsFuture::from(promise))
}

/// Calls `ZOHODESK.<path>(arguments...)` and awaits the promise it returns.
async fn call(path: &[&str], arguments: &[JsValue]) -> Result<JsValue, JsValue> {
    invoke(path, arguments)?.await
}

/// `ZOHODESK.get(key)`, asked now; [`get_id`] reads its answer.
fn ask_get(key: &'static str) -> (&'static str, Result<JsFuture, JsValue>) {
    (key, invoke(&["get"], &[key.into()]))
}

/// The string (or number) id `ZOHODESK.get(key)[key]` gave, for an [`ask_get`].
async fn get_id(
    (key, asked): (&str, Result<JsFuture, JsValue>),
    what: &'static str,
) -> Result<String, SdkError> {
    let sdk = |e: JsValue| SdkError::Sdk(text_of(&e));
    let answer = asked.map_err(sdk)?.await.map_err(sdk)?;
    let value = Reflect::get(&answer, &key.into()).map_err(sdk)?;
    id_text(&value).ok_or(SdkError::Missing(what))
}

/// An id as text: a non-empty string as it is, a number as JavaScript writes it.
pub fn id_text(value: &JsValue) -> Option<String> {
    match value.dyn_ref::<js_sys::Number>() {
        Some(number) => number.to_string_with_radix(10).ok().map(String::from),
        None => value.as_string().filter(|id| !id.is_empty()),
    }
}

/// Reads the view through the SDK and asks the edge for a session through Zoho's proxy.
pub async fn start_session() -> Result<Session, SdkError> {
    let loaded = sdk_loaded().ok_or_else(|| SdkError::Sdk("it was not loaded".into()))?;
    let app = JsFuture::from(loaded)
        .await
        .map_err(|e| SdkError::Sdk(text_of(&e)))?;
    let location = Reflect::get(&app, &"location".into())
        .ok()
        .and_then(|l| l.as_string())
        .unwrap_or_default();
    // The three asked at once: each `ZOHODESK.get` is a promise of its own (Zoho Desk
    // extension guide, "Global Methods"), and the SDK takes one key per call.
    let record = record_key(&location).map(ask_get);
    let org = ask_get("portal.id");
    let agent = ask_get("user.id");
    let view = match record {
        Some(asked) => record_in_view(asked.0, get_id(asked, "record").await?),
        None => RecordInView::default(),
    };
    let asked = SessionRequest {
        org: get_id(org, "helpdesk org").await?,
        agent: get_id(agent, "agent").await?,
        profile_id: None,
        view,
    };
    let edge = edge_origin();
    match session(&edge, &asked).await {
        // Zoho's proxy had no installation secret to fill in yet: an administrator's page
        // sets it (see [`finish_installation`]), then asks again.
        Err(SdkError::Refused(ClientError::Unauthorized(message)))
            if message == INSTALLATION_UNFINISHED =>
        {
            finish_installation(&edge, &asked.org).await?;
            session(&edge, &asked).await
        }
        outcome => outcome,
    }
}

/// `ZOHODESK.request(request_object)`: the proxy's answer as text, or its refusal as the
/// widget shows it.
async fn proxied(request_object: Object) -> Result<String, SdkError> {
    call(&["request"], &[request_object.into()])
        .await
        .map(|answer| text_of(&answer))
        .map_err(|e| SdkError::Refused(refusal(&text_of(&e))))
}

async fn session(edge: &str, asked: &SessionRequest) -> Result<Session, SdkError> {
    session_from_answer(&proxied(session_request_object(edge, asked)).await?)
}

/// Finishes the extension's installation in org `org`: asks the edge for the org's
/// installation secret through Zoho's proxy (the edge gives it to an administrator only)
/// and sets it as the extension's secure parameter, which only the extension may set
/// (`ZOHODESK.set("extension.config", {name, value})`, Zoho Desk extension guide, "Set
/// param values"). From then on Zoho's proxy fills it into every session request.
async fn finish_installation(edge: &str, org: &str) -> Result<(), SdkError> {
    let answer = proxied(proxy_request_object(
        edge,
        INSTALLATION_SECRET_PATH,
        &InstallationSecretRequest {
            org: org.to_owned(),
        },
    ))
    .await?;
    let InstallationSecret { secret } = answer_body(&answer)?;
    let value = object(&[
        ("name", INSTALL_SECRET_PARAM.into()),
        ("value", secret.into()),
    ]);
    call(&["set"], &["extension.config".into(), value.into()])
        .await
        .map_err(|e| SdkError::Sdk(text_of(&e)))?;
    Ok(())
}

/// Starts the session, puts it in the fragment (where [`crate::App`] reads it), and renews
/// it [`RENEW_BEFORE_SECS`] before each expiry (see [`renewed`]). `started` runs once, after
/// the first attempt, with its error if it failed. It runs before Leptos is mounted (and its
/// executor set up), hence wasm-bindgen's own `spawn_local`. One loop asks for the first
/// session and every renewal, so the wasm carries that request's code once (issue 17).
pub fn run_session(started: impl FnOnce(Option<SdkError>) + 'static) {
    wasm_bindgen_futures::spawn_local(async move {
        let mut started = Some(started);
        loop {
            let renew_in = match start_session().await {
                Ok(session) => {
                    let now = (js_sys::Date::now() / 1000.0) as u64;
                    let renew_in = renew_after(session.expires_at, now);
                    use_session(session);
                    if let Some(started) = started.take() {
                        started(None);
                    }
                    renew_in
                }
                Err(error) => {
                    match started.take() {
                        Some(started) => started(Some(error)),
                        // The widget shows "session expired" when the token runs out.
                        None => leptos::logging::warn!("renewing the session: {error}"),
                    }
                    return;
                }
            };
            if sleep(renew_in).await.is_err() {
                return;
            }
        }
    });
}

/// Resolves after `duration` (the window's `setTimeout`).
async fn sleep(duration: Duration) -> Result<(), JsValue> {
    let window = web_sys::window().ok_or(JsValue::NULL)?;
    let mut timer = Ok(0);
    let elapsed = Promise::new(&mut |resolve, _| {
        timer = window.set_timeout_with_callback_and_timeout_and_arguments_0(
            &resolve,
            // `setTimeout` takes at most 2^31 - 1 ms (HTML standard, "Timers").
            duration.as_millis().min(i32::MAX as u128) as i32,
        );
    });
    timer?;
    JsFuture::from(elapsed).await.map(|_| ())
}

/// Makes `session` the page's: the first one goes into the fragment, later ones are what
/// calls send ([`renewed`]).
fn use_session(session: Session) {
    let first = SESSIONS.with_borrow_mut(|sessions| match sessions {
        Some(sessions) => {
            sessions.latest = session.token.clone();
            false
        }
        None => {
            *sessions = Some(Sessions {
                first: session.token.clone(),
                latest: session.token.clone(),
            });
            true
        }
    });
    if first && let Some(window) = web_sys::window() {
        // `replace` changes the fragment without a history entry.
        let _ = window
            .location()
            .replace(&hash_for(&session.token, current_is_console()));
    }
}
