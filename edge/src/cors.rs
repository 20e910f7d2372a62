//! CORS for the widget's own calls. Zoho Desk hosts an uploaded extension's pages itself
//! ("internally hosted" widgets: the manifest's widget `url` is a path inside the package,
//! Zoho Desk extension guide, "Plugin Manifest"), so the page's origin is Zoho's hosting
//! origin, not the edge's. The page calls the edge directly with its session as a Bearer
//! token (the panel, the console, the OAuth start codes), which the browser allows only
//! when the edge answers CORS: a preflight (`OPTIONS`, as `Authorization` is not a
//! CORS-safelisted header, Fetch Standard, "CORS protocol") and `Access-Control-Allow-Origin`
//! on the answer. Only the origins in `WIDGET_ORIGINS` get them; no cookies are involved,
//! so credentials are never allowed.

use contract::admin::{HELPDESK_OAUTH_START_CODE_PATH, OAUTH_START_CODE_PATH};

/// The widget page origins the edge answers CORS for, from `WIDGET_ORIGINS`: a comma
/// separated list of origins, each either exact (`https://desk.example.com`) or with a
/// wildcard first label (`https://*.zappsusercontent.com`, any one subdomain).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WidgetOrigins(Vec<OriginPattern>);

#[derive(Debug, Clone, PartialEq, Eq)]
enum OriginPattern {
    Exact(String),
    /// `scheme://*.` and the rest: any single DNS label in place of `*`.
    AnySubdomain {
        scheme: String,
        rest: String,
    },
}

/// Why `WIDGET_ORIGINS` cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an origin (scheme://host[:port], optionally scheme://*.host)")]
pub struct BadOrigin(String);

impl WidgetOrigins {
    pub fn parse(list: &str) -> Result<Self, BadOrigin> {
        list.split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                let lower = item.to_ascii_lowercase();
                let bad = || BadOrigin(item.to_owned());
                let (scheme, host) = lower.split_once("://").ok_or_else(bad)?;
                if !matches!(scheme, "http" | "https") || host.is_empty() || host.contains('/') {
                    return Err(bad());
                }
                Ok(match host.strip_prefix("*.") {
                    Some(rest) if !rest.is_empty() && !rest.contains('*') => {
                        OriginPattern::AnySubdomain {
                            scheme: scheme.to_owned(),
                            rest: rest.to_owned(),
                        }
                    }
                    _ if host.contains('*') => return Err(bad()),
                    _ => OriginPattern::Exact(lower),
                })
            })
            .collect::<Result<_, _>>()
            .map(WidgetOrigins)
    }

    /// Whether a page at `origin` (as the browser sends it in `Origin`) may call the edge.
    pub fn allows(&self, origin: &str) -> bool {
        let origin = origin.to_ascii_lowercase();
        self.0.iter().any(|pattern| match pattern {
            OriginPattern::Exact(exact) => *exact == origin,
            OriginPattern::AnySubdomain { scheme, rest } => origin
                .strip_prefix(scheme.as_str())
                .and_then(|o| o.strip_prefix("://"))
                .and_then(|host| host.strip_suffix(rest.as_str()))
                .and_then(|label| label.strip_suffix('.'))
                .is_some_and(|label| {
                    !label.is_empty()
                        && label
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                }),
        })
    }
}

/// Whether the widget calls `path` from its page: the API, and the OAuth start codes the
/// console asks for before it opens a popup (the popups themselves are top-level pages).
pub fn applies_to(path: &str) -> bool {
    path.starts_with("/api/")
        || path == OAUTH_START_CODE_PATH
        || path == HELPDESK_OAUTH_START_CODE_PATH
}

/// The headers that let a page at `origin` read the answer.
pub fn answer_headers(origin: &str) -> [(&'static str, String); 2] {
    [
        ("Access-Control-Allow-Origin", origin.to_owned()),
        // The answer differs by origin: caches must keep them apart.
        ("Vary", "Origin".to_owned()),
    ]
}

/// The headers of a successful preflight from `origin`: the methods and request headers
/// the widget uses, remembered by the browser for ten minutes.
pub fn preflight_headers(origin: &str) -> Vec<(&'static str, String)> {
    let mut headers = answer_headers(origin).to_vec();
    headers.extend([
        (
            "Access-Control-Allow-Methods",
            "GET, POST, PUT, DELETE".to_owned(),
        ),
        (
            "Access-Control-Allow-Headers",
            "Authorization, Content-Type".to_owned(),
        ),
        ("Access-Control-Max-Age", "600".to_owned()),
    ]);
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_and_wildcard_origins() {
        let origins = WidgetOrigins::parse(
            " https://*.zappsusercontent.com, http://localhost:8703 ,https://Desk.Example.com",
        )
        .unwrap();
        assert!(origins.allows("https://abc-123.zappsusercontent.com"));
        assert!(origins.allows("http://localhost:8703"));
        assert!(origins.allows("https://desk.example.com"));
        for refused in [
            "https://zappsusercontent.com",
            "https://a.b.zappsusercontent.com",
            "http://abc.zappsusercontent.com",
            "https://abc.zappsusercontent.com.evil.example",
            "https://evilzappsusercontent.com",
            "http://localhost:8787",
            "null",
            "",
        ] {
            assert!(!origins.allows(refused), "{refused}");
        }
        assert!(!WidgetOrigins::default().allows("http://localhost:8703"));
    }

    #[test]
    fn what_is_not_an_origin_is_refused() {
        for bad in [
            "localhost:8703",
            "ftp://x.example",
            "https://x.example/path",
            "https://a.*.example",
            "https://*",
            "https://",
        ] {
            assert!(WidgetOrigins::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            WidgetOrigins::parse(" , ").unwrap(),
            WidgetOrigins::default()
        );
    }

    #[test]
    fn the_api_and_start_codes_answer_cors() {
        assert!(applies_to("/api/panel"));
        assert!(applies_to(OAUTH_START_CODE_PATH));
        assert!(applies_to(HELPDESK_OAUTH_START_CODE_PATH));
        assert!(!applies_to("/oauth/salesforce/callback"));
        assert!(!applies_to("/zoho/installed"));
        assert!(!applies_to("/webhooks/salesforce"));
    }
}
