//! The agent panel bundle's root: the panel for the context token in the URL fragment.

use super::{AgentPanel, ConsoleEntry};
use crate::bundle::follow_fragment;
use crate::location::hash_for;
use crate::token::panel_claims;
use contract::context::Role;
use leptos::prelude::*;

/// The agent panel for the token in the fragment, followed as it changes. The admin
/// console is the other bundle ([`crate::admin::ConsoleApp`]): its fragment reloads the page.
#[component]
pub fn App() -> impl IntoView {
    let token = follow_fragment(false);

    // Administrators get a way into the console from the panel's header.
    provide_context(ConsoleEntry(Signal::derive(move || {
        token
            .get()
            .filter(|token| panel_claims(token).is_some_and(|claims| claims.role == Role::Admin))
            .map(|token| hash_for(&token, true))
    })));

    view! { <AgentPanel token=token /> }
}
