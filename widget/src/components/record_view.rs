//! A Salesforce record and the sections the agent's profile may see.

use super::format::Now;
use super::{
    ActionBar, CasesSection, EventsSection, NotesSection, OpportunitiesSection, RecordHeader,
    SectionUnavailable, TasksSection,
};
use crate::api::Client;
use contract::api::{ActionDone, RecordKind, SalesforceView, Section};
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
    /// Takes the actions the view offers; without it none is offered.
    #[prop(default = None)]
    client: Option<Client>,
    /// Runs once an action made something (the panel reads it again).
    #[prop(default = None)]
    on_action: Option<Callback<ActionDone>>,
) -> impl IntoView {
    let now = now.unwrap_or_else(Now::current);
    let SalesforceView {
        kind,
        id,
        url,
        record,
        opportunities,
        notes,
        events,
        tasks,
        cases,
        ticket_case,
        actions,
        unavailable,
    } = view;
    let actions = (client.is_some() && (!actions.is_empty() || ticket_case.is_some())).then(|| {
        view! {
            <ActionBar
                actions=actions
                record=Some(id)
                client=client
                on_done=on_action
                ticket_case=ticket_case.map(|case| *case)
            />
        }
    });
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
            {actions}
            {opportunities
                .map(|opportunities| view! { <OpportunitiesSection opportunities=opportunities /> })}
            {note(Section::Opportunities)}
            {notes.map(|notes| view! { <NotesSection notes=notes now=now /> })}
            {note(Section::Notes)}
            {events.map(|events| view! { <EventsSection events=events now=now /> })}
            {note(Section::Events)}
            {tasks.map(|tasks| view! { <TasksSection tasks=tasks now=now /> })}
            {note(Section::Tasks)}
            {cases.map(|cases| view! { <CasesSection cases=cases /> })}
        </div>
    }
}
