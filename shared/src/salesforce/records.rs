//! The records the agent panel reads, and the queries that read them.
//!
//! Each view is ONE query with child sub-queries: [`panel_lookup`] reads the contacts with
//! an email, each with its account, owner, opportunities, notes, tasks and events;
//! [`account_panel_lookup`] reads accounts the same way. The panel sends the queries a
//! view needs together in one Composite call (see [`crate::panel`]).

use super::datetime::{SfDate, SfDateTime};
use super::wire::{QueryResponse, null_as_empty};
use crate::soql::{Condition, LikePattern, Order, Select};
use contract::api::{
    AccountSuggestion, ContactChoice, DetailField, EventSummary, NoteSummary, OpportunitySummary,
    RecordDetails, RecordKind, SalesforceView, SearchHit, TaskSummary,
};
use contract::ids::{Email, SfId};
use serde::Deserialize;

const CONTACT_FIELDS: &[&str] = &["Id", "Name", "Title", "Email", "Phone", "Account.Name"];

/// Children of each kind the panel shows, newest first.
pub const PANEL_CHILD_LIMIT: u32 = 20;

/// Contacts (or accounts) one lookup reads at most.
const MATCH_LIMIT: u32 = 10;

/// The newest contacts with this email (Salesforce allows several).
pub fn contact_by_email(email: &Email) -> String {
    Select::new("Contact", CONTACT_FIELDS)
        .where_eq("Email", email)
        .order_by("LastModifiedDate DESC")
        .limit(MATCH_LIMIT)
        .build()
}

/// The four sections every record shows, as child sub-queries of `parent`.
fn with_sections(parent: Select) -> Select {
    parent
        .subquery(
            Select::new(
                "Opportunities",
                &[
                    "Id",
                    "Name",
                    "StageName",
                    "Amount",
                    "CloseDate",
                    "Probability",
                    "IsClosed",
                    "IsWon",
                ],
            )
            .order_by_field("CloseDate", Order::Desc)
            .limit(PANEL_CHILD_LIMIT),
        )
        .subquery(
            Select::new(
                "Notes",
                &["Id", "Title", "Body", "CreatedBy.Name", "CreatedDate"],
            )
            .order_by_field("CreatedDate", Order::Desc)
            .limit(PANEL_CHILD_LIMIT),
        )
        .subquery(
            Select::new(
                "Tasks",
                &["Id", "Subject", "Status", "Priority", "ActivityDate"],
            )
            .order_by("ActivityDate DESC NULLS LAST")
            .limit(PANEL_CHILD_LIMIT),
        )
        .subquery(
            Select::new(
                "Events",
                &["Id", "Subject", "StartDateTime", "EndDateTime", "Location"],
            )
            .order_by_field("StartDateTime", Order::Desc)
            .limit(PANEL_CHILD_LIMIT),
        )
}

fn contact_panel(condition: Condition) -> String {
    with_sections(Select::new(
        "Contact",
        &[
            "Id",
            "Name",
            "Title",
            "Email",
            "Phone",
            "AccountId",
            "Account.Name",
            "Owner.Name",
            "Subscription_Type__c",
        ],
    ))
    .filter(condition)
    .order_by("LastModifiedDate DESC")
    .limit(MATCH_LIMIT)
    .build()
}

/// The panel's whole lookup as one query: the newest contacts with this email, each with
/// its account, owner, opportunities, notes, tasks and events.
pub fn panel_lookup(email: &Email) -> String {
    contact_panel(Condition::eq("Email", email))
}

/// [`panel_lookup`] for one contact by Id.
pub fn contact_panel_by_id(id: &SfId) -> String {
    contact_panel(Condition::eq("Id", id))
}

/// Which accounts [`account_panel_lookup`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountFilter<'a> {
    /// The accounts of the contacts with this email (a semi-join).
    OfContactsWith(&'a Email),
    /// By account name: how accounts match between the helpdesk and Salesforce.
    Named(&'a str),
    Id(&'a SfId),
}

/// Accounts with their owner, opportunities, notes, tasks and events, in one query.
pub fn account_panel_lookup(filter: AccountFilter<'_>) -> String {
    let condition = match filter {
        AccountFilter::OfContactsWith(email) => Condition::in_select(
            "Id",
            Select::new("Contact", &["AccountId"]).where_eq("Email", email),
        ),
        AccountFilter::Named(name) => Condition::eq("Name", name),
        AccountFilter::Id(id) => Condition::eq("Id", id),
    };
    with_sections(Select::new(
        "Account",
        &[
            "Id",
            "Name",
            "Type",
            "Industry",
            "Phone",
            "Website",
            "BillingCity",
            "BillingCountry",
            "NumberOfEmployees",
            "Owner.Name",
        ],
    ))
    .filter(condition)
    .order_by("LastModifiedDate DESC")
    .limit(MATCH_LIMIT)
    .build()
}

/// The contacts with this email, just enough to choose among them and to find their
/// accounts.
pub fn requester_contacts(email: &Email) -> String {
    Select::new(
        "Contact",
        &["Id", "Name", "Title", "AccountId", "Account.Name"],
    )
    .where_eq("Email", email)
    .order_by("LastModifiedDate DESC")
    .limit(MATCH_LIMIT)
    .build()
}

/// Accounts whose website mentions `domain`; [`website_matches`] then keeps the ones on
/// exactly that domain.
pub fn accounts_by_domain(domain: &str) -> String {
    Select::new("Account", &["Id", "Name", "Website"])
        .filter(Condition::like("Website", LikePattern::contains(domain)))
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

/// A parent record reduced to its name (`Account.Name`, `Owner.Name`); the parent itself
/// is `null` when the lookup is empty.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Named {
    pub name: Option<String>,
}

/// The contact's account, by the name the first lookup used.
pub type AccountName = Named;

/// A contact as [`contact_by_email`] reads it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContactRecord {
    pub id: SfId,
    pub name: String,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub account: Option<AccountName>,
}

/// A contact as [`panel_lookup`] reads it, children included.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PanelContact {
    pub id: SfId,
    pub name: String,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub account_id: Option<SfId>,
    pub account: Option<Named>,
    pub owner: Option<Named>,
    #[serde(rename = "Subscription_Type__c", default)]
    pub subscription_type: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub opportunities: QueryResponse<OpportunityRecord>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub notes: QueryResponse<NoteRecord>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub tasks: QueryResponse<TaskRecord>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub events: QueryResponse<EventRecord>,
}

/// The four sections of a record, ordered for reading: open opportunities first by
/// close date then closed ones, newest notes first, events and tasks by time.
struct Sections {
    opportunities: Vec<OpportunitySummary>,
    notes: Vec<NoteSummary>,
    events: Vec<EventSummary>,
    tasks: Vec<TaskSummary>,
}

impl Sections {
    fn read(
        link: &dyn Fn(&SfId) -> String,
        opportunities: QueryResponse<OpportunityRecord>,
        notes: QueryResponse<NoteRecord>,
        tasks: QueryResponse<TaskRecord>,
        events: QueryResponse<EventRecord>,
    ) -> Sections {
        let mut opportunities: Vec<OpportunitySummary> = opportunities
            .records
            .into_iter()
            .map(|o| OpportunitySummary {
                url: link(&o.id),
                id: o.id,
                name: o.name,
                stage: o.stage_name,
                amount: o.amount,
                currency: None,
                close_date: Some(o.close_date.to_string()),
                probability: o.probability,
                is_closed: o.is_closed,
                is_won: o.is_won,
            })
            .collect();
        opportunities
            .sort_by(|a, b| (a.is_closed, &a.close_date).cmp(&(b.is_closed, &b.close_date)));
        let notes = notes
            .records
            .into_iter()
            .map(|n| NoteSummary {
                url: link(&n.id),
                id: n.id,
                title: n.title,
                body: n.body.unwrap_or_default(),
                author: n.created_by.and_then(|c| c.name),
                created: n.created_date.to_iso8601(),
            })
            .collect();
        let mut events: Vec<EventSummary> = events
            .records
            .into_iter()
            .map(|e| EventSummary {
                url: link(&e.id),
                id: e.id,
                subject: e.subject.unwrap_or_default(),
                start: e.start_date_time.map(|t| t.to_iso8601()),
                end: e.end_date_time.map(|t| t.to_iso8601()),
                location: e.location,
            })
            .collect();
        events.sort_by(|a, b| a.start.cmp(&b.start));
        let mut tasks: Vec<TaskSummary> = tasks
            .records
            .into_iter()
            .map(|t| TaskSummary {
                url: link(&t.id),
                id: t.id,
                subject: t.subject.unwrap_or_default(),
                status: t.status,
                priority: t.priority,
                due_date: t.activity_date.map(|d| d.to_string()),
            })
            .collect();
        tasks.sort_by(|a, b| a.due_date.cmp(&b.due_date));
        Sections {
            opportunities,
            notes,
            events,
            tasks,
        }
    }

    fn into_view(
        self,
        kind: RecordKind,
        id: SfId,
        url: String,
        record: RecordDetails,
    ) -> SalesforceView {
        SalesforceView {
            kind,
            id,
            url,
            record: Some(record),
            opportunities: Some(self.opportunities),
            notes: Some(self.notes),
            events: Some(self.events),
            tasks: Some(self.tasks),
        }
    }
}

/// `https://org.my.salesforce.com/<id>`: the record in the org's own UI.
fn linker(instance_url: &str) -> impl Fn(&SfId) -> String {
    let base = instance_url.trim_end_matches('/').to_owned();
    move |id: &SfId| format!("{base}/{id}")
}

impl PanelContact {
    /// Everything the panel shows, ordered for reading: open opportunities first by
    /// close date then closed ones, newest notes first, events and tasks by time.
    pub fn into_view(self, instance_url: &str) -> SalesforceView {
        let link = linker(instance_url);
        let sections = Sections::read(
            &link,
            self.opportunities,
            self.notes,
            self.tasks,
            self.events,
        );
        let fields = self
            .subscription_type
            .map(|value| DetailField {
                label: "Subscription Type".into(),
                value,
            })
            .into_iter()
            .collect();
        let record = RecordDetails {
            name: self.name,
            title: self.title,
            email: self.email,
            phone: self.phone,
            account_name: self.account.and_then(|a| a.name),
            account_url: self.account_id.as_ref().map(&link),
            owner_name: self.owner.and_then(|o| o.name),
            fields,
        };
        sections.into_view(RecordKind::Contact, self.id.clone(), link(&self.id), record)
    }

    /// How the contact is told apart from others with the same email.
    pub fn choice(&self) -> ContactChoice {
        ContactChoice {
            id: self.id.clone(),
            name: self.name.clone(),
            title: self.title.clone(),
            account_name: self.account.as_ref().and_then(|a| a.name.clone()),
        }
    }
}

/// An account as [`account_panel_lookup`] reads it, children included.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PanelAccount {
    pub id: SfId,
    pub name: String,
    #[serde(rename = "Type", default)]
    pub account_type: Option<String>,
    #[serde(default)]
    pub industry: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
    #[serde(default)]
    pub billing_city: Option<String>,
    #[serde(default)]
    pub billing_country: Option<String>,
    #[serde(default)]
    pub number_of_employees: Option<f64>,
    #[serde(default)]
    pub owner: Option<Named>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub opportunities: QueryResponse<OpportunityRecord>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub notes: QueryResponse<NoteRecord>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub tasks: QueryResponse<TaskRecord>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub events: QueryResponse<EventRecord>,
}

impl PanelAccount {
    /// The account's record (industry and type under the name; website, location and
    /// size as fields) and its sections.
    pub fn into_view(self, instance_url: &str) -> SalesforceView {
        let link = linker(instance_url);
        let sections = Sections::read(
            &link,
            self.opportunities,
            self.notes,
            self.tasks,
            self.events,
        );
        let present = |value: Option<String>| value.filter(|v| !v.trim().is_empty());
        let title = [present(self.industry), present(self.account_type)]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · ");
        let location = [present(self.billing_city), present(self.billing_country)]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
        let mut fields = Vec::new();
        if let Some(website) = present(self.website) {
            fields.push(DetailField {
                label: "Website".into(),
                value: website,
            });
        }
        if !location.is_empty() {
            fields.push(DetailField {
                label: "Location".into(),
                value: location,
            });
        }
        if let Some(employees) = self
            .number_of_employees
            .filter(|n| n.is_finite() && *n >= 0.0)
        {
            fields.push(DetailField {
                label: "Employees".into(),
                value: group_thousands(employees.round() as u64),
            });
        }
        let record = RecordDetails {
            name: self.name,
            title: (!title.is_empty()).then_some(title),
            email: None,
            phone: present(self.phone),
            account_name: None,
            account_url: None,
            owner_name: self.owner.and_then(|o| o.name),
            fields,
        };
        sections.into_view(RecordKind::Account, self.id.clone(), link(&self.id), record)
    }
}

/// `1250` -> `1,250`.
fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A contact as [`requester_contacts`] reads it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RequesterContact {
    pub id: SfId,
    pub name: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub account_id: Option<SfId>,
    #[serde(default)]
    pub account: Option<Named>,
}

impl RequesterContact {
    pub fn choice(&self) -> ContactChoice {
        ContactChoice {
            id: self.id.clone(),
            name: self.name.clone(),
            title: self.title.clone(),
            account_name: self.account.as_ref().and_then(|a| a.name.clone()),
        }
    }
}

/// An account as [`accounts_by_domain`] and [`search_by_name`] read it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccountBrief {
    pub id: SfId,
    pub name: String,
    #[serde(default)]
    pub website: Option<String>,
}

impl AccountBrief {
    pub fn suggestion(self) -> AccountSuggestion {
        AccountSuggestion {
            id: self.id,
            name: self.name,
            website: self.website,
        }
    }

    pub fn hit(self) -> SearchHit {
        SearchHit {
            kind: RecordKind::Account,
            id: self.id,
            name: self.name,
            detail: self.website,
        }
    }
}

/// A contact as [`search_by_name`] reads it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContactBrief {
    pub id: SfId,
    pub name: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub account: Option<Named>,
}

impl ContactBrief {
    pub fn hit(self) -> SearchHit {
        let detail = [self.title, self.account.and_then(|a| a.name)]
            .into_iter()
            .flatten()
            .filter(|part| !part.trim().is_empty())
            .collect::<Vec<_>>()
            .join(" · ");
        SearchHit {
            kind: RecordKind::Contact,
            id: self.id,
            name: self.name,
            detail: (!detail.is_empty()).then_some(detail),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OpportunityRecord {
    pub id: SfId,
    pub name: String,
    pub stage_name: String,
    pub amount: Option<f64>,
    pub close_date: SfDate,
    pub probability: Option<f64>,
    pub is_closed: bool,
    pub is_won: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NoteRecord {
    pub id: SfId,
    pub title: String,
    pub body: Option<String>,
    pub created_by: Option<Named>,
    pub created_date: SfDateTime,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TaskRecord {
    pub id: SfId,
    pub subject: Option<String>,
    pub status: Option<String>,
    pub priority: Option<String>,
    pub activity_date: Option<SfDate>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EventRecord {
    pub id: SfId,
    pub subject: Option<String>,
    pub start_date_time: Option<SfDateTime>,
    pub end_date_time: Option<SfDateTime>,
    pub location: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_escapes_the_email() {
        let email = Email::parse("o'hara@example.com").unwrap();
        assert!(contact_by_email(&email).contains(r"WHERE Email = 'o\'hara@example.com'"));
        assert!(panel_lookup(&email).contains(r"FROM Contact WHERE Email = 'o\'hara@example.com'"));
    }

    #[test]
    fn decodes_a_real_shaped_contact_page() {
        let page = r#"{"totalSize":1,"done":true,"records":[{"attributes":{"type":"Contact","url":"/services/data/v64.0/sobjects/Contact/003000000000001AAA"},
            "Id":"003000000000001AAA","Name":"Ada Lovelace","Title":null,"Email":"ada@example.com","Phone":"+44 20 7946 0000",
            "Account":{"attributes":{"type":"Account","url":"/x"},"Name":"Analytical Engines"}}]}"#;
        let page: QueryResponse<ContactRecord> = serde_json::from_str(page).unwrap();
        let ada = &page.records[0];
        assert_eq!(ada.name, "Ada Lovelace");
        assert_eq!(
            ada.account.as_ref().and_then(|a| a.name.as_deref()),
            Some("Analytical Engines")
        );
        assert_eq!(ada.id.as_str(), "003000000000001AAA");
        assert_eq!(ada.title, None);
    }

    #[test]
    fn the_panel_lookup_is_one_query_with_four_child_queries() {
        let email = Email::parse("maya@northwind.example").unwrap();
        assert_eq!(
            panel_lookup(&email),
            "SELECT Id, Name, Title, Email, Phone, AccountId, Account.Name, Owner.Name, Subscription_Type__c, \
             (SELECT Id, Name, StageName, Amount, CloseDate, Probability, IsClosed, IsWon FROM Opportunities ORDER BY CloseDate DESC LIMIT 20), \
             (SELECT Id, Title, Body, CreatedBy.Name, CreatedDate FROM Notes ORDER BY CreatedDate DESC LIMIT 20), \
             (SELECT Id, Subject, Status, Priority, ActivityDate FROM Tasks ORDER BY ActivityDate DESC NULLS LAST LIMIT 20), \
             (SELECT Id, Subject, StartDateTime, EndDateTime, Location FROM Events ORDER BY StartDateTime DESC LIMIT 20) \
             FROM Contact WHERE Email = 'maya@northwind.example' ORDER BY LastModifiedDate DESC LIMIT 10"
        );
    }

    /// The shape a real org answers the panel lookup with: parents as nested records
    /// (or null), children as nested query results (or null when there are none).
    const PANEL_PAGE: &str = r#"{"totalSize":1,"done":true,"records":[{
        "attributes":{"type":"Contact","url":"/services/data/v64.0/sobjects/Contact/0035g00000A1b2cAAB"},
        "Id":"0035g00000A1b2cAAB","Name":"Maya Patel","Title":"Head of Operations","Email":"maya@northwind.example",
        "Phone":null,"AccountId":"0015g00000B2c3dAAB","Subscription_Type__c":"Enterprise",
        "Account":{"attributes":{"type":"Account","url":"/services/data/v64.0/sobjects/Account/0015g00000B2c3dAAB"},"Name":"Northwind Traders"},
        "Owner":{"attributes":{"type":"User","url":"/services/data/v64.0/sobjects/User/0055g00000C3d4eAAB"},"Name":"Sam Admin"},
        "Opportunities":{"totalSize":2,"done":true,"records":[
          {"attributes":{"type":"Opportunity","url":"/x"},"Id":"0065g00000D4e5fAAB","Name":"Renewal","StageName":"Negotiation/Review",
           "Amount":48000.0,"CloseDate":"2027-01-31","Probability":90.0,"IsClosed":false,"IsWon":false},
          {"attributes":{"type":"Opportunity","url":"/x"},"Id":"0065g00000D4e5gAAB","Name":"Pilot","StageName":"Closed Won",
           "Amount":null,"CloseDate":"2025-06-30","Probability":100,"IsClosed":true,"IsWon":true}]},
        "Notes":{"totalSize":1,"done":true,"records":[
          {"attributes":{"type":"Note","url":"/x"},"Id":"0025g00000E5f6gAAB","Title":"Call notes","Body":"Wants SSO.",
           "CreatedBy":{"attributes":{"type":"User","url":"/x"},"Name":"Sam Admin"},"CreatedDate":"2025-12-16T13:05:30.000+0000"}]},
        "Tasks":{"totalSize":1,"done":true,"records":[
          {"attributes":{"type":"Task","url":"/x"},"Id":"00T5g00000F6g7hEAB","Subject":"Send quote","Status":"Not Started",
           "Priority":"High","ActivityDate":null}]},
        "Events":null}]}"#;

    #[test]
    fn decodes_the_panel_lookup() {
        let page: QueryResponse<PanelContact> = serde_json::from_str(PANEL_PAGE).unwrap();
        let maya = &page.records[0];
        assert_eq!(
            maya.owner.as_ref().unwrap().name.as_deref(),
            Some("Sam Admin")
        );
        assert_eq!(maya.account_id.as_ref().unwrap().key_prefix(), "001");
        let opportunities = &maya.opportunities.records;
        assert_eq!(opportunities.len(), 2);
        assert_eq!(
            opportunities[0].close_date,
            SfDate::parse("2027-01-31").unwrap()
        );
        assert_eq!(opportunities[0].amount, Some(48000.0));
        assert!(!opportunities[0].is_closed);
        assert!(opportunities[1].is_won && opportunities[1].amount.is_none());
        assert_eq!(opportunities[1].probability, Some(100.0));
        let note = &maya.notes.records[0];
        assert_eq!(
            note.created_by.as_ref().unwrap().name.as_deref(),
            Some("Sam Admin")
        );
        assert_eq!(note.created_date.to_wire(), "2025-12-16T13:05:30.000+0000");
        let task = &maya.tasks.records[0];
        assert_eq!(
            (task.priority.as_deref(), task.activity_date),
            (Some("High"), None)
        );
        assert!(maya.events.records.is_empty(), "null children read as none");
        let choice = maya.choice();
        assert_eq!(choice.account_name.as_deref(), Some("Northwind Traders"));
        assert_eq!(choice.title.as_deref(), Some("Head of Operations"));
    }

    #[test]
    fn the_view_orders_sections_for_reading() {
        let page: QueryResponse<PanelContact> = serde_json::from_str(PANEL_PAGE).unwrap();
        let view = page
            .records
            .into_iter()
            .next()
            .unwrap()
            .into_view("https://org.example/");
        assert_eq!(view.url, "https://org.example/0035g00000A1b2cAAB");
        let record = view.record.unwrap();
        assert_eq!(
            record.account_url.as_deref(),
            Some("https://org.example/0015g00000B2c3dAAB")
        );
        assert_eq!(record.owner_name.as_deref(), Some("Sam Admin"));
        assert_eq!(
            record.fields,
            vec![DetailField {
                label: "Subscription Type".into(),
                value: "Enterprise".into()
            }]
        );
        let opportunities = view.opportunities.unwrap();
        assert_eq!(
            opportunities
                .iter()
                .map(|o| o.name.as_str())
                .collect::<Vec<_>>(),
            ["Renewal", "Pilot"],
            "open first"
        );
        assert_eq!(opportunities[0].close_date.as_deref(), Some("2027-01-31"));
        let notes = view.notes.unwrap();
        assert_eq!(
            (notes[0].created.as_str(), notes[0].url.as_str()),
            (
                "2025-12-16T13:05:30+00:00",
                "https://org.example/0025g00000E5f6gAAB"
            )
        );
        assert_eq!(view.tasks.unwrap()[0].due_date, None);
        assert_eq!(view.events, Some(vec![]));
    }

    #[test]
    fn the_account_lookup_finds_the_requesters_accounts_in_one_query() {
        let email = Email::parse("maya@northwind.example").unwrap();
        let soql = account_panel_lookup(AccountFilter::OfContactsWith(&email));
        assert!(soql.starts_with(
            "SELECT Id, Name, Type, Industry, Phone, Website, BillingCity, BillingCountry, NumberOfEmployees, Owner.Name, (SELECT Id, Name, StageName"
        ));
        assert!(soql.ends_with(
            "FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE Email = 'maya@northwind.example') ORDER BY LastModifiedDate DESC LIMIT 10"
        ));
        assert_eq!(
            soql.matches("(SELECT").count(),
            5,
            "four sections and the semi-join"
        );
        assert!(
            account_panel_lookup(AccountFilter::Named("O'Neil & Sons"))
                .contains(r"WHERE Name = 'O\'Neil & Sons'")
        );
    }

    #[test]
    fn an_account_reads_as_a_record_with_its_sections() {
        let page = r#"{"totalSize":1,"done":true,"records":[{"attributes":{"type":"Account"},
            "Id":"0015g00000B2c3dAAB","Name":"Northwind Traders","Type":"Customer - Direct","Industry":"Retail",
            "Phone":"+1 206 555 0140","Website":"https://northwind.example","BillingCity":"Seattle",
            "BillingCountry":"United States","NumberOfEmployees":1250,"Owner":{"Name":"Sam Admin"},
            "Opportunities":{"totalSize":1,"done":true,"records":[{"Id":"0065g00000D4e5fAAB","Name":"Renewal",
              "StageName":"Negotiation/Review","Amount":48000.0,"CloseDate":"2027-01-31","Probability":90.0,"IsClosed":false,"IsWon":false}]},
            "Notes":null,"Tasks":null,"Events":null}]}"#;
        let page: QueryResponse<PanelAccount> = serde_json::from_str(page).unwrap();
        let view = page.records[0].clone().into_view("https://org.example");
        assert_eq!(view.kind, RecordKind::Account);
        assert_eq!(view.url, "https://org.example/0015g00000B2c3dAAB");
        let record = view.record.unwrap();
        assert_eq!(record.title.as_deref(), Some("Retail · Customer - Direct"));
        assert_eq!(record.owner_name.as_deref(), Some("Sam Admin"));
        let fields: Vec<(&str, &str)> = record
            .fields
            .iter()
            .map(|f| (f.label.as_str(), f.value.as_str()))
            .collect();
        assert_eq!(
            fields,
            [
                ("Website", "https://northwind.example"),
                ("Location", "Seattle, United States"),
                ("Employees", "1,250")
            ]
        );
        assert_eq!(view.opportunities.unwrap().len(), 1);
        assert_eq!(view.notes, Some(vec![]));
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
    fn public_mail_domains_suggest_no_company() {
        let domain = |e: &str| company_domain(&Email::parse(e).unwrap());
        assert_eq!(
            domain("Ann@Northwind.Example"),
            Some("northwind.example".into())
        );
        assert_eq!(domain("ann@gmail.com"), None);
        assert_eq!(domain("ann@yahoo.co.uk"), None);
        let soql = accounts_by_domain("northwind.example");
        assert!(
            soql.contains("WHERE Website LIKE '%northwind.example%'"),
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
        let hit = ContactBrief {
            id: SfId::parse("003A000001abcde").unwrap(),
            name: "Maya Patel".into(),
            title: Some("Head of Operations".into()),
            account: Some(Named {
                name: Some("Northwind".into()),
            }),
        }
        .hit();
        assert_eq!(
            hit.detail.as_deref(),
            Some("Head of Operations · Northwind")
        );
    }
}
