//! Encryption at rest for Salesforce tokens: AES-256-GCM under a key held as a Worker
//! secret, a fresh random nonce per value, the org id bound in as associated data so a
//! sealed token copied into another org's storage does not open.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;

const NONCE_LEN: usize = 12;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("the token encryption key must be 32 bytes of standard base64")]
    BadKey,
    #[error("a stored token could not be decrypted (wrong key, wrong org or corrupted)")]
    Corrupt,
}

#[derive(Clone)]
pub struct Sealer {
    cipher: Aes256Gcm,
}

impl Sealer {
    /// `key_b64`: 32 random bytes in standard base64 (`openssl rand -base64 32`).
    pub fn from_base64(key_b64: &str) -> Result<Self, SealError> {
        let key = base64::engine::general_purpose::STANDARD
            .decode(key_b64.trim())
            .map_err(|_| SealError::BadKey)?;
        let cipher = Aes256Gcm::new_from_slice(&key).map_err(|_| SealError::BadKey)?;
        Ok(Sealer { cipher })
    }

    /// nonce || ciphertext+tag
    pub fn seal(&self, plaintext: &str, context: &str) -> Vec<u8> {
        let nonce_bytes = crate::random_bytes::<NONCE_LEN>();
        let payload = Payload {
            msg: plaintext.as_bytes(),
            aad: context.as_bytes(),
        };
        let ciphertext = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce_bytes), payload)
            .expect("AES-GCM encrypts any length we store");
        [nonce_bytes.as_slice(), &ciphertext].concat()
    }

    pub fn open(&self, sealed: &[u8], context: &str) -> Result<String, SealError> {
        if sealed.len() < NONCE_LEN {
            return Err(SealError::Corrupt);
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        let payload = Payload {
            msg: ciphertext,
            aad: context.as_bytes(),
        };
        let plaintext = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), payload)
            .map_err(|_| SealError::Corrupt)?;
        String::from_utf8(plaintext).map_err(|_| SealError::Corrupt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    #[test]
    fn round_trips_and_hides_the_plaintext() {
        let sealer = Sealer::from_base64(KEY).unwrap();
        let sealed = sealer.seal("00Dxx!secret-token", "org-1");
        assert!(!sealed.windows(6).any(|w| w == b"secret"));
        assert_eq!(sealer.open(&sealed, "org-1").unwrap(), "00Dxx!secret-token");
    }

    #[test]
    fn nonces_differ() {
        let sealer = Sealer::from_base64(KEY).unwrap();
        assert_ne!(sealer.seal("t", "o"), sealer.seal("t", "o"));
    }

    #[test]
    fn other_org_or_tampering_does_not_open() {
        let sealer = Sealer::from_base64(KEY).unwrap();
        let mut sealed = sealer.seal("token", "org-1");
        assert_eq!(sealer.open(&sealed, "org-2"), Err(SealError::Corrupt));
        *sealed.last_mut().unwrap() ^= 1;
        assert_eq!(sealer.open(&sealed, "org-1"), Err(SealError::Corrupt));
        assert_eq!(sealer.open(b"short", "org-1"), Err(SealError::Corrupt));
    }

    #[test]
    fn bad_keys_are_refused() {
        assert!(matches!(
            Sealer::from_base64("not base64!"),
            Err(SealError::BadKey)
        ));
        assert!(matches!(
            Sealer::from_base64("AAEC"),
            Err(SealError::BadKey)
        ));
    }
}
