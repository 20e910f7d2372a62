//! Reading Salesforce's changes by `SystemModstamp`, one bounded step at a time.
//!
//! `SystemModstamp` is set on every write to a record, by a user or by an automated
//! process ("System Fields", Object Reference:
//! <https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/system_fields.htm>),
//! and it is indexed, unlike `LastModifiedDate` ("Force.com SOQL Performance Tips:
//! LastModifiedDate vs SystemModStamp", Salesforce Engineering). A query on it reaches any
//! distance back, unlike `/sobjects/{Type}/updated`, which refuses a start more than 30
//! days ago ("Get Updated Records", REST API Developer Guide:
//! <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_getupdated.htm>):
//! after a long pause the catch-up would be refused for ever.
//!
//! The walk is keyset-paged by (`SystemModstamp`, `Id`), so a data load of a hundred
//! thousand changes proceeds step by step and a step can be redone after any restart.
//! SOQL datetime literals are whole seconds ("Date Formats and Date Literals", SOQL and
//! SOSL Reference), while `SystemModstamp` holds milliseconds (and whether a comparison
//! counts them is not documented), so the key is the second, not the instant: a
//! [`Position`] is "every change before this second was read", or "and, within this
//! second, every change up to this `Id`". Within a second the changes are read in `Id`
//! order, since their order by `SystemModstamp` there is not one a whole-second literal
//! can resume.

use crate::salesforce::SfDateTime;
use crate::soql::{Condition, Order, Select};
use contract::ids::SfId;

const SECOND_MS: i64 = 1000;

fn second_of(ms: i64) -> i64 {
    ms.div_euclid(SECOND_MS) * SECOND_MS
}

/// Where a walk over one object's changes goes on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Position {
    /// Every change before this second (Unix milliseconds, whole seconds) was read.
    From(i64),
    /// Every change before this second was read, and those of the second itself up to
    /// `after` in `Id` order (`None`: none of them yet).
    Within { second_ms: i64, after: Option<SfId> },
}

/// What one step of the walk read, as the engine applies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// How many of the rows read, in order, to apply now (the rest are read again later).
    pub apply: usize,
    /// Where the next step goes on; `None` once every change was read.
    pub next: Option<Position>,
}

impl Position {
    /// The start of a walk over changes made at or after `since_ms`.
    pub fn since(since_ms: i64) -> Self {
        Position::From(second_of(since_ms))
    }

    /// The query of the step at this position, reading at most `limit` rows of `select`.
    pub fn query(&self, select: Select, limit: u32) -> Select {
        let at = |ms: i64| SfDateTime::from_unix_millis(ms);
        match self {
            Position::From(second_ms) => select
                .filter(Condition::ge("SystemModstamp", at(*second_ms)))
                .order_by("SystemModstamp, Id"),
            Position::Within { second_ms, after } => {
                // `>=` and `<` bound the second whether or not milliseconds are compared.
                let select = select
                    .filter(Condition::ge("SystemModstamp", at(*second_ms)))
                    .filter(Condition::lt("SystemModstamp", at(second_ms + SECOND_MS)));
                match after {
                    Some(id) => select.filter(Condition::gt("Id", id)),
                    None => select,
                }
                .order_by_field("Id", Order::Asc)
            }
        }
        .limit(limit)
    }

    /// What to apply of the rows a step read (each row's `SystemModstamp` in Unix
    /// milliseconds and its `Id`, in the query's order), and where to go on. `limit` is
    /// the query's: fewer rows means the walk reached the end of what it reads.
    pub fn step(&self, rows: &[(i64, SfId)], limit: u32) -> Step {
        let full = rows.len() >= limit as usize;
        match self {
            Position::Within { second_ms, .. } => Step {
                apply: rows.len(),
                next: Some(match rows.last() {
                    Some((_, id)) if full => Position::Within {
                        second_ms: *second_ms,
                        after: Some(id.clone()),
                    },
                    _ => Position::From(second_ms + SECOND_MS),
                }),
            },
            Position::From(_) if !full => Step {
                apply: rows.len(),
                next: None,
            },
            Position::From(_) => {
                // The last second read may go on past this page, in an order that cannot
                // be resumed: its rows are read again, by `Id`, from the start of it.
                let last_second = rows.last().map_or(0, |(ms, _)| second_of(*ms));
                Step {
                    apply: rows
                        .iter()
                        .take_while(|(ms, _)| second_of(*ms) < last_second)
                        .count(),
                    next: Some(Position::Within {
                        second_ms: last_second,
                        after: None,
                    }),
                }
            }
        }
    }

    /// The position as the engine stores it between steps.
    pub fn encode(&self) -> String {
        match self {
            Position::From(second_ms) => format!("from:{second_ms}"),
            Position::Within {
                second_ms,
                after: None,
            } => format!("within:{second_ms}"),
            Position::Within {
                second_ms,
                after: Some(id),
            } => format!("within:{second_ms}:{id}"),
        }
    }

    /// A stored position; `None` if it is not one this module wrote.
    pub fn decode(text: &str) -> Option<Self> {
        let mut parts = text.split(':');
        let kind = parts.next()?;
        let second_ms: i64 = parts.next()?.parse().ok()?;
        let after = parts.next().map(SfId::parse).transpose().ok()?;
        if parts.next().is_some() || second_of(second_ms) != second_ms {
            return None;
        }
        match (kind, after) {
            ("from", None) => Some(Position::From(second_ms)),
            ("within", after) => Some(Position::Within { second_ms, after }),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u64) -> SfId {
        SfId::from_parts("003", "5g", n).unwrap()
    }

    /// 2026-01-01T00:00:00Z.
    const T: i64 = 1_767_225_600_000;

    fn soql(position: &Position) -> String {
        position
            .query(Select::new("Contact", &["Id", "SystemModstamp"]), 200)
            .build()
    }

    #[test]
    fn a_walk_starts_at_the_whole_second_and_reads_in_modstamp_order() {
        let start = Position::since(T + 1_500);
        assert_eq!(start, Position::From(T + 1_000));
        assert_eq!(
            soql(&start),
            "SELECT Id, SystemModstamp FROM Contact WHERE SystemModstamp >= 2026-01-01T00:00:01Z \
             ORDER BY SystemModstamp, Id LIMIT 200"
        );
    }

    #[test]
    fn within_a_second_the_walk_goes_on_by_id() {
        let position = Position::Within {
            second_ms: T,
            after: Some(id(7)),
        };
        assert_eq!(
            soql(&position),
            format!(
                "SELECT Id, SystemModstamp FROM Contact WHERE SystemModstamp >= 2026-01-01T00:00:00Z \
                 AND SystemModstamp < 2026-01-01T00:00:01Z AND Id > '{}' ORDER BY Id ASC LIMIT 200",
                id(7)
            )
        );
        let start_of_second = Position::Within {
            second_ms: T,
            after: None,
        };
        assert!(!soql(&start_of_second).contains("Id >"));
    }

    #[test]
    fn a_short_page_ends_the_walk() {
        let rows = [(T + 5, id(1)), (T + 2_000, id(2))];
        assert_eq!(
            Position::From(T).step(&rows, 3),
            Step {
                apply: 2,
                next: None
            }
        );
    }

    #[test]
    fn a_full_page_applies_the_complete_seconds_and_reads_the_last_one_again_by_id() {
        let rows = [(T + 5, id(9)), (T + 900, id(1)), (T + 1_100, id(3))];
        assert_eq!(
            Position::From(T).step(&rows, 3),
            Step {
                apply: 2,
                next: Some(Position::Within {
                    second_ms: T + 1_000,
                    after: None
                })
            }
        );
    }

    #[test]
    fn a_full_page_of_one_second_moves_into_it_without_applying() {
        let rows = [(T + 5, id(9)), (T + 6, id(1))];
        assert_eq!(
            Position::From(T).step(&rows, 2),
            Step {
                apply: 0,
                next: Some(Position::Within {
                    second_ms: T,
                    after: None
                })
            }
        );
    }

    #[test]
    fn a_busy_second_is_read_by_id_and_then_left() {
        let within = Position::Within {
            second_ms: T,
            after: None,
        };
        let full = [(T + 5, id(1)), (T + 3, id(2))];
        assert_eq!(
            within.step(&full, 2),
            Step {
                apply: 2,
                next: Some(Position::Within {
                    second_ms: T,
                    after: Some(id(2))
                })
            }
        );
        assert_eq!(
            within.step(&full[..1], 2),
            Step {
                apply: 1,
                next: Some(Position::From(T + 1_000))
            }
        );
    }

    /// Whatever the order within a second, a walk over a data load reads every change
    /// exactly once, in bounded steps.
    #[test]
    fn a_walk_over_a_data_load_applies_every_change_once() {
        // 1,000 changes in three seconds, 700 of them in the same second, with the
        // milliseconds running against the ids.
        let mut changes: Vec<(i64, SfId)> = (0..1_000u64)
            .map(|n| {
                let second = match n {
                    0..150 => 0,
                    150..850 => 1,
                    _ => 2,
                };
                (
                    T + second * 1_000 + (999 - (n % 1_000) as i64) % 1_000,
                    id(n + 1),
                )
            })
            .collect();
        let limit = 200;
        let mut position = Position::since(T - 60_000);
        let mut applied = Vec::new();
        let mut steps = 0;
        loop {
            steps += 1;
            assert!(steps < 50, "the walk does not end");
            let rows = read(&mut changes, &position, limit);
            let step = position.step(&rows, limit);
            applied.extend(rows[..step.apply].iter().map(|(_, id)| id.clone()));
            match step.next {
                Some(next) => position = Position::decode(&next.encode()).unwrap(),
                None => break,
            }
        }
        applied.sort();
        let mut expected: Vec<SfId> = changes.iter().map(|(_, id)| id.clone()).collect();
        expected.sort();
        assert_eq!(applied, expected);
        assert!(steps <= 1_000 / 200 + 4, "{steps} steps");
    }

    /// What the query at `position` answers over `changes`.
    fn read(changes: &mut [(i64, SfId)], position: &Position, limit: u32) -> Vec<(i64, SfId)> {
        let wanted = |(ms, id): &(i64, SfId)| match position {
            Position::From(second_ms) => ms >= second_ms,
            Position::Within { second_ms, after } => {
                second_of(*ms) == *second_ms && after.as_ref().is_none_or(|a| id > a)
            }
        };
        match position {
            Position::From(_) => changes.sort(),
            Position::Within { .. } => changes.sort_by(|a, b| a.1.cmp(&b.1)),
        }
        changes
            .iter()
            .filter(|c| wanted(c))
            .take(limit as usize)
            .cloned()
            .collect()
    }

    #[test]
    fn positions_survive_storage_and_foreign_text_is_refused() {
        for position in [
            Position::From(T),
            Position::Within {
                second_ms: T,
                after: None,
            },
            Position::Within {
                second_ms: T,
                after: Some(id(4)),
            },
        ] {
            assert_eq!(Position::decode(&position.encode()), Some(position));
        }
        for foreign in [
            "",
            "from",
            "from:x",
            "from:1500",
            "within:1000:nope",
            "to:1000",
        ] {
            assert_eq!(Position::decode(foreign), None, "{foreign}");
        }
    }
}
