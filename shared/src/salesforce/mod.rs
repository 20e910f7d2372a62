//! Salesforce: wire formats, the OAuth web-server flow and the typed REST client.
//!
//! - [`Client`] (in `client`): owns its [`Session`] and renews it, backs off, counts the
//!   API allowance; record calls by Id and `/limits`.
//! - `query`: SOQL pages, `nextRecordsUrl` walks, `/queryAll`.
//! - `collections`: sObject Collections in batches of 200; `composite`: up to 25
//!   sub-requests in one call; `describe`; `changes`: `/updated` and `/deleted`.
//! - `wire`, `datetime`: JSON shapes.
//! - `session`, `retry`, `limits`: the client's rules, each testable on its own.
//! - [`tooling`]: change notifications (Outbound Messages sent by record-triggered Flows)
//!   set up and removed through the Tooling API.

mod changes;
mod client;
mod collections;
mod composite;
mod datetime;
mod describe;
mod error;
mod limits;
mod oauth;
pub mod outbound;
mod query;
mod retry;
mod session;
pub mod tooling;
mod wire;

pub use changes::{DeletedRecord, DeletedRecords, UpdatedRecords};
pub use client::{Client, ClientOptions};
pub use collections::{COLLECTION_LIMIT, batches};
pub use composite::{
    COMPOSITE_LIMIT, CompositeItem, CompositeRequest, CompositeResponse, reference,
};
pub use datetime::{DateError, SfDate, SfDateTime};
pub use describe::{ChildRelationship, FieldDescribe, FieldType, PicklistValue, SObjectDescribe};
pub use error::SfError;
pub use limits::{ApiUsage, Budget, Limit, OrgLimits};
pub use oauth::{OAuthApp, TokenResponse};
pub use query::Scope;
pub use retry::RetryPolicy;
pub use session::{Refreshed, Session, SessionKeeper};
pub use wire::{
    Attributes, QueryResponse, RestError, SaveError, SaveResult, next_records_url_ahead,
    null_as_empty,
};

/// The REST API version we speak (and the sandbox serves).
pub const API_VERSION: &str = "v64.0";
