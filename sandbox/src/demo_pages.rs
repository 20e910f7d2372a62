//! The demo helpdesk: server-rendered pages that look like a helpdesk's agent view and
//! embed the widget the way a real helpdesk extension would.
//!
//! The page mints the context token on the server with the secret it shares with the
//! edge, and puts it in the iframe URL's fragment (`#ctx=`), which browsers never send
//! to servers, so the token stays out of request logs.

use crate::clock;
use crate::helpdesk::HelpdeskState;
use crate::helpdesk::store::{Agent, Desk, Ticket};
use crate::html::{self, escape};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use shared::context::{self, ContextClaims, Role};
use shared::ids::Email;
use std::sync::Arc;

/// The cookie that remembers which agent the visitor is acting as.
pub const AGENT_COOKIE: &str = "sandbox_agent";

/// The element id of the widget's iframe, which browser tests look for.
pub const WIDGET_IFRAME_ID: &str = "sfdesk-widget";

pub struct DemoState {
    pub helpdesk: Arc<HelpdeskState>,
    pub edge_url: String,
    pub context_secret: String,
    pub salesforce_url: String,
}

pub fn router(state: Arc<DemoState>) -> Router {
    Router::new()
        .route("/", get(ticket_list))
        .route("/tickets/{id}", get(ticket_page))
        .route("/setup", get(setup_page))
        .fallback(|| async { not_found("This page does not exist.") })
        .with_state(state)
}

/// The claims a helpdesk extension host signs for an agent looking at a view.
pub fn context_claims(
    desk: &Desk,
    agent: &Agent,
    ticket: Option<&Ticket>,
    exp: u64,
) -> ContextClaims {
    let profile = desk.profile(&agent.profile_id);
    let role = match profile.map(|p| p.kind.as_str()) {
        Some("Administrator") => Role::Admin,
        _ => Role::Agent,
    };
    ContextClaims {
        org: desk.org_id.clone(),
        agent: agent.id.clone(),
        profile_id: agent.profile_id.clone(),
        profile_name: profile.map(|p| p.name.clone()).unwrap_or_default(),
        role,
        ticket: ticket.map(|t| t.id.clone()),
        requester: ticket.and_then(|t| Email::parse(&t.email).ok()),
        account: None,
        exp,
    }
}

/// A signed token for `agent`, valid for [`context::DEFAULT_TTL_SECS`] of wall-clock time
/// (the edge checks expiry against its own clock, not the sandbox's).
pub fn mint(desk: &Desk, agent: &Agent, ticket: Option<&Ticket>, secret: &str) -> String {
    let now = u64::try_from(clock::wall_clock_ms() / 1000).unwrap_or_default();
    let claims = context_claims(desk, agent, ticket, now + context::DEFAULT_TTL_SECS);
    context::sign(&claims, secret.as_bytes())
}

/// Where the widget lives, with the token in the fragment.
pub fn widget_src(edge_url: &str, token: &str) -> String {
    format!("{}/#ctx={token}", edge_url.trim_end_matches('/'))
}

#[derive(Debug, Default, Deserialize)]
struct AgentChoice {
    agent: Option<String>,
}

/// The acting agent: `?agent=` if it names one (remembered in a cookie), else the
/// cookie's, else the administrator.
fn current_agent(
    desk: &Desk,
    choice: &AgentChoice,
    headers: &HeaderMap,
) -> (Agent, Option<HeaderValue>) {
    if let Some(agent) = choice.agent.as_deref().and_then(|id| desk.agent(id)) {
        let cookie = format!(
            "{AGENT_COOKIE}={}; Path=/; SameSite=Lax; HttpOnly",
            agent.id
        );
        return (agent.clone(), HeaderValue::from_str(&cookie).ok());
    }
    let remembered = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == AGENT_COOKIE)
        .and_then(|(_, id)| desk.agent(id));
    let agent = remembered.unwrap_or(&desk.agents[0]).clone();
    (agent, None)
}

fn respond(status: StatusCode, title: &str, body: String, cookie: Option<HeaderValue>) -> Response {
    let mut response = html::respond(status, html::page(title, STYLE, &body));
    if let Some(cookie) = cookie {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

fn not_found(message: &str) -> Response {
    let body = format!(
        "<main class=\"narrow\"><h1>Not found</h1><p>{}</p><p><a href=\"/\">Back to tickets</a></p></main>",
        escape(message)
    );
    respond(
        StatusCode::NOT_FOUND,
        "Not found | Sandbox Desk",
        body,
        None,
    )
}

/// The header bar: brand, navigation and the agent picker.
fn top_bar(state: &DemoState, desk: &Desk, agent: &Agent, here: &str) -> String {
    let options: String = desk
        .agents
        .iter()
        .map(|a| {
            let profile = desk
                .profile(&a.profile_id)
                .map(|p| p.name.as_str())
                .unwrap_or("");
            let selected = if a.id == agent.id { " selected" } else { "" };
            format!(
                "<option value=\"{}\"{selected}>{} ({})</option>",
                escape(&a.id),
                escape(&a.name),
                escape(profile)
            )
        })
        .collect();
    let is_admin = desk
        .profile(&agent.profile_id)
        .is_some_and(|p| p.kind == "Administrator");
    let setup = if is_admin {
        "<a href=\"/setup\">Setup</a>"
    } else {
        ""
    };
    format!(
        r#"<header class="topbar">
<a class="brand" href="/"><span class="logo">SD</span>{org}</a>
<nav><a href="/">Tickets</a>{setup}<a href="{sf}" target="_blank" rel="noopener">Salesforce org</a></nav>
<form class="agent-picker" method="get" action="{here}">
<label for="agent">Acting as</label>
<select id="agent" name="agent" onchange="this.form.submit()">{options}</select>
<noscript><button type="submit">Switch</button></noscript>
</form>
</header>"#,
        org = escape(&desk.org_name),
        sf = escape(&state.salesforce_url),
        here = escape(here),
    )
}

fn status_pill(status: &str) -> String {
    let class = status.to_lowercase().replace(' ', "-");
    format!(
        "<span class=\"pill status-{}\">{}</span>",
        escape(&class),
        escape(status)
    )
}

fn requester_name(desk: &Desk, ticket: &Ticket) -> String {
    desk.contacts
        .get(&ticket.contact_id)
        .map(|c| {
            [
                c.first_name.as_deref().unwrap_or_default(),
                c.last_name.as_str(),
            ]
            .join(" ")
            .trim()
            .to_owned()
        })
        .unwrap_or_else(|| ticket.email.clone())
}

fn short_time(ms: i64) -> String {
    let text = clock::zoho_datetime(ms);
    format!("{} {} UTC", &text[..10], &text[11..16])
}

async fn ticket_list(
    State(state): State<Arc<DemoState>>,
    Query(choice): Query<AgentChoice>,
    headers: HeaderMap,
) -> Response {
    let desk = state.helpdesk.desk();
    let (agent, cookie) = current_agent(&desk, &choice, &headers);
    let mut tickets: Vec<&Ticket> = desk.tickets.values().collect();
    tickets.sort_by_key(|t| std::cmp::Reverse(t.created_time));
    let rows: String = tickets
        .iter()
        .map(|t| {
            format!(
                "<tr><td class=\"num\">#{num}</td>\
                 <td><a href=\"/tickets/{id}\">{subject}</a></td>\
                 <td>{requester}<div class=\"muted\">{email}</div></td>\
                 <td>{status}</td><td>{priority}</td><td class=\"muted\">{created}</td></tr>",
                num = escape(&t.ticket_number),
                id = escape(&t.id),
                subject = escape(&t.subject),
                requester = escape(&requester_name(&desk, t)),
                email = escape(&t.email),
                status = status_pill(&t.status),
                priority = escape(&t.priority),
                created = short_time(t.created_time.0),
            )
        })
        .collect();
    let body = format!(
        "{bar}<main><div class=\"page-head\"><h1>All tickets</h1><span class=\"muted\">{count} tickets</span></div>\
         <table class=\"tickets\"><thead><tr><th>#</th><th>Subject</th><th>Requester</th><th>Status</th>\
         <th>Priority</th><th>Created</th></tr></thead><tbody>{rows}</tbody></table></main>",
        bar = top_bar(&state, &desk, &agent, "/"),
        count = tickets.len(),
    );
    respond(StatusCode::OK, "Tickets | Sandbox Desk", body, cookie)
}

async fn ticket_page(
    State(state): State<Arc<DemoState>>,
    Path(id): Path<String>,
    Query(choice): Query<AgentChoice>,
    headers: HeaderMap,
) -> Response {
    let desk = state.helpdesk.desk();
    let Some(ticket) = desk.tickets.get(&id) else {
        return not_found("No ticket has this number.");
    };
    let (agent, cookie) = current_agent(&desk, &choice, &headers);
    let token = mint(&desk, &agent, Some(ticket), &state.context_secret);
    let contact = desk.contacts.get(&ticket.contact_id);
    let account = ticket
        .account_id
        .as_ref()
        .and_then(|a| desk.accounts.get(a))
        .map(|a| a.account_name.as_str());
    let requester = requester_name(&desk, ticket);
    let phone = contact.and_then(|c| c.phone.as_deref()).unwrap_or("—");
    let assignee = ticket
        .assignee_id
        .as_deref()
        .and_then(|a| desk.agent(a))
        .map(|a| a.name.as_str())
        .unwrap_or("Unassigned");
    let body = format!(
        r#"{bar}
<main class="ticket-layout">
<section class="ticket-main">
<a class="back" href="/">&larr; All tickets</a>
<h1><span class="muted">#{num}</span> {subject}</h1>
<div class="meta">{status}<span>Priority: {priority}</span><span>Channel: {channel}</span><span>Assignee: {assignee}</span><span>{created}</span></div>
<article class="message">
<div class="from"><strong>{requester}</strong> <span class="muted">&lt;{email}&gt;</span></div>
<p>{description}</p>
</article>
<form class="reply"><textarea placeholder="Replies are disabled in the sandbox" disabled></textarea></form>
</section>
<aside class="ticket-side">
<section class="card requester">
<h2>Requester</h2>
<div class="name">{requester}</div>
<dl><dt>Email</dt><dd>{email}</dd><dt>Phone</dt><dd>{phone}</dd><dt>Account</dt><dd>{account}</dd></dl>
</section>
<section class="card widget">
<h2>Salesforce</h2>
<iframe id="{iframe_id}" title="Salesforce" src="{src}"></iframe>
</section>
</aside>
</main>"#,
        bar = top_bar(&state, &desk, &agent, &format!("/tickets/{}", ticket.id)),
        num = escape(&ticket.ticket_number),
        subject = escape(&ticket.subject),
        status = status_pill(&ticket.status),
        priority = escape(&ticket.priority),
        channel = escape(&ticket.channel),
        assignee = escape(assignee),
        created = short_time(ticket.created_time.0),
        requester = escape(&requester),
        email = escape(&ticket.email),
        description = escape(&ticket.description),
        phone = escape(phone),
        account = escape(account.unwrap_or("—")),
        iframe_id = WIDGET_IFRAME_ID,
        src = escape(&widget_src(&state.edge_url, &token)),
    );
    let title = format!(
        "#{} {} | Sandbox Desk",
        ticket.ticket_number, ticket.subject
    );
    respond(StatusCode::OK, &title, body, cookie)
}

/// Where an administrator manages the integration: the widget without a ticket.
async fn setup_page(
    State(state): State<Arc<DemoState>>,
    Query(choice): Query<AgentChoice>,
    headers: HeaderMap,
) -> Response {
    let desk = state.helpdesk.desk();
    let (agent, cookie) = current_agent(&desk, &choice, &headers);
    let is_admin = desk
        .profile(&agent.profile_id)
        .is_some_and(|p| p.kind == "Administrator");
    let content = if is_admin {
        let token = mint(&desk, &agent, None, &state.context_secret);
        format!(
            "<iframe id=\"{WIDGET_IFRAME_ID}\" class=\"console\" title=\"Salesforce integration\" src=\"{}\"></iframe>",
            escape(&widget_src(&state.edge_url, &token))
        )
    } else {
        "<p class=\"card\">Only administrators can manage integrations. \
         Pick an administrator in the top bar.</p>"
            .to_owned()
    };
    let body = format!(
        "{bar}<main><div class=\"page-head\"><h1>Setup &rsaquo; Marketplace &rsaquo; Salesforce</h1></div>{content}</main>",
        bar = top_bar(&state, &desk, &agent, "/setup"),
    );
    respond(StatusCode::OK, "Setup | Sandbox Desk", body, cookie)
}

/// The administrator the demo defaults to, for callers outside a request.
pub fn default_agent(desk: &Desk) -> &Agent {
    &desk.agents[0]
}

/// The agent with this profile name (`Administrator`, `Agent`, `Light Agent`).
pub fn agent_with_profile<'a>(desk: &'a Desk, profile_name: &str) -> Option<&'a Agent> {
    let profile = desk.profiles.iter().find(|p| p.name == profile_name)?;
    desk.agents.iter().find(|a| a.profile_id == profile.id)
}

const STYLE: &str = r#"
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2933; background: #f4f5f7; }
a { color: #2563eb; text-decoration: none; }
a:hover { text-decoration: underline; }
.muted { color: #6b7280; font-size: 13px; }
.topbar { display: flex; align-items: center; gap: 24px; padding: 0 20px; height: 52px; background: #1e293b; color: #e2e8f0; }
.brand { display: flex; align-items: center; gap: 10px; color: #fff; font-weight: 600; font-size: 16px; }
.logo { display: inline-grid; place-items: center; width: 28px; height: 28px; border-radius: 6px; background: #22c55e; color: #0f172a; font-size: 12px; font-weight: 800; }
.topbar nav { display: flex; gap: 18px; flex: 1; }
.topbar nav a { color: #cbd5e1; }
.agent-picker { display: flex; align-items: center; gap: 8px; font-size: 13px; }
.agent-picker select { padding: 4px 8px; border-radius: 6px; border: 1px solid #475569; background: #0f172a; color: #f1f5f9; }
main { max-width: 1280px; margin: 0 auto; padding: 20px; }
main.narrow { max-width: 640px; }
.page-head { display: flex; align-items: baseline; gap: 12px; }
h1 { font-size: 20px; margin: 0 0 14px; }
h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: #6b7280; margin: 0 0 10px; }
table.tickets { width: 100%; border-collapse: collapse; background: #fff; border-radius: 8px; overflow: hidden; box-shadow: 0 1px 2px rgba(0,0,0,.06); }
.tickets th { text-align: left; font-weight: 600; font-size: 12px; color: #6b7280; padding: 10px 14px; background: #f9fafb; border-bottom: 1px solid #e5e7eb; }
.tickets td { padding: 12px 14px; border-bottom: 1px solid #f0f1f3; vertical-align: top; }
.tickets td.num { color: #6b7280; width: 60px; }
.pill { display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 12px; font-weight: 600; background: #e5e7eb; color: #374151; }
.status-open { background: #dbeafe; color: #1d4ed8; }
.status-on-hold { background: #fef3c7; color: #92400e; }
.status-escalated { background: #fee2e2; color: #b91c1c; }
.status-closed { background: #dcfce7; color: #166534; }
.ticket-layout { display: grid; grid-template-columns: minmax(0, 1fr) 400px; gap: 20px; align-items: start; }
.ticket-main { background: #fff; border-radius: 8px; padding: 18px 22px; box-shadow: 0 1px 2px rgba(0,0,0,.06); }
.back { display: inline-block; margin-bottom: 10px; font-size: 13px; }
.meta { display: flex; flex-wrap: wrap; gap: 14px; align-items: center; color: #4b5563; font-size: 13px; margin-bottom: 18px; }
.message { border: 1px solid #e5e7eb; border-radius: 8px; padding: 14px 16px; background: #fafafa; }
.message p { margin: 8px 0 0; white-space: pre-wrap; }
.reply textarea { width: 100%; min-height: 90px; margin-top: 16px; padding: 10px; border-radius: 8px; border: 1px solid #d1d5db; background: #f9fafb; font: inherit; }
.ticket-side { display: flex; flex-direction: column; gap: 16px; }
.card { background: #fff; border-radius: 8px; padding: 14px 16px; box-shadow: 0 1px 2px rgba(0,0,0,.06); }
.requester .name { font-weight: 600; font-size: 15px; margin-bottom: 6px; }
.requester dl { display: grid; grid-template-columns: 80px 1fr; gap: 4px 8px; margin: 0; font-size: 13px; }
.requester dt { color: #6b7280; }
.requester dd { margin: 0; overflow-wrap: anywhere; }
.widget { padding-bottom: 8px; }
.widget iframe { width: 100%; height: 640px; border: 0; border-radius: 6px; background: #fff; }
iframe.console { width: 100%; height: 760px; border: 0; border-radius: 8px; background: #fff; box-shadow: 0 1px 2px rgba(0,0,0,.06); }
@media (max-width: 900px) { .ticket-layout { grid-template-columns: 1fr; } }
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo;

    #[test]
    fn the_widget_gets_its_token_in_the_fragment() {
        assert_eq!(
            widget_src("http://127.0.0.1:8787/", "a.b.c"),
            "http://127.0.0.1:8787/#ctx=a.b.c"
        );
    }

    #[test]
    fn claims_carry_role_from_the_profile() {
        let seeded = crate::seed::seed();
        let desk = &seeded.desk;
        let ticket = &desk.tickets[&seeded.demo_ticket_id];
        let admin = agent_with_profile(desk, "Administrator").unwrap();
        let light = agent_with_profile(desk, "Light Agent").unwrap();
        let claims = context_claims(desk, admin, Some(ticket), 99);
        assert_eq!(claims.role, Role::Admin);
        assert_eq!(claims.org, demo::HELPDESK_ORG_ID);
        assert_eq!(claims.ticket.as_deref(), Some(ticket.id.as_str()));
        assert_eq!(claims.requester.unwrap().as_str(), ticket.email);
        let claims = context_claims(desk, light, None, 99);
        assert_eq!(claims.role, Role::Agent);
        assert_eq!(claims.profile_name, "Light Agent");
        assert_eq!(claims.requester, None);
    }

    #[test]
    fn agent_choice_comes_from_query_then_cookie_then_default() {
        let seeded = crate::seed::seed();
        let desk = &seeded.desk;
        let agent = agent_with_profile(desk, "Agent").unwrap();
        let (chosen, cookie) = current_agent(
            desk,
            &AgentChoice {
                agent: Some(agent.id.clone()),
            },
            &HeaderMap::new(),
        );
        assert_eq!(chosen.id, agent.id);
        assert!(
            cookie
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("sandbox_agent=")
        );

        let mut headers = HeaderMap::new();
        let cookie = format!("theme=dark; {AGENT_COOKIE}={}", agent.id);
        headers.insert(header::COOKIE, HeaderValue::from_str(&cookie).unwrap());
        let (chosen, set) = current_agent(desk, &AgentChoice::default(), &headers);
        assert_eq!((chosen.id.as_str(), set), (agent.id.as_str(), None));

        let (chosen, _) = current_agent(
            desk,
            &AgentChoice {
                agent: Some("nobody".into()),
            },
            &HeaderMap::new(),
        );
        assert_eq!(chosen.id, default_agent(desk).id);
    }
}
