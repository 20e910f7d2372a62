//! The widget <-> edge contract. Both sides use these types; no JSON shape is written twice.
//!
//! Every call carries the helpdesk's context token as `Authorization: Bearer <token>`.

use crate::ids::{Email, SfId};
use serde::{Deserialize, Serialize};

/// `GET`: what the agent panel shows for the context's requester.
pub const PANEL_PATH: &str = "/api/panel";

/// The agent panel's answer: one of the states a person can understand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Panel {
    /// No Salesforce org is connected to this helpdesk org yet.
    NotConnected {
        can_connect: bool,
    },
    /// The view has no requester (e.g. a ticket without a contact).
    NoRequester,
    /// Salesforce has no contact with the requester's email.
    NoMatch {
        email: Email,
    },
    Contact {
        contact: ContactCard,
    },
}

/// A Salesforce contact as the panel shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactCard {
    pub id: SfId,
    pub name: String,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub account_name: Option<String>,
    /// "View in Salesforce": the record in the org's own UI.
    pub url: String,
}

/// What went wrong, in a form the widget can act on (`code`) and show (`message`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// No or invalid context token: reload the helpdesk page.
    Unauthorized,
    /// Valid token, but this profile or role may not do this.
    Forbidden,
    BadRequest,
    NotFound,
    /// Salesforce refused our stored credentials: an admin must reconnect.
    SalesforceAuth,
    /// Salesforce did not answer or answered with an outage: try again.
    SalesforceUnavailable,
    Internal,
}

impl ErrorCode {
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::Unauthorized => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::BadRequest => 400,
            ErrorCode::NotFound => 404,
            ErrorCode::SalesforceAuth | ErrorCode::SalesforceUnavailable => 502,
            ErrorCode::Internal => 500,
        }
    }
}

/// The body of every non-2xx answer: `{"error": {"code": "...", "message": "..."}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ApiError,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panel_states_are_tagged() {
        let json = serde_json::to_value(Panel::NotConnected { can_connect: true }).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"state": "not_connected", "can_connect": true})
        );
        let back: Panel = serde_json::from_value(json).unwrap();
        assert_eq!(back, Panel::NotConnected { can_connect: true });
    }

    #[test]
    fn error_body_shape() {
        let body = ErrorBody {
            error: ApiError::new(ErrorCode::Unauthorized, "missing token"),
        };
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            serde_json::json!({"error": {"code": "unauthorized", "message": "missing token"}})
        );
    }
}
