//! Composite (`/composite`): up to 25 sub-requests in one API call, later ones referring
//! to earlier results with `@{referenceId.field}`.
//!
//! ```
//! use shared::salesforce::{CompositeRequest, reference};
//! use serde_json::json;
//! let request = CompositeRequest::new(true)
//!     .create("newAccount", "Account", json!({"Name": "Northwind"}))
//!     .create("newContact", "Contact", json!({
//!         "LastName": "Patel",
//!         "AccountId": reference("newAccount", "id"),
//!     }));
//! assert_eq!(request.len(), 2);
//! ```

use super::client::{Call, Client, field_list, object_name};
use super::wire::{RestError, SaveResult};
use super::{API_VERSION, SfError};
use crate::http::{Method, Transport};
use contract::ids::SfId;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Sub-requests per Composite call.
pub const COMPOSITE_LIMIT: usize = 25;

/// `@{referenceId.field}`: the value of `field` in an earlier sub-request's answer.
pub fn reference(reference_id: &str, field: &str) -> String {
    format!("@{{{reference_id}.{field}}}")
}

fn is_reference_id(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 80
        && text.starts_with(|c: char| c.is_ascii_alphabetic())
        && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// An Id in a sub-request URL: a real Id, or a reference to one (`@{newContact.id}`).
fn is_id_or_reference(text: &str) -> bool {
    if SfId::parse(text).is_ok() {
        return true;
    }
    text.strip_prefix("@{")
        .and_then(|rest| rest.strip_suffix('}'))
        .and_then(|inner| inner.split_once('.'))
        .is_some_and(|(id, field)| {
            is_reference_id(id)
                && field
                    .split('.')
                    .all(|part| is_reference_id(part) || part.parse::<usize>().is_ok())
        })
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
struct Subrequest {
    method: &'static str,
    url: String,
    reference_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<Value>,
}

/// A Composite request, built up sub-request by sub-request. Mistakes (a bad name, more
/// than 25 sub-requests) are reported by [`Client::composite`] before anything is sent.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CompositeRequest {
    all_or_none: bool,
    items: Vec<Subrequest>,
    invalid: Option<String>,
}

impl CompositeRequest {
    /// `all_or_none`: when one sub-request fails, roll back the others (they then answer
    /// `PROCESSING_HALTED`).
    pub fn new(all_or_none: bool) -> Self {
        CompositeRequest {
            all_or_none,
            ..Self::default()
        }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    fn push(
        mut self,
        method: Method,
        reference_id: &str,
        rest: Result<String, SfError>,
        body: Option<Value>,
    ) -> Self {
        if self.invalid.is_none() {
            if !is_reference_id(reference_id) {
                self.invalid = Some(format!("{reference_id:?} is not a reference id"));
            } else if self.items.iter().any(|i| i.reference_id == reference_id) {
                self.invalid = Some(format!("reference id {reference_id:?} is used twice"));
            }
        }
        let url = match rest {
            Ok(rest) => format!("/services/data/{API_VERSION}/{rest}"),
            Err(error) => {
                self.invalid.get_or_insert(error.to_string());
                String::new()
            }
        };
        self.items.push(Subrequest {
            method: method.as_str(),
            url,
            reference_id: reference_id.to_owned(),
            body,
        });
        self
    }

    fn record_path(object: &str, id: &str) -> Result<String, SfError> {
        let object = object_name(object)?;
        if !is_id_or_reference(id) {
            return Err(SfError::InvalidRequest(format!(
                "{id:?} is neither an Id nor a reference"
            )));
        }
        Ok(format!("sobjects/{object}/{id}"))
    }

    /// `POST /sobjects/{object}`; its answer has `id`.
    pub fn create(self, reference_id: &str, object: &str, fields: Value) -> Self {
        let rest = object_name(object).map(|o| format!("sobjects/{o}"));
        self.push(Method::Post, reference_id, rest, Some(fields))
    }

    /// `PATCH /sobjects/{object}/{id}`; `id` may be a [`reference`].
    pub fn update(self, reference_id: &str, object: &str, id: &str, fields: Value) -> Self {
        let rest = Self::record_path(object, id);
        self.push(Method::Patch, reference_id, rest, Some(fields))
    }

    /// `GET /sobjects/{object}/{id}?fields=...`; `id` may be a [`reference`].
    pub fn get(self, reference_id: &str, object: &str, id: &str, fields: &[&str]) -> Self {
        let rest = Self::record_path(object, id).and_then(|path| {
            if fields.is_empty() {
                Ok(path)
            } else {
                field_list(fields).map(|list| format!("{path}?fields={list}"))
            }
        });
        self.push(Method::Get, reference_id, rest, None)
    }

    pub fn delete(self, reference_id: &str, object: &str, id: &str) -> Self {
        let rest = Self::record_path(object, id);
        self.push(Method::Delete, reference_id, rest, None)
    }

    /// `GET /sobjects/{object}/describe`: the object as the connected user may see it.
    pub fn describe(self, reference_id: &str, object: &str) -> Self {
        let rest = object_name(object).map(|o| format!("sobjects/{o}/describe"));
        self.push(Method::Get, reference_id, rest, None)
    }

    /// A SOQL query (first page); references may appear in it.
    pub fn query(self, reference_id: &str, soql: &str) -> Self {
        let query = serde_urlencoded::to_string([("q", soql)]).expect("string pairs encode");
        self.push(
            Method::Get,
            reference_id,
            Ok(format!("query?{query}")),
            None,
        )
    }

    fn body(&self) -> Result<Value, SfError> {
        if let Some(invalid) = &self.invalid {
            return Err(SfError::InvalidRequest(invalid.clone()));
        }
        if self.items.is_empty() || self.items.len() > COMPOSITE_LIMIT {
            return Err(SfError::InvalidRequest(format!(
                "a Composite request has 1 to {COMPOSITE_LIMIT} sub-requests, not {}",
                self.items.len()
            )));
        }
        Ok(serde_json::json!({
            "allOrNone": self.all_or_none,
            "compositeRequest": self.items,
        }))
    }
}

/// The answer to a Composite call: one item per sub-request, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompositeResponse {
    pub composite_response: Vec<CompositeItem>,
}

impl CompositeResponse {
    pub fn get(&self, reference_id: &str) -> Option<&CompositeItem> {
        self.composite_response
            .iter()
            .find(|item| item.reference_id == reference_id)
    }
}

/// One sub-request's answer: its own status, headers (`Location` for a create) and body
/// (a record, a save result, or Salesforce's error array).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompositeItem {
    #[serde(default)]
    pub body: Value,
    #[serde(default)]
    pub http_headers: BTreeMap<String, String>,
    pub http_status_code: u16,
    pub reference_id: String,
}

impl CompositeItem {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.http_status_code)
    }

    /// The sub-request's error, typed as the same call on its own would be.
    pub fn error(&self) -> Option<SfError> {
        if self.is_success() {
            return None;
        }
        let first = serde_json::from_value::<Vec<RestError>>(self.body.clone())
            .ok()
            .and_then(|errors| errors.into_iter().next());
        Some(match first {
            Some(error) => SfError::Api {
                status: self.http_status_code,
                code: error.error_code,
                message: error.message,
                fields: error.fields.unwrap_or_default(),
            },
            None => SfError::Decode(format!(
                "sub-request {} failed with HTTP {} and no error body",
                self.reference_id, self.http_status_code
            )),
        })
    }

    /// The body as `R`, or the sub-request's error.
    pub fn json<R: DeserializeOwned>(&self) -> Result<R, SfError> {
        if let Some(error) = self.error() {
            return Err(error);
        }
        serde_json::from_value(self.body.clone()).map_err(|e| SfError::Decode(e.to_string()))
    }

    /// The Id a create sub-request made.
    pub fn created_id(&self) -> Result<SfId, SfError> {
        self.json::<SaveResult>()?.into_result()
    }
}

impl<T: Transport> Client<'_, T> {
    /// Sends a Composite request: one API call for all its sub-requests. Sub-request
    /// failures are in their items ([`CompositeItem::error`]), not in the `Result`.
    pub async fn composite(
        &self,
        request: &CompositeRequest,
    ) -> Result<CompositeResponse, SfError> {
        let call = Call::data(Method::Post, "composite").json(&request.body()?)?;
        self.execute_json(&call).await
    }
}

#[cfg(test)]
mod tests {
    use super::super::client::tests::{Script, ok, run, session};
    use super::*;
    use serde_json::json;

    #[test]
    fn builds_references_and_the_wire_body() {
        let request = CompositeRequest::new(true)
            .create("newAccount", "Account", json!({"Name": "Northwind"}))
            .create(
                "newContact",
                "Contact",
                json!({"LastName": "Patel", "AccountId": reference("newAccount", "id")}),
            )
            .get(
                "readBack",
                "Contact",
                &reference("newContact", "id"),
                &["Id", "AccountId"],
            );
        assert_eq!(
            request.body().unwrap(),
            json!({
                "allOrNone": true,
                "compositeRequest": [
                    {"method": "POST", "url": "/services/data/v64.0/sobjects/Account",
                     "referenceId": "newAccount", "body": {"Name": "Northwind"}},
                    {"method": "POST", "url": "/services/data/v64.0/sobjects/Contact",
                     "referenceId": "newContact", "body": {"LastName": "Patel", "AccountId": "@{newAccount.id}"}},
                    {"method": "GET", "url": "/services/data/v64.0/sobjects/Contact/@{newContact.id}?fields=Id,AccountId",
                     "referenceId": "readBack"},
                ]
            })
        );
    }

    #[test]
    fn mistakes_are_refused_before_sending() {
        let script = Script::new([]);
        let client = Client::new(&script, session());
        let bad = [
            CompositeRequest::new(false),
            CompositeRequest::new(false).create("has space", "Account", json!({})),
            CompositeRequest::new(false)
                .create("a", "Account", json!({}))
                .create("a", "Account", json!({})),
            CompositeRequest::new(false).update("u", "Contact", "../limits", json!({})),
            CompositeRequest::new(false).delete("d", "Contact", "@{x.id}/../../y"),
            CompositeRequest::new(false).get("g", "Contact/x", "003000000000001AAA", &[]),
            (0..26).fold(CompositeRequest::new(false), |r, i| {
                r.query(&format!("q{i}"), "SELECT Id FROM Contact")
            }),
        ];
        for request in &bad {
            assert!(
                matches!(
                    run(client.composite(request)),
                    Err(SfError::InvalidRequest(_))
                ),
                "{request:?}"
            );
        }
        assert!(script.sent.borrow().is_empty());
        assert!(is_id_or_reference("@{newContact.records.0.Id}"));
    }

    #[test]
    fn decodes_items_with_their_own_outcomes() {
        let body = r#"{"compositeResponse":[
            {"body":{"id":"001000000000001AAA","success":true,"errors":[]},
             "httpHeaders":{"Location":"/services/data/v64.0/sobjects/Account/001000000000001AAA"},
             "httpStatusCode":201,"referenceId":"newAccount"},
            {"body":[{"errorCode":"REQUIRED_FIELD_MISSING","message":"Required fields are missing: [LastName]","fields":["LastName"]}],
             "httpHeaders":{},"httpStatusCode":400,"referenceId":"newContact"},
            {"body":[{"errorCode":"PROCESSING_HALTED","message":"The transaction was rolled back since another operation in the same transaction failed."}],
             "httpHeaders":{},"httpStatusCode":400,"referenceId":"readBack"}]}"#;
        let script = Script::new([ok(body)]);
        let client = Client::new(&script, session());
        let request =
            CompositeRequest::new(true).create("newAccount", "Account", json!({"Name": "N"}));
        let response = run(client.composite(&request)).unwrap();
        let account = response.get("newAccount").unwrap();
        assert_eq!(account.created_id().unwrap().as_str(), "001000000000001AAA");
        assert!(account.http_headers["Location"].ends_with("001000000000001AAA"));
        let contact = response.get("newContact").unwrap();
        assert_eq!(
            contact.error(),
            Some(SfError::Api {
                status: 400,
                code: "REQUIRED_FIELD_MISSING".into(),
                message: "Required fields are missing: [LastName]".into(),
                fields: vec!["LastName".into()]
            })
        );
        assert_eq!(
            response
                .get("readBack")
                .unwrap()
                .created_id()
                .unwrap_err()
                .code(),
            Some("PROCESSING_HALTED")
        );
        assert!(script.urls()[0].ends_with("/services/data/v64.0/composite"));
    }
}
