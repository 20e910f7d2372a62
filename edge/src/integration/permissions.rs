//! Each helpdesk profile's Salesforce permissions, stored in the org's Durable Object.
//! A profile an admin never changed has [`Permissions::default_for`] its kind, which the
//! helpdesk says and this object remembers by profile id: renaming a profile changes
//! nothing of what it may see.

use super::org::Org;
use super::protocol::ProfileRef;
use crate::error::EdgeError;
use contract::admin::ProfilePermissions;
use contract::permissions::Permissions;
use serde::Deserialize;
use std::collections::HashMap;
use worker::SqlStorage;

/// Every profile of the helpdesk org, as the helpdesk lists them to the org's own
/// helpdesk connection.
async fn helpdesk_profiles(org: &Org<'_>) -> Result<Vec<ProfileRef>, EdgeError> {
    let profiles = org.helpdesk().profiles().await.map_err(|error| {
        worker::console_error!("listing helpdesk profiles: {error}");
        if error.needs_reconnect() {
            EdgeError::ReconnectHelpdesk
        } else {
            EdgeError::Helpdesk(
                "The helpdesk did not list its profiles just now. Try again in a moment.",
            )
        }
    })?;
    Ok(profiles
        .into_iter()
        .map(|profile| ProfileRef {
            id: profile.id,
            name: profile.name,
            kind: profile.kind,
        })
        .collect())
}

/// Remembers each profile's kind by id.
fn remember_kinds(sql: &SqlStorage, profiles: &[ProfileRef]) -> Result<(), EdgeError> {
    for profile in profiles {
        sql.exec(
            "INSERT OR REPLACE INTO profile_kinds (profile_id, kind) VALUES (?, ?)",
            vec![profile.id.clone().into(), profile.kind.clone().into()],
        )?;
    }
    Ok(())
}

#[derive(Deserialize)]
struct KindRow {
    kind: Option<String>,
}

/// The kind of profile `profile_id`: remembered, else asked of the helpdesk once.
async fn kind_of(org: &Org<'_>, profile_id: &str) -> Result<Option<String>, EdgeError> {
    let known = |sql: &SqlStorage| -> Result<Option<Option<String>>, EdgeError> {
        let rows: Vec<KindRow> = sql
            .exec(
                "SELECT kind FROM profile_kinds WHERE profile_id = ?",
                vec![profile_id.into()],
            )?
            .to_array()?;
        Ok(rows.into_iter().next().map(|row| row.kind))
    };
    if let Some(kind) = known(org.sql)? {
        return Ok(kind);
    }
    remember_kinds(org.sql, &helpdesk_profiles(org).await?)?;
    // A profile the helpdesk does not list has no kind: the plain defaults.
    Ok(known(org.sql)?.flatten())
}

#[derive(Deserialize)]
struct Row {
    profile_id: String,
    permissions: String,
}

fn stored(sql: &SqlStorage) -> Result<HashMap<String, Permissions>, EdgeError> {
    let rows: Vec<Row> = sql
        .exec(
            "SELECT profile_id, permissions FROM profile_permissions",
            None,
        )?
        .to_array()?;
    Ok(rows
        .into_iter()
        // A row this version cannot read falls back to the defaults rather than
        // locking the profile out.
        .filter_map(|row| Some((row.profile_id, serde_json::from_str(&row.permissions).ok()?)))
        .collect())
}

/// The profile's permissions: as stored, else the defaults for its kind.
pub async fn get(org: &Org<'_>, profile_id: &str) -> Result<Permissions, EdgeError> {
    let rows: Vec<Row> = org
        .sql
        .exec(
            "SELECT profile_id, permissions FROM profile_permissions WHERE profile_id = ?",
            vec![profile_id.into()],
        )?
        .to_array()?;
    match rows
        .first()
        .and_then(|row| serde_json::from_str(&row.permissions).ok())
    {
        Some(permissions) => Ok(permissions),
        None => Ok(Permissions::default_for(
            kind_of(org, profile_id).await?.as_deref(),
        )),
    }
}

/// Every profile of the helpdesk with its permissions, in the helpdesk's order.
pub async fn list(org: &Org<'_>) -> Result<Vec<ProfilePermissions>, EdgeError> {
    let profiles = helpdesk_profiles(org).await?;
    remember_kinds(org.sql, &profiles)?;
    let stored = stored(org.sql)?;
    Ok(profiles
        .into_iter()
        .map(|profile| ProfilePermissions {
            permissions: stored
                .get(&profile.id)
                .copied()
                .unwrap_or_else(|| Permissions::default_for(profile.kind.as_deref())),
            profile_id: profile.id,
            profile_name: profile.name,
        })
        .collect())
}

/// Stores a profile's permissions; they apply from the next panel load on. The profile
/// must be one the helpdesk lists, and its name is the helpdesk's, whatever the change
/// says.
pub async fn put(
    org: &Org<'_>,
    change: &ProfilePermissions,
) -> Result<ProfilePermissions, EdgeError> {
    let profile = helpdesk_profiles(org)
        .await?
        .into_iter()
        .find(|profile| profile.id == change.profile_id)
        .ok_or_else(|| {
            EdgeError::BadRequest(format!(
                "the helpdesk has no profile with id {:?}; reload the permissions table",
                change.profile_id
            ))
        })?;
    let saved = ProfilePermissions {
        profile_id: profile.id,
        profile_name: profile.name,
        permissions: change.permissions,
    };
    let json = serde_json::to_string(&saved.permissions).expect("permissions serialize");
    org.sql.exec(
        "INSERT INTO profile_permissions (profile_id, profile_name, permissions, updated_at_ms)
         VALUES (?, ?, ?, ?)
         ON CONFLICT (profile_id) DO UPDATE SET profile_name = excluded.profile_name,
           permissions = excluded.permissions, updated_at_ms = excluded.updated_at_ms",
        vec![
            saved.profile_id.clone().into(),
            saved.profile_name.clone().into(),
            json.into(),
            org.now_ms.into(),
        ],
    )?;
    Ok(saved.clone())
}
