//! Salesforce Outbound Messages: the SOAP notifications Salesforce sends when an Account or
//! Contact changes, and the acknowledgement that stops it resending.
//!
//! They are hints: the record named is re-read by Id before anything is synced.

use contract::ids::SfId;

const OUTBOUND_NS: &str = "http://soap.sforce.com/2005/09/outbound";
const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundMessage {
    pub organization_id: String,
    pub action_id: String,
    pub notifications: Vec<Notification>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// The notification's own Id (Salesforce may deliver it more than once).
    pub id: String,
    /// `Contact`, `Account`, ...: from the sObject's `xsi:type`.
    pub object: String,
    pub record_id: SfId,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutboundError {
    #[error("the body is not well-formed XML: {0}")]
    Xml(String),
    #[error("the body is not a Salesforce outbound message: {0}")]
    Shape(&'static str),
    #[error("a notification names an invalid record Id: {0}")]
    RecordId(String),
}

fn child<'a, 'input>(
    node: roxmltree::Node<'a, 'input>,
    name: &str,
) -> Option<roxmltree::Node<'a, 'input>> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

fn text_of(node: roxmltree::Node<'_, '_>, name: &str) -> Option<String> {
    child(node, name)
        .and_then(|n| n.text())
        .map(|t| t.trim().to_owned())
}

pub fn parse(xml: &str) -> Result<OutboundMessage, OutboundError> {
    let document =
        roxmltree::Document::parse(xml).map_err(|e| OutboundError::Xml(e.to_string()))?;
    let notifications = document
        .descendants()
        .find(|n| {
            n.is_element()
                && n.tag_name().name() == "notifications"
                && n.tag_name().namespace() == Some(OUTBOUND_NS)
        })
        .ok_or(OutboundError::Shape(
            "no notifications element in the outbound namespace",
        ))?;
    let organization_id = text_of(notifications, "OrganizationId")
        .ok_or(OutboundError::Shape("no OrganizationId"))?;
    let action_id = text_of(notifications, "ActionId").unwrap_or_default();
    let mut parsed = Vec::new();
    for notification in notifications
        .children()
        .filter(|c| c.is_element() && c.tag_name().name() == "Notification")
    {
        let id =
            text_of(notification, "Id").ok_or(OutboundError::Shape("a Notification without Id"))?;
        let sobject = child(notification, "sObject")
            .ok_or(OutboundError::Shape("a Notification without sObject"))?;
        let object = sobject
            .attribute((XSI_NS, "type"))
            .map(|t| t.rsplit(':').next().unwrap_or(t).to_owned())
            .ok_or(OutboundError::Shape("an sObject without xsi:type"))?;
        let record = text_of(sobject, "Id").ok_or(OutboundError::Shape("an sObject without Id"))?;
        let record_id = SfId::parse(&record).map_err(|_| OutboundError::RecordId(record))?;
        parsed.push(Notification {
            id,
            object,
            record_id,
        });
    }
    if parsed.is_empty() {
        return Err(OutboundError::Shape("no Notification elements"));
    }
    Ok(OutboundMessage {
        organization_id,
        action_id,
        notifications: parsed,
    })
}

/// The answer Salesforce expects; `false` makes it retry later.
pub fn acknowledgement(ack: bool) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><notificationsResponse xmlns="{OUTBOUND_NS}"><Ack>{ack}</Ack></notificationsResponse></soapenv:Body></soapenv:Envelope>"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(body: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>00D5g000004ABCDEAA</OrganizationId>
   <ActionId>04k5g000000ABCDAA0</ActionId>
   <SessionId xsi:nil="true"/>
   <EnterpriseUrl>https://org.example/services/Soap/c/64.0/00D5g000004ABCD</EnterpriseUrl>
   <PartnerUrl>https://org.example/services/Soap/u/64.0/00D5g000004ABCD</PartnerUrl>
   {body}
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>"#
        )
    }

    const CONTACT: &str = r#"<Notification><Id>04l5g00000ABCDEAA0</Id>
      <sObject xsi:type="sf:Contact" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
        <sf:Id>003A000001abcdeIAA</sf:Id><sf:Email>maya@nw.example</sf:Email>
      </sObject></Notification>"#;

    #[test]
    fn parses_a_notification() {
        let parsed = parse(&message(CONTACT)).unwrap();
        assert_eq!(parsed.organization_id, "00D5g000004ABCDEAA");
        assert_eq!(parsed.notifications.len(), 1);
        assert_eq!(parsed.notifications[0].object, "Contact");
        assert_eq!(
            parsed.notifications[0].record_id,
            SfId::parse("003A000001abcde").unwrap()
        );
    }

    #[test]
    fn refuses_what_is_not_an_outbound_message() {
        assert!(matches!(parse("<not xml"), Err(OutboundError::Xml(_))));
        assert!(matches!(
            parse("<notifications/>"),
            Err(OutboundError::Shape(_))
        ));
        assert!(matches!(
            parse(&message("")),
            Err(OutboundError::Shape("no Notification elements"))
        ));
        let bad_id = CONTACT.replace("003A000001abcdeIAA", "003'; DROP");
        assert!(matches!(
            parse(&message(&bad_id)),
            Err(OutboundError::RecordId(_))
        ));
    }

    #[test]
    fn acknowledges() {
        assert!(acknowledgement(true).contains("<Ack>true</Ack>"));
        assert!(acknowledgement(false).contains("<Ack>false</Ack>"));
    }
}

/// Property tests: no Outbound Message body, however broken, makes the parser panic, and
/// what it accepts names only valid record Ids.
#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    fn xmlish() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just(r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">"#.to_owned()),
            Just(r#"<notifications xmlns="http://soap.sforce.com/2005/09/outbound">"#.to_owned()),
            Just("<OrganizationId>00D000000000001AAA</OrganizationId>".to_owned()),
            Just("<Notification><Id>04l000000000001AAA</Id>".to_owned()),
            Just(r#"<sObject xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:sf="urn:sobject.enterprise.soap.sforce.com" xsi:type="sf:Contact">"#.to_owned()),
            Just("<sf:Id>003000000000001AAA</sf:Id>".to_owned()),
            Just("<sf:Id>003'; DROP</sf:Id>".to_owned()),
            Just("</sObject></Notification>".to_owned()),
            Just("</notifications></soapenv:Envelope>".to_owned()),
            Just("<!DOCTYPE x [<!ENTITY a \"&a;&a;\">]>".to_owned()),
            Just("&a;".to_owned()),
            Just("<![CDATA[".to_owned()),
            any::<String>(),
        ];
        prop::collection::vec(piece, 0..20).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]

        #[test]
        fn arbitrary_text_never_panics(body in any::<String>()) {
            let _ = parse(&body);
        }

        #[test]
        fn spliced_messages_never_panic(body in xmlish()) {
            if let Ok(message) = parse(&body) {
                prop_assert!(!message.notifications.is_empty());
                for notification in &message.notifications {
                    prop_assert!(SfId::parse(notification.record_id.as_str()).is_ok());
                }
            }
        }
    }
}
