//! The two sides of the integration, Salesforce and the helpdesk: where a field lives,
//! where a change comes from, which way a run or a failure went.
//!
//! A direction is named by the side it starts from (`from: Side`); where a direction is
//! written down (the admin API's runs, steps and failures, the stored initial sync, the
//! history and failure tables) it keeps its name, `salesforce_to_helpdesk` or
//! `helpdesk_to_salesforce`, through [`as_direction`].

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Salesforce,
    Helpdesk,
}

impl Side {
    pub const BOTH: [Side; 2] = [Side::Salesforce, Side::Helpdesk];

    /// The side a change from `self` goes to.
    pub fn other(self) -> Side {
        match self {
            Side::Salesforce => Side::Helpdesk,
            Side::Helpdesk => Side::Salesforce,
        }
    }

    /// Its name in storage and JSON: `salesforce` or `helpdesk`.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Salesforce => "salesforce",
            Side::Helpdesk => "helpdesk",
        }
    }

    /// The name of the direction from this side to the other.
    pub fn direction_name(self) -> &'static str {
        match self {
            Side::Salesforce => "salesforce_to_helpdesk",
            Side::Helpdesk => "helpdesk_to_salesforce",
        }
    }

    /// The side a direction named by [`Side::direction_name`] starts from.
    pub fn from_direction_name(name: &str) -> Option<Side> {
        Side::BOTH
            .into_iter()
            .find(|side| side.direction_name() == name)
    }
}

impl std::fmt::Display for Side {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Side::Salesforce => "Salesforce",
            Side::Helpdesk => "helpdesk",
        })
    }
}

/// Serde for a `from: Side` written as the direction it starts
/// (`#[serde(rename = "direction", with = "as_direction")]`).
pub mod as_direction {
    use super::Side;
    use serde::de::Error;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(from: &Side, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(from.direction_name())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Side, D::Error> {
        let name = String::deserialize(deserializer)?;
        const NAMES: &[&str] = &["salesforce_to_helpdesk", "helpdesk_to_salesforce"];
        Side::from_direction_name(&name).ok_or_else(|| D::Error::unknown_variant(&name, NAMES))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Step {
        #[serde(rename = "direction", with = "as_direction")]
        from: Side,
    }

    #[test]
    fn a_direction_keeps_its_name_in_json() {
        for (from, name) in [
            (Side::Salesforce, "salesforce_to_helpdesk"),
            (Side::Helpdesk, "helpdesk_to_salesforce"),
        ] {
            let written = json!({"direction": name});
            assert_eq!(serde_json::to_value(Step { from }).unwrap(), written);
            assert_eq!(
                serde_json::from_value::<Step>(written).unwrap(),
                Step { from }
            );
        }
        assert!(serde_json::from_value::<Step>(json!({"direction": "sideways"})).is_err());
    }

    #[test]
    fn a_side_is_named_as_before_in_json_and_storage() {
        for side in Side::BOTH {
            assert_eq!(serde_json::to_value(side).unwrap(), json!(side.as_str()));
            assert_eq!(side.other().other(), side);
        }
    }
}
