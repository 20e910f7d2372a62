//! Evaluates a parsed SOQL query against the org: resolves every column against the
//! schema (with Salesforce's errors for unknown ones), filters, sorts, and shapes rows the
//! way the REST API does (`attributes` first, parents as nested records or `null`, child
//! sub-queries as nested `{"totalSize", "done", "records"}` or `null`).
//!
//! [`execute`] returns the matching rows as positions in the object's table plus a
//! [`Plan`] that shapes any slice of them later: a query locator keeps both, so paging
//! through a hundred thousand rows never materialises them all at once.

use super::access::View;
use super::content_notes;
use super::schema::{self, Call, FieldType, ObjectDef};
use super::soql::{self, Condition, LikePart, Literal, Op, Path, SelectItem};
use super::store::{Org, Record};
use crate::clock;
use contract::ids::SfId;
use serde_json::{Map, Value, json};
use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// A query Salesforce would refuse: `code` is its `errorCode`, answered with 400.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    pub code: &'static str,
    pub message: String,
}

/// How a query is run: what its user can see, in which API version rows are linked,
/// whether the recycle bin is included (`queryAll`), and what "today" is for date literals.
#[derive(Debug, Clone)]
pub struct Options {
    pub view: View,
    pub version: String,
    pub include_deleted: bool,
    pub now_ms: i64,
}

impl Options {
    pub fn new(view: View, version: &str, now_ms: i64) -> Self {
        Options {
            view,
            version: version.to_owned(),
            include_deleted: false,
            now_ms,
        }
    }
}

/// What a query answered.
pub enum Answer {
    /// Records: positions in the object's table, in answer order, shaped by the plan.
    Rows {
        plan: Arc<Plan>,
        positions: Vec<usize>,
    },
    /// `SELECT COUNT() ...`: a total and no records.
    Count(usize),
    /// Aggregate rows (`COUNT(Id)`), already shaped.
    Aggregate(Vec<Value>),
}

impl Answer {
    /// `totalSize` as Salesforce reports it.
    pub fn total(&self) -> usize {
        match self {
            Answer::Rows { positions, .. } => positions.len(),
            Answer::Count(n) => *n,
            Answer::Aggregate(rows) => rows.len(),
        }
    }

    /// Every record of the answer, shaped (fine for small answers; pages use the plan).
    pub fn into_values(self, org: &Org) -> Vec<Value> {
        match self {
            Answer::Rows { plan, positions } => plan.shape(org, &positions),
            Answer::Count(_) => Vec::new(),
            Answer::Aggregate(rows) => rows,
        }
    }
}

/// Runs `soql` as the REST API's `/query` would for a user who sees everything, and
/// returns every row, shaped.
pub fn run(org: &Org, soql_text: &str, version: &str) -> Result<Vec<Value>, QueryError> {
    let view = View::everything(org.schema());
    let options = Options::new(view, version, clock::wall_clock_ms());
    Ok(execute(org, soql_text, &options)?.into_values(org))
}

/// Parses, checks and runs a query.
pub fn execute(org: &Org, soql_text: &str, options: &Options) -> Result<Answer, QueryError> {
    let query = soql::parse(soql_text).map_err(|e| QueryError {
        code: "MALFORMED_QUERY",
        message: e.message(soql_text),
    })?;
    let fail = |(code, at, detail): Failure| QueryError {
        code,
        message: soql::positioned(soql_text, at, &detail),
    };
    let object = options.view.object(&query.from.text).ok_or_else(|| {
        fail((
            "INVALID_TYPE",
            query.from.at,
            format!(
                "sObject type '{}' is not supported. If you are attempting to use a custom \
                 object, be sure to append the '__c' after the entity name. Please reference \
                 your WSDL or the describe call for the appropriate names.",
                query.from.text
            ),
        ))
    })?;
    check_queryable(object, &query).map_err(fail)?;
    let compiled = compile(org, object, &query, options, false).map_err(fail)?;
    let mut records: Vec<(usize, &Record)> = org
        .all(object)
        .iter()
        .enumerate()
        .filter(|(_, r)| options.include_deleted || !r.is_deleted())
        .filter(|(_, r)| compiled.matches(org, r))
        .collect();
    compiled.sort(org, &mut records);
    let rows = records.iter().map(|(i, _)| *i);
    match &compiled.kind {
        Kind::CountRows => Ok(Answer::Count(compiled.window(rows).count())),
        Kind::Aggregate(counts) => {
            let matched: Vec<&Record> = records.iter().map(|(_, r)| *r).collect();
            let mut row = Map::new();
            row.insert("attributes".into(), json!({"type": "AggregateResult"}));
            for (column, alias) in counts {
                let n = matched
                    .iter()
                    .filter(|r| !column.value(org, r).is_null())
                    .count();
                row.insert(alias.clone(), Value::from(n));
            }
            Ok(Answer::Aggregate(vec![Value::Object(row)]))
        }
        Kind::Rows => {
            let positions = compiled.window(rows).collect();
            let plan = Plan {
                query: compiled,
                version: options.version.clone(),
                include_deleted: options.include_deleted,
            };
            Ok(Answer::Rows {
                plan: Arc::new(plan),
                positions,
            })
        }
    }
}

/// `{"type": ..., "url": "/services/data/vNN.0/sobjects/<Object>/<Id>"}`.
pub fn attributes(type_name: &str, object: &str, id: &str, version: &str) -> Value {
    json!({
        "type": type_name,
        "url": format!("/services/data/{version}/sobjects/{object}/{id}"),
    })
}

/// A checked query, ready to shape any of its rows.
pub struct Plan {
    query: Compiled,
    version: String,
    include_deleted: bool,
}

impl Plan {
    pub fn object(&self) -> &'static ObjectDef {
        self.query.object
    }

    /// The rows at these table positions, in the wire shape.
    pub fn shape(&self, org: &Org, positions: &[usize]) -> Vec<Value> {
        let table = org.all(self.query.object);
        let records: Vec<&Record> = positions.iter().filter_map(|&i| table.get(i)).collect();
        let parents: HashSet<&str> = records.iter().map(|r| r.id()).collect();
        // The rows of derived objects (a record's AttachedContentNotes), made for the page.
        let derived: Vec<Option<Vec<Record>>> = self
            .query
            .children
            .iter()
            .map(|(_, child)| content_notes::derived_rows(org, child.query.object, &parents))
            .collect();
        // Children of every parent on the page, found in one pass per relationship.
        let children: Vec<HashMap<&str, Vec<&Record>>> = self
            .query
            .children
            .iter()
            .zip(&derived)
            .map(|((_, child), derived)| {
                let rows = derived
                    .as_deref()
                    .unwrap_or_else(|| org.all(child.query.object));
                let mut found: HashMap<&str, Vec<&Record>> = HashMap::new();
                for record in rows {
                    if record.is_deleted() && !self.include_deleted {
                        continue;
                    }
                    if let Some(parent) = record.at(child.link).as_str()
                        && let Some(parent) = parents.get(parent)
                        && child.query.matches(org, record)
                    {
                        found.entry(parent).or_default().push(record);
                    }
                }
                found
            })
            .collect();
        records
            .iter()
            .map(|record| {
                let mut row = self.query.shape(org, record, &self.version);
                for ((slot, child), found) in self.query.children.iter().zip(&children) {
                    let value = match found.get(record.id()) {
                        Some(list) => {
                            let mut list: Vec<(usize, &Record)> =
                                list.iter().map(|r| (0, *r)).collect();
                            child.query.sort(org, &mut list);
                            let rows: Vec<Value> = child
                                .query
                                .window(list.into_iter().map(|(_, r)| r))
                                .map(|r| Value::Object(child.query.shape(org, r, &self.version)))
                                .collect();
                            if rows.is_empty() {
                                Value::Null
                            } else {
                                json!({"totalSize": rows.len(), "done": true, "records": rows})
                            }
                        }
                        None => Value::Null,
                    };
                    row.insert(slot.clone(), value);
                }
                // Keep the SELECT order: sub-query results sit where they were selected.
                Value::Object(self.query.reorder(row))
            })
            .collect()
    }
}

// ---------------------------------------------------------------------------------------
// Compiling

/// An error before positioning: (errorCode, byte offset, detail).
type Failure = (&'static str, usize, String);

enum Kind {
    Rows,
    CountRows,
    /// `COUNT(field)` columns with their output names.
    Aggregate(Vec<(Column, String)>),
}

/// A child relationship sub-query: the child object's compiled query and the position of
/// its lookup to the parent.
struct Child {
    query: Compiled,
    link: usize,
}

struct Compiled {
    object: &'static ObjectDef,
    kind: Kind,
    columns: Vec<Column>,
    /// (relationship name as Salesforce spells it, the sub-query), in SELECT order.
    children: Vec<(String, Child)>,
    /// Output keys in SELECT order.
    order_of_keys: Vec<String>,
    filter: Option<Filter>,
    order: Vec<(Column, soql::OrderBy)>,
    limit: Option<u64>,
    offset: Option<u64>,
}

fn compile(
    org: &Org,
    object: &'static ObjectDef,
    query: &soql::Query,
    options: &Options,
    nested: bool,
) -> Result<Compiled, Failure> {
    let view = options.view;
    let mut columns: Vec<Column> = Vec::new();
    let mut children: Vec<(String, Child)> = Vec::new();
    let mut counts: Vec<(Column, String)> = Vec::new();
    let mut count_rows = false;
    let mut order_of_keys: Vec<String> = Vec::new();
    for item in &query.select {
        match item {
            SelectItem::Field(path) => {
                let column =
                    resolve(view, object, path).map_err(|d| ("INVALID_FIELD", path.at, d))?;
                if columns.iter().any(|c| c.canonical == column.canonical) {
                    return Err((
                        "MALFORMED_QUERY",
                        path.at,
                        format!("duplicate field selected: {}", path.dotted()),
                    ));
                }
                let key = column.top_key().to_owned();
                if !order_of_keys.contains(&key) {
                    order_of_keys.push(key);
                }
                columns.push(column);
            }
            SelectItem::SubQuery { query: sub, at } => {
                let Some(def) = view.child(object, &sub.from.text) else {
                    return Err((
                        "INVALID_TYPE",
                        sub.from.at,
                        format!(
                            "Didn't understand relationship '{}' in FROM part of query call. If \
                             you are attempting to use a custom relationship, be sure to append \
                             the '__r' after the custom relationship name. Please reference your \
                             WSDL or the describe call for the appropriate names.",
                            sub.from.text
                        ),
                    ));
                };
                if children.iter().any(|(name, _)| name == def.name) {
                    return Err((
                        "MALFORMED_QUERY",
                        *at,
                        format!("duplicate child relationship selected: {}", def.name),
                    ));
                }
                let child_object = view.object(def.object).expect("children name objects");
                let compiled = compile(org, child_object, sub, options, true)?;
                let link = child_object
                    .index_of(def.field)
                    .expect("child relationships name lookups");
                order_of_keys.push(def.name.to_owned());
                children.push((
                    def.name.to_owned(),
                    Child {
                        query: compiled,
                        link,
                    },
                ));
            }
            SelectItem::CountRows { at } => {
                if nested {
                    return Err((
                        "MALFORMED_QUERY",
                        *at,
                        "COUNT() is not supported in a child sub-query".into(),
                    ));
                }
                count_rows = true;
            }
            SelectItem::CountField { path, alias, at } => {
                if nested {
                    return Err((
                        "MALFORMED_QUERY",
                        *at,
                        "aggregate functions are not supported in a child sub-query".into(),
                    ));
                }
                let column =
                    resolve(view, object, path).map_err(|d| ("INVALID_FIELD", path.at, d))?;
                let name = alias
                    .clone()
                    .unwrap_or_else(|| format!("expr{}", counts.len()));
                counts.push((column, name));
            }
        }
    }
    if !counts.is_empty() {
        if let Some(first) = columns.first() {
            return Err((
                "MALFORMED_QUERY",
                0,
                format!("Field must be grouped or aggregated: {}", first.canonical),
            ));
        }
        if !children.is_empty() || !query.order_by.is_empty() {
            return Err((
                "MALFORMED_QUERY",
                0,
                "an aggregate query can select neither sub-queries nor an ORDER BY".into(),
            ));
        }
    }
    let filter = query
        .filter
        .as_ref()
        .map(|c| resolve_condition(org, object, c, options))
        .transpose()?;
    let order = query
        .order_by
        .iter()
        .map(|o| {
            resolve(view, object, &o.path)
                .map(|c| (c, o.clone()))
                .map_err(|d| ("INVALID_FIELD", o.path.at, d))
        })
        .collect::<Result<_, _>>()?;
    let kind = if count_rows {
        Kind::CountRows
    } else if !counts.is_empty() {
        Kind::Aggregate(counts)
    } else {
        Kind::Rows
    };
    Ok(Compiled {
        object,
        kind,
        columns,
        children,
        order_of_keys,
        filter,
        order,
        limit: query.limit,
        offset: query.offset,
    })
}

/// Refuses a query Salesforce refuses whatever it selects: one from an object that only
/// answers as a child relationship ("entity type AttachedContentNote does not support
/// query", INVALID_TYPE_FOR_OPERATION), or a `ContentDocumentLink` query without the
/// filter it needs.
fn check_queryable(object: &ObjectDef, query: &soql::Query) -> Result<(), Failure> {
    if !object.calls.allows(Call::Query) {
        return Err((
            "INVALID_TYPE_FOR_OPERATION",
            query.from.at,
            format!("entity type {} does not support query", object.name),
        ));
    }
    content_notes::check_link_filter(object, query)
        .map_err(|message| ("MALFORMED_QUERY", query.from.at, message.to_owned()))
}

impl Compiled {
    fn matches(&self, org: &Org, record: &Record) -> bool {
        self.filter.as_ref().is_none_or(|f| f.matches(org, record))
    }

    /// A stable sort by the ORDER BY columns: ties keep Id order, like Salesforce's default.
    fn sort(&self, org: &Org, records: &mut [(usize, &Record)]) {
        if self.order.is_empty() {
            return;
        }
        records.sort_by(|(_, a), (_, b)| {
            self.order
                .iter()
                .map(|(column, spec)| {
                    let (x, y) = (column.value(org, a), column.value(org, b));
                    match (x.is_null(), y.is_null()) {
                        (true, true) => Ordering::Equal,
                        (true, false) if spec.nulls_last => Ordering::Greater,
                        (true, false) => Ordering::Less,
                        (false, true) if spec.nulls_last => Ordering::Less,
                        (false, true) => Ordering::Greater,
                        (false, false) => {
                            let ordering = order_values(&x, &y, column.ty);
                            if spec.descending {
                                ordering.reverse()
                            } else {
                                ordering
                            }
                        }
                    }
                })
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal)
        });
    }

    /// OFFSET and LIMIT.
    fn window<T>(&self, rows: impl Iterator<Item = T>) -> impl Iterator<Item = T> {
        let offset = self.offset.unwrap_or(0) as usize;
        let limit = self.limit.map_or(usize::MAX, |l| l as usize);
        rows.skip(offset).take(limit)
    }

    fn shape(&self, org: &Org, record: &Record, version: &str) -> Map<String, Value> {
        let mut row = Map::new();
        row.insert(
            "attributes".into(),
            attributes(self.object.name, self.object.name, record.id(), version),
        );
        for column in &self.columns {
            put(&mut row, org, record, &column.hops, column, version);
        }
        row
    }

    fn reorder(&self, mut row: Map<String, Value>) -> Map<String, Value> {
        if self.children.is_empty() {
            return row;
        }
        let mut ordered = Map::new();
        if let Some(attributes) = row.remove("attributes") {
            ordered.insert("attributes".into(), attributes);
        }
        for key in &self.order_of_keys {
            if let Some(value) = row.remove(key) {
                ordered.insert(key.clone(), value);
            }
        }
        ordered.extend(row);
        ordered
    }
}

// ---------------------------------------------------------------------------------------
// Columns

/// One lookup traversed on the way to a field.
#[derive(Debug, Clone)]
struct Hop {
    /// The lookup's position in the record it starts from.
    via: usize,
    relationship: &'static str,
    polymorphic: bool,
}

#[derive(Debug, Clone)]
enum Leaf {
    /// A field and its position in the record that holds it.
    Field(&'static str, usize),
    /// A field of Salesforce's `Name` object, reached through a polymorphic lookup.
    NameField(&'static str),
}

#[derive(Debug, Clone)]
struct Column {
    hops: Vec<Hop>,
    leaf: Leaf,
    ty: FieldType,
    /// The path in canonical casing, e.g. `Account.Name`.
    canonical: String,
}

impl Column {
    fn leaf_name(&self) -> &'static str {
        match self.leaf {
            Leaf::Field(name, _) => name,
            Leaf::NameField(name) => name,
        }
    }

    /// The key the column occupies in a row: the first relationship, or the field.
    fn top_key(&self) -> &'static str {
        self.hops
            .first()
            .map_or(self.leaf_name(), |hop| hop.relationship)
    }

    /// The column's value for a record; `null` when any lookup on the way is empty.
    fn value<'a>(&self, org: &'a Org, record: &'a Record) -> Cow<'a, Value> {
        let mut current = record;
        for hop in &self.hops {
            match parent(org, current, hop) {
                Some(parent) => current = parent,
                None => return Cow::Owned(Value::Null),
            }
        }
        leaf_value(current, &self.leaf)
    }
}

fn leaf_value<'a>(record: &'a Record, leaf: &Leaf) -> Cow<'a, Value> {
    match leaf {
        Leaf::Field(_, index) => Cow::Borrowed(record.at(*index)),
        Leaf::NameField("Type") => Cow::Owned(Value::String(record.object().name.to_owned())),
        Leaf::NameField(name) => match record.get(name) {
            Some(value) => Cow::Borrowed(value),
            None => Cow::Owned(Value::Null),
        },
    }
}

fn parent<'a>(org: &'a Org, record: &Record, hop: &Hop) -> Option<&'a Record> {
    let id = record.at(hop.via).as_str()?;
    let parent = org.get_str(id)?;
    (!parent.is_deleted()).then_some(parent)
}

/// Resolves a path against what the caller sees of the schema, or says why not in
/// Salesforce's words.
fn resolve(view: View, object: &'static ObjectDef, path: &Path) -> Result<Column, String> {
    let (last, relationships) = path.parts.split_last().expect("paths are never empty");
    let mut hops = Vec::new();
    let mut canonical = Vec::new();
    // `None` once a polymorphic lookup has led to the `Name` object.
    let mut current = Some(object);
    for part in relationships {
        let understood = current.and_then(|o| view.relationship(o, part));
        let Some((via, field)) = understood else {
            return Err(format!(
                "Didn't understand relationship '{part}' in field path. If you are attempting \
                 to use a custom relationship, be sure to append the '__r' after the custom \
                 relationship name. Please reference your WSDL or the describe call for the \
                 appropriate names."
            ));
        };
        let FieldType::Reference {
            to,
            relationship,
            polymorphic,
        } = field.ty
        else {
            unreachable!("relationship() returns lookups only");
        };
        hops.push(Hop {
            via,
            relationship,
            polymorphic,
        });
        canonical.push(relationship.to_owned());
        current = if polymorphic {
            None
        } else {
            view.object(to[0])
        };
    }
    let (leaf, ty) = match current {
        Some(o) => {
            let index = view
                .field(o, last)
                .ok_or_else(|| no_such_column(last, o.name))?;
            let field = &o.fields[index];
            (Leaf::Field(field.name, index), field.ty)
        }
        None => {
            let name = schema::NAME_OBJECT_FIELDS
                .iter()
                .find(|n| n.eq_ignore_ascii_case(last))
                .ok_or_else(|| no_such_column(last, "Name"))?;
            let ty = if *name == "Id" {
                FieldType::Id
            } else {
                FieldType::String(255)
            };
            (Leaf::NameField(name), ty)
        }
    };
    let column = Column {
        hops,
        leaf,
        ty,
        canonical: String::new(),
    };
    canonical.push(column.leaf_name().to_owned());
    Ok(Column {
        canonical: canonical.join("."),
        ..column
    })
}

fn no_such_column(name: &str, entity: &str) -> String {
    format!(
        "No such column '{name}' on entity '{entity}'. If you are attempting to use a custom \
         field, be sure to append the '__c' after the custom field name. Please reference your \
         WSDL or the describe call for the appropriate names."
    )
}

// ---------------------------------------------------------------------------------------
// Filters

enum Filter {
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Not(Box<Filter>),
    Compare {
        column: Column,
        op: Op,
        value: Literal,
    },
    /// A comparison with a date literal: `[start, end)` in epoch milliseconds.
    Span {
        column: Column,
        op: Op,
        start: i64,
        end: i64,
    },
    Like {
        column: Column,
        pattern: Vec<LikePart>,
    },
    In {
        column: Column,
        values: Vec<Literal>,
        negated: bool,
    },
}

fn resolve_condition(
    org: &Org,
    object: &'static ObjectDef,
    condition: &Condition,
    options: &Options,
) -> Result<Filter, Failure> {
    let now_ms = options.now_ms;
    let column = |path: &Path| {
        resolve(options.view, object, path).map_err(|detail| ("INVALID_FIELD", path.at, detail))
    };
    let all = |terms: &[Condition]| {
        terms
            .iter()
            .map(|t| resolve_condition(org, object, t, options))
            .collect::<Result<Vec<_>, _>>()
    };
    Ok(match condition {
        Condition::And(terms) => Filter::And(all(terms)?),
        Condition::Or(terms) => Filter::Or(all(terms)?),
        Condition::Not(inner) => {
            Filter::Not(Box::new(resolve_condition(org, object, inner, options)?))
        }
        Condition::Compare {
            path,
            op,
            value,
            value_at,
        } => {
            let column = column(path)?;
            match check_literal(&column, value, *value_at)? {
                Literal::DateRange(literal) => {
                    let (start, end) = literal.range(now_ms);
                    Filter::Span {
                        column,
                        op: *op,
                        start,
                        end,
                    }
                }
                value => Filter::Compare {
                    column,
                    op: *op,
                    value,
                },
            }
        }
        Condition::Like { path, pattern } => {
            let column = column(path)?;
            if !column.ty.is_text() {
                return Err((
                    "INVALID_FIELD",
                    path.at,
                    format!("invalid operator on field: {}", column.canonical),
                ));
            }
            Filter::Like {
                column,
                pattern: pattern.clone(),
            }
        }
        Condition::In {
            path,
            values,
            negated,
        } => {
            let column = column(path)?;
            let values = values
                .iter()
                .map(|(value, at)| match check_literal(&column, value, *at)? {
                    Literal::DateRange(_) => Err((
                        "MALFORMED_QUERY",
                        *at,
                        "date literals are not supported in IN lists".to_owned(),
                    )),
                    value => Ok(value),
                })
                .collect::<Result<_, _>>()?;
            Filter::In {
                column,
                values,
                negated: *negated,
            }
        }
        Condition::InQuery {
            path,
            query,
            negated,
            at,
        } => {
            let column = column(path)?;
            if !column.ty.is_id() {
                return Err((
                    "INVALID_FIELD",
                    path.at,
                    format!(
                        "semi join sub-selects are only supported on Id and reference fields, \
                         not {}",
                        column.canonical
                    ),
                ));
            }
            // The sub-select runs first; its values become the IN list (a snapshot, as
            // Salesforce evaluates it once per query).
            let values = semi_join_values(org, query, *at, options)?;
            Filter::In {
                column,
                values,
                negated: *negated,
            }
        }
    })
}

/// The distinct non-null values of a semi-join's one selected Id or reference field.
fn semi_join_values(
    org: &Org,
    query: &soql::Query,
    at: usize,
    options: &Options,
) -> Result<Vec<Literal>, Failure> {
    let object = options.view.object(&query.from.text).ok_or_else(|| {
        (
            "INVALID_TYPE",
            query.from.at,
            format!("sObject type '{}' is not supported.", query.from.text),
        )
    })?;
    check_queryable(object, query)?;
    let [SelectItem::Field(_)] = query.select.as_slice() else {
        return Err((
            "MALFORMED_QUERY",
            at,
            "a semi join sub-select selects exactly one Id or reference field".to_owned(),
        ));
    };
    let compiled = compile(org, object, query, options, true)?;
    let selected = &compiled.columns[0];
    if !selected.ty.is_id() {
        return Err((
            "INVALID_FIELD",
            at,
            format!(
                "a semi join sub-select must select an Id or reference field, not {}",
                selected.canonical
            ),
        ));
    }
    let mut records: Vec<(usize, &Record)> = org
        .all(object)
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.is_deleted() && compiled.matches(org, r))
        .collect();
    compiled.sort(org, &mut records);
    let mut seen = HashSet::new();
    Ok(compiled
        .window(records.iter().map(|(i, _)| *i))
        .filter_map(
            |i| match selected.value(org, &org.all(object)[i]).as_ref() {
                Value::String(id) if seen.insert(id.clone()) => Some(Literal::String(id.clone())),
                _ => None,
            },
        )
        .collect())
}

/// Refuses a literal of the wrong kind for the column, as Salesforce does, and puts Id
/// literals in their 18-character form so they compare with stored Ids.
fn check_literal(column: &Column, value: &Literal, at: usize) -> Result<Literal, Failure> {
    let wrong = |kind: &str, quoted: bool| {
        let quotes = if quoted {
            "should be enclosed in quotes"
        } else {
            "should not be enclosed in quotes"
        };
        Err((
            "INVALID_FIELD",
            at,
            format!(
                "value of filter criterion for field '{}' must be of type {kind} and {quotes}",
                column.canonical
            ),
        ))
    };
    let ty = column.ty;
    match value {
        Literal::Null => Ok(Literal::Null),
        Literal::String(text) if ty.is_id() => match SfId::parse(text) {
            Ok(id) => Ok(Literal::String(id.to_string())),
            Err(_) => Err((
                "INVALID_QUERY_FILTER_OPERATOR",
                at,
                format!("invalid ID field: {text}"),
            )),
        },
        Literal::String(_) if ty.is_text() => Ok(value.clone()),
        Literal::Number(_) if ty.is_numeric() => Ok(value.clone()),
        Literal::Bool(_) if ty == FieldType::Boolean => Ok(value.clone()),
        Literal::Date(_) if ty == FieldType::Date => Ok(value.clone()),
        Literal::DateTime(_) if ty == FieldType::DateTime => Ok(value.clone()),
        Literal::DateRange(_) if matches!(ty, FieldType::Date | FieldType::DateTime) => {
            Ok(value.clone())
        }
        _ if ty.is_text() || ty.is_id() => wrong("string", true),
        _ if ty.is_numeric() => wrong("double", false),
        _ if ty == FieldType::Date => wrong("date", false),
        _ if ty == FieldType::DateTime => wrong("dateTime", false),
        _ => wrong("boolean", false),
    }
}

impl Filter {
    fn matches(&self, org: &Org, record: &Record) -> bool {
        match self {
            Filter::And(terms) => terms.iter().all(|t| t.matches(org, record)),
            Filter::Or(terms) => terms.iter().any(|t| t.matches(org, record)),
            Filter::Not(inner) => !inner.matches(org, record),
            Filter::Compare { column, op, value } => {
                compare(&column.value(org, record), column.ty, *op, value)
            }
            Filter::Span {
                column,
                op,
                start,
                end,
            } => {
                let value = column.value(org, record);
                let Some(ms) = value.as_str().and_then(|text| match column.ty {
                    FieldType::Date => clock::parse_date(text),
                    _ => clock::parse_datetime(text),
                }) else {
                    return *op == Op::Ne;
                };
                let inside = *start <= ms && ms < *end;
                match op {
                    Op::Eq => inside,
                    Op::Ne => !inside,
                    Op::Lt => ms < *start,
                    Op::Le => ms < *end,
                    Op::Gt => ms >= *end,
                    Op::Ge => ms >= *start,
                }
            }
            Filter::Like { column, pattern } => match column.value(org, record).as_ref() {
                Value::String(text) => soql::like_matches(pattern, text),
                _ => false,
            },
            Filter::In {
                column,
                values,
                negated,
            } => {
                let actual = column.value(org, record);
                let found = values
                    .iter()
                    .any(|v| compare(&actual, column.ty, Op::Eq, v));
                found != *negated
            }
        }
    }
}

/// SOQL comparison semantics: text compares case-insensitively; `= null` and `!= null`
/// test emptiness; an empty field fails every other comparison except `!=`.
fn compare(actual: &Value, ty: FieldType, op: Op, literal: &Literal) -> bool {
    if matches!(literal, Literal::Null) || actual.is_null() {
        let both_null = matches!(literal, Literal::Null) && actual.is_null();
        return match op {
            Op::Eq => both_null,
            Op::Ne => !both_null,
            _ => false,
        };
    }
    let literal_value = match literal {
        Literal::String(s) | Literal::Date(s) => Value::String(s.clone()),
        Literal::Number(n) => Value::from(*n),
        Literal::Bool(b) => Value::Bool(*b),
        Literal::DateTime(ms) => Value::String(clock::sf_datetime(*ms)),
        Literal::Null | Literal::DateRange(_) => unreachable!("handled before"),
    };
    let ordering = order_values(actual, &literal_value, ty);
    match op {
        Op::Eq => ordering.is_eq(),
        Op::Ne => ordering.is_ne(),
        Op::Lt => ordering.is_lt(),
        Op::Le => ordering.is_le(),
        Op::Gt => ordering.is_gt(),
        Op::Ge => ordering.is_ge(),
    }
}

/// Orders two non-null values of one column type.
fn order_values(a: &Value, b: &Value, ty: FieldType) -> Ordering {
    match ty {
        _ if ty.is_numeric() => {
            let (x, y) = (a.as_f64().unwrap_or(0.0), b.as_f64().unwrap_or(0.0));
            x.partial_cmp(&y).unwrap_or(Ordering::Equal)
        }
        FieldType::Boolean => a.as_bool().cmp(&b.as_bool()),
        FieldType::DateTime => {
            let ms = |v: &Value| v.as_str().and_then(clock::parse_datetime);
            ms(a).cmp(&ms(b))
        }
        // Ids and dates compare exactly as stored; text ignores case.
        FieldType::Id | FieldType::Reference { .. } | FieldType::Date => {
            a.as_str().cmp(&b.as_str())
        }
        _ => {
            let (x, y) = (
                a.as_str().unwrap_or_default(),
                b.as_str().unwrap_or_default(),
            );
            if x.is_ascii() && y.is_ascii() {
                let lower = |s: &str| {
                    s.bytes()
                        .map(|c| c.to_ascii_lowercase())
                        .collect::<Vec<_>>()
                };
                lower(x).cmp(&lower(y))
            } else {
                x.to_lowercase().cmp(&y.to_lowercase())
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Shaping

/// Writes one column into a row, creating the nested parent records on its path.
fn put(
    row: &mut Map<String, Value>,
    org: &Org,
    record: &Record,
    hops: &[Hop],
    column: &Column,
    version: &str,
) {
    let Some((hop, rest)) = hops.split_first() else {
        row.insert(
            column.leaf_name().to_owned(),
            leaf_value(record, &column.leaf).into_owned(),
        );
        return;
    };
    let Some(parent) = parent(org, record, hop) else {
        row.entry(hop.relationship).or_insert(Value::Null);
        return;
    };
    let parent_object = parent.object();
    let nested = row.entry(hop.relationship).or_insert_with(|| {
        // Polymorphic lookups answer as Salesforce's `Name` object, url to the real one.
        let type_name = if hop.polymorphic {
            "Name"
        } else {
            parent_object.name
        };
        let mut nested = Map::new();
        nested.insert(
            "attributes".into(),
            attributes(type_name, parent_object.name, parent.id(), version),
        );
        Value::Object(nested)
    });
    if let Value::Object(nested) = nested {
        put(nested, org, parent, rest, column, version);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::salesforce::store::POD;
    use serde_json::json;

    const V: &str = "v64.0";

    fn everything() -> View {
        View::everything(crate::salesforce::OrgShape::Demo.schema())
    }

    fn org() -> Org {
        let mut org = Org::new(
            SfId::from_parts("00D", POD, 1).unwrap(),
            crate::salesforce::OrgShape::Demo.schema(),
        );
        let actor = org.next_id("005");
        let body = |v: Value| v.as_object().unwrap().clone();
        let mut now = 1_765_890_330_000;
        let mut create = |org: &mut Org, object, v: Value| {
            now += 1000;
            org.create(object, &body(v), &actor, now).unwrap()
        };
        let account = create(
            &mut org,
            &schema::ACCOUNT,
            json!({"Name": "Analytical Engines"}),
        );
        let ada = create(
            &mut org,
            &schema::CONTACT,
            json!({"FirstName": "Ada", "LastName": "Lovelace", "Email": "ada@example.com", "AccountId": account.as_str()}),
        );
        create(
            &mut org,
            &schema::CONTACT,
            json!({"FirstName": "Charles", "LastName": "Babbage", "Email": "charles@example.com"}),
        );
        create(
            &mut org,
            &schema::CONTACT,
            json!({"LastName": "O'Hara", "Email": "o'hara@example.com", "Title": "x' OR Name != '"}),
        );
        create(
            &mut org,
            &schema::TASK,
            json!({"Subject": "Call", "WhoId": ada.as_str()}),
        );
        org
    }

    fn names(rows: &[Value]) -> Vec<&str> {
        rows.iter().map(|r| r["Name"].as_str().unwrap()).collect()
    }

    #[test]
    fn shapes_rows_with_attributes_and_nested_parents() {
        let org = org();
        let rows = run(
            &org,
            "SELECT Id, Name, Account.Name FROM Contact WHERE Email = 'ADA@example.com'",
            V,
        )
        .unwrap();
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        let id = row["Id"].as_str().unwrap();
        assert_eq!(
            row["attributes"],
            json!({"type": "Contact", "url": format!("/services/data/v64.0/sobjects/Contact/{id}")})
        );
        assert_eq!(row["Account"]["attributes"]["type"], "Account");
        assert_eq!(row["Account"]["Name"], "Analytical Engines");
        let keys: Vec<_> = row.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["attributes", "Id", "Name", "Account"]);

        let rows = run(
            &org,
            "SELECT Name, Account.Name FROM Contact WHERE Email = 'charles@example.com'",
            V,
        )
        .unwrap();
        assert_eq!(rows[0]["Account"], Value::Null);
    }

    #[test]
    fn polymorphic_parents_answer_as_name() {
        let org = org();
        let rows = run(&org, "SELECT Subject, Who.Name, Who.Type FROM Task", V).unwrap();
        assert_eq!(rows[0]["Who"]["attributes"]["type"], "Name");
        assert!(
            rows[0]["Who"]["attributes"]["url"]
                .as_str()
                .unwrap()
                .contains("/sobjects/Contact/")
        );
        assert_eq!(rows[0]["Who"]["Name"], "Ada Lovelace");
        assert_eq!(rows[0]["Who"]["Type"], "Contact");
    }

    #[test]
    fn an_escaped_injection_matches_only_the_literal() {
        let org = org();
        let soql = shared::soql::Select::new("Contact", &["Name"])
            .where_eq("Title", "x' OR Name != '")
            .build();
        assert_eq!(names(&run(&org, &soql, V).unwrap()), ["O'Hara"]);
        let soql = shared::soql::Select::new("Contact", &["Name"])
            .where_eq("Email", "nobody' OR Name != '")
            .build();
        assert!(run(&org, &soql, V).unwrap().is_empty());
    }

    #[test]
    fn semi_joins_select_the_parents_of_matching_children() {
        let org = org();
        let run = |q: &str| run(&org, q, V);
        let rows = run(
            "SELECT Name FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE Email = 'ada@example.com')",
        )
        .unwrap();
        assert_eq!(names(&rows), ["Analytical Engines"]);
        // Charles has no account: a null value is never in the list.
        let rows = run(
            "SELECT Name FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE Email = 'charles@example.com')",
        )
        .unwrap();
        assert!(rows.is_empty());
        let rows = run(
            "SELECT Name FROM Account WHERE Id NOT IN (SELECT AccountId FROM Contact WHERE Email = 'ada@example.com')",
        )
        .unwrap();
        assert!(rows.is_empty());
        for (bad, code) in [
            (
                "SELECT Name FROM Account WHERE Name IN (SELECT AccountId FROM Contact)",
                "INVALID_FIELD",
            ),
            (
                "SELECT Name FROM Account WHERE Id IN (SELECT Email FROM Contact)",
                "INVALID_FIELD",
            ),
            (
                "SELECT Name FROM Account WHERE Id IN (SELECT AccountId, Id FROM Contact)",
                "MALFORMED_QUERY",
            ),
        ] {
            assert_eq!(run(bad).unwrap_err().code, code, "{bad}");
        }
    }

    #[test]
    fn filters_sort_and_limit() {
        let org = org();
        let run = |q: &str| run(&org, q, V).unwrap();
        assert_eq!(
            names(&run("SELECT Name FROM Contact ORDER BY Name")),
            ["Ada Lovelace", "Charles Babbage", "O'Hara"]
        );
        assert_eq!(
            names(&run(
                "SELECT Name FROM Contact ORDER BY FirstName DESC LIMIT 2"
            )),
            ["Charles Babbage", "Ada Lovelace"],
        );
        assert_eq!(
            names(&run("SELECT Name FROM Contact ORDER BY FirstName ASC")),
            ["O'Hara", "Ada Lovelace", "Charles Babbage"],
            "nulls first ascending"
        );
        assert_eq!(
            names(&run(
                "SELECT Name FROM Contact WHERE Name LIKE '%a%e' OR Email = null"
            )),
            ["Ada Lovelace", "Charles Babbage"]
        );
        assert_eq!(
            names(&run(
                "SELECT Name FROM Contact WHERE AccountId != null AND (Email LIKE 'ada%' OR Email LIKE 'x%')"
            )),
            ["Ada Lovelace"]
        );
        assert_eq!(
            names(&run(
                "SELECT Name FROM Contact WHERE Account.Name = 'analytical engines'"
            )),
            ["Ada Lovelace"]
        );
        assert_eq!(
            names(&run(
                "SELECT Name FROM Contact WHERE NOT Email IN ('ada@example.com')"
            )),
            ["Charles Babbage", "O'Hara"]
        );
        assert_eq!(
            names(&run(
                "SELECT Name FROM Contact WHERE CreatedDate > 2025-12-16T13:05:32Z ORDER BY CreatedDate DESC"
            )),
            ["O'Hara", "Charles Babbage"]
        );
        assert_eq!(
            run("SELECT Name FROM Contact ORDER BY Name LIMIT 1 OFFSET 1").len(),
            1
        );
    }

    #[test]
    fn ids_match_in_either_length() {
        let org = org();
        let id = run(&org, "SELECT Id FROM Account", V).unwrap()[0]["Id"]
            .as_str()
            .unwrap()
            .to_owned();
        let by15 = format!("SELECT Name FROM Contact WHERE AccountId = '{}'", &id[..15]);
        assert_eq!(names(&run(&org, &by15, V).unwrap()), ["Ada Lovelace"]);
        let err = run(&org, "SELECT Id FROM Contact WHERE AccountId = 'nope'", V).unwrap_err();
        assert_eq!(err.code, "INVALID_QUERY_FILTER_OPERATOR");
    }

    #[test]
    fn unknown_columns_and_objects_are_refused_like_salesforce() {
        let org = org();
        let soql = "SELECT Id, Emial FROM Contact";
        let err = run(&org, soql, V).unwrap_err();
        assert_eq!(err.code, "INVALID_FIELD");
        assert!(
            err.message.starts_with(
                "\nSELECT Id, Emial FROM Contact\n           ^\nERROR at Row:1:Column:12\n\
                 No such column 'Emial' on entity 'Contact'. If you are attempting to use a custom field"
            ),
            "{}",
            err.message
        );
        let err = run(&org, "SELECT Acount.Name FROM Contact", V).unwrap_err();
        assert_eq!(err.code, "INVALID_FIELD");
        assert!(
            err.message
                .contains("Didn't understand relationship 'Acount'")
        );
        assert_eq!(
            run(&org, "SELECT Id FROM Contact WHERE Nope = 'x'", V)
                .unwrap_err()
                .code,
            "INVALID_FIELD"
        );
        assert_eq!(
            run(&org, "SELECT Id FROM Widget__c", V).unwrap_err().code,
            "INVALID_TYPE"
        );
        assert_eq!(
            run(&org, "SELECT Id FROM Contact WHERE Email = 3", V)
                .unwrap_err()
                .code,
            "INVALID_FIELD"
        );
        assert_eq!(
            run(&org, "SELECT Id, id FROM Contact", V).unwrap_err().code,
            "MALFORMED_QUERY"
        );
        assert_eq!(
            run(&org, "SELEKT Id FROM Contact", V).unwrap_err().code,
            "MALFORMED_QUERY"
        );
    }

    #[test]
    fn child_sub_queries_nest_records_or_null() {
        let org = org();
        let rows = run(
            &org,
            "SELECT Name, (SELECT Subject FROM Tasks), (SELECT Title FROM Notes), Email \
             FROM Contact ORDER BY Name",
            V,
        )
        .unwrap();
        let ada = &rows[0];
        let keys: Vec<_> = ada.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["attributes", "Name", "Tasks", "Notes", "Email"]);
        assert_eq!(ada["Tasks"]["totalSize"], 1);
        assert_eq!(ada["Tasks"]["done"], true);
        assert_eq!(ada["Tasks"]["records"][0]["Subject"], "Call");
        assert_eq!(ada["Tasks"]["records"][0]["attributes"]["type"], "Task");
        assert_eq!(ada["Notes"], Value::Null, "null when there are no children");
        assert_eq!(rows[1]["Tasks"], Value::Null);

        let accounts = run(
            &org,
            "SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName DESC LIMIT 1) FROM Account",
            V,
        )
        .unwrap();
        assert_eq!(
            accounts[0]["Contacts"]["records"][0]["LastName"],
            "Lovelace"
        );
        let err = run(&org, "SELECT Name, (SELECT Id FROM Opps) FROM Account", V).unwrap_err();
        assert_eq!(err.code, "INVALID_TYPE");
        assert!(
            err.message
                .contains("Didn't understand relationship 'Opps'")
        );
    }

    #[test]
    fn counts_and_aggregates() {
        let org = org();
        let options = Options::new(everything(), V, 1_765_890_400_000);
        let answer = execute(
            &org,
            "SELECT COUNT() FROM Contact WHERE Email != null",
            &options,
        )
        .unwrap();
        assert_eq!(answer.total(), 3);
        assert!(answer.into_values(&org).is_empty());
        let rows = run(
            &org,
            "SELECT COUNT(AccountId) linked, COUNT(Id) FROM Contact",
            V,
        )
        .unwrap();
        assert_eq!(
            rows,
            vec![json!({"attributes": {"type": "AggregateResult"}, "linked": 1, "expr1": 3})]
        );
        assert_eq!(
            run(&org, "SELECT Id, COUNT(Id) FROM Contact", V)
                .unwrap_err()
                .code,
            "MALFORMED_QUERY"
        );
    }

    #[test]
    fn date_literals_filter_relative_to_now() {
        let org = org();
        // The records were created on 2025-12-16 around 13:05 UTC.
        let on = |now: &str, soql: &str| {
            let options = Options::new(everything(), V, clock::parse_datetime(now).unwrap());
            execute(&org, soql, &options).unwrap().total()
        };
        let soql = "SELECT Id FROM Contact WHERE CreatedDate = TODAY";
        assert_eq!(on("2025-12-16T23:00:00Z", soql), 3);
        assert_eq!(on("2025-12-17T01:00:00Z", soql), 0);
        let soql = "SELECT Id FROM Contact WHERE CreatedDate = LAST_N_DAYS:7";
        assert_eq!(on("2025-12-23T10:00:00Z", soql), 3);
        assert_eq!(on("2025-12-24T10:00:00Z", soql), 0);
        let soql = "SELECT Id FROM Contact WHERE CreatedDate < THIS_MONTH";
        assert_eq!(on("2026-01-02T00:00:00Z", soql), 3);
        assert_eq!(on("2025-12-31T00:00:00Z", soql), 0);
        let err = execute(
            &org,
            "SELECT Id FROM Contact WHERE Email = TODAY",
            &Options::new(everything(), V, 0),
        )
        .err()
        .unwrap();
        assert_eq!(err.code, "INVALID_FIELD");
    }

    #[test]
    fn query_all_sees_the_recycle_bin() {
        let mut org = org();
        let actor = SfId::parse(org.all(&schema::CONTACT)[0]["OwnerId"].as_str().unwrap()).unwrap();
        let id = SfId::parse(org.all(&schema::CONTACT)[1].id()).unwrap();
        org.delete(&schema::CONTACT, &id, &actor, 1_765_890_400_000)
            .unwrap();
        let soql = "SELECT Name, IsDeleted FROM Contact ORDER BY Name";
        assert_eq!(run(&org, soql, V).unwrap().len(), 2);
        let options = Options {
            include_deleted: true,
            ..Options::new(everything(), V, 0)
        };
        let rows = execute(&org, soql, &options).unwrap().into_values(&org);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1]["Name"], "Charles Babbage");
        assert_eq!(rows[1]["IsDeleted"], true);
    }
}
