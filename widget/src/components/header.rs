//! The panel's title bar: refresh, and the console link for administrators.

use leptos::prelude::*;

/// Where the admin console is, for a context whose role is admin (the fragment to go to);
/// provided by the app, absent in tests that mount the header alone.
#[derive(Debug, Clone, Copy)]
pub struct ConsoleEntry(pub Signal<Option<String>>);

/// The panel's title bar, with the refresh button (`data-testid="refresh"`), which is
/// disabled and spins while a fetch is under way; for administrators, a settings link into
/// the admin console (`data-testid="open-console"`).
#[component]
pub fn PanelHeader(
    /// Whether a fetch is under way.
    #[prop(into)]
    busy: Signal<bool>,
    /// Asks for the panel again.
    #[prop(into)]
    on_refresh: Callback<()>,
) -> impl IntoView {
    let console = use_context::<ConsoleEntry>().map(|entry| entry.0);
    let settings = move || {
        console.and_then(|href| href.get()).map(|href| {
            view! {
                <a
                    class="icon-button"
                    href=href
                    data-testid="open-console"
                    title="Salesforce integration settings"
                    aria-label="Salesforce integration settings"
                >
                    <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
                        <circle cx="12" cy="12" r="3.2" fill="none" stroke="currentColor" stroke-width="2" />
                        <path
                            d="M12 2.8v2.6M12 18.6v2.6M21.2 12h-2.6M5.4 12H2.8M18.5 5.5l-1.8 1.8M7.3 16.7l-1.8 1.8M18.5 18.5l-1.8-1.8M7.3 7.3 5.5 5.5"
                            fill="none"
                            stroke="currentColor"
                            stroke-width="2"
                            stroke-linecap="round"
                        />
                    </svg>
                </a>
            }
        })
    };
    view! {
        <header class="header">
            <span class="brand">
                <span class="brand-mark" aria-hidden="true"></span>
                "Salesforce"
            </span>
            <span class="header-actions">
            {settings}
            <button
                type="button"
                class="icon-button"
                class:busy=move || busy.get()
                data-testid="refresh"
                title="Refresh"
                aria-label="Refresh"
                aria-busy=move || busy.get().to_string()
                disabled=move || busy.get()
                on:click=move |_| on_refresh.run(())
            >
                <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
                    <path
                        d="M19.5 12a7.5 7.5 0 1 1-2.2-5.3"
                        fill="none"
                        stroke="currentColor"
                        stroke-width="2.2"
                        stroke-linecap="round"
                    />
                    <path
                        d="M19.8 3.8v4.4h-4.4"
                        fill="none"
                        stroke="currentColor"
                        stroke-width="2.2"
                        stroke-linecap="round"
                        stroke-linejoin="round"
                    />
                </svg>
            </button>
            </span>
        </header>
    }
}
