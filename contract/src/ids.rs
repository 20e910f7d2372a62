//! Domain newtypes that validate on construction: once you hold one, it is well formed.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Why a value was refused as an identifier or address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("a Salesforce Id has 15 or 18 letters and digits, got {0:?}")]
    SfIdShape(String),
    #[error("the Salesforce Id {0:?} has a wrong case-safe suffix")]
    SfIdChecksum(String),
    #[error("{0:?} is not an email address")]
    Email(String),
}

/// A Salesforce record Id, always held in its 18-character case-safe form.
///
/// A 15-character Id is case-sensitive; Salesforce appends three characters that encode
/// the case of the first fifteen so the Id survives case-insensitive systems. We accept
/// both forms, verify the suffix of the long one, and compare on the long one.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SfId(String);

const SUFFIX_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

fn case_suffix(id15: &str) -> String {
    id15.as_bytes()
        .chunks(5)
        .map(|chunk| {
            let bits = chunk
                .iter()
                .enumerate()
                .filter(|(_, c)| c.is_ascii_uppercase())
                .fold(0usize, |acc, (i, _)| acc | (1 << i));
            SUFFIX_ALPHABET[bits] as char
        })
        .collect()
}

impl SfId {
    pub fn parse(text: &str) -> Result<Self, IdError> {
        if !(text.len() == 15 || text.len() == 18)
            || !text.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return Err(IdError::SfIdShape(text.to_owned()));
        }
        let (head, suffix) = text.split_at(15);
        let expected = case_suffix(head);
        if !suffix.is_empty() && !suffix.eq_ignore_ascii_case(&expected) {
            return Err(IdError::SfIdChecksum(text.to_owned()));
        }
        Ok(SfId(format!("{head}{expected}")))
    }

    /// Builds the Id of the `sequence`-th record of an object from its 3-character key
    /// prefix and the org's pod code (`0XX` style, 2 characters), as Salesforce lays them out.
    pub fn from_parts(key_prefix: &str, pod: &str, sequence: u64) -> Result<Self, IdError> {
        const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        let mut digits = [b'0'; 10];
        let mut rest = sequence;
        for slot in digits.iter_mut().rev() {
            *slot = BASE62[(rest % 62) as usize];
            rest /= 62;
        }
        let body = std::str::from_utf8(&digits).expect("base62 digits are ASCII");
        SfId::parse(&format!("{key_prefix}{pod}{body}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first three characters, which name the object type (`003` is a Contact).
    pub fn key_prefix(&self) -> &str {
        &self.0[..3]
    }
}

impl fmt::Display for SfId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for SfId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SfId({})", self.0)
    }
}

/// An email address, kept as written and compared case-insensitively.
#[derive(Clone, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(text: &str) -> Result<Self, IdError> {
        let text = text.trim();
        let refuse = || IdError::Email(text.to_owned());
        let (local, domain) = text.split_once('@').ok_or_else(refuse)?;
        let well_formed = !local.is_empty()
            && local.len() <= 64
            && text.len() <= 254
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && !text.chars().any(|c| c.is_whitespace() || c.is_control());
        if well_formed {
            Ok(Email(text.to_owned()))
        } else {
            Err(refuse())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form used for matching: Salesforce and helpdesks treat emails case-insensitively.
    pub fn normalized(&self) -> String {
        self.0.to_lowercase()
    }

    pub fn domain(&self) -> &str {
        self.0.split_once('@').map(|(_, d)| d).unwrap_or_default()
    }
}

impl PartialEq for Email {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Email({})", self.0)
    }
}

macro_rules! serde_via_parse {
    ($ty:ty) => {
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                <$ty>::parse(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}
serde_via_parse!(SfId);
serde_via_parse!(Email);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifteen_char_id_gains_its_case_safe_suffix() {
        // A documented pair: the 15- and 18-character forms of one Account Id.
        let id = SfId::parse("001A000001abcde").unwrap();
        assert_eq!(id.as_str().len(), 18);
        assert_eq!(&id.as_str()[..15], "001A000001abcde");
        assert_eq!(SfId::parse(id.as_str()).unwrap(), id);
    }

    #[test]
    fn suffix_encodes_uppercase_positions() {
        // Chunk "001A0" has an uppercase at index 3 -> bit 3 -> 'I'; "00001" none -> 'A';
        // "ABCDE" all five -> 31 -> '5'.
        assert_eq!(case_suffix("001A000001ABCDE"), "IA5");
    }

    #[test]
    fn wrong_suffix_is_refused() {
        let id = SfId::parse("001A000001abcde").unwrap();
        let mut tampered = id.as_str()[..15].to_owned();
        tampered.push_str("ZZZ");
        assert_eq!(
            SfId::parse(&tampered),
            Err(IdError::SfIdChecksum(tampered.clone()))
        );
    }

    #[test]
    fn bad_shapes_are_refused() {
        for bad in [
            "",
            "003",
            "003'; DROP",
            "003A00000123456789X",
            "003A0000012345\u{e9}",
        ] {
            assert!(
                matches!(SfId::parse(bad), Err(IdError::SfIdShape(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn ids_from_parts_are_valid_and_distinct() {
        let a = SfId::from_parts("003", "5g", 1).unwrap();
        let b = SfId::from_parts("003", "5g", 62).unwrap();
        assert_eq!(a.key_prefix(), "003");
        assert_ne!(a, b);
        assert_eq!(SfId::parse(a.as_str()).unwrap(), a);
    }

    #[test]
    fn email_compares_case_insensitively() {
        let a = Email::parse(" Ada@Example.com ").unwrap();
        assert_eq!(a, Email::parse("ada@example.COM").unwrap());
        assert_eq!(a.as_str(), "Ada@Example.com");
        assert_eq!(a.normalized(), "ada@example.com");
        assert_eq!(a.domain(), "Example.com");
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in [
            "",
            "ada",
            "@example.com",
            "ada@",
            "ada@example",
            "a da@example.com",
            "a@b@c.com",
            "ada@.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn serde_round_trips_and_validates() {
        let id: SfId = serde_json::from_str("\"001A000001abcde\"").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), format!("\"{id}\""));
        assert!(serde_json::from_str::<Email>("\"nope\"").is_err());
    }
}
