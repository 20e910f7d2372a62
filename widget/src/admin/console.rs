//! The console's shell: who may see it, the header with the sync's state, the tabs, and
//! the status it polls from the edge (all state is the edge's, so closing and reopening
//! the widget shows the sync where it is).

use super::connect::{ConnectionCard, OutboundMessageCard};
use super::delete::DeleteIntegration;
use super::failures::FailureLog;
use super::health::HealthSummary;
use super::helpdesk_connect::HelpdeskConnectionCard;
use super::history::SyncHistory;
use super::panel_fields::PanelFieldsScreen;
use super::permissions::PermissionsScreen;
use super::progress::SyncOverview;
use super::settings::SyncSettings;
use super::sync_control::SyncControl;
use crate::api::{Client, ClientError};
use crate::components::{ErrorState, StateMessage, Tone};
use crate::location::hash_for;
use contract::admin::{AdminStatus, ConnectionStatus, SyncState, SyncStatus};
use contract::context::{Role, unverified_claims};
use leptos::prelude::*;
use std::time::Duration;

/// How often the status is read while the initial sync runs; otherwise every
/// [`IDLE_TICKS`] of these.
const POLL: Duration = Duration::from_millis(1500);
const IDLE_TICKS: u32 = 8;

/// What the console's body shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Screen {
    /// The status could not be read, and never was.
    Failed,
    Loading,
    NotConnected,
    Tab(Tab),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Overview,
    Mapping,
    History,
    Failures,
    Permissions,
    PanelFields,
}

impl Tab {
    pub const ALL: [Tab; 6] = [
        Tab::Overview,
        Tab::Mapping,
        Tab::History,
        Tab::Failures,
        Tab::Permissions,
        Tab::PanelFields,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Tab::Overview => "overview",
            Tab::Mapping => "mapping",
            Tab::History => "history",
            Tab::Failures => "failures",
            Tab::Permissions => "permissions",
            Tab::PanelFields => "panel-fields",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Tab::Overview => "Overview",
            Tab::Mapping => "Settings",
            Tab::History => "History",
            Tab::Failures => "Failures",
            Tab::Permissions => "Permissions",
            Tab::PanelFields => "Panel fields",
        }
    }
}

/// The admin console for the context token: administrators only (the edge answers 403 to
/// anyone else anyway).
#[component]
pub fn AdminConsole(#[prop(into)] token: Signal<Option<String>>) -> impl IntoView {
    move || match token.get() {
        None => view! {
            <div class="panel">
                <main class="panel-body">
                    <ErrorState error=ClientError::MissingToken on_retry=|()| {} />
                </main>
            </div>
        }
        .into_any(),
        Some(token) => {
            let claims = unverified_claims(&token);
            if claims.as_ref().map(|c| c.role) != Some(Role::Admin) {
                return view! {
                    <div class="panel">
                        <main class="panel-body">
                            <StateMessage state="forbidden" tone=Tone::Warning title="Administrators only">
                                <p class="state-detail" data-testid="state-detail">
                                    "Only helpdesk administrators can manage the Salesforce integration."
                                </p>
                            </StateMessage>
                        </main>
                    </div>
                }
                .into_any();
            }
            // A way back to the panel when the console was opened beside a record.
            let back = claims
                .filter(|c| c.ticket.is_some() || c.requester.is_some() || c.account.is_some())
                .map(|_| hash_for(&token, false));
            view! { <Console client=Client::new(token) back=back /> }.into_any()
        }
    }
}

/// The console for one admin's client.
#[component]
pub fn Console(
    client: Client,
    /// The agent panel's link, when there is a record to go back to.
    #[prop(default = None)]
    back: Option<String>,
) -> impl IntoView {
    let status = RwSignal::new(None::<AdminStatus>);
    let error = RwSignal::new(None::<ClientError>);
    let tab = RwSignal::new(None::<Tab>);
    let in_flight = StoredValue::new(false);

    let refresh = {
        let client = client.clone();
        move || {
            if in_flight.get_value() {
                return;
            }
            in_flight.set_value(true);
            let client = client.clone();
            leptos::task::spawn_local(async move {
                let answer = client.admin_status().await;
                in_flight.try_set_value(false);
                match answer {
                    Ok(now) => {
                        let was_connected = status
                            .try_with_untracked(|s| {
                                s.as_ref().is_some_and(|s| {
                                    !matches!(s.connection, ConnectionStatus::NotConnected)
                                })
                            })
                            .unwrap_or(false);
                        let is_connected =
                            !matches!(now.connection, ConnectionStatus::NotConnected);
                        // The first tab once connected: the settings before the first start.
                        if tab.try_get_untracked().flatten().is_none()
                            || (is_connected && !was_connected)
                        {
                            let first = match (&now.connection, now.sync.state) {
                                (ConnectionStatus::Connected(_), SyncState::NotStarted) => {
                                    Tab::Mapping
                                }
                                _ => Tab::Overview,
                            };
                            tab.try_set(Some(first));
                        }
                        status.try_set(Some(now));
                        // Only a change notifies: the screen below reads `error`, and a
                        // poll that redrew it would throw away an admin's unsaved edits.
                        if error.try_with_untracked(Option::is_some).unwrap_or(false) {
                            error.try_set(None);
                        }
                    }
                    Err(failure) => {
                        error.try_set(Some(failure));
                    }
                }
            });
        }
    };
    let refresh = Callback::new(move |()| refresh());
    refresh.run(());

    // Poll: often while the initial sync runs, now and then otherwise.
    let tick = StoredValue::new(0u32);
    let poller = set_interval_with_handle(
        move || {
            let count = tick.get_value().wrapping_add(1);
            tick.set_value(count);
            let syncing = status
                .try_with_untracked(|s| {
                    s.as_ref()
                        .is_some_and(|s| s.sync.state == SyncState::InitialSync)
                })
                .unwrap_or(false);
            if syncing || count.is_multiple_of(IDLE_TICKS) {
                refresh.run(());
            }
        },
        POLL,
    )
    .ok();
    on_cleanup(move || {
        if let Some(handle) = poller {
            handle.clear();
        }
    });

    let on_status = Callback::new(move |sync: SyncStatus| {
        status.update(|status| {
            if let Some(status) = status {
                status.sync = sync;
            }
        });
    });
    let on_started = Callback::new(move |sync: SyncStatus| {
        on_status.run(sync);
        tab.set(Some(Tab::Overview));
    });
    let on_deleted = Callback::new(move |()| {
        tab.set(None);
        refresh.run(());
    });

    let connected = Memo::new(move |_| {
        status.with(|s| {
            s.as_ref()
                .is_some_and(|s| !matches!(s.connection, ConnectionStatus::NotConnected))
        })
    });
    let sync = Signal::derive(move || {
        status.with(|s| {
            s.as_ref()
                .map(|s| s.sync.clone())
                .unwrap_or_else(|| SyncStatus {
                    state: SyncState::NotStarted,
                    sync_type: Default::default(),
                    steps: vec![],
                    started_ms: None,
                    finished_ms: None,
                    pending_changes: 0,
                    note: None,
                    catching_up_since_ms: None,
                })
        })
    });
    let sync_state = Memo::new(move |_| sync.with(|s| s.state));
    let connection = Memo::new(move |_| status.with(|s| s.as_ref().map(|s| s.connection.clone())));
    let health = Memo::new(move |_| {
        status.with(|s| s.as_ref().map(|s| s.health.clone()).unwrap_or_default())
    });
    let helpdesk = Memo::new(move |_| {
        status.with(|s| s.as_ref().map(|s| s.helpdesk.clone()).unwrap_or_default())
    });
    let outbound = Memo::new(move |_| {
        status.with(|s| s.as_ref().and_then(|s| s.outbound_message_url.clone()))
    });

    // The body is drawn again only when its screen changes, never because a poll brought
    // new figures (API usage, credits): that threw away an admin's unsaved mapping edits.
    let screen = Memo::new(move |_| {
        if error.with(Option::is_some) && status.with(Option::is_none) {
            return Screen::Failed;
        }
        match connection.with(|c| {
            c.as_ref()
                .map(|c| matches!(c, ConnectionStatus::NotConnected))
        }) {
            None => Screen::Loading,
            Some(true) => Screen::NotConnected,
            Some(false) => Screen::Tab(tab.get().unwrap_or(Tab::Overview)),
        }
    });

    let header_client = client.clone();
    let body_client = client.clone();
    view! {
        <div class="panel console" data-testid="admin-console">
            <div class="console-top">
            <header class="header console-header">
                <span class="brand">
                    <span class="brand-mark" aria-hidden="true"></span>
                    <span class="console-title">"Salesforce integration"</span>
                </span>
                <div class="header-actions">
                    {move || {
                        connected
                            .get()
                            .then(|| {
                                view! {
                                    <SyncControl
                                        client=header_client.clone()
                                        status=sync
                                        on_status=on_status
                                    />
                                }
                            })
                    }}
                    {back
                        .map(|href| {
                            view! {
                                <a class="link-button back-link" href=href data-testid="back-to-panel">
                                    "Panel"
                                </a>
                            }
                        })}
                </div>
            </header>
            {move || connected.get().then(|| view! { <Tabs tab=tab /> })}
            </div>
            <main
                class="panel-body console-body"
                id="console-panel"
                role=move || connected.get().then_some("tabpanel")
                aria-labelledby=move || {
                    connected.get().then(|| format!("tab-{}", tab.get().unwrap_or(Tab::Overview).slug()))
                }
            >
                {move || {
                    let client = body_client.clone();
                    // Each card follows its own part of the status, so a poll redraws it alone.
                    let salesforce_card = {
                        let client = client.clone();
                        move || {
                            connection.get().map(|connection| {
                                view! { <ConnectionCard client=client.clone() connection=connection on_changed=refresh /> }
                            })
                        }
                    };
                    let helpdesk_card = {
                        let client = client.clone();
                        move || {
                            view! { <HelpdeskConnectionCard client=client.clone() connection=helpdesk.get() on_changed=refresh /> }
                        }
                    };
                    match screen.get() {
                        Screen::Failed => error
                            .get_untracked()
                            .map(|failure| view! { <ErrorState error=failure on_retry=refresh /> })
                            .into_any(),
                        Screen::Loading => view! { <super::parts::LoadingLines lines=4 /> }.into_any(),
                        Screen::NotConnected => view! { {salesforce_card} {helpdesk_card} }.into_any(),
                        Screen::Tab(Tab::Overview) => {
                            let health_client = client.clone();
                            let outbound_client = client.clone();
                            view! {
                                <div class="screen" data-testid="overview">
                                    <SyncOverview
                                        status=sync
                                        on_setup=Callback::new(move |()| tab.set(Some(Tab::Mapping)))
                                    />
                                    {move || {
                                        (sync_state.get() != SyncState::NotStarted)
                                            .then(|| view! { <HealthSummary client=health_client.clone() sync=sync connection=connection helpdesk=helpdesk health=health /> })
                                    }}
                                    {salesforce_card}
                                    {helpdesk_card}
                                    {move || {
                                        outbound
                                            .get()
                                            .map(|url| view! { <OutboundMessageCard client=outbound_client.clone() url=url /> })
                                    }}
                                    <DeleteIntegration client=client on_deleted=on_deleted />
                                </div>
                            }
                                .into_any()
                        }
                        Screen::Tab(Tab::Mapping) => view! {
                            <div class="screen" data-testid="settings">
                                <SyncSettings client=client sync_state=sync_state on_started=on_started />
                            </div>
                        }
                            .into_any(),
                        Screen::Tab(Tab::History) => view! { <SyncHistory client=client /> }.into_any(),
                        Screen::Tab(Tab::Failures) => view! { <FailureLog client=client /> }.into_any(),
                        Screen::Tab(Tab::Permissions) => view! { <PermissionsScreen client=client /> }.into_any(),
                        Screen::Tab(Tab::PanelFields) => view! { <PanelFieldsScreen client=client /> }.into_any(),
                    }
                }}
                {move || {
                    error
                        .get()
                        .filter(|_| status.with(Option::is_some))
                        .map(|failure| {
                            view! {
                                <p class="notice notice-error poll-error" role="alert" data-testid="status-error">
                                    {format!("Could not refresh the status: {failure}")}
                                </p>
                            }
                        })
                }}
            </main>
        </div>
    }
}

/// The tab bar: a WAI-ARIA tablist (arrow keys, Home and End move between tabs).
#[component]
fn Tabs(tab: RwSignal<Option<Tab>>) -> impl IntoView {
    let current = move || tab.get().unwrap_or(Tab::Overview);
    let select = move |next: Tab, focus: bool| {
        tab.set(Some(next));
        if focus
            && let Some(element) = document().get_element_by_id(&format!("tab-{}", next.slug()))
        {
            let _ = wasm_bindgen::JsCast::unchecked_into::<web_sys::HtmlElement>(element).focus();
        }
    };
    let on_key = move |event: leptos::ev::KeyboardEvent| {
        let index = Tab::ALL.iter().position(|t| *t == current()).unwrap_or(0);
        let last = Tab::ALL.len() - 1;
        let next = match event.key().as_str() {
            "ArrowRight" => {
                if index == last {
                    0
                } else {
                    index + 1
                }
            }
            "ArrowLeft" => {
                if index == 0 {
                    last
                } else {
                    index - 1
                }
            }
            "Home" => 0,
            "End" => last,
            _ => return,
        };
        event.prevent_default();
        select(Tab::ALL[next], true);
    };
    view! {
        <nav class="tabs" role="tablist" aria-label="Salesforce integration" on:keydown=on_key>
            {Tab::ALL
                .into_iter()
                .map(|t| {
                    let selected = move || current() == t;
                    view! {
                        <button
                            type="button"
                            role="tab"
                            class="tab"
                            id=format!("tab-{}", t.slug())
                            data-testid=format!("tab-{}", t.slug())
                            aria-selected=move || selected().to_string()
                            aria-controls="console-panel"
                            tabindex=move || if selected() { "0" } else { "-1" }
                            on:click=move |_| select(t, false)
                        >
                            {t.label()}
                        </button>
                    }
                })
                .collect_view()}
        </nav>
    }
}
