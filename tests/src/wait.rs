//! Waiting for something the stack does in the background.

use std::time::{Duration, Instant};

/// Polls `check` until it yields a value, or fails after `timeout` naming `what`.
pub async fn eventually<T, F: AsyncFnMut() -> anyhow::Result<Option<T>>>(
    what: &str,
    timeout: Duration,
    mut check: F,
) -> anyhow::Result<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = check().await? {
            return Ok(value);
        }
        anyhow::ensure!(Instant::now() < deadline, "{what}: not within {timeout:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the sandbox org holds at least `calls` calls at its door.
pub async fn wait_for_held(
    salesforce: &sandbox::salesforce::SalesforceState,
    calls: usize,
) -> anyhow::Result<()> {
    eventually(
        &format!("{calls} calls held at the sandbox org's door"),
        Duration::from_secs(30),
        async || Ok((salesforce.holds().waiting >= calls).then_some(())),
    )
    .await
}
