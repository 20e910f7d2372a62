//! Browser tests of reading the context token from the URL fragment.

use wasm_bindgen_test::wasm_bindgen_test;
use widget::location::token_from_hash;

#[wasm_bindgen_test]
fn reads_the_token_from_the_fragment() {
    assert_eq!(
        token_from_hash("#ctx=eyJh.eyJv.c2ln").as_deref(),
        Some("eyJh.eyJv.c2ln")
    );
    assert_eq!(
        token_from_hash("#theme=dark&ctx=abc&x=1").as_deref(),
        Some("abc")
    );
    assert_eq!(token_from_hash("ctx=abc").as_deref(), Some("abc"));
}

#[wasm_bindgen_test]
fn decodes_percent_escapes() {
    assert_eq!(token_from_hash("#ctx=a%2Eb%2ec").as_deref(), Some("a.b.c"));
    assert_eq!(token_from_hash("#ctx=100%").as_deref(), Some("100%"));
}

#[wasm_bindgen_test]
fn no_token_is_none() {
    for hash in [
        "",
        "#",
        "#ctx=",
        "#ctx",
        "#context=abc",
        "#wbg_style=display-none",
    ] {
        assert_eq!(token_from_hash(hash), None, "{hash:?}");
    }
}
