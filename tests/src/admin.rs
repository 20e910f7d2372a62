//! The admin API as the console calls it, and the sync set up end to end: started through
//! the API, and the sandbox org told where to send its Outbound Messages (what an admin's
//! Flows do in Salesforce), or the change notifications set up through the edge as the
//! console's "Set it up for me" does.

use crate::stack::{Stack, StackOptions};
use crate::wait::eventually;
use anyhow::{Context, bail};
use contract::admin::{
    AdminStatus, NOTIFICATIONS_PATH, NotificationSetup, STATUS_PATH, SYNC_START_PATH, SyncState,
    SyncStatus,
};
use contract::panel_fields::{PANEL_FIELDS_PATH, PanelFields, PanelFieldsView};
use reqwest::Method;
use serde::de::DeserializeOwned;
use std::time::{Duration, Instant};

/// The demo org's custom contact field its admin shows in the panel.
pub const DEMO_CONTACT_FIELD: &str = "Subscription_Type__c";

impl Stack {
    /// Calls an admin path as the demo administrator; a non-2xx answer is an error
    /// carrying the body.
    pub async fn admin<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> anyhow::Result<T> {
        self.admin_as(
            &self.context_token("Administrator", false),
            method,
            path,
            body,
        )
        .await
    }

    /// [`Stack::admin`] with another admin's context token (another helpdesk org's:
    /// [`Stack::admin_token`]).
    pub async fn admin_as<T: DeserializeOwned>(
        &self,
        admin_token: &str,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> anyhow::Result<T> {
        let mut request = reqwest::Client::new()
            .request(method.clone(), format!("{}{path}", self.edge_url))
            .bearer_auth(admin_token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await?;
        let status = response.status();
        let text = response.text().await?;
        if !status.is_success() {
            bail!("{method} {path} answered {status}: {text}");
        }
        let text = if text.is_empty() { "null" } else { &text };
        serde_json::from_str(text).with_context(|| format!("{method} {path}: {text}"))
    }

    pub async fn admin_status(&self) -> anyhow::Result<AdminStatus> {
        self.admin(Method::GET, STATUS_PATH, None).await
    }

    /// Starts the sync and points the org's Outbound Messages for Accounts and Contacts
    /// at the URL the edge gives.
    pub async fn start_sync(&self) -> anyhow::Result<AdminStatus> {
        let _: SyncStatus = self.admin(Method::POST, SYNC_START_PATH, None).await?;
        let status = self.admin_status().await?;
        let url = status
            .outbound_message_url
            .clone()
            .context("a started sync names its Outbound Message URL")?;
        for object in ["Account", "Contact"] {
            self.sandbox
                .salesforce()
                .set_outbound_endpoint(
                    object,
                    sandbox::salesforce::OutboundEndpoint::new(url.clone()),
                )
                .map_err(anyhow::Error::msg)?;
        }
        Ok(status)
    }

    /// The demo org's admin settings: the panel shows each contact's subscription type (a
    /// custom field of the demo org, as no other org need have it) after the standard
    /// fields.
    pub async fn show_subscription_type(&self) -> anyhow::Result<PanelFieldsView> {
        let mut fields = PanelFields::standard();
        fields.contact.push(DEMO_CONTACT_FIELD.to_owned());
        self.admin(
            Method::PUT,
            PANEL_FIELDS_PATH,
            Some(serde_json::to_value(fields)?),
        )
        .await
    }

    /// Sets up the org's change notifications through the edge (an Outbound Message and an
    /// active Flow per object, created through the org's Tooling API), as the console's
    /// "Set it up for me" does.
    pub async fn set_up_notifications(&self) -> anyhow::Result<NotificationSetup> {
        self.admin(Method::POST, NOTIFICATIONS_PATH, None).await
    }

    /// A stack with Salesforce connected and the sync live, settled: the initial sync done
    /// and its own writes, come back as notifications, applied.
    pub async fn start_live(options: StackOptions) -> anyhow::Result<Stack> {
        let stack = Stack::start(options).await?;
        stack.connect_salesforce().await?;
        stack.start_sync().await?;
        stack
            .wait_for_sync(SyncState::Live, Duration::from_secs(90))
            .await?;
        eventually("nothing pending", Duration::from_secs(30), async || {
            let status = stack.admin_status().await?.sync;
            Ok((status.pending_changes == 0).then_some(()))
        })
        .await?;
        tokio::time::sleep(Duration::from_secs(2)).await;
        Ok(stack)
    }

    /// Polls the status until the sync is in `state`.
    pub async fn wait_for_sync(
        &self,
        state: SyncState,
        timeout: Duration,
    ) -> anyhow::Result<SyncStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            let status = self.admin_status().await?.sync;
            if status.state == state {
                return Ok(status);
            }
            if Instant::now() > deadline {
                bail!("the sync did not reach {state:?} within {timeout:?}: {status:?}");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}
