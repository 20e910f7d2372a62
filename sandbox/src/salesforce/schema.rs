//! The org's metadata: which objects exist, their key prefixes, and their fields.
//!
//! Static data, like a real org's describe: the store validates writes against it, the
//! SOQL evaluator resolves columns and relationships with it, `describe` publishes it.

/// What a field holds, in Salesforce's own type names (see [`FieldType::describe_name`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Id,
    /// A lookup. `relationship` names the parent in SOQL paths (`Account.Name`);
    /// a polymorphic lookup (`Who`, `What`, `Parent`) answers with the `Name` shape.
    Reference {
        to: &'static [&'static str],
        relationship: &'static str,
        polymorphic: bool,
    },
    String(u32),
    TextArea(u32),
    Email,
    Phone,
    Url,
    Picklist(&'static [&'static str]),
    Boolean,
    Currency,
    Percent,
    Double,
    Int,
    Date,
    DateTime,
}

impl FieldType {
    pub fn describe_name(self) -> &'static str {
        match self {
            FieldType::Id => "id",
            FieldType::Reference { .. } => "reference",
            FieldType::String(_) => "string",
            FieldType::TextArea(_) => "textarea",
            FieldType::Email => "email",
            FieldType::Phone => "phone",
            FieldType::Url => "url",
            FieldType::Picklist(_) => "picklist",
            FieldType::Boolean => "boolean",
            FieldType::Currency => "currency",
            FieldType::Percent => "percent",
            FieldType::Double => "double",
            FieldType::Int => "int",
            FieldType::Date => "date",
            FieldType::DateTime => "datetime",
        }
    }

    /// Text-like fields: compared case-insensitively and matched by `LIKE`.
    pub fn is_text(self) -> bool {
        matches!(
            self,
            FieldType::String(_)
                | FieldType::TextArea(_)
                | FieldType::Email
                | FieldType::Phone
                | FieldType::Url
                | FieldType::Picklist(_)
        )
    }

    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            FieldType::Currency | FieldType::Percent | FieldType::Double | FieldType::Int
        )
    }

    pub fn is_id(self) -> bool {
        matches!(self, FieldType::Id | FieldType::Reference { .. })
    }

    pub fn max_length(self) -> Option<u32> {
        match self {
            FieldType::Id | FieldType::Reference { .. } => Some(18),
            FieldType::String(n) | FieldType::TextArea(n) => Some(n),
            FieldType::Email | FieldType::Url => Some(255),
            FieldType::Phone => Some(40),
            FieldType::Picklist(_) => Some(255),
            _ => None,
        }
    }
}

/// Who may write a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Set by the platform (Id, audit fields): never writable.
    System,
    /// Computed from other fields (`Contact.Name`, `Opportunity.IsClosed`).
    Derived,
    Editable,
    /// Editable, and must have a value.
    Required,
}

impl Access {
    pub fn writable(self) -> bool {
        matches!(self, Access::Editable | Access::Required)
    }
}

#[derive(Debug, Clone, Copy)]
pub struct FieldDef {
    pub name: &'static str,
    pub label: &'static str,
    pub ty: FieldType,
    pub access: Access,
    pub custom: bool,
    /// No two live records may hold the same value (compared case-insensitively):
    /// a second one is refused with `DUPLICATE_VALUE`.
    pub unique: bool,
    /// An external id: `describe` says so, and it is a lookup key.
    pub external_id: bool,
    /// A restricted picklist: values outside the list are refused.
    pub restricted: bool,
}

/// A child relationship: `(SELECT ... FROM <name>)` on the parent reaches the records of
/// `object` whose lookup `field` points at the parent.
#[derive(Debug, Clone, Copy)]
pub struct ChildDef {
    pub name: &'static str,
    pub object: &'static str,
    pub field: &'static str,
}

#[derive(Debug)]
pub struct ObjectDef {
    pub name: &'static str,
    pub label: &'static str,
    pub label_plural: &'static str,
    pub key_prefix: &'static str,
    /// The field a person would call the record by (`Name`, `Subject`, `Title`).
    pub name_field: &'static str,
    pub fields: &'static [FieldDef],
    /// Child relationships, as `describe` lists them in `childRelationships`.
    pub children: &'static [ChildDef],
}

/// Objects are singletons: one is another when the names match.
impl PartialEq for ObjectDef {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for ObjectDef {}

impl ObjectDef {
    /// Field names are case-insensitive in SOQL and in REST bodies.
    pub fn field(&self, name: &str) -> Option<&'static FieldDef> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// The position of a field in [`ObjectDef::fields`] (and in every stored record).
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.fields
            .iter()
            .position(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// A child relationship by name (`Opportunities`), case-insensitive.
    pub fn child(&self, name: &str) -> Option<&'static ChildDef> {
        self.children
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }

    /// The lookup field behind a relationship name (`Account` -> `AccountId`).
    pub fn relationship(&self, name: &str) -> Option<&'static FieldDef> {
        self.fields.iter().find(|f| match f.ty {
            FieldType::Reference { relationship, .. } => relationship.eq_ignore_ascii_case(name),
            _ => false,
        })
    }
}

/// Every object of the org, by exact name (case-insensitive).
pub fn object(name: &str) -> Option<&'static ObjectDef> {
    OBJECTS
        .iter()
        .copied()
        .find(|o| o.name.eq_ignore_ascii_case(name))
}

pub fn object_by_prefix(prefix: &str) -> Option<&'static ObjectDef> {
    OBJECTS.iter().copied().find(|o| o.key_prefix == prefix)
}

pub static OBJECTS: &[&ObjectDef] = &[
    &ACCOUNT,
    &CONTACT,
    &OPPORTUNITY,
    &OPPORTUNITY_CONTACT_ROLE,
    &NOTE,
    &TASK,
    &EVENT,
    &USER,
];

/// The fields a polymorphic relationship (`Who.Name`) can reach: Salesforce's `Name` object.
pub const NAME_OBJECT_FIELDS: &[&str] = &[
    "Id",
    "Name",
    "Type",
    "FirstName",
    "LastName",
    "Email",
    "Phone",
    "Title",
];

/// Standard stage names and the probability each implies, as a new org has them.
pub const OPPORTUNITY_STAGES: &[(&str, f64)] = &[
    ("Prospecting", 10.0),
    ("Qualification", 10.0),
    ("Needs Analysis", 20.0),
    ("Value Proposition", 50.0),
    ("Id. Decision Makers", 60.0),
    ("Perception Analysis", 70.0),
    ("Proposal/Price Quote", 75.0),
    ("Negotiation/Review", 90.0),
    ("Closed Won", 100.0),
    ("Closed Lost", 0.0),
];

const fn field(name: &'static str, label: &'static str, ty: FieldType, access: Access) -> FieldDef {
    FieldDef {
        name,
        label,
        ty,
        access,
        custom: false,
        unique: false,
        external_id: false,
        restricted: false,
    }
}

const fn child(name: &'static str, object: &'static str, field: &'static str) -> ChildDef {
    ChildDef {
        name,
        object,
        field,
    }
}

/// A custom field (`__c`).
const fn custom(name: &'static str, label: &'static str, ty: FieldType) -> FieldDef {
    FieldDef {
        custom: true,
        ..field(name, label, ty, Access::Editable)
    }
}

/// A unique, case-insensitive external id: what an integration keys its records by.
const HELPDESK_ID: FieldDef = FieldDef {
    unique: true,
    external_id: true,
    ..custom("Helpdesk_Id__c", "Helpdesk ID", FieldType::String(64))
};

const fn lookup(
    name: &'static str,
    label: &'static str,
    to: &'static [&'static str],
    relationship: &'static str,
    access: Access,
) -> FieldDef {
    field(
        name,
        label,
        FieldType::Reference {
            to,
            relationship,
            polymorphic: false,
        },
        access,
    )
}

const fn polymorphic(
    name: &'static str,
    label: &'static str,
    to: &'static [&'static str],
    relationship: &'static str,
) -> FieldDef {
    field(
        name,
        label,
        FieldType::Reference {
            to,
            relationship,
            polymorphic: true,
        },
        Access::Editable,
    )
}

const USER_ONLY: &[&str] = &["User"];
const ID: FieldDef = field("Id", "Record ID", FieldType::Id, Access::System);
const IS_DELETED: FieldDef = field("IsDeleted", "Deleted", FieldType::Boolean, Access::System);
const OWNER_ID: FieldDef = lookup("OwnerId", "Owner ID", USER_ONLY, "Owner", Access::Editable);
const CREATED_DATE: FieldDef = field(
    "CreatedDate",
    "Created Date",
    FieldType::DateTime,
    Access::System,
);
const CREATED_BY_ID: FieldDef = lookup(
    "CreatedById",
    "Created By ID",
    USER_ONLY,
    "CreatedBy",
    Access::System,
);
const LAST_MODIFIED_DATE: FieldDef = field(
    "LastModifiedDate",
    "Last Modified Date",
    FieldType::DateTime,
    Access::System,
);
const LAST_MODIFIED_BY_ID: FieldDef = lookup(
    "LastModifiedById",
    "Last Modified By ID",
    USER_ONLY,
    "LastModifiedBy",
    Access::System,
);
const SYSTEM_MODSTAMP: FieldDef = field(
    "SystemModstamp",
    "System Modstamp",
    FieldType::DateTime,
    Access::System,
);

/// An object's own fields, then the audit fields every object ends with.
macro_rules! with_audit_fields {
    [$($field:expr),* $(,)?] => {
        &[
            $($field,)*
            CREATED_DATE,
            CREATED_BY_ID,
            LAST_MODIFIED_DATE,
            LAST_MODIFIED_BY_ID,
            SYSTEM_MODSTAMP,
        ]
    };
}

/// A record's long free text, labelled after its object (`Account Description`).
const fn description(label: &'static str) -> FieldDef {
    field(
        "Description",
        label,
        FieldType::TextArea(32_000),
        Access::Editable,
    )
}

const ACCOUNT_ID: FieldDef = lookup(
    "AccountId",
    "Account ID",
    &["Account"],
    "Account",
    Access::Editable,
);
/// A person's name, as contacts and users have it.
const FIRST_NAME: FieldDef = field(
    "FirstName",
    "First Name",
    FieldType::String(40),
    Access::Editable,
);
const LAST_NAME: FieldDef = field(
    "LastName",
    "Last Name",
    FieldType::String(80),
    Access::Required,
);
const FULL_NAME: FieldDef = field("Name", "Full Name", FieldType::String(121), Access::Derived);
/// What a task or an event is about.
const SUBJECT: FieldDef = field(
    "Subject",
    "Subject",
    FieldType::String(255),
    Access::Editable,
);

/// The stage picklist: the names of [`OPPORTUNITY_STAGES`], in order.
const STAGE_NAMES: [&str; OPPORTUNITY_STAGES.len()] = {
    let mut names = [""; OPPORTUNITY_STAGES.len()];
    let mut i = 0;
    while i < names.len() {
        names[i] = OPPORTUNITY_STAGES[i].0;
        i += 1;
    }
    names
};

pub static ACCOUNT: ObjectDef = ObjectDef {
    name: "Account",
    label: "Account",
    label_plural: "Accounts",
    key_prefix: "001",
    name_field: "Name",
    fields: with_audit_fields![
        ID,
        IS_DELETED,
        field(
            "Name",
            "Account Name",
            FieldType::String(255),
            Access::Required,
        ),
        field(
            "Type",
            "Account Type",
            FieldType::Picklist(&[
                "Prospect",
                "Customer - Direct",
                "Customer - Channel",
                "Partner",
                "Other",
            ]),
            Access::Editable,
        ),
        field(
            "Industry",
            "Industry",
            FieldType::Picklist(&["Healthcare", "Logistics", "Retail", "Technology", "Other"]),
            Access::Editable,
        ),
        field("Phone", "Account Phone", FieldType::Phone, Access::Editable),
        field("Website", "Website", FieldType::Url, Access::Editable),
        field(
            "BillingStreet",
            "Billing Street",
            FieldType::TextArea(255),
            Access::Editable,
        ),
        field(
            "BillingCity",
            "Billing City",
            FieldType::String(40),
            Access::Editable,
        ),
        field(
            "BillingPostalCode",
            "Billing Zip/Postal Code",
            FieldType::String(20),
            Access::Editable,
        ),
        field(
            "BillingCountry",
            "Billing Country",
            FieldType::String(80),
            Access::Editable,
        ),
        field(
            "AnnualRevenue",
            "Annual Revenue",
            FieldType::Currency,
            Access::Editable,
        ),
        field(
            "NumberOfEmployees",
            "Employees",
            FieldType::Int,
            Access::Editable,
        ),
        description("Account Description"),
        HELPDESK_ID,
        OWNER_ID,
    ],
    children: &[
        child("Contacts", "Contact", "AccountId"),
        child("Opportunities", "Opportunity", "AccountId"),
        child("Notes", "Note", "ParentId"),
        child("Tasks", "Task", "WhatId"),
        child("Events", "Event", "WhatId"),
    ],
};

pub static CONTACT: ObjectDef = ObjectDef {
    name: "Contact",
    label: "Contact",
    label_plural: "Contacts",
    key_prefix: "003",
    name_field: "Name",
    fields: with_audit_fields![
        ID,
        IS_DELETED,
        ACCOUNT_ID,
        LAST_NAME,
        FIRST_NAME,
        field(
            "Salutation",
            "Salutation",
            FieldType::Picklist(&["Mr.", "Ms.", "Mrs.", "Dr.", "Prof."]),
            Access::Editable,
        ),
        FULL_NAME,
        field("Title", "Title", FieldType::String(128), Access::Editable),
        field(
            "Department",
            "Department",
            FieldType::String(80),
            Access::Editable,
        ),
        field("Email", "Email", FieldType::Email, Access::Editable),
        field(
            "Phone",
            "Business Phone",
            FieldType::Phone,
            Access::Editable,
        ),
        field(
            "MobilePhone",
            "Mobile Phone",
            FieldType::Phone,
            Access::Editable,
        ),
        field(
            "MailingCity",
            "Mailing City",
            FieldType::String(40),
            Access::Editable,
        ),
        field(
            "MailingCountry",
            "Mailing Country",
            FieldType::String(80),
            Access::Editable,
        ),
        description("Contact Description"),
        FieldDef {
            restricted: true,
            ..custom(
                "Subscription_Type__c",
                "Subscription Type",
                FieldType::Picklist(&["Trial", "Standard", "Professional", "Enterprise"]),
            )
        },
        custom("Seats__c", "Seats", FieldType::Double),
        HELPDESK_ID,
        OWNER_ID,
    ],
    children: &[
        child("Opportunities", "Opportunity", "ContactId"),
        child(
            "OpportunityContactRoles",
            "OpportunityContactRole",
            "ContactId",
        ),
        child("Notes", "Note", "ParentId"),
        child("Tasks", "Task", "WhoId"),
        child("Events", "Event", "WhoId"),
    ],
};

pub static OPPORTUNITY: ObjectDef = ObjectDef {
    name: "Opportunity",
    label: "Opportunity",
    label_plural: "Opportunities",
    key_prefix: "006",
    name_field: "Name",
    fields: with_audit_fields![
        ID,
        IS_DELETED,
        ACCOUNT_ID,
        lookup(
            "ContactId",
            "Contact ID",
            &["Contact"],
            "Contact",
            Access::Editable,
        ),
        field("Name", "Name", FieldType::String(120), Access::Required),
        description("Description"),
        field(
            "StageName",
            "Stage",
            FieldType::Picklist(&STAGE_NAMES),
            Access::Required,
        ),
        field("Amount", "Amount", FieldType::Currency, Access::Editable),
        field(
            "Probability",
            "Probability (%)",
            FieldType::Percent,
            Access::Editable,
        ),
        field("CloseDate", "Close Date", FieldType::Date, Access::Required),
        field(
            "Type",
            "Opportunity Type",
            FieldType::Picklist(&["New Customer", "Existing Customer - Upgrade", "Renewal"]),
            Access::Editable,
        ),
        field(
            "NextStep",
            "Next Step",
            FieldType::String(255),
            Access::Editable,
        ),
        field("IsClosed", "Closed", FieldType::Boolean, Access::Derived),
        field("IsWon", "Won", FieldType::Boolean, Access::Derived),
        OWNER_ID,
    ],
    children: &[
        child(
            "OpportunityContactRoles",
            "OpportunityContactRole",
            "OpportunityId",
        ),
        child("Notes", "Note", "ParentId"),
        child("Tasks", "Task", "WhatId"),
        child("Events", "Event", "WhatId"),
    ],
};

pub static OPPORTUNITY_CONTACT_ROLE: ObjectDef = ObjectDef {
    name: "OpportunityContactRole",
    label: "Opportunity Contact Role",
    label_plural: "Opportunity Contact Roles",
    key_prefix: "00K",
    name_field: "Role",
    fields: with_audit_fields![
        ID,
        IS_DELETED,
        lookup(
            "OpportunityId",
            "Opportunity ID",
            &["Opportunity"],
            "Opportunity",
            Access::Required,
        ),
        lookup(
            "ContactId",
            "Contact ID",
            &["Contact"],
            "Contact",
            Access::Required,
        ),
        field(
            "Role",
            "Role",
            FieldType::Picklist(&[
                "Business User",
                "Decision Maker",
                "Economic Buyer",
                "Evaluator",
                "Technical Buyer",
                "Other",
            ]),
            Access::Editable,
        ),
        field("IsPrimary", "Primary", FieldType::Boolean, Access::Editable),
    ],
    children: &[],
};

pub static NOTE: ObjectDef = ObjectDef {
    name: "Note",
    label: "Note",
    label_plural: "Notes",
    key_prefix: "002",
    name_field: "Title",
    fields: with_audit_fields![
        ID,
        IS_DELETED,
        FieldDef {
            access: Access::Required,
            ..polymorphic(
                "ParentId",
                "Parent ID",
                &["Account", "Contact", "Opportunity"],
                "Parent",
            )
        },
        field("Title", "Title", FieldType::String(80), Access::Required),
        field(
            "Body",
            "Body",
            FieldType::TextArea(32_000),
            Access::Editable,
        ),
        field("IsPrivate", "Private", FieldType::Boolean, Access::Editable),
        OWNER_ID,
    ],
    children: &[],
};

const WHO: FieldDef = polymorphic("WhoId", "Name ID", &["Contact"], "Who");
const WHAT: FieldDef = polymorphic(
    "WhatId",
    "Related To ID",
    &["Account", "Opportunity"],
    "What",
);

pub static TASK: ObjectDef = ObjectDef {
    name: "Task",
    label: "Task",
    label_plural: "Tasks",
    key_prefix: "00T",
    name_field: "Subject",
    fields: with_audit_fields![
        ID,
        IS_DELETED,
        WHO,
        WHAT,
        SUBJECT,
        field(
            "ActivityDate",
            "Due Date Only",
            FieldType::Date,
            Access::Editable,
        ),
        field(
            "Status",
            "Status",
            FieldType::Picklist(&[
                "Not Started",
                "In Progress",
                "Completed",
                "Waiting on someone else",
                "Deferred",
            ]),
            Access::Editable,
        ),
        field(
            "Priority",
            "Priority",
            FieldType::Picklist(&["High", "Normal", "Low"]),
            Access::Editable,
        ),
        description("Description"),
        field("IsClosed", "Closed", FieldType::Boolean, Access::Derived),
        OWNER_ID,
    ],
    children: &[],
};

pub static EVENT: ObjectDef = ObjectDef {
    name: "Event",
    label: "Event",
    label_plural: "Events",
    key_prefix: "00U",
    name_field: "Subject",
    fields: with_audit_fields![
        ID,
        IS_DELETED,
        WHO,
        WHAT,
        SUBJECT,
        field(
            "Location",
            "Location",
            FieldType::String(255),
            Access::Editable,
        ),
        field(
            "StartDateTime",
            "Start Date Time",
            FieldType::DateTime,
            Access::Required,
        ),
        field(
            "EndDateTime",
            "End Date Time",
            FieldType::DateTime,
            Access::Required,
        ),
        field(
            "IsAllDayEvent",
            "All-Day Event",
            FieldType::Boolean,
            Access::Editable,
        ),
        field(
            "ActivityDateTime",
            "Due Date Time",
            FieldType::DateTime,
            Access::Derived,
        ),
        field(
            "ActivityDate",
            "Due Date Only",
            FieldType::Date,
            Access::Derived,
        ),
        field(
            "DurationInMinutes",
            "Duration",
            FieldType::Int,
            Access::Derived,
        ),
        description("Description"),
        OWNER_ID,
    ],
    children: &[],
};

pub static USER: ObjectDef = ObjectDef {
    name: "User",
    label: "User",
    label_plural: "Users",
    key_prefix: "005",
    name_field: "Name",
    fields: with_audit_fields![
        ID,
        field(
            "Username",
            "Username",
            FieldType::String(80),
            Access::Required,
        ),
        LAST_NAME,
        FIRST_NAME,
        FULL_NAME,
        field("Email", "Email", FieldType::Email, Access::Required),
        field("Title", "Title", FieldType::String(80), Access::Editable),
        field("IsActive", "Active", FieldType::Boolean, Access::Editable),
    ],
    children: &[],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_are_case_insensitive() {
        assert_eq!(object("contact").unwrap().name, "Contact");
        assert_eq!(CONTACT.field("email").unwrap().name, "Email");
        assert_eq!(CONTACT.relationship("ACCOUNT").unwrap().name, "AccountId");
        assert!(CONTACT.field("Emial").is_none());
    }

    #[test]
    fn every_object_has_unique_fields_and_a_known_prefix() {
        for object in OBJECTS {
            assert_eq!(
                object_by_prefix(object.key_prefix).unwrap().name,
                object.name
            );
            assert!(object.field(object.name_field).is_some(), "{}", object.name);
            for (i, a) in object.fields.iter().enumerate() {
                assert!(
                    object.fields[i + 1..].iter().all(|b| b.name != a.name),
                    "{}.{} twice",
                    object.name,
                    a.name
                );
                if let FieldType::Reference { to, .. } = a.ty {
                    assert!(to.iter().all(|t| super::object(t).is_some()), "{}", a.name);
                }
            }
        }
    }

    #[test]
    fn records_start_with_their_id_and_children_point_at_real_lookups() {
        for object in OBJECTS {
            assert_eq!(object.fields[0].name, "Id", "{}", object.name);
            for child in object.children {
                let target = super::object(child.object).unwrap();
                let field = target.field(child.field).unwrap();
                let FieldType::Reference { to, .. } = field.ty else {
                    panic!("{}.{} is a lookup", child.object, child.field);
                };
                assert!(
                    to.contains(&object.name),
                    "{} -> {}",
                    child.name,
                    object.name
                );
            }
        }
        assert!(CONTACT.child("opportunities").is_some());
        assert_eq!(CONTACT.field("Seats__c").unwrap().ty, FieldType::Double);
    }
}
