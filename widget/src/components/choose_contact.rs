//! Choosing among the requester's contacts when several share the email.

use super::format::initials;
use crate::api::Client;
use contract::api::ContactChoice;
use contract::ids::{Email, SfId};
use leptos::prelude::*;

/// `Panel::Choose`: several Salesforce contacts share the requester's email. Each is a
/// button (`data-testid="choose-contact"`, `data-contact-id`); choosing one tells the edge
/// (`POST` the choice, remembered for the ticket), shows progress on that button, and then
/// hands the Id to `on_chosen`, which shows that contact. A failure is explained
/// (`data-testid="choose-error"`) and the agent can choose again.
#[component]
pub fn ChooseContact(
    email: Email,
    candidates: Vec<ContactChoice>,
    /// Sends the choice; `None` where there is no context to send it with.
    client: Option<Client>,
    /// The chosen contact, once the edge has it.
    #[prop(into)]
    on_chosen: Callback<SfId>,
) -> impl IntoView {
    let pending = RwSignal::new(None::<SfId>);
    let error = RwSignal::new(None::<String>);
    let choose = Callback::new(move |id: SfId| {
        let Some(client) = client.clone() else {
            error.set(Some(
                "This panel has no helpdesk context to save the choice with; reload the \
                 helpdesk page."
                    .to_owned(),
            ));
            return;
        };
        error.set(None);
        pending.set(Some(id.clone()));
        leptos::task::spawn_local(async move {
            match client.choose(&id).await {
                Ok(()) => on_chosen.run(id),
                Err(failure) => {
                    let retry = if failure.is_retryable() {
                        " Try again."
                    } else {
                        ""
                    };
                    let reason = failure.to_string();
                    let reason = reason.trim_end_matches('.');
                    error.try_set(Some(format!(
                        "Could not save your choice: {reason}.{retry}"
                    )));
                    pending.try_set(None);
                }
            }
        });
    });
    let count = candidates.len();
    let rows = candidates
        .into_iter()
        .map(|candidate| view! { <Candidate candidate=candidate pending=pending choose=choose /> })
        .collect_view();

    view! {
        <section
            class="card choose"
            data-testid="panel-state"
            data-state="choose"
            aria-labelledby="sfd-choose-heading"
        >
            <h2 class="choose-title" id="sfd-choose-heading" data-testid="state-title">
                "Which contact is this?"
            </h2>
            <p class="choose-detail" data-testid="state-detail">
                {count}
                {if count == 1 { " Salesforce contact uses " } else { " Salesforce contacts use " }}
                <strong class="email" data-testid="requester-email">
                    {email.to_string()}
                </strong>
                ". Choose the requester; the ticket remembers it."
            </p>
            <ul class="choices" aria-busy=move || pending.with(Option::is_some).to_string()>
                {rows}
            </ul>
            <p class="visually-hidden" role="status">
                {move || pending.with(Option::is_some).then_some("Opening the contact…")}
            </p>
            {move || {
                error
                    .get()
                    .map(|message| {
                        view! {
                            <p class="choose-error" role="alert" data-testid="choose-error">
                                {message}
                            </p>
                        }
                    })
            }}
        </section>
    }
}

#[component]
fn Candidate(
    candidate: ContactChoice,
    pending: RwSignal<Option<SfId>>,
    choose: Callback<SfId>,
) -> impl IntoView {
    let ContactChoice {
        id,
        name,
        title,
        account_name,
    } = candidate;
    let avatar = initials(&name);
    let subtitle = [title, account_name]
        .into_iter()
        .flatten()
        .filter(|part| !part.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    let this = id.clone();
    let is_pending = move || pending.with(|pending| pending.as_ref() == Some(&this));
    let id_attr = id.to_string();
    view! {
        <li>
            <button
                type="button"
                class="choice"
                class:pending=is_pending
                data-testid="choose-contact"
                data-contact-id=id_attr
                disabled=move || pending.with(Option::is_some)
                on:click=move |_| choose.run(id.clone())
            >
                <span class="avatar avatar-sm" aria-hidden="true">
                    {avatar}
                </span>
                <span class="choice-text">
                    <span class="choice-name">{name}</span>
                    {(!subtitle.is_empty())
                        .then(|| view! { <span class="choice-sub">{subtitle}</span> })}
                </span>
            </button>
        </li>
    }
}
