//! A failed fetch, explained, with "Try again" when asking again may help.

use super::states::{StateMessage, Tone};
use crate::api::ClientError;
use contract::api::ErrorCode;
use contract::wire_name::WireName;
use leptos::prelude::*;

/// A failed fetch, explained: what happened and what to do. Offers "Try again"
/// (`data-testid="retry"`) when asking again may help.
#[component]
pub fn ErrorState(
    error: ClientError,
    /// Asks for the panel again.
    #[prop(into)]
    on_retry: Callback<()>,
) -> impl IntoView {
    let retry = error.is_retryable().then(|| {
        view! {
            <button
                type="button"
                class="button"
                data-testid="retry"
                on:click=move |_| on_retry.run(())
            >
                "Try again"
            </button>
        }
    });
    let Explanation {
        state,
        tone,
        title,
        detail,
        code,
        note,
    } = explain(&error);
    view! {
        <StateMessage state=state tone=tone title=title>
            <p class="state-detail" data-testid="state-detail" data-error-code=code>
                {detail}
            </p>
            {note.map(|note| view! { <p class="state-note">{note}</p> })}
            {retry}
        </StateMessage>
    }
}

/// What the agent reads about an error.
struct Explanation {
    /// `data-state`: `missing_token`, `unauthorized` or `error`.
    state: &'static str,
    tone: Tone,
    title: &'static str,
    /// What to do, or the edge's own message.
    detail: String,
    /// `data-error-code`: the contract's code, or `network` / `decode`.
    code: String,
    /// Technical detail, in small print.
    note: Option<String>,
}

fn explain(error: &ClientError) -> Explanation {
    match error {
        ClientError::MissingToken => Explanation {
            state: "missing_token",
            tone: Tone::Warning,
            title: "No helpdesk context",
            detail: "Open this panel from a helpdesk ticket. If you did, reload the helpdesk \
                     page; if this stays, ask your administrator to check the sfdesk \
                     installation."
                .to_owned(),
            code: "missing_token".to_owned(),
            note: None,
        },
        ClientError::Unauthorized(message) => Explanation {
            state: "unauthorized",
            tone: Tone::Warning,
            title: "Your helpdesk session has expired",
            detail: "Reload the helpdesk page to show this panel again.".to_owned(),
            code: ErrorCode::Unauthorized.wire_name().to_owned(),
            note: Some(message.clone()),
        },
        ClientError::Api(api) => Explanation {
            state: "error",
            tone: Tone::Error,
            title: match api.code {
                ErrorCode::SalesforceUnavailable => "Salesforce is not responding",
                ErrorCode::SalesforceRefused => "Salesforce refused the request",
                ErrorCode::SalesforceAuth => "The Salesforce connection needs attention",
                ErrorCode::Forbidden => "Not allowed",
                _ => "Something went wrong",
            },
            detail: api.message.clone(),
            code: api.code.wire_name().to_owned(),
            note: None,
        },
        ClientError::Network(reason) => Explanation {
            state: "error",
            tone: Tone::Error,
            title: "Can't reach sfdesk",
            detail: "Check your network connection, then try again.".to_owned(),
            code: "network".to_owned(),
            note: Some(reason.clone()),
        },
        ClientError::Decode { status, .. } => Explanation {
            state: "error",
            tone: Tone::Error,
            title: "Unexpected answer",
            detail: format!(
                "sfdesk answered in a way this panel does not understand (HTTP {status}). \
                 Try again; if it keeps happening, reload the helpdesk page."
            ),
            code: "decode".to_owned(),
            note: None,
        },
    }
}
