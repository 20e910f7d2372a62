//! Zoho Accounts' OAuth 2.0 authorization-code flow, as the helpdesk org's admin grants
//! sfdesk access (zoho.com/accounts/protocol/oauth/web-apps/authorization.html and
//! .../access-token.html, .../revoke-refresh-token.html, .../multi-dc.html).
//!
//! A grant lives in one data centre: the callback names its accounts server
//! (`accounts-server`), the token answer its API domain (`api_domain`), and both are kept
//! per org: the refresh and revoke go to that accounts server, API calls to that domain.
//! The real data centres (accounts server / Desk API):
//! US `accounts.zoho.com` / `desk.zoho.com`, EU `accounts.zoho.eu` / `desk.zoho.eu`,
//! IN `accounts.zoho.in` / `desk.zoho.in`, AU `accounts.zoho.com.au` / `desk.zoho.com.au`,
//! JP `accounts.zoho.jp` / `desk.zoho.jp`, CA `accounts.zohocloud.ca` / `desk.zohocloud.ca`,
//! CN `accounts.zoho.com.cn` / `desk.zoho.com.cn`.

use super::error::HelpdeskError;
use crate::http::{HttpRequest, HttpResponse};
use serde::Deserialize;

/// The accounts servers of Zoho's data centres (Accounts, multi-dc).
pub const ACCOUNTS_SERVERS: &[&str] = &[
    "https://accounts.zoho.com",
    "https://accounts.zoho.eu",
    "https://accounts.zoho.in",
    "https://accounts.zoho.com.au",
    "https://accounts.zoho.jp",
    "https://accounts.zohocloud.ca",
    "https://accounts.zoho.com.cn",
];

/// sfdesk as a client registered with Zoho Accounts (the API console's "server-based
/// application").
#[derive(Debug, Clone)]
pub struct HelpdeskApp {
    /// Where the admin's browser signs in (the US server: Zoho sends a user of another
    /// data centre on and names it in the callback); the sandbox's URL locally.
    pub accounts_url: String,
    pub client_id: String,
    pub client_secret: String,
    pub redirect_uri: String,
    /// Comma-separated `Desk.<area>.<operation>` scopes.
    pub scopes: String,
}

/// A successful token answer. Errors come back as HTTP 200 with `{"error"}` (Accounts,
/// access-token), so they are read before this shape.
#[derive(Clone, PartialEq, Eq, Deserialize)]
pub struct TokenAnswer {
    pub access_token: String,
    /// Only from the code exchange, and only with `access_type=offline`.
    #[serde(default)]
    pub refresh_token: Option<String>,
    /// The Desk API's base URL in the grant's data centre.
    pub api_domain: String,
    /// Seconds the access token is good for (3600).
    pub expires_in: u64,
    #[serde(default)]
    pub scope: Option<String>,
}

impl std::fmt::Debug for TokenAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenAnswer")
            .field("api_domain", &self.api_domain)
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

/// A grant as kept: where to renew it, and with what.
#[derive(Clone, PartialEq, Eq)]
pub struct Grant {
    pub accounts_server: String,
    pub refresh_token: String,
}

impl std::fmt::Debug for Grant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Grant")
            .field("accounts_server", &self.accounts_server)
            .finish_non_exhaustive()
    }
}

/// The org's access token as kept beyond one client (the edge keeps it sealed in the
/// org's Durable Object). Clients working at once for the org renew an expired token once
/// between them: one renews while the others wait their turn and take its renewal.
pub trait TokenKeeper {
    /// Held by the client that renews.
    fn renewal_turn(&self) -> &futures_util::lock::Mutex<()>;
    /// The access token as stored now.
    fn current(&self) -> Result<Option<String>, HelpdeskError>;
    /// Stores a renewed access token.
    fn keep(&self, access_token: &str) -> Result<(), HelpdeskError>;
}

#[derive(Deserialize)]
struct ErrorAnswer {
    error: String,
}

fn endpoint(accounts_server: &str, path: &str) -> String {
    format!("{}/oauth/v2/{path}", accounts_server.trim_end_matches('/'))
}

impl HelpdeskApp {
    /// Where to send the admin's browser to sign in and consent; `access_type=offline`
    /// asks for a refresh token, `prompt=consent` for a new one on a reconnect.
    pub fn authorize_url(&self, state: &str) -> String {
        let query = serde_urlencoded::to_string([
            ("response_type", "code"),
            ("client_id", self.client_id.as_str()),
            ("redirect_uri", self.redirect_uri.as_str()),
            ("scope", self.scopes.as_str()),
            ("access_type", "offline"),
            ("prompt", "consent"),
            ("state", state),
        ])
        .expect("string pairs encode");
        format!("{}?{query}", endpoint(&self.accounts_url, "auth"))
    }

    /// The accounts server a callback named, if it is one sfdesk may send its client
    /// secret to: a Zoho data centre's, or the configured one. Anything else is a forged
    /// callback fishing for the secret.
    pub fn trusted_accounts_server(&self, named: Option<&str>) -> Option<String> {
        let named = named
            .unwrap_or(&self.accounts_url)
            .trim_end_matches('/')
            .to_owned();
        let configured = self.accounts_url.trim_end_matches('/');
        (named == configured || ACCOUNTS_SERVERS.contains(&named.as_str())).then_some(named)
    }

    pub fn code_exchange(&self, accounts_server: &str, code: &str) -> HttpRequest {
        HttpRequest::post_form(
            endpoint(accounts_server, "token"),
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("client_id", &self.client_id),
                ("client_secret", &self.client_secret),
                ("redirect_uri", &self.redirect_uri),
            ],
        )
    }

    pub fn refresh(&self, grant: &Grant) -> HttpRequest {
        HttpRequest::post_form(
            endpoint(&grant.accounts_server, "token"),
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", &grant.refresh_token),
                ("client_id", &self.client_id),
                ("client_secret", &self.client_secret),
            ],
        )
    }

    /// Ends the grant (and its access tokens), as deleting the integration does.
    pub fn revoke(grant: &Grant) -> HttpRequest {
        HttpRequest::post_form(
            endpoint(&grant.accounts_server, "token/revoke"),
            &[("token", &grant.refresh_token)],
        )
    }

    /// A token answer, its refusal typed: `invalid_code` on a refresh means the grant is
    /// gone (revoked, or the admin removed the app) and only connecting again helps.
    pub fn parse_token_answer(response: &HttpResponse) -> Result<TokenAnswer, HelpdeskError> {
        if response.status >= 500 {
            return Err(HelpdeskError::Unavailable {
                status: response.status,
            });
        }
        if let Ok(ErrorAnswer { error }) = serde_json::from_slice(&response.body) {
            return Err(HelpdeskError::OAuth { error });
        }
        serde_json::from_slice(&response.body).map_err(|e| {
            HelpdeskError::Decode(format!("token answer, HTTP {}: {e}", response.status))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app() -> HelpdeskApp {
        HelpdeskApp {
            accounts_url: "https://accounts.zoho.com/".into(),
            client_id: "1000.CID".into(),
            client_secret: "secret".into(),
            redirect_uri: "https://edge.example/helpdesk/oauth/callback".into(),
            scopes: "Desk.contacts.ALL,Desk.basic.READ".into(),
        }
    }

    fn answer(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: Vec::new(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn authorize_url_asks_for_an_offline_grant() {
        let url = url::Url::parse(&app().authorize_url("st&te")).unwrap();
        assert_eq!(url.host_str(), Some("accounts.zoho.com"));
        assert_eq!(url.path(), "/oauth/v2/auth");
        let pairs: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(pairs["state"], "st&te");
        assert_eq!(pairs["access_type"], "offline");
        assert_eq!(pairs["scope"], "Desk.contacts.ALL,Desk.basic.READ");
        assert_eq!(pairs["redirect_uri"], app().redirect_uri);
    }

    #[test]
    fn only_zoho_data_centres_or_the_configured_server_get_the_secret() {
        let app = app();
        assert_eq!(
            app.trusted_accounts_server(Some("https://accounts.zoho.eu")),
            Some("https://accounts.zoho.eu".into())
        );
        assert_eq!(
            app.trusted_accounts_server(None),
            Some("https://accounts.zoho.com".into())
        );
        assert_eq!(
            app.trusted_accounts_server(Some("https://accounts.zoho.evil.example")),
            None
        );
    }

    #[test]
    fn refresh_and_revoke_go_to_the_grants_data_centre() {
        let grant = Grant {
            accounts_server: "https://accounts.zoho.in".into(),
            refresh_token: "1000.r".into(),
        };
        assert_eq!(
            app().refresh(&grant).url,
            "https://accounts.zoho.in/oauth/v2/token"
        );
        assert_eq!(
            HelpdeskApp::revoke(&grant).url,
            "https://accounts.zoho.in/oauth/v2/token/revoke"
        );
    }

    #[test]
    fn token_errors_arrive_as_200_and_are_typed() {
        assert_eq!(
            HelpdeskApp::parse_token_answer(&answer(200, r#"{"error":"invalid_code"}"#)),
            Err(HelpdeskError::OAuth {
                error: "invalid_code".into()
            })
        );
        let tokens = HelpdeskApp::parse_token_answer(&answer(
            200,
            r#"{"access_token":"1000.a","refresh_token":"1000.r","api_domain":"https://www.zohoapis.eu","token_type":"Bearer","expires_in":3600}"#,
        ))
        .unwrap();
        assert_eq!(tokens.api_domain, "https://www.zohoapis.eu");
        assert_eq!(tokens.refresh_token.as_deref(), Some("1000.r"));
    }
}
