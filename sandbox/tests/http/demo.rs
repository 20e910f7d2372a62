//! The demo helpdesk pages: the widget's iframe and the context token it carries.

use crate::helpers::*;
use contract::context::{self, ContextClaims, ContextError, Role};
use sandbox::{Config, demo};

/// The `src` of the widget's iframe on a page.
fn widget_src(html: &str) -> String {
    let at = html
        .find("id=\"sfdesk-widget\"")
        .expect("the page has the widget iframe");
    let tag_start = html[..at].rfind('<').unwrap();
    let tag_end = at + html[at..].find('>').unwrap();
    let tag = &html[tag_start..tag_end];
    assert!(tag.starts_with("<iframe"), "{tag}");
    let src = tag.split("src=\"").nth(1).expect("the iframe has a src");
    unescape(&src[..src.find('"').unwrap()])
}

fn token_in(src: &str, edge_url: &str) -> String {
    let prefix = format!("{edge_url}/#ctx=");
    assert!(src.starts_with(&prefix), "{src} should start with {prefix}");
    let fragment = &src[prefix.len()..];
    // Other parameters (`&view=admin`) may follow the token.
    fragment.split('&').next().unwrap_or_default().to_owned()
}

/// A page's status and headers, and its HTML.
struct Page {
    status: u16,
    headers: reqwest::header::HeaderMap,
}

async fn page(url: &str) -> (Page, String) {
    let response = client().get(url).send().await.unwrap();
    let head = Page {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
    };
    (head, response.text().await.unwrap())
}

async fn claims_on(url: &str, edge_url: &str, secret: &str) -> ContextClaims {
    let (response, html) = page(url).await;
    assert_eq!(response.status, 200);
    let token = token_in(&widget_src(&html), edge_url);
    context::verify(&token, secret.as_bytes(), now_secs()).expect("the token verifies")
}

#[tokio::test]
async fn the_demo_ticket_embeds_the_widget_with_a_valid_context_token() {
    let sandbox = spawn().await;
    let (response, html) = page(&sandbox.demo_ticket_url()).await;
    assert_eq!(response.status, 200);
    assert!(
        response.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(html.contains("Invoices no longer export to CSV"));

    let token = token_in(&widget_src(&html), &demo::edge_url());
    assert_eq!(
        context::verify(&token, b"another secret", now_secs()),
        Err(ContextError::BadSignature)
    );
    let claims = context::verify(&token, demo::DEV_CONTEXT_SECRET.as_bytes(), now_secs()).unwrap();
    assert_eq!(claims.org, demo::HELPDESK_ORG_ID);
    assert_eq!(claims.ticket.as_deref(), Some(sandbox.demo_ticket_id()));
    assert_eq!(claims.role, Role::Admin);
    assert_eq!(claims.profile_name, "Administrator");
    let now = now_secs();
    assert!(claims.exp > now && claims.exp <= now + context::DEFAULT_TTL_SECS + 5);

    // The requester is the ticket's, per the helpdesk API, and Salesforce knows them.
    let ticket: serde_json::Value = client()
        .get(format!(
            "{}/api/v1/tickets/{}",
            sandbox.helpdesk_url,
            sandbox.demo_ticket_id()
        ))
        .header(
            "Authorization",
            format!("Zoho-oauthtoken {}", demo::HELPDESK_API_TOKEN),
        )
        .header("orgId", demo::HELPDESK_ORG_ID)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let requester = claims.requester.expect("a ticket view names the requester");
    assert_eq!(requester.as_str(), ticket["email"].as_str().unwrap());
    let sf = password_token(&sandbox).await.access_token;
    let soql = shared::panel::contact_by_email(&requester);
    let found = json(sf_query(&sandbox, &sf, &soql).await).await;
    assert_eq!(found["totalSize"], 1);
    assert!(found["records"][0]["Account"]["Name"].is_string());
}

#[tokio::test]
async fn the_chosen_agent_signs_the_token_and_is_remembered() {
    let sandbox = spawn().await;
    let url = sandbox.demo_ticket_url_as("Light Agent").unwrap();
    let (response, html) = page(&url).await;
    let cookie = response.headers["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("sandbox_agent="), "{cookie}");
    let token = token_in(&widget_src(&html), &demo::edge_url());
    let claims = context::verify(&token, demo::DEV_CONTEXT_SECRET.as_bytes(), now_secs()).unwrap();
    assert_eq!(claims.role, Role::Agent);
    assert_eq!(claims.profile_name, "Light Agent");
    assert!(!html.contains("href=\"/setup\""), "only admins see Setup");

    // Without the query, the cookie keeps the choice.
    let pair = cookie.split(';').next().unwrap();
    let html = client()
        .get(sandbox.demo_ticket_url())
        .header("Cookie", pair)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = token_in(&widget_src(&html), &demo::edge_url());
    let again = context::verify(&token, demo::DEV_CONTEXT_SECRET.as_bytes(), now_secs()).unwrap();
    assert_eq!(again.agent, claims.agent);
}

#[tokio::test]
async fn the_ticket_list_links_every_ticket() {
    let sandbox = spawn().await;
    let (response, html) = page(&format!("{}/", sandbox.demo_url)).await;
    assert_eq!(response.status, 200);
    let tickets: serde_json::Value = client()
        .get(format!("{}/api/v1/tickets", sandbox.helpdesk_url))
        .header(
            "Authorization",
            format!("Zoho-oauthtoken {}", demo::HELPDESK_API_TOKEN),
        )
        .header("orgId", demo::HELPDESK_ORG_ID)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for ticket in tickets["data"].as_array().unwrap() {
        let link = format!("href=\"/tickets/{}\"", ticket["id"].as_str().unwrap());
        assert!(html.contains(&link), "{link}");
    }
    for profile in demo::PROFILES {
        assert!(
            html.contains(&format!("({profile})")),
            "the picker offers {profile}"
        );
    }
    let (missing, _) = page(&format!("{}/tickets/42", sandbox.demo_url)).await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn the_no_match_ticket_names_a_requester_unknown_to_salesforce() {
    let sandbox = spawn().await;
    let claims = claims_on(
        &sandbox.no_match_ticket_url(),
        &demo::edge_url(),
        demo::DEV_CONTEXT_SECRET,
    )
    .await;
    let requester = claims.requester.unwrap();
    let sf = password_token(&sandbox).await.access_token;
    let soql = shared::panel::contact_by_email(&requester);
    assert_eq!(
        json(sf_query(&sandbox, &sf, &soql).await).await["totalSize"],
        0
    );
}

#[tokio::test]
async fn the_configured_edge_and_secret_are_used() {
    let sandbox = spawn_with(Config {
        edge_url: "http://edge.test:9999/".into(),
        context_secret: "a-test-secret".into(),
        ..Config::ephemeral()
    })
    .await;
    let claims = claims_on(
        &sandbox.demo_ticket_url(),
        "http://edge.test:9999",
        "a-test-secret",
    )
    .await;
    assert_eq!(claims.org, demo::HELPDESK_ORG_ID);

    let setup = claims_on(
        &format!("{}/setup", sandbox.demo_url),
        "http://edge.test:9999",
        "a-test-secret",
    )
    .await;
    assert_eq!(setup.role, Role::Admin);
    assert_eq!((setup.ticket, setup.requester), (None, None));

    let token = sandbox.context_token("Agent", true).unwrap();
    let minted = context::verify(&token, b"a-test-secret", now_secs()).unwrap();
    assert_eq!(minted.profile_name, "Agent");
    assert_eq!(minted.ticket.as_deref(), Some(sandbox.demo_ticket_id()));
}
