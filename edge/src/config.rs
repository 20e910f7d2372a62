//! Settings from Worker vars and secrets. Pointing the edge at a real Salesforce org is a
//! matter of these values only (see the README).

use crate::error::EdgeError;
use contract::admin::OAUTH_CALLBACK_PATH;
use contract::context;
use shared::helpdesk;
use shared::salesforce::OAuthApp;
use shared::seal::Sealer;
use shared::url_tag::UrlTagger;
use worker::Env;

pub struct Config {
    /// Where this edge is reached from outside (webhook URLs are built on it).
    pub public_url: String,
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
    helpdesk_api_url: String,
    helpdesk_api_token: String,
}

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
            helpdesk_api_url: read(env, "HELPDESK_API_URL")?,
            helpdesk_api_token: read(env, "HELPDESK_API_TOKEN")?,
        })
    }

    /// The helpdesk API as helpdesk org `org`.
    pub fn helpdesk(&self, org: &str) -> helpdesk::Connection {
        helpdesk::Connection {
            base_url: self.helpdesk_api_url.clone(),
            org_id: org.to_owned(),
            access_token: self.helpdesk_api_token.clone(),
        }
    }
}
