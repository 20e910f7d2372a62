//! The session a client calls with, and its renewal with the refresh token.

use super::{OAuthApp, SfError, TokenResponse};
use crate::http::Transport;

/// Where and as whom to call: what a token response grants.
#[derive(Clone, PartialEq, Eq)]
pub struct Session {
    pub instance_url: String,
    pub access_token: String,
}

impl Session {
    pub fn from_token(token: &TokenResponse) -> Self {
        Session {
            instance_url: token.instance_url.clone(),
            access_token: token.access_token.clone(),
        }
    }
}

impl From<&Session> for Session {
    fn from(session: &Session) -> Self {
        session.clone()
    }
}

impl From<&TokenResponse> for Session {
    fn from(token: &TokenResponse) -> Self {
        Session::from_token(token)
    }
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("instance_url", &self.instance_url)
            .finish_non_exhaustive()
    }
}

/// A session the client renewed, for its owner to store (sealed) in place of the old one.
#[derive(Clone, PartialEq, Eq)]
pub struct Refreshed {
    pub session: Session,
    /// A new refresh token, when the connected app rotates them; the old one then no
    /// longer works and this one must be stored too.
    pub refresh_token: Option<String>,
}

impl std::fmt::Debug for Refreshed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Refreshed")
            .field("session", &self.session)
            .field("rotated", &self.refresh_token.is_some())
            .finish()
    }
}

/// The org's session as kept beyond one client (the edge keeps it sealed in the org's
/// Durable Object). Clients that work at once for the same org (an agent's panel, the
/// sync) renew an expired session once between them: one renews while the others wait
/// their turn and then take its renewal, which is stored before any call goes on. Two
/// renewals from one refresh token would race, and where the connected app rotates
/// refresh tokens the second would be refused as a revoked connection.
pub trait SessionKeeper {
    /// Held by the client that renews.
    fn renewal_turn(&self) -> &futures_util::lock::Mutex<()>;
    /// The session and refresh token as stored now.
    fn current(&self) -> Result<Option<(Session, String)>, SfError>;
    /// Stores a renewal in place of the stored session (and refresh token, if rotated).
    fn keep(&self, renewed: &Refreshed) -> Result<(), SfError>;
}

/// The refresh-token grant, its refusal typed: `invalid_grant` means the refresh token
/// itself is dead, and only connecting again helps.
pub(crate) async fn refresh<T: Transport>(
    transport: &T,
    app: &OAuthApp,
    refresh_token: &str,
) -> Result<TokenResponse, SfError> {
    let response = transport.send(app.refresh(refresh_token)).await?;
    match OAuthApp::parse_token_response(&response) {
        Err(SfError::OAuth { error, description }) if error == "invalid_grant" => {
            Err(SfError::RefreshRevoked { error, description })
        }
        other => other,
    }
}
