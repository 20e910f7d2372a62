//! A Salesforce record and the sections the agent's profile may see.

use super::format::Now;
use super::{EventsSection, NotesSection, OpportunitiesSection, RecordHeader, TasksSection};
use contract::api::{RecordKind, SalesforceView};
use leptos::prelude::*;

/// `Panel::View`: the record and each section the agent's profile may see. A section the
/// profile may not see arrives as `None` and is simply not there; an empty one says so
/// quietly.
#[component]
pub fn RecordView(
    view: SalesforceView,
    /// The clock to compare dates with (overdue tasks, upcoming events); the browser's
    /// when not given.
    #[prop(optional)]
    now: Option<Now>,
) -> impl IntoView {
    let now = now.unwrap_or_else(Now::current);
    let SalesforceView {
        kind,
        url,
        record,
        opportunities,
        notes,
        events,
        tasks,
        ..
    } = view;
    let kind_name = match kind {
        RecordKind::Contact => "contact",
        RecordKind::Account => "account",
    };
    view! {
        <div class="record-view" data-testid="salesforce-view" data-kind=kind_name>
            <RecordHeader kind=kind url=url record=record />
            {opportunities
                .map(|opportunities| view! { <OpportunitiesSection opportunities=opportunities /> })}
            {notes.map(|notes| view! { <NotesSection notes=notes now=now /> })}
            {events.map(|events| view! { <EventsSection events=events now=now /> })}
            {tasks.map(|tasks| view! { <TasksSection tasks=tasks now=now /> })}
        </div>
    }
}
