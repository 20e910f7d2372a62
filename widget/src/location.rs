//! Where the widget learns who is looking: the helpdesk puts a signed context token in
//! the iframe URL's fragment (`#ctx=<token>`). A fragment never reaches any server log.

/// The fragment key that carries the context token.
pub const CONTEXT_KEY: &str = "ctx";

/// Extracts the context token from a URL fragment such as `#ctx=<token>` (other
/// `key=value` pairs separated by `&` may sit beside it). Percent-escapes are decoded;
/// an absent or empty token gives `None`.
pub fn token_from_hash(hash: &str) -> Option<String> {
    hash.trim_start_matches('#')
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == CONTEXT_KEY)
        .map(|(_, value)| percent_decode(value.trim()))
        .filter(|token| !token.is_empty())
}

/// The context token of the page the widget runs in, if it was given one.
pub fn current_context_token() -> Option<String> {
    let hash = web_sys::window()?.location().hash().ok()?;
    token_from_hash(&hash)
}

/// Decodes `%XX` escapes; malformed escapes are kept as written.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
