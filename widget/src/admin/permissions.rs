//! Per-profile permissions of the agent panel: Visible, Contacts or Accounts, Full or
//! Restricted access with its items. Every change is saved at once and takes effect on
//! the agent's next panel load.

use super::parts::{load_now, loaded_view};
use crate::api::Client;
use contract::admin::ProfilePermissions;
use contract::api::RecordKind;
use contract::permissions::{Access, Items, Permissions};
use leptos::prelude::*;

/// The permissions screen: loads every profile, a row each.
#[component]
pub fn PermissionsScreen(client: Client) -> impl IntoView {
    let (loaded, retry) = {
        let client = client.clone();
        load_now(move || {
            let client = client.clone();
            async move { client.permissions().await }
        })
    };
    view! {
        <div class="screen" data-testid="permissions">
            <div class="screen-head">
                <h2 class="screen-title">"Permissions"</h2>
            </div>
            <p class="screen-intro muted">
                "What each helpdesk profile sees of Salesforce beside a ticket. Changes are saved at once and apply the next time an agent opens the panel."
            </p>
            {loaded_view(loaded, retry, move |profiles: Vec<ProfilePermissions>| {
                let client = client.clone();
                view! {
                    <div class="card card-flush">
                        <table class="data-table permissions-table" data-testid="permissions-table">
                            <thead>
                                <tr>
                                    <th scope="col">"Profile"</th>
                                    <th scope="col">"Visible"</th>
                                    <th scope="col">"Shows"</th>
                                    <th scope="col">"Access"</th>
                                </tr>
                            </thead>
                            {profiles
                                .into_iter()
                                .map(|profile| view! { <ProfileRow client=client.clone() profile=profile /> })
                                .collect_view()}
                        </table>
                    </div>
                }
            })}
        </div>
    }
}

/// Save states of one row.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Saving {
    Idle,
    InProgress,
    Saved,
    Failed(String),
}

/// One restricted item: its key, its label, how to read and set it.
type ItemSwitch = (
    &'static str,
    String,
    fn(&Items) -> bool,
    fn(&mut Items, bool),
);

/// The restricted items, with their labels (the record's depends on what the profile
/// sees).
fn item_switches(shows: RecordKind) -> [ItemSwitch; 11] {
    let record = match shows {
        RecordKind::Contact => "Contact information",
        RecordKind::Account => "Account information",
    };
    [
        (
            "information",
            record.to_owned(),
            |i| i.information,
            |i, v| i.information = v,
        ),
        (
            "opportunities",
            "Opportunities".to_owned(),
            |i| i.opportunities,
            |i, v| i.opportunities = v,
        ),
        ("notes", "Notes".to_owned(), |i| i.notes, |i, v| i.notes = v),
        (
            "events",
            "Events".to_owned(),
            |i| i.events,
            |i, v| i.events = v,
        ),
        ("tasks", "Tasks".to_owned(), |i| i.tasks, |i, v| i.tasks = v),
        ("cases", "Cases".to_owned(), |i| i.cases, |i, v| i.cases = v),
        ("leads", "Leads".to_owned(), |i| i.leads, |i, v| i.leads = v),
        (
            "create_contact",
            "Create contact".to_owned(),
            |i| i.create_contact,
            |i, v| i.create_contact = v,
        ),
        (
            "create_lead",
            "Create lead".to_owned(),
            |i| i.create_lead,
            |i, v| i.create_lead = v,
        ),
        (
            "log_ticket",
            "Log ticket".to_owned(),
            |i| i.log_ticket,
            |i, v| i.log_ticket = v,
        ),
        (
            "open_case",
            "Open case".to_owned(),
            |i| i.open_case,
            |i, v| i.open_case = v,
        ),
    ]
}

/// One profile: its switches, saved immediately; a failed save puts the switch back.
#[component]
pub fn ProfileRow(client: Client, profile: ProfilePermissions) -> impl IntoView {
    let permissions = RwSignal::new(profile.permissions);
    let saving = RwSignal::new(Saving::Idle);
    // Numbers the saves; only the latest one's answer counts.
    let latest = StoredValue::new(0u64);
    let profile_id = profile.profile_id.clone();
    let profile_name = profile.profile_name.clone();
    let save = {
        let profile_id = profile_id.clone();
        let profile_name = profile_name.clone();
        move |next: Permissions| {
            let before = permissions.get_untracked();
            if next == before {
                return;
            }
            permissions.set(next);
            saving.set(Saving::InProgress);
            let this = latest.get_value() + 1;
            latest.set_value(this);
            let client = client.clone();
            let request = ProfilePermissions {
                profile_id: profile_id.clone(),
                profile_name: profile_name.clone(),
                permissions: next,
            };
            leptos::task::spawn_local(async move {
                let outcome = client.save_permissions(&request).await;
                if latest.try_get_value() != Some(this) {
                    return;
                }
                match outcome {
                    Ok(saved) => {
                        permissions.try_set(saved.permissions);
                        saving.try_set(Saving::Saved);
                    }
                    Err(error) => {
                        permissions.try_set(before);
                        saving.try_set(Saving::Failed(format!("Not saved: {error}")));
                    }
                }
            });
        }
    };
    let save = StoredValue::new(save);
    let change = move |edit: &dyn Fn(&mut Permissions)| {
        let mut next = permissions.get_untracked();
        edit(&mut next);
        save.with_value(|save| save(next));
    };
    let change = StoredValue::new_local(change);

    let slug: String = profile_name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let id = |part: &str| format!("perm-{slug}-{part}");
    let visible = move || permissions.with(|p| p.visible);
    let restricted = move || permissions.with(|p| matches!(p.access, Access::Restricted { .. }));
    let name = profile_name.clone();

    view! {
        <tbody
            class="profile"
            class:hidden-profile=move || !visible()
            data-testid="profile-row"
            data-profile=profile_name.clone()
        >
            <tr>
                <th scope="row" class="profile-name">
                    <span>{profile_name.clone()}</span>
                    <span class="save-state" role="status" aria-live="polite" data-testid="save-state">
                        {move || match saving.get() {
                            Saving::Idle => "".to_owned(),
                            Saving::InProgress => "Saving…".to_owned(),
                            Saving::Saved => "Saved".to_owned(),
                            Saving::Failed(_) => "Not saved".to_owned(),
                        }}
                    </span>
                </th>
                <td data-label="Visible">
                    <input
                        type="checkbox"
                        class="checkbox"
                        id=id("visible")
                        data-testid="perm-visible"
                        aria-label=format!("{name}: show Salesforce in the panel")
                        prop:checked=visible
                        on:change=move |event| {
                            let on = event_target_checked(&event);
                            change.with_value(|change| change(&|p: &mut Permissions| p.visible = on));
                        }
                    />
                </td>
                <td data-label="Shows">
                    <div class="segmented segmented-small" role="radiogroup" aria-label=format!("{name}: shows")>
                        {[(RecordKind::Contact, "Contacts"), (RecordKind::Account, "Accounts")]
                            .into_iter()
                            .map(|(kind, label)| {
                                let on = move || permissions.with(|p| p.shows == kind);
                                view! {
                                    <button
                                        type="button"
                                        class="segment"
                                        role="radio"
                                        aria-checked=move || on().to_string()
                                        disabled=move || !visible()
                                        data-testid=format!("perm-shows-{}", label.to_lowercase())
                                        on:click=move |_| {
                                            change.with_value(|change| change(&|p: &mut Permissions| p.shows = kind));
                                        }
                                    >
                                        {label}
                                    </button>
                                }
                            })
                            .collect_view()}
                    </div>
                </td>
                <td data-label="Access">
                    <select
                        class="select select-small"
                        data-testid="perm-access"
                        aria-label=format!("{name}: access")
                        disabled=move || !visible()
                        on:change=move |event| {
                            let restricted = event_target_value(&event) == "restricted";
                            change.with_value(|change| change(&|p: &mut Permissions| {
                                p.access = if restricted {
                                    Access::Restricted { items: p.access.items() }
                                } else {
                                    Access::Full
                                };
                            }));
                        }
                    >
                        <option value="full" selected=move || !restricted()>"Full access"</option>
                        <option value="restricted" selected=restricted>"Restricted"</option>
                    </select>
                </td>
            </tr>
            {move || {
                (restricted() && visible())
                    .then(|| {
                        let shows = permissions.with(|p| p.shows);
                        view! {
                            <tr class="items-row">
                                <td colspan="4">
                                    <fieldset class="items" data-testid="perm-items">
                                        <legend class="visually-hidden">
                                            {format!("{name}: what restricted access shows")}
                                        </legend>
                                        {item_switches(shows)
                                            .into_iter()
                                            .map(|(key, label, get, set)| {
                                                view! {
                                                    <label class="check">
                                                        <input
                                                            type="checkbox"
                                                            class="checkbox"
                                                            data-testid=format!("perm-item-{key}")
                                                            prop:checked=move || permissions.with(|p| get(&p.access.items()))
                                                            on:change=move |event| {
                                                                let on = event_target_checked(&event);
                                                                change.with_value(|change| change(&|p: &mut Permissions| {
                                                                    let mut items = p.access.items();
                                                                    set(&mut items, on);
                                                                    p.access = Access::Restricted { items };
                                                                }));
                                                            }
                                                        />
                                                        {label}
                                                    </label>
                                                }
                                            })
                                            .collect_view()}
                                    </fieldset>
                                </td>
                            </tr>
                        }
                    })
            }}
            {move || match saving.get() {
                Saving::Failed(text) => Some(view! {
                    <tr class="error-row">
                        <td colspan="4">
                            <p class="notice notice-error" role="alert" data-testid="perm-error">{text}</p>
                        </td>
                    </tr>
                }),
                _ => None,
            }}
        </tbody>
    }
}
