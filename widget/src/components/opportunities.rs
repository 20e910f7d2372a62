//! The record's opportunities section: open ones, then the closed ones folded.

use super::format::{CalendarDate, format_date, format_money, format_percent};
use super::item_row::{Part, Row};
use super::section::{Group, SectionData, SectionView};
use contract::api::OpportunitySummary;
use leptos::prelude::*;

/// The record's opportunities (`data-testid="section-opportunities"`).
#[component]
pub fn OpportunitiesSection(opportunities: Vec<OpportunitySummary>) -> impl IntoView {
    view! { <SectionView section=opportunities_section(opportunities) /> }
}

/// Open opportunities as they come (by close date) with stage, amount, close date and
/// probability (`data-testid="open-opportunities"`); closed ones below, folded in
/// "Closed (N)" (`data-testid="closed-opportunities"`), marked won or lost
/// (`data-status`). Each row is `data-testid="opportunity"`.
pub fn opportunities_section(opportunities: Vec<OpportunitySummary>) -> SectionData {
    let count = opportunities.len();
    let (open, closed): (Vec<_>, Vec<_>) = opportunities
        .into_iter()
        .map(opportunity_row)
        .partition(|row| row.status == "open");
    let mut groups = vec![Group {
        test_id: Some("open-opportunities"),
        ..Group::shown(
            open,
            if count == 0 {
                "No opportunities"
            } else {
                "No open opportunities"
            },
        )
    }];
    if !closed.is_empty() {
        groups.push(Group {
            label: None,
            folded: Some(format!("Closed ({})", closed.len())),
            test_id: Some("closed-opportunities"),
            rows: closed,
            empty: None,
        });
    }
    SectionData {
        key: "opportunities",
        title: "Opportunities",
        count,
        groups,
    }
}

/// An opportunity as a row: name, amount in its currency; stage, close date,
/// probability (open ones), the contact's role on it; the admin's chosen fields.
pub fn opportunity_row(opportunity: OpportunitySummary) -> Row {
    let OpportunitySummary {
        id,
        name,
        stage,
        amount,
        currency,
        close_date,
        probability,
        is_closed,
        is_won,
        url,
        role,
        fields,
    } = opportunity;
    let status = match (is_closed, is_won) {
        (false, _) => "open",
        (true, true) => "won",
        (true, false) => "lost",
    };
    let mut parts = vec![Part::new(
        format!("pill pill-{status}"),
        "opportunity-stage",
        stage,
    )];
    if let Some(date) = close_date.as_deref().and_then(CalendarDate::parse) {
        let verb = if is_closed { "Closed" } else { "Closes" };
        parts.push(Part::new(
            "meta-part",
            "opportunity-close-date",
            format!("{verb} {}", format_date(date)),
        ));
    }
    if let Some(probability) = probability.filter(|_| !is_closed) {
        parts.push(
            Part::new(
                "meta-part",
                "opportunity-probability",
                format_percent(probability),
            )
            .titled("Probability"),
        );
    }
    if let Some(role) = role.filter(|role| !role.trim().is_empty()) {
        parts.push(Part::new("meta-part", "opportunity-role", role).titled("Contact role"));
    }
    let mut lines = vec![parts];
    // The fields the admin chose for opportunities, as `Label: value`.
    if !fields.is_empty() {
        lines.push(
            fields
                .into_iter()
                .map(|field| {
                    Part::new(
                        "meta-part",
                        "opportunity-field",
                        format!("{}: {}", field.label, field.value),
                    )
                })
                .collect(),
        );
    }
    Row {
        kind: "opportunity",
        status,
        id: id.to_string(),
        title: name,
        url,
        aside: amount.map(|amount| {
            Part::new(
                "amount",
                "opportunity-amount",
                format_money(amount, currency.as_deref()),
            )
        }),
        body: None,
        lines,
    }
}
