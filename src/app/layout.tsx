import type { Metadata } from "next";
import { headers } from "next/headers";
import type { ReactNode } from "react";
import { Providers } from "@/components/shell/providers.tsx";
import { THEME_STORAGE_KEY } from "@/stores/storage-key.ts";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "License Server", template: "%s · License Server" },
  description: "Self-hosted software license server",
};

// Sets the colour scheme before the first paint (no flash of the wrong theme); the store keeps it.
const themeScript = `try{var s=JSON.parse(localStorage.getItem(${JSON.stringify(THEME_STORAGE_KEY)})||"{}").state||{};var t=s.theme||"system";var d=t==="dark"||(t==="system"&&matchMedia("(prefers-color-scheme: dark)").matches);var e=document.documentElement;e.classList.add(d?"dark":"light");e.style.colorScheme=d?"dark":"light"}catch(_){}`;

// Every page is rendered per request: the Content-Security-Policy's nonce (src/proxy.ts) is new
// each time, and Next puts it on its own scripts only when it renders the page then.
export default async function RootLayout({ children }: { children: ReactNode }) {
  const nonce = (await headers()).get("x-nonce") ?? undefined;
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: themeScript }} />
      </head>
      <body className="min-h-screen bg-background text-foreground antialiased">
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
