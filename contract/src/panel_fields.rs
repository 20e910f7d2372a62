//! Which Salesforce fields the agent panel shows beyond each record's header: the admin's
//! choice per object, among the fields the connected org lets the integration read. The
//! defaults are standard fields only: no org is assumed to have a custom field, and a
//! standard one the org hides is left out by the edge (it offers only what describe lists).

use serde::{Deserialize, Serialize};

/// `GET` → [`PanelFieldsView`]; `PUT` a [`PanelFields`] → [`PanelFieldsView`], or 400 with
/// the first of [`PanelFields::issues`].
pub const PANEL_FIELDS_PATH: &str = "/api/admin/panel-fields";

/// At most this many chosen fields per object: the panel stays readable, and its one
/// query stays well under Salesforce's URL length limit.
pub const MAX_FIELDS: usize = 20;

/// The objects whose fields the panel shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PanelObject {
    Contact,
    Account,
    Opportunity,
}

impl PanelObject {
    pub const ALL: [PanelObject; 3] = [
        PanelObject::Contact,
        PanelObject::Account,
        PanelObject::Opportunity,
    ];

    pub fn salesforce_name(self) -> &'static str {
        match self {
            PanelObject::Contact => "Contact",
            PanelObject::Account => "Account",
            PanelObject::Opportunity => "Opportunity",
        }
    }

    /// As the console titles its list.
    pub fn title(self) -> &'static str {
        match self {
            PanelObject::Contact => "Contacts",
            PanelObject::Account => "Accounts",
            PanelObject::Opportunity => "Opportunities",
        }
    }
}

/// One value per panel object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PerObject<T> {
    pub contact: T,
    pub account: T,
    pub opportunity: T,
}

impl<T> PerObject<T> {
    pub fn get(&self, object: PanelObject) -> &T {
        match object {
            PanelObject::Contact => &self.contact,
            PanelObject::Account => &self.account,
            PanelObject::Opportunity => &self.opportunity,
        }
    }

    pub fn get_mut(&mut self, object: PanelObject) -> &mut T {
        match object {
            PanelObject::Contact => &mut self.contact,
            PanelObject::Account => &mut self.account,
            PanelObject::Opportunity => &mut self.opportunity,
        }
    }
}

/// The chosen fields' API names, in the order the panel shows them.
pub type PanelFields = PerObject<Vec<String>>;

/// A field the admin may choose: one the org lets the integration read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelFieldOption {
    pub name: String,
    pub label: String,
}

/// The console's view: what is chosen and what may be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelFieldsView {
    pub chosen: PanelFields,
    pub offered: PerObject<Vec<PanelFieldOption>>,
}

impl PanelFields {
    /// Standard fields every edition has (each still shown only where the org lets the
    /// integration read it).
    pub fn standard() -> Self {
        let names = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect();
        PerObject {
            contact: names(&["MobilePhone", "Department", "MailingCity", "MailingCountry"]),
            account: names(&[
                "Website",
                "BillingCity",
                "BillingCountry",
                "NumberOfEmployees",
            ]),
            opportunity: Vec::new(),
        }
    }

    /// The defaults as far as `offered` has them: what a new integration shows.
    pub fn standard_within(offered: &PerObject<Vec<PanelFieldOption>>) -> Self {
        let mut chosen = Self::standard();
        for object in PanelObject::ALL {
            let offered = offered.get(object);
            chosen
                .get_mut(object)
                .retain(|name| offered.iter().any(|o| &o.name == name));
        }
        chosen
    }

    /// Why this choice cannot be saved against what the org offers; empty when it can.
    pub fn issues(&self, offered: &PerObject<Vec<PanelFieldOption>>) -> Vec<String> {
        let mut issues = Vec::new();
        for object in PanelObject::ALL {
            let chosen = self.get(object);
            let title = object.title();
            if chosen.len() > MAX_FIELDS {
                issues.push(format!(
                    "{title}: at most {MAX_FIELDS} fields, not {}",
                    chosen.len()
                ));
            }
            for (index, name) in chosen.iter().enumerate() {
                if chosen[..index].contains(name) {
                    issues.push(format!("{title}: {name} is chosen twice"));
                } else if !offered.get(object).iter().any(|o| &o.name == name) {
                    issues.push(format!(
                        "{title}: {name} is not a field the connected Salesforce user can read"
                    ));
                }
            }
        }
        issues
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offered(names: &[&str]) -> Vec<PanelFieldOption> {
        names
            .iter()
            .map(|n| PanelFieldOption {
                name: (*n).into(),
                label: (*n).into(),
            })
            .collect()
    }

    #[test]
    fn defaults_are_standard_and_kept_to_what_the_org_offers() {
        for object in PanelObject::ALL {
            assert!(
                PanelFields::standard()
                    .get(object)
                    .iter()
                    .all(|name| !name.ends_with("__c")),
                "no custom field is assumed"
            );
        }
        let org = PerObject {
            contact: offered(&["Department", "Subscription_Type__c"]),
            account: offered(&["Website"]),
            opportunity: offered(&["NextStep"]),
        };
        let chosen = PanelFields::standard_within(&org);
        assert_eq!(chosen.contact, vec!["Department".to_owned()]);
        assert_eq!(chosen.account, vec!["Website".to_owned()]);
        assert!(chosen.opportunity.is_empty());
        assert!(chosen.issues(&org).is_empty());
    }

    #[test]
    fn unknown_repeated_and_too_many_fields_are_refused() {
        let org = PerObject {
            contact: offered(&["Department", "Subscription_Type__c"]),
            account: offered(&[]),
            opportunity: offered(&[]),
        };
        let mut chosen = PerObject {
            contact: vec![
                "Subscription_Type__c".to_owned(),
                "Title__c".to_owned(),
                "Subscription_Type__c".to_owned(),
            ],
            ..PerObject::default()
        };
        assert_eq!(
            chosen.issues(&org),
            vec![
                "Contacts: Title__c is not a field the connected Salesforce user can read",
                "Contacts: Subscription_Type__c is chosen twice",
            ]
        );
        chosen.contact = vec!["Department".to_owned(); MAX_FIELDS + 1];
        assert!(chosen.issues(&org)[0].starts_with("Contacts: at most 20 fields"));
    }
}
