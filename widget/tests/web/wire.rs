//! The agent panel reads the edge's JSON without serde (`widget::wire`): what the edge
//! writes with serde (the contract's own types) must read back to the same value, each
//! state and every field filled, and each optional field left out.

use crate::fixtures::id;
use contract::api::{
    AccountSuggestion, Action, ActionDone, ActionOn, ApiError, CaseSummary, ContactChoice,
    DetailField, ErrorBody, ErrorCode, EventSummary, LeadSummary, NoteSummary, OpportunitySummary,
    Panel, PanelChoice, RecordDetails, RecordKind, SalesforceView, SearchHit, Section, SectionNote,
    TaskSummary,
};
use contract::context::{
    InstallationSecret, InstallationSecretRequest, RecordInView, Session, SessionRequest,
};
use contract::ids::Email;
use contract::wire_name::WireName;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt::Debug;
use wasm_bindgen_test::wasm_bindgen_test;
use widget::json::{FromJson, JsonError, ToJson, parse};

/// `value` as the edge writes it reads back as `value`.
fn reads_back<T: Serialize + FromJson + PartialEq + Debug>(value: &T) {
    let json = serde_json::to_string(value).unwrap();
    assert_eq!(parse::<T>(&json).as_ref(), Ok(value), "{json}");
}

fn text(s: &str) -> Option<String> {
    Some(s.to_owned())
}

fn email() -> Email {
    Email::parse("ada@northwind.test").unwrap()
}

fn fields() -> Vec<DetailField> {
    vec![DetailField {
        label: "Subscription Type".into(),
        value: "Enterprise".into(),
    }]
}

fn contact_choice() -> ContactChoice {
    ContactChoice {
        id: id("003", 2),
        name: "Ada Lovelace".into(),
        title: text("CTO"),
        account_name: text("Northwind"),
    }
}

fn suggestion() -> AccountSuggestion {
    AccountSuggestion {
        id: id("001", 3),
        name: "Northwind".into(),
        website: text("northwind.test"),
    }
}

fn lead() -> LeadSummary {
    LeadSummary {
        id: id("00Q", 4),
        name: "Ada Lovelace".into(),
        company: text("Northwind"),
        status: text("Open - Not Contacted"),
        url: "https://acme.my.salesforce.com/00Q".into(),
    }
}

fn case_done() -> ActionDone {
    ActionDone {
        action: Action::OpenCase,
        id: id("500", 5),
        url: "https://acme.my.salesforce.com/500".into(),
        number: text("00001026"),
        earlier: true,
    }
}

/// A record's view with every field filled.
fn full_view() -> SalesforceView {
    SalesforceView {
        kind: RecordKind::Account,
        id: id("001", 1),
        url: "https://acme.my.salesforce.com/001".into(),
        record: Some(RecordDetails {
            name: "Northwind".into(),
            title: text("Partner"),
            email: text("hello@northwind.test"),
            phone: text("+1 415 555 0142"),
            account_name: text("Northwind Holdings"),
            account_url: text("https://acme.my.salesforce.com/001b"),
            owner_name: text("Daniel Kim"),
            fields: fields(),
        }),
        opportunities: Some(vec![OpportunitySummary {
            id: id("006", 6),
            name: "Renewal".into(),
            stage: "Negotiation".into(),
            amount: Some(12_500.5),
            currency: text("EUR"),
            close_date: text("2025-12-16"),
            probability: Some(90.0),
            is_closed: true,
            is_won: true,
            url: "https://acme.my.salesforce.com/006".into(),
            role: text("Decision Maker"),
            fields: fields(),
        }]),
        notes: Some(vec![NoteSummary {
            id: id("002", 7),
            title: "Call".into(),
            body: "Wants \"quotes\", naïve ünïcode and a\nnewline 🙂".into(),
            author: text("Daniel Kim"),
            created: "2025-12-01T10:00:00Z".into(),
            url: "https://acme.my.salesforce.com/002".into(),
        }]),
        events: Some(vec![EventSummary {
            id: id("00U", 8),
            subject: "Onboarding".into(),
            start: text("2025-12-11"),
            end: text("2025-12-12"),
            all_day: true,
            location: text("Zoom"),
            url: "https://acme.my.salesforce.com/00U".into(),
        }]),
        tasks: Some(vec![TaskSummary {
            id: id("00T", 9),
            subject: "Send the quote".into(),
            status: text("Not Started"),
            priority: text("High"),
            due_date: text("2025-12-09"),
            url: "https://acme.my.salesforce.com/00T".into(),
        }]),
        cases: Some(vec![CaseSummary {
            id: id("500", 10),
            number: "00001027".into(),
            subject: text("Login fails"),
            status: text("Closed"),
            priority: text("Medium"),
            is_closed: true,
            opened: text("2025-11-20T08:00:00Z"),
            closed: text("2025-11-25T08:00:00Z"),
            url: "https://acme.my.salesforce.com/500b".into(),
        }]),
        ticket_case: Some(Box::new(case_done())),
        actions: Action::ON_RECORD.to_vec(),
        unavailable: Section::ALL
            .into_iter()
            .map(|section| SectionNote {
                section,
                message: "Not readable".into(),
            })
            .collect(),
    }
}

/// A record's view with every optional field left out.
fn bare_view() -> SalesforceView {
    SalesforceView {
        kind: RecordKind::Contact,
        id: id("003", 1),
        url: "https://acme.my.salesforce.com/003".into(),
        record: None,
        opportunities: None,
        notes: None,
        events: None,
        tasks: None,
        cases: None,
        ticket_case: None,
        actions: vec![],
        unavailable: vec![],
    }
}

#[wasm_bindgen_test]
fn every_panel_state_reads_as_the_edge_writes_it() {
    for panel in [
        Panel::NotConnected { can_connect: true },
        Panel::NotConnected { can_connect: false },
        Panel::NoRequester,
        Panel::NoMatch {
            email: email(),
            suggestion: Some(suggestion()),
            lead: Some(lead()),
            actions: Action::ON_UNKNOWN.to_vec(),
        },
        Panel::NoMatch {
            email: email(),
            suggestion: None,
            lead: None,
            actions: vec![],
        },
        Panel::NoAccount {
            contact: Some(contact_choice()),
            name: text("Northwind"),
            suggestion: Some(suggestion()),
        },
        Panel::NoAccount {
            contact: None,
            name: None,
            suggestion: None,
        },
        Panel::View { view: full_view() },
        Panel::View { view: bare_view() },
        Panel::Choose {
            email: email(),
            candidates: vec![contact_choice(), contact_choice()],
        },
    ] {
        reads_back(&panel);
    }
}

#[wasm_bindgen_test]
fn every_other_answer_reads_as_the_edge_writes_it() {
    for kind in [RecordKind::Contact, RecordKind::Account] {
        reads_back(&vec![
            SearchHit {
                kind,
                id: id("003", 11),
                name: "Ada".into(),
                detail: text("CTO, Northwind"),
            },
            SearchHit {
                kind,
                id: id("001", 12),
                name: "Northwind".into(),
                detail: None,
            },
        ]);
    }
    reads_back(&Vec::<SearchHit>::new());
    for action in Action::ALL {
        reads_back(&ActionDone {
            action,
            ..case_done()
        });
    }
    reads_back(&ActionDone {
        number: None,
        earlier: false,
        ..case_done()
    });
    for &code in ErrorCode::VARIANTS {
        reads_back(&ErrorBody {
            error: ApiError::new(code, "why"),
        });
    }
    reads_back(&Session {
        token: "a.b.c".into(),
        expires_at: 1_900_000_000,
    });
    reads_back(&InstallationSecret {
        secret: "abc".into(),
    });
}

/// The panel's request bodies read as the edge reads them (serde).
fn edge_reads<T: DeserializeOwned>(json: &str) -> T {
    serde_json::from_str(json).unwrap_or_else(|error| panic!("{json}: {error}"))
}

/// `value` as the panel writes it is what serde writes, and reads back as `value`.
fn writes_as_serde<T: Serialize + DeserializeOwned + ToJson + PartialEq + Debug>(value: &T) {
    let json = value.to_json();
    assert_eq!(
        edge_reads::<serde_json::Value>(&json),
        serde_json::to_value(value).unwrap()
    );
    assert_eq!(&edge_reads::<T>(&json), value, "{json}");
}

#[wasm_bindgen_test]
fn the_panels_request_bodies_are_what_the_edge_reads() {
    writes_as_serde(&PanelChoice {
        contact: id("003", 13),
    });
    writes_as_serde(&ActionOn {
        record: id("001", 14),
    });
    writes_as_serde(&InstallationSecretRequest {
        org: "60012345".into(),
    });
    let asked = |profile_id: Option<&str>, view: RecordInView| SessionRequest {
        org: "60012345".into(),
        agent: "5001".into(),
        profile_id: profile_id.map(str::to_owned),
        view,
    };
    writes_as_serde(&asked(None, RecordInView::default()));
    writes_as_serde(&asked(
        Some("7001"),
        RecordInView {
            ticket: text("9001"),
            contact: text("9002"),
            account: text("9003"),
        },
    ));
}

#[wasm_bindgen_test]
fn what_serde_refuses_is_refused() {
    let shape = |json: &str| match parse::<Panel>(json) {
        Err(JsonError::Shape { at, .. }) => at,
        other => panic!("{json}: {other:?}"),
    };
    assert_eq!(shape(r#"{"state":"not_connected"}"#), "can_connect");
    assert_eq!(shape(r#"{"state":"view"}"#), "view");
    assert_eq!(
        shape(r#"{"state":"choose","email":"a@b.example"}"#),
        "candidates"
    );
    assert_eq!(shape(r#"{"state":"no_match"}"#), "email");
    assert_eq!(shape(r#"{"state":"no_match","email":"nope"}"#), "email");
    assert_eq!(shape(r#"{"state":"elsewhere"}"#), "state");
    assert_eq!(shape(r#"{"can_connect":true}"#), "state");
    assert_eq!(shape(r#"[]"#), "");
    assert_eq!(
        shape(r#"{"state":"view","view":{"kind":"lead","id":"001A000001abcde","url":"u"}}"#),
        "view.kind"
    );
    assert_eq!(
        shape(r#"{"state":"view","view":{"kind":"account","id":"001A000001abcdeZZZ","url":"u"}}"#),
        "view.id"
    );
    assert_eq!(
        shape(
            r#"{"state":"view","view":{"kind":"account","id":"001A000001abcde","url":"u","notes":[{"id":"002A000001abcde"}]}}"#
        ),
        "view.notes.title"
    );
    assert!(matches!(
        parse::<Panel>("<html>"),
        Err(JsonError::Syntax(_))
    ));
    assert!(parse::<Session>(r#"{"token":"t","expires_at":-1}"#).is_err());
    assert!(parse::<Session>(r#"{"token":"t","expires_at":1.5}"#).is_err());
    for refused in [
        r#"{"state":"no_match","email":"a@b.example"}"#,
        r#"{"error":{"code":"teapot","message":"m"}}"#,
    ] {
        assert!(serde_json::from_str::<ErrorBody>(refused).is_err());
        assert!(parse::<ErrorBody>(refused).is_err(), "{refused}");
    }
}

#[wasm_bindgen_test]
fn an_older_no_match_answer_still_reads() {
    assert_eq!(
        parse::<Panel>(r#"{"state":"no_match","email":"a@b.example","later":1}"#),
        Ok(Panel::NoMatch {
            email: Email::parse("a@b.example").unwrap(),
            suggestion: None,
            lead: None,
            actions: vec![],
        })
    );
}
