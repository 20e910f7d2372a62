//! The widget's entry point: Trunk builds this binary and loads it from `index.html`.

fn main() {
    leptos::mount::mount_to_body(widget::App);
}
