//! Field metadata (`GET /api/v1/organizationFields?module=contacts`): what each field of a
//! module is called and what it holds, so a field mapping can be checked before a sync
//! writes a value the helpdesk would refuse.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// The modules sfdesk syncs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Module {
    Contacts,
    Accounts,
}

impl Module {
    /// The path segment and the `module` parameter: `contacts`, `accounts`.
    pub fn as_str(self) -> &'static str {
        match self {
            Module::Contacts => "contacts",
            Module::Accounts => "accounts",
        }
    }
}

/// A field's kind, as `type` names it on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FieldType {
    Text,
    Textarea,
    /// An integer (`Number` on the wire).
    Number,
    Decimal,
    Percent,
    Currency,
    Picklist,
    Multiselect,
    /// `YYYY-MM-DD`.
    Date,
    DateTime,
    Email,
    Phone,
    Url,
    Boolean,
    /// A reference to another record (e.g. `accountId`).
    LookUp,
    Other(String),
}

impl FieldType {
    pub fn as_str(&self) -> &str {
        match self {
            FieldType::Text => "Text",
            FieldType::Textarea => "Textarea",
            FieldType::Number => "Number",
            FieldType::Decimal => "Decimal",
            FieldType::Percent => "Percent",
            FieldType::Currency => "Currency",
            FieldType::Picklist => "Picklist",
            FieldType::Multiselect => "Multiselect",
            FieldType::Date => "Date",
            FieldType::DateTime => "DateTime",
            FieldType::Email => "Email",
            FieldType::Phone => "Phone",
            FieldType::Url => "URL",
            FieldType::Boolean => "Boolean",
            FieldType::LookUp => "LookUp",
            FieldType::Other(other) => other,
        }
    }

    pub fn parse(text: &str) -> FieldType {
        match text {
            "Text" => FieldType::Text,
            "Textarea" => FieldType::Textarea,
            "Number" | "Integer" => FieldType::Number,
            "Decimal" => FieldType::Decimal,
            "Percent" => FieldType::Percent,
            "Currency" => FieldType::Currency,
            "Picklist" => FieldType::Picklist,
            "Multiselect" => FieldType::Multiselect,
            "Date" => FieldType::Date,
            "DateTime" => FieldType::DateTime,
            "Email" => FieldType::Email,
            "Phone" => FieldType::Phone,
            "URL" => FieldType::Url,
            "Boolean" => FieldType::Boolean,
            "LookUp" => FieldType::LookUp,
            other => FieldType::Other(other.to_owned()),
        }
    }

    /// How a person reads the kind in an error message.
    fn noun(&self) -> &str {
        match self {
            FieldType::Number => "Integer",
            other => other.as_str(),
        }
    }
}

impl Serialize for FieldType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for FieldType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(FieldType::parse(&String::deserialize(deserializer)?))
    }
}

/// One field of a module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldMeta {
    /// The key in records (`lastName`) or under `cf` (`cf_plan`).
    pub api_name: String,
    pub display_label: String,
    #[serde(rename = "type")]
    pub field_type: FieldType,
    #[serde(default)]
    pub is_custom_field: bool,
    #[serde(default)]
    pub is_mandatory: bool,
    #[serde(default)]
    pub max_length: Option<u32>,
    /// The choices of a picklist (plain strings or `{"value": ...}` objects on the wire).
    #[serde(default, deserialize_with = "allowed_values")]
    pub allowed_values: Vec<String>,
}

fn allowed_values<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    let values = Option::<Vec<Value>>::deserialize(deserializer)?.unwrap_or_default();
    Ok(values
        .into_iter()
        .filter_map(|v| match v {
            Value::String(s) => Some(s),
            Value::Object(mut o) => match o.remove("value") {
                Some(Value::String(s)) => Some(s),
                _ => None,
            },
            _ => None,
        })
        .collect())
}

/// Why a value does not fit a field, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FieldValueError {
    pub field: String,
    pub message: String,
}

impl FieldMeta {
    /// Whether the helpdesk would accept `value` for this field (null clears any field
    /// that is not mandatory).
    pub fn check(&self, value: &Value) -> Result<(), FieldValueError> {
        let fail = |message: String| {
            Err(FieldValueError {
                field: self.api_name.clone(),
                message,
            })
        };
        let given = match value {
            Value::Null if self.is_mandatory => {
                return fail(format!("{} is mandatory", self.display_label));
            }
            Value::Null => return Ok(()),
            Value::String(_) => "Text",
            Value::Number(_) => "Number",
            Value::Bool(_) => "Boolean",
            Value::Array(_) => "List",
            Value::Object(_) => "Object",
        };
        let mismatch = || {
            fail(format!(
                "{given} value is given for an {} field ({})",
                self.field_type.noun(),
                self.display_label
            ))
        };
        let text = value.as_str();
        match &self.field_type {
            FieldType::Number => {
                let ok = value.as_i64().is_some()
                    || text.is_some_and(|t| t.trim().parse::<i64>().is_ok());
                if !ok {
                    return mismatch();
                }
            }
            FieldType::Decimal | FieldType::Percent | FieldType::Currency => {
                let ok = value.is_number() || text.is_some_and(|t| t.trim().parse::<f64>().is_ok());
                if !ok {
                    return mismatch();
                }
            }
            FieldType::Boolean => {
                if !value.is_boolean() && !matches!(text, Some("true" | "false")) {
                    return mismatch();
                }
            }
            FieldType::Date => match text {
                Some(t) if is_date(t) => {}
                Some(t) => {
                    return fail(format!(
                        "{:?} is not a date (YYYY-MM-DD) for {}",
                        t, self.display_label
                    ));
                }
                None => return mismatch(),
            },
            FieldType::Picklist => match text {
                Some(t) if self.allowed_values.iter().any(|a| a == t) => {}
                Some(t) => {
                    return fail(format!(
                        "{:?} is not one of the choices of {} ({})",
                        t,
                        self.display_label,
                        self.allowed_values.join(", ")
                    ));
                }
                None => return mismatch(),
            },
            _ => {
                if text.is_none() {
                    return mismatch();
                }
            }
        }
        if let (Some(max), Some(t)) = (self.max_length, text)
            && t.chars().count() > max as usize
        {
            return fail(format!(
                "{} takes at most {max} characters",
                self.display_label
            ));
        }
        Ok(())
    }
}

fn is_date(text: &str) -> bool {
    super::DeskTime::parse(&format!("{text}T00:00:00Z")).is_some() && text.len() == 10
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(json: Value) -> FieldMeta {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn decodes_the_wire_shape_with_either_picklist_form() {
        let plan = field(
            json!({"apiName":"cf_plan","displayLabel":"Plan","type":"Picklist",
            "isCustomField":true,"isMandatory":false,"maxLength":120,"allowedValues":["Enterprise","Trial"],
            "id":"4000000000393","showToHelpCenter":true}),
        );
        assert_eq!(plan.field_type, FieldType::Picklist);
        assert_eq!(plan.allowed_values, ["Enterprise", "Trial"]);
        let status = field(
            json!({"apiName":"status","displayLabel":"Status","type":"Picklist",
            "allowedValues":[{"value":"Open"},{"value":"Closed"}]}),
        );
        assert_eq!(status.allowed_values, ["Open", "Closed"]);
        let odd = field(json!({"apiName":"x","displayLabel":"X","type":"Formula"}));
        assert_eq!(odd.field_type, FieldType::Other("Formula".into()));
        assert_eq!(serde_json::to_value(&odd.field_type).unwrap(), "Formula");
    }

    #[test]
    fn checks_values_against_the_type() {
        let seats = field(
            json!({"apiName":"cf_seats","displayLabel":"Seats","type":"Number","maxLength":9}),
        );
        assert!(seats.check(&json!(12)).is_ok());
        assert!(seats.check(&json!("12")).is_ok());
        assert!(seats.check(&Value::Null).is_ok());
        assert_eq!(
            seats.check(&json!("twelve")).unwrap_err().message,
            "Text value is given for an Integer field (Seats)"
        );
        let renewal = field(json!({"apiName":"cf_renewal","displayLabel":"Renewal","type":"Date"}));
        assert!(renewal.check(&json!("2027-01-31")).is_ok());
        assert!(renewal.check(&json!("2027-02-30")).is_err());
        assert!(renewal.check(&json!(20270131)).is_err());
        let plan = field(
            json!({"apiName":"cf_plan","displayLabel":"Plan","type":"Picklist",
            "allowedValues":["Enterprise"],"isMandatory":true}),
        );
        assert!(plan.check(&json!("Enterprise")).is_ok());
        assert!(
            plan.check(&json!("Gold"))
                .unwrap_err()
                .message
                .contains("choices")
        );
        assert!(
            plan.check(&Value::Null)
                .unwrap_err()
                .message
                .contains("mandatory")
        );
        let name = field(
            json!({"apiName":"lastName","displayLabel":"Last Name","type":"Text","maxLength":3}),
        );
        assert!(name.check(&json!("Kim")).is_ok());
        assert!(name.check(&json!("Patel")).is_err());
        assert!(name.check(&json!(7)).is_err());
    }
}
