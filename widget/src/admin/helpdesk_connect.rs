//! Connecting the org's own helpdesk (Zoho Desk OAuth): the card beside Salesforce's,
//! through the same popup and start code ([`ConnectButton`] for [`Side::Helpdesk`]).

use super::connect::ConnectButton;
use super::parts::{format_count, when_label};
use crate::api::Client;
use crate::components::format::Now;
use contract::admin::{HelpdeskConnectionInfo, HelpdeskConnectionStatus, HelpdeskCredits};
use contract::side::Side;
use leptos::prelude::*;

/// The helpdesk connection, whichever state it is in: an invitation to connect, the
/// connected grant, or a revoked one to reconnect.
#[component]
pub fn HelpdeskConnectionCard(
    client: Client,
    connection: HelpdeskConnectionStatus,
    #[prop(into)] on_changed: Callback<()>,
) -> impl IntoView {
    match connection {
        HelpdeskConnectionStatus::NotConnected => view! {
            <section class="card" data-testid="helpdesk-connection" data-state="not_connected">
                <h2 class="card-title">"Connect your helpdesk"</h2>
                <p class="muted">
                    "sfdesk writes contacts and accounts into Zoho Desk, and subscribes to its changes, with access your helpdesk grants to it. Sign in with a Zoho Desk administrator account and choose Accept."
                </p>
                <ConnectButton
                    client=client
                    side=Side::Helpdesk
                    label="Connect the helpdesk"
                    on_connected=on_changed
                />
            </section>
        }
        .into_any(),
        HelpdeskConnectionStatus::Revoked { api_domain } => view! {
            <section
                class="card card-warning"
                data-testid="helpdesk-connection"
                data-state="revoked"
                role="alert"
            >
                <h2 class="card-title">"Helpdesk access was revoked"</h2>
                <p class="muted">
                    "Zoho Desk no longer accepts sfdesk's access to "
                    <strong class="break" data-testid="helpdesk-api-domain">{api_domain}</strong>
                    ". Nothing syncs until you connect it again; your settings, mapping and history are kept."
                </p>
                <ConnectButton
                    client=client
                    side=Side::Helpdesk
                    label="Reconnect the helpdesk"
                    on_connected=on_changed
                />
            </section>
        }
        .into_any(),
        HelpdeskConnectionStatus::Connected(info) => {
            view! { <ConnectedHelpdesk client=client info=info on_changed=on_changed /> }
                .into_any()
        }
    }
}

/// The connected helpdesk: which data centre's Desk API, as which agent, since when.
#[component]
fn ConnectedHelpdesk(
    client: Client,
    info: HelpdeskConnectionInfo,
    #[prop(into)] on_changed: Callback<()>,
) -> impl IntoView {
    let now = Now::current();
    view! {
        <section class="card" data-testid="helpdesk-connection" data-state="connected">
            <div class="card-head-row">
                <h2 class="card-title">
                    <span class="dot dot-success" aria-hidden="true"></span>
                    "Connected to the helpdesk"
                </h2>
            </div>
            <dl class="facts">
                <div class="fact">
                    <dt>"Helpdesk"</dt>
                    <dd class="break" data-testid="helpdesk-api-domain">
                        {info.api_domain.trim_start_matches("https://").to_owned()}
                    </dd>
                </div>
                <div class="fact">
                    <dt>"Agent"</dt>
                    <dd class="break" data-testid="helpdesk-agent">
                        {info.agent_email.clone()}
                    </dd>
                </div>
                <div class="fact">
                    <dt>"Since"</dt>
                    <dd>{when_label(info.connected_at_ms, now)}</dd>
                </div>
                {info.credits.map(|credits| view! {
                    <div class="fact">
                        <dt>"API credits"</dt>
                        <dd data-testid="helpdesk-credits">{credits_label(&credits)}</dd>
                    </div>
                })}
            </dl>
            <ConnectButton
                client=client
                side=Side::Helpdesk
                label="Reconnect"
                primary=false
                on_connected=on_changed
            />
        </section>
    }
}

/// `Professional: 61,500 of 80,000 credits left today; the sync uses up to 64,000`: the
/// org's credits are shared by all its integrations, so the sync keeps to its share.
pub fn credits_label(credits: &HelpdeskCredits) -> String {
    let left = credits.left_today.map_or_else(
        || format!("{} credits a day", format_count(credits.daily)),
        |left| {
            format!(
                "{} of {} credits left today",
                format_count(left),
                format_count(credits.daily)
            )
        },
    );
    format!(
        "{}: {left}; the sync uses up to {}",
        credits.edition,
        format_count(credits.sync_share)
    )
}
