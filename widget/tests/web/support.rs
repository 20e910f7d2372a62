//! Mounting, querying and a scripted `fetch` for the component tests.

use contract::api::{RecordDetails, RecordKind, SalesforceView};
use contract::ids::SfId;
use leptos::prelude::*;
use serde::Deserialize;
use std::any::Any;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Element, HtmlElement};

/// Jane's record, with nothing in its sections.
pub fn jane() -> SalesforceView {
    let id = SfId::from_parts("003", "5g", 1).expect("a valid contact id");
    SalesforceView {
        kind: RecordKind::Contact,
        url: format!("https://acme.my.salesforce.com/{id}"),
        id,
        record: Some(RecordDetails {
            name: "Jane Doe".to_owned(),
            title: Some("VP Operations".to_owned()),
            email: Some("jane@acme.test".to_owned()),
            phone: Some("+1 (415) 555-0100".to_owned()),
            account_name: Some("Acme Corp".to_owned()),
            account_url: None,
            owner_name: None,
            fields: vec![],
        }),
        opportunities: Some(vec![]),
        notes: Some(vec![]),
        events: Some(vec![]),
        tasks: Some(vec![]),
        cases: None,
        ticket_case: None,
        actions: vec![],
        unavailable: vec![],
    }
}

/// A component mounted into its own `<div>` in the page; unmounted and removed on drop.
pub struct Mounted {
    container: HtmlElement,
    _handle: Box<dyn Any>,
}

pub fn mount<F, N>(view: F) -> Mounted
where
    F: FnOnce() -> N + 'static,
    N: IntoView + 'static,
{
    let document = document();
    let container: HtmlElement = document
        .create_element("div")
        .expect("create a container")
        .unchecked_into();
    document
        .body()
        .expect("the test page has a body")
        .append_child(&container)
        .expect("append the container");
    let handle = leptos::mount::mount_to(container.clone(), view);
    Mounted {
        container,
        _handle: Box::new(handle),
    }
}

impl Mounted {
    pub fn html(&self) -> String {
        self.container.inner_html()
    }

    pub fn find(&self, test_id: &str) -> Option<Element> {
        self.query(&format!("[data-testid=\"{test_id}\"]"))
    }

    pub fn query(&self, selector: &str) -> Option<Element> {
        self.container
            .query_selector(selector)
            .expect("a valid selector")
    }

    /// Every element matching `selector`, in document order.
    pub fn all(&self, selector: &str) -> Vec<Element> {
        let list = self
            .container
            .query_selector_all(selector)
            .expect("a valid selector");
        (0..list.length())
            .filter_map(|i| list.item(i))
            .map(|node| node.unchecked_into())
            .collect()
    }

    /// The text of every element matching `selector`, whitespace collapsed.
    pub fn texts(&self, selector: &str) -> Vec<String> {
        self.all(selector)
            .iter()
            .map(|element| collapse(&element.text_content().unwrap_or_default()))
            .collect()
    }

    pub fn get(&self, test_id: &str) -> Element {
        self.find(test_id)
            .unwrap_or_else(|| panic!("no [data-testid={test_id:?}] in {}", self.html()))
    }

    pub fn has(&self, test_id: &str) -> bool {
        self.find(test_id).is_some()
    }

    /// The element's text, with runs of whitespace collapsed.
    pub fn text(&self, test_id: &str) -> String {
        collapse(&self.get(test_id).text_content().unwrap_or_default())
    }

    pub fn attr(&self, test_id: &str, name: &str) -> Option<String> {
        self.get(test_id).get_attribute(name)
    }

    /// `data-state` of the shown non-contact state, if one is shown.
    pub fn state(&self) -> Option<String> {
        self.find("panel-state")
            .and_then(|element| element.get_attribute("data-state"))
    }

    pub fn click(&self, test_id: &str) {
        self.get(test_id).unchecked_into::<HtmlElement>().click();
    }

    /// Waits (up to three seconds) until `ready` holds, else fails naming `what`.
    pub async fn wait_for(&self, what: &str, ready: impl Fn(&Mounted) -> bool) {
        for _ in 0..150 {
            if ready(self) {
                return;
            }
            sleep(20).await;
        }
        panic!(
            "timed out waiting for {what}; the panel shows: {}",
            self.html()
        );
    }
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.container.remove();
    }
}

pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        web_sys::window()
            .expect("a window")
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .expect("set a timeout");
    });
    JsFuture::from(promise).await.expect("the timeout fires");
}

/// One scripted answer of the fake `fetch`.
pub enum Reply {
    Json(u16, serde_json::Value),
    Raw(u16, &'static str),
    NetworkError,
}

/// One request the fake `fetch` received.
#[derive(Debug, Deserialize)]
pub struct Call {
    pub url: String,
    pub method: String,
    pub authorization: Option<String>,
    pub cache: String,
    pub content_type: Option<String>,
    /// The body's text, for anything but `GET`.
    pub body: Option<String>,
}

/// Replaces the page's `fetch` with a script: each call takes the next reply, the last
/// one repeats. While held, calls wait until released one by one. Restored on drop.
pub struct FetchStub;

impl FetchStub {
    pub fn install(replies: Vec<Reply>) -> FetchStub {
        let replies: Vec<serde_json::Value> = replies
            .into_iter()
            .map(|reply| match reply {
                Reply::Json(status, body) => {
                    serde_json::json!({"status": status, "body": body.to_string()})
                }
                Reply::Raw(status, body) => serde_json::json!({"status": status, "body": body}),
                Reply::NetworkError => serde_json::json!({"network_error": true}),
            })
            .collect();
        let replies = serde_json::to_string(&replies).expect("replies serialize");
        let install = js_sys::Function::new_with_args(
            "replies",
            r#"
            const queue = JSON.parse(replies);
            const state = { calls: [], gates: [], hold: false };
            if (!globalThis.__sfdeskOriginalFetch) {
                globalThis.__sfdeskOriginalFetch = globalThis.fetch;
            }
            globalThis.__sfdeskFetch = state;
            globalThis.fetch = async (input, init) => {
                const request = new Request(input, init);
                const call = {
                    url: request.url,
                    method: request.method,
                    authorization: request.headers.get("Authorization"),
                    cache: request.cache,
                    content_type: request.headers.get("Content-Type"),
                    body: null,
                };
                state.calls.push(call);
                if (request.method !== "GET") {
                    call.body = await request.clone().text();
                }
                if (state.hold) {
                    await new Promise((resolve) => state.gates.push(resolve));
                }
                const reply = queue.length > 1 ? queue.shift() : queue[0];
                if (reply.network_error) {
                    throw new TypeError("Failed to fetch");
                }
                // A 204 or 205 answer has no body at all.
                const empty = reply.status === 204 || reply.status === 205;
                return new Response(empty ? null : reply.body, {
                    status: reply.status,
                    headers: { "Content-Type": "application/json" },
                });
            };
            "#,
        );
        install
            .call1(&JsValue::NULL, &JsValue::from_str(&replies))
            .expect("install the fake fetch");
        FetchStub
    }

    /// From now on, calls wait for [`FetchStub::release`].
    pub fn hold(&self) {
        run("globalThis.__sfdeskFetch.hold = true;");
    }

    /// Lets every waiting call answer, and stops holding.
    pub fn release(&self) {
        run("const s = globalThis.__sfdeskFetch; s.hold = false; \
             while (s.gates.length) { s.gates.shift()(); }");
    }

    /// Lets only the latest waiting call answer (calls keep waiting for the others).
    pub fn release_newest(&self) {
        run("const s = globalThis.__sfdeskFetch; if (s.gates.length) { s.gates.pop()(); }");
    }

    pub fn calls(&self) -> Vec<Call> {
        let calls =
            js_sys::Function::new_no_args("return JSON.stringify(globalThis.__sfdeskFetch.calls);")
                .call0(&JsValue::NULL)
                .expect("read the calls")
                .as_string()
                .expect("a JSON string");
        serde_json::from_str(&calls).expect("calls parse")
    }
}

impl Drop for FetchStub {
    fn drop(&mut self) {
        self.release();
        run(
            "globalThis.fetch = globalThis.__sfdeskOriginalFetch; delete globalThis.__sfdeskFetch;",
        );
    }
}

fn run(code: &str) {
    js_sys::Function::new_no_args(code)
        .call0(&JsValue::NULL)
        .expect("the script runs");
}
