//! What a caller sees of the org's schema. The org's own controls, its seed and its pages
//! see every object and field; an API session sees only what field-level security and
//! object permissions let its user read. Salesforce answers for what a user cannot see as
//! if it did not exist: describe leaves it out ("Fields that are inaccessible to you by
//! field-level security are not returned", REST API Developer Guide, "Get Field Values
//! from a Standard Object Record"), and a query or a write naming it gets the unknown
//! field's or object's error.

use super::schema::{ChildDef, FieldDef, FieldType, ObjectDef, Schema};

/// Objects and fields a user may not read.
#[derive(Debug)]
pub struct Hidden {
    pub objects: &'static [&'static str],
    /// (object, field) pairs.
    pub fields: &'static [(&'static str, &'static str)],
}

impl Hidden {
    pub const NOTHING: Hidden = Hidden {
        objects: &[],
        fields: &[],
    };
}

/// The org's schema as one caller sees it.
#[derive(Debug, Clone, Copy)]
pub struct View {
    schema: &'static Schema,
    hidden: &'static Hidden,
}

impl View {
    /// Every object and field: the org as its administrator and its controls see it.
    pub fn everything(schema: &'static Schema) -> View {
        View::new(schema, &Hidden::NOTHING)
    }

    pub fn new(schema: &'static Schema, hidden: &'static Hidden) -> View {
        View { schema, hidden }
    }

    pub fn schema(&self) -> &'static Schema {
        self.schema
    }

    pub fn can_read(&self, object: &ObjectDef) -> bool {
        !self.hidden.objects.contains(&object.name)
    }

    /// A readable object by name, case-insensitive.
    pub fn object(&self, name: &str) -> Option<&'static ObjectDef> {
        self.schema.object(name).filter(|o| self.can_read(o))
    }

    /// The readable object a record Id belongs to.
    pub fn object_by_prefix(&self, prefix: &str) -> Option<&'static ObjectDef> {
        self.schema
            .object_by_prefix(prefix)
            .filter(|o| self.can_read(o))
    }

    /// Every readable object.
    pub fn objects(&self) -> impl Iterator<Item = &'static ObjectDef> + '_ {
        self.schema.objects().filter(|o| self.can_read(o))
    }

    fn can_read_field(&self, object: &ObjectDef, field: &FieldDef) -> bool {
        !self
            .hidden
            .fields
            .iter()
            .any(|&(o, f)| o == object.name && f == field.name)
    }

    /// A readable field's position in the object's records, by name, case-insensitive.
    pub fn field(&self, object: &'static ObjectDef, name: &str) -> Option<usize> {
        object
            .index_of(name)
            .filter(|&i| self.can_read_field(object, &object.fields[i]))
    }

    /// The readable fields with their positions, in schema order.
    pub fn fields(
        &self,
        object: &'static ObjectDef,
    ) -> impl Iterator<Item = (usize, &'static FieldDef)> + '_ {
        object
            .fields
            .iter()
            .enumerate()
            .filter(move |(_, f)| self.can_read_field(object, f))
    }

    /// A child relationship to a readable object, by name, case-insensitive.
    pub fn child(&self, object: &'static ObjectDef, name: &str) -> Option<&'static ChildDef> {
        self.children(object)
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }

    /// The child relationships to readable objects.
    pub fn children(
        &self,
        object: &'static ObjectDef,
    ) -> impl Iterator<Item = &'static ChildDef> + '_ {
        object
            .children
            .iter()
            .filter(|c| self.object(c.object).is_some())
    }

    /// The readable lookup behind a relationship name (`Account` -> `AccountId`) and its
    /// position; a lookup to an object the caller cannot read is no relationship for it.
    pub fn relationship(
        &self,
        object: &'static ObjectDef,
        name: &str,
    ) -> Option<(usize, &'static FieldDef)> {
        let field = object.relationship(name)?;
        let index = self.field(object, field.name)?;
        let reachable = match field.ty {
            FieldType::Reference {
                to, polymorphic, ..
            } => polymorphic || self.object(to[0]).is_some(),
            _ => false,
        };
        reachable.then_some((index, field))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::salesforce::OrgShape;

    #[test]
    fn a_view_hides_what_its_user_cannot_read() {
        let schema = OrgShape::Restricted.schema();
        let api = View::new(schema, OrgShape::Restricted.hidden_from_api_user());
        let all = View::everything(schema);
        let contact = schema.object("Contact").unwrap();
        assert!(all.field(contact, "title").is_some());
        assert!(api.field(contact, "title").is_none());
        assert!(api.field(contact, "Email").is_some());
        assert!(
            api.fields(contact)
                .all(|(_, f)| !matches!(f.name, "Title" | "Phone"))
        );
        assert_eq!(api.fields(contact).count() + 2, all.fields(contact).count());
        assert!(api.object("Opportunity").is_none());
        assert!(api.objects().all(|o| o.name != "Opportunity"));
        assert!(api.child(contact, "Opportunities").is_none());
        assert!(api.child(contact, "OpportunityContactRoles").is_none());
        assert!(api.child(contact, "Tasks").is_some());
        assert!(all.child(contact, "Opportunities").is_some());
        let role = schema.object("OpportunityContactRole").unwrap();
        assert!(all.relationship(role, "Opportunity").is_some());
        assert!(api.relationship(role, "Opportunity").is_none());
        assert!(api.relationship(contact, "Account").is_some());
        assert_eq!(
            api.object_by_prefix("006"),
            None,
            "opportunity Ids name nothing readable"
        );
    }
}
