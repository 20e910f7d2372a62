//! Browser tests of the 7-day sync history: daily totals and runs.

use crate::admin_fixtures::{DAY_MS, days};
use crate::support::mount;
use contract::history::{Run, RunKind};
use contract::mapping::ObjectKind;
use contract::side::Side;
use leptos::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;
use widget::admin::history::{HistoryChart, HistoryTable, Series, axis_step, chart, day_label};

/// 2025-12-10, a Wednesday, at 00:00 UTC.
const TODAY: i64 = 20_432 * DAY_MS;

#[wasm_bindgen_test]
fn the_axis_goes_up_in_four_round_steps() {
    assert_eq!(axis_step(0), 1);
    assert_eq!(axis_step(4), 1);
    assert_eq!(axis_step(7), 2);
    assert_eq!(axis_step(23), 10);
    assert_eq!(axis_step(400), 100);
    assert_eq!(axis_step(1_552), 500);
}

#[wasm_bindgen_test]
fn days_are_labelled_by_weekday_and_date() {
    assert_eq!(day_label(TODAY), ("Wed".to_owned(), "Dec 10".to_owned()));
    assert_eq!(
        day_label(TODAY - 3 * DAY_MS),
        ("Sun".to_owned(), "Dec 7".to_owned())
    );
}

#[wasm_bindgen_test]
fn bars_are_to_scale_and_grouped_by_day() {
    let placed = chart(&days(TODAY));
    assert_eq!(placed.bars.len(), 21, "three bars for each of seven days");
    assert_eq!(placed.axis_max, 400);
    let big = placed
        .bars
        .iter()
        .find(|b| b.day == 5 && b.series == Series::Added)
        .unwrap();
    let small = placed
        .bars
        .iter()
        .find(|b| b.day == 6 && b.series == Series::Updated)
        .unwrap();
    assert_eq!(big.value, 400);
    assert!((small.height / big.height - 20.0 / 400.0).abs() < 1e-9);
    assert!(
        placed
            .bars
            .iter()
            .filter(|b| b.value == 0)
            .all(|b| b.height == 0.0),
        "an empty count has no bar"
    );
    // Groups go left to right, bars inside a group too.
    for pair in placed.bars.windows(2) {
        assert!(pair[0].x < pair[1].x);
    }
    // Bars stand on the baseline.
    let bottom = big.y + big.height;
    assert!(
        placed
            .bars
            .iter()
            .all(|b| (b.y + b.height - bottom).abs() < 1e-9)
    );
}

#[wasm_bindgen_test]
fn the_chart_is_inline_svg_with_a_legend_of_totals() {
    let m = mount(|| view! { <HistoryChart days=days(TODAY) /> });

    assert!(m.query("svg[role=img]").is_some());
    let label = m.query("svg").unwrap().get_attribute("aria-label").unwrap();
    assert_eq!(
        label,
        "Records synced per day over the last 7 days: 408 added, 34 updated, 6 failed."
    );
    assert_eq!(m.all("[data-testid=chart-bar]").len(), 21);
    let failed_today = m
        .query("[data-testid=chart-bar][data-day='6'][data-series=failed]")
        .unwrap();
    assert_eq!(
        failed_today.get_attribute("data-value").as_deref(),
        Some("3")
    );
    assert_eq!(
        m.texts("[data-testid=chart-day]"),
        ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Today"]
    );
    assert_eq!(m.text("legend-added"), "added 408");
    assert_eq!(m.text("legend-failed"), "failed 6");
}

#[wasm_bindgen_test]
fn the_table_lists_each_run() {
    let runs = vec![
        Run {
            at_ms: TODAY,
            kind: RunKind::Incremental,
            from: Side::Helpdesk,
            object: ObjectKind::Contact,
            added: 1,
            updated: 1_204,
            failed: 2,
        },
        Run {
            at_ms: TODAY - DAY_MS,
            kind: RunKind::Initial,
            from: Side::Salesforce,
            object: ObjectKind::Account,
            added: 312,
            updated: 0,
            failed: 0,
        },
    ];
    let m = mount(move || view! { <HistoryTable runs=runs /> });

    let headers = m.texts("thead th");
    assert_eq!(
        headers,
        [
            "Date",
            "Source → target",
            "Type",
            "Added",
            "Updated",
            "Failed"
        ]
    );
    assert_eq!(m.all("[data-testid=history-row]").len(), 2);
    assert_eq!(
        m.texts("[data-testid=run-direction]")[0],
        "Helpdesk → Salesforce"
    );
    assert_eq!(m.texts("[data-testid=run-object]")[1], "Accounts");
    assert_eq!(m.texts("[data-testid=run-updated]")[0], "1,204");
    assert_eq!(m.texts("[data-testid=run-failed]"), ["2", "0"]);
}

#[wasm_bindgen_test]
fn no_runs_says_so() {
    let m = mount(|| view! { <HistoryTable runs=vec![] /> });
    assert_eq!(m.text("history-empty"), "No sync runs in the last 7 days.");
}
