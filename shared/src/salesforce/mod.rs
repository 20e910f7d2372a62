//! Salesforce: wire formats, the OAuth web-server flow and the REST client.

mod client;
mod contact;
mod oauth;
mod wire;

pub use client::{Client, Session};
pub use contact::{ContactRecord, contact_by_email};
pub use oauth::{OAuthApp, TokenResponse};
pub use wire::{QueryResponse, RestError};

/// The REST API version we speak (and the sandbox serves).
pub const API_VERSION: &str = "v64.0";

/// Everything that can go wrong talking to Salesforce, typed so callers can react:
/// refresh on `InvalidSession`, ask an admin to reconnect on `OAuth`, retry on `Unavailable`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SfError {
    #[error(transparent)]
    Transport(#[from] crate::http::TransportError),
    #[error("Salesforce session expired or invalid")]
    InvalidSession,
    #[error("Salesforce refused the sign-in: {error}: {description}")]
    OAuth { error: String, description: String },
    #[error("Salesforce answered {status} {code}: {message}")]
    Api {
        status: u16,
        code: String,
        message: String,
    },
    #[error("Salesforce is unavailable (HTTP {status})")]
    Unavailable { status: u16 },
    #[error("unexpected answer from Salesforce: {0}")]
    Decode(String),
}
