import { readFile } from "node:fs/promises";
import { join } from "node:path";
import swaggerUiPath from "swagger-ui-dist/absolute-path.js";
import { apiRoute } from "@/server/http/api-route.ts";

export const runtime = "nodejs";

const INIT = `window.ui = SwaggerUIBundle({
  url: "/api/v1/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: false,
  tryItOutEnabled: true,
});`;

/** The app's icon (src/app/icon.svg), served beside the page that names it: the docs' favicon. */
const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#3b82f6"/><path d="M11 9h4v11h7v3H11z" fill="#fff"/></svg>`;

/** Only these files are served, from the swagger-ui-dist package. */
const FILES: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
};

// public files of a package: cached for a day
export const GET = apiRoute(
  async (_req: Request, { params }: { params: Promise<{ file: string }> }): Promise<Response> => {
    const { file } = await params;
    if (file === "favicon.svg")
      return new Response(FAVICON, { headers: { "content-type": "image/svg+xml" } });
    if (file === "init.js")
      return new Response(INIT, { headers: { "content-type": "text/javascript; charset=utf-8" } });
    const type = FILES[file];
    if (!type) return Response.json({ message: "not found" }, { status: 404 });
    const body = await readFile(join(swaggerUiPath(), file));
    return new Response(body, { headers: { "content-type": type } });
  },
  { cacheControl: "public, max-age=86400" },
);
