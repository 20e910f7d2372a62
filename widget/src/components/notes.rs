//! The record's notes section, newest first.

use super::format::{Instant, Now, format_date, format_time, relative_date};
use super::item_row::{Body, Part, Row};
use super::section::{Group, SectionData, SectionView};
use contract::api::NoteSummary;
use leptos::prelude::*;

/// A body longer than this (or of more lines than this) is clamped to two lines until
/// the agent asks for the rest.
const PREVIEW_CHARS: usize = 100;
const PREVIEW_LINES: usize = 2;

/// The record's notes (`data-testid="section-notes"`).
#[component]
pub fn NotesSection(notes: Vec<NoteSummary>, now: Now) -> impl IntoView {
    view! { <SectionView section=notes_section(notes, now) /> }
}

/// Notes newest first, each (`data-testid="note"`) with its title, two lines of its body,
/// author and date; "Show more" (`data-testid="body-toggle"`, `aria-expanded`) reveals a
/// long body.
pub fn notes_section(notes: Vec<NoteSummary>, now: Now) -> SectionData {
    SectionData {
        key: "notes",
        title: "Notes",
        count: notes.len(),
        groups: vec![Group::shown(
            notes.into_iter().map(|note| note_row(note, now)).collect(),
            "No notes",
        )],
    }
}

/// A note as a row: title, body (clamped when long), author and date.
pub fn note_row(note: NoteSummary, now: Now) -> Row {
    let NoteSummary {
        id,
        title,
        body,
        author,
        created,
        url,
    } = note;
    let title = if title.trim().is_empty() {
        "Untitled note".to_owned()
    } else {
        title
    };
    let text = body.trim().to_owned();
    let body = (!text.is_empty()).then(|| Body {
        long: text.chars().count() > PREVIEW_CHARS || text.lines().count() > PREVIEW_LINES,
        text,
    });
    let mut parts = Vec::new();
    if let Some(author) = author.filter(|author| !author.trim().is_empty()) {
        parts.push(Part::new("meta-part", "note-author", author));
    }
    if let Some(at) = Instant::parse(&created) {
        parts.push(
            Part::new(
                "meta-part",
                "note-date",
                relative_date(at.local.date, now.today),
            )
            .titled(format!(
                "{}, {}",
                format_date(at.local.date),
                format_time(at.local)
            )),
        );
    }
    Row {
        kind: "note",
        status: "note",
        id: id.to_string(),
        title,
        url,
        aside: None,
        body,
        lines: vec![parts],
    }
}
