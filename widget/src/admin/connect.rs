//! Connecting Salesforce: the OAuth popup, the connected org's card and reconnecting after
//! a revoked token.

use super::notifications::{AutomaticSetup, ManualSetup};
use super::parts::{Notice, format_count, when_label};
use crate::api::Client;
use crate::components::format::Now;
use contract::admin::{ConnectedOrgInfo, ConnectionStatus};
use contract::side::Side;
use leptos::{ev, prelude::*};
use wasm_bindgen::JsValue;

/// What the OAuth popup told its opener: `{sfdesk: "oauth", side, ok, message?}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthOutcome {
    /// Which connection the popup was for: only that side's button takes the message.
    pub side: Side,
    pub ok: bool,
    /// Why it failed, when the page said (e.g. `API_DISABLED_FOR_ORG`, consent refused).
    pub message: Option<String>,
}

impl OAuthOutcome {
    /// Reads a `message` event's data; `None` for anything that is not the popup's.
    pub fn from_message(data: &JsValue) -> Option<OAuthOutcome> {
        let get = |key: &str| js_sys::Reflect::get(data, &JsValue::from_str(key)).ok();
        if get("sfdesk")?.as_string().as_deref() != Some("oauth") {
            return None;
        }
        let side = get("side")?.as_string()?;
        Some(OAuthOutcome {
            side: Side::BOTH.into_iter().find(|s| s.as_str() == side)?,
            ok: get("ok")?.as_bool()?,
            message: get("message")
                .and_then(|m| m.as_string())
                .filter(|m| !m.trim().is_empty()),
        })
    }
}

/// What a connect button says of its side.
struct Words {
    /// As a sentence names it: "Salesforce", "The helpdesk".
    name: &'static str,
    /// Mid-sentence.
    name_inline: &'static str,
    /// How to grant access in the popup.
    sign_in: &'static str,
    /// The button's `data-testid`; its error's is this with `-error`.
    test_id: &'static str,
}

fn words(side: Side) -> Words {
    match side {
        Side::Salesforce => Words {
            name: "Salesforce",
            name_inline: "Salesforce",
            sign_in: "Sign in to Salesforce in the window that opened, then choose Allow.",
            test_id: "connect",
        },
        Side::Helpdesk => Words {
            name: "The helpdesk",
            name_inline: "the helpdesk",
            sign_in: "Sign in to Zoho Desk in the window that opened, then choose Accept.",
            test_id: "helpdesk-connect",
        },
    }
}

/// Why connecting failed, explained: the popup's own words when it gave them, with what
/// to do for the cases an admin meets.
pub fn failure_text(side: Side, message: Option<&str>) -> String {
    match (side, message) {
        (Side::Salesforce, Some(message)) if message.contains("API_DISABLED_FOR_ORG") => {
            "This Salesforce org's edition has no API access (API_DISABLED_FOR_ORG). sfdesk \
             needs Enterprise, Unlimited, Performance or Developer edition, or Professional \
             with the API enabled."
                .to_owned()
        }
        (_, Some(message)) => message.to_owned(),
        (Side::Salesforce, None) => "Salesforce did not grant access. If you chose Deny, start \
                                     again and choose Allow; if the Salesforce window showed an \
                                     error, it says why."
            .to_owned(),
        (Side::Helpdesk, None) => "The helpdesk did not grant access. If you chose Reject, \
                                   start again and choose Accept; if the Zoho window showed an \
                                   error, it says why."
            .to_owned(),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Idle,
    /// The popup is open.
    Waiting,
    Failed(String),
}

/// "Connect Salesforce" (or "Reconnect", or the helpdesk's): opens the side's OAuth popup
/// and waits for its message; `on_connected` runs once access was granted.
#[component]
pub fn ConnectButton(
    client: Client,
    #[prop(default = Side::Salesforce)] side: Side,
    #[prop(into)] label: String,
    #[prop(default = true)] primary: bool,
    #[prop(into)] on_connected: Callback<()>,
) -> impl IntoView {
    let Words {
        name,
        name_inline,
        sign_in,
        test_id,
    } = words(side);
    let step = RwSignal::new(Step::Idle);
    let popup = StoredValue::new_local(None::<web_sys::Window>);

    let listener = window_event_listener(ev::message, move |event| {
        // The popup's last page is the edge's, wherever this page is hosted.
        if crate::zoho::edge_origin() != event.origin() {
            return;
        }
        let Some(outcome) = OAuthOutcome::from_message(&event.data()) else {
            return;
        };
        if outcome.side != side {
            return;
        }
        popup.set_value(None);
        if outcome.ok {
            step.set(Step::Idle);
            on_connected.run(());
        } else {
            step.set(Step::Failed(failure_text(side, outcome.message.as_deref())));
        }
    });
    on_cleanup(move || listener.remove());

    // A popup closed before it reported: back to the button, with a word on why.
    let watcher = set_interval_with_handle(
        move || {
            let closed = popup.with_value(|popup| {
                popup
                    .as_ref()
                    .is_some_and(|window| window.closed().unwrap_or(true))
            });
            if closed {
                popup.set_value(None);
                if step.get_untracked() == Step::Waiting {
                    step.set(Step::Failed(format!(
                        "The {name_inline} window was closed before access was granted."
                    )));
                }
            }
        },
        std::time::Duration::from_millis(700),
    )
    .ok();
    on_cleanup(move || {
        if let Some(handle) = watcher {
            handle.clear();
        }
    });

    let open = move |_| {
        // Opened empty inside the click, or pop-up blockers refuse it; it is sent on once
        // the one-time start code is here.
        let opened = window()
            .open_with_url_and_target_and_features(
                "about:blank",
                &format!("sfdesk-{}-oauth", side.as_str()),
                "popup,width=520,height=700",
            )
            .ok()
            .flatten();
        let Some(opened) = opened else {
            step.set(Step::Failed(format!(
                "Your browser blocked the {name_inline} window. Allow pop-ups for this page, \
                 then try again."
            )));
            return;
        };
        popup.set_value(Some(opened.clone()));
        step.set(Step::Waiting);
        let client = client.clone();
        leptos::task::spawn_local(async move {
            let sent = match client.oauth_start_code(side).await {
                Ok(code) => opened
                    .location()
                    .set_href(&client.oauth_start_url(side, &code))
                    .map_err(|_| format!("The {name_inline} window could not be opened.")),
                Err(error) => Err(error.to_string()),
            };
            if let Err(text) = sent {
                popup.set_value(None);
                let _ = opened.close();
                step.set(Step::Failed(text));
            }
        });
    };

    let class = if primary {
        "button button-primary"
    } else {
        "button"
    };
    view! {
        <div class="connect-action">
            <button
                type="button"
                class=class
                data-testid=test_id
                disabled=move || step.get() == Step::Waiting
                aria-busy=move || (step.get() == Step::Waiting).to_string()
                on:click=open
            >
                {move || {
                    if step.get() == Step::Waiting {
                        format!("Waiting for {name_inline}…")
                    } else {
                        label.clone()
                    }
                }}
            </button>
            {move || match step.get() {
                Step::Waiting => view! { <Notice tone="info" text=sign_in /> }.into_any(),
                Step::Failed(text) => {
                    view! {
                        <div
                            class="notice notice-error"
                            role="alert"
                            data-testid=format!("{test_id}-error")
                        >
                            <strong>{format!("{name} was not connected. ")}</strong>
                            {text}
                        </div>
                    }
                        .into_any()
                }
                Step::Idle => ().into_any(),
            }}
        </div>
    }
}

/// The connection, whichever state it is in: an invitation to connect, the connected
/// org, or a revoked token to reconnect.
#[component]
pub fn ConnectionCard(
    client: Client,
    connection: ConnectionStatus,
    #[prop(into)] on_changed: Callback<()>,
) -> impl IntoView {
    match connection {
        ConnectionStatus::NotConnected => view! {
            <section class="card connect-hero" data-testid="connection" data-state="not_connected">
                <div class="hero-mark" aria-hidden="true">
                    <span class="brand-mark"></span>
                </div>
                <h2 class="card-title">"Connect your Salesforce org"</h2>
                <p class="muted">
                    "Agents see the requester's Salesforce contact or account beside every ticket, and contacts and accounts stay in step between Salesforce and the helpdesk."
                </p>
                <ol class="steps">
                    <li>"Sign in with a Salesforce administrator account"</li>
                    <li>"Choose one-way or two-way sync"</li>
                    <li>"Map the fields for contacts and accounts"</li>
                    <li>"Start the sync"</li>
                </ol>
                <ConnectButton client=client label="Connect Salesforce" on_connected=on_changed />
                <p class="fine-print">
                    "Needs Salesforce Enterprise, Unlimited, Performance or Developer edition, or Professional with API access. Your password is entered in Salesforce's own window and never reaches sfdesk."
                </p>
            </section>
        }
        .into_any(),
        ConnectionStatus::Revoked { instance_url } => view! {
            <section
                class="card card-warning"
                data-testid="connection"
                data-state="revoked"
                role="alert"
            >
                <h2 class="card-title">"Salesforce access was revoked"</h2>
                <p class="muted">
                    "Salesforce no longer accepts sfdesk's access to "
                    <strong class="break">{instance_url}</strong>
                    ". Nothing syncs until you connect again; your settings, mapping and history are kept."
                </p>
                <ConnectButton client=client label="Reconnect Salesforce" on_connected=on_changed />
            </section>
        }
        .into_any(),
        ConnectionStatus::Connected(info) => {
            view! { <ConnectedOrg client=client info=info on_changed=on_changed /> }.into_any()
        }
    }
}

/// The connected org: where, as whom, since when, and today's API allowance.
#[component]
pub fn ConnectedOrg(
    client: Client,
    info: ConnectedOrgInfo,
    #[prop(into)] on_changed: Callback<()>,
) -> impl IntoView {
    let now = Now::current();
    let allowance = api_allowance(info.api_used, info.api_max);
    view! {
        <section class="card" data-testid="connection" data-state="connected">
            <div class="card-head-row">
                <h2 class="card-title">
                    <span class="dot dot-success" aria-hidden="true"></span>
                    "Connected to Salesforce"
                </h2>
            </div>
            <dl class="facts">
                <div class="fact">
                    <dt>"Org"</dt>
                    <dd>
                        <a
                            class="break"
                            href=info.instance_url.clone()
                            target="_blank"
                            rel="noopener noreferrer"
                            data-testid="org-url"
                        >
                            {info.instance_url.trim_start_matches("https://").to_owned()}
                        </a>
                        <span class="sub" data-testid="org-id">
                            {info.salesforce_org_id.clone()}
                        </span>
                    </dd>
                </div>
                <div class="fact">
                    <dt>"User"</dt>
                    <dd class="break" data-testid="org-user">
                        {info.username.clone()}
                    </dd>
                </div>
                <div class="fact">
                    <dt>"Since"</dt>
                    <dd>{when_label(info.connected_at_ms, now)}</dd>
                </div>
                <div class="fact">
                    <dt>"API today"</dt>
                    <dd data-testid="api-usage">{allowance}</dd>
                </div>
            </dl>
            <ConnectButton
                client=client
                label="Reconnect"
                primary=false
                on_connected=on_changed
            />
        </section>
    }
}

/// Today's API requests: `1,204 of 15,000 requests (8%)` with a meter, or what is known.
fn api_allowance(used: Option<u64>, max: Option<u64>) -> AnyView {
    match (used, max) {
        (Some(used), Some(max)) if max > 0 => {
            let percent = (used.saturating_mul(100) / max).min(100);
            let tone = if percent >= 90 {
                "meter meter-error"
            } else if percent >= 75 {
                "meter meter-warning"
            } else {
                "meter"
            };
            view! {
                <span>
                    {format!("{} of {} requests ({percent}%)", format_count(used), format_count(max))}
                </span>
                <span
                    class=tone
                    role="meter"
                    aria-label="API requests used today"
                    aria-valuemin="0"
                    aria-valuemax=max.to_string()
                    aria-valuenow=used.to_string()
                >
                    <span class="meter-fill" style=format!("width: {percent}%")></span>
                </span>
            }
            .into_any()
        }
        (Some(used), _) => format!("{} requests", format_count(used)).into_any(),
        _ => view! { <span class="muted">"Not reported yet"</span> }.into_any(),
    }
}

/// Changes from Salesforce, once the sync has started: Salesforce sends an Outbound
/// Message from a record-triggered Flow on Account and on Contact to `url`. sfdesk sets
/// that up for the admin, or the admin follows the steps by hand.
#[component]
pub fn OutboundMessageCard(client: Client, url: String) -> impl IntoView {
    view! {
        <section class="card" data-testid="outbound-url" aria-labelledby="outbound-title">
            <h2 class="card-title" id="outbound-title">
                "Changes from Salesforce"
            </h2>
            <p class="muted">
                "Salesforce tells sfdesk about every new or edited Account and Contact within seconds: a record-triggered Flow on each sends an Outbound Message. sfdesk can set this up in your org for you."
            </p>
            <AutomaticSetup client=client />
            <ManualSetup url=url />
        </section>
    }
}
