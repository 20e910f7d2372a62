//! The sync against orgs of every shape a real org takes (the sandbox's `OrgShape`): a
//! complete initial sync, every record on both sides compared through the mapping, and
//! nothing in the failure log.

use super::sync_engine::{World, world_of};
use anyhow::Context;
use contract::mapping::{FieldPair, MappingIssue, ObjectKind, SyncType, validate};
use contract::side::Side;
use sandbox::OrgShape;
use serde::Serialize;
use serde_json::{Map, Value};
use shared::salesforce::Scope;
use shared::sync::engine::EngineError;
use shared::sync::ongoing::{Covered, Tallies};
use shared::sync::port::Port;
use shared::sync::salesforce_port::SalesforcePort;
use std::collections::BTreeMap;

/// A record's fields as the mapping names them; empty text and absent fields are null.
fn field(fields: &Map<String, Value>, name: &str) -> Value {
    match fields.get(name) {
        None | Some(Value::Null) => Value::Null,
        Some(Value::String(text)) if text.is_empty() => Value::Null,
        Some(value) => value.clone(),
    }
}

/// A helpdesk record as flat fields (custom fields beside the standard ones).
fn flat(record: &impl Serialize) -> anyhow::Result<(String, Map<String, Value>)> {
    let Value::Object(mut fields) = serde_json::to_value(record)? else {
        anyhow::bail!("a helpdesk record is an object");
    };
    if let Some(Value::Object(custom)) = fields.remove("cf") {
        fields.extend(custom);
    }
    let id = fields["id"].as_str().context("a helpdesk id")?.to_owned();
    Ok((id, fields))
}

/// Checks that every Salesforce record the sync covers (`where_clause` narrows an
/// object's records) and every helpdesk record is linked, and that linked records hold
/// the same value in each field `pairs` map.
async fn compare(
    w: &World,
    object: ObjectKind,
    pairs: &[FieldPair],
    where_clause: &str,
) -> anyhow::Result<usize> {
    let mut names = vec!["Id"];
    names.extend(pairs.iter().map(|p| p.salesforce.as_str()));
    let soql = format!(
        "SELECT {} FROM {}{where_clause}",
        names.join(", "),
        object.salesforce_name()
    );
    let salesforce: Vec<Map<String, Value>> =
        w.salesforce().query_all_pages(&soql, Scope::Live).await?;
    let helpdesk: BTreeMap<String, Map<String, Value>> = match object {
        ObjectKind::Contact => w
            .helpdesk()
            .all_contacts(None)
            .await?
            .iter()
            .map(flat)
            .collect::<anyhow::Result<_>>()?,
        ObjectKind::Account => w
            .helpdesk()
            .all_accounts(None)
            .await?
            .iter()
            .map(flat)
            .collect::<anyhow::Result<_>>()?,
    };
    let mut differences = Vec::new();
    for record in &salesforce {
        let id = contract::ids::SfId::parse(record["Id"].as_str().unwrap_or_default())?;
        let Some(link) = w.store.link_by_salesforce(object, &id)? else {
            differences.push(format!("Salesforce {object:?} {id} is not linked"));
            continue;
        };
        let Some(counterpart) = helpdesk.get(&link.helpdesk_id) else {
            differences.push(format!(
                "{id}'s helpdesk record {} is gone",
                link.helpdesk_id
            ));
            continue;
        };
        for pair in pairs {
            let (there, here) = (
                field(record, &pair.salesforce),
                field(counterpart, &pair.helpdesk),
            );
            if there != here {
                differences.push(format!(
                    "{id}.{} = {there} but helpdesk {}.{} = {here}",
                    pair.salesforce, link.helpdesk_id, pair.helpdesk
                ));
            }
        }
    }
    for id in helpdesk.keys() {
        if w.store.link_by_helpdesk(object, id)?.is_none() {
            differences.push(format!("helpdesk {object:?} {id} is not linked"));
        }
    }
    anyhow::ensure!(
        differences.is_empty(),
        "{} differences in {} {object:?} records, e.g. {:#?}",
        differences.len(),
        salesforce.len(),
        &differences[..differences.len().min(5)]
    );
    anyhow::ensure!(
        salesforce.len() == helpdesk.len(),
        "{} Salesforce and {} helpdesk {object:?} records",
        salesforce.len(),
        helpdesk.len()
    );
    Ok(salesforce.len())
}

/// The initial sync over an org of `shape` reaches every record, compared through the
/// mapping the sync applies to that org (its defaults less what the org hides), with
/// nothing in the failure log. Answers that mapping.
async fn initial_sync_is_complete(
    w: &World,
    accounts_where: &str,
) -> anyhow::Result<BTreeMap<ObjectKind, Vec<FieldPair>>> {
    let run = w.initial_sync().await?;
    assert!(run.steps.iter().all(|s| s.finished));
    let failures = w.store.failures(None)?;
    assert!(failures.is_empty(), "failures: {failures:#?}");
    let pairs: BTreeMap<ObjectKind, Vec<FieldPair>> = w
        .with_engine(async |engine| {
            Ok([ObjectKind::Contact, ObjectKind::Account]
                .into_iter()
                .map(|object| (object, engine.settings.pairs(object).to_vec()))
                .collect())
        })
        .await?;
    // The console shows this mapping; saved as it is, the validator accepts it.
    for (object, pairs) in &pairs {
        let issues = mapping_issues(w, *object, pairs).await?;
        assert!(issues.is_empty(), "{object:?}: {issues:?}");
    }
    let contacts = compare(w, ObjectKind::Contact, &pairs[&ObjectKind::Contact], "").await?;
    let accounts = compare(
        w,
        ObjectKind::Account,
        &pairs[&ObjectKind::Account],
        accounts_where,
    )
    .await?;
    println!(
        "{:?} org: {contacts} contacts and {accounts} accounts in step",
        w.sandbox.org_shape()
    );
    Ok(pairs)
}

/// What the console's validator says of `pairs` for this org, two-way.
async fn mapping_issues(
    w: &World,
    object: ObjectKind,
    pairs: &[FieldPair],
) -> anyhow::Result<Vec<MappingIssue>> {
    w.with_engine(async |engine| {
        Ok(validate(
            pairs,
            SyncType::TwoWay,
            engine.helpdesk.fields(object),
            engine.salesforce.fields(object),
        ))
    })
    .await
}

fn salesforce_names(pairs: &[FieldPair]) -> Vec<&str> {
    pairs.iter().map(|p| p.salesforce.as_str()).collect()
}

/// Field-level security hides `Contact.Title`, `Contact.Phone` and `Account.Industry`:
/// the sync leaves those pairs out for this org instead of failing every query, and a
/// mapping naming one is refused with the validator's message.
#[tokio::test]
async fn an_org_hiding_mapped_fields_syncs_completely_without_them() -> anyhow::Result<()> {
    let w = world_of(OrgShape::Restricted).await?;
    let pairs = initial_sync_is_complete(&w, "").await?;
    let contacts = salesforce_names(&pairs[&ObjectKind::Contact]);
    let accounts = salesforce_names(&pairs[&ObjectKind::Account]);
    assert!(!contacts.contains(&"Title") && !contacts.contains(&"Phone"));
    assert!(contacts.contains(&"MobilePhone") && contacts.contains(&"Email"));
    assert!(!accounts.contains(&"Industry") && accounts.contains(&"Website"));

    // The default mapping, saved as it is, is refused for this org, naming the field.
    let issues = mapping_issues(
        &w,
        ObjectKind::Contact,
        &contract::mapping::default_pairs(ObjectKind::Contact),
    )
    .await?;
    let messages: Vec<String> = issues.iter().map(ToString::to_string).collect();
    assert!(
        messages.contains(&"The Salesforce field Title does not exist".to_owned()),
        "{messages:?}"
    );

    // Ongoing sync as well: an edit in the helpdesk reaches Salesforce without the
    // hidden fields.
    let maya = w
        .helpdesk()
        .search_contacts_by_email("maya.patel@northwind.example")
        .await?
        .into_iter()
        .next()
        .context("Maya is in the helpdesk")?;
    let edit = shared::helpdesk::ContactDraft {
        mobile: Some("+44 7700 900123".into()),
        ..Default::default()
    };
    w.helpdesk().update_contact(&maya.id, &edit).await?;
    let outcome = w
        .sync(Side::Helpdesk, ObjectKind::Contact, &maya.id)
        .await?;
    assert_eq!(outcome, shared::sync::engine::Outcome::Updated);
    assert!(w.store.failures(None)?.is_empty());
    Ok(())
}

/// An org without any custom field (and in another currency) syncs completely on the
/// default mapping, which names standard fields only.
#[tokio::test]
async fn an_org_without_custom_fields_syncs_completely() -> anyhow::Result<()> {
    let w = world_of(OrgShape::Plain).await?;
    let pairs = initial_sync_is_complete(&w, "").await?;
    assert_eq!(
        pairs[&ObjectKind::Contact],
        contract::mapping::default_pairs(ObjectKind::Contact)
    );
    Ok(())
}

/// The other shapes change nothing the sync maps: each syncs completely on its defaults.
#[tokio::test]
async fn orgs_of_the_other_shapes_sync_completely() -> anyhow::Result<()> {
    for shape in [
        OrgShape::Demo,
        OrgShape::MultiCurrency,
        OrgShape::EnhancedNotes,
        OrgShape::SmallBatches,
    ] {
        let w = world_of(shape).await?;
        initial_sync_is_complete(&w, "")
            .await
            .with_context(|| format!("the {} org", shape.name()))?;
    }
    Ok(())
}

/// Person accounts sync as people: each person contact is a helpdesk contact with no
/// helpdesk account, business accounts alone become helpdesk accounts, and an edit of a
/// person on either side reaches the other without a refusal.
#[tokio::test]
async fn person_accounts_sync_as_helpdesk_contacts_both_ways() -> anyhow::Result<()> {
    let w = world_of(OrgShape::PersonAccounts).await?;
    initial_sync_is_complete(&w, " WHERE IsPersonAccount = false").await?;
    let emma = "emma.larsen@mail.example";
    let desk = w
        .helpdesk()
        .search_contacts_by_email(emma)
        .await?
        .into_iter()
        .next()
        .context("Emma reached the helpdesk")?;
    assert_eq!(desk.account_id, None, "a person has no helpdesk account");
    let accounts = w.helpdesk().all_accounts(None).await?;
    assert!(
        !accounts.iter().any(|a| a.account_name.contains("Larsen")),
        "no person account became a helpdesk account"
    );
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct PersonAccount {
        id: String,
        person_contact_id: String,
    }
    let person: PersonAccount = w
        .salesforce()
        .query::<PersonAccount>(&format!(
            "SELECT Id, PersonContactId FROM Account WHERE PersonEmail = '{emma}'"
        ))
        .await?
        .records
        .into_iter()
        .next()
        .context("Emma is a person account")?;

    // Salesforce side: a user edits the person account; the catch-up carries it over.
    let mut covered = Covered::from(now_ms());
    w.sandbox
        .salesforce()
        .user_update(
            "Account",
            &person.id,
            serde_json::json!({"PersonTitle": "Art Director"})
                .as_object()
                .unwrap(),
        )
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let mut tallies = Tallies::default();
    w.with_engine(async |engine| Ok(engine.catch_up(&mut covered, &mut tallies).await?))
        .await?;
    let desk = w.helpdesk().contact(&desk.id).await?;
    assert_eq!(desk.title.as_deref(), Some("Art Director"));

    // Helpdesk side: an agent edits the person and files her under a company; her title
    // and mobile reach the person account, her account stays her own.
    let company = accounts.first().context("a business account")?;
    let edit = shared::helpdesk::ContactDraft {
        title: Some("Creative Director".into()),
        mobile: Some("+45 20 55 09 99".into()),
        account_id: Some(company.id.clone()),
        ..Default::default()
    };
    w.helpdesk().update_contact(&desk.id, &edit).await?;
    assert_eq!(
        w.sync(Side::Helpdesk, ObjectKind::Contact, &desk.id)
            .await?,
        shared::sync::engine::Outcome::Updated
    );
    let account: Value = w
        .salesforce()
        .get(
            "Account",
            &contract::ids::SfId::parse(&person.id)?,
            &["PersonTitle", "PersonMobilePhone", "IsPersonAccount"],
        )
        .await?;
    assert_eq!(account["PersonTitle"], "Creative Director");
    assert_eq!(account["PersonMobilePhone"], "+45 20 55 09 99");
    let contact: Value = w
        .salesforce()
        .get(
            "Contact",
            &contract::ids::SfId::parse(&person.person_contact_id)?,
            &["AccountId"],
        )
        .await?;
    assert_eq!(contact["AccountId"], person.id.as_str());
    let failures = w.store.failures(None)?;
    assert!(failures.is_empty(), "failures: {failures:#?}");
    Ok(())
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// An admin hides a mapped field from the integration user while the sync runs: the
/// sync, still holding the fields it read before, gets `INVALID_FIELD`. That is no
/// record's failure: it reads the fields again and goes on without the hidden one.
#[tokio::test]
async fn a_field_hidden_while_the_sync_runs_is_left_out_once_fields_are_read_again()
-> anyhow::Result<()> {
    let w = world_of(OrgShape::Demo).await?;
    let run = w.initial_sync().await?;
    let client = w.salesforce();
    let read_before = SalesforcePort::load(&client).await?.fields_read();
    w.sandbox
        .salesforce()
        .set_field_security(sandbox::salesforce::access::HiddenNames {
            objects: Vec::new(),
            fields: vec![("Contact".into(), "Title".into())],
        });
    let maya = w
        .salesforce()
        .query::<Map<String, Value>>(
            "SELECT Id FROM Contact WHERE Email = 'maya.patel@northwind.example'",
        )
        .await?
        .records
        .remove(0);
    let maya = maya["Id"].as_str().context("an Id")?.to_owned();
    w.sandbox
        .salesforce()
        .user_update(
            "Contact",
            &maya,
            serde_json::json!({"Description": "Renewal due in March"})
                .as_object()
                .unwrap(),
        )
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;

    let mut covered = Covered::from(run.started_ms);
    let mut tallies = Tallies::default();
    let stale = w
        .with_engine_on(Some(read_before), async |engine| {
            Ok(engine.catch_up(&mut covered, &mut tallies).await)
        })
        .await?;
    assert!(
        matches!(stale, Err(EngineError::FieldsChanged(_))),
        "{stale:?}"
    );
    assert!(w.store.failures(None)?.is_empty(), "no record is blamed");

    w.with_engine(async |engine| Ok(engine.catch_up(&mut covered, &mut tallies).await?))
        .await?;
    let desk = w
        .helpdesk()
        .search_contacts_by_email("maya.patel@northwind.example")
        .await?
        .remove(0);
    assert_eq!(desk.description.as_deref(), Some("Renewal due in March"));
    assert!(w.store.failures(None)?.is_empty());
    Ok(())
}
