//! What the sandbox's HTML pages share: the escaper their templates use and the response
//! that serves a rendered page.
//!
//! The pages are askama templates under `templates/`: every `{{ value }}` in them is
//! escaped with [`HtmlEntities`] unless the template marks it `|safe` (a nested template).

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::fmt;

/// Escapes text for HTML element content and double- or single-quoted attributes, with
/// the named entities the pages have always used (askama's own escaper writes numeric
/// ones).
#[derive(Debug, Clone, Copy)]
pub struct HtmlEntities;

impl askama::filters::Escaper for HtmlEntities {
    fn write_escaped_str<W: fmt::Write>(&self, mut dest: W, text: &str) -> fmt::Result {
        let mut plain = 0;
        for (at, byte) in text.bytes().enumerate() {
            let entity = match byte {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                b'\'' => "&#39;",
                _ => continue,
            };
            dest.write_str(&text[plain..at])?;
            dest.write_str(entity)?;
            plain = at + 1;
        }
        dest.write_str(&text[plain..])
    }
}

/// A rendered page with `status`.
pub fn respond(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(document) => (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            document,
        )
            .into_response(),
        Err(error) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the page did not render: {error}"),
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Template)]
    #[template(ext = "html", source = r#"<a title="{{ text }}">{{ text }}</a>"#)]
    struct Text<'a> {
        text: &'a str,
    }

    #[test]
    fn escapes_markup_and_quotes() {
        let text = Text {
            text: r#"<a href="x">O'Hara & co</a>"#,
        };
        let escaped = "&lt;a href=&quot;x&quot;&gt;O&#39;Hara &amp; co&lt;/a&gt;";
        assert_eq!(
            text.render().unwrap(),
            format!(r#"<a title="{escaped}">{escaped}</a>"#)
        );
    }

    /// A page on the shared shell (`page.html`): a title, and a body of trusted markup.
    #[derive(Template)]
    #[template(
        ext = "html",
        source = r#"{% extends "page.html" %}{% block title %}{{ title }}{% endblock %}{% block body %}{{ body|safe }}{% endblock %}"#
    )]
    struct Page<'a> {
        title: &'a str,
        body: &'a str,
    }

    #[test]
    fn page_escapes_the_title_only() {
        let doc = Page {
            title: "<b>",
            body: "<p>ok</p>",
        }
        .render()
        .unwrap();
        assert!(doc.contains("<title>&lt;b&gt;</title>"));
        assert!(doc.contains("<p>ok</p>"));
    }
}
