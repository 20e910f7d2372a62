//! Small pieces every console screen uses: labels for the contract's enums, number and
//! time formatting, loading and error states, and the fetch-into-a-signal helper.

use crate::api::ClientError;
use crate::components::ErrorState;
use crate::components::format::{Now, format_time, local_from_ms, relative_date};
use contract::mapping::ObjectKind;
use contract::side::Side;
use leptos::prelude::*;
use std::future::Future;

/// A value being fetched: `None` until the first answer.
pub type Loaded<T> = RwSignal<Option<Result<T, ClientError>>>;

/// Runs `fetch` and puts its answer into `target` (unless the screen is gone by then).
pub fn fetch_into<T, F>(target: Loaded<T>, fetch: F)
where
    T: Send + Sync + 'static,
    F: Future<Output = Result<T, ClientError>> + 'static,
{
    leptos::task::spawn_local(async move {
        let outcome = fetch.await;
        target.try_set(Some(outcome));
    });
}

/// A screen's data: fetched now, and again (from the loading state) each time the
/// returned callback runs ("Try again").
pub fn load_now<T, F, Fut>(fetch: F) -> (Loaded<T>, Callback<()>)
where
    T: Send + Sync + 'static,
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<T, ClientError>> + 'static,
{
    let loaded: Loaded<T> = RwSignal::new(None);
    let load = move || {
        loaded.set(None);
        fetch_into(loaded, fetch());
    };
    load();
    (loaded, Callback::new(move |()| load()))
}

/// `Salesforce → Helpdesk`: the direction from side `from`.
pub fn direction_label(from: Side) -> &'static str {
    match from {
        Side::Salesforce => "Salesforce → Helpdesk",
        Side::Helpdesk => "Helpdesk → Salesforce",
    }
}

/// `contact` / `account`, for sentences.
pub fn object_singular(object: ObjectKind) -> &'static str {
    match object {
        ObjectKind::Contact => "Contact",
        ObjectKind::Account => "Account",
    }
}

/// `1,234,567`.
pub fn format_count(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// When something happened, in the admin's time zone: `Today, 2:05 PM`,
/// `Yesterday, 9:30 AM`, `Dec 16, 2025, 4:00 PM`.
pub fn when_label(at_ms: i64, now: Now) -> String {
    let local = local_from_ms(at_ms as f64);
    format!(
        "{}, {}",
        relative_date(local.date, now.today),
        format_time(local)
    )
}

/// A few shimmering lines while a screen's data loads (`data-testid="loading"`).
#[component]
pub fn LoadingLines(#[prop(default = 3)] lines: usize) -> impl IntoView {
    let widths = ["w80", "w60", "w70", "w45", "w30"];
    view! {
        <div class="card admin-loading" data-testid="loading" aria-busy="true" aria-live="polite">
            <span class="visually-hidden">"Loading…"</span>
            {(0..lines)
                .map(|i| {
                    view! { <div class=format!("sk sk-line {}", widths[i % widths.len()])></div> }
                })
                .collect_view()}
        </div>
    }
}

/// What a screen shows for its fetch: loading lines, the error (with "Try again"), or
/// `ready` with the value.
pub fn loaded_view<T, V>(
    loaded: Loaded<T>,
    on_retry: Callback<()>,
    ready: impl Fn(T) -> V + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    move || match loaded.get() {
        None => view! { <LoadingLines /> }.into_any(),
        Some(Err(error)) => view! { <ErrorState error=error on_retry=on_retry /> }.into_any(),
        Some(Ok(value)) => ready(value).into_any(),
    }
}

/// A one-line message under an action: what happened, in the matching colour.
#[component]
pub fn Notice(
    /// `success`, `error` or `info`.
    tone: &'static str,
    #[prop(into)] text: String,
    #[prop(default = "notice")] test_id: &'static str,
) -> impl IntoView {
    let role = if tone == "error" { "alert" } else { "status" };
    view! {
        <p class=format!("notice notice-{tone}") role=role data-testid=test_id>
            {text}
        </p>
    }
}
