//! The admin console's permissions table: every helpdesk profile with what it may see of
//! Salesforce (`GET`), and one profile's change (`PUT`). Admins only.

use super::admin::admin_context;
use crate::config::Config;
use crate::error::EdgeError;
use crate::fetch_transport::WorkerFetch;
use crate::integration::{self, Command, ProfileRef};
use shared::admin::ProfilePermissions;
use shared::api::{ApiError, ErrorCode};
use shared::helpdesk::{self, RetryPolicy};
use std::time::Duration;
use worker::{Env, Request, Response};

/// Every profile of the helpdesk org, as the helpdesk lists them.
async fn helpdesk_profiles(config: &Config, org: &str) -> Result<Vec<ProfileRef>, EdgeError> {
    let connection = config.helpdesk(org);
    let client = helpdesk::Client::new(&WorkerFetch, &connection).with_retry(RetryPolicy {
        max_attempts: 2,
        max_retry_after: Duration::from_secs(2),
        ..RetryPolicy::default()
    });
    let profiles = client.profiles().await.map_err(|error| {
        worker::console_error!("listing helpdesk profiles: {error}");
        EdgeError::Remote(ApiError::new(
            ErrorCode::Internal,
            "The helpdesk did not list its profiles just now. Try again in a moment.",
        ))
    })?;
    Ok(profiles
        .into_iter()
        .map(|profile| ProfileRef {
            id: profile.id,
            name: profile.name,
        })
        .collect())
}

pub async fn list(request: &Request, env: &Env, config: &Config) -> Result<Response, EdgeError> {
    let claims = admin_context(request, config)?;
    let profiles = helpdesk_profiles(config, &claims.org).await?;
    let table: Vec<ProfilePermissions> =
        integration::call(env, &claims.org, &Command::ListPermissions { profiles }).await?;
    Ok(Response::from_json(&table)?)
}

pub async fn save(mut request: Request, env: &Env, config: &Config) -> Result<Response, EdgeError> {
    let claims = admin_context(&request, config)?;
    let change: ProfilePermissions = request.json().await.map_err(|e| {
        EdgeError::BadRequest(format!(
            "expected a profile's permissions ({{\"profile_id\", \"profile_name\", \"permissions\"}}): {e}"
        ))
    })?;
    // The profile must exist; its name is the helpdesk's, whatever the body says.
    let profile = helpdesk_profiles(config, &claims.org)
        .await?
        .into_iter()
        .find(|profile| profile.id == change.profile_id)
        .ok_or_else(|| {
            EdgeError::BadRequest(format!(
                "the helpdesk has no profile with id {:?}; reload the permissions table",
                change.profile_id
            ))
        })?;
    let saved: ProfilePermissions = integration::call(
        env,
        &claims.org,
        &Command::SavePermissions {
            permissions: ProfilePermissions {
                profile_id: profile.id,
                profile_name: profile.name,
                permissions: change.permissions,
            },
        },
    )
    .await?;
    Ok(Response::from_json(&saved)?)
}
