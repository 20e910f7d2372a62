//! How the helpdesk signs webhook deliveries: an RS256 JWT in `X-ZDesk-JWT` with Zoho's
//! claims (`iss` = `orgId:<org>`, `aud` = `webhookId:<id>`, `iat`, `exp`, and `kid` in
//! the header) and `orgId` (Desk Webhook Documentation, "Webhook security": the token
//! says who sent the delivery and when; it does not cover the body, so a receiver treats
//! a payload as a hint). The sandbox can add `bodySha256` (the SHA-256 of the exact body
//! bytes, base64url), a stand-in the product's tests still rely on
//! (`Settings::webhook_body_hash`). The public key is served as a JWKS at
//! `/.well-known/jwks.json`.
//!
//! The key is a fixed, committed, sandbox-only test key (`sandbox/keys/`): it starts
//! instantly and protects nothing.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rsa::RsaPrivateKey;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer as _};
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const DEMO_KEY_PEM: &str = include_str!("../../keys/webhook-signing-key.pem");

/// The `kid` of the demo key.
pub const DEMO_KEY_ID: &str = "sandbox-desk-webhooks-1";

/// How long a delivery's token is good for.
pub const TOKEN_LIFETIME_SECS: u64 = 300;

pub struct Signer {
    kid: String,
    key: SigningKey<Sha256>,
    public: rsa::RsaPublicKey,
}

impl Signer {
    pub fn demo() -> Self {
        let key = RsaPrivateKey::from_pkcs8_pem(DEMO_KEY_PEM)
            .expect("the committed sandbox key is a valid PKCS#8 RSA key");
        Signer {
            kid: DEMO_KEY_ID.to_owned(),
            public: key.to_public_key(),
            key: SigningKey::new(key),
        }
    }

    /// The token for one delivery of `body` by `webhook_id`, issued at `now_secs`.
    pub fn sign(&self, body: &[u8], org_id: &str, webhook_id: &str, now_secs: u64) -> String {
        self.sign_claims(org_id, webhook_id, now_secs, Some(body))
    }

    /// `body`: bound by a `bodySha256` claim, or not at all (`None`), as the tokens of a
    /// Zoho Desk that signs only who sent the delivery and when: then two deliveries of
    /// one second carry the same token.
    pub fn sign_claims(
        &self,
        org_id: &str,
        webhook_id: &str,
        now_secs: u64,
        body: Option<&[u8]>,
    ) -> String {
        let header = json!({"alg": "RS256", "typ": "JWT", "kid": self.kid});
        let mut claims = json!({
            "iss": format!("orgId:{org_id}"),
            "aud": format!("webhookId:{webhook_id}"),
            "iat": now_secs,
            "exp": now_secs + TOKEN_LIFETIME_SECS,
            "orgId": org_id,
        });
        if let Some(body) = body {
            claims["bodySha256"] = URL_SAFE_NO_PAD.encode(Sha256::digest(body)).into();
        }
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = self.key.sign(input.as_bytes());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
    }

    /// The public key set, as `/.well-known/jwks.json` serves it.
    pub fn jwks(&self) -> Value {
        json!({"keys": [{
            "kty": "RSA",
            "kid": self.kid,
            "alg": "RS256",
            "use": "sig",
            "n": URL_SAFE_NO_PAD.encode(self.public.n().to_bytes_be()),
            "e": URL_SAFE_NO_PAD.encode(self.public.e().to_bytes_be()),
        }]})
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::helpdesk::{Expected, Jwks, SignatureError, verify_delivery};

    #[test]
    fn deliveries_verify_against_the_published_keys() {
        let signer = Signer::demo();
        let jwks: Jwks = serde_json::from_value(signer.jwks()).unwrap();
        let body = br#"[{"eventType":"Contact_Add"}]"#;
        let token = signer.sign(body, "60012345", "77", 1_000);
        let expected = Expected {
            org_id: "60012345",
            webhook_id: Some("77"),
            require_body_hash: true,
        };
        let claims = verify_delivery(&token, body, &jwks, expected, 1_001).unwrap();
        assert_eq!(claims.exp, 1_000 + TOKEN_LIFETIME_SECS);
        assert_eq!(
            verify_delivery(&token, b"[]", &jwks, expected, 1_001),
            Err(SignatureError::BodyMismatch)
        );
    }
}
