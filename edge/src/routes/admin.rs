//! The admin console's API (paths in `contract::admin`): every path needs the admin role,
//! checked here before the org's Durable Object is asked.

use super::caller::admin_context;
use crate::config::Config;
use crate::error::EdgeError;
use crate::integration::{self, AdminRequest, Command};
use contract::admin::{
    DRIFT_PATH, FAILURES_CSV_HEADER, FAILURES_CSV_PATH, FAILURES_PATH, FailureView, HISTORY_PATH,
    INTEGRATION_PATH, NOTIFICATIONS_PATH, RETRY_PATH, SETTINGS_PATH, STATUS_PATH, SYNC_PAUSE_PATH,
    SYNC_RESUME_PATH, SYNC_START_PATH,
};
use contract::panel_fields::PANEL_FIELDS_PATH;
use serde::de::DeserializeOwned;
use worker::{Env, Method, Request, Response};

const ADMIN_PREFIX: &str = "/api/admin/";

/// The admin request a method and path name; those with a body are read later.
enum Kind {
    Ready(AdminRequest),
    SaveSettings,
    SavePanelFields,
    Retry,
    /// The failure log, answered as a CSV file.
    FailuresCsv,
}

fn kind(method: &Method, path: &str) -> Option<Kind> {
    Some(match (method, path) {
        (Method::Get, STATUS_PATH) => Kind::Ready(AdminRequest::Status),
        (Method::Get, SETTINGS_PATH) => Kind::Ready(AdminRequest::Settings),
        (Method::Put, SETTINGS_PATH) => Kind::SaveSettings,
        (Method::Post, SYNC_START_PATH) => Kind::Ready(AdminRequest::Start),
        (Method::Post, SYNC_PAUSE_PATH) => Kind::Ready(AdminRequest::Pause),
        (Method::Post, SYNC_RESUME_PATH) => Kind::Ready(AdminRequest::Resume),
        (Method::Get, HISTORY_PATH) => Kind::Ready(AdminRequest::History),
        (Method::Get, PANEL_FIELDS_PATH) => Kind::Ready(AdminRequest::PanelFields),
        (Method::Put, PANEL_FIELDS_PATH) => Kind::SavePanelFields,
        (Method::Get, FAILURES_PATH) => Kind::Ready(AdminRequest::Failures),
        (Method::Post, RETRY_PATH) => Kind::Retry,
        (Method::Get, NOTIFICATIONS_PATH) => Kind::Ready(AdminRequest::Notifications),
        (Method::Post, NOTIFICATIONS_PATH) => Kind::Ready(AdminRequest::SetUpNotifications),
        (Method::Delete, NOTIFICATIONS_PATH) => Kind::Ready(AdminRequest::RemoveNotifications),
        (Method::Delete, INTEGRATION_PATH) => Kind::Ready(AdminRequest::Delete),
        (Method::Get, FAILURES_CSV_PATH) => Kind::FailuresCsv,
        (Method::Get, DRIFT_PATH) => Kind::Ready(AdminRequest::Drift),
        (Method::Post, DRIFT_PATH) => Kind::Ready(AdminRequest::CheckDrift),
        _ => return None,
    })
}

/// `None` when the path is not one of these admin paths.
pub async fn handle(
    request: &mut Request,
    env: &Env,
    config: &Config,
) -> Option<Result<Response, EdgeError>> {
    let path = request.path();
    let Some(kind) = kind(&request.method(), &path) else {
        // An admin path this edge does not serve (yet) still needs the admin role: a
        // non-admin learns nothing from a 404 versus a 403.
        return path
            .starts_with(ADMIN_PREFIX)
            .then(|| admin_context(request, config).and(Err(EdgeError::NotFound)));
    };
    Some(answer(request, env, config, kind).await)
}

async fn answer(
    request: &mut Request,
    env: &Env,
    config: &Config,
    kind: Kind,
) -> Result<Response, EdgeError> {
    let claims = admin_context(request, config)?;
    let admin_request = match kind {
        Kind::Ready(admin_request) => admin_request,
        Kind::SaveSettings => AdminRequest::SaveSettings(json_body(request).await?),
        Kind::SavePanelFields => AdminRequest::SavePanelFields(json_body(request).await?),
        Kind::Retry => AdminRequest::Retry(json_body(request).await?),
        Kind::FailuresCsv => {
            let command = Command::Admin {
                request: AdminRequest::Failures,
            };
            let failures: Vec<FailureView> = integration::call(env, &claims.org, &command).await?;
            return csv_response(&failures_csv(&failures));
        }
    };
    let deleting = matches!(admin_request, AdminRequest::Delete);
    let command = Command::Admin {
        request: admin_request,
    };
    if deleting {
        integration::call_no_content(env, &claims.org, &command).await?;
        return Ok(Response::empty()?.with_status(204));
    }
    let answer: serde_json::Value = integration::call(env, &claims.org, &command).await?;
    Ok(Response::from_json(&answer)?)
}

async fn json_body<T: DeserializeOwned>(request: &mut Request) -> Result<T, EdgeError> {
    let text = request.text().await?;
    serde_json::from_str(&text)
        .map_err(|e| EdgeError::BadRequest(format!("the request body is not valid: {e}")))
}

/// The CSV export as a download: `Content-Disposition` names the file (RFC 6266).
fn csv_response(csv: &str) -> Result<Response, EdgeError> {
    let response = Response::ok(csv)?;
    let headers = response.headers();
    headers.set("Content-Type", "text/csv; charset=utf-8")?;
    headers.set(
        "Content-Disposition",
        "attachment; filename=\"sfdesk-failures.csv\"",
    )?;
    Ok(response)
}

/// The failure log as CSV (RFC 4180: CRLF line ends, every field quoted as needed),
/// newest first, as the log lists it.
fn failures_csv(failures: &[FailureView]) -> String {
    let mut csv = csv_row(FAILURES_CSV_HEADER.iter().map(|h| h.to_string()));
    for failure in failures {
        csv.push_str(&csv_row([
            failure.id.to_string(),
            failure.object.salesforce_name().to_owned(),
            failure.from.direction_name().to_owned(),
            failure.record_id.clone(),
            failure.label.clone(),
            failure.reason.clone(),
            utc_text(failure.at_ms),
        ]));
    }
    csv
}

fn csv_row(fields: impl IntoIterator<Item = String>) -> String {
    let mut row = fields
        .into_iter()
        .map(|field| csv_field(&field))
        .collect::<Vec<_>>()
        .join(",");
    row.push_str("\r\n");
    row
}

/// One field: quoted when it holds a comma, a quote or a line break (quotes doubled, RFC
/// 4180 §2); a value a spreadsheet would run as a formula starts with a `'` (OWASP, "CSV
/// Injection"), since labels and reasons come from the records.
fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// `2026-12-05 13:04:05` (UTC) for Unix milliseconds.
fn utc_text(ms: i64) -> String {
    let (days, ms_of_day) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    let (year, month, day) = contract::calendar::civil_from_days(days);
    let seconds = ms_of_day / 1000;
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use contract::mapping::ObjectKind;
    use contract::side::Side;

    #[test]
    fn fields_are_quoted_only_as_needed_and_formulas_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("Patel, Maya"), "\"Patel, Maya\"");
        assert_eq!(csv_field("say \"hi\""), r#""say ""hi""""#);
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("-5"), "'-5");
    }

    #[test]
    fn the_export_has_a_header_and_a_row_per_failure() {
        let failure = FailureView {
            id: 7,
            object: ObjectKind::Contact,
            from: Side::Helpdesk,
            record_id: "hd1".into(),
            label: "maya@x.example".into(),
            reason: "Text value is given for an Integer field (cf_seats)".into(),
            at_ms: 1_796_506_200_000,
        };
        assert_eq!(
            failures_csv(&[failure]),
            "id,object,direction,record_id,record,reason,failed_at_utc\r\n\
             7,Contact,helpdesk_to_salesforce,hd1,maya@x.example,Text value is given for an Integer field (cf_seats),2026-12-05 21:30:00\r\n"
        );
    }
}
