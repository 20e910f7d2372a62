//! Change notifications set up in Salesforce for the admin ("Set it up for me"): per
//! object an Outbound Message to the sync's URL and an active record-triggered Flow that
//! sends it (`shared::salesforce::tooling`), remembered in the org's state so that
//! "Remove" and deleting the integration take them away again.

use super::admin::{self, outbound_url};
use super::connection;
use super::org::Org;
use crate::error::EdgeError;
use contract::admin::NotificationSetup;
use shared::salesforce::SfError;
use shared::salesforce::tooling::{self, NOTIFIED_OBJECTS, SetupError};

/// Sets up both objects' notifications, reusing what exists; each object is stored as it
/// is done, so a failure on the second leaves the first removable.
pub async fn set_up(org: &Org<'_>) -> Result<NotificationSetup, EdgeError> {
    let control = org.state().control()?.ok_or_else(|| {
        EdgeError::BadRequest(
            "Start the sync first: the Outbound Messages send to the address it gives.".into(),
        )
    })?;
    let url = outbound_url(org, &control);
    let client = connected(org)?;
    let user = integration_user(org).await?;
    let state = org.state();
    let mut setup = state.notifications()?;
    for object in NOTIFIED_OBJECTS {
        let done = tooling::set_up(&client, object, &url, &user)
            .await
            .map_err(|e| explained(e, &user))?;
        match setup.objects.iter_mut().find(|o| o.object == object) {
            Some(entry) => *entry = done,
            None => setup.objects.push(done),
        }
        state.save_notifications(&setup)?;
    }
    Ok(setup)
}

/// Removes what [`set_up`] made, object by object, forgetting each once it is gone.
pub async fn remove(org: &Org<'_>) -> Result<NotificationSetup, EdgeError> {
    let state = org.state();
    let mut setup = state.notifications()?;
    if setup.objects.is_empty() {
        return Ok(setup);
    }
    let client = connected(org)?;
    let user = state
        .salesforce_username()?
        .unwrap_or_else(|| "the connected user".into());
    while let Some(first) = setup.objects.first() {
        tooling::remove(&client, first)
            .await
            .map_err(|e| explained(e, &user))?;
        setup.objects.remove(0);
        state.save_notifications(&setup)?;
    }
    Ok(setup)
}

/// [`remove`] as deleting the integration runs it: a failure is logged, not raised (the
/// admin may delete an integration whose Salesforce side is unreachable).
pub async fn release(org: &Org<'_>) {
    if let Err(error) = remove(org).await {
        worker::console_warn!("removing the change notifications from Salesforce failed: {error}");
    }
}

fn connected<'o>(org: &'o Org<'_>) -> Result<super::org::Salesforce<'o>, EdgeError> {
    org.salesforce()?
        .ok_or_else(|| EdgeError::BadRequest("Connect Salesforce first.".into()))
}

/// The connected user's username: Outbound Messages are sent as a user of the org.
async fn integration_user(org: &Org<'_>) -> Result<String, EdgeError> {
    if let Some(username) = org.state().salesforce_username()? {
        return Ok(username);
    }
    let info = connection::info(org.sql)?
        .ok_or_else(|| EdgeError::BadRequest("Connect Salesforce first.".into()))?;
    admin::remember_username(org, &info.salesforce_user_id).await?;
    Ok(org
        .state()
        .salesforce_username()?
        .unwrap_or(info.salesforce_user_id))
}

/// A set-up error as the admin reads it: the missing permission named (and `user`, the
/// connected user), Salesforce's own refusal quoted; an outage or a revoked grant stays
/// what it is.
fn explained(error: SetupError, user: &str) -> EdgeError {
    match error {
        SetupError::MissingPermission {
            permission,
            step,
            code,
            ..
        } => EdgeError::BadRequest(format!(
            "sfdesk could not {step}: the connected Salesforce user ({user}) lacks the \
             \"{permission}\" permission (Salesforce answered {code}). Give that user \
             \"Customize Application\" and \"Manage Flow\" (a permission set will do) and try \
             again, or set the Flows up by hand as the steps say."
        )),
        SetupError::Salesforce {
            step,
            error: error @ (SfError::Api { .. } | SfError::Save { .. }),
        } => EdgeError::BadRequest(format!("sfdesk could not {step}: {error}")),
        SetupError::Salesforce { error, .. } => EdgeError::reconnect_if_revoked(error),
    }
}
