//! The agent panel end to end: a ticket in the demo helpdesk shows its requester's
//! Salesforce record, fetched through the edge in one Salesforce call (none when warm),
//! filtered by the profile's stored permissions before it leaves the edge; every demo
//! profile in a real browser, with a screenshot each in `target/artifacts/`.

use crate::now_secs;
use anyhow::{Context, bail, ensure};
use contract::admin::{PERMISSIONS_PATH, ProfilePermissions};
use contract::api::{
    PANEL_CHOICE_PATH, PANEL_PATH, PANEL_SEARCH_PATH, Panel, RecordKind, SearchHit,
};
use contract::context::{self, ContextClaims};
use contract::ids::Email;
use contract::permissions::{Access, Items, Permissions};
use e2e::{Browser, ReqwestTransport, Stack, StackOptions, repo_root};
use fantoccini::{Client as WebDriver, Locator};
use serde_json::{Value, json};
use shared::panel::{ContactRecord, contact_by_email};
use shared::salesforce::{Client, QueryResponse};
use std::time::Duration;

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
    a_cold_view_costs_one_salesforce_call_and_a_warm_one_none(&stack).await?;
    the_admin_chooses_the_panels_fields(&stack).await?;
    profiles_see_only_what_they_may(&stack).await?;
    default_restrictions_follow_the_profile_not_its_name(&stack).await?;
    stored_permissions_apply_from_the_next_load(&stack).await?;
    no_match_offers_the_domain_account_and_a_search(&stack).await?;
    the_panel_opens_only_what_its_ticket_offered(&stack).await?;

    let browser = Browser::start().await?;
    let result = async {
        widget_shows_live_salesforce_data(&stack, &browser).await?;
        every_demo_profile_sees_what_it_may(&stack, &browser).await
    }
    .await;
    browser.close().await?;
    result
}

/// `GET` a path of the edge as a context token; the status and the body.
async fn get(stack: &Stack, path: &str, token: &str) -> anyhow::Result<(u16, String)> {
    let response = reqwest::Client::new()
        .get(format!("{}{path}", stack.edge_url))
        .bearer_auth(token)
        .send()
        .await?;
    Ok((response.status().as_u16(), response.text().await?))
}

async fn panel_as(stack: &Stack, path: &str, token: &str) -> anyhow::Result<Panel> {
    let (status, body) = get(stack, path, token).await?;
    ensure!(status == 200, "{path} answered {status}: {body}");
    Ok(serde_json::from_str(&body)?)
}

async fn a_cold_view_costs_one_salesforce_call_and_a_warm_one_none(
    stack: &Stack,
) -> anyhow::Result<()> {
    let counters = || stack.sandbox.salesforce().counters();
    stack.sandbox.salesforce().reset_counters();
    let usage = counters().api_usage;
    let cold = stack.panel("Agent", true).await?;
    ensure!(matches!(cold, Panel::View { .. }), "{cold:?}");
    assert_eq!(
        stack.salesforce_calls(),
        1,
        "a cold panel is one Salesforce call: {:?}",
        counters().endpoints
    );
    assert_eq!(counters().get("POST /composite"), 1);
    assert_eq!(
        counters().api_usage - usage,
        1,
        "one call of the daily allowance"
    );

    stack.sandbox.salesforce().reset_counters();
    let warm = stack.panel("Agent", true).await?;
    assert_eq!(warm, cold, "the warm panel is the same");
    // Another profile on the same ticket reads the same cached answer, filtered its way.
    let Panel::View { view: light } = stack.panel("Light Agent", true).await? else {
        bail!("a light agent sees the record")
    };
    assert_eq!(light.opportunities, None);
    assert_eq!(
        stack.salesforce_calls(),
        0,
        "a warm panel costs no Salesforce call: {:?}",
        counters().endpoints
    );

    // The refresh button reads Salesforce again, once.
    let fresh = panel_as(
        stack,
        &format!("{PANEL_PATH}?fresh=true"),
        &stack.context_token("Agent", true),
    )
    .await?;
    assert_eq!(fresh, cold);
    assert_eq!(stack.salesforce_calls(), 1, "{:?}", counters().endpoints);
    Ok(())
}

/// Standard fields by default; the demo's subscription type once its admin picks it; a
/// field the org does not offer refused with a clear message.
async fn the_admin_chooses_the_panels_fields(stack: &Stack) -> anyhow::Result<()> {
    let labels = |panel: Panel| -> anyhow::Result<Vec<String>> {
        let Panel::View { view } = panel else {
            bail!("a record: {panel:?}")
        };
        let record = view.record.context("record information")?;
        Ok(record.fields.into_iter().map(|f| f.label).collect())
    };
    let before = labels(stack.panel("Agent", true).await?)?;
    ensure!(
        !before.iter().any(|l| l.contains("Subscription")),
        "no custom field by default: {before:?}"
    );
    let chosen = stack.show_subscription_type().await?;
    ensure!(
        chosen
            .offered
            .contact
            .iter()
            .any(|o| o.name == e2e::DEMO_CONTACT_FIELD),
        "the demo org offers its custom field: {:?}",
        chosen.offered.contact
    );
    let after = labels(stack.panel("Agent", true).await?)?;
    ensure!(
        after.iter().any(|l| l == "Subscription Type"),
        "the chosen field shows: {after:?}"
    );
    let refused = stack
        .admin::<serde_json::Value>(
            reqwest::Method::PUT,
            contract::panel_fields::PANEL_FIELDS_PATH,
            Some(serde_json::json!({"contact": ["Nope__c"], "account": [], "opportunity": []})),
        )
        .await
        .expect_err("a field the org does not have is refused");
    ensure!(
        refused.to_string().contains("400")
            && refused
                .to_string()
                .contains("Nope__c is not a field the connected Salesforce user can read"),
        "{refused}"
    );
    Ok(())
}

async fn widget_shows_live_salesforce_data(stack: &Stack, browser: &Browser) -> anyhow::Result<()> {
    let page = &browser.client;
    page.goto(&stack.sandbox.demo_ticket_url()).await?;
    let token =
        crate::demo_pages::widget_session_token(page, &stack.sandbox.widget_host_url()).await?;
    let frame = widget_frame(page).await?;
    let claims: ContextClaims = context::verify(
        &token,
        sandbox::demo::DEV_CONTEXT_SECRET.as_bytes(),
        now_secs(),
    )?;
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

    // Change the contact in Salesforce; the refresh button shows the change at once.
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
    page.find(Locator::Css("[data-testid=refresh]"))
        .await?
        .click()
        .await?;
    let deadline = std::time::Instant::now() + PATIENCE;
    while text_of(page, "contact-name").await? != changed.name {
        ensure!(
            std::time::Instant::now() < deadline,
            "the refreshed panel shows {}",
            changed.name
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    page.enter_parent_frame().await?;
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
    let panel_url = format!("{}{}", stack.edge_url, contract::api::PANEL_PATH);
    let valid = stack.context_token("Agent", true);
    let mut forged_claims = context::verify(
        &valid,
        sandbox::demo::DEV_CONTEXT_SECRET.as_bytes(),
        now_secs(),
    )?;
    let forged = context::sign(&forged_claims, b"not-the-shared-secret");
    forged_claims.exp = now_secs() - 1;
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

    let response = http
        .post(format!(
            "{}{}",
            stack.edge_url,
            contract::admin::OAUTH_START_CODE_PATH
        ))
        .bearer_auth(&valid)
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
        .get(format!("{}{}", stack.edge_url, contract::api::PANEL_PATH))
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

/// The admin console's permissions endpoints: admins only, every helpdesk profile with
/// its defaults, and a change applies to the next panel load (the cached answer is
/// filtered on the way out, so no Salesforce call is needed for it).
async fn stored_permissions_apply_from_the_next_load(stack: &Stack) -> anyhow::Result<()> {
    let admin = stack.context_token("Administrator", false);
    let (status, body) = get(
        stack,
        PERMISSIONS_PATH,
        &stack.context_token("Agent", false),
    )
    .await?;
    assert_eq!(status, 403, "{body}");
    let error: Value = serde_json::from_str(&body)?;
    assert_eq!(error["error"]["code"], "forbidden");
    assert!(
        error["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("Only helpdesk administrators")),
        "{body}"
    );

    let (status, body) = get(stack, PERMISSIONS_PATH, &admin).await?;
    ensure!(status == 200, "permissions answered {status}: {body}");
    let table: Vec<ProfilePermissions> = serde_json::from_str(&body)?;
    let names: Vec<&str> = table.iter().map(|p| p.profile_name.as_str()).collect();
    assert_eq!(names, sandbox::demo::PROFILES, "every helpdesk profile");
    for row in &table {
        let kind = stack
            .sandbox
            .helpdesk()
            .desk()
            .profile(&row.profile_id)
            .map(|profile| profile.kind.clone());
        assert_eq!(row.permissions, Permissions::default_for(kind.as_deref()));
    }
    let row = |name: &str| {
        table
            .iter()
            .find(|p| p.profile_name == name)
            .cloned()
            .expect("a demo profile")
    };

    let put = |change: ProfilePermissions| {
        let admin = admin.clone();
        async move {
            let response = reqwest::Client::new()
                .put(format!("{}{PERMISSIONS_PATH}", stack.edge_url))
                .bearer_auth(admin)
                .json(&change)
                .send()
                .await?;
            let status = response.status().as_u16();
            let body = response.text().await?;
            anyhow::Ok((status, body))
        }
    };

    // An invisible profile gets 403 from the panel, however it calls.
    let mut lead = row("Support Lead");
    lead.permissions.visible = false;
    let (status, body) = put(lead.clone()).await?;
    ensure!(status == 200, "saving answered {status}: {body}");
    assert_eq!(serde_json::from_str::<ProfilePermissions>(&body)?, lead);
    let (status, body) = get(
        stack,
        PANEL_PATH,
        &stack.context_token("Support Lead", true),
    )
    .await?;
    assert_eq!(status, 403, "{body}");
    assert!(
        body.contains("not shown for your helpdesk profile"),
        "{body}"
    );
    assert!(!body.contains("Patel"), "{body}");

    // Agents without notes: gone from the next load, from the warm cache.
    stack.sandbox.salesforce().reset_counters();
    let mut agent = row("Agent");
    agent.permissions.access = Access::Restricted {
        items: Items {
            notes: false,
            ..Items::ALL
        },
    };
    put(agent.clone()).await?;
    let Panel::View { view } = stack.panel("Agent", true).await? else {
        bail!("an agent sees the record")
    };
    assert_eq!(view.notes, None, "notes are hidden now");
    assert!(view.opportunities.is_some());
    assert_eq!(
        stack.salesforce_calls(),
        0,
        "a permission change needs no Salesforce call"
    );
    put(row("Agent")).await?;
    let Panel::View { view } = stack.panel("Agent", true).await? else {
        bail!("an agent sees the record")
    };
    assert!(view.notes.is_some(), "and back");

    // The listing shows what is stored; unknown profiles are refused.
    let (_, body) = get(stack, PERMISSIONS_PATH, &admin).await?;
    let table: Vec<ProfilePermissions> = serde_json::from_str(&body)?;
    assert!(table.contains(&lead));
    let (status, body) = put(ProfilePermissions {
        profile_id: "no-such-profile".into(),
        ..lead.clone()
    })
    .await?;
    assert_eq!(status, 400, "{body}");

    // Support leads see the requester's account from now on (the browser test shows it).
    lead.permissions = Permissions {
        visible: true,
        shows: RecordKind::Account,
        access: Access::Full,
    };
    put(lead).await?;
    let Panel::View { view } = stack.panel("Support Lead", true).await? else {
        bail!("a support lead sees the account")
    };
    assert_eq!(view.kind, RecordKind::Account);
    let record = view.record.context("the account's details")?;
    assert_eq!(record.name, "Northwind Traders");
    let opportunities: Vec<&str> = view
        .opportunities
        .iter()
        .flatten()
        .map(|o| o.name.as_str())
        .collect();
    assert!(
        opportunities.contains(&"Northwind - Analytics add-on"),
        "the account's opportunities, not only the requester's: {opportunities:?}"
    );
    assert!(view.tasks.as_ref().is_some_and(|t| t.len() >= 2));
    Ok(())
}

/// A requester Salesforce does not know: the account on their email's domain is offered
/// and opens by Id; a search by name finds contacts.
async fn no_match_offers_the_domain_account_and_a_search(stack: &Stack) -> anyhow::Result<()> {
    let secret = sandbox::demo::DEV_CONTEXT_SECRET.as_bytes();
    let mut claims = context::verify(&stack.context_token("Agent", true), secret, now_secs())?;
    claims.ticket = Some("no-such-ticket".into());
    claims.requester = Some(Email::parse("new.buyer@northwind.example")?);
    let token = context::sign(&claims, secret);
    let Panel::NoMatch {
        email, suggestion, ..
    } = panel_as(stack, PANEL_PATH, &token).await?
    else {
        bail!("no contact has that email")
    };
    assert_eq!(email.as_str(), "new.buyer@northwind.example");
    let suggestion = suggestion.context("Northwind's website is on northwind.example")?;
    assert_eq!(suggestion.name, "Northwind Traders");

    let opened = panel_as(
        stack,
        &format!("{PANEL_PATH}?record={}", suggestion.id),
        &token,
    )
    .await?;
    let Panel::View { view } = opened else {
        bail!("the suggested account opens")
    };
    assert_eq!((view.kind, view.id), (RecordKind::Account, suggestion.id));

    let (status, body) = get(stack, &format!("{PANEL_SEARCH_PATH}?q=pat"), &token).await?;
    ensure!(status == 200, "search answered {status}: {body}");
    let hits: Vec<SearchHit> = serde_json::from_str(&body)?;
    assert!(
        hits.iter()
            .any(|hit| hit.name == "Maya Patel" && hit.kind == RecordKind::Contact),
        "{hits:?}"
    );
    let (status, _) = get(stack, &format!("{PANEL_SEARCH_PATH}?q=p"), &token).await?;
    assert_eq!(status, 400, "one letter is too little to search");

    claims.requester = Some(Email::parse("someone@gmail.com")?);
    let Panel::NoMatch { suggestion, .. } =
        panel_as(stack, PANEL_PATH, &context::sign(&claims, secret)).await?
    else {
        bail!("no contact has that email")
    };
    assert_eq!(suggestion, None, "a public mail domain suggests no company");
    Ok(())
}

/// The Light Agent profile renamed keeps its default restrictions, and a custom profile
/// renamed "Light Agent" does not gain them.
async fn default_restrictions_follow_the_profile_not_its_name(stack: &Stack) -> anyhow::Result<()> {
    let rename = |from: &str, to: &str| {
        let mut desk = stack.sandbox.helpdesk().desk();
        let profile = desk
            .profiles
            .iter_mut()
            .find(|profile| profile.name == from)
            .expect("a demo profile");
        profile.name = to.to_owned();
    };
    let opportunities = async |profile: &str| -> anyhow::Result<bool> {
        let Panel::View { view } = stack.panel(profile, true).await? else {
            bail!("{profile} sees the requester's contact")
        };
        Ok(view.opportunities.is_some())
    };
    rename("Light Agent", "Desk Reader");
    rename("Support Lead", "Light Agent");
    let renamed = opportunities("Desk Reader").await;
    let impostor = opportunities("Light Agent").await;
    rename("Light Agent", "Support Lead");
    rename("Desk Reader", "Light Agent");
    assert!(
        !renamed?,
        "the renamed Light Agent profile still hides opportunities"
    );
    assert!(
        impostor?,
        "a custom profile named Light Agent is not restricted"
    );
    Ok(())
}

/// `?record=` opens only what this ticket's panel offered (the requester's answer, a
/// search made there), and a contact chosen as the requester must be one of theirs.
async fn the_panel_opens_only_what_its_ticket_offered(stack: &Stack) -> anyhow::Result<()> {
    let secret = sandbox::demo::DEV_CONTEXT_SECRET.as_bytes();
    let mut claims = context::verify(&stack.context_token("Agent", true), secret, now_secs())?;
    let ticket_a = context::sign(&claims, secret);
    let Panel::View { view: requester } = panel_as(stack, PANEL_PATH, &ticket_a).await? else {
        bail!("the demo ticket's requester is a Salesforce contact")
    };
    claims.ticket = Some("another-ticket".into());
    claims.requester = Some(Email::parse("new.buyer@northwind.example")?);
    let ticket_b = context::sign(&claims, secret);
    panel_as(stack, PANEL_PATH, &ticket_b).await?;
    let (status, body) = get(stack, &format!("{PANEL_SEARCH_PATH}?q=Marino"), &ticket_b).await?;
    ensure!(status == 200, "search answered {status}: {body}");
    let hits: Vec<SearchHit> = serde_json::from_str(&body)?;
    let stranger = hits
        .iter()
        .find(|hit| hit.name == "Sofia Marino")
        .context("the search finds Sofia Marino")?
        .id
        .clone();
    assert_ne!(stranger, requester.id);

    let open = |id: &contract::ids::SfId| format!("{PANEL_PATH}?record={id}");
    let (status, body) = get(stack, &open(&stranger), &ticket_a).await?;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("not related to the ticket in view"), "{body}");
    let Panel::View { view } = panel_as(stack, &open(&stranger), &ticket_b).await? else {
        bail!("the search hit opens where it was found")
    };
    assert_eq!(view.id, stranger);
    let Panel::View { view } = panel_as(stack, &open(&requester.id), &ticket_a).await? else {
        bail!("the requester opens on their ticket")
    };
    assert_eq!(view.id, requester.id);

    let choose = async |id: &contract::ids::SfId, token: &str| -> anyhow::Result<(u16, String)> {
        let response = reqwest::Client::new()
            .post(format!("{}{PANEL_CHOICE_PATH}", stack.edge_url))
            .bearer_auth(token)
            .json(&serde_json::json!({ "contact": id }))
            .send()
            .await?;
        Ok((response.status().as_u16(), response.text().await?))
    };
    let (status, body) = choose(&stranger, &ticket_a).await?;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("not one of those offered"), "{body}");
    // A search hit is not a requester either, even on the ticket it was found on.
    let (status, body) = choose(&stranger, &ticket_b).await?;
    assert_eq!(status, 400, "{body}");
    let (status, body) = choose(&requester.id, &ticket_a).await?;
    assert_eq!(status, 204, "{body}");
    Ok(())
}

/// What each demo profile sees in the ticket view, in a real browser.
struct Expect {
    profile: &'static str,
    kind: &'static str,
    name: &'static str,
    present: &'static [&'static str],
    absent: &'static [&'static str],
}

const ALL_SECTIONS: &[&str] = &[
    "section-opportunities",
    "section-notes",
    "section-events",
    "section-tasks",
];

async fn every_demo_profile_sees_what_it_may(
    stack: &Stack,
    browser: &Browser,
) -> anyhow::Result<()> {
    let expectations = [
        Expect {
            profile: "Administrator",
            kind: "contact",
            name: "Maya Patel",
            present: ALL_SECTIONS,
            absent: &[],
        },
        Expect {
            profile: "Agent",
            kind: "contact",
            name: "Maya Patel",
            present: ALL_SECTIONS,
            absent: &[],
        },
        Expect {
            profile: "Light Agent",
            kind: "contact",
            name: "Maya Patel",
            present: &["section-notes", "section-events", "section-tasks"],
            absent: &["section-opportunities", "opportunity"],
        },
        // Set to show accounts by `stored_permissions_apply_from_the_next_load`.
        Expect {
            profile: "Support Lead",
            kind: "account",
            name: "Northwind Traders",
            present: ALL_SECTIONS,
            absent: &["contact-name"],
        },
    ];
    assert_eq!(expectations.len(), sandbox::demo::PROFILES.len());
    let page = &browser.client;
    for expect in expectations {
        let url = stack
            .sandbox
            .demo_ticket_url_as(expect.profile)
            .context("a demo agent per profile")?;
        page.goto(&url).await?;
        let frame = widget_frame(page).await?;
        frame.enter_frame().await?;
        let case = expect.profile;
        let view = page
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css("[data-testid=salesforce-view]"))
            .await
            .with_context(|| format!("{case}: the record view"))?;
        assert_eq!(
            view.attr("data-kind").await?.as_deref(),
            Some(expect.kind),
            "{case}"
        );
        // The name is unchanged by the rename above only for the account.
        let name = text_of(page, "record-name").await?;
        if expect.kind == "account" {
            assert_eq!(name, expect.name, "{case}");
        } else {
            assert!(name.starts_with("Maya"), "{case}: {name}");
        }
        for present in expect.present {
            ensure!(
                !page
                    .find_all(Locator::Css(&format!("[data-testid={present}]")))
                    .await?
                    .is_empty(),
                "{case}: {present} should show"
            );
        }
        for absent in expect.absent {
            ensure!(
                page.find_all(Locator::Css(&format!("[data-testid={absent}]")))
                    .await?
                    .is_empty(),
                "{case}: {absent} must not show"
            );
        }
        // Keyboard: the refresh button and every section heading take the focus in turn.
        let focusable = page
            .find_all(Locator::Css(
                "button[data-testid=refresh], button[data-testid=section-toggle]",
            ))
            .await?;
        ensure!(
            focusable.len() > expect.present.len(),
            "{case}: focusable controls"
        );
        page.enter_parent_frame().await?;
        let slug = expect.profile.to_lowercase().replace(' ', "-");
        browser
            .screenshot(&repo_root().join(format!("target/artifacts/agent-panel-{slug}.png")))
            .await?;
        let src = frame.attr("src").await?.context("the widget's URL")?;
        widget_screenshot(browser, &src, &format!("widget-{slug}")).await?;
    }

    // The requester Salesforce does not know, as an agent: the search is offered.
    let url = stack.sandbox.no_match_ticket_url();
    let url = stack
        .sandbox
        .demo_page_as(&url, "Agent")
        .context("the agent")?;
    page.goto(&url).await?;
    widget_frame(page).await?.enter_frame().await?;
    page.wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css("[data-testid=record-search]"))
        .await
        .context("the search on a requester without a contact")?;
    page.enter_parent_frame().await?;
    let src = widget_frame(page)
        .await?
        .attr("src")
        .await?
        .context("the widget's URL")?;
    widget_screenshot(browser, &src, "widget-no-match").await?;
    page.goto(&url).await?;
    widget_frame(page).await?.enter_frame().await?;
    let input = page
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css("[data-testid=search-input]"))
        .await
        .context("the search box, after loading again")?;
    input.send_keys("Okafor").await?;
    page.find(Locator::Css("[data-testid=search-submit]"))
        .await?
        .click()
        .await?;
    let hit = page
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css("[data-testid=search-hit]"))
        .await
        .context("a search hit")?;
    hit.click().await?;
    page.wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css("[data-testid=back]"))
        .await?;
    assert_eq!(text_of(page, "contact-name").await?, "Grace Okafor");
    page.enter_parent_frame().await?;
    browser
        .screenshot(&repo_root().join("target/artifacts/agent-panel-search.png"))
        .await?;

    // The account page shows the account, whatever the profile shows.
    let url = stack
        .sandbox
        .demo_page_as(&stack.sandbox.demo_account_url(), "Agent")
        .context("the agent")?;
    page.goto(&url).await?;
    widget_frame(page).await?.enter_frame().await?;
    assert_eq!(text_of(page, "account-name").await?, "Northwind Traders");
    page.enter_parent_frame().await?;
    Ok(())
}

/// The widget alone at a sidebar's width, its whole height, as a test artifact.
async fn widget_screenshot(browser: &Browser, src: &str, name: &str) -> anyhow::Result<()> {
    let page = &browser.client;
    page.set_window_size(360, 1500).await?;
    page.goto(src).await?;
    page.wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css(
            "[data-testid=salesforce-view], [data-testid=panel-state]",
        ))
        .await?;
    let shot = browser
        .screenshot(&repo_root().join(format!("target/artifacts/{name}.png")))
        .await;
    page.set_window_size(1280, 900).await?;
    shot
}
