// Reads every record of a SOQL query with jsforce (autoFetch), for `cargo xtask bench
// peers`. Environment: SFDESK_SF_URL (the org), SFDESK_SF_TOKEN (an access token),
// SFDESK_SOQL, NODE_EXTRA_CA_CERTS (the org's CA, over HTTPS). Prints `<records> <seconds>`.
const jsforce = require("jsforce");

async function main() {
  const conn = new jsforce.Connection({
    instanceUrl: process.env.SFDESK_SF_URL,
    accessToken: process.env.SFDESK_SF_TOKEN,
    version: "64.0",
  });
  const started = process.hrtime.bigint();
  const result = await conn
    .query(process.env.SFDESK_SOQL)
    .run({ autoFetch: true, maxFetch: 1000000 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(result.records.length, seconds);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
