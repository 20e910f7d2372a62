//! Zoho's OAuth server (accounts.zoho.com) as the sandbox plays it for the helpdesk: the
//! authorization-code flow with an agent's consent, the refresh grant, revocation, and
//! the access tokens the API gate checks.
//!
//! - `GET /oauth/v2/auth` shows the sign-in and consent page; `POST /oauth/v2/auth` is its
//!   form. Allowing redirects to the client's registered URI with `code`, `location` and
//!   `accounts-server`; a code works once, for 2 minutes (Zoho Accounts, "Get
//!   authorization code", zoho.com/accounts/protocol/oauth/web-apps/authorization.html;
//!   "Multi DC support" for `location` and `accounts-server`).
//! - `POST /oauth/v2/token`: `grant_type=authorization_code` answers `access_token`,
//!   `refresh_token` (with `access_type=offline`), `scope`, `api_domain`, `token_type`
//!   `Bearer`, `expires_in` 3600; `grant_type=refresh_token` answers the same without a
//!   refresh token ("Get access token", .../web-apps/access-token.html; "Refresh access
//!   token"). Parameters come in the query or the form body, as Zoho takes both.
//! - Token errors are HTTP 200 with `{"error": "invalid_code"}` (an unknown, expired,
//!   used or revoked code or refresh token) or `invalid_client`: Zoho answers errors on
//!   this endpoint with 200 (seen by every client library, e.g. league/oauth2-client's
//!   "IdentityProviderException(code: 200): invalid_code").
//! - `POST /oauth/v2/token/revoke?token=` answers `{"status":"success"}`, or 400 for an
//!   unknown token; revoking a refresh token ends the access tokens made from it ("Revoke
//!   OAuth tokens", zoho.com/accounts/protocol/oauth/revoke-refresh-token.html).
//!
//! Data centres: a real grant lives in one data centre, whose accounts server (US
//! accounts.zoho.com, EU accounts.zoho.eu, IN accounts.zoho.in, AU accounts.zoho.com.au,
//! JP accounts.zoho.jp, CA accounts.zohocloud.ca, CN accounts.zoho.com.cn) issues and
//! refreshes it and whose Desk host (desk.zoho.com, .eu, .in, .com.au, .jp,
//! desk.zohocloud.ca, desk.zoho.com.cn) answers the API. The sandbox is one data centre:
//! its helpdesk listener is both, `location` is `us`, and `api_domain` is its own URL.

use super::{DeskError, HelpdeskState, lock};
use crate::{demo, html};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// Authorization codes work this long ("valid for 2 minutes").
const CODE_LIFETIME_MS: i64 = 2 * 60 * 1000;

/// Access tokens work this long (`expires_in` 3600).
pub const ACCESS_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

/// The scopes the sandbox knows: `Desk.<area>.<operation>` for the areas its API serves.
const AREAS: &[&str] = &[
    "basic", "settings", "tickets", "contacts", "search", "events", "imports",
];
const OPERATIONS: &[&str] = &["READ", "CREATE", "UPDATE", "DELETE", "ALL", "CUSTOM"];

/// A client registered in Zoho's API console ("Server-based Applications").
#[derive(Debug, Clone)]
pub struct OAuthClient {
    pub name: String,
    pub client_id: String,
    pub client_secret: String,
    /// Exact-match authorized redirect URIs.
    pub redirect_uris: Vec<String>,
}

/// Who a call's token speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub org_id: String,
    pub agent_id: String,
    /// The granted scopes; `None` for the static demo token, which may do anything.
    scopes: Option<Vec<String>>,
}

impl Caller {
    /// Whether one of `any_of` (`Desk.contacts.READ`, ...) is granted, directly or through
    /// its area's `ALL`.
    pub fn may(&self, any_of: &[String]) -> bool {
        let Some(granted) = &self.scopes else {
            return true;
        };
        any_of.iter().any(|needed| {
            granted.iter().any(|scope| {
                scope.eq_ignore_ascii_case(needed)
                    || needed
                        .rsplit_once('.')
                        .is_some_and(|(area, _)| scope.eq_ignore_ascii_case(&format!("{area}.ALL")))
            })
        })
    }
}

#[derive(Debug, Clone)]
struct Grant {
    client_id: String,
    org_id: String,
    agent_id: String,
    scopes: Vec<String>,
}

struct Code {
    grant: Grant,
    redirect_uri: String,
    offline: bool,
    expires_ms: i64,
}

struct AccessToken {
    caller: Caller,
    /// `None`: never expires (the static demo token).
    expires_ms: Option<i64>,
    /// The refresh token it came from: revoking that ends this too.
    refresh_token: Option<String>,
}

/// Why a presented access token does not work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenProblem {
    Unknown,
    Expired,
}

/// The OAuth server's state: clients, codes and tokens.
pub struct Accounts {
    clients: Vec<OAuthClient>,
    codes: HashMap<String, Code>,
    refresh_tokens: HashMap<String, Grant>,
    access_tokens: HashMap<String, AccessToken>,
    token_lifetime_ms: i64,
}

impl Accounts {
    pub fn new(clients: Vec<OAuthClient>, token_lifetime: Duration) -> Self {
        Accounts {
            clients,
            codes: HashMap::new(),
            refresh_tokens: HashMap::new(),
            access_tokens: HashMap::new(),
            token_lifetime_ms: i64::try_from(token_lifetime.as_millis()).unwrap_or(i64::MAX),
        }
    }

    /// A token that never expires and may do anything, for `agent_id` of `org_id`: the
    /// demo's static `HELPDESK_API_TOKEN`, a stand-in until the product holds real grants.
    pub fn add_static_token(&mut self, token: &str, org_id: &str, agent_id: &str) {
        self.access_tokens.insert(
            token.to_owned(),
            AccessToken {
                caller: Caller {
                    org_id: org_id.to_owned(),
                    agent_id: agent_id.to_owned(),
                    scopes: None,
                },
                expires_ms: None,
                refresh_token: None,
            },
        );
    }

    /// Who `token` speaks for at `now_ms`.
    pub fn caller(&self, token: &str, now_ms: i64) -> Result<Caller, TokenProblem> {
        let access = self.access_tokens.get(token).ok_or(TokenProblem::Unknown)?;
        if access.expires_ms.is_some_and(|at| at <= now_ms) {
            return Err(TokenProblem::Expired);
        }
        Ok(access.caller.clone())
    }

    fn client(&self, client_id: &str) -> Option<&OAuthClient> {
        self.clients.iter().find(|c| c.client_id == client_id)
    }

    fn issue_access(&mut self, grant: &Grant, refresh_token: Option<&str>, now_ms: i64) -> String {
        let token = zoho_token();
        self.access_tokens.insert(
            token.clone(),
            AccessToken {
                caller: Caller {
                    org_id: grant.org_id.clone(),
                    agent_id: grant.agent_id.clone(),
                    scopes: Some(grant.scopes.clone()),
                },
                expires_ms: Some(now_ms + self.token_lifetime_ms),
                refresh_token: refresh_token.map(str::to_owned),
            },
        );
        token
    }

    /// A connection's token for an agent, as Zoho's proxy attaches one: a fresh access
    /// token with `scopes`, issued to no client.
    pub fn connection_token(
        &mut self,
        org_id: &str,
        agent_id: &str,
        scopes: &[String],
        now_ms: i64,
    ) -> String {
        let grant = Grant {
            client_id: String::new(),
            org_id: org_id.to_owned(),
            agent_id: agent_id.to_owned(),
            scopes: scopes.to_vec(),
        };
        self.issue_access(&grant, None, now_ms)
    }

    /// Revokes every grant of `org_id` and its tokens, as an admin removing the app's
    /// access would (the static demo token stays).
    pub fn revoke_org(&mut self, org_id: &str) {
        self.refresh_tokens.retain(|_, g| g.org_id != org_id);
        self.access_tokens
            .retain(|_, t| t.caller.org_id != org_id || t.expires_ms.is_none());
    }

    /// Ends every access token now (refresh tokens keep working).
    pub fn expire_access_tokens(&mut self) {
        self.access_tokens.retain(|_, t| t.expires_ms.is_none());
    }
}

/// `1000.<32 hex>.<32 hex>`: the shape of Zoho's tokens and codes.
fn zoho_token() -> String {
    let hex = |bytes: [u8; 16]| -> String { bytes.iter().map(|b| format!("{b:02x}")).collect() };
    format!(
        "1000.{}.{}",
        hex(shared::random_bytes()),
        hex(shared::random_bytes())
    )
}

pub(super) fn routes() -> Router<Arc<HelpdeskState>> {
    Router::new()
        .route("/oauth/v2/auth", get(consent_page).post(consent_submit))
        .route("/oauth/v2/token", post(token))
        .route("/oauth/v2/token/revoke", post(revoke))
}

// ---------------------------------------------------------------------------------------
// The authorization endpoint

/// An authorization request that names a registered client and one of its redirect URIs.
struct Request {
    client_name: String,
    client_id: String,
    redirect_uri: String,
    state: Option<String>,
    scopes: Vec<String>,
    offline: bool,
}

/// A request Zoho shows an error page for, or one it redirects back with an error.
enum Refusal {
    Page(&'static str),
    Redirect {
        redirect_uri: String,
        error: &'static str,
        state: Option<String>,
    },
}

fn parse_scopes(text: &str) -> Option<Vec<String>> {
    // Zoho separates scopes with commas; spaces are taken too.
    let scopes: Vec<String> = text
        .split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let known = |scope: &str| {
        let parts: Vec<&str> = scope.split('.').collect();
        parts.len() == 3
            && parts[0].eq_ignore_ascii_case("Desk")
            && AREAS.iter().any(|a| a.eq_ignore_ascii_case(parts[1]))
            && OPERATIONS.iter().any(|o| o.eq_ignore_ascii_case(parts[2]))
    };
    (!scopes.is_empty() && scopes.iter().all(|s| known(s))).then_some(scopes)
}

fn validate(state: &HelpdeskState, params: &HashMap<String, String>) -> Result<Request, Refusal> {
    let accounts = lock(&state.accounts);
    let get = |name: &str| params.get(name).map(String::as_str).unwrap_or_default();
    let Some(client) = accounts.client(get("client_id")) else {
        return Err(Refusal::Page(
            "Invalid Client: the client_id is not registered.",
        ));
    };
    let redirect_uri = get("redirect_uri").to_owned();
    if !client.redirect_uris.contains(&redirect_uri) {
        return Err(Refusal::Page(
            "Invalid Redirect Uri: the redirect_uri is not registered for this client.",
        ));
    }
    let refuse = |error| Refusal::Redirect {
        redirect_uri: redirect_uri.clone(),
        error,
        state: params.get("state").cloned(),
    };
    if get("response_type") != "code" {
        return Err(refuse("unsupported_response_type"));
    }
    let scopes = parse_scopes(get("scope")).ok_or_else(|| refuse("invalid_scope"))?;
    Ok(Request {
        client_name: client.name.clone(),
        client_id: client.client_id.clone(),
        redirect_uri: redirect_uri.clone(),
        state: params.get("state").cloned(),
        scopes,
        offline: get("access_type") == "offline",
    })
}

/// A 302 to `base` with `pairs` added to its query.
fn redirect(base: &str, pairs: &[(&str, &str)]) -> Response {
    let mut url = url::Url::parse(base).expect("registered redirect URIs parse");
    url.query_pairs_mut().extend_pairs(pairs);
    (StatusCode::FOUND, [(header::LOCATION, url.to_string())]).into_response()
}

fn refusal_response(refusal: Refusal) -> Response {
    match refusal {
        Refusal::Page(message) => html::respond(
            StatusCode::BAD_REQUEST,
            &ErrorPage {
                title: "Zoho Accounts",
                message,
            },
        ),
        Refusal::Redirect {
            redirect_uri,
            error,
            state,
        } => {
            let mut pairs = vec![("error", error)];
            pairs.extend(state.as_deref().map(|s| ("state", s)));
            redirect(&redirect_uri, &pairs)
        }
    }
}

#[derive(Template)]
#[template(path = "desk/oauth_error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: &'a str,
}

#[derive(Template)]
#[template(path = "desk/consent.html")]
struct ConsentPage<'a> {
    title: &'a str,
    client: &'a str,
    error: Option<&'a str>,
    /// The authorization request, carried through the form.
    hidden: Vec<(&'a str, &'a str)>,
    email: &'a str,
    scopes: &'a [String],
}

/// The parameters of an authorization request that the form carries back.
const REQUEST_PARAMS: [&str; 7] = [
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "access_type",
    "prompt",
    "state",
];

fn consent(params: &HashMap<String, String>, request: &Request, error: Option<&str>) -> Response {
    let hidden = REQUEST_PARAMS
        .iter()
        .filter_map(|name| Some((*name, params.get(*name)?.as_str())))
        .collect();
    let page = ConsentPage {
        title: "Zoho Accounts",
        client: &request.client_name,
        error,
        hidden,
        email: params.get("email").map(String::as_str).unwrap_or_default(),
        scopes: &request.scopes,
    };
    let status = if error.is_some() {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    };
    html::respond(status, &page)
}

async fn consent_page(
    State(state): State<Arc<HelpdeskState>>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    match validate(&state, &params) {
        Ok(request) => consent(&params, &request, None),
        Err(refusal) => refusal_response(refusal),
    }
}

async fn consent_submit(State(state): State<Arc<HelpdeskState>>, body: Bytes) -> Response {
    let params: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let request = match validate(&state, &params) {
        Ok(request) => request,
        Err(refusal) => return refusal_response(refusal),
    };
    if params.get("action").map(String::as_str) != Some("accept") {
        return refusal_response(Refusal::Redirect {
            redirect_uri: request.redirect_uri,
            error: "access_denied",
            state: request.state,
        });
    }
    let email = params.get("email").map(String::as_str).unwrap_or_default();
    let password = params
        .get("password")
        .map(String::as_str)
        .unwrap_or_default();
    let Some((org_id, agent_id)) = state.sign_in(email, password) else {
        return consent(
            &params,
            &request,
            Some("Invalid email address or password."),
        );
    };
    let code = zoho_token();
    let now = state.clock.now_ms();
    {
        let mut accounts = lock(&state.accounts);
        accounts.codes.retain(|_, c| c.expires_ms > now);
        accounts.codes.insert(
            code.clone(),
            Code {
                grant: Grant {
                    client_id: request.client_id,
                    org_id,
                    agent_id,
                    scopes: request.scopes,
                },
                redirect_uri: request.redirect_uri.clone(),
                offline: request.offline,
                expires_ms: now + CODE_LIFETIME_MS,
            },
        );
    }
    let mut pairs = vec![
        ("code", code.as_str()),
        ("location", "us"),
        ("accounts-server", state.base_url.as_str()),
    ];
    pairs.extend(request.state.as_deref().map(|s| ("state", s)));
    redirect(&request.redirect_uri, &pairs)
}

// ---------------------------------------------------------------------------------------
// The token endpoint

/// A token endpoint answer, as Zoho writes it.
#[derive(Debug, Serialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    scope: String,
    api_domain: String,
    token_type: &'static str,
    expires_in: u64,
}

/// Zoho's token errors: HTTP 200 with an `error`.
fn token_error(error: &'static str) -> Response {
    Json(json!({ "error": error })).into_response()
}

/// Query and form parameters together (the form wins).
fn parameters(query: HashMap<String, String>, body: &[u8]) -> HashMap<String, String> {
    let mut params = query;
    params.extend(url::form_urlencoded::parse(body).into_owned());
    params
}

async fn token(
    State(state): State<Arc<HelpdeskState>>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let params = parameters(query, &body);
    let get = |name: &str| params.get(name).map(String::as_str).unwrap_or_default();
    let now = state.clock.now_ms();
    let mut accounts = lock(&state.accounts);
    let client_ok = accounts.client(get("client_id")).is_some_and(|c| {
        shared::constant_time_eq(c.client_secret.as_bytes(), get("client_secret").as_bytes())
    });
    if !client_ok {
        return token_error("invalid_client");
    }
    let (grant, refresh_token) = match get("grant_type") {
        "authorization_code" => {
            let Some(code) = accounts.codes.remove(get("code")) else {
                return token_error("invalid_code");
            };
            if code.expires_ms <= now || code.grant.client_id != get("client_id") {
                return token_error("invalid_code");
            }
            if code.redirect_uri != get("redirect_uri") {
                return token_error("invalid_redirect_uri");
            }
            let refresh = code.offline.then(zoho_token);
            if let Some(refresh) = &refresh {
                accounts
                    .refresh_tokens
                    .insert(refresh.clone(), code.grant.clone());
            }
            (code.grant, refresh)
        }
        "refresh_token" => {
            let Some(grant) = accounts
                .refresh_tokens
                .get(get("refresh_token"))
                .filter(|g| g.client_id == get("client_id"))
                .cloned()
            else {
                return token_error("invalid_code");
            };
            // A refresh answers a new access token, not a new refresh token.
            let access = accounts.issue_access(&grant, Some(get("refresh_token")), now);
            return answer(&state, &accounts, access, None, &grant);
        }
        _ => return token_error("unsupported_grant_type"),
    };
    let access = accounts.issue_access(&grant, refresh_token.as_deref(), now);
    answer(&state, &accounts, access, refresh_token, &grant)
}

fn answer(
    state: &HelpdeskState,
    accounts: &Accounts,
    access_token: String,
    refresh_token: Option<String>,
    grant: &Grant,
) -> Response {
    let expires_in = u64::try_from(accounts.token_lifetime_ms / 1000).unwrap_or(u64::MAX);
    Json(TokenAnswer {
        access_token,
        refresh_token,
        scope: grant.scopes.join(" "),
        api_domain: state.base_url.clone(),
        token_type: "Bearer",
        expires_in,
    })
    .into_response()
}

async fn revoke(
    State(state): State<Arc<HelpdeskState>>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let params = parameters(query, &body);
    let token = params.get("token").map(String::as_str).unwrap_or_default();
    let mut accounts = lock(&state.accounts);
    let known = if accounts.refresh_tokens.remove(token).is_some() {
        accounts
            .access_tokens
            .retain(|_, t| t.refresh_token.as_deref() != Some(token));
        true
    } else {
        accounts
            .access_tokens
            .get(token)
            .is_some_and(|t| t.expires_ms.is_some())
            && accounts.access_tokens.remove(token).is_some()
    };
    if known {
        Json(json!({"status": "success"})).into_response()
    } else {
        (
            StatusCode::BAD_REQUEST,
            Json(json!({"status": "failure", "error": "invalid_token"})),
        )
            .into_response()
    }
}

impl HelpdeskState {
    /// The organisation and agent whose sign-in this is: any agent of any organisation,
    /// with the sandbox's one password.
    fn sign_in(&self, email: &str, password: &str) -> Option<(String, String)> {
        if !shared::constant_time_eq(
            password.as_bytes(),
            demo::HELPDESK_AGENT_PASSWORD.as_bytes(),
        ) {
            return None;
        }
        self.desks().find_map(|desk| {
            let desk = lock(desk);
            let agent = desk.agent_by_email(email)?;
            (agent.status == "ACTIVE").then(|| (desk.org_id.clone(), agent.id.clone()))
        })
    }

    /// Who `token` speaks for, or Zoho's 401 for a token it does not take.
    pub(super) fn caller(&self, token: &str) -> Result<Caller, DeskError> {
        lock(&self.accounts)
            .caller(token, self.clock.now_ms())
            .map_err(|_| DeskError::invalid_oauth())
    }

    /// Ends every helpdesk access token now; refresh tokens keep working.
    pub fn expire_access_tokens(&self) {
        lock(&self.accounts).expire_access_tokens();
    }

    /// Revokes every grant of `org_id`, as its admin removing the app would.
    pub fn revoke_org_grants(&self, org_id: &str) {
        lock(&self.accounts).revoke_org(org_id);
    }
}

/// What a route needs of the caller's scopes: any one of these.
pub(super) fn required_scopes(method: &axum::http::Method, route: &str) -> Vec<String> {
    use axum::http::Method;
    let rest = route.trim_start_matches("/api/v1/");
    let area = match rest.split('/').next().unwrap_or_default() {
        "contacts" | "accounts" => "contacts",
        "tickets" => "tickets",
        "webhooks" => "events",
        "imports" | "importMappings" | "importErrorLog" => "imports",
        "organizationFields" => "settings",
        _ => "basic",
    };
    let operation = if area == "imports" {
        "CUSTOM"
    } else if rest.ends_with("/moveToTrash") || *method == Method::DELETE {
        "DELETE"
    } else if rest.ends_with("/updateMany") || *method == Method::PATCH {
        "UPDATE"
    } else if *method == Method::POST {
        "CREATE"
    } else {
        "READ"
    };
    let mut scopes = vec![format!("Desk.{area}.{operation}")];
    match area {
        // A search is a search scope's or the module's read (the API spec lists both).
        _ if rest.ends_with("/search") => scopes.push("Desk.search.READ".to_owned()),
        // Org metadata is `basic` or `settings` reading.
        "basic" | "settings" if operation == "READ" => {
            scopes.push("Desk.basic.READ".to_owned());
            scopes.push("Desk.settings.READ".to_owned());
        }
        _ => {}
    }
    scopes
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Method;

    fn caller(scopes: &[&str]) -> Caller {
        Caller {
            org_id: "1".into(),
            agent_id: "2".into(),
            scopes: Some(scopes.iter().map(|s| (*s).to_owned()).collect()),
        }
    }

    #[test]
    fn scopes_are_checked_by_area_and_operation() {
        let reader = caller(&["Desk.contacts.READ", "Desk.basic.READ"]);
        let read = required_scopes(&Method::GET, "/api/v1/contacts/{id}");
        let update = required_scopes(&Method::PATCH, "/api/v1/contacts/{id}");
        assert!(reader.may(&read));
        assert!(!reader.may(&update));
        assert!(caller(&["Desk.contacts.ALL"]).may(&update));
        assert!(reader.may(&required_scopes(&Method::GET, "/api/v1/contacts/search")));
        assert!(reader.may(&required_scopes(&Method::GET, "/api/v1/myinfo")));
        assert!(!reader.may(&required_scopes(&Method::POST, "/api/v1/webhooks")));
        assert!(
            caller(&["Desk.events.ALL"]).may(&required_scopes(&Method::POST, "/api/v1/webhooks"))
        );
        assert_eq!(
            required_scopes(&Method::POST, "/api/v1/contacts/moveToTrash"),
            ["Desk.contacts.DELETE"]
        );
        assert_eq!(
            required_scopes(&Method::POST, "/api/v1/imports"),
            ["Desk.imports.CUSTOM"]
        );
    }

    #[test]
    fn unknown_scopes_refuse_the_request() {
        assert_eq!(
            parse_scopes("Desk.contacts.ALL,Desk.basic.READ").unwrap(),
            ["Desk.contacts.ALL", "Desk.basic.READ"]
        );
        assert!(parse_scopes("Desk.contacts.ALL Desk.events.ALL").is_some());
        assert!(parse_scopes("ZohoCRM.modules.ALL").is_none());
        assert!(parse_scopes("").is_none());
    }

    #[test]
    fn access_tokens_expire_and_refresh_tokens_outlive_them() {
        let mut accounts = Accounts::new(Vec::new(), Duration::from_secs(3600));
        let grant = Grant {
            client_id: "c".into(),
            org_id: "1".into(),
            agent_id: "2".into(),
            scopes: vec!["Desk.basic.READ".into()],
        };
        let token = accounts.issue_access(&grant, None, 0);
        assert_eq!(accounts.caller(&token, 3_599_999).unwrap().agent_id, "2");
        assert_eq!(
            accounts.caller(&token, 3_600_000),
            Err(TokenProblem::Expired)
        );
        assert_eq!(accounts.caller("nope", 0), Err(TokenProblem::Unknown));
        accounts.add_static_token("static", "1", "2");
        assert!(accounts.caller("static", i64::MAX).is_ok());
        accounts.expire_access_tokens();
        assert!(accounts.caller("static", 0).is_ok());
        assert!(zoho_token().starts_with("1000.") && zoho_token().len() == 70);
    }
}
