//! The org's daily API allowance: what every answer reports (`Sforce-Limit-Info`), the
//! share of it a client may spend ([`Budget`]), and the `/limits` resource.

use crate::http::HttpResponse;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `api-usage=N/M` from `Sforce-Limit-Info`: calls used in the last 24 hours of the
/// org's daily allowance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiUsage {
    pub used: u64,
    pub max: u64,
}

impl ApiUsage {
    /// Reads the header's `api-usage` entry. The header can carry more entries, e.g.
    /// `api-usage=18/5000, per-app-api-usage=17/250(appName=sample-app)`.
    pub fn from_header(value: &str) -> Option<Self> {
        value.split(',').find_map(|entry| {
            let (key, usage) = entry.trim().split_once('=')?;
            if !key.trim().eq_ignore_ascii_case("api-usage") {
                return None;
            }
            let (used, max) = usage.trim().split_once('/')?;
            Some(ApiUsage {
                used: used.trim().parse().ok()?,
                max: max.trim().parse().ok()?,
            })
        })
    }

    pub fn from_response(response: &HttpResponse) -> Option<Self> {
        response
            .header("Sforce-Limit-Info")
            .and_then(ApiUsage::from_header)
    }

    pub fn remaining(&self) -> u64 {
        self.max.saturating_sub(self.used)
    }

    /// The whole allowance is gone: Salesforce refuses calls until usage falls again.
    pub fn is_spent(&self) -> bool {
        self.used >= self.max
    }
}

/// How much of the org's daily allowance a client may spend before it refuses to call,
/// so that sync never starves the org's other integrations (or the agent panel).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    /// Call until Salesforce itself says no.
    Unlimited,
    /// Refuse once `used` reaches this percentage of `max`.
    Percent(u8),
}

impl Default for Budget {
    fn default() -> Self {
        Budget::Percent(80)
    }
}

impl Budget {
    /// The number of used calls at which this budget refuses, for an allowance of `max`.
    pub fn ceiling(&self, max: u64) -> u64 {
        match self {
            Budget::Unlimited => u64::MAX,
            Budget::Percent(percent) => {
                (u128::from(max) * u128::from((*percent).min(100)) / 100) as u64
            }
        }
    }

    /// Whether one more call fits, given the last usage Salesforce reported.
    pub fn allows(&self, usage: ApiUsage) -> bool {
        usage.used < self.ceiling(usage.max)
    }
}

/// One entry of `/limits`. Entries may nest per-app sub-entries, which are ignored here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Limit {
    pub max: i64,
    pub remaining: i64,
}

/// The answer of `/limits`: each limit by name (`DailyApiRequests`, `DataStorageMB`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OrgLimits(pub BTreeMap<String, Limit>);

impl OrgLimits {
    pub fn get(&self, name: &str) -> Option<Limit> {
        self.0.get(name).copied()
    }

    pub fn daily_api_requests(&self) -> Option<Limit> {
        self.get("DailyApiRequests")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_api_usage_entry() {
        assert_eq!(
            ApiUsage::from_header("api-usage=16/100000"),
            Some(ApiUsage {
                used: 16,
                max: 100_000
            })
        );
        assert_eq!(
            ApiUsage::from_header("per-app-api-usage=17/250(appName=sample), api-usage=18/5000"),
            Some(ApiUsage {
                used: 18,
                max: 5000
            }),
            "the per-app entry is not the org's usage"
        );
        assert_eq!(
            ApiUsage::from_header("api-usage=18/5000,per-app-api-usage=17/250(appName=x)"),
            Some(ApiUsage {
                used: 18,
                max: 5000
            })
        );
        for bad in [
            "",
            "api-usage=",
            "api-usage=12",
            "api-usage=a/b",
            "usage=1/2",
        ] {
            assert_eq!(ApiUsage::from_header(bad), None, "{bad:?}");
        }
        let response = HttpResponse {
            status: 200,
            headers: vec![("sforce-limit-info".into(), "api-usage=3/10".into())],
            body: vec![],
        };
        let usage = ApiUsage::from_response(&response).unwrap();
        assert_eq!((usage.remaining(), usage.is_spent()), (7, false));
    }

    #[test]
    fn budget_refuses_at_its_share() {
        let budget = Budget::Percent(80);
        assert_eq!(budget.ceiling(100_000), 80_000);
        assert!(budget.allows(ApiUsage {
            used: 79_999,
            max: 100_000
        }));
        assert!(!budget.allows(ApiUsage {
            used: 80_000,
            max: 100_000
        }));
        assert!(!Budget::Percent(0).allows(ApiUsage { used: 0, max: 10 }));
        assert_eq!(Budget::Percent(250).ceiling(10), 10, "capped at the whole");
        assert!(Budget::Unlimited.allows(ApiUsage {
            used: 5_000_000,
            max: 10
        }));
        assert_eq!(Budget::default(), Budget::Percent(80));
    }

    #[test]
    fn decodes_the_limits_resource() {
        let body = r#"{"DailyApiRequests":{"Max":15000,"Remaining":14998,"Ant Migration Tool":{"Max":0,"Remaining":0}},
            "DataStorageMB":{"Max":5,"Remaining":5},"DailyBulkApiBatches":{"Max":15000,"Remaining":15000}}"#;
        let limits: OrgLimits = serde_json::from_str(body).unwrap();
        assert_eq!(
            limits.daily_api_requests(),
            Some(Limit {
                max: 15000,
                remaining: 14998
            })
        );
        assert_eq!(limits.get("DataStorageMB").unwrap().max, 5);
        assert_eq!(limits.get("Nope"), None);
    }
}
