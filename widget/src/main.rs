//! The agent panel's bundle: Trunk builds this binary from `index.html`, and `cargo xtask
//! build` puts it in the pages the edge serves and in the extension's page.

fn main() {
    widget::bundle::start(widget::App);
}
