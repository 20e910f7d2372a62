//! Data for the admin console's tests: settings with a deliberate Integer field, a sync
//! under way, seven days of history, failures, profiles, and context tokens.

use contract::admin::{
    AdminStatus, ConnectedOrgInfo, ConnectionStatus, FailureView, ObjectFields, ProfilePermissions,
    SettingsView, StepProgress, SyncState, SyncStatus,
};
use contract::context::{AUDIENCE, ContextClaims, Role, sign};
use contract::history::DayTotals;
use contract::mapping::{FieldMeta, FieldPair, ObjectKind, SyncType, ValueKind};
use contract::permissions::Permissions;
use contract::side::Side;
use serde_json::Value;
use wasm_bindgen::JsValue;
use web_sys::Element;

pub const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// A context token for `role` (the widget reads it, never verifies it).
pub fn token(role: Role, ticket: Option<&str>) -> String {
    let claims = ContextClaims {
        org: "60001".into(),
        agent: "1001".into(),
        profile_id: "7001".into(),
        profile_name: if role == Role::Admin {
            "Administrator".into()
        } else {
            "Agent".into()
        },
        role,
        ticket: ticket.map(str::to_owned),
        requester: None,
        account: None,
        aud: AUDIENCE.into(),
        iat: 3_000_000_000,
        exp: 3_000_000_600,
    };
    sign(&claims, b"any secret: the widget does not check it")
}

fn field(name: &str, label: &str, kind: ValueKind, required: bool) -> FieldMeta {
    FieldMeta {
        name: name.into(),
        label: label.into(),
        kind,
        max_length: None,
        picklist: None,
        required,
        writable: true,
    }
}

pub fn pair(helpdesk: &str, salesforce: &str) -> FieldPair {
    FieldPair::new(helpdesk, salesforce)
}

/// Contacts with a helpdesk Integer field (`cf_seats`, unmapped) beside text fields;
/// accounts with the mandatory name mapped.
pub fn settings() -> SettingsView {
    SettingsView {
        sync_type: SyncType::TwoWay,
        contacts: vec![
            pair("lastName", "LastName"),
            pair("email", "Email"),
            pair("title", "Title"),
        ],
        accounts: vec![pair("accountName", "Name")],
        contact_fields: ObjectFields {
            salesforce: vec![
                field("LastName", "Last Name", ValueKind::Text, true),
                field("Email", "Email", ValueKind::Text, false),
                field("Title", "Title", ValueKind::Text, false),
                field("Seats__c", "Seats", ValueKind::Integer, false),
            ],
            helpdesk: vec![
                field("lastName", "Last Name", ValueKind::Text, true),
                field("email", "Email", ValueKind::Text, false),
                field("title", "Title", ValueKind::Text, false),
                field("cf_seats", "Seats", ValueKind::Integer, false),
            ],
        },
        account_fields: ObjectFields {
            salesforce: vec![
                field("Name", "Account Name", ValueKind::Text, true),
                field("Website", "Website", ValueKind::Text, false),
            ],
            helpdesk: vec![
                field("accountName", "Account Name", ValueKind::Text, true),
                field("website", "Website", ValueKind::Text, false),
            ],
        },
    }
}

pub fn step(
    object: ObjectKind,
    from: Side,
    done: u64,
    total: Option<u64>,
    finished: bool,
) -> StepProgress {
    StepProgress {
        object,
        from,
        done,
        total,
        finished,
    }
}

pub fn sync(state: SyncState, steps: Vec<StepProgress>) -> SyncStatus {
    SyncStatus {
        state,
        sync_type: SyncType::TwoWay,
        steps,
        started_ms: None,
        finished_ms: None,
        pending_changes: 0,
        note: None,
        catching_up_since_ms: None,
    }
}

pub fn connected() -> ConnectionStatus {
    ConnectionStatus::Connected(ConnectedOrgInfo {
        instance_url: "https://acme.my.salesforce.com".into(),
        salesforce_org_id: "00D5g000004ABCDEAZ".into(),
        username: "admin@acme.example".into(),
        connected_at_ms: 1_765_000_000_000,
        api_used: Some(1_204),
        api_max: Some(15_000),
    })
}

pub fn status(connection: ConnectionStatus, sync: SyncStatus) -> AdminStatus {
    AdminStatus {
        connection,
        sync,
        outbound_message_url: None,
        helpdesk: Default::default(),
        health: Default::default(),
    }
}

/// Seven days from `today_ms` back: a big import two days ago, quiet days, failures today.
pub fn days(today_ms: i64) -> Vec<DayTotals> {
    let counts = [
        (0, 0, 0),
        (3, 10, 0),
        (0, 0, 0),
        (0, 4, 1),
        (0, 0, 0),
        (400, 0, 2),
        (5, 20, 3),
    ];
    counts
        .iter()
        .enumerate()
        .map(|(i, &(added, updated, failed))| DayTotals {
            day_ms: today_ms - (6 - i as i64) * DAY_MS,
            added,
            updated,
            failed,
        })
        .collect()
}

pub fn failures() -> Vec<FailureView> {
    vec![
        FailureView {
            id: 7,
            object: ObjectKind::Contact,
            from: Side::Salesforce,
            record_id: "0035g00000ABCdeAAA".into(),
            label: "maya@northwind.example".into(),
            reason: "Text value is given for an Integer field (cf_seats)".into(),
            at_ms: 1_765_000_000_000,
        },
        FailureView {
            id: 4,
            object: ObjectKind::Account,
            from: Side::Helpdesk,
            record_id: "112".into(),
            label: "Blue Harbor Logistics".into(),
            reason: "CRM ID is already mapped with another Support Entity".into(),
            at_ms: 1_764_900_000_000,
        },
    ]
}

pub fn light_agent() -> ProfilePermissions {
    ProfilePermissions {
        profile_id: "7003".into(),
        profile_name: "Light Agent".into(),
        permissions: Permissions::default_for(Some(contract::permissions::LIGHT_AGENT_KIND)),
    }
}

pub fn json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("serializes")
}

/// Sets a `<select>`'s (or input's) value and fires `change`, as a person choosing does.
pub fn choose(element: &Element, value: &str) {
    js_sys::Function::new_with_args(
        "el, v",
        "el.value = v; el.dispatchEvent(new Event('change', { bubbles: true }));",
    )
    .call2(&JsValue::NULL, element, &JsValue::from_str(value))
    .expect("the change is dispatched");
}

/// Dispatches a keydown of `key` on `element` (bubbling, cancelable).
pub fn press(element: &Element, key: &str, shift: bool) {
    js_sys::Function::new_with_args(
        "el, k, s",
        "el.dispatchEvent(new KeyboardEvent('keydown', { key: k, shiftKey: s, bubbles: true, cancelable: true }));",
    )
    .call3(
        &JsValue::NULL,
        element,
        &JsValue::from_str(key),
        &JsValue::from_bool(shift),
    )
    .expect("the key is pressed");
}

/// A stand-in for the OAuth popup: `window.open` returns an object that only records where
/// it is sent. The real `window.open` is back once this is dropped.
pub struct PopupStub {
    popup: JsValue,
}

impl PopupStub {
    pub fn install() -> PopupStub {
        let popup = js_sys::Function::new_no_args(
            "const popup = { closed: false, close() { this.closed = true; }, location: { href: '' } };
             globalThis.__sfdeskOpen = window.open;
             window.open = (url) => { popup.location.href = url; return popup; };
             return popup;",
        )
        .call0(&JsValue::NULL)
        .unwrap();
        PopupStub { popup }
    }

    /// Where the popup was sent last.
    pub fn href(&self) -> String {
        js_sys::Reflect::get(
            &js_sys::Reflect::get(&self.popup, &"location".into()).unwrap(),
            &"href".into(),
        )
        .unwrap()
        .as_string()
        .unwrap_or_default()
    }
}

impl Drop for PopupStub {
    fn drop(&mut self) {
        js_sys::Function::new_no_args("window.open = globalThis.__sfdeskOpen;")
            .call0(&JsValue::NULL)
            .unwrap();
    }
}

/// Posts `data` (JSON) to this window, as the OAuth popup's last page does.
pub fn post_message(data: &str) {
    let value = js_sys::JSON::parse(data).unwrap();
    web_sys::window()
        .unwrap()
        .post_message(&value, "*")
        .expect("posted");
}
