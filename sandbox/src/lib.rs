//! sfdesk's sandbox: a local Salesforce org, a local helpdesk (Zoho Desk API shape) and
//! demo helpdesk pages that embed the widget, all speaking the real wire formats so the
//! edge cannot tell them from the real services.
//!
//! Its HTML pages (the demo helpdesk, the org's record pages and login page) are askama
//! templates under `templates/`, escaped by the `html` module's escaper.
//!
//! [`start`] binds the three listeners and serves them on background tasks:
//!
//! ```no_run
//! # async fn example() -> anyhow::Result<()> {
//! let sandbox = sandbox::start(sandbox::Config::ephemeral()).await?;
//! println!("open {}", sandbox.demo_ticket_url());
//! # Ok(()) }
//! ```

pub mod clock;
pub mod demo_pages;
pub mod helpdesk;
mod html;
pub mod salesforce;
pub mod seed;

use anyhow::Context;
use clock::Clock;
use helpdesk::HelpdeskState;
use salesforce::{ConnectedApp, SalesforceState};

pub use salesforce::OrgShape;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The fixed names, credentials and defaults of the demo setup.
pub mod demo {
    /// The helpdesk organisation (`orgId` header, context token `org` claim).
    pub const HELPDESK_ORG_ID: &str = "60012345";
    pub const HELPDESK_ORG_NAME: &str = "Sandbox Desk";
    /// The token the helpdesk API accepts: `Authorization: Zoho-oauthtoken <token>`. A
    /// stand-in for an OAuth grant: it never expires and may do anything in the demo
    /// organisation.
    pub const HELPDESK_API_TOKEN: &str = "sandbox-helpdesk-token";

    /// A second helpdesk organisation, with its own agents and records.
    pub const SECOND_HELPDESK_ORG_ID: &str = "60098765";
    pub const SECOND_HELPDESK_ORG_NAME: &str = "Harbor Desk";

    /// Every helpdesk agent signs in to the helpdesk's OAuth consent page with this.
    pub const HELPDESK_AGENT_PASSWORD: &str = "sandbox";

    /// The OAuth client registered with the helpdesk's accounts server for sfdesk.
    pub const HELPDESK_CLIENT_ID: &str = "1000.SFDESKSANDBOX0000000000000000";
    pub const HELPDESK_CLIENT_SECRET: &str = "sfdesk-helpdesk-client-secret";
    /// Where the edge takes the helpdesk's OAuth answer (registered as `<edge_url>` +
    /// this).
    pub const HELPDESK_OAUTH_CALLBACK_PATH: &str = "/helpdesk/oauth/callback";
    /// The scopes sfdesk asks the helpdesk for.
    pub const HELPDESK_SCOPES: &str = "Desk.contacts.ALL,Desk.basic.READ,Desk.settings.READ,Desk.tickets.READ,Desk.events.ALL,Desk.search.READ,Desk.imports.CUSTOM";

    /// Shared by the demo pages (which sign context tokens) and the edge (which checks them).
    pub const DEV_CONTEXT_SECRET: &str = "sfdesk-dev-context-secret-for-local-use-only";
    pub const CONTEXT_SECRET_ENV: &str = "SFDESK_CONTEXT_SECRET";

    /// The connected app registered in the sandbox org for sfdesk.
    pub const CLIENT_ID: &str = "sfdesk-demo";
    pub const CLIENT_SECRET: &str = "sfdesk-demo-secret";

    /// The org's administrator.
    pub const ADMIN_USERNAME: &str = "admin@sandbox.example";
    pub const ADMIN_PASSWORD: &str = "sandbox";

    /// The demo's fixed ports (each movable by `SFDESK_*_PORT`); tests pick free ones.
    pub const SALESFORCE_PORT: u16 = 8701;
    pub const HELPDESK_PORT: u16 = 8702;
    pub const DEMO_PORT: u16 = 8703;
    pub const EDGE_PORT: u16 = 8787;

    /// Where the demo's edge answers.
    pub fn edge_url() -> String {
        format!("http://127.0.0.1:{EDGE_PORT}")
    }

    /// Helpdesk profile names, one demo agent each: the three built-in profiles and a
    /// custom one.
    pub const PROFILES: [&str; 4] = ["Administrator", "Agent", "Light Agent", "Support Lead"];
}

/// Names the org shape `Config::from_env` starts the sandbox as.
pub const ORG_SHAPE_ENV: &str = "SFDESK_ORG_SHAPE";

#[derive(Debug, Clone)]
pub struct Config {
    /// The kind of Salesforce org the sandbox is, for its whole life.
    pub org_shape: OrgShape,
    pub salesforce_addr: SocketAddr,
    pub helpdesk_addr: SocketAddr,
    pub demo_addr: SocketAddr,
    /// Where the edge is served (its OAuth callbacks are registered on it).
    pub edge_url: String,
    /// Signs the demo pages' context tokens; the edge must hold the same secret.
    pub context_secret: String,
    pub helpdesk_api_token: String,
    /// How long a Salesforce access token works before `INVALID_SESSION_ID`.
    pub access_token_lifetime: Duration,
    /// The org's daily REST API allowance, as `Sforce-Limit-Info` reports it.
    pub daily_api_limit: u64,
    /// Callback URLs registered with the demo connected app besides
    /// `<edge_url>` + [`contract::admin::OAUTH_CALLBACK_PATH`].
    pub extra_redirect_uris: Vec<String>,
    /// Redirect URIs registered with the helpdesk's OAuth client besides `<edge_url>` +
    /// [`demo::HELPDESK_OAUTH_CALLBACK_PATH`].
    pub helpdesk_extra_redirect_uris: Vec<String>,
    /// The helpdesk's API rate limit and webhook timing.
    pub helpdesk: helpdesk::Settings,
    /// Salesforce Outbound Message receivers set up from the start: object (`Contact`,
    /// `Account`) and endpoint URL. Tests can also set them at run time.
    pub salesforce_outbound_endpoints: Vec<(String, String)>,
    /// How undelivered Outbound Messages are retried.
    pub salesforce_outbound_retry: salesforce::RetryPolicy,
    /// Whether the Salesforce port also answers HTTPS (plain HTTP always works).
    pub salesforce_https: bool,
}

impl Default for Config {
    /// The fixed development setup: the standard ports on 127.0.0.1.
    fn default() -> Self {
        let local = |port| SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        Config {
            org_shape: OrgShape::Demo,
            salesforce_addr: local(demo::SALESFORCE_PORT),
            helpdesk_addr: local(demo::HELPDESK_PORT),
            demo_addr: local(demo::DEMO_PORT),
            edge_url: demo::edge_url(),
            context_secret: demo::DEV_CONTEXT_SECRET.into(),
            helpdesk_api_token: demo::HELPDESK_API_TOKEN.into(),
            access_token_lifetime: Duration::from_secs(2 * 3600),
            daily_api_limit: 100_000,
            extra_redirect_uris: Vec::new(),
            helpdesk_extra_redirect_uris: Vec::new(),
            helpdesk: helpdesk::Settings::default(),
            salesforce_outbound_endpoints: Vec::new(),
            salesforce_outbound_retry: salesforce::RetryPolicy::default(),
            salesforce_https: true,
        }
    }
}

impl Config {
    /// The defaults on ephemeral ports, so parallel tests never collide.
    pub fn ephemeral() -> Self {
        let any = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        Config {
            salesforce_addr: any,
            helpdesk_addr: any,
            demo_addr: any,
            ..Config::default()
        }
    }

    /// The defaults with environment overrides: `SFDESK_ORG_SHAPE`,
    /// `SFDESK_CONTEXT_SECRET`, `SFDESK_EDGE_URL`, `SFDESK_SALESFORCE_PORT`,
    /// `SFDESK_HELPDESK_PORT`, `SFDESK_DEMO_PORT`.
    pub fn from_env() -> anyhow::Result<Self> {
        let mut config = Config::default();
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        if let Some(shape) = var(ORG_SHAPE_ENV) {
            config.org_shape = shape.parse().context(ORG_SHAPE_ENV)?;
        }
        if let Some(secret) = var(demo::CONTEXT_SECRET_ENV) {
            config.context_secret = secret;
        }
        if let Some(url) = var("SFDESK_EDGE_URL") {
            config.edge_url = url;
        }
        for (name, addr) in [
            ("SFDESK_SALESFORCE_PORT", &mut config.salesforce_addr),
            ("SFDESK_HELPDESK_PORT", &mut config.helpdesk_addr),
            ("SFDESK_DEMO_PORT", &mut config.demo_addr),
        ] {
            if let Some(port) = var(name) {
                let port = port
                    .trim()
                    .parse()
                    .with_context(|| format!("{name} must be a port number, got {port:?}"))?;
                addr.set_port(port);
            }
        }
        Ok(config)
    }
}

/// A running sandbox. Dropping it stops the servers; [`Sandbox::shutdown`] does so
/// gracefully.
pub struct Sandbox {
    /// The org's base URL: its login URL and its `instance_url`.
    pub salesforce_url: String,
    /// The helpdesk API root (calls go to `<helpdesk_url>/api/v1/...`).
    pub helpdesk_url: String,
    pub demo_url: String,
    salesforce: Arc<SalesforceState>,
    helpdesk: Arc<HelpdeskState>,
    clock: Arc<Clock>,
    context_secret: String,
    edge_url: String,
    demo_ticket_id: String,
    no_match_ticket_id: String,
    stop: watch::Sender<bool>,
    servers: Vec<JoinHandle<()>>,
}

/// Binds all three listeners, seeds the demo data and serves in background tasks.
pub async fn start(config: Config) -> anyhow::Result<Sandbox> {
    let bind = |addr: SocketAddr, what: &'static str| async move {
        let listener = TcpListener::bind(addr)
            .await
            .with_context(|| format!("binding the {what} listener to {addr}"))?;
        let url = format!("http://{}", listener.local_addr()?);
        anyhow::Ok((listener, url))
    };
    let (sf_listener, salesforce_url) = bind(config.salesforce_addr, "Salesforce").await?;
    let (desk_listener, helpdesk_url) = bind(config.helpdesk_addr, "helpdesk").await?;
    let (demo_listener, demo_url) = bind(config.demo_addr, "demo pages").await?;

    let clock = Arc::new(Clock::default());
    let seeded = seed::seed(config.org_shape);
    let edge_url = config.edge_url.trim_end_matches('/').to_owned();
    let mut callback_urls = vec![format!(
        "{edge_url}{}",
        contract::admin::OAUTH_CALLBACK_PATH
    )];
    callback_urls.extend(config.extra_redirect_uris.iter().cloned());
    for url in &callback_urls {
        url::Url::parse(url).with_context(|| format!("{url:?} is not a valid callback URL"))?;
    }
    let settings = salesforce::Settings {
        shape: config.org_shape,
        base_url: salesforce_url.clone(),
        token_lifetime: config.access_token_lifetime,
        daily_api_limit: config.daily_api_limit,
        apps: vec![ConnectedApp {
            name: "sfdesk".into(),
            client_id: demo::CLIENT_ID.into(),
            client_secret: demo::CLIENT_SECRET.into(),
            callback_urls,
            require_pkce: true,
            default_scope: "api refresh_token".into(),
        }],
        users: vec![seeded.admin],
        outbound: config
            .salesforce_outbound_endpoints
            .iter()
            .map(|(object, url)| (object.clone(), salesforce::OutboundEndpoint::new(url)))
            .collect(),
        outbound_retry: config.salesforce_outbound_retry,
    };
    let salesforce = Arc::new(SalesforceState::new(settings, seeded.org, clock.clone()));
    let mut helpdesk_redirect_uris =
        vec![format!("{edge_url}{}", demo::HELPDESK_OAUTH_CALLBACK_PATH)];
    helpdesk_redirect_uris.extend(config.helpdesk_extra_redirect_uris.iter().cloned());
    for url in &helpdesk_redirect_uris {
        url::Url::parse(url).with_context(|| format!("{url:?} is not a valid redirect URI"))?;
    }
    let helpdesk = Arc::new(HelpdeskState::new(
        helpdesk::Setup {
            desks: vec![seeded.desk, seeded.second_desk],
            api_token: config.helpdesk_api_token.clone(),
            token_owner: seeded.token_owner,
            base_url: helpdesk_url.clone(),
            web_url: demo_url.clone(),
            oauth_clients: vec![helpdesk::oauth::OAuthClient {
                name: "sfdesk".into(),
                client_id: demo::HELPDESK_CLIENT_ID.into(),
                client_secret: demo::HELPDESK_CLIENT_SECRET.into(),
                redirect_uris: helpdesk_redirect_uris,
            }],
        },
        clock.clone(),
        config.helpdesk.clone(),
    ));
    let demo_state = Arc::new(demo_pages::DemoState {
        helpdesk: helpdesk.clone(),
        context_secret: config.context_secret.clone(),
        salesforce_url: salesforce_url.clone(),
    });

    let (stop, stopped) = watch::channel(false);
    let servers = vec![
        salesforce::serve(
            sf_listener,
            salesforce.clone(),
            config.salesforce_https,
            stopped.clone(),
        )?,
        tokio::spawn(salesforce::deliver_outbound_messages(salesforce.clone())),
        serve(
            desk_listener,
            helpdesk::router(helpdesk.clone()),
            stopped.clone(),
        ),
        serve(
            demo_listener,
            demo_pages::router(demo_state),
            stopped.clone(),
        ),
        helpdesk::webhooks::spawn_worker(helpdesk.clone(), stopped),
    ];
    Ok(Sandbox {
        salesforce_url,
        helpdesk_url,
        demo_url,
        salesforce,
        helpdesk,
        clock,
        context_secret: config.context_secret,
        edge_url,
        demo_ticket_id: seeded.demo_ticket_id,
        no_match_ticket_id: seeded.no_match_ticket_id,
        stop,
        servers,
    })
}

fn serve(
    listener: TcpListener,
    router: axum::Router,
    mut stopped: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let shutdown = async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        };
        // Answers go out at once, not held back for the client's delayed ACK.
        let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
            let _ = tcp.set_nodelay(true);
        });
        if let Err(error) = axum::serve(listener, router)
            .with_graceful_shutdown(shutdown)
            .await
        {
            eprintln!("sandbox server stopped: {error}");
        }
    })
}

impl Sandbox {
    /// The demo page of a ticket whose requester is a Salesforce contact with an account,
    /// as the default agent (the administrator).
    pub fn demo_ticket_url(&self) -> String {
        self.ticket_url(&self.demo_ticket_id)
    }

    /// The same ticket as the demo agent with this profile (see [`demo::PROFILES`]).
    pub fn demo_ticket_url_as(&self, profile_name: &str) -> Option<String> {
        let desk = self.helpdesk.desk();
        let agent = demo_pages::agent_with_profile(&desk, profile_name)?;
        Some(format!("{}?agent={}", self.demo_ticket_url(), agent.id))
    }

    /// The demo page of a ticket whose requester has no Salesforce contact.
    pub fn no_match_ticket_url(&self) -> String {
        self.ticket_url(&self.no_match_ticket_id)
    }

    pub fn demo_ticket_id(&self) -> &str {
        &self.demo_ticket_id
    }

    /// The demo page of the demo ticket's requester (a contact with an account).
    pub fn demo_contact_url(&self) -> String {
        let desk = self.helpdesk.desk();
        let contact = &desk.tickets[&self.demo_ticket_id].contact_id;
        format!("{}/contacts/{contact}", self.demo_url)
    }

    /// The demo page of the demo requester's account.
    pub fn demo_account_url(&self) -> String {
        let desk = self.helpdesk.desk();
        let ticket = &desk.tickets[&self.demo_ticket_id];
        let account = ticket.account_id.as_deref().unwrap_or_default();
        format!("{}/accounts/{account}", self.demo_url)
    }

    fn ticket_url(&self, id: &str) -> String {
        format!("{}/tickets/{id}", self.demo_url)
    }

    /// A context token as the demo pages mint it, for calling the edge without a browser:
    /// the demo agent with `profile_name`, about the demo ticket when `with_ticket`.
    pub fn context_token(&self, profile_name: &str, with_ticket: bool) -> Option<String> {
        let desk = self.helpdesk.desk();
        let agent = demo_pages::agent_with_profile(&desk, profile_name)?;
        let view = if with_ticket {
            demo_pages::View::Ticket(&desk.tickets[&self.demo_ticket_id])
        } else {
            demo_pages::View::Setup
        };
        Some(demo_pages::mint(&desk, agent, view, &self.context_secret))
    }

    /// The connected app as the edge should be configured to use it.
    pub fn demo_oauth_app(&self) -> shared::salesforce::OAuthApp {
        shared::salesforce::OAuthApp {
            login_url: self.salesforce_url.clone(),
            client_id: demo::CLIENT_ID.into(),
            client_secret: demo::CLIENT_SECRET.into(),
            redirect_uri: format!("{}{}", self.edge_url, contract::admin::OAUTH_CALLBACK_PATH),
        }
    }

    /// Where the edge receives the helpdesk's OAuth answer (registered with the
    /// helpdesk's OAuth client).
    pub fn helpdesk_oauth_redirect_uri(&self) -> String {
        format!("{}{}", self.edge_url, demo::HELPDESK_OAUTH_CALLBACK_PATH)
    }

    /// The helpdesk API as the demo org, with the demo API token.
    pub fn demo_helpdesk_connection(&self) -> shared::helpdesk::Connection {
        shared::helpdesk::Connection {
            base_url: self.helpdesk_url.clone(),
            org_id: demo::HELPDESK_ORG_ID.into(),
            access_token: demo::HELPDESK_API_TOKEN.into(),
        }
    }

    /// The kind of Salesforce org this sandbox is.
    pub fn org_shape(&self) -> OrgShape {
        self.salesforce.shape
    }

    /// Salesforce REST API calls answered so far.
    pub fn salesforce_api_usage(&self) -> u64 {
        self.salesforce.api_usage()
    }

    /// Ends every Salesforce access token now (refresh tokens keep working).
    pub fn expire_salesforce_sessions(&self) {
        self.salesforce.expire_sessions();
    }

    /// Ends every helpdesk OAuth access token now (refresh tokens keep working; the
    /// static demo token too).
    pub fn expire_helpdesk_tokens(&self) {
        self.helpdesk.expire_access_tokens();
    }

    /// Moves the sandbox's clock forward: tokens and codes expire, new writes carry the
    /// later time. Context tokens are unaffected (the edge checks those on its own clock).
    pub fn advance_clock(&self, by: Duration) {
        self.clock.advance(by);
    }

    /// The org's base URL over HTTPS (same port), when it answers HTTPS; clients must
    /// trust [`salesforce::SalesforceState::tls_ca_pem`].
    pub fn salesforce_https_url(&self) -> Option<String> {
        self.salesforce.tls_ca_pem()?;
        Some(self.salesforce_url.replacen("http://", "https://", 1))
    }

    /// The org's state and test controls (counters, faults, bulk seed, user edits,
    /// Outbound Message endpoints), for tests that need to look behind the API.
    pub fn salesforce(&self) -> &SalesforceState {
        &self.salesforce
    }

    pub fn helpdesk(&self) -> &HelpdeskState {
        &self.helpdesk
    }

    /// Stops accepting connections, lets requests in flight finish, and waits.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        for server in std::mem::take(&mut self.servers) {
            let _ = server.await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        for server in &self.servers {
            server.abort();
        }
    }
}
