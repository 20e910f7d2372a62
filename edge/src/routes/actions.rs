//! The panel's actions on Salesforce (`POST` [`contract::api::Action::path`]): the caller's
//! session names the ticket; the org's Durable Object checks the profile's permission and
//! takes the action.

use super::caller::bearer_context;
use crate::config::Config;
use crate::error::EdgeError;
use crate::integration::{self, Command};
use contract::api::{Action, ActionDone, ActionOn};
use worker::{Env, Request, Response};

pub async fn act(
    mut request: Request,
    env: &Env,
    config: &Config,
    action: Action,
) -> Result<Response, EdgeError> {
    let claims = bearer_context(&request, config)?;
    let record = match action {
        Action::CreateContact | Action::CreateLead => None,
        Action::LogTicket | Action::OpenCase => {
            let on: ActionOn = request.json().await.map_err(|e| {
                EdgeError::BadRequest(format!(
                    "expected {{\"record\": \"<the Salesforce Id in view>\"}}: {e}"
                ))
            })?;
            Some(on.record)
        }
    };
    let org = claims.org.clone();
    let done: ActionDone = integration::call(
        env,
        &org,
        &Command::Act {
            claims,
            action,
            record,
        },
    )
    .await?;
    Ok(Response::from_json(&done)?)
}
