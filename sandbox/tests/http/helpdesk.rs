//! The helpdesk API in Zoho Desk's shape: authentication, lists, records.

use crate::helpers::*;
use sandbox::demo;
use serde_json::Value;

fn get(sandbox: &sandbox::Sandbox, path: &str) -> reqwest::RequestBuilder {
    client().get(format!("{}/api/v1{path}", sandbox.helpdesk_url))
}

/// A request with the demo's valid credentials.
fn authed(sandbox: &sandbox::Sandbox, path: &str) -> reqwest::RequestBuilder {
    get(sandbox, path)
        .header(
            "Authorization",
            format!("Zoho-oauthtoken {}", demo::HELPDESK_API_TOKEN),
        )
        .header("orgId", demo::HELPDESK_ORG_ID)
}

async fn error_of(request: reqwest::RequestBuilder) -> (u16, String) {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    (status, body["errorCode"].as_str().unwrap().to_owned())
}

async fn data(request: reqwest::RequestBuilder) -> Vec<Value> {
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["data"]
        .as_array()
        .expect("lists are wrapped in data")
        .clone()
}

#[tokio::test]
async fn every_call_needs_a_token_and_the_org() {
    let sandbox = spawn().await;
    assert_eq!(
        error_of(get(&sandbox, "/tickets")).await,
        (401, "UNAUTHORIZED".into())
    );
    assert_eq!(
        error_of(get(&sandbox, "/tickets").header("Authorization", "Bearer x")).await,
        (401, "UNAUTHORIZED".into())
    );
    assert_eq!(
        error_of(
            get(&sandbox, "/tickets")
                .header("Authorization", "Zoho-oauthtoken wrong")
                .header("orgId", demo::HELPDESK_ORG_ID)
        )
        .await,
        (401, "INVALID_OAUTH".into())
    );
    let token = format!("Zoho-oauthtoken {}", demo::HELPDESK_API_TOKEN);
    assert_eq!(
        error_of(get(&sandbox, "/tickets").header("Authorization", &token)).await,
        (422, "INVALID_DATA".into())
    );
    assert_eq!(
        error_of(
            get(&sandbox, "/tickets")
                .header("Authorization", &token)
                .header("orgId", "999")
        )
        .await,
        (401, "OAUTH_ORG_MISMATCH".into())
    );
    assert_eq!(
        error_of(authed(&sandbox, "/nothing-here")).await,
        (404, "URL_NOT_FOUND".into())
    );
    let orgs = data(get(&sandbox, "/organizations").header("Authorization", &token)).await;
    assert_eq!(orgs[0]["id"], demo::HELPDESK_ORG_ID);
    // A realistic org by default; the edition follows the plan the org is held to.
    assert_eq!(orgs[0]["edition"], "PROFESSIONAL");
    sandbox.set_helpdesk_credit_plan(Some(sandbox::helpdesk::credits::CreditPlan {
        edition: sandbox::helpdesk::credits::Edition::Free,
        agents: 1,
    }));
    let orgs = data(get(&sandbox, "/organizations").header("Authorization", &token)).await;
    assert_eq!(orgs[0]["edition"], "FREE");
}

#[tokio::test]
async fn tickets_list_in_windows() {
    let sandbox = spawn().await;
    let all = data(authed(&sandbox, "/tickets")).await;
    assert_eq!(all.len(), 6);
    let numbers: Vec<&str> = all
        .iter()
        .map(|t| t["ticketNumber"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, ["101", "102", "103", "104", "105", "106"]);
    for ticket in &all {
        for field in [
            "id",
            "ticketNumber",
            "subject",
            "status",
            "contactId",
            "email",
            "createdTime",
        ] {
            assert!(ticket[field].is_string(), "{field} in {ticket}");
        }
        assert!(
            ticket.get("description").is_none(),
            "lists omit the description"
        );
        assert!(ticket["createdTime"].as_str().unwrap().ends_with(".000Z"));
    }

    let window = data(authed(&sandbox, "/tickets").query(&[("from", "2"), ("limit", "2")])).await;
    assert_eq!(window.len(), 2);
    assert_eq!(window[0]["id"], all[2]["id"]);

    let newest = data(authed(&sandbox, "/tickets").query(&[("sortBy", "-createdTime")])).await;
    assert_eq!(newest[0]["id"], all[5]["id"]);

    let past_the_end = authed(&sandbox, "/tickets")
        .query(&[("from", "6")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        past_the_end.status(),
        204,
        "Zoho answers an empty list with 204"
    );

    assert_eq!(
        error_of(authed(&sandbox, "/tickets").query(&[("limit", "101")])).await,
        (422, "INVALID_DATA".into())
    );
    assert_eq!(
        error_of(authed(&sandbox, "/tickets").query(&[("sortOrder", "asc")])).await,
        (422, "UNPROCESSABLE_ENTITY".into())
    );
}

#[tokio::test]
async fn a_ticket_its_requester_and_account() {
    let sandbox = spawn().await;
    let id = sandbox.demo_ticket_id().to_owned();
    let ticket: Value = authed(&sandbox, &format!("/tickets/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ticket["id"], id.as_str());
    assert_eq!(ticket["email"], "maya.patel@northwind.example");
    assert!(ticket["description"].as_str().unwrap().contains("CSV"));
    // Zoho's link to the ticket in the agents' helpdesk, here the demo pages; it opens
    // the ticket's page there.
    let web_url = format!(
        "{}/support/sandboxdesk/ShowHomePage.do#Cases/dv/{id}",
        sandbox.demo_url
    );
    assert_eq!(ticket["webUrl"], web_url.as_str());
    let home = reqwest::get(web_url.split('#').next().unwrap())
        .await
        .unwrap();
    assert_eq!(home.status(), 200);
    assert!(home.text().await.unwrap().contains("/tickets/"));

    let contact_path = format!("/contacts/{}", ticket["contactId"].as_str().unwrap());
    let contact: Value = authed(&sandbox, &contact_path)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(contact["email"], ticket["email"]);
    assert_eq!(contact["accountId"], ticket["accountId"]);
    assert_eq!(contact["cf"]["cf_plan"], "Enterprise");

    let account_path = format!("/accounts/{}", ticket["accountId"].as_str().unwrap());
    let account: Value = authed(&sandbox, &account_path)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(account["accountName"], "Northwind Traders");
    assert!(account["modifiedTime"].is_string() && account["createdTime"].is_string());
    assert!(account["cf"].is_object());

    assert_eq!(
        error_of(authed(&sandbox, "/tickets/1")).await,
        (404, "URL_NOT_FOUND".into())
    );
    assert_eq!(data(authed(&sandbox, "/accounts")).await.len(), 4);
    let contacts = data(authed(&sandbox, "/contacts").query(&[("limit", "100")])).await;
    assert!(
        contacts
            .iter()
            .any(|c| c["email"] == "noah@fischerdesign.example")
    );
}

#[tokio::test]
async fn agents_profiles_and_the_caller() {
    let sandbox = spawn().await;
    let profiles = data(authed(&sandbox, "/profiles")).await;
    let names: Vec<&str> = profiles
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, demo::PROFILES);

    let agents = data(authed(&sandbox, "/agents")).await;
    assert_eq!(
        agents.len(),
        demo::PROFILES.len(),
        "one demo agent per profile"
    );
    for agent in &agents {
        for field in ["id", "name", "emailId", "profileId", "roleId"] {
            assert!(agent[field].is_string(), "{field} in {agent}");
        }
        assert!(profiles.iter().any(|p| p["id"] == agent["profileId"]));
    }

    let me: Value = authed(&sandbox, "/myinfo")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let admin = profiles
        .iter()
        .find(|p| p["name"] == "Administrator")
        .unwrap();
    assert_eq!(me["profileId"], admin["id"]);
}
