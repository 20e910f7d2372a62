//! The admin console's permissions table: every helpdesk profile with what it may see of
//! Salesforce (`GET`), and one profile's change (`PUT`). Admins only. The org's Durable
//! Object lists the profiles with the org's own helpdesk connection.

use super::caller::admin_context;
use crate::config::Config;
use crate::error::EdgeError;
use crate::integration::{self, Command};
use contract::admin::ProfilePermissions;
use worker::{Env, Request, Response};

pub async fn list(request: &Request, env: &Env, config: &Config) -> Result<Response, EdgeError> {
    let claims = admin_context(request, config)?;
    let table: Vec<ProfilePermissions> =
        integration::call(env, &claims.org, &Command::ListPermissions).await?;
    Ok(Response::from_json(&table)?)
}

pub async fn save(mut request: Request, env: &Env, config: &Config) -> Result<Response, EdgeError> {
    let claims = admin_context(&request, config)?;
    let change: ProfilePermissions = request.json().await.map_err(|e| {
        EdgeError::BadRequest(format!(
            "expected a profile's permissions ({{\"profile_id\", \"profile_name\", \"permissions\"}}): {e}"
        ))
    })?;
    let saved: ProfilePermissions = integration::call(
        env,
        &claims.org,
        &Command::SavePermissions {
            permissions: change,
        },
    )
    .await?;
    Ok(Response::from_json(&saved)?)
}
