//! The agent panel: fetches the ticket's panel from the edge and shows its state.

use super::{
    ChooseContact, ErrorState, LoadingSkeleton, NoAccountState, NoMatchState, NoRequesterState,
    NotConnectedState, PanelHeader, RecordView,
};
use crate::api::{Client, ClientError};
use contract::api::{ActionDone, Panel, PanelQuery};
use contract::ids::SfId;
use leptos::prelude::*;

/// A pick the agent made for one context (ticket): a contact among several, or a record
/// opened from a suggestion or a search.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pick {
    token: String,
    id: SfId,
}

fn pick_for(pick: RwSignal<Option<Pick>>, token: Option<&String>) -> Option<SfId> {
    pick.with_untracked(|pick| {
        pick.as_ref()
            .filter(|pick| token == Some(&pick.token))
            .map(|pick| pick.id.clone())
    })
}

/// An answer of the edge, and the token (ticket) it answers for.
#[derive(Debug, Clone, PartialEq)]
struct Answer {
    token: Option<String>,
    outcome: Result<Panel, ClientError>,
}

/// The answer for `token`, if that is what `answer` answers: another ticket's is never shown.
fn answer_for<'a>(answer: &'a Option<Answer>, token: &Option<String>) -> Option<&'a Answer> {
    answer.as_ref().filter(|answer| answer.token == *token)
}

/// The agent panel: fetches [`Panel`] for the context token and shows it: the skeleton
/// until the first answer for this token; on a refresh, the answer shown stays, dimmed,
/// while the refresh button spins, and the edge reads Salesforce afresh (`?fresh=true`).
/// Without a token it explains that, and calls nothing. Once the agent has chosen among
/// several contacts, every fetch for that token asks for the chosen one (`?contact=`);
/// a record opened from a suggestion or a search is fetched with `?record=` until the
/// agent goes back (`data-testid="back"`).
///
/// Only the latest fetch counts: when the agent moves to another ticket while a fetch is
/// under way, the new ticket is fetched at once and the late answer for the old one is
/// dropped, never shown.
#[component]
pub fn AgentPanel(
    /// The helpdesk context token; `None` when the page was opened without one.
    #[prop(into)]
    token: Signal<Option<String>>,
) -> impl IntoView {
    let chosen = RwSignal::new(None::<Pick>);
    let opened = RwSignal::new(None::<Pick>);
    let answer = RwSignal::new(None::<Answer>);
    let busy = RwSignal::new(false);
    // Numbers the fetches; an answer is shown only if no fetch started after its own.
    let latest = StoredValue::new(0_u64);

    let load = move |fresh: bool| {
        let token = token.get_untracked();
        let query = PanelQuery {
            contact: pick_for(chosen, token.as_ref()),
            record: pick_for(opened, token.as_ref()),
            fresh,
        };
        let this = latest.get_value() + 1;
        latest.set_value(this);
        busy.set(true);
        leptos::task::spawn_local(async move {
            let outcome = match &token {
                Some(token) => Client::new(token).panel_with(&query).await,
                None => Err(ClientError::MissingToken),
            };
            if latest.try_get_value() == Some(this) {
                // The same answer again (a refresh where nothing changed) leaves the panel
                // as it is, folded sections and all.
                let new = Some(Answer { token, outcome });
                answer.try_maybe_update(|shown| {
                    let changed = *shown != new;
                    if changed {
                        *shown = new;
                    }
                    (changed, ())
                });
                busy.try_set(false);
            }
        });
    };
    // A new token (ticket), a choice of contact or an opened record: fetch again.
    Effect::new(move |_| {
        token.track();
        chosen.track();
        opened.track();
        load(false);
    });
    let refresh = Callback::new(move |()| load(true));
    let pick = move |signal: RwSignal<Option<Pick>>| {
        Callback::new(move |id: SfId| {
            if let Some(token) = token.get_untracked() {
                signal.set(Some(Pick { token, id }));
            }
        })
    };
    let on_chosen = pick(chosen);
    let on_open = pick(opened);
    let is_opened = move || {
        token.with(|token| {
            opened.with(|opened| {
                opened
                    .as_ref()
                    .is_some_and(|o| Some(&o.token) == token.as_ref())
            })
        })
    };

    // The answer for the token now in the URL.
    let current = move || {
        token.with(|token| {
            answer.with(|answer| answer_for(answer, token).map(|answer| answer.outcome.clone()))
        })
    };
    // Dims an answer already shown while a newer one loads; the first load has the skeleton.
    let stale = move || {
        busy.get() && token.with(|token| answer.with(|answer| answer_for(answer, token).is_some()))
    };

    view! {
        <div class="panel">
            <PanelHeader busy=busy on_refresh=refresh />
            <main class="panel-body" class:stale=stale aria-busy=move || busy.get().to_string()>
                {move || {
                    is_opened()
                        .then(|| {
                            view! {
                                <nav class="back-bar" aria-label="Opened record">
                                    <button
                                        type="button"
                                        class="link-button back"
                                        data-testid="back"
                                        on:click=move |_| opened.set(None)
                                    >
                                        <span aria-hidden="true">"← "</span>
                                        "Back to the requester"
                                    </button>
                                </nav>
                            }
                        })
                }}
                {move || match current() {
                    Some(outcome) => {
                        let client = token.get_untracked().map(Client::new);
                        view! {
                            <PanelView
                                outcome=outcome
                                on_retry=refresh
                                client=client
                                on_chosen=on_chosen
                                on_open=on_open
                            />
                        }
                            .into_any()
                    }
                    None => view! { <LoadingSkeleton /> }.into_any(),
                }}
            </main>
        </div>
    }
}

/// The state switch: one fetched outcome, shown as the matching component.
#[component]
pub fn PanelView(
    outcome: Result<Panel, ClientError>,
    /// Asks for the panel again (offered on retryable errors).
    #[prop(into)]
    on_retry: Callback<()>,
    /// Sends a choice among several contacts, or a search; without it choosing explains
    /// that it can't.
    #[prop(default = None)]
    client: Option<Client>,
    /// Shows the contact chosen among several (after the edge has the choice).
    #[prop(optional, into)]
    on_chosen: Option<Callback<SfId>>,
    /// Opens a suggested account or a search hit; without it neither is offered.
    #[prop(optional, into)]
    on_open: Option<Callback<SfId>>,
) -> impl IntoView {
    // What an action made shows once Salesforce is read again.
    let on_action = Some(Callback::new(move |_: ActionDone| on_retry.run(())));
    match outcome {
        Ok(Panel::View { view }) => {
            view! { <RecordView view=view client=client on_action=on_action /> }.into_any()
        }
        Ok(Panel::Choose { email, candidates }) => {
            let on_chosen = on_chosen.unwrap_or_else(|| Callback::new(|_| {}));
            view! {
                <ChooseContact
                    email=email
                    candidates=candidates
                    client=client
                    on_chosen=on_chosen
                />
            }
            .into_any()
        }
        Ok(Panel::NotConnected { can_connect }) => {
            view! { <NotConnectedState can_connect=can_connect /> }.into_any()
        }
        Ok(Panel::NoMatch {
            email,
            suggestion,
            lead,
            actions,
        }) => view! {
            <NoMatchState
                email=email
                suggestion=suggestion
                lead=lead
                actions=actions
                client=client
                on_open=on_open
                on_action=on_action
            />
        }
        .into_any(),
        Ok(Panel::NoAccount {
            contact,
            name,
            suggestion,
        }) => view! {
            <NoAccountState
                contact=contact
                name=name
                suggestion=suggestion
                client=client
                on_open=on_open
            />
        }
        .into_any(),
        Ok(Panel::NoRequester) => view! { <NoRequesterState /> }.into_any(),
        Err(error) => view! { <ErrorState error=error on_retry=on_retry /> }.into_any(),
    }
}
