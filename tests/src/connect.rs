//! Connecting a helpdesk org to the sandbox Salesforce org, and to its own helpdesk,
//! through the real OAuth code flows, the way an admin's browser walks them: the edge's
//! start URL, the login and consent form, the edge's callback. The browser keeps
//! cookies, as the edge binds the flow to the browser that started it.

use crate::stack::Stack;
use anyhow::{Context, bail, ensure};
use contract::admin::{
    HELPDESK_OAUTH_START_CODE_PATH, HELPDESK_OAUTH_START_PATH, OAUTH_START_CODE_PATH,
    OAUTH_START_PATH, StartCode,
};
use reqwest::{StatusCode, redirect::Policy};
use sandbox::demo_pages::{View, context_claims};

impl Stack {
    pub async fn connect_salesforce(&self) -> anyhow::Result<()> {
        self.connect_salesforce_via_callback().await.map(|_| ())
    }

    /// A context token of helpdesk org `org`'s administrator (its first agent), in the
    /// admin console.
    pub fn admin_token(&self, org: &str) -> String {
        let desk = self
            .sandbox
            .helpdesk()
            .desk_of(org)
            .unwrap_or_else(|| panic!("the sandbox has helpdesk org {org}"));
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("the clock is after 1970")
            .as_secs();
        let claims = context_claims(&desk, &desk.agents[0], View::Setup, now);
        contract::context::sign(&claims, sandbox::demo::DEV_CONTEXT_SECRET.as_bytes())
    }

    /// Connects helpdesk org `org` to the sandbox Salesforce org, as its administrator.
    pub async fn connect_salesforce_in(&self, org: &str) -> anyhow::Result<()> {
        let browser = oauth_browser()?;
        let start = self
            .start_url(
                &self.admin_token(org),
                OAUTH_START_CODE_PATH,
                OAUTH_START_PATH,
            )
            .await?;
        let authorize_url = redirect_target(browser.get(&start).send().await?)?;
        let callback = self
            .approve_in_salesforce_at(&browser, &authorize_url)
            .await?;
        expect_connected(&browser, &callback, "Salesforce connected").await
    }

    /// Connects helpdesk org `org` to its own helpdesk: the edge's start, Zoho's consent
    /// as the org's administrator, the edge's callback.
    pub async fn connect_helpdesk(&self, org: &str) -> anyhow::Result<()> {
        let browser = oauth_browser()?;
        let start = self
            .start_url(
                &self.admin_token(org),
                HELPDESK_OAUTH_START_CODE_PATH,
                HELPDESK_OAUTH_START_PATH,
            )
            .await?;
        let consent_url = redirect_target(browser.get(&start).send().await?)?;
        let consent_page = browser.get(&consent_url).send().await?;
        ensure!(
            consent_page.status() == StatusCode::OK,
            "consent page answered {}",
            consent_page.status()
        );
        let form = LoginForm::parse(&consent_page.text().await?)?;
        let action = url::Url::parse(&consent_url)?.join(&form.action)?;
        let admin = self
            .sandbox
            .helpdesk()
            .desk_of(org)
            .context("the org")?
            .agents[0]
            .email_id
            .clone();
        let mut fields = form.fields;
        fields.retain(|(name, _)| name != "email" && name != "password");
        fields.push(("email".into(), admin));
        fields.push((
            "password".into(),
            sandbox::demo::HELPDESK_AGENT_PASSWORD.into(),
        ));
        let callback = redirect_target(browser.post(action).form(&fields).send().await?)
            .context("helpdesk consent")?;
        expect_connected(&browser, &callback, "Helpdesk connected").await
    }

    /// Where the edge's OAuth start sends `browser` (see [`oauth_browser`]): the org's
    /// authorize URL, carrying a fresh `state`.
    pub async fn begin_oauth(&self, browser: &reqwest::Client) -> anyhow::Result<String> {
        let start = self.oauth_start_url().await?;
        redirect_target(browser.get(&start).send().await?).context("edge start")
    }

    /// The popup's start URL, with a one-time code the console asks for as the admin.
    pub async fn oauth_start_url(&self) -> anyhow::Result<String> {
        self.start_url(
            &self.context_token("Administrator", false),
            OAUTH_START_CODE_PATH,
            OAUTH_START_PATH,
        )
        .await
    }

    /// A start URL of either flow, with a one-time code asked for with `admin_token`.
    async fn start_url(
        &self,
        admin_token: &str,
        code_path: &str,
        start_path: &str,
    ) -> anyhow::Result<String> {
        let response = reqwest::Client::new()
            .post(format!("{}{code_path}", self.edge_url))
            .bearer_auth(admin_token)
            .send()
            .await?;
        ensure!(
            response.status() == StatusCode::OK,
            "start code answered {}",
            response.status()
        );
        let code: StartCode = response.json().await?;
        let mut url = url::Url::parse(&format!("{}{start_path}", self.edge_url))?;
        url.query_pairs_mut().append_pair("code", &code.code);
        Ok(url.into())
    }

    /// Connects as [`Stack::connect_salesforce`] does and answers the callback URL the
    /// browser was sent to (its `code` and `state` now used).
    pub async fn connect_salesforce_via_callback(&self) -> anyhow::Result<String> {
        let browser = oauth_browser()?;
        let callback = self.approve_in_salesforce(&browser).await?;
        expect_connected(&browser, &callback, "Salesforce connected").await?;
        Ok(callback)
    }

    /// Starts the flow in `browser` and approves it in the org as its admin: the callback
    /// URL Salesforce sends the browser back to, not yet visited.
    pub async fn approve_in_salesforce(&self, browser: &reqwest::Client) -> anyhow::Result<String> {
        let authorize_url = self.begin_oauth(browser).await?;
        self.approve_in_salesforce_at(browser, &authorize_url).await
    }

    async fn approve_in_salesforce_at(
        &self,
        browser: &reqwest::Client,
        authorize_url: &str,
    ) -> anyhow::Result<String> {
        let login_page = browser.get(authorize_url).send().await?;
        ensure!(
            login_page.status() == StatusCode::OK,
            "login page answered {}",
            login_page.status()
        );
        let form = LoginForm::parse(&login_page.text().await?)?;
        let action = url::Url::parse(authorize_url)?.join(&form.action)?;
        let mut fields = form.fields;
        fields.retain(|(name, _)| name != "username" && name != "password");
        fields.push(("username".into(), sandbox::demo::ADMIN_USERNAME.into()));
        fields.push(("password".into(), sandbox::demo::ADMIN_PASSWORD.into()));
        let consent = browser.post(action).form(&fields).send().await?;
        redirect_target(consent).context("login and consent")
    }
}

/// The callback, visited: its page must say `connected`.
async fn expect_connected(
    browser: &reqwest::Client,
    callback: &str,
    connected: &str,
) -> anyhow::Result<()> {
    let result = browser.get(callback).send().await?;
    let status = result.status();
    let page = result.text().await?;
    ensure!(
        status == StatusCode::OK && page.contains(connected),
        "callback answered {status}: {page}"
    );
    Ok(())
}

/// A browser as the OAuth flow needs one: it keeps cookies and shows redirects.
pub fn oauth_browser() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .redirect(Policy::none())
        .cookie_store(true)
        .build()?)
}

fn redirect_target(response: reqwest::Response) -> anyhow::Result<String> {
    if !response.status().is_redirection() {
        bail!("expected a redirect, got {}", response.status());
    }
    let location = response
        .headers()
        .get("location")
        .context("redirect without Location")?;
    Ok(location.to_str()?.to_owned())
}

/// The login and consent form: its action, hidden fields, and the "Allow" (Salesforce)
/// or "Accept" (Zoho) button.
struct LoginForm {
    action: String,
    fields: Vec<(String, String)>,
}

impl LoginForm {
    fn parse(html: &str) -> anyhow::Result<Self> {
        let form_start = html.find("<form").context("no form on the login page")?;
        let form = &html[form_start
            ..html[form_start..]
                .find("</form>")
                .map_or(html.len(), |end| form_start + end)];
        let action = attribute(form, "action").unwrap_or_default();
        let mut fields = Vec::new();
        for tag in tags(form, "<input") {
            if let Some(name) = attribute(tag, "name") {
                fields.push((name, attribute(tag, "value").unwrap_or_default()));
            }
        }
        let allow = tags(form, "<button")
            .filter_map(|tag| Some((attribute(tag, "name")?, attribute(tag, "value")?)))
            .find(|(_, value)| {
                let value = value.to_lowercase();
                value.contains("allow") || value.contains("accept")
            });
        fields.extend(allow);
        Ok(LoginForm { action, fields })
    }
}

fn tags<'a>(html: &'a str, open: &'a str) -> impl Iterator<Item = &'a str> {
    html.match_indices(open).map(move |(start, _)| {
        &html[start
            ..html[start..]
                .find('>')
                .map_or(html.len(), |end| start + end)]
    })
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let value = &tag[start..start + tag[start..].find('"')?];
    Some(
        value
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hidden_fields_and_the_allow_button() {
        let html = r#"<html><form method="post" action="/services/oauth2/authorize">
            <input type="hidden" name="state" value="a&amp;b"><input name="username" value="">
            <button name="decision" value="deny">Deny</button><button name="decision" value="allow">Allow</button></form>"#;
        let form = LoginForm::parse(html).unwrap();
        assert_eq!(form.action, "/services/oauth2/authorize");
        assert!(form.fields.contains(&("state".into(), "a&b".into())));
        assert!(form.fields.contains(&("decision".into(), "allow".into())));
        assert!(!form.fields.contains(&("decision".into(), "deny".into())));
    }
}
