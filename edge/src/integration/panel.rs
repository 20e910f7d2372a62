//! The agent panel's lookup: the context's requester, found in Salesforce by email.

use super::connection::{self, Connection};
use crate::config::Config;
use crate::error::EdgeError;
use crate::fetch_transport::WorkerFetch;
use serde::de::DeserializeOwned;
use shared::api::Panel;
use shared::context::{ContextClaims, Role};
use shared::salesforce::{Client, ContactRecord, QueryResponse, SfError, contact_by_email};
use worker::SqlStorage;

pub async fn panel(
    sql: &SqlStorage,
    config: &Config,
    claims: ContextClaims,
) -> Result<Panel, EdgeError> {
    let Some(mut connection) = connection::load(sql, config, &claims.org)? else {
        return Ok(Panel::NotConnected {
            can_connect: claims.role == Role::Admin,
        });
    };
    let Some(email) = claims.requester else {
        return Ok(Panel::NoRequester);
    };
    let page: QueryResponse<ContactRecord> = query(
        sql,
        config,
        &claims.org,
        &mut connection,
        &contact_by_email(&email),
    )
    .await?;
    let instance_url = connection.session.instance_url.clone();
    Ok(match page.records.into_iter().next() {
        Some(record) => Panel::Contact {
            contact: record.into_card(&instance_url),
        },
        None => Panel::NoMatch { email },
    })
}

/// One query, refreshing the access token once if Salesforce says the session expired.
async fn query<R: DeserializeOwned>(
    sql: &SqlStorage,
    config: &Config,
    org: &str,
    connection: &mut Connection,
    soql: &str,
) -> Result<QueryResponse<R>, EdgeError> {
    match Client::new(&WorkerFetch, &connection.session)
        .query(soql)
        .await
    {
        Err(SfError::InvalidSession) => {
            connection::refresh(sql, config, org, connection).await?;
            Ok(Client::new(&WorkerFetch, &connection.session)
                .query(soql)
                .await?)
        }
        other => Ok(other?),
    }
}
