//! One item of a section (an opportunity, note, event or task) as a row, and a list of rows.

use super::format::is_web_url;
use leptos::either::Either;
use leptos::prelude::*;

/// One piece of text in a row: a stage pill, an amount, a date, a status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// CSS classes: `meta-part` (dot-separated), `pill …`, `badge …`, `amount`.
    pub class: String,
    /// `data-testid`.
    pub test_id: &'static str,
    pub text: String,
    /// A tooltip: what the text is, or the full date.
    pub title: Option<String>,
}

impl Part {
    pub fn new(class: impl Into<String>, test_id: &'static str, text: impl Into<String>) -> Part {
        Part {
            class: class.into(),
            test_id,
            text: text.into(),
            title: None,
        }
    }

    pub fn titled(mut self, title: impl Into<String>) -> Part {
        self.title = Some(title.into());
        self
    }
}

/// One item of a section (an opportunity, note, event or task), as data: every section
/// draws its items with the one [`ItemRow`], which keeps the widget small.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// `data-testid` and CSS class: `opportunity`, `note`, `event`, `task`.
    pub kind: &'static str,
    /// `data-status` and CSS class, e.g. `open`, `won`, `lost`, `upcoming`, `overdue`.
    pub status: &'static str,
    /// Unique in the page (the Salesforce Id); names the row's body for its toggle.
    pub id: String,
    pub title: String,
    /// The item in Salesforce.
    pub url: String,
    /// Beside the title: an amount, a priority.
    pub aside: Option<Part>,
    /// A longer text (a note's), clamped to two lines with "Show more" when long.
    pub body: Option<Body>,
    /// Lines of small print under the title.
    pub lines: Vec<Vec<Part>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    pub text: String,
    /// Whether it is long enough to clamp (and to offer "Show more").
    pub long: bool,
}

/// Rows as a list.
#[component]
pub fn ItemList(rows: Vec<Row>) -> impl IntoView {
    view! {
        <ul class="items">
            {rows.into_iter().map(|row| view! { <ItemRow row=row /> }).collect_view()}
        </ul>
    }
}

/// One row: the title opens the item in Salesforce in a new tab (`data-testid="item-link"`,
/// plain text when the URL is not `http(s)`); the body, if any, expands with a button
/// (`data-testid="body-toggle"`, `aria-expanded`).
#[component]
pub fn ItemRow(row: Row) -> impl IntoView {
    let Row {
        kind,
        status,
        id,
        title,
        url,
        aside,
        body,
        lines,
    } = row;
    let title = if is_web_url(&url) {
        Either::Left(view! {
            <a
                class="item-title ext-link"
                href=url
                target="_blank"
                rel="noopener"
                title="View in Salesforce"
                data-testid="item-link"
            >
                {title}
            </a>
        })
    } else {
        Either::Right(view! { <span class="item-title">{title}</span> })
    };
    let (body, toggle) = match body {
        Some(Body { text, long }) => {
            let expanded = RwSignal::new(false);
            let body_id = format!("sfd-body-{id}");
            let toggle = long.then(|| {
                view! {
                    <button
                        type="button"
                        class="link-button"
                        aria-expanded=move || expanded.get().to_string()
                        aria-controls=body_id.clone()
                        data-testid="body-toggle"
                        on:click=move |_| expanded.update(|open| *open = !*open)
                    >
                        {move || if expanded.get() { "Show less" } else { "Show more" }}
                    </button>
                }
            });
            let body = view! {
                <p
                    class="item-body"
                    class:clamped=move || long && !expanded.get()
                    id=body_id
                    data-testid="item-body"
                >
                    {text}
                </p>
            };
            (Some(body), toggle)
        }
        None => (None, None),
    };
    let lines = lines
        .into_iter()
        .map(|parts| {
            view! {
                <div class="item-meta">
                    {parts.into_iter().map(|part| view! { <PartView part=part /> }).collect_view()}
                </div>
            }
        })
        .collect_view();
    view! {
        <li class=format!("item {kind} {status}") data-testid=kind data-status=status>
            <div class="item-top">{title} {aside.map(|part| view! { <PartView part=part /> })}</div>
            {body}
            <div class="item-foot">
                <div class="item-lines">{lines}</div>
                {toggle}
            </div>
        </li>
    }
}

#[component]
fn PartView(part: Part) -> impl IntoView {
    let Part {
        class,
        test_id,
        text,
        title,
    } = part;
    view! {
        <span class=class data-testid=test_id title=title>
            {text}
        </span>
    }
}

/// The record's own "View in Salesforce" (`data-testid="view-in-salesforce"`): an icon
/// button opening the record in a new tab; nothing when the URL is not an `http(s)` one.
#[component]
pub fn ViewInSalesforce(#[prop(into)] url: String) -> impl IntoView {
    is_web_url(&url).then(|| {
        view! {
            <a
                class="icon-button record-link"
                href=url
                target="_blank"
                rel="noopener"
                title="View in Salesforce"
                aria-label="View in Salesforce"
                data-testid="view-in-salesforce"
            ></a>
        }
    })
}
