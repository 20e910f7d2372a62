//! The helpdesk (Zoho Desk API shape): wire formats, webhooks and the REST client.
//!
//! - [`Client`]: typed calls over any [`crate::http::Transport`], with paging through
//!   `from`/`limit`, search, writes tagged with a `sourceId` (the sync's: [`SOURCE_ID`]),
//!   one value to many records in one `updateMany` ([`Client::update_many`]),
//!   and backoff on 429 and 503
//!   (waiting with the transport's `sleep`, or any [`Sleep`]).
//! - The Import API ([`Client::queue_import`], [`Client::import`],
//!   [`Client::import_mappings`], [`Client::import_errors`]): many records with external
//!   ids written as one background job, for the initial export.
//! - [`CreditLimits`]: Zoho's daily credits and calls at once by [`Edition`], and the
//!   [`CreditBudget`] share of them a client keeps to ([`Client::with_limits`]).
//! - [`HelpdeskApp`]: Zoho Accounts' OAuth (authorize, code exchange, refresh, revoke)
//!   in the grant's data centre; [`Client::with_kept_token`] renews through a [`TokenKeeper`].
//! - [`Contact`], [`Account`] and their drafts; [`FieldMeta`] for mapping type checks.
//! - [`WebhookEvent`] and [`parse_delivery`] for what the helpdesk posts, and
//!   [`verify_delivery`] for its `X-ZDesk-JWT` signature against the published [`Jwks`].

mod client;
mod error;
mod fields;
mod identity;
mod imports;
mod limits;
mod oauth;
mod records;
mod signature;
mod webhooks;

pub use client::{
    Client, Connection, JWKS_PATH, RateLimitInfo, RetryPolicy, SOURCE_ID, SOURCE_ID_HEADER, Sleep,
    Sort, TransportSleep,
};
pub use error::{FieldIssue, HelpdeskError};
pub use fields::{FieldMeta, FieldType, FieldValueError, Module};
pub use identity::TicketRequester;
pub use imports::{IMPORT_LIMIT, Import, ImportData, ImportMapping, ImportRequest, ImportRowError};
pub use limits::{CreditBudget, CreditLimits, CreditPlan, Edition};
pub use oauth::{ACCOUNTS_SERVERS, Grant, HelpdeskApp, TokenAnswer, TokenKeeper};
pub use records::{
    Account, AccountDraft, Agent, Contact, ContactDraft, DeskTime, MassError, MassResult,
    Organization, Profile, SearchPage,
};
pub use signature::{
    DeliveryClaims, Expected, JWT_HEADER, Jwk, Jwks, JwksCache, MAX_TOKEN_AGE_SECS, SignatureError,
    body_sha256, verify_delivery,
};
pub use webhooks::{
    EventType, SubscriptionOptions, Webhook, WebhookDraft, WebhookEvent, parse_delivery,
};

/// The API prefix every call goes under.
pub const API_PREFIX: &str = "/api/v1";

/// The most records one `updateMany` takes (Zoho's spec does not bound the list; the
/// sandbox takes 50, as many as `moveToTrash`).
pub const UPDATE_MANY_LIMIT: usize = 50;

/// The most records one list or search call returns (`limit`).
pub const PAGE_LIMIT: usize = 100;
