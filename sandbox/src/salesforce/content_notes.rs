//! Enhanced notes, as Lightning Experience keeps them: a `ContentNote` holds the note, a
//! `ContentDocumentLink` attaches it to a record, and a record's `AttachedContentNotes`
//! lists the notes attached to it. Those rows are derived from the other two when a
//! query reads them; nothing stores them.

use super::schema::ObjectDef;
use super::soql::{Condition, Literal, Op, Query};
use super::store::{Org, Record};
use base64::Engine;
use std::collections::HashSet;

/// "TextPreview: A preview of the note, up to 255 characters" (Object Reference,
/// ContentNote and AttachedContentNote).
const PREVIEW_CHARS: usize = 255;

/// The text of a note's `Content`: base64 of HTML or plain text ("The content or body of
/// the note, which can include properly formatted HTML or plain text", Object Reference,
/// ContentNote), as bytes and as the plain text a person reads.
pub fn decode(content: &str) -> Option<(Vec<u8>, String)> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(content.trim())
        .ok()?;
    let text = plain_text(&String::from_utf8_lossy(&bytes));
    Some((bytes, text))
}

/// The note's text without its markup, tags dropped and the common entities read.
fn plain_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                // A tag between two words still separates them.
                if !text.ends_with(' ') && !text.is_empty() {
                    text.push(' ');
                }
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first characters of a note's text, as `TextPreview` holds them.
pub fn preview(text: &str) -> String {
    text.chars().take(PREVIEW_CHARS).collect()
}

/// The `AttachedContentNote` rows of the records in `parents`: one per live link from a
/// live note to one of them. `None` for any other object, whose rows a table holds.
pub fn derived_rows(
    org: &Org,
    object: &'static ObjectDef,
    parents: &HashSet<&str>,
) -> Option<Vec<Record>> {
    if object.name != "AttachedContentNote" {
        return None;
    }
    let schema = org.schema();
    let links = schema.object("ContentDocumentLink")?;
    let rows = org
        .live(links)
        .filter(|link| {
            link["LinkedEntityId"]
                .as_str()
                .is_some_and(|id| parents.contains(id))
        })
        .filter_map(|link| {
            let note = org.get_str(link["ContentDocumentId"].as_str()?)?;
            if note.is_deleted() {
                return None;
            }
            let from_note = |name: &'static str| (name, note[name].clone());
            let fields = [
                ("Id", note["Id"].clone()),
                ("LinkedEntityId", link["LinkedEntityId"].clone()),
                ("ContentDocumentId", note["Id"].clone()),
                from_note("Title"),
                from_note("TextPreview"),
                from_note("FileType"),
                from_note("FileExtension"),
                from_note("ContentSize"),
                from_note("CreatedDate"),
                from_note("CreatedById"),
                from_note("LastModifiedDate"),
                from_note("LastModifiedById"),
            ];
            Some(Record::derived(object, fields, note.modstamp_ms()))
        })
        .collect();
    Some(rows)
}

/// Refuses a `ContentDocumentLink` query that does not name the documents or records
/// whose links it reads, as Salesforce does (Object Reference, ContentDocumentLink: "turn
/// on the Query All Files permission to query without a filter on id, LinkedEntityId, and
/// documentID fields"). Answers the refusal's message.
pub fn check_link_filter(object: &ObjectDef, query: &Query) -> Result<(), &'static str> {
    const RESTRICTION: &str = "Implementation restriction: ContentDocumentLink requires a \
        filter by a single Id on ContentDocumentId or LinkedEntityId using the equals \
        operator or multiple Id's using the IN operator.";
    if object.name != "ContentDocumentLink" {
        return Ok(());
    }
    let conjuncts = match &query.filter {
        Some(Condition::And(terms)) => terms.iter().collect(),
        Some(term) => vec![term],
        None => vec![],
    };
    let names_ids = |parts: &[String]| {
        matches!(parts, [field] if ["Id", "ContentDocumentId", "LinkedEntityId"]
            .iter()
            .any(|f| f.eq_ignore_ascii_case(field)))
    };
    let filtered = conjuncts.into_iter().any(|term| match term {
        Condition::Compare {
            path,
            op: Op::Eq,
            value: Literal::String(_),
            ..
        } => names_ids(&path.parts),
        Condition::In {
            path,
            negated: false,
            ..
        }
        | Condition::InQuery {
            path,
            negated: false,
            ..
        } => names_ids(&path.parts),
        _ => false,
    });
    if filtered { Ok(()) } else { Err(RESTRICTION) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::salesforce::{OrgShape, soql};

    #[test]
    fn a_note_reads_as_its_plain_text_and_previews_255_characters() {
        let html = "<p>Renewal &amp; SSO</p><p>Budget&nbsp;approved.</p>";
        let encoded = base64::engine::general_purpose::STANDARD.encode(html);
        let (bytes, text) = decode(&encoded).unwrap();
        assert_eq!(bytes.len(), html.len());
        assert_eq!(text, "Renewal & SSO Budget approved.");
        assert!(decode("not base64!").is_none());
        let long = "é".repeat(300);
        assert_eq!(preview(&long).chars().count(), 255);
        assert_eq!(preview("short"), "short");
    }

    #[test]
    fn link_queries_must_name_their_documents_or_records() {
        let link = OrgShape::Demo
            .schema()
            .object("ContentDocumentLink")
            .unwrap();
        let check = |soql: &str| check_link_filter(link, &soql::parse(soql).unwrap());
        assert!(
            check("SELECT Id FROM ContentDocumentLink WHERE LinkedEntityId = '003000000000001'")
                .is_ok()
        );
        assert!(check(
            "SELECT Id FROM ContentDocumentLink WHERE ShareType = 'V' AND ContentDocumentId IN ('069000000000001')"
        )
        .is_ok());
        assert!(check(
            "SELECT Id FROM ContentDocumentLink WHERE LinkedEntityId IN (SELECT Id FROM Contact)"
        )
        .is_ok());
        for refused in [
            "SELECT Id FROM ContentDocumentLink",
            "SELECT Id FROM ContentDocumentLink WHERE ShareType = 'V'",
            "SELECT Id FROM ContentDocumentLink WHERE LinkedEntityId != '003000000000001'",
            "SELECT Id FROM ContentDocumentLink WHERE LinkedEntityId = '003000000000001' OR ShareType = 'V'",
        ] {
            let err = check(refused).unwrap_err();
            assert!(err.starts_with("Implementation restriction"), "{refused}");
        }
        let contact = OrgShape::Demo.schema().object("Contact").unwrap();
        assert!(
            check_link_filter(contact, &soql::parse("SELECT Id FROM Contact").unwrap()).is_ok()
        );
    }
}
