//! The demo helpdesk: server-rendered pages that look like a helpdesk's agent view and
//! embed the widget the way a real helpdesk extension would, in the right panel of the
//! ticket, contact and account pages.
//!
//! | page | shows |
//! |---|---|
//! | `/` | the ticket list, with a short note on what this is |
//! | `/agents` | the agent picker: one agent per profile |
//! | `/tickets/{id}` | a ticket, the widget about its requester and their account |
//! | `/contacts`, `/contacts/{id}` | contacts; one contact, the widget about them |
//! | `/accounts`, `/accounts/{id}` | accounts; one account, the widget about it |
//! | `/setup` | the integration's admin console (administrators) |
//!
//! Each page mints the context token on the server, for the agent shown, with the secret
//! it shares with the edge, and puts it in the iframe URL's fragment (`#ctx=`), which
//! browsers never send to servers, so the token stays out of request logs.

use crate::clock;
use crate::helpdesk::HelpdeskState;
use crate::helpdesk::store::{Account, Agent, Contact, Desk, Module, Ticket};
use crate::html::{self, escape};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::get;
use contract::context::{self, ContextClaims, Role};
use contract::ids::Email;
use serde::Deserialize;
use serde_json::Value;
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
        .route("/agents", get(agent_picker))
        .route("/tickets/{id}", get(ticket_page))
        .route("/contacts", get(contact_list))
        .route("/contacts/{id}", get(contact_page))
        .route("/accounts", get(account_list))
        .route("/accounts/{id}", get(account_page))
        .route("/setup", get(setup_page))
        .fallback(|| async { not_found("This page does not exist.") })
        .with_state(state)
}

/// What the agent is looking at, which the context token names.
#[derive(Debug, Clone, Copy)]
pub enum View<'a> {
    /// The admin console: no record in view.
    Setup,
    Ticket(&'a Ticket),
    Contact(&'a Contact),
    Account(&'a Account),
}

/// The claims a helpdesk extension host signs for an agent looking at a view: on a
/// ticket, the requester and their account; on a contact, the contact and their account;
/// on an account, the account (by name, which is how accounts match Salesforce's).
/// `now`: the issue time; the claims expire [`context::DEFAULT_TTL_SECS`] later.
pub fn context_claims(desk: &Desk, agent: &Agent, view: View<'_>, now: u64) -> ContextClaims {
    let profile = desk.profile(&agent.profile_id);
    let role = match profile.map(|p| p.kind.as_str()) {
        Some("Administrator") => Role::Admin,
        _ => Role::Agent,
    };
    let email = |text: Option<&str>| text.and_then(|t| Email::parse(t).ok());
    let (ticket, requester, account) = match view {
        View::Setup => (None, None, None),
        View::Ticket(t) => (
            Some(t.id.clone()),
            email(Some(&t.email)),
            desk.account_name(t.account_id.as_deref()),
        ),
        View::Contact(c) => (
            None,
            email(c.email.as_deref()),
            desk.account_name(c.account_id.as_deref()),
        ),
        View::Account(a) => (None, None, Some(a.account_name.as_str())),
    };
    ContextClaims {
        org: desk.org_id.clone(),
        agent: agent.id.clone(),
        profile_id: agent.profile_id.clone(),
        profile_name: profile.map(|p| p.name.clone()).unwrap_or_default(),
        role,
        ticket,
        requester,
        account: account.map(str::to_owned),
        aud: context::AUDIENCE.into(),
        iat: now,
        exp: now + context::DEFAULT_TTL_SECS,
    }
}

/// A signed token for `agent`, valid for [`context::DEFAULT_TTL_SECS`] of wall-clock time
/// (the edge checks expiry against its own clock, not the sandbox's).
pub fn mint(desk: &Desk, agent: &Agent, view: View<'_>, secret: &str) -> String {
    let now = u64::try_from(clock::wall_clock_ms() / 1000).unwrap_or_default();
    let claims = context_claims(desk, agent, view, now);
    context::sign(&claims, secret.as_bytes())
}

/// Where the widget lives, with the token in the fragment.
pub fn widget_src(edge_url: &str, token: &str) -> String {
    format!("{}/#ctx={token}", edge_url.trim_end_matches('/'))
}

/// The widget in admin console mode (`view=admin` beside the token).
pub fn console_src(edge_url: &str, token: &str) -> String {
    format!("{}&view=admin", widget_src(edge_url, token))
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
    let agent = remembered.unwrap_or_else(|| default_agent(desk)).clone();
    (agent, None)
}

fn respond(status: StatusCode, title: &str, body: String, cookie: Option<HeaderValue>) -> Response {
    let title = format!("{title} | Sandbox Desk");
    let mut response = html::respond(status, html::page(&title, STYLE, &body));
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
    respond(StatusCode::NOT_FOUND, "Not found", body, None)
}

fn profile_name<'a>(desk: &'a Desk, agent: &Agent) -> &'a str {
    desk.profile(&agent.profile_id)
        .map(|p| p.name.as_str())
        .unwrap_or("")
}

fn is_admin(desk: &Desk, agent: &Agent) -> bool {
    desk.profile(&agent.profile_id)
        .is_some_and(|p| p.kind == "Administrator")
}

/// Which section of the top bar is current.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Tickets,
    Contacts,
    Accounts,
    Agents,
    Setup,
}

/// The header bar: brand, navigation and the agent picker.
fn top_bar(state: &DemoState, desk: &Desk, agent: &Agent, here: &str, section: Section) -> String {
    let options: String = desk
        .agents
        .iter()
        .map(|a| {
            let selected = if a.id == agent.id { " selected" } else { "" };
            format!(
                "<option value=\"{}\"{selected}>{} ({})</option>",
                escape(&a.id),
                escape(&a.name),
                escape(profile_name(desk, a))
            )
        })
        .collect();
    let link = |href: &str, label: &str, which: Section| {
        let current = if section == which {
            " aria-current=\"page\""
        } else {
            ""
        };
        format!("<a href=\"{href}\"{current}>{label}</a>")
    };
    let setup = if is_admin(desk, agent) {
        link("/setup", "Setup", Section::Setup)
    } else {
        String::new()
    };
    format!(
        r#"<header class="topbar">
<a class="brand" href="/"><span class="logo">SD</span>{org}</a>
<nav>{tickets}{contacts}{accounts}{setup}<a href="{sf}" target="_blank" rel="noopener">Salesforce org &#8599;</a></nav>
<form class="agent-picker" method="get" action="{here}">
<label for="agent">Acting as</label>
<select id="agent" name="agent" onchange="this.form.submit()">{options}</select>
<noscript><button type="submit">Switch</button></noscript>
{agents}
</form>
</header>"#,
        org = escape(&desk.org_name),
        tickets = link("/", "Tickets", Section::Tickets),
        contacts = link("/contacts", "Contacts", Section::Contacts),
        accounts = link("/accounts", "Accounts", Section::Accounts),
        agents = link("/agents", "All agents", Section::Agents),
        sf = escape(&state.salesforce_url),
        here = escape(here),
    )
}

/// The one-paragraph explanation a first-time visitor needs.
fn intro(desk: &Desk, agent: &Agent) -> String {
    format!(
        "<aside class=\"intro\"><strong>This is a pretend helpdesk for trying sfdesk.</strong> \
         Open any ticket, contact or account: the <em>Salesforce</em> panel on the right is \
         the sfdesk widget, showing what Salesforce knows about the person or company in view. \
         You are acting as <strong>{name}</strong> ({profile}); what the panel shows depends \
         on the agent's profile, so <a href=\"/agents\">try another agent</a>.</aside>",
        name = escape(&agent.name),
        profile = escape(profile_name(desk, agent)),
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
        .map(Contact::full_name)
        .unwrap_or_else(|| ticket.email.clone())
}

fn short_time(ms: i64) -> String {
    let text = clock::zoho_datetime(ms);
    format!("{} {} UTC", &text[..10], &text[11..16])
}

fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .collect::<String>()
        .to_uppercase()
}

fn or_dash(value: Option<&str>) -> String {
    match value {
        Some(v) if !v.is_empty() => escape(v),
        _ => "<span class=\"muted\">&mdash;</span>".to_owned(),
    }
}

fn account_link(desk: &Desk, id: Option<&str>) -> String {
    match id.and_then(|id| desk.accounts.get(id)) {
        Some(account) => format!(
            "<a href=\"/accounts/{}\">{}</a>",
            escape(&account.id),
            escape(&account.account_name)
        ),
        None => or_dash(None),
    }
}

fn contact_link(desk: &Desk, id: &str, fallback: &str) -> String {
    match desk.contacts.get(id) {
        Some(contact) => format!(
            "<a href=\"/contacts/{}\">{}</a>",
            escape(&contact.id),
            escape(&contact.full_name())
        ),
        None => escape(fallback),
    }
}

/// The widget, in the right panel, as the given agent about the given view.
fn widget_card(
    state: &DemoState,
    desk: &Desk,
    agent: &Agent,
    view: View<'_>,
    about: &str,
) -> String {
    let token = mint(desk, agent, view, &state.context_secret);
    format!(
        r#"<section class="card widget">
<div class="widget-head"><h2>sfdesk extension</h2><span class="muted">{about}</span></div>
<iframe id="{WIDGET_IFRAME_ID}" title="Salesforce panel (sfdesk)" src="{src}"></iframe>
</section>"#,
        about = escape(about),
        src = escape(&widget_src(&state.edge_url, &token)),
    )
}

/// A definition list of label/value pairs (values are trusted markup).
fn details(rows: &[(&str, String)]) -> String {
    let rows: String = rows
        .iter()
        .map(|(label, value)| format!("<dt>{}</dt><dd>{value}</dd>", escape(label)))
        .collect();
    format!("<dl class=\"details\">{rows}</dl>")
}

/// The custom fields of a record, labelled as the helpdesk labels them.
fn custom_fields(desk: &Desk, module: Module, cf: &serde_json::Map<String, Value>) -> String {
    let rows: Vec<(&str, String)> = desk
        .fields(module)
        .iter()
        .filter(|f| f.custom)
        .map(|f| {
            let value = cf.get(&f.api_name).and_then(Value::as_str);
            (f.label.as_str(), or_dash(value))
        })
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    format!(
        "<section class=\"card flat\"><h2>Custom fields</h2>{}</section>",
        details(&rows)
    )
}

/// A table of tickets (for a contact or an account), newest first.
fn ticket_table(desk: &Desk, tickets: Vec<&Ticket>, empty: &str) -> String {
    if tickets.is_empty() {
        return format!("<p class=\"muted\">{}</p>", escape(empty));
    }
    let mut tickets = tickets;
    tickets.sort_by_key(|t| std::cmp::Reverse(t.created_time));
    let rows: String = tickets
        .iter()
        .map(|t| {
            format!(
                "<tr><td class=\"num\">#{num}</td><td><a href=\"/tickets/{id}\">{subject}</a>\
                 <div class=\"muted\">{requester}</div></td><td>{status}</td><td class=\"muted\">{created}</td></tr>",
                num = escape(&t.ticket_number),
                id = escape(&t.id),
                subject = escape(&t.subject),
                requester = escape(&requester_name(desk, t)),
                status = status_pill(&t.status),
                created = short_time(t.created_time.0),
            )
        })
        .collect();
    format!(
        "<table class=\"list\"><thead><tr><th>#</th><th>Subject</th><th>Status</th><th>Created</th></tr></thead>\
         <tbody>{rows}</tbody></table>"
    )
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
                 <td>{account}</td><td>{status}</td><td>{priority}</td><td class=\"muted\">{created}</td></tr>",
                num = escape(&t.ticket_number),
                id = escape(&t.id),
                subject = escape(&t.subject),
                requester = contact_link(&desk, &t.contact_id, &t.email),
                email = escape(&t.email),
                account = account_link(&desk, t.account_id.as_deref()),
                status = status_pill(&t.status),
                priority = escape(&t.priority),
                created = short_time(t.created_time.0),
            )
        })
        .collect();
    let body = format!(
        "{bar}<main>{intro}<div class=\"page-head\"><h1>All tickets</h1><span class=\"muted\">{count} tickets</span></div>\
         <table class=\"list\"><thead><tr><th>#</th><th>Subject</th><th>Requester</th><th>Account</th><th>Status</th>\
         <th>Priority</th><th>Created</th></tr></thead><tbody>{rows}</tbody></table></main>",
        bar = top_bar(&state, &desk, &agent, "/", Section::Tickets),
        intro = intro(&desk, &agent),
        count = tickets.len(),
    );
    respond(StatusCode::OK, "Tickets", body, cookie)
}

/// What each built-in profile is for, in a sentence.
fn profile_blurb(desk: &Desk, agent: &Agent) -> String {
    desk.profile(&agent.profile_id)
        .map(|p| p.description.clone())
        .unwrap_or_default()
}

async fn agent_picker(
    State(state): State<Arc<DemoState>>,
    Query(choice): Query<AgentChoice>,
    headers: HeaderMap,
) -> Response {
    let desk = state.helpdesk.desk();
    let (agent, cookie) = current_agent(&desk, &choice, &headers);
    let cards: String = desk
        .profiles
        .iter()
        .filter_map(|profile| desk.agents.iter().find(|a| a.profile_id == profile.id))
        .map(|a| {
            let role = desk
                .roles
                .iter()
                .find(|r| r.id == a.role_id)
                .map(|r| r.name.as_str())
                .unwrap_or("");
            let current = a.id == agent.id;
            let kind = desk.profile(&a.profile_id).map_or("", |p| {
                if p.is_default { "Built-in profile" } else { "Custom profile" }
            });
            format!(
                r#"<article class="card agent-card{current_class}" data-agent="{id}">
<div class="avatar">{initials}</div>
<div class="who"><h2 class="agent-name">{name}</h2>
<div class="profile">{profile} <span class="muted">&middot; {kind} &middot; role: {role}</span></div>
<p class="muted">{blurb}</p></div>
<a class="button" href="/?agent={id}">{action}</a>
</article>"#,
                current_class = if current { " current" } else { "" },
                id = escape(&a.id),
                initials = escape(&initials(&a.name)),
                name = escape(&a.name),
                profile = escape(profile_name(&desk, a)),
                kind = kind,
                role = escape(role),
                blurb = escape(&profile_blurb(&desk, a)),
                action = if current { "Acting as this agent" } else { "Act as this agent" },
            )
        })
        .collect();
    let body = format!(
        "{bar}<main class=\"narrow-wide\"><div class=\"page-head\"><h1>Choose an agent</h1></div>\
         <p>Each demo agent has a different helpdesk profile. The Salesforce panel shows each \
         profile only what sfdesk's permissions allow, so pick one and open a ticket.</p>\
         <div class=\"agents\">{cards}</div></main>",
        bar = top_bar(&state, &desk, &agent, "/agents", Section::Agents),
    );
    respond(StatusCode::OK, "Agents", body, cookie)
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
    let contact = desk.contacts.get(&ticket.contact_id);
    let requester = requester_name(&desk, ticket);
    let assignee = ticket
        .assignee_id
        .as_deref()
        .and_then(|a| desk.agent(a))
        .map(|a| a.name.as_str())
        .unwrap_or("Unassigned");
    let requester_card = details(&[
        ("Email", escape(&ticket.email)),
        ("Phone", or_dash(contact.and_then(|c| c.phone.as_deref()))),
        ("Account", account_link(&desk, ticket.account_id.as_deref())),
    ]);
    let body = format!(
        r#"{bar}
<main class="record-layout">
<section class="record-main">
<a class="back" href="/">&larr; All tickets</a>
<h1><span class="muted">#{num}</span> {subject}</h1>
<div class="meta">{status}<span>Priority: {priority}</span><span>Channel: {channel}</span><span>Assignee: {assignee}</span><span>{created}</span></div>
<article class="message">
<div class="from"><strong>{requester}</strong> <span class="muted">&lt;{email}&gt;</span></div>
<p>{description}</p>
</article>
<form class="reply"><textarea placeholder="Replies are disabled in the sandbox" disabled></textarea></form>
</section>
<aside class="record-side">
<section class="card requester">
<h2>Requester</h2>
<div class="name">{requester_link}</div>
{requester_card}
</section>
{widget}
</aside>
</main>"#,
        bar = top_bar(
            &state,
            &desk,
            &agent,
            &format!("/tickets/{}", ticket.id),
            Section::Tickets
        ),
        num = escape(&ticket.ticket_number),
        subject = escape(&ticket.subject),
        status = status_pill(&ticket.status),
        priority = escape(&ticket.priority),
        channel = escape(&ticket.channel),
        assignee = escape(assignee),
        created = short_time(ticket.created_time.0),
        requester = escape(&requester),
        requester_link = contact_link(&desk, &ticket.contact_id, &requester),
        email = escape(&ticket.email),
        description = escape(&ticket.description),
        widget = widget_card(
            &state,
            &desk,
            &agent,
            View::Ticket(ticket),
            "about this requester"
        ),
    );
    let title = format!("#{} {}", ticket.ticket_number, ticket.subject);
    respond(StatusCode::OK, &title, body, cookie)
}

async fn contact_list(
    State(state): State<Arc<DemoState>>,
    Query(choice): Query<AgentChoice>,
    headers: HeaderMap,
) -> Response {
    let desk = state.helpdesk.desk();
    let (agent, cookie) = current_agent(&desk, &choice, &headers);
    let mut contacts: Vec<&Contact> = desk.contacts.values().collect();
    contacts.sort_by_key(|c| (c.last_name.to_lowercase(), c.full_name()));
    let shown = contacts.len().min(200);
    let rows: String = contacts
        .iter()
        .take(shown)
        .map(|c| {
            format!(
                "<tr><td><a href=\"/contacts/{id}\">{name}</a><div class=\"muted\">{title}</div></td>\
                 <td>{email}</td><td>{account}</td><td class=\"muted\">{modified}</td></tr>",
                id = escape(&c.id),
                name = escape(&c.full_name()),
                title = escape(c.title.as_deref().unwrap_or("")),
                email = or_dash(c.email.as_deref()),
                account = account_link(&desk, c.account_id.as_deref()),
                modified = short_time(c.modified_time.0),
            )
        })
        .collect();
    let body = list_page(
        &top_bar(&state, &desk, &agent, "/contacts", Section::Contacts),
        "Contacts",
        (contacts.len(), shown),
        &["Name", "Email", "Account", "Modified"],
        &rows,
    );
    respond(StatusCode::OK, "Contacts", body, cookie)
}

/// A list page: heading with the count, then a table of `rows` under `columns`.
fn list_page(
    bar: &str,
    title: &str,
    (total, shown): (usize, usize),
    columns: &[&str],
    rows: &str,
) -> String {
    let more = if shown < total {
        format!(", the first {shown} shown")
    } else {
        String::new()
    };
    let head: String = columns.iter().map(|c| format!("<th>{c}</th>")).collect();
    format!(
        "{bar}<main><div class=\"page-head\"><h1>{title}</h1><span class=\"muted\">{total} {noun}{more}</span></div>\
         <table class=\"list\"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></main>",
        noun = title.to_lowercase(),
    )
}

async fn contact_page(
    State(state): State<Arc<DemoState>>,
    Path(id): Path<String>,
    Query(choice): Query<AgentChoice>,
    headers: HeaderMap,
) -> Response {
    let desk = state.helpdesk.desk();
    let Some(contact) = desk.contacts.get(&id) else {
        return not_found("No contact has this id.");
    };
    let (agent, cookie) = current_agent(&desk, &choice, &headers);
    let owner = contact
        .owner_id
        .as_deref()
        .and_then(|o| desk.agent(o))
        .map(|a| a.name.as_str());
    let tickets: Vec<&Ticket> = desk
        .tickets
        .values()
        .filter(|t| t.contact_id == contact.id)
        .collect();
    let name = contact.full_name();
    let body = format!(
        r#"{bar}
<main class="record-layout">
<section class="record-main">
<a class="back" href="/contacts">&larr; All contacts</a>
<div class="record-head"><div class="avatar">{initials}</div><div>
<h1>{name}</h1><div class="muted">{title}{at}</div></div></div>
<section class="card flat"><h2>Contact information</h2>{info}</section>
{custom}
<section class="card flat"><h2>Tickets</h2>{tickets}</section>
</section>
<aside class="record-side">
{widget}
</aside>
</main>"#,
        bar = top_bar(
            &state,
            &desk,
            &agent,
            &format!("/contacts/{}", contact.id),
            Section::Contacts
        ),
        initials = escape(&initials(&name)),
        name = escape(&name),
        title = escape(contact.title.as_deref().unwrap_or("Contact")),
        at = match contact.account_id.as_deref() {
            Some(_) => format!(" at {}", account_link(&desk, contact.account_id.as_deref())),
            None => String::new(),
        },
        info = details(&[
            ("Email", or_dash(contact.email.as_deref())),
            ("Phone", or_dash(contact.phone.as_deref())),
            ("Mobile", or_dash(contact.mobile.as_deref())),
            (
                "Account",
                account_link(&desk, contact.account_id.as_deref())
            ),
            ("Owner", or_dash(owner)),
            ("Created", short_time(contact.created_time.0)),
            ("Modified", short_time(contact.modified_time.0)),
        ]),
        custom = custom_fields(&desk, Module::Contacts, &contact.cf),
        tickets = ticket_table(&desk, tickets, "No tickets from this contact."),
        widget = widget_card(
            &state,
            &desk,
            &agent,
            View::Contact(contact),
            "about this contact"
        ),
    );
    respond(StatusCode::OK, &name, body, cookie)
}

async fn account_list(
    State(state): State<Arc<DemoState>>,
    Query(choice): Query<AgentChoice>,
    headers: HeaderMap,
) -> Response {
    let desk = state.helpdesk.desk();
    let (agent, cookie) = current_agent(&desk, &choice, &headers);
    let mut accounts: Vec<&Account> = desk.accounts.values().collect();
    accounts.sort_by_key(|a| a.account_name.to_lowercase());
    let shown = accounts.len().min(200);
    let rows: String = accounts
        .iter()
        .take(shown)
        .map(|a| {
            let contacts = desk
                .contacts
                .values()
                .filter(|c| c.account_id.as_deref() == Some(a.id.as_str()))
                .count();
            format!(
                "<tr><td><a href=\"/accounts/{id}\">{name}</a><div class=\"muted\">{website}</div></td>\
                 <td>{industry}</td><td class=\"num\">{contacts}</td><td class=\"muted\">{modified}</td></tr>",
                id = escape(&a.id),
                name = escape(&a.account_name),
                website = escape(a.website.as_deref().unwrap_or("")),
                industry = or_dash(a.industry.as_deref()),
                modified = short_time(a.modified_time.0),
            )
        })
        .collect();
    let body = list_page(
        &top_bar(&state, &desk, &agent, "/accounts", Section::Accounts),
        "Accounts",
        (accounts.len(), shown),
        &["Account", "Industry", "Contacts", "Modified"],
        &rows,
    );
    respond(StatusCode::OK, "Accounts", body, cookie)
}

async fn account_page(
    State(state): State<Arc<DemoState>>,
    Path(id): Path<String>,
    Query(choice): Query<AgentChoice>,
    headers: HeaderMap,
) -> Response {
    let desk = state.helpdesk.desk();
    let Some(account) = desk.accounts.get(&id) else {
        return not_found("No account has this id.");
    };
    let (agent, cookie) = current_agent(&desk, &choice, &headers);
    let contacts: Vec<&Contact> = desk
        .contacts
        .values()
        .filter(|c| c.account_id.as_deref() == Some(account.id.as_str()))
        .collect();
    let contact_rows: String = contacts
        .iter()
        .map(|c| {
            format!(
                "<tr><td><a href=\"/contacts/{id}\">{name}</a></td><td>{title}</td><td>{email}</td></tr>",
                id = escape(&c.id),
                name = escape(&c.full_name()),
                title = or_dash(c.title.as_deref()),
                email = or_dash(c.email.as_deref()),
            )
        })
        .collect();
    let contact_table = if contacts.is_empty() {
        "<p class=\"muted\">No contacts at this account.</p>".to_owned()
    } else {
        format!(
            "<table class=\"list\"><thead><tr><th>Name</th><th>Title</th><th>Email</th></tr></thead><tbody>{contact_rows}</tbody></table>"
        )
    };
    let tickets: Vec<&Ticket> = desk
        .tickets
        .values()
        .filter(|t| t.account_id.as_deref() == Some(account.id.as_str()))
        .collect();
    let website = match account.website.as_deref() {
        Some(url) => format!(
            "<a href=\"{0}\" target=\"_blank\" rel=\"noopener\">{0}</a>",
            escape(url)
        ),
        None => or_dash(None),
    };
    let body = format!(
        r#"{bar}
<main class="record-layout">
<section class="record-main">
<a class="back" href="/accounts">&larr; All accounts</a>
<div class="record-head"><div class="avatar square">{initials}</div><div>
<h1>{name}</h1><div class="muted">{industry}</div></div></div>
<section class="card flat"><h2>Account information</h2>{info}</section>
{custom}
<section class="card flat"><h2>Contacts</h2>{contact_table}</section>
<section class="card flat"><h2>Tickets</h2>{tickets}</section>
</section>
<aside class="record-side">
{widget}
</aside>
</main>"#,
        bar = top_bar(
            &state,
            &desk,
            &agent,
            &format!("/accounts/{}", account.id),
            Section::Accounts
        ),
        initials = escape(&initials(&account.account_name)),
        name = escape(&account.account_name),
        industry = escape(account.industry.as_deref().unwrap_or("Account")),
        info = details(&[
            ("Website", website),
            ("Phone", or_dash(account.phone.as_deref())),
            ("Email", or_dash(account.email.as_deref())),
            ("Created", short_time(account.created_time.0)),
            ("Modified", short_time(account.modified_time.0)),
        ]),
        custom = custom_fields(&desk, Module::Accounts, &account.cf),
        tickets = ticket_table(&desk, tickets, "No tickets from this account."),
        widget = widget_card(
            &state,
            &desk,
            &agent,
            View::Account(account),
            "about this account"
        ),
    );
    respond(StatusCode::OK, &account.account_name, body, cookie)
}

/// Where an administrator manages the integration: the widget without a record.
async fn setup_page(
    State(state): State<Arc<DemoState>>,
    Query(choice): Query<AgentChoice>,
    headers: HeaderMap,
) -> Response {
    let desk = state.helpdesk.desk();
    let (agent, cookie) = current_agent(&desk, &choice, &headers);
    let content = if is_admin(&desk, &agent) {
        let token = mint(&desk, &agent, View::Setup, &state.context_secret);
        format!(
            "<iframe id=\"{WIDGET_IFRAME_ID}\" class=\"console\" title=\"Salesforce integration settings\" src=\"{}\"></iframe>",
            escape(&console_src(&state.edge_url, &token))
        )
    } else {
        "<p class=\"card\">Only administrators can manage integrations. \
         Pick an administrator in the top bar.</p>"
            .to_owned()
    };
    let body = format!(
        "{bar}<main><div class=\"page-head\"><h1>Setup &rsaquo; Marketplace &rsaquo; Salesforce</h1>\
         <span class=\"muted\">Salesforce integration settings</span></div>{content}</main>",
        bar = top_bar(&state, &desk, &agent, "/setup", Section::Setup),
    );
    respond(StatusCode::OK, "Setup", body, cookie)
}

/// The administrator the demo defaults to, for callers outside a request.
pub fn default_agent(desk: &Desk) -> &Agent {
    &desk.agents[0]
}

/// The agent with this profile name (`Administrator`, `Agent`, `Light Agent`, ...).
pub fn agent_with_profile<'a>(desk: &'a Desk, profile_name: &str) -> Option<&'a Agent> {
    let profile = desk.profiles.iter().find(|p| p.name == profile_name)?;
    desk.agents.iter().find(|a| a.profile_id == profile.id)
}

impl crate::Sandbox {
    /// The id of the demo agent with this profile (see [`crate::demo::PROFILES`]).
    pub fn demo_agent_id(&self, profile_name: &str) -> Option<String> {
        let desk = self.helpdesk.desk();
        agent_with_profile(&desk, profile_name).map(|a| a.id.clone())
    }

    /// A demo page as the demo agent with this profile: `url` with `?agent=<id>`.
    pub fn demo_page_as(&self, url: &str, profile_name: &str) -> Option<String> {
        let agent = self.demo_agent_id(profile_name)?;
        let separator = if url.contains('?') { '&' } else { '?' };
        Some(format!("{url}{separator}agent={agent}"))
    }
}

const STYLE: &str = r#"
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2933; background: #f4f5f7; }
a { color: #2563eb; text-decoration: none; }
a:hover { text-decoration: underline; }
.muted { color: #6b7280; font-size: 13px; }
.topbar { display: flex; align-items: center; gap: 24px; padding: 0 20px; height: 52px; background: #1e293b; color: #e2e8f0; }
.brand { display: flex; align-items: center; gap: 10px; color: #fff; font-weight: 600; font-size: 16px; }
.brand:hover { text-decoration: none; }
.logo { display: inline-grid; place-items: center; width: 28px; height: 28px; border-radius: 6px; background: #22c55e; color: #0f172a; font-size: 12px; font-weight: 800; }
.topbar nav { display: flex; gap: 18px; flex: 1; }
.topbar nav a { color: #cbd5e1; padding: 14px 0; border-bottom: 2px solid transparent; }
.topbar nav a[aria-current=page] { color: #fff; border-bottom-color: #22c55e; }
.agent-picker { display: flex; align-items: center; gap: 8px; font-size: 13px; }
.agent-picker select { padding: 4px 8px; border-radius: 6px; border: 1px solid #475569; background: #0f172a; color: #f1f5f9; }
.agent-picker a { color: #cbd5e1; }
main { max-width: 1280px; margin: 0 auto; padding: 20px; }
main.narrow { max-width: 640px; }
main.narrow-wide { max-width: 860px; }
.page-head { display: flex; align-items: baseline; gap: 12px; }
h1 { font-size: 20px; margin: 0 0 14px; }
h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: #6b7280; margin: 0 0 10px; }
.intro { background: #ecfdf5; border: 1px solid #a7f3d0; color: #065f46; border-radius: 8px; padding: 12px 16px; margin-bottom: 18px; }
.intro a { color: #047857; text-decoration: underline; }
table.list { width: 100%; border-collapse: collapse; background: #fff; border-radius: 8px; overflow: hidden; box-shadow: 0 1px 2px rgba(0,0,0,.06); }
.list th { text-align: left; font-weight: 600; font-size: 12px; color: #6b7280; padding: 10px 14px; background: #f9fafb; border-bottom: 1px solid #e5e7eb; }
.list td { padding: 12px 14px; border-bottom: 1px solid #f0f1f3; vertical-align: top; }
.list td.num { color: #6b7280; width: 60px; }
.card .list { box-shadow: none; border: 1px solid #eef0f2; }
.pill { display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 12px; font-weight: 600; background: #e5e7eb; color: #374151; }
.status-open { background: #dbeafe; color: #1d4ed8; }
.status-on-hold { background: #fef3c7; color: #92400e; }
.status-escalated { background: #fee2e2; color: #b91c1c; }
.status-closed { background: #dcfce7; color: #166534; }
.record-layout { display: grid; grid-template-columns: minmax(0, 1fr) 400px; gap: 20px; align-items: start; }
.record-main { background: #fff; border-radius: 8px; padding: 18px 22px; box-shadow: 0 1px 2px rgba(0,0,0,.06); display: flex; flex-direction: column; gap: 16px; }
.record-main > h1, .record-main > .meta { margin-bottom: 0; }
.back { font-size: 13px; }
.record-head { display: flex; align-items: center; gap: 14px; }
.record-head h1 { margin: 0; }
.avatar { display: grid; place-items: center; flex: none; width: 44px; height: 44px; border-radius: 50%; background: #dbeafe; color: #1e3a8a; font-weight: 700; }
.avatar.square { border-radius: 10px; background: #ede9fe; color: #4c1d95; }
.meta { display: flex; flex-wrap: wrap; gap: 14px; align-items: center; color: #4b5563; font-size: 13px; }
.message { border: 1px solid #e5e7eb; border-radius: 8px; padding: 14px 16px; background: #fafafa; }
.message p { margin: 8px 0 0; white-space: pre-wrap; }
.reply textarea { width: 100%; min-height: 90px; padding: 10px; border-radius: 8px; border: 1px solid #d1d5db; background: #f9fafb; font: inherit; }
.record-side { display: flex; flex-direction: column; gap: 16px; position: sticky; top: 16px; }
.card { background: #fff; border-radius: 8px; padding: 14px 16px; box-shadow: 0 1px 2px rgba(0,0,0,.06); }
.card.flat { box-shadow: none; border: 1px solid #eef0f2; }
.requester .name { font-weight: 600; font-size: 15px; margin-bottom: 6px; }
dl.details { display: grid; grid-template-columns: 130px 1fr; gap: 6px 10px; margin: 0; font-size: 13px; }
.requester dl.details { grid-template-columns: 80px 1fr; }
.details dt { color: #6b7280; }
.details dd { margin: 0; overflow-wrap: anywhere; }
.widget { padding-bottom: 8px; border-top: 3px solid #0ea5e9; }
.widget-head { display: flex; align-items: baseline; justify-content: space-between; }
.widget iframe { width: 100%; height: 640px; border: 0; border-radius: 6px; background: #fff; }
iframe.console { width: 100%; height: 860px; border: 0; border-radius: 8px; background: #fff; box-shadow: 0 1px 2px rgba(0,0,0,.06); }
.agents { display: flex; flex-direction: column; gap: 12px; margin-top: 16px; }
.agent-card { display: flex; align-items: center; gap: 16px; }
.agent-card.current { outline: 2px solid #22c55e; }
.agent-card .who { flex: 1; }
.agent-card h2 { text-transform: none; letter-spacing: 0; color: #111827; font-size: 16px; margin: 0; }
.agent-card p { margin: 4px 0 0; }
.profile { font-weight: 600; }
.button { display: inline-block; padding: 7px 14px; border-radius: 6px; background: #1e293b; color: #fff; font-weight: 600; white-space: nowrap; }
.button:hover { text-decoration: none; background: #0f172a; }
.current .button { background: #e5e7eb; color: #374151; }
@media (max-width: 900px) { .record-layout { grid-template-columns: 1fr; } .record-side { position: static; } }
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
        assert_eq!(
            console_src("http://127.0.0.1:8787", "a.b.c"),
            "http://127.0.0.1:8787/#ctx=a.b.c&view=admin"
        );
    }

    #[test]
    fn claims_carry_role_from_the_profile() {
        let seeded = crate::seed::seed();
        let desk = &seeded.desk;
        let ticket = &desk.tickets[&seeded.demo_ticket_id];
        let admin = agent_with_profile(desk, "Administrator").unwrap();
        let light = agent_with_profile(desk, "Light Agent").unwrap();
        let claims = context_claims(desk, admin, View::Ticket(ticket), 99);
        assert_eq!(claims.role, Role::Admin);
        assert_eq!(claims.org, demo::HELPDESK_ORG_ID);
        assert_eq!(claims.ticket.as_deref(), Some(ticket.id.as_str()));
        assert_eq!(claims.requester.unwrap().as_str(), ticket.email);
        assert_eq!(claims.account.as_deref(), Some("Northwind Traders"));
        let claims = context_claims(desk, light, View::Setup, 99);
        assert_eq!(claims.role, Role::Agent);
        assert_eq!(claims.profile_name, "Light Agent");
        assert_eq!((claims.requester, claims.account), (None, None));
        let lead = agent_with_profile(desk, "Support Lead").unwrap();
        assert_eq!(
            context_claims(desk, lead, View::Setup, 99).role,
            Role::Agent
        );
    }

    #[test]
    fn contact_and_account_views_name_what_is_in_view() {
        let seeded = crate::seed::seed();
        let desk = &seeded.desk;
        let agent = default_agent(desk);
        let ticket = &desk.tickets[&seeded.demo_ticket_id];
        let contact = &desk.contacts[&ticket.contact_id];
        let claims = context_claims(desk, agent, View::Contact(contact), 99);
        assert_eq!(claims.ticket, None);
        assert_eq!(
            claims.requester.map(|e| e.as_str().to_owned()),
            contact.email
        );
        assert_eq!(claims.account.as_deref(), Some("Northwind Traders"));
        let account = &desk.accounts[ticket.account_id.as_ref().unwrap()];
        let claims = context_claims(desk, agent, View::Account(account), 99);
        assert_eq!((claims.ticket, claims.requester), (None, None));
        assert_eq!(claims.account.as_deref(), Some("Northwind Traders"));
        // A contact without an account names none.
        let loner = desk.contact_by_email("noah@fischerdesign.example").unwrap();
        let claims = context_claims(desk, agent, View::Contact(loner), 99);
        assert_eq!(claims.account, None);
        assert!(claims.requester.is_some());
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

    #[test]
    fn initials_take_the_first_two_words() {
        assert_eq!(initials("Blue Harbor Logistics"), "BH");
        assert_eq!(initials("maya"), "M");
        assert_eq!(initials(""), "");
    }
}
