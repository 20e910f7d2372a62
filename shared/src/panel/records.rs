//! What the agent panel's queries read, and how it becomes the view the widget shows.
//!
//! A contact and an account are read the same way: the record's header fields
//! ([`ContactFields`], [`AccountFields`]), the fields the admin chose, and the sections
//! ([`SectionRecords`]), as one [`PanelRecord`]. Every field but the Id may be missing:
//! the queries name only what the org lets the integration read. The record's fields make
//! its header and details; the sections are ordered for reading, whatever the record.

use super::queries::QueryPlan;
use crate::salesforce::{FieldType, QueryResponse, SfDate, SfDateTime, null_as_empty};
use contract::api::{
    AccountSuggestion, CaseSummary, ContactChoice, DetailField, EventSummary, LeadSummary,
    NoteSummary, OpportunitySummary, RecordDetails, RecordKind, SalesforceView, SearchHit,
    TaskSummary,
};
use contract::ids::SfId;
use contract::panel_fields::PanelObject;
use serde::Deserialize;
use serde_json::{Map, Value};

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

/// A contact or an account as a [`QueryPlan`] reads it: its header fields, the
/// admin's chosen fields (among `rest`) and its sections.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PanelRecord<F> {
    #[serde(flatten)]
    pub fields: F,
    #[serde(flatten)]
    pub sections: SectionRecords,
    /// Everything else the query read: the chosen fields, by API name.
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// A contact as [`QueryPlan::panel_lookup`] reads it, children included.
pub type PanelContact = PanelRecord<ContactFields>;
/// An account as [`QueryPlan::account_panel_lookup`] reads it, children included.
pub type PanelAccount = PanelRecord<AccountFields>;

/// A record's own fields, as the panel shows them.
pub trait RecordFields {
    const OBJECT: PanelObject;
    const KIND: RecordKind;
    fn id(&self) -> &SfId;
    /// The record's header and `details`; `link` gives a record's page in the org.
    fn into_details(
        self,
        link: &dyn Fn(&SfId) -> String,
        details: Vec<DetailField>,
    ) -> RecordDetails;
}

impl<F: RecordFields> PanelRecord<F> {
    /// Everything the panel shows, ordered for reading: open opportunities first by
    /// close date then closed ones, newest notes first, events and tasks by time; with a
    /// note for each section the profile sees and the org cannot serve.
    pub fn into_view(self, instance_url: &str, plan: &QueryPlan<'_>) -> SalesforceView {
        let link = linker(instance_url);
        let id = self.fields.id().clone();
        let details = chosen_details(plan, F::OBJECT, &self.rest);
        let sections = self.sections.read(&link, plan);
        SalesforceView {
            kind: F::KIND,
            url: link(&id),
            id,
            record: Some(self.fields.into_details(&link, details)),
            opportunities: Some(sections.opportunities),
            notes: Some(sections.notes),
            events: Some(sections.events),
            tasks: Some(sections.tasks),
            cases: plan.serves_cases(F::KIND).then_some(sections.cases),
            ticket_case: None,
            actions: vec![],
            unavailable: plan.unavailable(F::KIND),
        }
    }
}

/// The admin's chosen fields of `object` that have a value, labelled as the org labels
/// them and shown as their type reads.
fn chosen_details(
    plan: &QueryPlan<'_>,
    object: PanelObject,
    values: &Map<String, Value>,
) -> Vec<DetailField> {
    let schema = plan.schema();
    let currency = values
        .get("CurrencyIsoCode")
        .and_then(Value::as_str)
        .or(schema.default_currency.as_deref());
    plan.chosen()
        .get(object)
        .iter()
        .filter_map(|name| {
            let field = schema.object(object.salesforce_name())?.field(name)?;
            let value = display(&field.kind, values.get(&field.name)?, currency)?;
            Some(DetailField {
                label: field.label.clone(),
                value,
            })
        })
        .collect()
}

/// A field's value as text, by its type; `None` when it has none.
fn display(kind: &FieldType, value: &Value, currency: Option<&str>) -> Option<String> {
    let text = match value {
        Value::Null => return None,
        Value::Bool(true) => "Yes".to_owned(),
        Value::Bool(false) => "No".to_owned(),
        Value::Number(number) => {
            let n = number.as_f64()?;
            match kind {
                FieldType::Currency => money(n, currency),
                FieldType::Percent => format!("{}%", decimal(n)),
                _ => decimal(n),
            }
        }
        Value::String(text) if *kind == FieldType::MultiPicklist => text.replace(';', ", "),
        Value::String(text) if *kind == FieldType::DateTime => SfDateTime::parse(text)
            .map(|t| {
                let iso = t.to_iso8601();
                format!("{} {} UTC", &iso[..10], &iso[11..16])
            })
            .unwrap_or_else(|_| text.clone()),
        Value::String(text) => text.clone(),
        Value::Array(_) | Value::Object(_) => return None,
    };
    (!text.trim().is_empty()).then_some(text)
}

/// `1250` -> `1,250`; `12.5` -> `12.5`.
fn decimal(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        let sign = if n < 0.0 { "-" } else { "" };
        format!("{sign}{}", group_thousands(n.abs() as u64))
    } else {
        n.to_string()
    }
}

/// An amount with its currency: `EUR 48,000.00`.
fn money(n: f64, currency: Option<&str>) -> String {
    let cents = (n.abs() * 100.0).round() as u64;
    let sign = if n < 0.0 { "-" } else { "" };
    let amount = format!("{sign}{}.{:02}", group_thousands(cents / 100), cents % 100);
    match currency {
        Some(code) => format!("{code} {amount}"),
        None => amount,
    }
}

/// The sections of a record as Salesforce answers them: nested query results, or
/// `null` when there are none (or the query did not ask).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SectionRecords {
    #[serde(default, deserialize_with = "null_as_empty")]
    pub opportunities: QueryResponse<OpportunityRecord>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub opportunity_contact_roles: QueryResponse<ContactRoleRecord>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub notes: QueryResponse<NoteRecord>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub attached_content_notes: QueryResponse<ContentNoteRecord>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub tasks: QueryResponse<TaskRecord>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub events: QueryResponse<EventRecord>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub cases: QueryResponse<CaseRecord>,
}

/// The sections of a record, ordered for reading.
struct Sections {
    opportunities: Vec<OpportunitySummary>,
    notes: Vec<NoteSummary>,
    events: Vec<EventSummary>,
    tasks: Vec<TaskSummary>,
    cases: Vec<CaseSummary>,
}

impl SectionRecords {
    fn read(self, link: &dyn Fn(&SfId) -> String, plan: &QueryPlan<'_>) -> Sections {
        let schema = plan.schema();
        let opportunity = |o: OpportunityRecord, role: Option<String>| {
            let fields = chosen_details(plan, PanelObject::Opportunity, &o.rest);
            OpportunitySummary {
                url: link(&o.id),
                currency: o
                    .currency_iso_code
                    .or_else(|| schema.default_currency.clone()),
                id: o.id,
                name: o.name.unwrap_or_default(),
                stage: o.stage_name.unwrap_or_default(),
                amount: o.amount,
                close_date: o.close_date.map(|d| d.to_string()),
                probability: o.probability,
                is_closed: o.is_closed.unwrap_or(false),
                is_won: o.is_won.unwrap_or(false),
                role,
                fields,
            }
        };
        let mut opportunities: Vec<OpportunitySummary> = self
            .opportunities
            .records
            .into_iter()
            .map(|o| opportunity(o, None))
            .collect();
        // An opportunity the contact has a role on, unless it is already theirs.
        for role in self.opportunity_contact_roles.records {
            if let Some(o) = role.opportunity {
                match opportunities.iter_mut().find(|known| known.id == o.id) {
                    Some(known) => known.role = role.role,
                    None => opportunities.push(opportunity(o, role.role)),
                }
            }
        }
        opportunities
            .sort_by(|a, b| (a.is_closed, &a.close_date).cmp(&(b.is_closed, &b.close_date)));
        let mut notes: Vec<NoteSummary> = self
            .notes
            .records
            .into_iter()
            .map(|n| NoteSummary {
                url: link(&n.id),
                id: n.id,
                title: n.title.unwrap_or_default(),
                body: n.body.unwrap_or_default(),
                author: n.created_by.and_then(|c| c.name),
                created: n.created_date.map(|t| t.to_iso8601()).unwrap_or_default(),
            })
            .chain(self.attached_content_notes.records.into_iter().map(|n| {
                // Lightning opens an enhanced note by its document.
                let id = n.content_document_id.unwrap_or(n.id);
                NoteSummary {
                    url: link(&id),
                    id,
                    title: n.title.unwrap_or_default(),
                    body: n.text_preview.unwrap_or_default(),
                    author: None,
                    created: n.created_date.map(|t| t.to_iso8601()).unwrap_or_default(),
                }
            }))
            .collect();
        notes.sort_by(|a, b| b.created.cmp(&a.created));
        let mut events: Vec<EventSummary> = self
            .events
            .records
            .into_iter()
            .map(|e| {
                let all_day = e.is_all_day.unwrap_or(false);
                // An all-day event is a day, not an instant: Salesforce keeps it at
                // midnight GMT, which is the day before west of Greenwich. The day is
                // `ActivityDate` (and the end's GMT date).
                let (start, end) = if all_day {
                    (
                        e.activity_date
                            .or(e.start_date_time.map(|t| t.date()))
                            .map(|d| d.to_string()),
                        e.end_date_time.map(|t| t.date().to_string()),
                    )
                } else {
                    (
                        e.start_date_time.map(|t| t.to_iso8601()),
                        e.end_date_time.map(|t| t.to_iso8601()),
                    )
                };
                EventSummary {
                    url: link(&e.id),
                    id: e.id,
                    subject: e.subject.unwrap_or_default(),
                    start,
                    end,
                    all_day,
                    location: e.location,
                }
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
        let mut cases: Vec<CaseSummary> = self
            .cases
            .records
            .into_iter()
            .map(|c| CaseSummary {
                url: link(&c.id),
                id: c.id,
                number: c.case_number.unwrap_or_default(),
                subject: c.subject,
                status: c.status,
                priority: c.priority,
                is_closed: c.is_closed.unwrap_or(false),
                opened: c.created_date.map(|t| t.to_iso8601()),
                closed: c.closed_date.map(|t| t.to_iso8601()),
            })
            .collect();
        // Open ones first, each part newest first.
        cases.sort_by(|a, b| (a.is_closed, &b.opened).cmp(&(b.is_closed, &a.opened)));
        Sections {
            opportunities,
            notes,
            events,
            tasks,
            cases,
        }
    }
}

/// `https://org.my.salesforce.com/<id>`: the record in the org's own UI.
fn linker(instance_url: &str) -> impl Fn(&SfId) -> String {
    let base = instance_url.trim_end_matches('/').to_owned();
    move |id: &SfId| format!("{base}/{id}")
}

/// A contact's header fields, as far as the org lets the integration read them; as
/// [`QueryPlan::requester_contacts`] reads them, enough to choose among contacts and
/// to find their accounts.
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
    /// The contact half of a person account (Person Accounts orgs only).
    #[serde(default)]
    pub is_person_account: Option<bool>,
}

impl ContactFields {
    /// A person account's contact is the person: their "account" is themselves.
    fn company(&self) -> Option<&SfId> {
        match self.is_person_account {
            Some(true) => None,
            _ => self.account_id.as_ref(),
        }
    }

    /// How the contact is told apart from others with the same email.
    pub fn choice(&self) -> ContactChoice {
        ContactChoice {
            id: self.id.clone(),
            name: self.name.clone(),
            title: self.title.clone(),
            account_name: self
                .company()
                .and(self.account.as_ref())
                .and_then(|a| a.name.clone()),
        }
    }
}

impl RecordFields for ContactFields {
    const OBJECT: PanelObject = PanelObject::Contact;
    const KIND: RecordKind = RecordKind::Contact;

    fn id(&self) -> &SfId {
        &self.id
    }

    fn into_details(
        self,
        link: &dyn Fn(&SfId) -> String,
        fields: Vec<DetailField>,
    ) -> RecordDetails {
        let company = self.company().cloned();
        RecordDetails {
            account_name: company.as_ref().and(self.account).and_then(|a| a.name),
            account_url: company.as_ref().map(link),
            name: self.name,
            title: self.title,
            email: self.email,
            phone: self.phone,
            owner_name: self.owner.and_then(|o| o.name),
            fields,
        }
    }
}

/// An account's header fields, as [`QueryPlan::account_panel_lookup`] reads them.
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
    pub owner: Option<Named>,
    /// Person Accounts orgs only: whether the account is a person, and their details.
    #[serde(default)]
    pub is_person_account: Option<bool>,
    #[serde(default)]
    pub person_email: Option<String>,
    #[serde(default)]
    pub person_title: Option<String>,
}

impl PanelAccount {
    /// A person account shown as the person it is: their name, title, email and phone,
    /// no account line, and the sections kept on their account (a person's
    /// opportunities, notes and activities are on it).
    pub fn into_person_view(self, instance_url: &str, plan: &QueryPlan<'_>) -> SalesforceView {
        let email = self.fields.person_email.clone();
        let title = self.fields.person_title.clone();
        let mut view = self.into_view(instance_url, plan);
        view.kind = RecordKind::Contact;
        if let Some(record) = view.record.as_mut() {
            record.email = email;
            record.title = title;
        }
        view
    }
}

impl RecordFields for AccountFields {
    const OBJECT: PanelObject = PanelObject::Account;
    const KIND: RecordKind = RecordKind::Account;

    fn id(&self) -> &SfId {
        &self.id
    }

    /// Industry and type under the name.
    fn into_details(
        self,
        _link: &dyn Fn(&SfId) -> String,
        fields: Vec<DetailField>,
    ) -> RecordDetails {
        let present = |value: Option<String>| value.filter(|v| !v.trim().is_empty());
        let title = [present(self.industry), present(self.account_type)]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · ");
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
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub stage_name: Option<String>,
    #[serde(default)]
    pub amount: Option<f64>,
    /// Multi-currency orgs only.
    #[serde(default)]
    pub currency_iso_code: Option<String>,
    #[serde(default)]
    pub close_date: Option<SfDate>,
    #[serde(default)]
    pub probability: Option<f64>,
    #[serde(default)]
    pub is_closed: Option<bool>,
    #[serde(default)]
    pub is_won: Option<bool>,
    /// The admin's chosen fields.
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// An `OpportunityContactRole`: the contact's part in an opportunity, maybe of another
/// account.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContactRoleRecord {
    pub id: SfId,
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub opportunity: Option<OpportunityRecord>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NoteRecord {
    pub id: SfId,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub created_by: Option<Named>,
    #[serde(default)]
    pub created_date: Option<SfDateTime>,
}

/// An enhanced note (Lightning's `ContentNote`) as `AttachedContentNotes` lists it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContentNoteRecord {
    pub id: SfId,
    #[serde(default)]
    pub content_document_id: Option<SfId>,
    #[serde(default)]
    pub title: Option<String>,
    /// The note's first 255 characters as plain text.
    #[serde(default)]
    pub text_preview: Option<String>,
    #[serde(default)]
    pub created_date: Option<SfDateTime>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TaskRecord {
    pub id: SfId,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub priority: Option<String>,
    #[serde(default)]
    pub activity_date: Option<SfDate>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EventRecord {
    pub id: SfId,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub start_date_time: Option<SfDateTime>,
    #[serde(default)]
    pub end_date_time: Option<SfDateTime>,
    #[serde(rename = "IsAllDayEvent", default)]
    pub is_all_day: Option<bool>,
    /// The day of an all-day event.
    #[serde(default)]
    pub activity_date: Option<SfDate>,
    #[serde(default)]
    pub location: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CaseRecord {
    pub id: SfId,
    #[serde(default)]
    pub case_number: Option<String>,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub priority: Option<String>,
    #[serde(default)]
    pub is_closed: Option<bool>,
    #[serde(default)]
    pub created_date: Option<SfDateTime>,
    #[serde(default)]
    pub closed_date: Option<SfDateTime>,
}

/// A lead as [`QueryPlan::lead_by_email`] reads it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LeadRecord {
    pub id: SfId,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub company: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
}

impl LeadRecord {
    pub fn summary(self, instance_url: &str) -> LeadSummary {
        LeadSummary {
            url: linker(instance_url)(&self.id),
            id: self.id,
            name: self.name.unwrap_or_default(),
            company: self.company,
            status: self.status,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::schema::{OrgSchema, full_org};
    use super::*;
    use contract::panel_fields::{PanelFields, PerObject};
    use contract::permissions::Items;

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

    fn plan_view(record: PanelContact, org: &OrgSchema, chosen: &PanelFields) -> SalesforceView {
        record.into_view(
            "https://org.example/",
            &QueryPlan::new(org, chosen, Items::ALL),
        )
    }

    fn subscription_type() -> PanelFields {
        PerObject {
            contact: vec!["Subscription_Type__c".into(), "Department".into()],
            ..PanelFields::standard()
        }
    }

    #[test]
    fn decodes_the_panel_lookup() {
        let page: QueryResponse<PanelContact> = serde_json::from_str(PANEL_PAGE).unwrap();
        let maya = &page.records[0];
        assert_eq!(
            maya.fields.owner.as_ref().unwrap().name.as_deref(),
            Some("Sam Admin")
        );
        assert_eq!(maya.fields.account_id.as_ref().unwrap().key_prefix(), "001");
        assert_eq!(maya.rest["Subscription_Type__c"], "Enterprise");
        let opportunities = &maya.sections.opportunities.records;
        assert_eq!(opportunities.len(), 2);
        assert_eq!(
            opportunities[0].close_date,
            SfDate::parse("2027-01-31").ok()
        );
        assert_eq!(opportunities[0].amount, Some(48000.0));
        assert_eq!(opportunities[0].is_closed, Some(false));
        assert!(opportunities[1].is_won == Some(true) && opportunities[1].amount.is_none());
        assert_eq!(opportunities[1].probability, Some(100.0));
        let note = &maya.sections.notes.records[0];
        assert_eq!(
            note.created_by.as_ref().unwrap().name.as_deref(),
            Some("Sam Admin")
        );
        assert_eq!(
            note.created_date.unwrap().to_wire(),
            "2025-12-16T13:05:30.000+0000"
        );
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
    fn a_record_without_the_fields_an_org_hides_still_reads() {
        let page = r#"{"totalSize":1,"done":true,"records":[{"Id":"0035g00000A1b2cAAB","Name":"Maya Patel",
            "Opportunities":{"totalSize":1,"done":true,"records":[{"Id":"0065g00000D4e5fAAB"}]},
            "Notes":{"totalSize":1,"done":true,"records":[{"Id":"0025g00000E5f6gAAB"}]}}]}"#;
        let page: QueryResponse<PanelContact> = serde_json::from_str(page).unwrap();
        let view = plan_view(page.records[0].clone(), &full_org(), &subscription_type());
        let record = view.record.unwrap();
        assert_eq!((record.title, record.account_url), (None, None));
        assert!(record.fields.is_empty());
        assert_eq!(view.opportunities.unwrap()[0].name, "");
        assert_eq!(view.notes.unwrap()[0].created, "");
    }

    #[test]
    fn the_view_orders_sections_for_reading_and_shows_the_chosen_fields() {
        let page: QueryResponse<PanelContact> = serde_json::from_str(PANEL_PAGE).unwrap();
        let view = plan_view(
            page.records.into_iter().next().unwrap(),
            &full_org(),
            &subscription_type(),
        );
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
                label: "Subscription_Type__c".into(),
                value: "Enterprise".into()
            }],
            "as labelled by the org; fields without a value are left out"
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
        assert_eq!(
            opportunities[0].currency.as_deref(),
            Some("USD"),
            "a single-currency org's amounts are in its currency"
        );
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
        assert!(view.unavailable.is_empty());
    }

    #[test]
    fn roles_enhanced_notes_currencies_and_all_day_events_read_as_the_org_keeps_them() {
        let page = r#"{"totalSize":1,"done":true,"records":[{"Id":"0035g00000A1b2cAAB","Name":"Maya Patel",
            "Opportunities":{"totalSize":1,"done":true,"records":[{"Id":"0065g00000D4e5fAAB","Name":"Renewal",
               "Amount":48000.0,"CurrencyIsoCode":"EUR","IsClosed":false,"NextStep":"Call CFO"}]},
            "OpportunityContactRoles":{"totalSize":2,"done":true,"records":[
               {"Id":"00K5g00000A1b2c","Role":"Decision Maker","Opportunity":{"Id":"0065g00000D4e5fAAB","Name":"Renewal"}},
               {"Id":"00K5g00000A1b2d","Role":"Evaluator","Opportunity":{"Id":"0065g00000D4e5h","Name":"Partner deal",
                  "Amount":1200000,"CurrencyIsoCode":"JPY","IsClosed":false,"CloseDate":"2027-03-01"}}]},
            "Notes":{"totalSize":1,"done":true,"records":[{"Id":"0025g00000E5f6gAAB","Title":"Classic",
               "CreatedDate":"2025-12-16T13:05:30.000+0000"}]},
            "AttachedContentNotes":{"totalSize":2,"done":true,"records":[
               {"Id":"0695g00000A1b2c","ContentDocumentId":"0695g00000A1b2c","Title":"Newer","TextPreview":"Renewal call",
                "CreatedDate":"2026-01-02T09:00:00.000+0000"},
               {"Id":"0695g00000A1b2d","Title":"Oldest","CreatedDate":"2024-01-02T09:00:00.000+0000"}]},
            "Events":{"totalSize":2,"done":true,"records":[
               {"Id":"00U5g00000A1b2c","Subject":"Offsite","IsAllDayEvent":true,"ActivityDate":"2026-12-07",
                "StartDateTime":"2026-12-07T00:00:00.000+0000","EndDateTime":"2026-12-08T00:00:00.000+0000"},
               {"Id":"00U5g00000A1b2d","Subject":"Call","IsAllDayEvent":false,
                "StartDateTime":"2026-12-06T15:00:00.000+0000","EndDateTime":"2026-12-06T15:30:00.000+0000"}]}}]}"#;
        let page: QueryResponse<PanelContact> = serde_json::from_str(page).unwrap();
        let chosen = PerObject {
            opportunity: vec!["NextStep".into()],
            ..PanelFields::standard()
        };
        let view = plan_view(page.records[0].clone(), &full_org(), &chosen);
        let opportunities = view.opportunities.unwrap();
        let summary: Vec<(&str, Option<&str>, Option<&str>)> = opportunities
            .iter()
            .map(|o| (o.name.as_str(), o.currency.as_deref(), o.role.as_deref()))
            .collect();
        assert_eq!(
            summary,
            [
                ("Renewal", Some("EUR"), Some("Decision Maker")),
                ("Partner deal", Some("JPY"), Some("Evaluator")),
            ],
            "one list, each once, in its own currency"
        );
        assert_eq!(
            opportunities[0].fields,
            vec![DetailField {
                label: "NextStep".into(),
                value: "Call CFO".into()
            }]
        );
        let notes: Vec<(&str, &str)> = view
            .notes
            .as_ref()
            .unwrap()
            .iter()
            .map(|n| (n.title.as_str(), n.body.as_str()))
            .collect();
        assert_eq!(
            notes,
            [("Newer", "Renewal call"), ("Classic", ""), ("Oldest", "")],
            "classic and enhanced notes, newest first"
        );
        let events = view.events.unwrap();
        assert_eq!(
            (
                events[0].subject.as_str(),
                events[0].start.as_deref(),
                events[0].all_day
            ),
            ("Call", Some("2026-12-06T15:00:00+00:00"), false)
        );
        assert_eq!(
            (
                events[1].start.as_deref(),
                events[1].end.as_deref(),
                events[1].all_day
            ),
            (Some("2026-12-07"), Some("2026-12-08"), true),
            "an all-day event is its day, in every time zone"
        );
    }

    #[test]
    fn a_person_accounts_contact_is_the_person_not_a_company_member() {
        let page = r#"{"totalSize":1,"done":true,"records":[{"Id":"0035g00000A1b2cAAB","Name":"Lee Chen",
            "AccountId":"0015g00000B2c3dAAB","Account":{"Name":"Lee Chen"},"IsPersonAccount":true}]}"#;
        let page: QueryResponse<PanelContact> = serde_json::from_str(page).unwrap();
        assert_eq!(page.records[0].fields.choice().account_name, None);
        let record = plan_view(
            page.records[0].clone(),
            &full_org(),
            &PanelFields::standard(),
        )
        .record
        .unwrap();
        assert_eq!((record.account_name, record.account_url), (None, None));
    }

    #[test]
    fn values_read_as_their_types() {
        assert_eq!(
            display(
                &FieldType::Currency,
                &serde_json::json!(1234.5),
                Some("EUR")
            ),
            Some("EUR 1,234.50".into())
        );
        assert_eq!(
            display(&FieldType::Int, &serde_json::json!(1250), None),
            Some("1,250".into())
        );
        assert_eq!(
            display(&FieldType::Percent, &serde_json::json!(12.5), None),
            Some("12.5%".into())
        );
        assert_eq!(
            display(&FieldType::Boolean, &serde_json::json!(false), None),
            Some("No".into())
        );
        assert_eq!(
            display(&FieldType::MultiPicklist, &serde_json::json!("A;B"), None),
            Some("A, B".into())
        );
        assert_eq!(
            display(
                &FieldType::DateTime,
                &serde_json::json!("2025-12-16T13:05:30.000+0000"),
                None
            ),
            Some("2025-12-16 13:05 UTC".into())
        );
        assert_eq!(display(&FieldType::String, &Value::Null, None), None);
        assert_eq!(
            display(&FieldType::String, &serde_json::json!(" "), None),
            None
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
        let (org, chosen) = (full_org(), PanelFields::standard());
        let view = page.records[0].clone().into_view(
            "https://org.example",
            &QueryPlan::new(&org, &chosen, Items::ALL),
        );
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
                ("BillingCity", "Seattle"),
                ("BillingCountry", "United States"),
                ("NumberOfEmployees", "1,250")
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
