//! The admin console's calls: [`contract::admin`]'s paths and types over the generic
//! [`Client`] helpers, so transport and error mapping stay in one place.

use crate::api::{Client, ClientError, Method};
use contract::admin::{
    AdminStatus, DRIFT_PATH, DriftView, FAILURES_CSV_PATH, FAILURES_PATH, FailureView,
    HELPDESK_OAUTH_START_CODE_PATH, HELPDESK_OAUTH_START_PATH, HISTORY_PATH, HistoryView,
    INTEGRATION_PATH, OAUTH_START_CODE_PATH, OAUTH_START_PATH, PERMISSIONS_PATH,
    ProfilePermissions, RETRY_PATH, RetryRequest, RetryResult, SETTINGS_PATH, STATUS_PATH,
    SYNC_PAUSE_PATH, SYNC_RESUME_PATH, SYNC_START_PATH, SaveSettings, SettingsView, StartCode,
    SyncStatus,
};
use contract::panel_fields::{PANEL_FIELDS_PATH, PanelFields, PanelFieldsView};
use contract::side::Side;

impl Client {
    /// `GET` [`STATUS_PATH`]: the connection and the sync's state.
    pub async fn admin_status(&self) -> Result<AdminStatus, ClientError> {
        self.get_json(STATUS_PATH).await
    }

    /// `GET` [`SETTINGS_PATH`]: sync type, both mappings and both sides' fields.
    pub async fn settings(&self) -> Result<SettingsView, ClientError> {
        self.get_json(SETTINGS_PATH).await
    }

    /// `PUT` [`SETTINGS_PATH`]: saves sync type and mappings (refused with 400 when
    /// [`SaveSettings::issues`] is not empty).
    pub async fn save_settings(
        &self,
        settings: &SaveSettings,
    ) -> Result<SettingsView, ClientError> {
        self.send_json(Method::Put, SETTINGS_PATH, Some(settings))
            .await
    }

    /// `POST` [`SYNC_START_PATH`], [`SYNC_PAUSE_PATH`] or [`SYNC_RESUME_PATH`].
    pub async fn sync_action(&self, action: SyncAction) -> Result<SyncStatus, ClientError> {
        self.send_json(Method::Post, action.path(), None::<&()>)
            .await
    }

    /// `GET` [`HISTORY_PATH`]: the last seven days' runs and daily totals.
    pub async fn history(&self) -> Result<HistoryView, ClientError> {
        self.get_json(HISTORY_PATH).await
    }

    /// `GET` [`FAILURES_PATH`]: the failure log, newest first.
    pub async fn failures(&self) -> Result<Vec<FailureView>, ClientError> {
        self.get_json(FAILURES_PATH).await
    }

    /// `GET` [`FAILURES_CSV_PATH`]: the failure log as CSV text.
    pub async fn failures_csv(&self) -> Result<String, ClientError> {
        self.get_text(FAILURES_CSV_PATH).await
    }

    /// `GET` [`DRIFT_PATH`]: the drift check under way, the last one, the next due.
    pub async fn drift(&self) -> Result<DriftView, ClientError> {
        self.get_json(DRIFT_PATH).await
    }

    /// `POST` [`DRIFT_PATH`]: starts a drift check now.
    pub async fn check_drift(&self) -> Result<DriftView, ClientError> {
        self.send_json(Method::Post, DRIFT_PATH, None::<&()>).await
    }

    /// `POST` [`RETRY_PATH`]: syncs the failed records again.
    pub async fn retry(&self, request: &RetryRequest) -> Result<RetryResult, ClientError> {
        self.send_json(Method::Post, RETRY_PATH, Some(request))
            .await
    }

    /// `GET` [`PERMISSIONS_PATH`]: every helpdesk profile's panel permissions.
    pub async fn permissions(&self) -> Result<Vec<ProfilePermissions>, ClientError> {
        self.get_json(PERMISSIONS_PATH).await
    }

    /// `PUT` [`PERMISSIONS_PATH`]: one profile's permissions, effective on the next panel
    /// load.
    pub async fn save_permissions(
        &self,
        profile: &ProfilePermissions,
    ) -> Result<ProfilePermissions, ClientError> {
        self.send_json(Method::Put, PERMISSIONS_PATH, Some(profile))
            .await
    }

    /// `GET` [`PANEL_FIELDS_PATH`]: the panel's chosen fields and what the org offers.
    pub async fn panel_fields(&self) -> Result<PanelFieldsView, ClientError> {
        self.get_json(PANEL_FIELDS_PATH).await
    }

    /// `PUT` [`PANEL_FIELDS_PATH`]: saves the choice (400 when the org does not offer a
    /// field in it).
    pub async fn save_panel_fields(
        &self,
        fields: &PanelFields,
    ) -> Result<PanelFieldsView, ClientError> {
        self.send_json(Method::Put, PANEL_FIELDS_PATH, Some(fields))
            .await
    }

    /// `DELETE` [`INTEGRATION_PATH`]: revokes Salesforce and erases the org's state.
    pub async fn delete_integration(&self) -> Result<(), ClientError> {
        self.send_no_content(Method::Delete, INTEGRATION_PATH, None::<&()>)
            .await
    }

    /// `POST` [`OAUTH_START_CODE_PATH`] (Salesforce) or [`HELPDESK_OAUTH_START_CODE_PATH`]:
    /// the one-time code for that side's OAuth popup.
    pub async fn oauth_start_code(&self, side: Side) -> Result<StartCode, ClientError> {
        let (code_path, _) = oauth_paths(side);
        self.send_json(Method::Post, code_path, None::<&()>).await
    }

    /// The side's OAuth popup URL: [`OAUTH_START_PATH`] or [`HELPDESK_OAUTH_START_PATH`]
    /// with a code from [`Client::oauth_start_code`] (never the context token: URLs end up
    /// in logs).
    pub fn oauth_start_url(&self, side: Side, code: &StartCode) -> String {
        let (_, start_path) = oauth_paths(side);
        let code: String = js_sys::encode_uri_component(&code.code).into();
        format!("{}?code={code}", self.url(start_path))
    }
}

/// The side's start-code and start paths.
fn oauth_paths(side: Side) -> (&'static str, &'static str) {
    match side {
        Side::Salesforce => (OAUTH_START_CODE_PATH, OAUTH_START_PATH),
        Side::Helpdesk => (HELPDESK_OAUTH_START_CODE_PATH, HELPDESK_OAUTH_START_PATH),
    }
}

/// What the admin asks of the sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncAction {
    Start,
    Pause,
    Resume,
}

impl SyncAction {
    pub fn path(self) -> &'static str {
        match self {
            SyncAction::Start => SYNC_START_PATH,
            SyncAction::Pause => SYNC_PAUSE_PATH,
            SyncAction::Resume => SYNC_RESUME_PATH,
        }
    }
}
