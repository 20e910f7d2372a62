//! [`Transport`] over the Worker runtime's `fetch`.

use shared::http::{HttpRequest, HttpResponse, Transport, TransportError};
use worker::{Fetch, Headers, Method, Request, RequestInit, RequestRedirect};

pub struct WorkerFetch;

fn method(method: shared::http::Method) -> Method {
    match method {
        shared::http::Method::Get => Method::Get,
        shared::http::Method::Post => Method::Post,
        shared::http::Method::Patch => Method::Patch,
        shared::http::Method::Delete => Method::Delete,
    }
}

impl Transport for WorkerFetch {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let host = url::Url::parse(&request.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_default();
        let fail = |reason: worker::Error| TransportError {
            host: host.clone(),
            reason: reason.to_string(),
        };

        let headers = Headers::new();
        for (name, value) in &request.headers {
            headers.set(name, value).map_err(fail)?;
        }
        let mut init = RequestInit::new();
        init.with_method(method(request.method))
            .with_headers(headers)
            .with_redirect(RequestRedirect::Manual)
            .with_body(
                request
                    .body
                    .map(|b| js_sys::Uint8Array::from(b.as_slice()).into()),
            );
        let outgoing = Request::new_with_init(&request.url, &init).map_err(fail)?;
        let mut response = Fetch::Request(outgoing).send().await.map_err(fail)?;
        Ok(HttpResponse {
            status: response.status_code(),
            headers: response.headers().entries().collect(),
            body: response.bytes().await.map_err(fail)?,
        })
    }

    async fn sleep(&self, duration: std::time::Duration) {
        worker::Delay::from(duration).await;
    }
}
