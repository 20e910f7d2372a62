//! `cargo xtask bench widget`: what the agent panel costs and how fast it is.
//!
//! - the widget's release build, the agent panel's bundle and the admin console's apart:
//!   wasm, JS and CSS, raw and gzipped;
//! - Salesforce calls per view, cold (the edge reads Salesforce) and warm (its cache);
//! - the edge's response time for the panel, median and p95, cold and warm;
//! - headless Chromium: from navigation to the record's name painted (Element Timing),
//!   on a first visit (cold edge cache, empty browser cache) and on later ones, and where
//!   a later visit's time goes (Navigation and Resource Timing of the same loads).

use super::Figure;
use anyhow::{Context, bail};
use contract::api::{PANEL_PATH, Panel};
use e2e::{Browser, Stack, StackOptions, repo_root};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// Panel requests per latency series.
const SAMPLES: usize = 50;
/// Browser loads after the first one.
const PAGE_LOADS: usize = 10;

pub fn run() -> anyhow::Result<Vec<Figure>> {
    let sizes = bundle_sizes(&repo_root().join("widget/dist"))?;
    tokio::runtime::Runtime::new()?.block_on(measure(sizes))
}

struct Size {
    file: String,
    raw: u64,
    gzipped: u64,
}

/// The widget's two bundles, by the file names Trunk gives them (the binary's name); the
/// stylesheet is one file both load.
const BUNDLES: [(&str, &str); 2] = [
    ("agent panel (what every agent downloads)", "widget-"),
    (
        "admin console (loaded only when an admin opens it)",
        "console-",
    ),
];

fn in_bundle(size: &Size, prefix: &str) -> bool {
    size.file.starts_with(prefix) || size.file.ends_with(".css")
}

fn bundle_sizes(dist: &Path) -> anyhow::Result<Vec<Size>> {
    let mut sizes = Vec::new();
    for entry in std::fs::read_dir(dist).with_context(|| format!("reading {}", dist.display()))? {
        let path = entry?.path();
        let kind = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        if !matches!(kind, "wasm" | "js" | "css") {
            continue;
        }
        let raw = std::fs::metadata(&path)?.len();
        let gzip = Command::new("gzip")
            .args(["-9", "-c"])
            .arg(&path)
            .output()
            .context("running gzip")?;
        if !gzip.status.success() {
            bail!("gzip failed on {}", path.display());
        }
        sizes.push(Size {
            file: path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned(),
            raw,
            gzipped: gzip.stdout.len() as u64,
        });
    }
    sizes.sort_by_key(|size| std::cmp::Reverse(size.raw));
    Ok(sizes)
}

fn kib(bytes: u64) -> String {
    format!("{:.1} KiB", bytes as f64 / 1024.0)
}

/// Median and 95th percentile, in milliseconds.
fn percentiles(mut samples: Vec<f64>) -> (f64, f64) {
    samples.sort_by(f64::total_cmp);
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.95))
}

/// What the agent panel downloads: its wasm and JS, gzipped.
fn panel_download(sizes: &[Size]) -> Figure {
    let gzipped: u64 = sizes
        .iter()
        .filter(|size| size.file.starts_with(BUNDLES[0].1) && !size.file.ends_with(".css"))
        .map(|size| size.gzipped)
        .sum();
    Figure::new("agent panel wasm + JS, gzipped", kib(gzipped)).target("<= 100 KiB")
}

async fn measure(sizes: Vec<Size>) -> anyhow::Result<Vec<Figure>> {
    let stack = Stack::start(StackOptions::test("bench-widget")).await?;
    stack.connect_salesforce().await?;
    let token = stack.context_token("Agent", true);
    ensure_view(&stack).await?;

    // The browser first: its first visit finds the edge's cache empty.
    let painted = time_to_data(&stack, &token).await?;

    let salesforce = stack.sandbox.salesforce();
    let calls = || -> u64 { salesforce.counters().endpoints.values().sum() };
    let http = reqwest::Client::new();
    let panel = |fresh: bool| {
        let url = format!(
            "{}{PANEL_PATH}{}",
            stack.edge_url,
            if fresh { "?fresh=true" } else { "" }
        );
        let request = http.get(url).bearer_auth(&token);
        async move {
            let started = Instant::now();
            let response = request.send().await?;
            let status = response.status();
            response.bytes().await?;
            if !status.is_success() {
                bail!("the panel answered {status}");
            }
            anyhow::Ok(started.elapsed().as_secs_f64() * 1000.0)
        }
    };
    salesforce.reset_counters();
    panel(true).await?;
    let cold_calls = calls();
    salesforce.reset_counters();
    panel(false).await?;
    let warm_calls = calls();

    let mut cold = Vec::new();
    for _ in 0..SAMPLES {
        cold.push(panel(true).await?);
    }
    let mut warm = Vec::new();
    for _ in 0..SAMPLES {
        warm.push(panel(false).await?);
    }
    let (cold_median, cold_p95) = percentiles(cold);
    let (warm_median, warm_p95) = percentiles(warm);

    println!("\n=== bench widget ===\n");
    println!("widget bundles (release, wasm-opt -Oz):");
    for (bundle, prefix) in BUNDLES {
        println!("  {bundle}:");
        let files: Vec<&Size> = sizes.iter().filter(|s| in_bundle(s, prefix)).collect();
        for size in &files {
            println!(
                "    {:<38} {:>11} raw  {:>11} gzipped",
                size.file,
                kib(size.raw),
                kib(size.gzipped)
            );
        }
        let code = files.iter().filter(|s| !s.file.ends_with(".css"));
        let (raw, gzipped) = code.fold((0, 0), |(r, g), s| (r + s.raw, g + s.gzipped));
        println!(
            "    {:<38} {:>11} raw  {:>11} gzipped",
            "wasm + JS",
            kib(raw),
            kib(gzipped)
        );
    }
    println!("\nSalesforce calls per panel view:");
    println!("  cold (edge cache empty or refresh)  {cold_calls}");
    println!("  warm (within the cache's 60 s)      {warm_calls}");
    println!("\nedge response time for {PANEL_PATH} ({SAMPLES} requests each, local sandbox):");
    println!("  cold  median {cold_median:>7.1} ms   p95 {cold_p95:>7.1} ms");
    println!("  warm  median {warm_median:>7.1} ms   p95 {warm_p95:>7.1} ms");
    println!("\nheadless Chromium, navigation to the record's name painted:");
    println!(
        "  first visit (cold caches)        {:>7.1} ms",
        painted.first
    );
    let (median, p95) = percentiles(painted.later.iter().map(|v| v.painted).collect());
    println!("  later visits ({PAGE_LOADS})  median {median:>7.1} ms   p95 {p95:>7.1} ms");
    println!("\nwhere a later visit's time goes (median ms since navigation started):");
    let median_of = |value: &dyn Fn(&Timeline) -> f64| {
        percentiles(painted.later.iter().map(|v| value(&v.timeline)).collect()).0
    };
    for (index, (milestone, _)) in painted.later[0].timeline.milestones.iter().enumerate() {
        let at = median_of(&|timeline| timeline.milestones[index].1);
        println!("  {milestone:<28} {at:>7.1}");
    }
    let wasm_bytes = median_of(&|timeline| timeline.wasm_transferred);
    println!("  {:<28} {wasm_bytes:>7.0}", "wasm bytes over the network");
    Ok(vec![
        panel_download(&sizes),
        Figure::new(
            "Salesforce calls per panel view, cold / warm",
            format!("{cold_calls} / {warm_calls}"),
        ),
        Figure::new(
            format!("edge panel latency, cold ({SAMPLES} requests)"),
            format!("p50 {cold_median:.1} ms, p95 {cold_p95:.1} ms"),
        ),
        Figure::new(
            format!("edge panel latency, warm ({SAMPLES} requests)"),
            format!("p50 {warm_median:.1} ms, p95 {warm_p95:.1} ms"),
        ),
        Figure::new(
            "Chromium time to data, cold (first visit)",
            format!("{:.1} ms", painted.first),
        ),
        Figure::new(
            format!("Chromium time to data, warm ({PAGE_LOADS} visits)"),
            format!("p50 {median:.1} ms, p95 {p95:.1} ms"),
        )
        .target("p50 <= 150 ms"),
    ])
}

async fn ensure_view(stack: &Stack) -> anyhow::Result<()> {
    match stack.panel("Agent", true).await {
        Ok(Panel::View { .. }) => Ok(()),
        Ok(other) => bail!("the demo ticket should show a record, not {other:?}"),
        Err(error) => Err(error),
    }
}

struct Painted {
    first: f64,
    later: Vec<Visit>,
}

/// One later visit: when the record's name was painted (ms since navigation started), and
/// where the time went.
struct Visit {
    painted: f64,
    timeline: Timeline,
}

/// When each step of a page load ended, in milliseconds since navigation started
/// (Navigation and Resource Timing, and when the record's name was first in the page and
/// painted), so that a slow load shows which step was slow.
#[derive(Debug, Clone, PartialEq)]
struct Timeline {
    milestones: Vec<(&'static str, f64)>,
    /// Bytes the wasm cost on the network (0: the HTTP cache answered without asking).
    wasm_transferred: f64,
}

impl Timeline {
    /// A load's timeline from the page's timing entries ([`TIMING_SCRIPT`]'s answer) and
    /// the time its record's name was painted.
    fn from_timing(timing: &serde_json::Value, painted: f64) -> anyhow::Result<Timeline> {
        let number = |value: &serde_json::Value, key: &str| {
            value[key]
                .as_f64()
                .with_context(|| format!("{key} in {value}"))
        };
        let resources = timing["resources"].as_array().context("resource entries")?;
        let file = |matches: &dyn Fn(&str) -> bool, what: &str| {
            resources
                .iter()
                .find(|entry| entry["name"].as_str().is_some_and(matches))
                .with_context(|| format!("no {what} in the page's resource timing"))
        };
        let css = file(&|name| name.ends_with(".css"), "stylesheet")?;
        let js = file(&|name| name.ends_with(".js"), "JS")?;
        let wasm = file(&|name| name.ends_with(".wasm"), "wasm")?;
        let panel = file(&|name| name.contains(PANEL_PATH), "panel request")?;
        Ok(Timeline {
            milestones: vec![
                ("HTML received", number(&timing["navigation"], "end")?),
                ("stylesheet received", number(css, "end")?),
                ("JS received", number(js, "end")?),
                ("wasm requested", number(wasm, "start")?),
                ("wasm received", number(wasm, "end")?),
                ("panel requested", number(panel, "start")?),
                ("panel answered", number(panel, "end")?),
                ("load event", number(&timing["navigation"], "load")?),
                ("name in the page", number(timing, "found")?),
                ("name painted", painted),
            ],
            wasm_transferred: number(wasm, "transfer")?,
        })
    }
}

/// The page's Navigation Timing and Resource Timing entries, and when the record's name
/// was first found in it ([`PAINTED_SCRIPT`] notes it), in milliseconds since navigation
/// started.
const TIMING_SCRIPT: &str = r#"
const navigation = performance.getEntriesByType("navigation")[0];
return {
  navigation: { end: navigation.responseEnd, load: navigation.loadEventStart },
  found: window.sfdeskBenchFound,
  resources: performance.getEntriesByType("resource").map((entry) => ({
    name: entry.name,
    start: entry.startTime,
    end: entry.responseEnd,
    transfer: entry.transferSize,
  })),
};
"#;

/// Resolves with the render time of the record's name (Element Timing, milliseconds
/// since navigation started), or, where the browser reports none, the time it was found.
const PAINTED_SCRIPT: &str = r#"
const done = arguments[arguments.length - 1];
let finished = false;
const finish = (ms) => { if (!finished) { finished = true; done(ms); } };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.identifier === "sfd-record") finish(entry.renderTime || entry.loadTime);
  }
}).observe({ type: "element", buffered: true });
const started = performance.now();
(function poll() {
  if (document.querySelector("[data-testid=record-name]")) {
    window.sfdeskBenchFound = performance.now();
    setTimeout(() => finish(performance.now()), 500);
  } else if (performance.now() - started < 20000) {
    requestAnimationFrame(poll);
  } else {
    finish(-1);
  }
})();
"#;

async fn time_to_data(stack: &Stack, token: &str) -> anyhow::Result<Painted> {
    // The widget alone, as the helpdesk frames it.
    let url = format!("{}/#ctx={token}", stack.edge_url);
    let browser = Browser::start().await?;
    let result = async {
        // WebDriver's default script timeout (30 s) is ample.
        let page = &browser.client;
        let url = &url;
        let visit = || async move {
            // A blank page in between, so every load is a real navigation.
            page.goto("about:blank").await?;
            page.goto(url).await?;
            let painted = page
                .execute_async(PAINTED_SCRIPT, vec![])
                .await?
                .as_f64()
                .context("a time in milliseconds")?;
            if painted < 0.0 {
                bail!("the record never showed");
            }
            let timing = page.execute(TIMING_SCRIPT, vec![]).await?;
            let timeline = Timeline::from_timing(&timing, painted)?;
            anyhow::Ok(Visit { painted, timeline })
        };
        let first = visit().await?.painted;
        let mut later = Vec::new();
        for _ in 0..PAGE_LOADS {
            later.push(visit().await?);
        }
        anyhow::Ok(Painted { first, later })
    }
    .await;
    browser.close().await?;
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_panel_download_counts_the_agent_bundle_only() {
        let size = |file: &str, gzipped: u64| Size {
            file: file.into(),
            raw: gzipped * 3,
            gzipped,
        };
        let sizes = [
            size("widget-1_bg.wasm", 100 * 1024),
            size("widget-1.js", 8 * 1024),
            size("console-2_bg.wasm", 300 * 1024),
            size("console-2.js", 9 * 1024),
            size("style-3.css", 7 * 1024),
        ];
        assert_eq!(panel_download(&sizes).value, kib(108 * 1024));
    }
}
