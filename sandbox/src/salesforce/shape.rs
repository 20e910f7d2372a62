//! The shapes a sandbox org can take, each a kind of real org the product meets: the demo
//! org, one with no custom fields, one whose field-level security hides fields from the
//! integration user, a multi-currency org, a person-accounts org, one with enhanced notes,
//! and one that answers queries in small batches. The shape is chosen when the sandbox
//! starts (`SFDESK_ORG_SHAPE`) and holds for its life.

use super::access::Hidden;
use super::schema::{Features, Schema};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgShape {
    /// The demo org: its custom fields (`Subscription_Type__c`, ...), one currency (USD).
    #[default]
    Demo,
    /// No custom field on any object; a single-currency EUR org.
    Plain,
    /// The demo org, but field-level security hides `Contact.Title`, `Contact.Phone`,
    /// `Account.Industry` and the whole `Opportunity` and `Case` objects from the API user.
    Restricted,
    /// Accounts, contacts and opportunities carry `CurrencyIsoCode` (USD, EUR, GBP, JPY).
    MultiCurrency,
    /// Person accounts are enabled and some accounts are people.
    PersonAccounts,
    /// The demo org plus enhanced notes (`ContentNote`) beside the classic ones.
    EnhancedNotes,
    /// The demo org answering every query in batches of 200, whatever is asked.
    SmallBatches,
}

/// A shape name that is none of [`OrgShape::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown org shape {0:?}; the shapes are {names}", names = OrgShape::names())]
pub struct UnknownShape(pub String);

/// What the restricted org hides from its API user: "Field-level security settings let
/// administrators restrict users' access to view and edit specific fields" and object
/// permissions decide whether a user can read an object at all (Salesforce Help,
/// "Field-Level Security" and "Object Permissions"). Opportunity contact roles follow
/// their opportunities: without read access to opportunities there are none to read.
/// Cases are hidden the same way ("Object Permissions": no Read on Case), as in an org
/// whose integration user has no access to service records.
static RESTRICTED: Hidden = Hidden {
    objects: &["Opportunity", "OpportunityContactRole", "Case"],
    fields: &[
        ("Contact", "Title"),
        ("Contact", "Phone"),
        ("Account", "Industry"),
    ],
};

impl OrgShape {
    pub const ALL: [OrgShape; 7] = [
        OrgShape::Demo,
        OrgShape::Plain,
        OrgShape::Restricted,
        OrgShape::MultiCurrency,
        OrgShape::PersonAccounts,
        OrgShape::EnhancedNotes,
        OrgShape::SmallBatches,
    ];

    pub fn name(self) -> &'static str {
        match self {
            OrgShape::Demo => "demo",
            OrgShape::Plain => "plain",
            OrgShape::Restricted => "restricted",
            OrgShape::MultiCurrency => "multi_currency",
            OrgShape::PersonAccounts => "person_accounts",
            OrgShape::EnhancedNotes => "enhanced_notes",
            OrgShape::SmallBatches => "small_batches",
        }
    }

    fn names() -> String {
        OrgShape::ALL.map(OrgShape::name).join(", ")
    }

    /// What the org has switched on, which decides its schema.
    pub fn features(self) -> Features {
        Features {
            custom_fields: self != OrgShape::Plain,
            multi_currency: self == OrgShape::MultiCurrency,
            person_accounts: self == OrgShape::PersonAccounts,
        }
    }

    /// The org's objects and fields, built once per shape.
    pub fn schema(self) -> &'static Schema {
        static SCHEMAS: [OnceLock<Schema>; OrgShape::ALL.len()] =
            [const { OnceLock::new() }; OrgShape::ALL.len()];
        SCHEMAS[self as usize].get_or_init(|| Schema::build(self.features()))
    }

    /// What field-level security and object permissions hide from the org's API user
    /// (every OAuth or password session).
    pub fn hidden_from_api_user(self) -> &'static Hidden {
        match self {
            OrgShape::Restricted => &RESTRICTED,
            _ => &Hidden::NOTHING,
        }
    }

    /// The org's currency (in a multi-currency org, its corporate currency).
    pub fn default_currency(self) -> &'static str {
        match self {
            OrgShape::Plain => "EUR",
            _ => "USD",
        }
    }

    /// The most records one query batch holds, whatever the client asks for.
    pub fn query_batch_cap(self) -> Option<usize> {
        // "There is no guarantee that the requested batch size is the actual batch size"
        // (SOAP API Developer Guide, QueryOptions header): this org always answers 200.
        (self == OrgShape::SmallBatches).then_some(200)
    }

    /// Whether the seed attaches enhanced notes beside the classic ones.
    pub fn has_enhanced_notes(self) -> bool {
        self == OrgShape::EnhancedNotes
    }
}

impl std::fmt::Display for OrgShape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for OrgShape {
    type Err = UnknownShape;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        OrgShape::ALL
            .into_iter()
            .find(|shape| shape.name().eq_ignore_ascii_case(text))
            .ok_or_else(|| UnknownShape(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back_and_serialize_as_themselves() {
        for shape in OrgShape::ALL {
            assert_eq!(shape.name().parse::<OrgShape>(), Ok(shape));
            assert_eq!(
                serde_json::to_value(shape).unwrap(),
                serde_json::json!(shape.name())
            );
            assert_eq!(shape.to_string(), shape.name());
        }
        assert_eq!(" Plain ".parse::<OrgShape>(), Ok(OrgShape::Plain));
        let err = "round".parse::<OrgShape>().unwrap_err();
        assert!(err.to_string().contains("multi_currency"), "{err}");
        assert_eq!(OrgShape::default(), OrgShape::Demo);
    }

    #[test]
    fn each_shape_decides_its_schema_once() {
        assert!(std::ptr::eq(
            OrgShape::Plain.schema(),
            OrgShape::Plain.schema()
        ));
        let custom = |shape: OrgShape| {
            shape
                .schema()
                .object("Contact")
                .unwrap()
                .field("Subscription_Type__c")
                .is_some()
        };
        assert!(!custom(OrgShape::Plain));
        assert!(
            OrgShape::ALL
                .into_iter()
                .filter(|&s| s != OrgShape::Plain)
                .all(custom)
        );
        assert!(OrgShape::PersonAccounts.schema().has_person_accounts());
        assert!(!OrgShape::Demo.schema().has_person_accounts());
        assert_eq!(OrgShape::Plain.default_currency(), "EUR");
        assert_eq!(OrgShape::SmallBatches.query_batch_cap(), Some(200));
        assert_eq!(OrgShape::Demo.query_batch_cap(), None);
    }
}
