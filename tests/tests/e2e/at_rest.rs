//! Salesforce tokens at rest: the Durable Object's raw SQLite files hold them only sealed,
//! and no answer to the browser nor the edge's log ever carries one.

use contract::admin::{self, SyncState};
use e2e::{Stack, StackOptions};
use reqwest::Method;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files(&path));
        } else {
            found.push(path);
        }
    }
    found
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    !needle.is_empty()
        && haystack
            .windows(needle.len())
            .any(|window| window == needle.as_bytes())
}

#[tokio::test]
async fn salesforce_tokens_are_sealed_at_rest_and_never_leave_the_edge() -> anyhow::Result<()> {
    let options = StackOptions::test("at-rest");
    let state_dir = options.persist_dir.clone();
    let stack = Stack::start(options).await?;
    let mut answers: Vec<String> = Vec::new();

    // Everything a browser sees: the OAuth pages, the panel, every admin answer.
    let before: Vec<String> = stack.sandbox.salesforce().issued_tokens();
    let callback = stack.connect_salesforce_via_callback().await?;
    answers.push(callback);
    stack.start_sync().await?;
    stack
        .wait_for_sync(SyncState::Live, Duration::from_secs(90))
        .await?;
    // A renewed access token is stored too: end the current one and make the edge renew.
    stack.sandbox.expire_salesforce_sessions();
    let client = reqwest::Client::new();
    for (profile, ticket) in [
        ("Agent", true),
        ("Administrator", true),
        ("Light Agent", true),
    ] {
        let response = client
            .get(format!("{}{}", stack.edge_url, contract::api::PANEL_PATH))
            .bearer_auth(stack.context_token(profile, ticket))
            .send()
            .await?;
        answers.push(format!("{:?}", response.headers()));
        answers.push(response.text().await?);
    }
    for path in [
        admin::STATUS_PATH,
        admin::SETTINGS_PATH,
        admin::HISTORY_PATH,
        admin::FAILURES_PATH,
    ] {
        let answer: serde_json::Value = stack.admin(Method::GET, path, None).await?;
        answers.push(answer.to_string());
    }
    let widget = client.get(format!("{}/", stack.edge_url)).send().await?;
    answers.push(widget.text().await?);

    let tokens: Vec<String> = stack
        .sandbox
        .salesforce()
        .issued_tokens()
        .into_iter()
        .filter(|t| !before.contains(t))
        .collect();
    // The code flow's refresh token, the first access token and the renewed one (the
    // harness's own password-grant sessions are in the list too; they must not appear
    // either).
    assert!(tokens.len() >= 2, "the org issued tokens: {}", tokens.len());

    // Let workerd write its storage out, then read every byte it keeps.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let stored = files(&state_dir);
    let sqlite: Vec<&PathBuf> = stored
        .iter()
        .filter(|p| p.to_string_lossy().contains(".sqlite"))
        .collect();
    assert!(
        !sqlite.is_empty(),
        "the Durable Object's SQLite files under {}: {stored:?}",
        state_dir.display()
    );
    let mut connection_seen = false;
    for path in &stored {
        let bytes = std::fs::read(path)?;
        connection_seen |= contains(&bytes, "access_token_sealed");
        for token in &tokens {
            assert!(
                !contains(&bytes, token),
                "a Salesforce token in plain text in {}",
                path.display()
            );
            // Not the (case-sensitive) body without its org-Id prefix either.
            if let Some((_, secret)) = token.split_once('!') {
                assert!(!contains(&bytes, secret), "{}", path.display());
            }
        }
    }
    assert!(connection_seen, "the connection table is in the files read");

    let log = std::fs::read(&stack.edge_log)?;
    for token in &tokens {
        assert!(
            !contains(&log, token),
            "a Salesforce token in the wrangler log"
        );
        for answer in &answers {
            assert!(
                !answer.contains(token.as_str()),
                "a token in an answer: {answer}"
            );
        }
    }
    Ok(())
}
