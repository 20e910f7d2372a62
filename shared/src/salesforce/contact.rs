//! The Contact as the agent panel reads it.

use crate::api::ContactCard;
use crate::ids::{Email, SfId};
use crate::soql::Select;
use serde::Deserialize;

const FIELDS: &[&str] = &["Id", "Name", "Title", "Email", "Phone", "Account.Name"];

/// The newest contacts with this email (Salesforce allows several).
pub fn contact_by_email(email: &Email) -> String {
    Select::new("Contact", FIELDS)
        .where_eq("Email", email.as_str())
        .order_by("LastModifiedDate DESC")
        .limit(10)
        .build()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContactRecord {
    pub id: SfId,
    pub name: String,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub account: Option<AccountName>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccountName {
    pub name: Option<String>,
}

impl ContactRecord {
    pub fn into_card(self, instance_url: &str) -> ContactCard {
        ContactCard {
            url: format!("{}/{}", instance_url.trim_end_matches('/'), self.id),
            id: self.id,
            name: self.name,
            title: self.title,
            email: self.email,
            phone: self.phone,
            account_name: self.account.and_then(|a| a.name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::salesforce::QueryResponse;

    #[test]
    fn query_escapes_the_email() {
        let email = Email::parse("o'hara@example.com").unwrap();
        assert!(contact_by_email(&email).contains(r"WHERE Email = 'o\'hara@example.com'"));
    }

    #[test]
    fn decodes_a_real_shaped_page_into_a_card() {
        let page = r#"{"totalSize":1,"done":true,"records":[{"attributes":{"type":"Contact","url":"/services/data/v64.0/sobjects/Contact/003000000000001AAA"},
            "Id":"003000000000001AAA","Name":"Ada Lovelace","Title":null,"Email":"ada@example.com","Phone":"+44 20 7946 0000",
            "Account":{"attributes":{"type":"Account","url":"/x"},"Name":"Analytical Engines"}}]}"#;
        let page: QueryResponse<ContactRecord> = serde_json::from_str(page).unwrap();
        let card = page
            .records
            .into_iter()
            .next()
            .unwrap()
            .into_card("https://org.example/");
        assert_eq!(card.name, "Ada Lovelace");
        assert_eq!(card.account_name.as_deref(), Some("Analytical Engines"));
        assert_eq!(card.url, "https://org.example/003000000000001AAA");
        assert_eq!(card.title, None);
    }
}
