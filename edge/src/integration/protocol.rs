//! What the Worker asks of an org's Durable Object, and what it answers. The object is
//! addressed by the helpdesk org's id, and every request names the org once, in its
//! [`Envelope`]: no command carries it.

use crate::config::Config;
use crate::error::EdgeError;
use contract::admin::{ProfilePermissions, RetryRequest, SaveSettings};
use contract::api::{Action, ErrorBody, PanelQuery};
use contract::context::ContextClaims;
use contract::ids::SfId;
use contract::panel_fields::PanelFields;
use contract::side::Side;
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use shared::url_tag::Purpose;
use worker::{Env, Method, Request, RequestInit};

const BINDING: &str = "INTEGRATION";

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    /// `query`: the agent's pick among several contacts, a record opened instead, and
    /// whether to bypass the cache (the refresh button).
    Panel {
        claims: ContextClaims,
        query: PanelQuery,
    },
    /// Remembers `contact` as the requester of the context's ticket.
    ChooseContact {
        claims: ContextClaims,
        contact: SfId,
    },
    /// Salesforce records whose name contains `text` → `Vec<SearchHit>`.
    PanelSearch { claims: ContextClaims, text: String },
    /// One of the panel's actions on Salesforce, on `record` (the record in view) where
    /// it is about one → `ActionDone`.
    Act {
        claims: ContextClaims,
        action: Action,
        record: Option<SfId>,
    },
    /// Every helpdesk profile with its permissions, as the org's helpdesk connection
    /// lists them → `Vec<ProfilePermissions>`.
    ListPermissions,
    /// Stores one profile's permissions, the helpdesk's profile of that id → the saved
    /// `ProfilePermissions`.
    SavePermissions { permissions: ProfilePermissions },
    /// A one-time code for the OAuth start of `side` → `StartCode`. The Worker checked
    /// the admin role.
    IssueStartCode { side: Side },
    /// Consumes `start_code`. `browser_nonce`: the value of the cookie set on the browser
    /// that starts the flow.
    BeginOAuth {
        start_code: String,
        browser_nonce: String,
        side: Side,
    },
    /// `browser_nonce`: the callback's cookie, which must be the starting browser's.
    CompleteOAuth {
        state: String,
        code: String,
        browser_nonce: String,
    },
    /// The helpdesk's callback → `ConnectedHelpdesk`; `accounts_server`: the data
    /// centre Zoho named.
    CompleteHelpdeskOAuth {
        state: String,
        code: String,
        accounts_server: Option<String>,
        browser_nonce: String,
    },
    /// Needs the admin role; the Worker has checked it.
    Admin { request: AdminRequest },
    /// A helpdesk webhook delivery, unverified: the Durable Object holds the keys.
    HelpdeskWebhook { token: Option<String>, body: String },
    /// A Salesforce Outbound Message with the secret `key` of its URL.
    SalesforceOutbound { key: String, body: String },
    /// Zoho Desk installed the extension in this org (its `onInstall` callback, whose
    /// `HASH` the Worker checked).
    Install { security_context: String },
    /// Whether the extension is installed here → `Installed`.
    Installation,
    /// Zoho Desk uninstalled the extension here (its `onUninstall` callback, `HASH`
    /// checked): the integration is erased, as deleting it does, and the installation.
    Uninstall,
}

/// What an admin asks of the org's integration.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "request", rename_all = "snake_case")]
pub enum AdminRequest {
    Status,
    Settings,
    SaveSettings(SaveSettings),
    Start,
    Pause,
    Resume,
    History,
    Failures,
    /// The panel's fields: the admin's choice and what the org offers.
    PanelFields,
    SavePanelFields(PanelFields),
    Retry(RetryRequest),
    /// The change notifications sfdesk set up in Salesforce → `NotificationSetup`.
    Notifications,
    /// Sets them up (an Outbound Message and an active Flow per object) → `NotificationSetup`.
    SetUpNotifications,
    /// Removes them → `NotificationSetup`.
    RemoveNotifications,
    /// Revokes and unsubscribes; the Durable Object then erases its storage.
    Delete,
    /// The drift check → `DriftView`.
    Drift,
    /// Starts a drift check now → `DriftView`.
    CheckDrift,
}

/// A helpdesk profile, as the helpdesk lists it. `kind`: the helpdesk's `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileRef {
    pub id: String,
    pub name: String,
    pub kind: Option<String>,
}

/// A request to the Durable Object: the command, and the helpdesk org it is for. The
/// object's own name (`state.id().name()`) would say the org, but the local runtime
/// (workerd under `wrangler dev`) does not hand it to an object that an alarm woke after a
/// restart, nor to the requests that object then answers.
#[derive(Serialize, Deserialize)]
struct Envelope<O, C> {
    org: O,
    command: C,
}

/// How many notifications a webhook delivery stored.
#[derive(Debug, Serialize, Deserialize)]
pub struct Stored {
    pub stored: usize,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct AuthorizeRedirect {
    pub authorize_url: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ConnectedOrg {
    pub instance_url: String,
    pub salesforce_org_id: String,
    pub salesforce_user_id: String,
}

/// Sends `command` to the Durable Object of helpdesk org `org` and decodes its answer;
/// an error answer comes back as the [`EdgeError::Remote`] it already is.
pub async fn call<R: DeserializeOwned>(
    env: &Env,
    org: &str,
    command: &Command,
) -> Result<R, EdgeError> {
    Ok(send(env, org, command).await?.json().await?)
}

/// [`call`] for commands that answer with no body.
pub async fn call_no_content(env: &Env, org: &str, command: &Command) -> Result<(), EdgeError> {
    send(env, org, command).await.map(drop)
}

async fn send(env: &Env, org: &str, command: &Command) -> Result<worker::Response, EdgeError> {
    let stub = env.durable_object(BINDING)?.get_by_name(org)?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_body(Some(
        serde_json::to_string(&Envelope { org, command })
            .expect("commands serialize")
            .into(),
    ));
    let mut response = stub
        .fetch_with_request(Request::new_with_init("https://integration/", &init)?)
        .await?;
    if (200..300).contains(&response.status_code()) {
        Ok(response)
    } else {
        let body: ErrorBody = response.json().await?;
        Err(EdgeError::Remote(body.error))
    }
}

/// The org and the command of a request [`send`] made, as the Durable Object reads them.
pub async fn receive(request: &mut Request) -> Result<(String, Command), EdgeError> {
    let Envelope { org, command } = request
        .json()
        .await
        .map_err(|e| EdgeError::BadRequest(format!("malformed command: {e}")))?;
    Ok((org, command))
}

/// OAuth `state` values and start codes are `<helpdesk org>.<random>.<tag>`, so the
/// requests that bring them, with no context token, can find the org whose Durable
/// Object issued them; the tag lets the Worker refuse forged ones without asking it.
pub fn new_org_token(config: &Config, purpose: Purpose, org: &str) -> String {
    let random = shared::random_token();
    config.tagger.sign(purpose, &format!("{org}.{random}"))
}

/// The org of a [`new_org_token`], if its tag checks out.
pub fn org_of_token(config: &Config, purpose: Purpose, token: &str) -> Option<String> {
    let (org, random) = config.tagger.open(purpose, token)?.rsplit_once('.')?;
    (is_org_id(org) && random.len() == 32).then(|| org.to_owned())
}

/// Whether `org` can be a helpdesk org id (as URLs without a context token carry them).
pub fn is_org_id(org: &str) -> bool {
    !org.is_empty()
        && org.len() <= 64
        && org
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
