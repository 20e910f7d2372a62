//! Zoho Desk's real limits against the sandbox helpdesk with a credit plan set: the port's
//! parallel writes keep under the edition's calls at once (and a client without limits
//! meets `TOO_MANY_REQUESTS`, waits and retries), the sync's share of the day's credits is
//! never passed, and `THRESHOLD_EXCEEDED` stops at once with when the credits are back.

use super::support::sandbox;
use contract::mapping::ObjectKind;
use sandbox::Sandbox;
use sandbox::demo;
use sandbox::helpdesk::credits::{CreditPlan as SandboxPlan, Edition as SandboxEdition};
use sandbox::helpdesk::traffic::Fault;
use serde_json::{Map, Value, json};
use shared::helpdesk::{
    Client, CreditBudget, CreditLimits, CreditPlan, Edition, HelpdeskError, RetryPolicy,
};
use shared::http::ReqwestTransport;
use shared::sync::helpdesk_port::HelpdeskPort;
use shared::sync::port::{Port, PortError};
use std::time::Duration;

/// The sandbox on Zoho's Free edition: 5,000 credits a day, 5 calls at once.
fn free_plan(sandbox: &Sandbox) {
    sandbox.set_helpdesk_credit_plan(Some(SandboxPlan {
        edition: SandboxEdition::Free,
        agents: 3,
    }));
}

/// The same plan, as the client knows it.
fn free_limits(budget: CreditBudget) -> CreditLimits {
    CreditLimits {
        plan: CreditPlan {
            edition: Edition::Free,
            agents: 3,
        },
        budget,
    }
}

/// Backoffs short enough for a test.
fn quick() -> RetryPolicy {
    RetryPolicy {
        base_delay: Duration::from_millis(50),
        max_attempts: 20,
        ..RetryPolicy::default()
    }
}

fn contacts(prefix: &str, n: usize) -> Vec<Map<String, Value>> {
    (0..n)
        .map(|i| {
            json!({"lastName": format!("{prefix} {i}"), "email": format!("{prefix}{i}@limits.example")})
                .as_object()
                .cloned()
                .unwrap()
        })
        .collect()
}

fn org_credits(sandbox: &Sandbox) -> sandbox::helpdesk::credits::OrgCredits {
    sandbox
        .helpdesk_credits()
        .orgs
        .get(demo::HELPDESK_ORG_ID)
        .cloned()
        .unwrap_or_default()
}

/// Slow writes, so that the port's writes overlap as they would against Zoho.
fn slow_writes(sandbox: &Sandbox, times: u32) {
    sandbox
        .inject_helpdesk_fault(Fault {
            path: Some("/api/v1/contacts".into()),
            times,
            ..Fault::latency(Duration::from_millis(150))
        })
        .unwrap();
}

#[tokio::test]
async fn parallel_writes_keep_under_the_editions_calls_at_once() {
    let sandbox = sandbox().await;
    free_plan(&sandbox);
    let transport = ReqwestTransport::default();
    let connection = sandbox.demo_helpdesk_connection();

    // With the plan: 4 writes at once (80% of Free's 5), none refused.
    let client = Client::new(&transport, &connection)
        .with_retry(quick())
        .with_limits(free_limits(CreditBudget::Percent(80)));
    let port = HelpdeskPort::load(&client).await.unwrap();
    slow_writes(&sandbox, 24);
    let created = port
        .create_many(ObjectKind::Contact, contacts("Kept", 24))
        .await
        .unwrap();
    assert!(created.iter().all(Result::is_ok), "{created:?}");
    assert_eq!(org_credits(&sandbox).concurrency_refusals, 0);

    // Without limits the port overlaps 8 writes: Free refuses some with
    // TOO_MANY_REQUESTS, which are waited out and retried, so every record is written.
    let unlimited = Client::new(&transport, &connection).with_retry(quick());
    let port = HelpdeskPort::load(&unlimited).await.unwrap();
    slow_writes(&sandbox, 24);
    let created = port
        .create_many(ObjectKind::Contact, contacts("Crowded", 24))
        .await
        .unwrap();
    assert!(created.iter().all(Result::is_ok), "{created:?}");
    assert!(
        org_credits(&sandbox).concurrency_refusals > 0,
        "8 at once against a cap of 5 meets TOO_MANY_REQUESTS"
    );
}

#[tokio::test]
async fn the_sync_never_passes_its_share_of_the_days_credits() {
    let sandbox = sandbox().await;
    free_plan(&sandbox);
    // The portal's other integrations spent 3,990 of its 5,000 credits; the sync may
    // use up to 80% of the day, 4,000.
    sandbox
        .helpdesk()
        .spend_credits(demo::HELPDESK_ORG_ID, 3_990);
    let transport = ReqwestTransport::default();
    let connection = sandbox.demo_helpdesk_connection();
    let client = Client::new(&transport, &connection)
        .with_retry(quick())
        .with_limits(free_limits(CreditBudget::Percent(80)));
    let port = HelpdeskPort::load(&client).await.unwrap(); // two field lists, 3 each

    let outcome = port
        .create_many(ObjectKind::Contact, contacts("Budget", 12))
        .await;
    let Err(PortError::OutOfAllowance {
        detail,
        retry_after_ms,
    }) = outcome
    else {
        panic!("the budget stops the writes: {outcome:?}");
    };
    assert!(detail.contains("sfdesk's share"), "{detail}");
    assert_eq!(
        retry_after_ms, None,
        "Zoho did not say; the edge looks again later"
    );
    let spent = org_credits(&sandbox).spent_today;
    assert!(
        (4_000..4_000 + 4).contains(&spent),
        "stopped at the share, give or take the writes in flight: {spent}"
    );
    assert_eq!(org_credits(&sandbox).threshold_refusals, 0);
}

#[tokio::test]
async fn spent_day_credits_stop_at_once_until_they_are_back() {
    let sandbox = sandbox().await;
    free_plan(&sandbox);
    sandbox
        .helpdesk()
        .spend_credits(demo::HELPDESK_ORG_ID, 5_000);
    let transport = ReqwestTransport::default();
    let connection = sandbox.demo_helpdesk_connection();
    let client = Client::new(&transport, &connection).with_retry(quick());

    let error = client.contact("1").await.unwrap_err();
    let HelpdeskError::CreditsSpent {
        retry_after: Some(wait),
    } = error
    else {
        panic!("THRESHOLD_EXCEEDED with Retry-After: {error:?}");
    };
    assert!(
        wait > Duration::ZERO && wait <= Duration::from_secs(24 * 3600),
        "until the sandbox's midnight: {wait:?}"
    );
    assert_eq!(client.calls(), 1, "not waited out, not retried");

    // The port says the same to the engine, with the wait.
    let port = HelpdeskPort::with_fields(&client, vec![], vec![]);
    let outcome = port
        .create_many(ObjectKind::Contact, contacts("Late", 1))
        .await;
    let Err(PortError::OutOfAllowance {
        detail,
        retry_after_ms: Some(ms),
    }) = outcome
    else {
        panic!("{outcome:?}");
    };
    assert!(detail.contains("THRESHOLD_EXCEEDED"), "{detail}");
    assert!(ms > 0 && ms <= 24 * 3_600_000, "{ms}");
}
