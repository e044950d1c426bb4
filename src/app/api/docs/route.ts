// The browsable reference of the REST API: Swagger UI served from our own node_modules (no CDN,
// works air-gapped) over /api/v1/openapi.json. Its own CSP: scripts and styles from
// /api/docs/assets only (no inline script: the start-up code is assets/init.js).
import { apiRoute } from "@/server/http/api-route.ts";
import { DOCS_CSP } from "@/server/http/security-headers.ts";

export const dynamic = "force-dynamic";

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>License Server API reference</title>
<link rel="icon" href="/api/docs/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/assets/init.js"></script>
</body>
</html>`;

export const GET = apiRoute(
  () => new Response(PAGE, { headers: { "content-type": "text/html; charset=utf-8" } }),
  { csp: DOCS_CSP, cacheControl: "no-cache" },
);
