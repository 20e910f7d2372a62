//! The agent panel's side of the contract's JSON without serde ([`crate::json`]): the edge's
//! answers read, one [`FromJson`] per type, and the panel's request bodies written, one
//! [`ToJson`] per type. Names
//! and optional fields are those of the serde types in `contract::api` and
//! `contract::context`; the widget's browser test `wire` reads the edge's own encoding of
//! every answer, each field filled and each left out, back to the same value.

use crate::json::{Fields, FromJson, JsonError, ToJson, named, object_json};
use contract::api::{
    AccountSuggestion, Action, ActionDone, ActionOn, ApiError, CaseSummary, ContactChoice,
    DetailField, ErrorBody, ErrorCode, EventSummary, LeadSummary, NoteSummary, OpportunitySummary,
    Panel, PanelChoice, RecordDetails, RecordKind, SalesforceView, SearchHit, Section, SectionNote,
    TaskSummary,
};
use contract::context::{
    InstallationSecret, InstallationSecretRequest, Role, Session, SessionRequest,
};
use wasm_bindgen::JsValue;

/// [`FromJson`] for plain enums, by their [`contract::wire_name::WireName`].
macro_rules! from_wire_name {
    ($($enum:ty),*) => {
        $(impl FromJson for $enum {
            fn from_json(value: &JsValue) -> Result<Self, JsonError> {
                named(value)
            }
        })*
    };
}
from_wire_name!(RecordKind, Section, Action, ErrorCode, Role);

/// [`FromJson`] for a struct: each field read from the JSON field of its name, with the
/// [`Fields`] reader given (`get`: required, `opt`: an `Option`, `or_default`: serde's
/// `default`).
macro_rules! from_fields {
    ($struct:ident { $($field:ident: $read:ident),* $(,)? }) => {
        impl FromJson for $struct {
            fn from_json(value: &JsValue) -> Result<Self, JsonError> {
                let fields = Fields::of(value)?;
                Ok($struct { $($field: fields.$read(stringify!($field))?),* })
            }
        }
    };
}

impl FromJson for Panel {
    /// One object tagged by `state`, holding that state's fields.
    fn from_json(value: &JsValue) -> Result<Self, JsonError> {
        let fields = Fields::of(value)?;
        let state: String = fields.get("state")?;
        Ok(match state.as_str() {
            "not_connected" => Panel::NotConnected {
                can_connect: fields.get("can_connect")?,
            },
            "no_requester" => Panel::NoRequester,
            "no_match" => Panel::NoMatch {
                email: fields.get("email")?,
                suggestion: fields.opt("suggestion")?,
                lead: fields.opt("lead")?,
                actions: fields.or_default("actions")?,
            },
            "no_account" => Panel::NoAccount {
                contact: fields.opt("contact")?,
                name: fields.opt("name")?,
                suggestion: fields.opt("suggestion")?,
            },
            "view" => Panel::View {
                view: fields.get("view")?,
            },
            "choose" => Panel::Choose {
                email: fields.get("email")?,
                candidates: fields.get("candidates")?,
            },
            _ => return Err(JsonError::expected("a panel state").within("state")),
        })
    }
}

from_fields!(SalesforceView {
    kind: get,
    id: get,
    url: get,
    record: opt,
    opportunities: opt,
    notes: opt,
    events: opt,
    tasks: opt,
    cases: opt,
    ticket_case: opt,
    actions: or_default,
    unavailable: or_default,
});

from_fields!(SectionNote {
    section: get,
    message: get,
});

from_fields!(RecordDetails {
    name: get,
    title: opt,
    email: opt,
    phone: opt,
    account_name: opt,
    account_url: opt,
    owner_name: opt,
    fields: get,
});

from_fields!(DetailField {
    label: get,
    value: get,
});

from_fields!(OpportunitySummary {
    id: get,
    name: get,
    stage: get,
    amount: opt,
    currency: opt,
    close_date: opt,
    probability: opt,
    is_closed: get,
    is_won: get,
    url: get,
    role: opt,
    fields: or_default,
});

from_fields!(NoteSummary {
    id: get,
    title: get,
    body: get,
    author: opt,
    created: get,
    url: get,
});

from_fields!(EventSummary {
    id: get,
    subject: get,
    start: opt,
    end: opt,
    all_day: or_default,
    location: opt,
    url: get,
});

from_fields!(TaskSummary {
    id: get,
    subject: get,
    status: opt,
    priority: opt,
    due_date: opt,
    url: get,
});

from_fields!(CaseSummary {
    id: get,
    number: get,
    subject: opt,
    status: opt,
    priority: opt,
    is_closed: get,
    opened: opt,
    closed: opt,
    url: get,
});

from_fields!(LeadSummary {
    id: get,
    name: get,
    company: opt,
    status: opt,
    url: get,
});

from_fields!(ContactChoice {
    id: get,
    name: get,
    title: opt,
    account_name: opt,
});

from_fields!(AccountSuggestion {
    id: get,
    name: get,
    website: opt,
});

from_fields!(SearchHit {
    kind: get,
    id: get,
    name: get,
    detail: opt,
});

from_fields!(ActionDone {
    action: get,
    id: get,
    url: get,
    number: opt,
    earlier: or_default,
});

from_fields!(ErrorBody { error: get });

from_fields!(ApiError {
    code: get,
    message: get,
});

from_fields!(Session {
    token: get,
    expires_at: get,
});

from_fields!(InstallationSecret { secret: get });

/// The body of [`contract::api::PANEL_CHOICE_PATH`].
impl ToJson for PanelChoice {
    fn to_json(&self) -> String {
        object_json(&[("contact", Some(self.contact.as_str()))])
    }
}

/// The body of an action on the record in view ([`Action::path`]).
impl ToJson for ActionOn {
    fn to_json(&self) -> String {
        object_json(&[("record", Some(self.record.as_str()))])
    }
}

/// The body of [`contract::context::SESSION_PATH`]: the record in view flattened into it.
impl ToJson for SessionRequest {
    fn to_json(&self) -> String {
        object_json(&[
            ("org", Some(self.org.as_str())),
            ("agent", Some(self.agent.as_str())),
            ("profile_id", self.profile_id.as_deref()),
            ("ticket", self.view.ticket.as_deref()),
            ("contact", self.view.contact.as_deref()),
            ("account", self.view.account.as_deref()),
        ])
    }
}

/// The body of [`contract::context::INSTALLATION_SECRET_PATH`].
impl ToJson for InstallationSecretRequest {
    fn to_json(&self) -> String {
        object_json(&[("org", Some(self.org.as_str()))])
    }
}
