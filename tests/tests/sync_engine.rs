//! The sync engine natively against the sandbox: the real Salesforce and helpdesk wire
//! APIs, real SQLite, the same engine code the Durable Object runs.

use anyhow::Context;
use serde_json::{Value, json};
use shared::helpdesk::{self, ContactDraft};
use shared::http::ReqwestTransport;
use shared::ids::SfId;
use shared::mapping::ObjectKind;
use shared::salesforce::{Client, PanelContact, panel_lookup};
use shared::sql::NativeSql;
use shared::sync::engine::{Engine, Outcome, Settings};
use shared::sync::helpdesk_port::HelpdeskPort;
use shared::sync::salesforce_port::SalesforcePort;
use shared::sync::store::{Source, Store};

struct World {
    _sandbox: sandbox::Sandbox,
    transport: ReqwestTransport,
    session: shared::salesforce::Session,
    helpdesk: helpdesk::Connection,
    store: Store<NativeSql>,
    settings: Settings,
}

async fn world() -> anyhow::Result<World> {
    let sandbox = sandbox::start(sandbox::Config::ephemeral()).await?;
    let transport = ReqwestTransport::default();
    let app = sandbox.demo_oauth_app();
    let response = shared::http::Transport::send(
        &transport,
        app.password_grant(sandbox::demo::ADMIN_USERNAME, sandbox::demo::ADMIN_PASSWORD),
    )
    .await?;
    let tokens = shared::salesforce::OAuthApp::parse_token_response(&response)?;
    let helpdesk = helpdesk::Connection {
        base_url: sandbox.helpdesk_url.clone(),
        org_id: sandbox::demo::HELPDESK_ORG_ID.to_owned(),
        access_token: sandbox::demo::HELPDESK_API_TOKEN.to_owned(),
    };
    Ok(World {
        _sandbox: sandbox,
        transport,
        session: shared::salesforce::Session {
            instance_url: tokens.instance_url,
            access_token: tokens.access_token,
        },
        helpdesk,
        store: Store::open(NativeSql::in_memory())?,
        settings: Settings::default(),
    })
}

impl World {
    async fn sync(&self, source: Source, object: ObjectKind, id: &str) -> anyhow::Result<Outcome> {
        let salesforce_client = Client::new(&self.transport, self.session.clone());
        let helpdesk_client =
            helpdesk::Client::new(&self.transport, &self.helpdesk).with_source_id("sfdesk");
        let salesforce = SalesforcePort::load(&salesforce_client).await?;
        let helpdesk = HelpdeskPort::load(&helpdesk_client).await?;
        let engine = Engine {
            store: &self.store,
            salesforce: &salesforce,
            helpdesk: &helpdesk,
            settings: &self.settings,
            now_ms: 1,
        };
        Ok(engine.sync_record(source, object, id).await?)
    }

    fn salesforce(&self) -> Client<'_, ReqwestTransport> {
        Client::new(&self.transport, self.session.clone())
    }

    fn helpdesk(&self) -> helpdesk::Client<'_, ReqwestTransport> {
        helpdesk::Client::new(&self.transport, &self.helpdesk)
    }
}

#[tokio::test]
async fn a_salesforce_contact_reaches_the_helpdesk_and_changes_come_back() -> anyhow::Result<()> {
    let w = world().await?;
    let salesforce = w.salesforce();
    let created = salesforce
        .create("Contact", &json!({"FirstName": "Grace", "LastName": "Hopper", "Email": "grace.hopper@navy.example", "Title": "Rear Admiral"}))
        .await?;

    assert_eq!(
        w.sync(Source::Salesforce, ObjectKind::Contact, created.as_str())
            .await?,
        Outcome::Added
    );
    let found = w
        .helpdesk()
        .search_contacts_by_email("GRACE.HOPPER@navy.example")
        .await?;
    assert_eq!(found.len(), 1, "created once in the helpdesk");
    let contact = &found[0];
    assert_eq!(
        (contact.last_name.as_str(), contact.title.as_deref()),
        ("Hopper", Some("Rear Admiral"))
    );

    // The helpdesk's notification for our own write is not a change.
    assert_eq!(
        w.sync(Source::Helpdesk, ObjectKind::Contact, &contact.id)
            .await?,
        Outcome::Unchanged
    );

    // An agent edits the contact in the helpdesk: two-way sync carries it to Salesforce.
    let edit = ContactDraft {
        title: Some("Commodore".into()),
        ..ContactDraft::default()
    };
    w.helpdesk().update_contact(&contact.id, &edit).await?;
    assert_eq!(
        w.sync(Source::Helpdesk, ObjectKind::Contact, &contact.id)
            .await?,
        Outcome::Updated
    );
    let record: Value = salesforce.get("Contact", &created, &["Title"]).await?;
    assert_eq!(record["Title"], "Commodore");
    Ok(())
}

#[tokio::test]
async fn a_seeded_duplicate_is_linked_by_email_not_created_again() -> anyhow::Result<()> {
    let w = world().await?;
    // The demo data has contacts on both sides with the same emails.
    let salesforce = w.salesforce();
    let page = salesforce
        .query::<PanelContact>(&panel_lookup(&shared::ids::Email::parse(
            "maya.patel@northwind.example",
        )?))
        .await?;
    let maya = page
        .records
        .first()
        .context("Maya Patel is in the demo org")?;
    let before = w
        .helpdesk()
        .search_contacts_by_email("maya.patel@northwind.example")
        .await?
        .len();
    let outcome = w
        .sync(Source::Salesforce, ObjectKind::Contact, maya.id.as_str())
        .await?;
    assert!(
        matches!(outcome, Outcome::Updated | Outcome::Unchanged),
        "{outcome:?}"
    );
    assert_eq!(
        w.helpdesk()
            .search_contacts_by_email("maya.patel@northwind.example")
            .await?
            .len(),
        before.max(1)
    );
    let link = w
        .store
        .link_by_salesforce(ObjectKind::Contact, &maya.id)?
        .context("linked")?;
    assert!(!link.helpdesk_id.is_empty());
    let account: &SfId = maya.account_id.as_ref().context("Maya has an account")?;
    assert!(
        w.store
            .link_by_salesforce(ObjectKind::Account, account)?
            .is_some(),
        "her account was linked first"
    );
    Ok(())
}
