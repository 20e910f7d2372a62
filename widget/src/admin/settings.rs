//! Sync settings: the sync type and the field mapping of contacts and accounts, every
//! issue flagged inline (with the reference's wording) before anything is saved, then
//! "Start sync".

use super::api::SyncAction;
use super::parts::{Notice, load_now, loaded_view};
use crate::api::Client;
use contract::admin::{ObjectIssue, SaveSettings, SettingsView, SyncState, SyncStatus};
use contract::mapping::{
    FieldMeta, FieldPair, MappingIssue, ObjectKind, SyncRule, SyncType, ValueKind,
};
use contract::side::Side;
use leptos::prelude::*;

/// Loads the settings and shows the form.
#[component]
pub fn SyncSettings(
    client: Client,
    #[prop(into)] sync_state: Signal<SyncState>,
    /// The sync was started (from this form): its fresh status.
    #[prop(into)]
    on_started: Callback<SyncStatus>,
) -> impl IntoView {
    let (loaded, retry) = {
        let client = client.clone();
        load_now(move || {
            let client = client.clone();
            async move { client.settings().await }
        })
    };
    loaded_view(loaded, retry, move |view| {
        view! {
            <MappingForm
                client=client.clone()
                view=view
                sync_state=sync_state
                on_started=on_started
            />
        }
    })
}

/// The name a person reads for a value kind.
pub fn kind_label(kind: ValueKind) -> &'static str {
    match kind {
        ValueKind::Text => "Text",
        ValueKind::Integer => "Integer",
        ValueKind::Decimal => "Decimal",
        ValueKind::Boolean => "Checkbox",
        ValueKind::Date => "Date",
        ValueKind::DateTime => "Date/time",
    }
}

/// The helpdesk fields (rows) an issue belongs to; empty when it belongs to the object as a
/// whole (a Salesforce field that must be mapped and is not).
pub fn issue_rows(issue: &MappingIssue, pairs: &[FieldPair]) -> Vec<String> {
    let by_salesforce = |field: &str| -> Vec<String> {
        pairs
            .iter()
            .filter(|pair| pair.salesforce == field)
            .map(|pair| pair.helpdesk.clone())
            .collect()
    };
    match issue {
        MappingIssue::TypeMismatch { helpdesk, .. }
        | MappingIssue::RuleNeedsTwoWay { helpdesk, .. } => vec![helpdesk.clone()],
        MappingIssue::MandatoryMissing {
            side: Side::Helpdesk,
            field,
        } => vec![field.clone()],
        MappingIssue::MandatoryMissing {
            side: Side::Salesforce,
            ..
        } => vec![],
        MappingIssue::UnknownField { side, field }
        | MappingIssue::MappedTwice { side, field }
        | MappingIssue::ReadOnly { side, field } => match side {
            Side::Helpdesk => vec![field.clone()],
            Side::Salesforce => by_salesforce(field),
        },
    }
}

/// What to do about an issue, after its message.
pub fn issue_hint(issue: &MappingIssue, salesforce: &[FieldMeta]) -> Option<String> {
    match issue {
        MappingIssue::TypeMismatch { .. } => {
            Some("Choose a Salesforce field of a matching type.".to_owned())
        }
        MappingIssue::RuleNeedsTwoWay { .. } => Some(
            "Choose \"Salesforce always wins\" or \"Don't sync\", or sync both ways.".to_owned(),
        ),
        MappingIssue::ReadOnly { .. } => {
            Some("Choose a rule that never writes to this field, or another field.".to_owned())
        }
        MappingIssue::MandatoryMissing {
            side: Side::Helpdesk,
            ..
        } => Some("The helpdesk requires this field: choose a Salesforce field for it.".to_owned()),
        MappingIssue::MandatoryMissing {
            side: Side::Salesforce,
            field,
        } => {
            let label = salesforce
                .iter()
                .find(|meta| &meta.name == field)
                .map_or(field.as_str(), |meta| meta.label.as_str());
            Some(format!(
                "Salesforce requires {label} ({field}): map a helpdesk field to it."
            ))
        }
        _ => None,
    }
}

/// The editable form over one loaded [`SettingsView`].
#[component]
pub fn MappingForm(
    client: Client,
    view: SettingsView,
    #[prop(into)] sync_state: Signal<SyncState>,
    #[prop(into)] on_started: Callback<SyncStatus>,
) -> impl IntoView {
    let fields = StoredValue::new(view.clone());
    let sync_type = RwSignal::new(view.sync_type);
    let contacts = RwSignal::new(view.contacts.clone());
    let accounts = RwSignal::new(view.accounts.clone());
    let request = Memo::new(move |_| SaveSettings {
        sync_type: sync_type.get(),
        contacts: contacts.get(),
        accounts: accounts.get(),
    });
    let issues = Memo::new(move |_| fields.with_value(|view| request.with(|r| r.issues(view))));
    // The admin tried to save with issues left: say so above the buttons.
    let attempted = RwSignal::new(false);
    let busy = RwSignal::new(None::<&'static str>);
    let outcome = RwSignal::new(None::<Result<String, String>>);

    let submit = move |start: bool| {
        outcome.set(None);
        if !issues.with_untracked(Vec::is_empty) {
            attempted.set(true);
            return;
        }
        attempted.set(false);
        let client = client.clone();
        let settings = request.get_untracked();
        busy.set(Some(if start { "Starting…" } else { "Saving…" }));
        leptos::task::spawn_local(async move {
            let saved = client.save_settings(&settings).await;
            let result = match saved {
                Err(error) => Err(format!("Not saved: {error}")),
                Ok(_) if !start => Ok("Saved. New settings apply to the next changes synced."),
                Ok(_) => match client.sync_action(SyncAction::Start).await {
                    Ok(status) => {
                        on_started.run(status);
                        Ok("Saved, and the sync has started.")
                    }
                    Err(error) => Err(format!("Saved, but the sync did not start: {error}")),
                },
            };
            busy.try_set(None);
            outcome.try_set(Some(result.map(str::to_owned)));
        });
    };
    let submit = StoredValue::new(submit);

    let started = move || sync_state.get() != SyncState::NotStarted;
    let object_section = move |object: ObjectKind| {
        let pairs = match object {
            ObjectKind::Contact => contacts,
            ObjectKind::Account => accounts,
        };
        view! { <ObjectMapping object=object fields=fields pairs=pairs issues=issues /> }
    };

    view! {
        <form
            class="mapping"
            data-testid="sync-settings"
            novalidate=true
            on:submit=move |event| {
                event.prevent_default();
                submit.with_value(|submit| submit(!started()));
            }
        >
            <fieldset class="card sync-type" data-testid="sync-type">
                <legend class="card-title">"Sync type"</legend>
                <SyncTypeChoice
                    value=SyncType::TwoWay
                    current=sync_type
                    title="Two-way"
                    detail="Changes in either system reach the other. Recommended."
                />
                <SyncTypeChoice
                    value=SyncType::SalesforceToHelpdesk
                    current=sync_type
                    title="Salesforce to helpdesk only"
                    detail="Salesforce is the master: its records flow to the helpdesk, helpdesk edits stay there."
                />
            </fieldset>
            {object_section(ObjectKind::Contact)}
            {object_section(ObjectKind::Account)}
            <div class="form-actions">
                {move || {
                    let count = issues.with(Vec::len);
                    (attempted.get() && count > 0)
                        .then(|| {
                            let text = if count == 1 {
                                "1 mapping issue to fix before saving: see the field marked below."
                                    .to_owned()
                            } else {
                                format!(
                                    "{count} mapping issues to fix before saving: see the fields marked below."
                                )
                            };
                            view! { <Notice tone="error" text=text test_id="mapping-summary" /> }
                        })
                }}
                {move || {
                    outcome
                        .get()
                        .map(|result| match result {
                            Ok(text) => {
                                view! { <Notice tone="success" text=text test_id="settings-saved" /> }
                            }
                            Err(text) => {
                                view! { <Notice tone="error" text=text test_id="settings-error" /> }
                            }
                        })
                }}
                <div class="button-row">
                    {move || {
                        (!started())
                            .then(|| {
                                view! {
                                    <button
                                        type="button"
                                        class="button"
                                        data-testid="save-settings"
                                        disabled=move || busy.get().is_some()
                                        on:click=move |_| submit.with_value(|submit| submit(false))
                                    >
                                        "Save"
                                    </button>
                                }
                            })
                    }}
                    <button
                        type="submit"
                        class="button button-primary"
                        data-testid=move || if started() { "save-settings" } else { "start-sync" }
                        disabled=move || busy.get().is_some()
                        aria-busy=move || busy.get().is_some().to_string()
                    >
                        {move || {
                            busy.get()
                                .unwrap_or(if started() { "Save changes" } else { "Start sync" })
                        }}
                    </button>
                </div>
            </div>
        </form>
    }
}

#[component]
fn SyncTypeChoice(
    value: SyncType,
    current: RwSignal<SyncType>,
    title: &'static str,
    detail: &'static str,
) -> impl IntoView {
    let id = match value {
        SyncType::TwoWay => "two_way",
        SyncType::SalesforceToHelpdesk => "salesforce_to_helpdesk",
    };
    view! {
        <label class="radio-card" class:checked=move || current.get() == value>
            <input
                type="radio"
                name="sync-type"
                value=id
                data-testid=format!("sync-type-{id}")
                prop:checked=move || current.get() == value
                on:change=move |_| current.set(value)
            />
            <span class="radio-text">
                <strong>{title}</strong>
                <span class="muted">{detail}</span>
            </span>
        </label>
    }
}

/// One object's mapping: a row per helpdesk field with a dropdown of Salesforce fields.
#[component]
fn ObjectMapping(
    object: ObjectKind,
    fields: StoredValue<SettingsView>,
    pairs: RwSignal<Vec<FieldPair>>,
    issues: Memo<Vec<ObjectIssue>>,
) -> impl IntoView {
    let meta = fields.with_value(|view| match object {
        ObjectKind::Contact => view.contact_fields.clone(),
        ObjectKind::Account => view.account_fields.clone(),
    });
    // Every helpdesk field, then any mapped name the helpdesk no longer has.
    let mut rows: Vec<(String, Option<FieldMeta>)> = meta
        .helpdesk
        .iter()
        .map(|field| (field.name.clone(), Some(field.clone())))
        .collect();
    pairs.with_untracked(|pairs| {
        for pair in pairs {
            if !rows.iter().any(|(name, _)| *name == pair.helpdesk) {
                rows.push((pair.helpdesk.clone(), None));
            }
        }
    });
    let salesforce = StoredValue::new(meta.salesforce.clone());
    let object_issues = Memo::new(move |_| {
        issues.with(|issues| {
            pairs.with(|pairs| {
                issues
                    .iter()
                    .filter(|i| i.object == object)
                    .filter(|i| issue_rows(&i.issue, pairs).is_empty())
                    .map(|i| {
                        let hint = salesforce.with_value(|sf| issue_hint(&i.issue, sf));
                        (i.issue.to_string(), hint)
                    })
                    .collect::<Vec<_>>()
            })
        })
    });
    let mapped = move || pairs.with(Vec::len);
    let total = rows.len();
    let slug = match object {
        ObjectKind::Contact => "contacts",
        ObjectKind::Account => "accounts",
    };

    view! {
        <section
            class="card mapping-object"
            data-testid=format!("mapping-{slug}")
            aria-labelledby=format!("mapping-{slug}-title")
        >
            <div class="card-head-row">
                <h2 class="card-title" id=format!("mapping-{slug}-title")>
                    {object.plural()}
                </h2>
                <span class="muted small">{move || format!("{} of {total} fields synced", mapped())}</span>
            </div>
            <div class="map-head" aria-hidden="true">
                <span>"Helpdesk field"</span>
                <span>"Salesforce field and rule"</span>
            </div>
            {move || {
                object_issues
                    .get()
                    .into_iter()
                    .map(|(message, hint)| {
                        view! {
                            <p class="field-issue object-issue" data-testid="mapping-issue" role="alert">
                                <strong>{message}</strong>
                                " "
                                {hint.map(|hint| view! { <span class="hint">{hint}</span> })}
                            </p>
                        }
                    })
                    .collect_view()
            }}
            <ul class="map-rows">
                {rows
                    .into_iter()
                    .map(|(name, field)| {
                        view! {
                            <MappingRow
                                object=object
                                name=name
                                field=field
                                salesforce=salesforce
                                pairs=pairs
                                issues=issues
                            />
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn MappingRow(
    object: ObjectKind,
    name: String,
    field: Option<FieldMeta>,
    salesforce: StoredValue<Vec<FieldMeta>>,
    pairs: RwSignal<Vec<FieldPair>>,
    issues: Memo<Vec<ObjectIssue>>,
) -> impl IntoView {
    let id = format!("map-{}-{name}", object.salesforce_name().to_lowercase());
    let issue_id = format!("{id}-issue");
    let row_name = name.clone();
    let selected = Memo::new(move |_| {
        pairs.with(|pairs| {
            pairs
                .iter()
                .find(|pair| pair.helpdesk == row_name)
                .map(|pair| pair.salesforce.clone())
                .unwrap_or_default()
        })
    });
    let row_name = name.clone();
    let rule = Memo::new(move |_| {
        pairs.with(|pairs| {
            pairs
                .iter()
                .find(|pair| pair.helpdesk == row_name)
                .map(|pair| pair.rule)
        })
    });
    let row_name = name.clone();
    let row_issues = Memo::new(move |_| {
        issues.with(|issues| {
            pairs.with(|pairs| {
                issues
                    .iter()
                    .filter(|i| i.object == object)
                    .filter(|i| issue_rows(&i.issue, pairs).contains(&row_name))
                    .map(|i| {
                        let hint = salesforce.with_value(|sf| issue_hint(&i.issue, sf));
                        (i.issue.to_string(), hint)
                    })
                    .collect::<Vec<_>>()
            })
        })
    });
    let invalid = move || row_issues.with(|issues| !issues.is_empty());
    let row_name = name.clone();
    let choose = move |value: String| {
        pairs.update(|pairs| {
            let at = pairs.iter().position(|pair| pair.helpdesk == row_name);
            match (at, value.is_empty()) {
                (Some(at), true) => {
                    pairs.remove(at);
                }
                (Some(at), false) => pairs[at].salesforce = value,
                (None, true) => {}
                (None, false) => pairs.push(FieldPair::new(&row_name, &value)),
            }
        });
    };
    let row_name = name.clone();
    let choose_rule = Callback::new(move |value: String| {
        let Some(chosen) = SyncRule::ALL.into_iter().find(|r| r.id() == value) else {
            return;
        };
        pairs.update(|pairs| {
            if let Some(pair) = pairs.iter_mut().find(|pair| pair.helpdesk == row_name) {
                pair.rule = chosen;
            }
        });
    });
    let rule_label = format!(
        "Sync rule for {}",
        field.as_ref().map_or(name.as_str(), |f| f.label.as_str())
    );
    let (label, kind, required) = match &field {
        Some(field) => (
            field.label.clone(),
            Some(kind_label(field.kind)),
            field.required,
        ),
        None => (format!("{name} (no longer in the helpdesk)"), None, false),
    };
    let options = salesforce.with_value(|fields| {
        fields
            .iter()
            .map(|meta| {
                let value = meta.name.clone();
                let is_selected = {
                    let value = value.clone();
                    move || selected.with(|s| *s == value)
                };
                let text = format!("{} · {}", meta.label, kind_label(meta.kind));
                view! {
                    <option value=value selected=is_selected>
                        {text}
                    </option>
                }
            })
            .collect_view()
    });

    view! {
        <li
            class="map-row"
            class:invalid=invalid
            class:unmapped=move || selected.with(String::is_empty)
            data-testid="mapping-row"
            data-field=name.clone()
        >
            <label class="map-field" for=id.clone()>
                <span class="map-label">{label}</span>
                <span class="map-meta">
                    {kind.map(|kind| view! { <span class="kind">{kind}</span> })}
                    {required.then(|| view! { <span class="required">"Required"</span> })}
                </span>
            </label>
            <div class="map-choice">
                <select
                    id=id
                    class="select"
                    data-testid="mapping-select"
                    aria-invalid=move || invalid().to_string()
                    aria-describedby=issue_id.clone()
                    on:change=move |event| choose(event_target_value(&event))
                >
                    <option value="" selected=move || selected.with(String::is_empty)>
                        "— Not synced —"
                    </option>
                    {options}
                </select>
                {move || {
                    rule.get()
                        .map(|current| {
                            view! {
                                <select
                                    class="select rule-select"
                                    data-testid="mapping-rule"
                                    aria-label=rule_label.clone()
                                    on:change=move |event| choose_rule.run(event_target_value(&event))
                                >
                                    {SyncRule::ALL
                                        .into_iter()
                                        .map(|option| {
                                            view! {
                                                <option value=option.id() selected=option == current>
                                                    {option.label()}
                                                </option>
                                            }
                                        })
                                        .collect_view()}
                                </select>
                            }
                        })
                }}
            </div>
            <div id=issue_id class="row-issues" aria-live="polite">
                {move || {
                    row_issues
                        .get()
                        .into_iter()
                        .map(|(message, hint)| {
                            view! {
                                <p class="field-issue" data-testid="mapping-issue">
                                    <strong>{message}</strong>
                                " "
                                    {hint.map(|hint| view! { <span class="hint">{hint}</span> })}
                                </p>
                            }
                        })
                        .collect_view()
                }}
            </div>
        </li>
    }
}
