//! Connecting a Salesforce org (the OAuth 2.0 web-server flow with PKCE), and the start
//! of connecting the org's helpdesk, which runs the same way (its callback:
//! [`super::helpdesk_oauth`]).
//!
//! The console asks `start_code` (with its context token, as any API call) for a one-time
//! code, then opens `start?code=` in a popup: no context token in a URL, where logs and
//! history would keep it. The callback carries no context token: the `state` names the org and is checked,
//! single-use, against what that org's Durable Object stored when the flow began, and the
//! browser must bring back the cookie `start` set, so an approval given in someone else's
//! browser (a sent-on authorize link) connects nothing.

use super::caller::bearer_context;
use crate::config::Config;
use crate::error::EdgeError;
use crate::integration::{
    self, AuthorizeRedirect, Command, ConnectedOrg, OTHER_BROWSER, PENDING_TTL_MS,
};
use contract::admin::StartCode;
use contract::admin::{HELPDESK_OAUTH_START_PATH, OAUTH_START_PATH};
use contract::context::Role;
use contract::side::Side;
use serde::Deserialize;
use shared::url_tag::Purpose;
use worker::{Env, Request, Response};

/// The cookie holding the starting browser's nonce. Scoped to the side's OAuth paths;
/// SameSite Lax, since the callback is a top-level navigation back from the consent page.
const NONCE_COOKIE: &str = "sfdesk_oauth";

/// Where the side's start and callback live, for the nonce cookie's `Path`.
fn cookie_path(side: Side) -> &'static str {
    let start = match side {
        Side::Salesforce => OAUTH_START_PATH,
        Side::Helpdesk => HELPDESK_OAUTH_START_PATH,
    };
    start.trim_end_matches("/start")
}

pub async fn start_code(
    request: &Request,
    env: &Env,
    config: &Config,
    side: Side,
) -> Result<Response, EdgeError> {
    let claims = bearer_context(request, config)?;
    if claims.role != Role::Admin {
        return Err(EdgeError::Forbidden(match side {
            Side::Salesforce => "only helpdesk administrators can connect Salesforce",
            Side::Helpdesk => "only helpdesk administrators can connect the helpdesk",
        }));
    }
    let code: StartCode =
        integration::call(env, &claims.org, &Command::IssueStartCode { side }).await?;
    Ok(Response::from_json(&code)?)
}

#[derive(Deserialize)]
struct StartQuery {
    code: Option<String>,
}

pub async fn start(
    request: &Request,
    env: &Env,
    config: &Config,
    side: Side,
) -> Result<Response, EdgeError> {
    let query: StartQuery = request.query()?;
    let code = query.code.ok_or_else(|| {
        EdgeError::BadRequest(
            "The connect link lacks its code. Start connecting again in the admin console.".into(),
        )
    })?;
    let org =
        integration::org_of_token(config, Purpose::OAuthStartCode, &code).ok_or_else(|| {
            EdgeError::BadRequest("The connect link's code is not one sfdesk issued.".into())
        })?;
    let browser_nonce = shared::random_token();
    let redirect: AuthorizeRedirect = integration::call(
        env,
        &org,
        &Command::BeginOAuth {
            start_code: code,
            browser_nonce: browser_nonce.clone(),
            side,
        },
    )
    .await?;
    let response = Response::empty()?.with_status(302);
    response
        .headers()
        .set("Location", &redirect.authorize_url)?;
    let secure = if config.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    response.headers().set(
        "Set-Cookie",
        &format!(
            "{NONCE_COOKIE}={browser_nonce}; Path={}; Max-Age={}; HttpOnly; SameSite=Lax{secure}",
            cookie_path(side),
            PENDING_TTL_MS / 1000
        ),
    )?;
    Ok(response)
}

/// The nonce cookie's value, if the browser sent it.
pub(super) fn browser_nonce(request: &Request) -> Result<Option<String>, EdgeError> {
    let Some(header) = request.headers().get("Cookie")? else {
        return Ok(None);
    };
    Ok(header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == NONCE_COOKIE)
        .map(|(_, value)| value.to_owned()))
}

#[derive(Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// What a browser brings back to an OAuth callback, checked as far as the Worker can: the
/// org its `state` names (a MAC of ours) and the nonce cookie set at the start; the org's
/// Durable Object then checks both against the flow it stored.
pub(super) struct Returned {
    pub org: String,
    pub code: String,
    pub state: String,
    pub browser_nonce: String,
}

pub(super) fn returned(
    request: &Request,
    config: &Config,
    code: Option<String>,
    state: Option<String>,
) -> Result<Returned, EdgeError> {
    let (Some(code), Some(state)) = (code, state) else {
        return Err(EdgeError::BadRequest(
            "the callback lacks `code` or `state`".into(),
        ));
    };
    let org = integration::org_of_token(config, Purpose::OAuthState, &state)
        .ok_or_else(|| EdgeError::BadRequest("the `state` is not one sfdesk issued".into()))?;
    let browser_nonce =
        browser_nonce(request)?.ok_or_else(|| EdgeError::BadRequest(OTHER_BROWSER.into()))?;
    Ok(Returned {
        org,
        code,
        state,
        browser_nonce,
    })
}

/// Always answers with a page a person can read, since a browser lands here.
pub async fn callback(request: &Request, env: &Env, config: &Config) -> Response {
    let outcome = complete(request, env, config).await.map(|org| {
        format!(
            "sfdesk is now connected to the Salesforce org at {}. You can close this window.",
            org.instance_url
        )
    });
    outcome_page(
        Side::Salesforce,
        outcome,
        "Salesforce connected",
        "Salesforce was not connected",
    )
}

/// The page an OAuth callback ends on: what is now connected, or why not.
pub(super) fn outcome_page(
    side: Side,
    outcome: Result<String, EdgeError>,
    connected: &str,
    not_connected: &str,
) -> Response {
    match outcome {
        Ok(message) => page(side, 200, connected, &message, true),
        Err(error) => {
            let error = error.to_api();
            page(
                side,
                error.code.http_status(),
                not_connected,
                &error.message,
                false,
            )
        }
    }
}

async fn complete(
    request: &Request,
    env: &Env,
    config: &Config,
) -> Result<ConnectedOrg, EdgeError> {
    let query: CallbackQuery = request.query()?;
    if let Some(error) = query.error {
        let description = query.error_description.unwrap_or_default();
        return Err(EdgeError::BadRequest(match error.as_str() {
            "access_denied" => {
                "Access was not granted in Salesforce. Start again and choose Allow.".to_owned()
            }
            _ => format!("Salesforce refused: {error} {description}"),
        }));
    }
    let Returned {
        org,
        code,
        state,
        browser_nonce,
    } = returned(request, config, query.code, query.state)?;
    integration::call(
        env,
        &org,
        &Command::CompleteOAuth {
            state,
            code,
            browser_nonce,
        },
    )
    .await
}

/// The popup's last page: says how connecting went, and tells the console (our own
/// origin only) through `postMessage`, naming the side so that only that side's connect
/// button takes it.
#[derive(askama::Template)]
#[template(path = "oauth_result.html")]
struct ResultPage<'a> {
    side: &'a str,
    title: &'a str,
    message: &'a str,
    /// `message` as a JS string literal, `<` escaped so it cannot end the script.
    message_js: String,
    ok: bool,
}

pub(super) fn page(side: Side, status: u16, title: &str, message: &str, ok: bool) -> Response {
    let message_js = serde_json::to_string(message)
        .expect("a string serializes")
        .replace('<', "\\u003c");
    let html = askama::Template::render(&ResultPage {
        side: side.as_str(),
        title,
        message,
        message_js,
        ok,
    })
    .expect("the result page renders");
    Response::from_html(html)
        .map(|r| r.with_status(status))
        .expect("an HTML response builds")
}
