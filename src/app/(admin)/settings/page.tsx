"use client";
import { toast } from "@heroui/react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { CheckboxInput } from "@/components/ui/checkbox-input.tsx";
import { PageHeader, Section } from "@/components/ui/page.tsx";
import { Loaded } from "@/components/ui/states.tsx";
import { useTRPC } from "@/hooks/trpc.ts";
import { useCan } from "@/hooks/use-me.ts";

export default function SettingsPage() {
  const trpc = useTRPC();
  const can = useCan();
  const queryClient = useQueryClient();
  const settings = useQuery(trpc.settings.get.queryOptions({}));
  // What was asked for, shown until the server answers. Set in the change handler itself: the
  // mutation's own pending state arrives a tick later, and a controlled checkbox would flip back
  // in between.
  const [asked, setAsked] = useState<{ requireTwoFactor: boolean } | null>(null);
  const update = useMutation(
    trpc.settings.update.mutationOptions({
      onSuccess: (saved) => {
        queryClient.setQueryData(trpc.settings.get.queryKey({}), saved);
        toast.success("Settings saved");
      },
      onSettled: () => {
        setAsked(null);
      },
    }),
  );
  const write = can("settings.write");
  const shown = asked ? { ...settings.data, ...asked } : settings.data;
  return (
    <>
      <PageHeader
        title="Settings"
        description={write ? "Server-wide settings." : "Server-wide settings (a super admin changes them)."}
      />
      <Loaded query={settings} retry>
        <Section title="Sign-in" className="max-w-2xl">
          <CheckboxInput
            label="Require two-factor authentication"
            name="requireTwoFactor"
            checked={shown?.requireTwoFactor ?? false}
            isDisabled={!write || update.isPending}
            onChange={(requireTwoFactor) => {
              setAsked({ requireTwoFactor });
              update.mutate({ requireTwoFactor });
            }}
            description="Admins without an authenticator may then only enroll one (on their profile) until they do."
          />
        </Section>
      </Loaded>
    </>
  );
}
