//! The admin console's API (paths in `contract::admin`): every path needs the admin role,
//! checked here before the org's Durable Object is asked.

use super::caller::admin_context;
use crate::config::Config;
use crate::error::EdgeError;
use crate::integration::{self, AdminRequest, Command};
use contract::admin::{
    FAILURES_PATH, HISTORY_PATH, INTEGRATION_PATH, NOTIFICATIONS_PATH, RETRY_PATH, SETTINGS_PATH,
    STATUS_PATH, SYNC_PAUSE_PATH, SYNC_RESUME_PATH, SYNC_START_PATH,
};
use contract::panel_fields::PANEL_FIELDS_PATH;
use serde::de::DeserializeOwned;
use worker::{Env, Method, Request, Response};

const ADMIN_PREFIX: &str = "/api/admin/";

/// The admin request a method and path name; those with a body are read later.
enum Kind {
    Ready(AdminRequest),
    SaveSettings,
    SavePanelFields,
    Retry,
}

fn kind(method: &Method, path: &str) -> Option<Kind> {
    Some(match (method, path) {
        (Method::Get, STATUS_PATH) => Kind::Ready(AdminRequest::Status),
        (Method::Get, SETTINGS_PATH) => Kind::Ready(AdminRequest::Settings),
        (Method::Put, SETTINGS_PATH) => Kind::SaveSettings,
        (Method::Post, SYNC_START_PATH) => Kind::Ready(AdminRequest::Start),
        (Method::Post, SYNC_PAUSE_PATH) => Kind::Ready(AdminRequest::Pause),
        (Method::Post, SYNC_RESUME_PATH) => Kind::Ready(AdminRequest::Resume),
        (Method::Get, HISTORY_PATH) => Kind::Ready(AdminRequest::History),
        (Method::Get, PANEL_FIELDS_PATH) => Kind::Ready(AdminRequest::PanelFields),
        (Method::Put, PANEL_FIELDS_PATH) => Kind::SavePanelFields,
        (Method::Get, FAILURES_PATH) => Kind::Ready(AdminRequest::Failures),
        (Method::Post, RETRY_PATH) => Kind::Retry,
        (Method::Get, NOTIFICATIONS_PATH) => Kind::Ready(AdminRequest::Notifications),
        (Method::Post, NOTIFICATIONS_PATH) => Kind::Ready(AdminRequest::SetUpNotifications),
        (Method::Delete, NOTIFICATIONS_PATH) => Kind::Ready(AdminRequest::RemoveNotifications),
        (Method::Delete, INTEGRATION_PATH) => Kind::Ready(AdminRequest::Delete),
        _ => return None,
    })
}

/// `None` when the path is not one of these admin paths.
pub async fn handle(
    request: &mut Request,
    env: &Env,
    config: &Config,
) -> Option<Result<Response, EdgeError>> {
    let path = request.path();
    let Some(kind) = kind(&request.method(), &path) else {
        // An admin path this edge does not serve (yet) still needs the admin role: a
        // non-admin learns nothing from a 404 versus a 403.
        return path
            .starts_with(ADMIN_PREFIX)
            .then(|| admin_context(request, config).and(Err(EdgeError::NotFound)));
    };
    Some(answer(request, env, config, kind).await)
}

async fn answer(
    request: &mut Request,
    env: &Env,
    config: &Config,
    kind: Kind,
) -> Result<Response, EdgeError> {
    let claims = admin_context(request, config)?;
    let admin_request = match kind {
        Kind::Ready(admin_request) => admin_request,
        Kind::SaveSettings => AdminRequest::SaveSettings(json_body(request).await?),
        Kind::SavePanelFields => AdminRequest::SavePanelFields(json_body(request).await?),
        Kind::Retry => AdminRequest::Retry(json_body(request).await?),
    };
    let deleting = matches!(admin_request, AdminRequest::Delete);
    let command = Command::Admin {
        request: admin_request,
    };
    if deleting {
        integration::call_no_content(env, &claims.org, &command).await?;
        return Ok(Response::empty()?.with_status(204));
    }
    let answer: serde_json::Value = integration::call(env, &claims.org, &command).await?;
    Ok(Response::from_json(&answer)?)
}

async fn json_body<T: DeserializeOwned>(request: &mut Request) -> Result<T, EdgeError> {
    let text = request.text().await?;
    serde_json::from_str(&text)
        .map_err(|e| EdgeError::BadRequest(format!("the request body is not valid: {e}")))
}
