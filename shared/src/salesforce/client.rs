//! The REST client: one org, one session it owns and renews, any [`Transport`].
//!
//! Every call goes through [`Client::execute`], which is where the rules live: refuse
//! beyond the [`Budget`], read `Sforce-Limit-Info` from every answer, renew the access
//! token once on `INVALID_SESSION_ID`, back off on 503/429/`REQUEST_LIMIT_EXCEEDED`.
//! The other modules (query, collections, composite, describe, changes) only build calls
//! and decode answers.

use super::limits::{ApiUsage, Budget, OrgLimits};
use super::retry::{self, RetryPolicy, Verdict};
use super::session::{self, Refreshed, Session, SessionKeeper};
use super::wire::{self, SaveResult};
use super::{API_VERSION, OAuthApp, SfError};
use crate::http::{HttpRequest, HttpResponse, Method, Transport};
use crate::soql::Ident;
use contract::ids::SfId;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::cell::{Cell, RefCell};

/// How a client behaves; the defaults suit background work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClientOptions {
    pub retry: RetryPolicy,
    pub budget: Budget,
    /// Records per query page (`Sforce-Query-Options: batchSize=`, 200 to 2,000);
    /// `None` leaves Salesforce's default of 2,000.
    pub batch_size: Option<u16>,
}

/// The means to renew the access token.
struct Renewal<'a> {
    app: &'a OAuthApp,
    refresh_token: RefCell<String>,
    /// Where the org keeps its session, shared with its other clients.
    keeper: Option<&'a dyn SessionKeeper>,
}

/// A Salesforce REST client. Methods take `&self` (state such as the session and the
/// last known usage lives in cells), so one client can serve a whole request or sync run.
/// Not `Send`, like the transports it runs on.
pub struct Client<'a, T: Transport> {
    transport: &'a T,
    session: RefCell<Session>,
    renewal: Option<Renewal<'a>>,
    refreshed: RefCell<Option<Refreshed>>,
    options: ClientOptions,
    usage: Cell<Option<ApiUsage>>,
    sends: Cell<u64>,
}

/// One REST call, described independently of the session so that it can be sent again
/// after the token was renewed (possibly to a new instance URL).
#[derive(Debug, Clone)]
pub(crate) struct Call {
    method: Method,
    /// The path on the instance, query included: `/services/data/v64.0/...`.
    path: String,
    headers: Vec<(&'static str, String)>,
    body: Option<Vec<u8>>,
}

impl Call {
    /// A call under `/services/data/vNN.0/`.
    pub(crate) fn data(method: Method, rest: &str) -> Self {
        Call::at(method, format!("/services/data/{API_VERSION}/{rest}"))
    }

    /// A call to a path on the instance (a `nextRecordsUrl`).
    pub(crate) fn at(method: Method, path: String) -> Self {
        Call {
            method,
            path,
            headers: Vec::new(),
            body: None,
        }
    }

    pub(crate) fn header(mut self, name: &'static str, value: String) -> Self {
        self.headers.push((name, value));
        self
    }

    pub(crate) fn json(mut self, body: &impl Serialize) -> Result<Self, SfError> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| SfError::InvalidRequest(format!("body does not serialize: {e}")))?;
        self.body = Some(bytes);
        Ok(self.header("Content-Type", "application/json".into()))
    }

    fn to_request(&self, session: &Session) -> HttpRequest {
        let mut request = HttpRequest::new(
            self.method,
            format!(
                "{}{}",
                session.instance_url.trim_end_matches('/'),
                self.path
            ),
        )
        .bearer(&session.access_token)
        .header("Accept", "application/json");
        for (name, value) in &self.headers {
            request = request.header(name, value.clone());
        }
        request.body = self.body.clone();
        request
    }
}

/// An sObject type name fit for a URL path (`Contact`, `Foo__c`).
pub(crate) fn object_name(object: &str) -> Result<&str, SfError> {
    match Ident::parse(object) {
        Ok(_) if !object.contains('.') => Ok(object),
        _ => Err(SfError::InvalidRequest(format!(
            "{object:?} is not an sObject name"
        ))),
    }
}

/// Field names for a `fields=` parameter, validated.
pub(crate) fn field_list(fields: &[&str]) -> Result<String, SfError> {
    for field in fields {
        Ident::parse(field).map_err(|e| SfError::InvalidRequest(e.to_string()))?;
    }
    Ok(fields.join(","))
}

impl<'a, T: Transport> Client<'a, T> {
    /// A client for `session` (owned or borrowed) with the default options and no means to
    /// renew the session; see [`Client::with_refresh`].
    pub fn new(transport: &'a T, session: impl Into<Session>) -> Self {
        Client {
            transport,
            session: RefCell::new(session.into()),
            renewal: None,
            refreshed: RefCell::new(None),
            options: ClientOptions::default(),
            usage: Cell::new(None),
            sends: Cell::new(0),
        }
    }

    /// Lets the client renew its access token (once per call) with the refresh-token
    /// grant of `app` when Salesforce answers `INVALID_SESSION_ID`.
    pub fn with_refresh(mut self, app: &'a OAuthApp, refresh_token: impl Into<String>) -> Self {
        self.renewal = Some(Renewal {
            app,
            refresh_token: RefCell::new(refresh_token.into()),
            keeper: None,
        });
        self
    }

    /// [`Client::with_refresh`] for a session that `keeper` holds for every client of the
    /// org: a renewal waits its turn, takes one another client made meanwhile instead of
    /// renewing again, and is stored at once (nothing to [`take`](Client::take_refreshed)).
    pub fn with_kept_session(
        mut self,
        app: &'a OAuthApp,
        refresh_token: impl Into<String>,
        keeper: &'a dyn SessionKeeper,
    ) -> Self {
        self = self.with_refresh(app, refresh_token);
        if let Some(renewal) = &mut self.renewal {
            renewal.keeper = Some(keeper);
        }
        self
    }

    pub fn with_options(mut self, options: ClientOptions) -> Self {
        self.options = options;
        self
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.options.retry = retry;
        self
    }

    pub fn with_budget(mut self, budget: Budget) -> Self {
        self.options.budget = budget;
        self
    }

    /// Records per query page, clamped to Salesforce's 200 to 2,000.
    pub fn with_batch_size(mut self, batch_size: u16) -> Self {
        self.options.batch_size = Some(batch_size.clamp(200, 2000));
        self
    }

    /// Starts from a usage learnt earlier (stored by the caller), so that the budget holds
    /// from the first call of a fresh client.
    pub fn with_known_usage(self, usage: ApiUsage) -> Self {
        self.usage.set(Some(usage));
        self
    }

    pub fn options(&self) -> ClientOptions {
        self.options
    }

    /// The session in use now (renewed, if it was).
    pub fn session(&self) -> Session {
        self.session.borrow().clone()
    }

    pub fn instance_url(&self) -> String {
        self.session.borrow().instance_url.clone()
    }

    /// The session renewed since the last call of this method, if any: store it, or the
    /// next request starts from the expired one and renews again.
    pub fn take_refreshed(&self) -> Option<Refreshed> {
        self.refreshed.borrow_mut().take()
    }

    /// The org's API usage as the last answer reported it.
    pub fn api_usage(&self) -> Option<ApiUsage> {
        self.usage.get()
    }

    /// HTTP requests this client has sent (retries and token renewals included).
    pub fn requests_sent(&self) -> u64 {
        self.sends.get()
    }

    fn count_send(&self) {
        self.sends.set(self.sends.get() + 1);
    }

    fn check_budget(&self) -> Result<(), SfError> {
        match self.usage.get() {
            Some(usage) if !self.options.budget.allows(usage) => Err(SfError::BudgetExhausted {
                used: usage.used,
                max: usage.max,
                ceiling: self.options.budget.ceiling(usage.max),
            }),
            _ => Ok(()),
        }
    }

    /// Sends `call` under the client's rules and returns the successful answer, or the
    /// typed error of the last one.
    pub(crate) async fn execute(&self, call: &Call) -> Result<HttpResponse, SfError> {
        let mut renewed = false;
        let mut retries = 0;
        loop {
            self.check_budget()?;
            let request = call.to_request(&self.session.borrow());
            self.count_send();
            let response = self.transport.send(request).await?;
            let usage = ApiUsage::from_response(&response);
            if usage.is_some() {
                self.usage.set(usage);
            }
            if response.is_success() {
                return Ok(response);
            }
            let error = wire::error_from(response.status, &response.body);
            match retry::verdict(&error, usage) {
                Verdict::Renew if !renewed && self.renewal.is_some() => {
                    self.renew().await?;
                    renewed = true;
                }
                Verdict::Retry if retries + 1 < self.options.retry.max_attempts => {
                    // The renewed session was not refused: should it expire while this
                    // call waits out an outage, it may be renewed again (retries stay
                    // bounded), rather than reported as a revoked connection.
                    renewed = false;
                    let wait = self
                        .options
                        .retry
                        .delay_with(retries, retry::retry_after(response.header("Retry-After")));
                    retries += 1;
                    self.transport.sleep(wait).await;
                }
                _ => return Err(error),
            }
        }
    }

    /// Sends `call` and decodes its JSON answer.
    pub(crate) async fn execute_json<R: DeserializeOwned>(
        &self,
        call: &Call,
    ) -> Result<R, SfError> {
        let response = self.execute(call).await?;
        wire::decode(&response)
    }

    async fn renew(&self) -> Result<(), SfError> {
        let renewal = self
            .renewal
            .as_ref()
            .expect("renew is only called with a renewal");
        let Some(keeper) = renewal.keeper else {
            let refreshed = self.refresh(renewal).await?;
            let mut slot = self.refreshed.borrow_mut();
            // A rotated token from an earlier renewal that nobody took yet must not be lost.
            let refresh_token = refreshed
                .refresh_token
                .or_else(|| slot.take().and_then(|r| r.refresh_token));
            *slot = Some(Refreshed {
                session: refreshed.session,
                refresh_token,
            });
            return Ok(());
        };
        let _turn = keeper.renewal_turn().lock().await;
        let refused = self.session.borrow().access_token.clone();
        if let Some((stored, refresh_token)) = keeper.current()?
            && stored.access_token != refused
        {
            // Another client renewed while this one waited: its session is the one.
            *self.session.borrow_mut() = stored;
            *renewal.refresh_token.borrow_mut() = refresh_token;
            return Ok(());
        }
        let refreshed = self.refresh(renewal).await?;
        keeper.keep(&refreshed)
    }

    /// One refresh-token grant; the client goes on with the new session (and token).
    async fn refresh(&self, renewal: &Renewal<'a>) -> Result<Refreshed, SfError> {
        let refresh_token = renewal.refresh_token.borrow().clone();
        self.count_send();
        let tokens = session::refresh(self.transport, renewal.app, &refresh_token).await?;
        let session = Session::from_token(&tokens);
        *self.session.borrow_mut() = session.clone();
        if let Some(rotated) = &tokens.refresh_token {
            *renewal.refresh_token.borrow_mut() = rotated.clone();
        }
        Ok(Refreshed {
            session,
            refresh_token: tokens.refresh_token,
        })
    }

    /// `GET /sobjects/{object}/{id}?fields=...` (all fields when `fields` is empty).
    pub async fn get<R: DeserializeOwned>(
        &self,
        object: &str,
        id: &SfId,
        fields: &[&str],
    ) -> Result<R, SfError> {
        let mut rest = format!("sobjects/{}/{id}", object_name(object)?);
        if !fields.is_empty() {
            rest.push_str("?fields=");
            rest.push_str(&field_list(fields)?);
        }
        self.execute_json(&Call::data(Method::Get, &rest)).await
    }

    /// `POST /sobjects/{object}`: the new record's Id, or [`SfError::Api`] with
    /// Salesforce's reason (`REQUIRED_FIELD_MISSING`, `DUPLICATE_VALUE`, ...).
    pub async fn create(&self, object: &str, fields: &impl Serialize) -> Result<SfId, SfError> {
        let call =
            Call::data(Method::Post, &format!("sobjects/{}", object_name(object)?)).json(fields)?;
        let result: SaveResult = self.execute_json(&call).await?;
        result.into_result()
    }

    /// `PATCH /sobjects/{object}/{id}` with the given field values.
    pub async fn update(
        &self,
        object: &str,
        id: &SfId,
        fields: &impl Serialize,
    ) -> Result<(), SfError> {
        let call = Call::data(
            Method::Patch,
            &format!("sobjects/{}/{id}", object_name(object)?),
        )
        .json(fields)?;
        self.execute(&call).await.map(drop)
    }

    /// `DELETE /sobjects/{object}/{id}` (to the recycle bin).
    pub async fn delete(&self, object: &str, id: &SfId) -> Result<(), SfError> {
        let call = Call::data(
            Method::Delete,
            &format!("sobjects/{}/{id}", object_name(object)?),
        );
        self.execute(&call).await.map(drop)
    }

    /// `/limits`: the org's limits and what remains of each.
    pub async fn limits(&self) -> Result<OrgLimits, SfError> {
        self.execute_json(&Call::data(Method::Get, "limits")).await
    }
}

#[cfg(test)]
pub(crate) mod tests {
    //! A scripted transport, so the client's rules are tested without a network.

    use super::*;
    use crate::http::TransportError;
    use std::collections::VecDeque;
    use std::future::Future;
    use std::time::Duration;

    /// Answers from a script, in order, and records what was sent and slept.
    #[derive(Default)]
    pub(crate) struct Script {
        answers: RefCell<VecDeque<HttpResponse>>,
        pub sent: RefCell<Vec<HttpRequest>>,
        pub slept: RefCell<Vec<Duration>>,
        /// Each request waits one poll before it is answered, as a network would, so
        /// calls made at once interleave.
        interleave: bool,
    }

    impl Script {
        pub(crate) fn new(answers: impl IntoIterator<Item = HttpResponse>) -> Self {
            Script {
                answers: RefCell::new(answers.into_iter().collect()),
                ..Script::default()
            }
        }

        pub(crate) fn interleaved(mut self) -> Self {
            self.interleave = true;
            self
        }

        pub(crate) fn urls(&self) -> Vec<String> {
            self.sent.borrow().iter().map(|r| r.url.clone()).collect()
        }

        pub(crate) fn body(&self, index: usize) -> serde_json::Value {
            serde_json::from_slice(self.sent.borrow()[index].body.as_deref().unwrap()).unwrap()
        }

        pub(crate) fn header(&self, index: usize, name: &str) -> Option<String> {
            self.sent.borrow()[index]
                .headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
        }
    }

    impl Transport for Script {
        async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
            self.sent.borrow_mut().push(request);
            if self.interleave {
                let mut waited = false;
                std::future::poll_fn(|_| {
                    std::mem::replace(&mut waited, true)
                        .then_some(())
                        .map_or(std::task::Poll::Pending, std::task::Poll::Ready)
                })
                .await;
            }
            Ok(self
                .answers
                .borrow_mut()
                .pop_front()
                .expect("the script has an answer for every request"))
        }

        async fn sleep(&self, duration: Duration) {
            self.slept.borrow_mut().push(duration);
        }
    }

    pub(crate) fn answer(status: u16, usage: Option<&str>, body: &str) -> HttpResponse {
        let mut headers = vec![(
            "Content-Type".to_owned(),
            "application/json;charset=UTF-8".to_owned(),
        )];
        if let Some(usage) = usage {
            headers.push(("Sforce-Limit-Info".into(), format!("api-usage={usage}")));
        }
        HttpResponse {
            status,
            headers,
            body: body.as_bytes().to_vec(),
        }
    }

    pub(crate) fn ok(body: &str) -> HttpResponse {
        answer(200, Some("10/1000"), body)
    }

    pub(crate) const EXPIRED: &str =
        r#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#;
    pub(crate) const CONCURRENT_LIMIT: &str = r#"[{"message":"ConcurrentPerOrgLongTxn Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]"#;

    pub(crate) fn session() -> Session {
        Session {
            instance_url: "https://org.example/".into(),
            access_token: "00D!old".into(),
        }
    }

    pub(crate) fn app() -> OAuthApp {
        OAuthApp {
            login_url: "https://login.example".into(),
            client_id: "cid".into(),
            client_secret: "secret".into(),
            redirect_uri: "https://edge.example/cb".into(),
        }
    }

    pub(crate) fn token(access: &str, refresh: Option<&str>) -> HttpResponse {
        let body = serde_json::json!({
            "access_token": access,
            "refresh_token": refresh,
            "instance_url": "https://new.example",
            "id": "https://login.example/id/00D000000000001AAA/005000000000001AAA",
            "issued_at": "1765890330000",
            "signature": "sig",
            "token_type": "Bearer",
        });
        answer(200, None, &body.to_string())
    }

    /// Runs a future to completion on this thread: the scripted transport never pends.
    pub(crate) fn run<F: Future>(future: F) -> F::Output {
        use std::pin::pin;
        use std::task::{Context, Poll, Waker};
        let mut future = pin!(future);
        let mut context = Context::from_waker(Waker::noop());
        loop {
            if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
                return output;
            }
        }
    }

    fn fast() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(15),
        }
    }

    const ID: &str = "003000000000001AAA";

    #[test]
    fn renews_once_on_invalid_session_and_reports_the_new_session() {
        let script = Script::new([
            answer(401, None, EXPIRED),
            token("00D!new", None),
            ok(r#"{"DailyApiRequests":{"Max":1000,"Remaining":990}}"#),
        ]);
        let app = app();
        let client = Client::new(&script, session()).with_refresh(&app, "refresh-1");
        let limits = run(client.limits()).unwrap();
        assert_eq!(limits.daily_api_requests().unwrap().remaining, 990);
        let urls = script.urls();
        assert_eq!(urls[0], "https://org.example/services/data/v64.0/limits");
        assert_eq!(urls[1], "https://login.example/services/oauth2/token");
        assert_eq!(
            urls[2], "https://new.example/services/data/v64.0/limits",
            "the retry goes to the renewed instance"
        );
        let form = String::from_utf8(script.sent.borrow()[1].body.clone().unwrap()).unwrap();
        assert!(
            form.contains("grant_type=refresh_token") && form.contains("refresh_token=refresh-1")
        );
        assert_eq!(script.header(2, "Authorization").unwrap(), "Bearer 00D!new");
        let refreshed = client.take_refreshed().unwrap();
        assert_eq!(refreshed.session.access_token, "00D!new");
        assert_eq!(refreshed.refresh_token, None);
        assert_eq!(client.take_refreshed(), None, "taken once");
        assert_eq!(client.session().access_token, "00D!new");
        assert_eq!(client.requests_sent(), 3);
    }

    /// The org's session in memory, counting what was stored.
    struct Kept {
        turn: futures_util::lock::Mutex<()>,
        stored: RefCell<(Session, String)>,
        kept: Cell<u32>,
    }

    impl SessionKeeper for Kept {
        fn renewal_turn(&self) -> &futures_util::lock::Mutex<()> {
            &self.turn
        }
        fn current(&self) -> Result<Option<(Session, String)>, SfError> {
            Ok(Some(self.stored.borrow().clone()))
        }
        fn keep(&self, renewed: &Refreshed) -> Result<(), SfError> {
            let mut stored = self.stored.borrow_mut();
            stored.0 = renewed.session.clone();
            if let Some(rotated) = &renewed.refresh_token {
                stored.1 = rotated.clone();
            }
            self.kept.set(self.kept.get() + 1);
            Ok(())
        }
    }

    #[test]
    fn two_clients_of_one_kept_session_renew_it_once_between_them() {
        // Both calls are refused at once; the first client renews (its token rotated)
        // while the second waits its turn and then uses that renewal.
        let script = Script::new([
            answer(401, None, EXPIRED),
            answer(401, None, EXPIRED),
            token("00D!new", Some("refresh-2")),
            ok(r#"{"DailyApiRequests":{"Max":1000,"Remaining":990}}"#),
            ok(r#"{"DailyApiRequests":{"Max":1000,"Remaining":989}}"#),
        ])
        .interleaved();
        let app = app();
        let kept = Kept {
            turn: Default::default(),
            stored: RefCell::new((session(), "refresh-1".into())),
            kept: Cell::new(0),
        };
        let panel = Client::new(&script, session()).with_kept_session(&app, "refresh-1", &kept);
        let sync = Client::new(&script, session()).with_kept_session(&app, "refresh-1", &kept);
        let (a, b) = run(futures_util::future::join(panel.limits(), sync.limits()));
        a.unwrap();
        b.unwrap();
        let renewals = script
            .urls()
            .iter()
            .filter(|url| url.ends_with("/oauth2/token"))
            .count();
        assert_eq!(renewals, 1, "{:?}", script.urls());
        assert_eq!(kept.kept.get(), 1, "stored at once");
        assert_eq!(
            kept.stored.borrow().1,
            "refresh-2",
            "the rotated token is kept"
        );
        assert_eq!(sync.session().access_token, "00D!new");
        assert_eq!(script.header(4, "Authorization").unwrap(), "Bearer 00D!new");
        assert_eq!(
            panel.take_refreshed(),
            None,
            "nothing left to store by hand"
        );
    }

    #[test]
    fn a_renewed_session_that_is_refused_too_is_not_renewed_again() {
        let script = Script::new([
            answer(401, None, EXPIRED),
            token("00D!new", Some("refresh-2")),
            answer(401, None, EXPIRED),
        ]);
        let app = app();
        let client = Client::new(&script, session()).with_refresh(&app, "refresh-1");
        assert_eq!(run(client.limits()), Err(SfError::InvalidSession));
        assert_eq!(script.sent.borrow().len(), 3);
        let refreshed = client.take_refreshed().unwrap();
        assert_eq!(refreshed.refresh_token.as_deref(), Some("refresh-2"));
    }

    #[test]
    fn a_session_expiring_again_while_an_outage_is_waited_out_is_renewed_again() {
        let script = Script::new([
            answer(401, None, EXPIRED),
            token("00D!second", None),
            answer(503, None, "[]"),
            answer(401, None, EXPIRED),
            token("00D!third", None),
            ok(r#"{"DailyApiRequests":{"Max":1000,"Remaining":990}}"#),
        ]);
        let app = app();
        let client = Client::new(&script, session())
            .with_refresh(&app, "refresh-1")
            .with_retry(fast());
        assert!(run(client.limits()).is_ok(), "not a revoked connection");
        assert_eq!(client.session().access_token, "00D!third");
    }

    #[test]
    fn without_a_refresh_token_an_expired_session_is_an_error() {
        let script = Script::new([answer(401, None, EXPIRED)]);
        let stored = session();
        let client = Client::new(&script, &stored);
        assert_eq!(run(client.limits()), Err(SfError::InvalidSession));
        assert_eq!(client.take_refreshed(), None);
        assert_eq!(client.session(), stored);
    }

    #[test]
    fn a_revoked_refresh_token_is_typed() {
        let script = Script::new([
            answer(401, None, EXPIRED),
            answer(
                400,
                None,
                r#"{"error":"invalid_grant","error_description":"expired access/refresh token"}"#,
            ),
        ]);
        let app = app();
        let client = Client::new(&script, session()).with_refresh(&app, "dead");
        let error = run(client.limits()).unwrap_err();
        assert_eq!(
            error,
            SfError::RefreshRevoked {
                error: "invalid_grant".into(),
                description: "expired access/refresh token".into()
            }
        );
        assert!(error.needs_reconnect());
        assert_eq!(client.take_refreshed(), None);
    }

    #[test]
    fn backs_off_on_503_and_concurrent_limits_then_succeeds() {
        let script = Script::new([
            answer(503, None, "<html>down</html>"),
            answer(403, Some("11/1000"), CONCURRENT_LIMIT),
            ok(r#"{"DailyApiRequests":{"Max":1000,"Remaining":988}}"#),
        ]);
        let client = Client::new(&script, session()).with_retry(fast());
        assert!(run(client.limits()).is_ok());
        assert_eq!(
            *script.slept.borrow(),
            [Duration::from_millis(10), Duration::from_millis(15)]
        );
    }

    #[test]
    fn retries_are_bounded() {
        let script = Script::new((0..3).map(|_| answer(503, None, "")));
        let client = Client::new(&script, session()).with_retry(fast());
        assert_eq!(
            run(client.limits()),
            Err(SfError::Unavailable { status: 503 })
        );
        assert_eq!(script.sent.borrow().len(), 3);
        assert_eq!(script.slept.borrow().len(), 2);
    }

    #[test]
    fn a_spent_daily_allowance_is_not_retried() {
        let body =
            r#"[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]"#;
        let script = Script::new([answer(403, Some("1001/1000"), body)]);
        let client = Client::new(&script, session())
            .with_retry(fast())
            .with_budget(Budget::Unlimited);
        let error = run(client.limits()).unwrap_err();
        assert_eq!(error.code(), Some("REQUEST_LIMIT_EXCEEDED"));
        assert_eq!(script.sent.borrow().len(), 1);
        assert!(script.slept.borrow().is_empty());
    }

    #[test]
    fn other_errors_are_not_retried() {
        let body =
            r#"[{"message":"The requested resource does not exist","errorCode":"NOT_FOUND"}]"#;
        let script = Script::new([answer(404, Some("5/1000"), body)]);
        let client = Client::new(&script, session()).with_retry(fast());
        let id = SfId::parse(ID).unwrap();
        let error = run(client.get::<serde_json::Value>("Contact", &id, &[])).unwrap_err();
        assert!(matches!(error, SfError::Api { status: 404, ref code, .. } if code == "NOT_FOUND"));
        assert_eq!(script.sent.borrow().len(), 1);
    }

    #[test]
    fn tracks_usage_and_refuses_beyond_the_budget() {
        let limits = r#"{"DailyApiRequests":{"Max":10,"Remaining":3}}"#;
        let script = Script::new([
            answer(200, Some("6/10"), limits),
            answer(200, Some("7/10"), limits),
        ]);
        let client = Client::new(&script, session()).with_budget(Budget::Percent(70));
        assert_eq!(client.api_usage(), None);
        run(client.limits()).unwrap();
        assert_eq!(client.api_usage(), Some(ApiUsage { used: 6, max: 10 }));
        run(client.limits()).unwrap();
        assert_eq!(client.api_usage(), Some(ApiUsage { used: 7, max: 10 }));
        assert_eq!(
            run(client.limits()),
            Err(SfError::BudgetExhausted {
                used: 7,
                max: 10,
                ceiling: 7
            })
        );
        assert_eq!(script.sent.borrow().len(), 2, "refused without calling");
    }

    #[test]
    fn a_known_usage_holds_from_the_first_call() {
        let script = Script::new([]);
        let client = Client::new(&script, session())
            .with_known_usage(ApiUsage { used: 95, max: 100 })
            .with_budget(Budget::Percent(90));
        assert!(matches!(
            run(client.limits()),
            Err(SfError::BudgetExhausted { ceiling: 90, .. })
        ));
        assert!(script.sent.borrow().is_empty());
    }

    #[test]
    fn record_calls_have_rest_shapes() {
        let created = format!(r#"{{"id":"{ID}","success":true,"errors":[]}}"#);
        let script = Script::new([
            answer(201, Some("1/100"), &created),
            answer(204, Some("2/100"), ""),
            ok(&format!(
                r#"{{"attributes":{{"type":"Contact","url":"/services/data/v64.0/sobjects/Contact/{ID}"}},"Id":"{ID}","Title":"COO"}}"#
            )),
            answer(204, Some("4/100"), ""),
        ]);
        let client = Client::new(&script, session());
        let id =
            run(client.create("Contact", &serde_json::json!({"LastName": "Lovelace"}))).unwrap();
        assert_eq!(id.as_str(), ID);
        run(client.update("Contact", &id, &serde_json::json!({"Title": "COO"}))).unwrap();
        let record: serde_json::Value = run(client.get("Contact", &id, &["Id", "Title"])).unwrap();
        assert_eq!(record["Title"], "COO");
        run(client.delete("Contact", &id)).unwrap();
        let sent = script.sent.borrow();
        let methods: Vec<_> = sent.iter().map(|r| r.method).collect();
        assert_eq!(
            methods,
            [Method::Post, Method::Patch, Method::Get, Method::Delete]
        );
        assert_eq!(
            sent[0].url,
            "https://org.example/services/data/v64.0/sobjects/Contact"
        );
        assert_eq!(
            sent[2].url,
            format!(
                "https://org.example/services/data/v64.0/sobjects/Contact/{ID}?fields=Id,Title"
            )
        );
        drop(sent);
        assert_eq!(script.body(1), serde_json::json!({"Title": "COO"}));
        assert_eq!(
            script.header(0, "content-type").unwrap(),
            "application/json"
        );
    }

    #[test]
    fn a_failed_create_is_a_typed_api_error() {
        let body = r#"[{"message":"Required fields are missing: [LastName]","errorCode":"REQUIRED_FIELD_MISSING","fields":["LastName"]}]"#;
        let script = Script::new([answer(400, Some("1/100"), body)]);
        let client = Client::new(&script, session());
        let error =
            run(client.create("Contact", &serde_json::json!({"FirstName": "A"}))).unwrap_err();
        assert_eq!(
            error,
            SfError::Api {
                status: 400,
                code: "REQUIRED_FIELD_MISSING".into(),
                message: "Required fields are missing: [LastName]".into(),
                fields: vec!["LastName".into()]
            }
        );
    }

    #[test]
    fn names_in_urls_are_validated_before_sending() {
        let script = Script::new([]);
        let client = Client::new(&script, session());
        let id = SfId::parse(ID).unwrap();
        for object in ["Contact/../../x", "Contact?q=1", "", "Account.Name"] {
            assert!(matches!(
                run(client.delete(object, &id)),
                Err(SfError::InvalidRequest(_))
            ));
        }
        assert!(matches!(
            run(client.get::<serde_json::Value>("Contact", &id, &["Name&x=1"])),
            Err(SfError::InvalidRequest(_))
        ));
        assert!(script.sent.borrow().is_empty());
    }
}
