//! Which Salesforce fields the agent panel shows under each record's header: per object
//! (contacts, accounts, opportunities), chosen among the fields the connected org lets
//! the integration read, in the order to show them.

use super::parts::{Notice, load_now, loaded_view};
use crate::api::Client;
use contract::panel_fields::{
    MAX_FIELDS, PanelFieldOption, PanelFields, PanelFieldsView, PanelObject,
};
use leptos::prelude::*;

/// The panel fields screen (`data-testid="panel-fields"`).
#[component]
pub fn PanelFieldsScreen(client: Client) -> impl IntoView {
    let (loaded, retry) = {
        let client = client.clone();
        load_now(move || {
            let client = client.clone();
            async move { client.panel_fields().await }
        })
    };
    view! {
        <div class="screen" data-testid="panel-fields">
            <div class="screen-head">
                <h2 class="screen-title">"Panel fields"</h2>
            </div>
            <p class="screen-intro muted">
                "The Salesforce fields agents see under each record's name, in this order. Only fields the connected Salesforce user can read are offered."
            </p>
            {loaded_view(loaded, retry, move |view: PanelFieldsView| {
                view! { <PanelFieldsForm client=client.clone() view=view /> }
            })}
        </div>
    }
}

/// Save states of the form.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Saving {
    Idle,
    InProgress,
    Saved,
    Failed(String),
}

#[component]
fn PanelFieldsForm(client: Client, view: PanelFieldsView) -> impl IntoView {
    let chosen = RwSignal::new(view.chosen);
    let offered = StoredValue::new(view.offered);
    let saving = RwSignal::new(Saving::Idle);
    let save = move |_| {
        let client = client.clone();
        let fields: PanelFields = chosen.get_untracked();
        saving.set(Saving::InProgress);
        leptos::task::spawn_local(async move {
            let outcome = client.save_panel_fields(&fields).await;
            match outcome {
                Ok(saved) => {
                    chosen.try_set(saved.chosen);
                    saving.try_set(Saving::Saved);
                }
                Err(error) => {
                    saving.try_set(Saving::Failed(error.to_string()));
                }
            }
        });
    };
    view! {
        <div class="card">
            {PanelObject::ALL
                .into_iter()
                .map(|object| {
                    view! {
                        <ObjectFields
                            object=object
                            chosen=chosen
                            offered=offered.with_value(|o| o.get(object).clone())
                            on_change=Callback::new(move |()| saving.set(Saving::Idle))
                        />
                    }
                })
                .collect_view()}
            <div class="actions">
                <button
                    type="button"
                    class="button button-primary"
                    data-testid="save-panel-fields"
                    disabled=move || saving.get() == Saving::InProgress
                    on:click=save
                >
                    {move || if saving.get() == Saving::InProgress { "Saving…" } else { "Save" }}
                </button>
            </div>
            {move || match saving.get() {
                Saving::Saved => Some(view! {
                    <Notice tone="success" text="Saved. Agents see these fields the next time they open the panel." />
                }.into_any()),
                Saving::Failed(message) => Some(view! { <Notice tone="error" text=message /> }.into_any()),
                Saving::Idle | Saving::InProgress => None,
            }}
        </div>
    }
}

/// One object's chosen fields (`data-testid="panel-fields-<object>"`), each removable
/// (`remove-field`) and movable up (`move-field-up`), and a list to add one
/// (`add-field`).
#[component]
fn ObjectFields(
    object: PanelObject,
    chosen: RwSignal<PanelFields>,
    offered: Vec<PanelFieldOption>,
    on_change: Callback<()>,
) -> impl IntoView {
    let offered = StoredValue::new(offered);
    let label_of = move |name: &str| {
        offered.with_value(|options| {
            options
                .iter()
                .find(|o| o.name == name)
                .map_or_else(|| name.to_owned(), |o| o.label.clone())
        })
    };
    let edit = move |change: &dyn Fn(&mut Vec<String>)| {
        chosen.update(|fields| change(fields.get_mut(object)));
        on_change.run(());
    };
    let key = match object {
        PanelObject::Contact => "contact",
        PanelObject::Account => "account",
        PanelObject::Opportunity => "opportunity",
    };
    let list_id = format!("sfd-panel-fields-{key}");
    view! {
        <fieldset class="panel-fields-object" data-testid=format!("panel-fields-{key}")>
            <legend>{object.title()}</legend>
            <ol class="chosen-fields" id=list_id>
                {move || {
                    let names = chosen.with(|fields| fields.get(object).clone());
                    if names.is_empty() {
                        return view! { <li class="empty muted">"Only the header fields"</li> }.into_any();
                    }
                    names
                        .into_iter()
                        .enumerate()
                        .map(|(index, name)| {
                            let label = label_of(&name);
                            let up_label = format!("Move {label} up");
                            let remove_label = format!("Remove {label}");
                            view! {
                                <li data-testid="chosen-field" data-field=name.clone()>
                                    <span class="field-label">{label}</span>
                                    <code class="muted">{name.clone()}</code>
                                    <button
                                        type="button"
                                        class="link-button"
                                        data-testid="move-field-up"
                                        aria-label=up_label
                                        disabled=index == 0
                                        on:click=move |_| edit(&|fields: &mut Vec<String>| fields.swap(index - 1, index))
                                    >
                                        "↑"
                                    </button>
                                    <button
                                        type="button"
                                        class="link-button"
                                        data-testid="remove-field"
                                        aria-label=remove_label
                                        on:click=move |_| edit(&|fields: &mut Vec<String>| {
                                            fields.remove(index);
                                        })
                                    >
                                        "Remove"
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                        .into_any()
                }}
            </ol>
            <label class="add-field">
                <span class="visually-hidden">{format!("Add a field to {}", object.title())}</span>
                <select
                    data-testid="add-field"
                    disabled=move || chosen.with(|fields| fields.get(object).len() >= MAX_FIELDS)
                    on:change=move |event| {
                        let name = event_target_value(&event);
                        if !name.is_empty() {
                            edit(&|fields: &mut Vec<String>| {
                                if !fields.contains(&name) {
                                    fields.push(name.clone());
                                }
                            });
                        }
                    }
                    prop:value=move || {
                        chosen.track();
                        String::new()
                    }
                >
                    <option value="">"Add a field…"</option>
                    {move || {
                        let taken = chosen.with(|fields| fields.get(object).clone());
                        offered
                            .with_value(|options| {
                                options
                                    .iter()
                                    .filter(|o| !taken.contains(&o.name))
                                    .map(|o| view! { <option value=o.name.clone()>{o.label.clone()}</option> })
                                    .collect_view()
                            })
                    }}
                </select>
            </label>
        </fieldset>
    }
}
