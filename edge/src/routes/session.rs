//! The widget's session: who is looking, established through the helpdesk itself.
//!
//! The widget calls [`contract::context::SESSION_PATH`] through Zoho Desk's proxy
//! (`ZOHODESK.request`), which fills the installation's secret (a secure extension
//! parameter, never in the browser) and attaches the agent's own helpdesk OAuth token (the
//! extension's connection). The edge then
//!
//! 1. checks the installation secret against the org the request names, and that the
//!    extension is installed there (its `onInstall` bound the org);
//! 2. asks the helpdesk whose token it is (`myinfo`) and what their profile is (name and
//!    type): the agent the widget names must be that one;
//! 3. reads the record in view with the same token (a ticket's requester and account, a
//!    contact's email and account, an account's name): what the browser says is only an
//!    id, and an agent who cannot read the record gets no session for it;
//! 4. signs its own short-lived session token ([`contract::context`]), which every later
//!    call carries.
//!
//! The helpdesk's answers to 2 and 3 are reused for a minute for the same agent token
//! (never across tokens): an agent reopening a record is spared those reads.
//!
//! The installation secret reaches Zoho the one way Zoho Desk offers for a secure
//! parameter that is not the admin's to type: the extension sets it from its widget
//! (`ZOHODESK.set("extension.config", ...)`, Zoho Desk extension guide, "Set param
//! values"). Until then the proxy sends it empty and the edge answers
//! [`context::INSTALLATION_UNFINISHED`]; an administrator's widget then asks
//! [`installation_secret`] for it, through the proxy with their own helpdesk token, sets
//! it, and asks for its session again. Agents who open sfdesk before that are told to wait
//! for an administrator.

use crate::config::Config;
use crate::error::EdgeError;
use crate::fetch_transport::WorkerFetch;
use crate::integration::{self, Command, Installed, is_org_id};
use contract::context::{
    self, ContextClaims, INSTALLATION_HEADER, InstallationSecret, InstallationSecretRequest,
    RecordInView, Role, Session, SessionRequest,
};
use contract::ids::Email;
use sha2::{Digest, Sha256};
use shared::helpdesk::{self, HelpdeskError, RetryPolicy};
use std::cell::RefCell;
use std::collections::HashMap;
use std::time::Duration;
use worker::{Env, Request, Response};

/// How long the helpdesk's word is reused for the same agent token: who its agent is, and
/// what the record in view names (a ticket's requester and account). A changed profile,
/// requester or access shows within it, as the panel's own cache shows a Salesforce change
/// within a minute; an agent reopening a record within it is spared the helpdesk reads.
const HELPDESK_WORD_TTL_MS: u64 = 60_000;

/// The agent a helpdesk token belongs to, as the helpdesk says.
#[derive(Clone)]
struct Identity {
    agent: String,
    profile_id: String,
    profile_name: String,
    role: Role,
}

/// An org and the SHA-256 of an agent's helpdesk token: whose word a cached answer is.
type TokenKey = (String, [u8; 32]);

/// The record in view as a key: ticket, contact, account.
type RecordKey = (Option<String>, Option<String>, Option<String>);

/// Answers of the helpdesk by what was asked, with when they stop being reused.
type Reused<K, V> = RefCell<HashMap<K, (V, u64)>>;

thread_local! {
    static IDENTITIES: Reused<TokenKey, Identity> = RefCell::new(HashMap::new());
    static VIEWS: Reused<(TokenKey, RecordKey), View> = RefCell::new(HashMap::new());
}

/// `cache`'s answer for `key` while it is fresh, else `read`'s, kept for
/// [`HELPDESK_WORD_TTL_MS`] (an error is never kept).
async fn reused<K, V>(
    cache: &'static std::thread::LocalKey<Reused<K, V>>,
    key: K,
    read: impl Future<Output = Result<V, EdgeError>>,
) -> Result<V, EdgeError>
where
    K: std::hash::Hash + Eq,
    V: Clone,
{
    let now = worker::Date::now().as_millis();
    let cached = cache.with_borrow(|entries| {
        entries
            .get(&key)
            .filter(|(_, until)| *until > now)
            .map(|(value, _)| value.clone())
    });
    if let Some(value) = cached {
        return Ok(value);
    }
    let value = read.await?;
    cache.with_borrow_mut(|entries| {
        entries.retain(|_, (_, until)| *until > now);
        entries.insert(key, (value.clone(), now + HELPDESK_WORD_TTL_MS));
    });
    Ok(value)
}

pub async fn start(
    mut request: Request,
    env: &Env,
    config: &Config,
) -> Result<Response, EdgeError> {
    let secret = request.headers().get(INSTALLATION_HEADER)?;
    let asked: SessionRequest = request.json().await.map_err(|e| {
        EdgeError::BadRequest(format!(
            "expected {{\"org\", \"agent\", and \"ticket\", \"contact\" or \"account\"}}: {e}"
        ))
    })?;
    if !is_org_id(&asked.org) {
        return Err(EdgeError::BadRequest("org is not a helpdesk org id".into()));
    }
    let secret = secret.ok_or(EdgeError::Unauthenticated(
        "The session request carries no installation secret: open sfdesk from its Zoho Desk extension.",
    ))?;
    if context::installation_secret_is_unset(&secret) {
        return Err(EdgeError::Unauthenticated(context::INSTALLATION_UNFINISHED));
    }
    if !context::installation_secret_matches(config.context_secret.as_bytes(), &asked.org, &secret)
    {
        return Err(EdgeError::Unauthenticated(
            "The installation secret is not this helpdesk org's: reinstall the sfdesk extension.",
        ));
    }
    let connection = as_agent(&request, env, config, &asked.org).await?;
    let client = client(&connection);
    let token = token_key(&asked.org, &connection.access_token);
    let who = reused(&IDENTITIES, token.clone(), identity(&client)).await?;
    if who.agent != asked.agent {
        return Err(EdgeError::Forbidden(
            "The helpdesk says this token is another agent's: reload the page.",
        ));
    }
    if asked
        .profile_id
        .as_ref()
        .is_some_and(|p| *p != who.profile_id)
    {
        return Err(EdgeError::Forbidden(
            "The helpdesk reports another profile for this agent: reload the page.",
        ));
    }
    let record = asked.view.clone();
    let record_key = (
        record.ticket.clone(),
        record.contact.clone(),
        record.account,
    );
    let view = reused(&VIEWS, (token, record_key), in_view(&client, &asked.view)).await?;
    let now = worker::Date::now().as_millis() / 1000;
    let claims = ContextClaims {
        org: asked.org,
        agent: who.agent,
        profile_id: who.profile_id,
        profile_name: who.profile_name,
        role: who.role,
        ticket: view.ticket,
        requester: view.requester,
        account: view.account,
        aud: context::AUDIENCE.into(),
        iat: now,
        exp: now + context::DEFAULT_TTL_SECS,
    };
    Ok(Response::from_json(&Session {
        token: context::sign(&claims, config.context_secret.as_bytes()),
        expires_at: claims.exp,
    })?)
}

/// The installation secret of the org, for an administrator's widget to set as the
/// extension's secure parameter (see [`context::INSTALL_SECRET_PARAM`]): asked through
/// Zoho's proxy with the administrator's own helpdesk token, for an org whose `onInstall`
/// Zoho signed. An agent's token for another org is the helpdesk's to refuse.
pub async fn installation_secret(
    mut request: Request,
    env: &Env,
    config: &Config,
) -> Result<Response, EdgeError> {
    let asked: InstallationSecretRequest = request
        .json()
        .await
        .map_err(|e| EdgeError::BadRequest(format!("expected {{\"org\"}}: {e}")))?;
    if !is_org_id(&asked.org) {
        return Err(EdgeError::BadRequest("org is not a helpdesk org id".into()));
    }
    let connection = as_agent(&request, env, config, &asked.org).await?;
    let key = token_key(&asked.org, &connection.access_token);
    let who = reused(&IDENTITIES, key, identity(&client(&connection))).await?;
    if who.role != Role::Admin {
        return Err(EdgeError::Forbidden(
            "sfdesk's installation is not finished: an administrator of this helpdesk opens sfdesk once to finish it.",
        ));
    }
    Ok(Response::from_json(&InstallationSecret {
        secret: context::installation_secret(config.context_secret.as_bytes(), &asked.org),
    })?)
}

/// The org's helpdesk API as the agent whose own token Zoho's proxy attached (the
/// extension's connection), for an org where the extension is installed.
async fn as_agent(
    request: &Request,
    env: &Env,
    config: &Config,
    org: &str,
) -> Result<helpdesk::Connection, EdgeError> {
    let token = request
        .headers()
        .get("Authorization")?
        .and_then(|value| value.strip_prefix("Zoho-oauthtoken ").map(str::to_owned))
        .ok_or(EdgeError::Unauthenticated(
            "The request carries no helpdesk token: authorise the sfdesk extension's connection.",
        ))?;
    let Installed {
        installed,
        api_base,
    } = integration::call(env, org, &Command::Installation).await?;
    if !installed {
        return Err(EdgeError::Forbidden(
            "The sfdesk extension is not installed in this helpdesk org: install it first.",
        ));
    }
    // The agent's own token, at the org's data centre (a token of desk.zoho.eu is
    // refused by desk.zoho.com).
    Ok(helpdesk::Connection {
        base_url: api_base,
        access_token: token,
        ..config.helpdesk_fallback(org)
    })
}

/// A client of the helpdesk on `connection` that gives up quickly: an agent is waiting.
fn client(connection: &helpdesk::Connection) -> helpdesk::Client<'_, WorkerFetch> {
    helpdesk::Client::new(&WorkerFetch, connection).with_retry(RetryPolicy {
        max_attempts: 2,
        max_retry_after: Duration::from_secs(2),
        ..RetryPolicy::default()
    })
}

/// A helpdesk answer as the caller may read it: the token refused is a 401, the record
/// refused a 403, anything else the helpdesk's trouble.
fn refused(error: HelpdeskError, what: &'static str) -> EdgeError {
    match &error {
        HelpdeskError::Unauthorized { .. } => EdgeError::Unauthenticated(
            "The helpdesk does not accept this agent token for this org: reload the page.",
        ),
        HelpdeskError::Api { status, .. } if (400..500).contains(status) => {
            EdgeError::Forbidden(what)
        }
        _ => {
            worker::console_error!("session: the helpdesk failed: {error}");
            EdgeError::Helpdesk("The helpdesk did not answer just now. Try again in a moment.")
        }
    }
}

fn token_key(org: &str, token: &str) -> TokenKey {
    (org.to_owned(), Sha256::digest(token.as_bytes()).into())
}

/// Who the token's agent is, as the helpdesk says.
async fn identity(client: &helpdesk::Client<'_, WorkerFetch>) -> Result<Identity, EdgeError> {
    const NO_PROFILE: &str = "The helpdesk does not show this agent's profile.";
    let me = client.myinfo().await.map_err(|e| refused(e, NO_PROFILE))?;
    let profile = client
        .profile(&me.profile_id)
        .await
        .map_err(|e| refused(e, NO_PROFILE))?;
    Ok(Identity {
        agent: me.id,
        role: match profile.kind.as_deref() {
            Some("Administrator") => Role::Admin,
            _ => Role::Agent,
        },
        profile_id: profile.id,
        profile_name: profile.name,
    })
}

/// What the session names of the record in view, read from the helpdesk.
#[derive(Clone, Default)]
struct View {
    ticket: Option<String>,
    requester: Option<Email>,
    account: Option<String>,
}

async fn in_view(
    client: &helpdesk::Client<'_, WorkerFetch>,
    record: &RecordInView,
) -> Result<View, EdgeError> {
    const HIDDEN: &str = "The helpdesk does not show you this record.";
    let email = |text: Option<String>| text.and_then(|t| Email::parse(&t).ok());
    let account_name = |id: Option<String>| async move {
        match id {
            Some(id) => client
                .account(&id)
                .await
                .map(|a| Some(a.account_name))
                .map_err(|e| refused(e, HIDDEN)),
            None => Ok(None),
        }
    };
    Ok(match record {
        RecordInView {
            ticket: Some(id), ..
        } => {
            let ticket = client
                .ticket_requester(id)
                .await
                .map_err(|e| refused(e, HIDDEN))?;
            View {
                requester: email(ticket.email),
                account: account_name(ticket.account_id).await?,
                ticket: Some(ticket.id),
            }
        }
        RecordInView {
            contact: Some(id), ..
        } => {
            let contact = client.contact(id).await.map_err(|e| refused(e, HIDDEN))?;
            View {
                requester: email(contact.email),
                account: account_name(contact.account_id).await?,
                ticket: None,
            }
        }
        RecordInView {
            account: Some(id), ..
        } => View {
            account: account_name(Some(id.clone())).await?,
            ..View::default()
        },
        _ => View::default(),
    })
}
