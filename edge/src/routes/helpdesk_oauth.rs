//! The end of connecting the org's own helpdesk: Zoho Accounts' redirect back. It starts
//! as Salesforce's does ([`super::oauth::start`]); the `state` names the org and is
//! checked, single-use, against the flow its Durable Object stored, and the browser must
//! bring back the cookie the start set. Zoho names the grant's data centre
//! (`accounts-server`, `location`: Accounts, multi-dc); the object exchanges the code
//! there, if it is one of Zoho's.

use super::oauth::{Returned, outcome_page, returned};
use crate::config::Config;
use crate::error::EdgeError;
use crate::integration::{self, Command, ConnectedHelpdesk};
use contract::side::Side;
use serde::Deserialize;
use worker::{Env, Request, Response};

#[derive(Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    #[serde(rename = "accounts-server")]
    accounts_server: Option<String>,
}

/// Always answers with a page a person can read, since a browser lands here.
pub async fn callback(request: &Request, env: &Env, config: &Config) -> Response {
    let outcome = complete(request, env, config).await.map(|connected| {
        format!(
            "sfdesk now reaches the helpdesk at {} as {}. You can close this window.",
            connected.api_domain, connected.agent_email
        )
    });
    outcome_page(
        Side::Helpdesk,
        outcome,
        "Helpdesk connected",
        "The helpdesk was not connected",
    )
}

async fn complete(
    request: &Request,
    env: &Env,
    config: &Config,
) -> Result<ConnectedHelpdesk, EdgeError> {
    let query: CallbackQuery = request.query()?;
    if let Some(error) = query.error {
        return Err(EdgeError::BadRequest(match error.as_str() {
            "access_denied" => {
                "Access was not granted in the helpdesk. Start again and choose Accept.".to_owned()
            }
            _ => format!("Zoho refused: {error}"),
        }));
    }
    let Returned {
        org,
        code,
        state,
        browser_nonce,
    } = returned(request, config, query.code, query.state)?;
    integration::call(
        env,
        &org,
        &Command::CompleteHelpdeskOAuth {
            state,
            code,
            accounts_server: query.accounts_server,
            browser_nonce,
        },
    )
    .await
}
