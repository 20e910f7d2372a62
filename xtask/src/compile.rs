//! Building the two WebAssembly halves, the widget (Trunk) and the edge (worker-build),
//! and the Zoho Desk extension package around the widget's bundle.

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

pub fn widget() -> anyhow::Result<()> {
    println!("building the widget (trunk, release)");
    run(Command::new("trunk")
        .args(["build", "--release", "--offline"])
        .current_dir(repo_root().join("widget"))
        .env("PATH", path_with_npm_bins()))
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

/// Where the widget's bundle goes in `extension/app/widget.html`.
const BUNDLE_MARKER: &str = "<!-- sfdesk:bundle -->";

/// The extension's page: `template` with the bundle's tags from Trunk's `index.html` (what
/// its `<head>` holds after the title) at [`BUNDLE_MARKER`], each of the bundle's `files`
/// named relative to the page, which sits beside them in the package's `app/`.
pub fn extension_page(template: &str, index: &str, files: &[String]) -> anyhow::Result<String> {
    let start = index
        .find("</title>")
        .context("Trunk's index.html has a title")?
        + 8;
    let end = index
        .find("</head>")
        .context("Trunk's index.html has a head")?;
    let mut bundle = index
        .get(start..end)
        .context("the title is in the head")?
        .to_owned();
    for file in files {
        bundle = bundle.replace(&format!("/{file}"), &format!("./{file}"));
    }
    anyhow::ensure!(
        template.contains(BUNDLE_MARKER),
        "extension/app/widget.html has no {BUNDLE_MARKER}"
    );
    Ok(template.replace(BUNDLE_MARKER, &bundle))
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

/// The extension package, from the widget's bundle in `widget/dist`: `target/extension`
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
        if entry.file_type()?.is_file() && name != "index.html" {
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
}
