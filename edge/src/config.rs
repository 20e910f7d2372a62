//! Settings from Worker vars and secrets. Pointing the edge at a real Salesforce org and
//! a real Zoho Desk is a matter of these values only (see the README).
//!
//! The helpdesk: each org connects its own through OAuth (`HELPDESK_ACCOUNTS_URL`,
//! `HELPDESK_CLIENT_ID`, the secret `HELPDESK_CLIENT_SECRET`). `HELPDESK_API_URL` and the
//! secret `HELPDESK_API_TOKEN` are only the development fallback for an org that has not
//! connected its helpdesk yet (the sandbox's static token); leave the token unset in
//! production.

use crate::cors::WidgetOrigins;
use crate::error::EdgeError;
use contract::admin::{HELPDESK_OAUTH_CALLBACK_PATH, OAUTH_CALLBACK_PATH};
use contract::context;
use shared::helpdesk::{self, CreditBudget, HelpdeskApp};
use shared::salesforce::OAuthApp;
use shared::seal::Sealer;
use shared::url_tag::UrlTagger;
use worker::Env;

pub struct Config {
    /// Where this edge is reached from outside (webhook URLs are built on it).
    pub public_url: String,
    /// Where the widget's page is hosted (Zoho's hosting for an uploaded extension):
    /// the origins that may call the API from a browser (`WIDGET_ORIGINS`, see [`crate::cors`]).
    pub widget_origins: WidgetOrigins,
    /// The edge's own: signs session tokens and derives installation secrets.
    pub context_secret: String,
    /// Tags the URLs and values handed out for requests without a context token; keyed
    /// from the context secret.
    pub tagger: UrlTagger,
    pub sealer: Sealer,
    /// The Zoho Desk extension's `secret` (its manifest's): keys the `HASH` of lifecycle
    /// callbacks.
    pub extension_secret: String,
    pub salesforce: OAuthApp,
    /// sfdesk as registered with Zoho Accounts, for each org's helpdesk grant.
    pub helpdesk_app: HelpdeskApp,
    /// The share of the helpdesk org's daily credits (and calls at once) the sync may use:
    /// `HELPDESK_SYNC_SHARE_PERCENT`, 80 by default like Salesforce's budget.
    pub helpdesk_sync_budget: CreditBudget,
    helpdesk_api_url: String,
    /// Empty when unset: an org that has not connected its helpdesk then cannot call it.
    helpdesk_api_token: String,
}

/// What sfdesk asks of a helpdesk org: its contacts and accounts, its fields and
/// profiles, webhooks, search, and the Import API (Zoho Desk OAS, each operation's
/// scopes).
pub const HELPDESK_SCOPES: &str = "Desk.contacts.ALL,Desk.basic.READ,Desk.settings.READ,Desk.tickets.READ,Desk.events.ALL,Desk.search.READ,Desk.imports.CUSTOM";

fn read(env: &Env, name: &str) -> Result<String, EdgeError> {
    env.secret(name)
        .map(|s| s.to_string())
        .or_else(|_| env.var(name).map(|v| v.to_string()))
        .map_err(|_| EdgeError::Config(format!("{name} is not set")))
}

impl Config {
    pub fn from_env(env: &Env) -> Result<Self, EdgeError> {
        let public_url = read(env, "PUBLIC_URL")?;
        let context_secret = read(env, "CONTEXT_SECRET")?;
        context::check_secret(context_secret.as_bytes())
            .map_err(|e| EdgeError::Config(format!("CONTEXT_SECRET: {e}")))?;
        Ok(Config {
            public_url: public_url.trim_end_matches('/').to_owned(),
            widget_origins: WidgetOrigins::parse(&read(env, "WIDGET_ORIGINS")?)
                .map_err(|e| EdgeError::Config(format!("WIDGET_ORIGINS: {e}")))?,
            tagger: UrlTagger::derive(context_secret.as_bytes()),
            context_secret,
            sealer: Sealer::from_base64(&read(env, "TOKEN_KEY")?)
                .map_err(|e| EdgeError::Config(format!("TOKEN_KEY: {e}")))?,
            extension_secret: read(env, "ZOHO_EXTENSION_SECRET")?,
            salesforce: OAuthApp {
                login_url: read(env, "SALESFORCE_LOGIN_URL")?,
                client_id: read(env, "SALESFORCE_CLIENT_ID")?,
                client_secret: read(env, "SALESFORCE_CLIENT_SECRET")?,
                redirect_uri: format!("{}{OAUTH_CALLBACK_PATH}", public_url.trim_end_matches('/')),
            },
            helpdesk_app: HelpdeskApp {
                accounts_url: read(env, "HELPDESK_ACCOUNTS_URL")?,
                client_id: read(env, "HELPDESK_CLIENT_ID")?,
                client_secret: read(env, "HELPDESK_CLIENT_SECRET")?,
                redirect_uri: format!(
                    "{}{HELPDESK_OAUTH_CALLBACK_PATH}",
                    public_url.trim_end_matches('/')
                ),
                scopes: HELPDESK_SCOPES.into(),
            },
            helpdesk_sync_budget: match read(env, "HELPDESK_SYNC_SHARE_PERCENT") {
                Err(_) => CreditBudget::default(),
                Ok(text) => text
                    .trim()
                    .parse::<u8>()
                    .ok()
                    .filter(|p| *p <= 100)
                    .map(CreditBudget::Percent)
                    .ok_or_else(|| {
                        EdgeError::Config(format!(
                            "HELPDESK_SYNC_SHARE_PERCENT: {text:?} is not a percentage"
                        ))
                    })?,
            },
            helpdesk_api_url: read(env, "HELPDESK_API_URL")?,
            helpdesk_api_token: read(env, "HELPDESK_API_TOKEN").unwrap_or_default(),
        })
    }

    /// The helpdesk API as helpdesk org `org` with the shared development token: only
    /// while the org has not connected its own helpdesk.
    pub fn helpdesk_fallback(&self, org: &str) -> helpdesk::Connection {
        helpdesk::Connection {
            base_url: self.helpdesk_api_url.clone(),
            org_id: org.to_owned(),
            access_token: self.helpdesk_api_token.clone(),
        }
    }
}
