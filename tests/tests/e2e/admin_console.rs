//! The admin console end to end, as the demo administrator in the demo helpdesk's setup
//! page: connect through the sandbox org's OAuth pages, a Text-to-Integer mapping mistake
//! refused, the initial sync watched to 100%, pause and resume, a failure retried after
//! fixing its cause, the history, a Light Agent permission changing the agent panel, and
//! deleting the integration. Screenshots of each screen land in `target/artifacts/`.

use anyhow::{Context, bail};
use contract::admin::{
    FAILURES_PATH, HISTORY_PATH, INTEGRATION_PATH, NOTIFICATIONS_PATH, PERMISSIONS_PATH,
    ProfilePermissions, RETRY_PATH, SETTINGS_PATH, STATUS_PATH, SYNC_PAUSE_PATH, SYNC_RESUME_PATH,
    SYNC_START_PATH, SettingsView, SyncState,
};
use contract::api::Panel;
use e2e::{Browser, ReqwestTransport, Stack, StackOptions, repo_root};
use fantoccini::elements::Element;
use fantoccini::{Client as WebDriver, Locator};
use reqwest::Method;
use serde_json::json;
use shared::salesforce::Client;
use std::time::{Duration, Instant};

const PATIENCE: Duration = Duration::from_secs(20);
/// The record that fails: the helpdesk's contact title holds 100 characters.
const FAILING_EMAIL: &str = "ada@engines.example";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_runs_the_integration_from_the_console() -> anyhow::Result<()> {
    let stack = Stack::start(StackOptions::test("admin-console")).await?;

    // A Salesforce contact the helpdesk cannot take as it is (a 120-character title).
    let session = stack.salesforce_admin().await?;
    let transport = ReqwestTransport::default();
    let salesforce = Client::new(&transport, &session);
    let failing = salesforce
        .create(
            "Contact",
            &json!({"LastName": "Lovelace", "Email": FAILING_EMAIL, "Title": "T".repeat(120)}),
        )
        .await?;

    let browser = Browser::start().await?;
    let outcome = drive(&stack, &browser, &salesforce, &failing).await;
    if outcome.is_err() {
        let _ = browser.screenshot(&artifact("admin-failure")).await;
    }
    browser.close().await?;
    outcome
}

async fn drive(
    stack: &Stack,
    browser: &Browser,
    salesforce: &Client<'_, ReqwestTransport>,
    failing: &contract::ids::SfId,
) -> anyhow::Result<()> {
    let page = &browser.client;
    let setup = stack
        .sandbox
        .demo_page_as(
            &format!("{}/setup", stack.sandbox.demo_url),
            "Administrator",
        )
        .context("the demo has an administrator")?;

    // Connect.
    page.goto(&setup).await?;
    enter_widget(page).await?;
    wait_attr(page, "connection", "data-state", "not_connected").await?;
    shot(browser, "admin-connect").await?;
    connect_through_the_popup(page)
        .await
        .context("connecting")?;
    enter_widget(page).await?;
    // Before the first start, the console opens on the settings.
    wait_for(page, "[data-testid=sync-settings]").await?;
    agents_get_403_from_every_admin_path(stack).await?;

    // A Text field for an Integer field is refused, inline and by the edge.
    let seats = "[data-testid=mapping-contacts] [data-field=cf_seats] select";
    choose(page, seats, "Title").await?;
    let issues = "[data-testid=mapping-contacts] [data-field=cf_seats] [data-testid=mapping-issue]";
    wait_for(page, issues).await?;
    let found = texts(page, issues).await?;
    assert!(
        found
            .iter()
            .any(|t| t.starts_with("Text value is given for an Integer field")),
        "{found:?}"
    );
    click(page, "start-sync").await?;
    let summary = text_of(page, "mapping-summary").await?;
    assert!(summary.contains("to fix before saving"), "{summary}");
    scroll_to(page, "[data-field=cf_seats]").await?;
    shot(browser, "admin-settings-refused").await?;
    edge_refuses_the_same_mistake(stack).await?;
    assert_eq!(
        stack.admin_status().await?.sync.state,
        SyncState::NotStarted,
        "nothing started"
    );

    // Put it right and start the sync; watch the bars reach 100%.
    choose(page, seats, "").await?;
    wait_gone(page, "[data-testid=mapping-issue]").await?;
    scroll_top(page).await?;
    shot(browser, "admin-settings").await?;
    click(page, "start-sync").await?;
    wait_for(page, "[data-testid=sync-progress]").await?;
    scroll_top(page).await?;
    shot(browser, "admin-progress").await?;
    wait_until(
        page,
        "every bar at 100% and the sync live",
        "const bars = [...document.querySelectorAll('[data-testid=progress-bar]')];
         const state = document.querySelector('[data-testid=sync-state]');
         return bars.length > 0 && bars.every(b => b.getAttribute('aria-valuenow') === '100')
             && state && state.dataset.state === 'live';",
        Duration::from_secs(90),
    )
    .await?;
    assert!(
        texts(page, "[data-testid=progress-detail]")
            .await?
            .iter()
            .all(|t| t == "Done")
    );
    scroll_top(page).await?;
    shot(browser, "admin-progress-done").await?;

    // Pause: the state shows it, and stays visible on every tab.
    click(page, "pause").await?;
    wait_attr(page, "sync-state", "data-state", "paused").await?;
    assert_eq!(text_of(page, "sync-title").await?, "Sync is paused");
    scroll_top(page).await?;
    shot(browser, "admin-paused").await?;

    // The failure, its cause fixed in Salesforce, then "Try again".
    click(page, "tab-failures").await?;
    let label = text_of(page, "failure-label").await?;
    assert_eq!(label, FAILING_EMAIL);
    let reason = text_of(page, "failure-reason").await?;
    assert!(!reason.is_empty());
    assert_attr(page, "sync-state", "data-state", "paused").await?;
    scroll_top(page).await?;
    shot(browser, "admin-failures").await?;
    salesforce
        .update(
            "Contact",
            failing,
            &json!({"Title": "Countess of Lovelace"}),
        )
        .await?;
    click(page, "retry-one").await?;
    let result = text_of(page, "retry-result").await?;
    assert_eq!(result, "Synced 1 record again.");
    wait_for(page, "[data-testid=failures-empty]").await?;
    let found = stack
        .sandbox
        .helpdesk()
        .desk()
        .contact_by_email(FAILING_EMAIL)
        .map(|c| c.title.clone());
    assert_eq!(found, Some(Some("Countess of Lovelace".to_owned())));

    // Resume.
    click(page, "resume").await?;
    wait_attr(page, "sync-state", "data-state", "live").await?;

    // History: the runs of the initial sync and the retry, charted per day.
    click(page, "tab-history").await?;
    wait_for(page, "[data-testid=history-chart] svg").await?;
    let rows = page
        .find_all(Locator::Css("[data-testid=history-row]"))
        .await?;
    assert!(rows.len() >= 2, "{} runs", rows.len());
    let kinds = texts(page, "[data-testid=history-row] .sub").await?;
    assert!(kinds.iter().any(|k| k == "Initial sync"), "{kinds:?}");
    assert!(kinds.iter().any(|k| k == "Retry"), "{kinds:?}");
    scroll_top(page).await?;
    shot(browser, "admin-history").await?;

    // Beside a ticket, an administrator's panel has a way into the console and back.
    page.goto(&stack.sandbox.demo_ticket_url()).await?;
    enter_widget(page).await?;
    wait_for(page, "[data-testid=record-name]").await?;
    click(page, "open-console").await?;
    wait_attr(page, "sync-state", "data-state", "live").await?;
    shot(browser, "admin-console-in-panel").await?;
    click(page, "back-to-panel").await?;
    wait_for(page, "[data-testid=record-name]").await?;

    // Permissions: a Light Agent gets opportunities, and the panel shows them.
    light_agent_sees_opportunities_once_allowed(stack, browser, &setup).await?;

    // Delete: the dialog says what goes; then the panel is "not connected".
    page.goto(&setup).await?;
    enter_widget(page).await?;
    click(page, "tab-overview").await?;
    click(page, "delete-integration").await?;
    let dialog = text_of(page, "confirm-delete").await?;
    assert!(
        dialog.contains("sync history and the failure log"),
        "{dialog}"
    );
    shot(browser, "admin-delete").await?;
    click(page, "confirm-delete-button").await?;
    wait_attr(page, "connection", "data-state", "not_connected").await?;
    assert_eq!(
        stack.panel("Agent", true).await?,
        Panel::NotConnected { can_connect: false }
    );
    page.goto(
        &stack
            .sandbox
            .demo_ticket_url_as("Agent")
            .context("an agent")?,
    )
    .await?;
    enter_widget(page).await?;
    wait_attr(page, "panel-state", "data-state", "not_connected").await?;
    shot(browser, "admin-deleted-panel").await?;
    Ok(())
}

/// "Connect Salesforce" opens the org's login in a popup; log in, allow, and the console
/// learns it from the popup's message.
async fn connect_through_the_popup(page: &WebDriver) -> anyhow::Result<()> {
    let main = page.window().await?;
    click(page, "connect").await?;
    let deadline = Instant::now() + PATIENCE;
    let popup = loop {
        if let Some(handle) = page.windows().await?.into_iter().find(|w| *w != main) {
            break handle;
        }
        if Instant::now() > deadline {
            bail!("no popup opened");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    page.switch_to_window(popup).await?;
    wait_for(page, "#username")
        .await?
        .send_keys(sandbox::demo::ADMIN_USERNAME)
        .await?;
    page.find(Locator::Css("#password"))
        .await?
        .send_keys(sandbox::demo::ADMIN_PASSWORD)
        .await?;
    page.find(Locator::Css("button[value=allow]"))
        .await?
        .click()
        .await?;
    let result = wait_for(page, "[data-testid=oauth-result]").await?;
    assert_eq!(result.text().await?, "Salesforce connected");
    page.close_window().await?;
    page.switch_to_window(main).await?;
    enter_widget(page).await?;
    wait_attr(page, "sync-state", "data-state", "not_started").await?;
    Ok(())
}

async fn edge_refuses_the_same_mistake(stack: &Stack) -> anyhow::Result<()> {
    let view: SettingsView = stack.admin(Method::GET, SETTINGS_PATH, None).await?;
    let mut contacts = view.contacts.clone();
    contacts.push(contract::mapping::FieldPair::new("cf_seats", "Title"));
    let body =
        json!({"sync_type": view.sync_type, "contacts": contacts, "accounts": view.accounts});
    let refused = stack
        .admin::<serde_json::Value>(Method::PUT, SETTINGS_PATH, Some(body))
        .await
        .expect_err("the edge refuses a Text-to-Integer mapping");
    assert!(
        refused
            .to_string()
            .contains("Text value is given for an Integer field"),
        "{refused}"
    );
    Ok(())
}

/// Every admin path answers 403 to an agent's and a light agent's context token.
async fn agents_get_403_from_every_admin_path(stack: &Stack) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    let mut paths = vec![
        (Method::GET, STATUS_PATH),
        (Method::GET, SETTINGS_PATH),
        (Method::PUT, SETTINGS_PATH),
        (Method::POST, SYNC_START_PATH),
        (Method::POST, SYNC_PAUSE_PATH),
        (Method::POST, SYNC_RESUME_PATH),
        (Method::GET, HISTORY_PATH),
        (Method::GET, FAILURES_PATH),
        (Method::POST, RETRY_PATH),
        (Method::DELETE, INTEGRATION_PATH),
    ];
    if permissions_endpoint(stack).await? {
        paths.push((Method::GET, PERMISSIONS_PATH));
        paths.push((Method::PUT, PERMISSIONS_PATH));
    }
    for profile in ["Agent", "Light Agent"] {
        let token = stack.context_token(profile, true);
        for (method, path) in &paths {
            let response = http
                .request(method.clone(), format!("{}{path}", stack.edge_url))
                .bearer_auth(&token)
                .json(&json!({}))
                .send()
                .await?;
            assert_eq!(response.status(), 403, "{profile}: {method} {path}");
        }
    }
    Ok(())
}

/// Whether the edge has the permissions endpoints yet (they are built on another branch).
async fn permissions_endpoint(stack: &Stack) -> anyhow::Result<bool> {
    let response = reqwest::Client::new()
        .get(format!("{}{PERMISSIONS_PATH}", stack.edge_url))
        .bearer_auth(stack.context_token("Administrator", false))
        .send()
        .await?;
    Ok(response.status() != 404)
}

async fn light_agent_sees_opportunities_once_allowed(
    stack: &Stack,
    browser: &Browser,
    setup: &str,
) -> anyhow::Result<()> {
    if !permissions_endpoint(stack).await? {
        eprintln!(
            "NOT RUN: the permissions part (the edge has no {PERMISSIONS_PATH} on this branch yet)"
        );
        return Ok(());
    }
    let page = &browser.client;
    let light_ticket = stack
        .sandbox
        .demo_ticket_url_as("Light Agent")
        .context("a light agent")?;
    page.goto(&light_ticket).await?;
    enter_widget(page).await?;
    wait_for(page, "[data-testid=section-notes]").await?;
    assert!(
        page.find_all(Locator::Css("[data-testid=section-opportunities]"))
            .await?
            .is_empty(),
        "light agents do not see opportunities by default"
    );

    page.goto(setup).await?;
    enter_widget(page).await?;
    click(page, "tab-permissions").await?;
    let row = "[data-testid=profile-row][data-profile='Light Agent']";
    wait_for(
        page,
        &format!("{row} [data-testid=perm-item-opportunities]"),
    )
    .await?
    .click()
    .await?;
    wait_until(
        page,
        "the Light Agent row saved",
        &format!(
            "const s = document.querySelector(\"{row} [data-testid=save-state]\");
             return !!s && s.textContent.trim() === 'Saved';"
        ),
        PATIENCE,
    )
    .await?;
    shot(browser, "admin-permissions").await?;
    let saved: Vec<ProfilePermissions> = stack.admin(Method::GET, PERMISSIONS_PATH, None).await?;
    let light = saved
        .iter()
        .find(|p| p.profile_name == "Light Agent")
        .context("the Light Agent profile")?;
    assert!(light.permissions.access.items().opportunities);

    let Panel::View { view } = stack.panel("Light Agent", true).await? else {
        bail!("a light agent sees the record");
    };
    assert!(view.opportunities.is_some_and(|o| !o.is_empty()));
    page.goto(&light_ticket).await?;
    enter_widget(page).await?;
    wait_for(page, "[data-testid=section-opportunities]").await?;
    shot(browser, "admin-permissions-panel").await?;
    Ok(())
}

// -----------------------------------------------------------------------------------------
// Driving the widget

pub(crate) fn artifact(name: &str) -> std::path::PathBuf {
    repo_root().join(format!("target/artifacts/{name}.png"))
}

/// A PNG of the widget as it is now (its iframe, from the top of its page), into
/// `target/artifacts/`; the widget stays entered.
pub(crate) async fn shot(browser: &Browser, name: &str) -> anyhow::Result<()> {
    let page = &browser.client;
    // Let transitions (bars, focus rings) settle.
    tokio::time::sleep(Duration::from_millis(400)).await;
    page.enter_parent_frame().await?;
    page.execute("window.scrollTo(0, 0);", vec![]).await?;
    let frame = page
        .find(Locator::Id(sandbox::demo_pages::WIDGET_IFRAME_ID))
        .await?;
    let png = frame.screenshot().await?;
    let path = artifact(name);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, png)?;
    frame.enter_frame().await?;
    Ok(())
}

/// Scrolls the widget so that `css` is in the middle of it.
pub(crate) async fn scroll_to(page: &WebDriver, css: &str) -> anyhow::Result<()> {
    let script = format!(
        "const e = document.querySelector({css:?}); if (e) e.scrollIntoView({{block: 'center'}}); return true;"
    );
    page.execute(&script, vec![]).await?;
    Ok(())
}

/// Scrolls the widget back to its top.
async fn scroll_top(page: &WebDriver) -> anyhow::Result<()> {
    page.execute("window.scrollTo(0, 0); return true;", vec![])
        .await?;
    Ok(())
}

/// Enters the widget's iframe (from the page's top).
pub(crate) async fn enter_widget(page: &WebDriver) -> anyhow::Result<()> {
    page.enter_parent_frame().await.ok();
    page.wait()
        .at_most(PATIENCE)
        .for_element(Locator::Id(sandbox::demo_pages::WIDGET_IFRAME_ID))
        .await
        .context("waiting for the widget's iframe")?
        .enter_frame()
        .await?;
    Ok(())
}

pub(crate) async fn wait_for(page: &WebDriver, css: &str) -> anyhow::Result<Element> {
    page.wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css(css))
        .await
        .with_context(|| format!("waiting for {css}"))
}

async fn wait_gone(page: &WebDriver, css: &str) -> anyhow::Result<()> {
    let script = format!("return !document.querySelector({css:?});");
    wait_until(page, &format!("{css} to go"), &script, PATIENCE).await
}

pub(crate) async fn wait_until(
    page: &WebDriver,
    what: &str,
    script: &str,
    patience: Duration,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + patience;
    loop {
        if page.execute(script, vec![]).await?.as_bool() == Some(true) {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("timed out waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// Does `act` on the element at `css`, found again if the console re-rendered it between
/// finding and acting (a status poll redraws the screen: a stale element).
async fn on_fresh<F>(page: &WebDriver, css: &str, what: &str, act: F) -> anyhow::Result<()>
where
    F: AsyncFn(Element) -> Result<(), fantoccini::error::CmdError>,
{
    let deadline = Instant::now() + PATIENCE;
    loop {
        match act(wait_for(page, css).await?).await {
            Ok(()) => return Ok(()),
            Err(error)
                if error.to_string().contains("stale element") && Instant::now() < deadline =>
            {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(error) => return Err(error).context(what.to_owned()),
        }
    }
}

/// Chooses `value` in the `<select>` at `css`.
pub(crate) async fn choose(page: &WebDriver, css: &str, value: &str) -> anyhow::Result<()> {
    let what = format!("choosing {value:?} in {css}");
    on_fresh(page, css, &what, async |select| {
        select.select_by_value(value).await
    })
    .await
}

pub(crate) async fn click(page: &WebDriver, test_id: &str) -> anyhow::Result<()> {
    let css = format!("[data-testid={test_id}]");
    let what = format!("clicking {test_id}");
    on_fresh(page, &css, &what, async |element| element.click().await).await
}

pub(crate) async fn text_of(page: &WebDriver, test_id: &str) -> anyhow::Result<String> {
    Ok(wait_for(page, &format!("[data-testid={test_id}]"))
        .await?
        .text()
        .await?
        .trim()
        .to_owned())
}

async fn texts(page: &WebDriver, css: &str) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    for element in page.find_all(Locator::Css(css)).await? {
        out.push(element.text().await?.trim().to_owned());
    }
    Ok(out)
}

pub(crate) async fn wait_attr(
    page: &WebDriver,
    test_id: &str,
    name: &str,
    value: &str,
) -> anyhow::Result<()> {
    let script = format!(
        "const e = document.querySelector('[data-testid={test_id}]'); return !!e && e.getAttribute({name:?}) === {value:?};"
    );
    wait_until(
        page,
        &format!("{test_id} {name}={value}"),
        &script,
        PATIENCE,
    )
    .await
}

async fn assert_attr(
    page: &WebDriver,
    test_id: &str,
    name: &str,
    value: &str,
) -> anyhow::Result<()> {
    let element = wait_for(page, &format!("[data-testid={test_id}]")).await?;
    assert_eq!(
        element.attr(name).await?.as_deref(),
        Some(value),
        "{test_id}"
    );
    Ok(())
}

/// Change notifications the modern way: in the console, "Set it up for me" creates an
/// Outbound Message and an active record-triggered Flow per object in the sandbox org
/// (through its Tooling API); a Salesforce user's edit then reaches the helpdesk through
/// an Outbound Message within seconds; deleting the integration removes them again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_it_up_for_me_brings_salesforce_edits_and_delete_removes_it() -> anyhow::Result<()> {
    let stack = Stack::start(StackOptions::test("admin-notifications")).await?;
    stack.connect_salesforce().await?;
    // The sync started without pointing the org's Outbound Messages anywhere.
    let _: contract::admin::SyncStatus = stack.admin(Method::POST, SYNC_START_PATH, None).await?;
    stack
        .wait_for_sync(SyncState::Live, Duration::from_secs(90))
        .await?;
    assert!(
        stack
            .sandbox
            .salesforce()
            .outbound_status()
            .endpoints
            .is_empty(),
        "nothing sends before the set-up"
    );

    // Only administrators may set it up, see it or remove it.
    for method in [Method::GET, Method::POST, Method::DELETE] {
        let response = reqwest::Client::new()
            .request(
                method.clone(),
                format!("{}{NOTIFICATIONS_PATH}", stack.edge_url),
            )
            .bearer_auth(stack.context_token("Agent", true))
            .send()
            .await?;
        assert_eq!(response.status(), 403, "{method} {NOTIFICATIONS_PATH}");
    }

    // Without "Manage Flow" the edge says so, naming the user and the permission.
    set_tooling_permissions(&stack, true, false).await?;
    let response = reqwest::Client::new()
        .post(format!("{}{NOTIFICATIONS_PATH}", stack.edge_url))
        .bearer_auth(stack.context_token("Administrator", false))
        .send()
        .await?;
    assert_eq!(response.status(), 400);
    let refused: contract::api::ErrorBody = response.json().await?;
    let message = refused.error.message;
    assert!(
        message.contains(&format!(
            "({}) lacks the \"Manage Flow\" permission",
            sandbox::demo::ADMIN_USERNAME
        )),
        "{message}"
    );
    set_tooling_permissions(&stack, true, true).await?;

    let browser = Browser::start().await?;
    let outcome = set_up_in_the_console(&stack, &browser).await;
    if outcome.is_err() {
        let _ = browser
            .screenshot(&artifact("admin-notifications-failure"))
            .await;
    }
    browser.close().await?;
    outcome
}

async fn set_up_in_the_console(stack: &Stack, browser: &Browser) -> anyhow::Result<()> {
    let page = &browser.client;
    let setup = stack
        .sandbox
        .demo_page_as(
            &format!("{}/setup", stack.sandbox.demo_url),
            "Administrator",
        )
        .context("the demo has an administrator")?;
    page.goto(&setup).await?;
    enter_widget(page).await?;
    click(page, "tab-overview").await?;
    wait_attr(page, "notifications", "data-state", "not_set_up").await?;
    scroll_to(page, "[data-testid=outbound-url]").await?;
    shot(browser, "admin-notifications").await?;
    click(page, "set-up-notifications").await?;
    wait_attr(page, "notifications", "data-state", "set_up").await?;
    let made = texts(page, "[data-testid=notification-object]").await?;
    assert_eq!(made.len(), 2, "{made:?}");
    assert!(made[0].starts_with("Accounts: the Flow sfdesk_Account_changes is active"));
    assert!(made[1].starts_with("Contacts: the Flow sfdesk_Contact_changes is active"));
    // The Accounts' Outbound Message made before "Manage Flow" was missing is reused.
    assert!(
        made[0].ends_with("(found in the org and reused)."),
        "{made:?}"
    );
    assert!(!made[1].contains("reused"), "{made:?}");
    scroll_to(page, "[data-testid=outbound-url]").await?;
    shot(browser, "admin-notifications-set-up").await?;

    let org = sandbox_tooling(stack).await?;
    assert_eq!(
        org["outboundMessages"].as_array().map(Vec::len),
        Some(2),
        "{org}"
    );
    let url = stack
        .admin_status()
        .await?
        .outbound_message_url
        .context("a started sync names its URL")?;
    for message in org["outboundMessages"].as_array().into_iter().flatten() {
        assert_eq!(message["endpointUrl"], url.as_str(), "{org}");
    }
    for flow in org["flows"].as_array().into_iter().flatten() {
        assert_eq!(flow["activeVersionNumber"], 1, "{org}");
    }

    // A Salesforce user edits a synced contact: the Flow's Outbound Message brings it to
    // the helpdesk within seconds.
    let transport = ReqwestTransport::default();
    let salesforce = Client::new(&transport, stack.salesforce_admin().await?);
    let maya = salesforce
        .query::<serde_json::Map<String, serde_json::Value>>(
            "SELECT Id FROM Contact WHERE Email = 'maya.patel@northwind.example'",
        )
        .await?
        .records
        .first()
        .and_then(|r| r["Id"].as_str().map(str::to_owned))
        .context("the demo's shared contact")?;
    let edited = Instant::now();
    stack
        .sandbox
        .salesforce()
        .user_update(
            "Contact",
            &maya,
            json!({"Title": "Head of Flows"})
                .as_object()
                .context("an object")?,
        )
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    e2e::eventually(
        "the Salesforce edit in the helpdesk",
        Duration::from_secs(15),
        async || {
            let contact = stack
                .sandbox
                .helpdesk()
                .desk()
                .contact_by_email("maya.patel@northwind.example")
                .and_then(|c| c.title.clone());
            Ok((contact.as_deref() == Some("Head of Flows")).then_some(()))
        },
    )
    .await?;
    let delivered = stack
        .sandbox
        .salesforce()
        .outbound_deliveries()
        .into_iter()
        .any(|d| d.acknowledged && d.endpoint_url == url && d.record_ids.contains(&maya));
    assert!(delivered, "an Outbound Message carried the edit");
    println!(
        "a Salesforce edit reached the helpdesk in {:.1?} through the Flow's Outbound Message",
        edited.elapsed()
    );

    // Deleting the integration removes the Flows and the Outbound Messages from the org.
    click(page, "delete-integration").await?;
    click(page, "confirm-delete-button").await?;
    wait_attr(page, "connection", "data-state", "not_connected").await?;
    let org = sandbox_tooling(stack).await?;
    assert_eq!(org["flows"], json!([]), "{org}");
    assert_eq!(org["outboundMessages"], json!([]), "{org}");
    assert!(
        stack
            .sandbox
            .salesforce()
            .outbound_status()
            .endpoints
            .is_empty()
    );
    Ok(())
}

/// What every API user of the sandbox org may do in Setup.
async fn set_tooling_permissions(
    stack: &Stack,
    customize_application: bool,
    manage_flow: bool,
) -> anyhow::Result<()> {
    reqwest::Client::new()
        .put(format!(
            "{}/__sandbox/tooling/permissions",
            stack.sandbox.salesforce_url
        ))
        .json(&json!({"customizeApplication": customize_application, "manageFlow": manage_flow}))
        .send()
        .await?
        .error_for_status()?;
    Ok(())
}

/// What the sandbox org's Setup holds: its Outbound Messages and flows.
async fn sandbox_tooling(stack: &Stack) -> anyhow::Result<serde_json::Value> {
    Ok(reqwest::get(format!(
        "{}/__sandbox/tooling",
        stack.sandbox.salesforce_url
    ))
    .await?
    .error_for_status()?
    .json()
    .await?)
}
