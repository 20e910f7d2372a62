//! Browser tests of the widget's typed client of the edge's API.

use crate::fixtures::id;
use crate::support::{FetchStub, Reply, jane};
use contract::api::{
    ApiError, ErrorBody, ErrorCode, PANEL_CHOICE_PATH, PANEL_PATH, PANEL_SEARCH_PATH, Panel,
    PanelQuery, RecordKind, SearchHit,
};
use serde_json::json;
use wasm_bindgen_test::wasm_bindgen_test;
use widget::api::{Client, ClientError, decode_response};

fn error_body(code: ErrorCode, message: &str) -> String {
    serde_json::to_string(&ErrorBody {
        error: ApiError::new(code, message),
    })
    .unwrap()
}

#[wasm_bindgen_test]
fn a_success_is_the_contract_type() {
    let body = serde_json::to_string(&Panel::View { view: jane() }).unwrap();
    assert_eq!(
        decode_response::<Panel>(200, &body),
        Ok(Panel::View { view: jane() })
    );
}

#[wasm_bindgen_test]
fn an_error_body_is_an_api_error() {
    let body = error_body(ErrorCode::SalesforceUnavailable, "Salesforce is down");
    assert_eq!(
        decode_response::<Panel>(502, &body),
        Err(ClientError::Api(ApiError::new(
            ErrorCode::SalesforceUnavailable,
            "Salesforce is down"
        )))
    );
}

#[wasm_bindgen_test]
fn unauthorized_is_its_own_error_with_or_without_a_body() {
    let body = error_body(ErrorCode::Unauthorized, "the context token expired");
    assert_eq!(
        decode_response::<Panel>(401, &body),
        Err(ClientError::Unauthorized(
            "the context token expired".to_owned()
        ))
    );
    assert!(matches!(
        decode_response::<Panel>(401, "Unauthorized"),
        Err(ClientError::Unauthorized(_))
    ));
}

#[wasm_bindgen_test]
fn anything_else_is_a_decode_error_with_its_status() {
    assert!(matches!(
        decode_response::<Panel>(500, "<html>oops</html>"),
        Err(ClientError::Decode { status: 500, .. })
    ));
    assert!(matches!(
        decode_response::<Panel>(200, r#"{"state": "mystery"}"#),
        Err(ClientError::Decode { status: 200, .. })
    ));
}

#[wasm_bindgen_test]
async fn the_client_sends_the_token_to_the_panel_path() {
    let stub = FetchStub::install(vec![Reply::Json(200, json!({"state": "no_requester"}))]);

    let panel = Client::new("tok-123").panel().await;

    assert_eq!(panel, Ok(Panel::NoRequester));
    let calls = stub.calls();
    assert_eq!(calls.len(), 1);
    let call = &calls[0];
    assert_eq!(call.method, "GET");
    assert!(
        call.url.ends_with(PANEL_PATH),
        "{} should end with {PANEL_PATH}",
        call.url
    );
    assert_eq!(call.authorization.as_deref(), Some("Bearer tok-123"));
    // The edge's answers say `no-store`; a no-store request would skip the browser's
    // cache of CORS preflights, a round trip more on every page load.
    assert_eq!(call.cache, "default");
}

#[wasm_bindgen_test]
async fn the_client_reports_a_network_failure() {
    let _stub = FetchStub::install(vec![Reply::NetworkError]);

    let panel = Client::new("tok").panel().await;

    assert!(matches!(panel, Err(ClientError::Network(_))), "{panel:?}");
}

#[wasm_bindgen_test]
async fn the_client_decodes_an_error_answer() {
    let _stub = FetchStub::install(vec![Reply::Json(
        502,
        json!({"error": {"code": "salesforce_unavailable", "message": "try later"}}),
    )]);

    let panel = Client::with_base("", "tok").panel().await;

    assert_eq!(
        panel,
        Err(ClientError::Api(ApiError::new(
            ErrorCode::SalesforceUnavailable,
            "try later"
        )))
    );
}

#[wasm_bindgen_test]
async fn the_client_reports_an_answer_outside_the_contract() {
    let _stub = FetchStub::install(vec![Reply::Raw(503, "<html>Service Unavailable</html>")]);

    let panel = Client::new("tok").panel().await;

    assert!(
        matches!(panel, Err(ClientError::Decode { status: 503, .. })),
        "{panel:?}"
    );
}

#[wasm_bindgen_test]
async fn the_client_asks_for_a_chosen_contact() {
    let stub = FetchStub::install(vec![Reply::Json(200, json!({"state": "no_requester"}))]);
    let contact = id("003", 7);

    let query = PanelQuery {
        contact: Some(contact.clone()),
        ..PanelQuery::default()
    };
    let panel = Client::new("tok").panel_with(&query).await;

    assert_eq!(panel, Ok(Panel::NoRequester));
    let calls = stub.calls();
    assert!(
        calls[0]
            .url
            .ends_with(&format!("{PANEL_PATH}?contact={contact}")),
        "{}",
        calls[0].url
    );
    assert_eq!(calls[0].method, "GET");
    assert_eq!(calls[0].cache, "default");
}

#[wasm_bindgen_test]
async fn the_client_posts_a_choice_and_takes_any_success() {
    let stub = FetchStub::install(vec![
        Reply::Raw(200, ""),
        Reply::Json(201, json!({"ok": true})),
    ]);
    let contact = id("003", 7);

    assert_eq!(Client::new("tok-c").choose(&contact).await, Ok(()));
    assert_eq!(Client::new("tok-c").choose(&contact).await, Ok(()));

    let calls = stub.calls();
    assert_eq!(calls[0].method, "POST");
    assert!(
        calls[0].url.ends_with(PANEL_CHOICE_PATH),
        "{}",
        calls[0].url
    );
    assert_eq!(calls[0].authorization.as_deref(), Some("Bearer tok-c"));
    let body: serde_json::Value =
        serde_json::from_str(calls[0].body.as_deref().expect("a body")).expect("JSON");
    assert_eq!(body, json!({"contact": contact.to_string()}));
}

#[wasm_bindgen_test]
async fn a_refused_choice_is_an_error() {
    let _stub = FetchStub::install(vec![Reply::Json(
        403,
        json!({"error": {"code": "forbidden", "message": "not yours"}}),
    )]);

    let outcome = Client::new("tok").choose(&id("003", 7)).await;

    assert_eq!(
        outcome,
        Err(ClientError::Api(ApiError::new(
            ErrorCode::Forbidden,
            "not yours"
        )))
    );
}

#[wasm_bindgen_test]
async fn the_client_opens_a_record_afresh() {
    let stub = FetchStub::install(vec![Reply::Json(200, json!({"state": "no_requester"}))]);
    let record = id("001", 3);
    let query = PanelQuery {
        record: Some(record.clone()),
        fresh: true,
        ..PanelQuery::default()
    };
    Client::new("tok").panel_with(&query).await.unwrap();
    let url = &stub.calls()[0].url;
    assert!(
        url.ends_with(&format!("{PANEL_PATH}?record={record}&fresh=true")),
        "{url}"
    );
}

#[wasm_bindgen_test]
async fn the_client_searches_by_name() {
    let hit = SearchHit {
        kind: RecordKind::Account,
        id: id("001", 4),
        name: "Acme & Sons".into(),
        detail: None,
    };
    let stub = FetchStub::install(vec![Reply::Json(
        200,
        serde_json::to_value(vec![hit.clone()]).unwrap(),
    )]);
    let hits = Client::new("tok").search("Acme & Sons").await;
    assert_eq!(hits, Ok(vec![hit]));
    let call = &stub.calls()[0];
    assert!(
        call.url
            .ends_with(&format!("{PANEL_SEARCH_PATH}?q=Acme+%26+Sons")),
        "{}",
        call.url
    );
    assert_eq!(call.authorization.as_deref(), Some("Bearer tok"));
}
