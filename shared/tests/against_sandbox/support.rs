//! What the modules share.

use sandbox::Sandbox;

/// A sandbox (a Salesforce org, a helpdesk and the demo pages) of the test's own, on
/// free ports.
pub async fn sandbox() -> Sandbox {
    sandbox::start(sandbox::Config::ephemeral())
        .await
        .expect("the sandbox starts")
}
