//! `cargo xtask dev`: the whole demo on fixed local ports.

use crate::{compile, tools};
use contract::api::Panel;
use e2e::{Stack, StackOptions};

pub fn run() -> anyhow::Result<()> {
    tools::ensure_all()?;
    compile::all()?;
    tokio::runtime::Runtime::new()?.block_on(serve())
}

/// Once an admin starts the sync in the console, the edge names the URL for Salesforce's
/// Outbound Messages; an admin would paste it into the org's workflow setup. Here the
/// sandbox org is told directly. Runs until Ctrl-C.
async fn point_outbound_messages_at_the_edge(stack: &Stack) -> anyhow::Result<()> {
    let mut pointed_at = None;
    loop {
        let url = stack
            .admin_status()
            .await
            .ok()
            .and_then(|status| status.outbound_message_url);
        if url.is_some() && url != pointed_at {
            let endpoint = url.clone().unwrap_or_default();
            for object in ["Account", "Contact"] {
                stack
                    .sandbox
                    .salesforce()
                    .set_outbound_endpoint(
                        object,
                        sandbox::salesforce::OutboundEndpoint::new(endpoint.clone()),
                    )
                    .map_err(anyhow::Error::msg)?;
            }
            println!("the sandbox org now sends its Outbound Messages to the edge");
            pointed_at = url;
        }
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    }
}

async fn serve() -> anyhow::Result<()> {
    let options = StackOptions::demo()?;
    let shape = options.org_shape;
    let stack = Stack::start(options).await?;
    // The demo org is connected through the real OAuth flow once; the connection is kept
    // in the Durable Object's storage across restarts.
    if matches!(
        stack.panel("Administrator", false).await?,
        Panel::NotConnected { .. }
    ) {
        println!("connecting the demo helpdesk to the sandbox Salesforce org (OAuth)");
        stack.connect_salesforce().await?;
        // The demo org's admin shows its custom subscription type; other shapes have none.
        if shape == sandbox::OrgShape::Demo {
            stack.show_subscription_type().await?;
        }
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
    println!(
        "  Admin console (as the demo administrator): {}/setup",
        stack.sandbox.demo_url.trim_end_matches('/')
    );
    println!();
    println!("Ctrl-C stops everything.");
    tokio::select! {
        signal = tokio::signal::ctrl_c() => signal?,
        outcome = point_outbound_messages_at_the_edge(&stack) => outcome?,
    }
    println!("stopping");
    Ok(())
}
