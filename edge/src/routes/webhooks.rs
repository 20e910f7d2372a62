//! Where both systems report changes: `/webhooks/helpdesk/{org}/{tag}` (signed
//! deliveries) and `/webhooks/salesforce/{org}/{tag}?key=` (Outbound Messages). No context
//! token here. The Worker checks the org's tag first (`shared::url_tag`), so a URL sfdesk
//! did not issue is a plain 404 that wakes no Durable Object and tells nothing of which
//! orgs are enrolled; the org's Durable Object then checks the signature or the secret key
//! before storing anything.

use crate::config::Config;
use crate::error::EdgeError;
use crate::integration::{self, Command, Stored};
use serde::Deserialize;
use shared::salesforce::outbound;
use shared::url_tag::Purpose;
use worker::{Env, Method, Request, Response};

const HELPDESK_PREFIX: &str = "/webhooks/helpdesk/";
const SALESFORCE_PREFIX: &str = "/webhooks/salesforce/";
/// Larger deliveries are refused before they are read into memory.
const MAX_BODY_BYTES: usize = 1 << 20;

/// `None` when the path is not a webhook path.
pub async fn handle(
    request: &mut Request,
    env: &Env,
    config: &Config,
) -> Option<Result<Response, EdgeError>> {
    let path = request.path();
    if let Some(rest) = path.strip_prefix(HELPDESK_PREFIX) {
        let org = checked_org(config, Purpose::HelpdeskWebhook, rest);
        return Some(match org {
            Ok(org) => helpdesk(request, env, &org).await,
            Err(error) => Err(error),
        });
    }
    let rest = path.strip_prefix(SALESFORCE_PREFIX)?;
    Some(
        match checked_org(config, Purpose::SalesforceWebhook, rest) {
            Ok(org) => salesforce(request, env, &org).await,
            Err(error) => Err(error),
        },
    )
}

/// The org of `{org}/{tag}`, when the tag is the one sfdesk gives that org's URLs.
fn checked_org(config: &Config, purpose: Purpose, rest: &str) -> Result<String, EdgeError> {
    let (org, tag) = rest.split_once('/').ok_or(EdgeError::NotFound)?;
    if integration::is_org_id(org) && config.tagger.check(purpose, org, tag) {
        Ok(org.to_owned())
    } else {
        Err(EdgeError::NotFound)
    }
}

async fn body(request: &mut Request) -> Result<String, EdgeError> {
    let declared: Option<usize> = request
        .headers()
        .get("Content-Length")?
        .and_then(|length| length.parse().ok());
    if declared.is_some_and(|length| length > MAX_BODY_BYTES) {
        return Err(EdgeError::BadRequest(format!(
            "the body is larger than {MAX_BODY_BYTES} bytes"
        )));
    }
    let bytes = request.bytes().await?;
    if bytes.len() > MAX_BODY_BYTES {
        return Err(EdgeError::BadRequest(format!(
            "the body is larger than {MAX_BODY_BYTES} bytes"
        )));
    }
    String::from_utf8(bytes).map_err(|_| EdgeError::BadRequest("the body is not UTF-8".into()))
}

async fn helpdesk(request: &mut Request, env: &Env, org: &str) -> Result<Response, EdgeError> {
    // The helpdesk checks a new webhook's URL with a plain request before creating it.
    if request.method() == Method::Get {
        return Ok(Response::ok("sfdesk helpdesk webhook")?);
    }
    if request.method() != Method::Post {
        return Err(EdgeError::NotFound);
    }
    let token = request.headers().get("X-ZDesk-JWT")?;
    let command = Command::HelpdeskWebhook {
        token,
        body: body(request).await?,
    };
    let stored: Stored = integration::call(env, org, &command).await?;
    Ok(Response::from_json(&stored)?)
}

#[derive(Deserialize)]
struct KeyQuery {
    key: Option<String>,
}

async fn salesforce(request: &mut Request, env: &Env, org: &str) -> Result<Response, EdgeError> {
    if request.method() != Method::Post {
        return Err(EdgeError::NotFound);
    }
    let query: KeyQuery = request.query()?;
    let key = query
        .key
        .ok_or_else(|| EdgeError::Signature("the Outbound Message URL has no key".into()))?;
    let command = Command::SalesforceOutbound {
        key,
        body: body(request).await?,
    };
    let _: Stored = integration::call(env, org, &command).await?;
    // Stored durably: Salesforce may stop resending.
    let response = Response::ok(outbound::acknowledgement(true))?;
    response
        .headers()
        .set("Content-Type", "text/xml; charset=utf-8")?;
    Ok(response)
}
