//! Browser tests of the initial sync's progress: bars, counts, rate and time left.

use crate::admin_fixtures::{step, sync};
use crate::support::mount;
use contract::admin::SyncState;
use contract::mapping::ObjectKind::{Account, Contact};
use contract::side::Side::{Helpdesk, Salesforce};
use leptos::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;
use widget::admin::progress::{
    Sample, SyncOverview, SyncProgress, average_rate, format_rate, format_remaining,
    overall_percent, percent, rate_per_sec, remaining_secs,
};

#[wasm_bindgen_test]
fn percent_is_done_over_total_and_finished_is_full() {
    assert_eq!(
        percent(&step(Contact, Salesforce, 310, Some(1240), false)),
        Some(25)
    );
    assert_eq!(percent(&step(Contact, Salesforce, 0, None, false)), None);
    assert_eq!(
        percent(&step(Contact, Salesforce, 0, Some(0), false)),
        Some(100)
    );
    assert_eq!(
        percent(&step(Contact, Salesforce, 9, Some(10), true)),
        Some(100)
    );
    assert_eq!(
        percent(&step(Contact, Salesforce, 12, Some(10), false)),
        Some(100),
        "never past the end"
    );
}

#[wasm_bindgen_test]
fn rate_is_measured_between_samples_a_second_or_more_apart() {
    let samples = [
        Sample {
            at_ms: 0.0,
            done: 100,
        },
        Sample {
            at_ms: 1_500.0,
            done: 250,
        },
        Sample {
            at_ms: 4_000.0,
            done: 500,
        },
    ];
    assert_eq!(rate_per_sec(&samples), Some(100.0));
    assert_eq!(rate_per_sec(&samples[..1]), None, "one sample is no rate");
    assert_eq!(
        rate_per_sec(&[
            Sample {
                at_ms: 0.0,
                done: 5
            },
            Sample {
                at_ms: 500.0,
                done: 9
            }
        ]),
        None,
        "too short to tell"
    );
    assert_eq!(
        rate_per_sec(&[
            Sample {
                at_ms: 0.0,
                done: 5
            },
            Sample {
                at_ms: 5_000.0,
                done: 5
            }
        ]),
        None,
        "no progress"
    );
}

#[wasm_bindgen_test]
fn a_reopened_console_estimates_from_the_start() {
    let mut status = sync(
        SyncState::InitialSync,
        vec![
            step(Contact, Salesforce, 1000, Some(1000), true),
            step(Account, Salesforce, 200, Some(600), false),
        ],
    );
    status.started_ms = Some(10_000);
    assert_eq!(average_rate(&status, 70_000.0), Some(20.0));
    status.started_ms = None;
    assert_eq!(average_rate(&status, 70_000.0), None);
}

#[wasm_bindgen_test]
fn time_left_is_what_remains_over_the_rate() {
    assert_eq!(remaining_secs(200, Some(600), Some(20.0)), Some(20.0));
    assert_eq!(remaining_secs(200, None, Some(20.0)), None);
    assert_eq!(remaining_secs(200, Some(600), None), None);
    assert_eq!(format_remaining(20.0), "Less than a minute left");
    assert_eq!(format_remaining(61.0), "About 2 min left");
    assert_eq!(format_remaining(3_600.0), "About 1 h left");
    assert_eq!(format_remaining(4_800.0), "About 1 h 20 min left");
    assert_eq!(format_rate(123.4), "123 records/s");
    assert_eq!(format_rate(2_500.0), "2,500 records/s");
    assert_eq!(format_rate(0.2), "12 records/min");
}

#[wasm_bindgen_test]
fn overall_progress_weighs_every_step_and_is_full_only_when_all_finish() {
    let steps = vec![
        step(Contact, Salesforce, 300, Some(300), true),
        step(Account, Salesforce, 50, Some(100), false),
        step(Contact, Helpdesk, 0, Some(100), false),
    ];
    assert_eq!(overall_percent(&steps), Some(70));
    assert_eq!(overall_percent(&[]), None);
    let done: Vec<_> = steps
        .into_iter()
        .map(|mut s| {
            s.finished = true;
            s
        })
        .collect();
    assert_eq!(overall_percent(&done), Some(100));
}

#[wasm_bindgen_test]
fn each_step_shows_its_bar_counts_and_state() {
    let status = sync(
        SyncState::InitialSync,
        vec![
            step(Contact, Salesforce, 1240, Some(1240), true),
            step(Account, Salesforce, 78, Some(312), false),
            step(Contact, Helpdesk, 0, None, false),
        ],
    );
    let m = mount(move || view! { <SyncProgress status=Signal::derive(move || status.clone()) /> });

    let steps = m.all("[data-testid=progress-step]");
    assert_eq!(steps.len(), 3);
    let states: Vec<_> = steps
        .iter()
        .map(|s| s.get_attribute("data-state").unwrap())
        .collect();
    assert_eq!(states, ["done", "running", "waiting"]);
    assert_eq!(
        m.texts("[data-testid=progress-counts]"),
        ["1,240 / 1,240", "78 / 312", "0 / counting…"]
    );
    let bars = m.all("[data-testid=progress-bar]");
    assert_eq!(
        bars[1].get_attribute("aria-valuenow").as_deref(),
        Some("25")
    );
    assert_eq!(
        bars[1].get_attribute("role").as_deref(),
        Some("progressbar")
    );
    let details = m.texts("[data-testid=progress-detail]");
    assert_eq!(details[0], "Done");
    assert!(details[1].starts_with("25%"), "{details:?}");
    assert_eq!(details[2], "Waiting");
    assert!(m.texts(".progress-label")[1].contains("Accounts · Salesforce → Helpdesk"));
}

#[wasm_bindgen_test]
fn a_long_catch_up_says_since_when() {
    let mut status = sync(SyncState::Live, vec![]);
    let m = mount(move || {
        view! { <SyncOverview status=Signal::derive(move || status.clone()) on_setup=Callback::new(|()| ()) /> }
    });
    assert!(!m.has("catching-up"), "nothing to say while caught up");
    drop(m);
    status = sync(SyncState::Live, vec![]);
    status.catching_up_since_ms = Some(1_700_000_000_000);
    let m = mount(move || {
        view! { <SyncOverview status=Signal::derive(move || status.clone()) on_setup=Callback::new(|()| ()) /> }
    });
    let text = m.text("catching-up");
    assert!(
        text.starts_with("Catching up on changes made since") && text.contains("2023"),
        "{text}"
    );
}
