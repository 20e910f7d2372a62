//! Tags on the URLs and values the edge hands out for requests that come with no context
//! token (webhook URLs, OAuth `state`, the OAuth start code), so the Worker refuses forged
//! ones itself: an unknown org's URL costs no Durable Object and reveals nothing about
//! which orgs are enrolled.
//!
//! A tag is a truncated HMAC-SHA256 of the value under a key derived from a Worker secret,
//! with the value's purpose in the input so a tag made for one purpose fits no other.

use contract::{b64url, b64url_decode};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// 128 bits: far beyond guessing online, and short enough for a URL.
const TAG_BYTES: usize = 16;

/// What a tagged value is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    OAuthState,
    OAuthStartCode,
    HelpdeskWebhook,
    SalesforceWebhook,
}

impl Purpose {
    fn label(self) -> &'static [u8] {
        match self {
            Purpose::OAuthState => b"oauth-state",
            Purpose::OAuthStartCode => b"oauth-start-code",
            Purpose::HelpdeskWebhook => b"helpdesk-webhook",
            Purpose::SalesforceWebhook => b"salesforce-webhook",
        }
    }
}

pub struct UrlTagger {
    key: [u8; 32],
}

impl UrlTagger {
    /// Keyed from `secret` under a label of its own, so tags have nothing in common with
    /// other MACs made with the same secret (the context tokens' signatures).
    pub fn derive(secret: &[u8]) -> Self {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
        mac.update(b"sfdesk url tags v1");
        UrlTagger {
            key: mac.finalize().into_bytes().into(),
        }
    }

    fn mac(&self, purpose: Purpose, value: &str) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("a 32-byte key");
        mac.update(purpose.label());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        mac
    }

    /// The tag of `value` (URL-safe base64).
    pub fn tag(&self, purpose: Purpose, value: &str) -> String {
        b64url(&self.mac(purpose, value).finalize().into_bytes()[..TAG_BYTES])
    }

    /// Whether `tag` is `value`'s, compared in constant time.
    pub fn check(&self, purpose: Purpose, value: &str, tag: &str) -> bool {
        b64url_decode(tag).is_some_and(|tag| {
            tag.len() == TAG_BYTES && self.mac(purpose, value).verify_truncated_left(&tag).is_ok()
        })
    }

    /// `value.tag`, for values that travel as one string.
    pub fn sign(&self, purpose: Purpose, value: &str) -> String {
        format!("{value}.{}", self.tag(purpose, value))
    }

    /// The value of a [`UrlTagger::sign`]ed string, if its tag checks out.
    pub fn open<'a>(&self, purpose: Purpose, signed: &'a str) -> Option<&'a str> {
        let (value, tag) = signed.rsplit_once('.')?;
        self.check(purpose, value, tag).then_some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_value_opens_with_the_same_key_and_purpose_only() {
        let tagger = UrlTagger::derive(b"a secret of thirty-two bytes....");
        let signed = tagger.sign(Purpose::OAuthState, "60001.random");
        assert_eq!(
            tagger.open(Purpose::OAuthState, &signed),
            Some("60001.random")
        );
        assert_eq!(tagger.open(Purpose::OAuthStartCode, &signed), None);
        let other = UrlTagger::derive(b"another secret of thirty-two....");
        assert_eq!(other.open(Purpose::OAuthState, &signed), None);
    }

    #[test]
    fn forged_or_altered_values_do_not_open() {
        let tagger = UrlTagger::derive(b"a secret of thirty-two bytes....");
        let signed = tagger.sign(Purpose::OAuthState, "60001.random");
        let moved = signed.replacen("60001", "60002", 1);
        for forged in [
            moved.as_str(),
            "60001.random",
            "60001.random.",
            "60001.random.AAAAAAAAAAAAAAAAAAAAAA",
            "",
        ] {
            assert_eq!(tagger.open(Purpose::OAuthState, forged), None, "{forged}");
        }
    }

    #[test]
    fn webhook_tags_are_per_org_and_per_purpose() {
        let tagger = UrlTagger::derive(b"a secret of thirty-two bytes....");
        let tag = tagger.tag(Purpose::HelpdeskWebhook, "60001");
        assert!(tagger.check(Purpose::HelpdeskWebhook, "60001", &tag));
        assert!(!tagger.check(Purpose::HelpdeskWebhook, "60002", &tag));
        assert!(!tagger.check(Purpose::SalesforceWebhook, "60001", &tag));
        assert!(!tagger.check(Purpose::HelpdeskWebhook, "60001", &tag[..tag.len() - 1]));
    }
}
