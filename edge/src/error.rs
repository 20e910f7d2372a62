//! One error type for the edge, mapped to an HTTP answer in exactly one place.

use contract::api::{ApiError, ErrorBody, ErrorCode};
use contract::context::ContextError;
use contract::side::Side;
use shared::salesforce::SfError;
use shared::seal::SealError;
use shared::sync::engine::EngineError;
use shared::sync::store::StoreError;
use worker::Response;

#[derive(Debug, thiserror::Error)]
pub enum EdgeError {
    #[error("missing context token: open sfdesk from your helpdesk")]
    MissingContext,
    #[error("{0}")]
    Context(#[from] ContextError),
    #[error("{0}")]
    Forbidden(&'static str),
    /// A session request or lifecycle callback that does not prove where it comes from.
    #[error("{0}")]
    Unauthenticated(&'static str),
    /// A webhook whose signature or secret does not check out.
    #[error("{0}")]
    Signature(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("no such route")]
    NotFound,
    /// A record that is not (or no longer) there; the message says what to do.
    #[error("{0}")]
    Gone(&'static str),
    #[error("Salesforce access was revoked or expired: an administrator must reconnect Salesforce")]
    Reconnect,
    #[error(
        "The helpdesk connection was revoked or expired: an administrator must reconnect the helpdesk"
    )]
    ReconnectHelpdesk,
    #[error("{0}")]
    Salesforce(#[from] SfError),
    /// Salesforce or the helpdesk cannot be reached or is out of allowance for now.
    #[error("{0}")]
    Unavailable(String),
    /// A side's allowance for the day is spent: nothing more until it is back, in
    /// `retry_after_ms` when the side said.
    #[error("{detail}")]
    OutOfAllowance {
        detail: String,
        retry_after_ms: Option<i64>,
    },
    /// The helpdesk did not answer what the edge needs of it; the message, shown to the
    /// caller, says what to do (the cause goes to the log where it happens).
    #[error("{0}")]
    Helpdesk(&'static str),
    #[error("stored Salesforce credentials are unreadable: {0}")]
    Seal(#[from] SealError),
    #[error("edge misconfigured: {0}")]
    Config(String),
    /// The org's Durable Object storage failed, or holds what this version cannot read.
    #[error("the org's storage failed: {0}")]
    Storage(#[from] StoreError),
    #[error("runtime error: {0}")]
    Worker(#[from] worker::Error),
    /// An error already mapped by the Durable Object, passed through unchanged.
    #[error("{0}")]
    Remote(ApiError),
}

impl EdgeError {
    pub fn code(&self) -> ErrorCode {
        match self {
            EdgeError::MissingContext
            | EdgeError::Context(_)
            | EdgeError::Signature(_)
            | EdgeError::Unauthenticated(_) => ErrorCode::Unauthorized,
            EdgeError::Forbidden(_) => ErrorCode::Forbidden,
            // No code of its own: the message says what to do.
            EdgeError::BadRequest(_) | EdgeError::ReconnectHelpdesk => ErrorCode::BadRequest,
            EdgeError::NotFound | EdgeError::Gone(_) => ErrorCode::NotFound,
            EdgeError::Reconnect => ErrorCode::SalesforceAuth,
            EdgeError::Salesforce(SfError::InvalidSession | SfError::OAuth { .. }) => {
                ErrorCode::SalesforceAuth
            }
            // A refusal of what was asked (an org's shape, its security) is no outage.
            EdgeError::Salesforce(SfError::Api { status, .. }) if (400..500).contains(status) => {
                ErrorCode::SalesforceRefused
            }
            EdgeError::Salesforce(SfError::Save { .. }) => ErrorCode::SalesforceRefused,
            EdgeError::Salesforce(_)
            | EdgeError::Unavailable(_)
            | EdgeError::OutOfAllowance { .. } => ErrorCode::SalesforceUnavailable,
            EdgeError::Helpdesk(_)
            | EdgeError::Seal(_)
            | EdgeError::Config(_)
            | EdgeError::Storage(_)
            | EdgeError::Worker(_) => ErrorCode::Internal,
            EdgeError::Remote(error) => error.code,
        }
    }

    /// What the caller may read. Internal details go to the log, not to the browser.
    pub fn to_api(&self) -> ApiError {
        match self {
            EdgeError::Remote(error) => error.clone(),
            EdgeError::Helpdesk(message) => ApiError::new(ErrorCode::Internal, *message),
            EdgeError::Salesforce(SfError::Unavailable { .. } | SfError::Transport(_)) => {
                ApiError::new(
                    ErrorCode::SalesforceUnavailable,
                    "Salesforce is not answering right now. Try again in a moment.",
                )
            }
            other if other.code() == ErrorCode::Internal => {
                worker::console_error!("internal error: {other}");
                ApiError::new(
                    ErrorCode::Internal,
                    "Something went wrong in sfdesk. Try again; if it persists, contact support.",
                )
            }
            other => ApiError::new(other.code(), other.to_string()),
        }
    }

    /// A Salesforce call's error, where a refused session means the org's connection is
    /// dead: an admin must reconnect it.
    pub fn reconnect_if_revoked(error: SfError) -> Self {
        if error.needs_reconnect() {
            EdgeError::Reconnect
        } else {
            EdgeError::Salesforce(error)
        }
    }

    pub fn into_response(self) -> Response {
        let error = self.to_api();
        let status = error.code.http_status();
        Response::from_json(&ErrorBody { error })
            .map(|r| r.with_status(status))
            .unwrap_or_else(|_| {
                Response::error("error", status).expect("a plain error response builds")
            })
    }
}

/// What stopped the sync engine.
impl From<EngineError> for EdgeError {
    fn from(error: EngineError) -> Self {
        match error {
            EngineError::Reconnect(Side::Salesforce) => EdgeError::Reconnect,
            EngineError::Reconnect(Side::Helpdesk) => EdgeError::ReconnectHelpdesk,
            EngineError::Unavailable(detail) => EdgeError::Unavailable(detail),
            EngineError::OutOfAllowance {
                detail,
                retry_after_ms,
            } => EdgeError::OutOfAllowance {
                detail,
                retry_after_ms,
            },
            // The context read the fields again already; the next attempt uses them.
            EngineError::FieldsChanged(_) => EdgeError::Unavailable(error.to_string()),
            EngineError::Store(e) => EdgeError::Storage(e),
        }
    }
}
