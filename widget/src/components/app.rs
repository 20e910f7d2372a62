//! The widget's root: the agent panel, or the admin console, for the context token in the
//! URL fragment.

use super::{AgentPanel, ConsoleEntry};
use crate::admin::AdminConsole;
use crate::location::{current_context_token, current_is_console, hash_for};
use contract::context::{Role, unverified_claims};
use leptos::{ev, prelude::*};

/// The whole widget: follows the context token in the URL fragment (a helpdesk may move
/// the iframe to another ticket by changing only the fragment) and shows its panel, or the
/// admin console when the fragment asks for it (`view=admin`).
#[component]
pub fn App() -> impl IntoView {
    let token = RwSignal::new(current_context_token());
    let console = RwSignal::new(current_is_console());
    let listener = window_event_listener(ev::hashchange, move |_| {
        let now = current_context_token();
        if token.with_untracked(|current| *current != now) {
            token.set(now);
        }
        let wants_console = current_is_console();
        if console.get_untracked() != wants_console {
            console.set(wants_console);
        }
    });
    on_cleanup(move || listener.remove());

    // Administrators get a way into the console from the panel's header.
    provide_context(ConsoleEntry(Signal::derive(move || {
        token
            .get()
            .filter(|token| {
                unverified_claims(token).is_some_and(|claims| claims.role == Role::Admin)
            })
            .map(|token| hash_for(&token, true))
    })));

    move || {
        if console.get() {
            view! { <AdminConsole token=token /> }.into_any()
        } else {
            view! { <AgentPanel token=token /> }.into_any()
        }
    }
}
