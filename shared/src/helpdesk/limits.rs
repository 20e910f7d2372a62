//! Zoho Desk's API limits: daily credits by edition and agents, calls at once by edition
//! ("Working with API Credits", help.zoho.com/portal/en/kb/desk/developer-space/
//! apidashboard/articles/working-with-api-credits), and the share of them a client may
//! use ([`CreditBudget`]), since every integration of the portal draws on the same credits.

use super::records::{Agent, Profile};
use serde::{Deserialize, Serialize};

/// Zoho Desk's editions, as their credits and concurrency differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Edition {
    /// Also the trial period.
    Free,
    Express,
    Standard,
    Professional,
    /// Also Zoho One and CRM Plus.
    Enterprise,
}

impl Edition {
    /// Reads an edition's name as `/organizations` reports it (`ENTERPRISE`, `Professional`,
    /// `zohoone`, ...), whatever its case and spacing.
    pub fn from_name(name: &str) -> Option<Edition> {
        let name: String = name
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        Some(match name.as_str() {
            "free" | "trial" => Edition::Free,
            "express" => Edition::Express,
            "standard" => Edition::Standard,
            "professional" => Edition::Professional,
            "enterprise" | "zohoone" | "crmplus" => Edition::Enterprise,
            _ => return None,
        })
    }

    /// The edition's name as Zoho's pricing spells it.
    pub fn label(self) -> &'static str {
        match self {
            Edition::Free => "Free",
            Edition::Express => "Express",
            Edition::Standard => "Standard",
            Edition::Professional => "Professional",
            Edition::Enterprise => "Enterprise",
        }
    }

    /// Base credits a day ("Working with API Credits": Free 5,000, Express 25,000,
    /// Professional 75,000, Enterprise 100,000; Standard's 50,000 is issue 16's figure,
    /// the stored page breaking off there).
    fn base_credits(self) -> u64 {
        match self {
            Edition::Free => 5_000,
            Edition::Express => 25_000,
            Edition::Standard => 50_000,
            Edition::Professional => 75_000,
            Edition::Enterprise => 100_000,
        }
    }

    /// Variable credits a day per agent, light agents excluded (same page; Standard's
    /// 250 from issue 16).
    fn credits_per_agent(self) -> u64 {
        match self {
            Edition::Free => 0,
            Edition::Express => 100,
            Edition::Standard => 250,
            Edition::Professional => 500,
            Edition::Enterprise => 1_000,
        }
    }

    /// API calls a portal may have in progress at once (same page, "Concurrency Limits").
    pub fn concurrency(self) -> usize {
        match self {
            Edition::Free => 5,
            Edition::Express | Edition::Standard => 10,
            Edition::Professional => 15,
            Edition::Enterprise => 25,
        }
    }
}

/// A portal's credit model: its edition and its agents (light agents do not count).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditPlan {
    pub edition: Edition,
    pub agents: u64,
}

impl CreditPlan {
    /// The plan of a portal on `edition` with these agents: the active ones earn credits,
    /// light agents excepted ("Working with API Credits", variable credits).
    pub fn of(edition: Edition, agents: &[Agent], profiles: &[Profile]) -> CreditPlan {
        let light = |agent: &Agent| {
            profiles
                .iter()
                .find(|p| p.id == agent.profile_id)
                .and_then(|p| p.kind.as_deref())
                .is_some_and(|kind| kind == "LightAgent")
        };
        let paid = agents
            .iter()
            .filter(|a| a.status.as_deref().is_none_or(|s| s == "ACTIVE") && !light(a))
            .count();
        CreditPlan {
            edition,
            agents: paid as u64,
        }
    }

    /// The day's credits: base plus per agent (purchased additional credits not counted).
    pub fn daily_credits(&self) -> u64 {
        self.edition.base_credits() + self.edition.credits_per_agent() * self.agents
    }
}

/// How much of the portal's daily credits and calls at once a client may use, so that
/// the sync never starves the portal's other integrations (nor the agent panel).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreditBudget {
    /// Call until the helpdesk itself says no.
    Unlimited,
    /// Stop once this percentage of the day's credits is spent; use this percentage of
    /// the calls the edition allows at once (at least one).
    Percent(u8),
}

impl Default for CreditBudget {
    fn default() -> Self {
        CreditBudget::Percent(80)
    }
}

impl CreditBudget {
    fn share(&self, whole: u64) -> u64 {
        match self {
            CreditBudget::Unlimited => whole,
            CreditBudget::Percent(percent) => {
                (u128::from(whole) * u128::from((*percent).min(100)) / 100) as u64
            }
        }
    }

    /// Credits the budget lets be spent of a day's `daily`.
    pub fn ceiling(&self, daily: u64) -> u64 {
        self.share(daily)
    }

    /// Whether one more call costing `weight` fits, given the credits the helpdesk last
    /// said were left (`X-Rate-Limit-Remaining-v3`) of a day's `daily`.
    pub fn allows(&self, remaining: u64, daily: u64, weight: u64) -> bool {
        *self == CreditBudget::Unlimited
            || daily.saturating_sub(remaining) + weight <= self.ceiling(daily)
    }

    /// Calls to have in progress at once under an edition's cap.
    pub fn concurrency(&self, cap: usize) -> usize {
        (self.share(cap as u64) as usize).max(1)
    }
}

/// A client's limits: the portal's plan and the client's share of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreditLimits {
    pub plan: CreditPlan,
    pub budget: CreditBudget,
}

impl CreditLimits {
    /// Calls to have in progress at once.
    pub fn concurrency(&self) -> usize {
        self.budget.concurrency(self.plan.edition.concurrency())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn daily_credits_follow_the_edition_table() {
        let plan = |edition, agents| CreditPlan { edition, agents }.daily_credits();
        assert_eq!(
            plan(Edition::Free, 40),
            5_000,
            "no credits per agent on Free"
        );
        assert_eq!(plan(Edition::Standard, 4), 51_000);
        assert_eq!(plan(Edition::Professional, 10), 80_000);
        assert_eq!(plan(Edition::Enterprise, 3), 103_000);
    }

    #[test]
    fn only_active_agents_that_are_not_light_agents_earn_credits() {
        let agent = |id: &str, profile: &str, status: Option<&str>| Agent {
            id: id.into(),
            name: id.into(),
            first_name: None,
            last_name: None,
            email_id: format!("{id}@desk.example"),
            profile_id: profile.into(),
            role_id: "r".into(),
            status: status.map(str::to_owned),
        };
        let profile = |id: &str, kind: &str| Profile {
            id: id.into(),
            name: kind.into(),
            kind: Some(kind.into()),
            is_default: true,
        };
        let agents = [
            agent("a", "admin", Some("ACTIVE")),
            agent("b", "agent", None),
            agent("c", "light", Some("ACTIVE")),
            agent("d", "agent", Some("DISABLED")),
        ];
        let profiles = [
            profile("admin", "Administrator"),
            profile("agent", "Agent"),
            profile("light", "LightAgent"),
        ];
        let plan = CreditPlan::of(Edition::Professional, &agents, &profiles);
        assert_eq!(plan.agents, 2);
        assert_eq!(plan.daily_credits(), 76_000);
    }

    #[test]
    fn edition_names_are_read_as_the_api_spells_them() {
        assert_eq!(Edition::from_name("ENTERPRISE"), Some(Edition::Enterprise));
        assert_eq!(Edition::from_name("Zoho One"), Some(Edition::Enterprise));
        assert_eq!(
            Edition::from_name("professional"),
            Some(Edition::Professional)
        );
        assert_eq!(Edition::from_name("Trial"), Some(Edition::Free));
        assert_eq!(Edition::from_name("Platinum"), None);
    }

    #[test]
    fn the_budget_stops_at_its_share_of_the_day() {
        let budget = CreditBudget::Percent(80);
        assert!(
            budget.allows(10_001, 50_000, 1),
            "39,999 spent of a 40,000 ceiling"
        );
        assert!(!budget.allows(10_000, 50_000, 1), "the ceiling reached");
        assert!(
            !budget.allows(10_100, 50_000, 101),
            "a heavy call that would pass it"
        );
        assert!(budget.allows(10_100, 50_000, 100));
        assert!(!budget.allows(0, 50_000, 1));
        assert!(!CreditBudget::Percent(0).allows(5_000, 5_000, 1));
        assert!(CreditBudget::Unlimited.allows(0, 5_000, 1_000));
        assert_eq!(
            CreditBudget::Percent(250).ceiling(10),
            10,
            "capped at the whole"
        );
    }

    #[test]
    fn calls_at_once_are_a_share_of_the_editions_cap() {
        let limits = |edition, budget| CreditLimits {
            plan: CreditPlan { edition, agents: 1 },
            budget,
        };
        assert_eq!(
            limits(Edition::Free, CreditBudget::Percent(80)).concurrency(),
            4
        );
        assert_eq!(
            limits(Edition::Enterprise, CreditBudget::Percent(80)).concurrency(),
            20
        );
        assert_eq!(
            limits(Edition::Free, CreditBudget::Percent(1)).concurrency(),
            1
        );
        assert_eq!(
            limits(Edition::Professional, CreditBudget::Unlimited).concurrency(),
            15
        );
    }
}
