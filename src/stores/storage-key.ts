// The localStorage key of the UI store; the root layout reads it before the first paint.
export const THEME_STORAGE_KEY = "license-server-ui";
