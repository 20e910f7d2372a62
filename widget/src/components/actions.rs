//! The panel's actions on Salesforce: a button per action the agent may take here, each
//! with its own busy, done and error states; what each did is listed under the buttons.

use super::item_row::ViewInSalesforce;
use crate::api::{Client, ClientError};
use crate::token::panel_claims;
use contract::api::{Action, ActionDone};
use contract::ids::SfId;
use contract::wire_name::WireName;
use leptos::either::EitherOf3;
use leptos::prelude::*;
use std::cell::RefCell;

/// The actions the edge offered (`data-testid="actions"`), each an [`ActionButton`] about
/// `record` where it needs one. `on_done` runs after an action succeeded (the panel
/// reads Salesforce again to show what it made).
#[component]
pub fn ActionBar(
    actions: Vec<Action>,
    #[prop(default = None)] record: Option<SfId>,
    #[prop(default = None)] client: Option<Client>,
    #[prop(default = None)] on_done: Option<Callback<ActionDone>>,
    /// The case the ticket already opened: shown instead of the button to open one.
    #[prop(default = None)]
    ticket_case: Option<ActionDone>,
) -> impl IntoView {
    let case_shown = ticket_case
        .clone()
        .map(|done| view! { <DoneNote done=done /> });
    // The contact or lead made for this ticket's requester, still said once the panel
    // shows it, where its button is gone.
    let made = ticket_of(client.as_ref())
        .map(|ticket| Taken::made_for_requester(&ticket))
        .unwrap_or_default()
        .into_iter()
        .filter(|done| !actions.contains(&done.action))
        .map(|done| view! { <DoneNote done=done /> })
        .collect_view();
    let buttons = actions
        .into_iter()
        .filter(|action| !(*action == Action::OpenCase && ticket_case.is_some()))
        .map(|action| {
            view! {
                <ActionButton
                    action=action
                    record=record.clone()
                    client=client.clone()
                    on_done=on_done
                />
            }
        })
        .collect_view();
    view! {
        <div class="actions" data-testid="actions" role="group" aria-label="Act in Salesforce">
            <p class="actions-label" aria-hidden="true">
                "Act in Salesforce"
            </p>
            {case_shown}
            {made}
            {buttons}
        </div>
    }
}

/// Names one action's outcome: the ticket it was taken from, the action, and the record.
#[derive(Debug, Clone, PartialEq)]
struct Taken {
    ticket: String,
    action: Action,
    record: Option<SfId>,
}

thread_local! {
    /// What this page's actions made. The panel reads Salesforce again after an action and
    /// draws its buttons anew; this keeps a done button done, with what it made.
    static TAKEN: RefCell<Vec<(Taken, ActionDone)>> = const { RefCell::new(Vec::new()) };
}

/// The ticket the session is about, if it names one.
fn ticket_of(client: Option<&Client>) -> Option<String> {
    panel_claims(client?.token())?.ticket
}

impl Taken {
    /// The outcome's name, when the session names its ticket (the edge does one outcome
    /// per ticket, so a remembered one is what a second click would get back).
    fn of(client: Option<&Client>, action: Action, record: Option<&SfId>) -> Option<Taken> {
        Some(Taken {
            ticket: ticket_of(client)?,
            action,
            record: record.cloned(),
        })
    }

    /// The contact or lead this page made for `ticket`'s requester.
    fn made_for_requester(ticket: &str) -> Vec<ActionDone> {
        TAKEN.with_borrow(|taken| {
            taken
                .iter()
                .filter(|(key, _)| {
                    key.ticket == ticket
                        && matches!(key.action, Action::CreateContact | Action::CreateLead)
                })
                .map(|(_, done)| done.clone())
                .collect()
        })
    }

    fn recall(&self) -> Option<ActionDone> {
        TAKEN.with_borrow(|taken| {
            taken
                .iter()
                .find(|(key, _)| key == self)
                .map(|(_, done)| done.clone())
        })
    }

    fn remember(self, done: ActionDone) {
        TAKEN.with_borrow_mut(|taken| {
            taken.retain(|(key, _)| *key != self);
            taken.push((self, done));
        });
    }
}

/// Where one action stands.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Ready,
    Working,
    Done(ActionDone),
    Failed(String),
}

/// One action (`data-testid="action"`, `data-action` its JSON name): busy and disabled
/// while it runs (a second click sends nothing), then done, with what it made
/// (`action-done`, with a "View in Salesforce" link), or why not (`action-error`: the
/// edge's or Salesforce's own reason), after which it can be tried again.
#[component]
pub fn ActionButton(
    action: Action,
    #[prop(default = None)] record: Option<SfId>,
    #[prop(default = None)] client: Option<Client>,
    #[prop(default = None)] on_done: Option<Callback<ActionDone>>,
) -> impl IntoView {
    let taken = Taken::of(client.as_ref(), action, record.as_ref());
    let step = RwSignal::new(
        taken
            .as_ref()
            .and_then(Taken::recall)
            .map_or(Step::Ready, Step::Done),
    );
    let key = action.wire_name();
    let run = move |_| {
        if step.get_untracked() == Step::Working {
            return;
        }
        let Some(client) = client.clone() else {
            step.set(Step::Failed(ClientError::MissingToken.to_string()));
            return;
        };
        let record = record.clone();
        let taken = taken.clone();
        step.set(Step::Working);
        leptos::task::spawn_local(async move {
            let outcome = client.act(action, record.as_ref()).await;
            match outcome {
                Ok(done) => {
                    if let Some(taken) = taken {
                        taken.remember(done.clone());
                    }
                    step.try_set(Step::Done(done.clone()));
                    if let Some(on_done) = on_done {
                        on_done.run(done);
                    }
                }
                Err(error) => {
                    step.try_set(Step::Failed(error.to_string()));
                }
            }
        });
    };
    view! {
        <div class="action" data-testid="action-slot" data-action=key>
            <button
                type="button"
                class="action-button"
                class:done=move || matches!(step.get(), Step::Done(_))
                data-testid="action"
                data-action=key
                disabled=move || matches!(step.get(), Step::Working | Step::Done(_))
                aria-busy=move || (step.get() == Step::Working).to_string()
                on:click=run
            >
                {move || match step.get() {
                    Step::Working => busy_label(action),
                    _ => action.label(),
                }}
            </button>
            {move || match step.get() {
                Step::Done(done) => EitherOf3::A(view! { <DoneNote done=done /> }),
                Step::Failed(message) => {
                    EitherOf3::B(
                        view! {
                            <p class="action-error" role="alert" data-testid="action-error">
                                <strong>{failed_text(action)}</strong>
                                " "
                                {message}
                            </p>
                        },
                    )
                }
                Step::Ready | Step::Working => EitherOf3::C(()),
            }}
        </div>
    }
}

/// What a button says while its action runs.
fn busy_label(action: Action) -> &'static str {
    match action {
        Action::CreateContact => "Creating contact…",
        Action::CreateLead => "Creating lead…",
        Action::LogTicket => "Logging ticket…",
        Action::OpenCase => "Opening case…",
    }
}

/// The first words of an action's error, before the reason.
fn failed_text(action: Action) -> &'static str {
    match action {
        Action::CreateContact => "The contact was not created.",
        Action::CreateLead => "The lead was not created.",
        Action::LogTicket => "The ticket was not logged.",
        Action::OpenCase => "No case was opened.",
    }
}

/// What an action made (`data-testid="action-done"`): `Case 00001026 opened`, ...
#[component]
fn DoneNote(done: ActionDone) -> impl IntoView {
    let text = done_text(&done);
    view! {
        <p class="action-done" role="status" data-testid="action-done">
            <span>{text}</span>
            <ViewInSalesforce url=done.url />
        </p>
    }
}

/// How an action's outcome reads.
pub fn done_text(done: &ActionDone) -> String {
    match done.action {
        Action::CreateContact => "Contact created in Salesforce".into(),
        Action::CreateLead => "Lead created in Salesforce".into(),
        Action::LogTicket => "Ticket logged as a completed task".into(),
        Action::OpenCase => match &done.number {
            Some(number) => format!("Case {number} opened for this ticket"),
            None => "Case opened for this ticket".into(),
        },
    }
}
