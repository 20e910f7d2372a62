//! What the agent panel reads of its session token, unverified (only the edge can verify
//! it, and does on every call): whether to offer the console, and the ticket its actions
//! are about. Its claims are read as the panel's other JSON ([`crate::json`]), its base64url
//! by the browser (`atob`), so that the panel's wasm carries no decoder of either (issue 17).

use crate::json::{Fields, FromJson, JsonError, parse};
use contract::context::Role;
use wasm_bindgen::JsValue;

/// The claims the panel uses, named as [`contract::context::ContextClaims`] names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanelClaims {
    pub role: Role,
    /// The ticket in view; absent outside a ticket.
    pub ticket: Option<String>,
}

impl FromJson for PanelClaims {
    fn from_json(value: &JsValue) -> Result<Self, JsonError> {
        let fields = Fields::of(value)?;
        Ok(PanelClaims {
            role: fields.get("role")?,
            ticket: fields.opt("ticket")?,
        })
    }
}

/// The claims of a JWT (`header.payload.signature`), without checking its signature;
/// `None` for anything else.
pub fn panel_claims(token: &str) -> Option<PanelClaims> {
    let payload = token.split('.').nth(1)?;
    // base64url is base64 with `-` and `_` for `+` and `/`; `atob` takes it unpadded
    // (HTML standard, "forgiving-base64 decode").
    let binary = web_sys::window()?
        .atob(&payload.replace('-', "+").replace('_', "/"))
        .ok()?;
    // `atob` gives one character per byte; the claims are UTF-8.
    let bytes = binary
        .chars()
        .map(|byte| u8::try_from(u32::from(byte)).ok())
        .collect::<Option<Vec<u8>>>()?;
    parse(&String::from_utf8(bytes).ok()?).ok()
}
