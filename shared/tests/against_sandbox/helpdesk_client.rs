//! The shared helpdesk client against the sandbox helpdesk, natively, over reqwest (the
//! edge runs the same client over the Worker's fetch): paging past 100 records, search,
//! writes and their validation errors, backoff on 429 and outages, and webhook deliveries
//! verified against the helpdesk's JWKS, refused when tampered with or signed by another
//! key.

use super::support::sandbox;
use sandbox::helpdesk::controls::SeedRequest;
use sandbox::helpdesk::traffic::{Fault, RateLimit};
use sandbox::{Sandbox, demo};
use serde_json::json;
use shared::helpdesk::{
    AccountDraft, Client, Connection, ContactDraft, EventType, Expected, HelpdeskError, Module,
    RetryPolicy, SignatureError, Sort, WebhookDraft, parse_delivery, verify_delivery,
};
use shared::http::ReqwestTransport;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

const SYNC_SOURCE: &str = "0c5f1a52-6a43-4c0e-9a57-3e2f7f0d9b11";

fn connection(sandbox: &Sandbox) -> Connection {
    sandbox.demo_helpdesk_connection()
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Backoffs short enough for a test.
fn quick() -> RetryPolicy {
    RetryPolicy {
        base_delay: Duration::from_millis(50),
        ..RetryPolicy::default()
    }
}

#[tokio::test]
async fn walks_every_page_past_100_records() {
    let sandbox = sandbox().await;
    sandbox
        .seed_helpdesk(&SeedRequest {
            contacts: 250,
            accounts: 120,
            webhooks: false,
        })
        .unwrap();
    let (contacts, accounts) = {
        let desk = sandbox.helpdesk().desk();
        (desk.contacts.len(), desk.accounts.len())
    };
    let transport = ReqwestTransport::default();
    let connection = connection(&sandbox);
    let client = Client::new(&transport, &connection);

    sandbox.reset_helpdesk_calls();
    let all = client.all_contacts(Some(Sort::ModifiedTime)).await.unwrap();
    assert_eq!(all.len(), contacts);
    let mut ids: Vec<&str> = all.iter().map(|c| c.id.as_str()).collect();
    assert!(
        all.windows(2)
            .all(|w| w[0].modified_time <= w[1].modified_time)
    );
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), contacts, "no record twice");
    let pages = contacts.div_ceil(100) as u64 + u64::from(contacts % 100 == 0);
    assert_eq!(client.calls(), pages);
    assert_eq!(
        sandbox.helpdesk_calls().route("GET /api/v1/contacts"),
        pages
    );

    let all_accounts = client.all_accounts(None).await.unwrap();
    assert_eq!(all_accounts.len(), accounts);
    let page = client
        .contacts_page(200, 100, Some(Sort::CreatedTime))
        .await
        .unwrap();
    assert_eq!(page.len(), contacts - 200);
    let info = client
        .rate_limit()
        .expect("the helpdesk reports its credits");
    assert_eq!(info.weight, Some(3));
    assert!(info.remaining.is_some());
}

#[tokio::test]
async fn searches_creates_and_updates_with_typed_errors() {
    let sandbox = sandbox().await;
    let transport = ReqwestTransport::default();
    let connection = connection(&sandbox);
    let client = Client::new(&transport, &connection);

    let maya = client
        .search_contacts_by_email("Maya.Patel@northwind.example")
        .await
        .unwrap();
    assert_eq!(maya.len(), 1);
    assert_eq!(maya[0].full_name(), "Maya Patel");
    assert!(
        client
            .search_contacts_by_email("nobody@nowhere.example")
            .await
            .unwrap()
            .is_empty()
    );
    let northwind = client
        .search_accounts_by_name("northwind traders")
        .await
        .unwrap();
    assert_eq!(northwind.len(), 1);
    assert_eq!(
        maya[0].account_id.as_deref(),
        Some(northwind[0].id.as_str())
    );
    assert_eq!(northwind[0].cf["cf_region"], "North America");

    let me = client.myinfo().await.unwrap();
    let profiles = client.profiles().await.unwrap();
    let agents = client.agents().await.unwrap();
    assert_eq!(profiles.len(), demo::PROFILES.len());
    assert_eq!(agents.len(), demo::PROFILES.len());
    let admin = profiles.iter().find(|p| p.name == "Administrator").unwrap();
    assert_eq!(me.profile_id, admin.id);
    assert!(profiles.iter().any(|p| !p.is_default), "a custom profile");

    let account = client
        .create_account(&AccountDraft {
            account_name: Some("Analytical Engines".into()),
            cf: json!({"cf_region": "EMEA"}).as_object().unwrap().clone(),
            ..AccountDraft::default()
        })
        .await
        .unwrap();
    let mut draft = ContactDraft {
        first_name: Some("Ada".into()),
        last_name: Some("Lovelace".into()),
        email: Some("ada@engines.example".into()),
        account_id: Some(account.id.clone()),
        ..ContactDraft::default()
    };
    draft.cf.insert("cf_seats".into(), json!(3));
    let ada = client.create_contact(&draft).await.unwrap();
    assert_eq!(ada.cf["cf_seats"], "3");
    assert_eq!(client.contact(&ada.id).await.unwrap(), ada);

    let synced = Client::new(&transport, &connection).with_source_id(SYNC_SOURCE);
    let changed = synced
        .update_contact(
            &ada.id,
            &ContactDraft {
                title: Some("Analyst".into()),
                ..ContactDraft::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(changed.title.as_deref(), Some("Analyst"));
    assert!(changed.modified_time > ada.modified_time);
    assert_eq!(changed.created_time, ada.created_time);

    // A field map writes exactly what it says: null clears a standard field.
    let cleared: shared::helpdesk::Contact = synced
        .update_record(
            Module::Contacts,
            &ada.id,
            json!({"title": null, "cf": {"cf_plan": "Trial"}})
                .as_object()
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(cleared.title, None);
    assert_eq!(cleared.cf["cf_plan"], "Trial");

    // The helpdesk's refusal, typed: the code and every field at fault.
    let mut bad = ContactDraft::default();
    bad.cf.insert("cf_seats".into(), json!("twelve"));
    bad.cf.insert("cf_plan".into(), json!("Platinum"));
    let error = client.update_contact(&ada.id, &bad).await.unwrap_err();
    let HelpdeskError::Api {
        status,
        code,
        errors,
        ..
    } = &error
    else {
        panic!("{error:?}")
    };
    assert_eq!((*status, code.as_str()), (422, "INVALID_DATA"));
    let fields: Vec<&str> = errors.iter().map(|e| e.field_name.as_str()).collect();
    assert_eq!(fields, ["/cf/cf_seats", "/cf/cf_plan"]);
    assert!(errors[0].error_message.contains("Integer"), "{errors:?}");
    assert!(client.contact("404").await.unwrap_err().is_not_found());

    // The metadata predicts what the helpdesk accepts.
    let fields = client.fields(Module::Contacts).await.unwrap();
    let seats = fields.iter().find(|f| f.api_name == "cf_seats").unwrap();
    assert!(seats.check(&json!("twelve")).is_err() && seats.check(&json!(12)).is_ok());

    client.trash_contacts(&[&ada.id]).await.unwrap();
    assert!(client.contact(&ada.id).await.unwrap_err().is_not_found());
    client.trash_accounts(&[&account.id]).await.unwrap();

    let wrong = Connection {
        access_token: "expired".into(),
        ..connection.clone()
    };
    let refused = Client::new(&transport, &wrong).myinfo().await.unwrap_err();
    assert!(
        matches!(refused, HelpdeskError::Unauthorized { ref code, .. } if code == "INVALID_OAUTH")
    );
}

#[tokio::test]
async fn backs_off_on_429_and_outages() {
    let sandbox = sandbox().await;
    let transport = ReqwestTransport::default();
    let connection = connection(&sandbox);
    sandbox
        .seed_helpdesk(&SeedRequest {
            contacts: 150,
            ..SeedRequest::default()
        })
        .unwrap();

    // Four credits a second: the second page (3 credits) must wait for the next window.
    sandbox.set_helpdesk_rate_limit(Some(RateLimit {
        credits: 4,
        window: Duration::from_secs(1),
    }));
    let client = Client::new(&transport, &connection).with_retry(quick());
    let started = Instant::now();
    let all = client.all_contacts(None).await.unwrap();
    assert!(all.len() > 150);
    assert!(sandbox.helpdesk_calls().rate_limited >= 1);
    assert!(client.calls() > 2, "the refused call was retried");
    assert!(
        started.elapsed() >= Duration::from_millis(500),
        "waited out Retry-After"
    );
    sandbox.set_helpdesk_rate_limit(None);

    // An injected 429 with its own Retry-After, then 503s without one.
    sandbox
        .inject_helpdesk_fault(Fault::status(429).retry_after(1))
        .unwrap();
    sandbox
        .inject_helpdesk_fault(Fault::status(503).times(2))
        .unwrap();
    let client = Client::new(&transport, &connection).with_retry(quick());
    let started = Instant::now();
    let me = client.myinfo().await.unwrap();
    assert_eq!(me.email_id, "alex.morgan@sandboxdesk.example");
    assert_eq!(client.calls(), 4);
    assert!(started.elapsed() >= Duration::from_secs(1));

    // Beyond what the policy waits for, or past its attempts: a typed error to reschedule.
    sandbox
        .inject_helpdesk_fault(Fault::status(429).retry_after(3600))
        .unwrap();
    let error = client.myinfo().await.unwrap_err();
    assert_eq!(
        error,
        HelpdeskError::RateLimited {
            code: "TOO_MANY_REQUESTS".into(),
            retry_after: Some(Duration::from_secs(3600))
        }
    );
    sandbox
        .inject_helpdesk_fault(Fault::status(503).times(2))
        .unwrap();
    let impatient = Client::new(&transport, &connection).with_retry(RetryPolicy {
        max_attempts: 2,
        ..quick()
    });
    assert_eq!(
        impatient.myinfo().await.unwrap_err(),
        HelpdeskError::Unavailable { status: 503 }
    );
    assert!(impatient.myinfo().await.is_ok());
}

/// One request the endpoint kept: its body and its `X-ZDesk-JWT`.
type Kept = (Vec<u8>, Option<String>);

/// What a webhook endpoint received.
#[derive(Clone, Default)]
struct Inbox(Arc<Mutex<Vec<Kept>>>);

/// A bare HTTP/1.1 endpoint on an ephemeral port that answers 200 to everything and keeps
/// the deliveries (requests with a JWT); validation requests carry none.
async fn start_receiver(inbox: Inbox) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhooks/desk", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let inbox = inbox.clone();
            tokio::spawn(async move {
                let mut stream = BufReader::new(stream);
                while let Some((headers, body)) = read_request(&mut stream).await {
                    let token = headers
                        .iter()
                        .find(|(name, _)| name.eq_ignore_ascii_case(shared::helpdesk::JWT_HEADER))
                        .map(|(_, value)| value.clone());
                    if token.is_some() {
                        inbox.0.lock().unwrap().push((body, token));
                    }
                    let ok = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";
                    if stream.get_mut().write_all(ok).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    url
}

/// One request's headers and body, or `None` when the connection closes.
async fn read_request(
    stream: &mut BufReader<tokio::net::TcpStream>,
) -> Option<(Vec<(String, String)>, Vec<u8>)> {
    let mut line = String::new();
    if stream.read_line(&mut line).await.ok()? == 0 {
        return None;
    }
    let mut headers = Vec::new();
    loop {
        line.clear();
        stream.read_line(&mut line).await.ok()?;
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            break;
        }
        let (name, value) = trimmed.split_once(':')?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let length = headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await.ok()?;
    Some((headers, body))
}

#[tokio::test]
async fn webhook_deliveries_verify_and_tampering_or_another_key_fails() {
    let sandbox = sandbox().await;
    let transport = ReqwestTransport::default();
    let connection = connection(&sandbox);
    let client = Client::new(&transport, &connection);
    let inbox = Inbox::default();
    let url = start_receiver(inbox.clone()).await;

    let webhook = client
        .create_webhook(&WebhookDraft::contacts_and_accounts(
            &url,
            "sfdesk sync",
            Some(SYNC_SOURCE),
        ))
        .await
        .unwrap();
    assert_eq!(webhook.ignore_source_id.as_deref(), Some(SYNC_SOURCE));
    assert_eq!(
        client.webhooks().await.unwrap(),
        std::slice::from_ref(&webhook)
    );
    assert_eq!(client.webhook(&webhook.id).await.unwrap(), webhook);
    let jwks = client.jwks().await.unwrap();

    // Our own write (tagged) stays silent; someone else's is delivered.
    let synced = Client::new(&transport, &connection).with_source_id(SYNC_SOURCE);
    synced
        .create_contact(&ContactDraft {
            last_name: Some("Echo".into()),
            ..ContactDraft::default()
        })
        .await
        .unwrap();
    let created = client
        .create_contact(&ContactDraft {
            last_name: Some("Hopper".into()),
            email: Some("grace@navy.example".into()),
            ..ContactDraft::default()
        })
        .await
        .unwrap();
    assert!(
        sandbox
            .helpdesk_webhooks_settled(Duration::from_secs(10))
            .await
    );
    let received = inbox.0.lock().unwrap().clone();
    assert_eq!(received.len(), 1, "only the untagged write");
    let (body, token) = &received[0];
    let token = token.as_deref().unwrap();

    let expected = Expected {
        org_id: demo::HELPDESK_ORG_ID,
        webhook_id: Some(&webhook.id),
        require_body_hash: true,
    };
    let claims = verify_delivery(token, body, &jwks, expected, now_secs()).unwrap();
    assert_eq!(claims.webhook_id(), Some(webhook.id.as_str()));
    let events = parse_delivery(body).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event_type, EventType::ContactAdd);
    assert_eq!(events[0].contact().unwrap().unwrap(), created);

    // A tampered payload is refused...
    let tampered = String::from_utf8(body.to_vec())
        .unwrap()
        .replace("grace@navy.example", "mallory@evil.example");
    assert_eq!(
        verify_delivery(token, tampered.as_bytes(), &jwks, expected, now_secs()),
        Err(SignatureError::BodyMismatch)
    );
    // ...and so is a signature checked against another key.
    let mut other_key = jwks.clone();
    let n = &mut other_key.keys[0].n;
    let flipped = if &n[64..65] == "Q" { "R" } else { "Q" };
    n.replace_range(64..65, flipped);
    assert_eq!(
        verify_delivery(token, body, &other_key, expected, now_secs()),
        Err(SignatureError::BadSignature)
    );
    let someone_else = Expected {
        org_id: demo::HELPDESK_ORG_ID,
        webhook_id: Some("1"),
        require_body_hash: true,
    };
    assert_eq!(
        verify_delivery(token, body, &jwks, someone_else, now_secs()),
        Err(SignatureError::WrongWebhook)
    );

    client.delete_webhook(&webhook.id).await.unwrap();
    assert!(client.webhooks().await.unwrap().is_empty());
    let unreachable = client
        .create_webhook(&WebhookDraft::contacts_and_accounts(
            "http://127.0.0.1:9/nowhere",
            "broken",
            None,
        ))
        .await
        .unwrap_err();
    assert_eq!(unreachable.code(), Some("INVALID_DATA"));
}
