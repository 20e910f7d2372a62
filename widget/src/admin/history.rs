//! Sync history for the last seven days: a bar chart per day of records added, updated
//! and failed (inline SVG), and a table of every run.

use super::parts::{Loaded, direction_label, fetch_into, format_count, loaded_view, when_label};
use crate::api::Client;
use crate::components::format::Now;
use contract::admin::HistoryView;
use contract::calendar::civil_from_days;
use contract::history::{DayTotals, Run, RunKind};
use leptos::prelude::*;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The chart's drawing area, in SVG user units.
pub const WIDTH: f64 = 320.0;
pub const HEIGHT: f64 = 168.0;
const LEFT: f64 = 30.0;
const RIGHT: f64 = 4.0;
const TOP: f64 = 8.0;
const BOTTOM: f64 = 34.0;

/// Which count a bar shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Series {
    Added,
    Updated,
    Failed,
}

impl Series {
    pub const ALL: [Series; 3] = [Series::Added, Series::Updated, Series::Failed];

    pub fn name(self) -> &'static str {
        match self {
            Series::Added => "added",
            Series::Updated => "updated",
            Series::Failed => "failed",
        }
    }

    fn of(self, day: &DayTotals) -> u32 {
        match self {
            Series::Added => day.added,
            Series::Updated => day.updated,
            Series::Failed => day.failed,
        }
    }
}

/// One bar, placed.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub day: usize,
    pub series: Series,
    pub value: u32,
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

/// The chart, placed: the axis' top value, its ticks and every bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub axis_max: u32,
    /// (value, y) of each horizontal grid line, from 0 up.
    pub ticks: Vec<(u32, f64)>,
    pub bars: Vec<Bar>,
    /// (day index, x centre, weekday, date) of each day's label.
    pub labels: Vec<(usize, f64, String, String)>,
}

/// The smallest 1, 2 or 5 times a power of ten that, times four, reaches `max`: four
/// grid steps of round numbers. An empty chart still has an axis (0 to 4).
pub fn axis_step(max: u32) -> u32 {
    let mut power = 1u32;
    loop {
        for factor in [1, 2, 5] {
            let step = factor * power;
            if step.saturating_mul(4) >= max {
                return step;
            }
        }
        power = power.saturating_mul(10);
    }
}

/// `("Mon", "Dec 16")` for a UTC day (the history's days are UTC days).
pub fn day_label(day_ms: i64) -> (String, String) {
    let days = day_ms.div_euclid(DAY_MS);
    let (_, month, day) = civil_from_days(days);
    // 1970-01-01 was a Thursday.
    let weekday = WEEKDAYS[(days + 3).rem_euclid(7) as usize];
    (
        weekday.to_owned(),
        format!(
            "{} {day}",
            MONTHS[(month as usize).saturating_sub(1).min(11)]
        ),
    )
}

/// Places every bar: one group per day, three bars per group, heights to scale.
pub fn chart(days: &[DayTotals]) -> Chart {
    let max = days
        .iter()
        .flat_map(|day| Series::ALL.map(|series| series.of(day)))
        .max()
        .unwrap_or(0);
    let step = axis_step(max);
    let axis_max = step * 4;
    let plot_height = HEIGHT - TOP - BOTTOM;
    let y_of = |value: u32| TOP + plot_height * (1.0 - f64::from(value) / f64::from(axis_max));
    let ticks = (0..=4).map(|i| (i * step, y_of(i * step))).collect();
    let group = (WIDTH - LEFT - RIGHT) / days.len().max(1) as f64;
    let bar_width = (group * 0.22).min(12.0);
    let gap = bar_width * 0.25;
    let cluster = bar_width * 3.0 + gap * 2.0;
    let mut bars = Vec::new();
    let mut labels = Vec::new();
    for (index, day) in days.iter().enumerate() {
        let left = LEFT + group * index as f64;
        let start = left + (group - cluster) / 2.0;
        for (i, series) in Series::ALL.into_iter().enumerate() {
            let value = series.of(day);
            let y = y_of(value);
            bars.push(Bar {
                day: index,
                series,
                value,
                x: start + (bar_width + gap) * i as f64,
                y,
                width: bar_width,
                height: TOP + plot_height - y,
            });
        }
        let (weekday, date) = day_label(day.day_ms);
        labels.push((index, left + group / 2.0, weekday, date));
    }
    Chart {
        axis_max,
        ticks,
        bars,
        labels,
    }
}

/// The chart as inline SVG, with a legend of the week's totals.
#[component]
pub fn HistoryChart(days: Vec<DayTotals>) -> impl IntoView {
    let placed = chart(&days);
    let totals = Series::ALL.map(|series| {
        (
            series,
            days.iter()
                .map(|day| u64::from(series.of(day)))
                .sum::<u64>(),
        )
    });
    let summary = format!(
        "Records synced per day over the last {} days: {} added, {} updated, {} failed.",
        days.len(),
        format_count(totals[0].1),
        format_count(totals[1].1),
        format_count(totals[2].1)
    );
    let today = days.len().saturating_sub(1);
    let bottom = HEIGHT - BOTTOM;
    view! {
        <figure class="chart" data-testid="history-chart">
            <ul class="legend">
                {totals
                    .into_iter()
                    .map(|(series, total)| {
                        view! {
                            <li class=format!("legend-{}", series.name()) data-testid=format!("legend-{}", series.name())>
                                <span class="swatch" aria-hidden="true"></span>
                                <span class="legend-name">{series.name()}</span>
                                " "
                                <strong>{format_count(total)}</strong>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <svg
                viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                role="img"
                aria-label=summary
                preserveAspectRatio="xMidYMid meet"
            >
                {placed
                    .ticks
                    .iter()
                    .map(|(value, y)| {
                        view! {
                            <g class="tick">
                                <line x1=LEFT x2=WIDTH - RIGHT y1=*y y2=*y></line>
                                <text x=LEFT - 6.0 y=y + 3.5 text-anchor="end">
                                    {format_count(u64::from(*value))}
                                </text>
                            </g>
                        }
                    })
                    .collect_view()}
                {placed
                    .bars
                    .iter()
                    .map(|bar| {
                        let (weekday, date) = placed
                            .labels
                            .get(bar.day)
                            .map(|(_, _, w, d)| (w.clone(), d.clone()))
                            .unwrap_or_default();
                        view! {
                            <rect
                                class=format!("bar-{}", bar.series.name())
                                data-testid="chart-bar"
                                data-day=bar.day
                                data-series=bar.series.name()
                                data-value=bar.value
                                x=bar.x
                                y=bar.y
                                width=bar.width
                                height=bar.height
                                rx="1.5"
                            >
                                <title>
                                    {format!(
                                        "{weekday} {date}: {} {}",
                                        format_count(u64::from(bar.value)),
                                        bar.series.name(),
                                    )}
                                </title>
                            </rect>
                        }
                    })
                    .collect_view()}
                <line class="baseline" x1=LEFT x2=WIDTH - RIGHT y1=bottom y2=bottom></line>
                {placed
                    .labels
                    .iter()
                    .map(|(index, x, weekday, date)| {
                        let is_today = *index == today;
                        view! {
                            <text
                                class="day"
                                class:today=is_today
                                x=*x
                                y=bottom + 14.0
                                text-anchor="middle"
                                data-testid="chart-day"
                            >
                                {if is_today { "Today".to_owned() } else { weekday.clone() }}
                            </text>
                            <text class="date" x=*x y=bottom + 26.0 text-anchor="middle">
                                {date.clone()}
                            </text>
                        }
                    })
                    .collect_view()}
            </svg>
        </figure>
    }
}

fn kind_label(kind: RunKind) -> &'static str {
    match kind {
        RunKind::Initial => "Initial sync",
        RunKind::Incremental => "Changes",
        RunKind::Retry => "Retry",
        RunKind::Drift => "Drift repair",
    }
}

/// Every run: date, source → target, record type, added, updated, failed.
#[component]
pub fn HistoryTable(runs: Vec<Run>) -> impl IntoView {
    if runs.is_empty() {
        return view! {
            <p class="empty-note" data-testid="history-empty">
                "No sync runs in the last 7 days."
            </p>
        }
        .into_any();
    }
    let now = Now::current();
    view! {
        <div class="table-scroll">
            <table class="data-table history-table" data-testid="history-table">
                <caption class="visually-hidden">"Sync runs of the last 7 days, newest first"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Date"</th>
                        <th scope="col">"Source → target"</th>
                        <th scope="col">"Type"</th>
                        <th scope="col" class="num">"Added"</th>
                        <th scope="col" class="num">"Updated"</th>
                        <th scope="col" class="num">"Failed"</th>
                    </tr>
                </thead>
                <tbody>
                    {runs
                        .into_iter()
                        .map(|run| {
                            let failed = run.failed > 0;
                            view! {
                                <tr data-testid="history-row">
                                    <td class="run-when">
                                        <span class="nowrap">{when_label(run.at_ms, now)}</span>
                                        <span class="sub">{kind_label(run.kind)}</span>
                                    </td>
                                    <td class="run-direction" data-testid="run-direction">
                                        {direction_label(run.from)}
                                    </td>
                                    <td class="run-object" data-testid="run-object">
                                        {run.object.plural()}
                                    </td>
                                    <td class="num" data-label="Added" data-testid="run-added">
                                        {format_count(u64::from(run.added))}
                                    </td>
                                    <td class="num" data-label="Updated" data-testid="run-updated">
                                        {format_count(u64::from(run.updated))}
                                    </td>
                                    <td class="num" class:failed=failed data-label="Failed" data-testid="run-failed">
                                        {format_count(u64::from(run.failed))}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// The history screen: loads [`HistoryView`], then the chart and the table.
#[component]
pub fn SyncHistory(client: Client) -> impl IntoView {
    let loaded: Loaded<HistoryView> = RwSignal::new(None);
    let load = move || {
        let client = client.clone();
        fetch_into(loaded, async move { client.history().await });
    };
    load();
    let retry = Callback::new(move |()| load());
    view! {
        <div class="screen" data-testid="history">
            <div class="screen-head">
                <h2 class="screen-title">"Sync history"</h2>
                <button
                    type="button"
                    class="link-button"
                    data-testid="history-refresh"
                    on:click=move |_| retry.run(())
                >
                    "Refresh"
                </button>
            </div>
            {loaded_view(loaded, retry, |history: HistoryView| {
                view! {
                    <section class="card">
                        <HistoryChart days=history.days />
                    </section>
                    <section class="card card-flush">
                        <HistoryTable runs=history.runs />
                    </section>
                }
            })}
        </div>
    }
}
