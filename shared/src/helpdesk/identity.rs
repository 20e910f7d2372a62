//! Who an agent's token belongs to and what a ticket says of its requester: what the edge
//! asks the helpdesk, with the agent's own token, before it starts a widget session.

use super::client::{Client, Sleep};
use super::error::HelpdeskError;
use super::records::Profile;
use crate::http::Transport;
use serde::Deserialize;

/// A ticket's requester, as "Get a ticket" (`GET /api/v1/tickets/{id}`, Desk API) has it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketRequester {
    pub id: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub contact_id: Option<String>,
    #[serde(default)]
    pub account_id: Option<String>,
    /// What the panel's actions copy into Salesforce (a task, a case).
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub ticket_number: Option<String>,
    /// The ticket in the helpdesk's own UI.
    #[serde(default)]
    pub web_url: Option<String>,
}

impl<T: Transport, S: Sleep> Client<'_, T, S> {
    /// One ticket's requester parts; refused (404, 403) for a ticket the token's agent
    /// cannot see.
    pub async fn ticket_requester(&self, id: &str) -> Result<TicketRequester, HelpdeskError> {
        self.get_one(&format!("/tickets/{}", super::client::segment(id)))
            .await
    }

    /// One profile: its name and type ("Get a profile", `GET /api/v1/profiles/{id}`).
    pub async fn profile(&self, id: &str) -> Result<Profile, HelpdeskError> {
        self.get_one(&format!("/profiles/{}", super::client::segment(id)))
            .await
    }
}
