//! OAuth 2.0 as a Salesforce org runs it: the web-server flow with PKCE (a login and
//! consent page, then a code), the refresh and username-password grants, revocation and
//! the identity URL. Error bodies and token responses follow the wire notes.

use super::{SalesforceState, lock};
use crate::html;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use contract::ids::SfId;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::json;
use sha2::Sha256;
use shared::salesforce::TokenResponse;
use std::collections::HashMap;
use std::sync::Arc;

/// Authorization codes live this long, as Salesforce's do.
const CODE_LIFETIME_MS: i64 = 15 * 60 * 1000;

/// Scopes a connected app may request.
const KNOWN_SCOPES: &[&str] = &[
    "api",
    "refresh_token",
    "offline_access",
    "full",
    "id",
    "openid",
    "profile",
    "email",
    "web",
];

/// A connected app as registered in the org.
#[derive(Debug, Clone)]
pub struct ConnectedApp {
    pub name: String,
    pub client_id: String,
    pub client_secret: String,
    /// Exact-match callback URLs, as Salesforce compares them.
    pub callback_urls: Vec<String>,
    pub require_pkce: bool,
    /// Scopes granted when the request names none.
    pub default_scope: String,
}

/// A user who can sign in. The matching `User` record lives in the org's store.
#[derive(Debug, Clone)]
pub struct User {
    pub id: SfId,
    pub username: String,
    pub password: String,
}

struct AuthCode {
    client_id: String,
    redirect_uri: String,
    user: SfId,
    challenge: Option<String>,
    scope: String,
    expires_ms: i64,
}

struct Session {
    user: SfId,
    expires_ms: i64,
    /// The refresh token this session came from: revoking that ends this too.
    refresh_token: Option<String>,
}

struct RefreshGrant {
    client_id: String,
    user: SfId,
    scope: String,
}

pub(super) struct Auth {
    apps: Vec<ConnectedApp>,
    users: Vec<User>,
    codes: HashMap<String, AuthCode>,
    sessions: HashMap<String, Session>,
    refresh_tokens: HashMap<String, RefreshGrant>,
}

impl Auth {
    pub(super) fn new(apps: Vec<ConnectedApp>, users: Vec<User>) -> Self {
        Auth {
            apps,
            users,
            codes: HashMap::new(),
            sessions: HashMap::new(),
            refresh_tokens: HashMap::new(),
        }
    }

    /// The user behind a live access token.
    pub(super) fn session_user(&self, token: &str, now_ms: i64) -> Option<SfId> {
        self.sessions
            .get(token)
            .filter(|s| s.expires_ms > now_ms)
            .map(|s| s.user.clone())
    }

    pub(super) fn expire_sessions(&mut self) {
        self.sessions.clear();
    }

    /// No session outlives `deadline_ms` (early token expiry).
    pub(super) fn cap_sessions(&mut self, deadline_ms: i64) {
        for session in self.sessions.values_mut() {
            session.expires_ms = session.expires_ms.min(deadline_ms);
        }
    }

    /// Every access and refresh token issued and still known, for tests that look for
    /// them where they must not be (storage, logs, responses).
    pub(super) fn issued_tokens(&self) -> Vec<String> {
        self.sessions
            .keys()
            .chain(self.refresh_tokens.keys())
            .cloned()
            .collect()
    }

    /// Revokes every refresh token (and the sessions issued from them), as an admin
    /// revoking the connected app's access in Salesforce Setup would.
    pub(super) fn revoke_all(&mut self) {
        let revoked: Vec<String> = self
            .refresh_tokens
            .drain()
            .map(|(token, _)| token)
            .collect();
        self.sessions.retain(|_, s| {
            s.refresh_token
                .as_ref()
                .is_none_or(|token| !revoked.contains(token))
        });
    }

    fn app(&self, client_id: &str) -> Option<&ConnectedApp> {
        self.apps.iter().find(|a| a.client_id == client_id)
    }

    fn sign_in(&self, username: &str, password: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|u| u.username.eq_ignore_ascii_case(username.trim()) && u.password == password)
    }
}

pub(super) fn routes() -> Router<Arc<SalesforceState>> {
    Router::new()
        .route(
            "/services/oauth2/authorize",
            get(authorize_page).post(authorize_submit),
        )
        .route("/services/oauth2/token", post(token))
        .route("/services/oauth2/revoke", post(revoke).get(revoke_get))
        .route("/id/{org}/{user}", get(identity))
}

// ---------------------------------------------------------------------------------------
// The authorization endpoint

#[derive(Debug, Default, Deserialize)]
struct AuthorizeParams {
    response_type: Option<String>,
    client_id: Option<String>,
    redirect_uri: Option<String>,
    state: Option<String>,
    scope: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    login_hint: Option<String>,
}

#[derive(Debug, Deserialize)]
struct AuthorizeForm {
    #[serde(flatten)]
    params: AuthorizeParams,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    action: String,
}

/// A request that names a registered app and one of its callbacks: from here on,
/// problems are reported to the app by redirect.
struct ValidRequest {
    app_name: String,
    client_id: String,
    redirect_uri: String,
    state: Option<String>,
    scope: String,
    challenge: Option<String>,
}

enum Refusal {
    /// Never redirect to a URL the app did not register: show the error here.
    Page(String),
    /// Tell the app, at its registered callback.
    Redirect {
        redirect_uri: String,
        error: &'static str,
        description: &'static str,
        state: Option<String>,
    },
}

fn validate(state: &SalesforceState, params: &AuthorizeParams) -> Result<ValidRequest, Refusal> {
    let auth = lock(&state.auth);
    let client_id = params.client_id.clone().unwrap_or_default();
    let Some(app) = auth.app(&client_id) else {
        return Err(Refusal::Page(
            "invalid_client_id: client identifier invalid".into(),
        ));
    };
    let redirect_uri = params.redirect_uri.clone().unwrap_or_default();
    if !app.callback_urls.contains(&redirect_uri) {
        return Err(Refusal::Page(
            "redirect_uri_mismatch: redirect_uri must match configuration".into(),
        ));
    }
    let refuse = |error, description| Refusal::Redirect {
        redirect_uri: redirect_uri.clone(),
        error,
        description,
        state: params.state.clone(),
    };
    if params.response_type.as_deref() != Some("code") {
        return Err(refuse(
            "unsupported_response_type",
            "response type not supported",
        ));
    }
    let challenge = params.code_challenge.clone().filter(|c| !c.is_empty());
    match (&challenge, params.code_challenge_method.as_deref()) {
        (None, _) if app.require_pkce => {
            return Err(refuse("invalid_request", "missing required code challenge"));
        }
        (Some(_), method) if method.unwrap_or("S256") != "S256" => {
            return Err(refuse(
                "invalid_request",
                "unsupported code challenge method",
            ));
        }
        _ => {}
    }
    let requested = params.scope.as_deref().unwrap_or(&app.default_scope);
    let scopes: Vec<&str> = requested.split_whitespace().collect();
    if scopes.iter().any(|s| !KNOWN_SCOPES.contains(s)) {
        return Err(refuse(
            "invalid_scope",
            "the requested scope is not allowed",
        ));
    }
    Ok(ValidRequest {
        app_name: app.name.clone(),
        client_id,
        redirect_uri,
        state: params.state.clone(),
        scope: scopes.join(" "),
        challenge,
    })
}

async fn authorize_page(
    State(state): State<Arc<SalesforceState>>,
    Query(params): Query<AuthorizeParams>,
) -> Response {
    match validate(&state, &params) {
        Ok(request) => login_page(&params, &request, None),
        Err(refusal) => refusal_response(refusal),
    }
}

async fn authorize_submit(
    State(state): State<Arc<SalesforceState>>,
    Form(form): Form<AuthorizeForm>,
) -> Response {
    let request = match validate(&state, &form.params) {
        Ok(request) => request,
        Err(refusal) => return refusal_response(refusal),
    };
    if form.action != "allow" {
        return redirect_with(
            &request.redirect_uri,
            &[
                ("error", "access_denied"),
                ("error_description", "end-user denied authorization"),
            ],
            request.state.as_deref(),
        );
    }
    let mut auth = lock(&state.auth);
    let Some(user) = auth.sign_in(&form.username, &form.password).cloned() else {
        drop(auth);
        let mut params = form.params;
        params.login_hint = Some(form.username);
        return login_page(
            &params,
            &request,
            Some(
                "Please check your username and password. If you still can't log in, \
                 contact your Salesforce administrator.",
            ),
        );
    };
    let now = state.clock.now_ms();
    auth.codes.retain(|_, c| c.expires_ms > now);
    // Real codes are base64 with `==` padding, so clients must URL-decode them.
    let code = format!("aPrx{}==", random_token(33));
    auth.codes.insert(
        code.clone(),
        AuthCode {
            client_id: request.client_id,
            redirect_uri: request.redirect_uri.clone(),
            user: user.id,
            challenge: request.challenge,
            scope: request.scope,
            expires_ms: now + CODE_LIFETIME_MS,
        },
    );
    redirect_with(
        &request.redirect_uri,
        &[("code", code.as_str())],
        request.state.as_deref(),
    )
}

/// A 302 to `base` with `pairs` (and `state` when the request had one) added to its query.
fn redirect_with(base: &str, pairs: &[(&str, &str)], state: Option<&str>) -> Response {
    let mut url = url::Url::parse(base).expect("registered callback URLs parse");
    {
        let mut query = url.query_pairs_mut();
        for (key, value) in pairs {
            query.append_pair(key, value);
        }
        if let Some(state) = state {
            query.append_pair("state", state);
        }
    }
    // 302 Found, as Salesforce answers (axum's `Redirect::to` would send 303).
    (StatusCode::FOUND, [(header::LOCATION, url.to_string())]).into_response()
}

fn refusal_response(refusal: Refusal) -> Response {
    match refusal {
        Refusal::Redirect {
            redirect_uri,
            error,
            description,
            state,
        } => redirect_with(
            &redirect_uri,
            &[("error", error), ("error_description", description)],
            state.as_deref(),
        ),
        Refusal::Page(message) => {
            let page = RefusalPage {
                title: "Authorization error",
                message: &message,
            };
            html::respond(StatusCode::BAD_REQUEST, &page)
        }
    }
}

#[derive(Template)]
#[template(path = "org/refusal.html")]
struct RefusalPage<'a> {
    title: &'a str,
    message: &'a str,
}

#[derive(Template)]
#[template(path = "org/login.html")]
struct LoginPage<'a> {
    title: &'a str,
    error: Option<&'a str>,
    /// The authorization request, carried through the form: name and value.
    hidden: Vec<(&'a str, &'a str)>,
    username: &'a str,
    app: &'a str,
    /// What the requested scopes allow, in words.
    scopes: Vec<&'static str>,
}

fn login_page(params: &AuthorizeParams, request: &ValidRequest, error: Option<&str>) -> Response {
    let hidden = [
        ("response_type", params.response_type.as_deref()),
        ("client_id", params.client_id.as_deref()),
        ("redirect_uri", params.redirect_uri.as_deref()),
        ("state", params.state.as_deref()),
        ("scope", params.scope.as_deref()),
        ("code_challenge", params.code_challenge.as_deref()),
        (
            "code_challenge_method",
            params.code_challenge_method.as_deref(),
        ),
    ]
    .into_iter()
    .filter_map(|(name, value)| Some((name, value?)))
    .collect();
    let mut scopes: Vec<&str> = request
        .scope
        .split_whitespace()
        .map(scope_description)
        .collect();
    scopes.dedup();
    let page = LoginPage {
        title: "Log in | Sandbox Org",
        error,
        hidden,
        username: params.login_hint.as_deref().unwrap_or_default(),
        app: &request.app_name,
        scopes,
    };
    html::respond(StatusCode::OK, &page)
}

fn scope_description(scope: &str) -> &'static str {
    match scope {
        "api" => "Manage user data via APIs (api)",
        "refresh_token" | "offline_access" => {
            "Perform requests at any time (refresh_token, offline_access)"
        }
        "full" => "Full access (full)",
        "id" | "openid" | "profile" | "email" => {
            "Access the identity URL service (id, profile, email)"
        }
        "web" => "Manage user data via Web browsers (web)",
        _ => "Other access",
    }
}

// ---------------------------------------------------------------------------------------
// The token endpoint

fn oauth_error(error: &str, description: &str) -> Response {
    let mut response = super::json_response(
        StatusCode::BAD_REQUEST,
        &json!({"error": error, "error_description": description}),
    );
    no_store(response.headers_mut());
    response
}

fn no_store(headers: &mut HeaderMap) {
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache,must-revalidate,max-age=0,no-store,private"),
    );
}

/// Client credentials from the form, or from HTTP Basic authentication.
fn client_credentials(headers: &HeaderMap, form: &TokenForm) -> (String, Option<String>) {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b64| STANDARD.decode(b64.trim()).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|pair| {
            pair.split_once(':')
                .map(|(id, secret)| (id.to_owned(), secret.to_owned()))
        });
    match basic {
        Some((id, secret)) => (id, Some(secret)),
        None => (
            form.get("client_id").cloned().unwrap_or_default(),
            form.get("client_secret").cloned(),
        ),
    }
}

/// What a successful grant hands out, before tokens are minted.
struct Granted {
    user: SfId,
    scope: String,
    refresh: Refresh,
}

enum Refresh {
    /// The grant includes a new refresh token (the code flow with that scope).
    Issue,
    /// The session comes from this refresh token; Salesforce does not rotate it.
    From(String),
    /// No refresh token at all (the username-password flow).
    None,
}

/// A token-endpoint refusal: `error` and `error_description`.
struct OAuthError(&'static str, &'static str);

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        oauth_error(self.0, self.1)
    }
}

/// The token endpoint's form fields.
type TokenForm = HashMap<String, String>;

fn param<'a>(form: &'a TokenForm, name: &str) -> Option<&'a str> {
    form.get(name).map(String::as_str).filter(|v| !v.is_empty())
}

async fn token(
    State(state): State<Arc<SalesforceState>>,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> Response {
    let now = state.clock.now_ms();
    let (client_id, client_secret) = client_credentials(&headers, &form);
    let mut auth = lock(&state.auth);
    let grant_type = param(&form, "grant_type").unwrap_or_default();
    if !matches!(
        grant_type,
        "authorization_code" | "refresh_token" | "password"
    ) {
        return oauth_error("unsupported_grant_type", "grant type not supported");
    }
    let Some(app) = auth.app(&client_id).cloned() else {
        return oauth_error("invalid_client_id", "client identifier invalid");
    };
    // A confidential app: the secret must come with every grant.
    if client_secret.as_deref() != Some(app.client_secret.as_str()) {
        return oauth_error("invalid_client", "invalid client credentials");
    }
    let granted = match grant_type {
        "authorization_code" => code_grant(&mut auth, &form, &client_id, now),
        "refresh_token" => refresh_grant(&auth, &form, &client_id),
        _ => password_grant(&auth, &form, &app),
    };
    let granted = match granted {
        Ok(granted) => granted,
        Err(refused) => return refused.into_response(),
    };

    let (new_refresh_token, session_parent) = match granted.refresh {
        Refresh::Issue => {
            let token = format!("5Aep861{}", random_token(48));
            auth.refresh_tokens.insert(
                token.clone(),
                RefreshGrant {
                    client_id: client_id.clone(),
                    user: granted.user.clone(),
                    scope: granted.scope.clone(),
                },
            );
            (Some(token.clone()), Some(token))
        }
        Refresh::From(token) => (None, Some(token)),
        Refresh::None => (None, None),
    };
    let access = issue_session(
        &mut auth,
        &state,
        granted.user.clone(),
        session_parent.as_deref(),
    );
    drop(auth);
    token_response(
        &state,
        &app,
        access,
        new_refresh_token,
        &granted.user,
        &granted.scope,
        now,
    )
}

fn code_grant(
    auth: &mut Auth,
    form: &TokenForm,
    client_id: &str,
    now: i64,
) -> Result<Granted, OAuthError> {
    let code = param(form, "code").ok_or(OAuthError(
        "invalid_request",
        "missing required parameter: code",
    ))?;
    // Codes are single-use: whatever happens next, this one is spent.
    let grant = auth
        .codes
        .remove(code)
        .filter(|g| g.expires_ms > now && g.client_id == client_id)
        .ok_or(OAuthError("invalid_grant", "expired authorization code"))?;
    if param(form, "redirect_uri") != Some(grant.redirect_uri.as_str()) {
        return Err(OAuthError(
            "redirect_uri_mismatch",
            "redirect_uri must match configuration",
        ));
    }
    if let Some(challenge) = &grant.challenge {
        let verified = param(form, "code_verifier")
            .is_some_and(|verifier| shared::pkce::verifies(verifier, challenge));
        if !verified {
            return Err(OAuthError("invalid_grant", "invalid code verifier"));
        }
    }
    let offline = grant
        .scope
        .split_whitespace()
        .any(|s| matches!(s, "refresh_token" | "offline_access" | "full"));
    Ok(Granted {
        user: grant.user,
        scope: grant.scope,
        refresh: if offline {
            Refresh::Issue
        } else {
            Refresh::None
        },
    })
}

fn refresh_grant(auth: &Auth, form: &TokenForm, client_id: &str) -> Result<Granted, OAuthError> {
    let missing = OAuthError(
        "invalid_request",
        "missing required parameter: refresh_token",
    );
    let token = param(form, "refresh_token").ok_or(missing)?;
    let grant = auth
        .refresh_tokens
        .get(token)
        .filter(|g| g.client_id == client_id)
        .ok_or(OAuthError("invalid_grant", "expired access/refresh token"))?;
    Ok(Granted {
        user: grant.user.clone(),
        scope: grant.scope.clone(),
        refresh: Refresh::From(token.to_owned()),
    })
}

fn password_grant(
    auth: &Auth,
    form: &TokenForm,
    app: &ConnectedApp,
) -> Result<Granted, OAuthError> {
    let username = param(form, "username").unwrap_or_default();
    let password = param(form, "password").unwrap_or_default();
    let user = auth
        .sign_in(username, password)
        .ok_or(OAuthError("invalid_grant", "authentication failure"))?;
    // No refresh token in this flow, so the grant does not claim that scope.
    let scope = app
        .default_scope
        .split_whitespace()
        .filter(|s| !matches!(*s, "refresh_token" | "offline_access"))
        .collect::<Vec<_>>()
        .join(" ");
    Ok(Granted {
        user: user.id.clone(),
        scope,
        refresh: Refresh::None,
    })
}

fn issue_session(
    auth: &mut Auth,
    state: &SalesforceState,
    user: SfId,
    refresh_token: Option<&str>,
) -> String {
    let now = state.clock.now_ms();
    auth.sessions.retain(|_, s| s.expires_ms > now);
    let org_id = lock(&state.org).org_id.clone();
    // `<15-char org id>!<opaque>`, the shape of a real session id.
    let token = format!("{}!AQ{}", &org_id.as_str()[..15], random_token(72));
    let lifetime = i64::try_from(state.token_lifetime().as_millis()).unwrap_or(i64::MAX / 2);
    auth.sessions.insert(
        token.clone(),
        Session {
            user,
            expires_ms: now.saturating_add(lifetime),
            refresh_token: refresh_token.map(str::to_owned),
        },
    );
    token
}

/// A session for the SOAP `login` call: the user's Id and an access token, or `None`
/// for bad credentials.
pub(super) fn password_session(
    state: &SalesforceState,
    username: &str,
    password: &str,
) -> Option<(String, SfId)> {
    let mut auth = lock(&state.auth);
    let user = auth.sign_in(username, password)?.id.clone();
    let token = issue_session(&mut auth, state, user.clone(), None);
    Some((token, user))
}

fn token_response(
    state: &SalesforceState,
    app: &ConnectedApp,
    access_token: String,
    refresh_token: Option<String>,
    user: &SfId,
    scope: &str,
    now_ms: i64,
) -> Response {
    let org_id = lock(&state.org).org_id.clone();
    let id = format!("{}/id/{org_id}/{user}", state.base_url);
    let issued_at = now_ms.to_string();
    // As Salesforce signs it: HMAC-SHA256 of id + issued_at, keyed by the client secret.
    let mut mac = Hmac::<Sha256>::new_from_slice(app.client_secret.as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(id.as_bytes());
    mac.update(issued_at.as_bytes());
    let signature = STANDARD.encode(mac.finalize().into_bytes());
    let body = TokenResponse {
        access_token,
        refresh_token,
        instance_url: state.base_url.clone(),
        id,
        issued_at,
        signature,
        token_type: "Bearer".into(),
        scope: Some(scope.to_owned()),
    };
    let mut response = super::json_response(StatusCode::OK, &body);
    no_store(response.headers_mut());
    response
}

/// Random URL-safe text; `.` replaces base64's `-` so tokens look like Salesforce's.
fn random_token(len: usize) -> String {
    let mut text = String::new();
    while text.len() < len {
        text.push_str(&shared::random_token());
    }
    text.truncate(len);
    text.replace('-', ".")
}

// ---------------------------------------------------------------------------------------
// Revocation and identity

#[derive(Debug, Deserialize)]
struct RevokeParams {
    #[serde(default)]
    token: String,
}

async fn revoke(
    State(state): State<Arc<SalesforceState>>,
    Form(params): Form<RevokeParams>,
) -> Response {
    revoke_token(&state, &params.token)
}

async fn revoke_get(
    State(state): State<Arc<SalesforceState>>,
    Query(params): Query<RevokeParams>,
) -> Response {
    revoke_token(&state, &params.token)
}

/// Revoking a refresh token also ends every session issued from it.
fn revoke_token(state: &SalesforceState, token: &str) -> Response {
    let mut auth = lock(&state.auth);
    if auth.refresh_tokens.remove(token).is_some() {
        auth.sessions
            .retain(|_, s| s.refresh_token.as_deref() != Some(token));
        return StatusCode::OK.into_response();
    }
    if auth.sessions.remove(token).is_some() {
        return StatusCode::OK.into_response();
    }
    oauth_error("unsupported_token_type", "this token type is not supported")
}

async fn identity(
    State(state): State<Arc<SalesforceState>>,
    Path((org, user)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let now = state.clock.now_ms();
    let caller =
        super::bearer_token(&headers).and_then(|token| lock(&state.auth).session_user(token, now));
    let Some(caller) = caller else {
        return (StatusCode::FORBIDDEN, "Bad_OAuth_Token").into_response();
    };
    let org_id = state.org_id();
    let same = |text: &str, id: &SfId| SfId::parse(text).is_ok_and(|t| &t == id);
    if !same(&org, &org_id) || !same(&user, &caller) {
        return (StatusCode::FORBIDDEN, "Bad_Id").into_response();
    }
    let store = lock(&state.org);
    let Some(record) = store.get(&caller) else {
        return (StatusCode::NOT_FOUND, "Bad_Id").into_response();
    };
    let base = &state.base_url;
    // Salesforce really sends a literal `{version}` placeholder in these URLs.
    let data = |path: &str| format!("{base}/services/data/v{{version}}/{path}");
    let body = json!({
        "id": format!("{base}/id/{org_id}/{caller}"),
        "asserted_user": true,
        "user_id": caller.as_str(),
        "organization_id": org_id.as_str(),
        "username": record["Username"],
        "nick_name": record["Username"].as_str().and_then(|u| u.split('@').next()),
        "display_name": record["Name"],
        "email": record["Email"],
        "email_verified": true,
        "first_name": record["FirstName"],
        "last_name": record["LastName"],
        "active": record["IsActive"],
        "user_type": "STANDARD",
        "language": "en_US",
        "locale": "en_US",
        "utcOffset": 0,
        "last_modified_date": record["LastModifiedDate"],
        "urls": {
            "rest": data(""),
            "sobjects": data("sobjects/"),
            "query": data("query/"),
            "profile": format!("{base}/{caller}"),
        },
    });
    super::json_response(StatusCode::OK, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_tokens_have_salesforce_characters() {
        let token = random_token(72);
        assert_eq!(token.len(), 72);
        assert!(
            token
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
        );
        assert_ne!(token, random_token(72));
    }

    #[test]
    fn redirects_keep_the_callback_query_and_encode_values() {
        let response = redirect_with(
            "https://edge.example/cb?x=1",
            &[("code", "aPrx+/==")],
            Some("s t"),
        );
        assert_eq!(response.status(), StatusCode::FOUND);
        let location = response.headers()[header::LOCATION].to_str().unwrap();
        assert_eq!(
            location,
            "https://edge.example/cb?x=1&code=aPrx%2B%2F%3D%3D&state=s+t"
        );
    }
}
