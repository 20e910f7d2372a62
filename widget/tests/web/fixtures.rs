//! Salesforce views to render: one full contact, with every section, and builders for
//! single items. Dates are fixed relative to [`now`].

use contract::api::{
    DetailField, EventSummary, NoteSummary, OpportunitySummary, RecordDetails, RecordKind,
    SalesforceView, TaskSummary,
};
use contract::ids::SfId;
use widget::components::format::{CalendarDate, Instant, Now};

pub const ORG: &str = "https://acme.my.salesforce.com/lightning/r";

pub fn id(prefix: &str, n: u64) -> SfId {
    SfId::from_parts(prefix, "5g", n).expect("a valid Id")
}

fn url(object: &str, id: &SfId) -> String {
    format!("{ORG}/{object}/{id}/view")
}

/// Noon (UTC) on Wednesday 2025-12-10; "today" is that day.
pub fn now() -> Now {
    Now {
        ms: Instant::parse("2025-12-10T12:00:00Z")
            .expect("a valid instant")
            .ms,
        today: CalendarDate {
            year: 2025,
            month: 12,
            day: 10,
        },
    }
}

pub fn maya() -> RecordDetails {
    RecordDetails {
        name: "Maya Patel".to_owned(),
        title: Some("Director of Operations".to_owned()),
        email: Some("maya@northwind.test".to_owned()),
        phone: Some("+1 (415) 555-0142".to_owned()),
        account_name: Some("Northwind Traders".to_owned()),
        account_url: Some(url("Account", &id("001", 1))),
        owner_name: Some("Daniel Kim".to_owned()),
        fields: vec![DetailField {
            label: "Subscription Type".to_owned(),
            value: "Enterprise".to_owned(),
        }],
    }
}

pub fn opportunity(n: u64, name: &str, stage: &str, closed: Option<bool>) -> OpportunitySummary {
    let id = id("006", n);
    OpportunitySummary {
        url: url("Opportunity", &id),
        id,
        name: name.to_owned(),
        stage: stage.to_owned(),
        amount: Some(12_500.0),
        currency: Some("USD".to_owned()),
        close_date: Some("2025-12-16".to_owned()),
        probability: Some(60.0),
        is_closed: closed.is_some(),
        is_won: closed == Some(true),
        role: None,
        fields: vec![],
    }
}

pub fn note(n: u64, title: &str, body: &str) -> NoteSummary {
    let id = id("002", n);
    NoteSummary {
        url: url("Note", &id),
        id,
        title: title.to_owned(),
        body: body.to_owned(),
        author: Some("Daniel Kim".to_owned()),
        created: "2025-12-01T15:30:00Z".to_owned(),
    }
}

pub fn event(n: u64, subject: &str, start: &str, end: &str) -> EventSummary {
    let id = id("00U", n);
    EventSummary {
        url: url("Event", &id),
        id,
        subject: subject.to_owned(),
        start: Some(start.to_owned()),
        end: Some(end.to_owned()),
        all_day: false,
        location: Some("Zoom".to_owned()),
    }
}

pub fn task(n: u64, subject: &str, status: &str, priority: &str, due: &str) -> TaskSummary {
    let id = id("00T", n);
    TaskSummary {
        url: url("Task", &id),
        id,
        subject: subject.to_owned(),
        status: Some(status.to_owned()),
        priority: Some(priority.to_owned()),
        due_date: Some(due.to_owned()),
    }
}

pub const LONG_BODY: &str = "Maya called about the delayed SSO rollout. Their IT team needs the \
    SAML metadata refreshed before Friday; we promised a follow-up from Solutions Engineering.";

/// Maya, with two open and two closed opportunities, two notes (one long), an upcoming
/// and a past event, and three tasks (overdue, open, completed).
pub fn full_view() -> SalesforceView {
    let contact = id("003", 1);
    SalesforceView {
        kind: RecordKind::Contact,
        url: url("Contact", &contact),
        id: contact,
        record: Some(maya()),
        opportunities: Some(vec![
            opportunity(1, "Platform renewal", "Negotiation/Review", None),
            OpportunitySummary {
                amount: Some(9_800.5),
                currency: Some("EUR".to_owned()),
                close_date: Some("2026-01-09".to_owned()),
                probability: Some(12.5),
                ..opportunity(2, "EU data residency", "Qualification", None)
            },
            opportunity(3, "Initial licence", "Closed Won", Some(true)),
            opportunity(4, "Analytics pilot", "Closed Lost", Some(false)),
        ]),
        notes: Some(vec![
            note(1, "Escalation call", LONG_BODY),
            note(2, "Prefers email", "Reachable 9-5 PT."),
        ]),
        events: Some(vec![
            event(
                1,
                "Quarterly review",
                "2025-11-04T17:00:00Z",
                "2025-11-04T18:00:00Z",
            ),
            event(
                2,
                "SSO session",
                "2025-12-16T14:00:00Z",
                "2025-12-16T15:30:00Z",
            ),
        ]),
        tasks: Some(vec![
            task(1, "Log QBR outcomes", "Completed", "Low", "2025-11-05"),
            task(2, "Send SAML metadata", "In Progress", "High", "2025-12-08"),
            task(3, "Prepare quote", "Not Started", "Normal", "2025-12-15"),
        ]),
        cases: None,
        ticket_case: None,
        actions: vec![],
        unavailable: vec![],
    }
}
