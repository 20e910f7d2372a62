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
/// Outbound Messages. Here the demo does what the console's "Set it up for me" does: the
/// edge creates, in the sandbox org through its Tooling API, an Outbound Message and an
/// active record-triggered Flow for Accounts and for Contacts. Once per URL (the sandbox
/// org starts empty each run); runs until Ctrl-C.
async fn set_up_change_notifications(stack: &Stack) -> anyhow::Result<()> {
    let mut set_up_for = None;
    loop {
        let url = stack
            .admin_status()
            .await
            .ok()
            .and_then(|status| status.outbound_message_url);
        if url.is_some() && url != set_up_for {
            // Tried once per URL: a refusal is printed, and the console can try again.
            match stack.set_up_notifications().await {
                Ok(setup) => {
                    for object in &setup.objects {
                        println!(
                            "the sandbox org's Flow {} sends {}'s changes to the edge",
                            object.flow_name,
                            object.object.plural()
                        );
                    }
                }
                Err(error) => eprintln!("setting up change notifications failed: {error:#}"),
            }
            set_up_for = url;
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
        outcome = set_up_change_notifications(&stack) => outcome?,
    }
    println!("stopping");
    Ok(())
}
