//! The initial sync's export through the helpdesk's Import API: a chunk's new records go
//! as one import (external ids = Salesforce Ids), mapped back to links, each refused row
//! a failure-log entry with its reason; a queued import is collected by its id after a
//! restart, never queued twice.

use super::sync_engine::{World, world_of};
use contract::mapping::ObjectKind;
use contract::side::Side;
use shared::sql::NativeSql;
use shared::sync::initial::{self, InitialSync, Stage};
use shared::sync::store::Store;
use std::collections::HashSet;

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Advances the initial sync until `done` holds.
async fn advance_until(
    w: &World,
    run: &mut InitialSync,
    done: impl Fn(&InitialSync) -> bool,
) -> anyhow::Result<()> {
    w.with_engine(async |engine| {
        while !done(run) {
            engine.advance_initial(run).await?;
        }
        Ok(())
    })
    .await
}

#[tokio::test]
async fn new_records_go_as_imports_and_refused_rows_are_logged_with_their_reason()
-> anyhow::Result<()> {
    let w = world_of(sandbox::OrgShape::Demo).await?;
    w.sandbox
        .salesforce()
        .seed_bulk(sandbox::salesforce::BulkSeed {
            contacts: 450,
            accounts: 30,
        });
    let demo_accounts: HashSet<String> = w
        .sandbox
        .helpdesk()
        .desk()
        .accounts
        .keys()
        .cloned()
        .collect();
    w.sandbox.reset_helpdesk_calls();
    let mut run = initial::start(&w.store, Default::default(), now_ms())?;
    let contacts_stage = Stage::Apply {
        source: Side::Salesforce,
        object: ObjectKind::Contact,
    };
    advance_until(&w, &mut run, |run| run.stage == contacts_stage).await?;
    // Between the accounts' import and the contacts', an agent deletes one of the new
    // accounts: the contacts' import refuses the rows that name it.
    let gone = {
        let mut desk = w.sandbox.helpdesk().desk();
        let gone = desk
            .accounts
            .keys()
            .find(|id| !demo_accounts.contains(*id))
            .cloned()
            .expect("an imported account");
        desk.accounts.remove(&gone);
        gone
    };

    advance_until(&w, &mut run, |run| run.is_finished()).await?;

    assert!(run.steps.iter().all(|s| s.finished));
    let calls = w.sandbox.helpdesk_calls();
    assert_eq!(
        calls.route("POST /api/v1/contacts"),
        0,
        "no contact written alone"
    );
    assert_eq!(
        calls.route("POST /api/v1/accounts"),
        0,
        "no account written alone"
    );
    // An import a chunk, up to 5,000 records: the 30 new accounts in one, the 450 new
    // contacts in another.
    assert_eq!(calls.route("POST /api/v1/imports"), 1 + 1, "{calls:?}");
    let failures = w.store.failures(Some(ObjectKind::Contact))?;
    assert!(!failures.is_empty(), "the deleted account's contacts fail");
    for failure in &failures {
        let reason = failure.reason.to_string();
        assert!(
            reason.contains("import refused it") && reason.contains(&gone),
            "the row's reason: {reason}"
        );
    }
    // Every other new contact is linked to the desk record its import made.
    let linked = w.store.link_count(ObjectKind::Contact)? as usize;
    let desk_contacts = w.sandbox.helpdesk().desk().contacts.len();
    assert!(linked + failures.len() >= 450, "{linked} linked");
    assert!(desk_contacts >= linked, "{desk_contacts} in the desk");
    Ok(())
}

#[tokio::test]
async fn an_import_queued_before_a_restart_is_collected_by_its_id() -> anyhow::Result<()> {
    let w = world_of(sandbox::OrgShape::Demo).await?;
    w.sandbox
        .salesforce()
        .seed_bulk(sandbox::salesforce::BulkSeed {
            contacts: 120,
            accounts: 5,
        });
    let mut run = initial::start(&w.store, Default::default(), now_ms())?;
    // Up to the first import queued; then the invocation ends.
    advance_until(&w, &mut run, |run| run.is_waiting()).await?;
    let queued = w.sandbox.helpdesk_calls().route("POST /api/v1/imports");
    assert_eq!(queued, 1);

    // A new invocation starts from what was stored.
    let mut run = w
        .store
        .get::<InitialSync>(initial::STATE_KEY)?
        .expect("the run is stored");
    assert!(run.is_waiting(), "the import's id is kept");
    w.with_engine(async |engine| {
        engine.advance_initial(&mut run).await?;
        Ok(())
    })
    .await?;
    assert_eq!(
        w.sandbox.helpdesk_calls().route("POST /api/v1/imports"),
        queued,
        "collected, not queued again"
    );
    advance_until(&w, &mut run, |run| run.is_finished()).await?;
    assert!(w.store.failures(None)?.is_empty());
    let emails: Vec<String> = w
        .sandbox
        .helpdesk()
        .desk()
        .contacts
        .values()
        .filter_map(|c| c.email.clone())
        .collect();
    let unique: HashSet<&String> = emails.iter().collect();
    assert_eq!(unique.len(), emails.len(), "nothing imported twice");
    Ok(())
}

#[tokio::test]
async fn a_chunk_stops_at_200_records_that_need_writes_of_their_own() -> anyhow::Result<()> {
    let mut w = world_of(sandbox::OrgShape::Demo).await?;
    w.sandbox
        .salesforce()
        .seed_bulk(sandbox::salesforce::BulkSeed {
            contacts: 450,
            accounts: 5,
        });
    let mut run = initial::start(&w.store, Default::default(), now_ms())?;
    advance_until(&w, &mut run, |run| run.is_finished()).await?;
    // The desk's copies drift, and the integration is connected anew: every contact
    // matches one in the desk, each with an update of its own (a call each, not an import).
    for contact in w.sandbox.helpdesk().desk().contacts.values_mut() {
        contact.title = Some("Drifted".into());
    }
    let desk_contacts = w.sandbox.helpdesk().desk().contacts.len();
    w.store = Store::open(NativeSql::in_memory())?;
    w.sandbox.reset_helpdesk_calls();
    let mut run = initial::start(&w.store, Default::default(), now_ms())?;
    let contacts_stage = Stage::Apply {
        source: Side::Salesforce,
        object: ObjectKind::Contact,
    };
    let done = |run: &InitialSync| {
        run.steps
            .iter()
            .find(|s| s.from == Side::Salesforce && s.object == ObjectKind::Contact)
            .map_or(0, |s| s.done)
    };
    advance_until(&w, &mut run, |run| run.stage == contacts_stage).await?;
    let mut chunks = Vec::new();
    w.with_engine(async |engine| {
        while run.stage == contacts_stage {
            let before = done(&run);
            engine.advance_initial(&mut run).await?;
            chunks.push(done(&run) - before);
        }
        Ok(())
    })
    .await?;

    assert!(chunks.starts_with(&[200, 200]), "chunks: {chunks:?}");
    let calls = w.sandbox.helpdesk_calls();
    assert_eq!(
        calls.route("POST /api/v1/imports"),
        0,
        "nothing new: {calls:?}"
    );
    assert_eq!(
        w.sandbox.helpdesk().desk().contacts.len(),
        desk_contacts,
        "nothing created twice"
    );
    assert!(w.store.failures(None)?.is_empty());
    Ok(())
}
