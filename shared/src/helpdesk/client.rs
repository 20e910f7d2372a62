//! The REST client: one helpdesk org, one token, any [`Transport`].
//!
//! Every call is counted ([`Client::calls`]) and the helpdesk's rate-limit headers are
//! kept ([`Client::rate_limit`]). A 429 is retried after `Retry-After` (or a backoff when
//! the helpdesk gives none), as are 502/503/504, within a [`RetryPolicy`]. The waiting is
//! the transport's own ([`Transport::sleep`]: tokio natively, a timer in the Worker)
//! unless [`Client::with_sleeper`] hands in another [`Sleep`].
//!
//! With [`Client::with_limits`], the client keeps to its share of the portal's daily
//! credits (refusing a call with [`HelpdeskError::OverBudget`] once the credits the
//! helpdesk says are left fall to the share's floor) and says how many calls it may have
//! in progress at once ([`Client::calls_at_once`]). A 429 `THRESHOLD_EXCEEDED` (the day's
//! credits spent) is never waited out: it is [`HelpdeskError::CreditsSpent`] at once.
//!
//! With [`Client::with_kept_token`], an access token the helpdesk calls expired (401
//! `INVALID_OAUTH`: Zoho's last an hour) is renewed with the org's grant, once per call
//! and one renewal at a time for the org, and the call goes on; a grant Zoho Accounts no
//! longer knows is [`HelpdeskError::Revoked`].

use super::error::{HelpdeskError, error_of, retry_after};
use super::fields::{FieldMeta, Module};
use super::limits::{CreditLimits, CreditPlan, Edition};
use super::oauth::{Grant, HelpdeskApp, TokenKeeper};
use super::records::{
    Account, AccountDraft, Agent, Contact, ContactDraft, ListPage, MassResult, MassResults,
    Organization, Profile, SearchPage,
};
use super::signature::Jwks;
use super::webhooks::{Webhook, WebhookDraft};
use super::{API_PREFIX, PAGE_LIMIT};
use crate::http::{HttpRequest, HttpResponse, Method, Transport};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::cell::{Cell, RefCell};
use std::time::Duration;

/// The header that tags a write with its origin; a webhook whose `ignoreSourceId` equals
/// it is not told about the write (echo suppression).
pub const SOURCE_ID_HEADER: &str = "sourceId";

/// The `sourceId` sfdesk's sync writes carry, so they do not trigger our own webhook (the
/// helpdesk wants a UUID).
pub const SOURCE_ID: &str = "5f0c2a4e-8d1b-4c7e-9a36-2b7d5e9f1c40";

/// Where the helpdesk publishes the keys that sign its webhooks, relative to its base URL.
pub const JWKS_PATH: &str = "/.well-known/jwks.json";

/// Waiting between retries. No `Send` bound, like [`Transport`].
#[allow(async_fn_in_trait)]
pub trait Sleep {
    async fn sleep(&self, duration: Duration);
}

impl<S: Sleep> Sleep for &S {
    async fn sleep(&self, duration: Duration) {
        (**self).sleep(duration).await;
    }
}

/// Waits with the transport's own [`Transport::sleep`]: the default.
pub struct TransportSleep<'a, T: Transport>(pub &'a T);

impl<T: Transport> Sleep for TransportSleep<'_, T> {
    async fn sleep(&self, duration: Duration) {
        self.0.sleep(duration).await;
    }
}

/// Where and as whom to call.
#[derive(Clone, PartialEq, Eq)]
pub struct Connection {
    /// The helpdesk's base URL (`https://desk.zoho.com`, or the sandbox's); calls go to
    /// `<base_url>/api/v1/...`.
    pub base_url: String,
    /// The organisation every call acts on (the `orgId` header).
    pub org_id: String,
    /// An OAuth access token, sent as `Authorization: Zoho-oauthtoken <token>`.
    pub access_token: String,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("base_url", &self.base_url)
            .field("org_id", &self.org_id)
            .finish_non_exhaustive()
    }
}

/// How hard to try before giving up on a 429 or an outage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Calls in all, the first included.
    pub max_attempts: u32,
    /// The first backoff when the helpdesk gives no `Retry-After`; doubles each time.
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// A `Retry-After` longer than this is not waited out: the call fails with
    /// [`HelpdeskError::RateLimited`] so the caller can reschedule the work.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }
}

/// The helpdesk's rate-limit headers on the last answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitInfo {
    /// `X-Rate-Limit-Request-Weight-v3`: what the call cost.
    pub weight: Option<u64>,
    /// `X-Rate-Limit-Remaining-v3`: credits left.
    pub remaining: Option<u64>,
}

/// List order (`sortBy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    CreatedTime,
    CreatedTimeDesc,
    ModifiedTime,
    ModifiedTimeDesc,
}

impl Sort {
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::CreatedTime => "createdTime",
            Sort::CreatedTimeDesc => "-createdTime",
            Sort::ModifiedTime => "modifiedTime",
            Sort::ModifiedTimeDesc => "-modifiedTime",
        }
    }
}

/// What renews the client's access token.
struct Renewal<'a> {
    app: &'a HelpdeskApp,
    grant: Grant,
    keeper: &'a dyn TokenKeeper,
}

pub struct Client<'a, T: Transport, S: Sleep = TransportSleep<'a, T>> {
    transport: &'a T,
    sleeper: S,
    connection: &'a Connection,
    /// The connection's token until a renewal replaces it.
    access_token: RefCell<String>,
    renewal: Option<Renewal<'a>>,
    source_id: Option<String>,
    retry: RetryPolicy,
    limits: Option<CreditLimits>,
    calls: Cell<u64>,
    rate_limit: Cell<Option<RateLimitInfo>>,
}

impl<'a, T: Transport> Client<'a, T> {
    /// A client that waits out backoffs with the transport's own sleep.
    pub fn new(transport: &'a T, connection: &'a Connection) -> Self {
        Client::with_sleeper(transport, TransportSleep(transport), connection)
    }
}

impl<'a, T: Transport, S: Sleep> Client<'a, T, S> {
    /// A client that waits with `sleeper` (a test's recorder, another runtime's timer).
    pub fn with_sleeper(transport: &'a T, sleeper: S, connection: &'a Connection) -> Self {
        Client {
            transport,
            sleeper,
            connection,
            access_token: RefCell::new(connection.access_token.clone()),
            renewal: None,
            source_id: None,
            retry: RetryPolicy::default(),
            limits: None,
            calls: Cell::new(0),
            rate_limit: Cell::new(None),
        }
    }

    /// Tags every write with this `sourceId` (a UUID): webhooks created with the same
    /// `ignoreSourceId` stay silent about them.
    pub fn with_source_id(mut self, source_id: impl Into<String>) -> Self {
        self.source_id = Some(source_id.into());
        self
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Keeps to `limits`: the portal's plan and this client's share of it.
    pub fn with_limits(mut self, limits: CreditLimits) -> Self {
        self.limits = Some(limits);
        self
    }

    /// Starts from the credits left that an earlier client of the org last read, so a
    /// spent budget is known before the first call.
    pub fn with_known_remaining(self, remaining: u64) -> Self {
        self.rate_limit.set(Some(RateLimitInfo {
            weight: None,
            remaining: Some(remaining),
        }));
        self
    }

    /// Calls this client may have in progress at once under its limits (`None`: no
    /// limits set).
    pub fn calls_at_once(&self) -> Option<usize> {
        self.limits.map(|limits| limits.concurrency())
    }

    /// Renews an expired access token with `grant` through `keeper`, which holds the
    /// org's token for every client of the org.
    pub fn with_kept_token(
        mut self,
        app: &'a HelpdeskApp,
        grant: Grant,
        keeper: &'a dyn TokenKeeper,
    ) -> Self {
        self.renewal = Some(Renewal { app, grant, keeper });
        self
    }

    /// HTTP calls made so far, retries included.
    pub fn calls(&self) -> u64 {
        self.calls.get()
    }

    /// The rate-limit headers of the last answer that had them.
    pub fn rate_limit(&self) -> Option<RateLimitInfo> {
        self.rate_limit.get()
    }

    fn url(&self, path_and_query: &str) -> String {
        format!(
            "{}{API_PREFIX}{path_and_query}",
            self.connection.base_url.trim_end_matches('/')
        )
    }

    /// A request of the org; the token is added as it is sent (it may be renewed).
    pub(super) fn request(&self, method: Method, path_and_query: &str) -> HttpRequest {
        HttpRequest::new(method, self.url(path_and_query))
            .header("orgId", self.connection.org_id.clone())
    }

    fn authorized(&self, request: &HttpRequest) -> HttpRequest {
        request.clone().header(
            "Authorization",
            format!("Zoho-oauthtoken {}", self.access_token.borrow()),
        )
    }

    pub(super) fn write(&self, method: Method, path: &str, body: &impl Serialize) -> HttpRequest {
        let mut request = self
            .request(method, path)
            .header("Content-Type", "application/json");
        if let Some(source_id) = &self.source_id {
            request = request.header(SOURCE_ID_HEADER, source_id.clone());
        }
        request.body = Some(serde_json::to_vec(body).expect("request bodies serialize"));
        request
    }

    /// Sends, renewing an expired token once and retrying 429 and 502/503/504 within
    /// the policy.
    pub(super) async fn call(&self, request: HttpRequest) -> Result<HttpResponse, HelpdeskError> {
        self.exchange(request, Some(1)).await
    }

    /// [`Client::call`] for a call whose cost is known beforehand (an import's), so the
    /// budget refuses it rather than let it pass the share.
    pub(super) async fn call_weighing(
        &self,
        request: HttpRequest,
        weight: u64,
    ) -> Result<HttpResponse, HelpdeskError> {
        self.exchange(request, Some(weight)).await
    }

    /// [`Client::call`]; the org's token, and the budget's check of the call's `weight`,
    /// go only with an authorized call (not to the public key set, which may be served
    /// elsewhere).
    async fn exchange(
        &self,
        request: HttpRequest,
        weight: Option<u64>,
    ) -> Result<HttpResponse, HelpdeskError> {
        let authorize = weight.is_some();
        let mut attempt = 1;
        let mut renewed = false;
        loop {
            if let Some(weight) = weight
                && let Some(refusal) = self.over_budget(weight)
            {
                return Err(refusal);
            }
            self.calls.set(self.calls.get() + 1);
            let sent = if authorize {
                self.authorized(&request)
            } else {
                request.clone()
            };
            let response = self.transport.send(sent).await?;
            // Only an answered call says what is left: a refusal's `0` may be of calls at
            // once, not of the day's credits.
            if response.is_success() {
                self.note_limits(&response);
                return Ok(response);
            }
            if let Some(renewal) = &self.renewal
                && is_expired_token(&response)
            {
                if renewed {
                    // A token fresh from Zoho Accounts refused at once: the grant went.
                    return Err(HelpdeskError::Revoked);
                }
                self.renew(renewal).await?;
                renewed = true;
                continue;
            }
            let wait = match response.status {
                429 => match (error_of(&response), retry_after(&response)) {
                    // The day's credits come back in hours, not within a call.
                    (spent @ HelpdeskError::CreditsSpent { .. }, _) => return Err(spent),
                    (error, Some(wait)) if wait > self.retry.max_retry_after => {
                        return Err(error);
                    }
                    (_, Some(wait)) => wait,
                    (_, None) => self.retry.backoff(attempt),
                },
                502..=504 => self.retry.backoff(attempt),
                _ => return Err(error_of(&response)),
            };
            if attempt >= self.retry.max_attempts {
                return Err(error_of(&response));
            }
            self.sleeper.sleep(wait).await;
            attempt += 1;
        }
    }

    /// The refusal of a call the budget has no room for, judged on the credits the
    /// helpdesk last said were left.
    fn over_budget(&self, weight: u64) -> Option<HelpdeskError> {
        let limits = self.limits?;
        let remaining = self.rate_limit.get()?.remaining?;
        let daily = limits.plan.daily_credits();
        (!limits.budget.allows(remaining, daily, weight)).then(|| HelpdeskError::OverBudget {
            spent: daily.saturating_sub(remaining),
            daily,
            ceiling: limits.budget.ceiling(daily),
        })
    }

    /// Takes the token another client renewed meanwhile, or renews it with the grant.
    async fn renew(&self, renewal: &Renewal<'_>) -> Result<(), HelpdeskError> {
        let _turn = renewal.keeper.renewal_turn().lock().await;
        let refused = self.access_token.borrow().clone();
        if let Some(stored) = renewal.keeper.current()?
            && stored != refused
        {
            *self.access_token.borrow_mut() = stored;
            return Ok(());
        }
        self.calls.set(self.calls.get() + 1);
        let response = self
            .transport
            .send(renewal.app.refresh(&renewal.grant))
            .await?;
        let tokens = match HelpdeskApp::parse_token_answer(&response) {
            // Accounts' answer to a refresh token it no longer knows (revoked, or the app
            // removed from the account).
            Err(HelpdeskError::OAuth { error }) if error == "invalid_code" => {
                return Err(HelpdeskError::Revoked);
            }
            other => other?,
        };
        renewal.keeper.keep(&tokens.access_token)?;
        *self.access_token.borrow_mut() = tokens.access_token;
        Ok(())
    }

    fn note_limits(&self, response: &HttpResponse) {
        let number = |name| {
            response
                .header(name)
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        let info = RateLimitInfo {
            weight: number("X-Rate-Limit-Request-Weight-v3"),
            remaining: number("X-Rate-Limit-Remaining-v3"),
        };
        if info.weight.is_some() || info.remaining.is_some() {
            self.rate_limit.set(Some(info));
        }
    }

    pub(super) async fn get_one<R: DeserializeOwned>(
        &self,
        path: &str,
    ) -> Result<R, HelpdeskError> {
        let response = self.call(self.request(Method::Get, path)).await?;
        decode(&response)
    }

    /// A list answer: `{"data": [...]}`, or 204 when there is nothing.
    async fn get_list<R: DeserializeOwned>(&self, path: &str) -> Result<Vec<R>, HelpdeskError> {
        let response = self.call(self.request(Method::Get, path)).await?;
        if response.status == 204 || response.body.is_empty() {
            return Ok(Vec::new());
        }
        decode::<ListPage<R>>(&response).map(|page| page.data)
    }

    /// The agent the token belongs to.
    pub async fn myinfo(&self) -> Result<Agent, HelpdeskError> {
        self.get_one("/myinfo").await
    }

    /// The organisations the token's agent belongs to.
    pub async fn organizations(&self) -> Result<Vec<Organization>, HelpdeskError> {
        self.get_list("/organizations").await
    }

    /// The org's credit model: its edition (from `/organizations`) and its paid agents;
    /// `None` when the org is not listed or its edition is one these limits do not know.
    pub async fn credit_plan(&self) -> Result<Option<CreditPlan>, HelpdeskError> {
        let organizations = self.organizations().await?;
        let Some(edition) = organizations
            .iter()
            .find(|o| o.id == self.connection.org_id)
            .and_then(|o| o.edition.as_deref())
            .and_then(Edition::from_name)
        else {
            return Ok(None);
        };
        let (agents, profiles) = (self.agents().await?, self.profiles().await?);
        Ok(Some(CreditPlan::of(edition, &agents, &profiles)))
    }

    pub async fn agents(&self) -> Result<Vec<Agent>, HelpdeskError> {
        self.walk("/agents", &[]).await
    }

    pub async fn profiles(&self) -> Result<Vec<Profile>, HelpdeskError> {
        self.get_list("/profiles").await
    }

    pub async fn contact(&self, id: &str) -> Result<Contact, HelpdeskError> {
        self.get_one(&format!("/contacts/{}", segment(id))).await
    }

    pub async fn account(&self, id: &str) -> Result<Account, HelpdeskError> {
        self.get_one(&format!("/accounts/{}", segment(id))).await
    }

    /// One page of a list: records `from` (0-based) up to `limit` (at most 100).
    pub async fn page<R: DeserializeOwned>(
        &self,
        module: Module,
        from: usize,
        limit: usize,
        sort: Option<Sort>,
    ) -> Result<Vec<R>, HelpdeskError> {
        let mut params = vec![
            ("from", from.to_string()),
            ("limit", limit.min(PAGE_LIMIT).to_string()),
        ];
        if let Some(sort) = sort {
            params.push(("sortBy", sort.as_str().to_owned()));
        }
        self.get_list(&format!("/{}?{}", module.as_str(), query(&params)))
            .await
    }

    pub async fn contacts_page(
        &self,
        from: usize,
        limit: usize,
        sort: Option<Sort>,
    ) -> Result<Vec<Contact>, HelpdeskError> {
        self.page(Module::Contacts, from, limit, sort).await
    }

    pub async fn accounts_page(
        &self,
        from: usize,
        limit: usize,
        sort: Option<Sort>,
    ) -> Result<Vec<Account>, HelpdeskError> {
        self.page(Module::Accounts, from, limit, sort).await
    }

    /// Every contact, page by page (100 a call).
    pub async fn all_contacts(&self, sort: Option<Sort>) -> Result<Vec<Contact>, HelpdeskError> {
        self.walk("/contacts", &sort_param(sort)).await
    }

    /// Every account, page by page (100 a call).
    pub async fn all_accounts(&self, sort: Option<Sort>) -> Result<Vec<Account>, HelpdeskError> {
        self.walk("/accounts", &sort_param(sort)).await
    }

    /// Walks a list through `from`/`limit` until a short or empty page.
    async fn walk<R: DeserializeOwned>(
        &self,
        path: &str,
        params: &[(&str, String)],
    ) -> Result<Vec<R>, HelpdeskError> {
        let mut all = Vec::new();
        loop {
            let mut window = params.to_vec();
            window.push(("from", all.len().to_string()));
            window.push(("limit", PAGE_LIMIT.to_string()));
            let page: Vec<R> = self.get_list(&format!("{path}?{}", query(&window))).await?;
            let full = page.len() == PAGE_LIMIT;
            all.extend(page);
            if !full {
                return Ok(all);
            }
        }
    }

    /// Walks a search until `count` results are read.
    async fn search<R: DeserializeOwned>(
        &self,
        module: Module,
        criteria: &[(&str, String)],
    ) -> Result<Vec<R>, HelpdeskError> {
        let mut all: Vec<R> = Vec::new();
        loop {
            let mut params = criteria.to_vec();
            params.push(("from", all.len().to_string()));
            params.push(("limit", PAGE_LIMIT.to_string()));
            let path = format!("/{}/search?{}", module.as_str(), query(&params));
            let response = self.call(self.request(Method::Get, &path)).await?;
            if response.status == 204 || response.body.is_empty() {
                return Ok(all);
            }
            let page: SearchPage<R> = decode(&response)?;
            let read = page.data.len();
            all.extend(page.data);
            let more = page.count.is_none_or(|count| all.len() < count);
            if read < PAGE_LIMIT || !more {
                return Ok(all);
            }
        }
    }

    /// Contacts with this email (case-insensitive; the helpdesk allows several).
    pub async fn search_contacts_by_email(
        &self,
        email: &str,
    ) -> Result<Vec<Contact>, HelpdeskError> {
        self.search(Module::Contacts, &[("email", email.to_owned())])
            .await
    }

    /// Accounts with this name (case-insensitive): how accounts match Salesforce's.
    pub async fn search_accounts_by_name(
        &self,
        account_name: &str,
    ) -> Result<Vec<Account>, HelpdeskError> {
        self.search(
            Module::Accounts,
            &[("accountName", account_name.to_owned())],
        )
        .await
    }

    pub async fn create_contact(&self, draft: &ContactDraft) -> Result<Contact, HelpdeskError> {
        let response = self
            .call(self.write(Method::Post, "/contacts", draft))
            .await?;
        decode(&response)
    }

    /// Changes only the fields set in `draft`.
    pub async fn update_contact(
        &self,
        id: &str,
        draft: &ContactDraft,
    ) -> Result<Contact, HelpdeskError> {
        let path = format!("/contacts/{}", segment(id));
        let response = self.call(self.write(Method::Patch, &path, draft)).await?;
        decode(&response)
    }

    /// Creates a record from a field map, exactly as given (custom fields under `cf`): for
    /// code that works with field maps, like the sync engine.
    pub async fn create_record<R: DeserializeOwned>(
        &self,
        module: Module,
        fields: &Map<String, Value>,
    ) -> Result<R, HelpdeskError> {
        let path = format!("/{}", module.as_str());
        let response = self.call(self.write(Method::Post, &path, fields)).await?;
        decode(&response)
    }

    /// Writes exactly these fields: unlike a draft, a `null` clears a standard field too.
    pub async fn update_record<R: DeserializeOwned>(
        &self,
        module: Module,
        id: &str,
        fields: &Map<String, Value>,
    ) -> Result<R, HelpdeskError> {
        let path = format!("/{}/{}", module.as_str(), segment(id));
        let response = self.call(self.write(Method::Patch, &path, fields)).await?;
        decode(&response)
    }

    /// Sets one field to one value on up to [`super::UPDATE_MANY_LIMIT`] records in one call
    /// (`POST /{module}/updateMany`, Zoho's OpenAPI spec, `contact_massupdate`): a credit
    /// per 2 records instead of one per record. A custom field goes by its API name
    /// (`cf_...`). Each record has its own result; a field the module lacks, or a value it
    /// refuses, fails the whole call.
    pub async fn update_many(
        &self,
        module: Module,
        ids: &[&str],
        field: &str,
        value: Option<&str>,
    ) -> Result<Vec<MassResult>, HelpdeskError> {
        let body = serde_json::json!({
            "ids": ids,
            "fieldName": field,
            "fieldValue": value,
            "isCustomField": field.starts_with("cf_"),
        });
        let path = format!("/{}/updateMany", module.as_str());
        let response = self.call(self.write(Method::Post, &path, &body)).await?;
        decode::<MassResults>(&response).map(|answer| answer.results)
    }

    /// Moves contacts to the helpdesk's trash (Zoho's delete).
    pub async fn trash_contacts(&self, ids: &[&str]) -> Result<(), HelpdeskError> {
        let body = serde_json::json!({ "contactIds": ids });
        self.call(self.write(Method::Post, "/contacts/moveToTrash", &body))
            .await
            .map(drop)
    }

    pub async fn create_account(&self, draft: &AccountDraft) -> Result<Account, HelpdeskError> {
        let response = self
            .call(self.write(Method::Post, "/accounts", draft))
            .await?;
        decode(&response)
    }

    pub async fn update_account(
        &self,
        id: &str,
        draft: &AccountDraft,
    ) -> Result<Account, HelpdeskError> {
        let path = format!("/accounts/{}", segment(id));
        let response = self.call(self.write(Method::Patch, &path, draft)).await?;
        decode(&response)
    }

    pub async fn trash_accounts(&self, ids: &[&str]) -> Result<(), HelpdeskError> {
        let body = serde_json::json!({ "accountIds": ids });
        self.call(self.write(Method::Post, "/accounts/moveToTrash", &body))
            .await
            .map(drop)
    }

    /// The fields of a module, standard and custom, with their types.
    pub async fn fields(&self, module: Module) -> Result<Vec<FieldMeta>, HelpdeskError> {
        self.get_list(&format!("/organizationFields?module={}", module.as_str()))
            .await
    }

    /// Subscribes; the helpdesk validates `draft.url` (GET, then POST) before it agrees.
    pub async fn create_webhook(&self, draft: &WebhookDraft) -> Result<Webhook, HelpdeskError> {
        let response = self
            .call(self.write(Method::Post, "/webhooks", draft))
            .await?;
        decode(&response)
    }

    pub async fn webhooks(&self) -> Result<Vec<Webhook>, HelpdeskError> {
        self.get_list("/webhooks").await
    }

    pub async fn webhook(&self, id: &str) -> Result<Webhook, HelpdeskError> {
        self.get_one(&format!("/webhooks/{}", segment(id))).await
    }

    pub async fn delete_webhook(&self, id: &str) -> Result<(), HelpdeskError> {
        let path = format!("/webhooks/{}", segment(id));
        self.call(self.request(Method::Delete, &path))
            .await
            .map(drop)
    }

    /// The keys that sign webhook deliveries. Cache them by `kid`; fetch again when a
    /// delivery names a key the cached set lacks (keys rotate).
    pub async fn jwks(&self) -> Result<Jwks, HelpdeskError> {
        let url = format!(
            "{}{JWKS_PATH}",
            self.connection.base_url.trim_end_matches('/')
        );
        let response = self.exchange(HttpRequest::get(url), None).await?;
        decode(&response)
    }
}

/// 401 `INVALID_OAUTH`: Desk's answer to an expired (or revoked) access token (Desk API,
/// error codes).
fn is_expired_token(response: &HttpResponse) -> bool {
    response.status == 401
        && matches!(error_of(response), HelpdeskError::Unauthorized { code, .. } if code == "INVALID_OAUTH")
}

fn sort_param(sort: Option<Sort>) -> Vec<(&'static str, String)> {
    sort.map(|s| vec![("sortBy", s.as_str().to_owned())])
        .unwrap_or_default()
}

fn query(params: &[(&str, String)]) -> String {
    serde_urlencoded::to_string(params).expect("string pairs encode")
}

/// An id as one path segment: ids are digits, but never trust that into a URL.
pub(super) fn segment(id: &str) -> String {
    url::form_urlencoded::byte_serialize(id.as_bytes()).collect()
}

pub(super) fn decode<R: DeserializeOwned>(response: &HttpResponse) -> Result<R, HelpdeskError> {
    serde_json::from_slice(&response.body)
        .map_err(|e| HelpdeskError::Decode(format!("HTTP {}: {e}", response.status)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::TransportError;
    use std::cell::RefCell;
    use std::collections::VecDeque;

    /// Answers from a script and remembers what it was asked.
    #[derive(Default)]
    struct Scripted {
        answers: RefCell<VecDeque<HttpResponse>>,
        seen: RefCell<Vec<HttpRequest>>,
    }

    impl Scripted {
        fn answer(self, status: u16, headers: &[(&str, &str)], body: &str) -> Self {
            self.answers.borrow_mut().push_back(HttpResponse {
                status,
                headers: headers
                    .iter()
                    .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                    .collect(),
                body: body.as_bytes().to_vec(),
            });
            self
        }
    }

    impl Transport for Scripted {
        async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
            self.seen.borrow_mut().push(request);
            self.answers
                .borrow_mut()
                .pop_front()
                .ok_or_else(|| TransportError {
                    host: "script".into(),
                    reason: "no more answers".into(),
                })
        }

        async fn sleep(&self, _duration: Duration) {}
    }

    #[derive(Default)]
    struct Recorder(RefCell<Vec<Duration>>);

    impl Sleep for Recorder {
        async fn sleep(&self, duration: Duration) {
            self.0.borrow_mut().push(duration);
        }
    }

    fn connection() -> Connection {
        Connection {
            base_url: "https://desk.example/".into(),
            org_id: "60012345".into(),
            access_token: "tok".into(),
        }
    }

    /// Runs a future that never really waits (the fakes answer at once).
    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        use std::task::{Context, Poll, Waker};
        let mut future = std::pin::pin!(future);
        let mut context = Context::from_waker(Waker::noop());
        match future.as_mut().poll(&mut context) {
            Poll::Ready(output) => output,
            Poll::Pending => panic!("the fakes never wait"),
        }
    }

    const CONTACT: &str = r#"{"id":"1","lastName":"Kim","createdTime":"2026-03-02T09:00:00.000Z","modifiedTime":"2026-03-02T09:00:00.000Z"}"#;

    #[test]
    fn calls_carry_the_token_the_org_and_the_source_id() {
        let transport = Scripted::default().answer(200, &[], CONTACT);
        let sleeper = Recorder::default();
        let connection = connection();
        let client =
            Client::with_sleeper(&transport, &sleeper, &connection).with_source_id("src-1");
        let draft = ContactDraft {
            last_name: Some("Kim".into()),
            ..ContactDraft::default()
        };
        let created = block_on(client.create_contact(&draft)).unwrap();
        assert_eq!(created.id, "1");
        let seen = transport.seen.borrow();
        let request = &seen[0];
        assert_eq!(request.url, "https://desk.example/api/v1/contacts");
        let header = |name: &str| {
            request
                .headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(header("Authorization"), Some("Zoho-oauthtoken tok"));
        assert_eq!(header("orgId"), Some("60012345"));
        assert_eq!(header(SOURCE_ID_HEADER), Some("src-1"));
        assert_eq!(request.body.as_deref(), Some(&br#"{"lastName":"Kim"}"#[..]));
    }

    #[test]
    fn field_maps_are_sent_as_given_nulls_included() {
        let transport = Scripted::default().answer(200, &[], CONTACT);
        let sleeper = Recorder::default();
        let connection = connection();
        let client = Client::with_sleeper(&transport, &sleeper, &connection);
        let fields = serde_json::json!({"title": null, "cf": {"cf_seats": "3"}});
        let updated: Contact =
            block_on(client.update_record(Module::Contacts, "1", fields.as_object().unwrap()))
                .unwrap();
        assert_eq!(updated.id, "1");
        let seen = transport.seen.borrow();
        assert_eq!(seen[0].method, Method::Patch);
        assert_eq!(seen[0].url, "https://desk.example/api/v1/contacts/1");
        let sent: Value = serde_json::from_slice(seen[0].body.as_deref().unwrap()).unwrap();
        assert_eq!(sent, fields);
    }

    #[test]
    fn waits_out_429_with_retry_after_then_succeeds() {
        let limited = r#"{"errorCode":"TOO_MANY_REQUESTS","message":"slow down"}"#;
        let transport = Scripted::default()
            .answer(429, &[("Retry-After", "2")], limited)
            .answer(429, &[], limited)
            .answer(
                200,
                &[
                    ("X-Rate-Limit-Request-Weight-v3", "1"),
                    ("X-Rate-Limit-Remaining-v3", "41"),
                ],
                CONTACT,
            );
        let sleeper = Recorder::default();
        let connection = connection();
        let client = Client::with_sleeper(&transport, &sleeper, &connection);
        assert!(block_on(client.contact("1")).is_ok());
        assert_eq!(
            *sleeper.0.borrow(),
            [Duration::from_secs(2), Duration::from_secs(2)],
            "Retry-After first, then the backoff for the second retry"
        );
        assert_eq!(client.calls(), 3);
        assert_eq!(
            client.rate_limit(),
            Some(RateLimitInfo {
                weight: Some(1),
                remaining: Some(41)
            })
        );
    }

    #[test]
    fn gives_up_when_told_to_wait_too_long_or_after_the_last_attempt() {
        let limited = r#"{"errorCode":"TOO_MANY_REQUESTS","message":"daily limit"}"#;
        let transport = Scripted::default().answer(429, &[("Retry-After", "3600")], limited);
        let sleeper = Recorder::default();
        let connection = connection();
        let client = Client::with_sleeper(&transport, &sleeper, &connection);
        assert_eq!(
            block_on(client.contact("1")),
            Err(HelpdeskError::RateLimited {
                code: "TOO_MANY_REQUESTS".into(),
                retry_after: Some(Duration::from_secs(3600))
            })
        );
        assert!(sleeper.0.borrow().is_empty());

        let transport = Scripted::default()
            .answer(503, &[], "")
            .answer(503, &[], "");
        let client =
            Client::with_sleeper(&transport, &sleeper, &connection).with_retry(RetryPolicy {
                max_attempts: 2,
                ..RetryPolicy::default()
            });
        assert_eq!(
            block_on(client.contact("1")),
            Err(HelpdeskError::Unavailable { status: 503 })
        );
        assert_eq!(*sleeper.0.borrow(), [Duration::from_secs(1)]);
    }

    #[test]
    fn spent_day_credits_are_not_waited_out() {
        let spent = r#"{"errorCode":"THRESHOLD_EXCEEDED","message":"credits exhausted"}"#;
        let transport = Scripted::default().answer(429, &[("Retry-After", "2")], spent);
        let sleeper = Recorder::default();
        let connection = connection();
        let client = Client::with_sleeper(&transport, &sleeper, &connection);
        assert_eq!(
            block_on(client.contact("1")),
            Err(HelpdeskError::CreditsSpent {
                retry_after: Some(Duration::from_secs(2))
            })
        );
        assert!(sleeper.0.borrow().is_empty(), "even a short Retry-After");
        assert_eq!(client.calls(), 1);
    }

    #[test]
    fn the_budget_refuses_calls_once_its_share_is_spent() {
        use crate::helpdesk::{CreditBudget, CreditLimits, CreditPlan, Edition};
        // Free: 5,000 credits a day; half of them is the share.
        let limits = CreditLimits {
            plan: CreditPlan {
                edition: Edition::Free,
                agents: 0,
            },
            budget: CreditBudget::Percent(50),
        };
        let transport = Scripted::default()
            .answer(200, &[("X-Rate-Limit-Remaining-v3", "2501")], CONTACT)
            .answer(200, &[("X-Rate-Limit-Remaining-v3", "2500")], CONTACT);
        let sleeper = Recorder::default();
        let connection = connection();
        let client = Client::with_sleeper(&transport, &sleeper, &connection).with_limits(limits);
        assert_eq!(
            client.calls_at_once(),
            Some(2),
            "half of Free's 5, rounded down"
        );
        assert!(block_on(client.contact("1")).is_ok(), "nothing known yet");
        assert!(
            block_on(client.contact("1")).is_ok(),
            "2,499 spent of 2,500"
        );
        assert_eq!(
            block_on(client.contact("1")),
            Err(HelpdeskError::OverBudget {
                spent: 2_500,
                daily: 5_000,
                ceiling: 2_500
            })
        );
        assert_eq!(client.calls(), 2, "the refused call was not made");

        let known = Scripted::default();
        let client = Client::with_sleeper(&known, &sleeper, &connection)
            .with_limits(limits)
            .with_known_remaining(100);
        assert!(matches!(
            block_on(client.contact("1")),
            Err(HelpdeskError::OverBudget { spent: 4_900, .. })
        ));
        assert!(known.seen.borrow().is_empty());
    }

    #[test]
    fn errors_other_than_limits_are_not_retried() {
        let transport = Scripted::default().answer(
            422,
            &[],
            r#"{"errorCode":"INVALID_DATA","message":"bad","errors":[{"fieldName":"/email","errorType":"invalid"}]}"#,
        );
        let sleeper = Recorder::default();
        let connection = connection();
        let client = Client::with_sleeper(&transport, &sleeper, &connection);
        let error = block_on(client.update_contact("1", &ContactDraft::default())).unwrap_err();
        assert_eq!(error.code(), Some("INVALID_DATA"));
        assert_eq!(client.calls(), 1);
    }

    #[test]
    fn walks_pages_until_a_short_one() {
        let page = |from: usize, n: usize| {
            let items: Vec<String> = (from..from + n)
                .map(|i| CONTACT.replace(r#""id":"1""#, &format!(r#""id":"{i}""#)))
                .collect();
            format!(r#"{{"data":[{}]}}"#, items.join(","))
        };
        let transport = Scripted::default()
            .answer(200, &[], &page(0, 100))
            .answer(200, &[], &page(100, 100))
            .answer(204, &[], "");
        let sleeper = Recorder::default();
        let connection = connection();
        let client = Client::with_sleeper(&transport, &sleeper, &connection);
        let all = block_on(client.all_contacts(Some(Sort::ModifiedTime))).unwrap();
        assert_eq!(all.len(), 200);
        assert_eq!(all[150].id, "150");
        let urls: Vec<String> = transport
            .seen
            .borrow()
            .iter()
            .map(|r| r.url.clone())
            .collect();
        assert_eq!(
            urls[2],
            "https://desk.example/api/v1/contacts?sortBy=modifiedTime&from=200&limit=100"
        );
    }

    #[test]
    fn search_escapes_its_criteria_and_stops_at_count() {
        let transport =
            Scripted::default().answer(200, &[], &format!(r#"{{"data":[{CONTACT}],"count":1}}"#));
        let sleeper = Recorder::default();
        let connection = connection();
        let client = Client::with_sleeper(&transport, &sleeper, &connection);
        let found = block_on(client.search_contacts_by_email("o'hara+x@example.com")).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(
            transport.seen.borrow()[0].url,
            "https://desk.example/api/v1/contacts/search?email=o%27hara%2Bx%40example.com&from=0&limit=100"
        );
    }
}
