//! `POST /composite`: up to 25 sub-requests in one API call, run in order against the
//! org, later ones referring to earlier results with `@{referenceId.path}`. With
//! `allOrNone` the first failure rolls everything back and every other sub-request
//! answers `PROCESSING_HALTED`, as Salesforce does.

use super::operations::{self, DEFAULT_BATCH, MIN_BATCH, Outcome, Reply};
use super::store::Org;
use super::{ApiError, Caller, SalesforceState};
use axum::body::Bytes;
use axum::extract::{Extension, State};
use axum::http::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::Arc;

/// Sub-requests per Composite call.
pub(super) const MAX_SUBREQUESTS: usize = 25;

const HALTED: &str =
    "The transaction was rolled back since another operation in the same transaction failed.";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CompositeRequest {
    #[serde(default)]
    all_or_none: bool,
    #[serde(default)]
    #[allow(dead_code)]
    collate_subrequests: bool,
    composite_request: Vec<SubRequest>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SubRequest {
    method: String,
    url: String,
    reference_id: String,
    #[serde(default)]
    body: Option<Value>,
    #[serde(default)]
    http_headers: HashMap<String, String>,
}

pub(super) async fn handle(
    State(state): State<Arc<SalesforceState>>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Outcome {
    let request: CompositeRequest = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(
            "JSON_PARSER_ERROR",
            format!("Cannot deserialize the Composite request: {e}"),
        )
    })?;
    if request.composite_request.is_empty() {
        return Err(ApiError::bad_request(
            "INVALID_INPUT",
            "A Composite request needs at least one sub-request",
        ));
    }
    if request.composite_request.len() > MAX_SUBREQUESTS {
        return Err(ApiError::bad_request(
            "LIMIT_EXCEEDED",
            format!("Maximum number of subrequests allowed is {MAX_SUBREQUESTS}"),
        ));
    }
    let mut seen = Vec::new();
    for sub in &request.composite_request {
        let well_formed = sub
            .reference_id
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
            && sub
                .reference_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !well_formed {
            return Err(ApiError::bad_request(
                "INVALID_INPUT",
                format!(
                    "Provided referenceId ('{}') must start with a letter or a number, and it \
                     can contain only letters, numbers and underscores ('_').",
                    sub.reference_id
                ),
            ));
        }
        if seen.contains(&&sub.reference_id) {
            return Err(ApiError::bad_request(
                "INVALID_INPUT",
                format!("Duplicate referenceId provided: {}", sub.reference_id),
            ));
        }
        seen.push(&sub.reference_id);
    }
    let now = state.clock.now_ms();
    let items = state.write(|org| run(&state, org, &caller, now, &request));
    Ok(Reply::ok(json!({"compositeResponse": items})))
}

/// How one sub-request ended.
struct Item {
    reference_id: String,
    reply: Result<Reply, ApiError>,
    /// Failed for `allOrNone`: an error status, or a Collections call with a failed record.
    failed: bool,
}

fn run(
    state: &SalesforceState,
    org: &mut Org,
    caller: &Caller,
    now: i64,
    request: &CompositeRequest,
) -> Vec<Value> {
    let all_or_none = request.all_or_none;
    let savepoint = org.begin();
    let mut items: Vec<Item> = Vec::new();
    // Bodies of the sub-requests that succeeded, for `@{ref...}` references.
    let mut results: HashMap<&str, Value> = HashMap::new();
    for sub in &request.composite_request {
        if all_or_none && items.iter().any(|i| i.failed) {
            break;
        }
        let (reply, failed) = match resolve_request(sub, &results) {
            Err(reference) => (Err(invalid_reference(&reference)), true),
            Ok((url, body)) => execute(
                state,
                org,
                caller,
                now,
                sub,
                &url,
                body.as_ref(),
                all_or_none,
            ),
        };
        if let Ok(reply) = &reply
            && !failed
        {
            results.insert(&sub.reference_id, reply.body.clone().unwrap_or(Value::Null));
        }
        items.push(Item {
            reference_id: sub.reference_id.clone(),
            reply,
            failed,
        });
    }
    let halted = all_or_none && items.iter().any(|i| i.failed);
    if halted {
        org.rollback(savepoint);
    } else {
        org.commit(savepoint);
    }
    request
        .composite_request
        .iter()
        .enumerate()
        .map(|(i, sub)| match items.get(i) {
            Some(item) if halted && !item.failed => halted_item(&item.reference_id),
            Some(item) => render(item),
            None => halted_item(&sub.reference_id),
        })
        .collect()
}

fn render(item: &Item) -> Value {
    let (body, headers, status) = match &item.reply {
        Ok(reply) => {
            let mut headers = Map::new();
            if let Some(location) = &reply.location {
                headers.insert("Location".into(), Value::String(location.clone()));
            }
            (
                reply.body.clone().unwrap_or(Value::Null),
                headers,
                reply.status,
            )
        }
        Err(error) => (error.to_value(), Map::new(), error.status),
    };
    json!({
        "body": body,
        "httpHeaders": headers,
        "httpStatusCode": status.as_u16(),
        "referenceId": item.reference_id,
    })
}

fn halted_item(reference_id: &str) -> Value {
    json!({
        "body": [{"errorCode": "PROCESSING_HALTED", "message": HALTED}],
        "httpHeaders": {},
        "httpStatusCode": 400,
        "referenceId": reference_id,
    })
}

fn invalid_reference(reference: &str) -> ApiError {
    let id = reference.split(['.', '[']).next().unwrap_or(reference);
    ApiError::bad_request(
        "PROCESSING_HALTED",
        format!(
            "Invalid reference specified. No value for {reference} found in {id}. Provided \
             referenceId ('{id}') must start with a letter or a number, and it can contain only \
             letters, numbers and underscores ('_')."
        ),
    )
}

/// Runs one sub-request; answers its reply and whether it failed.
#[allow(clippy::too_many_arguments)]
fn execute(
    state: &SalesforceState,
    org: &mut Org,
    caller: &Caller,
    now: i64,
    sub: &SubRequest,
    url: &str,
    body: Option<&Value>,
    all_or_none: bool,
) -> (Result<Reply, ApiError>, bool) {
    let method =
        Method::from_bytes(sub.method.to_ascii_uppercase().as_bytes()).unwrap_or(Method::OPTIONS);
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let params: HashMap<String, String> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    // "", "services", "data", "vNN.0", resource...
    let (version, resource) = match segments.as_slice() {
        ["", "services", "data", version, rest @ ..] if operations::supported_version(version) => {
            (*version, rest)
        }
        _ => return (Err(ApiError::not_found()), true),
    };
    let caller = Caller {
        version: version.to_owned(),
        ..caller.clone()
    };
    let caller = &caller;
    let no_body = || ApiError::bad_request("JSON_PARSER_ERROR", "The sub-request needs a body");
    let not_allowed = |allowed: &str| {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            format!("HTTP Method '{method}' not allowed. Allowed are {allowed}"),
        )
    };
    let plain = |outcome: Outcome| {
        let failed = outcome.as_ref().map_or(true, |r| r.status.as_u16() >= 400);
        (outcome, failed)
    };
    match resource {
        ["sobjects", sobject] => match method {
            Method::POST => plain(body.ok_or_else(no_body).and_then(|body| {
                operations::create_record(org, caller, now, sobject, operations::as_record(body)?)
            })),
            _ => plain(Err(not_allowed("POST"))),
        },
        ["sobjects", sobject, "describe"] => match method {
            Method::GET => plain(operations::describe_object(caller, sobject)),
            _ => plain(Err(not_allowed("GET"))),
        },
        ["sobjects", sobject, id] => match method {
            Method::GET => plain(operations::read_record(
                org,
                caller,
                sobject,
                id,
                params.get("fields").map(String::as_str),
            )),
            Method::PATCH => plain(body.ok_or_else(no_body).and_then(|body| {
                operations::update_record(
                    org,
                    caller,
                    now,
                    sobject,
                    id,
                    operations::as_record(body)?,
                )
            })),
            Method::DELETE => plain(operations::delete_record(org, caller, now, sobject, id)),
            _ => plain(Err(not_allowed("GET,PATCH,DELETE"))),
        },
        [resource @ ("query" | "queryAll")] => match method {
            Method::GET => {
                let batch = sub
                    .http_headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("Sforce-Query-Options"))
                    .and_then(|(_, v)| v.trim().strip_prefix("batchSize="))
                    .and_then(|n| n.trim().parse::<usize>().ok())
                    .map_or(DEFAULT_BATCH, |n| n.clamp(MIN_BATCH, DEFAULT_BATCH));
                plain(operations::query_page(
                    state,
                    org,
                    caller,
                    params.get("q").map(String::as_str),
                    *resource == "queryAll",
                    batch,
                ))
            }
            _ => plain(Err(not_allowed("GET"))),
        },
        ["composite", "sobjects"] => {
            let saved = match method {
                Method::POST | Method::PATCH => body.ok_or_else(no_body).and_then(|body| {
                    operations::collection_save(
                        org,
                        caller,
                        now,
                        method == Method::POST,
                        body,
                        all_or_none,
                    )
                }),
                Method::DELETE => operations::collection_remove(
                    org,
                    caller,
                    now,
                    params.get("ids").map_or("", String::as_str),
                    all_or_none || params.get("allOrNone").is_some_and(|v| v == "true"),
                ),
                _ => Err(not_allowed("POST,PATCH,DELETE")),
            };
            match saved {
                Ok((reply, any_failed)) => (Ok(reply), all_or_none && any_failed),
                Err(error) => (Err(error), true),
            }
        }
        _ => plain(Err(ApiError::not_found())),
    }
}

/// The sub-request's URL and body with every `@{reference}` replaced, or the first
/// reference that has no value.
fn resolve_request(
    sub: &SubRequest,
    results: &HashMap<&str, Value>,
) -> Result<(String, Option<Value>), String> {
    let url = interpolate(&sub.url, results)?;
    let body = sub
        .body
        .as_ref()
        .map(|b| resolve_value(b, results))
        .transpose()?;
    Ok((url, body))
}

fn resolve_value(value: &Value, results: &HashMap<&str, Value>) -> Result<Value, String> {
    Ok(match value {
        Value::String(text) => {
            // A string that is exactly one reference takes the referenced value's type.
            if let Some(reference) = text
                .strip_prefix("@{")
                .and_then(|t| t.strip_suffix('}'))
                .filter(|r| !r.contains('}'))
            {
                lookup(reference, results)?
            } else {
                Value::String(interpolate(text, results)?)
            }
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| resolve_value(v, results))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| Ok((k.clone(), resolve_value(v, results)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}

/// Replaces each `@{ref.path}` in `text` with the referenced value as text.
fn interpolate(text: &str, results: &HashMap<&str, Value>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("@{") {
        let Some(len) = rest[start + 2..].find('}') else {
            break;
        };
        out.push_str(&rest[..start]);
        let reference = &rest[start + 2..start + 2 + len];
        match lookup(reference, results)? {
            Value::String(s) => out.push_str(&s),
            Value::Null => return Err(reference.to_owned()),
            other => out.push_str(&other.to_string()),
        }
        rest = &rest[start + 3 + len..];
    }
    out.push_str(rest);
    Ok(out)
}

/// `newAccount.id`, `contacts.records[0].Account.Name`: a value in an earlier body.
fn lookup(reference: &str, results: &HashMap<&str, Value>) -> Result<Value, String> {
    let missing = || reference.to_owned();
    let id_end = reference.find(['.', '[']).unwrap_or(reference.len());
    let mut current = results.get(&reference[..id_end]).ok_or_else(missing)?;
    let mut rest = &reference[id_end..];
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('[') {
            let close = after.find(']').ok_or_else(missing)?;
            let index: usize = after[..close].parse().map_err(|_| missing())?;
            current = current.get(index).ok_or_else(missing)?;
            rest = &after[close + 1..];
        } else if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            current = current.get(&after[..end]).ok_or_else(missing)?;
            rest = &after[end..];
        } else {
            return Err(missing());
        }
    }
    Ok(current.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn results() -> HashMap<&'static str, Value> {
        HashMap::from([
            ("newAccount", json!({"id": "001A", "success": true})),
            (
                "found",
                json!({"totalSize": 1, "records": [{"Id": "003B", "Account": {"Name": "N"}, "Seats__c": 3.0}]}),
            ),
        ])
    }

    #[test]
    fn references_resolve_in_urls_and_bodies() {
        let results = results();
        assert_eq!(
            interpolate(
                "/services/data/v64.0/sobjects/Account/@{newAccount.id}",
                &results
            )
            .unwrap(),
            "/services/data/v64.0/sobjects/Account/001A"
        );
        let body = json!({
            "AccountId": "@{newAccount.id}",
            "Description": "of @{found.records[0].Account.Name}",
            "Seats__c": "@{found.records[0].Seats__c}",
        });
        assert_eq!(
            resolve_value(&body, &results).unwrap(),
            json!({"AccountId": "001A", "Description": "of N", "Seats__c": 3.0})
        );
        assert_eq!(
            lookup("missing.id", &results).unwrap_err(),
            "missing.id",
            "an unknown reference names itself"
        );
        assert!(lookup("found.records[3].Id", &results).is_err());
    }
}
