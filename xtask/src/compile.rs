//! Building the two WebAssembly halves, the widget (Trunk; the agent panel and the admin
//! console, two bundles) and the edge (worker-build), and the Zoho Desk extension package
//! around the widget's bundles.

use crate::tools::run;
use anyhow::Context;
use e2e::repo_root;
use std::path::Path;
use std::process::Command;

/// wasm-opt comes from the npm package binaryen; both Trunk and worker-build use it.
fn path_with_npm_bins() -> std::ffi::OsString {
    let mut paths = vec![repo_root().join("node_modules/.bin")];
    paths.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(paths).expect("PATH entries join")
}

/// The widget's two bundles, each Trunk's build of its own page: the agent panel
/// (`widget/index.html`, into `widget/dist`) and the admin console (`widget/console.html`,
/// built beside it and copied in), so that agents download only the panel. The edge's page
/// (`widget/dist/index.html`) then loads one or the other by its fragment ([`by_view`]).
pub fn widget() -> anyhow::Result<()> {
    println!("building the widget's panel and console bundles (trunk, release)");
    let root = repo_root();
    let dist = root.join("widget/dist");
    let console_dist = root.join("target/widget-console");
    trunk(&[])?;
    trunk(&[
        "console.html".as_ref(),
        "--dist".as_ref(),
        console_dist.as_os_str(),
    ])?;
    for entry in std::fs::read_dir(&console_dist).context("reading the console's build")? {
        let entry = entry?;
        if entry.file_type()?.is_file() && entry.file_name() != "index.html" {
            std::fs::copy(entry.path(), dist.join(entry.file_name()))?;
        }
    }
    let index = dist.join("index.html");
    let panel = std::fs::read_to_string(&index)?;
    let console = std::fs::read_to_string(console_dist.join("index.html"))?;
    let page = with_bundle(&panel, &by_view(bundle(&panel)?, bundle(&console)?))?;
    std::fs::write(index, page)?;
    Ok(())
}

/// `trunk build <args> --release --offline` in `widget/` (`--offline` last: it takes an
/// optional value), in a target directory of its own: the widget's flags differ from the
/// edge's, and in a shared one each build would rebuild the dependencies they share.
fn trunk(args: &[&std::ffi::OsStr]) -> anyhow::Result<()> {
    run(Command::new("trunk")
        .arg("build")
        .args(args)
        .args(["--release", "--offline"])
        .current_dir(repo_root().join("widget"))
        .env("PATH", path_with_npm_bins())
        .env("CARGO_TARGET_DIR", repo_root().join("target/widget-build"))
        .env("CARGO_ENCODED_RUSTFLAGS", widget_rustflags()?))
}

/// The widget's compiler flags, as `CARGO_ENCODED_RUSTFLAGS` (unit-separated, so paths may
/// hold spaces), which applies to the wasm target alone since Trunk and the widget's
/// browser tests ([`crate::test`]) pass `--target`
/// (Cargo book, "Configuration": `build.rustflags`):
///
/// - panic messages carry the path of their source file: in the widget's wasm they name it
///   from the crate (`tachys-0.2.19/src/...`, `widget/src/...`), not from this machine's
///   cargo registry and checkout (rustc book, "Command-line Arguments": `--remap-path-prefix`);
/// - `--cfg erase_components`: Leptos type-erases each component's view and each reactive
///   closure instead of compiling the rendering code once per closure (leptos `lib.rs`,
///   `__as_shared_reactive_fn`); the agent panel's wasm + JS went 204.3 -> 188.8 KiB
///   gzipped (issue 17).
pub fn widget_rustflags() -> anyhow::Result<String> {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cargo")))
        .context("neither CARGO_HOME nor HOME is set")?;
    let mut prefixes = vec![repo_root()];
    if let Ok(registries) = std::fs::read_dir(cargo_home.join("registry/src")) {
        for registry in registries {
            prefixes.push(registry?.path());
        }
    }
    let mut flags: Vec<String> = prefixes
        .iter()
        .map(|prefix| format!("--remap-path-prefix={}/=", prefix.display()))
        .collect();
    flags.extend(["--cfg".to_owned(), "erase_components".to_owned()]);
    Ok(flags.join("\u{1f}"))
}

/// Where a page Trunk built loads its bundle: its `<head>` after the title (the
/// stylesheet, the module script that starts the wasm, the preloads).
fn bundle_range(index: &str) -> anyhow::Result<std::ops::Range<usize>> {
    let start = index
        .find("</title>")
        .context("Trunk's index.html has a title")?
        + "</title>".len();
    let end = index
        .find("</head>")
        .context("Trunk's index.html has a head")?;
    anyhow::ensure!(start <= end, "the title is in the head");
    Ok(start..end)
}

/// The tags that load the bundle of a page Trunk built ([`bundle_range`]).
fn bundle(index: &str) -> anyhow::Result<&str> {
    Ok(&index[bundle_range(index)?])
}

/// `index` with `tags` in place of its own bundle's.
fn with_bundle(index: &str, tags: &str) -> anyhow::Result<String> {
    let mut page = index.to_owned();
    page.replace_range(bundle_range(index)?, tags);
    Ok(page)
}

/// Both bundles' tags, each inert in a `<template>`, and the script that puts one of them
/// into the page: the console's when the fragment asks for it (`view=admin`, as
/// `widget/src/location.rs` reads it), else the panel's. A script cloned out of a template
/// runs when inserted (HTML standard, "script" element: a clone is not "already started").
fn by_view(panel: &str, console: &str) -> String {
    format!(
        "<template id=sfdesk-panel>{panel}</template>\
         <template id=sfdesk-console>{console}</template>\
         <script>(function () {{\
         var admin = /(^#|&)view=admin(&|$)/.test(location.hash);\
         var bundle = document.getElementById(admin ? \"sfdesk-console\" : \"sfdesk-panel\");\
         document.head.appendChild(document.importNode(bundle.content, true));\
         }})();</script>"
    )
}

pub fn edge() -> anyhow::Result<()> {
    println!("building the edge (worker-build, release)");
    run(Command::new("worker-build")
        .arg("--release")
        .current_dir(repo_root().join("edge"))
        .env("PATH", path_with_npm_bins())
        .env("WASM_BINDGEN_BIN", "wasm-bindgen")
        .env(
            "WASM_OPT_BIN",
            repo_root().join("node_modules/.bin/wasm-opt"),
        ))
}

/// Where the widget's bundles go in `extension/app/widget.html`.
const BUNDLE_MARKER: &str = "<!-- sfdesk:bundle -->";

/// The extension's page: `template` with the bundles' tags from `widget/dist/index.html`
/// at [`BUNDLE_MARKER`], each of the bundles' `files` named relative to the page, which
/// sits beside them in the package's `app/`.
pub fn extension_page(template: &str, index: &str, files: &[String]) -> anyhow::Result<String> {
    let mut tags = bundle(index)?.to_owned();
    for file in files {
        tags = tags.replace(&format!("/{file}"), &format!("./{file}"));
    }
    anyhow::ensure!(
        template.contains(BUNDLE_MARKER),
        "extension/app/widget.html has no {BUNDLE_MARKER}"
    );
    Ok(template.replace(BUNDLE_MARKER, &tags))
}

/// The edge origin the extension's templates name (`extension/`), which packaging
/// replaces with the edge's URL.
const TEMPLATE_EDGE_ORIGIN: &str = "https://sfdesk.example";

/// The manifest's placeholder for the extension's secret.
const TEMPLATE_SECRET: &str = "set-at-packaging-to-the-edges-ZOHO_EXTENSION_SECRET";

/// `template` (the manifest or the page) for the edge at `edge_url`.
pub fn for_edge(template: &str, edge_url: &str) -> String {
    template.replace(TEMPLATE_EDGE_ORIGIN, edge_url.trim_end_matches('/'))
}

/// The edge's public URL the package calls: `PUBLIC_URL` from the environment, else the
/// `PUBLIC_URL` of `wrangler.toml`'s `[vars]` (the local edge).
fn edge_url() -> anyhow::Result<String> {
    if let Ok(url) = std::env::var("PUBLIC_URL") {
        return Ok(url);
    }
    let wrangler = std::fs::read_to_string(repo_root().join("wrangler.toml"))?;
    wrangler_var(&wrangler, "PUBLIC_URL").context("wrangler.toml sets no PUBLIC_URL")
}

/// A `NAME = "value"` line's value in `wrangler.toml`.
fn wrangler_var(wrangler: &str, name: &str) -> Option<String> {
    wrangler.lines().find_map(|line| {
        let (key, value) = line.split_once('=')?;
        (key.trim() == name).then(|| value.trim().trim_matches('"').to_owned())
    })
}

/// The extension package, from the widget's bundles in `widget/dist`: `target/extension`
/// (`plugin-manifest.json`, `app/widget.html` and the bundle beside it) and, with `zip`
/// installed, `target/sfdesk-extension.zip`. Zoho Desk hosts the package's pages on an
/// origin of its own, so both name the edge by its URL: `PUBLIC_URL` (see [`edge_url`]);
/// the manifest's `secret` is `ZOHO_EXTENSION_SECRET` when set.
pub fn extension() -> anyhow::Result<()> {
    let root = repo_root();
    let edge_url = edge_url()?;
    println!("packaging the Zoho Desk extension for the edge at {edge_url}");
    let dist = root.join("widget/dist");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&dist).context("reading widget/dist")? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        // `_headers` is the edge's own (its cache headers), not a file of the package.
        if entry.file_type()?.is_file() && name != "index.html" && name != "_headers" {
            files.push(name);
        }
    }
    let page = extension_page(
        &for_edge(
            &std::fs::read_to_string(root.join("extension/app/widget.html"))?,
            &edge_url,
        ),
        &std::fs::read_to_string(dist.join("index.html"))?,
        &files,
    )?;
    let package = root.join("target/extension");
    let app = package.join("app");
    if app.exists() {
        std::fs::remove_dir_all(&app)?;
    }
    std::fs::create_dir_all(&app)?;
    for file in &files {
        std::fs::copy(dist.join(file), app.join(file))?;
    }
    std::fs::write(app.join("widget.html"), &page)?;
    let mut manifest = for_edge(
        &std::fs::read_to_string(root.join("extension/plugin-manifest.json"))?,
        &edge_url,
    );
    match std::env::var("ZOHO_EXTENSION_SECRET") {
        Ok(secret) => manifest = manifest.replace(TEMPLATE_SECRET, &secret),
        Err(_) => println!(
            "  (ZOHO_EXTENSION_SECRET is not set: put the edge's in the manifest's \"secret\")"
        ),
    }
    std::fs::write(package.join("plugin-manifest.json"), manifest)?;
    zip(&package, &root.join("target/sfdesk-extension.zip"))
}

fn zip(folder: &Path, archive: &Path) -> anyhow::Result<()> {
    if Command::new("zip").arg("-v").output().is_err() {
        println!(
            "  (no `zip` installed: the package is the folder {})",
            folder.display()
        );
        return Ok(());
    }
    if archive.exists() {
        std::fs::remove_file(archive)?;
    }
    run(Command::new("zip")
        .args(["-q", "-r"])
        .arg(archive)
        .arg(".")
        .current_dir(folder))
}

pub fn all() -> anyhow::Result<()> {
    widget()?;
    extension()?;
    edge()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_package_names_the_edge_by_its_url() {
        let manifest = r#"{"whiteListedDomains": ["https://sfdesk.example"],
            "cspDomains": {"connect-src": ["https://sfdesk.example"]},
            "callbackListener": {"onInstall": "https://sfdesk.example/zoho/installed"}}"#;
        let baked = for_edge(manifest, "https://sfdesk.acme.workers.dev/");
        assert!(!baked.contains("sfdesk.example"), "{baked}");
        assert_eq!(baked.matches("https://sfdesk.acme.workers.dev").count(), 3);
        assert!(baked.contains("\"https://sfdesk.acme.workers.dev/zoho/installed\""));
        let wrangler = "name = \"sfdesk\"\n[vars]\nPUBLIC_URL = \"http://127.0.0.1:8787\"\n";
        assert_eq!(
            wrangler_var(wrangler, "PUBLIC_URL").as_deref(),
            Some("http://127.0.0.1:8787")
        );
        assert_eq!(wrangler_var(wrangler, "TOKEN_KEY"), None);
    }

    #[test]
    fn the_extension_page_loads_the_bundle_beside_it() {
        let index = "<html><title>sfdesk</title><link href=/style-1.css rel=stylesheet>\
                     <script type=module>import init from '/widget-2.js';\
                     init({ module_or_path: '/widget-2_bg.wasm' });</script></head><body></body>";
        let template = "<head><script src=sdk.js></script>\n<!-- sfdesk:bundle -->\n</head>";
        let files = ["style-1.css", "widget-2.js", "widget-2_bg.wasm"].map(String::from);
        let page = extension_page(template, index, &files).unwrap();
        assert_eq!(
            page,
            "<head><script src=sdk.js></script>\n<link href=./style-1.css rel=stylesheet>\
             <script type=module>import init from './widget-2.js';\
             init({ module_or_path: './widget-2_bg.wasm' });</script>\n</head>"
        );
        assert!(extension_page("<head></head>", index, &files).is_err());
        assert!(extension_page(template, "<html></html>", &files).is_err());
    }

    #[test]
    fn the_page_holds_both_bundles_and_loads_one() {
        let panel = "<html><title>sfdesk</title><script type=module>import '/widget-1.js';</script></head><body></body>";
        let console = "<html><title>sfdesk</title><script type=module>import '/console-2.js';</script></head><body></body>";
        let page = with_bundle(
            panel,
            &by_view(bundle(panel).unwrap(), bundle(console).unwrap()),
        )
        .unwrap();
        assert!(page.starts_with("<html><title>sfdesk</title><template id=sfdesk-panel><script type=module>import '/widget-1.js';</script></template>"), "{page}");
        assert!(page.contains("<template id=sfdesk-console><script type=module>import '/console-2.js';</script></template>"), "{page}");
        assert!(page.ends_with("</script></head><body></body>"), "{page}");
        // One module script each, inert until the chooser inserts it.
        assert_eq!(page.matches("type=module").count(), 2);
    }
}
