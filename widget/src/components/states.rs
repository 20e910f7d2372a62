use leptos::prelude::*;
use shared::ids::Email;

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

/// `Panel::NoMatch`: Salesforce has no contact with the requester's email.
#[component]
pub fn NoMatchState(email: Email) -> impl IntoView {
    view! {
        <StateMessage state="no_match" tone=Tone::Info title="No matching contact">
            <p class="state-detail" data-testid="state-detail">
                "No Salesforce contact with "
                <strong class="email" data-testid="requester-email">
                    {email.to_string()}
                </strong>
            </p>
        </StateMessage>
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
