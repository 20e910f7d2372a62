//! Per-field sync rules and drift repair in the edge under `wrangler dev`: an edit on each
//! side of the demo's shared contact, and what each rule lets through; a drift made behind
//! the engine's back (a Salesforce edit with its Outbound Messages off) found and repaired
//! by a drift check asked for in the console; the failure log exported as CSV.

use crate::admin_console::{click, enter_widget, shot, text_of, wait_for, wait_until};
use anyhow::Context;
use contract::admin::{
    DRIFT_PATH, DriftView, FAILURES_CSV_HEADER, FAILURES_CSV_PATH, HISTORY_PATH, HistoryView,
    SETTINGS_PATH, SettingsView,
};
use contract::history::RunKind;
use contract::ids::SfId;
use contract::mapping::SyncRule;
use e2e::{Browser, ReqwestTransport, Stack, StackOptions, eventually};
use reqwest::Method;
use sandbox::helpdesk::controls::AgentEdit;
use serde_json::{Map, Value, json};
use shared::helpdesk;
use shared::salesforce::Client;
use std::time::Duration;

const MAYA: &str = "maya.patel@northwind.example";
const PATIENCE: Duration = Duration::from_secs(30);

/// Maya's Ids: Salesforce's and the helpdesk's.
async fn maya(
    stack: &Stack,
    salesforce: &Client<'_, ReqwestTransport>,
) -> anyhow::Result<(SfId, String)> {
    let page = salesforce
        .query::<Map<String, Value>>(&format!("SELECT Id FROM Contact WHERE Email = '{MAYA}'"))
        .await?;
    let sf = SfId::parse(page.records[0]["Id"].as_str().context("an Id")?)?;
    let transport = ReqwestTransport::default();
    let connection = stack.sandbox.demo_helpdesk_connection();
    let desk = helpdesk::Client::new(&transport, &connection);
    let found = desk.search_contacts_by_email(MAYA).await?;
    Ok((sf, found[0].id.clone()))
}

/// A Salesforce user's edit of Maya (Outbound Messages fire, if set up).
fn edit_in_salesforce(stack: &Stack, id: &SfId, fields: Value) -> anyhow::Result<()> {
    stack
        .sandbox
        .salesforce()
        .user_update("Contact", id.as_str(), fields.as_object().unwrap())
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    Ok(())
}

/// An agent's edit of Maya in the helpdesk (its webhook fires).
fn edit_in_helpdesk(stack: &Stack, id: &str, fields: Value) -> anyhow::Result<()> {
    stack
        .sandbox
        .helpdesk()
        .agent_edit(&AgentEdit::update("contacts", id, fields))
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    Ok(())
}

/// Maya's fields `names` on both sides, as text (blank for none): Salesforce's, then the
/// helpdesk's (whose names are given lower-camel-case in the same order).
async fn both_sides(
    stack: &Stack,
    salesforce: &Client<'_, ReqwestTransport>,
    (sf, hd): &(SfId, String),
    names: &[(&str, &str)],
) -> anyhow::Result<(Vec<String>, Vec<String>)> {
    let sf_names: Vec<&str> = names.iter().map(|(s, _)| *s).collect();
    let record: Value = salesforce.get("Contact", sf, &sf_names).await?;
    let transport = ReqwestTransport::default();
    let connection = stack.sandbox.demo_helpdesk_connection();
    let desk = helpdesk::Client::new(&transport, &connection);
    let contact = serde_json::to_value(desk.contact(hd).await?)?;
    let text = |value: &Value| value.as_str().unwrap_or_default().to_owned();
    Ok((
        names.iter().map(|(s, _)| text(&record[s])).collect(),
        names.iter().map(|(_, h)| text(&contact[h])).collect(),
    ))
}

const FIELDS: [(&str, &str); 5] = [
    ("FirstName", "firstName"),
    ("Title", "title"),
    ("Phone", "phone"),
    ("MobilePhone", "mobile"),
    ("Description", "description"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_field_rule_lets_through_what_it_says() -> anyhow::Result<()> {
    let stack = Stack::start_live(StackOptions::test("sync-rules")).await?;
    let transport = ReqwestTransport::default();
    let salesforce = Client::new(&transport, stack.salesforce_admin().await?);
    let ids = maya(&stack, &salesforce).await?;
    let seen = std::cell::RefCell::new(None);
    let expect = async |what: &str, sf: [&str; 5], hd: [&str; 5]| {
        eventually(what, PATIENCE, async || {
            let (s, h) = both_sides(&stack, &salesforce, &ids, &FIELDS).await?;
            let done = s == sf && h == hd;
            seen.replace(Some((s, h)));
            Ok(done.then_some(()))
        })
        .await
        .with_context(|| format!("{what}: Salesforce and helpdesk hold {:?}", seen.borrow()))
    };

    // A known start, two-way everywhere: Salesforce's edit reaches the helpdesk.
    edit_in_salesforce(
        &stack,
        &ids.0,
        json!({"FirstName": "Maya", "Title": "Base title", "Phone": "100", "MobilePhone": null, "Description": "Base notes"}),
    )?;
    let base = ["Maya", "Base title", "100", "", "Base notes"];
    expect("the two-way start", base, base).await?;

    // The rules: first name two-way, title Salesforce's, phone the helpdesk's, mobile
    // Salesforce's unless blank, description not synced.
    let view: SettingsView = stack.admin(Method::GET, SETTINGS_PATH, None).await?;
    let rule_of = |field: &str| match field {
        "title" => SyncRule::SalesforceWins,
        "phone" => SyncRule::HelpdeskWins,
        "mobile" => SyncRule::SalesforceUnlessBlank,
        "description" => SyncRule::DontSync,
        _ => SyncRule::TwoWay,
    };
    let contacts: Vec<_> = view
        .contacts
        .iter()
        .cloned()
        .map(|pair| {
            let rule = rule_of(&pair.helpdesk);
            pair.with_rule(rule)
        })
        .collect();
    let saved: SettingsView = stack
        .admin(
            Method::PUT,
            SETTINGS_PATH,
            Some(json!({"sync_type": view.sync_type, "contacts": contacts, "accounts": view.accounts})),
        )
        .await?;
    assert!(
        saved
            .contacts
            .iter()
            .any(|p| p.helpdesk == "phone" && p.rule == SyncRule::HelpdeskWins),
        "{saved:?}"
    );

    // An agent edits every field in the helpdesk.
    edit_in_helpdesk(
        &stack,
        &ids.1,
        json!({"firstName": "Maia", "title": "HD title", "phone": "200", "mobile": "300", "description": "HD notes"}),
    )?;
    expect(
        "the helpdesk edit, rule by rule",
        // Two-way, helpdesk wins, Salesforce blank so the helpdesk fills it; Salesforce's
        // title and its description stay.
        ["Maia", "Base title", "200", "300", "Base notes"],
        // Salesforce's title puts the agent's back; the description stays the agent's.
        ["Maia", "Base title", "200", "300", "HD notes"],
    )
    .await?;

    // A Salesforce user edits every field.
    edit_in_salesforce(
        &stack,
        &ids.0,
        json!({"FirstName": "Mya", "Title": "SF title", "Phone": "999", "MobilePhone": "777", "Description": "SF notes"}),
    )?;
    expect(
        "the Salesforce edit, rule by rule",
        // The helpdesk's phone is put back in Salesforce.
        ["Mya", "SF title", "200", "777", "SF notes"],
        // Salesforce's title and (not blank) mobile reach the helpdesk; not the phone or
        // the description.
        ["Mya", "SF title", "200", "777", "HD notes"],
    )
    .await?;

    // A contact created in Salesforce reaches the helpdesk with every synced field, the
    // helpdesk's phone included: "always wins" is for two existing records, and a
    // counterpart being created has no value of its own.
    const NEW: &str = "lena.ortiz@northwind.example";
    stack
        .sandbox
        .salesforce()
        .user_create(
            "Contact",
            json!({"LastName": "Ortiz", "Email": NEW, "Title": "New title", "Phone": "555"})
                .as_object()
                .unwrap(),
        )
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let connection = stack.sandbox.demo_helpdesk_connection();
    let desk = helpdesk::Client::new(&transport, &connection);
    let created = eventually("the new contact in the helpdesk", PATIENCE, async || {
        Ok(desk.search_contacts_by_email(NEW).await?.into_iter().next())
    })
    .await?;
    assert_eq!(created.title.as_deref(), Some("New title"));
    assert_eq!(created.phone.as_deref(), Some("555"));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_drift_behind_the_engines_back_is_found_and_repaired_from_the_console()
-> anyhow::Result<()> {
    let stack = Stack::start_live(StackOptions::test("sync-drift")).await?;
    let transport = ReqwestTransport::default();
    let salesforce = Client::new(&transport, stack.salesforce_admin().await?);
    let ids = maya(&stack, &salesforce).await?;

    let browser = Browser::start().await?;
    let outcome = drift_in_the_console(&stack, &browser, &salesforce, &ids).await;
    if outcome.is_err() {
        let _ = browser
            .screenshot(&crate::admin_console::artifact("drift-failure"))
            .await;
    }
    browser.close().await?;
    outcome?;

    // Its line in the history, and the failure log as a file.
    let history: HistoryView = stack.admin(Method::GET, HISTORY_PATH, None).await?;
    assert!(
        history.drift.iter().any(|run| run.repaired >= 1),
        "{history:?}"
    );
    assert!(
        history
            .runs
            .iter()
            .any(|run| run.kind == RunKind::Drift && run.updated >= 1),
        "{history:?}"
    );
    let response = reqwest::Client::new()
        .get(format!("{}{FAILURES_CSV_PATH}", stack.edge_url))
        .bearer_auth(stack.context_token("Administrator", false))
        .send()
        .await?;
    assert!(response.status().is_success());
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment; filename=\"sfdesk-failures.csv\""
    );
    assert!(
        response.headers()["content-type"]
            .to_str()?
            .starts_with("text/csv")
    );
    let csv = response.text().await?;
    assert_eq!(
        csv.lines().next(),
        Some(FAILURES_CSV_HEADER.join(",").as_str())
    );
    Ok(())
}

async fn drift_in_the_console(
    stack: &Stack,
    browser: &Browser,
    salesforce: &Client<'_, ReqwestTransport>,
    ids: &(SfId, String),
) -> anyhow::Result<()> {
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
    wait_for(page, "[data-testid=health]").await?;

    // Salesforce's notifications off, and a catch-up just done: the next is a minute away,
    // so only the drift check can find the edit in time. A catch-up reads Salesforce's
    // accounts, its contacts, then the helpdesk's accounts and contacts: the edit waits for
    // that last read, as one made between Salesforce's two queries is the catch-up's to find.
    stack
        .sandbox
        .salesforce()
        .remove_outbound_endpoint("Contact")
        .map_err(anyhow::Error::msg)?;
    let queries = || stack.sandbox.salesforce().counters().get("GET /query");
    let helpdesk_contact_lists = || {
        let calls = stack.sandbox.helpdesk().calls();
        calls
            .by_route
            .get("GET /api/v1/contacts")
            .copied()
            .unwrap_or(0)
    };
    let before = queries();
    eventually("a catch-up", Duration::from_secs(75), async || {
        Ok((queries() > before).then_some(()))
    })
    .await?;
    let before = helpdesk_contact_lists();
    eventually("the catch-up's end", Duration::from_secs(75), async || {
        Ok((helpdesk_contact_lists() > before).then_some(()))
    })
    .await?;
    edit_in_salesforce(stack, &ids.0, json!({"Title": "Drifted title"}))?;

    click(page, "check-drift").await?;
    wait_until(
        page,
        "the drift check's result",
        "const e = document.querySelector('[data-testid=health-drift]'); \
         return !!e && e.getAttribute('data-state') === 'idle' && e.textContent.includes('1 repaired');",
        PATIENCE,
    )
    .await?;
    let text = text_of(page, "health-drift").await?;
    assert!(text.contains("1 differed, 1 repaired, 0 failed"), "{text}");
    crate::admin_console::scroll_to(page, "[data-testid=health]").await?;
    shot(browser, "drift-repaired").await?;

    let (_, helpdesk) = both_sides(stack, salesforce, ids, &[("Title", "title")]).await?;
    assert_eq!(helpdesk, ["Drifted title"], "repaired in the helpdesk");
    let view: DriftView = stack.admin(Method::GET, DRIFT_PATH, None).await?;
    assert!(
        view.running.is_none() && view.next_due_ms.is_some(),
        "{view:?}"
    );

    // The mapping's rule pickers and the failure log's export, for the record.
    click(page, "tab-mapping").await?;
    wait_for(page, "[data-testid=mapping-rule]").await?;
    shot(browser, "mapping-rules").await?;
    // One-way sync refuses a rule that writes to Salesforce, on its row (not saved).
    let title = "[data-testid=mapping-contacts] [data-field=title]";
    crate::admin_console::choose(
        page,
        &format!("{title} [data-testid=mapping-rule]"),
        "helpdesk_wins",
    )
    .await?;
    click(page, "sync-type-salesforce_to_helpdesk").await?;
    let issue = wait_for(page, &format!("{title} [data-testid=mapping-issue]"))
        .await?
        .text()
        .await?;
    assert!(issue.contains("which one-way sync never does"), "{issue}");
    crate::admin_console::scroll_to(page, title).await?;
    shot(browser, "mapping-rule-refused").await?;
    click(page, "tab-failures").await?;
    wait_for(page, "[data-testid=export-csv]").await?;
    shot(browser, "failures-export").await?;
    Ok(())
}
