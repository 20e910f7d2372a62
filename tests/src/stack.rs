//! Starting and stopping the whole stack.

use crate::paths::{npm_bin, repo_root};
use anyhow::{Context, bail};
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Token encryption key for local development and tests only; deployments set their own
/// `TOKEN_KEY` secret.
const DEV_TOKEN_KEY: &str = "c2ZkZXNrLWxvY2FsLWRldmVsb3BtZW50LWtleS0zMmI=";

/// The Zoho Desk extension's secret (the manifest's `secret`) for local development and
/// tests only: Zoho signs lifecycle callbacks with it, the edge checks them.
pub const DEV_EXTENSION_SECRET: &str = "sfdesk-dev-extension-secret-for-local-use-only";

/// The built extension package (`cargo xtask build`), which each stack hosts in the
/// sandbox's helpdesk as rebuilt for its own edge.
const PACKAGE: &str = "target/extension";

/// Where each part listens. `0` picks a free port (tests); the defaults are what the
/// README promises (`cargo xtask dev`).
#[derive(Debug, Clone, Copy)]
pub struct Ports {
    pub salesforce: u16,
    pub helpdesk: u16,
    pub demo: u16,
    pub edge: u16,
}

impl Default for Ports {
    fn default() -> Self {
        Ports {
            salesforce: sandbox::demo::SALESFORCE_PORT,
            helpdesk: sandbox::demo::HELPDESK_PORT,
            demo: sandbox::demo::DEMO_PORT,
            edge: sandbox::demo::EDGE_PORT,
        }
    }
}

impl Ports {
    /// Free ports for a test stack, so test runs never collide with a running demo.
    pub fn ephemeral() -> Self {
        Ports {
            salesforce: 0,
            helpdesk: 0,
            demo: 0,
            edge: free_port(),
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

pub struct StackOptions {
    pub ports: Ports,
    /// The kind of Salesforce org the sandbox plays.
    pub org_shape: sandbox::OrgShape,
    /// Durable Object storage; kept across restarts for the demo, fresh per test stack.
    pub persist_dir: PathBuf,
    /// Where `wrangler dev` writes its output.
    pub edge_log: PathBuf,
}

impl StackOptions {
    /// The demo: fixed ports (each overridable by `SFDESK_*_PORT`), the org shape of
    /// `SFDESK_ORG_SHAPE` (the demo org by default), state kept in `.wrangler/state` (one
    /// directory per other shape, as each is its own org's data).
    pub fn demo() -> anyhow::Result<Self> {
        let defaults = Ports::default();
        let port = |name: &str, default: u16| -> anyhow::Result<u16> {
            match std::env::var(name) {
                Ok(value) => value
                    .parse()
                    .with_context(|| format!("{name}={value:?} is not a port number")),
                Err(_) => Ok(default),
            }
        };
        let org_shape = match std::env::var("SFDESK_ORG_SHAPE") {
            Ok(name) if !name.trim().is_empty() => name.trim().parse()?,
            _ => sandbox::OrgShape::Demo,
        };
        let state = match org_shape {
            sandbox::OrgShape::Demo => "state".to_owned(),
            other => format!("state-{}", other.name()),
        };
        Ok(StackOptions {
            ports: Ports {
                salesforce: port("SFDESK_SALESFORCE_PORT", defaults.salesforce)?,
                helpdesk: port("SFDESK_HELPDESK_PORT", defaults.helpdesk)?,
                demo: port("SFDESK_DEMO_PORT", defaults.demo)?,
                edge: port("SFDESK_EDGE_PORT", defaults.edge)?,
            },
            org_shape,
            persist_dir: repo_root().join(".wrangler").join(state),
            edge_log: repo_root().join("target/sfdesk-dev/wrangler.log"),
        })
    }

    /// A throw-away stack on free ports with empty storage.
    pub fn test(name: &str) -> Self {
        let dir = repo_root()
            .join("target/e2e")
            .join(format!("{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        StackOptions {
            ports: Ports::ephemeral(),
            org_shape: sandbox::OrgShape::Demo,
            persist_dir: dir.join("state"),
            edge_log: dir.join("wrangler.log"),
        }
    }
}

pub struct Stack {
    pub sandbox: sandbox::Sandbox,
    pub edge_url: String,
    pub edge_log: PathBuf,
    /// The extension package for this stack's edge (see [`Stack::upload_package`]).
    package: PathBuf,
    wrangler: Child,
    edge: Edge,
    /// Keeps the runtime's `Network` instrumentation off (see [`crate::inspector`]).
    quiet_network: Option<tokio::task::JoinHandle<()>>,
}

/// How `wrangler dev` is started, so it can be started again.
struct Edge {
    port: u16,
    /// Wrangler's DevTools port, new at every start.
    inspector_port: u16,
    persist_dir: PathBuf,
    log: PathBuf,
    vars: Vec<String>,
}

impl Edge {
    fn spawn(&mut self) -> anyhow::Result<Child> {
        if let Some(dir) = self.log.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)?;
        self.inspector_port = free_port();
        let mut command = Command::new(npm_bin("wrangler"));
        command
            .current_dir(repo_root())
            .args(["dev", "--ip", "127.0.0.1", "--port", &self.port.to_string()])
            // Its own debugger port too, so stacks (and a running demo) never collide.
            .args(["--inspector-port", &self.inspector_port.to_string()])
            .arg("--persist-to")
            .arg(&self.persist_dir)
            .args([
                "--show-interactive-dev-session=false",
                "--log-level",
                "info",
            ])
            .args(self.vars.iter().flat_map(|v| ["--var", v.as_str()]))
            .env("WRANGLER_SEND_METRICS", "false")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        // Its own process group, so stopping it also stops the workerd it spawns.
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        command
            .spawn()
            .context("starting wrangler dev (run `npm ci`?)")
    }
}

/// Signals wrangler's whole process group and waits for it to end.
fn stop_group(child: &mut Child, signal: &str) {
    let group = format!("-{}", child.id());
    let _ = Command::new("kill")
        .args(["-s", signal, "--", &group])
        .status();
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = Command::new("kill")
        .args(["-s", "KILL", "--", &group])
        .status();
    let _ = child.wait();
}

impl Stack {
    /// Salesforce calls answered since the last reset, every endpoint together.
    pub fn salesforce_calls(&self) -> u64 {
        self.sandbox
            .salesforce()
            .counters()
            .endpoints
            .values()
            .sum()
    }

    pub async fn start(options: StackOptions) -> anyhow::Result<Stack> {
        for built in [
            "edge/build/worker/shim.mjs",
            "widget/dist/index.html",
            "target/extension/app/widget.html",
        ] {
            if !repo_root().join(built).exists() {
                bail!(
                    "{built} is missing: build first (`cargo xtask dev` or `cargo xtask test` do)"
                );
            }
        }
        let edge_url = format!("http://127.0.0.1:{}", options.ports.edge);
        let local = |port| SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let sandbox = sandbox::start(sandbox::Config {
            org_shape: options.org_shape,
            salesforce_addr: local(options.ports.salesforce),
            helpdesk_addr: local(options.ports.helpdesk),
            demo_addr: local(options.ports.demo),
            edge_url: edge_url.clone(),
            ..sandbox::Config::default()
        })
        .await
        .context("starting the sandbox")?;

        let vars = vec![
            format!("PUBLIC_URL:{edge_url}"),
            format!("SALESFORCE_LOGIN_URL:{}", sandbox.salesforce_url),
            format!("SALESFORCE_CLIENT_ID:{}", sandbox::demo::CLIENT_ID),
            format!("SALESFORCE_CLIENT_SECRET:{}", sandbox::demo::CLIENT_SECRET),
            format!("CONTEXT_SECRET:{}", sandbox::demo::DEV_CONTEXT_SECRET),
            format!("TOKEN_KEY:{DEV_TOKEN_KEY}"),
            format!("ZOHO_EXTENSION_SECRET:{DEV_EXTENSION_SECRET}"),
            format!("WIDGET_ORIGINS:{}", sandbox.widget_host_url()),
            format!("HELPDESK_API_URL:{}", sandbox.helpdesk_url),
            format!("HELPDESK_API_TOKEN:{}", sandbox::demo::HELPDESK_API_TOKEN),
            format!("HELPDESK_ACCOUNTS_URL:{}", sandbox.helpdesk_url),
            format!("HELPDESK_CLIENT_ID:{}", sandbox::demo::HELPDESK_CLIENT_ID),
            format!(
                "HELPDESK_CLIENT_SECRET:{}",
                sandbox::demo::HELPDESK_CLIENT_SECRET
            ),
        ];
        let mut edge = Edge {
            port: options.ports.edge,
            inspector_port: 0,
            persist_dir: options.persist_dir,
            log: options.edge_log,
            vars,
        };
        let package = edge
            .log
            .parent()
            .context("the edge log is in a folder")?
            .join("extension");
        let mut stack = Stack {
            sandbox,
            edge_url,
            edge_log: edge.log.clone(),
            package,
            wrangler: edge.spawn()?,
            edge,
            quiet_network: None,
        };
        stack.upload_package()?;
        stack.start_edge().await?;
        // The demo helpdesk runs the extension, as its admin installed it and first
        // opened it.
        let installed = stack
            .install_extension(sandbox::demo::HELPDESK_ORG_ID, DEV_EXTENSION_SECRET)
            .await?;
        anyhow::ensure!(
            installed.callback.as_ref().and_then(|c| c.status) == Some(204),
            "the edge refused the extension's onInstall callback: {installed:?}"
        );
        stack.finish_installation().await?;
        Ok(stack)
    }

    /// The package `cargo xtask build` made, for this stack's edge (what building it with
    /// `PUBLIC_URL` set to this edge gives: the built edge URL replaced in the manifest and
    /// the page; the bundle linked, not copied), uploaded to the sandbox's helpdesk,
    /// which hosts its pages.
    fn upload_package(&self) -> anyhow::Result<()> {
        let built = repo_root().join(PACKAGE);
        let manifest = std::fs::read_to_string(built.join("plugin-manifest.json"))
            .context("reading the built extension's manifest")?;
        let built_edge =
            serde_json::from_str::<serde_json::Value>(&manifest)?["whiteListedDomains"][0]
                .as_str()
                .context("the built manifest whitelists the edge")?
                .to_owned();
        let for_edge = |text: &str| text.replace(&built_edge, &self.edge_url);
        let app = self.package.join("app");
        let _ = std::fs::remove_dir_all(&self.package);
        std::fs::create_dir_all(&app)?;
        std::fs::write(
            self.package.join("plugin-manifest.json"),
            for_edge(&manifest),
        )?;
        for entry in std::fs::read_dir(built.join("app"))? {
            let entry = entry?;
            let to = app.join(entry.file_name());
            if entry.file_name() == "widget.html" {
                std::fs::write(&to, for_edge(&std::fs::read_to_string(entry.path())?))?;
            } else if std::fs::hard_link(entry.path(), &to).is_err() {
                std::fs::copy(entry.path(), &to)?;
            }
        }
        self.sandbox.helpdesk().upload_extension(app);
        Ok(())
    }

    /// What an administrator's first view of the widget does in the demo helpdesk org
    /// (`widget/src/zoho.rs`): asks the edge for the installation secret through Zoho's
    /// proxy and sets it as the extension's parameter (`ZOHODESK.set`).
    pub async fn finish_installation(&self) -> anyhow::Result<()> {
        let admin = self
            .sandbox
            .demo_agent_id("Administrator")
            .context("the demo has an administrator")?;
        let org = sandbox::demo::HELPDESK_ORG_ID;
        let answer = self
            .zoho_request(
                &admin,
                &self.proxy_request(
                    contract::context::INSTALLATION_SECRET_PATH,
                    &contract::context::InstallationSecretRequest {
                        org: org.to_owned(),
                    },
                ),
            )
            .await?;
        let response = answer["response"]
            .as_str()
            .with_context(|| format!("the edge gave no installation secret: {answer}"))?;
        let inner: serde_json::Value = serde_json::from_str(response)?;
        let secret: contract::context::InstallationSecret =
            serde_json::from_value(inner["statusMessage"].clone())?;
        let set = reqwest::Client::new()
            .post(format!("{}/__zoho/config", self.sandbox.demo_url))
            .header(
                "Cookie",
                format!("{}={admin}", sandbox::demo_pages::AGENT_COOKIE),
            )
            .json(&serde_json::json!({
                "name": contract::context::INSTALL_SECRET_PARAM,
                "value": secret.secret,
            }))
            .send()
            .await?;
        anyhow::ensure!(set.status().is_success(), "{}", set.text().await?);
        Ok(())
    }

    /// What Zoho Desk takes from the package's manifest to install it in helpdesk org
    /// `org`, signed with the extension's secret `secret`; the installation secret is
    /// not set until an administrator opens the widget ([`Stack::finish_installation`]).
    pub fn install_request(
        &self,
        org: &str,
        secret: &str,
    ) -> anyhow::Result<sandbox::helpdesk::extension::InstallRequest> {
        let text = std::fs::read_to_string(self.package.join("plugin-manifest.json"))
            .context("reading the extension's manifest")?;
        let manifest: serde_json::Value = serde_json::from_str(&text)?;
        fn part<T: serde::de::DeserializeOwned>(
            manifest: &serde_json::Value,
            name: &str,
        ) -> serde_json::Result<T> {
            serde_json::from_value(manifest[name].clone())
        }
        Ok(sandbox::helpdesk::extension::InstallRequest {
            org_id: Some(org.to_owned()),
            secret: secret.to_owned(),
            callback_listener: part(&manifest, "callbackListener")?,
            white_listed_domains: part(&manifest, "whiteListedDomains")?,
            secure_params: Default::default(),
            config: part(&manifest, "config")?,
            connections: part(&manifest, "connectors")?,
        })
    }

    /// `ZOHODESK.request(request)` as the demo helpdesk's widget page sends it for agent
    /// `agent`: Zoho's proxy answer, `{"response": "..."}` or `{"status": "false",
    /// "statusCode", "statusMessage"}`.
    pub async fn zoho_request(
        &self,
        agent: &str,
        request: &serde_json::Value,
    ) -> anyhow::Result<serde_json::Value> {
        let answer = reqwest::Client::new()
            .post(format!("{}/__zoho/request", self.sandbox.demo_url))
            .header(
                "Cookie",
                format!("{}={agent}", sandbox::demo_pages::AGENT_COOKIE),
            )
            .json(request)
            .send()
            .await?;
        Ok(answer.json().await?)
    }

    /// The `reqObj` the extension's page sends to the edge's `path` with `body`: the
    /// installation's secret and the agent's helpdesk token left for Zoho's proxy to fill
    /// in.
    pub fn proxy_request(&self, path: &str, body: &impl serde::Serialize) -> serde_json::Value {
        serde_json::json!({
            "url": format!("{}{path}", self.edge_url),
            "type": "POST",
            "headers": {
                contract::context::INSTALLATION_HEADER: "{{secure.installSecret}}",
                "Content-Type": "application/json",
            },
            "postBody": serde_json::to_string(body).expect("requests serialize"),
            "connectionLinkName": contract::context::CONNECTION_LINK_NAME,
        })
    }

    /// The `reqObj` the extension's page sends for a session.
    pub fn session_request(
        &self,
        session: &contract::context::SessionRequest,
    ) -> serde_json::Value {
        self.proxy_request(contract::context::SESSION_PATH, session)
    }

    /// Installs the extension in helpdesk org `org` (Zoho then calls the edge's
    /// `onInstall`), signed with `secret`.
    pub async fn install_extension(
        &self,
        org: &str,
        secret: &str,
    ) -> anyhow::Result<sandbox::helpdesk::extension::Installed> {
        let request = self.install_request(org, secret)?;
        self.sandbox
            .helpdesk()
            .install_extension(request)
            .await
            .map_err(anyhow::Error::msg)
    }

    /// The edge is up once its API answers (401 without a token).
    /// Waits until the edge answers; `Ok(false)` if `wrangler dev` exited first (its
    /// runtime failed to start).
    async fn wait_for_edge(&mut self) -> anyhow::Result<bool> {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(180);
        while Instant::now() < deadline {
            if self.wrangler.try_wait()?.is_some() {
                return Ok(false);
            }
            let answer = client
                .get(format!("{}{}", self.edge_url, contract::api::PANEL_PATH))
                .send()
                .await;
            if answer.is_ok_and(|response| response.status() == 401) {
                return Ok(true);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        bail!(
            "the edge did not come up within 180 s; see {}",
            self.edge_log.display()
        )
    }

    /// Starts `wrangler dev` until its runtime is up. Right after a killed runtime, its
    /// port and storage are let go of a moment late, and a runtime started in that moment
    /// fails to start ("The Workers runtime failed to start", seen on a loaded machine):
    /// it is started again, a few times at most.
    async fn start_edge(&mut self) -> anyhow::Result<()> {
        for attempt in 0..4 {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_secs(1)).await;
                self.wrangler = self.edge.spawn()?;
            }
            if self.wait_for_edge().await? {
                if let Some(previous) = self.quiet_network.take() {
                    previous.abort();
                }
                // Without it the edge still works, until it makes thousands of calls.
                let port = self.edge.inspector_port;
                self.quiet_network = match tokio::time::timeout(
                    Duration::from_secs(10),
                    crate::inspector::quiet_network(port),
                )
                .await
                {
                    Ok(Ok(task)) => Some(task),
                    Ok(Err(error)) => {
                        eprintln!("warning: the runtime's network events stay on: {error:#}");
                        None
                    }
                    Err(_) => {
                        eprintln!("warning: wrangler's inspector did not answer in 10 s");
                        None
                    }
                };
                return Ok(());
            }
        }
        bail!(
            "wrangler dev exited before the edge was up, four times; see {}",
            self.edge_log.display()
        )
    }

    /// A context token as the demo pages mint it: the demo agent of `profile`, about the
    /// demo ticket (whose requester has a Salesforce contact) when `with_ticket`.
    pub fn context_token(&self, profile: &str, with_ticket: bool) -> String {
        self.sandbox
            .context_token(profile, with_ticket)
            .unwrap_or_else(|| panic!("the demo has an agent with profile {profile}"))
    }

    /// The agent panel as the API returns it, for [`Stack::context_token`]'s caller.
    pub async fn panel(
        &self,
        profile: &str,
        with_ticket: bool,
    ) -> anyhow::Result<contract::api::Panel> {
        let response = reqwest::Client::new()
            .get(format!("{}{}", self.edge_url, contract::api::PANEL_PATH))
            .bearer_auth(self.context_token(profile, with_ticket))
            .send()
            .await?;
        let status = response.status();
        let body = response.text().await?;
        anyhow::ensure!(status.is_success(), "panel answered {status}: {body}");
        Ok(serde_json::from_str(&body)?)
    }
}

impl Stack {
    /// A Salesforce session as the sandbox's admin user (password grant), for tests that
    /// read or change records through the org's REST API.
    pub async fn salesforce_admin(&self) -> anyhow::Result<shared::salesforce::Session> {
        let request = self
            .sandbox
            .demo_oauth_app()
            .password_grant(sandbox::demo::ADMIN_USERNAME, sandbox::demo::ADMIN_PASSWORD);
        let response =
            shared::http::Transport::send(&shared::http::ReqwestTransport::default(), request)
                .await?;
        let tokens = shared::salesforce::OAuthApp::parse_token_response(&response)?;
        Ok(shared::salesforce::Session {
            instance_url: tokens.instance_url,
            access_token: tokens.access_token,
        })
    }
}

impl Stack {
    /// Bytes the edge's local storage (the Durable Objects' SQLite files) takes on disk.
    pub fn storage_bytes(&self) -> u64 {
        fn walk(dir: &std::path::Path) -> u64 {
            std::fs::read_dir(dir)
                .into_iter()
                .flatten()
                .flatten()
                .map(|entry| match entry.metadata() {
                    Ok(meta) if meta.is_dir() => walk(&entry.path()),
                    Ok(meta) => meta.len(),
                    Err(_) => 0,
                })
                .sum()
        }
        walk(&self.edge.persist_dir)
    }

    /// The helpdesk webhook URL the edge gives helpdesk org `org` (its tag made with the
    /// development context secret the stack runs with).
    pub fn helpdesk_webhook_url(&self, org: &str) -> String {
        let tag = shared::url_tag::UrlTagger::derive(sandbox::demo::DEV_CONTEXT_SECRET.as_bytes())
            .tag(shared::url_tag::Purpose::HelpdeskWebhook, org);
        format!("{}/webhooks/helpdesk/{org}/{tag}", self.edge_url)
    }

    /// How many Durable Objects have storage: one SQLite file each (besides wrangler's own
    /// `metadata.sqlite`).
    pub fn durable_objects(&self) -> usize {
        let dir = self.edge.persist_dir.join("v3/do/sfdesk-Integration");
        std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|entry| {
                let name = entry.file_name();
                let name = name.to_string_lossy();
                name.ends_with(".sqlite") && name != "metadata.sqlite"
            })
            .count()
    }

    /// Kills the edge outright, as a crash would (no chance to finish what it was
    /// doing), and starts it again on the same storage.
    pub async fn crash_and_restart_edge(&mut self) -> anyhow::Result<()> {
        stop_group(&mut self.wrangler, "KILL");
        self.wrangler = self.edge.spawn()?;
        self.start_edge().await
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        if let Some(quiet) = self.quiet_network.take() {
            quiet.abort();
        }
        // SIGTERM to the whole group lets wrangler stop workerd and flush storage.
        stop_group(&mut self.wrangler, "TERM");
    }
}
