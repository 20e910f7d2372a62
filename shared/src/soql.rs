//! SOQL is built only here, so every value that reaches a query is escaped.

/// A string literal for a SOQL `WHERE` clause, quoted and escaped as Salesforce documents:
/// backslash, both quotes and the control characters get a backslash escape.
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            other => out.push(other),
        }
    }
    out.push('\'');
    out
}

/// A `SELECT ... FROM ... WHERE ... LIMIT` query whose field and object names are fixed
/// by our code and whose values always pass through [`quote`].
#[derive(Debug, Clone)]
pub struct Select {
    fields: Vec<&'static str>,
    object: &'static str,
    conditions: Vec<String>,
    order_by: Option<&'static str>,
    limit: Option<u32>,
}

impl Select {
    pub fn new(object: &'static str, fields: &[&'static str]) -> Self {
        Select {
            fields: fields.to_vec(),
            object,
            conditions: Vec::new(),
            order_by: None,
            limit: None,
        }
    }

    /// `field = 'value'`; conditions are joined with `AND`.
    pub fn where_eq(mut self, field: &'static str, value: &str) -> Self {
        self.conditions.push(format!("{field} = {}", quote(value)));
        self
    }

    pub fn order_by(mut self, clause: &'static str) -> Self {
        self.order_by = Some(clause);
        self
    }

    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    pub fn build(&self) -> String {
        let mut soql = format!("SELECT {} FROM {}", self.fields.join(", "), self.object);
        if !self.conditions.is_empty() {
            soql.push_str(" WHERE ");
            soql.push_str(&self.conditions.join(" AND "));
        }
        if let Some(order) = self.order_by {
            soql.push_str(" ORDER BY ");
            soql.push_str(order);
        }
        if let Some(limit) = self.limit {
            soql.push_str(&format!(" LIMIT {limit}"));
        }
        soql
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_backslashes_are_escaped() {
        assert_eq!(quote("o'brien@example.com"), r"'o\'brien@example.com'");
        assert_eq!(quote(r"a\b"), r"'a\\b'");
        assert_eq!(quote("say \"hi\"\n"), r#"'say \"hi\"\n'"#);
    }

    #[test]
    fn injection_attempt_stays_inside_the_literal() {
        let soql = Select::new("Contact", &["Id"])
            .where_eq("Email", "x' OR Name != '")
            .build();
        assert_eq!(
            soql,
            r"SELECT Id FROM Contact WHERE Email = 'x\' OR Name != \''"
        );
    }

    #[test]
    fn builds_every_clause() {
        let soql = Select::new("Contact", &["Id", "Name"])
            .where_eq("Email", "a@b.co")
            .where_eq("LastName", "Lovelace")
            .order_by("LastModifiedDate DESC")
            .limit(5)
            .build();
        assert_eq!(
            soql,
            "SELECT Id, Name FROM Contact WHERE Email = 'a@b.co' AND LastName = 'Lovelace' ORDER BY LastModifiedDate DESC LIMIT 5"
        );
    }
}
