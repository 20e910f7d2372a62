//! A SOQL parser for the subset the sandbox evaluates:
//!
//! ```text
//! SELECT item, ... FROM Object
//!   [WHERE condition] [ORDER BY path [ASC|DESC] [NULLS FIRST|LAST], ...]
//!   [LIMIT n] [OFFSET n]
//! ```
//!
//! An item is a field path (`Email`, `Account.Name`), a child sub-query
//! (`(SELECT Id, Name FROM Opportunities WHERE ... ORDER BY ... LIMIT n)`), `COUNT()` on
//! its own, or `COUNT(field) [alias]`.
//!
//! Conditions compare a field path with a literal (`=`, `!=`, `<>`, `<`, `<=`, `>`, `>=`,
//! `LIKE`, `IN`, `NOT IN`, and semi-joins `Id IN (SELECT AccountId FROM Contact ...)`),
//! combine with `AND`/`OR`/`NOT` and parentheses. As in real
//! SOQL, mixing `AND` and `OR` at one level without parentheses is an error. String
//! literals take Salesforce's backslash escapes, so an escaped quote never ends one.
//! Literals also include date literals (`TODAY`, `LAST_N_DAYS:7`, `THIS_MONTH`, ...).
//!
//! Errors carry the byte offset they point at; [`SoqlError::message`] renders them the
//! way Salesforce does (the query line, a caret, `ERROR at Row:r:Column:c`).

use crate::clock;

#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub select: Vec<SelectItem>,
    pub from: Name,
    pub filter: Option<Condition>,
    pub order_by: Vec<OrderBy>,
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

/// One element of the SELECT list.
#[derive(Debug, Clone, PartialEq)]
pub enum SelectItem {
    Field(Path),
    /// `(SELECT ... FROM <child relationship>)`; `at` is the opening parenthesis.
    SubQuery {
        query: Box<Query>,
        at: usize,
    },
    /// `COUNT()`: the answer is the number of rows, with no records.
    CountRows {
        at: usize,
    },
    /// `COUNT(field) [alias]`: one aggregate row.
    CountField {
        path: Path,
        alias: Option<String>,
        at: usize,
    },
}

/// An identifier as written, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct Name {
    pub text: String,
    pub at: usize,
}

/// A dotted field path (`Email`, `Account.Name`, `Who.Account.Name`), as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    pub parts: Vec<String>,
    pub at: usize,
}

impl Path {
    pub fn dotted(&self) -> String {
        self.parts.join(".")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    And(Vec<Condition>),
    Or(Vec<Condition>),
    Not(Box<Condition>),
    Compare {
        path: Path,
        op: Op,
        value: Literal,
        value_at: usize,
    },
    Like {
        path: Path,
        pattern: Vec<LikePart>,
    },
    In {
        path: Path,
        values: Vec<(Literal, usize)>,
        negated: bool,
    },
    /// `path [NOT] IN (SELECT field FROM Object ...)`: a semi-join (anti-join).
    InQuery {
        path: Path,
        query: Box<Query>,
        negated: bool,
        /// The opening parenthesis.
        at: usize,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    String(String),
    Number(f64),
    Bool(bool),
    Null,
    /// `2025-12-16`, kept in Salesforce's format (it compares as text).
    Date(String),
    /// `2025-12-16T13:05:30Z`, as epoch milliseconds.
    DateTime(i64),
    /// A relative date range such as `TODAY` or `LAST_N_DAYS:7`, resolved when the query
    /// runs (see [`DateLiteral::range`]).
    DateRange(DateLiteral),
}

/// A SOQL date literal: a span of whole days (UTC, the org's time zone), weeks starting
/// on Sunday, calendar months or years, relative to today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateLiteral {
    pub unit: DateUnit,
    /// First and last unit of the span relative to the current one (0 = this day, week...).
    pub from: i64,
    pub to: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateUnit {
    Day,
    Week,
    Month,
    Year,
}

impl DateLiteral {
    /// Recognises a date literal word (`LAST_N_DAYS:7`), case-insensitively.
    pub fn parse(word: &str) -> Option<Self> {
        use DateUnit::*;
        let upper = word.to_ascii_uppercase();
        let (name, n) = match upper.split_once(':') {
            Some((name, n)) => (name.to_owned(), Some(n.parse::<i64>().ok()?)),
            None => (upper, None),
        };
        let span = |unit, from, to| Some(DateLiteral { unit, from, to });
        match (name.as_str(), n) {
            ("YESTERDAY", None) => span(Day, -1, -1),
            ("TODAY", None) => span(Day, 0, 0),
            ("TOMORROW", None) => span(Day, 1, 1),
            ("LAST_WEEK", None) => span(Week, -1, -1),
            ("THIS_WEEK", None) => span(Week, 0, 0),
            ("NEXT_WEEK", None) => span(Week, 1, 1),
            ("LAST_MONTH", None) => span(Month, -1, -1),
            ("THIS_MONTH", None) => span(Month, 0, 0),
            ("NEXT_MONTH", None) => span(Month, 1, 1),
            ("LAST_90_DAYS", None) => span(Day, -90, 0),
            ("NEXT_90_DAYS", None) => span(Day, 1, 90),
            ("LAST_YEAR", None) => span(Year, -1, -1),
            ("THIS_YEAR", None) => span(Year, 0, 0),
            ("NEXT_YEAR", None) => span(Year, 1, 1),
            // "Starts 00:00:00 of the current day and continues for the past n days."
            ("LAST_N_DAYS", Some(n)) => span(Day, -n, 0),
            ("NEXT_N_DAYS", Some(n)) => span(Day, 1, n),
            ("N_DAYS_AGO", Some(n)) => span(Day, -n, -n),
            ("LAST_N_WEEKS", Some(n)) => span(Week, -n, -1),
            ("NEXT_N_WEEKS", Some(n)) => span(Week, 1, n),
            ("N_WEEKS_AGO", Some(n)) => span(Week, -n, -n),
            ("LAST_N_MONTHS", Some(n)) => span(Month, -n, -1),
            ("NEXT_N_MONTHS", Some(n)) => span(Month, 1, n),
            ("N_MONTHS_AGO", Some(n)) => span(Month, -n, -n),
            ("LAST_N_YEARS", Some(n)) => span(Year, -n, -1),
            ("NEXT_N_YEARS", Some(n)) => span(Year, 1, n),
            ("N_YEARS_AGO", Some(n)) => span(Year, -n, -n),
            _ => None,
        }
    }

    /// The span as `[start, end)` epoch milliseconds, relative to `now_ms`.
    pub fn range(&self, now_ms: i64) -> (i64, i64) {
        const DAY: i64 = 86_400_000;
        let today = now_ms.div_euclid(DAY);
        match self.unit {
            DateUnit::Day => ((today + self.from) * DAY, (today + self.to + 1) * DAY),
            DateUnit::Week => {
                // 1970-01-01 was a Thursday: shift so weeks start on Sunday.
                let sunday = today - (today + 4).rem_euclid(7);
                (
                    (sunday + 7 * self.from) * DAY,
                    (sunday + 7 * (self.to + 1)) * DAY,
                )
            }
            DateUnit::Month | DateUnit::Year => {
                let (year, month) = year_month(now_ms);
                let months = if self.unit == DateUnit::Year { 12 } else { 1 };
                let base = if self.unit == DateUnit::Year {
                    year * 12
                } else {
                    year * 12 + i64::from(month) - 1
                };
                let start = base + self.from * months;
                let end = base + (self.to + 1) * months;
                (month_start_ms(start), month_start_ms(end))
            }
        }
    }
}

/// The UTC year and month (1-12) of an instant.
fn year_month(ms: i64) -> (i64, u32) {
    let date = clock::sf_date(ms);
    let year = date[..4].parse().unwrap_or(1970);
    let month = date[5..7].parse().unwrap_or(1);
    (year, month)
}

/// Midnight UTC on the first of a month counted from year 0 (`year * 12 + month - 1`).
fn month_start_ms(months: i64) -> i64 {
    let (year, month) = (months.div_euclid(12), months.rem_euclid(12) + 1);
    clock::parse_date(&format!("{year:04}-{month:02}-01")).unwrap_or(0)
}

/// One element of a `LIKE` pattern. `\%` and `\_` in the literal are plain characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LikePart {
    AnyRun,
    AnyOne,
    Char(char),
}

#[derive(Debug, Clone, PartialEq)]
pub struct OrderBy {
    pub path: Path,
    pub descending: bool,
    pub nulls_last: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoqlError {
    pub at: usize,
    pub detail: String,
}

impl SoqlError {
    fn new(at: usize, detail: impl Into<String>) -> Self {
        SoqlError {
            at,
            detail: detail.into(),
        }
    }

    /// Salesforce's rendering: the offending line, a caret under the column, the position.
    pub fn message(&self, soql: &str) -> String {
        positioned(soql, self.at, &self.detail)
    }
}

/// Renders `detail` pointing at byte offset `at` of `soql`, as Salesforce's messages do.
pub fn positioned(soql: &str, at: usize, detail: &str) -> String {
    let at = at.min(soql.len());
    let line_start = soql[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = soql[at..].find('\n').map_or(soql.len(), |i| at + i);
    let row = soql[..at].matches('\n').count() + 1;
    let column = soql[line_start..at].chars().count() + 1;
    format!(
        "\n{}\n{}^\nERROR at Row:{row}:Column:{column}\n{detail}",
        &soql[line_start..line_end],
        " ".repeat(column - 1)
    )
}

pub fn parse(soql: &str) -> Result<Query, SoqlError> {
    let tokens = lex(soql)?;
    let mut parser = Parser {
        tokens,
        pos: 0,
        nested: false,
    };
    let query = parser.query()?;
    Ok(query)
}

// ---------------------------------------------------------------------------------------
// Lexer

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    /// Characters with a flag: was it backslash-escaped?
    Str(Vec<(char, bool)>),
    Number(f64),
    Date(String),
    DateTime(i64),
    Comma,
    Open,
    Close,
    Op(Op),
    End,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    at: usize,
    text: String,
}

fn lex(soql: &str) -> Result<Vec<Token>, SoqlError> {
    let mut tokens = Vec::new();
    let mut chars = soql.char_indices().peekable();
    while let Some(&(at, c)) = chars.peek() {
        let token = |tok, end: usize| Token {
            tok,
            at,
            text: soql[at..end].to_owned(),
        };
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            ',' | '(' | ')' => {
                chars.next();
                let tok = match c {
                    ',' => Tok::Comma,
                    '(' => Tok::Open,
                    _ => Tok::Close,
                };
                tokens.push(token(tok, at + 1));
            }
            '=' | '!' | '<' | '>' => {
                chars.next();
                let next = chars.peek().map(|&(_, n)| n);
                let (op, len) = match (c, next) {
                    ('=', _) => (Op::Eq, 1),
                    ('!', Some('=')) => (Op::Ne, 2),
                    ('<', Some('>')) => (Op::Ne, 2),
                    ('<', Some('=')) => (Op::Le, 2),
                    ('>', Some('=')) => (Op::Ge, 2),
                    ('<', _) => (Op::Lt, 1),
                    ('>', _) => (Op::Gt, 1),
                    _ => return Err(SoqlError::new(at, "unexpected token: '!'")),
                };
                if len == 2 {
                    chars.next();
                }
                tokens.push(token(Tok::Op(op), at + len));
            }
            '\'' => {
                chars.next();
                let mut value = Vec::new();
                let end = loop {
                    match chars.next() {
                        None => {
                            return Err(SoqlError::new(
                                at,
                                format!("Unterminated string literal {}", &soql[at..]),
                            ));
                        }
                        Some((i, '\'')) => break i + 1,
                        Some((i, '\\')) => {
                            let escaped = match chars.next() {
                                Some((_, e)) => e,
                                None => {
                                    return Err(SoqlError::new(i, "Unterminated string literal"));
                                }
                            };
                            let (decoded, literal_wildcard) = match escaped {
                                '\\' => ('\\', false),
                                '\'' => ('\'', false),
                                '"' => ('"', false),
                                'n' => ('\n', false),
                                'r' => ('\r', false),
                                't' => ('\t', false),
                                'b' => ('\u{8}', false),
                                'f' => ('\u{c}', false),
                                // Only meaningful in LIKE: a literal % or _.
                                '%' | '_' => (escaped, true),
                                other => {
                                    return Err(SoqlError::new(
                                        i,
                                        format!(
                                            "Invalid string literal. Illegal character \
                                             sequence '\\{other}' in string literal."
                                        ),
                                    ));
                                }
                            };
                            value.push((decoded, literal_wildcard));
                        }
                        Some((_, other)) => value.push((other, false)),
                    }
                };
                tokens.push(token(Tok::Str(value), end));
            }
            c if c.is_ascii_digit() || c == '-' || c == '+' || c == '.' => {
                let mut end = at;
                while let Some(&(i, n)) = chars.peek() {
                    let part_of_literal =
                        n.is_ascii_alphanumeric() || matches!(n, '.' | ':' | '-' | '+');
                    if !part_of_literal {
                        break;
                    }
                    end = i + n.len_utf8();
                    chars.next();
                }
                let text = &soql[at..end];
                tokens.push(token(literal_token(text, at)?, end));
            }
            c if c.is_alphabetic() || c == '_' => {
                let mut end = at;
                while let Some(&(i, n)) = chars.peek() {
                    if !(n.is_alphanumeric() || n == '_' || n == '.') {
                        break;
                    }
                    end = i + n.len_utf8();
                    chars.next();
                }
                // A date literal with a count: `LAST_N_DAYS:7` is one token.
                let rest = &soql[end..];
                if let Some(digits) = rest.strip_prefix(':') {
                    let len = digits.bytes().take_while(u8::is_ascii_digit).count();
                    if len > 0 {
                        for _ in 0..=len {
                            chars.next();
                        }
                        end += 1 + len;
                    }
                }
                tokens.push(token(Tok::Word(soql[at..end].to_owned()), end));
            }
            other => {
                return Err(SoqlError::new(at, format!("unexpected token: '{other}'")));
            }
        }
    }
    tokens.push(Token {
        tok: Tok::End,
        at: soql.len(),
        text: "<EOF>".into(),
    });
    Ok(tokens)
}

/// A number, a date or a datetime: SOQL writes all three unquoted.
fn literal_token(text: &str, at: usize) -> Result<Tok, SoqlError> {
    let token = if text.contains('T') {
        clock::parse_datetime(text).map(Tok::DateTime)
    } else if text.len() == 10 && text.as_bytes().get(4) == Some(&b'-') {
        clock::parse_date(text).map(|_| Tok::Date(text.to_owned()))
    } else {
        text.parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map(Tok::Number)
    };
    token.ok_or_else(|| SoqlError::new(at, format!("unexpected token: {text}")))
}

// ---------------------------------------------------------------------------------------
// Parser

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    /// Inside a child sub-query.
    nested: bool,
}

impl Parser {
    fn peek(&self) -> &Token {
        &self.tokens[self.pos]
    }

    fn next(&mut self) -> Token {
        let token = self.tokens[self.pos].clone();
        if self.pos + 1 < self.tokens.len() {
            self.pos += 1;
        }
        token
    }

    fn unexpected(&self) -> SoqlError {
        let token = self.peek();
        let shown = match token.tok {
            Tok::End => "<EOF>".to_owned(),
            _ => token.text.clone(),
        };
        SoqlError::new(token.at, format!("unexpected token: {shown}"))
    }

    fn at_keyword(&self, keyword: &str) -> bool {
        matches!(&self.peek().tok, Tok::Word(w) if w.eq_ignore_ascii_case(keyword))
    }

    fn eat_keyword(&mut self, keyword: &str) -> bool {
        let found = self.at_keyword(keyword);
        if found {
            self.next();
        }
        found
    }

    fn expect_keyword(&mut self, keyword: &str) -> Result<(), SoqlError> {
        if self.eat_keyword(keyword) {
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    fn expect(&mut self, tok: &Tok) -> Result<(), SoqlError> {
        if &self.peek().tok == tok {
            self.next();
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    fn query(&mut self) -> Result<Query, SoqlError> {
        let query = self.query_body()?;
        if self.peek().tok != Tok::End {
            return Err(self.unexpected());
        }
        let counts = query
            .select
            .iter()
            .filter(|item| matches!(item, SelectItem::CountRows { .. }))
            .count();
        if counts > 0 && query.select.len() > 1 {
            let at = match query
                .select
                .iter()
                .find(|i| !matches!(i, SelectItem::CountRows { .. }))
            {
                Some(SelectItem::Field(path)) => path.at,
                Some(SelectItem::SubQuery { at, .. } | SelectItem::CountField { at, .. }) => *at,
                _ => 0,
            };
            return Err(SoqlError::new(
                at,
                "COUNT() must be the only element in the SELECT list",
            ));
        }
        Ok(query)
    }

    /// `SELECT ... [LIMIT n] [OFFSET n]`, stopping before whatever follows (the end, or
    /// the closing parenthesis of a sub-query).
    fn query_body(&mut self) -> Result<Query, SoqlError> {
        self.expect_keyword("SELECT")?;
        let mut select = vec![self.select_item()?];
        while self.peek().tok == Tok::Comma {
            self.next();
            select.push(self.select_item()?);
        }
        self.expect_keyword("FROM")?;
        let from = self.name()?;
        let filter = if self.eat_keyword("WHERE") {
            Some(self.condition()?)
        } else {
            None
        };
        let mut order_by = Vec::new();
        if self.eat_keyword("ORDER") {
            self.expect_keyword("BY")?;
            loop {
                order_by.push(self.order_item()?);
                if self.peek().tok != Tok::Comma {
                    break;
                }
                self.next();
            }
        }
        let limit = if self.eat_keyword("LIMIT") {
            Some(self.count()?)
        } else {
            None
        };
        let offset = if self.eat_keyword("OFFSET") {
            Some(self.count()?)
        } else {
            None
        };
        let ends = if self.nested { Tok::Close } else { Tok::End };
        if self.peek().tok != ends {
            return Err(self.unexpected());
        }
        Ok(Query {
            select,
            from,
            filter,
            order_by,
            limit,
            offset,
        })
    }

    fn select_item(&mut self) -> Result<SelectItem, SoqlError> {
        let at = self.peek().at;
        if self.peek().tok == Tok::Open {
            if self.nested {
                // Salesforce allows one level of child sub-queries only.
                return Err(self.unexpected());
            }
            self.next();
            self.nested = true;
            let query = self.query_body();
            self.nested = false;
            let query = query?;
            self.expect(&Tok::Close)?;
            return Ok(SelectItem::SubQuery {
                query: Box::new(query),
                at,
            });
        }
        let is_count = self.at_keyword("COUNT")
            && self.tokens.get(self.pos + 1).map(|t| &t.tok) == Some(&Tok::Open);
        if is_count {
            self.next();
            self.next();
            if self.peek().tok == Tok::Close {
                self.next();
                return Ok(SelectItem::CountRows { at });
            }
            let path = self.path()?;
            self.expect(&Tok::Close)?;
            let alias = match self.peek().tok.clone() {
                Tok::Word(word) if !is_reserved(&word) && !word.contains('.') => {
                    self.next();
                    Some(word)
                }
                _ => None,
            };
            return Ok(SelectItem::CountField { path, alias, at });
        }
        let path = self.path()?;
        // Other functions (FIELDS(ALL), MAX(...)) are valid SOQL the sandbox does not
        // evaluate: refuse them at the parenthesis.
        if self.peek().tok == Tok::Open {
            return Err(self.unexpected());
        }
        Ok(SelectItem::Field(path))
    }

    fn name(&mut self) -> Result<Name, SoqlError> {
        match self.peek().tok.clone() {
            Tok::Word(text) if !is_reserved(&text) && !text.contains('.') => {
                let at = self.next().at;
                Ok(Name { text, at })
            }
            _ => Err(self.unexpected()),
        }
    }

    fn path(&mut self) -> Result<Path, SoqlError> {
        match self.peek().tok.clone() {
            Tok::Word(text) if !is_reserved(&text) => {
                let at = self.next().at;
                let parts: Vec<String> = text.split('.').map(str::to_owned).collect();
                if parts.iter().any(String::is_empty) {
                    return Err(SoqlError::new(at, format!("unexpected token: {text}")));
                }
                Ok(Path { parts, at })
            }
            _ => Err(self.unexpected()),
        }
    }

    fn count(&mut self) -> Result<u64, SoqlError> {
        match self.peek().tok {
            Tok::Number(n) if n >= 0.0 && n.fract() == 0.0 => {
                self.next();
                Ok(n as u64)
            }
            _ => Err(self.unexpected()),
        }
    }

    fn order_item(&mut self) -> Result<OrderBy, SoqlError> {
        let path = self.path()?;
        let descending = if self.eat_keyword("DESC") {
            true
        } else {
            self.eat_keyword("ASC");
            false
        };
        // Salesforce sorts nulls first ascending and last descending unless told.
        let mut nulls_last = descending;
        if self.eat_keyword("NULLS") {
            if self.eat_keyword("LAST") {
                nulls_last = true;
            } else {
                self.expect_keyword("FIRST")?;
                nulls_last = false;
            }
        }
        Ok(OrderBy {
            path,
            descending,
            nulls_last,
        })
    }

    /// A chain of terms joined by one operator; a different operator at the same level
    /// is refused, as Salesforce refuses `a AND b OR c`.
    fn condition(&mut self) -> Result<Condition, SoqlError> {
        let first = self.term()?;
        let joiner = if self.at_keyword("AND") {
            "AND"
        } else if self.at_keyword("OR") {
            "OR"
        } else {
            return Ok(first);
        };
        let mut terms = vec![first];
        while self.eat_keyword(joiner) {
            terms.push(self.term()?);
        }
        if self.at_keyword("AND") || self.at_keyword("OR") {
            return Err(self.unexpected());
        }
        Ok(if joiner == "AND" {
            Condition::And(terms)
        } else {
            Condition::Or(terms)
        })
    }

    fn term(&mut self) -> Result<Condition, SoqlError> {
        if self.eat_keyword("NOT") {
            return Ok(Condition::Not(Box::new(self.term()?)));
        }
        if self.peek().tok == Tok::Open {
            self.next();
            let inner = self.condition()?;
            self.expect(&Tok::Close)?;
            return Ok(inner);
        }
        let path = self.path()?;
        if self.eat_keyword("LIKE") {
            let token = self.next();
            let Tok::Str(chars) = token.tok else {
                return Err(SoqlError::new(
                    token.at,
                    format!("unexpected token: {}", token.text),
                ));
            };
            let pattern = chars
                .into_iter()
                .map(|(c, escaped)| match (c, escaped) {
                    ('%', false) => LikePart::AnyRun,
                    ('_', false) => LikePart::AnyOne,
                    (c, _) => LikePart::Char(c),
                })
                .collect();
            return Ok(Condition::Like { path, pattern });
        }
        let negated = self.eat_keyword("NOT");
        if self.eat_keyword("IN") {
            let at = self.peek().at;
            self.expect(&Tok::Open)?;
            if self.at_keyword("SELECT") {
                // As in Salesforce: no semi-join inside a child sub-query or another
                // semi-join.
                if self.nested {
                    return Err(self.unexpected());
                }
                self.nested = true;
                let query = self.query_body();
                self.nested = false;
                let query = query?;
                self.expect(&Tok::Close)?;
                return Ok(Condition::InQuery {
                    path,
                    query: Box::new(query),
                    negated,
                    at,
                });
            }
            let mut values = vec![self.literal()?];
            while self.peek().tok == Tok::Comma {
                self.next();
                values.push(self.literal()?);
            }
            self.expect(&Tok::Close)?;
            return Ok(Condition::In {
                path,
                values,
                negated,
            });
        }
        if negated {
            return Err(self.unexpected());
        }
        let Tok::Op(op) = self.peek().tok else {
            return Err(self.unexpected());
        };
        self.next();
        let (value, value_at) = self.literal()?;
        Ok(Condition::Compare {
            path,
            op,
            value,
            value_at,
        })
    }

    fn literal(&mut self) -> Result<(Literal, usize), SoqlError> {
        let token = self.peek().clone();
        let literal = match &token.tok {
            Tok::Str(chars) => Literal::String(chars.iter().map(|(c, _)| c).collect()),
            Tok::Number(n) => Literal::Number(*n),
            Tok::Date(d) => Literal::Date(d.clone()),
            Tok::DateTime(ms) => Literal::DateTime(*ms),
            Tok::Word(w) if w.eq_ignore_ascii_case("null") => Literal::Null,
            Tok::Word(w) if w.eq_ignore_ascii_case("true") => Literal::Bool(true),
            Tok::Word(w) if w.eq_ignore_ascii_case("false") => Literal::Bool(false),
            Tok::Word(w) => match DateLiteral::parse(w) {
                Some(literal) => Literal::DateRange(literal),
                None => return Err(self.unexpected()),
            },
            _ => return Err(self.unexpected()),
        };
        self.next();
        Ok((literal, token.at))
    }
}

fn is_reserved(word: &str) -> bool {
    const RESERVED: &[&str] = &[
        "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "LIKE", "IN", "ORDER", "BY", "LIMIT",
        "OFFSET", "NULL", "TRUE", "FALSE", "ASC", "DESC", "NULLS",
    ];
    RESERVED.iter().any(|r| r.eq_ignore_ascii_case(word))
}

/// `LIKE` matching: case-insensitive, `%` any run, `_` any one character.
pub fn like_matches(pattern: &[LikePart], text: &str) -> bool {
    let text: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    let pattern: Vec<LikePart> = pattern
        .iter()
        .flat_map(|part| match part {
            LikePart::Char(c) => c.to_lowercase().map(LikePart::Char).collect::<Vec<_>>(),
            other => vec![*other],
        })
        .collect();
    // Classic two-pointer wildcard match with backtracking to the last `%`.
    let (mut p, mut t) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(LikePart::AnyRun) => {
                backtrack = Some((p, t));
                p += 1;
            }
            Some(LikePart::AnyOne) => {
                p += 1;
                t += 1;
            }
            Some(LikePart::Char(c)) if *c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match backtrack {
                Some((bp, bt)) => {
                    p = bp + 1;
                    t = bt + 1;
                    backtrack = Some((bp, bt + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|part| *part == LikePart::AnyRun)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(dotted: &str, at: usize) -> Path {
        Path {
            parts: dotted.split('.').map(str::to_owned).collect(),
            at,
        }
    }

    #[test]
    fn parses_the_contact_lookup_the_edge_sends() {
        let soql = shared::panel::contact_by_email(
            &contract::ids::Email::parse("ada@example.com").unwrap(),
        );
        let query = parse(&soql).unwrap();
        assert_eq!(query.from.text, "Contact");
        let selected: Vec<String> = query
            .select
            .iter()
            .map(|item| match item {
                SelectItem::Field(path) => path.dotted(),
                other => panic!("a field, got {other:?}"),
            })
            .collect();
        assert_eq!(
            selected,
            ["Id", "Name", "Title", "Email", "Phone", "Account.Name"]
        );
        assert_eq!(
            query.filter,
            Some(Condition::Compare {
                path: path("Email", soql.find("Email =").unwrap()),
                op: Op::Eq,
                value: Literal::String("ada@example.com".into()),
                value_at: soql.find('\'').unwrap(),
            })
        );
        assert_eq!(query.order_by.len(), 1);
        assert!(query.order_by[0].descending && query.order_by[0].nulls_last);
        assert_eq!(query.limit, Some(10));
    }

    #[test]
    fn escapes_decode_inside_one_literal() {
        let query =
            parse(r#"SELECT Id FROM Contact WHERE LastName = 'a\\b\'c\"d\n\r\t\b\f'"#).unwrap();
        let Some(Condition::Compare { value, .. }) = query.filter else {
            panic!("a comparison");
        };
        assert_eq!(value, Literal::String("a\\b'c\"d\n\r\t\u{8}\u{c}".into()));
    }

    #[test]
    fn an_injection_attempt_stays_one_literal() {
        let soql = shared::soql::Select::new("Contact", &["Id"])
            .where_eq("Email", "x' OR Name != '")
            .build();
        assert_eq!(
            soql,
            r"SELECT Id FROM Contact WHERE Email = 'x\' OR Name != \''"
        );
        let query = parse(&soql).unwrap();
        match query.filter {
            Some(Condition::Compare {
                value: Literal::String(value),
                op: Op::Eq,
                ..
            }) => assert_eq!(value, "x' OR Name != '"),
            other => panic!("expected one comparison, got {other:?}"),
        }
    }

    #[test]
    fn an_unescaped_quote_does_break_out_and_is_refused() {
        // What the escaping prevents: the same value unescaped leaves a dangling quote.
        let broken_out = parse("SELECT Id FROM Contact WHERE Email = 'x' OR Name != ''").unwrap();
        assert!(matches!(broken_out.filter, Some(Condition::Or(_))));
        assert!(parse("SELECT Id FROM Contact WHERE Email = 'x' OR Name != '").is_err());
    }

    #[test]
    fn literals_of_every_kind() {
        let query = parse(
            "SELECT Id FROM Opportunity WHERE (Amount >= 1000.5 AND IsClosed = false) \
             OR CloseDate < 2026-01-31 OR LastModifiedDate > 2025-12-16T13:05:30Z \
             OR NextStep = null OR StageName NOT IN ('Closed Won', 'Closed Lost')",
        )
        .unwrap();
        let Some(Condition::Or(terms)) = query.filter else {
            panic!("an OR chain");
        };
        assert_eq!(terms.len(), 5);
        assert!(matches!(&terms[0], Condition::And(inner) if inner.len() == 2));
        assert!(matches!(
            &terms[1],
            Condition::Compare { op: Op::Lt, value: Literal::Date(d), .. } if d == "2026-01-31"
        ));
        assert!(matches!(
            &terms[2],
            Condition::Compare {
                value: Literal::DateTime(1_765_890_330_000),
                ..
            }
        ));
        assert!(matches!(
            &terms[3],
            Condition::Compare {
                value: Literal::Null,
                ..
            }
        ));
        assert!(
            matches!(&terms[4], Condition::In { negated: true, values, .. } if values.len() == 2)
        );
    }

    #[test]
    fn keywords_are_case_insensitive_and_order_by_takes_options() {
        let query = parse(
            "select Name from account where name like 'North%' order by Name asc nulls last, \
             CreatedDate desc limit 5 offset 2",
        )
        .unwrap();
        assert_eq!(query.order_by.len(), 2);
        assert!(!query.order_by[0].descending && query.order_by[0].nulls_last);
        assert!(query.order_by[1].descending);
        assert_eq!((query.limit, query.offset), (Some(5), Some(2)));
    }

    #[test]
    fn malformed_queries_point_at_the_problem() {
        let soql = "SELEKT Id FROM Contact";
        let err = parse(soql).unwrap_err();
        assert_eq!(err.at, 0);
        assert_eq!(
            err.message(soql),
            "\nSELEKT Id FROM Contact\n^\nERROR at Row:1:Column:1\nunexpected token: SELEKT"
        );
        let soql = "SELECT Id FROM Contact WHERE";
        assert!(parse(soql).unwrap_err().detail.contains("<EOF>"));
        for bad in [
            "SELECT FROM Contact",
            "SELECT Id, FROM Contact",
            "SELECT Id FROM Contact WHERE Name = 'open",
            "SELECT Id FROM Contact WHERE Name = 'a\\x'",
            "SELECT Id FROM Contact WHERE A = 'a' AND B = 'b' OR C = 'c'",
            "SELECT Id FROM Contact WHERE Name LIKE 3",
            "SELECT Id FROM Contact LIMIT -1",
            "SELECT Id FROM Contact ORDER Name",
            "SELECT Id FROM Contact extra",
            "SELECT Id, COUNT() FROM Contact",
            "SELECT Id, (SELECT Id FROM Notes WHERE Id IN (SELECT Id FROM Tasks)) FROM Contact",
            "SELECT Id, (SELECT Id, (SELECT Id FROM Notes) FROM Opportunities) FROM Contact",
            "SELECT Id, (SELECT Id FROM Notes FROM Contact",
            "SELECT FIELDS(ALL) FROM Contact",
            "SELECT Id FROM Contact WHERE CreatedDate = LAST_FISCAL_QUARTER",
            "SELECT Id FROM Contact WHERE CreatedDate = LAST_N_DAYS",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn positions_count_rows_and_columns() {
        let soql = "SELECT Id\nFROM Contact WHERE Foo = 1";
        let at = soql.find("Foo").unwrap();
        assert_eq!(
            positioned(soql, at, "No such column"),
            "\nFROM Contact WHERE Foo = 1\n                   ^\nERROR at Row:2:Column:20\nNo such column"
        );
    }

    #[test]
    fn like_wildcards_and_escapes() {
        let pattern = |soql_literal: &str| {
            let query = parse(&format!(
                "SELECT Id FROM Contact WHERE Name LIKE {soql_literal}"
            ))
            .unwrap();
            match query.filter {
                Some(Condition::Like { pattern, .. }) => pattern,
                other => panic!("{other:?}"),
            }
        };
        assert!(like_matches(&pattern("'ada%'"), "Ada Lovelace"));
        assert!(like_matches(&pattern("'%love%'"), "Ada Lovelace"));
        assert!(like_matches(&pattern("'a_a%'"), "Ada"));
        assert!(!like_matches(&pattern("'a_a'"), "Adda"));
        assert!(like_matches(&pattern(r"'100\%'"), "100%"));
        assert!(!like_matches(&pattern(r"'100\%'"), "1000"));
        assert!(like_matches(&pattern("'%'"), ""));
        assert!(like_matches(&pattern("'%a%b%'"), "xxaxxbxx"));
        assert!(!like_matches(&pattern("'%a%b'"), "xxaxxbxx"));
    }

    #[test]
    fn child_sub_queries_and_counts_parse() {
        let query = parse(
            "SELECT Id, Name, (SELECT Id, Name, StageName FROM Opportunities \
             WHERE IsClosed = false ORDER BY CloseDate LIMIT 5), (SELECT Title FROM Notes) \
             FROM Contact WHERE Email = 'a@b.example'",
        )
        .unwrap();
        assert_eq!(query.select.len(), 4);
        let SelectItem::SubQuery { query: sub, .. } = &query.select[2] else {
            panic!("a sub-query");
        };
        assert_eq!(sub.from.text, "Opportunities");
        assert_eq!(sub.select.len(), 3);
        assert!(sub.filter.is_some());
        assert_eq!((sub.order_by.len(), sub.limit), (1, Some(5)));
        assert!(
            query.filter.is_some(),
            "the outer WHERE survives the sub-queries"
        );

        let count = parse("SELECT COUNT() FROM Contact WHERE Email != null").unwrap();
        assert!(matches!(count.select[..], [SelectItem::CountRows { .. }]));
        let aggregate = parse("SELECT COUNT(Id) total FROM Contact").unwrap();
        assert!(matches!(
            &aggregate.select[..],
            [SelectItem::CountField { alias: Some(a), .. }] if a == "total"
        ));
    }

    #[test]
    fn date_literals_are_spans_of_days_weeks_months_and_years() {
        let query = parse(
            "SELECT Id FROM Contact WHERE CreatedDate = LAST_N_DAYS:7 AND CreatedDate < today",
        )
        .unwrap();
        let Some(Condition::And(terms)) = query.filter else {
            panic!("an AND");
        };
        let literal = |term: &Condition| match term {
            Condition::Compare {
                value: Literal::DateRange(d),
                ..
            } => *d,
            other => panic!("{other:?}"),
        };
        // Tuesday 2025-12-16T13:05:30Z.
        let now = 1_765_890_330_000;
        let day = |text: &str| clock::parse_date(text).unwrap();
        assert_eq!(
            literal(&terms[0]).range(now),
            (day("2025-12-09"), day("2025-12-17"))
        );
        assert_eq!(
            literal(&terms[1]).range(now),
            (day("2025-12-16"), day("2025-12-17"))
        );
        let range = |word: &str| DateLiteral::parse(word).unwrap().range(now);
        assert_eq!(range("YESTERDAY"), (day("2025-12-15"), day("2025-12-16")));
        assert_eq!(range("THIS_WEEK"), (day("2025-12-14"), day("2025-12-21")));
        assert_eq!(range("LAST_WEEK"), (day("2025-12-07"), day("2025-12-14")));
        assert_eq!(range("THIS_MONTH"), (day("2025-12-01"), day("2026-01-01")));
        assert_eq!(range("NEXT_MONTH"), (day("2026-01-01"), day("2026-02-01")));
        assert_eq!(
            range("LAST_N_MONTHS:12"),
            (day("2024-12-01"), day("2025-12-01"))
        );
        assert_eq!(range("THIS_YEAR"), (day("2025-01-01"), day("2026-01-01")));
        assert_eq!(
            range("NEXT_N_DAYS:2"),
            (day("2025-12-17"), day("2025-12-19"))
        );
        assert_eq!(
            range("N_DAYS_AGO:16"),
            (day("2025-11-30"), day("2025-12-01"))
        );
        assert!(DateLiteral::parse("LAST_FISCAL_QUARTER").is_none());
    }
}
