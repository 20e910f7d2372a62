//! [`Sql`] over rusqlite, for native tests and tools (feature `native`).

use super::{Sql, SqlError, SqlValue};
use rusqlite::types::{Value, ValueRef};

pub struct NativeSql {
    connection: rusqlite::Connection,
}

impl NativeSql {
    pub fn in_memory() -> Self {
        NativeSql {
            connection: rusqlite::Connection::open_in_memory().expect("SQLite opens in memory"),
        }
    }

    /// A database file, written ahead-of-log and synced at checkpoints rather than at
    /// every statement, much as a Durable Object commits its writes in batches.
    pub fn open(path: &std::path::Path) -> Result<Self, SqlError> {
        let connection = rusqlite::Connection::open(path).map_err(fail)?;
        connection
            .execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
            .map_err(fail)?;
        Ok(NativeSql { connection })
    }
}

fn fail(error: rusqlite::Error) -> SqlError {
    SqlError(error.to_string())
}

fn to_sqlite(value: &SqlValue) -> Value {
    match value {
        SqlValue::Null => Value::Null,
        SqlValue::Integer(n) => Value::Integer(*n),
        SqlValue::Real(f) => Value::Real(*f),
        SqlValue::Text(text) => Value::Text(text.clone()),
    }
}

fn from_sqlite(value: ValueRef<'_>) -> SqlValue {
    match value {
        ValueRef::Null => SqlValue::Null,
        ValueRef::Integer(n) => SqlValue::Integer(n),
        ValueRef::Real(f) => SqlValue::Real(f),
        ValueRef::Text(bytes) | ValueRef::Blob(bytes) => {
            SqlValue::Text(String::from_utf8_lossy(bytes).into_owned())
        }
    }
}

impl Sql for NativeSql {
    fn execute(&self, sql: &str, params: &[SqlValue]) -> Result<(), SqlError> {
        let params: Vec<Value> = params.iter().map(to_sqlite).collect();
        self.connection
            .prepare_cached(sql)
            .and_then(|mut statement| statement.execute(rusqlite::params_from_iter(params)))
            .map(drop)
            .map_err(fail)
    }

    fn query(&self, sql: &str, params: &[SqlValue]) -> Result<Vec<Vec<SqlValue>>, SqlError> {
        let params: Vec<Value> = params.iter().map(to_sqlite).collect();
        let mut statement = self.connection.prepare_cached(sql).map_err(fail)?;
        let columns = statement.column_count();
        let rows = statement
            .query_map(rusqlite::params_from_iter(params), |row| {
                (0..columns)
                    .map(|i| row.get_ref(i).map(from_sqlite))
                    .collect()
            })
            .map_err(fail)?;
        rows.collect::<Result<_, _>>().map_err(fail)
    }
}
