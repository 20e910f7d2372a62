//! The agent panel, as pure functions: what one view asks Salesforce (ONE Composite call
//! whatever the view), and how the answer becomes a [`Panel`].
//!
//! - here: [`Lookup`], the view's plan and its Composite request, and [`decide`], the
//!   answer turned into a panel;
//! - `schema`: what the connected org lets the panel read, from describe;
//! - `queries`: the SOQL each part of a view sends, built from that schema, the admin's
//!   chosen fields and the profile's sections (and the agent's search by name);
//! - `records`: what those queries read, and how a record becomes the view the widget
//!   shows;
//! - `actions`: what the panel's actions write to Salesforce from a ticket.
//!
//! The edge caches the answer as Salesforce sent it, unfiltered, under
//! [`Lookup::cache_key`], and indexes it by every record Id in it ([`record_ids`]) so a
//! change to any of those records drops it. Each read then runs [`decide`] (the agent's
//! choice among several contacts applies here) and the profile's
//! [`contract::permissions::Permissions::filter_panel`].

pub mod actions;
mod queries;
mod records;
mod schema;

pub use queries::{
    AccountFilter, MAX_QUERY_LENGTH, QueryPlan, accounts_by_domain, company_domain,
    contact_by_email, header_fields, search_by_name, sections_tag, website_matches,
};
pub use records::{
    AccountBrief, AccountFields, AccountName, CaseRecord, ContactBrief, ContactFields,
    ContactRecord, ContactRoleRecord, ContentNoteRecord, EventRecord, LeadRecord, Named,
    NoteRecord, OpportunityRecord, PanelAccount, PanelContact, PanelRecord, RecordFields,
    SectionRecords, TaskRecord,
};
pub use schema::{ObjectSchema, OrgSchema, PANEL_OBJECTS, SchemaField};

use crate::salesforce::{CompositeRequest, CompositeResponse, QueryResponse, SfError};
use contract::api::{Panel, RecordKind};
use contract::context::ContextClaims;
use contract::ids::{Email, SfId};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::BTreeSet;

/// Key prefixes of the records the panel can show.
const CONTACT_PREFIX: &str = "003";
const ACCOUNT_PREFIX: &str = "001";

/// What one panel view looks up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// The requester's contact, by email.
    Contact { email: Email },
    /// The requester's account: the account of the contacts with this email.
    RequesterAccount { email: Email },
    /// An account page: the account by name (how accounts match across the two sides).
    AccountNamed { name: String },
    /// A record the agent opened: a search hit or a suggested account.
    Record { id: SfId, kind: RecordKind },
}

impl Lookup {
    /// The view for a context: a record the agent opened, else the requester (as a contact
    /// or as their account, as the profile `shows`), else the page's account. `None`
    /// when there is nobody to look up.
    pub fn plan(claims: &ContextClaims, shows: RecordKind, opened: Option<Lookup>) -> Option<Self> {
        if opened.is_some() {
            return opened;
        }
        if let Some(email) = &claims.requester {
            return Some(match shows {
                RecordKind::Contact => Lookup::Contact {
                    email: email.clone(),
                },
                RecordKind::Account => Lookup::RequesterAccount {
                    email: email.clone(),
                },
            });
        }
        let name = claims.account.as_deref().map(str::trim)?;
        (!name.is_empty()).then(|| Lookup::AccountNamed {
            name: name.to_owned(),
        })
    }

    /// A record the agent asked to open: contacts and accounts only.
    pub fn record(id: SfId) -> Option<Self> {
        let kind = match id.key_prefix() {
            CONTACT_PREFIX => RecordKind::Contact,
            ACCOUNT_PREFIX => RecordKind::Account,
            _ => return None,
        };
        Some(Lookup::Record { id, kind })
    }

    /// Names the answer in the edge's cache: the same for every profile and every choice
    /// among contacts, which apply after it.
    pub fn cache_key(&self) -> String {
        match self {
            Lookup::Contact { email } => format!("contact:{}", email.normalized()),
            Lookup::RequesterAccount { email } => {
                format!("requester-account:{}", email.normalized())
            }
            Lookup::AccountNamed { name } => format!("account-named:{}", name.to_lowercase()),
            Lookup::Record { id, .. } => format!("record:{id}"),
        }
    }

    /// Everything the view needs, in one Composite call: the record(s) with every section
    /// as child sub-queries and, for a requester, the accounts on their email's domain
    /// and a lead with their email (shown when no contact matches).
    pub fn request(&self, plan: &QueryPlan<'_>) -> CompositeRequest {
        let request = CompositeRequest::new(false);
        let with_domain = |request: CompositeRequest, email: &Email| {
            let request = match company_domain(email) {
                Some(domain) => request.query(DOMAIN, &accounts_by_domain(&domain)),
                None => request,
            };
            match plan.lead_by_email(email) {
                Some(soql) => request.query(LEADS, &soql),
                None => request,
            }
        };
        match self {
            Lookup::Contact { email } => {
                let request = request.query(CONTACTS, &plan.panel_lookup(email));
                let request = if plan.schema().has_person_accounts() {
                    request.query(
                        PEOPLE,
                        &plan.account_panel_lookup(AccountFilter::PeopleWith(email)),
                    )
                } else {
                    request
                };
                with_domain(request, email)
            }
            Lookup::RequesterAccount { email } => with_domain(
                request
                    .query(CONTACTS, &plan.requester_contacts(email))
                    .query(
                        ACCOUNTS,
                        &plan.account_panel_lookup(AccountFilter::OfContactsWith(email)),
                    ),
                email,
            ),
            Lookup::AccountNamed { name } => request.query(
                ACCOUNTS,
                &plan.account_panel_lookup(AccountFilter::Named(name)),
            ),
            Lookup::Record {
                id,
                kind: RecordKind::Contact,
            } => request.query(CONTACTS, &plan.contact_panel_by_id(id)),
            Lookup::Record {
                id,
                kind: RecordKind::Account,
            } => request.query(ACCOUNTS, &plan.account_panel_lookup(AccountFilter::Id(id))),
        }
    }
}

const CONTACTS: &str = "contacts";
const ACCOUNTS: &str = "accounts";
const DOMAIN: &str = "domain";
/// Person accounts with the requester's email, in a Person Accounts org.
const PEOPLE: &str = "people";
/// A lead with the requester's email.
const LEADS: &str = "leads";

fn records<R: DeserializeOwned>(
    response: &CompositeResponse,
    reference: &str,
) -> Result<Vec<R>, SfError> {
    let item = response.get(reference).ok_or_else(|| {
        SfError::Decode(format!("the Composite answer has no {reference:?} item"))
    })?;
    Ok(item.json::<QueryResponse<R>>()?.records)
}

/// The first account on the email's domain, if the lookup asked for one. A failure of
/// that part is no reason to fail the view: there is simply no suggestion.
fn suggestion(
    response: &CompositeResponse,
    email: &Email,
) -> Option<contract::api::AccountSuggestion> {
    let domain = company_domain(email)?;
    records::<AccountBrief>(response, DOMAIN)
        .ok()?
        .into_iter()
        .find(|account| {
            account
                .website
                .as_deref()
                .is_some_and(|website| website_matches(website, &domain))
        })
        .map(AccountBrief::suggestion)
}

/// The lead the lookup found with the requester's email. A failure of that part is no
/// reason to fail the view: there is simply no lead.
fn lead(response: &CompositeResponse, instance_url: &str) -> Option<contract::api::LeadSummary> {
    records::<LeadRecord>(response, LEADS)
        .ok()?
        .into_iter()
        .next()
        .map(|lead| lead.summary(instance_url))
}

/// The panel for a lookup's answer; `chosen`: the agent's pick among several contacts with
/// the requester's email (ignored unless it is one of them: a choice never widens what
/// the lookup found). `None` when an opened record does not exist (any more).
pub fn decide(
    lookup: &Lookup,
    response: &CompositeResponse,
    chosen: Option<&SfId>,
    instance_url: &str,
    plan: &QueryPlan<'_>,
) -> Result<Option<Panel>, SfError> {
    let panel = match lookup {
        Lookup::Contact { email } => {
            let mut matches: Vec<PanelContact> = records(response, CONTACTS)?;
            if let Some(chosen) = chosen {
                matches.retain(|contact| &contact.fields.id == chosen);
            }
            if matches.len() > 1 {
                Panel::Choose {
                    email: email.clone(),
                    candidates: matches.iter().map(|c| c.fields.choice()).collect(),
                }
            } else {
                match matches.pop() {
                    Some(contact) => Panel::View {
                        view: match person_account(response, &contact) {
                            Some(person) => person.into_person_view(instance_url, plan),
                            None => contact.into_view(instance_url, plan),
                        },
                    },
                    None => Panel::NoMatch {
                        email: email.clone(),
                        suggestion: suggestion(response, email),
                        lead: lead(response, instance_url),
                        actions: vec![],
                    },
                }
            }
        }
        Lookup::RequesterAccount { email } => {
            let mut contacts: Vec<ContactFields> = records(response, CONTACTS)?;
            let accounts: Vec<PanelAccount> = records(response, ACCOUNTS)?;
            if let Some(chosen) = chosen {
                contacts.retain(|contact| &contact.id == chosen);
            }
            let mut account_ids: Vec<&SfId> = Vec::new();
            for id in contacts.iter().filter_map(|c| c.account_id.as_ref()) {
                if !account_ids.contains(&id) {
                    account_ids.push(id);
                }
            }
            let account = match account_ids.as_slice() {
                [one] => accounts.into_iter().find(|a| &a.fields.id == *one),
                _ => None,
            };
            match (contacts.first(), account) {
                (None, _) => Panel::NoMatch {
                    email: email.clone(),
                    suggestion: suggestion(response, email),
                    lead: lead(response, instance_url),
                    actions: vec![],
                },
                (Some(_), Some(account)) => Panel::View {
                    view: account.into_view(instance_url, plan),
                },
                (Some(_), None) if account_ids.len() > 1 => Panel::Choose {
                    email: email.clone(),
                    candidates: contacts
                        .iter()
                        .filter(|c| c.account_id.is_some())
                        .map(ContactFields::choice)
                        .collect(),
                },
                (Some(contact), None) => Panel::NoAccount {
                    contact: Some(contact.choice()),
                    name: None,
                    suggestion: suggestion(response, email),
                },
            }
        }
        Lookup::AccountNamed { name } => {
            match records::<PanelAccount>(response, ACCOUNTS)?
                .into_iter()
                .next()
            {
                Some(account) => Panel::View {
                    view: account.into_view(instance_url, plan),
                },
                None => Panel::NoAccount {
                    contact: None,
                    name: Some(name.clone()),
                    suggestion: None,
                },
            }
        }
        Lookup::Record {
            kind: RecordKind::Contact,
            ..
        } => match records::<PanelContact>(response, CONTACTS)?
            .into_iter()
            .next()
        {
            Some(contact) => Panel::View {
                view: contact.into_view(instance_url, plan),
            },
            None => return Ok(None),
        },
        Lookup::Record {
            kind: RecordKind::Account,
            ..
        } => match records::<PanelAccount>(response, ACCOUNTS)?
            .into_iter()
            .next()
        {
            Some(account) => Panel::View {
                view: account.into_view(instance_url, plan),
            },
            None => return Ok(None),
        },
    };
    Ok(Some(panel))
}

/// The person account a person contact is the contact half of, as the lookup read it.
/// A failure of that part shows the contact instead.
fn person_account(response: &CompositeResponse, contact: &PanelContact) -> Option<PanelAccount> {
    if contact.fields.is_person_account != Some(true) {
        return None;
    }
    let account = contact.fields.account_id.as_ref()?;
    records::<PanelAccount>(response, PEOPLE)
        .ok()?
        .into_iter()
        .find(|person| &person.fields.id == account)
}

/// Whether every part the view needs answered; only then is the answer worth keeping.
pub fn is_complete(lookup: &Lookup, response: &CompositeResponse) -> bool {
    let needed: &[&str] = match lookup {
        Lookup::Contact { .. } => &[CONTACTS],
        Lookup::RequesterAccount { .. } => &[CONTACTS, ACCOUNTS],
        Lookup::AccountNamed { .. } => &[ACCOUNTS],
        Lookup::Record {
            kind: RecordKind::Contact,
            ..
        } => &[CONTACTS],
        Lookup::Record {
            kind: RecordKind::Account,
            ..
        } => &[ACCOUNTS],
    };
    needed.iter().all(|reference| {
        response
            .get(reference)
            .is_some_and(|item| item.is_success())
    })
}

/// Whether Salesforce refused part of the view as naming a field or relationship it does
/// not know: the org changed since its schema was read (a field deleted, access taken
/// away). The schema is read again before one more try.
pub fn names_unknown(response: &CompositeResponse) -> bool {
    response.composite_response.iter().any(|item| {
        item.error()
            .and_then(|error| error.code().map(str::to_owned))
            .is_some_and(|code| matches!(code.as_str(), "INVALID_FIELD" | "INVALID_TYPE"))
    })
}

/// Every record an answer mentions: each `Id`, and each lookup (`AccountId`,
/// `ParentId`, ...) that holds one. A change to any of them makes the answer stale.
pub fn record_ids(response: &CompositeResponse) -> BTreeSet<SfId> {
    fn walk(value: &Value, out: &mut BTreeSet<SfId>) {
        match value {
            Value::Object(map) => {
                for (key, value) in map {
                    match value {
                        Value::String(text) if key == "Id" || key.ends_with("Id") => {
                            if let Ok(id) = SfId::parse(text) {
                                out.insert(id);
                            }
                        }
                        other => walk(other, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|item| walk(item, out)),
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    for item in &response.composite_response {
        walk(&item.body, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use contract::context::Role;
    use contract::panel_fields::PanelFields;
    use contract::permissions::Items;
    use serde_json::json;

    /// [`decide`] for the demo org's shape, with every section.
    fn decided(
        lookup: &Lookup,
        response: &CompositeResponse,
        chosen: Option<&SfId>,
        instance_url: &str,
    ) -> Result<Option<Panel>, SfError> {
        let (org, fields) = (schema::full_org(), PanelFields::standard());
        decide(
            lookup,
            response,
            chosen,
            instance_url,
            &QueryPlan::new(&org, &fields, Items::ALL),
        )
    }

    const CONTACT: &str = "0035g00000A1b2cAAB";
    const OTHER_CONTACT: &str = "0035g00000A1b2dAAB";
    const ACCOUNT: &str = "0015g00000B2c3dAAB";
    const OTHER_ACCOUNT: &str = "0015g00000B2c3eAAB";
    const OPPORTUNITY: &str = "0065g00000D4e5fAAB";

    fn email() -> Email {
        Email::parse("maya@northwind.example").unwrap()
    }

    fn claims(requester: Option<&str>, account: Option<&str>) -> ContextClaims {
        ContextClaims {
            org: "1".into(),
            agent: "2".into(),
            profile_id: "3".into(),
            profile_name: "Agent".into(),
            role: Role::Agent,
            ticket: None,
            requester: requester.map(|e| Email::parse(e).unwrap()),
            account: account.map(str::to_owned),
            aud: contract::context::AUDIENCE.into(),
            iat: 0,
            exp: 0,
        }
    }

    fn query(records: Vec<Value>) -> Value {
        json!({"totalSize": records.len(), "done": true, "records": records})
    }

    fn item(reference: &str, body: Value) -> Value {
        json!({"body": body, "httpHeaders": {}, "httpStatusCode": 200, "referenceId": reference})
    }

    fn response(items: Vec<Value>) -> CompositeResponse {
        serde_json::from_value(json!({ "compositeResponse": items })).unwrap()
    }

    fn contact(id: &str, account: Option<&str>) -> Value {
        json!({"attributes": {"type": "Contact"}, "Id": id, "Name": format!("Maya {id}"),
               "Title": null, "Email": "maya@northwind.example", "Phone": null,
               "AccountId": account, "Account": account.map(|_| json!({"Name": "Northwind"})),
               "Owner": {"Name": "Sam"},
               "Opportunities": query(vec![json!({"Id": OPPORTUNITY, "Name": "Renewal", "StageName": "Prospecting",
                   "Amount": 10.0, "CloseDate": "2027-01-31", "Probability": 10.0, "IsClosed": false, "IsWon": false})]),
               "Notes": null, "Tasks": null, "Events": null})
    }

    fn account(id: &str) -> Value {
        json!({"attributes": {"type": "Account"}, "Id": id, "Name": format!("Account {id}"),
               "Website": "https://northwind.example", "Owner": null,
               "Opportunities": null, "Notes": null, "Tasks": null, "Events": null})
    }

    fn domain(accounts: Vec<(&str, &str)>) -> Value {
        item(
            DOMAIN,
            query(
                accounts
                    .into_iter()
                    .map(|(id, website)| json!({"Id": id, "Name": format!("Account {id}"), "Website": website}))
                    .collect(),
            ),
        )
    }

    fn id(text: &str) -> SfId {
        SfId::parse(text).unwrap()
    }

    #[test]
    fn plans_follow_the_page_and_the_profile() {
        let ticket = claims(Some("maya@northwind.example"), Some("Northwind"));
        assert_eq!(
            Lookup::plan(&ticket, RecordKind::Contact, None),
            Some(Lookup::Contact { email: email() })
        );
        assert_eq!(
            Lookup::plan(&ticket, RecordKind::Account, None),
            Some(Lookup::RequesterAccount { email: email() })
        );
        let account_page = claims(None, Some(" Northwind "));
        assert_eq!(
            Lookup::plan(&account_page, RecordKind::Contact, None),
            Some(Lookup::AccountNamed {
                name: "Northwind".into()
            })
        );
        assert_eq!(
            Lookup::plan(&claims(None, None), RecordKind::Contact, None),
            None
        );
        let opened = Lookup::record(id(ACCOUNT));
        assert_eq!(
            Lookup::plan(&ticket, RecordKind::Contact, opened.clone()),
            opened
        );
        assert_eq!(
            Lookup::record(id(OPPORTUNITY)),
            None,
            "only contacts and accounts"
        );
    }

    #[test]
    fn every_view_is_one_composite_call_and_keys_ignore_case() {
        let (org, fields) = (schema::full_org(), PanelFields::standard());
        let plan = QueryPlan::new(&org, &fields, Items::ALL);
        let contact = Lookup::Contact { email: email() };
        assert_eq!(
            contact.request(&plan).len(),
            3,
            "the contact, the domain's accounts and a lead with the email"
        );
        let gmail = Lookup::Contact {
            email: Email::parse("maya@gmail.com").unwrap(),
        };
        assert_eq!(
            gmail.request(&plan).len(),
            2,
            "no company behind a public mail domain"
        );
        assert_eq!(
            Lookup::RequesterAccount { email: email() }
                .request(&plan)
                .len(),
            4
        );
        assert_eq!(
            Lookup::Contact {
                email: Email::parse("Maya@Northwind.Example").unwrap()
            }
            .cache_key(),
            contact.cache_key()
        );
        assert_ne!(
            Lookup::RequesterAccount { email: email() }.cache_key(),
            contact.cache_key()
        );
    }

    #[test]
    fn one_contact_is_shown_several_are_chosen_among() {
        let lookup = Lookup::Contact { email: email() };
        let one = response(vec![item(
            CONTACTS,
            query(vec![contact(CONTACT, Some(ACCOUNT))]),
        )]);
        let Some(Panel::View { view }) =
            decided(&lookup, &one, None, "https://org.example").unwrap()
        else {
            panic!("a view")
        };
        assert_eq!(view.id, id(CONTACT));
        assert_eq!(view.url, format!("https://org.example/{CONTACT}"));

        let two = response(vec![item(
            CONTACTS,
            query(vec![
                contact(CONTACT, Some(ACCOUNT)),
                contact(OTHER_CONTACT, None),
            ]),
        )]);
        let Some(Panel::Choose { candidates, .. }) = decided(&lookup, &two, None, "x").unwrap()
        else {
            panic!("a choice")
        };
        assert_eq!(candidates.len(), 2);
        let chosen = id(OTHER_CONTACT);
        let Some(Panel::View { view }) = decided(&lookup, &two, Some(&chosen), "x").unwrap() else {
            panic!("the chosen one")
        };
        assert_eq!(view.id, chosen);
        // A choice that is not among the matches shows nothing it should not.
        let stranger = id("0035g00000A1b2zAAB");
        assert!(matches!(
            decided(&lookup, &two, Some(&stranger), "x").unwrap(),
            Some(Panel::NoMatch { .. })
        ));
    }

    #[test]
    fn a_person_is_shown_from_their_person_account() {
        let lookup = Lookup::Contact { email: email() };
        let mut person = contact(CONTACT, Some(ACCOUNT));
        person["IsPersonAccount"] = json!(true);
        let mut account = account(ACCOUNT);
        account["IsPersonAccount"] = json!(true);
        account["PersonEmail"] = json!("maya@northwind.example");
        account["PersonTitle"] = json!("Founder");
        account["Opportunities"] = query(vec![json!({"Id": OPPORTUNITY, "Name": "Her deal"})]);
        let answer = response(vec![
            item(CONTACTS, query(vec![person.clone()])),
            item(PEOPLE, query(vec![account])),
        ]);
        let Some(Panel::View { view }) = decided(&lookup, &answer, None, "x").unwrap() else {
            panic!("a view")
        };
        assert_eq!(
            (view.kind, view.id.clone()),
            (RecordKind::Contact, id(ACCOUNT))
        );
        let record = view.record.unwrap();
        assert_eq!(record.email.as_deref(), Some("maya@northwind.example"));
        assert_eq!(record.title.as_deref(), Some("Founder"));
        assert_eq!((record.account_name, record.account_url), (None, None));
        assert_eq!(view.opportunities.unwrap()[0].name, "Her deal");
        // Without the person account's part, the person contact still shows.
        let answer = response(vec![item(CONTACTS, query(vec![person]))]);
        let Some(Panel::View { view }) = decided(&lookup, &answer, None, "x").unwrap() else {
            panic!("a view")
        };
        assert_eq!(view.id, id(CONTACT));
        assert_eq!(view.record.unwrap().account_name, None);
    }

    #[test]
    fn no_match_offers_the_account_on_the_email_domain() {
        let lookup = Lookup::Contact { email: email() };
        let answer = response(vec![
            item(CONTACTS, query(vec![])),
            domain(vec![
                (OTHER_ACCOUNT, "https://notnorthwind.example"),
                (ACCOUNT, "https://www.northwind.example/"),
            ]),
        ]);
        let Some(Panel::NoMatch { suggestion, .. }) = decided(&lookup, &answer, None, "x").unwrap()
        else {
            panic!("no match")
        };
        assert_eq!(suggestion.unwrap().id, id(ACCOUNT));
        let failed_domain = response(vec![
            item(CONTACTS, query(vec![])),
            json!({"body": [{"errorCode": "INVALID_FIELD", "message": "x"}], "httpHeaders": {},
                   "httpStatusCode": 400, "referenceId": DOMAIN}),
        ]);
        assert!(is_complete(&lookup, &failed_domain));
        assert_eq!(
            decided(&lookup, &failed_domain, None, "x").unwrap(),
            Some(Panel::NoMatch {
                email: email(),
                suggestion: None,
                lead: None,
                actions: vec![],
            })
        );
    }

    #[test]
    fn no_match_shows_the_lead_with_the_email() {
        let lookup = Lookup::Contact { email: email() };
        let lead = "00Q5g00000L1e2a";
        let answer = response(vec![
            item(CONTACTS, query(vec![])),
            item(
                LEADS,
                query(vec![json!({"attributes": {"type": "Lead"}, "Id": lead,
                    "Name": "Maya Patel", "Company": "Northwind", "Status": "Working - Contacted"})]),
            ),
        ]);
        let Some(Panel::NoMatch {
            lead: Some(shown), ..
        }) = decided(&lookup, &answer, None, "https://org.example").unwrap()
        else {
            panic!("the lead")
        };
        assert_eq!(shown.id, id(lead));
        assert_eq!(shown.company.as_deref(), Some("Northwind"));
        assert_eq!(shown.url, format!("https://org.example/{}", id(lead)));
        // Leads are read with the contacts, in the same call.
        let (org, fields) = (schema::full_org(), PanelFields::standard());
        let plan = QueryPlan::new(&org, &fields, Items::ALL);
        let request = format!("{:?}", lookup.request(&plan));
        assert!(request.contains("FROM+Lead+WHERE"), "{request}");
    }

    #[test]
    fn the_requesters_account_is_shown_when_there_is_exactly_one() {
        let lookup = Lookup::RequesterAccount { email: email() };
        let answer = |contacts: Vec<Value>, accounts: Vec<Value>| {
            response(vec![
                item(CONTACTS, query(contacts)),
                item(ACCOUNTS, query(accounts)),
            ])
        };
        let shown = decided(
            &lookup,
            &answer(
                vec![
                    contact(CONTACT, Some(ACCOUNT)),
                    contact(OTHER_CONTACT, None),
                ],
                vec![account(ACCOUNT)],
            ),
            None,
            "x",
        )
        .unwrap();
        let Some(Panel::View { view }) = shown else {
            panic!("the account")
        };
        assert_eq!((view.kind, view.id), (RecordKind::Account, id(ACCOUNT)));

        let two_accounts = answer(
            vec![
                contact(CONTACT, Some(ACCOUNT)),
                contact(OTHER_CONTACT, Some(OTHER_ACCOUNT)),
            ],
            vec![account(ACCOUNT), account(OTHER_ACCOUNT)],
        );
        assert!(matches!(
            decided(&lookup, &two_accounts, None, "x").unwrap(),
            Some(Panel::Choose { .. })
        ));
        let chosen = id(OTHER_CONTACT);
        let Some(Panel::View { view }) =
            decided(&lookup, &two_accounts, Some(&chosen), "x").unwrap()
        else {
            panic!("the chosen contact's account")
        };
        assert_eq!(view.id, id(OTHER_ACCOUNT));

        let no_account = answer(vec![contact(CONTACT, None)], vec![]);
        let Some(Panel::NoAccount { contact, .. }) =
            decided(&lookup, &no_account, None, "x").unwrap()
        else {
            panic!("no account")
        };
        assert_eq!(contact.unwrap().id, id(CONTACT));
        assert!(matches!(
            decided(&lookup, &answer(vec![], vec![]), None, "x").unwrap(),
            Some(Panel::NoMatch { .. })
        ));
    }

    #[test]
    fn pages_and_opened_records() {
        let named = Lookup::AccountNamed {
            name: "Nobody Inc".into(),
        };
        assert!(matches!(
            decided(
                &named,
                &response(vec![item(ACCOUNTS, query(vec![]))]),
                None,
                "x"
            )
            .unwrap(),
            Some(Panel::NoAccount { name: Some(_), .. })
        ));
        let opened = Lookup::record(id(ACCOUNT)).unwrap();
        assert_eq!(
            decided(
                &opened,
                &response(vec![item(ACCOUNTS, query(vec![]))]),
                None,
                "x"
            )
            .unwrap(),
            None
        );
        let missing = response(vec![]);
        assert!(decided(&opened, &missing, None, "x").is_err());
        assert!(!is_complete(&opened, &missing));
    }

    #[test]
    fn an_answer_is_indexed_by_every_record_in_it() {
        let answer = response(vec![item(
            CONTACTS,
            query(vec![contact(CONTACT, Some(ACCOUNT))]),
        )]);
        let ids = record_ids(&answer);
        for expected in [CONTACT, ACCOUNT, OPPORTUNITY] {
            assert!(ids.contains(&id(expected)), "{expected} in {ids:?}");
        }
        assert_eq!(ids.len(), 3);
    }
}
