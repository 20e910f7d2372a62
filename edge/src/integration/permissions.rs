//! Each helpdesk profile's Salesforce permissions, stored in the org's Durable Object.
//! A profile an admin never changed has [`Permissions::default_for`] its name.

use crate::error::EdgeError;
use serde::{Deserialize, Serialize};
use shared::admin::ProfilePermissions;
use shared::permissions::Permissions;
use std::collections::HashMap;
use worker::SqlStorage;

/// A helpdesk profile, as the helpdesk lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileRef {
    pub id: String,
    pub name: String,
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

/// The profile's permissions: as stored, else the defaults for its name.
pub fn get(
    sql: &SqlStorage,
    profile_id: &str,
    profile_name: &str,
) -> Result<Permissions, EdgeError> {
    let rows: Vec<Row> = sql
        .exec(
            "SELECT profile_id, permissions FROM profile_permissions WHERE profile_id = ?",
            vec![profile_id.into()],
        )?
        .to_array()?;
    Ok(rows
        .first()
        .and_then(|row| serde_json::from_str(&row.permissions).ok())
        .unwrap_or_else(|| Permissions::default_for(profile_name)))
}

/// Every given profile with its permissions, in the given order.
pub fn list(
    sql: &SqlStorage,
    profiles: Vec<ProfileRef>,
) -> Result<Vec<ProfilePermissions>, EdgeError> {
    let stored = stored(sql)?;
    Ok(profiles
        .into_iter()
        .map(|profile| ProfilePermissions {
            permissions: stored
                .get(&profile.id)
                .copied()
                .unwrap_or_else(|| Permissions::default_for(&profile.name)),
            profile_id: profile.id,
            profile_name: profile.name,
        })
        .collect())
}

/// Stores a profile's permissions; they apply from the next panel load on.
pub fn put(
    sql: &SqlStorage,
    saved: &ProfilePermissions,
    now_ms: u64,
) -> Result<ProfilePermissions, EdgeError> {
    let json = serde_json::to_string(&saved.permissions).expect("permissions serialize");
    sql.exec(
        "INSERT INTO profile_permissions (profile_id, profile_name, permissions, updated_at_ms)
         VALUES (?, ?, ?, ?)
         ON CONFLICT (profile_id) DO UPDATE SET profile_name = excluded.profile_name,
           permissions = excluded.permissions, updated_at_ms = excluded.updated_at_ms",
        vec![
            saved.profile_id.clone().into(),
            saved.profile_name.clone().into(),
            json.into(),
            (now_ms as i64).into(),
        ],
    )?;
    Ok(saved.clone())
}
