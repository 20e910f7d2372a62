//! The frame every section shares: title, count, fold button, empty note.

use super::item_row::{ItemList, Row};
use leptos::either::EitherOf3;
use leptos::prelude::*;

/// One section of the record's panel, as data: every section (opportunities, notes,
/// events, tasks) is drawn by the one [`SectionView`], which keeps the widget small.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionData {
    /// Names the section in ids and test hooks, e.g. `opportunities`.
    pub key: &'static str,
    pub title: &'static str,
    /// The number in the heading.
    pub count: usize,
    pub groups: Vec<Group>,
}

/// Rows shown together in a section, under an optional label, or folded away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// A small heading above the rows ("Upcoming", "Past").
    pub label: Option<&'static str>,
    /// Folds the rows into a closed `<details>` with this summary, e.g. "Closed (2)".
    pub folded: Option<String>,
    /// `data-testid` of the group, if it needs one.
    pub test_id: Option<&'static str>,
    pub rows: Vec<Row>,
    /// The quiet line shown instead of no rows (`data-testid="empty"`); nothing if `None`.
    pub empty: Option<&'static str>,
}

impl Group {
    /// Rows shown as they are, with `empty` said when there are none.
    pub fn shown(rows: Vec<Row>, empty: &'static str) -> Group {
        Group {
            label: None,
            folded: None,
            test_id: None,
            rows,
            empty: Some(empty),
        }
    }
}

/// A section: a region named by its heading (`data-testid="section-<key>"`), with the
/// number of items (`data-testid="count"`) and a button that folds it away for now
/// (`data-testid="section-toggle"`, `aria-expanded`). Nothing is remembered: every
/// panel starts unfolded.
#[component]
pub fn SectionView(section: SectionData) -> impl IntoView {
    let SectionData {
        key,
        title,
        count,
        groups,
    } = section;
    let open = RwSignal::new(true);
    let heading = format!("sfd-{key}-heading");
    let labelled_by = heading.clone();
    let body = format!("sfd-{key}-body");
    let controls = body.clone();
    let groups = groups
        .into_iter()
        .map(|group| view! { <GroupView group=group /> })
        .collect_view();
    view! {
        <section
            class="section"
            role="region"
            aria-labelledby=labelled_by
            data-testid=format!("section-{key}")
        >
            <h3 class="section-heading" id=heading>
                <button
                    type="button"
                    class="section-toggle"
                    aria-expanded=move || open.get().to_string()
                    aria-controls=controls
                    data-testid="section-toggle"
                    on:click=move |_| open.update(|open| *open = !*open)
                >
                    <span class="section-title">{title}</span>
                    <span class="count" data-testid="count">
                        {count}
                    </span>
                </button>
            </h3>
            <div class="section-body" id=body hidden=move || !open.get()>
                {groups}
            </div>
        </section>
    }
}

#[component]
fn GroupView(group: Group) -> impl IntoView {
    let Group {
        label,
        folded,
        test_id,
        rows,
        empty,
    } = group;
    if rows.is_empty() {
        return EitherOf3::A(empty.map(|text| {
            view! {
                <p class="empty" data-testid="empty">
                    {text}
                </p>
            }
        }));
    }
    match folded {
        Some(summary) => EitherOf3::B(view! {
            <details class="folded" data-testid=test_id>
                <summary>{summary}</summary>
                <ItemList rows=rows />
            </details>
        }),
        None => EitherOf3::C(view! {
            <div class="group" data-testid=test_id>
                {label.map(|label| view! { <h4 class="group-label">{label}</h4> })}
                <ItemList rows=rows />
            </div>
        }),
    }
}
