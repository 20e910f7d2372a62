use super::AgentPanel;
use crate::location::current_context_token;
use leptos::{ev, prelude::*};

/// The whole widget: follows the context token in the URL fragment (a helpdesk may move
/// the iframe to another ticket by changing only the fragment) and shows its panel.
#[component]
pub fn App() -> impl IntoView {
    let token = RwSignal::new(current_context_token());
    let listener = window_event_listener(ev::hashchange, move |_| {
        let now = current_context_token();
        if token.with_untracked(|current| *current != now) {
            token.set(now);
        }
    });
    on_cleanup(move || listener.remove());

    view! { <AgentPanel token=token /> }
}
