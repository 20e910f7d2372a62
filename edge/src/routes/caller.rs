//! Who is calling: the session token of an API call (the edge's own, minted by
//! [`super::session`] once the helpdesk said who the agent is), verified, and the admin
//! role where a route needs it.

use crate::config::Config;
use crate::error::EdgeError;
use contract::context::{self, ContextClaims, Role};
use worker::Request;

/// Verifies a session token against the edge's secret and the current time.
fn verify_context(token: &str, config: &Config) -> Result<ContextClaims, EdgeError> {
    let now = worker::Date::now().as_millis() / 1000;
    Ok(context::verify(
        token,
        config.context_secret.as_bytes(),
        now,
    )?)
}

/// The session token of an API call: `Authorization: Bearer <token>`.
pub fn bearer_context(request: &Request, config: &Config) -> Result<ContextClaims, EdgeError> {
    let header = request
        .headers()
        .get("Authorization")?
        .ok_or(EdgeError::MissingContext)?;
    let token = header
        .strip_prefix("Bearer ")
        .ok_or(EdgeError::MissingContext)?;
    verify_context(token.trim(), config)
}

/// [`bearer_context`] of a helpdesk administrator.
pub fn admin_context(request: &Request, config: &Config) -> Result<ContextClaims, EdgeError> {
    let claims = bearer_context(request, config)?;
    if claims.role != Role::Admin {
        return Err(EdgeError::Forbidden(
            "Only helpdesk administrators can manage the Salesforce integration.",
        ));
    }
    Ok(claims)
}
