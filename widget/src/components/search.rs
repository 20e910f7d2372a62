//! Searching Salesforce by name when the requester matches no record.

use super::format::initials;
use crate::api::Client;
use contract::api::{RecordKind, SEARCH_MIN_CHARS, SearchHit};
use contract::ids::SfId;
use leptos::prelude::*;

/// Searching Salesforce by name, for a requester Salesforce does not know by email: a
/// search form (`data-testid="record-search"`, `search-input`, `search-submit`), then the
/// hits as buttons (`search-hit`, with `data-record-id`), or `search-empty`, or
/// `search-error`. Choosing a hit hands its Id to `on_open`. Only the latest search
/// counts.
#[component]
pub fn RecordSearch(
    /// Sends the search; `None` where there is no context to send it with.
    client: Option<Client>,
    /// Opens a hit.
    #[prop(into)]
    on_open: Callback<SfId>,
) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<(String, Result<Vec<SearchHit>, String>)>);
    let busy = RwSignal::new(false);
    let latest = StoredValue::new(0_u64);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let query = text.get_untracked().trim().to_owned();
        if query.chars().count() < SEARCH_MIN_CHARS {
            outcome.set(Some((
                query,
                Err(format!(
                    "Type at least {SEARCH_MIN_CHARS} letters of a name."
                )),
            )));
            return;
        }
        let Some(client) = client.clone() else {
            outcome.set(Some((
                query,
                Err("This panel has no helpdesk context; reload the helpdesk page.".to_owned()),
            )));
            return;
        };
        let this = latest.get_value() + 1;
        latest.set_value(this);
        busy.set(true);
        leptos::task::spawn_local(async move {
            let found = client.search(&query).await.map_err(|error| {
                let retry = if error.is_retryable() {
                    " Try again."
                } else {
                    ""
                };
                format!(
                    "The search failed: {}.{retry}",
                    error.to_string().trim_end_matches('.')
                )
            });
            if latest.try_get_value() == Some(this) {
                outcome.try_set(Some((query, found)));
                busy.try_set(false);
            }
        });
    };
    let results = move || {
        outcome.get().map(|(query, found)| match found {
            Ok(hits) if hits.is_empty() => view! {
                <p class="search-note" data-testid="search-empty">
                    "Nothing in Salesforce is named like “" {query} "”."
                </p>
            }
            .into_any(),
            Ok(hits) => view! {
                <ul class="choices search-hits" aria-label="Search results">
                    {hits
                        .into_iter()
                        .map(|hit| view! { <Hit hit=hit on_open=on_open /> })
                        .collect_view()}
                </ul>
            }
            .into_any(),
            Err(message) => view! {
                <p class="search-note search-error" role="alert" data-testid="search-error">
                    {message}
                </p>
            }
            .into_any(),
        })
    };
    view! {
        <form class="search" role="search" data-testid="record-search" on:submit=submit>
            <label class="search-label" for="sfd-search">
                "Search Salesforce by name"
            </label>
            <div class="search-row">
                <input
                    id="sfd-search"
                    class="search-input"
                    type="search"
                    placeholder="e.g. Patel or Northwind"
                    autocomplete="off"
                    spellcheck="false"
                    data-testid="search-input"
                    prop:value=move || text.get()
                    on:input=move |event| text.set(event_target_value(&event))
                />
                <button
                    type="submit"
                    class="button"
                    data-testid="search-submit"
                    aria-busy=move || busy.get().to_string()
                    disabled=move || busy.get()
                >
                    "Search"
                </button>
            </div>
            <div class="search-results" aria-live="polite">
                {results}
            </div>
        </form>
    }
}

#[component]
fn Hit(hit: SearchHit, on_open: Callback<SfId>) -> impl IntoView {
    let SearchHit {
        kind,
        id,
        name,
        detail,
    } = hit;
    let (kind_class, kind_label) = match kind {
        RecordKind::Contact => ("avatar avatar-sm avatar-contact", "Contact"),
        RecordKind::Account => ("avatar avatar-sm avatar-account", "Account"),
    };
    let avatar = initials(&name);
    let id_attr = id.to_string();
    view! {
        <li>
            <button
                type="button"
                class="choice"
                data-testid="search-hit"
                data-record-id=id_attr
                on:click=move |_| on_open.run(id.clone())
            >
                <span class=kind_class aria-hidden="true">
                    {avatar}
                </span>
                <span class="choice-text">
                    <span class="choice-name">{name}</span>
                    <span class="choice-sub">
                        {kind_label}
                        {detail.map(|detail| format!(" · {detail}"))}
                    </span>
                </span>
            </button>
        </li>
    }
}
