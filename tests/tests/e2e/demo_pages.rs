//! The demo helpdesk in a real browser, against the real edge: for every demo agent (one
//! per profile), the ticket, contact and account pages run the extension's widget page in
//! their right panel through the SDK stand-in; the session the edge gives it names that
//! agent, that profile and the record in view, and the widget accepts it.

use crate::now_secs;
use anyhow::{Context, bail, ensure};
use contract::context::{self, ContextClaims};
use e2e::{Browser, Stack, StackOptions, repo_root};
use fantoccini::{Client as WebDriver, Locator};
use sandbox::demo;
use std::time::Duration;

const PATIENCE: Duration = Duration::from_secs(15);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_demo_agent_gets_the_widget_on_ticket_contact_and_account_pages() -> anyhow::Result<()>
{
    let stack = Stack::start(StackOptions::test("demo-pages")).await?;
    let browser = Browser::start().await?;
    let result = visit_every_page(&stack, &browser).await;
    browser.close().await?;
    result
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_extension_installed_the_widget_says_so() -> anyhow::Result<()> {
    let stack = Stack::start(StackOptions::test("demo-pages-uninstalled")).await?;
    // The org's admin removes the extension: Zoho calls the edge's onUninstall.
    let installed = stack
        .install_extension(demo::HELPDESK_ORG_ID, e2e::DEV_EXTENSION_SECRET)
        .await?;
    stack
        .sandbox
        .helpdesk()
        .uninstall_extension(&installed.installation_id)
        .await
        .map_err(anyhow::Error::msg)?;
    let browser = Browser::start().await?;
    let result = async {
        let page = &browser.client;
        page.goto(&stack.sandbox.demo_ticket_url()).await?;
        page.find(Locator::Id(sandbox::demo_pages::WIDGET_IFRAME_ID))
            .await?
            .enter_frame()
            .await?;
        let refusal = page
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css("[data-error-code=forbidden]"))
            .await
            .context("the widget shows the refusal")?
            .text()
            .await?;
        ensure!(refusal.contains("not installed"), "{refusal}");
        let hash = page.execute("return location.hash", vec![]).await?;
        ensure!(hash == "", "no session, no token: {hash}");
        Ok(())
    }
    .await;
    browser.close().await?;
    result
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_installation_works_once_an_administrator_opens_sfdesk() -> anyhow::Result<()> {
    let stack = Stack::start(StackOptions::test("demo-pages-fresh-install")).await?;
    // Installed anew: Zoho holds no installation secret for it yet.
    stack
        .install_extension(demo::HELPDESK_ORG_ID, e2e::DEV_EXTENSION_SECRET)
        .await?;
    let browser = Browser::start().await?;
    let result = async {
        let page = &browser.client;
        let ticket = stack.sandbox.demo_ticket_url();
        let as_profile = |profile: &str| {
            stack
                .sandbox
                .demo_page_as(&ticket, profile)
                .with_context(|| format!("a demo agent with profile {profile}"))
        };
        let host = stack.sandbox.widget_host_url();

        // An agent first: told that an administrator finishes the installation.
        page.goto(&as_profile("Agent")?).await?;
        page.find(Locator::Id(sandbox::demo_pages::WIDGET_IFRAME_ID))
            .await?
            .enter_frame()
            .await?;
        let refusal = page
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css("[data-error-code=forbidden]"))
            .await
            .context("the widget shows the refusal")?
            .text()
            .await?;
        ensure!(refusal.contains("an administrator"), "{refusal}");
        let hash = page.execute("return location.hash", vec![]).await?;
        ensure!(hash == "", "no session, no token: {hash}");
        page.enter_parent_frame().await?;

        // The administrator's view sets the secret through the SDK and runs.
        page.goto(&as_profile("Administrator")?).await?;
        let claims = widget_claims(page, &host).await?;
        ensure!(claims.role == context::Role::Admin, "{claims:?}");

        // From then on every agent gets a session, with nothing typed anywhere.
        page.goto(&as_profile("Agent")?).await?;
        let claims = widget_claims(page, &host).await?;
        ensure!(
            Some(claims.agent.as_str()) == stack.sandbox.demo_agent_id("Agent").as_deref(),
            "{claims:?}"
        );
        widget_accepted_the_token(page).await
    }
    .await;
    browser.close().await?;
    result
}

/// What a page's token must say beyond the agent.
struct Expect {
    page: &'static str,
    url: String,
    ticket: Option<String>,
    requester: Option<String>,
    account: Option<String>,
}

async fn visit_every_page(stack: &Stack, browser: &Browser) -> anyhow::Result<()> {
    let sandbox = &stack.sandbox;
    let (email, account) = {
        let desk = sandbox.helpdesk().desk();
        let ticket = &desk.tickets[sandbox.demo_ticket_id()];
        let account = desk
            .account_name(ticket.account_id.as_deref())
            .context("the demo requester has an account")?
            .to_owned();
        (ticket.email.clone(), account)
    };
    let pages = [
        Expect {
            page: "ticket",
            url: sandbox.demo_ticket_url(),
            ticket: Some(sandbox.demo_ticket_id().to_owned()),
            requester: Some(email.clone()),
            account: Some(account.clone()),
        },
        Expect {
            page: "contact",
            url: sandbox.demo_contact_url(),
            ticket: None,
            requester: Some(email.clone()),
            account: Some(account.clone()),
        },
        Expect {
            page: "account",
            url: sandbox.demo_account_url(),
            ticket: None,
            requester: None,
            account: Some(account.clone()),
        },
    ];
    let page = &browser.client;

    // The picker offers one agent per profile.
    page.goto(&format!("{}/agents", sandbox.demo_url)).await?;
    let cards = page.find_all(Locator::Css(".agent-card")).await?;
    ensure!(
        cards.len() == demo::PROFILES.len(),
        "{} agent cards for {} profiles",
        cards.len(),
        demo::PROFILES.len()
    );

    for profile in demo::PROFILES {
        let agent = sandbox
            .demo_agent_id(profile)
            .with_context(|| format!("a demo agent has the {profile} profile"))?;
        for expect in &pages {
            let url = sandbox
                .demo_page_as(&expect.url, profile)
                .context("a page as an agent")?;
            let case = format!("{} page as {profile}", expect.page);
            page.goto(&url).await?;
            let claims = widget_claims(page, &stack.sandbox.widget_host_url())
                .await
                .with_context(|| case.clone())?;
            ensure!(claims.agent == agent, "{case}: agent {}", claims.agent);
            ensure!(
                claims.profile_name == profile,
                "{case}: profile {}",
                claims.profile_name
            );
            ensure!(claims.org == demo::HELPDESK_ORG_ID, "{case}: org");
            ensure!(
                claims.ticket == expect.ticket,
                "{case}: ticket {:?}",
                claims.ticket
            );
            ensure!(
                claims.requester.as_ref().map(|e| e.as_str().to_owned()) == expect.requester,
                "{case}: requester {:?}",
                claims.requester
            );
            ensure!(
                claims.account == expect.account,
                "{case}: account {:?}",
                claims.account
            );
            widget_accepted_the_token(page)
                .await
                .with_context(|| case.clone())?;
            if profile == demo::PROFILES[0] {
                browser
                    .screenshot(
                        &repo_root().join(format!("target/artifacts/demo-{}.png", expect.page)),
                    )
                    .await?;
            }
        }
    }
    Ok(())
}

/// The session the widget in the page's iframe got from the edge, verified with the
/// edge's secret. The iframe is the extension's page with no token in its URL: the widget
/// asked for its session through the SDK stand-in and keeps it in its own fragment.
async fn widget_claims(page: &WebDriver, widget_host: &str) -> anyhow::Result<ContextClaims> {
    let token = widget_session_token(page, widget_host).await?;
    Ok(context::verify(
        &token,
        demo::DEV_CONTEXT_SECRET.as_bytes(),
        now_secs(),
    )?)
}

/// The session token of the widget in the page's iframe (from the page's top), once it
/// has one; checks that the page framed the extension's page, as the helpdesk hosts it at
/// `widget_host`, without any token.
pub(crate) async fn widget_session_token(
    page: &WebDriver,
    widget_host: &str,
) -> anyhow::Result<String> {
    let frame = page
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Id(sandbox::demo_pages::WIDGET_IFRAME_ID))
        .await
        .context("waiting for the widget's iframe")?;
    let src = frame.attr("src").await?.context("the iframe has a src")?;
    ensure!(
        src.starts_with(&format!(
            "{widget_host}{}",
            sandbox::demo_pages::EXTENSION_PAGE_PATH
        )),
        "the helpdesk hosts the extension's page: {src}"
    );
    ensure!(!src.contains("ctx="), "the page holds no token: {src}");
    frame.enter_frame().await?;
    let token = session_in_fragment(page).await;
    page.enter_parent_frame().await?;
    token
}

async fn session_in_fragment(page: &WebDriver) -> anyhow::Result<String> {
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        let hash = page.execute("return location.hash", vec![]).await?;
        let token = hash.as_str().and_then(|hash| {
            hash.trim_start_matches('#')
                .split('&')
                .find_map(|pair| pair.strip_prefix("ctx="))
        });
        if let Some(token) = token.filter(|t| !t.is_empty()) {
            return Ok(token.to_owned());
        }
        if std::time::Instant::now() > deadline {
            let shown = page
                .execute("return document.body.innerText", vec![])
                .await?;
            bail!("the widget got no session through the SDK; it shows {shown}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Inside the frame the widget rendered a state or a contact, not "reload the page".
async fn widget_accepted_the_token(page: &WebDriver) -> anyhow::Result<()> {
    let frame = page
        .find(Locator::Id(sandbox::demo_pages::WIDGET_IFRAME_ID))
        .await?;
    frame.enter_frame().await?;
    let rendered = page
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css(
            "[data-testid=panel-state], [data-testid=contact-card]",
        ))
        .await
        .context("waiting for the widget to render");
    let refused = match &rendered {
        Ok(_) => page
            .find_all(Locator::Css("[data-error-code=unauthorized]"))
            .await
            .map(|found| !found.is_empty()),
        Err(_) => Ok(false),
    };
    page.enter_parent_frame().await?;
    rendered?;
    if refused? {
        bail!("the widget refused the page's context token");
    }
    Ok(())
}
