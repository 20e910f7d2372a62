//! The queries the agent panel sends Salesforce.
//!
//! Each view is ONE query with child sub-queries, built by a [`QueryPlan`] from what the
//! org lets us read ([`OrgSchema`]), the fields the admin chose ([`PanelFields`]) and the
//! sections the agent's profile sees: a contact (or account) with its account, owner,
//! opportunities (its own and those it has a contact role on), notes (classic and
//! enhanced), tasks and events. A field or relationship the org does not offer is never
//! named (Salesforce would refuse the whole query); a section it cannot serve is reported
//! by [`QueryPlan::unavailable`] instead. The panel sends the queries a view needs
//! together in one Composite call (see [`super::Lookup::request`]). Beside them: the
//! requester's contacts and the accounts on their email's domain (offered when nothing
//! matches), the agent's search by name, and [`contact_by_email`], the plain lookup tools
//! and tests use.

use super::schema::OrgSchema;
use crate::soql::{Condition, DateLiteral, Ident, LikePattern, Select};
use contract::api::{RECENTLY_CLOSED_DAYS, RecordKind, Section, SectionNote};
use contract::ids::{Email, SfId};
use contract::panel_fields::{PanelFields, PanelObject};
use contract::permissions::Items;

const CONTACT_FIELDS: &[&str] = &["Id", "Name", "Title", "Email", "Phone", "Account.Name"];

/// Children of each kind the panel shows, newest first.
const PANEL_CHILD_LIMIT: u32 = 20;

/// Contacts (or accounts) one lookup reads at most.
const MATCH_LIMIT: u32 = 10;

/// Salesforce refuses a request URI longer than 16,384 characters ("URI Too Long"); a
/// panel query travels in a Composite sub-request's URL, so it stays well below.
pub const MAX_QUERY_LENGTH: usize = 12_000;

/// The newest contacts with this email (Salesforce allows several).
pub fn contact_by_email(email: &Email) -> String {
    Select::new("Contact", CONTACT_FIELDS)
        .where_eq("Email", email)
        .order_by("LastModifiedDate DESC")
        .limit(MATCH_LIMIT)
        .build()
}

/// The fields of a record's header (and what the panel needs to find its way: ids,
/// the person-account flag), asked for where readable whatever the admin chose.
pub fn header_fields(object: PanelObject) -> &'static [&'static str] {
    match object {
        PanelObject::Contact => &[
            "Id",
            "Name",
            "Title",
            "Email",
            "Phone",
            "AccountId",
            "Account.Name",
            "Owner.Name",
            "IsPersonAccount",
        ],
        PanelObject::Account => &[
            "Id",
            "Name",
            "Type",
            "Industry",
            "Phone",
            "Owner.Name",
            "IsPersonAccount",
            "PersonEmail",
            "PersonTitle",
        ],
        PanelObject::Opportunity => &[
            "Id",
            "Name",
            "StageName",
            "Amount",
            "CurrencyIsoCode",
            "CloseDate",
            "Probability",
            "IsClosed",
            "IsWon",
        ],
    }
}

const NOTE_FIELDS: &[&str] = &["Id", "Title", "Body", "CreatedBy.Name", "CreatedDate"];
const CONTENT_NOTE_FIELDS: &[&str] = &[
    "Id",
    "ContentDocumentId",
    "Title",
    "TextPreview",
    "CreatedDate",
];
const TASK_FIELDS: &[&str] = &["Id", "Subject", "Status", "Priority", "ActivityDate"];
/// A case's line in the panel: "CaseNumber ... Assigned automatically when each case is
/// inserted", `IsClosed`, `ClosedDate` (Object Reference, Case).
const CASE_FIELDS: &[&str] = &[
    "Id",
    "CaseNumber",
    "Subject",
    "Status",
    "Priority",
    "IsClosed",
    "CreatedDate",
    "ClosedDate",
];
/// A lead's line: "Company ... Required", `Status` (Object Reference, Lead).
const LEAD_FIELDS: &[&str] = &["Id", "Name", "Company", "Status"];
const EVENT_FIELDS: &[&str] = &[
    "Id",
    "Subject",
    "StartDateTime",
    "EndDateTime",
    "IsAllDayEvent",
    "ActivityDate",
    "Location",
];

/// The panel's queries for one org, the admin's field choice and the sections a profile
/// sees.
#[derive(Debug, Clone, Copy)]
pub struct QueryPlan<'a> {
    schema: &'a OrgSchema,
    chosen: &'a PanelFields,
    wanted: Items,
}

impl<'a> QueryPlan<'a> {
    pub fn new(schema: &'a OrgSchema, chosen: &'a PanelFields, wanted: Items) -> Self {
        QueryPlan {
            schema,
            chosen,
            wanted,
        }
    }

    pub fn schema(&self) -> &'a OrgSchema {
        self.schema
    }

    pub fn chosen(&self) -> &'a PanelFields {
        self.chosen
    }

    /// `names` of `object` the user can read, each once, in order.
    fn readable<'n>(&self, object: &str, names: impl IntoIterator<Item = &'n str>) -> Vec<Ident> {
        let mut out: Vec<Ident> = Vec::new();
        for name in names {
            if self.schema.readable(object, name)
                && !out.iter().any(|f| f.as_str() == name)
                && let Ok(ident) = Ident::parse(name)
            {
                out.push(ident);
            }
        }
        out
    }

    /// The record's header fields and, when the profile sees record information, the
    /// admin's chosen fields.
    fn record_fields(&self, object: PanelObject) -> Vec<Ident> {
        let chosen = self
            .chosen
            .get(object)
            .iter()
            .map(String::as_str)
            .filter(|_| self.wanted.information || object == PanelObject::Opportunity);
        self.readable(
            object.salesforce_name(),
            header_fields(object).iter().copied().chain(chosen),
        )
    }

    /// A child sub-query on `relationship` of `parent` reading `fields` of its object,
    /// newest first by `order` where readable; `None` when the org does not serve it.
    fn child(
        &self,
        parent: &str,
        relationship: &'static str,
        fields: Vec<&str>,
        order: &'static str,
    ) -> Option<Select> {
        let object = self.schema.child(parent, relationship)?;
        let mut select = Select::from_object(relationship).fields(self.readable(object, fields));
        if self
            .schema
            .readable(object, order.split(' ').next().unwrap_or(order))
        {
            select = select.order_by(order);
        }
        Some(select.limit(PANEL_CHILD_LIMIT))
    }

    /// The sub-queries of each section the profile sees, as far as the org serves them.
    fn section_queries(&self, parent: &str, section: Section) -> Vec<Select> {
        let opportunity_fields = || -> Vec<&str> {
            header_fields(PanelObject::Opportunity)
                .iter()
                .copied()
                .chain(self.chosen.opportunity.iter().map(String::as_str))
                .collect()
        };
        let queries = match section {
            Section::Opportunities => {
                let own = self.child(
                    parent,
                    "Opportunities",
                    opportunity_fields(),
                    "CloseDate DESC",
                );
                // The opportunities a contact has a role on, whichever account they are on.
                let by_role = (parent == "Contact" && self.schema.object("Opportunity").is_some())
                    .then(|| {
                        let through: Vec<String> = opportunity_fields()
                            .into_iter()
                            .filter(|f| self.schema.readable("Opportunity", f))
                            .map(|f| format!("Opportunity.{f}"))
                            .collect();
                        let fields: Vec<&str> = ["Id", "Role"]
                            .into_iter()
                            .chain(through.iter().map(String::as_str))
                            .collect();
                        self.child(
                            parent,
                            "OpportunityContactRoles",
                            fields,
                            "CreatedDate DESC",
                        )
                    })
                    .flatten();
                vec![own, by_role]
            }
            Section::Notes => vec![
                self.child(parent, "Notes", NOTE_FIELDS.to_vec(), "CreatedDate DESC"),
                self.child(
                    parent,
                    "AttachedContentNotes",
                    CONTENT_NOTE_FIELDS.to_vec(),
                    "CreatedDate DESC",
                ),
            ],
            Section::Tasks => vec![self.child(
                parent,
                "Tasks",
                TASK_FIELDS.to_vec(),
                "ActivityDate DESC NULLS LAST",
            )],
            Section::Events => vec![self.child(
                parent,
                "Events",
                EVENT_FIELDS.to_vec(),
                "StartDateTime DESC",
            )],
        };
        queries.into_iter().flatten().collect()
    }

    fn wants(&self, section: Section) -> bool {
        self.wanted.shows(section)
    }

    fn with_sections(&self, parent: &str, mut select: Select) -> Select {
        for section in Section::ALL {
            if self.wants(section) {
                for child in self.section_queries(parent, section) {
                    select = select.subquery(child);
                }
            }
        }
        if let Some(cases) = self.cases(parent) {
            select = select.subquery(cases);
        }
        select
    }

    /// The record's open cases and those closed in the last [`RECENTLY_CLOSED_DAYS`], open
    /// ones first, newest first, where the profile shows cases and the org has them for
    /// the connected user; an org without them has no case section, and no note either.
    /// `IsClosed` ("Filter, Group, Sort") and `ClosedDate` ("Filter, Nillable, Sort"),
    /// Object Reference, Case; `LAST_N_DAYS:n` on a dateTime counts from 00:00 today back
    /// n days (SOQL and SOSL Reference, Date Formats and Date Literals). A user who may
    /// not read them gets the newest cases, unfiltered.
    fn cases(&self, parent: &str) -> Option<Select> {
        if !self.wanted.cases {
            return None;
        }
        let object = self.schema.child(parent, "Cases")?;
        let readable = |field: &str| self.schema.readable(object, field);
        if !(readable("IsClosed") && readable("ClosedDate")) {
            return self.child(parent, "Cases", CASE_FIELDS.to_vec(), "CreatedDate DESC");
        }
        let select = self.child(
            parent,
            "Cases",
            CASE_FIELDS.to_vec(),
            "IsClosed ASC, CreatedDate DESC",
        )?;
        Some(select.filter(Condition::or([
            Condition::eq("IsClosed", false),
            Condition::eq("ClosedDate", DateLiteral::LastNDays(RECENTLY_CLOSED_DAYS)),
        ])))
    }

    /// Whether a `kind` record's view has a case section.
    pub fn serves_cases(&self, kind: RecordKind) -> bool {
        self.cases(parent_object(kind)).is_some()
    }

    /// The newest unconverted lead with this email, where the profile shows leads and the
    /// org lets the connected user read them (and filter on `IsConverted`).
    pub fn lead_by_email(&self, email: &Email) -> Option<String> {
        let readable = |field: &str| self.schema.readable("Lead", field);
        if !self.wanted.leads || !readable("Email") || !readable("IsConverted") {
            return None;
        }
        Some(
            Select::from_object("Lead")
                .fields(self.readable("Lead", LEAD_FIELDS.iter().copied()))
                .filter(Condition::and([
                    Condition::eq("Email", email),
                    Condition::eq("IsConverted", false),
                ]))
                .order_by("LastModifiedDate DESC")
                .limit(1)
                .build(),
        )
    }

    /// The sections the profile sees that the org cannot serve for a `kind` record, and why.
    pub fn unavailable(&self, kind: RecordKind) -> Vec<SectionNote> {
        let parent = parent_object(kind);
        Section::ALL
            .into_iter()
            .filter(|section| {
                self.wants(*section) && self.section_queries(parent, *section).is_empty()
            })
            .map(|section| SectionNote {
                section,
                message: format!(
                    "{} are not available: the connected Salesforce user may not read them \
                     on {}s. A Salesforce admin can grant read access to the integration user.",
                    section.title(),
                    parent.to_lowercase()
                ),
            })
            .collect()
    }

    fn contact_panel(&self, condition: Condition) -> String {
        self.with_sections(
            "Contact",
            Select::from_object("Contact").fields(self.record_fields(PanelObject::Contact)),
        )
        .filter(condition)
        .order_by("LastModifiedDate DESC")
        .limit(MATCH_LIMIT)
        .build()
    }

    /// The panel's whole lookup as one query: the newest contacts with this email, each
    /// with its account, owner and sections.
    pub fn panel_lookup(&self, email: &Email) -> String {
        self.contact_panel(Condition::eq("Email", email))
    }

    /// [`QueryPlan::panel_lookup`] for one contact by Id.
    pub fn contact_panel_by_id(&self, id: &SfId) -> String {
        self.contact_panel(Condition::eq("Id", id))
    }

    /// Accounts with their owner and sections, in one query.
    pub fn account_panel_lookup(&self, filter: AccountFilter<'_>) -> String {
        let condition = match filter {
            AccountFilter::OfContactsWith(email) => Condition::in_select(
                "Id",
                Select::new("Contact", &["AccountId"]).where_eq("Email", email),
            ),
            AccountFilter::Named(name) => Condition::eq("Name", name),
            AccountFilter::Id(id) => Condition::eq("Id", id),
            AccountFilter::PeopleWith(email) => Condition::and([
                Condition::eq("IsPersonAccount", true),
                Condition::eq("PersonEmail", email),
            ]),
        };
        self.with_sections(
            "Account",
            Select::from_object("Account").fields(self.record_fields(PanelObject::Account)),
        )
        .filter(condition)
        .order_by("LastModifiedDate DESC")
        .limit(MATCH_LIMIT)
        .build()
    }

    /// The contacts with this email, just enough to choose among them and to find their
    /// accounts.
    pub fn requester_contacts(&self, email: &Email) -> String {
        Select::from_object("Contact")
            .fields(self.readable(
                "Contact",
                ["Id", "Name", "Title", "AccountId", "Account.Name"],
            ))
            .where_eq("Email", email)
            .order_by("LastModifiedDate DESC")
            .limit(MATCH_LIMIT)
            .build()
    }
}

fn parent_object(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Contact => "Contact",
        RecordKind::Account => "Account",
    }
}

/// Which parts of a view a profile reads (record information, each section, cases and
/// leads): answers read for another set are other answers. Actions read nothing.
pub fn sections_tag(wanted: Items) -> String {
    let Items {
        information,
        opportunities,
        notes,
        events,
        tasks,
        cases,
        leads,
        ..
    } = wanted;
    [
        information,
        opportunities,
        notes,
        events,
        tasks,
        cases,
        leads,
    ]
    .iter()
    .map(|on| if *on { '1' } else { '0' })
    .collect()
}

/// Which accounts [`QueryPlan::account_panel_lookup`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountFilter<'a> {
    /// The accounts of the contacts with this email (a semi-join).
    OfContactsWith(&'a Email),
    /// By account name: how accounts match between the helpdesk and Salesforce.
    Named(&'a str),
    Id(&'a SfId),
    /// The person accounts with this email (Person Accounts orgs only): a person's
    /// opportunities, notes and activities are on their account.
    PeopleWith(&'a Email),
}

/// Accounts whose website starts with `domain` the ways people write one
/// (`northwind.example`, `www.`, `http://`, `https://`): prefix patterns only, which a
/// large org can answer from an index, where `LIKE '%northwind.example%'` scans every
/// account on every cold view. [`website_matches`] then keeps those on exactly that domain.
pub fn accounts_by_domain(domain: &str) -> String {
    const PREFIXES: [&str; 6] = [
        "",
        "www.",
        "http://",
        "https://",
        "http://www.",
        "https://www.",
    ];
    let patterns = PREFIXES.map(|prefix| {
        Condition::like(
            "Website",
            LikePattern::starts_with(&format!("{prefix}{domain}")),
        )
    });
    Select::new("Account", &["Id", "Name", "Website"])
        .filter(Condition::or(patterns))
        .order_by("LastModifiedDate DESC")
        .limit(MATCH_LIMIT)
        .build()
}

/// Records of `kind` whose name contains `text`, for the agent's search.
pub fn search_by_name(kind: RecordKind, text: &str) -> String {
    let select = match kind {
        RecordKind::Contact => Select::new("Contact", &["Id", "Name", "Title", "Account.Name"]),
        RecordKind::Account => Select::new("Account", &["Id", "Name", "Website"]),
    };
    select
        .filter(Condition::like("Name", LikePattern::contains(text.trim())))
        .order_by("Name ASC")
        .limit(MATCH_LIMIT)
        .build()
}

/// Mail providers whose domain says nothing about the sender's company.
const PUBLIC_MAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
    "yahoo.com",
    "ymail.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "gmx.com",
    "gmx.de",
    "gmx.net",
    "web.de",
    "mail.com",
    "yandex.com",
    "yandex.ru",
    "zoho.com",
    "fastmail.com",
    "hey.com",
];

/// The email domain to look for an account by, unless it is a public mail provider's.
pub fn company_domain(email: &Email) -> Option<String> {
    let domain = email.domain().trim().to_ascii_lowercase();
    let public = PUBLIC_MAIL_DOMAINS.contains(&domain.as_str())
        || domain.starts_with("yahoo.")
        || domain.starts_with("hotmail.")
        || domain.starts_with("outlook.");
    (!public && domain.contains('.')).then_some(domain)
}

/// Whether a website (`https://www.northwind.example/about`, `northwind.example`) is on
/// `domain` (`northwind.example`), or `domain` is a sub-domain of the website's
/// (`mail.northwind.example`).
pub fn website_matches(website: &str, domain: &str) -> bool {
    let rest = website.trim();
    let rest = rest.split_once("://").map_or(rest, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = host
        .split(':')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let domain = domain.trim().to_ascii_lowercase();
    !host.is_empty()
        && host.contains('.')
        && (host == domain || domain.ends_with(&format!(".{host}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::panel::schema::{full_org, tests::restricted_org};
    use contract::panel_fields::PerObject;

    fn chosen() -> PanelFields {
        PerObject {
            contact: vec!["Subscription_Type__c".into()],
            account: vec!["Website".into()],
            opportunity: vec!["NextStep".into()],
        }
    }

    fn email() -> Email {
        Email::parse("maya@northwind.example").unwrap()
    }

    #[test]
    fn query_escapes_the_email() {
        let email = Email::parse("o'hara@example.com").unwrap();
        let (org, chosen) = (full_org(), chosen());
        let plan = QueryPlan::new(&org, &chosen, Items::ALL);
        assert!(contact_by_email(&email).contains(r"WHERE Email = 'o\'hara@example.com'"));
        assert!(
            plan.panel_lookup(&email)
                .contains(r"FROM Contact WHERE Email = 'o\'hara@example.com'")
        );
    }

    #[test]
    fn the_panel_lookup_is_one_query_with_every_section_the_org_serves() {
        let (org, chosen) = (full_org(), chosen());
        let plan = QueryPlan::new(&org, &chosen, Items::ALL);
        assert_eq!(
            plan.panel_lookup(&email()),
            "SELECT Id, Name, Title, Email, Phone, AccountId, Account.Name, Owner.Name, Subscription_Type__c, \
             (SELECT Id, Name, StageName, Amount, CloseDate, Probability, IsClosed, IsWon, NextStep FROM Opportunities ORDER BY CloseDate DESC LIMIT 20), \
             (SELECT Id, Role, Opportunity.Id, Opportunity.Name, Opportunity.StageName, Opportunity.Amount, Opportunity.CloseDate, Opportunity.Probability, Opportunity.IsClosed, Opportunity.IsWon, Opportunity.NextStep FROM OpportunityContactRoles ORDER BY CreatedDate DESC LIMIT 20), \
             (SELECT Id, Title, Body, CreatedBy.Name, CreatedDate FROM Notes ORDER BY CreatedDate DESC LIMIT 20), \
             (SELECT Id, ContentDocumentId, Title, TextPreview, CreatedDate FROM AttachedContentNotes ORDER BY CreatedDate DESC LIMIT 20), \
             (SELECT Id, Subject, StartDateTime, EndDateTime, IsAllDayEvent, ActivityDate, Location FROM Events ORDER BY StartDateTime DESC LIMIT 20), \
             (SELECT Id, Subject, Status, Priority, ActivityDate FROM Tasks ORDER BY ActivityDate DESC NULLS LAST LIMIT 20), \
             (SELECT Id, CaseNumber, Subject, Status, Priority, IsClosed, CreatedDate, ClosedDate FROM Cases WHERE (IsClosed = false OR ClosedDate = LAST_N_DAYS:30) ORDER BY IsClosed ASC, CreatedDate DESC LIMIT 20) \
             FROM Contact WHERE Email = 'maya@northwind.example' ORDER BY LastModifiedDate DESC LIMIT 10"
        );
        assert!(plan.unavailable(RecordKind::Contact).is_empty());
    }

    #[test]
    fn what_the_org_hides_is_never_named_and_its_sections_are_reported() {
        let (org, chosen) = (restricted_org(), chosen());
        let plan = QueryPlan::new(&org, &chosen, Items::ALL);
        let soql = plan.panel_lookup(&email());
        for hidden in ["Name, Title", "Opportunit", "Events", "NextStep"] {
            assert!(!soql.contains(hidden), "{hidden} in {soql}");
        }
        assert!(soql.contains("Subscription_Type__c"), "{soql}");
        assert!(soql.contains("FROM AttachedContentNotes"), "{soql}");
        let unavailable: Vec<Section> = plan
            .unavailable(RecordKind::Contact)
            .into_iter()
            .map(|note| note.section)
            .collect();
        assert_eq!(unavailable, [Section::Opportunities, Section::Events]);
        // The account's notes are not offered on accounts in this org either.
        let account: Vec<Section> = plan
            .unavailable(RecordKind::Account)
            .into_iter()
            .map(|note| note.section)
            .collect();
        assert_eq!(
            account,
            [Section::Opportunities, Section::Notes, Section::Events]
        );
    }

    #[test]
    fn only_the_sections_the_profile_sees_are_read() {
        let (org, chosen) = (full_org(), chosen());
        let light = Items {
            opportunities: false,
            information: false,
            ..Items::ALL
        };
        let plan = QueryPlan::new(&org, &chosen, light);
        let soql = plan.panel_lookup(&email());
        assert!(!soql.contains("Opportunit"), "{soql}");
        assert!(
            !soql.contains("Subscription_Type__c"),
            "no chosen fields without record information: {soql}"
        );
        assert_ne!(sections_tag(light), sections_tag(Items::ALL));
        assert!(
            QueryPlan::new(&org, &chosen, light)
                .unavailable(RecordKind::Contact)
                .is_empty()
        );
    }

    #[test]
    fn cases_and_leads_are_read_where_the_org_has_them_and_the_profile_shows_them() {
        let (full, restricted, chosen) = (full_org(), restricted_org(), chosen());
        let plan = QueryPlan::new(&full, &chosen, Items::ALL);
        assert!(plan.serves_cases(RecordKind::Contact));
        assert_eq!(
            plan.lead_by_email(&email()).as_deref(),
            Some(
                "SELECT Id, Name, Company, Status FROM Lead WHERE (Email = 'maya@northwind.example' \
                 AND IsConverted = false) ORDER BY LastModifiedDate DESC LIMIT 1"
            )
        );
        // No cases or leads in this org: no sub-query, no lead query, no note.
        let without = QueryPlan::new(&restricted, &chosen, Items::ALL);
        assert!(!without.serves_cases(RecordKind::Contact));
        assert!(!without.panel_lookup(&email()).contains("Cases"));
        assert_eq!(without.lead_by_email(&email()), None);
        assert!(
            without
                .unavailable(RecordKind::Contact)
                .iter()
                .all(|note| note.section != Section::Tasks)
        );
        // A profile without them reads neither.
        let hidden = Items {
            cases: false,
            leads: false,
            ..Items::ALL
        };
        let plan = QueryPlan::new(&full, &chosen, hidden);
        assert!(!plan.panel_lookup(&email()).contains("FROM Cases"));
        assert_eq!(plan.lead_by_email(&email()), None);
        assert_ne!(sections_tag(hidden), sections_tag(Items::ALL));
    }

    #[test]
    fn cases_are_the_open_ones_and_those_closed_lately() {
        let (org, chosen) = (full_org(), chosen());
        let soql = QueryPlan::new(&org, &chosen, Items::ALL).panel_lookup(&email());
        assert!(
            soql.contains(&format!(
                "FROM Cases WHERE (IsClosed = false OR ClosedDate = LAST_N_DAYS:{RECENTLY_CLOSED_DAYS}) \
                 ORDER BY IsClosed ASC, CreatedDate DESC LIMIT 20)"
            )),
            "{soql}"
        );
        // A user who may not read when cases closed gets the newest, unfiltered: a filter
        // on a field they cannot see would fail the whole view.
        let hidden = crate::panel::schema::without_fields(full_org(), "Case", &["ClosedDate"]);
        let soql = QueryPlan::new(&hidden, &chosen, Items::ALL).panel_lookup(&email());
        assert!(
            soql.contains("IsClosed, CreatedDate FROM Cases ORDER BY CreatedDate DESC LIMIT 20)"),
            "{soql}"
        );
    }

    #[test]
    fn the_account_lookup_finds_the_requesters_accounts_in_one_query() {
        let (org, chosen) = (full_org(), chosen());
        let plan = QueryPlan::new(&org, &chosen, Items::ALL);
        let soql = plan.account_panel_lookup(AccountFilter::OfContactsWith(&email()));
        assert!(
            soql.starts_with(
                "SELECT Id, Name, Type, Industry, Phone, Owner.Name, Website, (SELECT Id, Name, StageName"
            ),
            "{soql}"
        );
        assert!(soql.ends_with(
            "FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE Email = 'maya@northwind.example') ORDER BY LastModifiedDate DESC LIMIT 10"
        ));
        assert_eq!(
            soql.matches("(SELECT").count(),
            7,
            "five sub-queries of four sections, cases and the semi-join"
        );
        assert!(
            plan.account_panel_lookup(AccountFilter::Named("O'Neil & Sons"))
                .contains(r"WHERE Name = 'O\'Neil & Sons'")
        );
    }

    #[test]
    fn the_longest_choice_stays_under_the_url_limit() {
        let long = |n: usize| format!("{}_{n:02}__c", "X".repeat(35));
        let names: Vec<String> = (0..contract::panel_fields::MAX_FIELDS).map(long).collect();
        let org = crate::panel::schema::with_extra_fields(full_org(), &names);
        let chosen = PerObject {
            contact: names.clone(),
            account: names.clone(),
            opportunity: names.clone(),
        };
        let plan = QueryPlan::new(&org, &chosen, Items::ALL);
        let soql = plan.panel_lookup(&email());
        assert!(soql.contains(&names[19]), "{soql}");
        let encoded = serde_urlencoded::to_string([("q", soql.as_str())]).unwrap();
        assert!(
            encoded.len() < MAX_QUERY_LENGTH,
            "{} characters encoded",
            encoded.len()
        );
    }

    #[test]
    fn websites_match_the_email_domain_exactly() {
        for (website, domain, matches) in [
            ("https://northwind.example", "northwind.example", true),
            (
                "http://www.Northwind.example/about",
                "northwind.example",
                true,
            ),
            ("northwind.example", "northwind.example", true),
            (
                "https://northwind.example:8443/",
                "mail.northwind.example",
                true,
            ),
            ("https://notnorthwind.example", "northwind.example", false),
            (
                "https://northwind.example.evil.test",
                "northwind.example",
                false,
            ),
            ("https://user@northwind.example", "northwind.example", true),
            ("", "northwind.example", false),
            ("https://example", "northwind.example", false),
        ] {
            assert_eq!(
                website_matches(website, domain),
                matches,
                "{website} / {domain}"
            );
        }
    }

    #[test]
    fn public_mail_domains_suggest_no_company_and_no_leading_wildcard_is_sent() {
        let domain = |e: &str| company_domain(&Email::parse(e).unwrap());
        assert_eq!(
            domain("Ann@Northwind.Example"),
            Some("northwind.example".into())
        );
        assert_eq!(domain("ann@gmail.com"), None);
        assert_eq!(domain("ann@yahoo.co.uk"), None);
        let soql = accounts_by_domain("northwind.example");
        assert!(
            !soql.contains("'%"),
            "a leading wildcard scans every account: {soql}"
        );
        assert!(
            soql.contains("Website LIKE 'https://www.northwind.example%'"),
            "{soql}"
        );
    }

    #[test]
    fn search_reads_the_kind_the_profile_shows() {
        assert_eq!(
            search_by_name(RecordKind::Contact, " 50% O'Hara "),
            r"SELECT Id, Name, Title, Account.Name FROM Contact WHERE Name LIKE '%50\% O\'Hara%' ORDER BY Name ASC LIMIT 10"
        );
        assert!(
            search_by_name(RecordKind::Account, "North")
                .starts_with("SELECT Id, Name, Website FROM Account")
        );
    }
}
