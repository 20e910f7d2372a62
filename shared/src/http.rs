//! The one seam between our logic and the network. The edge plugs in the Worker's
//! `fetch`, native tests and tools plug in an HTTP client; the code above never knows.
//!
//! No `Send` bound: on wasm the Worker's handles are `!Send`.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Patch,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

impl HttpRequest {
    pub fn new(method: Method, url: impl Into<String>) -> Self {
        HttpRequest {
            method,
            url: url.into(),
            headers: Vec::new(),
            body: None,
        }
    }

    pub fn get(url: impl Into<String>) -> Self {
        Self::new(Method::Get, url)
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    pub fn bearer(self, token: &str) -> Self {
        self.header("Authorization", format!("Bearer {token}"))
    }

    /// A POST with an `application/x-www-form-urlencoded` body, as OAuth token calls are.
    pub fn post_form(url: impl Into<String>, fields: &[(&str, &str)]) -> Self {
        let body = serde_urlencoded::to_string(fields).expect("string pairs encode");
        let mut request = Self::new(Method::Post, url)
            .header("Content-Type", "application/x-www-form-urlencoded");
        request.body = Some(body.into_bytes());
        request
    }
}

// Requests carry tokens and secrets: never print them.
impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.url.split('?').next().unwrap_or_default();
        write!(f, "{} {path}", self.method.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// The request never got an HTTP answer (DNS, connection refused, timeout).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("could not reach {host}: {reason}")]
pub struct TransportError {
    pub host: String,
    pub reason: String,
}

#[allow(async_fn_in_trait)] // Deliberately not Send: see the module docs.
pub trait Transport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError>;

    /// Waits before a retry (backoff on 429, 503, `REQUEST_LIMIT_EXCEEDED`). The runtime
    /// that sends also knows how to wait: a timer in the Worker, tokio natively.
    async fn sleep(&self, duration: std::time::Duration);
}

#[cfg(feature = "native")]
mod native;
#[cfg(feature = "native")]
pub use native::ReqwestTransport;
