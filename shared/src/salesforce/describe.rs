//! `/sobjects/{Type}/describe`: an object's fields, their types and what may be written,
//! as field mapping needs them.

use super::SfError;
use super::client::{Call, Client, object_name};
use crate::http::{Method, Transport};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A field's type as describe names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FieldType {
    Id,
    String,
    TextArea,
    Email,
    Phone,
    Url,
    Picklist,
    MultiPicklist,
    Combobox,
    Boolean,
    Int,
    Long,
    Double,
    Currency,
    Percent,
    Date,
    DateTime,
    Time,
    Reference,
    Address,
    Location,
    Base64,
    EncryptedString,
    AnyType,
    /// A type this code does not know yet, as Salesforce spelled it.
    Other(String),
}

const NAMES: &[(&str, FieldType)] = &[
    ("id", FieldType::Id),
    ("string", FieldType::String),
    ("textarea", FieldType::TextArea),
    ("email", FieldType::Email),
    ("phone", FieldType::Phone),
    ("url", FieldType::Url),
    ("picklist", FieldType::Picklist),
    ("multipicklist", FieldType::MultiPicklist),
    ("combobox", FieldType::Combobox),
    ("boolean", FieldType::Boolean),
    ("int", FieldType::Int),
    ("long", FieldType::Long),
    ("double", FieldType::Double),
    ("currency", FieldType::Currency),
    ("percent", FieldType::Percent),
    ("date", FieldType::Date),
    ("datetime", FieldType::DateTime),
    ("time", FieldType::Time),
    ("reference", FieldType::Reference),
    ("address", FieldType::Address),
    ("location", FieldType::Location),
    ("base64", FieldType::Base64),
    ("encryptedstring", FieldType::EncryptedString),
    ("anyType", FieldType::AnyType),
];

impl FieldType {
    pub fn from_name(name: &str) -> Self {
        NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| t.clone())
            .unwrap_or_else(|| FieldType::Other(name.to_owned()))
    }

    pub fn name(&self) -> &str {
        match self {
            FieldType::Other(name) => name,
            known => NAMES
                .iter()
                .find(|(_, t)| t == known)
                .map(|(n, _)| *n)
                .expect("every known type has a name"),
        }
    }

    /// Holds text (as opposed to numbers, dates, booleans, references).
    pub fn is_text(&self) -> bool {
        matches!(
            self,
            FieldType::String
                | FieldType::TextArea
                | FieldType::Email
                | FieldType::Phone
                | FieldType::Url
                | FieldType::Picklist
                | FieldType::MultiPicklist
                | FieldType::Combobox
                | FieldType::EncryptedString
        )
    }

    pub fn is_numeric(&self) -> bool {
        matches!(
            self,
            FieldType::Int
                | FieldType::Long
                | FieldType::Double
                | FieldType::Currency
                | FieldType::Percent
        )
    }
}

impl Serialize for FieldType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for FieldType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(FieldType::from_name(&String::deserialize(deserializer)?))
    }
}

/// One value of a picklist field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PicklistValue {
    pub value: String,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub active: bool,
    #[serde(default)]
    pub default_value: bool,
}

/// One field of a describe answer (the properties mapping needs; others are ignored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldDescribe {
    pub name: String,
    pub label: String,
    #[serde(rename = "type")]
    pub field_type: FieldType,
    /// Maximum length of a text field; 0 for other types.
    #[serde(default)]
    pub length: u32,
    #[serde(default)]
    pub nillable: bool,
    #[serde(default)]
    pub createable: bool,
    #[serde(default)]
    pub updateable: bool,
    #[serde(default)]
    pub custom: bool,
    #[serde(default, deserialize_with = "null_as_empty_vec")]
    pub picklist_values: Vec<PicklistValue>,
    #[serde(default, deserialize_with = "null_as_empty_vec")]
    pub reference_to: Vec<String>,
    #[serde(default)]
    pub relationship_name: Option<String>,
    #[serde(default)]
    pub precision: u32,
    #[serde(default)]
    pub scale: u32,
    #[serde(default)]
    pub unique: bool,
    #[serde(default)]
    pub external_id: bool,
    /// Salesforce fills the field on create when no value is given.
    #[serde(default)]
    pub defaulted_on_create: bool,
}

impl FieldDescribe {
    /// Whether a value is required when creating a record.
    pub fn required_on_create(&self) -> bool {
        self.createable && !self.nillable && !self.defaulted_on_create
    }

    /// The active values of a picklist.
    pub fn active_values(&self) -> impl Iterator<Item = &str> {
        self.picklist_values
            .iter()
            .filter(|v| v.active)
            .map(|v| v.value.as_str())
    }
}

fn null_as_empty_vec<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}

/// An object's describe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SObjectDescribe {
    pub name: String,
    pub label: String,
    #[serde(default)]
    pub label_plural: Option<String>,
    #[serde(default)]
    pub key_prefix: Option<String>,
    #[serde(default)]
    pub custom: bool,
    #[serde(default)]
    pub createable: bool,
    #[serde(default)]
    pub updateable: bool,
    #[serde(default)]
    pub deletable: bool,
    #[serde(default)]
    pub queryable: bool,
    pub fields: Vec<FieldDescribe>,
    /// The relationships a SOQL sub-query on this object can follow. Describe answers as
    /// the connected user: fields and objects field-level security hides are not listed.
    #[serde(default, deserialize_with = "null_as_empty_vec")]
    pub child_relationships: Vec<ChildRelationship>,
}

/// A child relationship: `(SELECT ... FROM <relationship_name>)` on the parent reads the
/// `child_s_object` records whose `field` points at it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChildRelationship {
    /// `None` for relationships SOQL cannot follow.
    #[serde(default)]
    pub relationship_name: Option<String>,
    #[serde(rename = "childSObject")]
    pub child_object: String,
    pub field: String,
}

impl SObjectDescribe {
    /// A field by API name, case-insensitively as Salesforce matches names.
    pub fn field(&self, name: &str) -> Option<&FieldDescribe> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }
}

impl<T: Transport> Client<'_, T> {
    /// `GET /sobjects/{object}/describe` (one API call).
    pub async fn describe(&self, object: &str) -> Result<SObjectDescribe, SfError> {
        let call = Call::data(
            Method::Get,
            &format!("sobjects/{}/describe", object_name(object)?),
        );
        self.execute_json(&call).await
    }
}

#[cfg(test)]
mod tests {
    use super::super::client::tests::{Script, ok, run, session};
    use super::*;

    /// Trimmed from the shape of a real org's Contact describe: extra properties ignored,
    /// `null` lists accepted.
    const CONTACT: &str = r#"{
      "actionOverrides": [], "activateable": false, "createable": true, "custom": false,
      "deletable": true, "keyPrefix": "003", "label": "Contact", "labelPlural": "Contacts",
      "name": "Contact", "queryable": true, "updateable": true,
      "fields": [
        {"aggregatable": true, "autoNumber": false, "byteLength": 18, "calculated": false,
         "createable": false, "custom": false, "defaultValue": null, "externalId": false,
         "label": "Contact ID", "length": 18, "name": "Id", "nillable": false, "defaultedOnCreate": true,
         "picklistValues": [], "precision": 0, "referenceTo": [], "relationshipName": null,
         "scale": 0, "soapType": "tns:ID", "type": "id", "unique": false, "updateable": false},
        {"createable": true, "custom": false, "label": "Account ID", "length": 18,
         "name": "AccountId", "nillable": true, "picklistValues": [], "referenceTo": ["Account"],
         "relationshipName": "Account", "type": "reference", "updateable": true},
        {"createable": true, "custom": false, "label": "Last Name", "length": 80,
         "name": "LastName", "nillable": false, "picklistValues": [], "referenceTo": [],
         "type": "string", "updateable": true},
        {"createable": true, "custom": true, "label": "Subscription Type", "length": 255,
         "name": "Subscription_Type__c", "nillable": true, "referenceTo": null,
         "picklistValues": [
           {"active": true, "defaultValue": false, "label": "Free", "validFor": null, "value": "Free"},
           {"active": false, "defaultValue": false, "label": "Legacy", "validFor": null, "value": "Legacy"}],
         "type": "picklist", "updateable": true},
        {"createable": true, "custom": true, "label": "Seats", "length": 0, "name": "Seats__c",
         "nillable": true, "picklistValues": [], "precision": 18, "referenceTo": [], "scale": 0,
         "type": "double", "updateable": true},
        {"createable": true, "custom": false, "label": "Mailing Address", "length": 0,
         "name": "MailingAddress", "nillable": true, "picklistValues": [], "referenceTo": [],
         "type": "address", "updateable": false},
        {"createable": true, "custom": false, "label": "Someday", "length": 0,
         "name": "Future__c", "nillable": true, "picklistValues": [], "referenceTo": [],
         "type": "json", "updateable": true}
      ]
    }"#;

    #[test]
    fn decodes_a_real_shaped_describe() {
        let script = Script::new([ok(CONTACT)]);
        let client = Client::new(&script, session());
        let contact = run(client.describe("Contact")).unwrap();
        assert!(script.urls()[0].ends_with("/services/data/v64.0/sobjects/Contact/describe"));
        assert_eq!(contact.key_prefix.as_deref(), Some("003"));
        assert_eq!(contact.label_plural.as_deref(), Some("Contacts"));
        let id = contact.field("id").unwrap();
        assert_eq!(
            (id.field_type.clone(), id.updateable),
            (FieldType::Id, false)
        );
        let account = contact.field("AccountId").unwrap();
        assert_eq!(account.reference_to, ["Account"]);
        assert_eq!(account.relationship_name.as_deref(), Some("Account"));
        let last = contact.field("LastName").unwrap();
        assert_eq!((last.length, last.nillable), (80, false));
        assert!(last.required_on_create());
        assert!(!id.required_on_create());
        assert!(last.field_type.is_text());
        let subscription = contact.field("Subscription_Type__c").unwrap();
        assert!(subscription.custom);
        assert_eq!(subscription.field_type, FieldType::Picklist);
        assert_eq!(subscription.active_values().collect::<Vec<_>>(), ["Free"]);
        assert!(subscription.reference_to.is_empty());
        let seats = contact.field("Seats__c").unwrap();
        assert!(seats.field_type.is_numeric() && seats.precision == 18);
        assert_eq!(
            contact.field("Future__c").unwrap().field_type,
            FieldType::Other("json".into())
        );
    }

    #[test]
    fn type_names_round_trip() {
        for (name, ty) in NAMES {
            assert_eq!(&FieldType::from_name(name), ty);
            assert_eq!(ty.name(), *name);
            assert_eq!(serde_json::to_string(ty).unwrap(), format!("\"{name}\""));
        }
        assert_eq!(FieldType::Other("json".into()).name(), "json");
    }
}
