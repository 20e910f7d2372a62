//! The context token: how the helpdesk tells the widget (and so the edge) who is looking.
//!
//! The helpdesk side (an extension host; in the demo, the sandbox's helpdesk pages) signs
//! a short-lived HS256 JWT with a secret it shares with the edge. The edge verifies it on
//! every call and trusts nothing else the browser says about org, agent or profile. The
//! token names the edge as its audience and when it was issued, and may not live longer
//! than [`MAX_TTL_SECS`], so a leaked token (or one signed for another service with the
//! same secret) buys little.

use crate::{b64url, b64url_decode, ids::Email};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// How long a freshly minted context token lives.
pub const DEFAULT_TTL_SECS: u64 = 15 * 60;

/// The longest lifetime (`exp - iat`) the edge accepts.
pub const MAX_TTL_SECS: u64 = 12 * 60 * 60;

/// How far ahead of the edge's clock the signer's may run.
pub const CLOCK_SKEW_SECS: u64 = 60;

/// The `aud` of tokens meant for the sfdesk edge.
pub const AUDIENCE: &str = "sfdesk-edge";

/// The shortest signing secret the edge runs with: HS256's own key size, so the secret
/// cannot be guessed offline from one captured token.
pub const MIN_SECRET_BYTES: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the context secret is {0} bytes long; it must be at least {MIN_SECRET_BYTES} (generate one with `openssl rand -base64 32`)"
)]
pub struct ShortSecret(pub usize);

/// Refuses a signing secret shorter than [`MIN_SECRET_BYTES`].
pub fn check_secret(secret: &[u8]) -> Result<(), ShortSecret> {
    if secret.len() < MIN_SECRET_BYTES {
        return Err(ShortSecret(secret.len()));
    }
    Ok(())
}

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
    /// Who the token is for: [`AUDIENCE`].
    pub aud: String,
    /// Issued at, seconds since the Unix epoch.
    pub iat: u64,
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
    #[error("the context token is not meant for sfdesk (its audience is {0:?})")]
    WrongAudience(String),
    #[error(
        "the context token is issued in the future; check the clock of the server that signs it"
    )]
    IssuedInFuture,
    #[error("the context token lives longer than sfdesk accepts (at most {MAX_TTL_SECS} seconds)")]
    TooLong,
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

/// Checks signature (in constant time), audience, issue time, lifetime and expiry against
/// `now` (Unix seconds).
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
    if claims.aud != AUDIENCE {
        return Err(ContextError::WrongAudience(claims.aud));
    }
    if claims.iat > now + CLOCK_SKEW_SECS {
        return Err(ContextError::IssuedInFuture);
    }
    if claims.exp.saturating_sub(claims.iat) > MAX_TTL_SECS {
        return Err(ContextError::TooLong);
    }
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

    const SECRET: &[u8] = b"test-secret-of-thirty-two-bytes!";

    #[test]
    fn secrets_shorter_than_32_bytes_are_refused() {
        assert_eq!(check_secret(SECRET), Ok(()));
        assert_eq!(check_secret(&SECRET[..31]), Err(ShortSecret(31)));
        assert_eq!(check_secret(b""), Err(ShortSecret(0)));
    }

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
            aud: AUDIENCE.into(),
            iat: 900,
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
    fn another_audience_is_refused() {
        let mut other = claims();
        other.aud = "some-other-service".into();
        assert_eq!(
            verify(&sign(&other, SECRET), SECRET, 1_000),
            Err(ContextError::WrongAudience("some-other-service".into()))
        );
    }

    #[test]
    fn a_token_without_audience_or_issue_time_is_malformed() {
        let mut json = serde_json::to_value(claims()).unwrap();
        json.as_object_mut().unwrap().remove("aud");
        let payload = b64url(serde_json::to_vec(&json).unwrap());
        let input = format!("{}.{payload}", b64url(HEADER));
        let token = format!(
            "{input}.{}",
            b64url(mac(SECRET, &input).finalize().into_bytes())
        );
        assert_eq!(verify(&token, SECRET, 1_000), Err(ContextError::Malformed));
    }

    #[test]
    fn issue_time_may_run_ahead_by_the_skew_only() {
        let mut ahead = claims();
        ahead.iat = 1_000 + CLOCK_SKEW_SECS;
        assert!(verify(&sign(&ahead, SECRET), SECRET, 1_000).is_ok());
        ahead.iat += 1;
        assert_eq!(
            verify(&sign(&ahead, SECRET), SECRET, 1_000),
            Err(ContextError::IssuedInFuture)
        );
    }

    #[test]
    fn lifetime_is_capped() {
        let mut long = claims();
        long.exp = long.iat + MAX_TTL_SECS;
        assert!(verify(&sign(&long, SECRET), SECRET, 1_000).is_ok());
        long.exp += 1;
        assert_eq!(
            verify(&sign(&long, SECRET), SECRET, 1_000),
            Err(ContextError::TooLong)
        );
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
