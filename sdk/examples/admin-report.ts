// An internal tool built on the typed admin client: prints the licenses that expire within the
// next N days, with their customers, as a table (or JSON with --json).
//
//   LICENSE_SERVER_URL=http://127.0.0.1:3000 LICENSE_SERVER_API_KEY=lsk_... \
//     npx tsx sdk/examples/admin-report.ts [days] [--json]
import { AdminClientError, createAdminClient } from "../src/index.ts";

const url = process.env.LICENSE_SERVER_URL ?? "http://127.0.0.1:3000";
const apiKey = process.env.LICENSE_SERVER_API_KEY;
if (!apiKey) {
  console.error(
    "set LICENSE_SERVER_API_KEY to an API key (create one in the admin UI or POST /api/v1/api-keys)",
  );
  process.exit(2);
}
const days = Number(process.argv.find((arg) => /^\d+$/.test(arg)) ?? 30);
const json = process.argv.includes("--json");

const client = createAdminClient({ url, apiKey });
try {
  const page = await client.licenses.list.query({
    expiringWithinDays: days,
    sort: "expiresAt",
    direction: "asc",
    pageSize: 200,
  });
  const rows = page.items.map((license) => ({
    key: license.key,
    customer: license.customer.name,
    product: license.product.code,
    expiresAt: license.expiresAt,
    seats: license.seatLimit,
  }));
  if (json) {
    console.log(JSON.stringify({ days, total: page.total, licenses: rows }));
  } else {
    console.log(`${page.total} license(s) expire within ${days} days`);
    for (const row of rows)
      console.log(`${row.expiresAt ?? "-"}  ${row.key}  ${row.product}  ${row.customer}`);
  }
} catch (error) {
  if (error instanceof AdminClientError) {
    console.error(`the server refused: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
