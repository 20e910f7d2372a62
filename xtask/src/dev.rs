//! `cargo xtask dev`: the whole demo on fixed local ports.

use crate::{build, tools};
use e2e::{Stack, StackOptions};
use shared::api::Panel;

pub fn run() -> anyhow::Result<()> {
    tools::ensure_all()?;
    build::all()?;
    tokio::runtime::Runtime::new()?.block_on(serve())
}

async fn serve() -> anyhow::Result<()> {
    let stack = Stack::start(StackOptions::demo()?).await?;
    // The demo org is connected through the real OAuth flow once; the connection is kept
    // in the Durable Object's storage across restarts.
    if matches!(
        stack.panel("Administrator", false).await?,
        Panel::NotConnected { .. }
    ) {
        println!("connecting the demo helpdesk to the sandbox Salesforce org (OAuth)");
        stack.connect_salesforce().await?;
    }
    println!();
    println!("  sandbox Salesforce  {}", stack.sandbox.salesforce_url);
    println!("  sandbox helpdesk    {}", stack.sandbox.helpdesk_url);
    println!(
        "  edge                {}  (log: {})",
        stack.edge_url,
        stack.edge_log.display()
    );
    println!();
    println!("  Open the demo: {}", stack.sandbox.demo_ticket_url());
    println!();
    println!("Ctrl-C stops everything.");
    tokio::signal::ctrl_c().await?;
    println!("stopping");
    Ok(())
}
