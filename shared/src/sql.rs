//! The storage seam: a small SQL interface that the Durable Object's SQLite and native
//! SQLite (rusqlite, feature `native`) both implement, so the sync engine's storage code
//! is written once.

#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
}

impl SqlValue {
    pub fn as_text(&self) -> Option<&str> {
        match self {
            SqlValue::Text(text) => Some(text),
            _ => None,
        }
    }

    pub fn as_integer(&self) -> Option<i64> {
        match self {
            SqlValue::Integer(n) => Some(*n),
            SqlValue::Real(f) if f.fract() == 0.0 => Some(*f as i64),
            _ => None,
        }
    }
}

impl From<&str> for SqlValue {
    fn from(text: &str) -> Self {
        SqlValue::Text(text.to_owned())
    }
}

impl From<String> for SqlValue {
    fn from(text: String) -> Self {
        SqlValue::Text(text)
    }
}

impl From<i64> for SqlValue {
    fn from(n: i64) -> Self {
        SqlValue::Integer(n)
    }
}

impl<T: Into<SqlValue>> From<Option<T>> for SqlValue {
    fn from(value: Option<T>) -> Self {
        value.map_or(SqlValue::Null, Into::into)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("storage: {0}")]
pub struct SqlError(pub String);

/// Rows come back as values in column order.
pub trait Sql {
    fn execute(&self, sql: &str, params: &[SqlValue]) -> Result<(), SqlError>;
    fn query(&self, sql: &str, params: &[SqlValue]) -> Result<Vec<Vec<SqlValue>>, SqlError>;
}

/// Applies the not-yet-applied entries of an append-only migration list (statements
/// separated by `;`, so none may contain one), tracking the
/// version under `name` so several lists can share one database.
pub fn migrate(sql: &impl Sql, name: &str, migrations: &[&str]) -> Result<(), SqlError> {
    sql.execute("CREATE TABLE IF NOT EXISTS schema_versions (name TEXT PRIMARY KEY, version INTEGER NOT NULL)", &[])?;
    let current = sql
        .query(
            "SELECT version FROM schema_versions WHERE name = ?",
            &[name.into()],
        )?
        .first()
        .and_then(|row| row.first()?.as_integer())
        .unwrap_or(0);
    for (index, migration) in migrations.iter().enumerate().skip(current as usize) {
        for statement in migration
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            sql.execute(statement, &[])?;
        }
        sql.execute(
            "INSERT INTO schema_versions (name, version) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET version = excluded.version",
            &[name.into(), (index as i64 + 1).into()],
        )?;
    }
    Ok(())
}

#[cfg(feature = "native")]
mod native;
#[cfg(feature = "native")]
pub use native::NativeSql;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_apply_once_and_in_order() {
        let sql = rusqlite_backed();
        let first = [
            "CREATE TABLE a (x INTEGER)",
            "CREATE TABLE b (y TEXT); INSERT INTO b VALUES ('one')",
        ];
        migrate(&sql, "test", &first).unwrap();
        migrate(&sql, "test", &first).unwrap();
        assert_eq!(
            sql.query("SELECT count(*) FROM b", &[]).unwrap(),
            vec![vec![SqlValue::Integer(1)]]
        );
        // A later list with one more entry applies only the new one.
        migrate(
            &sql,
            "test",
            &[first[0], first[1], "INSERT INTO b VALUES ('two')"],
        )
        .unwrap();
        assert_eq!(
            sql.query("SELECT count(*) FROM b", &[]).unwrap(),
            vec![vec![SqlValue::Integer(2)]]
        );
        // Another list keeps its own version.
        migrate(&sql, "other", &["CREATE TABLE c (z INTEGER)"]).unwrap();
        assert_eq!(
            sql.query(
                "SELECT version FROM schema_versions WHERE name = 'test'",
                &[]
            )
            .unwrap(),
            vec![vec![SqlValue::Integer(3)]]
        );
    }

    fn rusqlite_backed() -> NativeSql {
        NativeSql::in_memory()
    }
}
