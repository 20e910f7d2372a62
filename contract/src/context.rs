//! The session token: who is looking, as the edge established it.
//!
//! Zoho Desk signs nothing for a widget. The widget asks the edge for a session through
//! Zoho's proxy ([`SESSION_PATH`], `ZOHODESK.request`), which adds the installation's
//! secret ([`INSTALLATION_HEADER`]) and the agent's helpdesk OAuth token; the edge asks the
//! helpdesk who the token is and what is in view, then signs a short-lived HS256 JWT with
//! its own secret. Only the edge signs and verifies it; every later call carries it. The
//! token names the edge as its audience and when it was issued, and may not live longer
//! than [`MAX_TTL_SECS`], so a leaked token buys little.

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

/// Where the widget asks for a session (`POST`, a [`SessionRequest`]; answers a
/// [`Session`]).
pub const SESSION_PATH: &str = "/api/session";

/// The header carrying the installation's secret, which Zoho's proxy fills from the
/// extension's secure parameter [`INSTALL_SECRET_PARAM`] (`{{secure.installSecret}}`).
pub const INSTALLATION_HEADER: &str = "X-Sfdesk-Installation";

/// The extension's secure, not user-defined config parameter (`config` in
/// `plugin-manifest.json`) that holds the installation secret. Zoho Desk lets only the
/// extension set such a parameter, from its widget (`ZOHODESK.set("extension.config",
/// {name, value})`, Zoho Desk extension guide, "Set param values"): an administrator's
/// first view of the widget asks the edge for it ([`INSTALLATION_SECRET_PATH`]) and sets it.
pub const INSTALL_SECRET_PARAM: &str = "installSecret";

/// Where an administrator's widget asks for its org's installation secret, through Zoho's
/// proxy with their own helpdesk token (`POST`, an [`InstallationSecretRequest`]; answers
/// an [`InstallationSecret`]).
pub const INSTALLATION_SECRET_PATH: &str = "/api/installation-secret";

/// The edge's refusal of a session request whose installation secret Zoho's proxy left
/// empty (the parameter has no value yet): the widget then finishes the installation.
pub const INSTALLATION_UNFINISHED: &str = "sfdesk's installation in this helpdesk org is not finished: an administrator opens sfdesk once to finish it.";

/// Whether a presented installation secret is a parameter with no value yet: empty, or
/// the placeholder left as written.
pub fn installation_secret_is_unset(presented: &str) -> bool {
    let presented = presented.trim();
    presented.is_empty() || presented.contains("{{")
}

/// An administrator's widget asking for the installation secret of `org` (`portal.id`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstallationSecretRequest {
    pub org: String,
}

/// The installation secret, for the widget to set as [`INSTALL_SECRET_PARAM`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstallationSecret {
    pub secret: String,
}

/// The extension's connection (`connectors` in `plugin-manifest.json`) whose OAuth token
/// Zoho's proxy attaches to the session request: the agent's own helpdesk grant.
pub const CONNECTION_LINK_NAME: &str = "sfdeskdesk";

/// Zoho Desk's lifecycle callbacks (`callbackListener` in `plugin-manifest.json`),
/// `POST`ed with a `HASH` header.
pub const INSTALL_CALLBACK_PATH: &str = "/zoho/installed";
pub const UNINSTALL_CALLBACK_PATH: &str = "/zoho/uninstalled";

/// What the widget read of its view through the Zoho Desk SDK. Everything here is a claim
/// the edge checks against the helpdesk: the org against the installation's secret, the
/// agent against the OAuth token's owner, the record by reading it with that token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRequest {
    /// `portal.id`.
    pub org: String,
    /// `user.id`.
    pub agent: String,
    /// A profile the caller believes the agent has; refused unless the helpdesk agrees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_id: Option<String>,
    #[serde(default, flatten)]
    pub view: RecordInView,
}

/// The record whose page the widget is on, by helpdesk id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct RecordInView {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
}

/// A session the edge minted: the token for `Authorization: Bearer`, and its expiry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub token: String,
    pub expires_at: u64,
}

/// The installation secret of helpdesk org `org`: an HMAC of the org id with the edge's
/// secret, hex. The edge needs to store nothing to check it, and one org's secret says
/// nothing of another's.
pub fn installation_secret(edge_secret: &[u8], org: &str) -> String {
    mac(edge_secret, &format!("sfdesk-installation:{org}"))
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `presented` is org `org`'s [`installation_secret`], compared in constant time.
pub fn installation_secret_matches(edge_secret: &[u8], org: &str, presented: &str) -> bool {
    let expected = installation_secret(edge_secret, org);
    expected.len() == presented.len()
        && expected
            .bytes()
            .zip(presented.bytes())
            .fold(0u8, |diff, (x, y)| diff | (x ^ y))
            == 0
}

/// Whether `hash` (hex, either case) is the HMAC-SHA256 of a lifecycle callback's exact
/// `body` with the extension's secret, as Zoho Desk signs them ("Platform Event
/// Callbacks"); checked in constant time.
pub fn lifecycle_hash_matches(extension_secret: &[u8], body: &[u8], hash: &str) -> bool {
    let hash = hash.trim();
    let bytes: Option<Vec<u8>> = (0..hash.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hash.get(i..i + 2)?, 16).ok())
        .collect();
    let Some(bytes) = bytes.filter(|b| !b.is_empty()) else {
        return false;
    };
    let mut mac =
        Hmac::<Sha256>::new_from_slice(extension_secret).expect("HMAC takes keys of any length");
    mac.update(body);
    mac.verify_slice(&bytes).is_ok()
}

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

impl crate::wire_name::WireName for Role {
    const VARIANTS: &'static [Self] = &[Role::Admin, Role::Agent];

    fn wire_name(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Agent => "agent",
        }
    }
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
/// decide what to *show* (the admin console's screens for an admin). Never a basis for
/// trust: the edge verifies every call with [`verify`].
pub fn unverified_claims(token: &str) -> Option<ContextClaims> {
    let mut parts = token.split('.');
    let (_header, payload) = (parts.next()?, parts.next()?);
    // Read as text, as the console's other JSON is: its bundle then carries one JSON
    // reader, not a second one for bytes.
    let payload = String::from_utf8(b64url_decode(payload)?).ok()?;
    serde_json::from_str(&payload).ok()
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
    fn a_lifecycle_hash_is_hex_hmac_sha256_of_the_body() {
        // The well-known HMAC-SHA256 of this sentence with the key "key".
        let body = b"The quick brown fox jumps over the lazy dog";
        let hash = "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8";
        assert!(lifecycle_hash_matches(b"key", body, hash));
        assert!(lifecycle_hash_matches(b"key", body, &hash.to_uppercase()));
        assert!(!lifecycle_hash_matches(b"other", body, hash));
        assert!(!lifecycle_hash_matches(b"key", b"another body", hash));
        for bad in ["", "zz", "f", &hash[..62]] {
            assert!(!lifecycle_hash_matches(b"key", body, bad), "{bad:?}");
        }
    }

    #[test]
    fn an_empty_or_unfilled_installation_secret_is_unset() {
        assert!(installation_secret_is_unset(""));
        assert!(installation_secret_is_unset("  "));
        assert!(installation_secret_is_unset("{{secure.installSecret}}"));
        assert!(!installation_secret_is_unset(&installation_secret(
            &[7; 32], "60012345"
        )));
    }

    #[test]
    fn installation_secrets_are_per_org() {
        let demo = installation_secret(SECRET, "60012345");
        assert_eq!(demo.len(), 64);
        assert!(installation_secret_matches(SECRET, "60012345", &demo));
        assert!(!installation_secret_matches(SECRET, "60098765", &demo));
        assert!(!installation_secret_matches(
            b"another edge secret!!!!!!!!!!!!!",
            "60012345",
            &demo
        ));
        assert!(!installation_secret_matches(SECRET, "60012345", ""));
    }

    #[test]
    fn a_session_request_reads_the_view_beside_org_and_agent() {
        let request: SessionRequest =
            serde_json::from_str(r#"{"org":"1","agent":"2","ticket":"3"}"#).unwrap();
        assert_eq!(request.view.ticket.as_deref(), Some("3"));
        assert_eq!(request.profile_id, None);
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
