//! The extension's installation in this org, as Zoho Desk's `onInstall` callback bound it:
//! the `securityContext` Zoho issued (sealed; what the Desk invoke API takes to act for
//! the extension) and when. `onUninstall` erases it with everything else.

use crate::config::Config;
use crate::error::EdgeError;
use serde::{Deserialize, Serialize};
use worker::Storage;

const KEY: &str = "installation";

#[derive(Serialize, Deserialize)]
struct Installation {
    sealed_security_context: Vec<u8>,
    installed_at_ms: i64,
}

/// Whether the installation is bound, the answer of [`super::Command::Installation`].
#[derive(Debug, Serialize, Deserialize)]
pub struct Installed {
    pub installed: bool,
    /// The Desk API to ask who an agent is: the org's own grant's (its data centre), or
    /// the development fallback's until the org connects its helpdesk.
    pub api_base: String,
}

/// What the seal of org `org`'s security context is bound to, so it opens nowhere else.
fn seal_context(org: &str) -> String {
    format!("installation:{org}")
}

pub async fn bind(
    storage: &Storage,
    config: &Config,
    org: &str,
    security_context: &str,
    now_ms: i64,
) -> Result<(), EdgeError> {
    let installation = Installation {
        sealed_security_context: config.sealer.seal(security_context, &seal_context(org)),
        installed_at_ms: now_ms,
    };
    storage.put(KEY, installation).await?;
    Ok(())
}

/// The installation as stored, kept aside while the integration's data is erased.
pub struct Kept(Option<Installation>);

pub async fn keep(storage: &Storage) -> Result<Kept, EdgeError> {
    Ok(Kept(storage.get(KEY).await?))
}

pub async fn restore(storage: &Storage, kept: Kept) -> Result<(), EdgeError> {
    if let Kept(Some(installation)) = kept {
        storage.put(KEY, installation).await?;
    }
    Ok(())
}

pub async fn is_bound(storage: &Storage, api_base: &str) -> Result<Installed, EdgeError> {
    let installation: Option<Installation> = storage.get(KEY).await?;
    Ok(Installed {
        installed: installation.is_some(),
        api_base: api_base.to_owned(),
    })
}
