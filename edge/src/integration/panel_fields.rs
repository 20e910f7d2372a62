//! What the panel may read in the connected org, and what the admin chose to show.
//!
//! The org's schema (`shared::panel::OrgSchema`: its describes, read as the connected
//! user) is kept in the Durable Object: read on the first panel after connecting, again
//! after a reconnect (the connected user, and so what they may read, may have changed),
//! when Salesforce refuses a query as naming something unknown, and when the admin opens
//! the panel fields. The admin's choice of fields is checked against it.

use super::org::{Org, Salesforce};
use super::panel_cache;
use super::state::KeptSchema;
use crate::error::EdgeError;
use contract::panel_fields::{PanelFields, PanelFieldsView};
use shared::panel::OrgSchema;

/// The org's schema: the kept one unless `refresh`, else read now (one Salesforce call)
/// and kept. A new schema may change every answer, so cached answers go.
pub async fn schema(
    org: &Org<'_>,
    client: &Salesforce<'_>,
    refresh: bool,
) -> Result<OrgSchema, EdgeError> {
    let state = org.state();
    // A schema kept from before the panel read more objects is read again.
    if !refresh
        && let Some(kept) = state.org_schema()?
        && kept.schema.is_current()
    {
        return Ok(kept.schema);
    }
    let answer = client
        .composite(&OrgSchema::request())
        .await
        .map_err(EdgeError::reconnect_if_revoked)?;
    let schema = OrgSchema::from_response(&answer).map_err(EdgeError::reconnect_if_revoked)?;
    state.save_org_schema(Some(&KeptSchema {
        schema: schema.clone(),
        read_ms: org.now_ms,
    }))?;
    panel_cache::clear(org.sql)?;
    Ok(schema)
}

/// Forgets the kept schema: the next panel reads it again.
pub fn forget_schema(org: &Org<'_>) -> Result<(), EdgeError> {
    org.state().save_org_schema(None)
}

/// The admin's choice, or the standard fields the org offers while there is none.
pub fn chosen(org: &Org<'_>, schema: &OrgSchema) -> Result<PanelFields, EdgeError> {
    Ok(match org.state().panel_fields()? {
        Some(fields) => fields,
        None => PanelFields::standard_within(&schema.offered()),
    })
}

fn connected<'a>(org: &'a Org<'_>) -> Result<Salesforce<'a>, EdgeError> {
    org.salesforce()?.ok_or(EdgeError::BadRequest(
        "Salesforce is not connected: connect it first".into(),
    ))
}

/// The console's view, on the org's schema as it is now.
pub async fn view(org: &Org<'_>) -> Result<PanelFieldsView, EdgeError> {
    let schema = schema(org, &connected(org)?, true).await?;
    Ok(PanelFieldsView {
        chosen: chosen(org, &schema)?,
        offered: schema.offered(),
    })
}

/// Saves the admin's choice if the org offers every field in it; the panel shows it from
/// the next view on.
pub async fn save(org: &Org<'_>, fields: PanelFields) -> Result<PanelFieldsView, EdgeError> {
    let schema = schema(org, &connected(org)?, false).await?;
    let offered = schema.offered();
    if let Some(issue) = fields.issues(&offered).into_iter().next() {
        return Err(EdgeError::BadRequest(issue));
    }
    org.state().save_panel_fields(&fields)?;
    panel_cache::clear(org.sql)?;
    Ok(PanelFieldsView {
        chosen: fields,
        offered,
    })
}
