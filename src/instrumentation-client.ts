// Runs in the browser before the app's own modules (Next's instrumentation-client hook).
// Zod 4 probes whether eval is allowed (`new Function("")`) the first time it builds an object
// schema, to compile fast parsers; under the pages' Content-Security-Policy (no 'unsafe-eval')
// that probe is a CSP violation on every page load. The UI's forms do not need the fast path.
import { z } from "zod";

z.config({ jitless: true });
