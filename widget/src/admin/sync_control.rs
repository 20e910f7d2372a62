//! The sync's state, always visible in the console's header, with Pause / Resume.

use super::api::SyncAction;
use crate::api::Client;
use contract::admin::{SyncState, SyncStatus};
use leptos::prelude::*;

/// The state's wire name (`data-state`), its label and its tone.
pub fn state_badge(state: SyncState) -> (&'static str, &'static str, &'static str) {
    match state {
        SyncState::NotStarted => ("not_started", "Not started", "neutral"),
        SyncState::InitialSync => ("initial_sync", "Syncing", "info"),
        SyncState::Live => ("live", "Live", "success"),
        SyncState::Paused => ("paused", "Paused", "warning"),
        SyncState::NeedsReconnect => ("needs_reconnect", "Needs reconnect", "error"),
    }
}

/// The state pill (`data-testid="sync-state"`, `data-state`), and Pause (`pause`) or
/// Resume (`resume`) when the sync runs or is paused.
#[component]
pub fn SyncControl(
    client: Client,
    #[prop(into)] status: Signal<SyncStatus>,
    /// The status the edge answered an action with.
    #[prop(into)]
    on_status: Callback<SyncStatus>,
) -> impl IntoView {
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let state = Memo::new(move |_| status.with(|s| s.state));
    let act = move |action: SyncAction| {
        let client = client.clone();
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match client.sync_action(action).await {
                Ok(status) => on_status.run(status),
                Err(failure) => {
                    error.try_set(Some(format!(
                        "Could not {}: {failure}",
                        match action {
                            SyncAction::Pause => "pause",
                            SyncAction::Resume => "resume",
                            SyncAction::Start => "start",
                        }
                    )));
                }
            }
            busy.try_set(false);
        });
    };
    let act = StoredValue::new(act);

    view! {
        <div class="sync-control">
            {move || {
                let (name, label, tone) = state_badge(state.get());
                view! {
                    <span
                        class=format!("state-pill tone-{tone}")
                        data-testid="sync-state"
                        data-state=name
                        role="status"
                        aria-label=format!("Sync: {label}")
                    >
                        <span class="pill-dot" aria-hidden="true"></span>
                        {label}
                    </span>
                }
            }}
            {move || {
                let (action, test_id, label, busy_label) = match state.get() {
                    SyncState::InitialSync | SyncState::Live => {
                        (SyncAction::Pause, "pause", "Pause", "Pausing…")
                    }
                    SyncState::Paused => (SyncAction::Resume, "resume", "Resume", "Resuming…"),
                    SyncState::NotStarted | SyncState::NeedsReconnect => return None,
                };
                Some(
                    view! {
                        <button
                            type="button"
                            class="button button-small"
                            class:button-primary=action == SyncAction::Resume
                            data-testid=test_id
                            disabled=move || busy.get()
                            aria-busy=move || busy.get().to_string()
                            title=if action == SyncAction::Pause {
                                "Stop all exchange with Salesforce until you resume"
                            } else {
                                "Catch up on everything changed while paused"
                            }
                            on:click=move |_| act.with_value(|act| act(action))
                        >
                            {move || if busy.get() { busy_label } else { label }}
                        </button>
                    },
                )
            }}
            {move || {
                error
                    .get()
                    .map(|text| {
                        view! {
                            <p class="control-error" role="alert" data-testid="sync-control-error">
                                {text}
                            </p>
                        }
                    })
            }}
        </div>
    }
}
