//! PKCE (RFC 7636) with the S256 method: the client keeps a random verifier and sends its
//! SHA-256 challenge with the authorization request; the token request proves possession.

use crate::random_bytes;
use contract::b64url;
use sha2::{Digest, Sha256};

/// A fresh 43-character verifier (32 random bytes, base64url).
pub fn new_verifier() -> String {
    b64url(random_bytes::<32>())
}

pub fn challenge_s256(verifier: &str) -> String {
    b64url(Sha256::digest(verifier.as_bytes()))
}

/// Whether `verifier` answers `challenge`; RFC 7636 bounds a verifier to 43..=128 characters.
pub fn verifies(verifier: &str, challenge: &str) -> bool {
    (43..=128).contains(&verifier.len()) && challenge_s256(verifier) == challenge
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b_example() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(
            challenge_s256(verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert!(verifies(
            verifier,
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
    }

    #[test]
    fn fresh_verifiers_differ_and_fit_the_rfc() {
        let (a, b) = (new_verifier(), new_verifier());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(!verifies(&a, &challenge_s256(&b)));
    }
}
