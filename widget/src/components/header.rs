use leptos::prelude::*;

/// The panel's title bar, with the refresh button (`data-testid="refresh"`), which is
/// disabled and spins while a fetch is under way.
#[component]
pub fn PanelHeader(
    /// Whether a fetch is under way.
    #[prop(into)]
    busy: Signal<bool>,
    /// Asks for the panel again.
    #[prop(into)]
    on_refresh: Callback<()>,
) -> impl IntoView {
    view! {
        <header class="header">
            <span class="brand">
                <span class="brand-mark" aria-hidden="true"></span>
                "Salesforce"
            </span>
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
        </header>
    }
}
