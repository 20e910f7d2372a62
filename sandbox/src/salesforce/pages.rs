//! The org's own UI, just enough for "View in Salesforce" links (`<instance_url>/<Id>`)
//! to land somewhere useful: a home page listing records, and one page per record with
//! its fields and the records that point at it.
//!
//! A real org would ask for a login first; the sandbox shows records to anyone local.

use super::schema::{self, FieldType, ObjectDef};
use super::store::{Org, Record};
use super::{SalesforceState, lock};
use crate::html::{self, escape};
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

pub(super) fn not_found_page() -> Response {
    let body = shell(
        "<h1>Page not found</h1><p>The record or page does not exist in this org. \
         <a href=\"/\">Back to the org home</a></p>",
    );
    html::respond(
        StatusCode::NOT_FOUND,
        html::page("Not found | Sandbox Org", STYLE, &body),
    )
}

fn shell(content: &str) -> String {
    format!(
        "<header class=\"bar\"><a class=\"brand\" href=\"/\">Sandbox Org</a>\
         <span class=\"muted\">Salesforce emulator</span></header>\n<main>{content}</main>"
    )
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

fn record_link(object: &ObjectDef, record: &Record) -> String {
    let id = record.id();
    format!(
        "<a href=\"/{}\">{}</a>",
        escape(id),
        escape(&display_name(object, record))
    )
}

/// Records listed per object on the home page.
const HOME_LIST_LIMIT: usize = 200;

async fn home(State(state): State<Arc<SalesforceState>>) -> Response {
    let org = lock(&state.org);
    let mut content = format!(
        "<h1>Org home</h1><p class=\"muted\">Org Id {}</p>",
        escape(org.org_id.as_str())
    );
    for object in schema::OBJECTS {
        let total = org.count_live(object);
        if total == 0 {
            continue;
        }
        // A bulk-seeded org has far too many records for one page: show the first ones.
        let mut links: String = org
            .live(object)
            .take(HOME_LIST_LIMIT)
            .map(|record| format!("<li>{}</li>", record_link(object, record)))
            .collect();
        if total > HOME_LIST_LIMIT {
            links.push_str(&format!(
                "<li class=\"muted\">and {} more</li>",
                total - HOME_LIST_LIMIT
            ));
        }
        content.push_str(&format!(
            "<section class=\"card\"><h2>{} <span class=\"count\">{total}</span></h2><ul>{links}</ul></section>",
            escape(object.label_plural),
        ));
    }
    html::respond(
        StatusCode::OK,
        html::page("Home | Sandbox Org", STYLE, &shell(&content)),
    )
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
    let title = display_name(object, record);
    let deleted = if record.is_deleted() {
        "<p class=\"error\">This record is in the recycle bin.</p>"
    } else {
        ""
    };
    let rows: String = record
        .fields()
        .map(|(field, value)| {
            format!(
                "<tr><th>{}</th><td>{}</td></tr>",
                escape(field.label),
                field_html(&org, field.ty, value)
            )
        })
        .collect();
    let related: String = schema::OBJECTS
        .iter()
        .filter_map(|child| {
            let links: Vec<String> = children(&org, child, &id)
                .map(|r| format!("<li>{}</li>", record_link(child, r)))
                .collect();
            (!links.is_empty()).then(|| {
                format!(
                    "<section class=\"card\"><h2>{} <span class=\"count\">{}</span></h2><ul>{}</ul></section>",
                    escape(child.label_plural),
                    links.len(),
                    links.concat()
                )
            })
        })
        .collect();
    let content = format!(
        "<p class=\"muted\">{}</p><h1>{}</h1>{deleted}\
         <div class=\"grid\"><section class=\"card\"><h2>Details</h2><table>{rows}</table></section>\
         <div>{related}</div></div>",
        escape(object.label),
        escape(&title)
    );
    html::respond(
        StatusCode::OK,
        html::page(
            &format!("{title} | {} | Sandbox Org", object.label),
            STYLE,
            &shell(&content),
        ),
    )
}

/// A field value for display: lookups become links named after their target.
fn field_html(org: &Org, ty: FieldType, value: &Value) -> String {
    match (ty, value) {
        (_, Value::Null) => String::new(),
        (FieldType::Reference { .. }, Value::String(id)) => {
            let name = SfId::parse(id)
                .ok()
                .and_then(|id| org.get(&id).map(|r| display_name(r.object(), r)))
                .unwrap_or_else(|| id.clone());
            format!("<a href=\"/{}\">{}</a>", escape(id), escape(&name))
        }
        (FieldType::Boolean, Value::Bool(b)) => if *b { "✓" } else { "" }.to_owned(),
        (_, Value::String(text)) => escape(text).replace('\n', "<br>"),
        (_, other) => escape(&other.to_string()),
    }
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

const STYLE: &str = r#"
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #181818; background: #f3f3f3; }
a { color: #0b5cab; text-decoration: none; }
a:hover { text-decoration: underline; }
.bar { display: flex; gap: 16px; align-items: baseline; padding: 12px 24px; background: #0b5cab; }
.bar .brand { color: #fff; font-weight: 700; font-size: 17px; }
.bar .muted { color: #cfe3f7; }
main { max-width: 1100px; margin: 0 auto; padding: 20px 24px; }
h1 { font-size: 22px; margin: 0 0 12px; }
h2 { font-size: 15px; margin: 0 0 8px; }
.muted { color: #706e6b; margin: 0; }
.count { color: #706e6b; font-weight: 400; }
.grid { display: grid; grid-template-columns: 2fr 1fr; gap: 16px; align-items: start; }
.card { background: #fff; border: 1px solid #e5e5e5; border-radius: 8px; padding: 14px 16px; margin-bottom: 16px; }
table { border-collapse: collapse; width: 100%; }
th { text-align: left; color: #706e6b; font-weight: 400; width: 40%; padding: 5px 8px 5px 0; vertical-align: top; }
td { padding: 5px 0; border-bottom: 1px solid #f0f0f0; }
ul { margin: 0; padding-left: 18px; }
.error { color: #ba0517; }
"#;
