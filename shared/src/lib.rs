//! sfdesk's shared core: everything both the edge and the widget (and the sandbox and
//! tests) must agree on, with no IO of its own. IO happens behind [`http::Transport`].

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
