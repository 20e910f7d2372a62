//! A Salesforce record and the sections the agent's profile may see.

use super::format::Now;
use super::{
    EventsSection, NotesSection, OpportunitiesSection, RecordHeader, SectionUnavailable,
    TasksSection,
};
use contract::api::{RecordKind, SalesforceView, Section};
use leptos::prelude::*;

/// `Panel::View`: the record and each section the agent's profile may see. A section the
/// profile may not see arrives as `None` and is simply not there; an empty one says so
/// quietly; one the connected org does not serve says why.
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
        unavailable,
        ..
    } = view;
    // A section the org does not serve is its note, in the section's place.
    let note = |section: Section| {
        unavailable
            .iter()
            .find(|note| note.section == section)
            .cloned()
            .map(|note| view! { <SectionUnavailable note=note /> })
    };
    let served = |section: Section| unavailable.iter().all(|note| note.section != section);
    let opportunities = opportunities.filter(|_| served(Section::Opportunities));
    let notes = notes.filter(|_| served(Section::Notes));
    let events = events.filter(|_| served(Section::Events));
    let tasks = tasks.filter(|_| served(Section::Tasks));
    let kind_name = match kind {
        RecordKind::Contact => "contact",
        RecordKind::Account => "account",
    };
    view! {
        <div class="record-view" data-testid="salesforce-view" data-kind=kind_name>
            <RecordHeader kind=kind url=url record=record />
            {opportunities
                .map(|opportunities| view! { <OpportunitiesSection opportunities=opportunities /> })}
            {note(Section::Opportunities)}
            {notes.map(|notes| view! { <NotesSection notes=notes now=now /> })}
            {note(Section::Notes)}
            {events.map(|events| view! { <EventsSection events=events now=now /> })}
            {note(Section::Events)}
            {tasks.map(|tasks| view! { <TasksSection tasks=tasks now=now /> })}
            {note(Section::Tasks)}
        </div>
    }
}
