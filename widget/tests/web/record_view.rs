//! Browser tests of a record and its sections (opportunities, notes, events, tasks).

use crate::fixtures::{LONG_BODY, event, full_view, maya, now, opportunity, task};
use crate::support::{Mounted, mount};
use contract::api::{
    DetailField, EventSummary, OpportunitySummary, RecordKind, SalesforceView, Section, SectionNote,
};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::HtmlElement;
use widget::components::RecordView;

fn show(view: SalesforceView) -> Mounted {
    mount(move || view! { <RecordView view=view now=now() /> })
}

const SECTIONS: [&str; 4] = [
    "section-opportunities",
    "section-notes",
    "section-events",
    "section-tasks",
];

#[wasm_bindgen_test]
fn the_contact_header_shows_the_record() {
    let m = show(full_view());

    assert_eq!(m.text("record-name"), "Maya Patel");
    assert_eq!(m.get("record-name").tag_name(), "H2");
    assert_eq!(m.text("contact-name"), "Maya Patel", "the older hook stays");
    assert_eq!(m.text("record-title"), "Director of Operations");
    assert_eq!(m.text("account-name"), "Northwind Traders");
    assert_eq!(
        m.attr("account-name", "href"),
        maya().account_url,
        "the account opens in Salesforce"
    );
    assert_eq!(m.attr("account-name", "target").as_deref(), Some("_blank"));
    assert_eq!(
        m.attr("record-email", "href").as_deref(),
        Some("mailto:maya@northwind.test")
    );
    assert_eq!(
        m.attr("record-phone", "href").as_deref(),
        Some("tel:+14155550142")
    );
    assert_eq!(m.text("record-owner"), "Daniel Kim");
    assert_eq!(m.text("record-field"), "Enterprise");
    assert!(
        m.texts(".fields dt")
            .contains(&"Subscription Type".to_owned()),
        "{}",
        m.html()
    );
    assert_eq!(
        m.attr("record-header", "data-kind").as_deref(),
        Some("contact")
    );
}

#[wasm_bindgen_test]
fn the_record_opens_in_salesforce_in_a_new_tab() {
    let view = full_view();
    let url = view.url.clone();
    let m = show(view);

    assert_eq!(m.attr("view-in-salesforce", "href"), Some(url));
    assert_eq!(
        m.attr("view-in-salesforce", "target").as_deref(),
        Some("_blank")
    );
    assert_eq!(
        m.attr("view-in-salesforce", "rel").as_deref(),
        Some("noopener")
    );
    assert_eq!(
        m.attr("view-in-salesforce", "aria-label").as_deref(),
        Some("View in Salesforce")
    );
    assert_eq!(
        m.all("[data-testid=view-in-salesforce]").len(),
        1,
        "items have their own hook"
    );
}

#[wasm_bindgen_test]
fn script_links_are_never_rendered() {
    let mut view = full_view();
    view.url = "javascript:alert(1)".to_owned();
    if let Some(record) = view.record.as_mut() {
        record.account_url = Some("javascript:alert(2)".to_owned());
    }
    if let Some(opportunities) = view.opportunities.as_mut() {
        opportunities[0].url = "javascript:alert(3)".to_owned();
    }
    let m = show(view);

    assert!(!m.has("view-in-salesforce"));
    assert_eq!(m.text("account-name"), "Northwind Traders");
    assert_eq!(m.attr("account-name", "href"), None);
    assert!(!m.html().contains("javascript:"), "{}", m.html());
    assert_eq!(m.all("[data-testid=opportunity]").len(), 4);
}

#[wasm_bindgen_test]
fn an_account_shows_its_own_name_and_no_account_line() {
    let mut view = full_view();
    view.kind = RecordKind::Account;
    view.record = Some(contract::api::RecordDetails {
        name: "Northwind Traders".to_owned(),
        title: None,
        email: None,
        account_name: Some("Should not show".to_owned()),
        ..maya()
    });
    let m = show(view);

    assert_eq!(m.text("record-name"), "Northwind Traders");
    assert_eq!(m.text("account-name"), "Northwind Traders");
    assert!(!m.has("contact-name"));
    assert!(!m.html().contains("Should not show"));
    assert!(!m.has("record-email"));
    assert_eq!(m.text("record-phone"), "+1 (415) 555-0142");
    assert_eq!(
        m.attr("record-header", "data-kind").as_deref(),
        Some("account")
    );
}

#[wasm_bindgen_test]
fn hidden_details_leave_only_the_link() {
    let mut view = full_view();
    view.record = None;
    let m = show(view);

    assert!(m.has("record-header"));
    assert!(!m.has("record-name"));
    assert!(!m.has("contact-name"));
    assert!(m.has("view-in-salesforce"));
    assert!(m.has("section-notes"));
}

#[wasm_bindgen_test]
fn every_section_renders_from_its_data() {
    let m = show(full_view());

    for section in SECTIONS {
        assert!(m.has(section), "{section}: {}", m.html());
    }
    assert_eq!(
        m.texts("[data-testid=count]"),
        ["4", "2", "2", "3"],
        "the headings count each section's items"
    );
    assert_eq!(m.all("[data-testid=opportunity]").len(), 4);
    assert_eq!(m.all("[data-testid=note]").len(), 2);
    assert_eq!(m.all("[data-testid=event]").len(), 2);
    assert_eq!(m.all("[data-testid=task]").len(), 3);
    assert!(!m.has("empty"));
}

#[wasm_bindgen_test]
fn absent_sections_render_nothing() {
    let mut view = full_view();
    view.opportunities = None;
    let m = show(view);
    assert!(!m.has("section-opportunities"), "{}", m.html());
    assert!(!m.has("opportunity"));
    assert!(!m.html().contains("pportunit"), "not even a heading");
    assert!(m.has("section-notes") && m.has("section-events") && m.has("section-tasks"));

    let mut view = full_view();
    view.opportunities = None;
    view.notes = None;
    view.events = None;
    view.tasks = None;
    let m = show(view);
    for section in SECTIONS {
        assert!(!m.has(section), "{section}: {}", m.html());
    }
    assert_eq!(m.text("record-name"), "Maya Patel");
}

#[wasm_bindgen_test]
fn empty_sections_say_so_quietly() {
    let mut view = full_view();
    view.opportunities = Some(vec![]);
    view.notes = Some(vec![]);
    view.events = Some(vec![]);
    view.tasks = Some(vec![]);
    let m = show(view);

    assert_eq!(
        m.texts("[data-testid=empty]"),
        ["No opportunities", "No notes", "No events", "No tasks"]
    );
    assert_eq!(m.texts("[data-testid=count]"), ["0", "0", "0", "0"]);
    assert!(!m.has("opportunity") && !m.has("note") && !m.has("event") && !m.has("task"));
}

#[wasm_bindgen_test]
fn opportunities_show_amount_stage_close_date_and_probability() {
    let m = show(full_view());

    let open = "[data-testid=open-opportunities] [data-testid=opportunity]";
    assert_eq!(
        m.texts(&format!("{open} [data-testid=item-link]")),
        ["Platform renewal", "EU data residency"]
    );
    assert_eq!(
        m.texts(&format!("{open} [data-testid=opportunity-amount]")),
        ["$12,500", "€9,800.50"]
    );
    assert_eq!(
        m.texts(&format!("{open} [data-testid=opportunity-stage]")),
        ["Negotiation/Review", "Qualification"]
    );
    assert_eq!(
        m.texts(&format!("{open} [data-testid=opportunity-close-date]")),
        ["Closes Dec 16, 2025", "Closes Jan 9, 2026"]
    );
    assert_eq!(
        m.texts(&format!("{open} [data-testid=opportunity-probability]")),
        ["60%", "12.5%"]
    );
    let links = m.all("[data-testid=opportunity] [data-testid=item-link]");
    assert_eq!(links.len(), 4, "every opportunity opens in Salesforce");
    for link in links {
        assert!(link.get_attribute("href").unwrap().starts_with("https://"));
        assert_eq!(link.get_attribute("target").as_deref(), Some("_blank"));
        assert_eq!(link.get_attribute("rel").as_deref(), Some("noopener"));
    }
}

#[wasm_bindgen_test]
fn closed_opportunities_are_folded_below_with_won_and_lost_marked() {
    let m = show(full_view());

    let closed = m.get("closed-opportunities");
    assert_eq!(closed.tag_name(), "DETAILS");
    assert!(!closed.has_attribute("open"), "collapsed at first");
    assert_eq!(
        m.texts("[data-testid=closed-opportunities] summary"),
        ["Closed (2)"]
    );
    assert_eq!(
        m.all("[data-testid=closed-opportunities] [data-testid=opportunity]")
            .iter()
            .map(|row| row.get_attribute("data-status").unwrap_or_default())
            .collect::<Vec<_>>(),
        ["won", "lost"]
    );
    assert_eq!(
        m.texts("[data-testid=closed-opportunities] [data-testid=opportunity-close-date]"),
        ["Closed Dec 16, 2025", "Closed Dec 16, 2025"]
    );
    assert!(
        m.query("[data-testid=closed-opportunities] [data-testid=opportunity-probability]")
            .is_none(),
        "a closed opportunity has no probability left"
    );
    // The open list comes first, outside the fold.
    let html = m.html();
    assert!(html.find("Platform renewal") < html.find("Initial licence"));
    assert!(
        m.query("[data-testid=closed-opportunities] [data-status=open]")
            .is_none()
    );
}

#[wasm_bindgen_test]
fn only_closed_opportunities_means_no_open_ones() {
    let mut view = full_view();
    view.opportunities = Some(vec![opportunity(9, "Old deal", "Closed Won", Some(true))]);
    let m = show(view);

    assert_eq!(m.text("empty"), "No open opportunities");
    assert!(m.has("closed-opportunities"));
}

#[wasm_bindgen_test]
async fn a_long_note_expands_and_a_short_one_has_nothing_to_expand() {
    let m = show(full_view());

    let notes = m.all("[data-testid=note]");
    assert_eq!(notes.len(), 2);
    let toggles = m.all("[data-testid=body-toggle]");
    assert_eq!(toggles.len(), 1, "only the long note: {}", m.html());
    let toggle = &toggles[0];
    let body = m.get("item-body");
    assert_eq!(
        body.text_content().as_deref(),
        Some(LONG_BODY),
        "the whole text is there, clamped by CSS"
    );
    assert!(body.class_list().contains("clamped"));
    assert_eq!(
        toggle.get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
    assert_eq!(
        toggle.get_attribute("aria-controls"),
        Some(body.id()),
        "the button names what it expands"
    );
    assert_eq!(toggle.text_content().as_deref(), Some("Show more"));

    toggle.unchecked_ref::<HtmlElement>().click();
    m.wait_for("the expanded note", |_| {
        toggle.get_attribute("aria-expanded").as_deref() == Some("true")
    })
    .await;
    assert!(!body.class_list().contains("clamped"));
    assert_eq!(toggle.text_content().as_deref(), Some("Show less"));

    toggle.unchecked_ref::<HtmlElement>().click();
    m.wait_for("the clamped note", |_| {
        body.class_list().contains("clamped")
    })
    .await;
    assert_eq!(
        toggle.get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
    assert_eq!(
        m.texts("[data-testid=note-author]"),
        ["Daniel Kim", "Daniel Kim"]
    );
    assert_eq!(
        m.texts("[data-testid=note-date]")[0],
        "Dec 1, 2025",
        "{}",
        m.html()
    );
}

#[wasm_bindgen_test]
fn events_upcoming_first_then_past() {
    let mut view = full_view();
    view.events = Some(vec![
        event(
            1,
            "Kick-off",
            "2025-10-01T17:00:00Z",
            "2025-10-01T18:00:00Z",
        ),
        event(
            2,
            "Quarterly review",
            "2025-11-04T17:00:00Z",
            "2025-11-04T18:00:00Z",
        ),
        event(
            3,
            "SSO session",
            "2025-12-16T14:00:00Z",
            "2025-12-16T15:30:00Z",
        ),
        event(
            4,
            "Renewal call",
            "2026-01-08T16:00:00Z",
            "2026-01-08T17:00:00Z",
        ),
    ]);
    let m = show(view);

    assert_eq!(
        m.texts("[data-testid=event] [data-testid=item-link]"),
        [
            "SSO session",
            "Renewal call",
            "Quarterly review",
            "Kick-off"
        ],
        "soonest upcoming first, then the latest past"
    );
    assert_eq!(
        m.all("[data-testid=event]")
            .iter()
            .map(|row| row.get_attribute("data-status").unwrap_or_default())
            .collect::<Vec<_>>(),
        ["upcoming", "upcoming", "past", "past"]
    );
    assert_eq!(
        m.texts("[data-testid=section-events] .group-label"),
        ["Upcoming", "Past"]
    );
    assert_eq!(
        m.texts("[data-testid=event-location]"),
        ["Zoom", "Zoom", "Zoom", "Zoom"]
    );
    assert!(
        m.texts("[data-testid=event-when]")[0].contains("Dec 16, 2025"),
        "{}",
        m.html()
    );
}

#[wasm_bindgen_test]
fn only_past_events_means_no_upcoming_ones() {
    let mut view = full_view();
    view.events = Some(vec![event(
        1,
        "Quarterly review",
        "2025-11-04T17:00:00Z",
        "2025-11-04T18:00:00Z",
    )]);
    let m = show(view);

    assert_eq!(m.text("empty"), "No upcoming events");
    assert_eq!(m.all("[data-status=past]").len(), 1);
}

#[wasm_bindgen_test]
fn tasks_open_first_with_overdue_highlighted() {
    let m = show(full_view());

    assert_eq!(
        m.texts("[data-testid=task] [data-testid=item-link]"),
        ["Send SAML metadata", "Prepare quote", "Log QBR outcomes"],
        "open tasks by due date, then completed ones"
    );
    assert_eq!(
        m.all("[data-testid=task]")
            .iter()
            .map(|row| row.get_attribute("data-status").unwrap_or_default())
            .collect::<Vec<_>>(),
        ["overdue", "open", "completed"]
    );
    assert_eq!(
        m.texts("[data-testid=task-priority]"),
        ["High", "Normal", "Low"]
    );
    assert_eq!(
        m.texts("[data-testid=task-status]"),
        ["In Progress", "Not Started", "Completed"]
    );
    assert_eq!(
        m.texts("[data-testid=task-due]"),
        ["Due Dec 8, 2025", "Due Dec 15, 2025", "Due Nov 5, 2025"]
    );
    assert_eq!(
        m.texts("[data-testid=task-overdue]"),
        ["Overdue"],
        "only the open task past its date; a completed one is never overdue"
    );
    assert!(
        m.query("[data-status=overdue] [data-testid=task-priority].priority-high")
            .is_some()
    );
}

#[wasm_bindgen_test]
async fn a_section_folds_away_and_back() {
    let m = show(full_view());

    let toggle = m
        .query("[data-testid=section-notes] [data-testid=section-toggle]")
        .expect("the notes' toggle");
    let body_id = toggle
        .get_attribute("aria-controls")
        .expect("aria-controls");
    let body = m
        .query(&format!("#{body_id}"))
        .expect("the controlled body");
    assert_eq!(
        toggle.get_attribute("aria-expanded").as_deref(),
        Some("true")
    );
    assert!(!body.has_attribute("hidden"));

    toggle.unchecked_ref::<HtmlElement>().click();
    m.wait_for("the folded section", |_| body.has_attribute("hidden"))
        .await;
    assert_eq!(
        toggle.get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
    assert!(
        m.query("[data-testid=section-tasks] .section-body[hidden]")
            .is_none(),
        "the others stay open"
    );

    toggle.unchecked_ref::<HtmlElement>().click();
    m.wait_for("the unfolded section", |_| !body.has_attribute("hidden"))
        .await;
    assert_eq!(
        toggle.get_attribute("aria-expanded").as_deref(),
        Some("true")
    );
}

#[wasm_bindgen_test]
fn sections_are_named_regions_with_lists() {
    let m = show(full_view());

    for section in SECTIONS {
        let element = m.get(section);
        assert_eq!(element.get_attribute("role").as_deref(), Some("region"));
        let heading_id = element
            .get_attribute("aria-labelledby")
            .expect("aria-labelledby");
        let heading = m
            .query(&format!("#{heading_id}"))
            .unwrap_or_else(|| panic!("{section}'s heading"));
        assert_eq!(heading.tag_name(), "H3");
        assert!(element.contains(Some(&heading)));
    }
    for row in m.all(
        "[data-testid=opportunity], [data-testid=note], [data-testid=event], [data-testid=task]",
    ) {
        assert_eq!(row.tag_name(), "LI");
        assert_eq!(row.parent_element().unwrap().tag_name(), "UL");
    }
}

#[wasm_bindgen_test]
fn every_control_is_a_real_focusable_control() {
    let m = show(full_view());
    let document = web_sys::window().unwrap().document().unwrap();

    let controls = m.all("a, button, summary, [tabindex], [onclick]");
    // Record link, account, email, phone; 4 section toggles; 11 item links; 1 note
    // toggle; 1 "Closed" summary.
    assert_eq!(controls.len(), 21, "{}", m.html());
    for control in controls {
        let tag = control.tag_name();
        match tag.as_str() {
            "A" => assert!(control.has_attribute("href"), "a link without href"),
            "BUTTON" => {
                assert_eq!(control.get_attribute("type").as_deref(), Some("button"));
                let name = control
                    .get_attribute("aria-label")
                    .or(control.text_content());
                assert!(
                    name.is_some_and(|name| !name.trim().is_empty()),
                    "an unnamed button"
                );
            }
            "SUMMARY" => {}
            other => panic!("{other} is not a native control"),
        }
        assert_ne!(control.get_attribute("tabindex").as_deref(), Some("-1"));
        // Inside a folded <details> only the summary is reachable, as it should be.
        if control
            .closest("details:not([open]) > ul")
            .ok()
            .flatten()
            .is_some()
        {
            continue;
        }
        control.unchecked_ref::<HtmlElement>().focus().unwrap();
        assert_eq!(
            document.active_element().as_ref(),
            Some(&control),
            "{tag} {:?} takes the keyboard focus",
            control.text_content()
        );
    }
}

#[wasm_bindgen_test]
fn a_task_due_today_is_not_yet_overdue() {
    let mut view = full_view();
    view.tasks = Some(vec![
        task(1, "Call back", "Not Started", "High", "2025-12-10"),
        task(2, "Chase invoice", "Not Started", "Normal", "2025-12-09"),
    ]);
    let m = show(view);

    assert_eq!(
        m.all("[data-testid=task]")
            .iter()
            .map(|row| row.get_attribute("data-status").unwrap_or_default())
            .collect::<Vec<_>>(),
        ["open", "overdue"]
    );
    assert_eq!(
        m.texts("[data-testid=task-due]"),
        ["Due today", "Due yesterday"]
    );
}

#[wasm_bindgen_test]
fn a_section_the_org_does_not_serve_says_why_in_its_place() {
    let mut view = full_view();
    view.opportunities = Some(vec![]);
    view.unavailable = vec![SectionNote {
        section: Section::Opportunities,
        message: "Opportunities are not available: the connected Salesforce user may not read them"
            .into(),
    }];
    let m = show(view);
    assert!(!m.has("section-opportunities"), "{}", m.html());
    let note = m.get("section-unavailable");
    assert_eq!(
        note.get_attribute("data-section").as_deref(),
        Some("opportunities")
    );
    assert!(
        m.text("section-unavailable").contains("may not read them"),
        "{}",
        m.html()
    );
    assert!(m.has("section-notes") && m.has("section-events") && m.has("section-tasks"));
}

#[wasm_bindgen_test]
fn an_opportunity_shows_the_contacts_role_and_the_chosen_fields() {
    let mut view = full_view();
    view.opportunities = Some(vec![OpportunitySummary {
        role: Some("Decision Maker".into()),
        fields: vec![DetailField {
            label: "Next Step".into(),
            value: "Call the CFO".into(),
        }],
        currency: Some("JPY".into()),
        amount: Some(1_200_000.0),
        ..opportunity(1, "Partner deal", "Prospecting", None)
    }]);
    let m = show(view);
    assert_eq!(
        m.texts("[data-testid=opportunity-role]"),
        ["Decision Maker"]
    );
    assert_eq!(
        m.texts("[data-testid=opportunity-field]"),
        ["Next Step: Call the CFO"]
    );
    let amount = m.text("opportunity-amount");
    assert!(
        amount.contains("1,200,000") && (amount.contains('¥') || amount.contains("JPY")),
        "{amount}"
    );
}

#[wasm_bindgen_test]
fn an_all_day_event_is_its_day_in_every_time_zone() {
    let mut view = full_view();
    view.events = Some(vec![EventSummary {
        all_day: true,
        start: Some("2026-01-08".into()),
        end: Some("2026-01-08".into()),
        ..event(1, "Offsite", "x", "x")
    }]);
    let m = show(view);
    let when = m.text("event-when");
    assert!(
        when.contains("Jan 8, 2026") && when.contains("All day"),
        "{when}"
    );
    assert_eq!(m.attr("event", "data-status").as_deref(), Some("upcoming"));
}
