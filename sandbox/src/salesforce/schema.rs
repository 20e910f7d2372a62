//! The org's metadata: which objects exist, their key prefixes, and their fields.
//!
//! Static data, like a real org's describe: the store validates writes against it, the
//! SOQL evaluator resolves columns and relationships with it, `describe` publishes it.
//!
//! The standard objects below are the demo org's; an org's [`Schema`] is built from them
//! by the [`Features`] it has switched on (custom fields, multiple currencies, person
//! accounts), once per org shape.

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
    /// Binary content sent and stored as base64 text.
    Base64,
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
            FieldType::Base64 => "base64",
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
    /// The picklist value a new record gets when it names none (`describe` marks it
    /// `defaultValue`).
    pub default_value: Option<&'static str>,
}

/// A child relationship: `(SELECT ... FROM <name>)` on the parent reaches the records of
/// `object` whose lookup `field` points at the parent.
#[derive(Debug, Clone, Copy)]
pub struct ChildDef {
    pub name: &'static str,
    pub object: &'static str,
    pub field: &'static str,
}

/// The API calls an object supports, as its describe flags say (`queryable`,
/// `createable`, `updateable`, `deletable`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Calls {
    pub query: bool,
    pub create: bool,
    pub update: bool,
    pub delete: bool,
}

/// One of the calls [`Calls`] allows or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    Query,
    Create,
    Update,
    Delete,
}

impl Call {
    /// The verb Salesforce names the call by in its errors ("does not support insert").
    pub fn verb(self) -> &'static str {
        match self {
            Call::Query => "query",
            Call::Create => "insert",
            Call::Update => "update",
            Call::Delete => "delete",
        }
    }
}

impl Calls {
    pub fn allows(self, call: Call) -> bool {
        match call {
            Call::Query => self.query,
            Call::Create => self.create,
            Call::Update => self.update,
            Call::Delete => self.delete,
        }
    }

    pub const ALL: Calls = Calls {
        query: true,
        create: true,
        update: true,
        delete: true,
    };
    /// Queried, never written through the data API (the org and its setup).
    pub const READ_ONLY: Calls = Calls {
        query: true,
        create: false,
        update: false,
        delete: false,
    };
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
    pub calls: Calls,
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

/// The standard objects of the demo org, as [`Schema::build`] starts from them.
static STANDARD_OBJECTS: &[&ObjectDef] = &[
    &ORGANIZATION,
    &USER,
    &RECORD_TYPE,
    &ACCOUNT,
    &CONTACT,
    &OPPORTUNITY,
    &OPPORTUNITY_CONTACT_ROLE,
    &NOTE,
    &TASK,
    &EVENT,
    &CASE,
    &LEAD,
    &CONTENT_NOTE,
    &CONTENT_DOCUMENT_LINK,
    &ATTACHED_CONTENT_NOTE,
];

/// What an org has switched on beyond the standard objects; it decides the org's schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Features {
    /// The demo's custom fields (`Subscription_Type__c`, `Helpdesk_Id__c`, ...).
    pub custom_fields: bool,
    /// Records carry `CurrencyIsoCode` (Setup > Company Settings > Currencies).
    pub multi_currency: bool,
    /// Accounts can be person accounts (Setup > Person Accounts).
    pub person_accounts: bool,
}

impl Features {
    /// The demo org: its custom fields, one currency, business accounts only.
    pub const DEMO: Features = Features {
        custom_fields: true,
        multi_currency: false,
        person_accounts: false,
    };
}

/// One org's objects and fields.
#[derive(Debug)]
pub struct Schema {
    objects: Vec<&'static ObjectDef>,
}

impl Schema {
    /// The standard objects as `features` change them. Objects that change are built
    /// anew and live as long as the process (an org's schema is built once per shape).
    pub fn build(features: Features) -> Schema {
        let objects = STANDARD_OBJECTS
            .iter()
            .map(|&standard| {
                let extra = extra_fields(standard.name, features);
                let keep = |f: &&FieldDef| features.custom_fields || !f.custom;
                if extra.is_empty() && standard.fields.iter().all(|f| keep(&f)) {
                    return standard;
                }
                // New fields go before the audit fields every object ends with.
                let audit_at = standard
                    .fields
                    .iter()
                    .position(|f| f.name == CREATED_DATE.name)
                    .unwrap_or(standard.fields.len());
                let (own, audit) = standard.fields.split_at(audit_at);
                let fields: Vec<FieldDef> = own
                    .iter()
                    .filter(keep)
                    .chain(extra.iter())
                    .chain(audit.iter())
                    .copied()
                    .collect();
                let object: &'static ObjectDef = Box::leak(Box::new(ObjectDef {
                    fields: Vec::leak(fields),
                    ..*standard
                }));
                object
            })
            .collect();
        Schema { objects }
    }

    /// An object by name, case-insensitive.
    pub fn object(&self, name: &str) -> Option<&'static ObjectDef> {
        self.objects
            .iter()
            .copied()
            .find(|o| o.name.eq_ignore_ascii_case(name))
    }

    /// The object a record Id belongs to, by its first three characters.
    pub fn object_by_prefix(&self, prefix: &str) -> Option<&'static ObjectDef> {
        self.objects
            .iter()
            .copied()
            .find(|o| o.key_prefix == prefix)
    }

    /// Every object, in a stable order.
    pub fn objects(&self) -> impl Iterator<Item = &'static ObjectDef> + '_ {
        self.objects.iter().copied()
    }

    /// Whether this org has person accounts (its Account has `IsPersonAccount`).
    pub fn has_person_accounts(&self) -> bool {
        self.object("Account")
            .is_some_and(|a| a.field("IsPersonAccount").is_some())
    }
}

/// The fields `features` add to an object.
fn extra_fields(object: &str, features: Features) -> Vec<FieldDef> {
    let mut extra = Vec::new();
    if features.multi_currency {
        // "Records have a CurrencyIsoCode field once multiple currencies are enabled"
        // (Salesforce Help, "Considerations for Enabling Multiple Currencies"), a
        // restricted picklist of the org's active currencies defaulting to the corporate one.
        let label = match object {
            "Account" => Some("Account Currency"),
            "Contact" => Some("Contact Currency"),
            "Opportunity" => Some("Opportunity Currency"),
            _ => None,
        };
        if let Some(label) = label {
            extra.push(FieldDef {
                restricted: true,
                default_value: Some(CORPORATE_CURRENCY),
                ..field(
                    "CurrencyIsoCode",
                    label,
                    FieldType::Picklist(ACTIVE_CURRENCIES),
                    Access::Editable,
                )
            });
        }
    }
    if features.person_accounts {
        match object {
            "Account" => extra.extend_from_slice(PERSON_ACCOUNT_FIELDS),
            "Contact" => extra.push(IS_PERSON_ACCOUNT),
            _ => {}
        }
    }
    extra
}

/// A multi-currency org's active currencies and its corporate currency.
pub const ACTIVE_CURRENCIES: &[&str] = &["USD", "EUR", "GBP", "JPY"];
pub const CORPORATE_CURRENCY: &str = "USD";

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
        default_value: None,
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
        child("Cases", "Case", "AccountId"),
        CONTENT_DOCUMENT_LINKS,
        ATTACHED_CONTENT_NOTES,
    ],
    calls: Calls::ALL,
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
        child("Cases", "Case", "ContactId"),
        CONTENT_DOCUMENT_LINKS,
        ATTACHED_CONTENT_NOTES,
    ],
    calls: Calls::ALL,
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
    calls: Calls::ALL,
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
    calls: Calls::ALL,
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
    calls: Calls::ALL,
};

/// "WhoId ... a Contact or Lead", "WhatId ... Account, Opportunity, Case, ..." (Object
/// Reference, Task and Event).
const WHO: FieldDef = polymorphic("WhoId", "Name ID", &["Contact", "Lead"], "Who");
const WHAT: FieldDef = polymorphic(
    "WhatId",
    "Related To ID",
    &["Account", "Opportunity", "Case"],
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
        FieldDef {
            default_value: Some("Not Started"),
            ..field(
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
            )
        },
        FieldDef {
            default_value: Some("Normal"),
            ..field(
                "Priority",
                "Priority",
                FieldType::Picklist(&["High", "Normal", "Low"]),
                Access::Editable,
            )
        },
        description("Description"),
        field("IsClosed", "Closed", FieldType::Boolean, Access::Derived),
        OWNER_ID,
    ],
    children: &[],
    calls: Calls::ALL,
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
    calls: Calls::ALL,
};

/// The statuses of a case, and which of them close it: "IsClosed ... Indicates whether
/// the case is closed" and "ClosedDate ... The date and time when the case was closed"
/// (Object Reference, Case; the default CaseStatus values).
pub const CASE_STATUSES: &[(&str, bool)] = &[
    ("New", false),
    ("Working", false),
    ("Escalated", false),
    ("Closed", true),
];

const CASE_STATUS_NAMES: [&str; CASE_STATUSES.len()] = {
    let mut names = [""; CASE_STATUSES.len()];
    let mut i = 0;
    while i < names.len() {
        names[i] = CASE_STATUSES[i].0;
        i += 1;
    }
    names
};

/// A customer issue (Object Reference, Case): `CaseNumber` is an auto-number, "assigned
/// automatically when each case is inserted. It can't be set directly"; `AccountId` and
/// `ContactId` link it, `Cases` on each is the child relationship.
pub static CASE: ObjectDef = ObjectDef {
    name: "Case",
    label: "Case",
    label_plural: "Cases",
    key_prefix: "500",
    name_field: "CaseNumber",
    fields: with_audit_fields![
        ID,
        IS_DELETED,
        field(
            "CaseNumber",
            "Case Number",
            FieldType::String(30),
            Access::System,
        ),
        lookup(
            "ContactId",
            "Contact ID",
            &["Contact"],
            "Contact",
            Access::Editable,
        ),
        ACCOUNT_ID,
        SUBJECT,
        description("Description"),
        FieldDef {
            default_value: Some("New"),
            ..field(
                "Status",
                "Status",
                FieldType::Picklist(&CASE_STATUS_NAMES),
                Access::Editable,
            )
        },
        FieldDef {
            default_value: Some("Medium"),
            ..field(
                "Priority",
                "Priority",
                FieldType::Picklist(&["High", "Medium", "Low"]),
                Access::Editable,
            )
        },
        field(
            "Origin",
            "Case Origin",
            FieldType::Picklist(&["Phone", "Email", "Web"]),
            Access::Editable,
        ),
        field("IsClosed", "Closed", FieldType::Boolean, Access::Derived),
        field(
            "ClosedDate",
            "Closed Date",
            FieldType::DateTime,
            Access::Derived,
        ),
        OWNER_ID,
    ],
    children: &[
        child("Tasks", "Task", "WhatId"),
        child("Events", "Event", "WhatId"),
    ],
    calls: Calls::ALL,
};

/// A prospect (Object Reference, Lead): "Company ... Required", `LastName` required,
/// `Status` from the LeadStatus picklist (default "Open - Not Contacted"), `IsConverted`
/// set by lead conversion, never written directly.
pub static LEAD: ObjectDef = ObjectDef {
    name: "Lead",
    label: "Lead",
    label_plural: "Leads",
    key_prefix: "00Q",
    name_field: "Name",
    fields: with_audit_fields![
        ID,
        IS_DELETED,
        LAST_NAME,
        FIRST_NAME,
        FULL_NAME,
        field("Title", "Title", FieldType::String(128), Access::Editable),
        field(
            "Company",
            "Company",
            FieldType::String(255),
            Access::Required
        ),
        field("Email", "Email", FieldType::Email, Access::Editable),
        field("Phone", "Phone", FieldType::Phone, Access::Editable),
        FieldDef {
            default_value: Some("Open - Not Contacted"),
            ..field(
                "Status",
                "Status",
                FieldType::Picklist(&[
                    "Open - Not Contacted",
                    "Working - Contacted",
                    "Closed - Converted",
                    "Closed - Not Converted",
                ]),
                Access::Required,
            )
        },
        field(
            "LeadSource",
            "Lead Source",
            FieldType::Picklist(&["Web", "Phone Inquiry", "Partner Referral", "Other"]),
            Access::Editable,
        ),
        field(
            "IsConverted",
            "Converted",
            FieldType::Boolean,
            Access::System
        ),
        description("Description"),
        OWNER_ID,
    ],
    children: &[
        child("Tasks", "Task", "WhoId"),
        child("Events", "Event", "WhoId"),
    ],
    calls: Calls::ALL,
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
    calls: Calls {
        create: false,
        delete: false,
        ..Calls::ALL
    },
};

pub static ORGANIZATION: ObjectDef = ObjectDef {
    name: "Organization",
    label: "Organization",
    label_plural: "Organizations",
    key_prefix: "00D",
    name_field: "Name",
    fields: with_audit_fields![
        ID,
        field("Name", "Name", FieldType::String(80), Access::System),
        field(
            "DefaultCurrencyIsoCode",
            "Locale Currency",
            FieldType::Picklist(&["EUR", "GBP", "JPY", "USD"]),
            Access::System,
        ),
        field(
            "LanguageLocaleKey",
            "Language",
            FieldType::String(40),
            Access::System,
        ),
        field(
            "TimeZoneSidKey",
            "Time Zone",
            FieldType::String(40),
            Access::System,
        ),
        field(
            "OrganizationType",
            "Edition",
            FieldType::String(40),
            Access::System,
        ),
        field(
            "IsSandbox",
            "Is Sandbox",
            FieldType::Boolean,
            Access::System
        ),
    ],
    children: &[],
    calls: Calls::READ_ONLY,
};

pub static RECORD_TYPE: ObjectDef = ObjectDef {
    name: "RecordType",
    label: "Record Type",
    label_plural: "Record Types",
    key_prefix: "012",
    name_field: "Name",
    fields: with_audit_fields![
        ID,
        field(
            "Name",
            "Record Type Name",
            FieldType::String(80),
            Access::System,
        ),
        field(
            "DeveloperName",
            "Record Type Name",
            FieldType::String(80),
            Access::System,
        ),
        field(
            "SobjectType",
            "SObject Type Name",
            FieldType::String(40),
            Access::System,
        ),
        field(
            "IsPersonType",
            "Is Person Type",
            FieldType::Boolean,
            Access::System,
        ),
        field("IsActive", "Active", FieldType::Boolean, Access::System),
    ],
    children: &[],
    calls: Calls::READ_ONLY,
};

/// An enhanced note (Lightning Experience's notes). Its Id is its `ContentDocument`'s:
/// the sandbox keeps one record for both and links to it from `ContentDocumentLink`.
pub static CONTENT_NOTE: ObjectDef = ObjectDef {
    name: "ContentNote",
    label: "Note",
    label_plural: "Notes",
    key_prefix: "069",
    name_field: "Title",
    fields: with_audit_fields![
        ID,
        IS_DELETED,
        field("Title", "Title", FieldType::String(255), Access::Required),
        // "Content: base64 ... The content or body of the note, which can include
        // properly formatted HTML or plain text" (Object Reference, ContentNote).
        field("Content", "Content", FieldType::Base64, Access::Editable),
        field(
            "TextPreview",
            "Text Preview",
            FieldType::String(255),
            Access::Derived,
        ),
        field(
            "FileType",
            "File Type",
            FieldType::String(20),
            Access::Derived
        ),
        field(
            "FileExtension",
            "File Extension",
            FieldType::String(40),
            Access::Derived,
        ),
        field("ContentSize", "Size", FieldType::Int, Access::Derived),
        OWNER_ID,
    ],
    children: &[],
    calls: Calls::ALL,
};

/// Where a note (or file) is shared: one record it is attached to.
pub static CONTENT_DOCUMENT_LINK: ObjectDef = ObjectDef {
    name: "ContentDocumentLink",
    label: "Content Document Link",
    label_plural: "Content Document Links",
    key_prefix: "06A",
    name_field: "Id",
    // No created or modified fields: the link has only its modstamp (Object Reference,
    // ContentDocumentLink).
    fields: &[
        ID,
        IS_DELETED,
        lookup(
            "ContentDocumentId",
            "Content Document ID",
            &["ContentNote"],
            "ContentDocument",
            Access::Required,
        ),
        FieldDef {
            access: Access::Required,
            ..polymorphic(
                "LinkedEntityId",
                "Linked Entity ID",
                &["Account", "Contact", "Opportunity", "User"],
                "LinkedEntity",
            )
        },
        FieldDef {
            restricted: true,
            default_value: Some("V"),
            ..field(
                "ShareType",
                "Share Type",
                FieldType::Picklist(&["V", "C", "I"]),
                Access::Editable,
            )
        },
        FieldDef {
            restricted: true,
            default_value: Some("AllUsers"),
            ..field(
                "Visibility",
                "Visibility",
                FieldType::Picklist(&["AllUsers", "InternalUsers", "SharedUsers"]),
                Access::Editable,
            )
        },
        SYSTEM_MODSTAMP,
    ],
    children: &[],
    calls: Calls::ALL,
};

/// The notes attached to a record, read only through its `AttachedContentNotes`: "You
/// can't directly query this object" (Object Reference, AttachedContentNote). Its rows
/// are derived from `ContentDocumentLink` and `ContentNote`, so it has no key prefix.
pub static ATTACHED_CONTENT_NOTE: ObjectDef = ObjectDef {
    name: "AttachedContentNote",
    label: "Attached Content Note",
    label_plural: "Attached Content Notes",
    key_prefix: "",
    name_field: "Title",
    fields: &[
        field("Id", "Note Id", FieldType::Id, Access::System),
        IS_DELETED,
        FieldDef {
            access: Access::System,
            ..polymorphic(
                "LinkedEntityId",
                "Parent ID",
                &["Account", "Contact", "Opportunity", "User"],
                "LinkedEntity",
            )
        },
        lookup(
            "ContentDocumentId",
            "Content Document ID",
            &["ContentNote"],
            "ContentDocument",
            Access::System,
        ),
        field("Title", "Title", FieldType::String(255), Access::System),
        field(
            "TextPreview",
            "Text Preview",
            FieldType::String(255),
            Access::System,
        ),
        field(
            "FileType",
            "File Type",
            FieldType::String(20),
            Access::System,
        ),
        field(
            "FileExtension",
            "File Extension",
            FieldType::String(40),
            Access::System,
        ),
        field(
            "ContentSize",
            "Content Size",
            FieldType::Int,
            Access::System,
        ),
        CREATED_DATE,
        CREATED_BY_ID,
        LAST_MODIFIED_DATE,
        LAST_MODIFIED_BY_ID,
    ],
    children: &[],
    calls: Calls {
        query: false,
        ..Calls::READ_ONLY
    },
};

const CONTENT_DOCUMENT_LINKS: ChildDef = child(
    "ContentDocumentLinks",
    "ContentDocumentLink",
    "LinkedEntityId",
);
const ATTACHED_CONTENT_NOTES: ChildDef = child(
    "AttachedContentNotes",
    "AttachedContentNote",
    "LinkedEntityId",
);

/// `IsPersonAccount`: set from the account's record type, never written (Object
/// Reference, Account and Contact).
const IS_PERSON_ACCOUNT: FieldDef = field(
    "IsPersonAccount",
    "Is Person Account",
    FieldType::Boolean,
    Access::Derived,
);

/// What Account gains in an org with person accounts (Object Reference, Account: "Person
/// account fields"): its record type says which kind an account is; a person account
/// has the person's names and contact details, and the Id of its person contact.
const PERSON_ACCOUNT_FIELDS: &[FieldDef] = &[
    lookup(
        "RecordTypeId",
        "Account Record Type",
        &["RecordType"],
        "RecordType",
        Access::Editable,
    ),
    IS_PERSON_ACCOUNT,
    FIRST_NAME,
    field(
        "LastName",
        "Last Name",
        FieldType::String(80),
        Access::Editable,
    ),
    field("PersonEmail", "Email", FieldType::Email, Access::Editable),
    // As long as the person contact's Title it mirrors.
    field(
        "PersonTitle",
        "Title",
        FieldType::String(128),
        Access::Editable,
    ),
    field(
        "PersonMobilePhone",
        "Mobile",
        FieldType::Phone,
        Access::Editable,
    ),
    lookup(
        "PersonContactId",
        "Contact ID",
        &["Contact"],
        "PersonContact",
        Access::Derived,
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The demo org's schema, and one with every feature switched the other way.
    fn schemas() -> [Schema; 2] {
        [
            Schema::build(Features::DEMO),
            Schema::build(Features {
                custom_fields: false,
                multi_currency: true,
                person_accounts: true,
            }),
        ]
    }

    #[test]
    fn lookups_are_case_insensitive() {
        let schema = Schema::build(Features::DEMO);
        assert_eq!(schema.object("contact").unwrap().name, "Contact");
        assert_eq!(CONTACT.field("email").unwrap().name, "Email");
        assert_eq!(CONTACT.relationship("ACCOUNT").unwrap().name, "AccountId");
        assert!(CONTACT.field("Emial").is_none());
    }

    #[test]
    fn every_object_has_unique_fields_and_a_known_prefix() {
        for schema in schemas() {
            for object in schema.objects() {
                if !object.key_prefix.is_empty() {
                    let owner = schema.object_by_prefix(object.key_prefix).unwrap();
                    assert_eq!(owner.name, object.name);
                }
                assert!(object.field(object.name_field).is_some(), "{}", object.name);
                for (i, a) in object.fields.iter().enumerate() {
                    assert!(
                        object.fields[i + 1..].iter().all(|b| b.name != a.name),
                        "{}.{} twice",
                        object.name,
                        a.name
                    );
                    if let FieldType::Reference { to, .. } = a.ty {
                        assert!(to.iter().all(|t| schema.object(t).is_some()), "{}", a.name);
                    }
                    if let (Some(default), FieldType::Picklist(values)) = (a.default_value, a.ty) {
                        assert!(values.contains(&default), "{}.{}", object.name, a.name);
                    }
                }
            }
        }
    }

    #[test]
    fn records_start_with_their_id_and_children_point_at_real_lookups() {
        for schema in schemas() {
            for object in schema.objects() {
                assert_eq!(object.fields[0].name, "Id", "{}", object.name);
                for child in object.children {
                    let target = schema.object(child.object).unwrap();
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
        }
        assert!(CONTACT.child("opportunities").is_some());
        assert_eq!(CONTACT.field("Seats__c").unwrap().ty, FieldType::Double);
    }

    #[test]
    fn features_change_the_schema() {
        let [demo, other] = schemas();
        // The demo org is the standard objects as they are.
        assert!(std::ptr::eq(demo.object("Contact").unwrap(), &CONTACT));
        assert!(!demo.has_person_accounts());
        let contact = other.object("Contact").unwrap();
        assert!(contact.fields.iter().all(|f| !f.custom), "no custom field");
        let currency = contact.field("CurrencyIsoCode").unwrap();
        assert_eq!(currency.default_value, Some("USD"));
        assert!(currency.restricted);
        let names: Vec<&str> = contact.fields.iter().map(|f| f.name).collect();
        let at = |name| names.iter().position(|n| *n == name).unwrap();
        assert!(
            at("CurrencyIsoCode") < at("CreatedDate"),
            "before the audit fields"
        );
        assert!(contact.field("IsPersonAccount").is_some());
        assert!(other.has_person_accounts());
        let account = other.object("Account").unwrap();
        for name in ["RecordTypeId", "PersonEmail", "PersonContactId", "LastName"] {
            assert!(account.field(name).is_some(), "{name}");
        }
        assert!(
            other
                .object("Opportunity")
                .unwrap()
                .field("CurrencyIsoCode")
                .is_some()
        );
        assert!(
            other
                .object("Note")
                .unwrap()
                .field("CurrencyIsoCode")
                .is_none()
        );
    }
}
