//! The sync history: one entry per run, kept for seven days, and the per-day totals the
//! admin console charts.

use crate::mapping::ObjectKind;
use crate::side::{Side, as_direction};
use serde::{Deserialize, Serialize};

pub const RETENTION_DAYS: i64 = 7;
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunKind {
    Initial,
    Incremental,
    Retry,
    /// Differences found by the drift check and repaired (`updated`) or not (`failed`).
    Drift,
}

/// One drift check: every linked pair compared through the mapping, the pairs found
/// differing (changes no notification brought), and how many of them were repaired by
/// their fields' rules or failed (see the failure log).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DriftRun {
    pub started_ms: i64,
    /// When it finished.
    pub at_ms: i64,
    pub compared: u32,
    pub differing: u32,
    pub repaired: u32,
    pub failed: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Run {
    pub at_ms: i64,
    pub kind: RunKind,
    /// Where the run's records came from.
    #[serde(rename = "direction", with = "as_direction")]
    pub from: Side,
    pub object: ObjectKind,
    pub added: u32,
    pub updated: u32,
    pub failed: u32,
}

/// When the newest change from side `from` was synced: the newest run of changes that
/// added or updated something (not a drift repair, which has no one direction).
pub fn last_change_ms(runs: &[Run], from: Side) -> Option<i64> {
    runs.iter()
        .filter(|run| run.from == from && run.kind != RunKind::Drift)
        .filter(|run| run.added + run.updated > 0)
        .map(|run| run.at_ms)
        .max()
}

/// Entries older than this are pruned.
pub fn retention_cutoff_ms(now_ms: i64) -> i64 {
    now_ms - RETENTION_DAYS * DAY_MS
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayTotals {
    /// Start of the UTC day, Unix milliseconds.
    pub day_ms: i64,
    pub added: u32,
    pub updated: u32,
    pub failed: u32,
}

/// Totals for each of the last seven UTC days, oldest first, today last.
pub fn daily_totals(runs: &[Run], now_ms: i64) -> Vec<DayTotals> {
    let today = now_ms.div_euclid(DAY_MS) * DAY_MS;
    let mut days: Vec<DayTotals> = (0..RETENTION_DAYS)
        .rev()
        .map(|back| DayTotals {
            day_ms: today - back * DAY_MS,
            ..DayTotals::default()
        })
        .collect();
    for run in runs {
        let index = (run.at_ms.div_euclid(DAY_MS) * DAY_MS - days[0].day_ms).div_euclid(DAY_MS);
        if let Some(day) = usize::try_from(index).ok().and_then(|i| days.get_mut(i)) {
            day.added += run.added;
            day.updated += run.updated;
            day.failed += run.failed;
        }
    }
    days
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(at_ms: i64, added: u32) -> Run {
        Run {
            at_ms,
            kind: RunKind::Incremental,
            from: Side::Salesforce,
            object: ObjectKind::Contact,
            added,
            updated: 1,
            failed: 0,
        }
    }

    #[test]
    fn totals_cover_seven_days_ending_today() {
        let now = 10 * DAY_MS + 5_000;
        let runs = [
            run(now - 1_000, 2),
            run(now - 1_000, 3),
            run(now - DAY_MS, 7),
            run(now - 8 * DAY_MS, 100),
        ];
        let days = daily_totals(&runs, now);
        assert_eq!(days.len(), 7);
        assert_eq!(days[6].day_ms, 10 * DAY_MS);
        assert_eq!((days[6].added, days[6].updated), (5, 2));
        assert_eq!(days[5].added, 7);
        assert_eq!(
            days.iter().map(|d| d.added).sum::<u32>(),
            12,
            "the run from 8 days ago is outside the window"
        );
    }

    #[test]
    fn the_last_change_each_way_skips_empty_runs_and_drift_repairs() {
        let drift = Run {
            kind: RunKind::Drift,
            ..run(9, 0)
        };
        let empty = Run {
            updated: 0,
            ..run(8, 0)
        };
        let runs = [drift, empty, run(5, 1)];
        assert_eq!(last_change_ms(&runs, Side::Salesforce), Some(5));
        assert_eq!(last_change_ms(&runs, Side::Helpdesk), None);
    }

    #[test]
    fn retention_is_seven_days() {
        assert_eq!(retention_cutoff_ms(8 * DAY_MS), DAY_MS);
    }
}
