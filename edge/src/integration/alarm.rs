//! The alarm that drives the sync: each run does a slice of the work short enough for
//! one invocation (the initial sync, or the inbox of notifications and the catch-up),
//! then says when to run again.

use super::org::{Invocation, Org};
use super::{admin, helpdesk_connection, state};
use crate::error::EdgeError;
use contract::admin::SyncState;
use contract::history::RunKind;
use shared::sync::initial::InitialSync;
use shared::sync::ongoing::{Covered, Tallies};

/// One alarm invocation works this long, then hands over to the next; short, since the
/// object answers nothing else (the console's progress, webhooks) meanwhile.
const SLICE_MS: i64 = 3_000;
/// A Worker invocation may make 1,000 outgoing requests; a slice starts no new step
/// past this many, and one step makes at most a few hundred (200 records written one by
/// one, at most).
const SLICE_CALLS: u64 = 300;
/// How often the catch-up looks for changes whose notification was lost.
const CATCH_UP_EVERY_MS: i64 = 60_000;
/// Notifications applied per inbox batch: their records read in one call per side, each
/// counterpart read, and the writes in batches (a record new to the other side costs a
/// few calls more).
const INBOX_BATCH: u32 = 100;
/// The longest wait after an outage or a rate limit (a helpdesk rate window is a minute).
const MAX_BACKOFF_MS: i64 = 60_000;
/// When a day's allowance is spent and the side did not say when it is back (the sync's
/// own share of Zoho's credits: Zoho documents no reset hour), look again after this.
const ALLOWANCE_RECHECK_MS: i64 = 60 * 60_000;

/// Whether another step still fits this invocation.
fn has_room(invocation: &Invocation<'_>, deadline_ms: i64) -> bool {
    (invocation.calls)() < SLICE_CALLS && worker::Date::now().as_millis() as i64 <= deadline_ms
}

/// What the alarm should do next.
pub enum Next {
    /// Nothing scheduled: not started, paused, or waiting for a reconnect.
    Idle,
    /// Run again after this many milliseconds.
    After(i64),
}

/// One alarm's work: a slice of the initial sync, or of the inbox and the catch-up.
///
/// The Durable Object answers other requests while the slice awaits Salesforce and the
/// helpdesk; those that change what the slice works on (start, retry, delete) wait for
/// the object's sync turn, the others (pause, resume, a reconnect) change the control,
/// which the slice reads again between steps and before it writes back.
pub async fn run_slice(org: &Org<'_>) -> Result<Next, EdgeError> {
    let state = org.state();
    let Some(started) = state.control()? else {
        return Ok(Next::Idle);
    };
    if !started.is_running() {
        return Ok(Next::Idle);
    }
    let now_ms = org.now_ms;
    let store = org.store()?;
    let deadline = now_ms + SLICE_MS;
    // Between steps: stop as soon as the admin paused (or anything else changed the state).
    let unchanged = || {
        state
            .control()
            .is_ok_and(|c| c.is_some_and(|c| c.version == started.version))
    };
    let mut covered = started
        .covered
        .clone()
        .unwrap_or_else(|| Covered::from(now_ms));
    let outcome = match started.state {
        SyncState::InitialSync => {
            org.with_engine(false, async |engine, invocation| {
                let mut run = state::initial_sync(engine.store)?
                    .unwrap_or_else(|| InitialSync::new(engine.settings.sync_type, now_ms));
                while !run.is_finished() && has_room(invocation, deadline) && unchanged() {
                    engine.advance_initial(&mut run).await?;
                    if run.is_waiting() {
                        break; // An export runs in the helpdesk: look again in a moment.
                    }
                }
                Ok(SliceDone::Initial {
                    finished_ms: run.finished_ms,
                    next_look_ms: run.next_look_ms(worker::Date::now().as_millis() as i64),
                })
            })
            .await
        }
        _ => {
            let catch_up_due = now_ms >= started.next_catch_up_ms;
            org.with_engine(false, async |engine, invocation| {
                let mut tallies = Tallies::default();
                while engine.store.inbox_len()? > 0 && has_room(invocation, deadline) && unchanged()
                {
                    engine.process_inbox(INBOX_BATCH, &mut tallies).await?;
                }
                // The drift check (daily, or asked for), a page of pairs a step.
                let mut drifting = false;
                if let Some(mut check) = admin::drift_to_advance(engine.store, now_ms)? {
                    while !check.is_finished() && has_room(invocation, deadline) && unchanged() {
                        engine.advance_drift(&mut check).await?;
                    }
                    drifting = !check.is_finished();
                }
                // A catch-up of many changes (a data load, a long pause) goes on step after
                // step while the slice has room, and in the next slices after it; changes
                // notified meanwhile go first, so an agent's edit never waits behind it.
                let mut caught_up = false;
                while catch_up_due
                    && (!caught_up || covered.is_reading())
                    && has_room(invocation, deadline)
                    && unchanged()
                {
                    if engine.store.inbox_len()? > 0 {
                        engine.process_inbox(INBOX_BATCH, &mut tallies).await?;
                    }
                    engine.catch_up(&mut covered, &mut tallies).await?;
                    caught_up = true;
                }
                for run in tallies.runs(RunKind::Incremental, now_ms) {
                    engine.store.record_run(&run)?;
                }
                Ok(SliceDone::Ongoing {
                    caught_up,
                    drifting,
                })
            })
            .await
        }
    };
    worker::console_log!(
        "sync slice for org {}: {:?} in {} ms{}",
        org.id,
        started.state,
        worker::Date::now().as_millis() as i64 - now_ms,
        outcome
            .as_ref()
            .err()
            .map(|e| format!(", then: {e}"))
            .unwrap_or_default()
    );
    // Read again: no await from here to the write, so nothing else runs in between.
    let Some(mut control) = state.control()? else {
        return Ok(Next::Idle); // deleted meanwhile
    };
    if control.version != started.version {
        // The admin's change stands; keep only how far the catch-up got.
        if outcome.is_ok() && control.state == SyncState::Live {
            control.covered = Some(covered);
        }
        state.save_control(&mut control)?;
        return Ok(if control.is_running() {
            Next::After(0)
        } else {
            Next::Idle
        });
    }
    let mut busy_drifting = false;
    let next = match outcome {
        Ok(done) => {
            control.note = None;
            control.backoff_ms = 0;
            let mut next_look_ms = None;
            match done {
                SliceDone::Initial {
                    finished_ms: Some(finished_ms),
                    ..
                } => {
                    // From here on, changes flow as they happen; the catch-up starts where
                    // the initial sync's reading began.
                    control.state = SyncState::Live;
                    let started =
                        state::initial_sync(&store)?.map_or(finished_ms, |run| run.started_ms);
                    control.covered = Some(Covered::from(started));
                    control.next_catch_up_ms = now_ms + CATCH_UP_EVERY_MS;
                }
                SliceDone::Initial {
                    finished_ms: None,
                    next_look_ms: look,
                } => next_look_ms = look,
                SliceDone::Ongoing {
                    caught_up,
                    drifting,
                } => {
                    busy_drifting = drifting;
                    if caught_up && !covered.is_reading() {
                        control.next_catch_up_ms = now_ms + CATCH_UP_EVERY_MS;
                    }
                    control.covered = Some(covered);
                }
            }
            let catching_up = control.covered.as_ref().is_some_and(Covered::is_reading);
            let busy = control.state == SyncState::InitialSync
                || catching_up
                || busy_drifting
                || store.inbox_len()? > 0;
            Next::After(if let Some(look_ms) = next_look_ms {
                look_ms
            } else if busy {
                0
            } else {
                (control.next_catch_up_ms - now_ms).max(1_000)
            })
        }
        Err(EdgeError::Reconnect) => {
            control.state = SyncState::NeedsReconnect;
            control.note = Some(
                "Salesforce refused sfdesk's access (the connection was revoked or expired). Reconnect Salesforce to resume syncing."
                    .into(),
            );
            Next::Idle
        }
        Err(EdgeError::ReconnectHelpdesk) => {
            helpdesk_connection::mark_revoked(org.sql, now_ms)?;
            control.state = SyncState::NeedsReconnect;
            control.note = Some(
                "The helpdesk refused sfdesk's access (the connection was revoked or expired). Reconnect the helpdesk to resume syncing."
                    .into(),
            );
            Next::Idle
        }
        Err(EdgeError::OutOfAllowance {
            detail,
            retry_after_ms,
        }) => {
            // Not an outage: no backoff, one wait until the allowance is back.
            let wait_ms = retry_after_ms.unwrap_or(ALLOWANCE_RECHECK_MS).max(1_000);
            control.backoff_ms = 0;
            control.note = Some(allowance_note(&detail, now_ms, wait_ms));
            Next::After(wait_ms)
        }
        Err(EdgeError::Unavailable(detail)) => {
            control.backoff_ms = (control.backoff_ms * 2).clamp(5_000, MAX_BACKOFF_MS);
            control.note = Some(format!(
                "Waiting {} s before trying again: {detail}",
                control.backoff_ms / 1000
            ));
            Next::After(control.backoff_ms)
        }
        Err(other) => {
            worker::console_error!("sync slice failed: {other}");
            control.backoff_ms = (control.backoff_ms * 2).clamp(5_000, MAX_BACKOFF_MS);
            control.note = Some(format!("Sync hit an error and will try again: {other}"));
            Next::After(control.backoff_ms)
        }
    };
    state.save_control(&mut control)?;
    Ok(next)
}

/// The console's note while the sync waits for a day's allowance: what is spent and when
/// the sync goes on by itself (UTC, as the console shows no time zone of the admin's).
fn allowance_note(detail: &str, now_ms: i64, wait_ms: i64) -> String {
    let at_min = (now_ms + wait_ms).div_euclid(60_000);
    let (hours, minutes) = (at_min.div_euclid(60).rem_euclid(24), at_min.rem_euclid(60));
    let wait_min = (wait_ms + 59_999) / 60_000;
    let detail = detail
        .strip_prefix("the ")
        .map_or_else(|| detail.to_owned(), |rest| format!("The {rest}"));
    format!(
        "{detail}. The sync waits and goes on by itself at {hours:02}:{minutes:02} UTC (in {} h {} min).",
        wait_min / 60,
        wait_min % 60
    )
}

/// What a slice got done.
enum SliceDone {
    /// The initial sync advanced, and finished at `finished_ms` if it did; while a
    /// helpdesk import of its runs, when to ask after it again.
    Initial {
        finished_ms: Option<i64>,
        next_look_ms: Option<i64>,
    },
    /// The inbox was worked through; `caught_up` if the catch-up ran too, `drifting`
    /// while a drift check has steps left.
    Ongoing { caught_up: bool, drifting: bool },
}

#[cfg(test)]
mod tests {
    use super::allowance_note;

    #[test]
    fn the_allowance_note_says_when_the_sync_goes_on() {
        // 2026-12-05 21:30 UTC, credits back at midnight.
        let now_ms = 1_796_506_200_000;
        let note = allowance_note(
            "the helpdesk's API credits for today are spent, by all its integrations together (THRESHOLD_EXCEEDED)",
            now_ms,
            150 * 60_000,
        );
        assert_eq!(
            note,
            "The helpdesk's API credits for today are spent, by all its integrations together (THRESHOLD_EXCEEDED). The sync waits and goes on by itself at 00:00 UTC (in 2 h 30 min)."
        );
    }
}
