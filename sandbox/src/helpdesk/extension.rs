//! Zoho Desk's side of an installed extension: its lifecycle callbacks and the proxy
//! behind `ZOHODESK.request`.
//!
//! An extension is declared in a `plugin-manifest.json` (`whiteListedDomains`, `secret`,
//! `callbackListener`, `config` with secure parameters, `connectors`; Zoho Desk extension
//! guide, "Plugin-manifest"). Installing it here is a test control:
//!
//! - `POST /__sandbox/extension/install` with `{"orgId", "secret", "callbackListener":
//!   {"onInstall": url, "onUninstall": url}, "whiteListedDomains": [...],
//!   "secureParams": {"name": "value"}, "config": [{"name", "secure", "userdefined"}],
//!   "connections": [{"connectionLinkName", "scope": [...]}]}` records the installation
//!   and POSTs the `onInstall` callback:
//!   `{"event": "onInstall", "orgId": <number>, "securityContext": "..."}` with a `HASH`
//!   header, the HMAC-SHA256 of the exact body with the manifest's secret, hex-encoded
//!   ("Platform Event Callbacks", help.zoho.com/portal/en/kb/zoho-crm-platform/
//!   extensions-for-zoho-desk/platform-event-callbacks; the same HASH as the Desk invoke
//!   API's, "an HMAC sha256 ... with the key as app's secret", hex as Zoho's own sample
//!   code computes it with PHP's `hash_hmac`). `POST /__sandbox/extension/uninstall` with
//!   `{"installationId"}` removes it and POSTs `onUninstall` the same way.
//! - `ZOHODESK.request(reqObj)` in a widget reaches Zoho's proxy ("Request Method",
//!   zoho.com/desk/extensions/guide/request-method.html): the URL's origin must be
//!   whitelisted; `{{secure.<name>}}` placeholders are filled from the installation's
//!   secure parameters (and `{{installationId}}`, as in the invoke API's URLs), server
//!   side, so the browser never holds them; a `connectionLinkName` attaches the agent's
//!   OAuth token for that connection (`Authorization: Zoho-oauthtoken ...`); `type` POST
//!   with a `header-override: PATCH` header sends a PATCH. The answer is wrapped as Zoho's
//!   sample extension reads it (zohodesk-developers/extension-samples,
//!   customer-insights/app/js/extension.js): `{"response": "<JSON text of {\"status\":
//!   \"true\", \"statusMessage\": <the body>}>"}`; a failure is `{"status": "false",
//!   "statusCode": n, "statusMessage": "<the body or Zoho's error, as text>"}`.
//!
//! - `ZOHODESK.set("extension.config", {name, value})` sets a declared parameter that is
//!   not user-defined ("Set param values", zoho.com/desk/extensions/guide/
//!   set-param-values.html: "The non-userdefined param only can be updated by set client
//!   API"); until then the proxy fills it empty (sandbox choice).
//! - `POST /__sandbox/extension/upload {"appDir"}` stands for uploading the package;
//!   the demo pages host its `app/` (see [`crate::demo_pages`]).
//!
//! The `{{secure.<name>}}` spelling is issue 16's; the stored guide pages did not show
//! the placeholder syntax.

use super::controls::{bad_request, parse};
use super::{HelpdeskState, lock};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use sha2::Sha256;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// The header carrying a callback's signature.
pub const HASH_HEADER: &str = "HASH";

/// A connection the extension declares (`connectors` in the manifest).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    pub connection_link_name: String,
    pub scope: Vec<String>,
}

/// `callbackListener` in the manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Callbacks {
    #[serde(default)]
    pub on_install: Option<String>,
    #[serde(default)]
    pub on_uninstall: Option<String>,
}

/// What the install control takes: the manifest's parts that matter to Zoho's side, and
/// the values the admin entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InstallRequest {
    /// The organisation installing (default: the demo's).
    #[serde(default)]
    pub org_id: Option<String>,
    pub secret: String,
    #[serde(default)]
    pub callback_listener: Callbacks,
    #[serde(default)]
    pub white_listed_domains: Vec<String>,
    #[serde(default)]
    pub secure_params: BTreeMap<String, String>,
    /// The manifest's `config`: the parameters the extension declares.
    #[serde(default)]
    pub config: Vec<ConfigParam>,
    #[serde(default)]
    pub connections: Vec<Connection>,
}

/// A parameter the extension declares (`config` in the manifest; "Plugin Manifest":
/// `name`, `secure`, `userdefined`, ...). The admin types a user-defined one at install;
/// the extension itself sets the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigParam {
    pub name: String,
    #[serde(default)]
    pub secure: bool,
    #[serde(default)]
    pub userdefined: bool,
}

/// An installed extension.
#[derive(Debug, Clone)]
struct Installation {
    id: String,
    org_id: String,
    security_context: String,
    request: InstallRequest,
}

/// The installed extensions, by installation id, and the uploaded package's pages.
#[derive(Debug, Default)]
pub struct Installations {
    by_id: BTreeMap<String, Installation>,
    /// The `app/` folder of the package uploaded to the sandbox, which it hosts as Zoho
    /// hosts an uploaded package's pages (see [`crate::demo_pages`]).
    package_app: Option<PathBuf>,
}

/// How a lifecycle callback went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallbackOutcome {
    pub url: String,
    pub status: Option<u16>,
    pub error: Option<String>,
}

/// The install control's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Installed {
    pub installation_id: String,
    pub org_id: String,
    pub security_context: String,
    pub callback: Option<CallbackOutcome>,
}

/// `HASH` of a callback body: hex HMAC-SHA256 with the extension's secret.
pub fn hash(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub(super) fn control_routes() -> Router<Arc<HelpdeskState>> {
    Router::new()
        .route("/__sandbox/extension/install", post(install))
        .route("/__sandbox/extension/uninstall", post(uninstall))
        .route("/__sandbox/extension/upload", post(upload))
}

impl HelpdeskState {
    /// Takes the extension's package: its `app/` folder on this machine, whose pages the
    /// demo helpdesk then hosts (a developer uploads the package's zip to Zoho, "Sigma").
    pub fn upload_extension(&self, app_dir: PathBuf) {
        lock(&self.installations).package_app = Some(app_dir);
    }

    /// The uploaded package's `app/` folder, if a package was uploaded.
    pub fn extension_app(&self) -> Option<PathBuf> {
        lock(&self.installations).package_app.clone()
    }

    /// `ZOHODESK.set("extension.config", {name, value})` from a widget of organisation
    /// `org_id`: sets a parameter the extension declares and the admin does not type
    /// (Zoho Desk extension guide, "Set param values": "The non-userdefined param only
    /// can be updated by set client API").
    pub fn set_config_param(&self, org_id: &str, name: &str, value: &str) -> Result<(), String> {
        let mut installations = lock(&self.installations);
        let installation = installations
            .by_id
            .values_mut()
            .rev()
            .find(|i| i.org_id == org_id)
            .ok_or("No extension is installed in this organization.")?;
        let declared = installation
            .request
            .config
            .iter()
            .find(|param| param.name == name)
            .ok_or("The extension declares no such config parameter.")?;
        if declared.userdefined {
            return Err("A user-defined parameter is the administrator's to set.".into());
        }
        installation
            .request
            .secure_params
            .insert(name.to_owned(), value.to_owned());
        Ok(())
    }

    /// Installs the extension in an organisation and calls its `onInstall` callback.
    pub async fn install_extension(&self, request: InstallRequest) -> Result<Installed, String> {
        let org_id = request
            .org_id
            .clone()
            .unwrap_or_else(|| self.org_ids[0].clone());
        let id = self
            .desk_of(&org_id)
            .map(|mut desk| desk.next_id())
            .ok_or_else(|| format!("no organisation has the id {org_id:?}"))?;
        let installation = Installation {
            id: id.clone(),
            org_id: org_id.clone(),
            security_context: shared::random_token(),
            request,
        };
        lock(&self.installations)
            .by_id
            .insert(id.clone(), installation.clone());
        let url = installation.request.callback_listener.on_install.clone();
        let callback = match url {
            Some(url) => Some(
                self.lifecycle_callback(&installation, "onInstall", &url)
                    .await,
            ),
            None => None,
        };
        Ok(Installed {
            installation_id: id,
            org_id,
            security_context: installation.security_context,
            callback,
        })
    }

    /// Uninstalls an extension and calls its `onUninstall` callback.
    pub async fn uninstall_extension(
        &self,
        installation_id: &str,
    ) -> Result<Option<CallbackOutcome>, String> {
        let installation = lock(&self.installations)
            .by_id
            .remove(installation_id)
            .ok_or_else(|| format!("no installation has the id {installation_id:?}"))?;
        let url = installation.request.callback_listener.on_uninstall.clone();
        Ok(match url {
            Some(url) => Some(
                self.lifecycle_callback(&installation, "onUninstall", &url)
                    .await,
            ),
            None => None,
        })
    }

    async fn lifecycle_callback(
        &self,
        installation: &Installation,
        event: &str,
        url: &str,
    ) -> CallbackOutcome {
        // `orgId` is a number in Zoho's sample payload.
        let org: Value = installation
            .org_id
            .parse::<u64>()
            .map_or_else(|_| Value::String(installation.org_id.clone()), Value::from);
        let body = serde_json::to_vec(&json!({
            "event": event,
            "orgId": org,
            "securityContext": installation.security_context,
        }))
        .expect("JSON serializes");
        let answer = self
            .http
            .post(url)
            .header("Content-Type", "application/json")
            .header(HASH_HEADER, hash(&installation.request.secret, &body))
            .body(body)
            .send()
            .await;
        CallbackOutcome {
            url: url.to_owned(),
            status: answer.as_ref().ok().map(|r| r.status().as_u16()),
            error: answer.err().map(|e| e.to_string()),
        }
    }

    /// `ZOHODESK.request(reqObj)` for `agent_id` of `org_id`, as Zoho's proxy runs it.
    pub async fn proxy_request(&self, org_id: &str, agent_id: &str, request: &Value) -> Response {
        match self.prepare(org_id, agent_id, request) {
            Ok(prepared) => forward(&self.http, prepared).await,
            Err(refusal) => refusal.into_response(),
        }
    }

    fn prepare(
        &self,
        org_id: &str,
        agent_id: &str,
        request: &Value,
    ) -> Result<reqwest::Request, ProxyRefusal> {
        let installation = lock(&self.installations)
            .by_id
            .values()
            .rev()
            .find(|i| i.org_id == org_id)
            .cloned()
            .ok_or(ProxyRefusal::new(
                "EXTENSION_NOT_INSTALLED",
                "No extension is installed in this organization.",
            ))?;
        let fill = |value: &Value| substitute(value, &installation);
        let text = |name: &str| {
            request
                .get(name)
                .and_then(Value::as_str)
                .unwrap_or_default()
        };
        let url = fill(&Value::String(text("url").to_owned()))?;
        let mut url = url::Url::parse(url.as_str().unwrap_or_default())
            .map_err(|_| ProxyRefusal::new("INVALID_URL", "The request URL is not a URL."))?;
        let whitelisted = installation
            .request
            .white_listed_domains
            .iter()
            .filter_map(|domain| url::Url::parse(domain).ok())
            .any(|domain| domain.origin() == url.origin());
        if !whitelisted {
            return Err(ProxyRefusal::new(
                "DOMAIN_NOT_WHITELISTED",
                "The request URL's domain is not in the extension's whiteListedDomains.",
            ));
        }
        if let Some(Value::Object(data)) = request.get("data").map(&fill).transpose()? {
            let mut query = url.query_pairs_mut();
            for (name, value) in &data {
                query.append_pair(name, &plain(value));
            }
        }
        let headers = match request.get("headers").map(&fill).transpose()? {
            Some(Value::Object(headers)) => headers,
            _ => Map::new(),
        };
        let mut method = text("type").to_ascii_uppercase();
        let override_patch = headers
            .get("header-override")
            .is_some_and(|v| plain(v).eq_ignore_ascii_case("PATCH"));
        if method == "POST" && override_patch {
            method = "PATCH".into();
        }
        let method = reqwest::Method::from_bytes(method.as_bytes())
            .ok()
            .filter(|m| ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&m.as_str()))
            .ok_or(ProxyRefusal::new(
                "INVALID_METHOD",
                "type is GET, POST, PUT, PATCH or DELETE.",
            ))?;
        let mut forwarded = reqwest::Request::new(method, url);
        for (name, value) in headers.iter().filter(|(n, _)| *n != "header-override") {
            let name = HeaderName::from_bytes(name.as_bytes());
            let value = HeaderValue::from_str(&plain(value));
            if let (Ok(name), Ok(value)) = (name, value) {
                forwarded.headers_mut().insert(name, value);
            }
        }
        if let Some(link) = request
            .get("connectionLinkName")
            .and_then(Value::as_str)
            .filter(|l| !l.is_empty())
        {
            let connection = installation
                .request
                .connections
                .iter()
                .find(|c| c.connection_link_name == link)
                .ok_or(ProxyRefusal::new(
                    "INVALID_CONNECTION",
                    "The extension has no connection with this connectionLinkName.",
                ))?;
            let token = lock(&self.accounts).connection_token(
                org_id,
                agent_id,
                &connection.scope,
                self.clock.now_ms(),
            );
            let value = HeaderValue::from_str(&format!("Zoho-oauthtoken {token}"))
                .expect("tokens are header-safe");
            forwarded
                .headers_mut()
                .insert(axum::http::header::AUTHORIZATION, value);
        }
        if let Some(body) = request.get("postBody").map(&fill).transpose()? {
            let empty = body.is_null() || body.as_object().is_some_and(Map::is_empty);
            if !empty {
                let bytes = match &body {
                    Value::String(text) => text.clone().into_bytes(),
                    other => serde_json::to_vec(other).expect("JSON serializes"),
                };
                forwarded
                    .headers_mut()
                    .entry(axum::http::header::CONTENT_TYPE)
                    .or_insert(HeaderValue::from_static("application/json"));
                *forwarded.body_mut() = Some(bytes.into());
            }
        }
        Ok(forwarded)
    }
}

/// A value as text: strings as they are, anything else as JSON.
fn plain(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// `value` with every `{{secure.<name>}}` and `{{installationId}}` in its strings filled.
fn substitute(value: &Value, installation: &Installation) -> Result<Value, ProxyRefusal> {
    Ok(match value {
        Value::String(text) => Value::String(fill_text(text, installation)?),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| substitute(item, installation))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| Ok((k.clone(), substitute(v, installation)?)))
                .collect::<Result<_, ProxyRefusal>>()?,
        ),
        other => other.clone(),
    })
}

fn fill_text(text: &str, installation: &Installation) -> Result<String, ProxyRefusal> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(end) = rest[start..].find("}}") else {
            break;
        };
        let name = rest[start + 2..start + end].trim();
        let value = if name == "installationId" {
            installation.id.clone()
        } else if let Some(param) = name.strip_prefix("secure.") {
            let request = &installation.request;
            match request.secure_params.get(param) {
                Some(value) => value.clone(),
                // Declared, with no value yet: filled empty (sandbox choice; the guide
                // does not say what the proxy sends then).
                None if request.config.iter().any(|c| c.name == param && c.secure) => String::new(),
                None => {
                    return Err(ProxyRefusal::new(
                        "INVALID_PLACEHOLDER",
                        "The request names a secure parameter the installation does not have.",
                    ));
                }
            }
        } else {
            // Not a placeholder Zoho fills: left as written.
            rest[start..start + end + 2].to_owned()
        };
        out.push_str(&rest[..start]);
        out.push_str(&value);
        rest = &rest[start + end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// A request the proxy will not forward.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ProxyRefusal {
    code: &'static str,
    message: &'static str,
}

impl ProxyRefusal {
    fn new(code: &'static str, message: &'static str) -> Self {
        ProxyRefusal { code, message }
    }
}

impl IntoResponse for ProxyRefusal {
    fn into_response(self) -> Response {
        let message = json!({"errorCode": self.code, "message": self.message}).to_string();
        (
            StatusCode::BAD_REQUEST,
            Json(json!({"status": "false", "statusCode": 400, "statusMessage": message})),
        )
            .into_response()
    }
}

/// Sends the prepared request and wraps the answer as Zoho's proxy does.
async fn forward(http: &reqwest::Client, request: reqwest::Request) -> Response {
    let answer = match http.execute(request).await {
        Ok(answer) => answer,
        Err(error) => {
            let message = json!({"errorCode": "REQUEST_FAILED", "message": error.to_string()});
            return Json(
                json!({"status": "false", "statusCode": 502, "statusMessage": message.to_string()}),
            )
            .into_response();
        }
    };
    let status = answer.status().as_u16();
    let text = answer.text().await.unwrap_or_default();
    if (200..300).contains(&status) {
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        let inner = json!({"status": "true", "statusMessage": body}).to_string();
        Json(json!({ "response": inner })).into_response()
    } else {
        Json(json!({"status": "false", "statusCode": status, "statusMessage": text}))
            .into_response()
    }
}

async fn install(State(state): State<Arc<HelpdeskState>>, body: Bytes) -> Response {
    let request: InstallRequest = match parse(&body) {
        Ok(request) => request,
        Err(response) => return *response,
    };
    match state.install_extension(request).await {
        Ok(installed) => Json(installed).into_response(),
        Err(message) => bad_request(message),
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct UploadBody {
    app_dir: PathBuf,
}

async fn upload(State(state): State<Arc<HelpdeskState>>, body: Bytes) -> Response {
    let body: UploadBody = match parse(&body) {
        Ok(body) => body,
        Err(response) => return *response,
    };
    if !body.app_dir.join("widget.html").is_file() {
        return bad_request(format!(
            "{} holds no widget.html: upload the package's app/ folder",
            body.app_dir.display()
        ));
    }
    state.upload_extension(body.app_dir);
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct UninstallBody {
    installation_id: String,
}

async fn uninstall(State(state): State<Arc<HelpdeskState>>, body: Bytes) -> Response {
    let body: UninstallBody = match parse(&body) {
        Ok(body) => body,
        Err(response) => return *response,
    };
    match state.uninstall_extension(&body.installation_id).await {
        Ok(callback) => Json(json!({ "callback": callback })).into_response(),
        Err(message) => bad_request(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn installation() -> Installation {
        Installation {
            id: "77".into(),
            org_id: "1".into(),
            security_context: "ctx".into(),
            request: InstallRequest {
                org_id: None,
                secret: "s".into(),
                callback_listener: Callbacks::default(),
                white_listed_domains: vec![],
                secure_params: [("apiKey".to_owned(), "k-123".to_owned())].into(),
                config: vec![ConfigParam {
                    name: "unset".into(),
                    secure: true,
                    userdefined: false,
                }],
                connections: vec![],
            },
        }
    }

    #[test]
    fn secure_parameters_are_filled_and_unknown_ones_refused() {
        let i = installation();
        let filled = substitute(
            &json!({"Authorization": "Key {{secure.apiKey}}", "path": "/x/{{installationId}}/{{ other }}", "n": 3}),
            &i,
        )
        .unwrap();
        assert_eq!(
            filled,
            json!({"Authorization": "Key k-123", "path": "/x/77/{{ other }}", "n": 3})
        );
        assert_eq!(
            substitute(&json!("{{secure.nope}}"), &i).unwrap_err().code,
            "INVALID_PLACEHOLDER"
        );
        // Declared, not set yet: empty.
        assert_eq!(
            substitute(&json!("[{{secure.unset}}]"), &i).unwrap(),
            json!("[]")
        );
    }

    #[test]
    fn the_hash_is_hex_hmac_sha256_of_the_body() {
        // RFC 4231 test case 2.
        assert_eq!(
            hash("Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
