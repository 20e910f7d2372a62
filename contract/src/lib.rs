//! sfdesk's contract between the widget and the edge: the JSON of every request and
//! answer, the paths they go to, the context token that says who is asking, and the rules
//! both sides apply alike. The widget builds on this crate alone; the edge and the engine
//! in `shared` build on it too. Nothing here does IO or knows the engine.
//!
//! - `api`: the agent panel's requests and answers; `admin`: the admin console's, and the
//!   OAuth paths of connecting Salesforce;
//! - `context`: the context token; `permissions`: what each profile may see;
//!   `panel_fields`: which Salesforce fields the panel shows, the admin's choice;
//! - `mapping`: field mappings, their validator and value conversions; `side`: Salesforce
//!   or the helpdesk, and the direction from one to the other; `history`: the sync's
//!   runs and daily totals;
//! - `ids`: `SfId` and `Email`, valid once held; `calendar`: date arithmetic;
//! - `wire_name`: the JSON names of the plain enums, for readers without serde.

pub mod admin;
pub mod api;
pub mod calendar;
pub mod context;
pub mod history;
pub mod ids;
pub mod mapping;
pub mod panel_fields;
pub mod permissions;
pub mod side;
pub mod wire_name;

/// URL-safe base64 without padding: the encoding of JWTs (the context token here; the
/// helpdesk's webhook tokens in `shared`), PKCE and OAuth `state`.
pub fn b64url(bytes: impl AsRef<[u8]>) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The inverse of [`b64url`]; `None` for text that is not URL-safe base64.
pub fn b64url_decode(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .ok()
}
