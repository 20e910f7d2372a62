//! The agent panel: the requester's Salesforce record beside the ticket.

use super::caller::bearer_context;
use crate::config::Config;
use crate::error::EdgeError;
use crate::integration::{self, Command};
use contract::api::{Panel, PanelChoice, PanelQuery, SearchHit};
use serde::Deserialize;
use worker::{Env, Request, Response};

pub async fn get(request: &Request, env: &Env, config: &Config) -> Result<Response, EdgeError> {
    let claims = bearer_context(request, config)?;
    let query: PanelQuery = request.query().map_err(|e| {
        EdgeError::BadRequest(format!(
            "expected ?contact=<Salesforce Id>, ?record=<Salesforce Id> or ?fresh=true: {e}"
        ))
    })?;
    let org = claims.org.clone();
    let panel: Panel = integration::call(env, &org, &Command::Panel { claims, query }).await?;
    Ok(Response::from_json(&panel)?)
}

#[derive(Deserialize)]
struct SearchQuery {
    #[serde(default)]
    q: String,
}

/// Salesforce records by name, for a requester Salesforce does not know by email.
pub async fn search(request: &Request, env: &Env, config: &Config) -> Result<Response, EdgeError> {
    let claims = bearer_context(request, config)?;
    let SearchQuery { q } = request
        .query()
        .map_err(|e| EdgeError::BadRequest(format!("expected ?q=<name>: {e}")))?;
    let org = claims.org.clone();
    let hits: Vec<SearchHit> =
        integration::call(env, &org, &Command::PanelSearch { claims, text: q }).await?;
    Ok(Response::from_json(&hits)?)
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
