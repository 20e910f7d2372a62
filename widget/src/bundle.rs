//! The widget ships as two bundles built from this library: the agent panel (`src/main.rs`)
//! and the admin console (`src/bin/console.rs`), so that agents download only the panel.
//! The page loads one of them by its fragment (`view=admin` for the console; `cargo xtask
//! build` writes that choice into the pages). What both do at start is here: get the
//! session, mount their root, and follow the fragment.

use crate::api::ClientError;
use crate::components::ErrorState;
use crate::location::{current_context_token, current_is_console};
use crate::zoho;
use leptos::{ev, prelude::*};

/// Starts a bundle: opened as the Zoho Desk extension's page (which loads Zoho's SDK), it
/// first gets its session through the SDK, even when reloaded with an older one in its
/// fragment. Opened elsewhere (the edge's root, as tests do) with `#ctx=<token>`, it runs
/// with that token.
pub fn start<F, N>(root: F)
where
    F: FnOnce() -> N + 'static,
    N: IntoView + 'static,
{
    if !zoho::is_extension_page() {
        leptos::mount::mount_to_body(root);
        return;
    }
    zoho::run_session(|refused| match refused {
        None => leptos::mount::mount_to_body(root),
        // Without a session, what the edge or Zoho said; "Try again" starts over.
        Some(error) => leptos::mount::mount_to_body(move || {
            let reload = |()| reload();
            view! { <ErrorState error=ClientError::from(error.clone()) on_retry=reload /> }
        }),
    });
}

/// The context token in the fragment, followed as it changes (a helpdesk may move the
/// iframe to another ticket by changing only the fragment). When the fragment asks for the
/// other view than this bundle's (`console` says which this is), the page loads again, so
/// that it loads the other bundle: the panel's console link and the console's way back are
/// fragments with the same session token.
pub fn follow_fragment(console: bool) -> RwSignal<Option<String>> {
    let token = RwSignal::new(current_context_token());
    let listener = window_event_listener(ev::hashchange, move |_| {
        if current_is_console() != console {
            reload();
            return;
        }
        let now = current_context_token();
        if token.with_untracked(|current| *current != now) {
            token.set(now);
        }
    });
    on_cleanup(move || listener.remove());
    token
}

fn reload() {
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}
