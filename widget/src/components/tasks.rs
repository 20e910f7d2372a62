//! The record's tasks section: open ones by due date, overdue marked, then completed.

use super::format::{CalendarDate, Now, due_label};
use super::item_row::{Part, Row};
use super::section::{Group, SectionData, SectionView};
use contract::api::TaskSummary;
use leptos::prelude::*;

/// The record's tasks (`data-testid="section-tasks"`).
#[component]
pub fn TasksSection(tasks: Vec<TaskSummary>, now: Now) -> impl IntoView {
    view! { <SectionView section=tasks_section(tasks, now) /> }
}

/// Open tasks first (by due date), then completed ones. Each (`data-testid="task"`) shows
/// subject, status, a priority badge and the due date; `data-status` is `open`, `overdue`
/// (open and past its due date, highlighted) or `completed`.
pub fn tasks_section(tasks: Vec<TaskSummary>, now: Now) -> SectionData {
    let count = tasks.len();
    let (mut rows, done): (Vec<_>, Vec<_>) = tasks
        .into_iter()
        .map(|task| task_row(task, now.today))
        .partition(|row| row.status != "completed");
    rows.extend(done);
    SectionData {
        key: "tasks",
        title: "Tasks",
        count,
        groups: vec![Group::shown(rows, "No tasks")],
    }
}

/// Salesforce's closed task status.
pub fn is_completed(task: &TaskSummary) -> bool {
    task.status
        .as_deref()
        .is_some_and(|status| status.trim().eq_ignore_ascii_case("completed"))
}

/// An open task whose due date has passed.
pub fn is_overdue(task: &TaskSummary, today: CalendarDate) -> bool {
    !is_completed(task)
        && task
            .due_date
            .as_deref()
            .and_then(CalendarDate::parse)
            .is_some_and(|due| due < today)
}

/// A task as a row: subject, priority; status, due date (and "Overdue").
pub fn task_row(task: TaskSummary, today: CalendarDate) -> Row {
    let status = if is_completed(&task) {
        "completed"
    } else if is_overdue(&task, today) {
        "overdue"
    } else {
        "open"
    };
    let TaskSummary {
        id,
        subject,
        status: task_status,
        priority,
        due_date,
        url,
    } = task;
    let mut parts = Vec::new();
    if let Some(task_status) = task_status.filter(|s| !s.trim().is_empty()) {
        parts.push(Part::new("meta-part", "task-status", task_status));
    }
    if let Some(due) = due_date.as_deref().and_then(CalendarDate::parse) {
        parts.push(Part::new(
            "meta-part due",
            "task-due",
            due_label(due, today),
        ));
    }
    if status == "overdue" {
        parts.push(Part::new("overdue-flag", "task-overdue", "Overdue"));
    }
    Row {
        kind: "task",
        status,
        id: id.to_string(),
        title: subject,
        url,
        aside: priority
            .map(|priority| priority.trim().to_owned())
            .filter(|priority| !priority.is_empty())
            .map(|priority| {
                let level: String = priority
                    .chars()
                    .map(|c| match c {
                        ' ' => '-',
                        c => c.to_ascii_lowercase(),
                    })
                    .collect();
                Part::new(format!("badge priority-{level}"), "task-priority", priority)
                    .titled("Priority")
            }),
        body: None,
        lines: vec![parts],
    }
}
