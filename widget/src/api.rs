//! A small typed client for the edge's JSON API. The shapes are [`contract::api`]'s; this
//! module only adds transport (the browser's `fetch`, same origin) and error mapping.
//! It calls `fetch` through web-sys itself rather than through an HTTP crate: the agent
//! panel's bundle then carries no request builder it does not use (issue 17). The agent
//! panel's calls read and write JSON through the browser ([`crate::wire`]); the admin
//! console's go through serde, which only the console's bundle carries.

use crate::json::{FromJson, ToJson, parse};
use contract::api::{
    Action, ActionDone, ActionOn, ApiError, ErrorBody, ErrorCode, PANEL_CHOICE_PATH, PANEL_PATH,
    PANEL_SEARCH_PATH, Panel, PanelChoice, PanelQuery, SearchHit,
};
use contract::ids::SfId;
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, RequestInit, Response, UrlSearchParams};

/// Why a call to the edge did not produce its answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// The page has no context token, so there is nobody to ask on behalf of.
    #[error("this panel was opened without a helpdesk context")]
    MissingToken,
    /// The request never got an HTTP answer (offline, DNS, connection reset, CORS).
    #[error("could not reach sfdesk: {0}")]
    Network(String),
    /// The edge refused the context token (missing, forged or expired).
    #[error("{0}")]
    Unauthorized(String),
    /// The edge answered with a well-formed error.
    #[error("{0}")]
    Api(ApiError),
    /// The edge answered with something that is not the contract's shape.
    #[error("unexpected answer from sfdesk (HTTP {status}): {detail}")]
    Decode { status: u16, detail: String },
}

impl ClientError {
    /// Whether asking again, unchanged, may succeed. An expired token or a refusal will
    /// not change by retrying; an outage may.
    pub fn is_retryable(&self) -> bool {
        match self {
            ClientError::MissingToken | ClientError::Unauthorized(_) => false,
            ClientError::Api(error) => error.code != ErrorCode::Forbidden,
            ClientError::Network(_) | ClientError::Decode { .. } => true,
        }
    }
}

/// The HTTP methods the edge's API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

/// Calls the edge on behalf of one context token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    /// Origin (and optional path prefix) of the edge; empty means the page's own origin.
    base: String,
    token: String,
}

impl Client {
    /// A client for this page's edge: the one the extension's package names
    /// ([`crate::zoho::edge_base`]), else the one that served the page.
    pub fn new(token: impl Into<String>) -> Self {
        Client::with_base(crate::zoho::edge_base(), token)
    }

    /// A client for an edge at `base` (e.g. `http://127.0.0.1:8787`).
    pub fn with_base(base: impl Into<String>, token: impl Into<String>) -> Self {
        Client {
            base: base.into().trim_end_matches('/').to_owned(),
            token: token.into(),
        }
    }

    /// The context token this client calls with.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The absolute (or, for the page's own origin, root-relative) URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `GET` [`PANEL_PATH`]: what the agent panel shows for the context's requester.
    pub async fn panel(&self) -> Result<Panel, ClientError> {
        self.panel_with(&PanelQuery::default()).await
    }

    /// `GET` [`PANEL_PATH`] with the agent's pick among several contacts (`?contact=`),
    /// a record opened instead (`?record=`), and `?fresh=true` to skip the edge's copy.
    pub async fn panel_with(&self, query: &PanelQuery) -> Result<Panel, ClientError> {
        // Ids are 15 or 18 letters and digits: nothing to escape.
        let pairs = [
            query.contact.as_ref().map(|id| ("contact", id.as_str())),
            query.record.as_ref().map(|id| ("record", id.as_str())),
            query.fresh.then_some(("fresh", "true")),
        ];
        let (status, body) = self
            .call(Method::Get, PANEL_PATH, pairs.into_iter().flatten(), None)
            .await?;
        decode_response(status, &body)
    }

    /// `GET` [`PANEL_SEARCH_PATH`]: Salesforce records whose name contains `text`.
    pub async fn search(&self, text: &str) -> Result<Vec<SearchHit>, ClientError> {
        let (status, body) = self
            .call(Method::Get, PANEL_SEARCH_PATH, [("q", text)], None)
            .await?;
        decode_response(status, &body)
    }

    /// `POST` [`PANEL_CHOICE_PATH`]: the requester is this contact (remembered for the
    /// ticket). Any 2xx answer is a yes; its body is not read.
    pub async fn choose(&self, contact: &SfId) -> Result<(), ClientError> {
        let choice = PanelChoice {
            contact: contact.clone(),
        };
        let (status, text) = self
            .call(Method::Post, PANEL_CHOICE_PATH, [], Some(choice.to_json()))
            .await?;
        no_content(status, &text)
    }

    /// `POST` [`Action::path`]: takes `action`, about `record` where it needs one (with
    /// the [`ActionOn`] body; the others have none).
    pub async fn act(
        &self,
        action: Action,
        record: Option<&SfId>,
    ) -> Result<ActionDone, ClientError> {
        let body = record.map(|record| {
            ActionOn {
                record: record.clone(),
            }
            .to_json()
        });
        let (status, text) = self.call(Method::Post, action.path(), [], body).await?;
        decode_response(status, &text)
    }

    /// `GET path`, answered with a `T` (the console's calls, through serde).
    pub async fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        self.send_json(Method::Get, path, None::<&()>).await
    }

    /// `method path` with `body` as JSON (when given), answered with a `T` (the console's
    /// calls, through serde).
    pub async fn send_json<B, T>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<T, ClientError>
    where
        B: Serialize + ?Sized,
        T: DeserializeOwned,
    {
        let (status, text) = self.call(method, path, [], serde_body(body)?).await?;
        if !(200..300).contains(&status) {
            return Err(refusal(status, &text));
        }
        serde_json::from_str(&text).map_err(|error| ClientError::Decode {
            status,
            detail: error.to_string(),
        })
    }

    /// `GET path`, answered with text (a file to save, such as a CSV export).
    pub async fn get_text(&self, path: &str) -> Result<String, ClientError> {
        let (status, text) = self.call(Method::Get, path, [], None).await?;
        no_content(status, &text).map(|()| text)
    }

    /// `method path` with `body` as JSON (when given; through serde), where any 2xx answer
    /// is a yes and its body (often none: 204) is not read.
    pub async fn send_no_content<B>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<(), ClientError>
    where
        B: Serialize + ?Sized,
    {
        let (status, text) = self.call(method, path, [], serde_body(body)?).await?;
        no_content(status, &text)
    }

    /// The one place a request is built and sent: the token, JSON in (`body`, when given)
    /// and out, never a browser-cached answer (a refresh must show what the edge knows now).
    async fn call<'q>(
        &self,
        method: Method,
        path: &str,
        query: impl IntoIterator<Item = (&'q str, &'q str)>,
        body: Option<String>,
    ) -> Result<(u16, String), ClientError> {
        let mut url = self.url(path);
        let params = UrlSearchParams::new().map_err(network)?;
        for (name, value) in query {
            params.append(name, value);
        }
        let query = String::from(params.to_string());
        if !query.is_empty() {
            url.push('?');
            url.push_str(&query);
        }
        let headers = Headers::new().map_err(network)?;
        let bearer = format!("Bearer {}", crate::zoho::renewed(&self.token));
        headers.set("Authorization", &bearer).map_err(network)?;
        headers.set("Accept", "application/json").map_err(network)?;
        let init = RequestInit::new();
        init.set_method(method.as_str());
        // No `cache: "no-store"` here: the edge answers everything `Cache-Control: no-store`,
        // so the browser keeps none of it anyway, and a no-store request would also skip
        // Chromium's cache of CORS preflights, costing every page load a preflight.
        if let Some(json) = body {
            headers
                .set("Content-Type", "application/json")
                .map_err(network)?;
            init.set_body(&JsValue::from_str(&json));
        }
        init.set_headers(&headers);
        send(&url, &init).await
    }
}

/// `body` as JSON text, through serde.
fn serde_body<B: Serialize + ?Sized>(body: Option<&B>) -> Result<Option<String>, ClientError> {
    body.map(serde_json::to_string)
        .transpose()
        .map_err(|error| ClientError::Network(error.to_string()))
}

/// Sends a request; the answer's status and body text.
async fn send(url: &str, init: &RequestInit) -> Result<(u16, String), ClientError> {
    let window = web_sys::window()
        .ok_or_else(|| ClientError::Network("this page has no window to fetch from".to_owned()))?;
    let response: Response = JsFuture::from(window.fetch_with_str_and_init(url, init))
        .await
        .map_err(network)?
        .unchecked_into();
    let body = JsFuture::from(response.text().map_err(network)?)
        .await
        .map_err(network)?;
    Ok((response.status(), body.as_string().unwrap_or_default()))
}

/// A failed `fetch` (or a request it refused to build) as the browser explains it: a
/// `TypeError`'s message, or whatever else was thrown.
fn network(thrown: JsValue) -> ClientError {
    let reason = match thrown.dyn_ref::<js_sys::Error>() {
        Some(error) => String::from(error.message()),
        None => thrown.as_string().unwrap_or_else(|| format!("{thrown:?}")),
    };
    ClientError::Network(reason)
}

/// Turns an HTTP answer into the contract's value or a [`ClientError`]: 2xx bodies are
/// `T`, every other body should be an [`ErrorBody`].
pub fn decode_response<T: FromJson>(status: u16, body: &str) -> Result<T, ClientError> {
    if !(200..300).contains(&status) {
        return Err(refusal(status, body));
    }
    parse(body).map_err(|error| ClientError::Decode {
        status,
        detail: error.to_string(),
    })
}

/// An answer whose body is not read: any 2xx is a yes.
fn no_content(status: u16, body: &str) -> Result<(), ClientError> {
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(refusal(status, body))
    }
}

/// A non-2xx answer as the widget shows it: the edge's [`ErrorBody`], else a missing or
/// expired session for a 401, else an answer outside the contract.
fn refusal(status: u16, body: &str) -> ClientError {
    match parse::<ErrorBody>(body) {
        Ok(ErrorBody { error }) if error.code == ErrorCode::Unauthorized => {
            ClientError::Unauthorized(error.message)
        }
        Ok(ErrorBody { error }) => ClientError::Api(error),
        Err(_) if status == 401 => {
            ClientError::Unauthorized("the helpdesk session is missing or has expired".to_owned())
        }
        Err(error) => ClientError::Decode {
            status,
            detail: error.to_string(),
        },
    }
}
