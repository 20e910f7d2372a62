//! sfdesk's shared core, which the edge, the sandbox and the tools build on (the widget
//! builds on `contract` alone): no IO of its own; IO happens behind [`http::Transport`]
//! and [`sql::Sql`].
//!
//! - the two systems' clients and wire formats: `salesforce/`, `helpdesk/`, over `http`;
//!   `soql`, the one way SOQL is built;
//! - `panel/`: the agent panel's lookup, its queries and records, as pure functions;
//! - `sync/`: the sync engine, its ports and its store over `sql`;
//! - the edge's small secrets: `pkce`, `seal` (tokens at rest), `url_tag` (MAC'd URLs),
//!   and the helpers below.

pub mod helpdesk;
pub mod http;
pub mod panel;
pub mod pkce;
pub mod salesforce;
pub mod seal;
pub mod soql;
pub mod sql;
pub mod sync;
pub mod url_tag;

/// Random bytes from the platform (the OS natively, `crypto.getRandomValues` on wasm).
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::getrandom(&mut bytes).expect("the platform provides randomness");
    bytes
}

/// A fresh secret for a URL, a cookie or a header: 24 random bytes (192 bits), URL-safe
/// base64 without padding.
pub fn random_token() -> String {
    contract::b64url(random_bytes::<24>())
}

/// Whether `a` equals `b`, in time that depends on their lengths only: for comparing
/// secrets a caller supplied.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    #[test]
    fn constant_time_eq_compares_whole_values() {
        assert!(super::constant_time_eq(b"nonce", b"nonce"));
        assert!(!super::constant_time_eq(b"nonce", b"nonc"));
        assert!(!super::constant_time_eq(b"nonce", b"nonse"));
        assert!(!super::constant_time_eq(b"", b"x"));
    }

    #[test]
    fn random_tokens_are_url_safe_and_differ() {
        let (a, b) = (super::random_token(), super::random_token());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
    }
}
