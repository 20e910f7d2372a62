//! The record's header: name, title, account, email, phone, owner and the Salesforce link.

use super::format::{dialable, initials, is_web_url};
use super::item_row::ViewInSalesforce;
use contract::api::{DetailField, RecordDetails, RecordKind};
use leptos::either::Either;
use leptos::prelude::*;
use leptos::tachys::html::attribute::custom::CustomAttribute;

/// The record at the top of the panel: a contact (name, title, account, email, phone,
/// owner) or an account (name, phone, owner), the further fields Salesforce sent (e.g.
/// a subscription type), and the record's "View in Salesforce". Without details (the
/// profile may not see them) only the kind of record and the link remain.
///
/// Hooks: `record-header` (with `data-kind`), `record-name` (and inside it
/// `contact-name` or `account-name`), `record-title`, `account-name` (a contact's
/// account), `record-email`, `record-phone`, `record-owner`, `record-field` (the value
/// of a further field), `view-in-salesforce`.
#[component]
pub fn RecordHeader(
    kind: RecordKind,
    /// The record in Salesforce.
    #[prop(into)]
    url: String,
    record: Option<RecordDetails>,
) -> impl IntoView {
    let (kind_name, kind_label, name_hook) = match kind {
        RecordKind::Contact => ("contact", "Contact", "contact-name"),
        RecordKind::Account => ("account", "Account", "account-name"),
    };
    let Some(record) = record else {
        return Either::Left(view! {
            <article class="card record record-bare" data-testid="record-header" data-kind=kind_name>
                <span class="kicker">"Salesforce " {kind_label}</span>
                <ViewInSalesforce url=url />
            </article>
        });
    };
    let avatar = initials(&record.name);
    let fields = field_rows(kind, &record);
    let RecordDetails { name, title, .. } = record;
    let fields = (!fields.is_empty()).then(|| {
        view! {
            <dl class="fields">
                {fields.into_iter().map(|field| view! { <FieldView field=field /> }).collect_view()}
            </dl>
        }
    });

    // `elementtiming`: the benchmark reads when the record's name was painted.
    let heading = view! {
        <h2 class="name" data-testid="record-name">
            <span data-testid=name_hook>{name}</span>
        </h2>
    }
    .attr("elementtiming", "sfd-record");
    Either::Right(view! {
        <article class="card record" data-testid="record-header" data-kind=kind_name>
            <div class="card-head">
                <div class=format!("avatar avatar-{kind_name}") aria-hidden="true">
                    {avatar}
                </div>
                <div class="who">
                    <span class="kicker">{kind_label}</span>
                    {heading}
                    {title
                        .map(|title| {
                            view! {
                                <p class="job-title" data-testid="record-title">
                                    {title}
                                </p>
                            }
                        })}
                </div>
                <ViewInSalesforce url=url />
            </div>
            {fields}
        </article>
    })
}

/// One label and value of the record, as data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRow {
    pub label: String,
    pub value: String,
    /// A `mailto:`, `tel:` or web link.
    pub href: Option<String>,
    /// Opens in a new tab (a link into Salesforce, a website).
    pub external: bool,
    /// The link's tooltip.
    pub tooltip: Option<&'static str>,
    pub test_id: &'static str,
}

/// The record's fields in the order they are shown: account (a contact's), email,
/// phone, owner, then the further fields as Salesforce sent them.
pub fn field_rows(kind: RecordKind, record: &RecordDetails) -> Vec<FieldRow> {
    let field = |label: &str, value: String, href: Option<String>, test_id| FieldRow {
        label: label.to_owned(),
        value,
        external: href.as_deref().is_some_and(is_web_url),
        tooltip: None,
        href,
        test_id,
    };
    let mut rows = Vec::new();
    // An account's own name is the record's name; only a contact has an account line.
    if let Some(account) = record
        .account_name
        .clone()
        .filter(|_| kind == RecordKind::Contact)
    {
        let href = record.account_url.clone().filter(|url| is_web_url(url));
        rows.push(FieldRow {
            tooltip: Some("View in Salesforce"),
            ..field("Account", account, href, "account-name")
        });
    }
    if let Some(email) = record.email.clone() {
        let href = format!("mailto:{email}");
        rows.push(field("Email", email, Some(href), "record-email"));
    }
    if let Some(phone) = record.phone.clone() {
        let href = format!("tel:{}", dialable(&phone));
        rows.push(field("Phone", phone, Some(href), "record-phone"));
    }
    if let Some(owner) = record.owner_name.clone() {
        rows.push(field("Owner", owner, None, "record-owner"));
    }
    // A further field holding a web address (an account's website) is a link.
    rows.extend(record.fields.iter().map(|DetailField { label, value }| {
        let href = is_web_url(value).then(|| value.clone());
        field(label, value.clone(), href, "record-field")
    }));
    rows
}

#[component]
fn FieldView(field: FieldRow) -> impl IntoView {
    let FieldRow {
        label,
        value,
        href,
        external,
        tooltip,
        test_id,
    } = field;
    let value = match href {
        Some(href) => Either::Left(view! {
            <a
                href=href
                class:ext-link=external
                target=external.then_some("_blank")
                rel=external.then_some("noopener")
                title=tooltip
                data-testid=test_id
            >
                {value}
            </a>
        }),
        None => Either::Right(view! { <span data-testid=test_id>{value}</span> }),
    };
    view! {
        <div class="field">
            <dt>{label}</dt>
            <dd>{value}</dd>
        </div>
    }
}
