//! `cargo run -p sandbox`: the Salesforce org, the helpdesk API and the demo pages on
//! their standard ports until Ctrl-C. Flags override the environment, which overrides
//! the defaults (see `sandbox::Config::from_env`).

use anyhow::{Context, bail};
use sandbox::{Config, demo};
use std::time::Duration;

const USAGE: &str = "\
Usage: sandbox [options]

Options:
  --salesforce-port <port>   Salesforce org (default 8701; 0 picks a free port)
  --helpdesk-port <port>     helpdesk API (default 8702)
  --demo-port <port>         demo helpdesk pages (default 8703)
  --edge-url <url>           where the edge is served (default http://127.0.0.1:8787)
  --token-lifetime <secs>    Salesforce access token lifetime (default 7200)
  --org-shape <shape>        the kind of Salesforce org: demo (default), plain, restricted,
                             multi_currency, person_accounts, enhanced_notes, small_batches
  -h, --help                 this help

Environment: SFDESK_ORG_SHAPE, SFDESK_CONTEXT_SECRET, SFDESK_EDGE_URL,
SFDESK_SALESFORCE_PORT, SFDESK_HELPDESK_PORT, SFDESK_DEMO_PORT.";

fn parse_args(
    mut config: Config,
    args: impl IntoIterator<Item = String>,
) -> anyhow::Result<Option<Config>> {
    let mut args = args.into_iter();
    while let Some(flag) = args.next() {
        if matches!(flag.as_str(), "-h" | "--help") {
            return Ok(None);
        }
        let value = args
            .next()
            .with_context(|| format!("{flag} needs a value\n\n{USAGE}"))?;
        let port = || -> anyhow::Result<u16> {
            value
                .parse()
                .with_context(|| format!("{flag} takes a port number, got {value:?}"))
        };
        match flag.as_str() {
            "--salesforce-port" => config.salesforce_addr.set_port(port()?),
            "--helpdesk-port" => config.helpdesk_addr.set_port(port()?),
            "--demo-port" => config.demo_addr.set_port(port()?),
            "--edge-url" => config.edge_url = value,
            "--org-shape" => config.org_shape = value.parse()?,
            "--token-lifetime" => {
                let secs = value
                    .parse()
                    .with_context(|| format!("--token-lifetime takes seconds, got {value:?}"))?;
                config.access_token_lifetime = Duration::from_secs(secs);
            }
            other => bail!("unknown option {other}\n\n{USAGE}"),
        }
    }
    Ok(Some(config))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let Some(config) = parse_args(Config::from_env()?, std::env::args().skip(1))? else {
        println!("{USAGE}");
        return Ok(());
    };
    let sandbox = sandbox::start(config).await?;
    println!(
        "Salesforce org   {} ({} org)",
        sandbox.salesforce_url,
        sandbox.org_shape()
    );
    if let Some(https) = sandbox.salesforce_https_url() {
        println!(
            "  over HTTPS     {https} (trust {}/__sandbox/tls/ca.pem)",
            sandbox.salesforce_url
        );
    }
    println!(
        "  test controls  {}/__sandbox/... (seed, records, counters, faults, limits, outbound)",
        sandbox.salesforce_url
    );
    println!("Helpdesk API     {}/api/v1", sandbox.helpdesk_url);
    println!("Demo helpdesk    {}", sandbox.demo_url);
    println!();
    println!("Demo ticket      {}", sandbox.demo_ticket_url());
    println!(
        "Salesforce login {} / {}   connected app {} / {}",
        demo::ADMIN_USERNAME,
        demo::ADMIN_PASSWORD,
        demo::CLIENT_ID,
        demo::CLIENT_SECRET
    );
    println!(
        "Helpdesk API     orgId: {}   Authorization: Zoho-oauthtoken {}",
        demo::HELPDESK_ORG_ID,
        demo::HELPDESK_API_TOKEN
    );
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    sandbox.shutdown().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn flags_override_the_config() {
        let config = parse_args(
            Config::default(),
            args(&[
                "--salesforce-port",
                "0",
                "--edge-url",
                "http://e.example",
                "--token-lifetime",
                "5",
                "--org-shape",
                "person_accounts",
            ]),
        )
        .unwrap()
        .unwrap();
        assert_eq!(config.org_shape, sandbox::OrgShape::PersonAccounts);
        assert_eq!(config.salesforce_addr.port(), 0);
        assert_eq!(config.helpdesk_addr.port(), demo::HELPDESK_PORT);
        assert_eq!(config.edge_url, "http://e.example");
        assert_eq!(config.access_token_lifetime, Duration::from_secs(5));
    }

    #[test]
    fn bad_flags_are_refused_and_help_is_not_an_error() {
        assert!(parse_args(Config::default(), args(&["--demo-port", "x"])).is_err());
        assert!(parse_args(Config::default(), args(&["--nope", "1"])).is_err());
        assert!(parse_args(Config::default(), args(&["--demo-port"])).is_err());
        assert!(parse_args(Config::default(), args(&["--org-shape", "square"])).is_err());
        assert!(
            parse_args(Config::default(), args(&["--help"]))
                .unwrap()
                .is_none()
        );
    }
}
