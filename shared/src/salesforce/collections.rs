//! sObject Collections (`/composite/sobjects`): create, update or delete up to 200
//! records in one call, with a per-record result. The HTTP status is 200 even when
//! records fail; with `allOrNone`, one failure rolls the whole call back.

use super::SfError;
use super::client::{Call, Client, object_name};
use super::wire::SaveResult;
use crate::http::{Method, Transport};
use contract::ids::SfId;
use serde::Serialize;
use serde_json::{Map, Value, json};

/// Records per sObject Collections call.
pub const COLLECTION_LIMIT: usize = 200;

/// `records` in groups of at most [`COLLECTION_LIMIT`], one call each.
pub fn batches<R>(records: &[R]) -> impl Iterator<Item = &[R]> {
    records.chunks(COLLECTION_LIMIT)
}

/// The request body: each record as a JSON object typed with `attributes`.
fn collection_body<R: Serialize>(
    object: &str,
    records: &[R],
    all_or_none: bool,
    needs_id: bool,
) -> Result<Value, SfError> {
    if records.len() > COLLECTION_LIMIT {
        return Err(SfError::InvalidRequest(format!(
            "{} records in one sObject Collections call; at most {COLLECTION_LIMIT}",
            records.len()
        )));
    }
    let object = object_name(object)?;
    let records = records
        .iter()
        .enumerate()
        .map(|(index, record)| {
            let mut fields: Map<String, Value> = match serde_json::to_value(record) {
                Ok(Value::Object(fields)) => fields,
                Ok(_) | Err(_) => {
                    return Err(SfError::InvalidRequest(format!(
                        "record {index} is not a JSON object"
                    )));
                }
            };
            if needs_id && !fields.get("Id").is_some_and(Value::is_string) {
                return Err(SfError::InvalidRequest(format!(
                    "record {index} has no Id to update"
                )));
            }
            fields.insert("attributes".into(), json!({ "type": object }));
            Ok(Value::Object(fields))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json!({ "allOrNone": all_or_none, "records": records }))
}

impl<T: Transport> Client<'_, T> {
    /// Creates up to 200 `object` records in one call; one result per record, in order.
    pub async fn create_collection<R: Serialize>(
        &self,
        object: &str,
        records: &[R],
        all_or_none: bool,
    ) -> Result<Vec<SaveResult>, SfError> {
        if records.is_empty() {
            return Ok(Vec::new());
        }
        let body = collection_body(object, records, all_or_none, false)?;
        let call = Call::data(Method::Post, "composite/sobjects").json(&body)?;
        self.execute_json(&call).await
    }

    /// Updates up to 200 records (each with its `Id`) in one call.
    pub async fn update_collection<R: Serialize>(
        &self,
        object: &str,
        records: &[R],
        all_or_none: bool,
    ) -> Result<Vec<SaveResult>, SfError> {
        if records.is_empty() {
            return Ok(Vec::new());
        }
        let body = collection_body(object, records, all_or_none, true)?;
        let call = Call::data(Method::Patch, "composite/sobjects").json(&body)?;
        self.execute_json(&call).await
    }

    /// Deletes up to 200 records by Id in one call.
    pub async fn delete_collection(
        &self,
        ids: &[SfId],
        all_or_none: bool,
    ) -> Result<Vec<SaveResult>, SfError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        if ids.len() > COLLECTION_LIMIT {
            return Err(SfError::InvalidRequest(format!(
                "{} Ids in one sObject Collections call; at most {COLLECTION_LIMIT}",
                ids.len()
            )));
        }
        let ids: Vec<&str> = ids.iter().map(SfId::as_str).collect();
        let query = serde_urlencoded::to_string([
            ("ids", ids.join(",")),
            ("allOrNone", all_or_none.to_string()),
        ])
        .expect("string pairs encode");
        let call = Call::data(Method::Delete, &format!("composite/sobjects?{query}"));
        self.execute_json(&call).await
    }

    /// Creates any number of records, 200 per call; results in input order. `allOrNone`
    /// holds within each call of 200, not across calls. On an error the records of
    /// earlier calls stay created: use [`Client::create_collection`] per batch to track
    /// progress across failures.
    pub async fn create_many<R: Serialize>(
        &self,
        object: &str,
        records: &[R],
        all_or_none: bool,
    ) -> Result<Vec<SaveResult>, SfError> {
        let mut results = Vec::with_capacity(records.len());
        for batch in batches(records) {
            results.extend(self.create_collection(object, batch, all_or_none).await?);
        }
        Ok(results)
    }

    /// Updates any number of records, 200 per call (see [`Client::create_many`]).
    pub async fn update_many<R: Serialize>(
        &self,
        object: &str,
        records: &[R],
        all_or_none: bool,
    ) -> Result<Vec<SaveResult>, SfError> {
        let mut results = Vec::with_capacity(records.len());
        for batch in batches(records) {
            results.extend(self.update_collection(object, batch, all_or_none).await?);
        }
        Ok(results)
    }
}

#[cfg(test)]
mod tests {
    use super::super::client::tests::{Script, ok, run, session};
    use super::*;

    #[test]
    fn batches_are_200_at_most() {
        let records: Vec<u32> = (0..401).collect();
        let sizes: Vec<usize> = batches(&records).map(<[u32]>::len).collect();
        assert_eq!(sizes, [200, 200, 1]);
        assert_eq!(batches(&records[..200]).count(), 1);
        assert_eq!(batches::<u32>(&[]).count(), 0);
    }

    fn results(n: usize) -> String {
        let results: Vec<_> = (0..n)
            .map(|i| {
                let id = SfId::from_parts("003", "5g", i as u64 + 1).unwrap();
                json!({"id": id, "success": true, "errors": []})
            })
            .collect();
        Value::from(results).to_string()
    }

    #[test]
    fn create_many_sends_one_call_per_200_and_keeps_order() {
        let records: Vec<Value> = (0..450)
            .map(|i| json!({"LastName": format!("Row {i}")}))
            .collect();
        let script = Script::new([ok(&results(200)), ok(&results(200)), ok(&results(50))]);
        let client = Client::new(&script, session());
        let saved = run(client.create_many("Contact", &records, false)).unwrap();
        assert_eq!(saved.len(), 450);
        assert_eq!(script.sent.borrow().len(), 3);
        let first = script.body(0);
        assert_eq!(first["allOrNone"], false);
        assert_eq!(first["records"].as_array().unwrap().len(), 200);
        assert_eq!(
            first["records"][0],
            json!({"attributes": {"type": "Contact"}, "LastName": "Row 0"})
        );
        assert_eq!(script.body(2)["records"][49]["LastName"], "Row 449");
        assert!(script.urls()[0].ends_with("/services/data/v64.0/composite/sobjects"));
    }

    #[test]
    fn partial_failures_come_back_per_record() {
        let body = r#"[{"id":"003000000000001AAA","success":true,"errors":[]},
            {"success":false,"errors":[{"statusCode":"REQUIRED_FIELD_MISSING","message":"Required fields are missing: [LastName]","fields":["LastName"]}]}]"#;
        let script = Script::new([ok(body)]);
        let client = Client::new(&script, session());
        let records = [json!({"LastName": "A"}), json!({"FirstName": "B"})];
        let saved = run(client.create_collection("Contact", &records, true)).unwrap();
        assert!(saved[0].success);
        assert_eq!(saved[1].errors[0].status_code, "REQUIRED_FIELD_MISSING");
        assert_eq!(script.body(0)["allOrNone"], true);
    }

    #[test]
    fn updates_need_ids_and_use_patch() {
        let script = Script::new([ok(&results(1))]);
        let client = Client::new(&script, session());
        let missing = [json!({"Title": "COO"})];
        assert!(matches!(
            run(client.update_collection("Contact", &missing, false)),
            Err(SfError::InvalidRequest(_))
        ));
        let with_id = [json!({"Id": "003000000000001AAA", "Title": "COO"})];
        run(client.update_many("Contact", &with_id, false)).unwrap();
        assert_eq!(script.sent.borrow()[0].method, Method::Patch);
        assert_eq!(script.sent.borrow().len(), 1);
    }

    #[test]
    fn deletes_name_ids_in_the_query() {
        let script = Script::new([ok(&results(2))]);
        let client = Client::new(&script, session());
        let ids = [
            SfId::from_parts("003", "5g", 1).unwrap(),
            SfId::from_parts("003", "5g", 2).unwrap(),
        ];
        run(client.delete_collection(&ids, true)).unwrap();
        let url = url::Url::parse(&script.urls()[0]).unwrap();
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert_eq!(
            pairs,
            [
                ("ids".to_owned(), format!("{},{}", ids[0], ids[1])),
                ("allOrNone".to_owned(), "true".to_owned())
            ]
        );
    }

    #[test]
    fn oversized_or_shapeless_batches_are_refused_before_sending() {
        let script = Script::new([]);
        let client = Client::new(&script, session());
        let too_many = vec![json!({"LastName": "x"}); 201];
        assert!(matches!(
            run(client.create_collection("Contact", &too_many, false)),
            Err(SfError::InvalidRequest(_))
        ));
        assert!(matches!(
            run(client.create_collection("Contact", &[1, 2], false)),
            Err(SfError::InvalidRequest(_))
        ));
        assert_eq!(
            run(client.create_many::<Value>("Contact", &[], false)).unwrap(),
            []
        );
        assert!(script.sent.borrow().is_empty());
    }
}
