//! Data replication: `/sobjects/{Type}/updated` and `/deleted` list the Ids changed or
//! deleted in a window (at most 30 days back; Salesforce ignores the seconds). The sync's
//! catch-up queries `SystemModstamp` instead (`sync::modstamp`), which has no such horizon.

use super::SfError;
use super::client::{Call, Client, object_name};
use super::datetime::SfDateTime;
use crate::http::{Method, Transport};
use contract::ids::SfId;
use serde::{Deserialize, Serialize};

/// Records added or changed in a window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdatedRecords {
    pub ids: Vec<SfId>,
    /// Start the next window here: changes still in flight at the end are not covered.
    pub latest_date_covered: SfDateTime,
}

/// Records deleted in a window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeletedRecords {
    pub deleted_records: Vec<DeletedRecord>,
    /// Deletions before this were purged: if it is after the window's start, some
    /// deletions are beyond recall and a full comparison is needed.
    #[serde(default)]
    pub earliest_date_available: Option<SfDateTime>,
    #[serde(default)]
    pub latest_date_covered: Option<SfDateTime>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeletedRecord {
    pub id: SfId,
    pub deleted_date: SfDateTime,
}

fn window_call(
    object: &str,
    resource: &str,
    start: SfDateTime,
    end: SfDateTime,
) -> Result<Call, SfError> {
    if end <= start {
        return Err(SfError::InvalidRequest(format!(
            "the window ends ({end}) before it starts ({start})"
        )));
    }
    let query =
        serde_urlencoded::to_string([("start", start.to_iso8601()), ("end", end.to_iso8601())])
            .expect("string pairs encode");
    Ok(Call::data(
        Method::Get,
        &format!("sobjects/{}/{resource}?{query}", object_name(object)?),
    ))
}

impl<T: Transport> Client<'_, T> {
    /// Ids of `object` records created or changed between `start` and `end` (UTC).
    pub async fn updated(
        &self,
        object: &str,
        start: SfDateTime,
        end: SfDateTime,
    ) -> Result<UpdatedRecords, SfError> {
        self.execute_json(&window_call(object, "updated", start, end)?)
            .await
    }

    /// Ids of `object` records deleted between `start` and `end` (UTC).
    pub async fn deleted(
        &self,
        object: &str,
        start: SfDateTime,
        end: SfDateTime,
    ) -> Result<DeletedRecords, SfError> {
        self.execute_json(&window_call(object, "deleted", start, end)?)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::super::client::tests::{Script, ok, run, session};
    use super::*;

    fn at(text: &str) -> SfDateTime {
        SfDateTime::parse(text).unwrap()
    }

    #[test]
    fn asks_for_a_window_and_decodes_updated_ids() {
        let body = r#"{"ids":["003000000000001AAA","003000000000002AAA"],"latestDateCovered":"2025-12-16T13:05:00.000+0000"}"#;
        let script = Script::new([ok(body)]);
        let client = Client::new(&script, session());
        let updated = run(client.updated(
            "Contact",
            at("2025-12-15T13:05:30Z"),
            at("2025-12-16T13:05:30Z"),
        ))
        .unwrap();
        assert_eq!(updated.ids.len(), 2);
        assert_eq!(updated.latest_date_covered, at("2025-12-16T13:05:00Z"));
        assert_eq!(
            script.urls()[0],
            "https://org.example/services/data/v64.0/sobjects/Contact/updated\
             ?start=2025-12-15T13%3A05%3A30%2B00%3A00&end=2025-12-16T13%3A05%3A30%2B00%3A00"
        );
    }

    #[test]
    fn decodes_deleted_records() {
        let body = r#"{"deletedRecords":[{"id":"003000000000001AAA","deletedDate":"2025-12-16T10:00:00.000+0000"}],
            "earliestDateAvailable":"2025-11-01T00:00:00.000+0000","latestDateCovered":"2025-12-16T13:00:00.000+0000"}"#;
        let script = Script::new([ok(body)]);
        let client = Client::new(&script, session());
        let deleted = run(client.deleted(
            "Account",
            at("2025-12-15T00:00:00Z"),
            at("2025-12-16T13:05:30Z"),
        ))
        .unwrap();
        assert_eq!(
            deleted.deleted_records[0].deleted_date,
            at("2025-12-16T10:00:00Z")
        );
        assert_eq!(
            deleted.earliest_date_available,
            Some(at("2025-11-01T00:00:00Z"))
        );
        assert!(script.urls()[0].contains("/sobjects/Account/deleted?start="));
        let empty: DeletedRecords = serde_json::from_str(r#"{"deletedRecords":[]}"#).unwrap();
        assert_eq!(empty.latest_date_covered, None);
    }

    #[test]
    fn a_backwards_window_is_refused() {
        let script = Script::new([]);
        let client = Client::new(&script, session());
        let now = at("2025-12-16T13:05:30Z");
        assert!(matches!(
            run(client.updated("Contact", now, now)),
            Err(SfError::InvalidRequest(_))
        ));
        assert!(script.sent.borrow().is_empty());
    }
}
