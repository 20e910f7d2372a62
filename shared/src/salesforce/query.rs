//! SOQL queries: one page, the pages after it (`nextRecordsUrl`), and walks over all of
//! them. `/query` sees live records; `/queryAll` also sees deleted and archived ones.

use super::client::{Call, Client};
use super::{QueryResponse, SfError, wire};
use crate::http::{Method, Transport};
use futures_util::future::join;
use serde::de::DeserializeOwned;

/// Which records a query sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    /// `/query`: live records.
    #[default]
    Live,
    /// `/queryAll`: also records in the recycle bin (`IsDeleted = true`) and archived ones.
    IncludeDeleted,
}

impl Scope {
    fn resource(self) -> &'static str {
        match self {
            Scope::Live => "query",
            Scope::IncludeDeleted => "queryAll",
        }
    }
}

impl<'a, T: Transport> Client<'a, T> {
    fn batch_size_header(&self, call: Call) -> Call {
        match self.options().batch_size {
            Some(size) => call.header("Sforce-Query-Options", format!("batchSize={size}")),
            None => call,
        }
    }

    fn first_page_call(&self, soql: &str, scope: Scope) -> Call {
        let query = serde_urlencoded::to_string([("q", soql)]).expect("string pairs encode");
        self.batch_size_header(Call::data(
            Method::Get,
            &format!("{}?{query}", scope.resource()),
        ))
    }

    /// The first page of a SOQL query (one API call). Build `soql` with
    /// [`crate::soql::Select`].
    pub async fn query<R: DeserializeOwned>(
        &self,
        soql: &str,
    ) -> Result<QueryResponse<R>, SfError> {
        self.query_scoped(soql, Scope::Live).await
    }

    /// The first page through `/queryAll`, deleted records included.
    pub async fn query_include_deleted<R: DeserializeOwned>(
        &self,
        soql: &str,
    ) -> Result<QueryResponse<R>, SfError> {
        self.query_scoped(soql, Scope::IncludeDeleted).await
    }

    pub async fn query_scoped<R: DeserializeOwned>(
        &self,
        soql: &str,
        scope: Scope,
    ) -> Result<QueryResponse<R>, SfError> {
        self.execute_json(&self.first_page_call(soql, scope)).await
    }

    fn next_page_call(&self, next_records_url: &str) -> Result<Call, SfError> {
        let path = next_page_path(next_records_url)?;
        Ok(self.batch_size_header(Call::at(Method::Get, path)))
    }

    /// The page at a `nextRecordsUrl` (one API call).
    pub async fn query_more<R: DeserializeOwned>(
        &self,
        next_records_url: &str,
    ) -> Result<QueryResponse<R>, SfError> {
        self.execute_json(&self.next_page_call(next_records_url)?)
            .await
    }

    /// Every record of every page, in order (one call per page of up to 2,000). Each
    /// page's successor is asked for as soon as the page has arrived, before its records
    /// are decoded: the org prepares the next page while this one is decoded, where a
    /// page-after-page walk would leave it idle.
    pub async fn query_all_pages<R: DeserializeOwned>(
        &self,
        soql: &str,
        scope: Scope,
    ) -> Result<Vec<R>, SfError> {
        let mut records = Vec::new();
        let mut response = self.execute(&self.first_page_call(soql, scope)).await?;
        loop {
            let ahead = wire::next_records_url_ahead(&response.body)
                .and_then(|url| Some((url.to_owned(), self.next_page_call(url).ok()?)));
            let (page, fetched) = match &ahead {
                // The request is polled first, so it leaves before the decoding starts.
                Some((_, call)) => {
                    let (fetched, page) = join(self.execute(call), async {
                        wire::decode::<QueryResponse<R>>(&response)
                    })
                    .await;
                    (page?, Some(fetched))
                }
                None => (wire::decode::<QueryResponse<R>>(&response)?, None),
            };
            if records.is_empty() {
                // Room for what Salesforce announced, within reason.
                records.reserve(page.total_size.min(50_000) as usize);
            }
            records.extend(page.records);
            let next = match page.next_records_url {
                Some(url) if !page.done => url,
                _ => return Ok(records),
            };
            response = match (ahead, fetched) {
                (Some((url, _)), Some(fetched)) if url == next => fetched?,
                // The hint was not the page's own locator: follow the decoded one.
                _ => self.execute(&self.next_page_call(&next)?).await?,
            };
        }
    }
}

/// A `nextRecordsUrl` is a path on the instance; anything else is refused rather than
/// followed (it would carry our token elsewhere).
fn next_page_path(next_records_url: &str) -> Result<String, SfError> {
    let well_formed = next_records_url.starts_with("/services/data/")
        && !next_records_url.contains("..")
        && next_records_url
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'#');
    if well_formed {
        Ok(next_records_url.to_owned())
    } else {
        Err(SfError::InvalidRequest(format!(
            "{next_records_url:?} is not a Salesforce query locator path"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::super::client::tests::{Script, ok, run, session};
    use super::super::next_records_url_ahead;
    use super::*;
    use crate::http::{HttpRequest, HttpResponse, TransportError};
    use serde::Deserialize;
    use std::cell::RefCell;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "PascalCase")]
    struct Row {
        name: String,
    }

    fn page(total: u64, names: &[&str], next: Option<&str>) -> String {
        let records: Vec<_> = names
            .iter()
            .map(|n| serde_json::json!({"attributes": {"type": "Contact", "url": "/x"}, "Name": n}))
            .collect();
        let mut body =
            serde_json::json!({"totalSize": total, "done": next.is_none(), "records": records});
        if let Some(next) = next {
            body["nextRecordsUrl"] = next.into();
        }
        body.to_string()
    }

    const NEXT_1: &str = "/services/data/v64.0/query/01gRO0000016PIAYA2-2000";
    const NEXT_2: &str = "/services/data/v64.0/query/01gRO0000016PIAYA2-4000";

    #[test]
    fn walks_every_page_in_order() {
        let script = Script::new([
            ok(&page(5, &["a", "b"], Some(NEXT_1))),
            ok(&page(5, &["c", "d"], Some(NEXT_2))),
            ok(&page(5, &["e"], None)),
        ]);
        let client = Client::new(&script, session()).with_batch_size(2);
        let rows: Vec<Row> =
            run(client.query_all_pages("SELECT Name FROM Contact", Scope::Live)).unwrap();
        let names: Vec<_> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "c", "d", "e"]);
        assert_eq!(
            script.urls(),
            [
                "https://org.example/services/data/v64.0/query?q=SELECT+Name+FROM+Contact"
                    .to_owned(),
                format!("https://org.example{NEXT_1}"),
                format!("https://org.example{NEXT_2}"),
            ]
        );
        for i in 0..3 {
            assert_eq!(
                script.header(i, "Sforce-Query-Options").as_deref(),
                Some("batchSize=200"),
                "batch size clamped to Salesforce's minimum"
            );
        }
    }

    thread_local! {
        /// Requests sent and records decoded, in the order they happened.
        static EVENTS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    }

    fn event(what: String) {
        EVENTS.with(|events| events.borrow_mut().push(what));
    }

    /// A [`Script`] that logs each request as it leaves.
    struct Logged(Script);

    impl Transport for Logged {
        async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
            event(format!("send {}", request.url.rsplit('/').next().unwrap()));
            self.0.send(request).await
        }

        async fn sleep(&self, duration: std::time::Duration) {
            self.0.sleep(duration).await;
        }
    }

    /// A [`Row`] that logs its decoding.
    #[derive(Debug)]
    struct LoggedRow(Row);

    impl<'de> Deserialize<'de> for LoggedRow {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let row = Row::deserialize(d)?;
            event(format!("decode {}", row.name));
            Ok(LoggedRow(row))
        }
    }

    /// A page as Salesforce writes it: the page's own fields before its records.
    fn page_in_order(total: u64, name: &str, next: Option<&str>) -> String {
        let locator = next.map_or(String::new(), |url| format!(r#""nextRecordsUrl":"{url}","#));
        format!(
            r#"{{"totalSize":{total},"done":{},{locator}"records":[{{"attributes":{{"type":"Contact"}},"Name":"{name}"}}]}}"#,
            next.is_none()
        )
    }

    #[test]
    fn the_next_page_is_asked_for_before_this_one_is_decoded() {
        EVENTS.with(|events| events.borrow_mut().clear());
        let script = Logged(
            Script::new([
                ok(&page_in_order(3, "a", Some(NEXT_1))),
                ok(&page_in_order(3, "b", Some(NEXT_2))),
                ok(&page_in_order(3, "c", None)),
            ])
            .interleaved(),
        );
        let client = Client::new(&script, session());
        let rows: Vec<LoggedRow> =
            run(client.query_all_pages("SELECT Name FROM Contact", Scope::Live)).unwrap();
        let names: Vec<_> = rows.iter().map(|r| r.0.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "c"]);
        let events = EVENTS.with(|events| events.take());
        assert_eq!(
            events,
            [
                "send query?q=SELECT+Name+FROM+Contact",
                "send 01gRO0000016PIAYA2-2000",
                "decode a",
                "send 01gRO0000016PIAYA2-4000",
                "decode b",
                "decode c",
            ]
        );
    }

    #[test]
    fn a_child_sub_querys_locator_is_not_taken_for_the_pages() {
        let nested = format!(
            r#"{{"totalSize":1,"done":true,"records":[{{"attributes":{{"type":"Account"}},"Name":"a","Contacts":{{"totalSize":300,"done":false,"nextRecordsUrl":"{NEXT_1}","records":[]}}}}]}}"#
        );
        let script = Script::new([ok(&nested)]);
        let client = Client::new(&script, session());
        let rows: Vec<Row> =
            run(client.query_all_pages("SELECT Name FROM Account", Scope::Live)).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(script.urls().len(), 1, "only the query itself was sent");
    }

    #[test]
    fn a_locator_is_read_ahead_from_the_pages_head_only() {
        let page =
            format!(r#"{{"totalSize":3,"done":false,"nextRecordsUrl":"{NEXT_1}","records":[]}}"#);
        assert_eq!(next_records_url_ahead(page.as_bytes()), Some(NEXT_1));
        let last =
            format!(r#"{{"totalSize":3,"done":true,"records":[{{"nextRecordsUrl":"{NEXT_1}"}}]}}"#);
        assert_eq!(next_records_url_ahead(last.as_bytes()), None);
        let records_first = format!(r#"{{"records":[],"nextRecordsUrl":"{NEXT_1}"}}"#);
        assert_eq!(next_records_url_ahead(records_first.as_bytes()), None);
        assert_eq!(
            next_records_url_ahead(br#"{"nextRecordsUrl":"/a\"b","records":[]}"#),
            None
        );
    }

    #[test]
    fn a_walk_goes_on_from_a_stored_locator() {
        let script = Script::new([
            ok(&page(3, &["a"], Some(NEXT_1))),
            ok(&page(3, &["b", "c"], None)),
        ]);
        let client = Client::new(&script, session());
        let first: QueryResponse<Row> =
            run(client.query_scoped("SELECT Name FROM Contact", Scope::IncludeDeleted)).unwrap();
        assert_eq!(first.records, [Row { name: "a".into() }]);
        assert_eq!(first.total_size, 3);
        let cursor = first.next_records_url.unwrap();
        assert_eq!(cursor, NEXT_1);

        let rest: QueryResponse<Row> = run(client.query_more(&cursor)).unwrap();
        assert_eq!(rest.records.len(), 2);
        assert!(rest.done);
        assert!(script.urls()[0].contains("/queryAll?q="));
        assert_eq!(script.header(0, "Sforce-Query-Options"), None);
    }

    #[test]
    fn soql_travels_url_encoded() {
        let script = Script::new([ok(&page(0, &[], None))]);
        let client = Client::new(&script, session());
        let soql = r"SELECT Id FROM Contact WHERE Email = 'a+b&c=d\'e@x.co'";
        let page: QueryResponse<Row> = run(client.query(soql)).unwrap();
        assert_eq!(page.total_size, 0);
        let url = url::Url::parse(&script.urls()[0]).unwrap();
        let q = url.query_pairs().find(|(k, _)| k == "q").unwrap().1;
        assert_eq!(q, soql);
    }

    #[test]
    fn foreign_next_urls_are_not_followed() {
        let script = Script::new([]);
        let client = Client::new(&script, session());
        for url in [
            "https://evil.example/services/data/v64.0/query/01g-2000",
            "//evil.example/x",
            "/services/data/v64.0/query/../../../x",
            "/services/data/v64.0/query/01g 2000",
        ] {
            assert!(matches!(
                run(client.query_more::<Row>(url)),
                Err(SfError::InvalidRequest(_))
            ));
        }
        assert!(script.sent.borrow().is_empty());
    }
}
