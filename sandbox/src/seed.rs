//! The demo data: one small company's customers, as its Salesforce org and its helpdesk
//! both know them. Deterministic (fixed times, sequential Ids), so every run and every
//! test sees the same records.
//!
//! Salesforce records go through the store's validation like any API write, so the seed
//! can never hold data a real org would refuse.

use crate::clock;
use crate::demo;
use crate::helpdesk::fields::{FieldDef, Kind};
use crate::helpdesk::store::{Account, Agent, Contact, Desk, Module, Profile, Role, Ticket, Time};
use crate::salesforce::schema::{self, ObjectDef};
use crate::salesforce::store::{Org, POD};
use crate::salesforce::{OrgShape, User};
use base64::Engine;
use contract::ids::SfId;
use serde_json::{Map, Value, json};

/// What the demo needs to find again after seeding.
pub struct Seeded {
    pub org: Org,
    pub admin: User,
    pub desk: Desk,
    /// A second helpdesk organisation with its own people and records, for tests of
    /// several organisations (it has no Salesforce org of its own).
    pub second_desk: Desk,
    /// The agent the helpdesk API token belongs to (the administrator).
    pub token_owner: String,
    /// A ticket whose requester is a Salesforce contact with an account.
    pub demo_ticket_id: String,
    /// A ticket whose requester has no Salesforce contact.
    pub no_match_ticket_id: String,
}

struct AccountSeed {
    name: &'static str,
    industry: &'static str,
    phone: &'static str,
    website: &'static str,
    city: &'static str,
    country: &'static str,
    employees: u32,
    revenue: f64,
    region: &'static str,
}

const ACCOUNTS: &[AccountSeed] = &[
    AccountSeed {
        name: "Northwind Traders",
        industry: "Retail",
        phone: "+1 206 555 0140",
        website: "https://northwind.example",
        city: "Seattle",
        country: "United States",
        employees: 420,
        revenue: 58_000_000.0,
        region: "North America",
    },
    AccountSeed {
        name: "Blue Harbor Logistics",
        industry: "Logistics",
        phone: "+31 10 555 0199",
        website: "https://blueharbor.example",
        city: "Rotterdam",
        country: "Netherlands",
        employees: 1_250,
        revenue: 210_000_000.0,
        region: "EMEA",
    },
    AccountSeed {
        name: "Juniper Health",
        industry: "Healthcare",
        phone: "+1 303 555 0117",
        website: "https://juniperhealth.example",
        city: "Denver",
        country: "United States",
        employees: 3_100,
        revenue: 640_000_000.0,
        region: "North America",
    },
    AccountSeed {
        name: "Lumen Labs",
        industry: "Technology",
        phone: "+49 30 555 0123",
        website: "https://lumenlabs.example",
        city: "Berlin",
        country: "Germany",
        employees: 85,
        revenue: 9_500_000.0,
        region: "EMEA",
    },
];

struct ContactSeed {
    first: &'static str,
    last: &'static str,
    title: &'static str,
    email: &'static str,
    phone: &'static str,
    account: Option<usize>,
    subscription: &'static str,
    /// Whether the helpdesk knows this person too (matched by email).
    in_helpdesk: bool,
}

const CONTACTS: &[ContactSeed] = &[
    ContactSeed {
        first: "Maya",
        last: "Patel",
        title: "Head of Operations",
        email: "maya.patel@northwind.example",
        phone: "+1 206 555 0143",
        account: Some(0),
        subscription: "Enterprise",
        in_helpdesk: true,
    },
    ContactSeed {
        first: "Tom",
        last: "Becker",
        title: "IT Manager",
        email: "tom.becker@northwind.example",
        phone: "+1 206 555 0178",
        account: Some(0),
        subscription: "Professional",
        in_helpdesk: true,
    },
    ContactSeed {
        first: "Sofia",
        last: "Marino",
        title: "Procurement Lead",
        email: "sofia.marino@blueharbor.example",
        phone: "+31 10 555 0121",
        account: Some(1),
        subscription: "Enterprise",
        in_helpdesk: true,
    },
    ContactSeed {
        first: "Lars",
        last: "Jensen",
        title: "Warehouse Supervisor",
        email: "lars.jensen@blueharbor.example",
        phone: "+31 10 555 0164",
        account: Some(1),
        subscription: "Standard",
        in_helpdesk: true,
    },
    ContactSeed {
        first: "Grace",
        last: "Okafor",
        title: "Chief Technology Officer",
        email: "grace.okafor@juniperhealth.example",
        phone: "+1 303 555 0102",
        account: Some(2),
        subscription: "Enterprise",
        in_helpdesk: true,
    },
    ContactSeed {
        first: "Daniel",
        last: "Kim",
        title: "Billing Specialist",
        email: "daniel.kim@juniperhealth.example",
        phone: "+1 303 555 0150",
        account: Some(2),
        subscription: "Standard",
        in_helpdesk: true,
    },
    ContactSeed {
        first: "Priya",
        last: "Raman",
        title: "VP Engineering",
        email: "priya.raman@lumenlabs.example",
        phone: "+49 30 555 0188",
        account: Some(3),
        subscription: "Professional",
        in_helpdesk: true,
    },
    ContactSeed {
        first: "Felix",
        last: "Wagner",
        title: "Office Manager",
        email: "felix.wagner@lumenlabs.example",
        phone: "+49 30 555 0135",
        account: Some(3),
        subscription: "Trial",
        in_helpdesk: false,
    },
    ContactSeed {
        first: "Olivia",
        last: "Brooks",
        title: "Independent Consultant",
        email: "olivia@brooksconsulting.example",
        phone: "+44 20 7946 0321",
        account: None,
        subscription: "Standard",
        in_helpdesk: false,
    },
];

/// (contact, name, stage, amount, close date, next step)
const OPPORTUNITIES: &[(usize, &str, &str, f64, &str, &str)] = &[
    (
        0,
        "Northwind - Enterprise renewal 2027",
        "Negotiation/Review",
        48_000.0,
        "2027-01-31",
        "Send final quote with SSO add-on",
    ),
    (
        0,
        "Northwind - Onboarding package",
        "Closed Won",
        12_000.0,
        "2026-06-15",
        "",
    ),
    (
        1,
        "Northwind - Analytics add-on",
        "Closed Lost",
        8_000.0,
        "2026-09-30",
        "",
    ),
    (
        2,
        "Blue Harbor - Fleet tracking rollout",
        "Proposal/Price Quote",
        76_500.0,
        "2027-03-15",
        "Pricing review with finance",
    ),
    (
        2,
        "Blue Harbor - Pilot",
        "Closed Won",
        15_000.0,
        "2026-04-30",
        "",
    ),
    (
        4,
        "Juniper - Patient portal integration",
        "Qualification",
        120_000.0,
        "2027-05-29",
        "Security questionnaire",
    ),
    (
        4,
        "Juniper - Data residency add-on",
        "Closed Won",
        25_000.0,
        "2026-08-14",
        "",
    ),
    (
        6,
        "Lumen - Seat expansion",
        "Value Proposition",
        30_000.0,
        "2027-02-26",
        "Demo for the platform team",
    ),
    (
        7,
        "Lumen - Starter plan",
        "Prospecting",
        4_800.0,
        "2027-01-15",
        "Follow up after trial",
    ),
    (
        8,
        "Brooks Consulting - Annual plan",
        "Closed Won",
        6_000.0,
        "2026-10-01",
        "",
    ),
];

/// (contact, title, body)
const NOTES: &[(usize, &str, &str)] = &[
    (
        0,
        "Renewal call recap",
        "Maya wants SSO included in the renewal. Budget for Q1 is approved; legal review takes about two weeks.",
    ),
    (
        0,
        "Communication preference",
        "Prefers email over phone; copy Tom Becker on anything technical.",
    ),
    (
        2,
        "Fleet tracking requirements",
        "Needs live positions for 300 trucks and a weekly CSV export for customs.",
    ),
    (
        4,
        "Security review",
        "Grace asked for our SOC 2 report and the data residency options for EU patients.",
    ),
    (
        6,
        "Expansion plans",
        "Lumen is doubling the platform team next year; seat expansion likely in Q1.",
    ),
    (
        8,
        "Referral",
        "Olivia referred two clients last year; keep her in the partner newsletter.",
    ),
];

/// The demo ticket's requester: the first contact.
const DEMO_CONTACT: usize = 0;

/// (opportunity, role): the demo contact's role on a deal of another account than hers.
const ROLE_ON_ANOTHER_ACCOUNTS_DEAL: (usize, &str) = (3, "Evaluator");

/// A person account of the person_accounts org.
struct PersonSeed {
    first: &'static str,
    last: &'static str,
    email: &'static str,
    title: &'static str,
    mobile: &'static str,
    city: &'static str,
    country: &'static str,
    /// (name, stage, amount, close date) of a deal of theirs.
    deal: Option<(&'static str, &'static str, f64, &'static str)>,
}

const PERSON_ACCOUNTS: &[PersonSeed] = &[
    PersonSeed {
        first: "Emma",
        last: "Larsen",
        email: "emma.larsen@mail.example",
        title: "Freelance Designer",
        mobile: "+45 20 55 01 23",
        city: "Copenhagen",
        country: "Denmark",
        deal: Some((
            "Emma Larsen - Solo plan",
            "Negotiation/Review",
            480.0,
            "2027-01-20",
        )),
    },
    PersonSeed {
        first: "Jonas",
        last: "Weber",
        email: "jonas.weber@mail.example",
        title: "Photographer",
        mobile: "+49 151 5550 1987",
        city: "Hamburg",
        country: "Germany",
        deal: None,
    },
    PersonSeed {
        first: "Aiko",
        last: "Tanaka",
        email: "aiko.tanaka@mail.example",
        title: "Translator",
        mobile: "+81 90 5550 4471",
        city: "Osaka",
        country: "Japan",
        deal: None,
    },
];

/// A note as Lightning Experience keeps it: HTML, attached to the demo contact or her
/// account.
struct EnhancedNote {
    on_account: bool,
    title: &'static str,
    html: &'static str,
}

const ENHANCED_NOTES: &[EnhancedNote] = &[
    EnhancedNote {
        on_account: false,
        title: "Kickoff call",
        html: "<p>Maya joined with Tom. They want the SSO add-on <b>before</b> the renewal \
               starts.</p>",
    },
    EnhancedNote {
        on_account: true,
        title: "Account plan FY27",
        html: "<p>Northwind is consolidating its regional warehouses into three hubs next \
               year. Every hub gets its own support queue, and the operations team wants \
               one dashboard across all of them.</p><p>Expansion path: start with the \
               Seattle hub in Q1, then Denver and Atlanta once the SSO rollout is signed \
               off. Budget owner is Maya; procurement runs through the central team and \
               takes about six weeks.</p>",
    },
    EnhancedNote {
        on_account: false,
        title: "Renewal risks",
        html: "<p>Export timeouts at month end &amp; the invoice CSV issue are the two \
               things Maya raised.</p>",
    },
];

/// (subject, day): an all-day event of the demo contact.
const ALL_DAY_EVENT: (&str, &str) = ("Northwind offsite (all day)", "2026-12-18");

/// (contact, subject, start, minutes, location)
const EVENTS: &[(usize, &str, &str, i64, &str)] = &[
    (
        0,
        "Quarterly business review",
        "2026-12-03T16:00:00Z",
        60,
        "Northwind HQ, Seattle",
    ),
    (0, "Renewal kickoff", "2026-10-20T17:30:00Z", 30, "Zoom"),
    (
        2,
        "Fleet tracking demo",
        "2026-12-09T09:00:00Z",
        45,
        "Teams",
    ),
    (
        4,
        "Security questionnaire walkthrough",
        "2026-12-11T18:00:00Z",
        60,
        "Zoom",
    ),
    (
        6,
        "Platform team demo",
        "2026-12-15T14:00:00Z",
        45,
        "Lumen Labs office, Berlin",
    ),
];

/// (contact, subject, status, priority, due date)
const TASKS: &[(usize, &str, &str, &str, &str)] = &[
    (0, "Send renewal quote", "In Progress", "High", "2026-12-01"),
    (
        0,
        "Share SSO setup guide",
        "Completed",
        "Normal",
        "2026-11-10",
    ),
    (
        1,
        "Check analytics add-on feedback",
        "Not Started",
        "Low",
        "2026-12-12",
    ),
    (
        2,
        "Prepare fleet tracking pricing",
        "Not Started",
        "High",
        "2026-12-05",
    ),
    (4, "Send SOC 2 report", "Completed", "High", "2026-11-18"),
    (
        5,
        "Confirm invoice contact",
        "Not Started",
        "Normal",
        "2026-12-08",
    ),
    (
        7,
        "Call about trial experience",
        "Not Started",
        "Normal",
        "2026-12-02",
    ),
];

/// (contact, subject, status, priority): the demo contact has one open case and one
/// closed.
const CASES: &[(usize, &str, &str, &str)] = &[
    (0, "Invoice export times out", "Working", "High"),
    (0, "Invoice PDF shows the old logo", "Closed", "Low"),
    (
        2,
        "Tracking map blank after border crossing",
        "New",
        "Medium",
    ),
];

/// (first, last, email, company, status): people Salesforce knows as leads only; the
/// helpdesk-only requester among them.
const LEADS: &[(&str, &str, &str, &str, &str)] = &[(
    "Noah",
    "Fischer",
    "noah@fischerdesign.example",
    "Fischer Design",
    "Working - Contacted",
)];

/// (requester email, subject, description, status, priority, channel)
const TICKETS: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "maya.patel@northwind.example",
        "Invoices no longer export to CSV",
        "Since this morning the \"Export to CSV\" button on the invoices page spins forever. We need the export for our month-end close on Friday.",
        "Open",
        "High",
        "Email",
    ),
    (
        "sofia.marino@blueharbor.example",
        "Tracking map does not load for some shipments",
        "For shipments that crossed a border the map stays blank. Other shipments look fine. Example: shipment BH-20931.",
        "Open",
        "Medium",
        "Web",
    ),
    (
        "noah@fischerdesign.example",
        "Question about pricing for small teams",
        "Hi! We're a design studio of six people. Is there a plan for small teams, and can we pay yearly?",
        "Open",
        "Low",
        "Web",
    ),
    (
        "grace.okafor@juniperhealth.example",
        "SSO setup with Azure AD",
        "We are configuring SAML with Azure AD and the test login fails with \"audience mismatch\". Which entity id should we use?",
        "On Hold",
        "High",
        "Email",
    ),
    (
        "priya.raman@lumenlabs.example",
        "API rate limit increase",
        "Our nightly sync hits the API rate limit at about 2am UTC. Could you raise our limit, or suggest how to batch better?",
        "Escalated",
        "Medium",
        "Email",
    ),
    (
        "tom.becker@northwind.example",
        "Password reset email not arriving",
        "Two of our users did not get the password reset email. Resolved: it was in their spam quarantine.",
        "Closed",
        "Low",
        "Phone",
    ),
];

/// Helpdesk-only people: requesters who are not (yet) in Salesforce.
const HELPDESK_ONLY_CONTACTS: &[(&str, &str, &str)] =
    &[("Noah", "Fischer", "noah@fischerdesign.example")];

/// (first, last, email, profile, role)
const AGENTS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "Alex",
        "Morgan",
        "alex.morgan@sandboxdesk.example",
        "Administrator",
        "CEO",
    ),
    (
        "Jordan",
        "Lee",
        "jordan.lee@sandboxdesk.example",
        "Agent",
        "Support Agent",
    ),
    (
        "Sam",
        "Rivera",
        "sam.rivera@sandboxdesk.example",
        "Light Agent",
        "Support Agent",
    ),
    (
        "Riley",
        "Chen",
        "riley.chen@sandboxdesk.example",
        "Support Lead",
        "Support Lead",
    ),
];

/// (name, type, description); the last one is a custom profile.
const PROFILES: &[(&str, &str, &str)] = &[
    (
        "Administrator",
        "Administrator",
        "Full access to the help desk and its setup.",
    ),
    ("Agent", "Agent", "Works on tickets, contacts and accounts."),
    (
        "Light Agent",
        "LightAgent",
        "Reads tickets and adds private comments.",
    ),
    (
        "Support Lead",
        "Agent",
        "A custom profile: an agent who also manages the team's queues.",
    ),
];

/// The custom fields of contacts: (label, kind, picklist values).
const CONTACT_FIELDS: &[(&str, Kind, &[&str])] = &[
    (
        "Plan",
        Kind::Picklist,
        &["Enterprise", "Professional", "Standard", "Trial"],
    ),
    ("Seats", Kind::Number, &[]),
    ("Renewal Date", Kind::Date, &[]),
    ("Preferred Language", Kind::Text, &[]),
];

/// The custom fields of accounts.
const ACCOUNT_FIELDS: &[(&str, Kind, &[&str])] = &[
    (
        "Region",
        Kind::Picklist,
        &["North America", "EMEA", "APAC", "LATAM"],
    ),
    ("Employees", Kind::Number, &[]),
    ("Customer Since", Kind::Date, &[]),
    ("Support Tier", Kind::Text, &[]),
];

/// When the org's history starts: records are created a few minutes apart from here.
fn epoch() -> i64 {
    clock::parse_datetime("2026-03-02T09:00:00Z").expect("a valid datetime")
}

/// The demo data, the Salesforce side as an org of this shape holds it.
pub fn seed(shape: OrgShape) -> Seeded {
    let (org, admin) = seed_salesforce(shape);
    let desk_seed = seed_helpdesk();
    Seeded {
        org,
        admin,
        desk: desk_seed.desk,
        second_desk: seed_second_helpdesk(),
        token_owner: desk_seed.admin_agent,
        demo_ticket_id: desk_seed.tickets[0].clone(),
        no_match_ticket_id: desk_seed.tickets[2].clone(),
    }
}

struct SalesforceSeeder {
    org: Org,
    actor: SfId,
    now: i64,
}

impl SalesforceSeeder {
    /// Creates a record as an API write would, a few minutes after the previous one.
    fn create(&mut self, object: &str, fields: Value) -> SfId {
        self.now += 7 * 60_000;
        let object = self.object(object);
        let fields: Map<String, Value> = match fields {
            Value::Object(map) => map,
            _ => unreachable!("seed rows are objects"),
        };
        self.org
            .create(object, &fields, &self.actor, self.now)
            .unwrap_or_else(|e| panic!("seed {} is valid: {e:?}", object.name))
    }

    /// An enhanced note attached to a record, as Salesforce's API makes one: the note,
    /// then its link to the record (REST API Developer Guide: "ContentNote ... To
    /// associate the note with a record, create a ContentDocumentLink").
    fn attach_note(&mut self, record: &str, title: &str, html: &str) {
        let content = base64::engine::general_purpose::STANDARD.encode(html);
        let note = self.create("ContentNote", json!({"Title": title, "Content": content}));
        self.create(
            "ContentDocumentLink",
            json!({"ContentDocumentId": note.as_str(), "LinkedEntityId": record, "ShareType": "V"}),
        );
    }

    fn object(&self, name: &str) -> &'static ObjectDef {
        self.org
            .schema()
            .object(name)
            .unwrap_or_else(|| panic!("every org has {name}"))
    }

    /// Inserts what no API call can write (the org's own setup), trusted as it is.
    fn insert_setup(&mut self, object: &str, id: Option<SfId>, fields: Value) -> SfId {
        let object = self.object(object);
        let values: Vec<(usize, Value)> = match fields {
            Value::Object(map) => map
                .into_iter()
                .map(|(name, value)| (object.index_of(&name).expect("a setup field"), value))
                .collect(),
            _ => unreachable!("seed rows are objects"),
        };
        let id = id.unwrap_or_else(|| self.org.next_id(object.key_prefix));
        self.org
            .insert_trusted_as(object, id.clone(), values, &self.actor, self.now);
        id
    }
}

/// The demo org's name, as its `Organization` record has it.
pub const ORG_NAME: &str = "Sandbox Demo Company";

/// The currency an account (and its contacts and deals) trades in, by its country.
fn currency_of(country: &str) -> &'static str {
    match country {
        "United States" => "USD",
        "United Kingdom" => "GBP",
        "Japan" => "JPY",
        _ => "EUR",
    }
}

fn seed_salesforce(shape: OrgShape) -> (Org, User) {
    let features = shape.features();
    let org_id = SfId::from_parts("00D", POD, 4_207_311).expect("a valid org id");
    let org = Org::new(org_id.clone(), shape.schema());
    let admin_id = org.peek_next_id(schema::USER.key_prefix);
    let mut seeder = SalesforceSeeder {
        org,
        actor: admin_id.clone(),
        now: epoch(),
    };
    let created = seeder.create(
        "User",
        json!({
            "Username": demo::ADMIN_USERNAME,
            "FirstName": "Casey",
            "LastName": "Nguyen",
            "Email": demo::ADMIN_USERNAME,
            "Title": "Salesforce Administrator",
        }),
    );
    assert_eq!(created, admin_id, "the admin is the org's first user");
    seeder.insert_setup(
        "Organization",
        Some(org_id),
        json!({
            "Name": ORG_NAME,
            "DefaultCurrencyIsoCode": shape.default_currency(),
            "LanguageLocaleKey": "en_US",
            "TimeZoneSidKey": "America/Los_Angeles",
            "OrganizationType": "Enterprise Edition",
            "IsSandbox": false,
        }),
    );
    let person_account_type = features.person_accounts.then(|| {
        // An org with person accounts has a record type for each kind of account
        // (SOAP API Developer Guide, "Person Account Record Types").
        let mut record_type = |name: &str, developer_name: &str, person: bool| {
            seeder.insert_setup(
                "RecordType",
                None,
                json!({"Name": name, "DeveloperName": developer_name, "SobjectType": "Account",
                       "IsPersonType": person, "IsActive": true}),
            )
        };
        record_type("Business Account", "Business_Account", false);
        record_type("Person Account", "PersonAccount", true)
    });
    // A field only an org with multiple currencies has, set where it has them.
    let currency = |country: &str| {
        features
            .multi_currency
            .then(|| json!({ "CurrencyIsoCode": currency_of(country) }))
    };
    let with = |mut fields: Value, extra: Option<Value>| {
        if let (Value::Object(fields), Some(Value::Object(extra))) = (&mut fields, extra) {
            fields.extend(extra);
        }
        fields
    };

    let accounts: Vec<SfId> = ACCOUNTS
        .iter()
        .map(|a| {
            let fields = json!({
                "Name": a.name,
                "Type": "Customer - Direct",
                "Industry": a.industry,
                "Phone": a.phone,
                "Website": a.website,
                "BillingCity": a.city,
                "BillingCountry": a.country,
                "NumberOfEmployees": a.employees,
                "AnnualRevenue": a.revenue,
            });
            seeder.create("Account", with(fields, currency(a.country)))
        })
        .collect();
    let country_of = |contact: &ContactSeed| {
        contact
            .account
            .map_or("United Kingdom", |i| ACCOUNTS[i].country)
    };
    let contacts: Vec<SfId> = CONTACTS
        .iter()
        .map(|c| {
            let fields = json!({
                "FirstName": c.first,
                "LastName": c.last,
                "Title": c.title,
                "Email": c.email,
                "Phone": c.phone,
                "AccountId": c.account.map(|i| accounts[i].to_string()),
            });
            let custom = features
                .custom_fields
                .then(|| json!({"Subscription_Type__c": c.subscription}));
            let fields = with(with(fields, custom), currency(country_of(c)));
            seeder.create("Contact", fields)
        })
        .collect();
    let account_of = |contact: usize| CONTACTS[contact].account.map(|i| accounts[i].to_string());
    // People who buy for themselves: person accounts, each with its person contact.
    if let Some(person_type) = &person_account_type {
        for person in PERSON_ACCOUNTS {
            let account = seeder.create(
                "Account",
                json!({
                    "RecordTypeId": person_type.as_str(),
                    "FirstName": person.first,
                    "LastName": person.last,
                    "PersonEmail": person.email,
                    "PersonTitle": person.title,
                    "PersonMobilePhone": person.mobile,
                    "BillingCity": person.city,
                    "BillingCountry": person.country,
                }),
            );
            if let Some((name, stage, amount, close)) = person.deal {
                let contact =
                    seeder.org.get(&account).expect("just made")["PersonContactId"].clone();
                seeder.create(
                    "Opportunity",
                    json!({"Name": name, "StageName": stage, "Amount": amount, "CloseDate": close,
                           "AccountId": account.as_str(), "ContactId": contact}),
                );
            }
        }
    }

    let mut opportunities = Vec::new();
    for (n, &(contact, name, stage, amount, close, next_step)) in OPPORTUNITIES.iter().enumerate() {
        // A multi-currency org's deals are in their account's currency, but for the demo
        // contact's first two, which are in euros and yen.
        let (currency, amount) = match (features.multi_currency, n) {
            (false, _) => (None, amount),
            (true, 0) => (Some(json!({"CurrencyIsoCode": "EUR"})), amount),
            (true, 1) => (Some(json!({"CurrencyIsoCode": "JPY"})), amount * 150.0),
            (true, _) => (currency(country_of(&CONTACTS[contact])), amount),
        };
        let fields = json!({
            "Name": name,
            "StageName": stage,
            "Amount": amount,
            "CloseDate": close,
            "NextStep": next_step,
            "AccountId": account_of(contact),
            "ContactId": contacts[contact].as_str(),
            "Type": if stage == "Closed Won" { "New Customer" } else { "Existing Customer - Upgrade" },
        });
        let opportunity = seeder.create("Opportunity", with(fields, currency));
        seeder.create(
            "OpportunityContactRole",
            json!({
                "OpportunityId": opportunity.as_str(),
                "ContactId": contacts[contact].as_str(),
                "Role": "Decision Maker",
                "IsPrimary": true,
            }),
        );
        opportunities.push(opportunity);
    }
    // The demo contact also advises on another account's deal: reachable only by her role.
    let (role_on, role) = ROLE_ON_ANOTHER_ACCOUNTS_DEAL;
    seeder.create(
        "OpportunityContactRole",
        json!({
            "OpportunityId": opportunities[role_on].as_str(),
            "ContactId": contacts[DEMO_CONTACT].as_str(),
            "Role": role,
            "IsPrimary": false,
        }),
    );
    // The enhanced_notes org's notes go in between the demo contact's classic ones, so
    // the two kinds interleave by creation date.
    let enhanced: &[EnhancedNote] = if shape.has_enhanced_notes() {
        ENHANCED_NOTES
    } else {
        &[]
    };
    let mut enhanced = enhanced.iter();
    let mut attach_enhanced = |seeder: &mut SalesforceSeeder| {
        if let Some(note) = enhanced.next() {
            let parent = if note.on_account {
                account_of(DEMO_CONTACT).expect("the demo contact has an account")
            } else {
                contacts[DEMO_CONTACT].to_string()
            };
            seeder.attach_note(&parent, note.title, note.html);
        }
    };
    for &(contact, title, body) in NOTES {
        if contact == DEMO_CONTACT {
            attach_enhanced(&mut seeder);
        }
        seeder.create(
            "Note",
            json!({"ParentId": contacts[contact].as_str(), "Title": title, "Body": body}),
        );
    }
    for _ in ENHANCED_NOTES {
        attach_enhanced(&mut seeder);
    }
    for &(contact, subject, start, minutes, location) in EVENTS {
        let start_ms = clock::parse_datetime(start).expect("a valid datetime");
        seeder.create(
            "Event",
            json!({
                "WhoId": contacts[contact].as_str(),
                "WhatId": account_of(contact),
                "Subject": subject,
                "StartDateTime": start,
                "EndDateTime": clock::sf_datetime(start_ms + minutes * 60_000),
                "Location": location,
            }),
        );
    }
    let (subject, day) = ALL_DAY_EVENT;
    seeder.create(
        "Event",
        json!({
            "WhoId": contacts[DEMO_CONTACT].as_str(),
            "WhatId": account_of(DEMO_CONTACT),
            "Subject": subject,
            "IsAllDayEvent": true,
            "StartDateTime": format!("{day}T00:00:00.000+0000"),
            "EndDateTime": format!("{day}T00:00:00.000+0000"),
        }),
    );
    for &(contact, subject, status, priority, due) in TASKS {
        seeder.create(
            "Task",
            json!({
                "WhoId": contacts[contact].as_str(),
                "WhatId": account_of(contact),
                "Subject": subject,
                "Status": status,
                "Priority": priority,
                "ActivityDate": due,
            }),
        );
    }
    // The restricted org keeps its cases from the integration user (see `shape`).
    for &(contact, subject, status, priority) in CASES {
        seeder.create(
            "Case",
            json!({
                "ContactId": contacts[contact].as_str(),
                "AccountId": account_of(contact),
                "Subject": subject,
                "Status": status,
                "Priority": priority,
                "Origin": "Email",
            }),
        );
    }
    for &(first, last, email, company, status) in LEADS {
        seeder.create(
            "Lead",
            json!({"FirstName": first, "LastName": last, "Email": email, "Company": company,
                   "Status": status, "LeadSource": "Web"}),
        );
    }
    let admin = User {
        id: admin_id,
        username: demo::ADMIN_USERNAME.into(),
        password: demo::ADMIN_PASSWORD.into(),
    };
    (seeder.org, admin)
}

struct DeskSeed {
    desk: Desk,
    admin_agent: String,
    tickets: Vec<String>,
}

fn seed_helpdesk() -> DeskSeed {
    let mut desk = Desk::new(demo::HELPDESK_ORG_ID, demo::HELPDESK_ORG_NAME);
    let mut now = epoch();
    let mut tick = |minutes: i64| {
        now += minutes * 60_000;
        Time(now)
    };

    seed_profiles(&mut desk, PROFILES);
    for &(label, kind, values) in CONTACT_FIELDS {
        desk.add_field(Module::Contacts, FieldDef::custom(label, kind, values));
    }
    for &(label, kind, values) in ACCOUNT_FIELDS {
        desk.add_field(Module::Accounts, FieldDef::custom(label, kind, values));
    }
    seed_people(&mut desk, &["CEO", "Support Agent", "Support Lead"], AGENTS);
    let admin_agent = desk.agents[0].id.clone();

    let account_ids: Vec<String> = ACCOUNTS
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let time = tick(5);
            let since = ["2019-04-01", "2021-09-15", "2018-01-08", "2024-06-03"][i % 4];
            let account = Account {
                id: desk.next_id(),
                account_name: a.name.into(),
                email: None,
                phone: Some(a.phone.into()),
                website: Some(a.website.into()),
                industry: Some(a.industry.into()),
                description: None,
                owner_id: Some(admin_agent.clone()),
                created_time: time,
                modified_time: time,
                cf: json_map(json!({
                    "cf_region": a.region,
                    "cf_employees": a.employees.to_string(),
                    "cf_customer_since": since,
                    "cf_support_tier": if a.employees > 1_000 { "Premier" } else { "Standard" },
                })),
            };
            let id = account.id.clone();
            desk.accounts.insert(id.clone(), account);
            id
        })
        .collect();

    let people = CONTACTS
        .iter()
        .filter(|c| c.in_helpdesk)
        .map(|c| {
            (
                c.first,
                c.last,
                c.email,
                c.phone,
                c.title,
                c.account,
                Some(c.subscription),
            )
        })
        .chain(
            HELPDESK_ONLY_CONTACTS
                .iter()
                .map(|&(first, last, email)| (first, last, email, "", "", None, None)),
        );
    for (i, (first, last, email, phone, title, account, plan)) in people.enumerate() {
        let time = tick(5);
        let seats = plan.map(|p| match p {
            "Enterprise" => "250",
            "Professional" => "40",
            "Standard" => "10",
            _ => "3",
        });
        let renewal = plan.map(|_| format!("2027-{:02}-{:02}", 1 + i % 12, 10 + i % 18));
        let language = ["English", "English", "Dutch", "English", "German"][i % 5];
        let contact = Contact {
            id: desk.next_id(),
            first_name: Some(first.into()),
            last_name: last.into(),
            email: Some(email.into()),
            phone: (!phone.is_empty()).then(|| phone.into()),
            mobile: None,
            title: (!title.is_empty()).then(|| title.into()),
            account_id: account.map(|i| account_ids[i].clone()),
            owner_id: Some(admin_agent.clone()),
            description: None,
            created_time: time,
            modified_time: time,
            cf: json_map(json!({
                "cf_plan": plan,
                "cf_seats": seats,
                "cf_renewal_date": renewal,
                "cf_preferred_language": language,
            })),
        };
        desk.contacts.insert(contact.id.clone(), contact);
    }

    // Tickets arrive recently, a few hours apart.
    let mut ticket_time = clock::parse_datetime("2026-11-23T08:15:00Z").expect("a valid datetime");
    let mut tickets = Vec::new();
    for (i, &(email, subject, description, status, priority, channel)) in TICKETS.iter().enumerate()
    {
        ticket_time += 5 * 3_600_000 + 17 * 60_000;
        let requester = desk
            .contact_by_email(email)
            .expect("requesters are seeded")
            .clone();
        let assignee = desk.agents[1 + i % 2].id.clone();
        let status_type = match status {
            "Closed" => "Closed",
            "On Hold" => "On Hold",
            _ => "Open",
        };
        let ticket = Ticket {
            id: desk.next_id(),
            ticket_number: desk.next_ticket_number(),
            subject: subject.into(),
            description: description.into(),
            status: status.into(),
            status_type: status_type.into(),
            priority: priority.into(),
            channel: channel.into(),
            contact_id: requester.id.clone(),
            account_id: requester.account_id.clone(),
            email: email.into(),
            phone: requester.phone.clone(),
            department_id: desk.department_id.clone(),
            assignee_id: Some(assignee),
            created_time: Time(ticket_time),
            modified_time: Time(ticket_time + 20 * 60_000),
            cf: Map::new(),
        };
        tickets.push(ticket.id.clone());
        desk.tickets.insert(ticket.id.clone(), ticket);
    }
    DeskSeed {
        desk,
        admin_agent,
        tickets,
    }
}

/// The desk's profiles: (name, type, description).
fn seed_profiles(desk: &mut Desk, profiles: &[(&str, &str, &str)]) {
    for (i, &(name, kind, description)) in profiles.iter().enumerate() {
        let profile = Profile {
            id: desk.next_id(),
            name: name.into(),
            description: description.into(),
            kind: kind.into(),
            // The built-in three are the defaults; the rest are custom.
            is_default: i < 3,
            is_visible: true,
        };
        desk.profiles.push(profile);
    }
}

/// The desk's roles (the first at the top, the others reporting to it) and agents
/// (first, last, email, profile, role).
fn seed_people(desk: &mut Desk, roles: &[&str], agents: &[(&str, &str, &str, &str, &str)]) {
    for (i, &name) in roles.iter().enumerate() {
        let role = Role {
            id: desk.next_id(),
            name: name.into(),
            description: None,
            share_data_with_peers: false,
            reports_to: (i > 0).then(|| desk.roles[0].id.clone()),
            immediate_sub_roles: Vec::new(),
            is_default: i == 0,
            is_visible: true,
        };
        desk.roles.push(role);
    }
    let subordinates: Vec<String> = desk.roles.iter().skip(1).map(|r| r.id.clone()).collect();
    desk.roles[0].immediate_sub_roles = subordinates;
    for &(first, last, email, profile, role) in agents {
        let id_of = |name: &str, items: &[(String, String)]| {
            items
                .iter()
                .find(|(item, _)| item == name)
                .expect("seeded")
                .1
                .clone()
        };
        let profile_ids: Vec<(String, String)> = desk
            .profiles
            .iter()
            .map(|p| (p.name.clone(), p.id.clone()))
            .collect();
        let role_ids: Vec<(String, String)> = desk
            .roles
            .iter()
            .map(|r| (r.name.clone(), r.id.clone()))
            .collect();
        let agent = Agent {
            id: desk.next_id(),
            first_name: first.into(),
            last_name: last.into(),
            name: format!("{first} {last}"),
            email_id: email.into(),
            profile_id: id_of(profile, &profile_ids),
            role_id: id_of(role, &role_ids),
            status: "ACTIVE".into(),
            is_confirmed: true,
            lang_code: "en_US".into(),
            time_zone: "Europe/London".into(),
        };
        desk.agents.push(agent);
    }
}

/// (first, last, email, profile, role) of the second organisation's agents.
const SECOND_AGENTS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "Morgan",
        "Blake",
        "morgan.blake@harbordesk.example",
        "Administrator",
        "CEO",
    ),
    (
        "Casey",
        "Doyle",
        "casey.doyle@harbordesk.example",
        "Agent",
        "Support Agent",
    ),
    (
        "Pat",
        "Quinn",
        "pat.quinn@harbordesk.example",
        "Light Agent",
        "Support Agent",
    ),
];

/// Ids of the second organisation start here, far from the demo's.
const SECOND_ID_BASE: u64 = 7_361_000_000_050_000;

/// The second helpdesk organisation: a different company with its own agents, profiles,
/// roles, accounts, contacts and tickets, written through the desk's validation.
fn seed_second_helpdesk() -> Desk {
    let mut desk = Desk::with_id_base(
        demo::SECOND_HELPDESK_ORG_ID,
        demo::SECOND_HELPDESK_ORG_NAME,
        SECOND_ID_BASE,
    );
    desk.edition = crate::helpdesk::credits::Edition::Enterprise;
    seed_profiles(&mut desk, &PROFILES[..3]);
    seed_people(&mut desk, &["CEO", "Support Agent"], SECOND_AGENTS);
    let admin = desk.agents[0].id.clone();
    let mut now = epoch();
    let mut tick = || {
        now += 7 * 60_000;
        now
    };
    let mut account = |desk: &mut Desk, name: &str, website: &str| {
        let fields = json!({"accountName": name, "website": website, "industry": "Logistics"});
        let (account, _) = desk
            .create::<Account>(&fields, &admin, tick())
            .expect("the second desk's accounts are valid");
        account.id
    };
    let pier = account(&mut desk, "Pier Nine Shipping", "https://piernine.example");
    let lighthouse = account(
        &mut desk,
        "Lighthouse Freight",
        "https://lighthousefreight.example",
    );
    let people = [
        ("Ines", "Duarte", "ines@piernine.example", Some(&pier)),
        (
            "Tomas",
            "Berg",
            "tomas@lighthousefreight.example",
            Some(&lighthouse),
        ),
        ("Ada", "Okafor", "ada.okafor@harbor-customer.example", None),
    ];
    let mut contacts = Vec::new();
    for (first, last, email, account) in people {
        let mut fields = json!({"firstName": first, "lastName": last, "email": email});
        if let Some(account) = account {
            fields["accountId"] = json!(account);
        }
        let (contact, _) = desk
            .create::<Contact>(&fields, &admin, tick())
            .expect("the second desk's contacts are valid");
        contacts.push(contact);
    }
    for (i, (contact, subject)) in contacts
        .iter()
        .zip([
            "Container tracking is stuck",
            "Invoice in the wrong currency",
        ])
        .enumerate()
    {
        let time = Time(tick());
        let ticket = Ticket {
            id: desk.next_id(),
            ticket_number: desk.next_ticket_number(),
            subject: subject.into(),
            description: format!("{subject}. Can you help?"),
            status: "Open".into(),
            status_type: "Open".into(),
            priority: if i == 0 { "High" } else { "Medium" }.into(),
            channel: "Email".into(),
            contact_id: contact.id.clone(),
            account_id: contact.account_id.clone(),
            email: contact.email.clone().unwrap_or_default(),
            phone: None,
            department_id: desk.department_id.clone(),
            assignee_id: Some(desk.agents[1].id.clone()),
            created_time: time,
            modified_time: time,
            cf: Map::new(),
        };
        desk.tickets.insert(ticket.id.clone(), ticket);
    }
    desk
}

fn json_map(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::salesforce::query;

    #[test]
    fn the_demo_ticket_requester_is_a_salesforce_contact_with_an_account() {
        let seeded = seed(OrgShape::Demo);
        let ticket = &seeded.desk.tickets[&seeded.demo_ticket_id];
        let soql =
            shared::panel::contact_by_email(&contract::ids::Email::parse(&ticket.email).unwrap());
        let rows = query::run(&seeded.org, &soql, "v64.0").unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0]["Account"]["Name"], "Northwind Traders");
    }

    #[test]
    fn every_shape_has_the_demo_requester_and_its_own_org_record() {
        for shape in OrgShape::ALL {
            let seeded = seed(shape);
            let ticket = &seeded.desk.tickets[&seeded.demo_ticket_id];
            let soql = format!(
                "SELECT Name, Account.Name FROM Contact WHERE Email = '{}'",
                ticket.email
            );
            let rows = query::run(&seeded.org, &soql, "v64.0").unwrap();
            assert_eq!(rows[0]["Account"]["Name"], "Northwind Traders", "{shape}");
            let org = query::run(
                &seeded.org,
                "SELECT Id, Name, DefaultCurrencyIsoCode FROM Organization",
                "v64.0",
            )
            .unwrap();
            assert_eq!(org.len(), 1, "{shape}");
            assert_eq!(org[0]["Id"], seeded.org.org_id.as_str());
            assert_eq!(org[0]["DefaultCurrencyIsoCode"], shape.default_currency());
        }
    }

    #[test]
    fn a_plain_org_holds_no_custom_value() {
        let seeded = seed(OrgShape::Plain);
        let contact = seeded.org.schema().object("Contact").unwrap();
        for record in seeded.org.all(contact) {
            assert!(record.fields().all(|(f, _)| !f.custom));
        }
        let err = query::run(
            &seeded.org,
            "SELECT Subscription_Type__c FROM Contact",
            "v64.0",
        )
        .unwrap_err();
        assert_eq!(err.code, "INVALID_FIELD");
    }

    #[test]
    fn the_demo_contact_has_an_all_day_event_and_a_role_on_another_accounts_deal() {
        let seeded = seed(OrgShape::Demo);
        let rows = query::run(
            &seeded.org,
            "SELECT Subject, IsAllDayEvent, ActivityDate, StartDateTime, EndDateTime, \
             DurationInMinutes FROM Event WHERE IsAllDayEvent = true",
            "v64.0",
        )
        .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0]["ActivityDate"], "2026-12-18");
        assert_eq!(rows[0]["StartDateTime"], "2026-12-18T00:00:00.000+0000");
        assert_eq!(rows[0]["DurationInMinutes"], 1440);
        let roles = query::run(
            &seeded.org,
            "SELECT Name, (SELECT Role, Opportunity.Name, Opportunity.Account.Name \
             FROM OpportunityContactRoles WHERE IsPrimary = false) \
             FROM Contact WHERE Email = 'maya.patel@northwind.example'",
            "v64.0",
        )
        .unwrap();
        let role = &roles[0]["OpportunityContactRoles"]["records"][0];
        assert_eq!(role["Role"], "Evaluator");
        assert_eq!(
            role["Opportunity"]["Account"]["Name"],
            "Blue Harbor Logistics"
        );
    }

    #[test]
    fn the_no_match_requester_is_not_in_salesforce() {
        let seeded = seed(OrgShape::Demo);
        let ticket = &seeded.desk.tickets[&seeded.no_match_ticket_id];
        let soql =
            shared::panel::contact_by_email(&contract::ids::Email::parse(&ticket.email).unwrap());
        assert!(query::run(&seeded.org, &soql, "v64.0").unwrap().is_empty());
    }

    #[test]
    fn seeding_is_deterministic() {
        let (a, b) = (seed(OrgShape::Demo), seed(OrgShape::Demo));
        assert_eq!(a.demo_ticket_id, b.demo_ticket_id);
        assert_eq!(a.org.org_id, b.org.org_id);
        let soql = "SELECT Id, LastModifiedDate FROM Contact ORDER BY Id";
        assert_eq!(
            query::run(&a.org, soql, "v64.0").unwrap(),
            query::run(&b.org, soql, "v64.0").unwrap()
        );
    }

    #[test]
    fn every_contact_has_related_records_of_each_kind_somewhere() {
        let seeded = seed(OrgShape::Demo);
        for object in [
            "Opportunity",
            "Note",
            "Event",
            "Task",
            "OpportunityContactRole",
            "Case",
            "Lead",
        ] {
            let rows =
                query::run(&seeded.org, &format!("SELECT Id FROM {object}"), "v64.0").unwrap();
            assert!(!rows.is_empty(), "{object}");
        }
        let open = query::run(
            &seeded.org,
            "SELECT Name FROM Opportunity WHERE IsClosed = false AND Contact.Email = 'maya.patel@northwind.example'",
            "v64.0",
        )
        .unwrap();
        assert_eq!(open.len(), 1);
    }

    #[test]
    fn seeded_custom_values_fit_their_fields() {
        let seeded = seed(OrgShape::Demo);
        let desk = &seeded.desk;
        for (module, records) in [
            (
                Module::Contacts,
                desk.contacts
                    .values()
                    .map(|c| (c.id.clone(), c.cf.clone()))
                    .collect::<Vec<_>>(),
            ),
            (
                Module::Accounts,
                desk.accounts
                    .values()
                    .map(|a| (a.id.clone(), a.cf.clone()))
                    .collect(),
            ),
        ] {
            let custom: Vec<&str> = desk
                .fields(module)
                .iter()
                .filter(|f| f.custom)
                .map(|f| f.api_name.as_str())
                .collect();
            for (id, cf) in records {
                let keys: Vec<&str> = cf.keys().map(String::as_str).collect();
                assert_eq!(keys, custom, "{id}");
                // What the seed holds is what the API would accept.
                let body = json!({ "cf": cf });
                crate::helpdesk::fields::check(
                    module.as_str(),
                    desk.fields(module),
                    &body,
                    false,
                    |_, _| true,
                )
                .unwrap_or_else(|e| panic!("{id}: {e:?}"));
            }
        }
    }

    #[test]
    fn every_profile_has_an_agent() {
        let seeded = seed(OrgShape::Demo);
        let names: Vec<&str> = seeded
            .desk
            .profiles
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(names, demo::PROFILES);
        for profile in &seeded.desk.profiles {
            assert!(
                seeded
                    .desk
                    .agents
                    .iter()
                    .any(|a| a.profile_id == profile.id),
                "{}",
                profile.name
            );
        }
    }
}
