//! What the connected org lets the panel read, from describe as the connected user.
//!
//! Orgs differ: custom fields exist in one org and not another, field-level security
//! hides standard fields and whole objects from the integration's user, multi-currency
//! and Person Accounts add fields, enhanced notes live in another object. A SOQL query
//! that names one field the user cannot read is refused whole (`INVALID_FIELD`), so the
//! panel's queries name only what this schema holds. Describe lists only the fields the
//! user can see ("Field-level security ... fields that are hidden are not returned by
//! describe", Salesforce's SOAP/REST describeSObjects docs), and an object the user cannot
//! read answers `NOT_FOUND`.
//!
//! The edge reads it in one Composite call ([`OrgSchema::request`]), keeps it in the org's
//! Durable Object, and reads it again on reconnect and when Salesforce refuses a query
//! as naming something unknown.

use crate::salesforce::{
    CompositeRequest, CompositeResponse, FieldType, QueryResponse, SObjectDescribe, SfError,
};
use contract::panel_fields::{PanelFieldOption, PanelObject, PerObject};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The objects the panel reads: the records, their sections, and what links them.
pub const PANEL_OBJECTS: &[&str] = &[
    "Contact",
    "Account",
    "Opportunity",
    "OpportunityContactRole",
    "Note",
    "AttachedContentNote",
    "Task",
    "Event",
    "Case",
    "Lead",
];

/// Which [`PANEL_OBJECTS`] a schema was read for: raised when objects join the list, so a
/// schema kept from before is read again (an object absent from an older schema may be
/// one it never asked for, not one the user cannot read).
const SCHEMA_VERSION: u32 = 2;

const ORGANIZATION: &str = "organization";

/// Field types the panel can show as text. References, compound fields (addresses),
/// binary and encrypted ones are not offered.
fn displayable(kind: &FieldType) -> bool {
    !matches!(
        kind,
        FieldType::Id
            | FieldType::Reference
            | FieldType::Address
            | FieldType::Location
            | FieldType::Base64
            | FieldType::EncryptedString
            | FieldType::AnyType
            | FieldType::Other(_)
    )
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaField {
    pub name: String,
    pub label: String,
    pub kind: FieldType,
}

/// One object as the connected user may read it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectSchema {
    pub fields: Vec<SchemaField>,
    /// Child relationship name -> child object.
    pub children: BTreeMap<String, String>,
}

impl ObjectSchema {
    fn from_describe(describe: SObjectDescribe) -> Self {
        ObjectSchema {
            fields: describe
                .fields
                .into_iter()
                .map(|f| SchemaField {
                    name: f.name,
                    label: f.label,
                    kind: f.field_type,
                })
                .collect(),
            children: describe
                .child_relationships
                .into_iter()
                .filter_map(|c| Some((c.relationship_name?, c.child_object)))
                .collect(),
        }
    }

    pub fn field(&self, name: &str) -> Option<&SchemaField> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }
}

/// What the org lets the panel read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgSchema {
    /// By API name; an object the user cannot read is absent.
    objects: BTreeMap<String, ObjectSchema>,
    /// The org's currency (its corporate currency when it has several).
    pub default_currency: Option<String>,
    /// [`SCHEMA_VERSION`] when read; 0 from before it was kept.
    #[serde(default)]
    version: u32,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Organization {
    default_currency_iso_code: Option<String>,
}

impl OrgSchema {
    /// Every describe the panel needs and the org's currency, in one Composite call.
    pub fn request() -> CompositeRequest {
        PANEL_OBJECTS
            .iter()
            .fold(CompositeRequest::new(false), |request, object| {
                request.describe(object, object)
            })
            .query(
                ORGANIZATION,
                "SELECT DefaultCurrencyIsoCode FROM Organization LIMIT 1",
            )
    }

    /// The schema from [`OrgSchema::request`]'s answer. An object the user may not read
    /// (`NOT_FOUND`) is simply absent; contacts and accounts must be readable.
    pub fn from_response(response: &CompositeResponse) -> Result<Self, SfError> {
        let mut objects = BTreeMap::new();
        for object in PANEL_OBJECTS {
            let Some(item) = response.get(object) else {
                continue;
            };
            if item.http_status_code == 404 {
                continue;
            }
            let describe: SObjectDescribe = item.json()?;
            objects.insert((*object).to_owned(), ObjectSchema::from_describe(describe));
        }
        for needed in ["Contact", "Account"] {
            if !objects.contains_key(needed) {
                return Err(SfError::Api {
                    status: 404,
                    code: "NOT_FOUND".into(),
                    message: format!(
                        "the connected Salesforce user may not read {needed} records; \
                         give the integration user read access to {needed}s"
                    ),
                    fields: vec![],
                });
            }
        }
        let default_currency = response
            .get(ORGANIZATION)
            .and_then(|item| item.json::<QueryResponse<Organization>>().ok())
            .and_then(|page| page.records.into_iter().next())
            .and_then(|org| org.default_currency_iso_code);
        Ok(OrgSchema {
            objects,
            default_currency,
            version: SCHEMA_VERSION,
        })
    }

    /// Whether this schema was read for today's [`PANEL_OBJECTS`]; a kept one that is not
    /// is read again.
    pub fn is_current(&self) -> bool {
        self.version == SCHEMA_VERSION
    }

    pub fn object(&self, name: &str) -> Option<&ObjectSchema> {
        self.objects.get(name)
    }

    /// Whether the user can read `field` of `object`. A path (`Account.Name`,
    /// `Owner.Name`) needs its lookup field (`AccountId`, `OwnerId`) readable, and the
    /// parent's field where the parent is an object described here.
    pub fn readable(&self, object: &str, field: &str) -> bool {
        let Some(schema) = self.objects.get(object) else {
            return false;
        };
        match field.split_once('.') {
            None => schema.field(field).is_some(),
            Some((relationship, rest)) => {
                let lookup = format!("{relationship}Id");
                schema.field(&lookup).is_some()
                    && match self.objects.get(relationship) {
                        Some(_) => self.readable(relationship, rest),
                        // Users, and the polymorphic `Name` shape: always readable.
                        None => true,
                    }
            }
        }
    }

    /// The child object behind `relationship` of `parent`, when the user can read both.
    pub fn child(&self, parent: &str, relationship: &str) -> Option<&str> {
        let child = self.objects.get(parent)?.children.get(relationship)?;
        self.objects.contains_key(child).then_some(child.as_str())
    }

    /// Records carry their own `CurrencyIsoCode`.
    pub fn is_multi_currency(&self) -> bool {
        self.readable("Opportunity", "CurrencyIsoCode")
    }

    /// The org has Person Accounts (`IsPersonAccount` on Account).
    pub fn has_person_accounts(&self) -> bool {
        self.readable("Account", "IsPersonAccount")
    }

    /// The fields an admin may choose for the panel: readable, shown as text, and not
    /// already in the record's header.
    pub fn offered(&self) -> PerObject<Vec<PanelFieldOption>> {
        let mut offered = PerObject::<Vec<PanelFieldOption>>::default();
        for object in PanelObject::ALL {
            let header = super::queries::header_fields(object);
            let Some(schema) = self.objects.get(object.salesforce_name()) else {
                continue;
            };
            let options = offered.get_mut(object);
            options.extend(
                schema
                    .fields
                    .iter()
                    .filter(|f| displayable(&f.kind) && !header.contains(&f.name.as_str()))
                    .map(|f| PanelFieldOption {
                        name: f.name.clone(),
                        label: f.label.clone(),
                    }),
            );
            options.sort_by(|a, b| a.label.cmp(&b.label));
        }
        offered
    }
}

/// An object written out in tests: its name, fields and child relationships.
#[cfg(test)]
type TestObject<'a> = (&'a str, &'a [&'a str], &'a [(&'a str, &'a str)]);

/// A schema written out in tests: objects with their fields (all text, except names
/// ending in `Id`, which are lookups) and child relationships.
#[cfg(test)]
pub(crate) fn test_schema(objects: &[TestObject<'_>], default_currency: &str) -> OrgSchema {
    OrgSchema {
        objects: objects
            .iter()
            .map(|(name, fields, children)| {
                let fields = fields
                    .iter()
                    .map(|f| SchemaField {
                        name: (*f).to_owned(),
                        label: (*f).to_owned(),
                        kind: if f.ends_with("Id") && *f != "Id" {
                            FieldType::Reference
                        } else {
                            FieldType::String
                        },
                    })
                    .collect();
                let children = children
                    .iter()
                    .map(|(r, o)| ((*r).to_owned(), (*o).to_owned()))
                    .collect();
                ((*name).to_owned(), ObjectSchema { fields, children })
            })
            .collect(),
        default_currency: Some(default_currency.to_owned()),
        version: SCHEMA_VERSION,
    }
}

/// The demo org's shape: every object and field the panel can ask for, one custom field.
#[cfg(test)]
pub(crate) fn full_org() -> OrgSchema {
    let sections: &[(&str, &str)] = &[
        ("Opportunities", "Opportunity"),
        ("OpportunityContactRoles", "OpportunityContactRole"),
        ("Notes", "Note"),
        ("AttachedContentNotes", "AttachedContentNote"),
        ("Tasks", "Task"),
        ("Events", "Event"),
        ("Cases", "Case"),
    ];
    test_schema(
        &[
            (
                "Contact",
                &[
                    "Id",
                    "Name",
                    "Title",
                    "Email",
                    "Phone",
                    "AccountId",
                    "OwnerId",
                    "MobilePhone",
                    "Department",
                    "Subscription_Type__c",
                ],
                sections,
            ),
            (
                "Account",
                &[
                    "Id",
                    "Name",
                    "Type",
                    "Industry",
                    "Phone",
                    "Website",
                    "OwnerId",
                    "BillingCity",
                    "BillingCountry",
                    "NumberOfEmployees",
                ],
                &sections[..1]
                    .iter()
                    .chain(&sections[2..])
                    .copied()
                    .collect::<Vec<_>>(),
            ),
            (
                "Opportunity",
                &[
                    "Id",
                    "Name",
                    "StageName",
                    "Amount",
                    "CloseDate",
                    "Probability",
                    "IsClosed",
                    "IsWon",
                    "NextStep",
                    "CreatedDate",
                ],
                &[],
            ),
            (
                "OpportunityContactRole",
                &["Id", "Role", "OpportunityId", "CreatedDate"],
                &[],
            ),
            (
                "Note",
                &["Id", "Title", "Body", "CreatedById", "CreatedDate"],
                &[],
            ),
            (
                "AttachedContentNote",
                &[
                    "Id",
                    "ContentDocumentId",
                    "Title",
                    "TextPreview",
                    "CreatedDate",
                ],
                &[],
            ),
            (
                "Task",
                &["Id", "Subject", "Status", "Priority", "ActivityDate"],
                &[],
            ),
            (
                "Event",
                &[
                    "Id",
                    "Subject",
                    "StartDateTime",
                    "EndDateTime",
                    "IsAllDayEvent",
                    "ActivityDate",
                    "Location",
                ],
                &[],
            ),
            (
                "Case",
                &[
                    "Id",
                    "CaseNumber",
                    "Subject",
                    "Status",
                    "Priority",
                    "IsClosed",
                    "CreatedDate",
                    "ClosedDate",
                ],
                &[],
            ),
            (
                "Lead",
                &["Id", "Name", "Company", "Status", "Email", "IsConverted"],
                &[],
            ),
        ],
        "USD",
    )
}

/// `org` with these custom text fields added to contacts, accounts and opportunities.
#[cfg(test)]
pub(crate) fn with_extra_fields(mut org: OrgSchema, names: &[String]) -> OrgSchema {
    for object in ["Contact", "Account", "Opportunity"] {
        let fields = &mut org.objects.get_mut(object).expect("described").fields;
        fields.extend(names.iter().map(|name| SchemaField {
            name: name.clone(),
            label: name.clone(),
            kind: FieldType::String,
        }));
    }
    org
}

/// `org` with `names` of `object` hidden from the user, as field-level security hides them.
#[cfg(test)]
pub(crate) fn without_fields(mut org: OrgSchema, object: &str, names: &[&str]) -> OrgSchema {
    let fields = &mut org.objects.get_mut(object).expect("described").fields;
    fields.retain(|field| !names.contains(&field.name.as_str()));
    org
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn field(name: &str, kind: &str) -> Value {
        json!({"name": name, "label": name.replace("__c", "").replace('_', " "), "type": kind})
    }

    fn describe(name: &str, fields: &[(&str, &str)], children: &[(&str, &str)]) -> Value {
        json!({
            "name": name, "label": name,
            "fields": fields.iter().map(|(n, k)| field(n, k)).collect::<Vec<_>>(),
            "childRelationships": children.iter().map(|(r, o)| json!({
                "relationshipName": r, "childSObject": o, "field": "WhoId"})).collect::<Vec<_>>(),
        })
    }

    fn item(reference: &str, status: u16, body: Value) -> Value {
        json!({"body": body, "httpHeaders": {}, "httpStatusCode": status, "referenceId": reference})
    }

    /// An org where field-level security hides `Contact.Title` and the Opportunity object,
    /// with a custom field, multi-currency and enhanced notes.
    pub(crate) fn restricted_org() -> OrgSchema {
        let contact = describe(
            "Contact",
            &[
                ("Id", "id"),
                ("Name", "string"),
                ("Email", "email"),
                ("Phone", "phone"),
                ("AccountId", "reference"),
                ("OwnerId", "reference"),
                ("Department", "string"),
                ("Subscription_Type__c", "picklist"),
                ("CurrencyIsoCode", "picklist"),
            ],
            &[
                ("Opportunities", "Opportunity"),
                ("Notes", "Note"),
                ("AttachedContentNotes", "AttachedContentNote"),
                ("Tasks", "Task"),
                ("Events", "Event"),
            ],
        );
        let account = describe(
            "Account",
            &[
                ("Id", "id"),
                ("Name", "string"),
                ("Website", "url"),
                ("OwnerId", "reference"),
                ("NumberOfEmployees", "int"),
                ("BillingAddress", "address"),
            ],
            &[("Contacts", "Contact"), ("Tasks", "Task")],
        );
        let note = describe(
            "Note",
            &[
                ("Id", "id"),
                ("Title", "string"),
                ("Body", "textarea"),
                ("CreatedById", "reference"),
                ("CreatedDate", "datetime"),
            ],
            &[],
        );
        let task = describe("Task", &[("Id", "id"), ("Subject", "string")], &[]);
        let attached = describe(
            "AttachedContentNote",
            &[("Id", "id"), ("Title", "string"), ("TextPreview", "string")],
            &[],
        );
        let not_found =
            json!([{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]);
        let response: CompositeResponse = serde_json::from_value(json!({"compositeResponse": [
            item("Contact", 200, contact),
            item("Account", 200, account),
            item("Opportunity", 404, not_found.clone()),
            item("OpportunityContactRole", 404, not_found.clone()),
            item("Note", 200, note),
            item("AttachedContentNote", 200, attached),
            item("Task", 200, task),
            item("Event", 404, not_found),
            item(ORGANIZATION, 200, json!({"totalSize": 1, "done": true,
                "records": [{"DefaultCurrencyIsoCode": "EUR"}]})),
        ]}))
        .unwrap();
        OrgSchema::from_response(&response).unwrap()
    }

    #[test]
    fn one_composite_call_reads_every_describe_and_the_currency() {
        assert_eq!(OrgSchema::request().len(), PANEL_OBJECTS.len() + 1);
    }

    #[test]
    fn hidden_fields_and_objects_are_not_readable() {
        let org = restricted_org();
        assert!(org.readable("Contact", "Email"));
        assert!(
            !org.readable("Contact", "Title"),
            "hidden by field-level security"
        );
        assert!(org.readable("Contact", "Account.Name"));
        assert!(
            org.readable("Contact", "Owner.Name"),
            "users are not described"
        );
        assert!(!org.readable("Opportunity", "Name"), "the object is hidden");
        assert!(org.readable("Note", "CreatedBy.Name"));
        assert_eq!(org.child("Contact", "Notes"), Some("Note"));
        assert_eq!(org.child("Contact", "Opportunities"), None);
        assert_eq!(org.child("Contact", "Events"), None);
        assert_eq!(org.child("Account", "Notes"), None, "not listed on Account");
        assert_eq!(org.default_currency.as_deref(), Some("EUR"));
        assert!(!org.is_multi_currency(), "no readable opportunities here");
        assert!(!org.has_person_accounts());
    }

    #[test]
    fn contacts_and_accounts_must_be_readable() {
        let response: CompositeResponse = serde_json::from_value(json!({"compositeResponse": [
            item("Contact", 404, json!([{"errorCode": "NOT_FOUND", "message": "x"}])),
        ]}))
        .unwrap();
        let error = OrgSchema::from_response(&response).unwrap_err();
        assert!(
            error.to_string().contains("may not read Contact records"),
            "{error}"
        );
    }

    #[test]
    fn offered_fields_are_readable_shown_as_text_and_not_in_the_header() {
        let offered = restricted_org().offered();
        let names = |options: &[PanelFieldOption]| {
            options.iter().map(|o| o.name.clone()).collect::<Vec<_>>()
        };
        assert_eq!(
            names(&offered.contact),
            ["CurrencyIsoCode", "Department", "Subscription_Type__c"]
        );
        assert_eq!(names(&offered.account), ["NumberOfEmployees", "Website"]);
        assert!(offered.opportunity.is_empty());
    }
}
