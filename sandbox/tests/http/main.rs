//! The sandbox over real HTTP: one test binary, one module per area, with the helpers
//! they share (`helpers`).

mod helpers;

mod demo;
mod demo_pages;
mod helpdesk;
mod helpdesk_api;
mod helpdesk_webhooks;
mod oauth;
mod rest;
mod salesforce_api;
mod salesforce_simple_salesforce;
mod shapes;
mod tooling;
mod zoho;
