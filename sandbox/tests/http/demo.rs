//! The demo helpdesk pages: the widget's iframe (the extension's page, no token) and
//! what the page tells it through the SDK stand-in; the tokens tests mint.

use crate::helpers::*;
use contract::context;
use sandbox::{Config, demo};
use serde_json::Value;

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

/// What the page's SDK host tells the widget (see [`widget_view`]).
async fn view_on(url: &str, edge_url: &str) -> (Value, String) {
    let (response, html) = page(url).await;
    assert_eq!(response.status, 200);
    widget_view(&html, edge_url)
}

#[tokio::test]
async fn the_demo_ticket_frames_the_extension_page_with_the_ticket_in_view() {
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

    // No token: the page tells the extension's page what is in view, as Zoho Desk does.
    let (values, location) = widget_view(&html, &demo::edge_url());
    assert_eq!(location, "desk.ticket.detail.rightpanel");
    assert_eq!(values["portal.id"], demo::HELPDESK_ORG_ID);
    assert_eq!(values["ticket.id"], sandbox.demo_ticket_id());
    assert_eq!(
        values["user.id"],
        sandbox.demo_agent_id("Administrator").unwrap().as_str()
    );

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
    let requester = values["ticket.email"].as_str().unwrap();
    assert_eq!(requester, ticket["email"].as_str().unwrap());
    let requester = contract::ids::Email::parse(requester).unwrap();
    let sf = password_token(&sandbox).await.access_token;
    let soql = shared::panel::contact_by_email(&requester);
    let found = json(sf_query(&sandbox, &sf, &soql).await).await;
    assert_eq!(found["totalSize"], 1);
    assert!(found["records"][0]["Account"]["Name"].is_string());
}

#[tokio::test]
async fn the_chosen_agent_is_the_widgets_user_and_is_remembered() {
    let sandbox = spawn().await;
    let url = sandbox.demo_ticket_url_as("Light Agent").unwrap();
    let (response, html) = page(&url).await;
    let cookie = response.headers["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("sandbox_agent="), "{cookie}");
    let light = sandbox.demo_agent_id("Light Agent").unwrap();
    assert_eq!(
        widget_view(&html, &demo::edge_url()).0["user.id"],
        light.as_str()
    );
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
    assert_eq!(
        widget_view(&html, &demo::edge_url()).0["user.id"],
        light.as_str()
    );
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
    let (values, _) = view_on(&sandbox.no_match_ticket_url(), &demo::edge_url()).await;
    let requester = contract::ids::Email::parse(values["ticket.email"].as_str().unwrap()).unwrap();
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
    let (values, _) = view_on(&sandbox.demo_ticket_url(), "http://edge.test:9999").await;
    assert_eq!(values["portal.id"], demo::HELPDESK_ORG_ID);

    // The setup page frames the extension's page for the console, with no record in view.
    let (values, location) = view_on(
        &format!("{}/setup", sandbox.demo_url),
        "http://edge.test:9999",
    )
    .await;
    assert_eq!(location, "desk.extension.preference");
    assert!(values.get("ticket.id").is_none());

    let token = sandbox.context_token("Agent", true).unwrap();
    let minted = context::verify(&token, b"a-test-secret", now_secs()).unwrap();
    assert_eq!(minted.profile_name, "Agent");
    assert_eq!(minted.ticket.as_deref(), Some(sandbox.demo_ticket_id()));
}
