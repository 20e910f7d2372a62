//! Webhook signatures: every delivery carries an RS256 JWT in `X-ZDesk-JWT`, signed with
//! a key the helpdesk publishes in its JWKS (`/.well-known/jwks.json`, picked by `kid`).
//!
//! Zoho's claims are `iss` = `orgId:<org>`, `aud` = `webhookId:<id>`, `iat` and `exp`.
//! On its own that token signs only itself, so it could be replayed with another body;
//! the sandbox also binds the body: `bodySha256` is the SHA-256 of the exact body bytes,
//! base64url, which [`verify_delivery`] checks (and requires, unless
//! [`Expected::require_body_hash`] is off for a helpdesk that does not bind bodies). A
//! receiver verifies before it parses.

use contract::{b64url, b64url_decode};
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::Verifier;
use rsa::{BigUint, RsaPublicKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The request header that carries the delivery's JWT.
pub const JWT_HEADER: &str = "X-ZDesk-JWT";
/// A token issued longer ago than this is refused whatever its `exp` says: a token that
/// leaked is of use for minutes, not for as long as its issuer let it live.
pub const MAX_TOKEN_AGE_SECS: u64 = 15 * 60;
/// The helpdesk's keys are trusted this long after they were read, then read again, so
/// that a withdrawn key stops being accepted.
pub const JWKS_TTL_MS: i64 = 60 * 60 * 1000;
/// Keys are read again (for an unknown `kid`, or after a failed read) at most this
/// often: unauthenticated deliveries must not make the receiver call the helpdesk at will.
pub const JWKS_REFETCH_MS: i64 = 60 * 1000;

/// A JSON Web Key Set, as `/.well-known/jwks.json` serves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

/// One RSA public key: modulus `n` and exponent `e`, big-endian, base64url.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    pub kty: String,
    pub kid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    #[serde(rename = "use", default, skip_serializing_if = "Option::is_none")]
    pub key_use: Option<String>,
    pub n: String,
    pub e: String,
}

impl Jwks {
    pub fn key(&self, kid: &str) -> Option<&Jwk> {
        self.keys.iter().find(|k| k.kid == kid)
    }
}

/// The helpdesk's keys as a receiver keeps them between deliveries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JwksCache {
    jwks: Option<Jwks>,
    fetched_ms: i64,
    tried_ms: Option<i64>,
}

impl JwksCache {
    /// The keys, unless they are older than [`JWKS_TTL_MS`].
    pub fn keys(&self, now_ms: i64) -> Option<&Jwks> {
        self.jwks
            .as_ref()
            .filter(|_| now_ms - self.fetched_ms < JWKS_TTL_MS)
    }

    /// Whether the keys may be read again now (at most once per [`JWKS_REFETCH_MS`]).
    pub fn may_fetch(&self, now_ms: i64) -> bool {
        self.tried_ms
            .is_none_or(|tried| now_ms - tried >= JWKS_REFETCH_MS)
    }

    /// Notes a read about to be made, before it is made, so a failing one counts too.
    pub fn trying(&mut self, now_ms: i64) {
        self.tried_ms = Some(now_ms);
    }

    pub fn fetched(&mut self, jwks: Jwks, now_ms: i64) {
        self.jwks = Some(jwks);
        self.fetched_ms = now_ms;
    }
}

/// What the receiver expects of a delivery: its own org, (when it knows it) the webhook
/// it subscribed, and whether the token must bind the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expected<'a> {
    pub org_id: &'a str,
    pub webhook_id: Option<&'a str>,
    /// The sandbox always binds the body (`bodySha256`); Zoho's own tokens do not. With
    /// `false`, an unbound token is accepted and the receiver must treat the payload as a
    /// hint (re-read the record by id); a `bodySha256` that is present is always checked.
    pub require_body_hash: bool,
}

/// The verified claims of a delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryClaims {
    /// `orgId:<org>`.
    pub iss: String,
    /// `webhookId:<id>`.
    #[serde(default)]
    pub aud: Option<String>,
    pub iat: u64,
    pub exp: u64,
    #[serde(default)]
    pub org_id: Option<String>,
    #[serde(default)]
    pub body_sha256: Option<String>,
}

impl DeliveryClaims {
    /// When the token expires, in Unix seconds (`exp` may come in milliseconds).
    pub fn expires_at_secs(&self) -> u64 {
        as_secs(self.exp)
    }

    /// The webhook the delivery is for, from `aud`.
    pub fn webhook_id(&self) -> Option<&str> {
        self.aud.as_deref()?.strip_prefix("webhookId:")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the delivery has no well-formed JWT")]
    Malformed,
    #[error("the delivery is signed with {0}, not RS256")]
    UnsupportedAlgorithm(String),
    /// Refetch the JWKS once (keys rotate); refuse if the key is still unknown.
    #[error("the delivery is signed with key {0:?}, which the helpdesk's JWKS does not list")]
    UnknownKey(String),
    #[error("the JWKS key is not a usable RSA key")]
    BadKey,
    #[error("the delivery's signature does not match the helpdesk's key")]
    BadSignature,
    #[error("the delivery's token expired")]
    Expired,
    #[error("the delivery's token was issued more than {MAX_TOKEN_AGE_SECS} s ago")]
    TooOld,
    #[error("the delivery is for another helpdesk organisation")]
    WrongOrg,
    #[error("the delivery is for another webhook")]
    WrongWebhook,
    #[error("the delivery's token does not bind its body")]
    MissingBodyHash,
    #[error("the delivery's body is not the body that was signed")]
    BodyMismatch,
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
}

/// Seconds, whether the token wrote seconds or milliseconds (Zoho's documentation says
/// milliseconds, its examples use seconds).
fn as_secs(value: u64) -> u64 {
    if value > 100_000_000_000 {
        value / 1000
    } else {
        value
    }
}

/// Checks a delivery: the key by `kid`, the RS256 signature, expiry against `now_secs`,
/// the org (and webhook), and that `body` is exactly the body that was signed.
pub fn verify_delivery(
    token: &str,
    body: &[u8],
    jwks: &Jwks,
    expected: Expected<'_>,
    now_secs: u64,
) -> Result<DeliveryClaims, SignatureError> {
    let token = token.trim();
    let (signing_input, signature) = token.rsplit_once('.').ok_or(SignatureError::Malformed)?;
    let (header, payload) = signing_input
        .split_once('.')
        .ok_or(SignatureError::Malformed)?;
    let header: Header = b64url_decode(header)
        .and_then(|h| serde_json::from_slice(&h).ok())
        .ok_or(SignatureError::Malformed)?;
    if header.alg != "RS256" {
        return Err(SignatureError::UnsupportedAlgorithm(header.alg));
    }
    let kid = header.kid.ok_or(SignatureError::Malformed)?;
    let jwk = jwks
        .key(&kid)
        .ok_or_else(|| SignatureError::UnknownKey(kid.clone()))?;
    if jwk.kty != "RSA" {
        return Err(SignatureError::BadKey);
    }
    let part = |text: &str| {
        b64url_decode(text)
            .map(|bytes| BigUint::from_bytes_be(&bytes))
            .ok_or(SignatureError::BadKey)
    };
    let key =
        RsaPublicKey::new(part(&jwk.n)?, part(&jwk.e)?).map_err(|_| SignatureError::BadKey)?;
    let signature = b64url_decode(signature).ok_or(SignatureError::Malformed)?;
    let signature =
        Signature::try_from(signature.as_slice()).map_err(|_| SignatureError::Malformed)?;
    VerifyingKey::<Sha256>::new(key)
        .verify(signing_input.as_bytes(), &signature)
        .map_err(|_| SignatureError::BadSignature)?;

    let claims: DeliveryClaims = b64url_decode(payload)
        .and_then(|p| serde_json::from_slice(&p).ok())
        .ok_or(SignatureError::Malformed)?;
    if claims.expires_at_secs() <= now_secs {
        return Err(SignatureError::Expired);
    }
    if now_secs.saturating_sub(as_secs(claims.iat)) > MAX_TOKEN_AGE_SECS {
        return Err(SignatureError::TooOld);
    }
    let org_claim = format!("orgId:{}", expected.org_id);
    if claims.iss != org_claim
        || claims
            .org_id
            .as_deref()
            .is_some_and(|org| org != expected.org_id)
    {
        return Err(SignatureError::WrongOrg);
    }
    if let Some(webhook) = expected.webhook_id
        && claims.webhook_id() != Some(webhook)
    {
        return Err(SignatureError::WrongWebhook);
    }
    match claims.body_sha256.as_deref() {
        Some(bound) if bound != body_sha256(body) => return Err(SignatureError::BodyMismatch),
        Some(_) => {}
        None if expected.require_body_hash => return Err(SignatureError::MissingBodyHash),
        None => {}
    }
    Ok(claims)
}

/// The `bodySha256` claim of a body: SHA-256, base64url without padding.
pub fn body_sha256(body: &[u8]) -> String {
    b64url(Sha256::digest(body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::RsaPrivateKey;
    use rsa::pkcs1v15::SigningKey;
    use rsa::pkcs8::DecodePrivateKey;
    use rsa::signature::{SignatureEncoding, Signer};
    use rsa::traits::PublicKeyParts;
    use serde_json::json;

    const SIGNER: &str = include_str!("testdata/signer-key.pem");
    const OTHER: &str = include_str!("testdata/other-key.pem");
    const ORG: &str = "60012345";
    const NOW: u64 = 1_765_890_330;
    const BODY: &[u8] = br#"[{"eventType":"Contact_Add","orgId":"60012345","eventTime":"1765890330000","payload":{"id":"1"}}]"#;

    fn private(pem: &str) -> RsaPrivateKey {
        RsaPrivateKey::from_pkcs8_pem(pem).unwrap()
    }

    fn jwk(pem: &str, kid: &str) -> Jwk {
        let key = private(pem).to_public_key();
        Jwk {
            kty: "RSA".into(),
            kid: kid.into(),
            alg: Some("RS256".into()),
            key_use: Some("sig".into()),
            n: b64url(key.n().to_bytes_be()),
            e: b64url(key.e().to_bytes_be()),
        }
    }

    fn jwks() -> Jwks {
        Jwks {
            keys: vec![jwk(SIGNER, "k1")],
        }
    }

    fn sign(pem: &str, kid: &str, claims: &serde_json::Value) -> String {
        let header = json!({"alg": "RS256", "typ": "JWT", "kid": kid});
        let input = format!(
            "{}.{}",
            b64url(serde_json::to_vec(&header).unwrap()),
            b64url(serde_json::to_vec(claims).unwrap())
        );
        let signature = SigningKey::<Sha256>::new(private(pem)).sign(input.as_bytes());
        format!("{input}.{}", b64url(signature.to_bytes()))
    }

    fn claims(body: &[u8]) -> serde_json::Value {
        json!({
            "iss": format!("orgId:{ORG}"),
            "aud": "webhookId:77",
            "iat": NOW - 10,
            "exp": NOW + 300,
            "orgId": ORG,
            "bodySha256": body_sha256(body),
        })
    }

    fn expected() -> Expected<'static> {
        Expected {
            org_id: ORG,
            webhook_id: Some("77"),
            require_body_hash: true,
        }
    }

    #[test]
    fn a_genuine_delivery_verifies() {
        let token = sign(SIGNER, "k1", &claims(BODY));
        let verified = verify_delivery(&token, BODY, &jwks(), expected(), NOW).unwrap();
        assert_eq!(verified.webhook_id(), Some("77"));
        assert_eq!(verified.iat, NOW - 10);
    }

    #[test]
    fn a_token_issued_too_long_ago_is_refused_though_it_has_not_expired() {
        let mut old = claims(BODY);
        old["iat"] = json!(NOW - MAX_TOKEN_AGE_SECS - 1);
        old["exp"] = json!(NOW + 86_400);
        let token = sign(SIGNER, "k1", &old);
        assert_eq!(
            verify_delivery(&token, BODY, &jwks(), expected(), NOW),
            Err(SignatureError::TooOld)
        );
        old["iat"] = json!(NOW - MAX_TOKEN_AGE_SECS);
        let token = sign(SIGNER, "k1", &old);
        assert!(verify_delivery(&token, BODY, &jwks(), expected(), NOW).is_ok());
    }

    #[test]
    fn cached_keys_expire_and_are_read_again_at_most_once_a_minute() {
        let mut cache = JwksCache::default();
        assert_eq!(cache.keys(0), None);
        assert!(cache.may_fetch(0), "nothing read yet");
        cache.trying(1_000);
        assert!(
            !cache.may_fetch(1_000 + JWKS_REFETCH_MS - 1),
            "a failed read waits too"
        );
        cache.fetched(jwks(), 1_000);
        assert_eq!(cache.keys(1_000 + JWKS_TTL_MS - 1), Some(&jwks()));
        assert_eq!(
            cache.keys(1_000 + JWKS_TTL_MS),
            None,
            "withdrawn keys stop working"
        );
        assert!(cache.may_fetch(1_000 + JWKS_REFETCH_MS));
    }

    #[test]
    fn a_tampered_body_is_refused() {
        let token = sign(SIGNER, "k1", &claims(BODY));
        let tampered = String::from_utf8(BODY.to_vec())
            .unwrap()
            .replace("\"1\"", "\"2\"");
        assert_eq!(
            verify_delivery(&token, tampered.as_bytes(), &jwks(), expected(), NOW),
            Err(SignatureError::BodyMismatch)
        );
    }

    #[test]
    fn tampered_claims_break_the_signature() {
        let token = sign(SIGNER, "k1", &claims(BODY));
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let mut forged = claims(b"[]");
        forged["exp"] = json!(NOW + 10_000);
        parts[1] = b64url(serde_json::to_vec(&forged).unwrap());
        assert_eq!(
            verify_delivery(&parts.join("."), b"[]", &jwks(), expected(), NOW),
            Err(SignatureError::BadSignature)
        );
    }

    #[test]
    fn a_wrong_key_is_refused() {
        // Signed by another key under the published kid: the signature does not match.
        let token = sign(OTHER, "k1", &claims(BODY));
        assert_eq!(
            verify_delivery(&token, BODY, &jwks(), expected(), NOW),
            Err(SignatureError::BadSignature)
        );
    }

    #[test]
    fn an_unknown_kid_is_refused() {
        let token = sign(SIGNER, "k2", &claims(BODY));
        assert_eq!(
            verify_delivery(&token, BODY, &jwks(), expected(), NOW),
            Err(SignatureError::UnknownKey("k2".into()))
        );
        // Once the JWKS lists it, the same token verifies.
        let rotated = Jwks {
            keys: vec![jwk(OTHER, "k0"), jwk(SIGNER, "k2")],
        };
        assert!(verify_delivery(&token, BODY, &rotated, expected(), NOW).is_ok());
    }

    #[test]
    fn an_expired_token_is_refused_in_seconds_or_milliseconds() {
        let token = sign(SIGNER, "k1", &claims(BODY));
        assert_eq!(
            verify_delivery(&token, BODY, &jwks(), expected(), NOW + 300),
            Err(SignatureError::Expired)
        );
        let mut in_ms = claims(BODY);
        in_ms["exp"] = json!((NOW + 60) * 1000);
        let token = sign(SIGNER, "k1", &in_ms);
        assert!(verify_delivery(&token, BODY, &jwks(), expected(), NOW).is_ok());
        assert_eq!(
            verify_delivery(&token, BODY, &jwks(), expected(), NOW + 61),
            Err(SignatureError::Expired)
        );
    }

    #[test]
    fn another_org_or_webhook_is_refused() {
        let token = sign(SIGNER, "k1", &claims(BODY));
        let other_org = Expected {
            org_id: "999",
            webhook_id: None,
            require_body_hash: true,
        };
        assert_eq!(
            verify_delivery(&token, BODY, &jwks(), other_org, NOW),
            Err(SignatureError::WrongOrg)
        );
        let other_hook = Expected {
            org_id: ORG,
            webhook_id: Some("78"),
            require_body_hash: true,
        };
        assert_eq!(
            verify_delivery(&token, BODY, &jwks(), other_hook, NOW),
            Err(SignatureError::WrongWebhook)
        );
        let mut mixed = claims(BODY);
        mixed["orgId"] = json!("999");
        let token = sign(SIGNER, "k1", &mixed);
        assert_eq!(
            verify_delivery(&token, BODY, &jwks(), expected(), NOW),
            Err(SignatureError::WrongOrg)
        );
    }

    #[test]
    fn unbound_or_malformed_tokens_are_refused() {
        let mut unbound = claims(BODY);
        unbound.as_object_mut().unwrap().remove("bodySha256");
        let token = sign(SIGNER, "k1", &unbound);
        assert_eq!(
            verify_delivery(&token, BODY, &jwks(), expected(), NOW),
            Err(SignatureError::MissingBodyHash)
        );
        // Zoho's own tokens bind no body: accepted only when the receiver says so...
        let zoho_style = Expected {
            require_body_hash: false,
            ..expected()
        };
        assert!(verify_delivery(&token, BODY, &jwks(), zoho_style, NOW).is_ok());
        // ...and a binding that is there is still checked.
        let bound = sign(SIGNER, "k1", &claims(BODY));
        assert_eq!(
            verify_delivery(&bound, b"[]", &jwks(), zoho_style, NOW),
            Err(SignatureError::BodyMismatch)
        );
        for bad in ["", "a.b", "a.b.c", "eyJhbGciOiJSUzI1NiJ9.e30.AAAA"] {
            assert_eq!(
                verify_delivery(bad, BODY, &jwks(), expected(), NOW),
                Err(SignatureError::Malformed),
                "{bad:?}"
            );
        }
        let hs = format!(
            "{}.{}.sig",
            b64url(r#"{"alg":"HS256","kid":"k1"}"#),
            b64url("{}")
        );
        assert_eq!(
            verify_delivery(&hs, BODY, &jwks(), expected(), NOW),
            Err(SignatureError::UnsupportedAlgorithm("HS256".into()))
        );
    }
}
