//! Change notifications from Salesforce: "Set it up for me" (sfdesk creates an Outbound
//! Message and an active record-triggered Flow per object in the org, through the edge),
//! what is set up and "Remove", and the steps to do the same by hand.

use super::parts::{Notice, object_singular};
use crate::api::{Client, ClientError, Method};
use contract::admin::{NOTIFICATIONS_PATH, NotificationSetup, ObjectNotifications};
use contract::mapping::ObjectKind;
use leptos::prelude::*;

impl Client {
    /// `GET` [`NOTIFICATIONS_PATH`]: what sfdesk set up in Salesforce.
    pub async fn notifications(&self) -> Result<NotificationSetup, ClientError> {
        self.get_json(NOTIFICATIONS_PATH).await
    }

    /// `POST` [`NOTIFICATIONS_PATH`] to set them up, `DELETE` to remove them.
    pub async fn change_notifications(
        &self,
        action: Action,
    ) -> Result<NotificationSetup, ClientError> {
        let method = match action {
            Action::SetUp => Method::Post,
            Action::Remove => Method::Delete,
        };
        self.send_json(method, NOTIFICATIONS_PATH, None::<&()>)
            .await
    }
}

/// What the admin asked of Salesforce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    SetUp,
    Remove,
}

/// Where the automatic set-up is, for the view and its `data-state`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Phase {
    Loading,
    Working(Action),
    Ready(NotificationSetup),
}

impl Phase {
    fn slug(&self) -> &'static str {
        match self {
            Phase::Loading => "loading",
            Phase::Working(Action::SetUp) => "setting_up",
            Phase::Working(Action::Remove) => "removing",
            Phase::Ready(setup) if setup.objects.is_empty() => "not_set_up",
            Phase::Ready(_) => "set_up",
        }
    }
}

/// One set-up object, as a sentence: `Accounts: the Flow sfdesk_Account_changes is active
/// and sends the Outbound Message Account.sfdesk_Account_changes.`
pub fn describe(object: &ObjectNotifications) -> String {
    format!(
        "{}: the Flow {} is active and sends the Outbound Message {}{}",
        object.object.plural(),
        object.flow_name,
        object.outbound_message_name,
        if object.reused {
            " (found in the org and reused)."
        } else {
            "."
        }
    )
}

/// Whether both Accounts and Contacts are set up (a failure half-way leaves one).
fn is_complete(setup: &NotificationSetup) -> bool {
    [ObjectKind::Account, ObjectKind::Contact]
        .iter()
        .all(|object| setup.objects.iter().any(|o| o.object == *object))
}

/// The automatic set-up: the button, its progress, what it made, and "Remove".
#[component]
pub fn AutomaticSetup(client: Client) -> impl IntoView {
    let phase = RwSignal::new(Phase::Loading);
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<&'static str>);
    // What was there before an action, to come back to when it fails.
    let before = StoredValue::new(NotificationSetup::default());

    {
        let client = client.clone();
        leptos::task::spawn_local(async move {
            match client.notifications().await {
                Ok(setup) => {
                    before.set_value(setup.clone());
                    phase.try_set(Phase::Ready(setup));
                }
                Err(failure) => {
                    phase.try_set(Phase::Ready(NotificationSetup::default()));
                    error.try_set(Some(format!(
                        "Could not read what is set up in Salesforce: {failure}"
                    )));
                }
            }
        });
    }

    let act = Callback::new(move |action: Action| {
        let client = client.clone();
        phase.set(Phase::Working(action));
        error.set(None);
        done.set(None);
        leptos::task::spawn_local(async move {
            match client.change_notifications(action).await {
                Ok(setup) => {
                    before.set_value(setup.clone());
                    phase.try_set(Phase::Ready(setup));
                    done.try_set(Some(match action {
                        Action::SetUp => {
                            "Done: Salesforce now tells sfdesk of every new or edited Account and Contact."
                        }
                        Action::Remove => {
                            "Removed: the Flows and Outbound Messages are gone from Salesforce."
                        }
                    }));
                }
                Err(failure) => {
                    // What was done before the failure is read again rather than guessed.
                    let setup = client
                        .notifications()
                        .await
                        .unwrap_or_else(|_| before.get_value());
                    phase.try_set(Phase::Ready(setup));
                    error.try_set(Some(failure.to_string()));
                }
            }
        });
    });

    view! {
        <div
            class="automatic-setup"
            data-testid="notifications"
            data-state=move || phase.with(Phase::slug)
            aria-live="polite"
        >
            {move || match phase.get() {
                Phase::Loading => view! { <super::parts::LoadingLines lines=1 /> }.into_any(),
                Phase::Working(action) => {
                    let (label, progress) = match action {
                        Action::SetUp => (
                            "Setting up in Salesforce…",
                            "Creating an Outbound Message and an active Flow for Accounts, then for Contacts. This takes a few seconds.",
                        ),
                        Action::Remove => (
                            "Removing from Salesforce…",
                            "Deactivating and deleting the Flows, then the Outbound Messages.",
                        ),
                    };
                    view! {
                        <button
                            type="button"
                            class="button button-primary"
                            data-testid="notifications-working"
                            disabled=true
                            aria-busy="true"
                        >
                            {label}
                        </button>
                        <Notice tone="info" text=progress test_id="notifications-progress" />
                    }
                        .into_any()
                }
                Phase::Ready(setup) if setup.objects.is_empty() => view! {
                    <button
                        type="button"
                        class="button button-primary"
                        data-testid="set-up-notifications"
                        on:click=move |_| act.run(Action::SetUp)
                    >
                        "Set it up for me"
                    </button>
                    <p class="fine-print">
                        "sfdesk creates, in your Salesforce org, an Outbound Message and an active record-triggered Flow for Accounts and for Contacts. The connected Salesforce user needs the \"Customize Application\" and \"Manage Flow\" permissions."
                    </p>
                }
                    .into_any(),
                Phase::Ready(setup) => view! {
                    <ul class="setup-list" data-testid="notifications-set-up">
                        {setup
                            .objects
                            .iter()
                            .map(|object| {
                                view! {
                                    <li
                                        data-testid="notification-object"
                                        data-object=object_singular(object.object)
                                    >
                                        <span class="dot dot-success" aria-hidden="true"></span>
                                        {describe(object)}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                    <div class="button-row">
                        {(!is_complete(&setup))
                            .then(|| {
                                view! {
                                    <button
                                        type="button"
                                        class="button button-primary"
                                        data-testid="set-up-notifications"
                                        on:click=move |_| act.run(Action::SetUp)
                                    >
                                        "Finish setting up"
                                    </button>
                                }
                            })}
                        <button
                            type="button"
                            class="button"
                            data-testid="remove-notifications"
                            on:click=move |_| act.run(Action::Remove)
                        >
                            "Remove"
                        </button>
                    </div>
                }
                    .into_any(),
            }}
            {move || done.get().map(|text| view! { <Notice tone="success" text=text test_id="notifications-done" /> })}
            {move || {
                error
                    .get()
                    .map(|text| {
                        view! {
                            <div class="notice notice-error" role="alert" data-testid="notifications-error">
                                {text}
                            </div>
                        }
                    })
            }}
        </div>
    }
}

/// The same set-up by hand in Salesforce Setup, for one object and then the other.
pub const MANUAL_STEPS: [&str; 6] = [
    "In Setup, open Outbound Messages and choose New Outbound Message. Object: Account. Give it a name (sfdesk Account changes), paste the address above as Endpoint URL, keep Id as the field to send, and save.",
    "Open Setup → Flows → New Flow, and choose Record-Triggered Flow.",
    "Object: Account. Trigger the flow when: A record is created or updated. Optimize the flow for: Actions and Related Records.",
    "Add an element: Action, type Outbound Message, and pick the message from step 1.",
    "Save the flow (sfdesk Account changes), then Activate it.",
    "Do the same for Contact: a second Outbound Message and a second Flow.",
];

/// The manual steps with the address to paste, folded away under "Set it up by hand".
#[component]
pub fn ManualSetup(url: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    let copy = {
        let url = url.clone();
        move |_| {
            let clipboard = window().navigator().clipboard();
            let _ = clipboard.write_text(&url);
            copied.set(true);
        }
    };
    view! {
        <details class="manual-setup" data-testid="manual-setup">
            <summary>"Set it up by hand"</summary>
            <p class="muted">"The address Salesforce sends its Outbound Messages to:"</p>
            <div class="copy-row">
                <input
                    class="input"
                    type="text"
                    readonly=true
                    aria-label="Outbound Message URL"
                    data-testid="outbound-url-input"
                    prop:value=url
                    on:focus=|event| {
                        use wasm_bindgen::JsCast;
                        if let Some(input) = event
                            .target()
                            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                        {
                            input.select();
                        }
                    }
                />
                <button type="button" class="button button-small" on:click=copy>
                    {move || if copied.get() { "Copied" } else { "Copy" }}
                </button>
            </div>
            <ol class="steps manual-steps">
                {MANUAL_STEPS.iter().map(|step| view! { <li>{*step}</li> }).collect_view()}
            </ol>
        </details>
    }
}
