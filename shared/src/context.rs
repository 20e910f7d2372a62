//! The context token: how the helpdesk tells the widget (and so the edge) who is looking.
//!
//! The helpdesk side (an extension host; in the demo, the sandbox's helpdesk pages) signs
//! a short-lived HS256 JWT with a secret it shares with the edge. The edge verifies it on
//! every call and trusts nothing else the browser says about org, agent or profile.

use crate::{b64url, b64url_decode, ids::Email};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// How long a freshly minted context token lives.
pub const DEFAULT_TTL_SECS: u64 = 15 * 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// May run the admin console: connect, configure, delete.
    Admin,
    Agent,
}

/// Who is looking at what. `ticket` and `requester` are absent outside a ticket view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContextClaims {
    /// The helpdesk organisation: one Durable Object each.
    pub org: String,
    pub agent: String,
    pub profile_id: String,
    pub profile_name: String,
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requester: Option<Email>,
    /// The account in view (the requester's, or the account page's): its name, which is
    /// how accounts match between the helpdesk and Salesforce.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// Expiry, seconds since the Unix epoch.
    pub exp: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContextError {
    #[error("the context token is not a well-formed HS256 JWT")]
    Malformed,
    #[error("the context token's signature does not match")]
    BadSignature,
    #[error("the context token expired; reload the page to get a new one")]
    Expired,
}

const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

fn mac(secret: &[u8], signing_input: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(signing_input.as_bytes());
    mac
}

pub fn sign(claims: &ContextClaims, secret: &[u8]) -> String {
    let payload = serde_json::to_vec(claims).expect("claims serialize");
    let signing_input = format!("{}.{}", b64url(HEADER), b64url(payload));
    let signature = mac(secret, &signing_input).finalize().into_bytes();
    format!("{signing_input}.{}", b64url(signature))
}

/// Checks signature (in constant time) and expiry against `now` (Unix seconds).
pub fn verify(token: &str, secret: &[u8], now: u64) -> Result<ContextClaims, ContextError> {
    let (signing_input, signature) = token.rsplit_once('.').ok_or(ContextError::Malformed)?;
    let (header, payload) = signing_input
        .split_once('.')
        .ok_or(ContextError::Malformed)?;
    let header = b64url_decode(header).ok_or(ContextError::Malformed)?;
    let header: serde_json::Value =
        serde_json::from_slice(&header).map_err(|_| ContextError::Malformed)?;
    if header.get("alg").and_then(|a| a.as_str()) != Some("HS256") {
        return Err(ContextError::Malformed);
    }
    let signature = b64url_decode(signature).ok_or(ContextError::Malformed)?;
    mac(secret, signing_input)
        .verify_slice(&signature)
        .map_err(|_| ContextError::BadSignature)?;
    let payload = b64url_decode(payload).ok_or(ContextError::Malformed)?;
    let claims: ContextClaims =
        serde_json::from_slice(&payload).map_err(|_| ContextError::Malformed)?;
    if claims.exp <= now {
        return Err(ContextError::Expired);
    }
    Ok(claims)
}

/// The claims of a token read without checking its signature or expiry: for a browser to
/// decide what to *show* (e.g. the admin console's entry for an admin). Never a basis for
/// trust: the edge verifies every call with [`verify`].
pub fn unverified_claims(token: &str) -> Option<ContextClaims> {
    let mut parts = token.split('.');
    let (_header, payload) = (parts.next()?, parts.next()?);
    serde_json::from_slice(&b64url_decode(payload)?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"test-secret";

    fn claims() -> ContextClaims {
        ContextClaims {
            org: "60001".into(),
            agent: "1001".into(),
            profile_id: "7001".into(),
            profile_name: "Agent".into(),
            role: Role::Agent,
            ticket: Some("42".into()),
            requester: Some(Email::parse("ada@example.com").unwrap()),
            account: None,
            exp: 2_000,
        }
    }

    #[test]
    fn unverified_claims_read_any_well_formed_token() {
        let token = sign(&claims(), b"some other secret");
        assert_eq!(unverified_claims(&token), Some(claims()));
        assert_eq!(unverified_claims("nonsense"), None);
        assert_eq!(unverified_claims("a.b.c"), None);
    }

    #[test]
    fn round_trips() {
        let token = sign(&claims(), SECRET);
        assert_eq!(verify(&token, SECRET, 1_000), Ok(claims()));
    }

    #[test]
    fn wrong_secret_is_refused() {
        let token = sign(&claims(), SECRET);
        assert_eq!(
            verify(&token, b"other", 1_000),
            Err(ContextError::BadSignature)
        );
    }

    #[test]
    fn tampered_claims_are_refused() {
        let token = sign(&claims(), SECRET);
        let mut parts: Vec<&str> = token.split('.').collect();
        let mut forged = claims();
        forged.role = Role::Admin;
        let forged_payload = b64url(serde_json::to_vec(&forged).unwrap());
        parts[1] = &forged_payload;
        assert_eq!(
            verify(&parts.join("."), SECRET, 1_000),
            Err(ContextError::BadSignature)
        );
    }

    #[test]
    fn expired_is_refused() {
        let token = sign(&claims(), SECRET);
        assert_eq!(verify(&token, SECRET, 2_000), Err(ContextError::Expired));
    }

    #[test]
    fn garbage_is_malformed() {
        for bad in ["", "abc", "a.b", "a.b.c", "eyJhbGciOiJub25lIn0.e30."] {
            assert_eq!(
                verify(bad, SECRET, 0),
                Err(ContextError::Malformed),
                "{bad:?}"
            );
        }
    }
}
