use super::{
    ContactCardView, ErrorState, LoadingSkeleton, NoMatchState, NoRequesterState,
    NotConnectedState, PanelHeader,
};
use crate::api::{Client, ClientError};
use leptos::prelude::*;
use shared::api::Panel;

/// The agent panel: fetches [`Panel`] for the context token and shows it: the skeleton
/// on first load; later, the previous answer dimmed while the refresh button spins.
/// Without a token it explains that, and calls nothing.
#[component]
pub fn AgentPanel(
    /// The helpdesk context token; `None` when the page was opened without one.
    #[prop(into)]
    token: Signal<Option<String>>,
) -> impl IntoView {
    let panel = LocalResource::new(move || {
        let token = token.get();
        async move {
            match token {
                Some(token) => Client::new(token).panel().await,
                None => Err(ClientError::MissingToken),
            }
        }
    });
    let (busy, set_busy) = signal(false);
    // Dims an answer already shown while a newer one loads; the first load has the skeleton.
    let stale = move || busy.get() && panel.with(Option::is_some);
    let refresh = Callback::new(move |()| panel.refetch());

    view! {
        <div class="panel">
            <PanelHeader busy=busy on_refresh=refresh />
            <main class="panel-body" class:stale=stale>
                <Transition fallback=|| view! { <LoadingSkeleton /> } set_pending=set_busy>
                    {move || {
                        panel.get().map(|outcome| view! { <PanelView outcome=outcome on_retry=refresh /> })
                    }}
                </Transition>
            </main>
        </div>
    }
}

/// The state switch: one fetched outcome, shown as the matching component.
#[component]
pub fn PanelView(
    outcome: Result<Panel, ClientError>,
    /// Asks for the panel again (offered on retryable errors).
    #[prop(into)]
    on_retry: Callback<()>,
) -> impl IntoView {
    match outcome {
        Ok(Panel::Contact { contact }) => view! { <ContactCardView contact=contact /> }.into_any(),
        Ok(Panel::NotConnected { can_connect }) => {
            view! { <NotConnectedState can_connect=can_connect /> }.into_any()
        }
        Ok(Panel::NoMatch { email }) => view! { <NoMatchState email=email /> }.into_any(),
        Ok(Panel::NoRequester) => view! { <NoRequesterState /> }.into_any(),
        Err(error) => view! { <ErrorState error=error on_retry=on_retry /> }.into_any(),
    }
}
