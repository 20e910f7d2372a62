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
}
