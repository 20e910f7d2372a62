//! The loading skeleton shown while the panel fetches.

use leptos::prelude::*;

/// Grey placeholder shapes of a record and a section, shimmering while the panel loads.
#[component]
pub fn LoadingSkeleton() -> impl IntoView {
    view! {
        <div class="skeleton" data-testid="loading" role="status" aria-busy="true">
            <span class="visually-hidden">"Loading Salesforce…"</span>
            <div class="sk-head" aria-hidden="true">
                <div class="sk sk-avatar"></div>
                <div class="sk-lines">
                    <div class="sk sk-line w70"></div>
                    <div class="sk sk-line w45"></div>
                </div>
            </div>
            <div class="sk-fields" aria-hidden="true">
                <div class="sk sk-line w30"></div>
                <div class="sk sk-line w80"></div>
                <div class="sk sk-line w30"></div>
                <div class="sk sk-line w60"></div>
            </div>
            <div class="sk sk-button" aria-hidden="true"></div>
            <div class="sk-section" aria-hidden="true">
                <div class="sk sk-line w30"></div>
                <div class="sk sk-line w80"></div>
                <div class="sk sk-line w60"></div>
            </div>
        </div>
    }
}
