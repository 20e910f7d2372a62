//! The sync engine's decisions, as pure functions: what changed, who wins, what to write,
//! what to call a failure, what to keep in the history. The engine that performs them
//! (reads, writes, storage) drives these from the org's Durable Object and from tests.
//!
//! - `port`: what the engine needs from each system; `salesforce_port`,
//!   `helpdesk_port`: the two systems behind it;
//! - `engine`: one changed record brought into step; `merge`, `matching`, `failure`:
//!   its decisions;
//! - `initial`, `ongoing`: the initial sync, and the inbox and catch-up after it; `batch`:
//!   their planned writes, in batches;
//!   `drift`: the daily comparison of every linked pair, repairing what they missed;
//!   `modstamp`: the Salesforce side of the catch-up, a keyset walk by `SystemModstamp`;
//! - `store`: what the engine keeps between runs, in the org's SQLite.

pub mod batch;
pub mod drift;
pub mod engine;
pub mod failure;
pub mod helpdesk_port;
pub mod initial;
pub mod matching;
pub mod merge;
pub mod modstamp;
pub mod ongoing;
pub mod port;
pub mod salesforce_port;
pub mod store;
