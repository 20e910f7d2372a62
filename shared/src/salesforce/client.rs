//! The REST client: one org, one session, any [`Transport`].

use super::{API_VERSION, QueryResponse, RestError, SfError};
use crate::http::{HttpRequest, HttpResponse, Method, Transport};
use crate::ids::SfId;
use serde::de::DeserializeOwned;

/// Where and as whom to call: what a token response grants.
#[derive(Clone, PartialEq, Eq)]
pub struct Session {
    pub instance_url: String,
    pub access_token: String,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("instance_url", &self.instance_url)
            .finish_non_exhaustive()
    }
}

pub struct Client<'a, T: Transport> {
    transport: &'a T,
    session: &'a Session,
}

impl<'a, T: Transport> Client<'a, T> {
    pub fn new(transport: &'a T, session: &'a Session) -> Self {
        Client { transport, session }
    }

    fn data_url(&self, rest: &str) -> String {
        format!(
            "{}/services/data/{API_VERSION}/{rest}",
            self.session.instance_url.trim_end_matches('/')
        )
    }

    /// One page of a SOQL query (one API call).
    pub async fn query<R: DeserializeOwned>(
        &self,
        soql: &str,
    ) -> Result<QueryResponse<R>, SfError> {
        let query = serde_urlencoded::to_string([("q", soql)]).expect("string pairs encode");
        let request = HttpRequest::get(self.data_url(&format!("query?{query}")))
            .bearer(&self.session.access_token);
        let response = self.transport.send(request).await?;
        decode(&response)
    }

    /// `PATCH /sobjects/{object}/{id}` with the given field values (one API call).
    pub async fn update(
        &self,
        object: &str,
        id: &SfId,
        fields: &serde_json::Value,
    ) -> Result<(), SfError> {
        let mut request = HttpRequest::new(
            Method::Patch,
            self.data_url(&format!("sobjects/{object}/{id}")),
        )
        .bearer(&self.session.access_token)
        .header("Content-Type", "application/json");
        request.body = Some(serde_json::to_vec(fields).expect("JSON values serialize"));
        let response = self.transport.send(request).await?;
        if response.is_success() {
            return Ok(());
        }
        decode::<serde_json::Value>(&response).map(drop)
    }
}

/// Maps an answer to our types, or to the typed error Salesforce's body describes.
fn decode<R: DeserializeOwned>(response: &HttpResponse) -> Result<R, SfError> {
    if response.is_success() {
        return serde_json::from_slice(&response.body).map_err(|e| SfError::Decode(e.to_string()));
    }
    let first = serde_json::from_slice::<Vec<RestError>>(&response.body)
        .ok()
        .and_then(|errors| errors.into_iter().next());
    match (response.status, first) {
        (401, _) => Err(SfError::InvalidSession),
        (_, Some(error)) if error.error_code == "INVALID_SESSION_ID" => {
            Err(SfError::InvalidSession)
        }
        (status, Some(error)) => Err(SfError::Api {
            status,
            code: error.error_code,
            message: error.message,
        }),
        (status, None) if status >= 500 => Err(SfError::Unavailable { status }),
        (status, None) => Err(SfError::Decode(format!(
            "HTTP {status} without a Salesforce error body"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![],
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn expired_session_is_typed() {
        let body = r#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#;
        assert_eq!(
            decode::<serde_json::Value>(&response(401, body)),
            Err(SfError::InvalidSession)
        );
    }

    #[test]
    fn rest_errors_keep_code_and_message() {
        let body = r#"[{"message":"unexpected token: SELEKT","errorCode":"MALFORMED_QUERY"}]"#;
        assert_eq!(
            decode::<serde_json::Value>(&response(400, body)),
            Err(SfError::Api {
                status: 400,
                code: "MALFORMED_QUERY".into(),
                message: "unexpected token: SELEKT".into()
            })
        );
    }

    #[test]
    fn outages_are_unavailable() {
        assert_eq!(
            decode::<serde_json::Value>(&response(503, "<html>")),
            Err(SfError::Unavailable { status: 503 })
        );
    }
}
