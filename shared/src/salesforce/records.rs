//! The records the agent panel reads, and the queries that read them.
//!
//! [`contact_by_email`] is today's lookup. [`panel_lookup`] reads everything the panel
//! shows in ONE call: the contact, its account and owner, and its opportunities, notes,
//! tasks and events as child sub-queries.

use super::datetime::{SfDate, SfDateTime};
use super::wire::{QueryResponse, null_as_empty};
use crate::api::{
    ContactCard, ContactChoice, DetailField, EventSummary, NoteSummary, OpportunitySummary,
    RecordDetails, RecordKind, SalesforceView, TaskSummary,
};
use crate::ids::{Email, SfId};
use crate::soql::{Order, Select};
use serde::Deserialize;

const CONTACT_FIELDS: &[&str] = &["Id", "Name", "Title", "Email", "Phone", "Account.Name"];

/// Children of each kind the panel shows, newest first.
pub const PANEL_CHILD_LIMIT: u32 = 20;

/// The newest contacts with this email (Salesforce allows several).
pub fn contact_by_email(email: &Email) -> String {
    Select::new("Contact", CONTACT_FIELDS)
        .where_eq("Email", email)
        .order_by("LastModifiedDate DESC")
        .limit(10)
        .build()
}

/// The panel's whole lookup as one query: the newest contacts with this email, each with
/// its account, owner, opportunities, notes, tasks and events.
pub fn panel_lookup(email: &Email) -> String {
    Select::new(
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
    )
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
    .where_eq("Email", email)
    .order_by("LastModifiedDate DESC")
    .limit(10)
    .build()
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

impl ContactRecord {
    pub fn into_card(self, instance_url: &str) -> ContactCard {
        ContactCard {
            url: format!("{}/{}", instance_url.trim_end_matches('/'), self.id),
            id: self.id,
            name: self.name,
            title: self.title,
            email: self.email,
            phone: self.phone,
            account_name: self.account.and_then(|a| a.name),
        }
    }
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

impl PanelContact {
    /// Everything the panel shows, ordered for reading: open opportunities first by
    /// close date then closed ones, newest notes first, events and tasks by time.
    pub fn into_view(self, instance_url: &str) -> SalesforceView {
        let base = instance_url.trim_end_matches('/').to_owned();
        let link = |id: &SfId| format!("{base}/{id}");
        let mut opportunities: Vec<OpportunitySummary> = self
            .opportunities
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
        let notes = self
            .notes
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
        let mut events: Vec<EventSummary> = self
            .events
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
        let mut tasks: Vec<TaskSummary> = self
            .tasks
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
        let fields = self
            .subscription_type
            .map(|value| DetailField {
                label: "Subscription Type".into(),
                value,
            })
            .into_iter()
            .collect();
        SalesforceView {
            kind: RecordKind::Contact,
            url: link(&self.id),
            record: Some(RecordDetails {
                name: self.name,
                title: self.title,
                email: self.email,
                phone: self.phone,
                account_name: self.account.and_then(|a| a.name),
                account_url: self.account_id.as_ref().map(link),
                owner_name: self.owner.and_then(|o| o.name),
                fields,
            }),
            id: self.id,
            opportunities: Some(opportunities),
            notes: Some(notes),
            events: Some(events),
            tasks: Some(tasks),
        }
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

    /// The contact card part, as [`ContactRecord::into_card`] makes it.
    pub fn card(&self, instance_url: &str) -> ContactCard {
        ContactCard {
            url: format!("{}/{}", instance_url.trim_end_matches('/'), self.id),
            id: self.id.clone(),
            name: self.name.clone(),
            title: self.title.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            account_name: self.account.as_ref().and_then(|a| a.name.clone()),
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
    fn decodes_a_real_shaped_page_into_a_card() {
        let page = r#"{"totalSize":1,"done":true,"records":[{"attributes":{"type":"Contact","url":"/services/data/v64.0/sobjects/Contact/003000000000001AAA"},
            "Id":"003000000000001AAA","Name":"Ada Lovelace","Title":null,"Email":"ada@example.com","Phone":"+44 20 7946 0000",
            "Account":{"attributes":{"type":"Account","url":"/x"},"Name":"Analytical Engines"}}]}"#;
        let page: QueryResponse<ContactRecord> = serde_json::from_str(page).unwrap();
        let card = page
            .records
            .into_iter()
            .next()
            .unwrap()
            .into_card("https://org.example/");
        assert_eq!(card.name, "Ada Lovelace");
        assert_eq!(card.account_name.as_deref(), Some("Analytical Engines"));
        assert_eq!(card.url, "https://org.example/003000000000001AAA");
        assert_eq!(card.title, None);
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
        let card = maya.card("https://org.example");
        assert_eq!(card.account_name.as_deref(), Some("Northwind Traders"));
        assert_eq!(card.url, "https://org.example/0035g00000A1b2cAAB");
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
}
