//! The widget's entry point: Trunk builds this binary and loads it from `index.html`, and
//! `cargo xtask build` puts the same bundle in the extension's page.
//!
//! Opened as the Zoho Desk extension's page (which loads Zoho's SDK), it first gets its
//! session through the SDK, even when reloaded with an older one in its fragment. Opened
//! elsewhere (the edge's root, as tests do) with `#ctx=<token>`, it runs with that token.

use widget::api::ClientError;
use widget::components::ErrorState;
use widget::zoho;

fn main() {
    if zoho::is_extension_page() {
        zoho::run_session(|refused| match refused {
            None => leptos::mount::mount_to_body(widget::App),
            // Without a session, what the edge or Zoho said; "Try again" starts over.
            Some(error) => leptos::mount::mount_to_body(move || {
                let reload = |()| {
                    if let Some(window) = web_sys::window() {
                        let _ = window.location().reload();
                    }
                };
                leptos::view! { <ErrorState error=ClientError::from(error.clone()) on_retry=reload /> }
            }),
        });
    } else {
        leptos::mount::mount_to_body(widget::App);
    }
}
