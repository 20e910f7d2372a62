"""Reads every record of a SOQL query with simple-salesforce's query_all, for
`cargo xtask bench peers`. Environment: SFDESK_SF_URL (the org over HTTPS),
SFDESK_SF_TOKEN (an access token), SFDESK_SOQL, REQUESTS_CA_BUNDLE (the org's CA).
Prints one line: `<records> <seconds>`."""

import os
import time

from simple_salesforce import Salesforce

sf = Salesforce(
    instance_url=os.environ["SFDESK_SF_URL"],
    session_id=os.environ["SFDESK_SF_TOKEN"],
    version="64.0",
)
started = time.perf_counter()
result = sf.query_all(os.environ["SFDESK_SOQL"])
print(len(result["records"]), time.perf_counter() - started)
