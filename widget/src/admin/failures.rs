//! The failure log: by record type, each record that could not be synced with its time and
//! reason, "Try again" per record and "Try all again".

use super::parts::{
    Loaded, Notice, direction_label, fetch_into, loaded_view, object_singular, when_label,
};
use crate::api::Client;
use crate::components::format::Now;
use contract::admin::{FailureView, RetryRequest, RetryResult};
use contract::mapping::ObjectKind;
use leptos::prelude::*;

/// What a retry did, in words: `Synced 2 of 3 records; 1 still fails.`
pub fn retry_summary(result: &RetryResult) -> String {
    let records = |n: u32| if n == 1 { "record" } else { "records" };
    match (result.retried, result.failed) {
        (0, _) => "Nothing to retry.".to_owned(),
        (n, 0) if n == result.succeeded => {
            format!("Synced {n} {} again.", records(n))
        }
        (n, failed) => format!(
            "Synced {} of {n} {}; {failed} still {}.",
            result.succeeded,
            records(n),
            if failed == 1 { "fails" } else { "fail" }
        ),
    }
}

/// The failure log screen.
#[component]
pub fn FailureLog(
    client: Client,
    /// Runs after a retry (e.g. so the console's badge and history catch up).
    #[prop(optional, into)]
    on_retried: Option<Callback<()>>,
) -> impl IntoView {
    let loaded: Loaded<Vec<FailureView>> = RwSignal::new(None);
    let load = {
        let client = client.clone();
        move || {
            let client = client.clone();
            fetch_into(loaded, async move { client.failures().await });
        }
    };
    load();
    let reload = Callback::new(move |()| load());
    let result = RwSignal::new(None::<Result<String, String>>);
    let filter = RwSignal::new(None::<ObjectKind>);
    let on_retried = Callback::new(move |()| {
        reload.run(());
        if let Some(callback) = on_retried {
            callback.run(());
        }
    });
    view! {
        <div class="screen" data-testid="failures">
            <div class="screen-head">
                <h2 class="screen-title">"Failure log"</h2>
                <span class="head-actions">
                    <ExportCsv client=client.clone() />
                    <button
                        type="button"
                        class="link-button"
                        data-testid="failures-refresh"
                        on:click=move |_| reload.run(())
                    >
                        "Refresh"
                    </button>
                </span>
            </div>
            {move || result.get().map(result_notice)}
            {loaded_view(loaded, reload, move |failures| {
                view! {
                    <FailureList
                        client=client.clone()
                        failures=failures
                        result=result
                        filter=filter
                        on_retried=on_retried
                    />
                }
            })}
        </div>
    }
}

/// The failures, filtered by record type, with the retry buttons.
#[component]
pub fn FailureList(
    client: Client,
    failures: Vec<FailureView>,
    /// Where the outcome of a retry is told (it outlives this list, which is shown anew
    /// once the log reloads).
    result: RwSignal<Option<Result<String, String>>>,
    /// The record type shown (`None`: all).
    filter: RwSignal<Option<ObjectKind>>,
    #[prop(into)] on_retried: Callback<()>,
) -> impl IntoView {
    let busy = RwSignal::new(None::<Option<i64>>);
    let count = |object: Option<ObjectKind>| {
        failures
            .iter()
            .filter(|f| object.is_none_or(|o| f.object == o))
            .count()
    };
    let counts = [
        (None, "All", count(None)),
        (
            Some(ObjectKind::Contact),
            "Contacts",
            count(Some(ObjectKind::Contact)),
        ),
        (
            Some(ObjectKind::Account),
            "Accounts",
            count(Some(ObjectKind::Account)),
        ),
    ];
    let failures = StoredValue::new(failures);
    let retry = move |request: RetryRequest, which: Option<i64>| {
        let client = client.clone();
        busy.set(Some(which));
        result.set(None);
        leptos::task::spawn_local(async move {
            let outcome = client.retry(&request).await;
            busy.try_set(None);
            result.try_set(Some(
                outcome
                    .map(|r| retry_summary(&r))
                    .map_err(|error| format!("Retry failed: {error}")),
            ));
            on_retried.run(());
        });
    };
    let retry = StoredValue::new(retry);

    if failures.with_value(Vec::is_empty) {
        return view! {
            <div class="card empty-card" data-testid="failures-empty">
                <span class="dot dot-success" aria-hidden="true"></span>
                <strong>"No failures."</strong>
                <span class="muted">"Every record of the last 7 days synced."</span>
            </div>
        }
        .into_any();
    }

    let now = Now::current();
    view! {
        <div class="failure-tools">
            <div class="segmented" role="group" aria-label="Record type">
                {counts
                    .into_iter()
                    .map(|(object, label, n)| {
                        let slug = object.map_or("all", |o| o.salesforce_name());
                        view! {
                            <button
                                type="button"
                                class="segment"
                                aria-pressed=move || (filter.get() == object).to_string()
                                data-testid=format!("failure-filter-{}", slug.to_lowercase())
                                on:click=move |_| filter.set(object)
                            >
                                {label}
                                " "
                                <span class="count">{n}</span>
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
            <button
                type="button"
                class="button button-small"
                data-testid="retry-all"
                disabled=move || busy.get().is_some()
                on:click=move |_| {
                    retry.with_value(|retry| retry(RetryRequest::All { object: filter.get_untracked() }, None))
                }
            >
                {move || if busy.get() == Some(None) { "Retrying…" } else { "Try all again" }}
            </button>
        </div>
        <ul class="card card-flush failure-list" data-testid="failure-list">
            {move || {
                let shown = filter.get();
                failures
                    .with_value(|all| {
                        all.iter()
                            .filter(|f| shown.is_none_or(|o| f.object == o))
                            .cloned()
                            .collect::<Vec<_>>()
                    })
                    .into_iter()
                    .map(|failure| {
                        let id = failure.id;
                        view! {
                            <li class="failure" data-testid="failure" data-failure-id=id>
                                <div class="failure-top">
                                    <span class="failure-label" data-testid="failure-label">
                                        {failure.label.clone()}
                                    </span>
                                    <button
                                        type="button"
                                        class="link-button"
                                        data-testid="retry-one"
                                        disabled=move || busy.get().is_some()
                                        aria-label=format!("Try {} again", failure.label)
                                        on:click=move |_| {
                                            retry.with_value(|retry| retry(RetryRequest::Records { ids: vec![id] }, Some(id)))
                                        }
                                    >
                                        {move || if busy.get() == Some(Some(id)) { "Retrying…" } else { "Try again" }}
                                    </button>
                                </div>
                                <p class="failure-reason" data-testid="failure-reason">
                                    {failure.reason.clone()}
                                </p>
                                <div class="failure-meta">
                                    <span class="meta-part">{object_singular(failure.object)}</span>
                                    " "
                                    <span class="meta-part">{direction_label(failure.from)}</span>
                                    " "
                                    <span class="meta-part">{when_label(failure.at_ms, now)}</span>
                                </div>
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ul>
    }
    .into_any()
}

/// The name the export is saved under.
pub const CSV_FILE_NAME: &str = "sfdesk-failures.csv";

/// A `data:` URL holding `csv`, for a download link.
pub fn csv_data_url(csv: &str) -> String {
    let encoded: String = js_sys::encode_uri_component(csv).into();
    format!("data:text/csv;charset=utf-8,{encoded}")
}

/// "Export CSV": reads the log as CSV from the edge (the request carries the admin's
/// token, which a plain link could not), then saves it through a download link.
#[component]
fn ExportCsv(client: Client) -> impl IntoView {
    let busy = RwSignal::new(false);
    let failed = RwSignal::new(None::<String>);
    let link = NodeRef::<leptos::html::A>::new();
    let export = move |_| {
        let client = client.clone();
        busy.set(true);
        failed.set(None);
        leptos::task::spawn_local(async move {
            let answer = client.failures_csv().await;
            busy.try_set(false);
            match answer {
                Ok(csv) => {
                    if let Some(anchor) = link.get_untracked() {
                        anchor.set_href(&csv_data_url(&csv));
                        anchor.click();
                    }
                }
                Err(error) => {
                    failed.try_set(Some(format!("The export failed: {error}")));
                }
            }
        });
    };
    view! {
        <button
            type="button"
            class="link-button"
            data-testid="export-csv"
            disabled=move || busy.get()
            on:click=export
        >
            {move || if busy.get() { "Exporting…" } else { "Export CSV" }}
        </button>
        <a node_ref=link class="visually-hidden" download=CSV_FILE_NAME data-testid="export-csv-link" aria-hidden="true" tabindex="-1"></a>
        {move || failed.get().map(|text| view! { <Notice tone="error" text=text test_id="export-error" /> })}
    }
}

fn result_notice(result: Result<String, String>) -> impl IntoView {
    match result {
        Ok(text) => view! { <Notice tone="success" text=text test_id="retry-result" /> },
        Err(text) => view! { <Notice tone="error" text=text test_id="retry-result" /> },
    }
}
