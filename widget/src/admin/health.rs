//! The overview's health summary: the last change each way, changes waiting, what is left
//! of each side's API budget today, failures this week, and the drift check (its last
//! result, the next one, "Check now").

use super::helpdesk_connect::credits_label;
use super::parts::{Notice, format_count, when_label};
use crate::api::Client;
use crate::components::format::Now;
use contract::admin::{
    ConnectionStatus, DriftView, Health, HelpdeskConnectionStatus, SyncState, SyncStatus,
};
use contract::history::DriftRun;
use leptos::prelude::*;
use std::time::Duration;

/// How often the drift check is read while one runs.
const DRIFT_POLL: Duration = Duration::from_millis(1500);

/// `14,200 of 15,000 calls left today`, when the side has said.
pub fn budget_left(used: Option<u64>, max: Option<u64>) -> Option<String> {
    let (used, max) = (used?, max?);
    Some(format!(
        "{} of {} calls left today",
        format_count(max.saturating_sub(used)),
        format_count(max)
    ))
}

/// `12 pairs compared: 1 differed, 1 repaired, 0 failed`.
pub fn drift_counts(run: &DriftRun) -> String {
    let pairs = if run.compared == 1 { "pair" } else { "pairs" };
    format!(
        "{} {pairs} compared: {} differed, {} repaired, {} failed",
        format_count(run.compared.into()),
        run.differing,
        run.repaired,
        run.failed
    )
}

/// The health summary card, from the status the console polls; the drift check is
/// followed more closely while it runs.
#[component]
pub fn HealthSummary(
    client: Client,
    #[prop(into)] sync: Signal<SyncStatus>,
    #[prop(into)] connection: Signal<Option<ConnectionStatus>>,
    #[prop(into)] helpdesk: Signal<HelpdeskConnectionStatus>,
    #[prop(into)] health: Signal<Health>,
) -> impl IntoView {
    // What this card learnt of the drift check since the status was read.
    let followed = RwSignal::new(None::<DriftView>);
    let drift = Memo::new(move |_| {
        followed
            .get()
            .unwrap_or_else(|| health.with(|h| h.drift.clone()))
    });
    let drift_error = RwSignal::new(None::<String>);
    let running = move || drift.with(|d| d.running.is_some());
    let poll_client = client.clone();
    let poller = set_interval_with_handle(
        move || {
            if !drift
                .try_with_untracked(|d| d.running.is_some())
                .unwrap_or(false)
            {
                return;
            }
            let client = poll_client.clone();
            leptos::task::spawn_local(async move {
                if let Ok(view) = client.drift().await {
                    followed.try_set(Some(view));
                }
            });
        },
        DRIFT_POLL,
    )
    .ok();
    on_cleanup(move || {
        if let Some(handle) = poller {
            handle.clear();
        }
    });
    let check_now = move |_| {
        let client = client.clone();
        drift_error.set(None);
        leptos::task::spawn_local(async move {
            match client.check_drift().await {
                Ok(view) => {
                    followed.try_set(Some(view));
                }
                Err(error) => {
                    drift_error.try_set(Some(format!("The drift check did not start: {error}")));
                }
            }
        });
    };

    let now = Now::current();
    let when =
        move |at: Option<i64>| at.map_or_else(|| "None yet".to_owned(), |at| when_label(at, now));
    let salesforce_budget = move || {
        match connection.get() {
            Some(ConnectionStatus::Connected(info)) => budget_left(info.api_used, info.api_max),
            _ => None,
        }
        .unwrap_or_else(|| "Not reported yet".to_owned())
    };
    let helpdesk_budget = move || {
        helpdesk
            .with(|status| match status {
                HelpdeskConnectionStatus::Connected(info) => {
                    info.credits.as_ref().map(credits_label)
                }
                _ => None,
            })
            .unwrap_or_else(|| "Not reported yet".to_owned())
    };
    let live = move || sync.with(|s| s.state == SyncState::Live);
    let drift_text = move || {
        drift.with(|d| match d {
            DriftView {
                running: Some(run), ..
            } => format!("Checking now. {} so far.", drift_counts(run)),
            DriftView {
                last: Some(run), ..
            } => {
                format!("{} ({})", drift_counts(run), when_label(run.at_ms, now))
            }
            _ => "No check has run yet.".to_owned(),
        })
    };
    let next_due = move || {
        drift.with(|d| {
            d.next_due_ms
                .map(|at| format!("Next daily check: {}", when_label(at, now)))
        })
    };

    view! {
        <section class="card" data-testid="health">
            <div class="card-head-row">
                <h2 class="card-title">"Health"</h2>
            </div>
            <dl class="facts">
                <div class="fact">
                    <dt>"Last change Salesforce → Helpdesk"</dt>
                    <dd data-testid="health-last-from-salesforce">
                        {move || when(health.with(|h| h.last_from_salesforce_ms))}
                    </dd>
                </div>
                <div class="fact">
                    <dt>"Last change Helpdesk → Salesforce"</dt>
                    <dd data-testid="health-last-from-helpdesk">
                        {move || when(health.with(|h| h.last_from_helpdesk_ms))}
                    </dd>
                </div>
                <div class="fact">
                    <dt>"Changes waiting"</dt>
                    <dd data-testid="health-pending">
                        {move || format_count(sync.with(|s| s.pending_changes))}
                    </dd>
                </div>
                <div class="fact">
                    <dt>"Salesforce API"</dt>
                    <dd data-testid="health-salesforce-budget">{salesforce_budget}</dd>
                </div>
                <div class="fact">
                    <dt>"Helpdesk credits"</dt>
                    <dd data-testid="health-helpdesk-budget">{helpdesk_budget}</dd>
                </div>
                <div class="fact">
                    <dt>"Failures this week"</dt>
                    <dd data-testid="health-failures">
                        {move || format_count(health.with(|h| h.failures_this_week).into())}
                    </dd>
                </div>
                <div class="fact">
                    <dt>"Drift check"</dt>
                    <dd data-testid="health-drift" data-state=move || if running() { "running" } else { "idle" }>
                        {drift_text}
                        {move || next_due().map(|text| view! { <span class="sub">{text}</span> })}
                    </dd>
                </div>
            </dl>
            <button
                type="button"
                class="button button-small"
                data-testid="check-drift"
                disabled=move || running() || !live()
                title="Compare every linked pair now and repair what differs"
                on:click=check_now
            >
                {move || if running() { "Checking…" } else { "Check now" }}
            </button>
            {move || drift_error.get().map(|text| view! { <Notice tone="error" text=text test_id="drift-error" /> })}
        </section>
    }
}
