//! The helpdesk emulator: Zoho Desk's REST API shape under `/api/v1`, with its
//! authentication headers (`Authorization: Zoho-oauthtoken <token>`, `orgId`) and its
//! error bodies (`{"errorCode", "message"}`).

mod api;
pub mod store;

use crate::clock::Clock;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex, MutexGuard};
use store::Desk;

pub struct HelpdeskState {
    pub clock: Arc<Clock>,
    pub desk: Mutex<Desk>,
    /// The one API token the emulator accepts, and the agent it belongs to (`/myinfo`).
    api_token: String,
    token_owner: String,
}

impl HelpdeskState {
    pub fn new(desk: Desk, api_token: String, token_owner: String, clock: Arc<Clock>) -> Self {
        HelpdeskState {
            clock,
            desk: Mutex::new(desk),
            api_token,
            token_owner,
        }
    }

    /// The desk's data; see [`crate::salesforce::lock`] for why poisoning is ignored.
    pub fn desk(&self) -> MutexGuard<'_, Desk> {
        self.desk
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

pub fn router(state: Arc<HelpdeskState>) -> Router {
    api::routes()
        .route_layer(middleware::from_fn_with_state(state.clone(), authenticate))
        .fallback(|| async { DeskError::not_found() })
        .with_state(state)
}

/// An error as Zoho Desk answers it.
#[derive(Debug, Clone, PartialEq)]
pub struct DeskError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Per-field detail (`fieldName`, `errorType`), present on validation errors.
    pub errors: Option<Vec<Value>>,
}

impl DeskError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        DeskError {
            status,
            code,
            message: message.into(),
            errors: None,
        }
    }

    pub fn not_found() -> Self {
        DeskError::new(
            StatusCode::NOT_FOUND,
            "URL_NOT_FOUND",
            "The URL you requested could not be found.",
        )
    }

    /// 422 `INVALID_DATA` naming the field at fault (`missing` or `invalid`).
    pub fn invalid_data(field: &str, error_type: &str) -> Self {
        DeskError {
            errors: Some(vec![json!({
                "fieldName": field,
                "errorType": error_type,
                "errorMessage": "",
            })]),
            ..DeskError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "INVALID_DATA",
                "The data is invalid due to validation restrictions",
            )
        }
    }

    pub fn extra_parameter(name: &str) -> Self {
        DeskError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "UNPROCESSABLE_ENTITY",
            format!("Extra query parameter '{name}' is present in the input."),
        )
    }
}

impl IntoResponse for DeskError {
    fn into_response(self) -> Response {
        let mut body = json!({"errorCode": self.code, "message": self.message});
        if let Some(errors) = self.errors {
            body["errors"] = Value::Array(errors);
        }
        (self.status, axum::Json(body)).into_response()
    }
}

/// Every `/api/v1` call: the token first, then the organisation it is meant for.
async fn authenticate(
    State(state): State<Arc<HelpdeskState>>,
    mut request: Request,
    next: Next,
) -> Response {
    match check_credentials(&state, request.headers(), request.uri().path()) {
        Ok(()) => {
            request
                .extensions_mut()
                .insert(TokenOwner(state.token_owner.clone()));
            next.run(request).await
        }
        Err(error) => error.into_response(),
    }
}

/// The agent the presented token belongs to.
#[derive(Debug, Clone)]
pub struct TokenOwner(pub String);

fn check_credentials(
    state: &HelpdeskState,
    headers: &HeaderMap,
    path: &str,
) -> Result<(), DeskError> {
    let unauthorized = || {
        DeskError::new(
            StatusCode::UNAUTHORIZED,
            "UNAUTHORIZED",
            "You are not authorized to access this resource.",
        )
    };
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(unauthorized)?;
    let token = authorization
        .strip_prefix("Zoho-oauthtoken ")
        .map(str::trim)
        .ok_or_else(unauthorized)?;
    if token != state.api_token {
        return Err(DeskError::new(
            StatusCode::UNAUTHORIZED,
            "INVALID_OAUTH",
            "The OAuth Token you provided is invalid.",
        ));
    }
    // Every endpoint but the organisation list names the organisation it acts on.
    if path == "/api/v1/organizations" {
        return Ok(());
    }
    let org_id = headers
        .get("orgId")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| DeskError::invalid_data("orgId", "missing"))?;
    if org_id != state.desk().org_id {
        return Err(DeskError::new(
            StatusCode::UNAUTHORIZED,
            "OAUTH_ORG_MISMATCH",
            "The OAuth Token you provided is not valid for the organization in the orgId header.",
        ));
    }
    Ok(())
}
