//! The whole job against every shape of Salesforce org the sandbox can play (no custom
//! fields, field-level security hiding fields and an object, multi-currency, Person
//! Accounts, enhanced notes, small query batches): the panel per profile, a complete
//! initial sync compared record by record through the mapping the org allows, and edits
//! carried both ways. Each shape adds its own checks of what makes it different.

use crate::now_secs;
use anyhow::{Context, bail, ensure};
use contract::admin::{FAILURES_PATH, FailureView, SyncState};
use contract::api::{PANEL_PATH, Panel, SalesforceView, Section};
use contract::context::{self, ContextClaims};
use contract::ids::{Email, SfId};
use e2e::{ReqwestTransport, Stack, StackOptions, eventually};
use reqwest::Method;
use sandbox::OrgShape;
use sandbox::helpdesk::controls::AgentEdit;
use serde_json::{Map, Value, json};
use shared::helpdesk;
use shared::salesforce::Client;
use std::time::Duration;

const MAYA: &str = "maya.patel@northwind.example";

/// The panel for a context like the demo ticket's as `profile`, with another requester.
async fn panel_for(stack: &Stack, profile: &str, requester: &str) -> anyhow::Result<Panel> {
    let mut claims: ContextClaims = context::verify(
        &stack.context_token(profile, true),
        sandbox::demo::DEV_CONTEXT_SECRET.as_bytes(),
        now_secs(),
    )?;
    claims.requester = Some(Email::parse(requester)?);
    claims.ticket = Some(format!("shape-{requester}"));
    let token = context::sign(&claims, sandbox::demo::DEV_CONTEXT_SECRET.as_bytes());
    let response = reqwest::Client::new()
        .get(format!("{}{PANEL_PATH}", stack.edge_url))
        .bearer_auth(token)
        .send()
        .await?;
    let status = response.status();
    let body = response.text().await?;
    ensure!(status.is_success(), "panel answered {status}: {body}");
    Ok(serde_json::from_str(&body)?)
}

fn record_view(panel: Panel) -> anyhow::Result<SalesforceView> {
    match panel {
        Panel::View { view } => Ok(view),
        other => bail!("a record view, not {other:?}"),
    }
}

/// Every demo profile sees the requester's record, with what its permissions allow and
/// the org serves: never an error for the whole panel.
async fn every_profile_sees_the_requester(stack: &Stack) -> anyhow::Result<SalesforceView> {
    for profile in sandbox::demo::PROFILES {
        let view = record_view(stack.panel(profile, true).await?)
            .with_context(|| format!("as {profile}"))?;
        let record = view.record.as_ref().context("record information")?;
        ensure!(record.name == "Maya Patel", "as {profile}: {record:?}");
        if profile == "Light Agent" {
            ensure!(
                view.opportunities.is_none(),
                "light agents see no opportunities"
            );
            ensure!(
                view.unavailable
                    .iter()
                    .all(|n| n.section != Section::Opportunities),
                "nor a note about them: {:?}",
                view.unavailable
            );
        }
    }
    record_view(stack.panel("Agent", true).await?)
}

/// What the shape changes in the panel.
async fn the_panel_fits_the_shape(
    stack: &Stack,
    shape: OrgShape,
    view: &SalesforceView,
) -> anyhow::Result<()> {
    let record = view.record.as_ref().context("record information")?;
    let opportunities = view.opportunities.as_deref().unwrap_or_default();
    match shape {
        OrgShape::Restricted => {
            ensure!(
                record.title.is_none() && record.phone.is_none(),
                "fields the connected user may not read are not shown: {record:?}"
            );
            ensure!(
                view.unavailable
                    .iter()
                    .any(|n| n.section == Section::Opportunities),
                "the section the org does not serve says so: {:?}",
                view.unavailable
            );
        }
        OrgShape::Plain => {
            let refused = stack
                .show_subscription_type()
                .await
                .expect_err("no org but the demo's has the subscription type");
            ensure!(
                refused
                    .to_string()
                    .contains("Subscription_Type__c is not a field"),
                "{refused}"
            );
            ensure!(
                opportunities
                    .iter()
                    .all(|o| o.currency.as_deref() == Some("EUR")),
                "amounts in the org's one currency: {opportunities:?}"
            );
        }
        OrgShape::MultiCurrency => {
            let mut currencies: Vec<&str> = opportunities
                .iter()
                .filter_map(|o| o.currency.as_deref())
                .collect();
            currencies.sort_unstable();
            currencies.dedup();
            ensure!(
                currencies.len() >= 2 && opportunities.iter().all(|o| o.currency.is_some()),
                "each amount in its own currency: {opportunities:?}"
            );
        }
        OrgShape::EnhancedNotes => {
            let notes = view.notes.as_deref().unwrap_or_default();
            ensure!(
                notes.iter().any(|n| n.id.key_prefix() == "069")
                    && notes.iter().any(|n| n.id.key_prefix() == "002"),
                "enhanced and classic notes in one list: {notes:?}"
            );
            ensure!(
                notes.windows(2).all(|w| w[0].created >= w[1].created),
                "newest first: {notes:?}"
            );
        }
        OrgShape::PersonAccounts => {
            let transport = ReqwestTransport::default();
            let salesforce = Client::new(&transport, stack.salesforce_admin().await?);
            let people = salesforce
                .query::<Map<String, Value>>(
                    "SELECT PersonEmail FROM Account WHERE IsPersonAccount = true AND PersonEmail != null LIMIT 1",
                )
                .await?;
            let email = people.records[0]["PersonEmail"]
                .as_str()
                .context("a person account with an email")?
                .to_owned();
            let person = record_view(panel_for(stack, "Agent", &email).await?)?;
            let record = person.record.context("the person")?;
            ensure!(
                record.account_name.is_none() && record.account_url.is_none(),
                "a person account is shown as the person: {record:?}"
            );
        }
        OrgShape::Demo => {
            stack.show_subscription_type().await?;
            let view = record_view(stack.panel("Agent", true).await?)?;
            let fields = view.record.context("record information")?.fields;
            ensure!(
                fields.iter().any(|f| f.label == "Subscription Type"),
                "the demo's admin shows its custom field: {fields:?}"
            );
        }
        OrgShape::SmallBatches => {}
    }
    Ok(())
}

/// An edit on each side reaches the other through the real notification paths.
async fn edits_flow_both_ways(stack: &Stack, shape: OrgShape) -> anyhow::Result<()> {
    let transport = ReqwestTransport::default();
    let salesforce = Client::new(&transport, stack.salesforce_admin().await?);
    let connection = stack.sandbox.demo_helpdesk_connection();
    let desk = helpdesk::Client::new(&transport, &connection);
    let found = desk.search_contacts_by_email(MAYA).await?;
    ensure!(found.len() == 1, "Maya is linked, not copied: {found:?}");
    let desk_maya = found[0].id.clone();
    let page = salesforce
        .query::<Map<String, Value>>(&format!("SELECT Id FROM Contact WHERE Email = '{MAYA}'"))
        .await?;
    let sf_maya = SfId::parse(page.records[0]["Id"].as_str().context("an Id")?)?;

    let from_salesforce = format!("Edited in Salesforce ({})", shape.name());
    stack
        .sandbox
        .salesforce()
        .user_update(
            "Contact",
            sf_maya.as_str(),
            json!({ "Description": from_salesforce })
                .as_object()
                .unwrap(),
        )
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    eventually(
        "the Salesforce edit in the helpdesk",
        Duration::from_secs(30),
        async || {
            let contact = desk.contact(&desk_maya).await?;
            Ok((contact.description.as_deref() == Some(from_salesforce.as_str())).then_some(()))
        },
    )
    .await?;

    let from_helpdesk = format!("Edited in the helpdesk ({})", shape.name());
    stack
        .sandbox
        .helpdesk()
        .agent_edit(&AgentEdit::update(
            "contacts",
            &desk_maya,
            json!({ "description": from_helpdesk }),
        ))
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    eventually(
        "the helpdesk edit in Salesforce",
        Duration::from_secs(30),
        async || {
            let record: Value = salesforce
                .get("Contact", &sf_maya, &["Description"])
                .await?;
            Ok((record["Description"] == from_helpdesk.as_str()).then_some(()))
        },
    )
    .await
}

async fn the_whole_job_on(shape: OrgShape) -> anyhow::Result<()> {
    let mut options = StackOptions::test(&format!("shape-{}", shape.name()));
    options.org_shape = shape;
    let stack = Stack::start(options).await?;
    stack.connect_salesforce().await?;

    let view = every_profile_sees_the_requester(&stack).await?;
    the_panel_fits_the_shape(&stack, shape, &view).await?;

    stack.start_sync().await?;
    stack
        .wait_for_sync(SyncState::Live, Duration::from_secs(120))
        .await?;
    let failures: Vec<FailureView> = stack.admin(Method::GET, FAILURES_PATH, None).await?;
    ensure!(
        failures.is_empty(),
        "no record failed on the {} org: {failures:?}",
        shape.name()
    );
    let comparison = stack.compare_sides().await?;
    ensure!(
        comparison.is_clean() && comparison.compared > 10,
        "the {} org, compared: {}",
        shape.name(),
        comparison.summary()
    );

    edits_flow_both_ways(&stack, shape).await
}

#[tokio::test]
async fn the_demo_org() -> anyhow::Result<()> {
    the_whole_job_on(OrgShape::Demo).await
}

#[tokio::test]
async fn an_org_without_custom_fields() -> anyhow::Result<()> {
    the_whole_job_on(OrgShape::Plain).await
}

#[tokio::test]
async fn an_org_whose_security_hides_fields_and_opportunities() -> anyhow::Result<()> {
    the_whole_job_on(OrgShape::Restricted).await
}

#[tokio::test]
async fn a_multi_currency_org() -> anyhow::Result<()> {
    the_whole_job_on(OrgShape::MultiCurrency).await
}

#[tokio::test]
async fn an_org_with_person_accounts() -> anyhow::Result<()> {
    the_whole_job_on(OrgShape::PersonAccounts).await
}

#[tokio::test]
async fn an_org_with_enhanced_notes() -> anyhow::Result<()> {
    the_whole_job_on(OrgShape::EnhancedNotes).await
}

#[tokio::test]
async fn an_org_answering_in_small_batches() -> anyhow::Result<()> {
    the_whole_job_on(OrgShape::SmallBatches).await
}
