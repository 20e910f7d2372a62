//! The helpdesk's OAuth (Zoho Accounts' shape) against the sandbox: an admin's consent,
//! the code exchange in the data centre the callback names, an expired access token
//! renewed in the middle of a call with nothing failing (once for two clients), and a
//! revoked grant reported as [`HelpdeskError::Revoked`].

use super::support::sandbox;
use sandbox::{Sandbox, demo};
use shared::helpdesk::{
    Client, Connection, Grant, HelpdeskApp, HelpdeskError, TokenAnswer, TokenKeeper,
};
use shared::http::{ReqwestTransport, Transport};
use std::sync::Mutex;

fn app(sandbox: &Sandbox) -> HelpdeskApp {
    HelpdeskApp {
        accounts_url: sandbox.helpdesk_url.clone(),
        client_id: demo::HELPDESK_CLIENT_ID.into(),
        client_secret: demo::HELPDESK_CLIENT_SECRET.into(),
        redirect_uri: sandbox.helpdesk_oauth_redirect_uri(),
        scopes: demo::HELPDESK_SCOPES.into(),
    }
}

/// The org's admin consents in the browser: the query of the redirect back to sfdesk.
async fn consent(sandbox: &Sandbox, app: &HelpdeskApp, org: &str) -> Vec<(String, String)> {
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = browser
        .get(app.authorize_url("state-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200, "the consent page renders");
    let html = page.text().await.unwrap();
    let mut form: Vec<(String, String)> = html
        .split("<input type=\"hidden\" ")
        .skip(1)
        .map(|tag| {
            let attr = |name: &str| {
                let start = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                let value = &tag[start..start + tag[start..].find('"').unwrap()];
                value.replace("&amp;", "&").replace("&quot;", "\"")
            };
            (attr("name"), attr("value"))
        })
        .collect();
    let admin = sandbox.helpdesk().desk_of(org).unwrap().agents[0]
        .email_id
        .clone();
    form.push(("email".into(), admin));
    form.push(("password".into(), demo::HELPDESK_AGENT_PASSWORD.into()));
    form.push(("action".into(), "accept".into()));
    let back = browser
        .post(format!("{}/oauth/v2/auth", sandbox.helpdesk_url))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(back.status(), 302);
    let location = back.headers()["location"].to_str().unwrap();
    let location = url::Url::parse(location).unwrap();
    assert!(location.as_str().starts_with(&app.redirect_uri));
    location.query_pairs().into_owned().collect()
}

/// The tokens of `org`'s admin's consent, exchanged where the callback says.
async fn connect(sandbox: &Sandbox, app: &HelpdeskApp, org: &str) -> (TokenAnswer, String) {
    let query = consent(sandbox, app, org).await;
    let named = |key: &str| {
        query
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value.clone())
    };
    assert_eq!(named("state").as_deref(), Some("state-1"));
    let accounts_server = app
        .trusted_accounts_server(named("accounts-server").as_deref())
        .expect("the sandbox is the configured accounts server");
    let code = named("code").expect("a code");
    let answer = ReqwestTransport::default()
        .send(app.code_exchange(&accounts_server, &code))
        .await
        .unwrap();
    let tokens = HelpdeskApp::parse_token_answer(&answer).unwrap();
    assert!(tokens.refresh_token.is_some(), "an offline grant");
    assert_eq!(tokens.expires_in, 3600);
    (tokens, accounts_server)
}

/// Keeps the org's token in memory, as the edge keeps it sealed.
struct Kept {
    turn: futures_util::lock::Mutex<()>,
    token: Mutex<String>,
    renewals: Mutex<u32>,
}

impl TokenKeeper for Kept {
    fn renewal_turn(&self) -> &futures_util::lock::Mutex<()> {
        &self.turn
    }

    fn current(&self) -> Result<Option<String>, HelpdeskError> {
        Ok(Some(self.token.lock().unwrap().clone()))
    }

    fn keep(&self, access_token: &str) -> Result<(), HelpdeskError> {
        *self.token.lock().unwrap() = access_token.to_owned();
        *self.renewals.lock().unwrap() += 1;
        Ok(())
    }
}

#[tokio::test]
async fn an_expired_token_is_renewed_once_and_a_revoked_grant_says_reconnect() {
    let sandbox = sandbox().await;
    let app = app(&sandbox);
    let org = demo::SECOND_HELPDESK_ORG_ID;
    let (tokens, accounts_server) = connect(&sandbox, &app, org).await;
    let connection = Connection {
        base_url: tokens.api_domain.clone(),
        org_id: org.into(),
        access_token: tokens.access_token.clone(),
    };
    let grant = Grant {
        accounts_server,
        refresh_token: tokens.refresh_token.clone().unwrap(),
    };
    let kept = Kept {
        turn: futures_util::lock::Mutex::new(()),
        token: Mutex::new(tokens.access_token.clone()),
        renewals: Mutex::new(0),
    };
    let transport = ReqwestTransport::default();
    let client = Client::new(&transport, &connection).with_kept_token(&app, grant.clone(), &kept);
    let admin = client.myinfo().await.unwrap();
    assert_eq!(client.calls(), 1);

    sandbox.expire_helpdesk_tokens();
    assert_eq!(
        client.myinfo().await.unwrap().id,
        admin.id,
        "renewed, no error"
    );
    assert_eq!(*kept.renewals.lock().unwrap(), 1);
    assert_eq!(
        client.calls(),
        4,
        "the refused call, the refresh, the call again"
    );
    // Another client still holding the old token takes the kept renewal.
    let other = Client::new(&transport, &connection).with_kept_token(&app, grant.clone(), &kept);
    other.myinfo().await.unwrap();
    assert_eq!(*kept.renewals.lock().unwrap(), 1, "no second renewal");
    assert_eq!(other.calls(), 2, "the refused call and the call again");

    sandbox.helpdesk().revoke_org_grants(org);
    assert_eq!(client.myinfo().await, Err(HelpdeskError::Revoked));
    assert!(HelpdeskError::Revoked.needs_reconnect());
    // Without a grant to renew with, an expired token is the helpdesk's own refusal.
    let bare = Client::new(&transport, &connection);
    assert!(matches!(
        bare.myinfo().await,
        Err(HelpdeskError::Unauthorized { code, .. }) if code == "INVALID_OAUTH"
    ));
}

#[tokio::test]
async fn a_callback_naming_an_unknown_accounts_server_gets_no_secret() {
    let sandbox = sandbox().await;
    let app = app(&sandbox);
    assert_eq!(
        app.trusted_accounts_server(Some("https://accounts.attacker.example")),
        None
    );
    // The revoke of a grant ends it: its refresh is refused as Zoho refuses it.
    let (tokens, accounts_server) = connect(&sandbox, &app, demo::HELPDESK_ORG_ID).await;
    let grant = Grant {
        accounts_server,
        refresh_token: tokens.refresh_token.unwrap(),
    };
    let transport = ReqwestTransport::default();
    let revoked = transport.send(HelpdeskApp::revoke(&grant)).await.unwrap();
    assert_eq!(revoked.status, 200);
    let refused = transport.send(app.refresh(&grant)).await.unwrap();
    assert_eq!(
        HelpdeskApp::parse_token_answer(&refused),
        Err(HelpdeskError::OAuth {
            error: "invalid_code".into()
        })
    );
}
