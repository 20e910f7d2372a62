//! The org's context: built once per request (or alarm) from the Durable Object's
//! storage, name, the configuration and the clock, and handed to every handler. It opens
//! the org's stores and builds its clients of Salesforce and the helpdesk; every
//! Salesforce client comes from [`Org::salesforce`], on the session it keeps, and every
//! helpdesk client from [`Org::helpdesk`], on the org's own helpdesk grant.

use super::connection;
use super::helpdesk_connection::{self, HelpdeskConnection};
use super::sql::DurableSql;
use super::state::{self, EdgeState, EdgeStore, Fields, HelpdeskCredits};
use crate::config::Config;
use crate::error::EdgeError;
use crate::fetch_transport::WorkerFetch;
use contract::admin::ObjectFields;
use contract::mapping::FieldMeta;
use shared::helpdesk::{self, CreditLimits, HelpdeskError, TokenKeeper, TransportSleep};
use shared::salesforce::{Budget, Client, Refreshed, Session, SessionKeeper, SfError};
use shared::sync::engine::{Engine, EngineError};
use shared::sync::helpdesk_port::{self, HelpdeskPort};
use shared::sync::salesforce_port::SalesforcePort;
use shared::sync::store::Store;
use worker::SqlStorage;

/// Background sync never spends more than this share of the org's daily API allowance;
/// the rest stays for the agent panel and the org's other integrations.
const SYNC_BUDGET: Budget = Budget::Percent(80);
/// Field metadata is read again after this long (and whenever settings are opened).
const FIELDS_TTL_MS: i64 = 60 * 60 * 1000;

type EdgeEngine<'a> = Engine<
    'a,
    DurableSql,
    SalesforcePort<'a, WorkerFetch>,
    HelpdeskPort<'a, WorkerFetch, TransportSleep<'a, WorkerFetch>>,
>;

/// Held while a Salesforce session (or a helpdesk access token) is renewed.
pub type RenewalTurn = futures_util::lock::Mutex<()>;

/// A Salesforce client of the org, over the Worker's `fetch`.
pub type Salesforce<'a> = Client<'a, WorkerFetch>;

/// The org's storage and connections to both systems for one invocation.
pub struct Org<'a> {
    pub sql: &'a SqlStorage,
    pub config: &'a Config,
    /// The helpdesk org this Durable Object serves.
    pub id: &'a str,
    pub now_ms: i64,
    /// The object's one Salesforce session renewal at a time.
    salesforce_turn: &'a RenewalTurn,
    /// The object's one helpdesk token renewal at a time.
    helpdesk_turn: &'a RenewalTurn,
    /// The org's helpdesk grant, or `None` while only the dev fallback token stands in.
    helpdesk: Option<HelpdeskConnection>,
    /// Where and as whom to call the helpdesk: the grant's, or the fallback's.
    helpdesk_api: helpdesk::Connection,
}

/// What a job run by [`Org::with_engine`] can see beside the engine.
pub struct Invocation<'a> {
    pub fields: &'a Fields,
    /// Outgoing requests made so far in this invocation.
    pub calls: &'a dyn Fn() -> u64,
}

impl<'a> Org<'a> {
    pub fn new(
        sql: &'a SqlStorage,
        config: &'a Config,
        id: &'a str,
        now_ms: i64,
        renewal_turns: (&'a RenewalTurn, &'a RenewalTurn),
    ) -> Result<Self, EdgeError> {
        let helpdesk = helpdesk_connection::load(sql, config, id)?;
        let helpdesk_api = match &helpdesk {
            Some(connection) => connection.api.clone(),
            None => config.helpdesk_fallback(id),
        };
        Ok(Org {
            sql,
            config,
            id,
            now_ms,
            salesforce_turn: renewal_turns.0,
            helpdesk_turn: renewal_turns.1,
            helpdesk,
            helpdesk_api,
        })
    }

    /// The sync engine's store.
    pub fn store(&self) -> Result<EdgeStore, EdgeError> {
        Ok(Store::open(DurableSql(self.sql.clone()))?)
    }

    /// The edge's own state.
    pub fn state(&self) -> EdgeState<'a> {
        EdgeState::new(self.sql)
    }

    /// A Salesforce client on the org's stored session, `None` while Salesforce is not
    /// connected. When Salesforce says the session expired, the client renews it, one
    /// renewal at a time for the whole object, and this context stores the renewal before
    /// any call goes on (see [`SessionKeeper`]).
    pub fn salesforce(&self) -> Result<Option<Salesforce<'_>>, EdgeError> {
        Ok(connection::load(self.sql, self.config, self.id)?
            .map(|connection| connection.client(&WorkerFetch, &self.config.salesforce, self)))
    }

    /// The Desk API of the org's helpdesk: its grant's data centre, or the fallback's.
    pub fn helpdesk_api_base(&self) -> &str {
        &self.helpdesk_api.base_url
    }

    /// A client of the org's helpdesk, on its own grant: an expired access token is
    /// renewed (one renewal at a time for the object) and kept for every client (see
    /// [`TokenKeeper`]). Until the org connects its helpdesk, the dev fallback token.
    pub fn helpdesk(&self) -> helpdesk::Client<'_, WorkerFetch> {
        let client = helpdesk::Client::new(&WorkerFetch, &self.helpdesk_api);
        match &self.helpdesk {
            Some(connection) => {
                client.with_kept_token(&self.config.helpdesk_app, connection.grant.clone(), self)
            }
            None => client,
        }
    }

    /// Runs `job` with an engine over both systems, then keeps what the Salesforce
    /// client learnt (a renewed token, the API usage). `fresh_fields` reads both sides'
    /// field metadata again instead of using the stored copy.
    pub async fn with_engine<R>(
        &self,
        fresh_fields: bool,
        job: impl AsyncFnOnce(&EdgeEngine<'_>, &Invocation<'_>) -> Result<R, EngineError>,
    ) -> Result<R, EdgeError> {
        let mut salesforce = self
            .salesforce()?
            .ok_or(EdgeError::BadRequest(
                "Salesforce is not connected: connect it first".into(),
            ))?
            .with_budget(SYNC_BUDGET);
        let store = self.store()?;
        let state = self.state();
        if let Some(usage) = state.api_usage()? {
            salesforce = salesforce.with_known_usage(usage);
        }
        // A rate limit is not waited out inside a slice: the slice ends and the note says
        // what the sync waits for.
        let mut helpdesk = self
            .helpdesk()
            .with_source_id(helpdesk::SOURCE_ID)
            .with_retry(helpdesk::RetryPolicy {
                max_retry_after: std::time::Duration::from_secs(5),
                ..helpdesk::RetryPolicy::default()
            });
        // The sync keeps to its share of the helpdesk org's daily credits and calls at
        // once, the rest staying for the agent panel and the org's other integrations.
        let mut credits = self.helpdesk_credits(&helpdesk).await?;
        if let Some(plan) = credits.plan {
            helpdesk = helpdesk.with_limits(CreditLimits {
                plan,
                budget: self.config.helpdesk_sync_budget,
            });
        }

        let fields = match state.fields()? {
            Some(fields) if !fresh_fields && self.now_ms - fields.read_ms < FIELDS_TTL_MS => fields,
            _ => {
                let read = async {
                    let sf = SalesforcePort::load(&salesforce).await?.fields_read();
                    let hd = HelpdeskPort::load(&helpdesk).await?.fields_read();
                    Ok::<_, EngineError>(fields_of(sf, hd, self.now_ms))
                };
                let fields = read.await?;
                state.save_fields(&fields)?;
                fields
            }
        };
        // Only what the org offers the connected user is synced, and read.
        let settings = state::settings(&store)?
            .offered_by(&fields.contacts.salesforce, &fields.accounts.salesforce);
        let salesforce_port = SalesforcePort::with_fields(
            &salesforce,
            fields.contacts.salesforce.clone(),
            fields.accounts.salesforce.clone(),
        )
        .reading(&settings);
        let helpdesk_port = HelpdeskPort::with_fields(
            &helpdesk,
            fields.contacts.helpdesk.clone(),
            fields.accounts.helpdesk.clone(),
        );
        let engine = Engine {
            store: &store,
            salesforce: &salesforce_port,
            helpdesk: &helpdesk_port,
            settings: &settings,
            now_ms: self.now_ms,
        };
        let calls = || salesforce.requests_sent() + helpdesk.calls();
        let invocation = Invocation {
            fields: &fields,
            calls: &calls,
        };
        let outcome = job(&engine, &invocation).await;
        if let Some(usage) = salesforce.api_usage() {
            state.save_api_usage(&usage)?;
        }
        if let Some(left) = helpdesk.rate_limit().and_then(|info| info.remaining) {
            credits.left = Some(left);
            credits.left_read_ms = self.now_ms;
            state.save_helpdesk_credits(&credits)?;
        }
        if let Err(EngineError::FieldsChanged(_)) = &outcome {
            // Field-level security changed: the next run reads both sides' fields again.
            state.save_fields(&Fields {
                read_ms: 0,
                ..fields.clone()
            })?;
        }
        Ok(outcome?)
    }
}

impl Org<'_> {
    /// The helpdesk org's credit plan and credits left as stored; the plan read from the
    /// helpdesk first when none is (a connection made before plans were kept, or the dev
    /// fallback token).
    async fn helpdesk_credits(
        &self,
        helpdesk: &helpdesk::Client<'_, WorkerFetch>,
    ) -> Result<HelpdeskCredits, EdgeError> {
        let state = self.state();
        if let Some(credits) = state.helpdesk_credits()? {
            return Ok(credits);
        }
        let credits = HelpdeskCredits {
            plan: helpdesk
                .credit_plan()
                .await
                .map_err(|e| EngineError::from(helpdesk_port::port_error(e)))?,
            plan_read_ms: self.now_ms,
            ..HelpdeskCredits::default()
        };
        state.save_helpdesk_credits(&credits)?;
        Ok(credits)
    }
}

/// The org's stored connection keeps the Salesforce session for every client the object
/// makes at once (an agent's panel, the sync, the console).
impl SessionKeeper for Org<'_> {
    fn renewal_turn(&self) -> &RenewalTurn {
        self.salesforce_turn
    }

    fn current(&self) -> Result<Option<(Session, String)>, SfError> {
        let connection = connection::load(self.sql, self.config, self.id)
            .map_err(|e| SfError::Keeping(e.to_string()))?;
        Ok(connection.and_then(connection::Connection::kept))
    }

    fn keep(&self, renewed: &Refreshed) -> Result<(), SfError> {
        connection::keep(self.sql, self.config, self.id, renewed)
            .map_err(|e| SfError::Keeping(e.to_string()))
    }
}

/// The org's stored helpdesk grant keeps its access token for every client of the object.
impl TokenKeeper for Org<'_> {
    fn renewal_turn(&self) -> &RenewalTurn {
        self.helpdesk_turn
    }

    fn current(&self) -> Result<Option<String>, HelpdeskError> {
        helpdesk_connection::access_token(self.sql, self.config, self.id)
            .map_err(|e| HelpdeskError::Keeping(e.to_string()))
    }

    fn keep(&self, access_token: &str) -> Result<(), HelpdeskError> {
        helpdesk_connection::keep(self.sql, self.config, self.id, access_token)
            .map_err(|e| HelpdeskError::Keeping(e.to_string()))
    }
}

fn fields_of(
    (sf_contacts, sf_accounts): (Vec<FieldMeta>, Vec<FieldMeta>),
    (hd_contacts, hd_accounts): (Vec<FieldMeta>, Vec<FieldMeta>),
    now_ms: i64,
) -> Fields {
    Fields {
        contacts: ObjectFields {
            salesforce: sf_contacts,
            helpdesk: hd_contacts,
        },
        accounts: ObjectFields {
            salesforce: sf_accounts,
            helpdesk: hd_accounts,
        },
        read_ms: now_ms,
    }
}
