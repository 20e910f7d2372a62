"""Drives the sandbox Salesforce org with simple-salesforce, unmodified.

Run by sandbox/tests/http/salesforce_simple_salesforce.rs, which starts the sandbox, seeds
more contacts than one query page holds, and passes in the environment:

  SFDESK_SF_URL            the org over HTTPS, e.g. https://127.0.0.1:PORT
  REQUESTS_CA_BUNDLE       the CA the org's certificate chains to (requests reads it)
  SFDESK_SF_USERNAME, SFDESK_SF_PASSWORD, SFDESK_SF_CLIENT_ID, SFDESK_SF_CLIENT_SECRET
  SFDESK_SF_SEEDED         how many bulk contacts were seeded (more than 2,000)

Exits 0 after printing "simple-salesforce: all checks passed", non-zero otherwise.
"""

import os
import sys
from importlib.metadata import version
from datetime import datetime, timedelta, timezone

from simple_salesforce import Salesforce, SalesforceLogin
from simple_salesforce.exceptions import (
    SalesforceAuthenticationFailed,
    SalesforceMalformedRequest,
    SalesforceResourceNotFound,
)
from simple_salesforce.login import token_login

API_VERSION = "64.0"


def env(name):
    value = os.environ.get(name)
    if not value:
        sys.exit(f"missing environment variable {name}")
    return value


def check(condition, message):
    if not condition:
        raise AssertionError(message)
    print(f"ok: {message}")


def main():
    url = env("SFDESK_SF_URL").rstrip("/")
    username = env("SFDESK_SF_USERNAME")
    password = env("SFDESK_SF_PASSWORD")
    client_id = env("SFDESK_SF_CLIENT_ID")
    client_secret = env("SFDESK_SF_CLIENT_SECRET")
    seeded = int(env("SFDESK_SF_SEEDED"))
    print(f"simple-salesforce {version('simple-salesforce')} against {url}")

    # The OAuth 2.0 username-password grant, through simple-salesforce's own token login
    # (its Salesforce(...) constructor only knows *.salesforce.com login hosts).
    session_id, instance = token_login(
        f"{url}/services/oauth2/token",
        {
            "grant_type": "password",
            "client_id": client_id,
            "client_secret": client_secret,
            "username": username,
            "password": password,
        },
        "login",
        client_id,
        None,
        None,
    )
    check(session_id.startswith("00D"), "the password grant returns a session id")
    sf = Salesforce(instance=instance, session_id=session_id, version=API_VERSION)

    try:
        token_login(
            f"{url}/services/oauth2/token",
            {
                "grant_type": "password",
                "client_id": client_id,
                "client_secret": client_secret,
                "username": username,
                "password": "wrong",
            },
            "login",
            client_id,
            None,
            None,
        )
        raise AssertionError("a wrong password signs in")
    except SalesforceAuthenticationFailed as error:
        check(error.code == "invalid_grant", "a wrong password is invalid_grant")

    # query_all across several 2,000-record pages.
    soql = "SELECT Id, Email, Account.Name FROM Contact WHERE Email LIKE '%@bulk.example'"
    first = sf.query(soql)
    check(first["totalSize"] == seeded, f"totalSize is {seeded}")
    check(not first["done"] and "nextRecordsUrl" in first, "the first page is not the last")
    check(len(first["records"]) == 2000, "pages hold 2,000 records")
    everything = sf.query_all(soql)
    ids = [record["Id"] for record in everything["records"]]
    check(len(ids) == seeded and len(set(ids)) == seeded, "query_all reads every page once")
    check(everything["records"][0]["attributes"]["type"] == "Contact", "rows carry attributes")
    small_pages = sf.query_all(soql, headers={"Sforce-Query-Options": "batchSize=500"})
    check(len(small_pages["records"]) == seeded, "batchSize=500 pages read everything")
    usage = sf.api_usage.get("api-usage")
    check(usage is not None and usage.total > 0 and usage.used > 0,
          f"Sforce-Limit-Info parses: {usage}")

    # describe: the org, then Contact with its custom fields.
    objects = {o["name"] for o in sf.describe()["sobjects"]}
    check({"Account", "Contact", "Opportunity"} <= objects, "the global describe lists objects")
    contact_describe = sf.Contact.describe()
    fields = {f["name"]: f for f in contact_describe["fields"]}
    subscription = fields["Subscription_Type__c"]
    check(subscription["type"] == "picklist" and subscription["custom"],
          "Subscription_Type__c is a custom picklist")
    check([v["value"] for v in subscription["picklistValues"]]
          == ["Trial", "Standard", "Professional", "Enterprise"], "with its values")
    check(fields["Seats__c"]["type"] == "double", "Seats__c is a number")

    # create, update, get, delete.
    created = sf.Contact.create({
        "FirstName": "Simple",
        "LastName": "Salesforce",
        "Email": "simple.salesforce@python.example",
        "Subscription_Type__c": "Trial",
        "Seats__c": 3,
    })
    check(created["success"] and len(created["id"]) == 18, "create returns an 18-char id")
    contact_id = created["id"]
    status = sf.Contact.update(contact_id, {"Title": "Pythonista", "Seats__c": 12})
    check(status == 204, "update answers 204")
    record = sf.Contact.get(contact_id)
    check(record["Title"] == "Pythonista" and record["Seats__c"] == 12.0, "get shows the update")
    check(record["Name"] == "Simple Salesforce", "Name is derived")
    found = sf.query(
        "SELECT Id, Title FROM Contact WHERE Email = 'simple.salesforce@python.example'"
    )
    check(found["totalSize"] == 1 and found["records"][0]["Title"] == "Pythonista",
          "a query finds the update")

    # The replication resources, through SFType.updated / deleted.
    now = datetime.now(timezone.utc)
    updated = sf.Contact.updated(now - timedelta(days=1), now + timedelta(minutes=2))
    check("ids" in updated and "latestDateCovered" in updated, "updated has its shape")

    sf.Contact.delete(contact_id)
    try:
        sf.Contact.get(contact_id)
        raise AssertionError("a deleted contact can be read")
    except SalesforceResourceNotFound as error:
        check(error.content[0]["errorCode"] == "ENTITY_IS_DELETED",
              "a deleted contact answers ENTITY_IS_DELETED")
    bin_query = sf.query_all(
        "SELECT Id, IsDeleted FROM Contact WHERE Email = 'simple.salesforce@python.example'",
        include_deleted=True,
    )
    check(bin_query["totalSize"] == 1 and bin_query["records"][0]["IsDeleted"],
          "queryAll sees the recycle bin")
    deleted = sf.Contact.deleted(now - timedelta(days=1), now + timedelta(minutes=2))
    check("deletedRecords" in deleted and "earliestDateAvailable" in deleted,
          "deleted has its shape")

    # Errors arrive as simple-salesforce's typed exceptions.
    try:
        sf.query("SELEKT Id FROM Contact")
        raise AssertionError("a malformed query runs")
    except SalesforceMalformedRequest as error:
        check(error.content[0]["errorCode"] == "MALFORMED_QUERY", "MALFORMED_QUERY is a 400")
    try:
        sf.Contact.create({"FirstName": "No last name"})
        raise AssertionError("a contact without LastName is created")
    except SalesforceMalformedRequest as error:
        check(error.content[0]["errorCode"] == "REQUIRED_FIELD_MISSING"
              and error.content[0]["fields"] == ["LastName"], "REQUIRED_FIELD_MISSING")

    # sObject Collections and limits through the generic REST call.
    results = sf.restful("composite/sobjects", method="POST", json={
        "allOrNone": False,
        "records": [
            {"attributes": {"type": "Contact"}, "LastName": "Batch One"},
            {"attributes": {"type": "Contact"}, "FirstName": "Batch Two"},
        ],
    })
    check(results[0]["success"] and not results[1]["success"] and "id" not in results[1],
          "collections answer per record")
    limits = sf.limits()
    check(limits["DailyApiRequests"]["Max"] > 0, "limits lists DailyApiRequests")

    # The partner SOAP login, as simple-salesforce does it for username + security token.
    soap_session, soap_instance = SalesforceLogin(
        username=username,
        password=password,
        security_token="",
        sf_version=API_VERSION,
        scratch_url=url,
    )
    soap_sf = Salesforce(instance=soap_instance, session_id=soap_session, version=API_VERSION)
    check(soap_sf.query("SELECT COUNT() FROM Account")["totalSize"] > 0,
          "a SOAP login session queries too")

    print("simple-salesforce: all checks passed")


if __name__ == "__main__":
    main()
