//! The org's own UI, just enough for "View in Salesforce" links (`<instance_url>/<Id>`)
//! to land somewhere useful: a home page listing records, and one page per record with
//! its fields and the records that point at it.
//!
//! The pages are askama templates (`templates/org/`). A real org would ask for a login
//! first; the sandbox shows records to anyone local.

use super::schema::{FieldType, ObjectDef};
use super::store::{Org, Record};
use super::{SalesforceState, lock};
use crate::html;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use contract::ids::SfId;
use serde_json::Value;
use std::sync::Arc;

pub(super) fn routes() -> Router<Arc<SalesforceState>> {
    Router::new()
        .route("/", get(home))
        .route("/{id}", get(record_page))
}

#[derive(Template)]
#[template(path = "org/not_found.html")]
struct NotFound {
    title: &'static str,
}

pub(super) fn not_found_page() -> Response {
    html::respond(StatusCode::NOT_FOUND, &NotFound { title: "Not found" })
}

fn display_name(object: &ObjectDef, record: &Record) -> String {
    record
        .get(object.name_field)
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .or_else(|| Some(record.id()))
        .unwrap_or_default()
        .to_owned()
}

/// A card of records of one object (see `org/parts.html`).
struct RecordList<'a> {
    label: &'static str,
    total: usize,
    /// The records shown (on the home page, the first [`HOME_LIST_LIMIT`]).
    records: Vec<RecordLink<'a>>,
}

struct RecordLink<'a> {
    id: &'a str,
    name: String,
}

impl<'a> RecordList<'a> {
    fn new(
        object: &'static ObjectDef,
        total: usize,
        records: impl Iterator<Item = &'a Record>,
    ) -> Self {
        RecordList {
            label: object.label_plural,
            total,
            records: records
                .map(|record| RecordLink {
                    id: record.id(),
                    name: display_name(object, record),
                })
                .collect(),
        }
    }
}

/// Records listed per object on the home page.
const HOME_LIST_LIMIT: usize = 200;

#[derive(Template)]
#[template(path = "org/home.html")]
struct Home<'a> {
    title: &'static str,
    org_id: &'a str,
    sections: Vec<RecordList<'a>>,
}

async fn home(State(state): State<Arc<SalesforceState>>) -> Response {
    let org = lock(&state.org);
    let sections = org
        .schema()
        .objects()
        .map(|object| (object, org.count_live(object)))
        .filter(|(_, total)| *total > 0)
        // A bulk-seeded org has far too many records for one page: show the first ones.
        .map(|(object, total)| {
            RecordList::new(object, total, org.live(object).take(HOME_LIST_LIMIT))
        })
        .collect();
    let page = Home {
        title: "Home",
        org_id: org.org_id.as_str(),
        sections,
    };
    html::respond(StatusCode::OK, &page)
}

/// A field value as the record page shows it.
enum Shown<'a> {
    Nothing,
    /// A true checkbox.
    Check,
    /// A lookup: a link to its target, named after it.
    Link(&'a str, String),
    /// Text, its line breaks kept.
    Text(&'a str),
    Other(String),
}

fn shown<'a>(org: &Org, ty: FieldType, value: &'a Value) -> Shown<'a> {
    match (ty, value) {
        (_, Value::Null) | (FieldType::Boolean, Value::Bool(false)) => Shown::Nothing,
        (FieldType::Reference { .. }, Value::String(id)) => {
            let name = SfId::parse(id)
                .ok()
                .and_then(|id| org.get(&id).map(|r| display_name(r.object(), r)))
                .unwrap_or_else(|| id.clone());
            Shown::Link(id, name)
        }
        (FieldType::Boolean, Value::Bool(true)) => Shown::Check,
        (_, Value::String(text)) => Shown::Text(text),
        (_, other) => Shown::Other(other.to_string()),
    }
}

#[derive(Template)]
#[template(path = "org/record.html")]
struct RecordPage<'a> {
    title: String,
    object: &'static str,
    name: String,
    deleted: bool,
    fields: Vec<(&'static str, Shown<'a>)>,
    related: Vec<RecordList<'a>>,
}

async fn record_page(
    State(state): State<Arc<SalesforceState>>,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = SfId::parse(&id) else {
        return not_found_page();
    };
    let org = lock(&state.org);
    let Some(record) = org.get(&id) else {
        return not_found_page();
    };
    let object = record.object();
    let name = display_name(object, record);
    let page = RecordPage {
        title: format!("{name} | {}", object.label),
        object: object.label,
        deleted: record.is_deleted(),
        fields: record
            .fields()
            .map(|(field, value)| (field.label, shown(&org, field.ty, value)))
            .collect(),
        related: org
            .schema()
            .objects()
            .map(|child| {
                let records: Vec<&Record> = children(&org, child, &id).collect();
                RecordList::new(child, records.len(), records.into_iter())
            })
            .filter(|list| list.total > 0)
            .collect(),
        name,
    };
    html::respond(StatusCode::OK, &page)
}

/// Live records of `object` whose lookups (other than the audit ones) point at `id`.
fn children<'a>(
    org: &'a Org,
    object: &'static ObjectDef,
    id: &'a SfId,
) -> impl Iterator<Item = &'a Record> + 'a {
    let lookups: Vec<usize> = object
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| matches!(f.ty, FieldType::Reference { .. }))
        .filter(|(_, f)| !matches!(f.name, "OwnerId" | "CreatedById" | "LastModifiedById"))
        .map(|(i, _)| i)
        .collect();
    org.live(object).filter(move |record| {
        lookups
            .iter()
            .any(|&i| record.at(i).as_str() == Some(id.as_str()))
    })
}
