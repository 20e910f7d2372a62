//! The partner SOAP API's `login` call (`POST /services/Soap/u/NN.0`), which older and
//! third-party clients use to get a session from a username and password (plus security
//! token, which this org does not require). Only `login` is served.

use super::{SalesforceState, lock, oauth};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use std::sync::Arc;

pub(super) fn routes() -> Router<Arc<SalesforceState>> {
    Router::new().route("/services/Soap/u/{version}", post(login))
}

const ENVELOPE_START: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope \
    xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" \
    xmlns=\"urn:partner.soap.sforce.com\" \
    xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body>";
const ENVELOPE_END: &str = "</soapenv:Body></soapenv:Envelope>";

fn xml(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/xml;charset=UTF-8")],
        body,
    )
        .into_response()
}

fn fault(code: &str, message: &str) -> Response {
    let body = format!(
        "{ENVELOPE_START}<soapenv:Fault><faultcode xmlns:sf=\"urn:fault.partner.soap.sforce.com\">\
         sf:{code}</faultcode><faultstring>{code}: {message}</faultstring><detail>\
         <sf:LoginFault xmlns:sf=\"urn:fault.partner.soap.sforce.com\" xsi:type=\"sf:LoginFault\">\
         <sf:exceptionCode>{code}</sf:exceptionCode><sf:exceptionMessage>{message}\
         </sf:exceptionMessage></sf:LoginFault></detail></soapenv:Fault>{ENVELOPE_END}"
    );
    xml(StatusCode::INTERNAL_SERVER_ERROR, body)
}

/// The text of the first element with this local name, any namespace prefix, unescaped.
fn element(body: &str, name: &str) -> Option<String> {
    let mut rest = body;
    loop {
        let open = rest.find('<')?;
        rest = &rest[open + 1..];
        let tag_end = rest.find('>')?;
        let tag = &rest[..tag_end];
        let local = tag.split_whitespace().next()?.rsplit(':').next()?;
        if local == name && !tag.starts_with('/') && !tag.ends_with('/') {
            let text = &rest[tag_end + 1..];
            let end = text.find("</")?;
            return Some(unescape(&text[..end]));
        }
    }
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

async fn login(
    State(state): State<Arc<SalesforceState>>,
    Path(version): Path<String>,
    body: Bytes,
) -> Response {
    let body = String::from_utf8_lossy(&body);
    let version = version.trim_start_matches('v').to_owned();
    if !super::operations::supported_version(&format!("v{version}")) {
        return fault(
            "UNSUPPORTED_API_VERSION",
            "Invalid Api version specified on URL",
        );
    }
    if element(&body, "login").is_none() && !body.contains("login") {
        return fault(
            "INVALID_OPERATION",
            "only the login call is served by this org",
        );
    }
    let username = element(&body, "username").unwrap_or_default();
    let password = element(&body, "password").unwrap_or_default();
    let Some((session, user)) = oauth::password_session(&state, &username, &password) else {
        return fault(
            "INVALID_LOGIN",
            "Invalid username, password, security token; or user locked out.",
        );
    };
    let org_id = state.org_id();
    let org15 = &org_id.as_str()[..15];
    let base = &state.base_url;
    let (user_name, email) = {
        let org = lock(&state.org);
        let record = org.get(&user);
        (
            record
                .and_then(|r| r["Name"].as_str().map(str::to_owned))
                .unwrap_or_default(),
            record
                .and_then(|r| r["Email"].as_str().map(str::to_owned))
                .unwrap_or_default(),
        )
    };
    let escape = |text: &str| {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let lifetime = state.token_lifetime().as_secs();
    let body = format!(
        "{ENVELOPE_START}<loginResponse><result>\
         <metadataServerUrl>{base}/services/Soap/m/{version}/{org15}</metadataServerUrl>\
         <passwordExpired>false</passwordExpired><sandbox>true</sandbox>\
         <serverUrl>{base}/services/Soap/u/{version}/{org15}</serverUrl>\
         <sessionId>{session}</sessionId><userId>{user}</userId>\
         <userInfo><organizationId>{org_id}</organizationId>\
         <sessionSecondsValid>{lifetime}</sessionSecondsValid>\
         <userEmail>{}</userEmail><userFullName>{}</userFullName><userId>{user}</userId>\
         <userName>{}</userName></userInfo></result></loginResponse>{ENVELOPE_END}",
        escape(&email),
        escape(&user_name),
        escape(&username),
    );
    xml(StatusCode::OK, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_are_found_under_any_prefix() {
        let body = "<env:Envelope><env:Body><n1:login xmlns:n1=\"urn:partner.soap.sforce.com\">\
                    <n1:username>admin@sandbox.example</n1:username>\
                    <n1:password>s&amp;cret</n1:password></n1:login></env:Body></env:Envelope>";
        assert_eq!(element(body, "username").unwrap(), "admin@sandbox.example");
        assert_eq!(element(body, "password").unwrap(), "s&cret");
        assert!(element(body, "sessionId").is_none());
    }
}
