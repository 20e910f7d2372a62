//! Reads every record of a SOQL query with our client (`Client::query_all_pages`), for
//! `cargo xtask bench peers`: the counterpart of `read_jsforce.js` and
//! `read_simple_salesforce.py`. Environment: SFDESK_SF_URL (the org), SFDESK_SF_TOKEN (an
//! access token), SFDESK_SOQL. Prints `<records> <seconds>`.
//!
//! With `--split`, where the time goes: the same pages fetched as bytes one after another
//! (the org's answers and the transport), then decoded as the client decodes them. Prints
//! `<records> <seconds waiting> <seconds decoding>`.

use serde_json::{Map, Value};
use shared::http::{HttpRequest, Transport};
use shared::salesforce::{
    API_VERSION, Client, QueryResponse, Scope, Session, next_records_url_ahead,
};
use std::time::Instant;

type Record = Map<String, Value>;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let env = |name: &str| std::env::var(name).map_err(|_| anyhow::anyhow!("{name} is not set"));
    let session = Session {
        instance_url: env("SFDESK_SF_URL")?,
        access_token: env("SFDESK_SF_TOKEN")?,
    };
    let soql = env("SFDESK_SOQL")?;
    let transport = shared::http::ReqwestTransport::default();
    if std::env::args().any(|arg| arg == "--split") {
        let (records, waiting, decoding) = split(&transport, &session, &soql).await?;
        println!("{records} {waiting} {decoding}");
    } else {
        let client = Client::new(&transport, session);
        let started = Instant::now();
        let records: Vec<Record> = client.query_all_pages(&soql, Scope::Live).await?;
        println!("{} {}", records.len(), started.elapsed().as_secs_f64());
    }
    Ok(())
}

/// Every page as bytes, one request after the other, then every page decoded.
async fn split(
    transport: &impl Transport,
    session: &Session,
    soql: &str,
) -> anyhow::Result<(usize, f64, f64)> {
    let first = url::Url::parse_with_params(
        &format!("{}/services/data/{API_VERSION}/query", session.instance_url),
        [("q", soql)],
    )?;
    let mut next = Some(first.to_string());
    let mut bodies = Vec::new();
    let started = Instant::now();
    while let Some(url) = next {
        let response = transport
            .send(HttpRequest::get(url).bearer(&session.access_token))
            .await?;
        anyhow::ensure!(response.is_success(), "HTTP {}", response.status);
        next = next_records_url_ahead(&response.body)
            .map(|path| format!("{}{path}", session.instance_url));
        bodies.push(response.body);
    }
    let waiting = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let mut records = 0;
    for body in &bodies {
        let page: QueryResponse<Record> = serde_json::from_slice(body)?;
        records += page.records.len();
    }
    Ok((records, waiting, started.elapsed().as_secs_f64()))
}
