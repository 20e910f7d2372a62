//! JSON through the browser's own parser and writer (`JSON.parse`, `JSON.stringify`), so
//! that the agent panel's wasm carries no JSON code of its own: serde's decoding of the
//! contract's types was its largest part after Leptos (issue 17). A type the panel reads
//! implements [`FromJson`], reading an object's fields with [`Fields`], one reader per
//! kind of value, and a request body [`ToJson`]; [`crate::wire`] implements both for the
//! contract's types.

use contract::ids::{Email, SfId};
use contract::wire_name::WireName;
use js_sys::{Array, JSON, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// Why JSON text is not the value asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonError {
    /// Not JSON at all (the parser's message).
    #[error("not JSON: {0}")]
    Syntax(String),
    /// JSON, but not the contract's shape: what was expected, and where (`view.id`).
    #[error("expected {expected} at `{at}`")]
    Shape { expected: &'static str, at: String },
}

impl JsonError {
    /// The value read is not `expected`.
    pub fn expected(expected: &'static str) -> JsonError {
        JsonError::Shape {
            expected,
            at: String::new(),
        }
    }

    /// The same error, found in field `name` of the value around it.
    pub fn within(self, name: &str) -> JsonError {
        match self {
            JsonError::Shape { expected, at } if at.is_empty() => JsonError::Shape {
                expected,
                at: name.to_owned(),
            },
            JsonError::Shape { expected, at } => JsonError::Shape {
                expected,
                at: format!("{name}.{at}"),
            },
            syntax => syntax,
        }
    }
}

/// A type read from a value `JSON.parse` made, as serde would read it from the same text.
pub trait FromJson: Sized {
    fn from_json(value: &JsValue) -> Result<Self, JsonError>;
}

/// A `T` from JSON text.
pub fn parse<T: FromJson>(text: &str) -> Result<T, JsonError> {
    let value = JSON::parse(text).map_err(|thrown| {
        JsonError::Syntax(
            thrown
                .dyn_ref::<js_sys::Error>()
                .map(|error| String::from(error.message()))
                .unwrap_or_default(),
        )
    })?;
    T::from_json(&value)
}

/// A type the panel writes as JSON (a request body), as serde would write it.
pub trait ToJson {
    fn to_json(&self) -> String;
}

/// The JSON text of an object with these fields (`JSON.stringify`); a field whose value is
/// `None` is left out (serde's `skip_serializing_if = "Option::is_none"`).
pub fn object_json(fields: &[(&str, Option<&str>)]) -> String {
    let object = Object::new();
    for (name, value) in fields {
        if let Some(value) = value {
            // Setting a property of a fresh plain object cannot fail.
            let _ = Reflect::set(&object, &(*name).into(), &(*value).into());
        }
    }
    JSON::stringify(&object)
        .ok()
        .and_then(|text| text.as_string())
        .unwrap_or_default()
}

/// The fields of a JSON object.
pub struct Fields<'a>(&'a JsValue);

impl<'a> Fields<'a> {
    /// `value`'s fields, when it is an object (not an array, not `null`).
    pub fn of(value: &'a JsValue) -> Result<Fields<'a>, JsonError> {
        if value.is_object() && !Array::is_array(value) {
            Ok(Fields(value))
        } else {
            Err(JsonError::expected("an object"))
        }
    }

    /// Field `name`, which must be there. Like serde, `null` counts as absent except for
    /// an optional field, and fields not asked for are ignored.
    pub fn get<T: FromJson>(&self, name: &str) -> Result<T, JsonError> {
        self.opt(name)?
            .ok_or_else(|| JsonError::expected("a value").within(name))
    }

    /// Field `name`; `None` when absent or `null` (serde's `Option`).
    pub fn opt<T: FromJson>(&self, name: &str) -> Result<Option<T>, JsonError> {
        let value = Reflect::get(self.0, &name.into()).unwrap_or(JsValue::UNDEFINED);
        if value.is_undefined() || value.is_null() {
            return Ok(None);
        }
        T::from_json(&value)
            .map(Some)
            .map_err(|error| error.within(name))
    }

    /// Field `name`, or its default when absent (serde's `#[serde(default)]`).
    pub fn or_default<T: FromJson + Default>(&self, name: &str) -> Result<T, JsonError> {
        Ok(self.opt(name)?.unwrap_or_default())
    }
}

impl FromJson for String {
    fn from_json(value: &JsValue) -> Result<Self, JsonError> {
        value.as_string().ok_or(JsonError::expected("a string"))
    }
}

impl FromJson for bool {
    fn from_json(value: &JsValue) -> Result<Self, JsonError> {
        value.as_bool().ok_or(JsonError::expected("true or false"))
    }
}

impl FromJson for f64 {
    fn from_json(value: &JsValue) -> Result<Self, JsonError> {
        value.as_f64().ok_or(JsonError::expected("a number"))
    }
}

impl FromJson for u64 {
    /// A whole number JavaScript holds exactly (at most 2^53 - 1, `Number.MAX_SAFE_INTEGER`).
    fn from_json(value: &JsValue) -> Result<Self, JsonError> {
        const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;
        value
            .as_f64()
            .filter(|n| n.fract() == 0.0 && (0.0..=MAX_SAFE_INTEGER).contains(n))
            .map(|n| n as u64)
            .ok_or(JsonError::expected("a whole number"))
    }
}

impl FromJson for SfId {
    fn from_json(value: &JsValue) -> Result<Self, JsonError> {
        SfId::parse(&String::from_json(value)?).map_err(|_| JsonError::expected("a Salesforce Id"))
    }
}

impl FromJson for Email {
    fn from_json(value: &JsValue) -> Result<Self, JsonError> {
        Email::parse(&String::from_json(value)?).map_err(|_| JsonError::expected("an email"))
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    /// A plain loop rather than `collect` into a `Result`, whose adapter the wasm would
    /// carry once per item type.
    fn from_json(value: &JsValue) -> Result<Self, JsonError> {
        let array = value
            .dyn_ref::<Array>()
            .ok_or(JsonError::expected("a list"))?;
        let mut items = Vec::with_capacity(array.length() as usize);
        for item in array.iter() {
            items.push(T::from_json(&item)?);
        }
        Ok(items)
    }
}

impl<T: FromJson> FromJson for Box<T> {
    fn from_json(value: &JsValue) -> Result<Self, JsonError> {
        T::from_json(value).map(Box::new)
    }
}

/// One of an enum's values by its JSON name; for its [`FromJson`].
pub fn named<T: WireName>(value: &JsValue) -> Result<T, JsonError> {
    value
        .as_string()
        .and_then(|name| T::from_wire_name(&name))
        .ok_or(JsonError::expected("a known name"))
}
