//! Leads, cases and the panel's actions end to end: the demo contact's cases in the panel
//! (still one Salesforce call cold), a lead for a requester Salesforce knows only as one;
//! each action taken in Chromium through the demo helpdesk by an agent allowed to, and
//! refused to a light agent, in the browser (no button) and by a direct API call (403),
//! and refused mid-session to an agent whose profile lost the right (the reason shown).
//! Screenshots of each new state in `target/artifacts/`: `panel-actions-idle`,
//! `panel-action-busy`, `panel-ticket-logged`, `panel-action-refused`,
//! `panel-case-opened`, `panel-cases`, `panel-lead`, `panel-contact-created`,
//! `panel-light-agent-no-actions`.

use crate::now_secs;
use anyhow::{Context, bail, ensure};
use contract::admin::{PERMISSIONS_PATH, ProfilePermissions};
use contract::api::{Action, ActionDone, ActionOn, PANEL_PATH, Panel};
use contract::context;
use contract::ids::{Email, SfId};
use contract::permissions::{Access, Items};
use e2e::{Browser, ReqwestTransport, Stack, StackOptions, repo_root};
use fantoccini::{Client as WebDriver, Locator};
use reqwest::Method;
use serde::Deserialize;
use serde_json::json;
use shared::salesforce::{Client, QueryResponse};
use std::time::Duration;

const PATIENCE: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agents_see_leads_and_cases_and_act_on_salesforce_from_the_ticket() -> anyhow::Result<()> {
    let stack = Stack::start(StackOptions::test("panel-actions")).await?;
    stack
        .connect_salesforce()
        .await
        .context("connecting through OAuth")?;
    cases_are_in_the_one_call_and_actions_follow_the_profile(&stack).await?;
    a_light_agent_is_refused_every_action_by_the_api(&stack).await?;
    a_lead_is_created_for_an_unknown_requester(&stack).await?;

    let browser = Browser::start().await?;
    let result = async {
        an_agent_logs_the_ticket_and_opens_one_case(&stack, &browser).await?;
        a_light_agent_gets_no_action_buttons(&stack, &browser).await?;
        an_agent_turns_a_lead_into_a_contact(&stack, &browser).await
    }
    .await;
    browser.close().await?;
    result
}

/// `POST` an action as a context token: the status and the body.
async fn act(
    stack: &Stack,
    token: &str,
    action: Action,
    record: Option<&SfId>,
) -> anyhow::Result<(u16, String)> {
    let request = reqwest::Client::new()
        .post(format!("{}{}", stack.edge_url, action.path()))
        .bearer_auth(token);
    let request = match record {
        Some(record) => request.json(&ActionOn {
            record: record.clone(),
        }),
        None => request,
    };
    let response = request.send().await?;
    Ok((response.status().as_u16(), response.text().await?))
}

async fn panel_as(stack: &Stack, token: &str) -> anyhow::Result<Panel> {
    let response = reqwest::Client::new()
        .get(format!("{}{PANEL_PATH}?fresh=true", stack.edge_url))
        .bearer_auth(token)
        .send()
        .await?;
    let (status, body) = (response.status().as_u16(), response.text().await?);
    ensure!(status == 200, "the panel answered {status}: {body}");
    Ok(serde_json::from_str(&body)?)
}

/// A context token of `profile`'s demo agent about the ticket `ticket`, whose requester
/// is `requester`.
fn token_about(
    stack: &Stack,
    profile: &str,
    ticket: &str,
    requester: &str,
) -> anyhow::Result<String> {
    let secret = sandbox::demo::DEV_CONTEXT_SECRET.as_bytes();
    let mut claims = context::verify(&stack.context_token(profile, true), secret, now_secs())?;
    claims.ticket = Some(ticket.to_owned());
    claims.requester = Some(Email::parse(requester)?);
    claims.account = None;
    Ok(context::sign(&claims, secret))
}

/// The ticket whose requester Salesforce has as a lead only.
fn no_match_ticket(stack: &Stack) -> String {
    let url = stack.sandbox.no_match_ticket_url();
    url.rsplit('/').next().unwrap_or_default().to_owned()
}

/// A case of the demo contact's closed just now; the seeded closed one closed months ago.
const CLOSED_LATELY: &str = "Export settings lost after the update";
const CLOSED_LONG_AGO: &str = "Invoice PDF shows the old logo";

async fn cases_are_in_the_one_call_and_actions_follow_the_profile(
    stack: &Stack,
) -> anyhow::Result<()> {
    // Closed before the panel first reads the contact (it keeps what it read).
    let session = stack.salesforce_admin().await?;
    let transport = ReqwestTransport::default();
    let maya: QueryResponse<IdRow> = Client::new(&transport, &session)
        .query("SELECT Id FROM Contact WHERE Email = 'maya.patel@northwind.example'")
        .await?;
    let maya = maya.records.first().context("the demo contact")?;
    let case = json!({"ContactId": maya.id.as_str(), "Subject": CLOSED_LATELY,
                      "Status": "Closed", "Priority": "Medium", "Origin": "Email"});
    let case = case.as_object().context("a case is an object")?;
    stack
        .sandbox
        .salesforce()
        .user_create("Case", case)
        .map_err(|e| anyhow::anyhow!("closing a case: {e:?}"))?;
    stack.sandbox.salesforce().reset_counters();
    let Panel::View { view } = stack.panel("Agent", true).await? else {
        bail!("an agent sees the demo contact")
    };
    assert_eq!(
        stack.salesforce_calls(),
        1,
        "cases come in the same one call: {:?}",
        stack.sandbox.salesforce().counters().endpoints
    );
    // The open ones, and those closed in the last 30 days: not the one closed in March.
    let cases = view.cases.context("the demo org has cases")?;
    let subjects: Vec<&str> = cases.iter().filter_map(|c| c.subject.as_deref()).collect();
    assert_eq!(
        subjects,
        ["Invoice export times out", CLOSED_LATELY],
        "open first"
    );
    assert!(!subjects.contains(&CLOSED_LONG_AGO));
    assert!(!cases[0].is_closed && cases[1].is_closed, "open first");
    assert!(cases[1].closed.is_some(), "a closed case says when");
    assert_eq!(view.actions, Action::ON_RECORD);
    let Panel::View { view: light } = stack.panel("Light Agent", true).await? else {
        bail!("a light agent sees the demo contact")
    };
    assert!(light.actions.is_empty(), "light agents act on nothing");
    assert!(light.cases.is_some(), "but see cases");

    // Noah Fischer is a Salesforce lead, not a contact.
    let noah = token_about(
        stack,
        "Agent",
        &no_match_ticket(stack),
        "noah@fischerdesign.example",
    )?;
    let Panel::NoMatch { lead, actions, .. } = panel_as(stack, &noah).await? else {
        bail!("no contact has Noah's email")
    };
    let lead = lead.context("Noah's lead is shown")?;
    assert_eq!(lead.name, "Noah Fischer");
    assert_eq!(lead.company.as_deref(), Some("Fischer Design"));
    assert_eq!(lead.status.as_deref(), Some("Working - Contacted"));
    assert_eq!(actions, [Action::CreateContact], "no second lead");
    Ok(())
}

async fn a_light_agent_is_refused_every_action_by_the_api(stack: &Stack) -> anyhow::Result<()> {
    let Panel::View { view } = stack.panel("Light Agent", true).await? else {
        bail!("a light agent sees the demo contact")
    };
    let token = stack.context_token("Light Agent", true);
    for action in Action::ALL {
        let record = Action::ON_RECORD.contains(&action).then_some(&view.id);
        let (status, body) = act(stack, &token, action, record).await?;
        assert_eq!(status, 403, "{action:?}: {body}");
        assert!(body.contains("may not"), "{body}");
    }
    // An agent may act only on what the ticket's panel offered.
    let stranger = SfId::parse("003000000000999")?;
    let (status, body) = act(
        stack,
        &stack.context_token("Agent", true),
        Action::LogTicket,
        Some(&stranger),
    )
    .await?;
    assert_eq!(status, 403, "{body}");
    Ok(())
}

async fn a_lead_is_created_for_an_unknown_requester(stack: &Stack) -> anyhow::Result<()> {
    let ticket = stack.sandbox.demo_ticket_id().to_owned();
    let token = token_about(stack, "Agent", &ticket, "new.buyer@northwind.example")?;
    let Panel::NoMatch { lead, actions, .. } = panel_as(stack, &token).await? else {
        bail!("nobody has this email yet")
    };
    ensure!(lead.is_none(), "{lead:?}");
    assert_eq!(actions, Action::ON_UNKNOWN);
    let (status, body) = act(stack, &token, Action::CreateLead, None).await?;
    ensure!(status == 200, "create lead answered {status}: {body}");
    let made: ActionDone = serde_json::from_str(&body)?;
    assert_eq!(made.id.key_prefix(), "00Q");
    // A second click gets the same lead.
    let (_, again) = act(stack, &token, Action::CreateLead, None).await?;
    let again: ActionDone = serde_json::from_str(&again)?;
    assert!(again.earlier && again.id == made.id, "{again:?}");
    let Panel::NoMatch { lead, actions, .. } = panel_as(stack, &token).await? else {
        bail!("still no contact")
    };
    assert_eq!(lead.context("the new lead shows")?.id, made.id);
    assert_eq!(actions, [Action::CreateContact]);
    Ok(())
}

async fn widget_frame(page: &WebDriver) -> anyhow::Result<()> {
    page.wait()
        .at_most(PATIENCE)
        .for_element(Locator::Id("sfdesk-widget"))
        .await
        .context("waiting for the widget's iframe")?
        .enter_frame()
        .await?;
    Ok(())
}

async fn wait_for(page: &WebDriver, css: &str) -> anyhow::Result<fantoccini::elements::Element> {
    page.wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css(css))
        .await
        .with_context(|| format!("waiting for {css} in the widget"))
}

/// Waits until `css` holds `needle` (the panel reads Salesforce again after an action).
async fn wait_for_text(page: &WebDriver, css: &str, needle: &str) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    loop {
        let text = match page.find(Locator::Css(css)).await {
            Ok(element) => element.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if text.contains(needle) {
            return Ok(());
        }
        ensure!(
            started.elapsed() < PATIENCE,
            "{css} never showed {needle:?}: {text}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn shot(browser: &Browser, name: &str) -> anyhow::Result<()> {
    browser
        .screenshot(&repo_root().join(format!("target/artifacts/{name}.png")))
        .await
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Row {
    id: SfId,
    subject: Option<String>,
}

async fn an_agent_logs_the_ticket_and_opens_one_case(
    stack: &Stack,
    browser: &Browser,
) -> anyhow::Result<()> {
    let page = &browser.client;
    page.set_window_size(1280, 1600).await?;
    let url = stack
        .sandbox
        .demo_ticket_url_as("Agent")
        .context("a demo agent")?;
    page.goto(&url).await?;
    widget_frame(page).await?;
    wait_for(page, "[data-testid=section-cases] [data-testid=case]").await?;
    shot(browser, "panel-actions-idle").await?;
    // The recently closed case, unfolded.
    wait_for(page, "[data-testid=closed-cases] summary")
        .await?
        .click()
        .await?;
    wait_for_text(page, "[data-testid=closed-cases]", CLOSED_LATELY).await?;
    scroll_to(page, "[data-testid=section-cases]").await?;
    shot(browser, "panel-cases").await?;
    scroll_to(page, "[data-testid=actions]").await?;

    let session = stack.salesforce_admin().await?;
    let transport = ReqwestTransport::default();
    let salesforce = Client::new(&transport, &session);
    let cases = || async {
        let page: QueryResponse<Row> = salesforce
            .query(
                "SELECT Id, Subject FROM Case WHERE Contact.Email = 'maya.patel@northwind.example'",
            )
            .await?;
        anyhow::Ok(page.records)
    };
    let before = cases().await?.len();

    // Log this ticket: busy while Salesforce is held, then a completed task, in the tasks
    // section at once, with the way back to the ticket.
    let org = stack.sandbox.salesforce();
    org.hold(vec!["POST /sobjects".into()]);
    let clicked = async {
        wait_for(page, "[data-testid=action][data-action=log_ticket]")
            .await?
            .click()
            .await?;
        wait_for(page, "[data-action=log_ticket][aria-busy=true]").await?;
        wait_for_text(page, "[data-action=log_ticket]", "Logging ticket").await?;
        shot(browser, "panel-action-busy").await
    }
    .await;
    org.hold(Vec::new());
    clicked?;
    wait_for_text(page, "[data-testid=section-tasks]", "Ticket #").await?;
    wait_for_text(page, "[data-testid=action-done]", "Ticket logged").await?;
    wait_for(page, "[data-testid=action][data-action=log_ticket].done").await?;
    shot(browser, "panel-ticket-logged").await?;
    let ticket = stack.sandbox.demo_ticket_id();
    // Zoho Desk's `webUrl` of the ticket, as the sandbox helpdesk answers it.
    let web_url = format!(
        "{}/support/sandboxdesk/ShowHomePage.do#Cases/dv/{ticket}",
        stack.sandbox.demo_url
    );
    let tasks: QueryResponse<TaskRow> = salesforce
        .query("SELECT Id, Description FROM Task WHERE Subject LIKE 'Ticket #101%'")
        .await?;
    let [task] = tasks.records.as_slice() else {
        bail!("one task logs the ticket: {:?}", tasks.records)
    };
    let description = task.description.as_deref().unwrap_or_default();
    ensure!(
        description.contains(&format!("Helpdesk ticket: {web_url}")),
        "the task links back to the ticket: {description}"
    );

    // Open a case, refused while the agent's profile may not (the panel still offers it).
    let agent = set_open_case(stack, "Agent", false).await?;
    let refused = async {
        wait_for(page, "[data-testid=action][data-action=open_case]")
            .await?
            .click()
            .await?;
        wait_for_text(page, "[data-testid=action-error]", "may not open cases").await?;
        let error = wait_for(page, "[data-testid=action-error]")
            .await?
            .text()
            .await?;
        ensure!(error.starts_with("No case was opened."), "{error}");
        shot(browser, "panel-action-refused").await
    }
    .await;
    put_permissions(stack, &agent).await?;
    refused?;

    // Allowed again: its number and link, and one case however often it is asked for.
    wait_for(page, "[data-testid=action][data-action=open_case]")
        .await?
        .click()
        .await?;
    // The panel reads Salesforce again: the new case is among the contact's cases.
    wait_for_text(page, "[data-testid=section-cases]", "Ticket #").await?;
    let done = wait_for(page, "[data-testid=action-done]").await?;
    let text = done.text().await?;
    ensure!(text.contains("Case 0000"), "{text}");
    shot(browser, "panel-case-opened").await?;
    let after = cases().await?;
    assert_eq!(after.len(), before + 1, "one case opened");
    let opened = after
        .iter()
        .find(|c| {
            c.subject
                .as_deref()
                .is_some_and(|s| s.starts_with("Ticket #"))
        })
        .context("the case is titled after the ticket")?;
    ensure!(
        done.find(Locator::Css("[data-testid=view-in-salesforce]"))
            .await?
            .attr("href")
            .await?
            .is_some_and(|href| href.ends_with(opened.id.as_str())),
        "View in Salesforce opens the case"
    );
    let Panel::View { view } = stack.panel("Agent", true).await? else {
        bail!("the demo contact")
    };
    let (status, body) = act(
        stack,
        &stack.context_token("Agent", true),
        Action::OpenCase,
        Some(&view.id),
    )
    .await?;
    ensure!(status == 200, "{body}");
    let again: ActionDone = serde_json::from_str(&body)?;
    assert!(again.earlier && again.id == opened.id, "{again:?}");
    assert_eq!(cases().await?.len(), before + 1, "still one case");
    let remembered = view.ticket_case.context("the ticket remembers its case")?;
    assert_eq!(remembered.id, opened.id);

    // A reload shows the ticket's case instead of the button.
    page.enter_parent_frame().await?;
    page.goto(&url).await?;
    widget_frame(page).await?;
    wait_for(page, "[data-testid=action-done]").await?;
    ensure!(
        page.find_all(Locator::Css("[data-action=open_case] [data-testid=action]"))
            .await?
            .is_empty(),
        "no second Open a case"
    );

    // The task's link opens the ticket in the helpdesk.
    page.enter_parent_frame().await?;
    page.goto(&web_url).await?;
    let started = std::time::Instant::now();
    while !page
        .current_url()
        .await?
        .path()
        .ends_with(&format!("/tickets/{ticket}"))
    {
        ensure!(
            started.elapsed() < PATIENCE,
            "{web_url} never opened the ticket"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct IdRow {
    id: SfId,
}

#[derive(Deserialize, Debug)]
#[serde(rename_all = "PascalCase")]
struct TaskRow {
    description: Option<String>,
}

/// Scrolls the widget to `css`, just under the panel's sticky header.
async fn scroll_to(page: &WebDriver, css: &str) -> anyhow::Result<()> {
    page.execute(
        "document.querySelector(arguments[0]).scrollIntoView({block: 'start'});
         window.scrollBy(0, -56);",
        vec![json!(css)],
    )
    .await?;
    Ok(())
}

/// Lets `profile` open cases or not; its permissions before.
async fn set_open_case(
    stack: &Stack,
    profile: &str,
    allowed: bool,
) -> anyhow::Result<ProfilePermissions> {
    let all: Vec<ProfilePermissions> = stack.admin(Method::GET, PERMISSIONS_PATH, None).await?;
    let before = all
        .into_iter()
        .find(|p| p.profile_name == profile)
        .with_context(|| format!("the {profile} profile"))?;
    let mut changed = before.clone();
    changed.permissions.access = Access::Restricted {
        items: Items {
            open_case: allowed,
            ..before.permissions.access.items()
        },
    };
    put_permissions(stack, &changed).await?;
    Ok(before)
}

async fn put_permissions(stack: &Stack, permissions: &ProfilePermissions) -> anyhow::Result<()> {
    let _: ProfilePermissions = stack
        .admin(
            Method::PUT,
            PERMISSIONS_PATH,
            Some(serde_json::to_value(permissions)?),
        )
        .await?;
    Ok(())
}

async fn a_light_agent_gets_no_action_buttons(
    stack: &Stack,
    browser: &Browser,
) -> anyhow::Result<()> {
    let page = &browser.client;
    page.enter_parent_frame().await?;
    let url = stack
        .sandbox
        .demo_ticket_url_as("Light Agent")
        .context("a light agent")?;
    page.goto(&url).await?;
    widget_frame(page).await?;
    wait_for(page, "[data-testid=section-cases]").await?;
    ensure!(
        page.find_all(Locator::Css("[data-testid=action]"))
            .await?
            .is_empty(),
        "a light agent is offered no action"
    );
    shot(browser, "panel-light-agent-no-actions").await
}

async fn an_agent_turns_a_lead_into_a_contact(
    stack: &Stack,
    browser: &Browser,
) -> anyhow::Result<()> {
    let page = &browser.client;
    page.enter_parent_frame().await?;
    let agent = stack
        .sandbox
        .demo_ticket_url_as("Agent")
        .context("a demo agent")?;
    let query = agent.split_once('?').map_or("", |(_, q)| q);
    page.goto(&format!("{}?{query}", stack.sandbox.no_match_ticket_url()))
        .await?;
    widget_frame(page).await?;
    let lead = wait_for(page, "[data-testid=lead]").await?;
    ensure!(lead.text().await?.contains("Fischer Design"));
    wait_for(page, "[data-testid=action][data-action=create_contact]").await?;
    shot(browser, "panel-lead").await?;
    wait_for(page, "[data-testid=action][data-action=create_contact]")
        .await?
        .click()
        .await?;
    let name = wait_for(page, "[data-testid=contact-name]").await?;
    assert_eq!(name.text().await?.trim(), "Noah Fischer");
    wait_for_text(
        page,
        "[data-testid=action-done]",
        "Contact created in Salesforce",
    )
    .await?;
    shot(browser, "panel-contact-created").await
}
