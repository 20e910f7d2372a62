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
//! The pages are askama templates (`templates/demo/`); each handler gathers what its page
//! shows. The widget is the extension's own page (`/app/widget.html` of the package
//! `cargo xtask build` makes, uploaded with `POST /__sandbox/extension/upload`), framed as
//! Zoho Desk frames an extension widget: no page here holds a token; the widget gets its
//! session from the edge through the SDK.
//!
//! Zoho Desk hosts an uploaded package's pages itself, on an origin of its own, neither
//! the desk's nor the extension's server ("internally hosted" widgets: the manifest's
//! `url` is a path in the package, Zoho Desk extension guide, "Plugin Manifest"; public
//! integrations allow `https://<id>.zappsusercontent.com` for them). The sandbox hosts the
//! package at `/app/` of this listener under its other local name ([`widget_host`]:
//! `localhost` for pages seen at `127.0.0.1`, and back), which the browser treats as
//! another origin: the page calls the edge across origins, as in Zoho Desk.
//!
//! Each widget page plays Zoho Desk's part for it: the widget loads the sandbox's SDK
//! stand-in (`/__zoho/sdk.js`), and the page's `/__zoho/host.js` answers `ZOHODESK.get`
//! from the page's context (ticket, contact, account, the agent as `user`, `portal.id`)
//! and sends `ZOHODESK.request` to `POST /__zoho/request`, the helpdesk's proxy (see
//! [`crate::helpdesk::extension`]), as the agent whose session cookie the page set.

use crate::clock;
use crate::helpdesk::HelpdeskState;
use crate::helpdesk::store::{Account, Agent, Contact, Desk, Module, Ticket};
use crate::html;
use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::response::{Html, IntoResponse};
use axum::routing::{get, post};
use contract::context::{self, ContextClaims, Role};
use contract::ids::Email;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

/// The cookie that remembers which agent the visitor is acting as.
pub const AGENT_COOKIE: &str = "sandbox_agent";

/// The element id of the widget's iframe, which browser tests look for.
pub const WIDGET_IFRAME_ID: &str = "sfdesk-widget";

pub struct DemoState {
    pub helpdesk: Arc<HelpdeskState>,
    pub context_secret: String,
    pub salesforce_url: String,
}

pub fn router(state: Arc<DemoState>) -> Router {
    Router::new()
        .route("/", get(ticket_list))
        .route("/agents", get(agent_picker))
        .route("/tickets/{id}", get(ticket_page))
        .route("/support/{portal}/ShowHomePage.do", get(desk_home))
        .route("/contacts", get(contact_list))
        .route("/contacts/{id}", get(contact_page))
        .route("/accounts", get(account_list))
        .route("/accounts/{id}", get(account_page))
        .route("/setup", get(setup_page))
        .route("/__zoho/sdk.js", get(sdk_script))
        .route("/__zoho/host.js", get(host_script))
        .route("/__zoho/request", post(zoho_request))
        .route("/__zoho/config", post(zoho_set_config))
        .route("/app/{*file}", get(package_file))
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
/// (the edge checks expiry against its own clock, not the sandbox's): what tests use to
/// call the edge without a browser ([`crate::Sandbox::context_token`]); no page holds one.
pub fn mint(desk: &Desk, agent: &Agent, view: View<'_>, secret: &str) -> String {
    let now = u64::try_from(clock::wall_clock_ms() / 1000).unwrap_or_default();
    let claims = context_claims(desk, agent, view, now);
    context::sign(&claims, secret.as_bytes())
}

/// The extension's widget page in its package (the `url` of each widget in
/// `extension/plugin-manifest.json`).
pub const EXTENSION_PAGE_PATH: &str = "/app/widget.html";

/// Where the widget lives: the extension's page on the widget host `host`; with
/// `console`, opening the admin console (`#view=admin`, for which the page loads the
/// console's bundle).
pub fn widget_src(host: &str, console: bool) -> String {
    let view = if console { "#view=admin" } else { "" };
    format!("{}{EXTENSION_PAGE_PATH}{view}", host.trim_end_matches('/'))
}

/// The origin hosting the extension's pages for demo pages served at `authority`
/// (`127.0.0.1:8703`, the request's `Host`): the same listener under its other local name.
pub fn widget_host(authority: &str) -> String {
    let (name, port) = authority
        .rsplit_once(':')
        .map_or((authority, String::new()), |(name, port)| {
            (name, format!(":{port}"))
        });
    let other = if name == "localhost" {
        "127.0.0.1"
    } else {
        "localhost"
    };
    format!("http://{other}{port}")
}

/// [`widget_host`] for the page a request asked for.
fn widget_host_of(headers: &HeaderMap) -> String {
    widget_host(
        headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("127.0.0.1"),
    )
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

/// Serves a page, remembering the chosen agent when there is a `cookie` to set.
fn respond(status: StatusCode, page: &impl Template, cookie: Option<HeaderValue>) -> Response {
    let mut response = html::respond(status, page);
    if let Some(cookie) = cookie {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

#[derive(Template)]
#[template(path = "demo/not_found.html")]
struct NotFound<'a> {
    title: &'a str,
    message: &'a str,
}

fn not_found(message: &str) -> Response {
    let page = NotFound {
        title: "Not found",
        message,
    };
    respond(StatusCode::NOT_FOUND, &page, None)
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
#[derive(Template)]
#[template(path = "demo/top_bar.html")]
struct TopBar<'a> {
    org: &'a str,
    section: Section,
    /// Only administrators see the Setup link.
    setup: bool,
    salesforce_url: &'a str,
    /// The page the picker reloads as the chosen agent.
    here: String,
    agents: Vec<AgentOption<'a>>,
}

/// An agent in the picker.
struct AgentOption<'a> {
    id: &'a str,
    name: &'a str,
    profile: &'a str,
    selected: bool,
}

fn top_bar<'a>(
    state: &'a DemoState,
    desk: &'a Desk,
    agent: &Agent,
    here: String,
    section: Section,
) -> TopBar<'a> {
    TopBar {
        org: &desk.org_name,
        section,
        setup: is_admin(desk, agent),
        salesforce_url: &state.salesforce_url,
        here,
        agents: desk
            .agents
            .iter()
            .map(|a| AgentOption {
                id: &a.id,
                name: &a.name,
                profile: profile_name(desk, a),
                selected: a.id == agent.id,
            })
            .collect(),
    }
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

fn account_of<'a>(desk: &'a Desk, id: Option<&str>) -> Option<&'a Account> {
    id.and_then(|id| desk.accounts.get(id))
}

/// The widget, in the right panel, as the given agent about the given view.
#[derive(Template)]
#[template(path = "demo/widget.html")]
struct WidgetCard<'a> {
    about: &'a str,
    src: String,
    /// What the page's SDK host answers the widget with (JSON).
    sdk_context: String,
}

fn widget_card<'a>(
    headers: &HeaderMap,
    desk: &Desk,
    agent: &Agent,
    view: View<'_>,
    about: &'a str,
) -> WidgetCard<'a> {
    let host = widget_host_of(headers);
    WidgetCard {
        about,
        src: widget_src(&host, false),
        sdk_context: sdk_context(&host, desk, agent, view).to_string(),
    }
}

/// What Zoho Desk tells an extension widget at this place: its location, and the values
/// `ZOHODESK.get` answers there (Zoho Desk extension guide, widget data libraries,
/// zoho.com/desk/extensions/guide/widget-data-libraries-overview.html: `ticket.*` on a
/// ticket, `contact.*`, `account.*`; `user` is the agent, with id, name and email, no
/// profile or role, as issue 16 found; `portal.id` is the organisation).
fn sdk_context(widget_host: &str, desk: &Desk, agent: &Agent, view: View<'_>) -> Value {
    let widget_origin = url::Url::parse(widget_host)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default();
    let user = json!({"id": agent.id, "name": agent.name, "email": agent.email_id});
    let mut values = json!({
        "user": user,
        "user.id": agent.id,
        "user.email": agent.email_id,
        "portal.id": desk.org_id,
        "portal.name": desk.org_name,
    });
    let (location, record) = match view {
        View::Setup => ("desk.extension.preference", None),
        View::Ticket(t) => (
            "desk.ticket.detail.rightpanel",
            Some((
                "ticket",
                json!({
                    "id": t.id, "ticketNumber": t.ticket_number, "subject": t.subject,
                    "email": t.email, "contactId": t.contact_id, "accountId": t.account_id,
                    "departmentId": t.department_id,
                }),
            )),
        ),
        View::Contact(c) => (
            "desk.contact.detail.rightpanel",
            Some((
                "contact",
                json!({
                    "id": c.id, "firstName": c.first_name, "lastName": c.last_name,
                    "email": c.email, "accountId": c.account_id,
                }),
            )),
        ),
        View::Account(a) => (
            "desk.account.detail.rightpanel",
            Some((
                "account",
                json!({"id": a.id, "accountName": a.account_name}),
            )),
        ),
    };
    if let (Some((name, object)), Some(map)) = (record, values.as_object_mut()) {
        for (key, value) in object.as_object().into_iter().flatten() {
            map.insert(format!("{name}.{key}"), value.clone());
        }
        map.insert(name.to_owned(), object);
    }
    json!({"widgetOrigin": widget_origin, "location": location, "values": values})
}

/// The sandbox's stand-in for Zoho Desk's JS SDK, for an extension's widget page.
const SDK_SCRIPT: &str = include_str!("../templates/zoho/sdk.js");
/// Its other half, on the helpdesk's own pages.
const HOST_SCRIPT: &str = include_str!("../templates/zoho/host.js");

fn script(source: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        source,
    )
        .into_response()
}

async fn sdk_script() -> Response {
    script(SDK_SCRIPT)
}

async fn host_script() -> Response {
    script(HOST_SCRIPT)
}

/// `ZOHODESK.request` reaching Zoho's proxy: the body is the widget's `reqObj`; the agent
/// is the page session's (the agent cookie), never the widget's word.
async fn zoho_request(
    State(state): State<Arc<DemoState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return (StatusCode::BAD_REQUEST, "the body is a JSON reqObj").into_response();
    };
    let (org_id, agent_id) = {
        let desk = state.helpdesk.desk();
        let (agent, _) = current_agent(&desk, &AgentChoice::default(), &headers);
        (desk.org_id.clone(), agent.id)
    };
    state
        .helpdesk
        .proxy_request(&org_id, &agent_id, &request)
        .await
}

#[derive(Deserialize)]
struct ConfigValue {
    name: String,
    value: String,
}

/// `ZOHODESK.set("extension.config", {name, value})` reaching Zoho: sets the parameter in
/// the installation of the page session's organisation; answers `{"extension.config":
/// {"name", "status": "success"}}` (the answer's shape is a sandbox choice: the guide's
/// sample only reads `response["extension.config"]`).
async fn zoho_set_config(State(state): State<Arc<DemoState>>, body: Bytes) -> Response {
    let Ok(set) = serde_json::from_slice::<ConfigValue>(&body) else {
        return (StatusCode::BAD_REQUEST, "the body is {name, value}").into_response();
    };
    let org_id = state.helpdesk.desk().org_id.clone();
    match state
        .helpdesk
        .set_config_param(&org_id, &set.name, &set.value)
    {
        Ok(()) => axum::Json(json!({
            "extension.config": {"name": set.name, "status": "success"}
        }))
        .into_response(),
        Err(message) => (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"errorCode": "INVALID_CONFIG", "message": message})),
        )
            .into_response(),
    }
}

/// A file of the uploaded extension package's `app/`, as Zoho's hosting serves it.
async fn package_file(State(state): State<Arc<DemoState>>, Path(file): Path<String>) -> Response {
    let Some(app) = state.helpdesk.extension_app() else {
        return not_found("No extension package was uploaded.");
    };
    let safe = std::path::Path::new(&file)
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    let Some(bytes) = safe.then(|| std::fs::read(app.join(&file)).ok()).flatten() else {
        return not_found("The extension package has no such file.");
    };
    let kind = match file.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    };
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        bytes,
    )
        .into_response()
}

/// The custom fields of a record: label and value, as the helpdesk labels them.
fn custom_fields<'a>(
    desk: &'a Desk,
    module: Module,
    cf: &'a serde_json::Map<String, Value>,
) -> Vec<(&'a str, Option<&'a str>)> {
    desk.fields(module)
        .iter()
        .filter(|f| f.custom)
        .map(|f| {
            (
                f.label.as_str(),
                cf.get(&f.api_name).and_then(Value::as_str),
            )
        })
        .collect()
}

/// A row of a contact's or an account's ticket table.
struct TicketSummary<'a> {
    ticket: &'a Ticket,
    requester: String,
    created: String,
}

/// The tickets for a contact or an account, newest first.
fn ticket_summaries<'a>(desk: &'a Desk, mut tickets: Vec<&'a Ticket>) -> Vec<TicketSummary<'a>> {
    tickets.sort_by_key(|t| std::cmp::Reverse(t.created_time));
    tickets
        .into_iter()
        .map(|ticket| TicketSummary {
            ticket,
            requester: requester_name(desk, ticket),
            created: short_time(ticket.created_time.0),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "demo/tickets.html")]
struct TicketList<'a> {
    title: &'a str,
    bar: TopBar<'a>,
    agent: &'a Agent,
    profile: &'a str,
    rows: Vec<TicketRow<'a>>,
}

struct TicketRow<'a> {
    ticket: &'a Ticket,
    requester: Option<&'a Contact>,
    account: Option<&'a Account>,
    created: String,
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
    let page = TicketList {
        title: "Tickets",
        bar: top_bar(&state, &desk, &agent, "/".into(), Section::Tickets),
        agent: &agent,
        profile: profile_name(&desk, &agent),
        rows: tickets
            .into_iter()
            .map(|ticket| TicketRow {
                ticket,
                requester: desk.contacts.get(&ticket.contact_id),
                account: account_of(&desk, ticket.account_id.as_deref()),
                created: short_time(ticket.created_time.0),
            })
            .collect(),
    };
    respond(StatusCode::OK, &page, cookie)
}

/// What each built-in profile is for, in a sentence.
fn profile_blurb<'a>(desk: &'a Desk, agent: &Agent) -> &'a str {
    desk.profile(&agent.profile_id)
        .map_or("", |p| p.description.as_str())
}

#[derive(Template)]
#[template(path = "demo/agents.html")]
struct AgentPicker<'a> {
    title: &'a str,
    bar: TopBar<'a>,
    cards: Vec<AgentCard<'a>>,
}

/// One demo agent on the picker.
struct AgentCard<'a> {
    agent: &'a Agent,
    /// The agent the visitor acts as now.
    current: bool,
    initials: String,
    profile: &'a str,
    /// `Built-in profile` or `Custom profile`.
    kind: &'a str,
    role: &'a str,
    blurb: &'a str,
}

async fn agent_picker(
    State(state): State<Arc<DemoState>>,
    Query(choice): Query<AgentChoice>,
    headers: HeaderMap,
) -> Response {
    let desk = state.helpdesk.desk();
    let (agent, cookie) = current_agent(&desk, &choice, &headers);
    let cards = desk
        .profiles
        .iter()
        .filter_map(|profile| desk.agents.iter().find(|a| a.profile_id == profile.id))
        .map(|a| AgentCard {
            agent: a,
            current: a.id == agent.id,
            initials: initials(&a.name),
            profile: profile_name(&desk, a),
            kind: desk.profile(&a.profile_id).map_or("", |p| {
                if p.is_default {
                    "Built-in profile"
                } else {
                    "Custom profile"
                }
            }),
            role: desk
                .roles
                .iter()
                .find(|r| r.id == a.role_id)
                .map_or("", |r| r.name.as_str()),
            blurb: profile_blurb(&desk, a),
        })
        .collect();
    let page = AgentPicker {
        title: "Agents",
        bar: top_bar(&state, &desk, &agent, "/agents".into(), Section::Agents),
        cards,
    };
    respond(StatusCode::OK, &page, cookie)
}

#[derive(Template)]
#[template(path = "demo/ticket.html")]
struct TicketPage<'a> {
    title: String,
    bar: TopBar<'a>,
    ticket: &'a Ticket,
    assignee: &'a str,
    created: String,
    requester: Option<&'a Contact>,
    /// The requester's name, or the address the ticket came from.
    requester_name: String,
    requester_phone: Option<&'a str>,
    account: Option<&'a Account>,
    widget: WidgetCard<'a>,
}

/// Where a ticket's `webUrl` leads (Desk API, "Get a ticket": `.../support/<portal>/
/// ShowHomePage.do#Cases/dv/<id>`): the ticket is in the fragment, which only the browser
/// sees, so the page opens the ticket's own page from there.
async fn desk_home() -> Html<&'static str> {
    Html(
        r#"<!doctype html><meta charset="utf-8"><title>Sandbox Desk</title><script>
const ticket = location.hash.match(/^#Cases\/dv\/([0-9A-Za-z]+)$/);
location.replace(ticket ? "/tickets/" + ticket[1] : "/");
</script>"#,
    )
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
    let requester = desk.contacts.get(&ticket.contact_id);
    let page = TicketPage {
        title: format!("#{} {}", ticket.ticket_number, ticket.subject),
        bar: top_bar(
            &state,
            &desk,
            &agent,
            format!("/tickets/{}", ticket.id),
            Section::Tickets,
        ),
        ticket,
        assignee: ticket
            .assignee_id
            .as_deref()
            .and_then(|a| desk.agent(a))
            .map_or("Unassigned", |a| a.name.as_str()),
        created: short_time(ticket.created_time.0),
        requester,
        requester_name: requester_name(&desk, ticket),
        requester_phone: requester.and_then(|c| c.phone.as_deref()),
        account: account_of(&desk, ticket.account_id.as_deref()),
        widget: widget_card(
            &headers,
            &desk,
            &agent,
            View::Ticket(ticket),
            "about this requester",
        ),
    };
    respond(StatusCode::OK, &page, cookie)
}

/// Lists show this many records at most.
const LIST_LIMIT: usize = 200;

#[derive(Template)]
#[template(path = "demo/contacts.html")]
struct ContactList<'a> {
    title: &'a str,
    bar: TopBar<'a>,
    columns: [&'a str; 4],
    total: usize,
    shown: usize,
    rows: Vec<ContactRow<'a>>,
}

struct ContactRow<'a> {
    contact: &'a Contact,
    account: Option<&'a Account>,
    modified: String,
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
    let rows: Vec<ContactRow> = contacts
        .iter()
        .take(LIST_LIMIT)
        .map(|contact| ContactRow {
            contact,
            account: account_of(&desk, contact.account_id.as_deref()),
            modified: short_time(contact.modified_time.0),
        })
        .collect();
    let page = ContactList {
        title: "Contacts",
        bar: top_bar(&state, &desk, &agent, "/contacts".into(), Section::Contacts),
        columns: ["Name", "Email", "Account", "Modified"],
        total: contacts.len(),
        shown: rows.len(),
        rows,
    };
    respond(StatusCode::OK, &page, cookie)
}

#[derive(Template)]
#[template(path = "demo/contact.html")]
struct ContactPage<'a> {
    title: String,
    bar: TopBar<'a>,
    contact: &'a Contact,
    initials: String,
    account: Option<&'a Account>,
    owner: Option<&'a str>,
    created: String,
    modified: String,
    custom: Vec<(&'a str, Option<&'a str>)>,
    tickets: Vec<TicketSummary<'a>>,
    widget: WidgetCard<'a>,
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
    let tickets: Vec<&Ticket> = desk
        .tickets
        .values()
        .filter(|t| t.contact_id == contact.id)
        .collect();
    let name = contact.full_name();
    let page = ContactPage {
        bar: top_bar(
            &state,
            &desk,
            &agent,
            format!("/contacts/{}", contact.id),
            Section::Contacts,
        ),
        contact,
        initials: initials(&name),
        account: account_of(&desk, contact.account_id.as_deref()),
        owner: contact
            .owner_id
            .as_deref()
            .and_then(|o| desk.agent(o))
            .map(|a| a.name.as_str()),
        created: short_time(contact.created_time.0),
        modified: short_time(contact.modified_time.0),
        custom: custom_fields(&desk, Module::Contacts, &contact.cf),
        tickets: ticket_summaries(&desk, tickets),
        widget: widget_card(
            &headers,
            &desk,
            &agent,
            View::Contact(contact),
            "about this contact",
        ),
        title: name,
    };
    respond(StatusCode::OK, &page, cookie)
}

#[derive(Template)]
#[template(path = "demo/accounts.html")]
struct AccountList<'a> {
    title: &'a str,
    bar: TopBar<'a>,
    columns: [&'a str; 4],
    total: usize,
    shown: usize,
    rows: Vec<AccountRow<'a>>,
}

struct AccountRow<'a> {
    account: &'a Account,
    /// How many contacts the account has.
    contacts: usize,
    modified: String,
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
    let rows: Vec<AccountRow> = accounts
        .iter()
        .take(LIST_LIMIT)
        .map(|account| AccountRow {
            account,
            contacts: desk
                .contacts
                .values()
                .filter(|c| c.account_id.as_deref() == Some(account.id.as_str()))
                .count(),
            modified: short_time(account.modified_time.0),
        })
        .collect();
    let page = AccountList {
        title: "Accounts",
        bar: top_bar(&state, &desk, &agent, "/accounts".into(), Section::Accounts),
        columns: ["Account", "Industry", "Contacts", "Modified"],
        total: accounts.len(),
        shown: rows.len(),
        rows,
    };
    respond(StatusCode::OK, &page, cookie)
}

#[derive(Template)]
#[template(path = "demo/account.html")]
struct AccountPage<'a> {
    title: &'a str,
    bar: TopBar<'a>,
    account: &'a Account,
    initials: String,
    created: String,
    modified: String,
    custom: Vec<(&'a str, Option<&'a str>)>,
    contacts: Vec<&'a Contact>,
    tickets: Vec<TicketSummary<'a>>,
    widget: WidgetCard<'a>,
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
    let tickets: Vec<&Ticket> = desk
        .tickets
        .values()
        .filter(|t| t.account_id.as_deref() == Some(account.id.as_str()))
        .collect();
    let page = AccountPage {
        title: &account.account_name,
        bar: top_bar(
            &state,
            &desk,
            &agent,
            format!("/accounts/{}", account.id),
            Section::Accounts,
        ),
        account,
        initials: initials(&account.account_name),
        created: short_time(account.created_time.0),
        modified: short_time(account.modified_time.0),
        custom: custom_fields(&desk, Module::Accounts, &account.cf),
        contacts: desk
            .contacts
            .values()
            .filter(|c| c.account_id.as_deref() == Some(account.id.as_str()))
            .collect(),
        tickets: ticket_summaries(&desk, tickets),
        widget: widget_card(
            &headers,
            &desk,
            &agent,
            View::Account(account),
            "about this account",
        ),
    };
    respond(StatusCode::OK, &page, cookie)
}

#[derive(Template)]
#[template(path = "demo/setup.html")]
struct SetupPage<'a> {
    title: &'a str,
    bar: TopBar<'a>,
    /// The admin console's URL, for administrators.
    console: Option<String>,
    /// What the page's SDK host answers the widget with (JSON).
    sdk_context: String,
}

/// Where an administrator manages the integration: the widget without a record.
async fn setup_page(
    State(state): State<Arc<DemoState>>,
    Query(choice): Query<AgentChoice>,
    headers: HeaderMap,
) -> Response {
    let desk = state.helpdesk.desk();
    let (agent, cookie) = current_agent(&desk, &choice, &headers);
    let host = widget_host_of(&headers);
    let console = is_admin(&desk, &agent).then(|| widget_src(&host, true));
    let page = SetupPage {
        title: "Setup",
        bar: top_bar(&state, &desk, &agent, "/setup".into(), Section::Setup),
        console,
        sdk_context: sdk_context(&host, &desk, &agent, View::Setup).to_string(),
    };
    respond(StatusCode::OK, &page, cookie)
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
    /// Where the demo pages host the extension's package (see [`widget_host`]).
    pub fn widget_host_url(&self) -> String {
        let authority = self
            .demo_url
            .split_once("://")
            .map_or(self.demo_url.as_str(), |(_, rest)| rest);
        widget_host(authority.trim_end_matches('/'))
    }

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo;

    #[test]
    fn the_widget_is_the_extension_page_without_a_token() {
        assert_eq!(
            widget_src("http://localhost:8703/", false),
            "http://localhost:8703/app/widget.html"
        );
        assert_eq!(
            widget_src("http://localhost:8703", true),
            "http://localhost:8703/app/widget.html#view=admin"
        );
    }

    #[test]
    fn the_widget_host_is_the_listener_under_its_other_name() {
        assert_eq!(widget_host("127.0.0.1:8703"), "http://localhost:8703");
        assert_eq!(widget_host("localhost:8703"), "http://127.0.0.1:8703");
        assert_eq!(widget_host("127.0.0.1"), "http://localhost");
    }

    #[test]
    fn claims_carry_role_from_the_profile() {
        let seeded = crate::seed::seed(crate::OrgShape::Demo);
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
        let seeded = crate::seed::seed(crate::OrgShape::Demo);
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
        let seeded = crate::seed::seed(crate::OrgShape::Demo);
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
