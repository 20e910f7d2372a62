//! The JSON names of the contract's plain enums, for code that reads or writes them without
//! serde: the agent panel reads the edge's answers from the browser's own `JSON.parse`, so
//! that its wasm carries no JSON decoder (issue 17). Each enum's names are tested against
//! its serde encoding below, so the wire keeps one definition.

/// A plain enum as JSON names its values (serde's `rename_all`).
pub trait WireName: Sized + Copy + 'static {
    /// Every value.
    const VARIANTS: &'static [Self];

    /// The value's JSON name.
    fn wire_name(self) -> &'static str;

    /// The value JSON calls `name`.
    fn from_wire_name(name: &str) -> Option<Self> {
        Self::VARIANTS
            .iter()
            .copied()
            .find(|value| value.wire_name() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::WireName;
    use crate::api::{Action, ErrorCode, RecordKind, Section};
    use crate::context::Role;
    use serde::Serialize;

    /// Every value of `T` is named as serde writes it, and read back from that name.
    fn names_as_serde<T: WireName + Serialize + PartialEq + std::fmt::Debug>() {
        for &value in T::VARIANTS {
            assert_eq!(
                serde_json::to_value(value).unwrap(),
                value.wire_name(),
                "{value:?}"
            );
            assert_eq!(T::from_wire_name(value.wire_name()), Some(value));
        }
        assert_eq!(T::from_wire_name("no such name"), None);
    }

    #[test]
    fn every_enum_is_named_as_serde_writes_it() {
        names_as_serde::<RecordKind>();
        names_as_serde::<Section>();
        names_as_serde::<Action>();
        names_as_serde::<ErrorCode>();
        names_as_serde::<Role>();
    }
}
