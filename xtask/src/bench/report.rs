//! BENCHMARKS.md, as `cargo xtask chaos` writes RELIABILITY.md: the date, the machine,
//! and every target's figures with the command that reproduces them.

use super::Figure;

/// One target's run.
pub struct Section {
    pub target: &'static str,
    /// When it started.
    pub date: String,
    pub seconds: u64,
    pub outcome: Result<Vec<Figure>, String>,
}

/// A target's figures as a Markdown table (or why it has none).
pub fn section_table(section: &Section) -> String {
    let cell = |text: &str| text.replace('|', "\\|").replace('\n', " ");
    let mut out = format!(
        "`cargo xtask bench {}` ({} min {} s, {})\n\n",
        section.target,
        section.seconds / 60,
        section.seconds % 60,
        section.date,
    );
    match &section.outcome {
        Ok(figures) => {
            out.push_str("| figure | measured | target |\n|---|---:|---|\n");
            for figure in figures {
                out.push_str(&format!(
                    "| {} | {} | {} |\n",
                    cell(&figure.name),
                    cell(&figure.value),
                    cell(figure.target)
                ));
            }
        }
        Err(error) => out.push_str(&format!("Did not finish: {}\n", cell(error))),
    }
    out
}

pub fn write(sections: &[Section], seconds: u64) -> String {
    let mut out = format!(
        "# Benchmarks\n\n\
         Produced by `cargo xtask bench` (every target; `cargo xtask bench <target>` runs one). \
         Rerun it to refresh this file. Benchmarks report; they never fail on a number. \
         Targets are issue 17's.\n\n\
         - date: {}\n\
         - machine: {}\n\
         - run time: {} min {} s\n\
         - the machine is shared: figures taken while other work compiles are noisy, and \
         the sandbox org, the sandbox helpdesk, the edge and the benchmark itself share its \
         cores.\n\n",
        today(),
        crate::chaos::machine(),
        seconds / 60,
        seconds % 60,
    );
    for section in sections {
        out.push_str(&heading(section.target));
        out.push_str(&section_table(section));
        out.push('\n');
    }
    out.push_str(NOTES);
    out
}

pub fn today() -> String {
    crate::chaos::command_output("date", &["-u", "+%Y-%m-%d %H:%M UTC"])
}

fn heading(target: &str) -> String {
    format!("## {target}\n\n")
}

/// `report` with one target's section replaced by a newer run's (`cargo xtask bench
/// <target>`); `None` when the report has no such section.
pub fn refresh(report: &str, section: &Section) -> Option<String> {
    let start = report.find(&heading(section.target))? + heading(section.target).len();
    let end = start + report[start..].find("\n## ")? + 1;
    Some(format!(
        "{}{}\n{}",
        &report[..start],
        section_table(section),
        &report[end..]
    ))
}

/// What was changed to reach the figures, and what the runs showed.
const NOTES: &str = "## Notes\n\n\
- **Sockets under `wrangler dev`.** The full size used to die with `Too many open files`. \
  The cause is wrangler's inspector proxy (`InspectorProxyWorker`): it enables the runtime's \
  DevTools `Network` domain whether or not a debugger is attached and forwards every event \
  (two or three per outgoing `fetch`) to wrangler's Node process as a request of its own, \
  each on a new loopback connection that Node keeps for 5 s; at hundreds of calls a second \
  that is thousands of sockets (two descriptors each) in workerd and in Node, and without a \
  debugger the events also pile up in the proxy (workers-sdk issue 14191). Neither our \
  sandbox's serving nor the edge's `fetch` is involved: `xtask/src/bench/repro/` shows it \
  with a ten-line Worker and a plain HTTP server. The workaround (`tests/src/inspector.rs`): \
  the stack attaches to wrangler's inspector as DevTools would and sends `Network.disable`; \
  2,000 fetches then hold no extra socket, and take 0.6 s instead of 5.3 s.\n\
- **Helpdesk credits** are read from the sandbox's `GET /__sandbox/credits` under Zoho's \
  Professional plan with 10 agents (80,000 credits a day, of which the sync takes 80%): the \
  minimum counts a list page (100 records) as 3 credits, a write, a look at an import or its \
  mapping as 1, and an import (up to 5,000 new records) as a credit per 2 records, as the \
  sandbox charges them.\n\
- **Peers** read the same SOQL (`SELECT Id, FirstName, LastName, Email, Phone, Title, \
  AccountId, SystemModstamp FROM Contact`) from the same org, each in a process of its own, \
  every reader once per round in turn (best of five rounds). Ours is \
  `xtask/src/bench/peers/read_ours`, built with the release profile the edge ships with; \
  the peers run on Node and CPython as their users run them. simple-salesforce speaks only \
  HTTPS, so it reads the org's HTTPS port; jsforce reads it over both, which shows what TLS \
  costs; our client reads over HTTP (the workspace's reqwest has no TLS; the edge's `fetch` \
  does it in production). On the wire, jsforce and simple-salesforce ask for \
  `Accept-Encoding: gzip, deflate` and ours natively for none; the sandbox answers all three \
  uncompressed, as Salesforce may (it compresses only when asked, usually but not always \
  then: REST API Developer Guide, \"Compression Headers\"), so all three read the same \
  bytes; none sends `Sforce-Query-Options` (pages of 2,000, the default) and all keep their \
  connection alive. What differs is the walk: our client asks for each next page as soon as \
  a page arrives, before decoding it (the page's `nextRecordsUrl` comes before its \
  records), while jsforce and simple-salesforce decode a page before asking for the next, \
  leaving the org idle meanwhile.\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_section_is_a_table_or_its_error() {
        let measured = Section {
            target: "peers",
            date: "today".into(),
            seconds: 75,
            outcome: Ok(vec![
                Figure::new("read | all", "1.0 s").target("ratio < 1.0"),
            ]),
        };
        let table = section_table(&measured);
        assert!(table.starts_with("`cargo xtask bench peers` (1 min 15 s, today)"));
        assert!(
            table.contains("| read \\| all | 1.0 s | ratio < 1.0 |"),
            "{table}"
        );

        let failed = Section {
            target: "sync",
            date: "today".into(),
            seconds: 3,
            outcome: Err("the sync stopped".into()),
        };
        assert!(section_table(&failed).contains("Did not finish: the sync stopped"));

        let report = write(&[measured, failed], 78);
        let rerun = Section {
            target: "peers",
            date: "today".into(),
            seconds: 9,
            outcome: Ok(vec![Figure::new("read", "0.5 s")]),
        };
        let refreshed = refresh(&report, &rerun).unwrap();
        assert!(refreshed.contains("| read | 0.5 s | - |"));
        assert!(!refreshed.contains("1.0 s"));
        assert!(refreshed.contains("## sync\n\n`cargo xtask bench sync` (0 min 3 s"));
        assert!(refreshed.ends_with(NOTES));
        let unknown = Section {
            target: "nothing",
            ..rerun
        };
        assert!(refresh(&report, &unknown).is_none());
    }
}
