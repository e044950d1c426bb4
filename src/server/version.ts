// The app's version, from package.json (bundled into the Next server and read by the sidecar).
import pkg from "../../package.json" with { type: "json" };

export const APP_VERSION: string = pkg.version;
