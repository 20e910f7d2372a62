//! The record's events section: upcoming first, then past.

use super::format::{CalendarDate, Instant, Now, event_when, relative_day};
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
        if event.all_day {
            // A day, the same in every time zone: past once it is over here.
            return last
                .and_then(CalendarDate::parse)
                .is_none_or(|day| day >= now.today);
        }
        last.and_then(Instant::parse)
            .is_none_or(|instant| instant.ms >= now.ms)
    });
    past.reverse();
    (upcoming, past)
}

/// An all-day event's days, never moved by the agent's time zone: `Tue, Dec 16, 2025 ·
/// All day`, or `Dec 16, 2025 – Dec 18, 2025 · All day`.
fn all_day_when(start: Option<&str>, end: Option<&str>, today: CalendarDate) -> Option<String> {
    let first = start.and_then(CalendarDate::parse)?;
    let last = end
        .and_then(CalendarDate::parse)
        .filter(|last| *last > first);
    Some(match last {
        Some(last) => format!(
            "{} – {} · All day",
            relative_day(first, today),
            relative_day(last, today)
        ),
        None => format!("{} · All day", relative_day(first, today)),
    })
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
        all_day,
    } = event;
    let when = if all_day {
        all_day_when(start.as_deref(), end.as_deref(), now.today)
    } else {
        let start = start.as_deref().and_then(Instant::parse);
        let end = end.as_deref().and_then(Instant::parse);
        event_when(start.map(|s| s.local), end.map(|e| e.local), now.today)
    }
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
