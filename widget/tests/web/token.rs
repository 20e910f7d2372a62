//! What the agent panel reads of its session token: the claims the edge signs, read back
//! without the edge's secret.

use contract::context::{AUDIENCE, ContextClaims, Role, sign};
use contract::ids::Email;
use wasm_bindgen_test::wasm_bindgen_test;
use widget::token::{PanelClaims, panel_claims};

fn claims(role: Role, ticket: Option<&str>) -> ContextClaims {
    ContextClaims {
        org: "60001".into(),
        agent: "1001".into(),
        profile_id: "7001".into(),
        // Not ASCII: the payload is UTF-8 in base64url.
        profile_name: "Agent · Support ünïcode 🙂".into(),
        role,
        ticket: ticket.map(str::to_owned),
        requester: Some(Email::parse("ada@example.com").unwrap()),
        // Bytes that base64url writes with `-` and `_`.
        account: Some("Northwind ?>? ~~~ ÿ?ÿ".into()),
        aud: AUDIENCE.into(),
        iat: 1_000,
        exp: 1_900,
    }
}

#[wasm_bindgen_test]
fn the_panel_reads_the_role_and_ticket_the_edge_signed() {
    for (role, ticket) in [
        (Role::Admin, Some("42")),
        (Role::Agent, Some("43")),
        (Role::Agent, None),
    ] {
        let token = sign(&claims(role, ticket), b"a secret the widget does not know");
        let payload = token.split('.').nth(1).unwrap();
        assert!(payload.contains('-') && payload.contains('_'), "{payload}");
        assert_eq!(
            panel_claims(&token),
            Some(PanelClaims {
                role,
                ticket: ticket.map(str::to_owned),
            }),
            "{token}"
        );
    }
}

#[wasm_bindgen_test]
fn anything_else_has_no_claims() {
    for token in [
        "",
        "nonsense",
        "a.b.c",
        "a.%%%.c",
        "eyJhIjoxfQ.eyJhIjoxfQ.c",
    ] {
        assert_eq!(panel_claims(token), None, "{token}");
    }
}
