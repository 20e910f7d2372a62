//! What the agent panel's queries read, and how it becomes the view the widget shows.
//!
//! A contact and an account are read the same way: the record's own fields
//! ([`ContactFields`], [`AccountFields`]) and the four sections ([`SectionRecords`]), as
//! one [`PanelRecord`]. The record's fields make its header and details; the sections are
//! ordered for reading, whatever the record.

use crate::salesforce::{QueryResponse, SfDate, SfDateTime, null_as_empty};
use contract::api::{
    AccountSuggestion, ContactChoice, DetailField, EventSummary, NoteSummary, OpportunitySummary,
    RecordDetails, RecordKind, SalesforceView, SearchHit, TaskSummary,
};
use contract::ids::SfId;
use serde::Deserialize;

/// A parent record reduced to its name (`Account.Name`, `Owner.Name`); the parent itself
/// is `null` when the lookup is empty.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Named {
    pub name: Option<String>,
}

/// The contact's account, by the name the first lookup used.
pub type AccountName = Named;

/// A contact as [`contact_by_email`](super::contact_by_email) reads it.
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

/// A contact or an account as [`panel_lookup`](super::panel_lookup) or [`account_panel_lookup`](super::account_panel_lookup) reads it: its
/// own fields and its four sections.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PanelRecord<F> {
    #[serde(flatten)]
    pub fields: F,
    #[serde(flatten)]
    pub sections: SectionRecords,
}

/// A contact as [`panel_lookup`](super::panel_lookup) reads it, children included.
pub type PanelContact = PanelRecord<ContactFields>;
/// An account as [`account_panel_lookup`](super::account_panel_lookup) reads it, children included.
pub type PanelAccount = PanelRecord<AccountFields>;

/// A record's own fields, as the panel shows them.
pub trait RecordFields {
    const KIND: RecordKind;
    fn id(&self) -> &SfId;
    /// The record's header and details; `link` gives a record's page in the org.
    fn into_details(self, link: &dyn Fn(&SfId) -> String) -> RecordDetails;
}

impl<F: RecordFields> PanelRecord<F> {
    /// Everything the panel shows, ordered for reading: open opportunities first by
    /// close date then closed ones, newest notes first, events and tasks by time.
    pub fn into_view(self, instance_url: &str) -> SalesforceView {
        let link = linker(instance_url);
        let id = self.fields.id().clone();
        let sections = self.sections.read(&link);
        SalesforceView {
            kind: F::KIND,
            url: link(&id),
            id,
            record: Some(self.fields.into_details(&link)),
            opportunities: Some(sections.opportunities),
            notes: Some(sections.notes),
            events: Some(sections.events),
            tasks: Some(sections.tasks),
        }
    }
}

/// The four sections of a record as Salesforce answers them: nested query results, or
/// `null` when there are none.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SectionRecords {
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

impl SectionRecords {
    fn read(self, link: &dyn Fn(&SfId) -> String) -> Sections {
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
        Sections {
            opportunities,
            notes,
            events,
            tasks,
        }
    }
}

/// `https://org.my.salesforce.com/<id>`: the record in the org's own UI.
fn linker(instance_url: &str) -> impl Fn(&SfId) -> String {
    let base = instance_url.trim_end_matches('/').to_owned();
    move |id: &SfId| format!("{base}/{id}")
}

/// A contact's own fields: all of them as [`panel_lookup`](super::panel_lookup) reads them; as
/// [`requester_contacts`](super::requester_contacts) reads them, enough to choose among contacts and to find their
/// accounts.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContactFields {
    pub id: SfId,
    pub name: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub account_id: Option<SfId>,
    #[serde(default)]
    pub account: Option<Named>,
    #[serde(default)]
    pub owner: Option<Named>,
    #[serde(rename = "Subscription_Type__c", default)]
    pub subscription_type: Option<String>,
}

impl ContactFields {
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

impl RecordFields for ContactFields {
    const KIND: RecordKind = RecordKind::Contact;

    fn id(&self) -> &SfId {
        &self.id
    }

    fn into_details(self, link: &dyn Fn(&SfId) -> String) -> RecordDetails {
        let fields = self
            .subscription_type
            .map(|value| DetailField {
                label: "Subscription Type".into(),
                value,
            })
            .into_iter()
            .collect();
        RecordDetails {
            name: self.name,
            title: self.title,
            email: self.email,
            phone: self.phone,
            account_name: self.account.and_then(|a| a.name),
            account_url: self.account_id.as_ref().map(link),
            owner_name: self.owner.and_then(|o| o.name),
            fields,
        }
    }
}

/// An account's own fields, as [`account_panel_lookup`](super::account_panel_lookup) reads them.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccountFields {
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
}

impl RecordFields for AccountFields {
    const KIND: RecordKind = RecordKind::Account;

    fn id(&self) -> &SfId {
        &self.id
    }

    /// Industry and type under the name; website, location and size as fields.
    fn into_details(self, _link: &dyn Fn(&SfId) -> String) -> RecordDetails {
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
        RecordDetails {
            name: self.name,
            title: (!title.is_empty()).then_some(title),
            email: None,
            phone: present(self.phone),
            account_name: None,
            account_url: None,
            owner_name: self.owner.and_then(|o| o.name),
            fields,
        }
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

/// An account as [`accounts_by_domain`](super::accounts_by_domain) and [`search_by_name`](super::search_by_name) read it.
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

/// A contact as [`search_by_name`](super::search_by_name) reads it.
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
            maya.fields.owner.as_ref().unwrap().name.as_deref(),
            Some("Sam Admin")
        );
        assert_eq!(maya.fields.account_id.as_ref().unwrap().key_prefix(), "001");
        let opportunities = &maya.sections.opportunities.records;
        assert_eq!(opportunities.len(), 2);
        assert_eq!(
            opportunities[0].close_date,
            SfDate::parse("2027-01-31").unwrap()
        );
        assert_eq!(opportunities[0].amount, Some(48000.0));
        assert!(!opportunities[0].is_closed);
        assert!(opportunities[1].is_won && opportunities[1].amount.is_none());
        assert_eq!(opportunities[1].probability, Some(100.0));
        let note = &maya.sections.notes.records[0];
        assert_eq!(
            note.created_by.as_ref().unwrap().name.as_deref(),
            Some("Sam Admin")
        );
        assert_eq!(note.created_date.to_wire(), "2025-12-16T13:05:30.000+0000");
        let task = &maya.sections.tasks.records[0];
        assert_eq!(
            (task.priority.as_deref(), task.activity_date),
            (Some("High"), None)
        );
        assert!(
            maya.sections.events.records.is_empty(),
            "null children read as none"
        );
        let choice = maya.fields.choice();
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
    fn a_contact_hit_names_its_title_and_account() {
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
