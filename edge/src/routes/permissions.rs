//! The admin console's permissions table: every helpdesk profile with what it may see of
//! Salesforce (`GET`), and one profile's change (`PUT`). Admins only.

use super::caller::admin_context;
use crate::config::Config;
use crate::error::EdgeError;
use crate::integration::{self, Command, helpdesk_profiles};
use contract::admin::ProfilePermissions;
use worker::{Env, Request, Response};

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
