//! Per-field reconciliation of one linked pair of records.
//!
//! Each link keeps the values both sides last agreed on (the snapshot). A field that
//! differs from the snapshot on one side only changed there; when both sides changed it,
//! the newer record wins, Salesforce on a tie. One-way, Salesforce always wins and the
//! helpdesk is never read back. A write we made comes back equal to the snapshot, so it
//! is no change at all: that is the echo suppression.

use contract::mapping::SyncType;
use serde_json::Value;
use std::collections::BTreeMap;

/// Mapped values in canonical form, keyed by the helpdesk field name.
pub type Values = BTreeMap<String, Value>;

/// A record's mapped values and when it was last modified (Unix milliseconds).
#[derive(Debug, Clone, PartialEq)]
pub struct Side<'a> {
    pub values: &'a Values,
    pub modified_ms: i64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Merge {
    /// Fields to write to the helpdesk record.
    pub to_helpdesk: Values,
    /// Fields to write to the Salesforce record.
    pub to_salesforce: Values,
    /// What both sides hold once those writes are done: the next snapshot.
    pub agreed: Values,
}

impl Merge {
    pub fn is_noop(&self) -> bool {
        self.to_helpdesk.is_empty() && self.to_salesforce.is_empty()
    }
}

fn get<'v>(values: &'v Values, key: &str) -> &'v Value {
    values.get(key).unwrap_or(&Value::Null)
}

pub fn merge(
    sync_type: SyncType,
    snapshot: Option<&Values>,
    salesforce: Side<'_>,
    helpdesk: Side<'_>,
) -> Merge {
    let keys: std::collections::BTreeSet<&String> = salesforce
        .values
        .keys()
        .chain(helpdesk.values.keys())
        .collect();
    let salesforce_newer_or_tied = salesforce.modified_ms >= helpdesk.modified_ms;
    let mut merge = Merge::default();
    for key in keys {
        let (s, h) = (get(salesforce.values, key), get(helpdesk.values, key));
        let take_salesforce = match (sync_type, snapshot) {
            _ if s == h => {
                merge.agreed.insert(key.clone(), s.clone());
                continue;
            }
            (SyncType::SalesforceToHelpdesk, _) => true,
            (SyncType::TwoWay, Some(last)) => {
                let last = get(last, key);
                match (s != last, h != last) {
                    (true, false) => true,
                    (false, true) => false,
                    _ => salesforce_newer_or_tied,
                }
            }
            // First meeting of two records (a duplicate match): fill gaps from either
            // side, and let the newer record settle real disagreements.
            (SyncType::TwoWay, None) => match (s.is_null(), h.is_null()) {
                (false, true) => true,
                (true, false) => false,
                _ => salesforce_newer_or_tied,
            },
        };
        let (winner, target) = if take_salesforce {
            (s, &mut merge.to_helpdesk)
        } else {
            (h, &mut merge.to_salesforce)
        };
        target.insert(key.clone(), winner.clone());
        merge.agreed.insert(key.clone(), winner.clone());
    }
    merge
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn values(pairs: &[(&str, Value)]) -> Values {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn a_write_coming_back_is_no_change() {
        let snapshot = values(&[("email", json!("a@x.co")), ("title", json!("CTO"))]);
        let m = merge(
            SyncType::TwoWay,
            Some(&snapshot),
            Side {
                values: &snapshot,
                modified_ms: 5,
            },
            Side {
                values: &snapshot,
                modified_ms: 9,
            },
        );
        assert!(m.is_noop());
        assert_eq!(m.agreed, snapshot);
    }

    #[test]
    fn a_change_on_one_side_flows_to_the_other() {
        let snapshot = values(&[("title", json!("CTO")), ("phone", json!("1"))]);
        let sf = values(&[("title", json!("CEO")), ("phone", json!("1"))]);
        let hd = values(&[("title", json!("CTO")), ("phone", json!("2"))]);
        // Each side changed a different field: both flow, regardless of record times.
        let m = merge(
            SyncType::TwoWay,
            Some(&snapshot),
            Side {
                values: &sf,
                modified_ms: 1,
            },
            Side {
                values: &hd,
                modified_ms: 100,
            },
        );
        assert_eq!(m.to_helpdesk, values(&[("title", json!("CEO"))]));
        assert_eq!(m.to_salesforce, values(&[("phone", json!("2"))]));
        assert_eq!(
            m.agreed,
            values(&[("title", json!("CEO")), ("phone", json!("2"))])
        );
    }

    #[test]
    fn conflicts_go_to_the_newer_record_and_salesforce_on_ties() {
        let snapshot = values(&[("title", json!("CTO"))]);
        let sf = values(&[("title", json!("CEO"))]);
        let hd = values(&[("title", json!("COO"))]);
        let newer_helpdesk = merge(
            SyncType::TwoWay,
            Some(&snapshot),
            Side {
                values: &sf,
                modified_ms: 1,
            },
            Side {
                values: &hd,
                modified_ms: 2,
            },
        );
        assert_eq!(
            newer_helpdesk.to_salesforce,
            values(&[("title", json!("COO"))])
        );
        let tie = merge(
            SyncType::TwoWay,
            Some(&snapshot),
            Side {
                values: &sf,
                modified_ms: 2,
            },
            Side {
                values: &hd,
                modified_ms: 2,
            },
        );
        assert_eq!(tie.to_helpdesk, values(&[("title", json!("CEO"))]));
        assert!(tie.to_salesforce.is_empty());
    }

    #[test]
    fn one_way_salesforce_always_wins_and_nothing_goes_back() {
        let snapshot = values(&[("title", json!("CTO"))]);
        let sf = values(&[("title", json!("CTO"))]);
        let hd = values(&[("title", json!("Changed in helpdesk"))]);
        let m = merge(
            SyncType::SalesforceToHelpdesk,
            Some(&snapshot),
            Side {
                values: &sf,
                modified_ms: 1,
            },
            Side {
                values: &hd,
                modified_ms: 99,
            },
        );
        assert_eq!(m.to_helpdesk, values(&[("title", json!("CTO"))]));
        assert!(m.to_salesforce.is_empty());
    }

    #[test]
    fn first_meeting_fills_gaps_both_ways() {
        let sf = values(&[("title", json!("CTO")), ("phone", Value::Null)]);
        let hd = values(&[("title", Value::Null), ("phone", json!("555"))]);
        let m = merge(
            SyncType::TwoWay,
            None,
            Side {
                values: &sf,
                modified_ms: 1,
            },
            Side {
                values: &hd,
                modified_ms: 1,
            },
        );
        assert_eq!(m.to_helpdesk, values(&[("title", json!("CTO"))]));
        assert_eq!(m.to_salesforce, values(&[("phone", json!("555"))]));
    }

    #[test]
    fn a_record_recreated_after_deletion_gets_every_field() {
        // The helpdesk record is gone: an empty side against the snapshot means "write all".
        let snapshot = values(&[("title", json!("CTO"))]);
        let sf = values(&[("title", json!("CTO")), ("email", json!("a@x.co"))]);
        let empty = Values::new();
        let m = merge(
            SyncType::SalesforceToHelpdesk,
            Some(&snapshot),
            Side {
                values: &sf,
                modified_ms: 1,
            },
            Side {
                values: &empty,
                modified_ms: 0,
            },
        );
        assert_eq!(m.to_helpdesk, sf);
    }
}
