//! What happens to every `/api/v1` call before it reaches its endpoint, beside Zoho's
//! daily credits ([`super::credits`]): it is counted, it may meet an injected fault (a
//! 5xx, a 429, latency), and it spends credits against the sandbox's own throttle (a
//! window of minutes; not Zoho's, and silent in the credit headers, which speak of the
//! day's credits only). A single record costs 1, a list or a search 3; past the limit,
//! 429 `TOO_MANY_REQUESTS` with `Retry-After`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// At most `credits` API credits per `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub credits: u32,
    pub window: Duration,
}

/// Calls answered since the last reset.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallCounts {
    pub total: u64,
    /// Refused with 429 by the rate limit.
    pub rate_limited: u64,
    /// Answered by an injected fault.
    pub faulted: u64,
    /// By `METHOD /route/{param}`.
    pub by_route: BTreeMap<String, u64>,
}

impl CallCounts {
    /// Calls to one route, e.g. `GET /api/v1/contacts`.
    pub fn route(&self, route: &str) -> u64 {
        self.by_route.get(route).copied().unwrap_or(0)
    }
}

/// A fault for the next `times` calls (whose path starts with `path`, when given).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    /// Answer with this status instead (500-599, or 429).
    #[serde(default)]
    pub status: Option<u16>,
    /// Wait this long first (then answer normally unless `status` is set).
    #[serde(default)]
    pub latency_ms: Option<u64>,
    /// `Retry-After` on an injected 429 (default 1 second).
    #[serde(default)]
    pub retry_after: Option<u64>,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default = "one")]
    pub times: u32,
}

fn one() -> u32 {
    1
}

impl Fault {
    pub fn status(status: u16) -> Self {
        Fault {
            status: Some(status),
            latency_ms: None,
            retry_after: None,
            path: None,
            times: 1,
        }
    }

    pub fn latency(latency: Duration) -> Self {
        Fault {
            status: None,
            latency_ms: Some(u64::try_from(latency.as_millis()).unwrap_or(u64::MAX)),
            retry_after: None,
            path: None,
            times: 1,
        }
    }

    pub fn times(mut self, times: u32) -> Self {
        self.times = times;
        self
    }

    pub fn on_path(mut self, prefix: &str) -> Self {
        self.path = Some(prefix.to_owned());
        self
    }

    pub fn retry_after(mut self, secs: u64) -> Self {
        self.retry_after = Some(secs);
        self
    }

    /// Refuses faults that make no sense, with a message for the test author.
    pub fn validate(&self) -> Result<(), String> {
        match self.status {
            Some(429 | 500..=599) | None => {}
            Some(other) => {
                return Err(format!("status {other} is not a fault: use 429 or 500-599"));
            }
        }
        if self.status.is_none() && self.latency_ms.is_none() {
            return Err("a fault needs a status, a latencyMs, or both".into());
        }
        if self.times == 0 {
            return Err("times must be at least 1".into());
        }
        Ok(())
    }
}

/// The outcome of spending credits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spend {
    /// Allowed.
    Allowed,
    /// Over the limit; the window resets in this many seconds (at least 1).
    Refused { retry_after_secs: u64 },
}

pub struct Traffic {
    counts: CallCounts,
    faults: Vec<Fault>,
    limit: Option<RateLimit>,
    window_start: Instant,
    used: u32,
}

impl Traffic {
    pub fn new(limit: Option<RateLimit>) -> Self {
        Traffic {
            counts: CallCounts::default(),
            faults: Vec::new(),
            limit,
            window_start: Instant::now(),
            used: 0,
        }
    }

    pub fn counts(&self) -> &CallCounts {
        &self.counts
    }

    pub fn reset_counts(&mut self) {
        self.counts = CallCounts::default();
    }

    pub fn count(&mut self, route: &str) {
        self.counts.total += 1;
        *self.counts.by_route.entry(route.to_owned()).or_default() += 1;
    }

    pub fn note_rate_limited(&mut self) {
        self.counts.rate_limited += 1;
    }

    pub fn add_fault(&mut self, fault: Fault) {
        self.faults.push(fault);
    }

    pub fn clear_faults(&mut self) {
        self.faults.clear();
    }

    /// The first queued fault that applies to `path`, used up by one.
    pub fn take_fault(&mut self, path: &str) -> Option<Fault> {
        let index = self
            .faults
            .iter()
            .position(|f| f.path.as_deref().is_none_or(|p| path.starts_with(p)))?;
        let fault = &mut self.faults[index];
        fault.times -= 1;
        let taken = fault.clone();
        if fault.times == 0 {
            self.faults.remove(index);
        }
        self.counts.faulted += 1;
        Some(taken)
    }

    pub fn set_limit(&mut self, limit: Option<RateLimit>) {
        self.limit = limit;
        self.window_start = Instant::now();
        self.used = 0;
    }

    pub fn limit(&self) -> Option<RateLimit> {
        self.limit
    }

    /// Spends `weight` credits at `now`, if the window has them.
    pub fn spend(&mut self, weight: u32, now: Instant) -> Spend {
        let Some(limit) = self.limit else {
            return Spend::Allowed;
        };
        let elapsed = now.saturating_duration_since(self.window_start);
        if elapsed >= limit.window {
            // Windows are aligned to when the limit was set.
            let windows = elapsed.as_nanos() / limit.window.as_nanos().max(1);
            let whole = u32::try_from(windows).unwrap_or(u32::MAX);
            self.window_start += limit.window.saturating_mul(whole);
            self.used = 0;
        }
        if self.used.saturating_add(weight) > limit.credits {
            let left = (self.window_start + limit.window).saturating_duration_since(now);
            let secs = left.as_millis().div_ceil(1000).max(1);
            return Spend::Refused {
                retry_after_secs: u64::try_from(secs).unwrap_or(u64::MAX),
            };
        }
        self.used += weight;
        Spend::Allowed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credits_run_out_within_a_window_and_come_back_after_it() {
        let mut traffic = Traffic::new(Some(RateLimit {
            credits: 5,
            window: Duration::from_secs(2),
        }));
        let start = traffic.window_start;
        assert_eq!(traffic.spend(3, start), Spend::Allowed);
        assert_eq!(traffic.spend(1, start), Spend::Allowed);
        assert_eq!(
            traffic.spend(3, start + Duration::from_millis(500)),
            Spend::Refused {
                retry_after_secs: 2
            }
        );
        assert_eq!(
            traffic.spend(1, start + Duration::from_millis(1900)),
            Spend::Allowed
        );
        assert_eq!(
            traffic.spend(1, start + Duration::from_millis(1950)),
            Spend::Refused {
                retry_after_secs: 1
            }
        );
        assert_eq!(
            traffic.spend(3, start + Duration::from_millis(4100)),
            Spend::Allowed
        );
        traffic.set_limit(None);
        assert!(traffic.spend(1000, start) == Spend::Allowed);
    }

    #[test]
    fn faults_apply_in_order_to_matching_paths_and_wear_out() {
        let mut traffic = Traffic::new(None);
        traffic.add_fault(Fault::status(503).times(2).on_path("/api/v1/contacts"));
        traffic.add_fault(Fault::status(429));
        assert_eq!(
            traffic.take_fault("/api/v1/accounts").unwrap().status,
            Some(429)
        );
        assert_eq!(traffic.take_fault("/api/v1/accounts"), None);
        assert_eq!(
            traffic.take_fault("/api/v1/contacts/1").unwrap().status,
            Some(503)
        );
        assert_eq!(
            traffic.take_fault("/api/v1/contacts").unwrap().status,
            Some(503)
        );
        assert_eq!(traffic.take_fault("/api/v1/contacts"), None);
        assert_eq!(traffic.counts().faulted, 3);
    }

    #[test]
    fn nonsense_faults_are_refused() {
        assert!(Fault::status(404).validate().is_err());
        assert!(Fault::status(503).times(0).validate().is_err());
        assert!(Fault::latency(Duration::from_millis(5)).validate().is_ok());
        let nothing: Fault = serde_json::from_str("{}").unwrap();
        assert!(nothing.validate().is_err());
        assert_eq!(nothing.times, 1);
    }
}
