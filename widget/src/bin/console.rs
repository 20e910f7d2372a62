//! The admin console's bundle: Trunk builds this binary from `console.html`; the pages load
//! it instead of the panel's when their fragment asks for the console (`view=admin`).

fn main() {
    widget::bundle::start(widget::admin::ConsoleApp);
}
