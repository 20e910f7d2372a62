//! The agent panel: the requester's Salesforce record beside the ticket.

use super::bearer_context;
use crate::config::Config;
use crate::error::EdgeError;
use crate::integration::{self, Command};
use shared::api::Panel;
use worker::{Env, Request, Response};

pub async fn get(request: &Request, env: &Env, config: &Config) -> Result<Response, EdgeError> {
    let claims = bearer_context(request, config)?;
    let org = claims.org.clone();
    let panel: Panel = integration::call(env, &org, &Command::Panel { claims }).await?;
    Ok(Response::from_json(&panel)?)
}
