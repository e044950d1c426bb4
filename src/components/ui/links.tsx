"use client";
// Links inside the app (Next.js client navigation): one that looks like a button, one in text.
import { buttonVariants } from "@heroui/react";
import NextLink from "next/link";
import type { ReactNode } from "react";

/** A Next.js link that looks like a button. */
export function LinkButton({
  href,
  children,
  variant = "primary",
  size = "md",
}: {
  href: string;
  children: ReactNode;
  variant?: "primary" | "secondary" | "tertiary" | "ghost" | "outline";
  size?: "sm" | "md" | "lg";
}) {
  return (
    <NextLink href={href} className={buttonVariants({ variant, size })}>
      {children}
    </NextLink>
  );
}

export function TextLink({ href, children }: { href: string; children: ReactNode }) {
  return (
    <NextLink href={href} className="font-medium text-accent underline-offset-2 hover:underline">
      {children}
    </NextLink>
  );
}
