//! The sandbox over real HTTP: one test binary, one module per service.

mod demo;
mod helpdesk;
mod helpers;
mod oauth;
mod rest;
