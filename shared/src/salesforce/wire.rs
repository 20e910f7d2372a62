//! JSON shapes of Salesforce's REST API, as real orgs send them.

use serde::{Deserialize, Serialize};

/// One element of a REST error body; Salesforce sends an array of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RestError {
    pub message: String,
    pub error_code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<String>>,
}

/// A page of `/query` results. `nextRecordsUrl` is absent (not null) on the last page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryResponse<R> {
    pub total_size: u64,
    pub done: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_records_url: Option<String>,
    pub records: Vec<R>,
}

/// `{"error": ..., "error_description": ...}` from the OAuth endpoints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthErrorBody {
    pub error: String,
    pub error_description: String,
}
