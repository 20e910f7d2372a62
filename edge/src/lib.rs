//! The sfdesk edge: a Cloudflare Worker.
//!
//! The Worker verifies who is calling (the helpdesk's context token), then hands the work
//! to the helpdesk org's own Durable Object ([`integration::Integration`]), which holds
//! that org's Salesforce connection and state in SQLite. Widget assets are served by
//! Workers static assets before this code runs.
//!
//! Here: `routes/` (the Worker's side, one file per route group), `integration/` (the
//! Durable Object, its handlers and its storage schema), `config.rs` (vars and secrets),
//! `cors.rs` (which widget pages may call the API from their browser), `error.rs` (one
//! error type, mapped to HTTP once) and `fetch_transport.rs` (`shared`'s HTTP seam over
//! the runtime's `fetch`).

mod config;
mod cors;
mod error;
mod fetch_transport;
mod integration;
mod routes;

use config::Config;
use error::EdgeError;
use worker::{Context, Env, Method, Request, Response, Result, event};

#[event(fetch)]
async fn fetch(request: Request, env: Env, _ctx: Context) -> Result<Response> {
    let response = match Config::from_env(&env) {
        Ok(config) => {
            // The widget's page, hosted elsewhere (Zoho's hosting), calling the API.
            let cors_origin = request.headers().get("Origin")?.filter(|origin| {
                cors::applies_to(&request.path()) && config.widget_origins.allows(origin)
            });
            let (response, cors_headers) = match (request.method(), cors_origin) {
                (Method::Options, Some(origin)) => (
                    Response::empty()?.with_status(204),
                    cors::preflight_headers(&origin),
                ),
                (_, origin) => (
                    routes::handle(request, &env, &config)
                        .await
                        .unwrap_or_else(EdgeError::into_response),
                    origin.map_or_else(Vec::new, |o| cors::answer_headers(&o).to_vec()),
                ),
            };
            for (name, value) in cors_headers {
                response.headers().set(name, &value)?;
            }
            response
        }
        Err(error) => error.into_response(),
    };
    // Everything the Worker answers is per-agent or part of a sign-in: never cache it.
    response.headers().set("Cache-Control", "no-store")?;
    Ok(response)
}
