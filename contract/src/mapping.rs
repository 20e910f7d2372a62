//! Field mapping between the helpdesk and Salesforce: which field feeds which, whether the
//! pair can carry values in the chosen direction(s), and the conversion of each value.
//!
//! Both sides describe their fields as [`FieldMeta`] (from Salesforce's describe and the
//! helpdesk's field list), so every check here is a pure function of the two lists.

use crate::side::Side;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    Account,
    Contact,
}

impl ObjectKind {
    pub fn salesforce_name(self) -> &'static str {
        match self {
            ObjectKind::Account => "Account",
            ObjectKind::Contact => "Contact",
        }
    }

    /// The object of a Salesforce sObject type name, if it is one we sync.
    pub fn from_salesforce_name(name: &str) -> Option<Self> {
        match name {
            "Account" => Some(ObjectKind::Account),
            "Contact" => Some(ObjectKind::Contact),
            _ => None,
        }
    }

    pub fn plural(self) -> &'static str {
        match self {
            ObjectKind::Account => "Accounts",
            ObjectKind::Contact => "Contacts",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncType {
    /// Changes on either side reach the other (the default).
    #[default]
    TwoWay,
    /// Salesforce is the master: its records flow to the helpdesk, never back.
    SalesforceToHelpdesk,
}

/// What a field holds, as far as moving values between systems is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueKind {
    Text,
    Integer,
    Decimal,
    Boolean,
    Date,
    DateTime,
}

impl ValueKind {
    /// From a Salesforce describe `type`.
    pub fn from_salesforce(describe_type: &str) -> Self {
        match describe_type {
            "int" => ValueKind::Integer,
            "double" | "currency" | "percent" => ValueKind::Decimal,
            "boolean" => ValueKind::Boolean,
            "date" => ValueKind::Date,
            "datetime" => ValueKind::DateTime,
            _ => ValueKind::Text,
        }
    }

    /// From a helpdesk field `type` (Zoho Desk's names, case-insensitive).
    pub fn from_helpdesk(field_type: &str) -> Self {
        match field_type.to_ascii_lowercase().as_str() {
            "number" | "integer" | "long" => ValueKind::Integer,
            "decimal" | "currency" | "percent" | "double" => ValueKind::Decimal,
            "boolean" | "checkbox" => ValueKind::Boolean,
            "date" => ValueKind::Date,
            "datetime" | "date_time" => ValueKind::DateTime,
            _ => ValueKind::Text,
        }
    }

    fn name(self) -> &'static str {
        match self {
            ValueKind::Text => "Text",
            ValueKind::Integer => "Integer",
            ValueKind::Decimal => "Decimal",
            ValueKind::Boolean => "Boolean",
            ValueKind::Date => "Date",
            ValueKind::DateTime => "DateTime",
        }
    }

    fn article(self) -> &'static str {
        if self == ValueKind::Integer {
            "an"
        } else {
            "a"
        }
    }

    /// Whether every value of `self` fits a field of kind `target`.
    fn fits(self, target: ValueKind) -> bool {
        self == target
            || target == ValueKind::Text
            || (self == ValueKind::Integer && target == ValueKind::Decimal)
    }
}

/// One field of one side, as its metadata describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldMeta {
    /// The API name (`LastName`, `lastName`, `cf_seats`).
    pub name: String,
    pub label: String,
    pub kind: ValueKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// Allowed values of a picklist; `None` for free fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picklist: Option<Vec<String>>,
    /// A record cannot be created without it.
    pub required: bool,
    /// We may write it.
    pub writable: bool,
}

impl FieldMeta {
    /// A writable, optional field labelled with its name, with no length limit or
    /// picklist: the plain shape that the others vary.
    pub fn new(name: &str, kind: ValueKind) -> Self {
        FieldMeta {
            name: name.into(),
            label: name.into(),
            kind,
            max_length: None,
            picklist: None,
            required: false,
            writable: true,
        }
    }
}

/// How one mapped field moves between the systems, chosen per field (HubSpot's sync
/// rules, "Map HubSpot properties to Salesforce fields", are the model).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncRule {
    /// The newer change wins, either way (one-way sync: Salesforce's).
    #[default]
    TwoWay,
    /// The helpdesk field holds Salesforce's value, blank included; nothing goes back.
    SalesforceWins,
    /// The Salesforce field holds the helpdesk's value, blank included; nothing comes over.
    HelpdeskWins,
    /// Salesforce's value wins, but a blank Salesforce field takes the helpdesk's value.
    SalesforceUnlessBlank,
    /// The field is mapped but nothing passes either way.
    DontSync,
}

impl SyncRule {
    pub const ALL: [SyncRule; 5] = [
        SyncRule::TwoWay,
        SyncRule::SalesforceWins,
        SyncRule::HelpdeskWins,
        SyncRule::SalesforceUnlessBlank,
        SyncRule::DontSync,
    ];

    /// The wire name (as serde writes it), for form values.
    pub fn id(self) -> &'static str {
        match self {
            SyncRule::TwoWay => "two_way",
            SyncRule::SalesforceWins => "salesforce_wins",
            SyncRule::HelpdeskWins => "helpdesk_wins",
            SyncRule::SalesforceUnlessBlank => "salesforce_unless_blank",
            SyncRule::DontSync => "dont_sync",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SyncRule::TwoWay => "Two-way",
            SyncRule::SalesforceWins => "Salesforce always wins",
            SyncRule::HelpdeskWins => "Helpdesk always wins",
            SyncRule::SalesforceUnlessBlank => "Salesforce unless blank",
            SyncRule::DontSync => "Don't sync",
        }
    }

    /// The rule as it acts under `sync_type`: one-way sync makes two-way fields
    /// Salesforce's (the rules that write to Salesforce are refused one-way by [`validate`]).
    pub fn effective(self, sync_type: SyncType) -> SyncRule {
        match (self, sync_type) {
            (SyncRule::TwoWay, SyncType::SalesforceToHelpdesk) => SyncRule::SalesforceWins,
            (rule, _) => rule,
        }
    }

    /// Whether the rule (as it acts under `sync_type`) ever writes the field on `side`.
    pub fn writes(self, side: Side, sync_type: SyncType) -> bool {
        match (self.effective(sync_type), side) {
            (SyncRule::DontSync, _)
            | (SyncRule::SalesforceWins, Side::Salesforce)
            | (SyncRule::HelpdeskWins, Side::Helpdesk) => false,
            (SyncRule::TwoWay | SyncRule::SalesforceUnlessBlank, _)
            | (SyncRule::SalesforceWins, Side::Helpdesk)
            | (SyncRule::HelpdeskWins, Side::Salesforce) => true,
        }
    }
}

/// One helpdesk field and one Salesforce field, kept in step by its rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldPair {
    pub helpdesk: String,
    pub salesforce: String,
    /// Mappings stored before rules existed read as two-way.
    #[serde(default)]
    pub rule: SyncRule,
}

impl FieldPair {
    /// A two-way pair.
    pub fn new(helpdesk: &str, salesforce: &str) -> Self {
        FieldPair {
            helpdesk: helpdesk.to_owned(),
            salesforce: salesforce.to_owned(),
            rule: SyncRule::TwoWay,
        }
    }

    pub fn with_rule(self, rule: SyncRule) -> Self {
        FieldPair { rule, ..self }
    }

    /// The field's name on `side`.
    pub fn field(&self, side: Side) -> &str {
        match side {
            Side::Helpdesk => &self.helpdesk,
            Side::Salesforce => &self.salesforce,
        }
    }
}

/// The standard fields, pre-mapped for a new integration. Links between contacts and
/// accounts are carried by the sync itself, not by a field pair.
pub fn default_pairs(object: ObjectKind) -> Vec<FieldPair> {
    let pairs: &[(&str, &str)] = match object {
        ObjectKind::Contact => &[
            ("firstName", "FirstName"),
            ("lastName", "LastName"),
            ("email", "Email"),
            ("phone", "Phone"),
            ("mobile", "MobilePhone"),
            ("title", "Title"),
            ("description", "Description"),
        ],
        ObjectKind::Account => &[
            ("accountName", "Name"),
            ("phone", "Phone"),
            ("website", "Website"),
            ("industry", "Industry"),
            ("description", "Description"),
        ],
    };
    pairs.iter().map(|(h, s)| FieldPair::new(h, s)).collect()
}

/// Why a mapping cannot be saved. The first two carry the reference's own wording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MappingIssue {
    #[error("{source_kind} value is given for {article} {target_kind} field")]
    TypeMismatch {
        helpdesk: String,
        salesforce: String,
        source_kind: String,
        article: String,
        target_kind: String,
    },
    #[error("Mandatory Field Missing")]
    MandatoryMissing { side: Side, field: String },
    #[error("The {side} field {field} does not exist")]
    UnknownField { side: Side, field: String },
    #[error("The {side} field {field} is mapped more than once")]
    MappedTwice { side: Side, field: String },
    #[error("The {side} field {field} is read-only, so sync cannot write to it")]
    ReadOnly { side: Side, field: String },
    #[error("\"{}\" writes {helpdesk} to Salesforce, which one-way sync never does", rule.label())]
    RuleNeedsTwoWay { helpdesk: String, rule: SyncRule },
}

fn type_mismatch(pair: &FieldPair, from: ValueKind, to: ValueKind) -> MappingIssue {
    MappingIssue::TypeMismatch {
        helpdesk: pair.helpdesk.clone(),
        salesforce: pair.salesforce.clone(),
        source_kind: from.name().to_owned(),
        article: to.article().to_owned(),
        target_kind: to.name().to_owned(),
    }
}

/// Checks `pairs` against both sides' fields for `sync_type`; an empty list means valid.
pub fn validate(
    pairs: &[FieldPair],
    sync_type: SyncType,
    helpdesk_fields: &[FieldMeta],
    salesforce_fields: &[FieldMeta],
) -> Vec<MappingIssue> {
    let find =
        |fields: &'_ [FieldMeta], name: &str| fields.iter().find(|f| f.name == name).cloned();
    let mut issues = Vec::new();
    let (mut seen_helpdesk, mut seen_salesforce) = (BTreeSet::new(), BTreeSet::new());
    for pair in pairs {
        if !seen_helpdesk.insert(pair.helpdesk.as_str()) {
            issues.push(MappingIssue::MappedTwice {
                side: Side::Helpdesk,
                field: pair.helpdesk.clone(),
            });
        }
        if !seen_salesforce.insert(pair.salesforce.as_str()) {
            issues.push(MappingIssue::MappedTwice {
                side: Side::Salesforce,
                field: pair.salesforce.clone(),
            });
        }
        let helpdesk = find(helpdesk_fields, &pair.helpdesk);
        let salesforce = find(salesforce_fields, &pair.salesforce);
        let (Some(helpdesk), Some(salesforce)) = (helpdesk.clone(), salesforce.clone()) else {
            if helpdesk.is_none() {
                issues.push(MappingIssue::UnknownField {
                    side: Side::Helpdesk,
                    field: pair.helpdesk.clone(),
                });
            }
            if salesforce.is_none() {
                issues.push(MappingIssue::UnknownField {
                    side: Side::Salesforce,
                    field: pair.salesforce.clone(),
                });
            }
            continue;
        };
        // Values flow only where the pair's rule writes: one-way never writes Salesforce.
        let writes_helpdesk = pair.rule.writes(Side::Helpdesk, sync_type);
        let writes_salesforce = pair.rule.writes(Side::Salesforce, sync_type);
        if sync_type == SyncType::SalesforceToHelpdesk && writes_salesforce {
            issues.push(MappingIssue::RuleNeedsTwoWay {
                helpdesk: pair.helpdesk.clone(),
                rule: pair.rule,
            });
            continue;
        }
        if writes_helpdesk && !salesforce.kind.fits(helpdesk.kind) {
            issues.push(type_mismatch(pair, salesforce.kind, helpdesk.kind));
        } else if writes_salesforce && !helpdesk.kind.fits(salesforce.kind) {
            issues.push(type_mismatch(pair, helpdesk.kind, salesforce.kind));
        }
        for (writes, meta, side) in [
            (writes_helpdesk, &helpdesk, Side::Helpdesk),
            (writes_salesforce, &salesforce, Side::Salesforce),
        ] {
            if writes && !meta.writable {
                issues.push(MappingIssue::ReadOnly {
                    side,
                    field: meta.name.clone(),
                });
            }
        }
    }
    // A required field counts as mapped only where its pair's rule writes it.
    let written = |side: Side| -> BTreeSet<&str> {
        pairs
            .iter()
            .filter(|pair| pair.rule.writes(side, sync_type))
            .map(|pair| pair.field(side))
            .collect()
    };
    let (seen_helpdesk, seen_salesforce) = (written(Side::Helpdesk), written(Side::Salesforce));
    let mut require = |side: Side, fields: &[FieldMeta], seen: &BTreeSet<&str>| {
        for field in fields
            .iter()
            .filter(|f| f.required && f.writable && !seen.contains(f.name.as_str()))
        {
            issues.push(MappingIssue::MandatoryMissing {
                side,
                field: field.name.clone(),
            });
        }
    };
    require(Side::Helpdesk, helpdesk_fields, &seen_helpdesk);
    if sync_type == SyncType::TwoWay {
        require(Side::Salesforce, salesforce_fields, &seen_salesforce);
    }
    issues
}

/// Why one value could not be carried across.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConversionError {
    #[error("{source_kind} value is given for {article} {target_kind} field ({field})")]
    Kind {
        field: String,
        source_kind: &'static str,
        article: &'static str,
        target_kind: &'static str,
    },
    #[error("{value:?} is longer than the {max} characters {field} allows")]
    TooLong {
        field: String,
        value: String,
        max: u32,
    },
    #[error("{value:?} is not an allowed value of {field}")]
    NotInPicklist { field: String, value: String },
}

/// The canonical form of a value on its way between the systems: empty text is null,
/// dates are `YYYY-MM-DD`, date-times UTC `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub fn canonical(value: &Value, kind: ValueKind) -> Value {
    match (value, kind) {
        (Value::String(text), _) if text.is_empty() => Value::Null,
        (Value::String(text), ValueKind::Date) => {
            Value::String(text.get(..10).unwrap_or(text).to_owned())
        }
        (Value::String(text), ValueKind::DateTime) => parse_datetime(text)
            .map_or_else(|| value.clone(), |utc| Value::String(format_utc(&utc, "Z"))),
        _ => value.clone(),
    }
}

fn parse_datetime(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    // Salesforce writes `+0000`, the helpdesk `Z`; RFC 3339 covers `Z` and `+00:00`.
    chrono::DateTime::parse_from_rfc3339(text)
        .or_else(|_| chrono::DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .ok()
        .map(|dt| dt.with_timezone(&chrono::Utc))
}

fn format_utc(utc: &chrono::DateTime<chrono::Utc>, zone: &str) -> String {
    format!("{}{zone}", utc.format("%Y-%m-%dT%H:%M:%S%.3f"))
}

/// Converts a canonical value for writing into `target` on `side`.
pub fn convert(
    value: &Value,
    source: ValueKind,
    target: &FieldMeta,
    side: Side,
) -> Result<Value, ConversionError> {
    let kind_error = |from: ValueKind| ConversionError::Kind {
        field: target.name.clone(),
        source_kind: from.name(),
        article: target.kind.article(),
        target_kind: target.kind.name(),
    };
    let converted = match (value, target.kind) {
        (Value::Null, _) => return Ok(Value::Null),
        (Value::String(text), ValueKind::Text) => Value::String(text.clone()),
        (Value::Number(n), ValueKind::Text) => Value::String(n.to_string()),
        (Value::Bool(b), ValueKind::Text) => Value::String(b.to_string()),
        (Value::Number(n), ValueKind::Integer) if n.is_i64() || n.is_u64() => value.clone(),
        (Value::Number(n), ValueKind::Integer) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Value::from(f as i64),
            _ => return Err(kind_error(ValueKind::Decimal)),
        },
        (Value::Number(_), ValueKind::Decimal) | (Value::Bool(_), ValueKind::Boolean) => {
            value.clone()
        }
        (Value::String(text), ValueKind::Date)
            if chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok() =>
        {
            value.clone()
        }
        (Value::String(text), ValueKind::DateTime) => match parse_datetime(text) {
            Some(utc) => Value::String(format_utc(
                &utc,
                if side == Side::Salesforce {
                    "+0000"
                } else {
                    "Z"
                },
            )),
            None => return Err(kind_error(ValueKind::Text)),
        },
        _ => {
            return Err(kind_error(if value.is_string() {
                ValueKind::Text
            } else {
                source
            }));
        }
    };
    if let Value::String(text) = &converted {
        if let Some(max) = target
            .max_length
            .filter(|&max| text.chars().count() > max as usize)
        {
            return Err(ConversionError::TooLong {
                field: target.name.clone(),
                value: text.clone(),
                max,
            });
        }
        if let Some(allowed) = &target.picklist
            && !allowed.iter().any(|a| a == text)
        {
            return Err(ConversionError::NotInPicklist {
                field: target.name.clone(),
                value: text.clone(),
            });
        }
    }
    Ok(converted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(name: &str, kind: ValueKind) -> FieldMeta {
        FieldMeta::new(name, kind)
    }

    fn required(mut meta: FieldMeta) -> FieldMeta {
        meta.required = true;
        meta
    }

    fn sides() -> (Vec<FieldMeta>, Vec<FieldMeta>) {
        let helpdesk = vec![
            required(field("lastName", ValueKind::Text)),
            field("email", ValueKind::Text),
            field("cf_seats", ValueKind::Integer),
            field("cf_plan", ValueKind::Text),
        ];
        let salesforce = vec![
            required(field("LastName", ValueKind::Text)),
            field("Email", ValueKind::Text),
            field("Seats__c", ValueKind::Decimal),
            field("Title", ValueKind::Text),
            FieldMeta {
                writable: false,
                ..field("Name", ValueKind::Text)
            },
        ];
        (helpdesk, salesforce)
    }

    #[test]
    fn standard_mapping_passes() {
        let (helpdesk, salesforce) = sides();
        let pairs = vec![
            FieldPair::new("lastName", "LastName"),
            FieldPair::new("email", "Email"),
        ];
        assert_eq!(
            validate(&pairs, SyncType::TwoWay, &helpdesk, &salesforce),
            vec![]
        );
    }

    #[test]
    fn text_onto_integer_is_refused_with_the_reference_message() {
        let (helpdesk, salesforce) = sides();
        let pairs = vec![
            FieldPair::new("lastName", "LastName"),
            FieldPair::new("cf_seats", "Title"),
        ];
        let issues = validate(
            &pairs,
            SyncType::SalesforceToHelpdesk,
            &helpdesk,
            &salesforce,
        );
        assert_eq!(issues.len(), 1);
        assert_eq!(
            issues[0].to_string(),
            "Text value is given for an Integer field"
        );
    }

    #[test]
    fn direction_matters_for_widening() {
        let (helpdesk, salesforce) = sides();
        // Integer -> Decimal is fine (helpdesk to Salesforce) but Decimal -> Integer is not.
        let pairs = vec![
            FieldPair::new("lastName", "LastName"),
            FieldPair::new("cf_seats", "Seats__c"),
        ];
        let issues = validate(&pairs, SyncType::TwoWay, &helpdesk, &salesforce);
        assert_eq!(
            issues.iter().map(ToString::to_string).collect::<Vec<_>>(),
            ["Decimal value is given for an Integer field"]
        );
    }

    #[test]
    fn unmapped_required_fields_are_mandatory_missing() {
        let (helpdesk, salesforce) = sides();
        let pairs = vec![FieldPair::new("email", "Email")];
        let issues = validate(&pairs, SyncType::TwoWay, &helpdesk, &salesforce);
        assert_eq!(
            issues,
            vec![
                MappingIssue::MandatoryMissing {
                    side: Side::Helpdesk,
                    field: "lastName".into()
                },
                MappingIssue::MandatoryMissing {
                    side: Side::Salesforce,
                    field: "LastName".into()
                },
            ]
        );
        assert_eq!(issues[0].to_string(), "Mandatory Field Missing");
        // One-way never writes to Salesforce, so its required fields do not matter.
        assert_eq!(
            validate(
                &pairs,
                SyncType::SalesforceToHelpdesk,
                &helpdesk,
                &salesforce
            )
            .len(),
            1
        );
    }

    #[test]
    fn unknown_duplicate_and_read_only_fields_are_named() {
        let (helpdesk, salesforce) = sides();
        let pairs = vec![
            FieldPair::new("lastName", "LastName"),
            FieldPair::new("email", "Nope__c"),
            FieldPair::new("email", "Email"),
            FieldPair::new("cf_plan", "Name"),
        ];
        let messages: Vec<String> = validate(&pairs, SyncType::TwoWay, &helpdesk, &salesforce)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            messages,
            [
                "The Salesforce field Nope__c does not exist",
                "The helpdesk field email is mapped more than once",
                "The Salesforce field Name is read-only, so sync cannot write to it",
            ]
        );
    }

    #[test]
    fn a_rule_that_never_writes_a_read_only_field_makes_it_mappable() {
        let (helpdesk, salesforce) = sides();
        let name = |rule| {
            vec![
                FieldPair::new("lastName", "LastName"),
                FieldPair::new("cf_plan", "Name").with_rule(rule),
            ]
        };
        // Name is read-only in Salesforce: only rules that never write it pass two-way.
        for (rule, valid) in [
            (SyncRule::TwoWay, false),
            (SyncRule::SalesforceWins, true),
            (SyncRule::HelpdeskWins, false),
            (SyncRule::SalesforceUnlessBlank, false),
            (SyncRule::DontSync, true),
        ] {
            let issues = validate(&name(rule), SyncType::TwoWay, &helpdesk, &salesforce);
            assert_eq!(issues.is_empty(), valid, "{rule:?}: {issues:?}");
        }
    }

    #[test]
    fn one_way_refuses_the_rules_that_write_to_salesforce() {
        let (helpdesk, salesforce) = sides();
        let pairs = |rule| {
            vec![
                FieldPair::new("lastName", "LastName"),
                FieldPair::new("cf_plan", "Title").with_rule(rule),
            ]
        };
        let one_way = |rule| {
            validate(
                &pairs(rule),
                SyncType::SalesforceToHelpdesk,
                &helpdesk,
                &salesforce,
            )
        };
        assert_eq!(
            one_way(SyncRule::HelpdeskWins)
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            [
                "\"Helpdesk always wins\" writes cf_plan to Salesforce, which one-way sync never does"
            ]
        );
        assert_eq!(one_way(SyncRule::SalesforceUnlessBlank).len(), 1);
        for rule in [
            SyncRule::TwoWay,
            SyncRule::SalesforceWins,
            SyncRule::DontSync,
        ] {
            assert_eq!(one_way(rule), vec![], "{rule:?}");
        }
    }

    #[test]
    fn a_required_field_that_its_rule_never_writes_is_missing() {
        let (helpdesk, salesforce) = sides();
        // Salesforce always wins: a helpdesk contact exported to Salesforce has no last name.
        let pairs =
            vec![FieldPair::new("lastName", "LastName").with_rule(SyncRule::SalesforceWins)];
        assert_eq!(
            validate(&pairs, SyncType::TwoWay, &helpdesk, &salesforce),
            vec![MappingIssue::MandatoryMissing {
                side: Side::Salesforce,
                field: "LastName".into()
            }]
        );
    }

    #[test]
    fn a_mapping_stored_without_rules_reads_as_two_way() {
        let pair: FieldPair =
            serde_json::from_value(json!({"helpdesk": "title", "salesforce": "Title"})).unwrap();
        assert_eq!(pair, FieldPair::new("title", "Title"));
        assert_eq!(
            serde_json::to_value(FieldPair::new("a", "B").with_rule(SyncRule::DontSync)).unwrap()["rule"],
            json!("dont_sync")
        );
        for rule in SyncRule::ALL {
            assert_eq!(serde_json::to_value(rule).unwrap(), json!(rule.id()));
        }
    }

    #[test]
    fn default_pairs_have_distinct_fields() {
        for object in [ObjectKind::Account, ObjectKind::Contact] {
            let pairs = default_pairs(object);
            let helpdesk: BTreeSet<_> = pairs.iter().map(|p| &p.helpdesk).collect();
            assert_eq!(helpdesk.len(), pairs.len());
        }
    }

    #[test]
    fn canonical_forms() {
        assert_eq!(canonical(&json!(""), ValueKind::Text), Value::Null);
        assert_eq!(
            canonical(&json!("2025-12-16T13:05:30.000+0000"), ValueKind::DateTime),
            json!("2025-12-16T13:05:30.000Z")
        );
        assert_eq!(
            canonical(&json!("2025-12-16T14:05:30+01:00"), ValueKind::DateTime),
            json!("2025-12-16T13:05:30.000Z")
        );
        assert_eq!(
            canonical(&json!("2025-12-16T13:05:30.000Z"), ValueKind::Date),
            json!("2025-12-16")
        );
    }

    #[test]
    fn conversions_per_kind() {
        let seats = field("cf_seats", ValueKind::Integer);
        assert_eq!(
            convert(&json!(12.0), ValueKind::Decimal, &seats, Side::Helpdesk),
            Ok(json!(12))
        );
        assert_eq!(
            convert(&json!("twelve"), ValueKind::Text, &seats, Side::Helpdesk)
                .unwrap_err()
                .to_string(),
            "Text value is given for an Integer field (cf_seats)"
        );
        assert!(convert(&json!(12.5), ValueKind::Decimal, &seats, Side::Helpdesk).is_err());
        let when = field("LastSeen__c", ValueKind::DateTime);
        assert_eq!(
            convert(
                &json!("2025-12-16T13:05:30.000Z"),
                ValueKind::DateTime,
                &when,
                Side::Salesforce
            ),
            Ok(json!("2025-12-16T13:05:30.000+0000"))
        );
        assert_eq!(
            convert(&Value::Null, ValueKind::Text, &seats, Side::Helpdesk),
            Ok(Value::Null)
        );
        assert_eq!(
            convert(
                &json!(7),
                ValueKind::Integer,
                &field("t", ValueKind::Text),
                Side::Helpdesk
            ),
            Ok(json!("7"))
        );
    }

    #[test]
    fn length_and_picklist_limits_hold() {
        let short = FieldMeta {
            max_length: Some(3),
            ..field("code", ValueKind::Text)
        };
        assert!(matches!(
            convert(&json!("abcd"), ValueKind::Text, &short, Side::Salesforce),
            Err(ConversionError::TooLong { .. })
        ));
        assert_eq!(
            convert(&json!("😀😀😀"), ValueKind::Text, &short, Side::Salesforce),
            Ok(json!("😀😀😀"))
        );
        let plan = FieldMeta {
            picklist: Some(vec!["Trial".into(), "Enterprise".into()]),
            ..field("Subscription_Type__c", ValueKind::Text)
        };
        assert_eq!(
            convert(&json!("Trial"), ValueKind::Text, &plan, Side::Salesforce),
            Ok(json!("Trial"))
        );
        assert_eq!(
            convert(&json!("Gold"), ValueKind::Text, &plan, Side::Salesforce)
                .unwrap_err()
                .to_string(),
            "\"Gold\" is not an allowed value of Subscription_Type__c"
        );
    }

    #[test]
    fn kinds_from_both_sides_metadata() {
        assert_eq!(ValueKind::from_salesforce("currency"), ValueKind::Decimal);
        assert_eq!(ValueKind::from_salesforce("picklist"), ValueKind::Text);
        assert_eq!(ValueKind::from_helpdesk("Number"), ValueKind::Integer);
        assert_eq!(ValueKind::from_helpdesk("DateTime"), ValueKind::DateTime);
    }
}

/// Property tests of the mapping validator over random field lists and mappings.
#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    fn kind() -> impl Strategy<Value = ValueKind> {
        prop_oneof![
            Just(ValueKind::Text),
            Just(ValueKind::Integer),
            Just(ValueKind::Decimal),
            Just(ValueKind::Boolean),
            Just(ValueKind::Date),
            Just(ValueKind::DateTime),
        ]
    }

    /// Field names from a small pool (so pairs hit real fields, twice, or not at all),
    /// plus hostile ones.
    fn name() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => "f[0-7]",
            1 => any::<String>(),
        ]
    }

    fn fields() -> impl Strategy<Value = Vec<FieldMeta>> {
        prop::collection::vec((name(), kind(), any::<bool>(), any::<bool>()), 0..10).prop_map(
            |fields| {
                fields
                    .into_iter()
                    .map(|(name, kind, required, writable)| FieldMeta {
                        label: name.clone(),
                        name,
                        kind,
                        max_length: None,
                        picklist: None,
                        required,
                        writable,
                    })
                    .collect()
            },
        )
    }

    fn pairs() -> impl Strategy<Value = Vec<FieldPair>> {
        prop::collection::vec((name(), name(), rule()), 0..10).prop_map(|pairs| {
            pairs
                .into_iter()
                .map(|(helpdesk, salesforce, rule)| FieldPair {
                    helpdesk,
                    salesforce,
                    rule,
                })
                .collect()
        })
    }

    fn rule() -> impl Strategy<Value = SyncRule> {
        prop::sample::select(SyncRule::ALL.to_vec())
    }

    fn sync_type() -> impl Strategy<Value = SyncType> {
        prop_oneof![Just(SyncType::TwoWay), Just(SyncType::SalesforceToHelpdesk)]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]

        /// Every issue names a field of the mapping or a required one, says what is wrong
        /// in words, and an unknown field really is unknown.
        #[test]
        fn issues_are_about_real_problems(
            pairs in pairs(), sync in sync_type(), helpdesk in fields(), salesforce in fields()
        ) {
            let issues = validate(&pairs, sync, &helpdesk, &salesforce);
            let side_fields = |side: Side| match side {
                Side::Helpdesk => &helpdesk,
                Side::Salesforce => &salesforce,
            };
            for issue in &issues {
                prop_assert!(!issue.to_string().is_empty());
                match issue {
                    MappingIssue::UnknownField { side, field } => {
                        prop_assert!(side_fields(*side).iter().all(|f| &f.name != field));
                    }
                    MappingIssue::MandatoryMissing { side, field } => {
                        prop_assert!(side_fields(*side).iter().any(|f| &f.name == field && f.required));
                        prop_assert_eq!(issue.to_string(), "Mandatory Field Missing");
                    }
                    MappingIssue::TypeMismatch { .. } => {
                        prop_assert!(issue.to_string().contains(" value is given for "));
                    }
                    MappingIssue::MappedTwice { side, field } => {
                        let names = pairs.iter().filter(|p| match side {
                            Side::Helpdesk => &p.helpdesk == field,
                            Side::Salesforce => &p.salesforce == field,
                        });
                        prop_assert!(names.count() > 1);
                    }
                    MappingIssue::RuleNeedsTwoWay { helpdesk, rule } => {
                        prop_assert_eq!(sync, SyncType::SalesforceToHelpdesk);
                        prop_assert!(pairs.iter().any(|p| &p.helpdesk == helpdesk && p.rule == *rule));
                        prop_assert!(rule.writes(Side::Salesforce, sync));
                    }
                    MappingIssue::ReadOnly { side, field } => {
                        prop_assert!(side_fields(*side).iter().any(|f| &f.name == field && !f.writable));
                        prop_assert!(pairs.iter().any(|p| p.field(*side) == field && p.rule.writes(*side, sync)));
                    }
                }
            }
        }

        /// Mapping each writable field to a same-kind twin on the other side is valid.
        #[test]
        fn a_faithful_mapping_is_valid(sync in sync_type(), kinds in prop::collection::vec((kind(), any::<bool>()), 0..8)) {
            let meta = |name: String, kind, required| FieldMeta {
                label: name.clone(), name, kind, max_length: None, picklist: None, required, writable: true,
            };
            let helpdesk: Vec<_> = kinds.iter().enumerate().map(|(i, (k, r))| meta(format!("h{i}"), *k, *r)).collect();
            let salesforce: Vec<_> = kinds.iter().enumerate().map(|(i, (k, r))| meta(format!("S{i}"), *k, *r)).collect();
            let pairs: Vec<_> = (0..kinds.len())
                .map(|i| FieldPair::new(&format!("h{i}"), &format!("S{i}")))
                .collect();
            prop_assert_eq!(validate(&pairs, sync, &helpdesk, &salesforce), vec![]);
        }
    }
}
