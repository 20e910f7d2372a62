//! Zoho Desk's API credits and concurrency, per organisation.
//!
//! Each organisation gets a daily allowance of credits by edition: base credits plus
//! credits per agent (light agents excluded), and a cap on calls in progress at once
//! ("Working with API Credits", help.zoho.com/portal/en/kb/desk/developer-space/apidashboard/
//! articles/working-with-api-credits). Past the day's credits a call gets 429
//! `THRESHOLD_EXCEEDED`; past the concurrency cap, 429 `TOO_MANY_REQUESTS` (Zoho Desk API
//! documentation, error codes).
//!
//! Every organisation has a plan from the start, as every Zoho portal has an edition: its
//! desk's edition ([`super::store::Desk::edition`]) and its paid agents. The sandbox
//! counts what each organisation spends (`GET /__sandbox/credits`); a test may lift an
//! organisation's plan (`None`, a sandbox-only mode) to count and refuse nothing.

use crate::clock::{DAY_MS, midnight};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Zoho Desk's editions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Edition {
    Free,
    Express,
    Standard,
    Professional,
    /// Also Zoho One and CRM Plus.
    Enterprise,
}

impl Edition {
    /// The name `/organizations` answers (`ENTERPRISE` as Zoho's own answer spells it;
    /// the other editions' upper-case spelling is a sandbox choice).
    pub fn api_name(self) -> &'static str {
        match self {
            Edition::Free => "FREE",
            Edition::Express => "EXPRESS",
            Edition::Standard => "STANDARD",
            Edition::Professional => "PROFESSIONAL",
            Edition::Enterprise => "ENTERPRISE",
        }
    }

    /// Base credits a day ("Working with API Credits": Free 5,000, Express 25,000,
    /// Professional 75,000, Enterprise 100,000; the stored page breaks off at Standard,
    /// whose 50,000 is issue 16's figure).
    pub fn base_credits(self) -> u64 {
        match self {
            Edition::Free => 5_000,
            Edition::Express => 25_000,
            Edition::Standard => 50_000,
            Edition::Professional => 75_000,
            Edition::Enterprise => 100_000,
        }
    }

    /// Variable credits per agent (same page; Standard's 250 from issue 16).
    pub fn credits_per_agent(self) -> u64 {
        match self {
            Edition::Free => 0,
            Edition::Express => 100,
            Edition::Standard => 250,
            Edition::Professional => 500,
            Edition::Enterprise => 1_000,
        }
    }

    /// Calls that may be in progress at once (same page, "Concurrency Limits").
    pub fn concurrency(self) -> u32 {
        match self {
            Edition::Free => 5,
            Edition::Express | Edition::Standard => 10,
            Edition::Professional => 15,
            Edition::Enterprise => 25,
        }
    }
}

/// The credit model of an organisation: its edition and its agents (light agents do not
/// count).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreditPlan {
    pub edition: Edition,
    pub agents: u32,
}

impl CreditPlan {
    pub fn daily_credits(&self) -> u64 {
        self.edition.base_credits() + self.edition.credits_per_agent() * u64::from(self.agents)
    }
}

/// Why a call was refused before it ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The organisation has as many calls in progress as its edition allows.
    TooManyConcurrent,
    /// The day's credits are spent; they come back in this many seconds (at midnight UTC
    /// by the sandbox clock).
    ThresholdExceeded { retry_after_secs: u64 },
}

/// What one organisation has spent, for `GET /__sandbox/credits`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrgCredits {
    /// The plan the organisation is held to (`None`: nothing refused).
    pub plan: Option<CreditPlan>,
    /// Credits spent since the sandbox started (or the last reset).
    pub spent: u64,
    /// Credits spent on the current day.
    pub spent_today: u64,
    /// The day's allowance, when a plan is set.
    pub daily_credits: Option<u64>,
    /// Calls answered (charged or not).
    pub calls: u64,
    pub in_flight: u32,
    /// Calls refused with `THRESHOLD_EXCEEDED` / `TOO_MANY_REQUESTS`.
    pub threshold_refusals: u64,
    pub concurrency_refusals: u64,
}

#[derive(Debug, Default)]
struct Meter {
    /// Midnight of the day `spent_today` counts.
    day: i64,
    credits: OrgCredits,
}

/// Every organisation's meter and the plan it is held to.
#[derive(Debug, Default)]
pub struct Ledger {
    plans: BTreeMap<String, Option<CreditPlan>>,
    meters: BTreeMap<String, Meter>,
}

impl Ledger {
    /// A ledger of these organisations, each with its plan.
    pub fn new(plans: impl IntoIterator<Item = (String, Option<CreditPlan>)>) -> Self {
        Ledger {
            plans: plans.into_iter().collect(),
            meters: BTreeMap::new(),
        }
    }

    pub fn plan(&self, org: &str) -> Option<CreditPlan> {
        self.plans.get(org).copied().flatten()
    }

    /// Sets one organisation's plan, or every organisation's (`org` `None`).
    pub fn set_plan(&mut self, org: Option<&str>, plan: Option<CreditPlan>) {
        match org {
            Some(org) => {
                self.plans.insert(org.to_owned(), plan);
            }
            None => self.plans.values_mut().for_each(|p| *p = plan),
        }
    }

    fn meter(&mut self, org: &str, now_ms: i64) -> &mut Meter {
        let meter = self.meters.entry(org.to_owned()).or_default();
        let today = midnight(now_ms);
        if meter.day != today {
            meter.day = today;
            meter.credits.spent_today = 0;
        }
        meter
    }

    /// Lets a call of `org` start, or refuses it. An admitted call must be
    /// [`finished`](Self::finish).
    pub fn admit(&mut self, org: &str, weight: u64, now_ms: i64) -> Result<(), Refusal> {
        let plan = self.plan(org);
        let meter = self.meter(org, now_ms);
        if let Some(plan) = plan {
            if meter.credits.in_flight >= plan.edition.concurrency() {
                meter.credits.concurrency_refusals += 1;
                return Err(Refusal::TooManyConcurrent);
            }
            if meter.credits.spent_today + weight > plan.daily_credits() {
                meter.credits.threshold_refusals += 1;
                let left_ms = meter.day + DAY_MS - now_ms;
                let secs = u64::try_from(left_ms.max(1)).unwrap_or(1).div_ceil(1000);
                return Err(Refusal::ThresholdExceeded {
                    retry_after_secs: secs,
                });
            }
        }
        meter.credits.in_flight += 1;
        Ok(())
    }

    /// Ends an admitted call that cost `weight`: the credits left today, when a plan is set.
    pub fn finish(&mut self, org: &str, weight: u64, now_ms: i64) -> Option<u64> {
        let plan = self.plan(org);
        let meter = self.meter(org, now_ms);
        meter.credits.in_flight = meter.credits.in_flight.saturating_sub(1);
        meter.credits.calls += 1;
        meter.credits.spent += weight;
        meter.credits.spent_today += weight;
        plan.map(|p| p.daily_credits().saturating_sub(meter.credits.spent_today))
    }

    /// Charges `credits` to `org` without a call: what the helpdesk's other integrations
    /// spent, since an organisation's credits are shared by all its API clients.
    pub fn spend(&mut self, org: &str, credits: u64, now_ms: i64) {
        let meter = self.meter(org, now_ms);
        meter.credits.spent += credits;
        meter.credits.spent_today += credits;
    }

    /// Each organisation's plan and spending, by org id (what a meter counted on an
    /// earlier day is not spent today).
    pub fn report(&self, now_ms: i64) -> BTreeMap<String, OrgCredits> {
        let orgs: std::collections::BTreeSet<&String> =
            self.plans.keys().chain(self.meters.keys()).collect();
        orgs.into_iter()
            .map(|org| {
                let plan = self.plan(org);
                let credits = self
                    .meters
                    .get(org)
                    .map_or_else(OrgCredits::default, |meter| OrgCredits {
                        spent_today: if meter.day == midnight(now_ms) {
                            meter.credits.spent_today
                        } else {
                            0
                        },
                        ..meter.credits.clone()
                    });
                let credits = OrgCredits {
                    plan,
                    daily_credits: plan.map(|p| p.daily_credits()),
                    ..credits
                };
                (org.clone(), credits)
            })
            .collect()
    }

    /// Forgets what was spent (calls in progress stay counted).
    pub fn reset(&mut self) {
        for meter in self.meters.values_mut() {
            meter.credits = OrgCredits {
                in_flight: meter.credits.in_flight,
                ..OrgCredits::default()
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOON: i64 = 20_000 * DAY_MS + DAY_MS / 2;

    /// Two organisations on the Free edition.
    fn free_plan() -> Vec<(String, Option<CreditPlan>)> {
        let free = Some(CreditPlan {
            edition: Edition::Free,
            agents: 0,
        });
        vec![("1".into(), free), ("2".into(), free)]
    }

    #[test]
    fn allowances_follow_the_edition_table() {
        let professional = CreditPlan {
            edition: Edition::Professional,
            agents: 10,
        };
        assert_eq!(professional.daily_credits(), 80_000);
        let free = CreditPlan {
            edition: Edition::Free,
            agents: 3,
        };
        assert_eq!(free.daily_credits(), 5_000);
        assert_eq!(Edition::Enterprise.concurrency(), 25);
    }

    #[test]
    fn the_day_runs_out_and_comes_back_at_midnight() {
        let mut ledger = Ledger::new(free_plan());
        ledger.admit("1", 1, NOON).unwrap();
        assert_eq!(ledger.finish("1", 4_998, NOON), Some(2));
        ledger.admit("1", 2, NOON).unwrap();
        assert_eq!(ledger.finish("1", 2, NOON), Some(0));
        assert_eq!(
            ledger.admit("1", 1, NOON),
            Err(Refusal::ThresholdExceeded {
                retry_after_secs: 43_200
            })
        );
        // Another organisation has its own allowance.
        assert!(ledger.admit("2", 1, NOON).is_ok());
        ledger.spend("2", 4_999, NOON);
        assert!(ledger.admit("2", 2, NOON).is_err());
        // The next day starts afresh.
        assert!(ledger.admit("1", 1, NOON + DAY_MS / 2).is_ok());
        let report = ledger.report(NOON + DAY_MS / 2);
        assert_eq!(report["1"].spent, 5_000);
        assert_eq!(report["1"].spent_today, 0);
        assert_eq!(report["1"].threshold_refusals, 1);
    }

    #[test]
    fn calls_in_progress_are_capped_by_edition() {
        let mut ledger = Ledger::new(free_plan());
        for _ in 0..5 {
            ledger.admit("1", 1, NOON).unwrap();
        }
        assert_eq!(ledger.admit("1", 1, NOON), Err(Refusal::TooManyConcurrent));
        ledger.finish("1", 1, NOON);
        assert!(ledger.admit("1", 1, NOON).is_ok());
        assert_eq!(ledger.report(NOON)["1"].concurrency_refusals, 1);
    }

    #[test]
    fn without_a_plan_spending_is_counted_and_nothing_refused() {
        let mut ledger = Ledger::new(free_plan());
        ledger.set_plan(Some("1"), None);
        for _ in 0..100 {
            ledger.admit("1", 1_000, NOON).unwrap();
        }
        assert_eq!(ledger.finish("1", 3, NOON), None);
        let report = ledger.report(NOON);
        assert_eq!((report["1"].spent, report["1"].in_flight), (3, 99));
        assert_eq!(report["1"].daily_credits, None);
        assert_eq!(
            report["2"].daily_credits,
            Some(5_000),
            "the other keeps its plan"
        );
        ledger.reset();
        assert_eq!(ledger.report(NOON)["1"].spent, 0);
        assert_eq!(ledger.report(NOON)["1"].in_flight, 99);
        ledger.set_plan(None, None);
        assert_eq!(ledger.plan("2"), None);
    }
}
