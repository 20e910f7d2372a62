//! The record's events section: upcoming first, then past.

use super::format::{Instant, Now, event_when};
use super::item_row::{Part, Row};
use super::section::{Group, SectionData, SectionView};
use contract::api::EventSummary;
use leptos::prelude::*;

/// The record's events (`data-testid="section-events"`).
#[component]
pub fn EventsSection(events: Vec<EventSummary>, now: Now) -> impl IntoView {
    view! { <SectionView section=events_section(events, now) /> }
}

/// Upcoming events first, soonest first; then past ones, latest first. Each
/// (`data-testid="event"`, `data-status` = `upcoming` or `past`) shows its subject, when,
/// and where.
pub fn events_section(events: Vec<EventSummary>, now: Now) -> SectionData {
    let count = events.len();
    let (upcoming, past) = split_events(events, now);
    let rows = |events: Vec<EventSummary>, status| {
        events
            .into_iter()
            .map(|event| event_row(event, status, now))
            .collect::<Vec<_>>()
    };
    let upcoming = Group {
        label: Some("Upcoming"),
        test_id: Some("upcoming-events"),
        ..Group::shown(
            rows(upcoming, "upcoming"),
            if past.is_empty() {
                "No events"
            } else {
                "No upcoming events"
            },
        )
    };
    let past = Group {
        label: Some("Past"),
        folded: None,
        test_id: Some("past-events"),
        rows: rows(past, "past"),
        empty: None,
    };
    SectionData {
        key: "events",
        title: "Events",
        count,
        groups: vec![upcoming, past],
    }
}

/// Upcoming (not yet ended, or undated) events in the order given, and past ones latest
/// first.
pub fn split_events(events: Vec<EventSummary>, now: Now) -> (Vec<EventSummary>, Vec<EventSummary>) {
    let (upcoming, mut past): (Vec<_>, Vec<_>) = events.into_iter().partition(|event| {
        let last = event.end.as_deref().or(event.start.as_deref());
        last.and_then(Instant::parse)
            .is_none_or(|instant| instant.ms >= now.ms)
    });
    past.reverse();
    (upcoming, past)
}

/// An event as a row: subject; when; where.
pub fn event_row(event: EventSummary, status: &'static str, now: Now) -> Row {
    let EventSummary {
        id,
        subject,
        start,
        end,
        location,
        url,
    } = event;
    let start = start.as_deref().and_then(Instant::parse);
    let end = end.as_deref().and_then(Instant::parse);
    let when = event_when(start.map(|s| s.local), end.map(|e| e.local), now.today)
        .unwrap_or_else(|| "No date".to_owned());
    let mut lines = vec![vec![Part::new("meta-part when", "event-when", when)]];
    if let Some(location) = location.filter(|location| !location.trim().is_empty()) {
        lines.push(vec![
            Part::new("meta-part location", "event-location", location).titled("Location"),
        ]);
    }
    Row {
        kind: "event",
        status,
        id: id.to_string(),
        title: subject,
        url,
        aside: None,
        body: None,
        lines,
    }
}
