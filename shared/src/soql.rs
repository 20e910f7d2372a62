//! SOQL is built only here, so every value that reaches a query is escaped and every name
//! in one is either written in our code (`&'static str`) or validated ([`Ident::parse`]).
//!
//! ```
//! use shared::soql::{Condition, Order, Select};
//! let soql = Select::new("Contact", &["Id", "Name"])
//!     .filter(Condition::in_list("Email", ["a@b.example", "o'hara@c.example"]))
//!     .order_by_field("LastModifiedDate", Order::Desc)
//!     .limit(10)
//!     .build();
//! assert_eq!(
//!     soql,
//!     r"SELECT Id, Name FROM Contact WHERE Email IN ('a@b.example', 'o\'hara@c.example') ORDER BY LastModifiedDate DESC LIMIT 10"
//! );
//! ```

use crate::salesforce::{SfDate, SfDateTime};
use contract::ids::{Email, SfId};
use std::borrow::Cow;
use std::fmt::{self, Write};

/// A string literal for a SOQL `WHERE` clause, quoted and escaped as Salesforce documents:
/// backslash, both quotes and the control characters get a backslash escape.
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    escape_into(&mut out, value, false);
    out.push('\'');
    out
}

/// Escapes `value` for the inside of a string literal; in a `LIKE` pattern, also its
/// wildcards `%` and `_`, so that they match themselves.
fn escape_into(out: &mut String, value: &str, like: bool) {
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
            '%' if like => out.push_str("\\%"),
            '_' if like => out.push_str("\\_"),
            other => out.push(other),
        }
    }
}

/// A name refused as a Salesforce API name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a Salesforce API name")]
pub struct IdentError(pub String);

/// An object, field or relationship name (`Contact`, `Account.Name`, `Foo__c`,
/// `Opportunities`): ASCII letters, digits and underscores, starting with a letter and
/// not ending with an underscore; up to five dot-separated parts for parent fields.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ident(Cow<'static, str>);

fn valid_ident(text: &str) -> bool {
    let parts: Vec<&str> = text.split('.').collect();
    parts.len() <= 6
        && parts.iter().all(|part| {
            part.len() <= 100
                && part.starts_with(|c: char| c.is_ascii_alphabetic())
                && !part.ends_with('_')
                && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
}

impl Ident {
    /// A name from outside our code (a mapping an admin chose, a describe answer).
    pub fn parse(text: &str) -> Result<Self, IdentError> {
        if valid_ident(text) {
            Ok(Ident(Cow::Owned(text.to_owned())))
        } else {
            Err(IdentError(text.to_owned()))
        }
    }

    /// A name written in our code. A malformed one is a bug, caught by any test that
    /// builds the query.
    pub fn from_static(name: &'static str) -> Self {
        assert!(valid_ident(name), "{name:?} is not a Salesforce API name");
        Ident(Cow::Borrowed(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&'static str> for Ident {
    fn from(name: &'static str) -> Self {
        Ident::from_static(name)
    }
}

impl fmt::Display for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ident({})", self.0)
    }
}

/// A relative date range (`LAST_N_DAYS:7`), compared against date and dateTime fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateLiteral {
    Yesterday,
    Today,
    Tomorrow,
    LastNDays(u32),
    NextNDays(u32),
}

impl fmt::Display for DateLiteral {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateLiteral::Yesterday => f.write_str("YESTERDAY"),
            DateLiteral::Today => f.write_str("TODAY"),
            DateLiteral::Tomorrow => f.write_str("TOMORROW"),
            DateLiteral::LastNDays(n) => write!(f, "LAST_N_DAYS:{n}"),
            DateLiteral::NextNDays(n) => write!(f, "NEXT_N_DAYS:{n}"),
        }
    }
}

/// A value on the right of a comparison. Strings are always quoted through [`quote`];
/// every other kind has a fixed, character-safe rendering.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Null,
    Bool(bool),
    Int(i64),
    /// Rendered in plain decimal notation; a non-finite number renders as `null`.
    Decimal(f64),
    Str(String),
    Date(SfDate),
    DateTime(SfDateTime),
    Relative(DateLiteral),
    Like(LikePattern),
}

impl Literal {
    fn render(&self, out: &mut String) {
        match self {
            Literal::Null => out.push_str("null"),
            Literal::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Literal::Int(n) => write!(out, "{n}").expect("writing to a String"),
            Literal::Decimal(x) if x.is_finite() => {
                write!(out, "{x}").expect("writing to a String")
            }
            Literal::Decimal(_) => out.push_str("null"),
            Literal::Str(s) => out.push_str(&quote(s)),
            Literal::Date(d) => write!(out, "{d}").expect("writing to a String"),
            Literal::DateTime(t) => out.push_str(&t.to_soql()),
            Literal::Relative(r) => write!(out, "{r}").expect("writing to a String"),
            Literal::Like(pattern) => {
                out.push('\'');
                out.push_str(&pattern.escaped);
                out.push('\'');
            }
        }
    }
}

macro_rules! literal_from {
    ($($ty:ty => |$v:ident| $make:expr),* $(,)?) => {
        $(impl From<$ty> for Literal {
            fn from($v: $ty) -> Self {
                $make
            }
        })*
    };
}
literal_from! {
    &str => |v| Literal::Str(v.to_owned()),
    String => |v| Literal::Str(v),
    &String => |v| Literal::Str(v.clone()),
    bool => |v| Literal::Bool(v),
    i32 => |v| Literal::Int(v.into()),
    i64 => |v| Literal::Int(v),
    u32 => |v| Literal::Int(v.into()),
    f64 => |v| Literal::Decimal(v),
    SfDate => |v| Literal::Date(v),
    SfDateTime => |v| Literal::DateTime(v),
    DateLiteral => |v| Literal::Relative(v),
    &SfId => |v| Literal::Str(v.as_str().to_owned()),
    SfId => |v| Literal::Str(v.as_str().to_owned()),
    &Email => |v| Literal::Str(v.as_str().to_owned()),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// `LIKE`, with a [`LikePattern`] (see [`Condition::like`]).
    Like,
}

impl Op {
    fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Like => "LIKE",
        }
    }
}

/// A `LIKE` pattern: text that matches itself (its `%` and `_` escaped) with wildcards
/// only where our code puts them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LikePattern {
    /// The escaped inside of the literal, without its quotes.
    escaped: String,
}

impl LikePattern {
    fn around(prefix: &str, text: &str, suffix: &str) -> Self {
        let mut escaped = prefix.to_owned();
        escape_into(&mut escaped, text, true);
        escaped.push_str(suffix);
        LikePattern { escaped }
    }

    /// Matches values equal to `text` (case-insensitively, as SOQL `LIKE` does).
    pub fn exactly(text: &str) -> Self {
        Self::around("", text, "")
    }

    pub fn starts_with(text: &str) -> Self {
        Self::around("", text, "%")
    }

    pub fn ends_with(text: &str) -> Self {
        Self::around("%", text, "")
    }

    pub fn contains(text: &str) -> Self {
        Self::around("%", text, "%")
    }
}

/// A `WHERE` condition tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    Compare {
        field: Ident,
        op: Op,
        value: Literal,
    },
    In {
        field: Ident,
        values: Vec<Literal>,
        negated: bool,
    },
    /// A semi-join: `field IN (SELECT one_field FROM Object WHERE ...)`. Salesforce allows
    /// it on Id and lookup fields, and not under `OR`.
    InSelect {
        field: Ident,
        select: Box<Select>,
    },
    And(Vec<Condition>),
    Or(Vec<Condition>),
    Not(Box<Condition>),
}

impl Condition {
    pub fn compare(field: impl Into<Ident>, op: Op, value: impl Into<Literal>) -> Self {
        Condition::Compare {
            field: field.into(),
            op,
            value: value.into(),
        }
    }

    pub fn eq(field: impl Into<Ident>, value: impl Into<Literal>) -> Self {
        Self::compare(field, Op::Eq, value)
    }

    pub fn ne(field: impl Into<Ident>, value: impl Into<Literal>) -> Self {
        Self::compare(field, Op::Ne, value)
    }

    pub fn lt(field: impl Into<Ident>, value: impl Into<Literal>) -> Self {
        Self::compare(field, Op::Lt, value)
    }

    pub fn le(field: impl Into<Ident>, value: impl Into<Literal>) -> Self {
        Self::compare(field, Op::Le, value)
    }

    pub fn gt(field: impl Into<Ident>, value: impl Into<Literal>) -> Self {
        Self::compare(field, Op::Gt, value)
    }

    pub fn ge(field: impl Into<Ident>, value: impl Into<Literal>) -> Self {
        Self::compare(field, Op::Ge, value)
    }

    pub fn like(field: impl Into<Ident>, pattern: LikePattern) -> Self {
        Self::compare(field, Op::Like, Literal::Like(pattern))
    }

    /// `field IN (...)`. An empty list matches nothing (SOQL has no empty `IN ()`, so it
    /// renders as a condition that no row meets).
    pub fn in_list<V: Into<Literal>>(
        field: impl Into<Ident>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        Condition::In {
            field: field.into(),
            values: values.into_iter().map(Into::into).collect(),
            negated: false,
        }
    }

    /// `field NOT IN (...)`. An empty list matches everything.
    pub fn not_in<V: Into<Literal>>(
        field: impl Into<Ident>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        Condition::In {
            field: field.into(),
            values: values.into_iter().map(Into::into).collect(),
            negated: true,
        }
    }

    /// `field IN (SELECT ...)`: the records whose `field` is among the sub-query's values,
    /// e.g. the accounts of the contacts with an email, in one query.
    pub fn in_select(field: impl Into<Ident>, select: Select) -> Self {
        Condition::InSelect {
            field: field.into(),
            select: Box::new(select),
        }
    }

    pub fn and(conditions: impl IntoIterator<Item = Condition>) -> Self {
        Condition::And(conditions.into_iter().collect())
    }

    pub fn or(conditions: impl IntoIterator<Item = Condition>) -> Self {
        Condition::Or(conditions.into_iter().collect())
    }

    #[allow(clippy::should_implement_trait)] // a constructor, like `and` and `or`
    pub fn not(condition: Condition) -> Self {
        Condition::Not(Box::new(condition))
    }

    fn render(&self, out: &mut String) {
        match self {
            Condition::Compare { field, op, value } => {
                write!(out, "{field} {} ", op.as_str()).expect("writing to a String");
                value.render(out);
            }
            Condition::In {
                field,
                values,
                negated,
            } if values.is_empty() => {
                // Always false (IN) or always true (NOT IN), for any filterable field.
                let joiner = if *negated { "OR" } else { "AND" };
                write!(out, "({field} = null {joiner} {field} != null)")
                    .expect("writing to a String");
            }
            Condition::In {
                field,
                values,
                negated,
            } => {
                let keyword = if *negated { "NOT IN" } else { "IN" };
                write!(out, "{field} {keyword} (").expect("writing to a String");
                for (i, value) in values.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    value.render(out);
                }
                out.push(')');
            }
            Condition::InSelect { field, select } => {
                write!(out, "{field} IN (").expect("writing to a String");
                select.render(out);
                out.push(')');
            }
            Condition::And(parts) => render_group(out, parts, " AND ", "Id != null"),
            Condition::Or(parts) => render_group(out, parts, " OR ", "(Id = null AND Id != null)"),
            Condition::Not(inner) => {
                out.push_str("(NOT ");
                inner.render_nested(out);
                out.push(')');
            }
        }
    }

    /// Renders with parentheses where precedence could otherwise change the meaning.
    fn render_nested(&self, out: &mut String) {
        match self {
            Condition::And(parts) | Condition::Or(parts) if parts.len() > 1 => {
                out.push('(');
                self.render(out);
                out.push(')');
            }
            _ => self.render(out),
        }
    }
}

/// `a AND b AND c`; an empty group is its identity (`AND` of nothing is true, `OR` of
/// nothing is false), written as a condition on `Id`, which every object has.
fn render_group(out: &mut String, parts: &[Condition], joiner: &str, empty: &str) {
    if parts.is_empty() {
        out.push_str(empty);
        return;
    }
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push_str(joiner);
        }
        part.render_nested(out);
    }
}

/// Sort direction for [`Select::order_by_field`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    Asc,
    Desc,
}

#[derive(Debug, Clone, PartialEq)]
enum Item {
    Field(Ident),
    Subquery(Box<Select>),
}

#[derive(Debug, Clone, PartialEq)]
enum OrderItem {
    Clause(&'static str),
    Field(Ident, Order),
}

/// A `SELECT ... FROM ... WHERE ... ORDER BY ... LIMIT ... OFFSET` query whose names are
/// fixed by our code or validated, and whose values always pass through [`quote`].
#[derive(Debug, Clone, PartialEq)]
pub struct Select {
    object: Ident,
    items: Vec<Item>,
    conditions: Vec<Condition>,
    order: Vec<OrderItem>,
    limit: Option<u32>,
    offset: Option<u32>,
}

impl Select {
    pub fn new(object: &'static str, fields: &[&'static str]) -> Self {
        Select::from_object(object).fields(fields.iter().map(|f| Ident::from_static(f)))
    }

    /// A query on `object` (for a child sub-query: the relationship name, such as
    /// `Opportunities`), fields to be added.
    pub fn from_object(object: impl Into<Ident>) -> Self {
        Select {
            object: object.into(),
            items: Vec::new(),
            conditions: Vec::new(),
            order: Vec::new(),
            limit: None,
            offset: None,
        }
    }

    pub fn field(mut self, field: impl Into<Ident>) -> Self {
        self.items.push(Item::Field(field.into()));
        self
    }

    pub fn fields<F: Into<Ident>>(mut self, fields: impl IntoIterator<Item = F>) -> Self {
        self.items
            .extend(fields.into_iter().map(|f| Item::Field(f.into())));
        self
    }

    /// A child relationship sub-query: `(SELECT ... FROM Opportunities ...)`.
    pub fn subquery(mut self, child: Select) -> Self {
        self.items.push(Item::Subquery(Box::new(child)));
        self
    }

    /// Adds a condition; conditions are joined with `AND`.
    pub fn filter(mut self, condition: Condition) -> Self {
        self.conditions.push(condition);
        self
    }

    /// `field = value`; conditions are joined with `AND`.
    pub fn where_eq(self, field: impl Into<Ident>, value: impl Into<Literal>) -> Self {
        self.filter(Condition::eq(field, value))
    }

    pub fn where_in<V: Into<Literal>>(
        self,
        field: impl Into<Ident>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        self.filter(Condition::in_list(field, values))
    }

    /// An `ORDER BY` item written in our code, such as `"LastModifiedDate DESC NULLS LAST"`.
    /// Items accumulate in call order.
    pub fn order_by(mut self, clause: &'static str) -> Self {
        self.order.push(OrderItem::Clause(clause));
        self
    }

    pub fn order_by_field(mut self, field: impl Into<Ident>, order: Order) -> Self {
        self.order.push(OrderItem::Field(field.into(), order));
        self
    }

    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    pub fn offset(mut self, offset: u32) -> Self {
        self.offset = Some(offset);
        self
    }

    pub fn build(&self) -> String {
        let mut soql = String::new();
        self.render(&mut soql);
        soql
    }

    fn render(&self, out: &mut String) {
        out.push_str("SELECT ");
        if self.items.is_empty() {
            out.push_str("Id");
        }
        for (i, item) in self.items.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            match item {
                Item::Field(field) => out.push_str(field.as_str()),
                Item::Subquery(child) => {
                    out.push('(');
                    child.render(out);
                    out.push(')');
                }
            }
        }
        write!(out, " FROM {}", self.object).expect("writing to a String");
        if !self.conditions.is_empty() {
            out.push_str(" WHERE ");
            render_group(out, &self.conditions, " AND ", "Id != null");
        }
        for (i, item) in self.order.iter().enumerate() {
            out.push_str(if i == 0 { " ORDER BY " } else { ", " });
            match item {
                OrderItem::Clause(clause) => out.push_str(clause),
                OrderItem::Field(field, order) => {
                    let direction = match order {
                        Order::Asc => "ASC",
                        Order::Desc => "DESC",
                    };
                    write!(out, "{field} {direction}").expect("writing to a String");
                }
            }
        }
        if let Some(limit) = self.limit {
            write!(out, " LIMIT {limit}").expect("writing to a String");
        }
        if let Some(offset) = self.offset {
            write!(out, " OFFSET {offset}").expect("writing to a String");
        }
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
        assert_eq!(quote("tab\tcr\rbs\u{8}ff\u{c}"), r"'tab\tcr\rbs\bff\f'");
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

    /// Every character of an attack stays inside one literal: after the opening quote, the
    /// first unescaped quote is the very last character of the query.
    #[test]
    fn no_value_can_close_its_literal_early() {
        let attacks = [
            r"' OR Id != null OR Email = '",
            r"\' OR Id != null --",
            r"\\' OR Id != null OR Name = '\\",
            "a@b.co') OR (Name != '",
            "'; DELETE FROM Contact; --",
            "x\u{0}'\n' OR ''='",
            r"%' OR Name LIKE '%",
        ];
        for attack in attacks {
            let soql = Select::new("Contact", &["Id"])
                .where_eq("Email", attack)
                .build();
            let literal = soql
                .strip_prefix("SELECT Id FROM Contact WHERE Email = ")
                .unwrap();
            assert_eq!(
                closing_quote(literal),
                Some(literal.len() - 1),
                "{attack:?}"
            );
        }
        let soql = Select::new("Contact", &["Id"])
            .where_in("Email", attacks)
            .build();
        // Seven literals, each closed exactly where it should be.
        let list = soql
            .strip_prefix("SELECT Id FROM Contact WHERE Email IN (")
            .and_then(|s| s.strip_suffix(')'))
            .unwrap();
        let mut rest = list;
        for _ in attacks {
            let end = closing_quote(rest).unwrap();
            rest = rest[end + 1..].trim_start_matches(", ");
        }
        assert_eq!(rest, "");
    }

    /// The index of the quote that ends the literal starting at `text[0]`.
    fn closing_quote(text: &str) -> Option<usize> {
        let bytes = text.as_bytes();
        assert_eq!(bytes[0], b'\'');
        let mut i = 1;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => i += 2,
                b'\'' => return Some(i),
                _ => i += 1,
            }
        }
        None
    }

    #[test]
    fn semi_joins_render_their_sub_query_with_escaped_values() {
        let soql = Select::new("Account", &["Id"])
            .filter(Condition::in_select(
                "Id",
                Select::new("Contact", &["AccountId"]).where_eq("Email", "o'hara@x.example"),
            ))
            .build();
        assert_eq!(
            soql,
            r"SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE Email = 'o\'hara@x.example')"
        );
    }

    #[test]
    fn builds_every_clause() {
        let soql = Select::new("Contact", &["Id", "Name"])
            .where_eq("Email", "a@b.co")
            .where_eq("LastName", "Lovelace")
            .order_by("LastModifiedDate DESC")
            .limit(5)
            .offset(10)
            .build();
        assert_eq!(
            soql,
            "SELECT Id, Name FROM Contact WHERE Email = 'a@b.co' AND LastName = 'Lovelace' ORDER BY LastModifiedDate DESC LIMIT 5 OFFSET 10"
        );
    }

    #[test]
    fn comparisons_take_typed_literals() {
        let since = SfDateTime::parse("2025-12-16T13:05:30.123+0000").unwrap();
        let soql = Select::new("Contact", &["Id"])
            .filter(Condition::gt("SystemModstamp", since))
            .filter(Condition::le(
                "Birthdate",
                SfDate::parse("2000-01-31").unwrap(),
            ))
            .filter(Condition::ne("HasOptedOutOfEmail", true))
            .filter(Condition::ge("NumberOfEmployees__c", 50))
            .filter(Condition::lt("Score__c", 0.5))
            .filter(Condition::eq("CreatedDate", DateLiteral::LastNDays(7)))
            .filter(Condition::eq("Phone", Literal::Null))
            .build();
        assert_eq!(
            soql,
            "SELECT Id FROM Contact WHERE SystemModstamp > 2025-12-16T13:05:30Z AND Birthdate <= 2000-01-31 \
             AND HasOptedOutOfEmail != true AND NumberOfEmployees__c >= 50 AND Score__c < 0.5 \
             AND CreatedDate = LAST_N_DAYS:7 AND Phone = null"
        );
        let huge = Select::new("Account", &["Id"])
            .filter(Condition::gt("AnnualRevenue", 1e21))
            .filter(Condition::gt("AnnualRevenue", f64::NAN))
            .build();
        assert_eq!(
            huge,
            "SELECT Id FROM Account WHERE AnnualRevenue > 1000000000000000000000 AND AnnualRevenue > null"
        );
    }

    #[test]
    fn in_lists_and_boolean_groups() {
        let id = SfId::parse("003000000000001").unwrap();
        let soql = Select::new("Contact", &["Id"])
            .filter(Condition::or([
                Condition::in_list("Id", [&id]),
                Condition::and([
                    Condition::not_in("LeadSource", ["Web", "Phone"]),
                    Condition::not(Condition::like(
                        "Name",
                        LikePattern::starts_with("50%_o'ff"),
                    )),
                ]),
            ]))
            .build();
        assert_eq!(
            soql,
            r"SELECT Id FROM Contact WHERE (Id IN ('003000000000001AAA') OR (LeadSource NOT IN ('Web', 'Phone') AND (NOT Name LIKE '50\%\_o\'ff%')))"
        );
        let pattern = |p: LikePattern| {
            Select::new("Contact", &["Id"])
                .filter(Condition::like("Email", p))
                .build()
        };
        assert!(pattern(LikePattern::exactly("a_b")).ends_with(r"LIKE 'a\_b'"));
        assert!(pattern(LikePattern::ends_with("@x.co")).ends_with("LIKE '%@x.co'"));
        assert!(pattern(LikePattern::contains(r"\")).ends_with(r"LIKE '%\\%'"));
    }

    #[test]
    fn empty_lists_and_groups_keep_their_meaning() {
        let none: [&str; 0] = [];
        let soql = Select::new("Contact", &["Id"])
            .where_in("Email", none)
            .build();
        assert_eq!(
            soql,
            "SELECT Id FROM Contact WHERE (Email = null AND Email != null)"
        );
        let soql = Select::new("Contact", &["Id"])
            .filter(Condition::not_in("Email", none))
            .filter(Condition::or([]))
            .build();
        assert_eq!(
            soql,
            "SELECT Id FROM Contact WHERE (Email = null OR Email != null) AND (Id = null AND Id != null)"
        );
    }

    #[test]
    fn child_subqueries_nest_with_their_own_clauses() {
        let soql = Select::new("Contact", &["Id", "Account.Name"])
            .subquery(
                Select::new("Opportunities", &["Id", "StageName"])
                    .filter(Condition::eq("IsClosed", false))
                    .order_by_field("CloseDate", Order::Desc)
                    .limit(5),
            )
            .subquery(Select::new("Notes", &["Title"]))
            .where_eq("Email", "a@b.co")
            .build();
        assert_eq!(
            soql,
            "SELECT Id, Account.Name, (SELECT Id, StageName FROM Opportunities WHERE IsClosed = false \
             ORDER BY CloseDate DESC LIMIT 5), (SELECT Title FROM Notes) FROM Contact WHERE Email = 'a@b.co'"
        );
    }

    #[test]
    fn identifiers_are_validated() {
        for good in [
            "Contact",
            "Account.Name",
            "Subscription_Type__c",
            "ns__Thing__r.Name",
        ] {
            assert_eq!(Ident::parse(good).unwrap().as_str(), good);
        }
        for bad in [
            "",
            "Name, (SELECT Id FROM Users)",
            "Id FROM User --",
            "1Name",
            "Name_",
            "Account..Name",
            ".Name",
            "Na me",
            "Name'",
            "Näme",
            "A.B.C.D.E.F.G",
        ] {
            assert!(Ident::parse(bad).is_err(), "{bad:?}");
        }
        let mapped = Ident::parse("Subscription_Type__c").unwrap();
        let soql = Select::from_object(Ident::parse("Contact").unwrap())
            .field("Id")
            .fields([mapped.clone()])
            .where_eq(mapped, "Gold")
            .build();
        assert_eq!(
            soql,
            "SELECT Id, Subscription_Type__c FROM Contact WHERE Subscription_Type__c = 'Gold'"
        );
    }

    #[test]
    #[should_panic(expected = "is not a Salesforce API name")]
    fn a_malformed_static_name_is_caught() {
        Select::new("Contact", &["Id; DROP"]).build();
    }
}

/// Property tests: any string, however hostile, stays one literal and reads back as itself.
#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    /// Reads the SOQL string literal at the start of `text` the way Salesforce does:
    /// the value it denotes and what follows its closing quote; `None` when unterminated
    /// or when it holds an escape Salesforce does not know.
    fn read_literal(text: &str) -> Option<(String, &str)> {
        let mut chars = text.char_indices();
        if chars.next()?.1 != '\'' {
            return None;
        }
        let mut value = String::new();
        while let Some((at, c)) = chars.next() {
            match c {
                '\'' => return Some((value, &text[at + 1..])),
                '\\' => value.push(match chars.next()?.1 {
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    'b' => '\u{8}',
                    'f' => '\u{c}',
                    c @ ('\\' | '\'' | '"' | '%' | '_') => c,
                    _ => return None,
                }),
                c => value.push(c),
            }
        }
        None
    }

    /// Strings weighted towards what breaks quoting: quotes, backslashes, wildcards,
    /// control characters, SOQL keywords, and any Unicode.
    fn hostile() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("'".to_owned()),
            Just("\\".to_owned()),
            Just("\"".to_owned()),
            Just("%".to_owned()),
            Just("_".to_owned()),
            Just(" OR Id != null".to_owned()),
            Just("\n".to_owned()),
            Just("\u{0}".to_owned()),
            Just("😀".to_owned()),
            any::<char>().prop_map(String::from),
            "[a-z@.]{0,4}",
        ];
        prop::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn any_string_round_trips_as_one_literal(value in hostile()) {
            let quoted = quote(&value);
            prop_assert_eq!(read_literal(&quoted), Some((value.clone(), "")));
        }

        #[test]
        fn a_value_never_changes_the_query_around_it(value in hostile(), other in hostile()) {
            let soql = Select::new("Contact", &["Id"])
                .filter(Condition::or([
                    Condition::eq("Email", value.as_str()),
                    Condition::eq("LastName", other.as_str()),
                ]))
                .limit(1)
                .build();
            let rest = soql.strip_prefix("SELECT Id FROM Contact WHERE (Email = ");
            let rest = rest.expect("the query starts as built");
            let (first, rest) = read_literal(rest).expect("the first literal ends");
            prop_assert_eq!(first, value);
            let rest = rest.strip_prefix(" OR LastName = ").expect("the OR survives");
            let (second, rest) = read_literal(rest).expect("the second literal ends");
            prop_assert_eq!(second, other);
            prop_assert_eq!(rest, ") LIMIT 1");
        }

        #[test]
        fn like_patterns_match_their_text_literally(value in hostile()) {
            let soql = Select::new("Account", &["Id"])
                .filter(Condition::like("Name", LikePattern::contains(&value)))
                .build();
            let rest = soql.strip_prefix("SELECT Id FROM Account WHERE Name LIKE ").unwrap();
            let (pattern, rest) = read_literal(rest).expect("the pattern ends");
            prop_assert_eq!(rest, "");
            // Unescaping leaves the text between our two wildcards, and the text's own
            // wildcards were escaped (so read back as themselves above).
            prop_assert_eq!(pattern, format!("%{value}%"));
        }

        #[test]
        fn in_lists_keep_every_value_apart(values in prop::collection::vec(hostile(), 1..8)) {
            let soql = Select::new("Contact", &["Id"])
                .where_in("Email", values.iter().map(String::as_str))
                .build();
            let mut rest = soql
                .strip_prefix("SELECT Id FROM Contact WHERE Email IN (")
                .unwrap();
            for value in &values {
                let (read, after) = read_literal(rest).expect("each literal ends");
                prop_assert_eq!(&read, value);
                rest = after.strip_prefix(", ").unwrap_or(after);
            }
            prop_assert_eq!(rest, ")");
        }

        #[test]
        fn only_plain_names_pass_as_identifiers(text in "\\PC{0,40}|[A-Za-z][A-Za-z0-9_.]{0,30}") {
            if let Ok(ident) = Ident::parse(&text) {
                prop_assert!(ident
                    .as_str()
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.'));
            }
        }
    }
}
