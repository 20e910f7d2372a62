//! Evaluates a parsed SOQL query against the org: resolves every column against the
//! schema (with Salesforce's errors for unknown ones), filters, sorts, and shapes rows the
//! way the REST API does (`attributes` first, parents as nested records or `null`).

use super::schema::{self, FieldDef, FieldType, ObjectDef};
use super::soql::{self, Condition, LikePart, Literal, Op, Path};
use super::store::{Org, Record};
use crate::clock;
use serde_json::{Map, Value};
use shared::ids::SfId;
use std::cmp::Ordering;

/// A query Salesforce would refuse: `code` is its `errorCode`, answered with 400.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    pub code: &'static str,
    pub message: String,
}

/// Runs `soql` and returns every matching row (paging is the caller's business).
pub fn run(org: &Org, soql_text: &str, version: &str) -> Result<Vec<Value>, QueryError> {
    let query = soql::parse(soql_text).map_err(|e| QueryError {
        code: "MALFORMED_QUERY",
        message: e.message(soql_text),
    })?;
    let fail = |code, at, detail: String| QueryError {
        code,
        message: soql::positioned(soql_text, at, &detail),
    };

    let object = schema::object(&query.from.text).ok_or_else(|| {
        fail(
            "INVALID_TYPE",
            query.from.at,
            format!(
                "sObject type '{}' is not supported. If you are attempting to use a custom \
                 object, be sure to append the '__c' after the entity name. Please reference \
                 your WSDL or the describe call for the appropriate names.",
                query.from.text
            ),
        )
    })?;

    let mut columns: Vec<Column> = Vec::with_capacity(query.select.len());
    for path in &query.select {
        let column = resolve(object, path).map_err(|d| fail("INVALID_FIELD", path.at, d))?;
        if columns.iter().any(|c| c.canonical == column.canonical) {
            return Err(fail(
                "MALFORMED_QUERY",
                path.at,
                format!("duplicate field selected: {}", path.dotted()),
            ));
        }
        columns.push(column);
    }
    let filter = query
        .filter
        .as_ref()
        .map(|c| resolve_condition(object, c))
        .transpose()
        .map_err(|(code, at, detail)| fail(code, at, detail))?;
    let order: Vec<(Column, &soql::OrderBy)> = query
        .order_by
        .iter()
        .map(|o| {
            resolve(object, &o.path)
                .map(|c| (c, o))
                .map_err(|d| fail("INVALID_FIELD", o.path.at, d))
        })
        .collect::<Result<_, _>>()?;

    let mut records: Vec<&Record> = org
        .live(object)
        .filter(|record| filter.as_ref().is_none_or(|f| f.matches(org, record)))
        .collect();
    if !order.is_empty() {
        // A stable sort: ties keep Id order, like Salesforce's default.
        records.sort_by(|a, b| {
            order
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
    let offset = query.offset.unwrap_or(0) as usize;
    let limit = query.limit.map_or(usize::MAX, |l| l as usize);
    Ok(records
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|record| shape(org, object, record, &columns, version))
        .collect())
}

/// `{"type": ..., "url": "/services/data/vNN.0/sobjects/<Object>/<Id>"}`.
pub fn attributes(type_name: &str, object: &str, id: &str, version: &str) -> Value {
    serde_json::json!({
        "type": type_name,
        "url": format!("/services/data/{version}/sobjects/{object}/{id}"),
    })
}

// ---------------------------------------------------------------------------------------
// Columns

/// One lookup traversed on the way to a field.
#[derive(Debug, Clone)]
struct Hop {
    via: &'static FieldDef,
    relationship: &'static str,
    polymorphic: bool,
}

#[derive(Debug, Clone)]
enum Leaf {
    Field(&'static FieldDef),
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
            Leaf::Field(f) => f.name,
            Leaf::NameField(n) => n,
        }
    }

    /// The column's value for a record; `null` when any lookup on the way is empty.
    fn value(&self, org: &Org, record: &Record) -> Value {
        let mut current = record;
        let mut current_type = "";
        for hop in &self.hops {
            match parent(org, current, hop) {
                Some((object, parent)) => {
                    current = parent;
                    current_type = object.name;
                }
                None => return Value::Null,
            }
        }
        leaf_value(current, &self.leaf, current_type)
    }
}

fn leaf_value(record: &Record, leaf: &Leaf, object_name: &str) -> Value {
    match leaf {
        Leaf::Field(f) => record.get(f.name).cloned().unwrap_or(Value::Null),
        Leaf::NameField("Type") => Value::String(object_name.to_owned()),
        Leaf::NameField(name) => record.get(*name).cloned().unwrap_or(Value::Null),
    }
}

fn parent<'a>(
    org: &'a Org,
    record: &Record,
    hop: &Hop,
) -> Option<(&'static ObjectDef, &'a Record)> {
    let id = record.get(hop.via.name)?.as_str()?;
    let id = SfId::parse(id).ok()?;
    let (object, parent) = org.get(&id)?;
    (!super::store::is_deleted(parent)).then_some((object, parent))
}

/// Resolves a path against the schema, or says why not in Salesforce's words.
fn resolve(object: &'static ObjectDef, path: &Path) -> Result<Column, String> {
    let (last, relationships) = path.parts.split_last().expect("paths are never empty");
    let mut hops = Vec::new();
    let mut canonical = Vec::new();
    // `None` once a polymorphic lookup has led to the `Name` object.
    let mut current = Some(object);
    for part in relationships {
        let understood = current.and_then(|o| o.relationship(part));
        let Some(field) = understood else {
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
            via: field,
            relationship,
            polymorphic,
        });
        canonical.push(relationship.to_owned());
        current = if polymorphic {
            None
        } else {
            schema::object(to[0])
        };
    }
    let (leaf, ty) = match current {
        Some(o) => {
            let field = o.field(last).ok_or_else(|| no_such_column(last, o.name))?;
            (Leaf::Field(field), field.ty)
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

type ResolveError = (&'static str, usize, String);

fn resolve_condition(
    object: &'static ObjectDef,
    condition: &Condition,
) -> Result<Filter, ResolveError> {
    let column =
        |path: &Path| resolve(object, path).map_err(|detail| ("INVALID_FIELD", path.at, detail));
    let all = |terms: &[Condition]| {
        terms
            .iter()
            .map(|t| resolve_condition(object, t))
            .collect::<Result<Vec<_>, _>>()
    };
    Ok(match condition {
        Condition::And(terms) => Filter::And(all(terms)?),
        Condition::Or(terms) => Filter::Or(all(terms)?),
        Condition::Not(inner) => Filter::Not(Box::new(resolve_condition(object, inner)?)),
        Condition::Compare {
            path,
            op,
            value,
            value_at,
        } => {
            let column = column(path)?;
            let value = check_literal(&column, value, *value_at)?;
            Filter::Compare {
                column,
                op: *op,
                value,
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
                .map(|(value, at)| check_literal(&column, value, *at))
                .collect::<Result<_, _>>()?;
            Filter::In {
                column,
                values,
                negated: *negated,
            }
        }
    })
}

/// Refuses a literal of the wrong kind for the column, as Salesforce does, and puts Id
/// literals in their 18-character form so they compare with stored Ids.
fn check_literal(column: &Column, value: &Literal, at: usize) -> Result<Literal, ResolveError> {
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
            Filter::Like { column, pattern } => match column.value(org, record) {
                Value::String(text) => soql::like_matches(pattern, &text),
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
        Literal::Null => unreachable!("handled above"),
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
            let lower = |v: &Value| v.as_str().unwrap_or_default().to_lowercase();
            lower(a).cmp(&lower(b))
        }
    }
}

// ---------------------------------------------------------------------------------------
// Shaping

fn shape(
    org: &Org,
    object: &ObjectDef,
    record: &Record,
    columns: &[Column],
    version: &str,
) -> Value {
    let id = record["Id"].as_str().unwrap_or_default();
    let mut row = Map::new();
    row.insert(
        "attributes".into(),
        attributes(object.name, object.name, id, version),
    );
    for column in columns {
        put(
            &mut row,
            org,
            record,
            object.name,
            &column.hops,
            column,
            version,
        );
    }
    Value::Object(row)
}

/// Writes one column into a row, creating the nested parent records on its path.
fn put(
    row: &mut Map<String, Value>,
    org: &Org,
    record: &Record,
    record_type: &str,
    hops: &[Hop],
    column: &Column,
    version: &str,
) {
    let Some((hop, rest)) = hops.split_first() else {
        row.insert(
            column.leaf_name().to_owned(),
            leaf_value(record, &column.leaf, record_type),
        );
        return;
    };
    let Some((parent_object, parent)) = parent(org, record, hop) else {
        row.entry(hop.relationship).or_insert(Value::Null);
        return;
    };
    let nested = row.entry(hop.relationship).or_insert_with(|| {
        let id = parent["Id"].as_str().unwrap_or_default();
        // Polymorphic lookups answer as Salesforce's `Name` object, url to the real one.
        let type_name = if hop.polymorphic {
            "Name"
        } else {
            parent_object.name
        };
        let mut nested = Map::new();
        nested.insert(
            "attributes".into(),
            attributes(type_name, parent_object.name, id, version),
        );
        Value::Object(nested)
    });
    if let Value::Object(nested) = nested {
        put(
            nested,
            org,
            parent,
            parent_object.name,
            rest,
            column,
            version,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::salesforce::store::POD;
    use serde_json::json;

    const V: &str = "v64.0";

    fn org() -> Org {
        let mut org = Org::new(SfId::from_parts("00D", POD, 1).unwrap());
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
}
