//! Every panel state that is not a record (not connected, no requester, no match, ...).

use super::format::initials;
use super::{ActionBar, LeadCard, RecordSearch};
use crate::api::Client;
use contract::api::{AccountSuggestion, Action, ActionDone, ContactChoice, LeadSummary};
use contract::ids::{Email, SfId};
use leptos::prelude::*;

/// How a state reads: a neutral fact, something to act on, or a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Info,
    Warning,
    Error,
}

impl Tone {
    fn class(self) -> &'static str {
        match self {
            Tone::Info => "state state-info",
            Tone::Warning => "state state-warning",
            Tone::Error => "state state-error",
        }
    }

    fn glyph(self) -> &'static str {
        match self {
            Tone::Info => "i",
            Tone::Warning | Tone::Error => "!",
        }
    }
}

/// The frame every non-contact state shares: `data-testid="panel-state"` with the state's
/// name in `data-state`, a title, a detail line and optional actions.
#[component]
pub fn StateMessage(
    /// The state's name, e.g. `not_connected` (the contract's tag where there is one).
    state: &'static str,
    tone: Tone,
    #[prop(into)] title: String,
    /// Actions or notes shown below the title.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    view! {
        <section class=tone.class() data-testid="panel-state" data-state=state>
            <div class="state-icon" aria-hidden="true">
                {tone.glyph()}
            </div>
            <h2 class="state-title" data-testid="state-title">
                {title}
            </h2>
            {children.map(|children| children())}
        </section>
    }
}

/// `Panel::NotConnected`: no Salesforce org yet, and who can change that.
#[component]
pub fn NotConnectedState(can_connect: bool) -> impl IntoView {
    let hint = if can_connect {
        "Connect a Salesforce org from the admin console to see the requester's contact here."
    } else {
        "Ask your helpdesk administrator to connect Salesforce."
    };
    view! {
        <StateMessage state="not_connected" tone=Tone::Warning title="Not connected to Salesforce">
            <p class="state-detail" data-testid="state-detail">
                {hint}
            </p>
        </StateMessage>
    }
}

/// `Panel::NoMatch`: Salesforce has no contact with the requester's email. It shows a lead
/// with that email ([`LeadCard`]) and the actions the agent may take (create a contact or
/// a lead); with `on_open`, it offers the account on the email's domain
/// (`data-testid="suggested-account"`) and a search by name ([`RecordSearch`]).
#[component]
pub fn NoMatchState(
    email: Email,
    #[prop(default = None)] suggestion: Option<AccountSuggestion>,
    #[prop(default = None)] lead: Option<LeadSummary>,
    #[prop(default = vec![])] actions: Vec<Action>,
    #[prop(default = None)] client: Option<Client>,
    /// Opens a suggested account or a search hit.
    #[prop(default = None)]
    on_open: Option<Callback<SfId>>,
    /// Runs once an action made something.
    #[prop(default = None)]
    on_action: Option<Callback<ActionDone>>,
) -> impl IntoView {
    let actions = (!actions.is_empty() && client.is_some()).then(|| {
        view! { <ActionBar actions=actions client=client.clone() on_done=on_action /> }
    });
    view! {
        <StateMessage state="no_match" tone=Tone::Info title="No matching contact">
            <p class="state-detail" data-testid="state-detail">
                "No Salesforce contact with "
                <strong class="email" data-testid="requester-email">
                    {email.to_string()}
                </strong>
            </p>
            {lead.map(|lead| view! { <LeadCard lead=lead /> })}
            {actions}
            <LookElsewhere suggestion=suggestion client=client on_open=on_open />
        </StateMessage>
    }
}

/// `Panel::NoAccount`: the profile shows accounts and there is none to show.
#[component]
pub fn NoAccountState(
    #[prop(default = None)] contact: Option<ContactChoice>,
    #[prop(default = None)] name: Option<String>,
    #[prop(default = None)] suggestion: Option<AccountSuggestion>,
    #[prop(default = None)] client: Option<Client>,
    #[prop(default = None)] on_open: Option<Callback<SfId>>,
) -> impl IntoView {
    let detail = match (contact, name) {
        (Some(contact), _) => view! {
            "The requester's Salesforce contact, " <strong>{contact.name}</strong>
            ", belongs to no account."
        }
        .into_any(),
        (None, Some(name)) => view! {
            "No Salesforce account is named " <strong>{name}</strong> "."
        }
        .into_any(),
        (None, None) => view! { "Salesforce has no account for this page." }.into_any(),
    };
    view! {
        <StateMessage state="no_account" tone=Tone::Info title="No Salesforce account">
            <p class="state-detail" data-testid="state-detail">
                {detail}
            </p>
            <LookElsewhere suggestion=suggestion client=client on_open=on_open />
        </StateMessage>
    }
}

/// The suggested account and the search, when the panel can open what they find.
#[component]
fn LookElsewhere(
    suggestion: Option<AccountSuggestion>,
    client: Option<Client>,
    on_open: Option<Callback<SfId>>,
) -> impl IntoView {
    on_open.map(|on_open| {
        let suggestion = suggestion.map(|suggestion| {
            view! { <SuggestedAccount suggestion=suggestion on_open=on_open /> }
        });
        view! {
            {suggestion}
            <RecordSearch client=client on_open=on_open />
        }
    })
}

/// An account whose website is on the requester's email domain, offered as a button.
#[component]
fn SuggestedAccount(suggestion: AccountSuggestion, on_open: Callback<SfId>) -> impl IntoView {
    let AccountSuggestion { id, name, website } = suggestion;
    let avatar = initials(&name);
    let id_attr = id.to_string();
    let site = website.map(|website| {
        let bare = website
            .split_once("://")
            .map_or(website.as_str(), |(_, rest)| rest)
            .trim_end_matches('/')
            .to_owned();
        format!(" · {bare}")
    });
    view! {
        <div class="suggestion" data-testid="suggested-account">
            <p class="suggestion-label">"Same email domain"</p>
            <button
                type="button"
                class="choice"
                data-testid="open-suggestion"
                data-record-id=id_attr
                on:click=move |_| on_open.run(id.clone())
            >
                <span class="avatar avatar-sm avatar-account" aria-hidden="true">
                    {avatar}
                </span>
                <span class="choice-text">
                    <span class="choice-name">{name}</span>
                    <span class="choice-sub">"Account" {site}</span>
                </span>
            </button>
        </div>
    }
}

/// `Panel::NoRequester`: this view has nobody to look up.
#[component]
pub fn NoRequesterState() -> impl IntoView {
    view! {
        <StateMessage state="no_requester" tone=Tone::Info title="No requester to look up">
            <p class="state-detail" data-testid="state-detail">
                "This ticket has no requester with an email address, so there is no Salesforce contact to show."
            </p>
        </StateMessage>
    }
}
