//! What each helpdesk profile may see of Salesforce in the agent panel.
//!
//! Enforced in the edge before anything leaves it: [`Permissions::filter`] removes what a
//! profile may not see from the view, so a hidden section is absent from the answer, not
//! merely not drawn; [`Permissions::may`] says whether it may act in Salesforce.

use crate::api::{
    AccountSuggestion, Action, ContactChoice, Panel, RecordKind, SalesforceView, Section,
};
use serde::{Deserialize, Serialize};

/// The items an admin can switch on and off for restricted access. Items added later
/// read with a default from permissions stored before them: sections shown, actions off
/// (a restricted profile gains no write it was not given).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Items {
    /// The contact or account record itself.
    pub information: bool,
    pub opportunities: bool,
    pub notes: bool,
    pub events: bool,
    pub tasks: bool,
    /// The record's cases.
    #[serde(default = "shown")]
    pub cases: bool,
    /// A lead with the requester's email when no contact has it.
    #[serde(default = "shown")]
    pub leads: bool,
    #[serde(default)]
    pub create_contact: bool,
    #[serde(default)]
    pub create_lead: bool,
    #[serde(default)]
    pub log_ticket: bool,
    #[serde(default)]
    pub open_case: bool,
}

fn shown() -> bool {
    true
}

impl Items {
    /// Whether a section is among these items.
    pub fn shows(self, section: Section) -> bool {
        match section {
            Section::Opportunities => self.opportunities,
            Section::Notes => self.notes,
            Section::Events => self.events,
            Section::Tasks => self.tasks,
        }
    }

    /// Whether an action is among these items.
    pub fn allows(self, action: Action) -> bool {
        match action {
            Action::CreateContact => self.create_contact,
            Action::CreateLead => self.create_lead,
            Action::LogTicket => self.log_ticket,
            Action::OpenCase => self.open_case,
        }
    }

    pub const ALL: Items = Items {
        information: true,
        opportunities: true,
        notes: true,
        events: true,
        tasks: true,
        cases: true,
        leads: true,
        create_contact: true,
        create_lead: true,
        log_ticket: true,
        open_case: true,
    };

    pub const NONE: Items = Items {
        information: false,
        opportunities: false,
        notes: false,
        events: false,
        tasks: false,
        cases: false,
        leads: false,
        create_contact: false,
        create_lead: false,
        log_ticket: false,
        open_case: false,
    };

    /// Everything to see, nothing to do.
    pub const READ_ONLY: Items = Items {
        create_contact: false,
        create_lead: false,
        log_ticket: false,
        open_case: false,
        ..Items::ALL
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "level", rename_all = "snake_case")]
pub enum Access {
    Full,
    Restricted { items: Items },
}

impl Access {
    pub fn items(self) -> Items {
        match self {
            Access::Full => Items::ALL,
            Access::Restricted { items } => items,
        }
    }
}

/// The helpdesk's `type` of profiles built on the Light Agent profile.
pub const LIGHT_AGENT_KIND: &str = "LightAgent";

/// One profile's settings, as the admin console's permissions table shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permissions {
    /// Unticked: the profile does not see the integration at all.
    pub visible: bool,
    /// Whether the profile sees the requester's contact or their account.
    pub shows: RecordKind,
    pub access: Access,
}

impl Permissions {
    /// The defaults for a profile of the helpdesk's `kind` (its `type`): full access,
    /// except that light agents do not see opportunities (the reference integration's own
    /// example) and act on nothing in Salesforce. By kind, not name: an admin may rename
    /// a profile, not change its kind.
    pub fn default_for(kind: Option<&str>) -> Self {
        let access = if kind == Some(LIGHT_AGENT_KIND) {
            Access::Restricted {
                items: Items {
                    opportunities: false,
                    ..Items::READ_ONLY
                },
            }
        } else {
            Access::Full
        };
        Permissions {
            visible: true,
            shows: RecordKind::Contact,
            access,
        }
    }

    /// The view with every section this profile may not see removed. `None` when the
    /// profile may not see the integration at all.
    pub fn filter(&self, mut view: SalesforceView) -> Option<SalesforceView> {
        if !self.visible {
            return None;
        }
        let items = self.access.items();
        if !items.information {
            view.record = None;
        }
        if !items.opportunities {
            view.opportunities = None;
        }
        if !items.notes {
            view.notes = None;
        }
        if !items.events {
            view.events = None;
        }
        if !items.tasks {
            view.tasks = None;
        }
        if !items.cases {
            view.cases = None;
            view.ticket_case = None;
        }
        view.unavailable.retain(|note| items.shows(note.section));
        Some(view)
    }

    /// The panel as this profile may see it: a record view through [`Permissions::filter`];
    /// in the other states, without record information the profile may not see, only
    /// what names a record remains (so the agent can still pick or open one). `None` when
    /// the profile may not see the integration.
    pub fn filter_panel(&self, panel: Panel) -> Option<Panel> {
        if !self.visible {
            return None;
        }
        let information = self.access.items().information;
        let contact = |choice: ContactChoice| {
            if information {
                choice
            } else {
                ContactChoice {
                    title: None,
                    account_name: None,
                    ..choice
                }
            }
        };
        let suggestion = |suggestion: AccountSuggestion| {
            if information {
                suggestion
            } else {
                AccountSuggestion {
                    website: None,
                    ..suggestion
                }
            }
        };
        let items = self.access.items();
        let allowed = |offered: [Action; 2]| -> Vec<Action> {
            offered.into_iter().filter(|a| items.allows(*a)).collect()
        };
        Some(match panel {
            Panel::View { view } => Panel::View {
                view: SalesforceView {
                    actions: allowed(Action::ON_RECORD),
                    ..self.filter(view)?
                },
            },
            Panel::Choose { email, candidates } => Panel::Choose {
                email,
                candidates: candidates.into_iter().map(contact).collect(),
            },
            Panel::NoAccount {
                contact: choice,
                name,
                suggestion: offered,
            } => Panel::NoAccount {
                contact: choice.map(contact),
                name,
                suggestion: offered.map(suggestion),
            },
            Panel::NoMatch {
                email,
                suggestion: offered,
                lead,
                ..
            } => {
                let lead = lead.filter(|_| items.leads);
                // A requester Salesforce knows as a lead needs no second lead.
                let mut actions = allowed(Action::ON_UNKNOWN);
                if lead.is_some() {
                    actions.retain(|a| *a != Action::CreateLead);
                }
                Panel::NoMatch {
                    email,
                    suggestion: offered.map(suggestion),
                    lead,
                    actions,
                }
            }
            other @ (Panel::NotConnected { .. } | Panel::NoRequester) => other,
        })
    }

    /// Whether the edge needs to ask Salesforce for a section at all.
    pub fn wants(&self) -> Items {
        if self.visible {
            self.access.items()
        } else {
            Items::NONE
        }
    }

    /// Whether this profile may take `action` in Salesforce.
    pub fn may(&self, action: Action) -> bool {
        self.wants().allows(action)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{NoteSummary, OpportunitySummary, RecordDetails, SectionNote};
    use crate::ids::SfId;

    fn view() -> SalesforceView {
        let id = SfId::parse("003A000001abcde").unwrap();
        SalesforceView {
            kind: RecordKind::Contact,
            id: id.clone(),
            url: "https://org.example/003A000001abcdeIAA".into(),
            record: Some(RecordDetails {
                name: "Maya Patel".into(),
                title: None,
                email: None,
                phone: None,
                account_name: None,
                account_url: None,
                owner_name: None,
                fields: vec![],
            }),
            opportunities: Some(vec![OpportunitySummary {
                id: id.clone(),
                name: "Renewal".into(),
                stage: "Negotiation".into(),
                amount: Some(1000.0),
                currency: None,
                close_date: None,
                probability: None,
                is_closed: false,
                is_won: false,
                url: String::new(),
                role: None,
                fields: vec![],
            }]),
            notes: Some(vec![NoteSummary {
                id,
                title: "Call".into(),
                body: String::new(),
                author: None,
                created: String::new(),
                url: String::new(),
            }]),
            events: Some(vec![]),
            tasks: Some(vec![]),
            cases: Some(vec![]),
            ticket_case: None,
            actions: vec![],
            unavailable: vec![SectionNote {
                section: Section::Tasks,
                message: "The connected Salesforce user may not read tasks".into(),
            }],
        }
    }

    #[test]
    fn defaults_follow_the_reference() {
        assert_eq!(
            Permissions::default_for(Some("Administrator")).access,
            Access::Full
        );
        assert_eq!(Permissions::default_for(Some("Agent")).access, Access::Full);
        let light = Permissions::default_for(Some(LIGHT_AGENT_KIND))
            .access
            .items();
        assert!(!light.opportunities);
        assert!(light.information && light.notes && light.events && light.tasks);
        assert!(light.cases && light.leads);
        assert_eq!(Permissions::default_for(None).access, Access::Full);
        let agent = Permissions::default_for(Some("Agent"));
        let light = Permissions::default_for(Some(LIGHT_AGENT_KIND));
        for action in Action::ALL {
            assert!(agent.may(action), "{action:?}");
            assert!(!light.may(action), "a light agent may not {action:?}");
        }
        let hidden = Permissions {
            visible: false,
            ..agent
        };
        assert!(!hidden.may(Action::OpenCase));
    }

    #[test]
    fn permissions_stored_before_the_new_items_read_with_defaults() {
        let stored = serde_json::json!({"visible": true, "shows": "contact", "access": {
            "level": "restricted", "items": {"information": true, "opportunities": false,
            "notes": true, "events": true, "tasks": true}}});
        let permissions: Permissions = serde_json::from_value(stored).unwrap();
        let items = permissions.access.items();
        assert!(items.cases && items.leads, "sections are shown");
        assert!(
            Action::ALL.iter().all(|a| !items.allows(*a)),
            "no write is granted"
        );
    }

    #[test]
    fn every_state_loses_record_information_the_profile_hides() {
        let choice = ContactChoice {
            id: SfId::parse("003A000001abcde").unwrap(),
            name: "Maya Patel".into(),
            title: Some("CFO".into()),
            account_name: Some("Northwind".into()),
        };
        let bare = ContactChoice {
            title: None,
            account_name: None,
            ..choice.clone()
        };
        let suggestion = AccountSuggestion {
            id: SfId::parse("001A000001abcde").unwrap(),
            name: "Northwind".into(),
            website: Some("northwind.example".into()),
        };
        let email = crate::ids::Email::parse("maya@northwind.example").unwrap();
        let mut hidden = Permissions::default_for(Some("Agent"));
        hidden.access = Access::Restricted {
            items: Items {
                information: false,
                ..Items::ALL
            },
        };
        let lead = crate::api::LeadSummary {
            id: SfId::parse("00QA000001abcde").unwrap(),
            name: "Maya Patel".into(),
            company: Some("Northwind".into()),
            status: Some("Open - Not Contacted".into()),
            url: String::new(),
        };
        let cases = [
            (
                Panel::Choose {
                    email: email.clone(),
                    candidates: vec![choice.clone()],
                },
                Panel::Choose {
                    email: email.clone(),
                    candidates: vec![bare.clone()],
                },
            ),
            (
                Panel::NoAccount {
                    contact: Some(choice.clone()),
                    name: None,
                    suggestion: Some(suggestion.clone()),
                },
                Panel::NoAccount {
                    contact: Some(bare.clone()),
                    name: None,
                    suggestion: Some(AccountSuggestion {
                        website: None,
                        ..suggestion.clone()
                    }),
                },
            ),
            (
                Panel::NoMatch {
                    email: email.clone(),
                    suggestion: Some(suggestion.clone()),
                    lead: Some(lead.clone()),
                    actions: vec![Action::CreateContact],
                },
                Panel::NoMatch {
                    email: email.clone(),
                    suggestion: Some(AccountSuggestion {
                        website: None,
                        ..suggestion.clone()
                    }),
                    lead: Some(lead.clone()),
                    actions: vec![Action::CreateContact],
                },
            ),
        ];
        let full = Permissions::default_for(Some("Agent"));
        for (panel, filtered) in cases {
            assert_eq!(full.filter_panel(panel.clone()), Some(panel.clone()));
            assert_eq!(hidden.filter_panel(panel), Some(filtered));
        }
    }

    /// Turns one item off; says whether its section is gone from a view.
    type Switch = (fn(&mut Items), fn(&SalesforceView) -> bool);

    #[test]
    fn each_switch_removes_exactly_its_section() {
        let switches: [Switch; 6] = [
            (|i| i.information = false, |v| v.record.is_none()),
            (|i| i.opportunities = false, |v| v.opportunities.is_none()),
            (|i| i.notes = false, |v| v.notes.is_none()),
            (|i| i.events = false, |v| v.events.is_none()),
            (|i| i.tasks = false, |v| v.tasks.is_none()),
            (|i| i.cases = false, |v| v.cases.is_none()),
        ];
        for (switch_off, is_gone) in switches {
            let mut items = Items::ALL;
            switch_off(&mut items);
            let permissions = Permissions {
                visible: true,
                shows: RecordKind::Contact,
                access: Access::Restricted { items },
            };
            let filtered = permissions.filter(view()).unwrap();
            assert!(is_gone(&filtered));
            let present = [
                filtered.record.is_some(),
                filtered.opportunities.is_some(),
                filtered.notes.is_some(),
                filtered.events.is_some(),
                filtered.tasks.is_some(),
                filtered.cases.is_some(),
            ];
            assert_eq!(
                present.iter().filter(|p| **p).count(),
                5,
                "only one section goes"
            );
            // A note about a section goes with the section.
            assert_eq!(
                filtered.unavailable.is_empty(),
                !items.tasks,
                "{:?}",
                filtered.unavailable
            );
        }
    }

    #[test]
    fn a_profile_without_leads_gets_no_lead() {
        let lead = crate::api::LeadSummary {
            id: SfId::parse("00QA000001abcde").unwrap(),
            name: "Maya Patel".into(),
            company: None,
            status: None,
            url: String::new(),
        };
        let email = crate::ids::Email::parse("maya@northwind.example").unwrap();
        let no_leads = Permissions {
            visible: true,
            shows: RecordKind::Contact,
            access: Access::Restricted {
                items: Items {
                    leads: false,
                    ..Items::ALL
                },
            },
        };
        let panel = Panel::NoMatch {
            email: email.clone(),
            suggestion: None,
            lead: Some(lead),
            actions: vec![],
        };
        assert_eq!(
            no_leads.filter_panel(panel),
            Some(Panel::NoMatch {
                email,
                suggestion: None,
                lead: None,
                actions: Action::ON_UNKNOWN.to_vec(),
            })
        );
    }

    #[test]
    fn full_access_keeps_everything_and_invisible_gets_nothing() {
        let full = Permissions {
            visible: true,
            shows: RecordKind::Account,
            access: Access::Full,
        };
        assert_eq!(full.filter(view()), Some(view()));
        let hidden = Permissions {
            visible: false,
            ..full
        };
        assert_eq!(hidden.filter(view()), None);
        assert!(!hidden.wants().information);
    }

    #[test]
    fn panels_are_filtered_and_hidden_profiles_get_none() {
        let light = Permissions::default_for(Some(LIGHT_AGENT_KIND));
        let Some(Panel::View { view: filtered }) = light.filter_panel(Panel::View { view: view() })
        else {
            panic!("a light agent sees the record")
        };
        assert_eq!(filtered.opportunities, None);
        assert!(filtered.notes.is_some());
        assert!(filtered.actions.is_empty(), "a light agent acts on nothing");
        let Some(Panel::View { view: agent }) =
            Permissions::default_for(Some("Agent")).filter_panel(Panel::View { view: view() })
        else {
            panic!("an agent sees the record")
        };
        assert_eq!(agent.actions, Action::ON_RECORD);
        assert_eq!(
            light.filter_panel(Panel::NoRequester),
            Some(Panel::NoRequester)
        );
        let hidden = Permissions {
            visible: false,
            ..light
        };
        assert_eq!(hidden.filter_panel(Panel::NoRequester), None);
        assert_eq!(hidden.filter_panel(Panel::View { view: view() }), None);
    }

    #[test]
    fn serialized_shape_is_stable() {
        let json = serde_json::to_value(Permissions::default_for(Some(LIGHT_AGENT_KIND))).unwrap();
        assert_eq!(json["access"]["level"], "restricted");
        assert_eq!(json["access"]["items"]["opportunities"], false);
        assert_eq!(json["shows"], "contact");
    }
}
