//! The extension page's session through the Zoho Desk SDK: what the widget asks and how it
//! reads the proxy's answers (the SDK calls themselves run end to end, `tests/tests/e2e`).

use contract::api::{ApiError, ErrorCode};
use contract::context::{
    INSTALLATION_SECRET_PATH, InstallationSecret, InstallationSecretRequest, RecordInView, Session,
    SessionRequest,
};
use serde_json::json;
use std::time::Duration;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;
use widget::api::ClientError;
use widget::zoho::{
    RENEW_BEFORE_SECS, SdkError, Sessions, answer_body, id_text, proxy_request_object,
    record_in_view, record_key, refusal, renew_after, session_from_answer, session_request_object,
};

/// The text at `path` in a JS object, if there is text there.
fn text_at(object: &JsValue, path: &[&str]) -> Option<String> {
    path.iter()
        .try_fold(object.clone(), |value, name| {
            js_sys::Reflect::get(&value, &(*name).into()).ok()
        })?
        .as_string()
}

#[wasm_bindgen_test]
fn an_id_is_a_string_or_a_number_as_javascript_writes_it() {
    assert_eq!(id_text(&"60012345".into()), Some("60012345".into()));
    assert_eq!(
        id_text(&JsValue::from_f64(60012345.0)),
        Some("60012345".into())
    );
    assert_eq!(id_text(&"".into()), None);
    assert_eq!(id_text(&JsValue::UNDEFINED), None);
    assert_eq!(id_text(&JsValue::NULL), None);
    assert_eq!(id_text(&JsValue::TRUE), None);
}

#[wasm_bindgen_test]
fn each_widget_location_names_its_record() {
    let view = |location| record_key(location).map(|key| record_in_view(key, "7".into()));
    assert_eq!(
        view("desk.ticket.detail.rightpanel").and_then(|v| v.ticket),
        Some("7".into())
    );
    assert_eq!(
        view("desk.contact.detail.rightpanel").and_then(|v| v.contact),
        Some("7".into())
    );
    assert_eq!(
        view("desk.account.detail.rightpanel").and_then(|v| v.account),
        Some("7".into())
    );
    assert_eq!(view("desk.extension.preference"), None);
}

#[wasm_bindgen_test]
fn the_session_request_leaves_secrets_to_the_proxy() {
    let asked = SessionRequest {
        org: "60012345".into(),
        agent: "5001".into(),
        profile_id: None,
        view: RecordInView {
            ticket: Some("9001".into()),
            ..RecordInView::default()
        },
    };
    let request = session_request_object("http://127.0.0.1:8787/", &asked).into();
    let text = |path: &[&str]| text_at(&request, path);
    assert_eq!(
        text(&["url"]).as_deref(),
        Some("http://127.0.0.1:8787/api/session")
    );
    assert_eq!(text(&["type"]).as_deref(), Some("POST"));
    assert_eq!(
        text(&["headers", "X-Sfdesk-Installation"]).as_deref(),
        Some("{{secure.installSecret}}")
    );
    assert_eq!(
        text(&["headers", "Content-Type"]).as_deref(),
        Some("application/json")
    );
    assert_eq!(text(&["connectionLinkName"]).as_deref(), Some("sfdeskdesk"));
    let body: SessionRequest = serde_json::from_str(&text(&["postBody"]).unwrap()).unwrap();
    assert_eq!(body, asked);
}

#[wasm_bindgen_test]
fn the_installation_secret_is_asked_through_the_proxy_and_read_from_its_answer() {
    let asked = InstallationSecretRequest {
        org: "60012345".into(),
    };
    let request = proxy_request_object(
        "https://sfdesk.acme.example",
        INSTALLATION_SECRET_PATH,
        &asked,
    )
    .into();
    assert_eq!(
        text_at(&request, &["url"]).as_deref(),
        Some("https://sfdesk.acme.example/api/installation-secret")
    );
    assert_eq!(
        text_at(&request, &["connectionLinkName"]).as_deref(),
        Some("sfdeskdesk")
    );
    let body: InstallationSecretRequest =
        serde_json::from_str(&text_at(&request, &["postBody"]).unwrap()).unwrap();
    assert_eq!(body, asked);
    let inner = json!({"status": "true", "statusMessage": {"secret": "abc"}}).to_string();
    let answer = json!({ "response": inner }).to_string();
    assert_eq!(
        answer_body::<InstallationSecret>(&answer),
        Ok(InstallationSecret {
            secret: "abc".into()
        })
    );
}

#[wasm_bindgen_test]
fn reads_the_session_from_the_proxy_answer() {
    let body = json!({"token": "a.b.c", "expires_at": 1_900_000_000});
    let wrap = |message: serde_json::Value| {
        let inner = json!({"status": "true", "statusMessage": message}).to_string();
        json!({ "response": inner }).to_string()
    };
    let expected = Session {
        token: "a.b.c".into(),
        expires_at: 1_900_000_000,
    };
    assert_eq!(
        session_from_answer(&wrap(body.clone())),
        Ok(expected.clone())
    );
    // A body the proxy passed on as text reads the same.
    assert_eq!(
        session_from_answer(&wrap(body.to_string().into())),
        Ok(expected)
    );
    assert!(matches!(
        session_from_answer(&wrap(json!({"nope": 1}))),
        Err(SdkError::Decode(_))
    ));
    for not_an_answer in [
        "not json".to_owned(),
        "42".to_owned(),
        json!({"response": 1}).to_string(),
        json!({"response": json!({"status": "true"}).to_string()}).to_string(),
    ] {
        assert!(
            matches!(
                session_from_answer(&not_an_answer),
                Err(SdkError::Decode(_))
            ),
            "{not_an_answer}"
        );
    }
}

#[wasm_bindgen_test]
fn a_refusal_shows_what_the_edge_or_the_proxy_said() {
    let refused = |status: u16, body: serde_json::Value| {
        let text =
            json!({"status": "false", "statusCode": status, "statusMessage": body.to_string()});
        refusal(&text.to_string())
    };
    let edge = json!({"error": {"code": "forbidden", "message": "Install it first."}});
    assert_eq!(
        refused(403, edge),
        ClientError::Api(ApiError::new(ErrorCode::Forbidden, "Install it first."))
    );
    let edge = json!({"error": {"code": "unauthorized", "message": "Reload the page."}});
    assert_eq!(
        refused(401, edge),
        ClientError::Unauthorized("Reload the page.".into())
    );
    let proxy = json!({"errorCode": "EXTENSION_NOT_INSTALLED", "message": "Not installed."});
    assert_eq!(
        refused(400, proxy),
        ClientError::Api(ApiError::new(ErrorCode::Forbidden, "Not installed."))
    );
    assert_eq!(
        refusal("plain text"),
        ClientError::Unauthorized("plain text".into())
    );
    assert_eq!(
        ClientError::from(SdkError::Missing("agent")),
        ClientError::Unauthorized("Zoho Desk did not say which agent this is".into())
    );
}

#[wasm_bindgen_test]
fn a_session_is_renewed_shortly_before_it_expires() {
    assert_eq!(
        renew_after(1_000 + 900, 1_000),
        Duration::from_secs(900 - RENEW_BEFORE_SECS)
    );
    assert_eq!(renew_after(1_000, 1_000), Duration::ZERO);
}

#[wasm_bindgen_test]
fn calls_with_the_page_session_send_its_latest_renewal() {
    let sessions = Sessions {
        first: "first".into(),
        latest: "renewed".into(),
    };
    assert_eq!(sessions.token_for("first"), "renewed");
    assert_eq!(sessions.token_for("another"), "another");
}
