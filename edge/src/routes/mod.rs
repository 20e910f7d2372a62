//! The Worker's routes, one file per group: the widget's session ([`session`]), the
//! extension's lifecycle callbacks ([`lifecycle`]), the agent panel ([`panel`]) and its
//! actions on Salesforce ([`actions`]), the
//! permissions table ([`permissions`]), connecting Salesforce ([`oauth`]), the admin
//! console ([`admin`]) and the two systems' webhooks ([`webhooks`]). Each verifies the
//! caller ([`caller`] reads the edge's session token), then asks the org's Durable Object
//! to do the work.

mod actions;
mod admin;
mod caller;
mod helpdesk_oauth;
mod lifecycle;
mod oauth;
mod panel;
mod permissions;
mod session;
mod webhooks;

use crate::config::Config;
use crate::error::EdgeError;
use contract::admin::{
    HELPDESK_OAUTH_CALLBACK_PATH, HELPDESK_OAUTH_START_CODE_PATH, HELPDESK_OAUTH_START_PATH,
    OAUTH_CALLBACK_PATH, OAUTH_START_CODE_PATH, OAUTH_START_PATH, PERMISSIONS_PATH,
};
use contract::api::{Action, PANEL_CHOICE_PATH, PANEL_PATH, PANEL_SEARCH_PATH};
use contract::context::{
    INSTALL_CALLBACK_PATH, INSTALLATION_SECRET_PATH, SESSION_PATH, UNINSTALL_CALLBACK_PATH,
};
use contract::side::Side;
use worker::{Env, Method, Request, Response};

pub async fn handle(
    mut request: Request,
    env: &Env,
    config: &Config,
) -> Result<Response, EdgeError> {
    let path = request.path();
    match (request.method(), path.as_str()) {
        (Method::Post, SESSION_PATH) => session::start(request, env, config).await,
        (Method::Post, INSTALLATION_SECRET_PATH) => {
            session::installation_secret(request, env, config).await
        }
        (Method::Post, INSTALL_CALLBACK_PATH) => lifecycle::installed(request, env, config).await,
        (Method::Post, UNINSTALL_CALLBACK_PATH) => {
            lifecycle::uninstalled(request, env, config).await
        }
        (Method::Get, PANEL_PATH) => panel::get(&request, env, config).await,
        (Method::Post, PANEL_CHOICE_PATH) => panel::choose(request, env, config).await,
        (Method::Get, PANEL_SEARCH_PATH) => panel::search(&request, env, config).await,
        (Method::Get, PERMISSIONS_PATH) => permissions::list(&request, env, config).await,
        (Method::Put, PERMISSIONS_PATH) => permissions::save(request, env, config).await,
        (Method::Post, OAUTH_START_CODE_PATH) => {
            oauth::start_code(&request, env, config, Side::Salesforce).await
        }
        (Method::Get, OAUTH_START_PATH) => {
            oauth::start(&request, env, config, Side::Salesforce).await
        }
        (Method::Get, OAUTH_CALLBACK_PATH) => Ok(oauth::callback(&request, env, config).await),
        (Method::Post, HELPDESK_OAUTH_START_CODE_PATH) => {
            oauth::start_code(&request, env, config, Side::Helpdesk).await
        }
        (Method::Get, HELPDESK_OAUTH_START_PATH) => {
            oauth::start(&request, env, config, Side::Helpdesk).await
        }
        (Method::Get, HELPDESK_OAUTH_CALLBACK_PATH) => {
            Ok(helpdesk_oauth::callback(&request, env, config).await)
        }
        (Method::Post, path) if let Some(action) = Action::from_path(path) => {
            actions::act(request, env, config, action).await
        }
        _ => {
            if let Some(answer) = admin::handle(&mut request, env, config).await {
                return answer;
            }
            if let Some(answer) = webhooks::handle(&mut request, env, config).await {
                return answer;
            }
            Err(EdgeError::NotFound)
        }
    }
}
