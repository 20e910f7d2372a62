//! When to try a call again, and how long to wait first.

use super::SfError;
use super::limits::ApiUsage;
use std::time::Duration;

/// Bounded exponential backoff for answers that say "not now": 503, 429 and
/// `REQUEST_LIMIT_EXCEEDED` (too many concurrent requests). Waits go through
/// [`crate::http::Transport::sleep`], so tests can make them instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Sends in all, the first included: 1 means never retry.
    pub max_attempts: u32,
    /// The wait before the first retry; each later wait doubles.
    pub base_delay: Duration,
    /// No wait is longer than this (nor is a server's `Retry-After` honoured beyond it).
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// Four sends over about 3.5 s of waiting (0.5 s, 1 s, 2 s).
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
        }
    }
}

impl RetryPolicy {
    /// One send, no retries.
    pub fn never() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The wait before retry number `retry` (0 for the first): `base * 2^retry`, capped.
    pub fn delay(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry).unwrap_or(u32::MAX);
        self.base_delay
            .checked_mul(factor)
            .unwrap_or(self.max_delay)
            .min(self.max_delay)
    }

    /// The wait before retry `retry` when the server asked for `retry_after`: the longer
    /// of the two, still capped.
    pub fn delay_with(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        self.delay(retry)
            .max(retry_after.unwrap_or_default())
            .min(self.max_delay)
    }

    /// Every wait this policy can make, in order.
    pub fn schedule(&self) -> impl Iterator<Item = Duration> + '_ {
        (0..self.max_attempts.saturating_sub(1)).map(|retry| self.delay(retry))
    }
}

/// What to do about a failed answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Renew the access token, then send again.
    Renew,
    /// Wait, then send again.
    Retry,
    /// Give the error to the caller.
    GiveUp,
}

pub(crate) fn verdict(error: &SfError, usage: Option<ApiUsage>) -> Verdict {
    match error {
        SfError::InvalidSession => Verdict::Renew,
        SfError::Unavailable { status: 429 | 503 } => Verdict::Retry,
        // The same code answers both a burst of concurrent requests (worth waiting out)
        // and a spent daily allowance (not worth it for hours): the usage tells them apart.
        SfError::Api { code, .. } if code == "REQUEST_LIMIT_EXCEEDED" => {
            if usage.is_some_and(|u| u.is_spent()) {
                Verdict::GiveUp
            } else {
                Verdict::Retry
            }
        }
        _ => Verdict::GiveUp,
    }
}

/// `Retry-After: <seconds>` (the HTTP-date form is ignored).
pub(crate) fn retry_after(value: Option<&str>) -> Option<Duration> {
    value?.trim().parse().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn waits_double_up_to_the_cap() {
        let policy = RetryPolicy {
            max_attempts: 7,
            base_delay: ms(100),
            max_delay: ms(1000),
        };
        assert_eq!(
            policy.schedule().collect::<Vec<_>>(),
            [ms(100), ms(200), ms(400), ms(800), ms(1000), ms(1000)]
        );
        assert_eq!(policy.delay(40), ms(1000), "no overflow on a long run");
        assert_eq!(RetryPolicy::never().schedule().count(), 0);
        assert_eq!(
            RetryPolicy::default().schedule().collect::<Vec<_>>(),
            [ms(500), ms(1000), ms(2000)]
        );
    }

    #[test]
    fn retry_after_lengthens_a_wait_within_the_cap() {
        let policy = RetryPolicy {
            max_attempts: 3,
            base_delay: ms(100),
            max_delay: ms(5000),
        };
        assert_eq!(policy.delay_with(0, retry_after(Some("2"))), ms(2000));
        assert_eq!(policy.delay_with(0, retry_after(Some("60"))), ms(5000));
        assert_eq!(policy.delay_with(1, retry_after(Some("soon"))), ms(200));
        assert_eq!(policy.delay_with(1, None), ms(200));
    }

    #[test]
    fn only_passing_conditions_are_retried() {
        let api = |status, code: &str| SfError::Api {
            status,
            code: code.into(),
            message: String::new(),
            fields: vec![],
        };
        let some = Some(ApiUsage { used: 10, max: 100 });
        let spent = Some(ApiUsage {
            used: 101,
            max: 100,
        });
        assert_eq!(verdict(&SfError::InvalidSession, some), Verdict::Renew);
        assert_eq!(
            verdict(&SfError::Unavailable { status: 503 }, some),
            Verdict::Retry
        );
        assert_eq!(
            verdict(&SfError::Unavailable { status: 429 }, None),
            Verdict::Retry
        );
        assert_eq!(
            verdict(&SfError::Unavailable { status: 500 }, some),
            Verdict::GiveUp
        );
        assert_eq!(
            verdict(&api(403, "REQUEST_LIMIT_EXCEEDED"), some),
            Verdict::Retry
        );
        assert_eq!(
            verdict(&api(403, "REQUEST_LIMIT_EXCEEDED"), None),
            Verdict::Retry
        );
        assert_eq!(
            verdict(&api(403, "REQUEST_LIMIT_EXCEEDED"), spent),
            Verdict::GiveUp,
            "a spent daily allowance does not come back in seconds"
        );
        assert_eq!(verdict(&api(400, "MALFORMED_QUERY"), some), Verdict::GiveUp);
        assert_eq!(
            verdict(&api(403, "INSUFFICIENT_ACCESS"), some),
            Verdict::GiveUp
        );
    }
}
