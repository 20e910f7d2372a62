//! The walking skeleton, end to end: a ticket in the demo helpdesk shows its requester's
//! Salesforce contact, fetched through the edge at request time.

use anyhow::Context;
use e2e::{Browser, ReqwestTransport, Stack, StackOptions, repo_root};
use fantoccini::{Client as WebDriver, Locator};
use serde_json::{Value, json};
use shared::api::Panel;
use shared::context::{self, ContextClaims};
use shared::salesforce::{Client, ContactRecord, QueryResponse, contact_by_email};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ticket_shows_its_requesters_salesforce_contact() -> anyhow::Result<()> {
    let stack = Stack::start(StackOptions::test("agent-panel")).await?;

    api_refuses_calls_without_a_valid_context(&stack).await?;

    assert_eq!(
        stack.panel("Administrator", true).await?,
        Panel::NotConnected { can_connect: true }
    );
    assert_eq!(
        stack.panel("Agent", true).await?,
        Panel::NotConnected { can_connect: false }
    );
    stack
        .connect_salesforce()
        .await
        .context("connecting through OAuth")?;
    profiles_see_only_what_they_may(&stack).await?;

    let browser = Browser::start().await?;
    let result = widget_shows_live_salesforce_data(&stack, &browser).await;
    browser.close().await?;
    result
}

async fn widget_shows_live_salesforce_data(stack: &Stack, browser: &Browser) -> anyhow::Result<()> {
    let page = &browser.client;
    page.goto(&stack.sandbox.demo_ticket_url()).await?;
    let frame = widget_frame(page).await?;
    let src = frame
        .attr("src")
        .await?
        .context("the widget iframe has a src")?;
    assert!(
        src.starts_with(&stack.edge_url),
        "the widget is served by the edge: {src}"
    );
    let token = src
        .split_once("#ctx=")
        .context("the context token travels in the fragment")?
        .1;
    let claims: ContextClaims =
        context::verify(token, sandbox::demo::DEV_CONTEXT_SECRET.as_bytes(), now())?;
    let email = claims
        .requester
        .context("a ticket's context names its requester")?;

    // What Salesforce holds for that requester, read through the org's own REST API.
    let session = stack.salesforce_admin().await?;
    let transport = ReqwestTransport::default();
    let salesforce = Client::new(&transport, &session);
    let lookup = || async {
        let page: QueryResponse<ContactRecord> =
            salesforce.query(&contact_by_email(&email)).await?;
        page.records
            .into_iter()
            .next()
            .context("the demo requester has a Salesforce contact")
    };
    let contact = lookup().await?;
    let account = contact
        .account
        .as_ref()
        .and_then(|a| a.name.clone())
        .context("the demo contact has an account")?;

    frame.enter_frame().await?;
    assert_eq!(text_of(page, "contact-name").await?, contact.name);
    assert_eq!(text_of(page, "account-name").await?, account);
    let link = page
        .find(Locator::Css("[data-testid=view-in-salesforce]"))
        .await?;
    assert_eq!(
        link.attr("href").await?,
        Some(format!("{}/{}", session.instance_url, contact.id))
    );
    browser
        .screenshot(&repo_root().join("target/artifacts/agent-panel.png"))
        .await?;

    // Change the contact in Salesforce; a reload shows the change: nothing is stale.
    let renamed = format!(
        "{}-Sommerville",
        contact.name.rsplit(' ').next().unwrap_or("Renamed")
    );
    salesforce
        .update("Contact", &contact.id, &json!({ "LastName": renamed }))
        .await?;
    let changed = lookup().await?;
    assert_ne!(
        changed.name, contact.name,
        "Salesforce recomputes Name from LastName"
    );
    page.enter_parent_frame().await?;
    page.refresh().await?;
    widget_frame(page).await?.enter_frame().await?;
    assert_eq!(text_of(page, "contact-name").await?, changed.name);
    Ok(())
}

const PATIENCE: Duration = Duration::from_secs(15);

async fn widget_frame(page: &WebDriver) -> anyhow::Result<fantoccini::elements::Element> {
    page.wait()
        .at_most(PATIENCE)
        .for_element(Locator::Id("sfdesk-widget"))
        .await
        .context("waiting for the widget's iframe")
}

/// The text of `[data-testid=<id>]` once the widget has rendered it.
async fn text_of(page: &WebDriver, test_id: &str) -> anyhow::Result<String> {
    let element = page
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css(&format!("[data-testid={test_id}]")))
        .await
        .with_context(|| format!("waiting for {test_id} in the widget"))?;
    Ok(element.text().await?.trim().to_owned())
}

async fn api_refuses_calls_without_a_valid_context(stack: &Stack) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    let panel_url = format!("{}{}", stack.edge_url, shared::api::PANEL_PATH);
    let valid = stack.context_token("Agent", true);
    let mut forged_claims =
        context::verify(&valid, sandbox::demo::DEV_CONTEXT_SECRET.as_bytes(), now())?;
    let forged = context::sign(&forged_claims, b"not-the-shared-secret");
    forged_claims.exp = now() - 1;
    let expired = context::sign(&forged_claims, sandbox::demo::DEV_CONTEXT_SECRET.as_bytes());

    for (case, authorization, message) in [
        ("no token", None, "missing context token"),
        (
            "not a JWT",
            Some("Bearer nonsense".to_owned()),
            "not a well-formed",
        ),
        (
            "wrong secret",
            Some(format!("Bearer {forged}")),
            "signature",
        ),
        ("expired", Some(format!("Bearer {expired}")), "expired"),
    ] {
        let mut request = http.get(&panel_url);
        if let Some(value) = authorization {
            request = request.header("Authorization", value);
        }
        let response = request.send().await?;
        assert_eq!(response.status(), 401, "{case}");
        assert!(
            response.headers()["content-type"]
                .to_str()?
                .starts_with("application/json"),
            "{case}"
        );
        let body: Value = response.json().await?;
        assert_eq!(body["error"]["code"], "unauthorized", "{case}");
        let text = body["error"]["message"].as_str().unwrap_or_default();
        assert!(text.contains(message), "{case}: {text}");
    }

    let start = format!("{}/oauth/salesforce/start?ctx={valid}", stack.edge_url);
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?
        .get(start)
        .send()
        .await?;
    assert_eq!(response.status(), 403, "an agent cannot connect Salesforce");
    Ok(())
}

/// Permissions are enforced in the edge: a light agent calling the API directly receives
/// no opportunity data at all, while an agent sees every section.
async fn profiles_see_only_what_they_may(stack: &Stack) -> anyhow::Result<()> {
    let Panel::View { view: agent } = stack.panel("Agent", true).await? else {
        anyhow::bail!("an agent sees the record")
    };
    assert!(
        agent.opportunities.as_ref().is_some_and(|o| !o.is_empty()),
        "the demo requester has opportunities"
    );
    assert!(
        agent.record.is_some()
            && agent.notes.is_some()
            && agent.events.is_some()
            && agent.tasks.is_some()
    );

    let raw = reqwest::Client::new()
        .get(format!("{}{}", stack.edge_url, shared::api::PANEL_PATH))
        .bearer_auth(stack.context_token("Light Agent", true))
        .send()
        .await?
        .text()
        .await?;
    let light: Panel = serde_json::from_str(&raw)?;
    let Panel::View { view: light } = light else {
        anyhow::bail!("a light agent sees the record: {raw}")
    };
    assert_eq!(light.opportunities, None);
    for opportunity in agent.opportunities.unwrap_or_default() {
        assert!(
            !raw.contains(&opportunity.name),
            "{} leaked to a light agent",
            opportunity.name
        );
    }
    assert!(light.record.is_some() && light.notes.is_some());
    Ok(())
}
