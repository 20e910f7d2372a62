//! The demo helpdesk pages: the agent picker, the lists, and the ticket, contact and
//! account pages with the widget in their right panel, each carrying a context token for
//! the agent shown and the record in view.

use crate::helpers::*;
use contract::context::{self, ContextClaims, Role};
use sandbox::{Sandbox, demo};
use serde_json::json;

async fn page(url: &str) -> (u16, String) {
    let response = reqwest::get(url).await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// The claims in the widget iframe's `#ctx=` on a page.
fn widget_claims(html: &str) -> ContextClaims {
    let at = html
        .find(&format!("id=\"{}\"", sandbox::demo_pages::WIDGET_IFRAME_ID))
        .expect("the page has the widget iframe");
    let tag = &html[html[..at].rfind('<').unwrap()..at + html[at..].find('>').unwrap()];
    assert!(tag.starts_with("<iframe"), "{tag}");
    let src = unescape(
        tag.split("src=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap(),
    );
    let prefix = format!("{}/#ctx=", demo::edge_url());
    let token = src.strip_prefix(&prefix).unwrap_or_else(|| panic!("{src}"));
    context::verify(token, demo::DEV_CONTEXT_SECRET.as_bytes(), now_secs())
        .expect("the token verifies")
}

async fn claims_on(url: &str) -> ContextClaims {
    let (status, html) = page(url).await;
    assert_eq!(status, 200, "{url}");
    widget_claims(&html)
}

fn demo_contact(sandbox: &Sandbox) -> (String, String, String) {
    let desk = sandbox.helpdesk().desk();
    let ticket = &desk.tickets[sandbox.demo_ticket_id()];
    let contact = &desk.contacts[&ticket.contact_id];
    (
        contact.id.clone(),
        contact.email.clone().unwrap(),
        desk.accounts[ticket.account_id.as_ref().unwrap()]
            .account_name
            .clone(),
    )
}

#[tokio::test]
async fn every_record_page_carries_the_shown_agents_context() {
    let sandbox = spawn().await;
    let (contact_id, email, account) = demo_contact(&sandbox);
    assert_eq!(
        sandbox.demo_contact_url(),
        format!("{}/contacts/{contact_id}", sandbox.demo_url)
    );
    for profile in demo::PROFILES {
        let agent = sandbox.demo_agent_id(profile).unwrap();
        let as_agent = |url: String| sandbox.demo_page_as(&url, profile).unwrap();

        let ticket = claims_on(&as_agent(sandbox.demo_ticket_url())).await;
        let contact = claims_on(&as_agent(sandbox.demo_contact_url())).await;
        let company = claims_on(&as_agent(sandbox.demo_account_url())).await;
        for claims in [&ticket, &contact, &company] {
            assert_eq!(claims.agent, agent, "{profile}");
            assert_eq!(claims.profile_name, profile);
            assert_eq!(claims.org, demo::HELPDESK_ORG_ID);
            assert_eq!(claims.account.as_deref(), Some(account.as_str()));
            let role = if profile == "Administrator" {
                Role::Admin
            } else {
                Role::Agent
            };
            assert_eq!(claims.role, role);
        }
        assert_eq!(ticket.ticket.as_deref(), Some(sandbox.demo_ticket_id()));
        assert_eq!(ticket.requester.as_ref().unwrap().as_str(), email);
        assert_eq!(contact.ticket, None);
        assert_eq!(contact.requester.as_ref().unwrap().as_str(), email);
        assert_eq!((company.ticket, company.requester), (None, None));
    }
}

#[tokio::test]
async fn the_contact_page_shows_the_contact_its_custom_fields_and_tickets() {
    let sandbox = spawn().await;
    let (contact_id, email, account) = demo_contact(&sandbox);
    let (status, html) = page(&sandbox.demo_contact_url()).await;
    assert_eq!(status, 200);
    assert!(html.contains("<h1>Maya Patel</h1>"), "{html}");
    assert!(html.contains(&email));
    assert!(html.contains(&account));
    for label in ["Plan", "Seats", "Renewal Date", "Enterprise", "250"] {
        assert!(html.contains(&format!(">{label}<")), "{label}");
    }
    assert!(
        html.contains(&format!("href=\"/tickets/{}\"", sandbox.demo_ticket_id())),
        "the contact's tickets link to them"
    );
    let account_href = sandbox.demo_account_url().replace(&sandbox.demo_url, "");
    assert!(html.contains(&format!("href=\"{account_href}\"")));
    assert_eq!(widget_claims(&html).requester.unwrap().as_str(), email);

    // A contact without an account names none; its page still embeds the widget.
    let noah = sandbox
        .helpdesk()
        .desk()
        .contact_by_email("noah@fischerdesign.example")
        .unwrap()
        .id
        .clone();
    let claims = claims_on(&format!("{}/contacts/{noah}", sandbox.demo_url)).await;
    assert_eq!(claims.account, None);
    assert_eq!(
        page(&format!("{}/contacts/{contact_id}0", sandbox.demo_url))
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn the_account_page_lists_its_contacts_and_tickets() {
    let sandbox = spawn().await;
    let (status, html) = page(&sandbox.demo_account_url()).await;
    assert_eq!(status, 200);
    assert!(html.contains("<h1>Northwind Traders</h1>"));
    for person in ["Maya Patel", "Tom Becker"] {
        assert!(html.contains(person), "{person}");
    }
    assert!(html.contains("Invoices no longer export to CSV"));
    for label in ["Region", "North America", "Employees", "420"] {
        assert!(html.contains(&format!(">{label}<")), "{label}");
    }
    let claims = widget_claims(&html);
    assert_eq!(claims.account.as_deref(), Some("Northwind Traders"));
    assert_eq!(
        page(&format!("{}/accounts/1", sandbox.demo_url)).await.0,
        404
    );
}

#[tokio::test]
async fn the_agent_picker_offers_one_agent_per_profile() {
    let sandbox = spawn().await;
    let (status, html) = page(&format!("{}/agents", sandbox.demo_url)).await;
    assert_eq!(status, 200);
    assert_eq!(
        html.matches("class=\"card agent-card").count(),
        demo::PROFILES.len()
    );
    for profile in demo::PROFILES {
        let agent = sandbox.demo_agent_id(profile).unwrap();
        assert!(
            html.contains(&format!("href=\"/?agent={agent}\"")),
            "{profile}"
        );
        assert!(
            html.contains(&format!("<div class=\"profile\">{profile} ")),
            "{profile}"
        );
    }
    assert!(html.contains("Custom profile"));
    // Choosing one is remembered, and the home page says who you are.
    let url = sandbox
        .demo_page_as(&format!("{}/", sandbox.demo_url), "Support Lead")
        .unwrap();
    let (_, home) = page(&url).await;
    assert!(home.contains("You are acting as <strong>Riley Chen</strong> (Support Lead)"));
}

#[tokio::test]
async fn the_lists_link_every_contact_and_account() {
    let sandbox = spawn().await;
    let (status, contacts) = page(&format!("{}/contacts", sandbox.demo_url)).await;
    assert_eq!(status, 200);
    let (_, accounts) = page(&format!("{}/accounts", sandbox.demo_url)).await;
    let (_, tickets) = page(&format!("{}/", sandbox.demo_url)).await;
    // Read the desk only between requests: its pages need the same lock.
    let (contact_ids, account_ids) = {
        let desk = sandbox.helpdesk().desk();
        let ids = |keys: Vec<&String>| keys.into_iter().cloned().collect::<Vec<_>>();
        (
            ids(desk.contacts.keys().collect()),
            ids(desk.accounts.keys().collect()),
        )
    };
    for id in contact_ids {
        assert!(contacts.contains(&format!("href=\"/contacts/{id}\"")));
    }
    for id in account_ids {
        assert!(accounts.contains(&format!("href=\"/accounts/{id}\"")));
    }
    assert!(tickets.contains("This is a pretend helpdesk for trying sfdesk."));
    for nav in [
        "href=\"/contacts\"",
        "href=\"/accounts\"",
        "href=\"/agents\"",
    ] {
        assert!(tickets.contains(nav), "{nav}");
    }
}

#[tokio::test]
async fn what_agents_type_is_escaped() {
    let sandbox = spawn().await;
    let desk = Desk::of(&sandbox);
    let contact = ok(desk.post(
        "/contacts",
        &json!({"lastName": "<script>alert(1)</script>", "title": "\"quoted\" & <b>bold</b>",
            "cf": {"cf_preferred_language": "<i>x</i>"}}),
    ))
    .await;
    let id = contact["id"].as_str().unwrap();
    let (status, html) = page(&format!("{}/contacts/{id}", sandbox.demo_url)).await;
    assert_eq!(status, 200);
    assert!(!html.contains("<script>alert(1)"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("<b>bold</b>") && !html.contains("<i>x</i>"));
    let (_, list) = page(&format!("{}/contacts", sandbox.demo_url)).await;
    assert!(!list.contains("<script>alert(1)"));
}
