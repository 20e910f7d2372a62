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
