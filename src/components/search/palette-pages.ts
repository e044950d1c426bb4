// The pages the command palette goes to: the navigation's, and a few that are not in it (issuing
// a license, one's profile, the API docs), each with the permission it needs and other words an
// admin may type for it.
import type { Permission } from "@/server/core/access/policy.ts";

export interface PalettePage {
  href: string;
  label: string;
  section: string;
  permission?: Permission;
  keywords?: string[];
  /** not a page of the console's app (a full page load) */
  external?: boolean;
}

export const PALETTE_PAGES: PalettePage[] = [
  { href: "/", label: "Dashboard", section: "Licensing", keywords: ["home", "overview"] },
  { href: "/customers", label: "Customers", section: "Licensing" },
  { href: "/licenses", label: "Licenses", section: "Licensing", keywords: ["keys"] },
  {
    href: "/licenses/new",
    label: "Issue a license",
    section: "Licensing",
    permission: "license.write",
    keywords: ["new license", "create"],
  },
  { href: "/products", label: "Products", section: "Licensing", keywords: ["features", "catalog"] },
  { href: "/policies", label: "Policies", section: "Licensing", permission: "policy.read" },
  { href: "/trials", label: "Trials", section: "Licensing", permission: "trial.read" },
  { href: "/groups", label: "Groups", section: "Administration" },
  {
    href: "/admins",
    label: "Admins",
    section: "Administration",
    permission: "admin.manage",
    keywords: ["users"],
  },
  { href: "/api-keys", label: "API keys", section: "Administration", keywords: ["tokens"] },
  { href: "/webhooks", label: "Webhooks", section: "Administration", permission: "webhook.read" },
  {
    href: "/audit",
    label: "Audit log",
    section: "Administration",
    permission: "audit.read",
    keywords: ["history"],
  },
  {
    href: "/signing-keys",
    label: "Signing keys",
    section: "Administration",
    permission: "signing_key.read",
  },
  { href: "/settings", label: "Settings", section: "Administration" },
  { href: "/profile", label: "Profile", section: "You", keywords: ["password", "two-factor", "2fa"] },
  { href: "/api/docs", label: "API docs", section: "Help", keywords: ["openapi", "rest"], external: true },
];

/** The pages whose name or keywords contain every word of `text` (all of them for no text). */
export function pagesMatching(pages: readonly PalettePage[], text: string): PalettePage[] {
  const words = text.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...pages];
  return pages.filter((page) => {
    const haystack = [page.label, ...(page.keywords ?? [])].join(" ").toLowerCase();
    return words.every((word) => haystack.includes(word));
  });
}
