//! What can go wrong talking to the helpdesk, typed so callers can react: reconnect on
//! `Unauthorized`, retry later on `RateLimited`/`Unavailable`, show `Api` errors (with
//! Zoho's `errorCode` and the fields at fault) to a person.

use crate::http::{HttpResponse, TransportError};
use serde::{Deserialize, Serialize};
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HelpdeskError {
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// `UNAUTHORIZED`, `INVALID_OAUTH`, `OAUTH_ORG_MISMATCH`: the token or org is wrong.
    #[error("the helpdesk refused our credentials ({code}): {message}")]
    Unauthorized { code: String, message: String },
    /// Still 429 after the retries the policy allows (or a wait longer than it accepts).
    #[error("the helpdesk's API limit is reached ({code}){}", retry_hint(.retry_after))]
    RateLimited {
        code: String,
        retry_after: Option<Duration>,
    },
    /// 429 `THRESHOLD_EXCEEDED`: the portal's credits for the day are spent, by every
    /// integration of it together (Desk API, error codes). Never waited out in a call.
    #[error(
        "the helpdesk's API credits for today are spent, by all its integrations together (THRESHOLD_EXCEEDED)"
    )]
    CreditsSpent { retry_after: Option<Duration> },
    /// This client's share of the day's credits is spent (see
    /// [`super::CreditBudget`]); the call was not made.
    #[error(
        "sfdesk's share of the helpdesk's API credits for today is spent ({spent} of {daily} credits used, sfdesk stops at {ceiling})"
    )]
    OverBudget {
        spent: u64,
        daily: u64,
        ceiling: u64,
    },
    /// Any other error the helpdesk explained with its `{"errorCode","message"}` body.
    #[error("the helpdesk answered {status} {code}: {message}{}", field_hint(.errors))]
    Api {
        status: u16,
        code: String,
        message: String,
        errors: Vec<FieldIssue>,
    },
    /// A 5xx without an explanation, after retries.
    #[error("the helpdesk is unavailable (HTTP {status}); try again shortly")]
    Unavailable { status: u16 },
    #[error("unexpected answer from the helpdesk: {0}")]
    Decode(String),
    /// Zoho Accounts refused a token request (`invalid_code`, `invalid_client`, ...).
    #[error("Zoho Accounts refused: {error}")]
    OAuth { error: String },
    /// The org's grant is gone (revoked, or the app removed): only connecting the
    /// helpdesk again helps.
    #[error("the helpdesk connection was revoked or expired: reconnect the helpdesk")]
    Revoked,
    /// A renewed token could not be kept for the org's other clients.
    #[error("keeping the renewed helpdesk token failed: {0}")]
    Keeping(String),
}

fn retry_hint(retry_after: &Option<Duration>) -> String {
    match retry_after {
        Some(wait) => format!("; try again in {} s", wait.as_secs().max(1)),
        None => "; try again later".to_owned(),
    }
}

fn field_hint(errors: &[FieldIssue]) -> String {
    if errors.is_empty() {
        return String::new();
    }
    let fields: Vec<String> = errors
        .iter()
        .map(|e| format!("{} ({})", e.field_name, e.error_type))
        .collect();
    format!(" [{}]", fields.join(", "))
}

impl HelpdeskError {
    /// Zoho's `errorCode`, where the helpdesk gave one.
    pub fn code(&self) -> Option<&str> {
        match self {
            HelpdeskError::Unauthorized { code, .. }
            | HelpdeskError::RateLimited { code, .. }
            | HelpdeskError::Api { code, .. } => Some(code),
            HelpdeskError::CreditsSpent { .. } => Some(THRESHOLD_EXCEEDED),
            _ => None,
        }
    }

    /// Only an admin connecting the helpdesk again makes calls work.
    pub fn needs_reconnect(&self) -> bool {
        matches!(self, HelpdeskError::Revoked)
    }

    pub fn is_not_found(&self) -> bool {
        self.code() == Some("URL_NOT_FOUND")
    }

    /// Worth trying again later, unchanged.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            HelpdeskError::Transport(_)
                | HelpdeskError::RateLimited { .. }
                | HelpdeskError::Unavailable { .. }
        ) || self.credits_back_in().is_some()
    }

    /// The day's credits (or this client's share of them) are spent: `Some` with the wait
    /// the helpdesk named, if it did. Worth trying again only once they are back.
    pub fn credits_back_in(&self) -> Option<Option<Duration>> {
        match self {
            HelpdeskError::CreditsSpent { retry_after } => Some(*retry_after),
            HelpdeskError::OverBudget { .. } => Some(None),
            _ => None,
        }
    }
}

/// One entry of a validation error's `errors` array.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldIssue {
    /// A JSON pointer into the request, e.g. `/cf/cf_seats` or `/email`.
    pub field_name: String,
    /// `missing`, `invalid`, ...
    pub error_type: String,
    #[serde(default)]
    pub error_message: String,
}

/// `{"errorCode", "message", "errors"?}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ErrorBody {
    error_code: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    errors: Vec<FieldIssue>,
}

/// Zoho's code for a portal whose day's credits are spent.
const THRESHOLD_EXCEEDED: &str = "THRESHOLD_EXCEEDED";

/// The typed error a non-2xx answer describes.
pub(super) fn error_of(response: &HttpResponse) -> HelpdeskError {
    let body = serde_json::from_slice::<ErrorBody>(&response.body).ok();
    match (response.status, body) {
        (429, Some(body)) if body.error_code == THRESHOLD_EXCEEDED => HelpdeskError::CreditsSpent {
            retry_after: retry_after(response),
        },
        (429, body) => HelpdeskError::RateLimited {
            code: body.map_or_else(|| "TOO_MANY_REQUESTS".to_owned(), |b| b.error_code),
            retry_after: retry_after(response),
        },
        (401, Some(body)) => HelpdeskError::Unauthorized {
            code: body.error_code,
            message: body.message,
        },
        (status, Some(body)) => HelpdeskError::Api {
            status,
            code: body.error_code,
            message: body.message,
            errors: body.errors,
        },
        (status, None) if status >= 500 => HelpdeskError::Unavailable { status },
        (401, None) => HelpdeskError::Unauthorized {
            code: "UNAUTHORIZED".into(),
            message: "HTTP 401 without an error body".into(),
        },
        (status, None) => {
            HelpdeskError::Decode(format!("HTTP {status} without a helpdesk error body"))
        }
    }
}

/// `Retry-After` in seconds (the form Zoho sends).
pub(super) fn retry_after(response: &HttpResponse) -> Option<Duration> {
    response
        .header("Retry-After")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn validation_errors_keep_code_and_fields() {
        let body = r#"{"errorCode":"INVALID_DATA","message":"The data is invalid due to validation restrictions",
            "errors":[{"fieldName":"/cf/cf_seats","errorType":"invalid","errorMessage":"Text value is given for an Integer field"}]}"#;
        let error = error_of(&response(422, &[], body));
        assert_eq!(error.code(), Some("INVALID_DATA"));
        let HelpdeskError::Api { status, errors, .. } = &error else {
            panic!("{error:?}")
        };
        assert_eq!(*status, 422);
        assert_eq!(errors[0].field_name, "/cf/cf_seats");
        assert!(
            error.to_string().contains("/cf/cf_seats (invalid)"),
            "{error}"
        );
    }

    #[test]
    fn credentials_rate_limits_and_outages_are_typed() {
        let body =
            r#"{"errorCode":"INVALID_OAUTH","message":"The OAuth Token you provided is invalid."}"#;
        assert!(matches!(
            error_of(&response(401, &[], body)),
            HelpdeskError::Unauthorized { code, .. } if code == "INVALID_OAUTH"
        ));
        let limited = error_of(&response(
            429,
            &[("retry-after", "7")],
            r#"{"errorCode":"TOO_MANY_REQUESTS","message":"slow down"}"#,
        ));
        assert_eq!(
            limited,
            HelpdeskError::RateLimited {
                code: "TOO_MANY_REQUESTS".into(),
                retry_after: Some(Duration::from_secs(7))
            }
        );
        assert!(limited.is_transient());
        assert_eq!(limited.credits_back_in(), None);
        let spent = error_of(&response(
            429,
            &[("Retry-After", "5400")],
            r#"{"errorCode":"THRESHOLD_EXCEEDED","message":"credits exhausted"}"#,
        ));
        assert_eq!(
            spent,
            HelpdeskError::CreditsSpent {
                retry_after: Some(Duration::from_secs(5400))
            }
        );
        assert_eq!(spent.code(), Some("THRESHOLD_EXCEEDED"));
        assert_eq!(
            spent.credits_back_in(),
            Some(Some(Duration::from_secs(5400)))
        );
        assert_eq!(
            error_of(&response(503, &[], "<html>")),
            HelpdeskError::Unavailable { status: 503 }
        );
        let missing = error_of(&response(
            404,
            &[],
            r#"{"errorCode":"URL_NOT_FOUND","message":"The URL you requested could not be found."}"#,
        ));
        assert!(missing.is_not_found() && !missing.is_transient());
    }
}
