//! What the panel's actions write to Salesforce, as pure functions of the ticket: a
//! contact or a lead for an unknown requester, a completed task logging the ticket, a case
//! opened from it. The edge checks who may act and sends these through the org's budgeted
//! client.

use crate::soql::{Condition, Select};
use contract::ids::{Email, SfId};
use serde_json::{Value, json};

/// Key prefixes of the records an action can be about.
const CONTACT_PREFIX: &str = "003";
const ACCOUNT_PREFIX: &str = "001";

/// `Subject` of a task or a case: "string, 255" (Object Reference, Task and Case).
const SUBJECT_MAX: usize = 255;
/// `Description` of a task or a case: "textarea, 32000".
const DESCRIPTION_MAX: usize = 32_000;
/// Lead `Company`: "Required" (Object Reference, Lead); what Salesforce's own Web-to-Lead
/// fills in when a form sends none.
const NO_COMPANY: &str = "[not provided]";

/// The ticket an action is taken from, as the helpdesk has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketFacts {
    pub id: String,
    pub number: Option<String>,
    pub subject: Option<String>,
    pub description: Option<String>,
    /// The ticket in the helpdesk's UI, for the link back.
    pub web_url: Option<String>,
    pub requester: Requester,
    /// The ticket's account, by name.
    pub account_name: Option<String>,
}

/// The ticket's requester.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requester {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Email,
}

impl Requester {
    /// `LastName` is required on contacts and leads: without one, the email's local part.
    fn last_name(&self) -> String {
        self.last_name
            .as_deref()
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(str::to_owned)
            .unwrap_or_else(|| {
                let email = self.email.as_str();
                email.split('@').next().unwrap_or(email).to_owned()
            })
    }

    fn first_name(&self) -> Option<&str> {
        self.first_name
            .as_deref()
            .map(str::trim)
            .filter(|name| !name.is_empty())
    }
}

impl TicketFacts {
    /// `Ticket #101: Invoices no longer export`, as a task or a case is titled.
    fn title(&self) -> String {
        let subject = self.subject.as_deref().unwrap_or("(no subject)").trim();
        let title = match &self.number {
            Some(number) => format!("Ticket #{number}: {subject}"),
            None => subject.to_owned(),
        };
        clip(&title, SUBJECT_MAX)
    }

    /// What a task says of the ticket: its description and the way back to it.
    fn summary(&self) -> String {
        let link = match &self.web_url {
            Some(url) => format!("Helpdesk ticket: {url}"),
            None => format!("Helpdesk ticket id {}", self.id),
        };
        let text = match self.description.as_deref().map(str::trim) {
            Some(description) if !description.is_empty() => format!("{description}\n\n{link}"),
            _ => link,
        };
        clip(&text, DESCRIPTION_MAX)
    }
}

/// At most `max` characters of `text`.
fn clip(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// The account a new contact goes on: the newest with the ticket's account name (how
/// accounts match between the two sides).
pub fn account_named(name: &str) -> String {
    Select::new("Account", &["Id"])
        .filter(Condition::eq("Name", name))
        .order_by("LastModifiedDate DESC")
        .limit(1)
        .build()
}

/// The account of a contact, for the case opened on them.
pub fn account_of_contact(contact: &SfId) -> String {
    Select::new("Contact", &["AccountId"])
        .filter(Condition::eq("Id", contact))
        .limit(1)
        .build()
}

/// A new case's number, which Salesforce assigns on insert.
pub fn case_number(case: &SfId) -> String {
    Select::new("Case", &["CaseNumber"])
        .filter(Condition::eq("Id", case))
        .limit(1)
        .build()
}

/// A contact from the requester, on `account` where Salesforce has one.
pub fn contact_draft(ticket: &TicketFacts, account: Option<&SfId>) -> Value {
    let requester = &ticket.requester;
    json!({
        "FirstName": requester.first_name(),
        "LastName": requester.last_name(),
        "Email": requester.email.as_str(),
        "AccountId": account.map(SfId::as_str),
    })
}

/// A lead from the requester, the ticket's account name as its company.
pub fn lead_draft(ticket: &TicketFacts) -> Value {
    let requester = &ticket.requester;
    let company = ticket
        .account_name
        .as_deref()
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .unwrap_or(NO_COMPANY);
    json!({
        "FirstName": requester.first_name(),
        "LastName": requester.last_name(),
        "Email": requester.email.as_str(),
        "Company": company,
    })
}

/// Whether an action can be about this record: a contact or an account.
pub fn can_act_on(record: &SfId) -> bool {
    matches!(record.key_prefix(), CONTACT_PREFIX | ACCOUNT_PREFIX)
}

/// The ticket logged as a completed task on `record` (`today`: `YYYY-MM-DD`). A task is
/// about a person through `WhoId` and about an account through `WhatId` (Object Reference,
/// Task).
pub fn task_draft(ticket: &TicketFacts, record: &SfId, today: &str) -> Value {
    let about = if record.key_prefix() == CONTACT_PREFIX {
        "WhoId"
    } else {
        "WhatId"
    };
    json!({
        about: record.as_str(),
        "Subject": ticket.title(),
        "Status": "Completed",
        "ActivityDate": today,
        "Description": ticket.summary(),
    })
}

/// A case from the ticket on the record in view: a contact (and their `account`), or an
/// account.
pub fn case_draft(ticket: &TicketFacts, record: &SfId, account: Option<&SfId>) -> Value {
    let (contact, account) = if record.key_prefix() == CONTACT_PREFIX {
        (Some(record), account)
    } else {
        (None, Some(record))
    };
    json!({
        "Subject": ticket.title(),
        "Description": ticket.summary(),
        "ContactId": contact.map(SfId::as_str),
        "AccountId": account.map(SfId::as_str),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket() -> TicketFacts {
        TicketFacts {
            id: "7001".into(),
            number: Some("101".into()),
            subject: Some("Invoices no longer export".into()),
            description: Some("The button spins.".into()),
            web_url: Some("https://desk.example/tickets/7001".into()),
            requester: Requester {
                first_name: Some("Noah".into()),
                last_name: Some("Fischer".into()),
                email: Email::parse("noah@fischerdesign.example").unwrap(),
            },
            account_name: Some("Fischer Design".into()),
        }
    }

    fn id(text: &str) -> SfId {
        SfId::parse(text).unwrap()
    }

    #[test]
    fn a_contact_and_a_lead_come_from_the_requester() {
        let account = id("001A000001abcde");
        assert_eq!(
            contact_draft(&ticket(), Some(&account)),
            json!({"FirstName": "Noah", "LastName": "Fischer",
                   "Email": "noah@fischerdesign.example", "AccountId": account.as_str()})
        );
        assert_eq!(lead_draft(&ticket())["Company"], "Fischer Design");
        let mut nameless = ticket();
        nameless.requester.last_name = Some("  ".into());
        nameless.account_name = None;
        let lead = lead_draft(&nameless);
        assert_eq!(
            lead["LastName"], "noah",
            "a required last name is never empty"
        );
        assert_eq!(lead["Company"], NO_COMPANY);
    }

    #[test]
    fn a_task_logs_the_ticket_completed_with_a_link_back() {
        let contact = id("003A000001abcde");
        let task = task_draft(&ticket(), &contact, "2026-12-05");
        assert_eq!(task["WhoId"], contact.as_str());
        assert_eq!(task["Status"], "Completed");
        assert_eq!(task["Subject"], "Ticket #101: Invoices no longer export");
        let description = task["Description"].as_str().unwrap();
        assert!(description.contains("https://desk.example/tickets/7001"));
        let account = id("001A000001abcde");
        let on_account = task_draft(&ticket(), &account, "2026-12-05");
        assert_eq!(on_account["WhatId"], account.as_str());
        assert!(on_account.get("WhoId").is_none());
    }

    #[test]
    fn a_case_names_the_contact_and_their_account() {
        let (contact, account) = (id("003A000001abcde"), id("001A000001abcde"));
        let case = case_draft(&ticket(), &contact, Some(&account));
        assert_eq!(case["ContactId"], contact.as_str());
        assert_eq!(case["AccountId"], account.as_str());
        let on_account = case_draft(&ticket(), &account, None);
        assert_eq!(on_account["ContactId"], Value::Null);
        assert_eq!(on_account["AccountId"], account.as_str());
    }

    #[test]
    fn long_subjects_fit_salesforce() {
        let mut long = ticket();
        long.subject = Some("é".repeat(400));
        let case = case_draft(&long, &id("001A000001abcde"), None);
        assert_eq!(
            case["Subject"].as_str().unwrap().chars().count(),
            SUBJECT_MAX
        );
        assert!(can_act_on(&id("003A000001abcde")));
        assert!(!can_act_on(&id("006A000001abcde")));
    }
}
