//! The little HTML toolkit the sandbox's pages share: escaping and a page shell.
//!
//! Pages are plain server-rendered strings; every value that did not come from our own
//! code passes through [`escape`].

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Escapes text for HTML element content and double- or single-quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// A complete document: `title` is escaped here, `style` and `body` are trusted markup.
pub fn page(title: &str, style: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{style}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n",
        escape(title)
    )
}

pub fn respond(status: StatusCode, document: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        document,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x">O'Hara & co</a>"#),
            "&lt;a href=&quot;x&quot;&gt;O&#39;Hara &amp; co&lt;/a&gt;"
        );
    }

    #[test]
    fn page_escapes_the_title_only() {
        let doc = page("<b>", "p{}", "<p>ok</p>");
        assert!(doc.contains("<title>&lt;b&gt;</title>"));
        assert!(doc.contains("<p>ok</p>"));
    }
}
