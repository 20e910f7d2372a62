//! The queries the agent panel sends Salesforce.
//!
//! Each view is ONE query with child sub-queries: [`panel_lookup`] reads the contacts with
//! an email, each with its account, owner, opportunities, notes, tasks and events;
//! [`account_panel_lookup`] reads accounts the same way. The panel sends the queries a
//! view needs together in one Composite call (see [`super::Lookup::request`]). Beside
//! them: the requester's contacts and the accounts on their email's domain (offered when
//! nothing matches), the agent's search by name, and [`contact_by_email`], the plain
//! lookup tools and tests use.

use crate::soql::{Condition, LikePattern, Order, Select};
use contract::api::RecordKind;
use contract::ids::{Email, SfId};

const CONTACT_FIELDS: &[&str] = &["Id", "Name", "Title", "Email", "Phone", "Account.Name"];

/// Children of each kind the panel shows, newest first.
const PANEL_CHILD_LIMIT: u32 = 20;

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
    }
}
