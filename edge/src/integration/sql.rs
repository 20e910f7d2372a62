//! The Durable Object's SQLite behind `shared`'s [`Sql`] seam, so storage code written
//! once in `shared` (the sync store) runs here unchanged.

use shared::sql::{Sql, SqlError, SqlValue};
use worker::{SqlStorage, SqlStorageValue};

pub struct DurableSql(pub SqlStorage);

fn to_storage(value: &SqlValue) -> SqlStorageValue {
    match value {
        SqlValue::Null => SqlStorageValue::Null,
        SqlValue::Integer(n) => SqlStorageValue::Integer(*n),
        SqlValue::Real(f) => SqlStorageValue::Float(*f),
        SqlValue::Text(text) => SqlStorageValue::String(text.clone()),
    }
}

fn from_storage(value: SqlStorageValue) -> SqlValue {
    match value {
        SqlStorageValue::Null => SqlValue::Null,
        SqlStorageValue::Boolean(b) => SqlValue::Integer(i64::from(b)),
        SqlStorageValue::Integer(n) => SqlValue::Integer(n),
        SqlStorageValue::Float(f) => SqlValue::Real(f),
        SqlStorageValue::String(text) => SqlValue::Text(text),
        SqlStorageValue::Blob(bytes) => {
            SqlValue::Text(String::from_utf8_lossy(&bytes).into_owned())
        }
    }
}

fn fail(error: worker::Error) -> SqlError {
    SqlError(error.to_string())
}

impl Sql for DurableSql {
    fn execute(&self, sql: &str, params: &[SqlValue]) -> Result<(), SqlError> {
        self.0
            .exec(sql, params.iter().map(to_storage).collect::<Vec<_>>())
            .map(drop)
            .map_err(fail)
    }

    fn query(&self, sql: &str, params: &[SqlValue]) -> Result<Vec<Vec<SqlValue>>, SqlError> {
        let cursor = self
            .0
            .exec(sql, params.iter().map(to_storage).collect::<Vec<_>>())
            .map_err(fail)?;
        cursor
            .raw()
            .map(|row| {
                row.map(|values| values.into_iter().map(from_storage).collect())
                    .map_err(fail)
            })
            .collect()
    }
}
