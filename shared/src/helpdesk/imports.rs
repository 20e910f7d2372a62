//! Zoho Desk's asynchronous Import API for accounts and contacts (Zoho's OpenAPI spec for
//! Desk, `v1.0/Import.json`): a batch of records with external ids is queued as one
//! import, runs in the background, and is then read back: its status (polled, or posted
//! to a `notifyUrl`), the desk ids it gave each external id (`importMappings`), and the
//! rows it refused (the import's error log). One import costs far fewer credits than a
//! call per record, which is what makes an initial export of a big org fit a day.

use super::client::{Client, Sleep, decode};
use super::error::{FieldIssue, HelpdeskError};
use super::fields::Module;
use super::records::ListPage;
use crate::http::{Method, Transport};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The most records one import takes (the sandbox's bound: Zoho's spec gives none). An
/// import costs a credit per 2 records whatever its size, but its status polls and its
/// mapping and error-log reads are a credit each: the bigger the import, the fewer of
/// those per record.
pub const IMPORT_LIMIT: usize = 5_000;

/// What to import: accounts (`accountExtId`, `accountName`, ...) and contacts
/// (`contactExtId`, `lastName`, ..., `accountExtId` or `accountId` for their account),
/// custom fields under `customFields`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportData {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<Map<String, Value>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<Map<String, Value>>,
}

/// `POST /api/v1/imports`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportRequest {
    /// A UUID naming the scope the external ids are unique in: later imports of the
    /// scope may refer to its accounts by `accountExtId`, and `importMappings` reads it.
    pub scope_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify_url: Option<String>,
    /// Whether the desk runs its workflows (and webhooks) on the imported records.
    pub run_automation: bool,
    pub data: ImportData,
}

/// An import as the helpdesk answers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Import {
    pub id: String,
    pub scope_id: String,
    /// `queued`, ..., `completed`.
    pub status: String,
    #[serde(default)]
    pub has_error: bool,
    #[serde(default)]
    pub error_report_url: Option<String>,
}

impl Import {
    /// Whether the import has run: its mappings and error log are final.
    pub fn is_completed(&self) -> bool {
        self.status.eq_ignore_ascii_case("completed")
    }
}

/// The desk record an external id became.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportMapping {
    pub external_id: String,
    pub entity_id: String,
}

/// A row the import refused, and why.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportRowError {
    /// `accounts` or `contacts`.
    pub module: String,
    #[serde(default)]
    pub external_id: Option<String>,
    /// The row's index in its module's list.
    pub row: usize,
    #[serde(default)]
    pub errors: Vec<FieldIssue>,
}

impl ImportRowError {
    /// The reasons, as one line: `/email: invalid (not an email address)`.
    pub fn reason(&self) -> String {
        if self.errors.is_empty() {
            return "the helpdesk refused the row".into();
        }
        self.errors
            .iter()
            .map(|issue| {
                let mut line = format!("{}: {}", issue.field_name, issue.error_type);
                if !issue.error_message.is_empty() {
                    line.push_str(&format!(" ({})", issue.error_message));
                }
                line
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

impl<T: Transport, S: Sleep> Client<'_, T, S> {
    /// Queues an import; it runs in the background. Its cost is known beforehand, a
    /// credit per 2 records (the sandbox's rate, as Zoho's notes give bulk updates): a
    /// client with limits refuses an import its share has no room for.
    pub async fn queue_import(&self, request: &ImportRequest) -> Result<Import, HelpdeskError> {
        let records = request.data.accounts.len() + request.data.contacts.len();
        let weight = (records as u64).div_ceil(2).max(1);
        let response = self
            .call_weighing(self.write(Method::Post, "/imports", request), weight)
            .await?;
        decode(&response)
    }

    /// An import as it stands.
    pub async fn import(&self, id: &str) -> Result<Import, HelpdeskError> {
        self.get_one(&format!("/imports/{id}")).await
    }

    /// The desk ids of these external ids of a scope's imports (those imported so far).
    pub async fn import_mappings(
        &self,
        scope_id: &str,
        module: Module,
        external_ids: &[&str],
    ) -> Result<Vec<ImportMapping>, HelpdeskError> {
        let body = serde_json::json!({
            "scopeId": scope_id,
            "module": module.as_str(),
            "externalIds": external_ids,
        });
        let response = self
            .call(self.write(Method::Post, "/importMappings", &body))
            .await?;
        decode::<ListPage<ImportMapping>>(&response).map(|page| page.data)
    }

    /// The rows a completed import refused (none when it has no error). Read on this
    /// client's own helpdesk by the import's id, never at a URL the answer named.
    pub async fn import_errors(
        &self,
        import: &Import,
    ) -> Result<Vec<ImportRowError>, HelpdeskError> {
        if !import.has_error {
            return Ok(Vec::new());
        }
        let response = self
            .call(self.request(Method::Get, &format!("/importErrorLog/{}", import.id)))
            .await?;
        decode::<ListPage<ImportRowError>>(&response).map(|page| page.data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_request_carries_only_the_modules_it_has() {
        let request = ImportRequest {
            scope_id: "7d69f2c6-1d6d-4a75-99d1-fafc4e4177a7".into(),
            notify_url: None,
            run_automation: false,
            data: ImportData {
                accounts: Vec::new(),
                contacts: vec![
                    json!({"contactExtId": "003A", "lastName": "Ng"})
                        .as_object()
                        .cloned()
                        .unwrap(),
                ],
            },
        };
        assert_eq!(
            serde_json::to_value(&request).unwrap(),
            json!({"scopeId": "7d69f2c6-1d6d-4a75-99d1-fafc4e4177a7", "runAutomation": false,
                   "data": {"contacts": [{"contactExtId": "003A", "lastName": "Ng"}]}})
        );
    }

    #[test]
    fn a_refused_row_says_why_field_by_field() {
        let row: ImportRowError = serde_json::from_value(json!({
            "module": "contacts", "externalId": "003A", "row": 2,
            "errors": [{"fieldName": "/email", "errorType": "invalid", "errorMessage": "not an email"},
                       {"fieldName": "/lastName", "errorType": "missing"}]}))
        .unwrap();
        assert_eq!(
            row.reason(),
            "/email: invalid (not an email); /lastName: missing"
        );
        let bare: ImportRowError =
            serde_json::from_value(json!({"module": "accounts", "row": 0})).unwrap();
        assert_eq!(bare.reason(), "the helpdesk refused the row");
        let import: Import = serde_json::from_value(json!({
            "id": "1", "scopeId": "s", "status": "completed", "hasError": true}))
        .unwrap();
        assert!(import.is_completed());
    }
}
