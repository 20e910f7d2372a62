//! JSON shapes of Salesforce's REST API, as real orgs send them, and the mapping of an
//! HTTP answer to our types or to the typed error its body describes.

use super::SfError;
use crate::http::HttpResponse;
use contract::ids::SfId;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};

/// One element of a REST error body; Salesforce sends an array of them. `fields` is
/// present only for some codes (`REQUIRED_FIELD_MISSING`, `MALFORMED_ID`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RestError {
    pub message: String,
    pub error_code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<String>>,
}

/// A page of `/query` results. `nextRecordsUrl` is absent (not null) on the last page;
/// every page repeats the full `totalSize`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryResponse<R> {
    pub total_size: u64,
    pub done: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_records_url: Option<String>,
    pub records: Vec<R>,
}

impl<R> Default for QueryResponse<R> {
    /// An empty, finished result: what a child sub-query's `null` means.
    fn default() -> Self {
        QueryResponse {
            total_size: 0,
            done: true,
            next_records_url: None,
            records: Vec::new(),
        }
    }
}

/// A page's `nextRecordsUrl`, read from its raw body without decoding the records, so that
/// the next page can be asked for while this one is decoded. Salesforce writes the page's
/// own fields (`totalSize`, `done`, `nextRecordsUrl`) before `records` (REST API Developer
/// Guide, "Query": the example response body); only that head is searched, so a child
/// sub-query's locator inside the records is never taken for the page's, and a page that
/// put its locator after the records is simply read without reading ahead. A hint: the
/// decoded page has the last word.
pub fn next_records_url_ahead(body: &[u8]) -> Option<&str> {
    const LOCATOR: &[u8] = b"\"nextRecordsUrl\":\"";
    const RECORDS: &[u8] = b"\"records\":";
    let head = &body[..find(body, RECORDS)?];
    let start = find(head, LOCATOR)? + LOCATOR.len();
    // A locator is a plain path: no quote, no escape.
    let len = head[start..].iter().position(|b| *b == b'"')?;
    let locator = std::str::from_utf8(&head[start..start + len]).ok()?;
    (!locator.contains('\\')).then_some(locator)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// For child sub-query fields: Salesforce sends `null` when a parent has no children.
/// Use with `#[serde(default, deserialize_with = "null_as_empty")]`.
pub fn null_as_empty<'de, D, R>(deserializer: D) -> Result<QueryResponse<R>, D::Error>
where
    D: Deserializer<'de>,
    R: Deserialize<'de>,
{
    Ok(Option::<QueryResponse<R>>::deserialize(deserializer)?.unwrap_or_default())
}

/// `attributes` of a record: its type and, except for aggregate rows, its REST URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attributes {
    #[serde(rename = "type")]
    pub sobject_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// `{"error": ..., "error_description": ...}` from the OAuth endpoints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthErrorBody {
    pub error: String,
    pub error_description: String,
}

/// One record's outcome in a save (create, sObject Collections, a Composite item):
/// `{"id", "success", "errors"}`. A failed item has no `id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveResult {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<SfId>,
    pub success: bool,
    #[serde(default)]
    pub errors: Vec<SaveError>,
}

impl SaveResult {
    /// The saved record's Id, or its errors as [`SfError::Save`].
    pub fn into_result(self) -> Result<SfId, SfError> {
        match (self.success, self.id) {
            (true, Some(id)) => Ok(id),
            (true, None) => Err(SfError::Decode("a successful save without an id".into())),
            (false, _) => Err(SfError::Save {
                errors: self.errors,
            }),
        }
    }
}

/// A per-record save error. Note `statusCode`, where REST errors say `errorCode`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SaveError {
    pub status_code: String,
    pub message: String,
    #[serde(default)]
    pub fields: Vec<String>,
}

/// The typed error an unsuccessful answer describes.
pub(crate) fn error_from(status: u16, body: &[u8]) -> SfError {
    let first = serde_json::from_slice::<Vec<RestError>>(body)
        .ok()
        .and_then(|errors| errors.into_iter().next());
    match (status, first) {
        (401, _) => SfError::InvalidSession,
        (_, Some(error)) if error.error_code == "INVALID_SESSION_ID" => SfError::InvalidSession,
        (503, _) => SfError::Unavailable { status },
        (status, Some(error)) => SfError::Api {
            status,
            code: error.error_code,
            message: error.message,
            fields: error.fields.unwrap_or_default(),
        },
        (status, None) if status >= 500 || status == 429 => SfError::Unavailable { status },
        (status, None) => SfError::Decode(format!("HTTP {status} without a Salesforce error body")),
    }
}

/// Maps an answer to our types, or to the typed error Salesforce's body describes.
pub(crate) fn decode<R: DeserializeOwned>(response: &HttpResponse) -> Result<R, SfError> {
    if response.is_success() {
        serde_json::from_slice(&response.body).map_err(|e| SfError::Decode(e.to_string()))
    } else {
        Err(error_from(response.status, &response.body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![],
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn expired_session_is_typed() {
        let body = r#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#;
        assert_eq!(
            decode::<serde_json::Value>(&response(401, body)),
            Err(SfError::InvalidSession)
        );
        assert_eq!(error_from(401, b""), SfError::InvalidSession);
    }

    #[test]
    fn rest_errors_keep_code_message_and_fields() {
        let body = r#"[{"message":"unexpected token: SELEKT","errorCode":"MALFORMED_QUERY"}]"#;
        assert_eq!(
            decode::<serde_json::Value>(&response(400, body)),
            Err(SfError::Api {
                status: 400,
                code: "MALFORMED_QUERY".into(),
                message: "unexpected token: SELEKT".into(),
                fields: vec![],
            })
        );
        let body = r#"[{"message":"Required fields are missing: [LastName]","errorCode":"REQUIRED_FIELD_MISSING","fields":["LastName"]}]"#;
        let error = error_from(400, body.as_bytes());
        assert_eq!(error.code(), Some("REQUIRED_FIELD_MISSING"));
        assert!(matches!(error, SfError::Api { fields, .. } if fields == ["LastName"]));
        let body =
            r#"[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]"#;
        assert!(matches!(
            error_from(403, body.as_bytes()),
            SfError::Api { status: 403, code, .. } if code == "REQUEST_LIMIT_EXCEEDED"
        ));
    }

    #[test]
    fn outages_are_unavailable() {
        assert_eq!(
            decode::<serde_json::Value>(&response(503, "<html>")),
            Err(SfError::Unavailable { status: 503 })
        );
        let body = r#"[{"message":"Server unavailable","errorCode":"SERVER_UNAVAILABLE"}]"#;
        assert_eq!(
            error_from(503, body.as_bytes()),
            SfError::Unavailable { status: 503 }
        );
        assert_eq!(error_from(429, b""), SfError::Unavailable { status: 429 });
        assert!(matches!(error_from(404, b"nope"), SfError::Decode(_)));
    }

    #[test]
    fn save_results_decode_successes_and_failures() {
        let body = r#"[{"id":"003000000000001AAA","success":true,"errors":[]},
            {"success":false,"errors":[{"statusCode":"REQUIRED_FIELD_MISSING","message":"Required fields are missing: [LastName]","fields":["LastName"]}]},
            {"success":false,"errors":[{"statusCode":"ALL_OR_NONE_OPERATION_ROLLED_BACK","message":"Record rolled back because not all records were valid and the request was using AllOrNone header","fields":[]}]}]"#;
        let results: Vec<SaveResult> = serde_json::from_str(body).unwrap();
        assert_eq!(
            results[0].clone().into_result().unwrap().as_str(),
            "003000000000001AAA"
        );
        let error = results[1].clone().into_result().unwrap_err();
        assert_eq!(error.code(), Some("REQUIRED_FIELD_MISSING"));
        assert!(matches!(&error, SfError::Save { errors } if errors[0].fields == ["LastName"]));
        assert_eq!(results[2].id, None);
        assert_eq!(
            results[2].clone().into_result().unwrap_err().code(),
            Some("ALL_OR_NONE_OPERATION_ROLLED_BACK")
        );
    }

    #[test]
    fn a_null_child_query_reads_as_empty() {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Parent {
            #[serde(default, deserialize_with = "null_as_empty")]
            notes: QueryResponse<serde_json::Value>,
        }
        let parent: Parent = serde_json::from_str(r#"{"Notes":null}"#).unwrap();
        assert!(parent.notes.records.is_empty() && parent.notes.done);
        let parent: Parent = serde_json::from_str(r#"{}"#).unwrap();
        assert!(parent.notes.records.is_empty());
        let parent: Parent = serde_json::from_str(
            r#"{"Notes":{"totalSize":1,"done":true,"records":[{"Title":"x"}]}}"#,
        )
        .unwrap();
        assert_eq!(parent.notes.records.len(), 1);
    }

    #[test]
    fn query_pages_keep_the_absent_next_url_absent() {
        let page: QueryResponse<serde_json::Value> =
            serde_json::from_str(r#"{"totalSize":0,"done":true,"records":[]}"#).unwrap();
        assert_eq!(page, QueryResponse::default());
        assert_eq!(
            serde_json::to_string(&page).unwrap(),
            r#"{"totalSize":0,"done":true,"records":[]}"#
        );
    }
}
