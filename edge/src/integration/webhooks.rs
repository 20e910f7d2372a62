//! Change notifications from both sides, checked and stored in the inbox before they are
//! acknowledged. They are hints: the records they name are read again when applied.

use super::org::Org;
use super::protocol::Stored;
use super::state::Control;
use super::{connection, panel_cache};
use crate::error::EdgeError;
use contract::mapping::ObjectKind;
use contract::side::Side;
use shared::helpdesk::{self, EventType, Expected, Jwks, SignatureError};
use shared::salesforce::outbound;

fn running(org: &Org<'_>) -> Result<Control, EdgeError> {
    org.state().control()?.ok_or(EdgeError::Forbidden(
        "this helpdesk org has no sync running",
    ))
}

/// A helpdesk delivery: its `X-ZDesk-JWT` verified against the helpdesk's keys (fetched
/// again once if it names a key we lack), then each contact or account event stored.
/// Delete events are dropped: deletes never propagate.
pub async fn helpdesk(org: &Org<'_>, token: Option<&str>, body: &str) -> Result<Stored, EdgeError> {
    let control = running(org)?;
    let token =
        token.ok_or_else(|| EdgeError::Signature("the delivery has no X-ZDesk-JWT".into()))?;
    let state = org.state();
    let expected = Expected {
        org_id: org.id,
        webhook_id: control.webhook_id.as_deref(),
        // Zoho's own tokens do not bind the body; the record is re-read anyway.
        require_body_hash: false,
    };
    let now_secs = (org.now_ms / 1000) as u64;
    let verify =
        |jwks: &Jwks| helpdesk::verify_delivery(token, body.as_bytes(), jwks, expected, now_secs);
    let mut cache = state.helpdesk_jwks()?;
    let verified = match cache.keys(org.now_ms).map(verify) {
        Some(Err(SignatureError::UnknownKey(_))) | None if cache.may_fetch(org.now_ms) => {
            // Keys rotate: read them again, at most once a minute whatever callers send.
            cache.trying(org.now_ms);
            state.save_helpdesk_jwks(&cache)?;
            let jwks = org
                .helpdesk()
                .jwks()
                .await
                .map_err(|e| EdgeError::Unavailable(format!("the helpdesk's keys: {e}")))?;
            let verified = verify(&jwks);
            cache.fetched(jwks, org.now_ms);
            state.save_helpdesk_jwks(&cache)?;
            verified
        }
        None => {
            return Err(EdgeError::Unavailable(
                "the helpdesk's keys could not be read lately; try again in a minute".into(),
            ));
        }
        Some(result) => result,
    };
    let claims = verified.map_err(|e| EdgeError::Signature(e.to_string()))?;
    if !first_use(org, token, body, claims.expires_at_secs())? {
        // The same delivery again: stored the first time (a genuine retry), or a replay.
        return Ok(Stored { stored: 0 });
    }

    let events = helpdesk::parse_delivery(body.as_bytes())
        .map_err(|e| EdgeError::BadRequest(format!("the delivery is not a list of events: {e}")))?;
    // The token names this org; an event naming another is not this org's to store.
    if let Some(event) = events.iter().find(|e| e.org_id != org.id) {
        return Err(EdgeError::BadRequest(format!(
            "a {} event is about another helpdesk org ({})",
            event.event_type.as_str(),
            event.org_id
        )));
    }
    let store = org.store()?;
    let mut stored = 0;
    for event in &events {
        let object = match event.event_type {
            EventType::ContactAdd | EventType::ContactUpdate => ObjectKind::Contact,
            EventType::AccountAdd | EventType::AccountUpdate => ObjectKind::Account,
            _ => continue,
        };
        let Some(id) = event.record_id() else {
            return Err(EdgeError::BadRequest(format!(
                "a {} event names no record id (Zoho Desk ids are digits)",
                event.event_type.as_str()
            )));
        };
        store.enqueue(Side::Helpdesk, object, id, org.now_ms)?;
        stored += 1;
    }
    Ok(Stored { stored })
}

/// A Salesforce Outbound Message: the secret key of its URL and its org checked, then
/// each Account and Contact notification stored.
pub fn salesforce(org: &Org<'_>, key: &str, body: &str) -> Result<Stored, EdgeError> {
    let control = running(org)?;
    if !constant_time_eq(key.as_bytes(), control.outbound_key.as_bytes()) {
        return Err(EdgeError::Signature(
            "the Outbound Message URL's key is wrong".into(),
        ));
    }
    let message = outbound::parse(body).map_err(|e| EdgeError::BadRequest(e.to_string()))?;
    let connected =
        connection::info(org.sql)?.ok_or(EdgeError::Forbidden("Salesforce is not connected"))?;
    // Salesforce writes the 18-character org Id here; compare the case-sensitive part.
    let same_org = message.organization_id.get(..15) == connected.salesforce_org_id.get(..15);
    if !same_org {
        return Err(EdgeError::Forbidden(
            "the Outbound Message comes from another Salesforce org",
        ));
    }
    // The agent panel must not show what just changed from its cache.
    let changed: Vec<&str> = message
        .notifications
        .iter()
        .map(|n| n.record_id.as_str())
        .collect();
    panel_cache::forget(org.sql, &changed)?;
    let store = org.store()?;
    let mut stored = 0;
    for notification in &message.notifications {
        if let Some(object) = ObjectKind::from_salesforce_name(&notification.object) {
            store.enqueue(
                Side::Salesforce,
                object,
                notification.record_id.as_str(),
                org.now_ms,
            )?;
            stored += 1;
        }
    }
    Ok(Stored { stored })
}

/// Remembers a delivery token until it expires; false if it was seen before.
fn first_use(
    org: &Org<'_>,
    token: &str,
    body: &str,
    expires_at_secs: u64,
) -> Result<bool, EdgeError> {
    use sha2::Digest;
    // The token and the body together: the helpdesk's claims bind no body, so two
    // deliveries in the same second carry the same token.
    let digest = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        sha2::Sha256::new()
            .chain_update(token.trim().as_bytes())
            .chain_update([0])
            .chain_update(body.as_bytes())
            .finalize(),
    );
    let expires_ms = (expires_at_secs * 1000) as i64;
    let sql = org.sql;
    sql.exec(
        "DELETE FROM seen_deliveries WHERE expires_ms < ?",
        vec![org.now_ms.into()],
    )?;
    #[derive(serde::Deserialize)]
    struct Seen {}
    let seen: Vec<Seen> = sql
        .exec(
            "SELECT 1 AS seen FROM seen_deliveries WHERE digest = ?",
            vec![digest.clone().into()],
        )?
        .to_array()?;
    if !seen.is_empty() {
        return Ok(false);
    }
    sql.exec(
        "INSERT INTO seen_deliveries (digest, expires_ms) VALUES (?, ?)",
        vec![digest.into(), expires_ms.into()],
    )?;
    Ok(true)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
