//! The fields of contacts and accounts, standard and custom, as
//! `GET /api/v1/organizationFields?module=...` describes them, and the validation every
//! write goes through: unknown fields, mandatory fields, lengths, and typed custom fields
//! (text, integer, picklist, date) are refused the way the helpdesk refuses them, with
//! `INVALID_DATA` naming each field at fault.

use super::DeskError;
use crate::clock;
use serde_json::{Map, Value, json};

/// What a field holds (`type` on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Textarea,
    /// An integer: `Number` on the wire.
    Number,
    Picklist,
    /// `YYYY-MM-DD`.
    Date,
    Email,
    Phone,
    Url,
    /// A reference to another record.
    LookUp,
}

impl Kind {
    pub fn wire_name(self) -> &'static str {
        match self {
            Kind::Text => "Text",
            Kind::Textarea => "Textarea",
            Kind::Number => "Number",
            Kind::Picklist => "Picklist",
            Kind::Date => "Date",
            Kind::Email => "Email",
            Kind::Phone => "Phone",
            Kind::Url => "URL",
            Kind::LookUp => "LookUp",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct FieldDef {
    pub id: String,
    pub api_name: String,
    pub label: String,
    pub kind: Kind,
    pub custom: bool,
    pub mandatory: bool,
    pub max_length: Option<usize>,
    pub allowed_values: Vec<String>,
}

impl FieldDef {
    pub fn standard(api_name: &str, label: &str, kind: Kind, max_length: Option<usize>) -> Self {
        FieldDef {
            id: String::new(),
            api_name: api_name.to_owned(),
            label: label.to_owned(),
            kind,
            custom: false,
            mandatory: false,
            max_length,
            allowed_values: Vec::new(),
        }
    }

    pub fn mandatory(mut self) -> Self {
        self.mandatory = true;
        self
    }

    /// A custom field: its `apiName` is `cf_` and the label in snake case.
    pub fn custom(label: &str, kind: Kind, allowed_values: &[&str]) -> Self {
        let api_name = format!(
            "cf_{}",
            label
                .to_lowercase()
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join("_")
        );
        let max_length = match kind {
            Kind::Number => Some(9),
            Kind::Date | Kind::LookUp => None,
            Kind::Picklist => Some(120),
            Kind::Textarea => Some(3000),
            _ => Some(255),
        };
        FieldDef {
            id: String::new(),
            api_name,
            label: label.to_owned(),
            kind,
            custom: true,
            mandatory: false,
            max_length,
            allowed_values: allowed_values.iter().map(|v| (*v).to_owned()).collect(),
        }
    }

    /// The field as the metadata endpoint shows it.
    pub fn to_json(&self) -> Value {
        let mut field = json!({
            "id": self.id,
            "apiName": self.api_name,
            "displayLabel": self.label,
            "i18NLabel": self.label,
            "name": self.label,
            "type": self.kind.wire_name(),
            "isCustomField": self.custom,
            "isMandatory": self.mandatory,
            "isEncryptedField": false,
            "showToHelpCenter": !self.custom,
        });
        if let Some(max) = self.max_length {
            field["maxLength"] = json!(max);
        }
        if self.kind == Kind::Picklist {
            field["allowedValues"] = json!(self.allowed_values);
        }
        field
    }
}

/// The standard fields of contacts, in the helpdesk's order.
pub fn standard_contact_fields() -> Vec<FieldDef> {
    vec![
        FieldDef::standard("firstName", "First Name", Kind::Text, Some(40)),
        FieldDef::standard("lastName", "Last Name", Kind::Text, Some(80)).mandatory(),
        FieldDef::standard("email", "Email", Kind::Email, Some(100)),
        FieldDef::standard("phone", "Phone", Kind::Phone, Some(50)),
        FieldDef::standard("mobile", "Mobile", Kind::Phone, Some(50)),
        FieldDef::standard("title", "Title", Kind::Text, Some(100)),
        FieldDef::standard("accountId", "Account Name", Kind::LookUp, None),
        FieldDef::standard("ownerId", "Contact Owner", Kind::LookUp, None),
        FieldDef::standard("description", "Description", Kind::Textarea, Some(32_000)),
    ]
}

/// The standard fields of accounts.
pub fn standard_account_fields() -> Vec<FieldDef> {
    vec![
        FieldDef::standard("accountName", "Account Name", Kind::Text, Some(200)).mandatory(),
        FieldDef::standard("email", "Email", Kind::Email, Some(100)),
        FieldDef::standard("phone", "Phone", Kind::Phone, Some(50)),
        FieldDef::standard("website", "Website", Kind::Url, Some(120)),
        FieldDef::standard("industry", "Industry", Kind::Text, Some(120)),
        FieldDef::standard("ownerId", "Account Owner", Kind::LookUp, None),
        FieldDef::standard("description", "Description", Kind::Textarea, Some(32_000)),
    ]
}

/// One problem with one field of a write.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    pub field: String,
    pub kind: &'static str,
    pub message: String,
}

impl Issue {
    fn new(field: String, kind: &'static str, message: impl Into<String>) -> Self {
        Issue {
            field,
            kind,
            message: message.into(),
        }
    }
}

/// A write, checked and normalised: standard fields to set (`None` clears), and custom
/// field values (strings, or null).
#[derive(Debug, Default, PartialEq)]
pub struct Checked {
    pub standard: Vec<(String, Option<String>)>,
    pub cf: Map<String, Value>,
}

/// Fields the helpdesk sets itself: present in records, refused in writes.
const READ_ONLY: &[&str] = &["id", "createdTime", "modifiedTime"];

/// Checks a create or update body against the module's fields. `exists` answers whether
/// a `LookUp` target (`accountId`, `ownerId`) is a real record.
pub fn check(
    module: &str,
    fields: &[FieldDef],
    body: &Value,
    creating: bool,
    exists: impl Fn(&str, &str) -> bool,
) -> Result<Checked, DeskError> {
    let Some(body) = body.as_object() else {
        return Err(DeskError::invalid_body(
            "The request body must be a JSON object.",
        ));
    };
    let mut issues = Vec::new();
    let mut checked = Checked::default();
    for (name, value) in body {
        if name == "cf" {
            check_custom(module, fields, value, &mut checked, &mut issues);
            continue;
        }
        let pointer = format!("/{name}");
        if READ_ONLY.contains(&name.as_str()) {
            issues.push(Issue::new(
                pointer,
                "invalid",
                format!("{name} is read-only"),
            ));
            continue;
        }
        let Some(field) = fields.iter().find(|f| !f.custom && &f.api_name == name) else {
            issues.push(Issue::new(
                pointer,
                "invalid",
                format!("{name} is not a field of {module}"),
            ));
            continue;
        };
        match standard_value(field, value, &exists) {
            Ok(value) => checked.standard.push((name.clone(), value)),
            Err(issue) => issues.push(issue),
        }
    }
    if creating {
        for field in fields.iter().filter(|f| f.mandatory && !f.custom) {
            let given = checked
                .standard
                .iter()
                .any(|(name, value)| name == &field.api_name && value.is_some());
            let reported = issues
                .iter()
                .any(|i| i.field == format!("/{}", field.api_name));
            if !given && !reported {
                issues.push(Issue::new(
                    format!("/{}", field.api_name),
                    "missing",
                    format!("{} is mandatory", field.label),
                ));
            }
        }
    }
    if issues.is_empty() {
        Ok(checked)
    } else {
        Err(DeskError::invalid_fields(issues))
    }
}

fn standard_value(
    field: &FieldDef,
    value: &Value,
    exists: &impl Fn(&str, &str) -> bool,
) -> Result<Option<String>, Issue> {
    let pointer = format!("/{}", field.api_name);
    let text = match value {
        Value::Null => None,
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => Some(s.trim().to_owned()),
        other => {
            return Err(Issue::new(
                pointer,
                "invalid",
                format!(
                    "{} value is given for a {} field",
                    json_kind(other),
                    field.kind.wire_name()
                ),
            ));
        }
    };
    let Some(text) = text else {
        if field.mandatory {
            return Err(Issue::new(
                pointer,
                "missing",
                format!("{} is mandatory", field.label),
            ));
        }
        return Ok(None);
    };
    if let Some(max) = field.max_length
        && text.chars().count() > max
    {
        return Err(Issue::new(
            pointer,
            "invalid",
            format!("{} takes at most {max} characters", field.label),
        ));
    }
    match field.kind {
        Kind::Email if !looks_like_email(&text) => Err(Issue::new(
            pointer,
            "invalid",
            format!("{text:?} is not an email address"),
        )),
        Kind::LookUp if !exists(&field.api_name, &text) => Err(Issue::new(
            pointer,
            "invalid",
            format!("No record has the id {text:?}"),
        )),
        _ => Ok(Some(text)),
    }
}

fn check_custom(
    module: &str,
    fields: &[FieldDef],
    cf: &Value,
    checked: &mut Checked,
    issues: &mut Vec<Issue>,
) {
    let Some(cf) = cf.as_object() else {
        issues.push(Issue::new(
            "/cf".into(),
            "invalid",
            "cf must be an object of custom field values",
        ));
        return;
    };
    for (name, value) in cf {
        let pointer = format!("/cf/{name}");
        let Some(field) = fields.iter().find(|f| f.custom && &f.api_name == name) else {
            issues.push(Issue::new(
                pointer,
                "invalid",
                format!("{name} is not a custom field of {module}"),
            ));
            continue;
        };
        match custom_value(field, value) {
            Ok(value) => {
                checked.cf.insert(name.clone(), value);
            }
            Err(message) => issues.push(Issue::new(pointer, "invalid", message)),
        }
    }
}

/// A custom field's value as the helpdesk stores and returns it: a string, or null.
fn custom_value(field: &FieldDef, value: &Value) -> Result<Value, String> {
    let label = &field.label;
    let text = match value {
        Value::Null => return Ok(Value::Null),
        Value::String(s) if s.is_empty() => return Ok(Value::Null),
        Value::String(s) => s.clone(),
        Value::Number(n) if field.kind == Kind::Number => match n.as_i64() {
            Some(i) => i.to_string(),
            None => {
                return Err(format!(
                    "Decimal value is given for an Integer field ({label})"
                ));
            }
        },
        other => {
            return Err(format!(
                "{} value is given for a {} field ({label})",
                json_kind(other),
                noun(field.kind)
            ));
        }
    };
    let is_integer = |t: &str| {
        let digits = t.strip_prefix('-').unwrap_or(t);
        !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
    };
    match field.kind {
        Kind::Number if !is_integer(&text) => {
            return Err(format!(
                "Text value is given for an Integer field ({label})"
            ));
        }
        Kind::Picklist if !field.allowed_values.contains(&text) => {
            return Err(format!(
                "{text:?} is not one of the values of {label}: {}",
                field.allowed_values.join(", ")
            ));
        }
        Kind::Date if clock::parse_date(&text).is_none() => {
            return Err(format!("{text:?} is not a date (YYYY-MM-DD) for {label}"));
        }
        Kind::Email if !looks_like_email(&text) => {
            return Err(format!("{text:?} is not an email address"));
        }
        _ => {}
    }
    if let Some(max) = field.max_length
        && text.chars().count() > max
    {
        return Err(format!("{label} takes at most {max} characters"));
    }
    Ok(Value::String(text))
}

fn noun(kind: Kind) -> &'static str {
    match kind {
        Kind::Number => "Integer",
        other => other.wire_name(),
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "Null",
        Value::Bool(_) => "Boolean",
        Value::Number(_) => "Number",
        Value::String(_) => "Text",
        Value::Array(_) => "List",
        Value::Object(_) => "Object",
    }
}

fn looks_like_email(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !text.contains(char::is_whitespace)
                && !domain.contains('@')
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact_fields() -> Vec<FieldDef> {
        let mut fields = standard_contact_fields();
        fields.push(FieldDef::custom(
            "Plan",
            Kind::Picklist,
            &["Enterprise", "Trial"],
        ));
        fields.push(FieldDef::custom("Seats", Kind::Number, &[]));
        fields.push(FieldDef::custom("Renewal Date", Kind::Date, &[]));
        fields
    }

    fn no_lookups(_: &str, _: &str) -> bool {
        false
    }

    fn issues(error: DeskError) -> Vec<(String, String)> {
        error
            .errors
            .unwrap_or_default()
            .iter()
            .map(|e| {
                (
                    e["fieldName"].as_str().unwrap().to_owned(),
                    e["errorMessage"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn custom_field_names_follow_the_label() {
        assert_eq!(
            FieldDef::custom("Renewal Date", Kind::Date, &[]).api_name,
            "cf_renewal_date"
        );
    }

    #[test]
    fn a_good_create_is_normalised() {
        let body = json!({"lastName": " Kim ", "email": "kim@example.com", "phone": "",
            "cf": {"cf_plan": "Trial", "cf_seats": 12, "cf_renewal_date": "2027-01-31"}});
        let checked = check("contacts", &contact_fields(), &body, true, no_lookups).unwrap();
        assert!(
            checked
                .standard
                .contains(&("lastName".into(), Some("Kim".into())))
        );
        assert!(checked.standard.contains(&("phone".into(), None)));
        assert_eq!(checked.cf["cf_seats"], "12");
    }

    #[test]
    fn every_bad_field_is_reported() {
        let body = json!({"email": "not-an-email", "nickname": "x", "id": "1",
            "cf": {"cf_plan": "Gold", "cf_seats": "twelve", "cf_renewal_date": "31/01/2027", "cf_nope": 1},
            "accountId": "404"});
        let error = check("contacts", &contact_fields(), &body, true, no_lookups).unwrap_err();
        assert_eq!(error.code, "INVALID_DATA");
        let found = issues(error);
        let fields: Vec<&str> = found.iter().map(|(f, _)| f.as_str()).collect();
        for expected in [
            "/email",
            "/nickname",
            "/id",
            "/cf/cf_plan",
            "/cf/cf_seats",
            "/cf/cf_renewal_date",
            "/cf/cf_nope",
            "/accountId",
            "/lastName",
        ] {
            assert!(fields.contains(&expected), "{expected} in {fields:?}");
        }
        let seats = found.iter().find(|(f, _)| f == "/cf/cf_seats").unwrap();
        assert_eq!(seats.1, "Text value is given for an Integer field (Seats)");
    }

    #[test]
    fn updates_need_no_mandatory_fields_but_cannot_clear_them() {
        let fields = contact_fields();
        assert!(
            check(
                "contacts",
                &fields,
                &json!({"title": "CTO"}),
                false,
                no_lookups
            )
            .is_ok()
        );
        let error = check(
            "contacts",
            &fields,
            &json!({"lastName": null}),
            false,
            no_lookups,
        )
        .unwrap_err();
        assert_eq!(issues(error)[0].0, "/lastName");
        assert!(check("contacts", &fields, &json!([1]), false, no_lookups).is_err());
    }

    #[test]
    fn metadata_has_the_wire_shape() {
        let plan = FieldDef::custom("Plan", Kind::Picklist, &["Enterprise"]).to_json();
        assert_eq!(plan["apiName"], "cf_plan");
        assert_eq!(plan["type"], "Picklist");
        assert_eq!(plan["isCustomField"], true);
        assert_eq!(plan["allowedValues"], json!(["Enterprise"]));
        let seats = FieldDef::custom("Seats", Kind::Number, &[]).to_json();
        assert_eq!(seats["maxLength"], 9);
        assert!(seats.get("allowedValues").is_none());
    }
}
