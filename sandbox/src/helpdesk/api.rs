//! Zoho Desk's read endpoints for the org and its people: organisations, the caller,
//! agents, profiles, roles (lists and single ones) and tickets (contacts and accounts are in `records`). Lists
//! answer `{"data": [...]}`, or 204 with no body when nothing matches, as Zoho does;
//! unknown query parameters are refused with 422.

use super::oauth::Caller;
use super::store::{Desk, Ticket, Time};
use super::{DeskError, HelpdeskState};
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

type Params = Query<HashMap<String, String>>;

pub(super) fn routes() -> Router<Arc<HelpdeskState>> {
    Router::new()
        .route("/api/v1/organizations", get(organizations))
        .route("/api/v1/myinfo", get(myinfo))
        .route("/api/v1/agents", get(agents))
        .route("/api/v1/agents/{id}", get(agent))
        .route("/api/v1/profiles", get(profiles))
        .route("/api/v1/profiles/{id}", get(profile))
        .route("/api/v1/roles", get(roles))
        .route("/api/v1/roles/{id}", get(role))
        .route("/api/v1/tickets", get(tickets))
        .route("/api/v1/tickets/{id}", get(ticket))
}

/// `from` (0-based index) and `limit` of a list call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Window {
    pub from: usize,
    pub limit: usize,
}

/// Refuses parameters the endpoint does not know, then reads the list window.
pub(super) fn window(
    params: &HashMap<String, String>,
    allowed: &[&str],
    max: usize,
) -> Result<Window, DeskError> {
    if let Some(extra) = params.keys().find(|k| {
        !allowed.contains(&k.as_str()) && !matches!(k.as_str(), "from" | "limit" | "orgId")
    }) {
        return Err(DeskError::extra_parameter(extra));
    }
    let number = |name: &str, default: usize, range: std::ops::RangeInclusive<usize>| match params
        .get(name)
    {
        None => Ok(default),
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| DeskError::invalid_data(&format!("/{name}"), "invalid")),
    };
    Ok(Window {
        from: number("from", 0, 0..=usize::MAX)?,
        limit: number("limit", 10, 1..=max)?,
    })
}

pub(super) fn only(params: &HashMap<String, String>, allowed: &[&str]) -> Result<(), DeskError> {
    match params
        .keys()
        .find(|k| !allowed.contains(&k.as_str()) && k.as_str() != "orgId")
    {
        Some(extra) => Err(DeskError::extra_parameter(extra)),
        None => Ok(()),
    }
}

/// `{"data": [...]}` for a window of `items`; 204 No Content when the window is empty.
pub(super) fn list<T: Serialize>(items: impl Iterator<Item = T>, window: Window) -> Response {
    let data: Vec<Value> = items
        .skip(window.from)
        .take(window.limit)
        .map(|item| serde_json::to_value(item).expect("store types serialize"))
        .collect();
    if data.is_empty() {
        return StatusCode::NO_CONTENT.into_response();
    }
    Json(json!({ "data": data })).into_response()
}

pub(super) fn one<T: Serialize>(item: Option<&T>) -> Result<Response, DeskError> {
    item.map(|i| Json(i).into_response())
        .ok_or_else(DeskError::not_found)
}

/// The organisations the caller belongs to: in the sandbox, their one organisation.
async fn organizations(
    State(state): State<Arc<HelpdeskState>>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, DeskError> {
    let desk = state.org(&caller.org_id)?;
    Ok(Json(json!({"data": [{
        "id": desk.org_id,
        "companyName": desk.org_name,
        "portalName": portal_name(&desk),
        "isDefault": true,
        // The edition of the plan the org is held to (Zoho Desk API, "Get all
        // organizations": `edition`).
        "edition": state.edition_of(&desk).api_name(),
    }]}))
    .into_response())
}

/// The agent the token belongs to: who signed the grant (Zoho Desk API, Agents, "Get My
/// Information", `GET /api/v1/myinfo`).
async fn myinfo(
    State(state): State<Arc<HelpdeskState>>,
    Extension(caller): Extension<Caller>,
    Query(params): Params,
) -> Result<Response, DeskError> {
    only(&params, &[])?;
    one(state.org(&caller.org_id)?.agent(&caller.agent_id))
}

async fn agents(
    State(state): State<Arc<HelpdeskState>>,
    Extension(caller): Extension<Caller>,
    Query(params): Params,
) -> Result<Response, DeskError> {
    let window = window(&params, &["status"], 200)?;
    let desk = state.org(&caller.org_id)?;
    let status = params.get("status").map(|s| s.to_uppercase());
    let agents = desk
        .agents
        .iter()
        .filter(|a| status.as_ref().is_none_or(|s| &a.status == s));
    Ok(list(agents, window))
}

async fn agent(
    State(state): State<Arc<HelpdeskState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, DeskError> {
    one(state.org(&caller.org_id)?.agent(&id))
}

async fn profiles(
    State(state): State<Arc<HelpdeskState>>,
    Extension(caller): Extension<Caller>,
    Query(params): Params,
) -> Result<Response, DeskError> {
    whole_list(&params, state.org(&caller.org_id)?.profiles.iter())
}

async fn profile(
    State(state): State<Arc<HelpdeskState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, DeskError> {
    one(state.org(&caller.org_id)?.profile(&id))
}

async fn roles(
    State(state): State<Arc<HelpdeskState>>,
    Extension(caller): Extension<Caller>,
    Query(params): Params,
) -> Result<Response, DeskError> {
    whole_list(&params, state.org(&caller.org_id)?.roles.iter())
}

async fn role(
    State(state): State<Arc<HelpdeskState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, DeskError> {
    one(state.org(&caller.org_id)?.role(&id))
}

/// A list Zoho answers whole: no parameters, no paging.
fn whole_list<T: Serialize>(
    params: &HashMap<String, String>,
    items: impl Iterator<Item = T>,
) -> Result<Response, DeskError> {
    only(params, &[])?;
    Ok(list(
        items,
        Window {
            from: 0,
            limit: usize::MAX,
        },
    ))
}

async fn tickets(
    State(state): State<Arc<HelpdeskState>>,
    Extension(caller): Extension<Caller>,
    Query(params): Params,
) -> Result<Response, DeskError> {
    let window = window(&params, &["sortBy", "status", "include"], 100)?;
    let desk = state.org(&caller.org_id)?;
    let mut tickets: Vec<_> = desk
        .tickets
        .values()
        .filter(|t| {
            params
                .get("status")
                .is_none_or(|s| s.split(',').any(|s| s.eq_ignore_ascii_case(&t.status)))
        })
        .collect();
    let sort = params.get("sortBy").map(String::as_str);
    let tickets = match sort {
        Some(by) if by.trim_start_matches('-') == "ticketNumber" => {
            tickets.sort_by_key(|t| t.ticket_number.parse::<u64>().unwrap_or(0));
            if by.starts_with('-') {
                tickets.reverse();
            }
            tickets
        }
        _ => sorted_by_time(tickets.into_iter(), sort, |t| {
            (t.created_time, t.modified_time)
        })?,
    };
    // The list view omits the description; the single-ticket view has it.
    let summaries = tickets.into_iter().map(|t| {
        let mut value = ticket_json(&state, &desk, t);
        if let Some(map) = value.as_object_mut() {
            map.shift_remove("description");
        }
        value
    });
    Ok(list(summaries, window))
}

async fn ticket(
    State(state): State<Arc<HelpdeskState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Query(params): Params,
) -> Result<Response, DeskError> {
    only(&params, &["include"])?;
    let desk = state.org(&caller.org_id)?;
    let ticket = desk.tickets.get(&id).ok_or_else(DeskError::not_found)?;
    Ok(Json(ticket_json(&state, &desk, ticket)).into_response())
}

/// The organisation's portal name: its company name in lower-case letters and digits.
fn portal_name(desk: &Desk) -> String {
    desk.org_name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_lowercase()
}

/// A ticket as the API answers it, with `webUrl`, the ticket in the agents' helpdesk:
/// `https://desk.zoho.com/support/zylker/ShowHomePage.do#Cases/dv/<id>` (Desk API, "Get
/// a ticket", response `webUrl`); the sandbox's agents' helpdesk is the demo pages.
fn ticket_json(state: &HelpdeskState, desk: &Desk, ticket: &Ticket) -> Value {
    let mut value = serde_json::to_value(ticket).expect("tickets serialize");
    if let Some(map) = value.as_object_mut() {
        map.insert(
            "webUrl".into(),
            ticket_web_url(&state.web_url, &portal_name(desk), &ticket.id).into(),
        );
    }
    value
}

/// Where Zoho Desk's `webUrl` leads: the portal's home page, the ticket in its fragment.
fn ticket_web_url(web_url: &str, portal: &str, ticket_id: &str) -> String {
    format!("{web_url}/support/{portal}/ShowHomePage.do#Cases/dv/{ticket_id}")
}

/// Orders by `createdTime` or `modifiedTime` (`-` prefix: descending), else keeps order.
pub(super) fn sorted_by_time<'a, T: 'a>(
    items: impl Iterator<Item = &'a T>,
    sort: Option<&str>,
    times: impl Fn(&T) -> (Time, Time),
) -> Result<Vec<&'a T>, DeskError> {
    let mut items: Vec<&T> = items.collect();
    if let Some(sort) = sort {
        let (descending, key) = match sort.strip_prefix('-') {
            Some(key) => (true, key),
            None => (false, sort),
        };
        match key {
            "createdTime" => items.sort_by_key(|i| times(i).0),
            "modifiedTime" => items.sort_by_key(|i| times(i).1),
            _ => return Err(DeskError::invalid_data("/sortBy", "invalid")),
        }
        if descending {
            items.reverse();
        }
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn window_defaults_and_bounds() {
        assert_eq!(
            window(&params(&[]), &[], 100).unwrap(),
            Window { from: 0, limit: 10 }
        );
        assert_eq!(
            window(&params(&[("from", "5"), ("limit", "100")]), &[], 100).unwrap(),
            Window {
                from: 5,
                limit: 100
            }
        );
        for bad in [
            ("limit", "101"),
            ("limit", "0"),
            ("from", "-1"),
            ("limit", "x"),
        ] {
            let err = window(&params(&[bad]), &[], 100).unwrap_err();
            assert_eq!(err.code, "INVALID_DATA", "{bad:?}");
            assert_eq!(err.status, StatusCode::UNPROCESSABLE_ENTITY);
        }
    }

    #[test]
    fn unknown_parameters_are_refused() {
        let err = window(&params(&[("sortOrder", "asc")]), &["sortBy"], 100).unwrap_err();
        assert_eq!(err.code, "UNPROCESSABLE_ENTITY");
        assert_eq!(
            err.message,
            "Extra query parameter 'sortOrder' is present in the input."
        );
    }
}
