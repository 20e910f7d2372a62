//! Per-field reconciliation of one linked pair of records.
//!
//! Each link keeps the values both sides last agreed on (the snapshot). Each field follows
//! its [`SyncRule`]. Two-way: a field that differs from the snapshot on one side only
//! changed there; when both sides changed it, the newer record wins, Salesforce on a tie.
//! "Salesforce always wins" and "helpdesk always wins" copy the winner's value whenever
//! the two differ (one-way sync makes every two-way field Salesforce's); "Salesforce
//! unless blank" takes Salesforce's value unless Salesforce's field is blank and was not
//! just cleared, then the helpdesk's; "don't sync" leaves both alone. A write we made
//! comes back equal to the snapshot, so it is no change at all: that is the echo
//! suppression. Rules settle disagreements between two existing records: a counterpart
//! being created has no value of its own, so it starts with every synced field
//! ([`create`]).

use contract::mapping::{SyncRule, SyncType};
use serde_json::Value;
use std::collections::BTreeMap;

/// Mapped values in canonical form, keyed by the helpdesk field name.
pub type Values = BTreeMap<String, Value>;

/// Each mapped field's rule, keyed by the helpdesk field name; a field not named is two-way.
pub type Rules = BTreeMap<String, SyncRule>;

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

/// Which side's value a field that differs takes, or `None` to leave both alone.
fn winner(
    rule: SyncRule,
    last: Option<&Value>,
    s: &Value,
    h: &Value,
    salesforce_newer_or_tied: bool,
) -> Option<contract::side::Side> {
    use contract::side::Side::{Helpdesk, Salesforce};
    let take_salesforce = match (rule, last) {
        (SyncRule::DontSync, _) => return None,
        (SyncRule::SalesforceWins, _) => true,
        (SyncRule::HelpdeskWins, _) => false,
        // A value Salesforce just cleared is cleared in the helpdesk too; a field Salesforce
        // never filled takes the helpdesk's.
        (SyncRule::SalesforceUnlessBlank, last) => {
            !s.is_null() || last.is_some_and(|last| !last.is_null())
        }
        (SyncRule::TwoWay, Some(last)) => match (s != last, h != last) {
            (true, false) => true,
            (false, true) => false,
            _ => salesforce_newer_or_tied,
        },
        // First meeting of two records (a duplicate match): fill gaps from either
        // side, and let the newer record settle real disagreements.
        (SyncRule::TwoWay, None) => match (s.is_null(), h.is_null()) {
            (false, true) => true,
            (true, false) => false,
            _ => salesforce_newer_or_tied,
        },
    };
    Some(if take_salesforce {
        Salesforce
    } else {
        Helpdesk
    })
}

pub fn merge(
    sync_type: SyncType,
    rules: &Rules,
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
        if s == h {
            merge.agreed.insert(key.clone(), s.clone());
            continue;
        }
        let rule = rules
            .get(key)
            .copied()
            .unwrap_or_default()
            .effective(sync_type);
        let last = snapshot.map(|snapshot| get(snapshot, key));
        let (winner, target) = match winner(rule, last, s, h, salesforce_newer_or_tied) {
            None => continue,
            Some(contract::side::Side::Salesforce) => (s, &mut merge.to_helpdesk),
            Some(contract::side::Side::Helpdesk) => (h, &mut merge.to_salesforce),
        };
        target.insert(key.clone(), winner.clone());
        merge.agreed.insert(key.clone(), winner.clone());
    }
    merge
}

/// The merge for a record with no counterpart yet on side `to`: the counterpart is created
/// with every field the record holds except those not synced. Were "the other side always
/// wins" applied here, the counterpart would start blank and the next merge would copy
/// that blank over the creator's value.
pub fn create(to: contract::side::Side, rules: &Rules, values: &Values) -> Merge {
    let agreed: Values = values
        .iter()
        .filter(|(key, _)| rules.get(*key) != Some(&SyncRule::DontSync))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    // A blank needs no writing on a record that starts blank.
    let fields: Values = agreed
        .iter()
        .filter(|(_, value)| !value.is_null())
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    let (to_helpdesk, to_salesforce) = match to {
        contract::side::Side::Helpdesk => (fields, Values::new()),
        contract::side::Side::Salesforce => (Values::new(), fields),
    };
    Merge {
        to_helpdesk,
        to_salesforce,
        agreed,
    }
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
            &Rules::new(),
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
            &Rules::new(),
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
            &Rules::new(),
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
            &Rules::new(),
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
            &Rules::new(),
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
            &Rules::new(),
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
    fn a_counterpart_being_created_gets_every_synced_field_whatever_the_rules() {
        use contract::side::Side::{Helpdesk, Salesforce};
        let rules = Rules::from([
            ("title".to_owned(), SyncRule::SalesforceWins),
            ("phone".to_owned(), SyncRule::HelpdeskWins),
            ("notes".to_owned(), SyncRule::DontSync),
        ]);
        let created_with = values(&[
            ("title", json!("CTO")),
            ("phone", json!("555")),
            ("notes", json!("private")),
            ("email", json!("a@x.co")),
            ("mobile", Value::Null),
        ]);
        let synced = values(&[
            ("title", json!("CTO")),
            ("phone", json!("555")),
            ("email", json!("a@x.co")),
        ]);
        let in_salesforce = create(Salesforce, &rules, &created_with);
        assert_eq!(in_salesforce.to_salesforce, synced);
        assert!(in_salesforce.to_helpdesk.is_empty());
        let mut agreed = synced.clone();
        agreed.insert("mobile".to_owned(), Value::Null);
        assert_eq!(in_salesforce.agreed, agreed);
        let in_helpdesk = create(Helpdesk, &rules, &created_with);
        assert_eq!(in_helpdesk.to_helpdesk, synced);
        assert!(in_helpdesk.to_salesforce.is_empty());
        assert_eq!(in_helpdesk.agreed, agreed);
    }

    /// One field `f` under `rule`, two-way: the merge of Salesforce's `s` and the
    /// helpdesk's `h` against `last` (no snapshot: first meeting), the helpdesk newer.
    fn one_field(rule: SyncRule, last: Option<Value>, s: Value, h: Value) -> Merge {
        let rules = Rules::from([("f".to_owned(), rule)]);
        let snapshot = last.map(|last| values(&[("f", last)]));
        let (sf, hd) = (values(&[("f", s)]), values(&[("f", h)]));
        merge(
            SyncType::TwoWay,
            &rules,
            snapshot.as_ref(),
            Side {
                values: &sf,
                modified_ms: 1,
            },
            Side {
                values: &hd,
                modified_ms: 2,
            },
        )
    }

    fn field(value: Value) -> Values {
        values(&[("f", value)])
    }

    #[test]
    fn salesforce_always_wins_undoes_helpdesk_edits_and_copies_blanks() {
        let helpdesk_edit = one_field(
            SyncRule::SalesforceWins,
            Some(json!("CTO")),
            json!("CTO"),
            json!("Boss"),
        );
        assert_eq!(helpdesk_edit.to_helpdesk, field(json!("CTO")));
        assert!(helpdesk_edit.to_salesforce.is_empty());
        let cleared = one_field(
            SyncRule::SalesforceWins,
            Some(json!("CTO")),
            Value::Null,
            json!("CTO"),
        );
        assert_eq!(cleared.to_helpdesk, field(Value::Null));
        assert_eq!(cleared.agreed, field(Value::Null));
    }

    #[test]
    fn helpdesk_always_wins_is_the_mirror() {
        let salesforce_edit = one_field(
            SyncRule::HelpdeskWins,
            Some(json!("CTO")),
            json!("CEO"),
            json!("CTO"),
        );
        assert_eq!(salesforce_edit.to_salesforce, field(json!("CTO")));
        assert!(salesforce_edit.to_helpdesk.is_empty());
        let first_meeting = one_field(SyncRule::HelpdeskWins, None, json!("CEO"), Value::Null);
        assert_eq!(first_meeting.to_salesforce, field(Value::Null));
    }

    #[test]
    fn salesforce_unless_blank_fills_a_blank_salesforce_field_only() {
        // Salesforce has a value: it wins over a newer helpdesk edit.
        let edit = one_field(
            SyncRule::SalesforceUnlessBlank,
            Some(json!("CTO")),
            json!("CTO"),
            json!("Boss"),
        );
        assert_eq!(edit.to_helpdesk, field(json!("CTO")));
        // Salesforce never had one: the helpdesk's goes over.
        let fill = one_field(
            SyncRule::SalesforceUnlessBlank,
            Some(Value::Null),
            Value::Null,
            json!("Boss"),
        );
        assert_eq!(fill.to_salesforce, field(json!("Boss")));
        assert_eq!(
            one_field(
                SyncRule::SalesforceUnlessBlank,
                None,
                Value::Null,
                json!("Boss")
            )
            .to_salesforce,
            field(json!("Boss"))
        );
        // Salesforce cleared it: the helpdesk's is cleared too.
        let cleared = one_field(
            SyncRule::SalesforceUnlessBlank,
            Some(json!("CTO")),
            Value::Null,
            json!("CTO"),
        );
        assert_eq!(cleared.to_helpdesk, field(Value::Null));
    }

    #[test]
    fn dont_sync_leaves_both_sides_and_the_snapshot_alone() {
        for last in [None, Some(json!("CTO"))] {
            let m = one_field(SyncRule::DontSync, last, json!("CEO"), json!("Boss"));
            assert!(m.is_noop());
            assert!(m.agreed.is_empty());
        }
    }

    #[test]
    fn rules_act_per_field_and_unnamed_fields_are_two_way() {
        let snapshot = values(&[("a", json!("1")), ("b", json!("1"))]);
        let sf = values(&[("a", json!("1")), ("b", json!("1"))]);
        let hd = values(&[("a", json!("2")), ("b", json!("2"))]);
        let rules = Rules::from([("a".to_owned(), SyncRule::SalesforceWins)]);
        let m = merge(
            SyncType::TwoWay,
            &rules,
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
        assert_eq!(m.to_helpdesk, values(&[("a", json!("1"))]));
        assert_eq!(m.to_salesforce, values(&[("b", json!("2"))]));
    }
}
