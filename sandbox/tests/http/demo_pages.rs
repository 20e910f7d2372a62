//! The demo helpdesk pages: the agent picker, the lists, and the ticket, contact and
//! account pages with the extension's widget page in their right panel, each telling it
//! (through the SDK stand-in) the agent shown and the record in view.

use crate::helpers::*;
use sandbox::{Sandbox, demo};
use serde_json::{Value, json};

async fn page(url: &str) -> (u16, String) {
    let response = reqwest::get(url).await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// What the page's SDK host tells the widget (see [`widget_view`]).
async fn view_on(url: &str) -> Value {
    let (status, html) = page(url).await;
    assert_eq!(status, 200, "{url}");
    widget_view(&html, &demo::edge_url()).0
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
    // The page says who and what is in view, as Zoho Desk does; the profile and role are
    // the edge's to learn from the helpdesk, so the page names neither.
    for profile in demo::PROFILES {
        let agent = sandbox.demo_agent_id(profile).unwrap();
        let as_agent = |url: String| sandbox.demo_page_as(&url, profile).unwrap();

        let ticket = view_on(&as_agent(sandbox.demo_ticket_url())).await;
        let contact = view_on(&as_agent(sandbox.demo_contact_url())).await;
        let company = view_on(&as_agent(sandbox.demo_account_url())).await;
        for values in [&ticket, &contact, &company] {
            assert_eq!(values["user.id"], agent.as_str(), "{profile}");
            assert_eq!(values["portal.id"], demo::HELPDESK_ORG_ID);
            assert!(values["user"].get("profileId").is_none());
        }
        assert_eq!(ticket["ticket.id"], sandbox.demo_ticket_id());
        assert_eq!(ticket["ticket.email"], email.as_str());
        assert_eq!(contact["contact.id"], contact_id.as_str());
        assert_eq!(contact["contact.email"], email.as_str());
        assert_eq!(company["account.accountName"], account.as_str());
        assert!(company.get("ticket.id").is_none() && company.get("contact.id").is_none());
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
    let (values, location) = widget_view(&html, &demo::edge_url());
    assert_eq!(location, "desk.contact.detail.rightpanel");
    assert_eq!(values["contact.email"], email.as_str());

    // A contact without an account names none; its page still embeds the widget.
    let noah = sandbox
        .helpdesk()
        .desk()
        .contact_by_email("noah@fischerdesign.example")
        .unwrap()
        .id
        .clone();
    let values = view_on(&format!("{}/contacts/{noah}", sandbox.demo_url)).await;
    assert_eq!(values["contact.accountId"], Value::Null);
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
    let (values, location) = widget_view(&html, &demo::edge_url());
    assert_eq!(location, "desk.account.detail.rightpanel");
    assert_eq!(values["account.accountName"], "Northwind Traders");
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
