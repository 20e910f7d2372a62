//! A section the agent's profile may see but the connected org does not serve.

use contract::api::SectionNote;
use contract::wire_name::WireName;
use leptos::prelude::*;

/// The section's title and why it shows nothing (`data-testid="section-unavailable"`,
/// `data-section` = `opportunities`, `notes`, `events` or `tasks`): the connected
/// Salesforce user may not read it, which only a Salesforce admin can change.
#[component]
pub fn SectionUnavailable(note: SectionNote) -> impl IntoView {
    let SectionNote { section, message } = note;
    view! {
        <section class="section section-unavailable" data-testid="section-unavailable" data-section=section.wire_name()>
            <h3 class="section-heading">
                <span class="section-title">{section.title()}</span>
            </h3>
            <p class="empty" role="note">
                {message}
            </p>
        </section>
    }
}
