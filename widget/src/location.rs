//! Where the widget learns who is looking: the edge's session token in the page's
//! fragment (`#ctx=<token>`), put there by the extension's page once the edge gave it
//! ([`crate::zoho`]), or given in the URL by tests. A fragment never reaches any server
//! log.
//!
//! `view=admin` beside it (`#ctx=<token>&view=admin`) opens the admin console instead of
//! the agent panel (the page loads the console's bundle, [`crate::bundle`]); the demo helpdesk's setup page frames the widget with `#view=admin`,
//! and the panel's header offers it to administrators.

/// The fragment key that carries the context token.
pub const CONTEXT_KEY: &str = "ctx";
/// The fragment key that names what the widget shows; absent means the agent panel.
pub const VIEW_KEY: &str = "view";
/// [`VIEW_KEY`]'s value for the admin console.
pub const ADMIN_VIEW: &str = "admin";

/// Extracts the context token from a URL fragment such as `#ctx=<token>` (other
/// `key=value` pairs separated by `&` may sit beside it). Percent-escapes are decoded;
/// an absent or empty token gives `None`.
pub fn token_from_hash(hash: &str) -> Option<String> {
    param(hash, CONTEXT_KEY)
}

/// Whether a URL fragment asks for the admin console (`view=admin`).
pub fn is_console_hash(hash: &str) -> bool {
    param(hash, VIEW_KEY).as_deref() == Some(ADMIN_VIEW)
}

/// The fragment that opens the admin console for `token`; without `console`, the panel.
pub fn hash_for(token: &str, console: bool) -> String {
    let view = if console {
        format!("&{VIEW_KEY}={ADMIN_VIEW}")
    } else {
        String::new()
    };
    // A JWT is base64url and dots: nothing to escape.
    format!("#{CONTEXT_KEY}={token}{view}")
}

/// Whether the page the widget runs in asks for the admin console.
pub fn current_is_console() -> bool {
    web_sys::window()
        .and_then(|window| window.location().hash().ok())
        .is_some_and(|hash| is_console_hash(&hash))
}

fn param(hash: &str, name: &str) -> Option<String> {
    hash.trim_start_matches('#')
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| percent_decode(value.trim()))
        .filter(|value| !value.is_empty())
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
