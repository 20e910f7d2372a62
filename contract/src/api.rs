//! The widget <-> edge contract. Both sides use these types; no JSON shape is written twice.
//!
//! Every call carries the helpdesk's context token as `Authorization: Bearer <token>`.

use crate::ids::{Email, SfId};
use crate::wire_name::WireName;
use serde::{Deserialize, Serialize};

/// `GET`: what the agent panel shows for the context's requester.
pub const PANEL_PATH: &str = "/api/panel";

/// The agent panel's answer: one of the states a person can understand, as one JSON
/// object tagged by `state`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Panel {
    /// No Salesforce org is connected to this helpdesk org yet.
    NotConnected { can_connect: bool },
    /// The view has no requester (e.g. a ticket without a contact).
    NoRequester,
    /// Salesforce has no contact with the requester's email. `suggestion`: an account
    /// whose website is on the email's domain, offered instead; the agent can also search
    /// by name ([`PANEL_SEARCH_PATH`]).
    NoMatch {
        email: Email,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        suggestion: Option<AccountSuggestion>,
        /// A lead with the requester's email (not yet converted), where the profile shows
        /// leads and the org lets us read them.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lead: Option<LeadSummary>,
        /// What the agent may do about the unknown requester (create a contact or a lead).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        actions: Vec<Action>,
    },
    /// The profile shows accounts and there is none to show: the requester's contact
    /// (`contact`) has no account, or no account has the page's account name (`name`).
    NoAccount {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        contact: Option<ContactChoice>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        suggestion: Option<AccountSuggestion>,
    },
    /// The requester's (or the page's) Salesforce record with the sections this profile
    /// may see; a section the profile may not see is absent (`None`).
    View { view: SalesforceView },
    /// Several Salesforce contacts share the requester's email: the agent picks one,
    /// remembered for the ticket.
    Choose {
        email: Email,
        candidates: Vec<ContactChoice>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Contact,
    Account,
}

impl WireName for RecordKind {
    const VARIANTS: &'static [Self] = &[RecordKind::Contact, RecordKind::Account];

    fn wire_name(self) -> &'static str {
        match self {
            RecordKind::Contact => "contact",
            RecordKind::Account => "account",
        }
    }
}

/// Everything the agent panel shows about one Salesforce record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SalesforceView {
    pub kind: RecordKind,
    pub id: SfId,
    /// "View in Salesforce" for the record.
    pub url: String,
    pub record: Option<RecordDetails>,
    /// Open ones first (by close date), then closed ones.
    pub opportunities: Option<Vec<OpportunitySummary>>,
    /// Newest first.
    pub notes: Option<Vec<NoteSummary>>,
    /// By start time.
    pub events: Option<Vec<EventSummary>>,
    /// By due date.
    pub tasks: Option<Vec<TaskSummary>>,
    /// Open cases first, then those closed in the last [`RECENTLY_CLOSED_DAYS`], newest
    /// first. Absent where the profile does not show cases or the org has none to read (no
    /// note: an org without cases simply has no such section).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cases: Option<Vec<CaseSummary>>,
    /// The case this ticket opened ([`Action::OpenCase`]), which the ticket remembers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket_case: Option<Box<ActionDone>>,
    /// What the agent may do on this record from the ticket (log it, open a case).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<Action>,
    /// Sections this profile may see that the connected org cannot serve (the connected
    /// Salesforce user may not read them, or the org has no such object), each with why.
    /// The section itself is then `Some(empty)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unavailable: Vec<SectionNote>,
}

/// A section of a record's view, beside the record's own information.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    Opportunities,
    Notes,
    Events,
    Tasks,
}

impl Section {
    pub const ALL: [Section; 4] = [
        Section::Opportunities,
        Section::Notes,
        Section::Events,
        Section::Tasks,
    ];

    /// As the panel titles it.
    pub fn title(self) -> &'static str {
        match self {
            Section::Opportunities => "Opportunities",
            Section::Notes => "Notes",
            Section::Events => "Events",
            Section::Tasks => "Tasks",
        }
    }
}

impl WireName for Section {
    const VARIANTS: &'static [Self] = &Section::ALL;

    fn wire_name(self) -> &'static str {
        match self {
            Section::Opportunities => "opportunities",
            Section::Notes => "notes",
            Section::Events => "events",
            Section::Tasks => "tasks",
        }
    }
}

/// Why a section shows nothing: the org does not serve it to us.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionNote {
    pub section: Section,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordDetails {
    /// The contact's or the account's name.
    pub name: String,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// A contact's account.
    pub account_name: Option<String>,
    pub account_url: Option<String>,
    pub owner_name: Option<String>,
    /// Further fields as label and display value (custom fields such as the
    /// subscription type), in the order to show them.
    pub fields: Vec<DetailField>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetailField {
    pub label: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpportunitySummary {
    pub id: SfId,
    pub name: String,
    pub stage: String,
    pub amount: Option<f64>,
    /// ISO 4217 code: the record's own in a multi-currency org, else the org's currency.
    pub currency: Option<String>,
    /// `YYYY-MM-DD`.
    pub close_date: Option<String>,
    /// Percent, 0-100.
    pub probability: Option<f64>,
    pub is_closed: bool,
    pub is_won: bool,
    pub url: String,
    /// The contact's role on it, when the opportunity was found through a contact role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The further fields the admin chose for opportunities, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<DetailField>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteSummary {
    pub id: SfId,
    pub title: String,
    pub body: String,
    pub author: Option<String>,
    /// RFC 3339 UTC.
    pub created: String,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventSummary {
    pub id: SfId,
    pub subject: String,
    /// RFC 3339 UTC; for an all-day event, the day itself (`YYYY-MM-DD`), the same in
    /// every time zone.
    pub start: Option<String>,
    pub end: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub all_day: bool,
    pub location: Option<String>,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskSummary {
    pub id: SfId,
    pub subject: String,
    pub status: Option<String>,
    pub priority: Option<String>,
    /// `YYYY-MM-DD`.
    pub due_date: Option<String>,
    pub url: String,
}

/// How long a closed case stays in the panel: a requester who writes again within a month
/// of a case closing is most likely following it up (the agent wants to see it, and
/// perhaps reopen it); older closed cases are history, one click away in Salesforce.
pub const RECENTLY_CLOSED_DAYS: u32 = 30;

/// A Salesforce case on the record in view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseSummary {
    pub id: SfId,
    /// Salesforce's auto-number (`00001026`).
    pub number: String,
    pub subject: Option<String>,
    pub status: Option<String>,
    pub priority: Option<String>,
    pub is_closed: bool,
    /// RFC 3339 UTC.
    pub opened: Option<String>,
    /// RFC 3339 UTC; closed cases only.
    pub closed: Option<String>,
    pub url: String,
}

/// A lead with the requester's email, shown when no contact has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadSummary {
    pub id: SfId,
    pub name: String,
    pub company: Option<String>,
    pub status: Option<String>,
    pub url: String,
}

/// One of several contacts matching an email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactChoice {
    pub id: SfId,
    pub name: String,
    pub title: Option<String>,
    pub account_name: Option<String>,
}

/// The query string of [`PANEL_PATH`]; every part is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PanelQuery {
    /// The agent's pick among several contacts with the requester's email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<SfId>,
    /// A record the agent opened instead (a search hit, a suggested account): a contact
    /// (`003...`) or an account (`001...`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<SfId>,
    /// Read Salesforce now, not the edge's short-lived copy (the refresh button).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub fresh: bool,
}

/// An account offered when no contact has the requester's email: its website is on the
/// email's domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSuggestion {
    pub id: SfId,
    pub name: String,
    pub website: Option<String>,
}

/// `GET ?q=<name>` → `Vec<SearchHit>`: Salesforce records whose name contains `q`
/// (at least [`SEARCH_MIN_CHARS`] characters), of the kind the profile shows. One
/// Salesforce call; open a hit with [`PanelQuery::record`].
pub const PANEL_SEARCH_PATH: &str = "/api/panel/search";
pub const SEARCH_MIN_CHARS: usize = 2;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchHit {
    pub kind: RecordKind,
    pub id: SfId,
    pub name: String,
    /// What tells it apart: a contact's title and account, an account's website.
    pub detail: Option<String>,
}

/// `POST`: remember which contact a ticket's requester is (body [`PanelChoice`]); the
/// panel is then read with `?contact=<id>`.
pub const PANEL_CHOICE_PATH: &str = "/api/panel/choice";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelChoice {
    pub contact: SfId,
}

/// What an agent can do in Salesforce from a ticket's panel; each is a permission item
/// per profile, checked by the edge. `POST` [`Action::path`] with the body named there;
/// every action answers an [`ActionDone`], and a second click answers the first one's
/// record instead of making another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// A Salesforce contact from the requester's name and email, on the account with the
    /// ticket's account name where Salesforce has one. No body.
    CreateContact,
    /// A Salesforce lead from the requester's name and email, the ticket's account name as
    /// its company. No body.
    CreateLead,
    /// A completed task on the record in view about the ticket, with a link back to it.
    /// Body [`ActionOn`].
    LogTicket,
    /// A case from the ticket (subject, description) on the record in view. Body
    /// [`ActionOn`]. The ticket remembers its case.
    OpenCase,
}

impl Action {
    /// What can be done on a record in view.
    pub const ON_RECORD: [Action; 2] = [Action::LogTicket, Action::OpenCase];
    /// What can be done about a requester Salesforce does not know.
    pub const ON_UNKNOWN: [Action; 2] = [Action::CreateContact, Action::CreateLead];

    pub const ALL: [Action; 4] = [
        Action::CreateContact,
        Action::CreateLead,
        Action::LogTicket,
        Action::OpenCase,
    ];

    pub fn path(self) -> &'static str {
        match self {
            Action::CreateContact => "/api/actions/create-contact",
            Action::CreateLead => "/api/actions/create-lead",
            Action::LogTicket => "/api/actions/log-ticket",
            Action::OpenCase => "/api/actions/open-case",
        }
    }

    pub fn from_path(path: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|action| action.path() == path)
    }

    /// As a button says it.
    pub fn label(self) -> &'static str {
        match self {
            Action::CreateContact => "Create contact",
            Action::CreateLead => "Create lead",
            Action::LogTicket => "Log this ticket",
            Action::OpenCase => "Open a case",
        }
    }
}

impl WireName for Action {
    const VARIANTS: &'static [Self] = &Action::ALL;

    fn wire_name(self) -> &'static str {
        match self {
            Action::CreateContact => "create_contact",
            Action::CreateLead => "create_lead",
            Action::LogTicket => "log_ticket",
            Action::OpenCase => "open_case",
        }
    }
}

/// The record in view an action is about: the panel's contact (`003...`) or account
/// (`001...`), one the panel offered for this ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionOn {
    pub record: SfId,
}

/// What an action made in Salesforce.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionDone {
    pub action: Action,
    pub id: SfId,
    /// "View in Salesforce".
    pub url: String,
    /// A case's number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// Whether an earlier click had already made it (nothing new was made).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub earlier: bool,
}

impl Panel {
    /// The panel with no action offered: outside a ticket, there is nothing to act from.
    pub fn without_actions(self) -> Panel {
        match self {
            Panel::View { mut view } => {
                view.actions.clear();
                Panel::View { view }
            }
            Panel::NoMatch {
                email,
                suggestion,
                lead,
                ..
            } => Panel::NoMatch {
                email,
                suggestion,
                lead,
                actions: vec![],
            },
            other => other,
        }
    }
}

/// What went wrong, in a form the widget can act on (`code`) and show (`message`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// No or invalid context token: reload the helpdesk page.
    Unauthorized,
    /// Valid token, but this profile or role may not do this.
    Forbidden,
    BadRequest,
    NotFound,
    /// Salesforce refused our stored credentials: an admin must reconnect.
    SalesforceAuth,
    /// Salesforce did not answer or answered with an outage: try again.
    SalesforceUnavailable,
    /// Salesforce refused what was asked of it (a field or object the connected user may
    /// not read, a record it will not take): the message says what; trying again alone
    /// will not help.
    SalesforceRefused,
    Internal,
}

impl ErrorCode {
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::Unauthorized => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::BadRequest => 400,
            ErrorCode::NotFound => 404,
            ErrorCode::SalesforceAuth
            | ErrorCode::SalesforceUnavailable
            | ErrorCode::SalesforceRefused => 502,
            ErrorCode::Internal => 500,
        }
    }
}

impl WireName for ErrorCode {
    const VARIANTS: &'static [Self] = &[
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::BadRequest,
        ErrorCode::NotFound,
        ErrorCode::SalesforceAuth,
        ErrorCode::SalesforceUnavailable,
        ErrorCode::SalesforceRefused,
        ErrorCode::Internal,
    ];

    fn wire_name(self) -> &'static str {
        match self {
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::NotFound => "not_found",
            ErrorCode::SalesforceAuth => "salesforce_auth",
            ErrorCode::SalesforceUnavailable => "salesforce_unavailable",
            ErrorCode::SalesforceRefused => "salesforce_refused",
            ErrorCode::Internal => "internal",
        }
    }
}

/// The body of every non-2xx answer: `{"error": {"code": "...", "message": "..."}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ApiError,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panel_states_are_tagged() {
        let json = serde_json::to_value(Panel::NotConnected { can_connect: true }).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"state": "not_connected", "can_connect": true})
        );
        let back: Panel = serde_json::from_value(json).unwrap();
        assert_eq!(back, Panel::NotConnected { can_connect: true });
    }

    #[test]
    fn every_panel_state_reads_back_as_written() {
        let id = SfId::parse("003A000001abcde").unwrap();
        let email = Email::parse("a@b.example").unwrap();
        let choice = ContactChoice {
            id: id.clone(),
            name: "Ada".into(),
            title: None,
            account_name: Some("Acme".into()),
        };
        let panels = [
            Panel::NotConnected { can_connect: false },
            Panel::NoRequester,
            Panel::NoMatch {
                email: email.clone(),
                suggestion: Some(AccountSuggestion {
                    id: id.clone(),
                    name: "Acme".into(),
                    website: None,
                }),
                lead: None,
                actions: vec![Action::CreateLead],
            },
            Panel::NoAccount {
                contact: Some(choice.clone()),
                name: None,
                suggestion: None,
            },
            Panel::View {
                view: SalesforceView {
                    kind: RecordKind::Contact,
                    id: id.clone(),
                    url: "https://example.my.salesforce.com/003A000001abcde".into(),
                    record: None,
                    opportunities: Some(vec![]),
                    notes: None,
                    events: None,
                    tasks: None,
                    cases: None,
                    ticket_case: None,
                    actions: vec![Action::LogTicket],
                    unavailable: vec![],
                },
            },
            Panel::Choose {
                email,
                candidates: vec![choice],
            },
        ];
        for panel in panels {
            let json = serde_json::to_string(&panel).unwrap();
            assert_eq!(
                serde_json::from_str::<Panel>(&json).unwrap(),
                panel,
                "{json}"
            );
        }
    }

    #[test]
    fn a_panel_without_a_field_its_state_requires_is_refused() {
        for json in [
            r#"{"state":"not_connected"}"#,
            r#"{"state":"view"}"#,
            r#"{"state":"choose","email":"a@b.example"}"#,
            r#"{"state":"no_match"}"#,
            r#"{"state":"elsewhere"}"#,
            r#"{"can_connect":true}"#,
        ] {
            assert!(serde_json::from_str::<Panel>(json).is_err(), "{json}");
        }
    }

    #[test]
    fn the_panel_query_leaves_out_what_is_not_asked() {
        let id = SfId::parse("001A000001abcde").unwrap();
        let query = PanelQuery {
            record: Some(id.clone()),
            fresh: true,
            ..PanelQuery::default()
        };
        let text = serde_urlencoded::to_string(&query).unwrap();
        assert_eq!(text, format!("record={id}&fresh=true"));
        assert_eq!(
            serde_urlencoded::from_str::<PanelQuery>(&text).unwrap(),
            query
        );
        assert_eq!(
            serde_urlencoded::from_str::<PanelQuery>("").unwrap(),
            PanelQuery::default()
        );
    }

    #[test]
    fn an_older_no_match_answer_still_reads() {
        let panel: Panel =
            serde_json::from_str(r#"{"state":"no_match","email":"a@b.example"}"#).unwrap();
        assert_eq!(
            panel,
            Panel::NoMatch {
                email: Email::parse("a@b.example").unwrap(),
                suggestion: None,
                lead: None,
                actions: vec![],
            }
        );
    }

    #[test]
    fn actions_are_found_by_their_paths() {
        for action in Action::ALL {
            assert_eq!(Action::from_path(action.path()), Some(action));
        }
        assert_eq!(Action::from_path("/api/actions/"), None);
    }

    #[test]
    fn error_body_shape() {
        let body = ErrorBody {
            error: ApiError::new(ErrorCode::Unauthorized, "missing token"),
        };
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            serde_json::json!({"error": {"code": "unauthorized", "message": "missing token"}})
        );
    }
}
