//! Why a record failed to sync, in words an admin can act on. Where the reference
//! integration has a message for a case, we use its exact wording.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "reason", content = "detail", rename_all = "snake_case")]
pub enum FailureReason {
    #[error("CRM ID is already mapped with another Support Entity")]
    AlreadyMapped,
    /// A value of the wrong kind for its field (a mapping mistake).
    #[error("{0}")]
    TypeMismatch(String),
    #[error("Mandatory Field Missing")]
    MandatoryFieldMissing,
    #[error("Missing Parameter")]
    MissingParameter,
    #[error("Incorrect API parameter or Parameter Value")]
    IncorrectParameter,
    #[error("{0}")]
    InvalidValue(String),
    #[error("Permission denied: the connected user may not change this record ({0})")]
    Permission(String),
    #[error("Blocked by a validation rule: {0}")]
    ValidationRule(String),
    #[error(
        "The daily API limit is reached; the record will be retried when allowance is available"
    )]
    LimitReached,
    #[error("Salesforce access was revoked: reconnect Salesforce")]
    Reconnect,
    #[error("{0}")]
    Other(String),
}

/// The most characters of a record's label or of a reason's detail the failure log keeps:
/// a refused value may be megabytes long, and the log is read whole by the console.
pub const MAX_LOGGED_CHARS: usize = 500;

/// `text` cut to [`MAX_LOGGED_CHARS`], marked with an ellipsis where it was cut.
pub fn clipped(text: &str) -> String {
    match text.char_indices().nth(MAX_LOGGED_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

impl FailureReason {
    /// The reason with its detail [`clipped`], as the failure log keeps it.
    pub fn clipped(&self) -> Self {
        use FailureReason::*;
        match self {
            TypeMismatch(detail) => TypeMismatch(clipped(detail)),
            InvalidValue(detail) => InvalidValue(clipped(detail)),
            Permission(detail) => Permission(clipped(detail)),
            ValidationRule(detail) => ValidationRule(clipped(detail)),
            Other(detail) => Other(clipped(detail)),
            AlreadyMapped
            | MandatoryFieldMissing
            | MissingParameter
            | IncorrectParameter
            | LimitReached
            | Reconnect => self.clone(),
        }
    }

    /// From a Salesforce save error (`statusCode` of a collections result, or `errorCode`).
    pub fn from_salesforce(code: &str, message: &str) -> Self {
        match code {
            "REQUIRED_FIELD_MISSING" => FailureReason::MandatoryFieldMissing,
            "INVALID_TYPE_ON_FIELD_IN_RECORD" => FailureReason::TypeMismatch(message.to_owned()),
            "MISSING_ARGUMENT" => FailureReason::MissingParameter,
            "MALFORMED_ID"
            | "INVALID_FIELD"
            | "INVALID_FIELD_FOR_INSERT_UPDATE"
            | "JSON_PARSER_ERROR" => FailureReason::IncorrectParameter,
            "STRING_TOO_LONG"
            | "INVALID_EMAIL_ADDRESS"
            | "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST" => {
                FailureReason::InvalidValue(message.to_owned())
            }
            "INSUFFICIENT_ACCESS_OR_READONLY"
            | "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY"
            | "CANNOT_UPDATE_CONVERTED_LEAD" => FailureReason::Permission(message.to_owned()),
            "FIELD_CUSTOM_VALIDATION_EXCEPTION" => {
                FailureReason::ValidationRule(message.to_owned())
            }
            "REQUEST_LIMIT_EXCEEDED" => FailureReason::LimitReached,
            "INVALID_SESSION_ID" => FailureReason::Reconnect,
            _ => FailureReason::Other(format!("{code}: {message}")),
        }
    }

    /// From a helpdesk API error (`errorCode` and `message`).
    pub fn from_helpdesk(code: &str, message: &str) -> Self {
        let lower = message.to_lowercase();
        match code {
            "INVALID_DATA" | "UNPROCESSABLE_ENTITY"
                if lower.contains("mandatory") || lower.contains("required") =>
            {
                FailureReason::MandatoryFieldMissing
            }
            "INVALID_DATA" | "UNPROCESSABLE_ENTITY" if lower.contains("missing") => {
                FailureReason::MissingParameter
            }
            "INVALID_DATA" | "UNPROCESSABLE_ENTITY" => FailureReason::IncorrectParameter,
            "FORBIDDEN" | "UNAUTHORIZED" | "NO_PERMISSION" => {
                FailureReason::Permission(message.to_owned())
            }
            "TOO_MANY_REQUESTS" | "API_LIMIT_EXCEEDED" => FailureReason::LimitReached,
            _ => FailureReason::Other(format!("{code}: {message}")),
        }
    }

    /// Worth retrying by itself later (the cause may go away without anyone acting).
    pub fn is_transient(&self) -> bool {
        matches!(self, FailureReason::LimitReached)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_details_are_clipped_for_the_log() {
        let long = "é".repeat(MAX_LOGGED_CHARS + 10);
        let FailureReason::InvalidValue(kept) = FailureReason::InvalidValue(long).clipped() else {
            panic!("the same reason");
        };
        assert_eq!(kept.chars().count(), MAX_LOGGED_CHARS + 1);
        assert!(kept.ends_with('…'));
        assert_eq!(clipped("short"), "short");
        assert_eq!(
            FailureReason::LimitReached.clipped(),
            FailureReason::LimitReached
        );
    }

    #[test]
    fn reference_wording_is_exact() {
        assert_eq!(
            FailureReason::AlreadyMapped.to_string(),
            "CRM ID is already mapped with another Support Entity"
        );
        assert_eq!(
            FailureReason::from_salesforce("REQUIRED_FIELD_MISSING", "x").to_string(),
            "Mandatory Field Missing"
        );
        assert_eq!(
            FailureReason::from_salesforce("MISSING_ARGUMENT", "x").to_string(),
            "Missing Parameter"
        );
        assert_eq!(
            FailureReason::from_salesforce("MALFORMED_ID", "x").to_string(),
            "Incorrect API parameter or Parameter Value"
        );
    }

    #[test]
    fn salesforce_codes_map_to_clear_reasons() {
        let rule = FailureReason::from_salesforce(
            "FIELD_CUSTOM_VALIDATION_EXCEPTION",
            "Phone must start with +",
        );
        assert_eq!(
            rule.to_string(),
            "Blocked by a validation rule: Phone must start with +"
        );
        assert!(FailureReason::from_salesforce("REQUEST_LIMIT_EXCEEDED", "x").is_transient());
        assert!(matches!(
            FailureReason::from_salesforce("INSUFFICIENT_ACCESS_OR_READONLY", "x"),
            FailureReason::Permission(_)
        ));
        assert_eq!(
            FailureReason::from_salesforce("WEIRD", "odd").to_string(),
            "WEIRD: odd"
        );
    }

    #[test]
    fn helpdesk_codes_map_to_clear_reasons() {
        assert_eq!(
            FailureReason::from_helpdesk("INVALID_DATA", "lastName is mandatory"),
            FailureReason::MandatoryFieldMissing
        );
        assert_eq!(
            FailureReason::from_helpdesk("INVALID_DATA", "bad value"),
            FailureReason::IncorrectParameter
        );
        assert_eq!(
            FailureReason::from_helpdesk("TOO_MANY_REQUESTS", "slow down"),
            FailureReason::LimitReached
        );
    }

    #[test]
    fn serializes_with_a_stable_tag() {
        let json = serde_json::to_value(FailureReason::ValidationRule("r".into())).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"reason": "validation_rule", "detail": "r"})
        );
    }
}
