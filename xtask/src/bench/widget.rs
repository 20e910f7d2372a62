//! `cargo xtask bench widget`: what the agent panel costs and how fast it is.
//!
//! - the widget's release build, the agent panel's bundle and the admin console's apart:
//!   wasm, JS and CSS, raw and gzipped;
//! - Salesforce calls per view, cold (the edge reads Salesforce) and warm (its cache);
//! - the edge's response time for the panel, median and p95, cold and warm;
//! - headless Chromium: from navigation to the record's name painted (Element Timing),
//!   on a first visit (cold edge cache, empty browser cache) and on later ones, and where
//!   a later visit's time goes (Navigation and Resource Timing of the same loads), on two
//!   pages: the extension's page as agents get it, framed by the sandbox's helpdesk
//!   through its Zoho Desk SDK stand-in (the issue's target), and the edge's own page
//!   opened with `#ctx=<token>` (what tests use: no SDK, no session request).

use super::Figure;
use anyhow::{Context, bail};
use contract::api::{PANEL_PATH, Panel};
use e2e::{Browser, Stack, StackOptions, repo_root};
use fantoccini::Locator;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Panel requests per latency series.
const SAMPLES: usize = 50;
/// Browser loads after the first one.
const PAGE_LOADS: usize = 10;
/// How long the edge reuses a panel it read (`edge/src/integration/panel_cache.rs`) and
/// the helpdesk's word on an agent (`edge/src/routes/session.rs`), and a second more:
/// after that the second page's first visit finds the edge as cold as the first's did.
const EDGE_CACHES_EXPIRE: Duration = Duration::from_secs(61);

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

    // The browser first: each page's first visit finds the edge's caches empty.
    let extension = time_to_data(&stack, Page::Extension, &token).await?;
    tokio::time::sleep(EDGE_CACHES_EXPIRE).await;
    let edge_page = time_to_data(&stack, Page::Edge, &token).await?;

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
    let mut figures = vec![
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
    ];
    figures.extend(report_painted(Page::Extension, &extension));
    figures.extend(report_painted(Page::Edge, &edge_page));
    Ok(figures)
}

/// Prints a page's times to data and where a later visit's time goes, and gives its
/// figures: the extension's page carries the issue's target, as it is what agents get.
fn report_painted(page: Page, painted: &Painted) -> Vec<Figure> {
    println!(
        "\nheadless Chromium, navigation to the record's name painted, {}:",
        page.about()
    );
    println!(
        "  first visit (cold caches)        {:>7.1} ms",
        painted.first
    );
    let (median, p95) = percentiles(painted.later.iter().map(|v| v.painted).collect());
    println!("  later visits ({PAGE_LOADS})  median {median:>7.1} ms   p95 {p95:>7.1} ms");
    println!(
        "\n  where a later visit's time goes (median ms since the page's navigation started):"
    );
    let timelines: Vec<&Timeline> = painted.later.iter().map(|v| &v.timeline).collect();
    for (milestone, at, seen) in median_milestones(&timelines) {
        let note = if seen < timelines.len() {
            format!("  (in {seen} of {} visits)", timelines.len())
        } else {
            String::new()
        };
        println!("    {milestone:<34} {at:>7.1}{note}");
    }
    let wasm_bytes = percentiles(timelines.iter().map(|t| t.wasm_transferred).collect()).0;
    println!(
        "    {:<34} {wasm_bytes:>7.0}",
        "wasm bytes over the network"
    );
    let warm = Figure::new(
        format!(
            "Chromium time to data, {}, warm ({PAGE_LOADS} visits)",
            page.name()
        ),
        format!("p50 {median:.1} ms, p95 {p95:.1} ms"),
    );
    vec![
        Figure::new(
            format!("Chromium time to data, {}, cold (first visit)", page.name()),
            format!("{:.1} ms", painted.first),
        ),
        match page {
            Page::Extension => warm.target("p50 <= 150 ms"),
            Page::Edge => warm,
        },
    ]
}

/// Each milestone's median over the timelines that have it, in the order they first
/// name them, with how many had it (a warm visit may skip a step, such as a request).
fn median_milestones(timelines: &[&Timeline]) -> Vec<(&'static str, f64, usize)> {
    let mut names: Vec<&'static str> = Vec::new();
    for (name, _) in timelines.iter().flat_map(|t| &t.milestones) {
        if !names.contains(name) {
            names.push(name);
        }
    }
    names
        .into_iter()
        .map(|name| {
            let times: Vec<f64> = timelines
                .iter()
                .flat_map(|t| &t.milestones)
                .filter(|(n, _)| *n == name)
                .map(|(_, at)| *at)
                .collect();
            let seen = times.len();
            (name, percentiles(times).0, seen)
        })
        .collect()
}

async fn ensure_view(stack: &Stack) -> anyhow::Result<()> {
    match stack.panel("Agent", true).await {
        Ok(Panel::View { .. }) => Ok(()),
        Ok(other) => bail!("the demo ticket should show a record, not {other:?}"),
        Err(error) => Err(error),
    }
}

/// The page the browser opens to see the panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Page {
    /// The extension's page (`extension/app/widget.html`) in the right panel of the
    /// sandbox helpdesk's demo ticket, as its demo agent with profile "Agent": the page
    /// gets its session through the SDK stand-in and Zoho's proxy, as in Zoho Desk.
    Extension,
    /// The edge's root page opened with `#ctx=<token>`: the widget alone, with a token
    /// given, as tests open it.
    Edge,
}

impl Page {
    fn name(self) -> &'static str {
        match self {
            Page::Extension => "extension page in the helpdesk",
            Page::Edge => "edge page with #ctx= (no SDK, no session request)",
        }
    }

    fn about(self) -> &'static str {
        match self {
            Page::Extension => {
                "the extension's page in the helpdesk's ticket (what agents get; times since the widget's frame started)"
            }
            Page::Edge => {
                "the edge's own page with #ctx=<token> (tests' way in: no SDK, no session request)"
            }
        }
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
    /// A load's timeline from the page's timing entries ([`TIMING_SCRIPT`]'s answer), the
    /// helpdesk page's around it for the extension's page ([`HOST_TIMING_SCRIPT`]'s: the
    /// session request Zoho's proxy carried), and the time its record's name was painted.
    fn from_timing(
        timing: &serde_json::Value,
        host: Option<&serde_json::Value>,
        painted: f64,
    ) -> anyhow::Result<Timeline> {
        let number = |value: &serde_json::Value, key: &str| {
            value[key]
                .as_f64()
                .with_context(|| format!("{key} in {value}"))
        };
        let resources = timing["resources"].as_array().context("resource entries")?;
        let find = |matches: &dyn Fn(&str) -> bool| {
            resources
                .iter()
                .find(|entry| entry["name"].as_str().is_some_and(matches))
        };
        let file = |matches: &dyn Fn(&str) -> bool, what: &str| {
            find(matches).with_context(|| format!("no {what} in the page's resource timing"))
        };
        let css = file(&|name| name.ends_with(".css"), "stylesheet")?;
        let js = file(
            &|name| name.ends_with(".js") && !name.contains(SDK_NAME),
            "JS",
        )?;
        let wasm = file(&|name| name.ends_with(".wasm"), "wasm")?;
        let panel = file(&|name| name.contains(PANEL_PATH), "panel request")?;
        let mut milestones = vec![("HTML received", number(&timing["navigation"], "end")?)];
        if let Some(sdk) = find(&|name| name.contains(SDK_NAME)) {
            milestones.push(("SDK received", number(sdk, "end")?));
        }
        milestones.extend([
            ("stylesheet received", number(css, "end")?),
            ("JS received", number(js, "end")?),
            ("wasm requested", number(wasm, "start")?),
            ("wasm received", number(wasm, "end")?),
        ]);
        let marks = timing["marks"].as_array().context("marks")?;
        for (mark, milestone) in SDK_MARKS {
            let last = marks
                .iter()
                .rev()
                .find(|m| m["name"].as_str() == Some(mark));
            if let Some(last) = last {
                milestones.push((milestone, number(last, "start")?));
            }
        }
        if let Some(host) = host {
            // The helpdesk page's clock started earlier: its times, on the frame's clock.
            let shift = number(host, "origin")? - number(timing, "origin")?;
            for request in host["requests"].as_array().context("proxy requests")? {
                milestones.extend([
                    (
                        "session requested (Zoho's proxy)",
                        number(request, "start")? + shift,
                    ),
                    ("session answered", number(request, "end")? + shift),
                ]);
            }
        }
        milestones.extend([
            ("panel requested", number(panel, "start")?),
            ("panel answered", number(panel, "end")?),
        ]);
        // The first byte's time is the browser's to give only for a same-origin request
        // (or one the server allows with `Timing-Allow-Origin`): 0 otherwise.
        let panel_first_byte = number(panel, "first")?;
        if panel_first_byte > 0.0 {
            milestones.push(("panel's first byte", panel_first_byte));
        }
        milestones.push(("load event", number(&timing["navigation"], "load")?));
        if let Some(found) = timing["found"].as_f64() {
            milestones.push(("name in the page", found));
        }
        milestones.push(("name painted", painted));
        milestones.sort_by(|a, b| a.1.total_cmp(&b.1));
        Ok(Timeline {
            milestones,
            wasm_transferred: number(wasm, "transfer")?,
        })
    }
}

/// What the Zoho Desk SDK's script is called, Zoho's (`ZohoDeskClientSDK.min.js`) or the
/// sandbox's stand-in (`/__zoho/sdk.js`): both end so.
const SDK_NAME: &str = "sdk.js";

/// The User Timing marks the sandbox's SDK stand-in sets (`sandbox/templates/zoho/sdk.js`)
/// as each call is asked and answered, and what the breakdown calls them: the last of each.
const SDK_MARKS: [(&str, &str); 5] = [
    ("zohodesk onload", "SDK onload asked"),
    ("zohodesk onload answered", "SDK onload answered"),
    ("zohodesk get", "SDK get asked (last)"),
    ("zohodesk get answered", "SDK get answered (last)"),
    ("zohodesk request", "session asked of the SDK"),
];

/// The page's Navigation, Resource and User Timing entries, and when the record's name was
/// first found in it, where [`WATCH_SCRIPT`] saw it, in milliseconds since navigation
/// started, and when that was (`origin`, ms since the epoch).
const TIMING_SCRIPT: &str = r#"
const navigation = performance.getEntriesByType("navigation")[0];
return {
  origin: performance.timeOrigin,
  navigation: { end: navigation.responseEnd, load: navigation.loadEventStart },
  found: window.sfdeskBenchFound,
  marks: performance.getEntriesByType("mark").map((entry) => ({
    name: entry.name,
    start: entry.startTime,
  })),
  resources: performance.getEntriesByType("resource").map((entry) => ({
    name: entry.name,
    start: entry.startTime,
    first: entry.responseStart,
    end: entry.responseEnd,
    transfer: entry.transferSize,
  })),
};
"#;

/// The helpdesk page's requests to its proxy (`ZOHODESK.request`, the session request,
/// see `sandbox/templates/zoho/host.js`), and when the page's navigation started.
const HOST_TIMING_SCRIPT: &str = r#"
return {
  origin: performance.timeOrigin,
  requests: performance.getEntriesByType("resource")
    .filter((entry) => entry.name.includes("/__zoho/request"))
    .map((entry) => ({ start: entry.startTime, end: entry.responseEnd })),
};
"#;

/// Run in every top-level document from its start, before the page's own scripts: notes
/// when the record's name entered the page (a `MutationObserver`, which asks for no frame).
/// A script run once WebDriver's navigation returned would note only when it first looked.
/// The extension's page is a cross-site frame, a process of its own that this script does
/// not reach: there the name's arrival is not known, only its paint.
const WATCH_SCRIPT: &str = r#"
new MutationObserver(() => {
  if (window.sfdeskBenchFound === undefined
      && document.querySelector("[data-testid=record-name]")) {
    window.sfdeskBenchFound = performance.now();
  }
}).observe(document, { childList: true, subtree: true });
"#;

/// Resolves with the render time of the record's name (Element Timing, milliseconds since
/// navigation started, read from the browser's buffer however late this runs), or, where
/// the browser reports none within half a second of the name being there, -2; -1 if the
/// name never came. It waits by timer, not by animation frame, so that measuring asks the
/// page for no frame of its own.
const PAINTED_SCRIPT: &str = r#"
const done = arguments[arguments.length - 1];
let painted;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.identifier === "sfd-record" && painted === undefined) {
      painted = entry.renderTime || entry.loadTime;
    }
  }
}).observe({ type: "element", buffered: true });
const started = performance.now();
let seen;
(function wait() {
  if (seen === undefined && document.querySelector("[data-testid=record-name]")) {
    seen = performance.now();
  }
  if (painted !== undefined) {
    done(painted);
  } else if (seen !== undefined && performance.now() - seen > 500) {
    done(-2);
  } else if (performance.now() - started < 20000) {
    setTimeout(wait, 10);
  } else {
    done(-1);
  }
})();
"#;

async fn time_to_data(stack: &Stack, page: Page, token: &str) -> anyhow::Result<Painted> {
    let url = match page {
        Page::Extension => stack
            .sandbox
            .demo_ticket_url_as("Agent")
            .context("the demo has an agent with profile Agent")?,
        // The widget alone, as the helpdesk would frame it with a token.
        Page::Edge => format!("{}/#ctx={token}", stack.edge_url),
    };
    let browser = Browser::start().await?;
    let result = async {
        browser.run_on_new_documents(WATCH_SCRIPT).await?;
        // WebDriver's default script timeout (30 s) is ample.
        let client = &browser.client;
        let url = &url;
        let visit = || async move {
            // A blank page in between, so every load is a real navigation.
            client.goto("about:blank").await?;
            client.goto(url).await?;
            if page == Page::Extension {
                client
                    .wait()
                    .for_element(Locator::Id(sandbox::demo_pages::WIDGET_IFRAME_ID))
                    .await?
                    .enter_frame()
                    .await?;
            }
            let painted = client
                .execute_async(PAINTED_SCRIPT, vec![])
                .await?
                .as_f64()
                .context("a time in milliseconds")?;
            if painted == -2.0 {
                bail!(
                    "the record showed, but the browser reported no paint of it (Element Timing)"
                );
            }
            if painted < 0.0 {
                bail!("the record never showed");
            }
            let timing = client.execute(TIMING_SCRIPT, vec![]).await?;
            let host = match page {
                Page::Extension => {
                    client.enter_parent_frame().await?;
                    Some(client.execute(HOST_TIMING_SCRIPT, vec![]).await?)
                }
                Page::Edge => None,
            };
            let timeline = Timeline::from_timing(&timing, host.as_ref(), painted)?;
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

    fn timing(session: bool) -> (serde_json::Value, serde_json::Value) {
        let frame = serde_json::json!({
            "origin": 1_000_300.0,
            "navigation": {"end": 10.0, "load": 60.0},
            "found": 90.0,
            "marks": [
                {"name": "zohodesk get", "start": 31.0},
                {"name": "zohodesk get", "start": 32.0},
            ],
            "resources": [
                {"name": "http://h/__zoho/sdk.js", "start": 11.0, "end": 15.0, "transfer": 900.0},
                {"name": "http://a/style-1.css", "start": 11.0, "end": 16.0, "transfer": 0.0},
                {"name": "http://a/widget-1.js", "start": 11.0, "end": 17.0, "transfer": 0.0},
                {"name": "http://a/widget-1_bg.wasm", "start": 12.0, "end": 30.0, "transfer": 0.0},
                {"name": format!("http://e{PANEL_PATH}"), "start": 70.0, "first": 0.0, "end": 85.0, "transfer": 0.0},
            ],
        });
        let requests = if session {
            serde_json::json!([{"start": 340.0, "end": 365.0}])
        } else {
            serde_json::json!([])
        };
        let host = serde_json::json!({"origin": 1_000_000.0, "requests": requests});
        (frame, host)
    }

    #[test]
    fn the_session_request_is_placed_on_the_frames_clock() {
        let (frame, host) = timing(true);
        let timeline = Timeline::from_timing(&frame, Some(&host), 95.0).unwrap();
        let at = |name: &str| {
            timeline
                .milestones
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, at)| *at)
        };
        // The helpdesk page started 300 ms before the frame.
        assert_eq!(at("session requested (Zoho's proxy)"), Some(40.0));
        assert_eq!(at("session answered"), Some(65.0));
        assert_eq!(at("SDK received"), Some(15.0));
        assert_eq!(at("JS received"), Some(17.0));
        assert_eq!(at("name painted"), Some(95.0));
        assert_eq!(at("SDK get asked (last)"), Some(32.0));
        // In the order they happened.
        assert!(timeline.milestones.is_sorted_by(|a, b| a.1 <= b.1));
        let (edge_page, _) = timing(false);
        let without = Timeline::from_timing(&edge_page, None, 95.0).unwrap();
        assert_eq!(without.milestones.len() + 2, timeline.milestones.len());
    }

    #[test]
    fn a_milestone_some_visits_skip_is_the_median_of_those_that_have_it() {
        let (frame, host) = timing(true);
        let (_, no_request) = timing(false);
        let with = Timeline::from_timing(&frame, Some(&host), 95.0).unwrap();
        let without = Timeline::from_timing(&frame, Some(&no_request), 99.0).unwrap();
        let medians = median_milestones(&[&with, &without, &without]);
        let session = medians
            .iter()
            .find(|(name, _, _)| *name == "session answered")
            .unwrap();
        assert_eq!((session.1, session.2), (65.0, 1));
        let painted = medians.last().unwrap();
        assert_eq!((painted.0, painted.1, painted.2), ("name painted", 99.0, 3));
        // In the order the timelines name them.
        assert_eq!(medians[0].0, "HTML received");
    }
}
