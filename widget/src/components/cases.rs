//! The record's cases section: open cases newest first, closed ones folded below.

use super::format::{Instant, format_date};
use super::item_row::{Part, Row};
use super::section::{Group, SectionData, SectionView};
use contract::api::{CaseSummary, RECENTLY_CLOSED_DAYS};
use leptos::prelude::*;

/// The record's cases (`data-testid="section-cases"`).
#[component]
pub fn CasesSection(cases: Vec<CaseSummary>) -> impl IntoView {
    view! { <SectionView section=cases_section(cases) /> }
}

/// Open cases first, then closed ones folded away (`data-testid="closed-cases"`). Each
/// row (`data-testid="case"`, `data-status` `open` or `closed`) shows the case number and
/// subject, a priority badge, its status and when it was opened (and closed).
pub fn cases_section(cases: Vec<CaseSummary>) -> SectionData {
    let count = cases.len();
    let (open, closed): (Vec<Row>, Vec<Row>) = cases
        .into_iter()
        .map(case_row)
        .partition(|row| row.status == "open");
    let mut groups = vec![Group::shown(open, "No open cases")];
    if !closed.is_empty() {
        groups.push(Group {
            label: None,
            folded: Some(format!(
                "Closed in the last {RECENTLY_CLOSED_DAYS} days ({})",
                closed.len()
            )),
            test_id: Some("closed-cases"),
            rows: closed,
            empty: None,
        });
    }
    SectionData {
        key: "cases",
        title: "Cases",
        count,
        groups,
    }
}

/// `2026-11-23T08:15:00Z` as the day it falls on here.
fn day_of(timestamp: Option<&str>) -> Option<String> {
    let instant = Instant::parse(timestamp?)?;
    Some(format_date(instant.local.date))
}

/// A case as a row.
pub fn case_row(case: CaseSummary) -> Row {
    let CaseSummary {
        id,
        number,
        subject,
        status,
        priority,
        is_closed,
        opened,
        closed,
        url,
    } = case;
    let mut parts = Vec::new();
    if let Some(status) = status.filter(|s| !s.trim().is_empty()) {
        parts.push(Part::new("meta-part", "case-status", status));
    }
    if let Some(day) = day_of(opened.as_deref()) {
        parts.push(Part::new(
            "meta-part",
            "case-opened",
            format!("Opened {day}"),
        ));
    }
    if let Some(day) = day_of(closed.as_deref()) {
        parts.push(Part::new(
            "meta-part",
            "case-closed",
            format!("Closed {day}"),
        ));
    }
    let title = match subject.filter(|s| !s.trim().is_empty()) {
        Some(subject) => format!("{number} · {subject}"),
        None => number,
    };
    Row {
        kind: "case",
        status: if is_closed { "closed" } else { "open" },
        id: id.to_string(),
        title,
        url,
        aside: priority
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .map(|p| {
                Part::new(
                    format!("badge priority-{}", p.to_ascii_lowercase()),
                    "case-priority",
                    p,
                )
                .titled("Priority")
            }),
        body: None,
        lines: vec![parts],
    }
}
