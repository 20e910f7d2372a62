//! Deleting the integration, behind a confirmation dialog that says what will be erased.

use crate::api::Client;
use leptos::{ev, html, prelude::*};

/// What deleting erases and what it keeps, as the dialog lists it.
pub const ERASED: [&str; 5] = [
    "The connection to Salesforce (sfdesk's access is revoked)",
    "The sync settings and field mapping for contacts and accounts",
    "The links between helpdesk and Salesforce records",
    "The sync history and the failure log",
    "The profile permissions for the Salesforce panel",
];
pub const KEPT: &str = "Contacts and accounts already synced stay as they are in both Salesforce and the helpdesk: nothing is deleted there.";

/// "Delete integration" and its confirmation dialog.
#[component]
pub fn DeleteIntegration(client: Client, #[prop(into)] on_deleted: Callback<()>) -> impl IntoView {
    let open = RwSignal::new(false);
    let trigger = NodeRef::<html::Button>::new();
    let close = move || {
        open.set(false);
        if let Some(button) = trigger.get_untracked() {
            let _ = button.focus();
        }
    };
    view! {
        <section class="card danger-zone" aria-labelledby="delete-title">
            <h2 class="card-title" id="delete-title">
                "Delete integration"
            </h2>
            <p class="muted">
                "Disconnects Salesforce and erases sfdesk's settings and history for this helpdesk."
            </p>
            <button
                type="button"
                class="button button-danger"
                data-testid="delete-integration"
                aria-haspopup="dialog"
                node_ref=trigger
                on:click=move |_| open.set(true)
            >
                "Delete integration"
            </button>
        </section>
        {move || {
            open.get()
                .then(|| {
                    view! {
                        <ConfirmDelete
                            client=client.clone()
                            on_cancel=Callback::new(move |()| close())
                            on_deleted=on_deleted
                        />
                    }
                })
        }}
    }
}

/// The dialog: modal, focus on "Cancel" when it opens, Escape cancels, Tab stays inside.
#[component]
pub fn ConfirmDelete(
    client: Client,
    #[prop(into)] on_cancel: Callback<()>,
    #[prop(into)] on_deleted: Callback<()>,
) -> impl IntoView {
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let cancel = NodeRef::<html::Button>::new();
    let confirm = NodeRef::<html::Button>::new();
    Effect::new(move |_| {
        if let Some(button) = cancel.get() {
            let _ = button.focus();
        }
    });
    let keys = window_event_listener(ev::keydown, move |event| {
        if event.key() == "Escape" && !busy.get_untracked() {
            event.prevent_default();
            on_cancel.run(());
        }
    });
    on_cleanup(move || keys.remove());
    // Tab and Shift+Tab cycle between the two buttons.
    let trap = move |event: ev::KeyboardEvent| {
        if event.key() != "Tab" {
            return;
        }
        let (Some(first), Some(last)) = (cancel.get_untracked(), confirm.get_untracked()) else {
            return;
        };
        let active = document().active_element();
        let on = |element: &web_sys::HtmlElement| {
            active
                .as_ref()
                .is_some_and(|a| a == AsRef::<web_sys::Element>::as_ref(element))
        };
        if event.shift_key() && on(&first) {
            event.prevent_default();
            let _ = last.focus();
        } else if !event.shift_key() && on(&last) {
            event.prevent_default();
            let _ = first.focus();
        }
    };
    let delete = move |_| {
        let client = client.clone();
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match client.delete_integration().await {
                Ok(()) => {
                    busy.try_set(false);
                    on_deleted.run(());
                }
                Err(failure) => {
                    busy.try_set(false);
                    error.try_set(Some(format!("The integration was not deleted: {failure}")));
                }
            }
        });
    };
    view! {
        <div class="dialog-backdrop" on:click=move |_| {
            if !busy.get_untracked() {
                on_cancel.run(());
            }
        }>
            <div
                class="dialog"
                role="alertdialog"
                aria-modal="true"
                aria-labelledby="confirm-delete-title"
                aria-describedby="confirm-delete-body"
                data-testid="confirm-delete"
                on:click=|event| event.stop_propagation()
                on:keydown=trap
            >
                <h2 class="dialog-title" id="confirm-delete-title">
                    "Delete the Salesforce integration?"
                </h2>
                <div id="confirm-delete-body">
                    <p>"This erases, for this helpdesk:"</p>
                    <ul class="erase-list" data-testid="erase-list">
                        {ERASED.iter().map(|item| view! { <li>{*item}</li> }).collect_view()}
                    </ul>
                    <p class="muted">{KEPT}</p>
                    <p class="muted">"Agents will see \"Not connected\" until Salesforce is connected again."</p>
                </div>
                {move || {
                    error
                        .get()
                        .map(|text| {
                            view! {
                                <p class="notice notice-error" role="alert" data-testid="delete-error">
                                    {text}
                                </p>
                            }
                        })
                }}
                <div class="button-row">
                    <button
                        type="button"
                        class="button"
                        data-testid="cancel-delete"
                        node_ref=cancel
                        disabled=move || busy.get()
                        on:click=move |_| on_cancel.run(())
                    >
                        "Cancel"
                    </button>
                    <button
                        type="button"
                        class="button button-danger-solid"
                        data-testid="confirm-delete-button"
                        node_ref=confirm
                        disabled=move || busy.get()
                        aria-busy=move || busy.get().to_string()
                        on:click=delete
                    >
                        {move || if busy.get() { "Deleting…" } else { "Delete" }}
                    </button>
                </div>
            </div>
        </div>
    }
}
