use crate::support::{jane, mount};
use leptos::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;
use widget::components::ContactCardView;

#[wasm_bindgen_test]
fn shows_every_field_of_a_full_contact() {
    let contact = jane();
    let m = mount(move || view! { <ContactCardView contact=contact /> });

    assert_eq!(m.text("contact-name"), "Jane Doe");
    assert_eq!(m.get("contact-name").tag_name(), "H2");
    assert_eq!(m.text("contact-title"), "VP Operations");
    assert_eq!(m.text("account-name"), "Acme Corp");
    assert_eq!(m.text("contact-email"), "jane@acme.test");
    assert_eq!(
        m.attr("contact-email", "href").as_deref(),
        Some("mailto:jane@acme.test")
    );
    assert_eq!(m.text("contact-phone"), "+1 (415) 555-0100");
    assert_eq!(
        m.attr("contact-phone", "href").as_deref(),
        Some("tel:+14155550100")
    );
    assert!(!m.has("panel-state"), "a contact is not a panel state");
}

#[wasm_bindgen_test]
fn links_to_the_record_in_a_new_tab() {
    let contact = jane();
    let url = contact.url.clone();
    let m = mount(move || view! { <ContactCardView contact=contact /> });

    assert_eq!(m.text("view-in-salesforce"), "View in Salesforce");
    assert_eq!(m.attr("view-in-salesforce", "href"), Some(url));
    assert_eq!(
        m.attr("view-in-salesforce", "target").as_deref(),
        Some("_blank")
    );
    assert_eq!(
        m.attr("view-in-salesforce", "rel").as_deref(),
        Some("noopener")
    );
}

#[wasm_bindgen_test]
fn leaves_out_what_salesforce_does_not_have() {
    let mut contact = jane();
    contact.title = None;
    contact.email = None;
    contact.phone = None;
    contact.account_name = None;
    let m = mount(move || view! { <ContactCardView contact=contact /> });

    assert_eq!(m.text("contact-name"), "Jane Doe");
    for absent in [
        "contact-title",
        "contact-email",
        "contact-phone",
        "account-name",
    ] {
        assert!(!m.has(absent), "{absent} should not be shown: {}", m.html());
    }
    assert!(m.has("view-in-salesforce"));
}

#[wasm_bindgen_test]
fn never_renders_a_script_link() {
    let mut contact = jane();
    contact.url = "javascript:alert(1)".to_owned();
    let m = mount(move || view! { <ContactCardView contact=contact /> });

    assert_eq!(m.text("contact-name"), "Jane Doe");
    assert!(!m.has("view-in-salesforce"), "{}", m.html());
}
