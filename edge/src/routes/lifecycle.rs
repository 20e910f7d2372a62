//! Zoho Desk's lifecycle callbacks for the extension: `onInstall` binds the helpdesk org
//! to its Durable Object, `onUninstall` erases the org as deleting the integration does.
//!
//! Each is a `POST` of `{"event", "orgId", "securityContext"}` with a `HASH` header: the
//! HMAC-SHA256 of the exact body with the extension's secret, hex (Zoho Desk extension
//! guide, "Platform Event Callbacks" and "Desk Invoke API": "an HMAC sha256 ... with the
//! key as app's secret"; hex as Zoho's sample code computes it with `hash_hmac`).

use crate::config::Config;
use crate::error::EdgeError;
use crate::integration::{self, Command, is_org_id};
use contract::context::lifecycle_hash_matches;
use serde::Deserialize;
use serde_json::Value;
use worker::{Env, Request, Response};

const HASH_HEADER: &str = "HASH";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Callback {
    event: String,
    /// A number in Zoho's sample payload; a string is read too.
    org_id: Value,
    #[serde(default)]
    security_context: String,
}

/// The callback's body, once its `HASH` checks out, and the org it names.
async fn verified(
    request: &mut Request,
    config: &Config,
    expected_event: &str,
) -> Result<(String, Callback), EdgeError> {
    let hash = request.headers().get(HASH_HEADER)?.unwrap_or_default();
    let body = request.bytes().await?;
    if !lifecycle_hash_matches(config.extension_secret.as_bytes(), &body, &hash) {
        return Err(EdgeError::Unauthenticated(
            "The lifecycle callback's HASH does not match: it did not come from Zoho Desk.",
        ));
    }
    let callback: Callback = serde_json::from_slice(&body).map_err(|e| {
        EdgeError::BadRequest(format!(
            "expected {{\"event\", \"orgId\", \"securityContext\"}}: {e}"
        ))
    })?;
    if callback.event != expected_event {
        return Err(EdgeError::BadRequest(format!(
            "this URL takes the {expected_event} event, not {:?}",
            callback.event
        )));
    }
    let org = match &callback.org_id {
        Value::Number(number) => number.to_string(),
        Value::String(text) => text.clone(),
        _ => String::new(),
    };
    if !is_org_id(&org) {
        return Err(EdgeError::BadRequest(
            "orgId is not a helpdesk org id".into(),
        ));
    }
    Ok((org, callback))
}

pub async fn installed(
    mut request: Request,
    env: &Env,
    config: &Config,
) -> Result<Response, EdgeError> {
    let (org, callback) = verified(&mut request, config, "onInstall").await?;
    let install = Command::Install {
        security_context: callback.security_context,
    };
    integration::call_no_content(env, &org, &install).await?;
    Ok(Response::empty()?.with_status(204))
}

pub async fn uninstalled(
    mut request: Request,
    env: &Env,
    config: &Config,
) -> Result<Response, EdgeError> {
    let (org, _) = verified(&mut request, config, "onUninstall").await?;
    integration::call_no_content(env, &org, &Command::Uninstall).await?;
    Ok(Response::empty()?.with_status(204))
}
