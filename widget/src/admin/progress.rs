//! The initial sync's progress: a bar per object and direction with records done / total,
//! the rate and the time remaining. The numbers come from the edge's [`SyncStatus`] (so
//! they survive closing the widget); the rate is measured between polls, or, right after
//! opening, estimated from the sync's start.

use super::parts::{direction_label, format_count, when_label};
use crate::components::format::Now;
use contract::admin::{StepProgress, SyncState, SyncStatus};
use leptos::prelude::*;

/// One reading of a step's `done`, at a time (Unix ms).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    pub at_ms: f64,
    pub done: u64,
}

/// How far a step is, 0 to 100; `None` while its total is unknown. A finished step is
/// 100, whatever its counts.
pub fn percent(step: &StepProgress) -> Option<u32> {
    if step.finished {
        return Some(100);
    }
    let total = step.total?;
    if total == 0 {
        return Some(100);
    }
    Some((step.done.min(total).saturating_mul(100) / total) as u32)
}

/// Records per second between the oldest and newest sample at least a second apart;
/// `None` without such a pair or without progress.
pub fn rate_per_sec(samples: &[Sample]) -> Option<f64> {
    let (first, last) = (samples.first()?, samples.last()?);
    let seconds = (last.at_ms - first.at_ms) / 1000.0;
    let records = last.done.checked_sub(first.done)?;
    (seconds >= 1.0 && records > 0).then(|| records as f64 / seconds)
}

/// The whole sync's average rate since it started: right after the console opens there
/// is only one sample, and this is what is known.
pub fn average_rate(status: &SyncStatus, now_ms: f64) -> Option<f64> {
    let started = status.started_ms? as f64;
    let seconds = (now_ms - started) / 1000.0;
    let done: u64 = status.steps.iter().map(|step| step.done).sum();
    (seconds >= 1.0 && done > 0).then(|| done as f64 / seconds)
}

/// Seconds until `total` at `rate`; `None` when it cannot be told.
pub fn remaining_secs(done: u64, total: Option<u64>, rate: Option<f64>) -> Option<f64> {
    let (total, rate) = (total?, rate?);
    (rate > 0.0).then(|| total.saturating_sub(done) as f64 / rate)
}

/// `240 records/s`, `12 records/min`.
pub fn format_rate(per_sec: f64) -> String {
    if per_sec >= 1.0 {
        format!("{} records/s", format_count(per_sec.round() as u64))
    } else {
        format!(
            "{} records/min",
            format_count((per_sec * 60.0).round().max(1.0) as u64)
        )
    }
}

/// `Less than a minute left`, `About 4 min left`, `About 1 h 20 min left`.
pub fn format_remaining(seconds: f64) -> String {
    let minutes = (seconds / 60.0).ceil() as u64;
    match minutes {
        0 | 1 if seconds < 60.0 => "Less than a minute left".to_owned(),
        0..=59 => format!("About {minutes} min left"),
        _ => {
            let (hours, minutes) = (minutes / 60, minutes % 60);
            if minutes == 0 {
                format!("About {hours} h left")
            } else {
                format!("About {hours} h {minutes} min left")
            }
        }
    }
}

/// The whole initial sync, 0 to 100, over the steps whose totals are known.
pub fn overall_percent(steps: &[StepProgress]) -> Option<u32> {
    if steps.is_empty() {
        return None;
    }
    if steps.iter().all(|step| step.finished) {
        return Some(100);
    }
    let (done, total) = steps.iter().fold((0u64, 0u64), |(done, total), step| {
        match (step.finished, step.total) {
            (true, _) => (done + step.done.max(1), total + step.done.max(1)),
            (false, Some(t)) => (done + step.done.min(t), total + t),
            (false, None) => (done, total + step.done.max(1) * 2),
        }
    });
    (total > 0).then(|| (done.saturating_mul(100) / total).min(99) as u32)
}

/// `Contacts · Salesforce → Helpdesk`.
pub fn step_label(step: &StepProgress) -> String {
    format!("{} · {}", step.object.plural(), direction_label(step.from))
}

/// The progress of every step, fed with each status the console polls.
#[component]
pub fn SyncProgress(#[prop(into)] status: Signal<SyncStatus>) -> impl IntoView {
    // Recent samples per step (steps keep their order), for the measured rate.
    let samples = StoredValue::new(Vec::<Vec<Sample>>::new());
    let rows = Memo::new(move |_| {
        let status = status.get();
        let now = js_sys::Date::now();
        let running = status.state == SyncState::InitialSync;
        let average = average_rate(&status, now);
        samples.update_value(|samples| {
            samples.resize(status.steps.len(), Vec::new());
            for (history, step) in samples.iter_mut().zip(&status.steps) {
                if history.last().is_some_and(|last| last.done > step.done) {
                    history.clear();
                }
                history.push(Sample {
                    at_ms: now,
                    done: step.done,
                });
                // About the last half minute.
                history.retain(|sample| now - sample.at_ms <= 30_000.0);
            }
        });
        // Only the step under way is measured; others are done or waiting.
        let active = status.steps.iter().position(|step| !step.finished);
        status
            .steps
            .iter()
            .enumerate()
            .map(|(index, step)| {
                let rate = (running && Some(index) == active)
                    .then(|| {
                        samples
                            .with_value(|s| s.get(index).and_then(|h| rate_per_sec(h)))
                            .or(average)
                    })
                    .flatten();
                StepRow {
                    label: step_label(step),
                    percent: percent(step),
                    done: step.done,
                    total: step.total,
                    finished: step.finished,
                    waiting: !step.finished && Some(index) != active,
                    rate,
                    remaining: remaining_secs(step.done, step.total, rate),
                }
            })
            .collect::<Vec<_>>()
    });
    view! {
        <ul class="progress-list" data-testid="sync-progress">
            {move || rows.get().into_iter().map(step_view).collect_view()}
        </ul>
    }
}

#[derive(Debug, Clone, PartialEq)]
struct StepRow {
    label: String,
    percent: Option<u32>,
    done: u64,
    total: Option<u64>,
    finished: bool,
    waiting: bool,
    rate: Option<f64>,
    remaining: Option<f64>,
}

fn step_view(row: StepRow) -> impl IntoView {
    let counts = match row.total {
        Some(total) => format!("{} / {}", format_count(row.done), format_count(total)),
        None => format!("{} / counting…", format_count(row.done)),
    };
    let detail = if row.finished {
        "Done".to_owned()
    } else if row.waiting {
        "Waiting".to_owned()
    } else {
        let mut parts = vec![];
        if let Some(percent) = row.percent {
            parts.push(format!("{percent}%"));
        }
        if let Some(rate) = row.rate {
            parts.push(format_rate(rate));
        }
        parts.push(match row.remaining {
            Some(seconds) => format_remaining(seconds),
            None => "Estimating time left…".to_owned(),
        });
        parts.join(" · ")
    };
    let width = row.percent.unwrap_or(0);
    let state = if row.finished {
        "done"
    } else if row.waiting {
        "waiting"
    } else {
        "running"
    };
    view! {
        <li class=format!("progress-step {state}") data-testid="progress-step" data-state=state>
            <div class="progress-top">
                <span class="progress-label">{row.label.clone()}</span>
                <span class="progress-counts" data-testid="progress-counts">
                    {counts}
                </span>
            </div>
            <div
                class="bar"
                class:indeterminate=row.percent.is_none() && !row.waiting
                role="progressbar"
                aria-label=row.label
                aria-valuemin="0"
                aria-valuemax="100"
                aria-valuenow=row.percent.map(|p| p.to_string())
                data-testid="progress-bar"
            >
                <span class="bar-fill" style=format!("width: {width}%")></span>
            </div>
            <div class="progress-detail" data-testid="progress-detail">
                {detail}
            </div>
        </li>
    }
}

/// The sync at a glance, on the overview: its state in words, the sync type, what it is
/// waiting for, and the initial sync's bars.
#[component]
pub fn SyncOverview(
    #[prop(into)] status: Signal<SyncStatus>,
    /// Opens the sync settings (offered before the first start).
    #[prop(into)]
    on_setup: Callback<()>,
) -> impl IntoView {
    let summary = move || {
        let status = status.get();
        let (title, detail) = match status.state {
            SyncState::NotStarted => (
                "Sync not started".to_owned(),
                "Choose one-way or two-way sync and check the field mapping, then start the sync.",
            ),
            SyncState::InitialSync => (
                match overall_percent(&status.steps) {
                    Some(percent) => format!("Initial sync · {percent}%"),
                    None => "Initial sync".to_owned(),
                },
                "Importing and exporting every contact and account once. You can close this window: the sync goes on.",
            ),
            SyncState::Live => (
                "Sync is live".to_owned(),
                "Changes on either side reach the other within seconds.",
            ),
            SyncState::Paused => (
                "Sync is paused".to_owned(),
                "Nothing is exchanged with Salesforce. Resume to catch up on everything changed meanwhile.",
            ),
            SyncState::NeedsReconnect => (
                "Sync stopped".to_owned(),
                "Salesforce access was revoked: reconnect to sync again.",
            ),
        };
        (title, detail, status)
    };
    view! {
        <section class="card" data-testid="sync-overview" aria-labelledby="sync-title">
            {move || {
                let (title, detail, status) = summary();
                let sync_type = match status.sync_type {
                    contract::mapping::SyncType::TwoWay => "Two-way",
                    contract::mapping::SyncType::SalesforceToHelpdesk => "Salesforce to helpdesk only",
                };
                let not_started = status.state == SyncState::NotStarted;
                view! {
                    <div class="card-head-row">
                        <h2 class="card-title" id="sync-title" data-testid="sync-title">
                            {title}
                        </h2>
                        <span class="tag">{sync_type}</span>
                    </div>
                    <p class="muted">{detail}</p>
                    {status
                        .note
                        .clone()
                        .map(|note| {
                            view! {
                                <p class="notice notice-info" data-testid="sync-note">
                                    {note}
                                </p>
                            }
                        })}
                    {status
                        .catching_up_since_ms
                        .map(|since| {
                            view! {
                                <p class="notice notice-info" data-testid="catching-up">
                                    {format!(
                                        "Catching up on changes made since {}, step by step.",
                                        when_label(since, Now::current()),
                                    )}
                                </p>
                            }
                        })}
                    {(status.pending_changes > 0)
                        .then(|| {
                            view! {
                                <p class="small muted" data-testid="pending-changes">
                                    {format!(
                                        "{} change{} waiting to be applied",
                                        format_count(status.pending_changes),
                                        if status.pending_changes == 1 { "" } else { "s" },
                                    )}
                                </p>
                            }
                        })}
                    {not_started
                        .then(|| {
                            view! {
                                <button
                                    type="button"
                                    class="button button-primary"
                                    data-testid="open-settings"
                                    on:click=move |_| on_setup.run(())
                                >
                                    "Set up sync"
                                </button>
                            }
                        })}
                }
            }}
            {move || {
                status
                    .with(|s| !s.steps.is_empty())
                    .then(|| view! { <SyncProgress status=status /> })
            }}
        </section>
    }
}
