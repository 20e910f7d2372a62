//! The agent panel: the requester's Salesforce record beside the ticket.

use super::bearer_context;
use crate::config::Config;
use crate::error::EdgeError;
use crate::integration::{self, Command};
use serde::Deserialize;
use shared::api::{Panel, PanelChoice};
use shared::ids::SfId;
use worker::{Env, Request, Response};

pub async fn get(request: &Request, env: &Env, config: &Config) -> Result<Response, EdgeError> {
    let claims = bearer_context(request, config)?;
    let query: PanelQuery = request.query()?;
    let contact = query
        .contact
        .map(|id| SfId::parse(&id).map_err(|e| EdgeError::BadRequest(e.to_string())))
        .transpose()?;
    let org = claims.org.clone();
    let panel: Panel = integration::call(env, &org, &Command::Panel { claims, contact }).await?;
    Ok(Response::from_json(&panel)?)
}

#[derive(Deserialize)]
struct PanelQuery {
    contact: Option<String>,
}

/// Remembers which of several same-email contacts is this ticket's requester.
pub async fn choose(
    mut request: Request,
    env: &Env,
    config: &Config,
) -> Result<Response, EdgeError> {
    let claims = bearer_context(&request, config)?;
    let choice: PanelChoice = request.json().await.map_err(|e| {
        EdgeError::BadRequest(format!(
            "expected {{\"contact\": \"<Salesforce Id>\"}}: {e}"
        ))
    })?;
    let org = claims.org.clone();
    integration::call_no_content(
        env,
        &org,
        &Command::ChooseContact {
            claims,
            contact: choice.contact,
        },
    )
    .await?;
    Ok(Response::empty()?.with_status(204))
}
