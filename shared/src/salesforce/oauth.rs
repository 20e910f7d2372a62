//! The OAuth 2.0 web-server flow with PKCE, as Salesforce runs it.

use super::{SfError, wire::OAuthErrorBody};
use crate::http::{HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

/// A connected app as registered in the Salesforce org.
#[derive(Debug, Clone)]
pub struct OAuthApp {
    /// `https://login.salesforce.com` for production orgs; the sandbox's URL locally.
    pub login_url: String,
    pub client_id: String,
    pub client_secret: String,
    pub redirect_uri: String,
}

/// A successful token response. Salesforce sends no `expires_in`: a token is good until
/// a call answers `INVALID_SESSION_ID`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    pub instance_url: String,
    /// `<login>/id/<org id>/<user id>`.
    pub id: String,
    pub issued_at: String,
    pub signature: String,
    pub token_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

impl TokenResponse {
    /// The org and user Ids from the identity URL.
    pub fn org_and_user(&self) -> Option<(&str, &str)> {
        let mut parts = self.id.rsplit('/');
        let user = parts.next()?;
        let org = parts.next()?;
        Some((org, user))
    }
}

impl std::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("instance_url", &self.instance_url)
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl OAuthApp {
    fn endpoint(&self, path: &str) -> String {
        format!(
            "{}/services/oauth2/{path}",
            self.login_url.trim_end_matches('/')
        )
    }

    /// Where to send the admin's browser to sign in and consent.
    pub fn authorize_url(&self, state: &str, code_challenge: &str) -> String {
        let query = serde_urlencoded::to_string([
            ("response_type", "code"),
            ("client_id", self.client_id.as_str()),
            ("redirect_uri", self.redirect_uri.as_str()),
            ("scope", "api refresh_token"),
            ("state", state),
            ("code_challenge", code_challenge),
            ("code_challenge_method", "S256"),
        ])
        .expect("string pairs encode");
        format!("{}?{query}", self.endpoint("authorize"))
    }

    pub fn code_exchange(&self, code: &str, code_verifier: &str) -> HttpRequest {
        HttpRequest::post_form(
            self.endpoint("token"),
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("client_id", &self.client_id),
                ("client_secret", &self.client_secret),
                ("redirect_uri", &self.redirect_uri),
                ("code_verifier", code_verifier),
            ],
        )
    }

    pub fn refresh(&self, refresh_token: &str) -> HttpRequest {
        HttpRequest::post_form(
            self.endpoint("token"),
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
                ("client_id", &self.client_id),
                ("client_secret", &self.client_secret),
            ],
        )
    }

    /// Revokes `token` (an access or refresh token; revoking a refresh token ends the
    /// whole grant), as deleting the integration does.
    pub fn revoke(&self, token: &str) -> HttpRequest {
        HttpRequest::post_form(self.endpoint("revoke"), &[("token", token)])
    }

    /// The username-password grant: for tools and tests, never for end users.
    pub fn password_grant(&self, username: &str, password: &str) -> HttpRequest {
        HttpRequest::post_form(
            self.endpoint("token"),
            &[
                ("grant_type", "password"),
                ("client_id", &self.client_id),
                ("client_secret", &self.client_secret),
                ("username", username),
                ("password", password),
            ],
        )
    }

    pub fn parse_token_response(response: &HttpResponse) -> Result<TokenResponse, SfError> {
        if response.is_success() {
            return serde_json::from_slice(&response.body)
                .map_err(|e| SfError::Decode(e.to_string()));
        }
        match serde_json::from_slice::<OAuthErrorBody>(&response.body) {
            Ok(body) => Err(SfError::OAuth {
                error: body.error,
                description: body.error_description,
            }),
            Err(_) if response.status >= 500 => Err(SfError::Unavailable {
                status: response.status,
            }),
            Err(e) => Err(SfError::Decode(format!("HTTP {}: {e}", response.status))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app() -> OAuthApp {
        OAuthApp {
            login_url: "https://login.example/".into(),
            client_id: "cid".into(),
            client_secret: "secret".into(),
            redirect_uri: "https://edge.example/oauth/salesforce/callback".into(),
        }
    }

    #[test]
    fn authorize_url_carries_pkce_and_state() {
        let url = url::Url::parse(&app().authorize_url("st&te", "chal")).unwrap();
        assert_eq!(url.path(), "/services/oauth2/authorize");
        let pairs: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(pairs["state"], "st&te");
        assert_eq!(pairs["code_challenge"], "chal");
        assert_eq!(pairs["code_challenge_method"], "S256");
        assert_eq!(
            pairs["redirect_uri"],
            "https://edge.example/oauth/salesforce/callback"
        );
    }

    #[test]
    fn oauth_errors_are_typed() {
        let response = HttpResponse {
            status: 400,
            headers: vec![],
            body: br#"{"error":"invalid_grant","error_description":"authentication failure"}"#
                .to_vec(),
        };
        assert_eq!(
            OAuthApp::parse_token_response(&response),
            Err(SfError::OAuth {
                error: "invalid_grant".into(),
                description: "authentication failure".into()
            })
        );
    }

    #[test]
    fn identity_url_gives_org_and_user() {
        let token = TokenResponse {
            access_token: "a".into(),
            refresh_token: None,
            instance_url: "i".into(),
            id: "https://login.example/id/00D000000000001AAA/005000000000001AAA".into(),
            issued_at: "0".into(),
            signature: "s".into(),
            token_type: "Bearer".into(),
            scope: None,
        };
        assert_eq!(
            token.org_and_user(),
            Some(("00D000000000001AAA", "005000000000001AAA"))
        );
    }
}
