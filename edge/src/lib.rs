//! The sfdesk edge: a Cloudflare Worker.
//!
//! The Worker verifies who is calling (the helpdesk's context token), then hands the work
//! to the helpdesk org's own Durable Object ([`integration::Integration`]), which holds
//! that org's Salesforce connection and state in SQLite. Widget assets are served by
//! Workers static assets before this code runs.
//!
//! Here: `routes/` (the Worker's side, one file per route group), `integration/` (the
//! Durable Object, its handlers and its storage schema), `config.rs` (vars and secrets),
//! `error.rs` (one error type, mapped to HTTP once) and `fetch_transport.rs` (`shared`'s
//! HTTP seam over the runtime's `fetch`).

mod config;
mod error;
mod fetch_transport;
mod integration;
mod routes;

use worker::{Context, Env, Request, Response, Result, event};

#[event(fetch)]
async fn fetch(request: Request, env: Env, _ctx: Context) -> Result<Response> {
    let response = routes::handle(request, &env)
        .await
        .unwrap_or_else(error::EdgeError::into_response);
    // Everything the Worker answers is per-agent or part of a sign-in: never cache it.
    response.headers().set("Cache-Control", "no-store")?;
    Ok(response)
}
