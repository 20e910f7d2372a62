//! One error type for everything that can go wrong talking to Salesforce.

use super::wire::SaveError;
use crate::http::TransportError;

/// Everything that can go wrong talking to Salesforce, typed so callers can react: ask an
/// admin to reconnect on [`SfError::RefreshRevoked`], wait on [`SfError::Unavailable`]
/// and [`SfError::BudgetExhausted`], show the record's errors on [`SfError::Save`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SfError {
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The access token was refused and could not be renewed: the client has no refresh
    /// token, or the renewed token was refused as well.
    #[error("Salesforce session expired or invalid")]
    InvalidSession,
    /// The refresh token no longer works (revoked, expired by policy, user deactivated):
    /// only an administrator connecting Salesforce again helps.
    #[error("Salesforce access was revoked ({description}): reconnect Salesforce")]
    RefreshRevoked { error: String, description: String },
    /// An OAuth endpoint refused a grant (`{"error", "error_description"}`).
    #[error("Salesforce refused the sign-in: {error}: {description}")]
    OAuth { error: String, description: String },
    /// A REST error answer: its HTTP status and the first entry of Salesforce's error
    /// array (`errorCode`, `message`, and `fields` where Salesforce names them).
    #[error("Salesforce answered {status} {code}: {message}")]
    Api {
        status: u16,
        code: String,
        message: String,
        fields: Vec<String>,
    },
    /// A record was not saved; Salesforce's per-record errors (`statusCode`, ...).
    #[error("Salesforce did not save the record: {}", describe_save_errors(.errors))]
    Save { errors: Vec<SaveError> },
    /// 503 (or a 429) that outlasted the retries, or a 5xx without a Salesforce body.
    #[error("Salesforce is unavailable (HTTP {status})")]
    Unavailable { status: u16 },
    /// The client refused to call: the org's daily API allowance is used beyond the share
    /// this client may spend (`used` of `max`, with `ceiling` as our share).
    #[error(
        "the Salesforce API allowance is spent for now ({used} of {max} daily calls used; this work may use up to {ceiling})"
    )]
    BudgetExhausted { used: u64, max: u64, ceiling: u64 },
    /// Our own request was malformed before anything was sent (too many records for one
    /// call, a record without an `Id` to update, a bad object name).
    #[error("invalid Salesforce request: {0}")]
    InvalidRequest(String),
    /// A renewed session could not be stored where the org keeps it.
    #[error("the renewed Salesforce session could not be stored: {0}")]
    Keeping(String),
    #[error("unexpected answer from Salesforce: {0}")]
    Decode(String),
}

impl SfError {
    /// Salesforce's `errorCode` (or the first `statusCode` of a save error).
    pub fn code(&self) -> Option<&str> {
        match self {
            SfError::Api { code, .. } => Some(code),
            SfError::InvalidSession => Some("INVALID_SESSION_ID"),
            SfError::Save { errors } => errors.first().map(|e| e.status_code.as_str()),
            _ => None,
        }
    }

    /// Whether an administrator must connect Salesforce again before anything works.
    pub fn needs_reconnect(&self) -> bool {
        matches!(
            self,
            SfError::RefreshRevoked { .. } | SfError::InvalidSession
        )
    }
}

fn describe_save_errors(errors: &[SaveError]) -> String {
    if errors.is_empty() {
        return "no reason given".into();
    }
    errors
        .iter()
        .map(|e| {
            if e.fields.is_empty() {
                format!("{}: {}", e.status_code, e.message)
            } else {
                format!("{}: {} ({})", e.status_code, e.message, e.fields.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_errors_read_well() {
        let error = SfError::Save {
            errors: vec![
                SaveError {
                    status_code: "REQUIRED_FIELD_MISSING".into(),
                    message: "Required fields are missing: [LastName]".into(),
                    fields: vec!["LastName".into()],
                },
                SaveError {
                    status_code: "DUPLICATES_DETECTED".into(),
                    message: "Use one of these records?".into(),
                    fields: vec![],
                },
            ],
        };
        assert_eq!(
            error.to_string(),
            "Salesforce did not save the record: REQUIRED_FIELD_MISSING: Required fields are missing: [LastName] (LastName); DUPLICATES_DETECTED: Use one of these records?"
        );
        assert_eq!(error.code(), Some("REQUIRED_FIELD_MISSING"));
        assert!(!error.needs_reconnect());
        let revoked = SfError::RefreshRevoked {
            error: "invalid_grant".into(),
            description: "expired access/refresh token".into(),
        };
        assert!(revoked.needs_reconnect());
        assert!(revoked.to_string().contains("reconnect Salesforce"));
    }
}
