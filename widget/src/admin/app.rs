//! The admin console bundle's root: the console for the context token in the URL fragment.

use super::AdminConsole;
use crate::bundle::follow_fragment;
use leptos::prelude::*;

/// The admin console for the token in the fragment, followed as it changes. Its way back to
/// the panel is a fragment without `view=admin`, which reloads the page into the panel's
/// bundle.
#[component]
pub fn ConsoleApp() -> impl IntoView {
    let token = follow_fragment(true);
    view! { <AdminConsole token=token /> }
}
