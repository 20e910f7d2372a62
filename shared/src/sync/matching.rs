//! Finding a record's counterpart when it has no link yet: contacts by email
//! (case-insensitive), accounts by name. A record without a match key (a contact without
//! an email) is always created on the other side.

use contract::ids::Email;
use contract::mapping::ObjectKind;

/// The key duplicates are matched on, normalised, or `None` when the record has none.
pub fn match_key(object: ObjectKind, email_or_name: Option<&str>) -> Option<String> {
    let raw = email_or_name?.trim();
    match object {
        ObjectKind::Contact => Email::parse(raw).ok().map(|e| e.normalized()),
        ObjectKind::Account => (!raw.is_empty()).then(|| raw.to_lowercase()),
    }
}

/// A record on the other side with the same match key, and whether some other record is
/// already linked to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate<Id> {
    pub id: Id,
    pub linked_elsewhere: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MatchOutcome<Id> {
    /// No counterpart: create one.
    Create,
    /// Link to this counterpart and reconcile the two.
    Link(Id),
    /// The only counterparts are already linked to other records: the
    /// "CRM ID is already mapped with another Support Entity" failure.
    AlreadyMapped(Id),
}

/// Picks the counterpart among `candidates` (the other side's records with the same key):
/// the first one not linked elsewhere.
pub fn choose<Id: Clone>(key: Option<&str>, candidates: &[Candidate<Id>]) -> MatchOutcome<Id> {
    if key.is_none() {
        return MatchOutcome::Create;
    }
    match (
        candidates.iter().find(|c| !c.linked_elsewhere),
        candidates.first(),
    ) {
        (Some(free), _) => MatchOutcome::Link(free.id.clone()),
        (None, Some(taken)) => MatchOutcome::AlreadyMapped(taken.id.clone()),
        (None, None) => MatchOutcome::Create,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contacts_match_on_email_case_insensitively() {
        assert_eq!(
            match_key(ObjectKind::Contact, Some(" Ada@Example.COM ")),
            Some("ada@example.com".into())
        );
        assert_eq!(match_key(ObjectKind::Contact, Some("")), None);
        assert_eq!(match_key(ObjectKind::Contact, None), None);
        assert_eq!(
            match_key(ObjectKind::Account, Some("Northwind Traders")),
            Some("northwind traders".into())
        );
    }

    #[test]
    fn no_key_always_creates() {
        let taken = [Candidate {
            id: 1,
            linked_elsewhere: false,
        }];
        assert_eq!(choose(None, &taken), MatchOutcome::Create);
    }

    #[test]
    fn free_candidate_is_linked_taken_one_fails() {
        assert_eq!(choose::<u32>(Some("k"), &[]), MatchOutcome::Create);
        let free = [
            Candidate {
                id: 1,
                linked_elsewhere: true,
            },
            Candidate {
                id: 2,
                linked_elsewhere: false,
            },
        ];
        assert_eq!(choose(Some("k"), &free), MatchOutcome::Link(2));
        let taken = [Candidate {
            id: 1,
            linked_elsewhere: true,
        }];
        assert_eq!(choose(Some("k"), &taken), MatchOutcome::AlreadyMapped(1));
    }
}
