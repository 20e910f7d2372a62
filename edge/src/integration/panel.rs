//! The agent panel's lookup: the context's requester, found in Salesforce by email.

use super::connection::{self, reconnect_if_revoked};
use crate::config::Config;
use crate::error::EdgeError;
use crate::fetch_transport::WorkerFetch;
use shared::api::Panel;
use shared::context::{ContextClaims, Role};
use shared::salesforce::{Budget, ContactRecord, QueryResponse, RetryPolicy, contact_by_email};
use std::time::Duration;
use worker::SqlStorage;

/// An agent is waiting: retry briefly. The panel may use more of the org's allowance than
/// background sync does, so agents still see data when sync holds back.
const PANEL_RETRY: RetryPolicy = RetryPolicy {
    max_attempts: 3,
    base_delay: Duration::from_millis(250),
    max_delay: Duration::from_secs(1),
};
const PANEL_BUDGET: Budget = Budget::Percent(95);

pub async fn panel(
    sql: &SqlStorage,
    config: &Config,
    claims: ContextClaims,
) -> Result<Panel, EdgeError> {
    let Some(connection) = connection::load(sql, config, &claims.org)? else {
        return Ok(Panel::NotConnected {
            can_connect: claims.role == Role::Admin,
        });
    };
    let Some(email) = claims.requester else {
        return Ok(Panel::NoRequester);
    };
    let client = connection
        .client(&WorkerFetch, &config.salesforce)
        .with_retry(PANEL_RETRY)
        .with_budget(PANEL_BUDGET);
    let result = client
        .query::<ContactRecord>(&contact_by_email(&email))
        .await;
    // A renewed session is kept even when the call after it failed.
    connection::store_refreshed(sql, config, &claims.org, &client)?;
    let page: QueryResponse<ContactRecord> = result.map_err(reconnect_if_revoked)?;
    let instance_url = client.instance_url();
    Ok(match page.records.into_iter().next() {
        Some(record) => Panel::Contact {
            contact: record.into_card(&instance_url),
        },
        None => Panel::NoMatch { email },
    })
}
