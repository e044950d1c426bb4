"use client";
// Password (or directory) sign-in through next-auth's credentials provider, then the TOTP step
// when the account has two-factor authentication; back to the page that sent us here.
import { Alert, Button, Card } from "@heroui/react";
import { signIn } from "next-auth/react";
import { useSearchParams } from "next/navigation";
import { useState } from "react";
import { ErrorAlert } from "@/components/ui/error-alert.tsx";
import { CodeInput, PasswordInput, TextInput } from "@/components/ui/text-input.tsx";
import { useForm } from "@/components/ui/use-form.ts";
import { ValidatedForm } from "@/components/ui/validated-form.tsx";
import { ZLoginInput } from "@/server/auth/login-input.ts";
import { safeRedirectPath } from "@/server/auth/safe-redirect.ts";

/** Only paths of this origin (never another site named by someone else's link), and not back here. */
function safeCallback(value: string | null): string {
  const path = safeRedirectPath(value, window.location.origin);
  return path === "/sign-in" || path.startsWith("/sign-in?") || path.startsWith("/sign-in/") ? "/" : path;
}

const NEXT_AUTH_ERRORS: Record<string, string> = {
  CredentialsSignin: "Wrong email or password.",
  SessionRequired: "Sign in to continue.",
};

export function SignInForm() {
  const params = useSearchParams();
  const [step, setStep] = useState<"password" | "totp">("password");
  const [pending, setPending] = useState(false);
  const initialError = params.get("error");
  const [message, setMessage] = useState<string | null>(
    initialError ? (NEXT_AUTH_ERRORS[initialError] ?? initialError) : null,
  );
  const form = useForm({ email: "", password: "", totp: "" });
  const { values } = form;

  async function submit() {
    const input = {
      email: values.email,
      password: values.password,
      ...(step === "totp" ? { totp: values.totp } : {}),
    };
    if (!form.validate(ZLoginInput, input)) return;
    if (step === "totp" && !values.totp.trim()) {
      form.setErrors({ totp: "is required" });
      return;
    }
    setPending(true);
    setMessage(null);
    // read when used: the origin is the browser's (this form is also rendered on the server)
    const callbackUrl = safeCallback(params.get("callbackUrl"));
    try {
      const result = await signIn("credentials", { ...input, redirect: false, callbackUrl });
      if (result?.error === "TOTP_REQUIRED") {
        setStep("totp");
        return;
      }
      if (!result || result.error || !result.ok) {
        setMessage(result?.error ? (NEXT_AUTH_ERRORS[result.error] ?? result.error) : "Sign-in failed.");
        if (step === "totp") form.set("totp", "");
        return;
      }
      window.location.assign(callbackUrl);
    } finally {
      setPending(false);
    }
  }

  return (
    <Card className="w-full max-w-sm">
      <Card.Header>
        <Card.Title className="text-xl font-semibold">License Server</Card.Title>
        <Card.Description>
          {step === "password" ? "Sign in to the admin console" : "Two-factor authentication"}
        </Card.Description>
      </Card.Header>
      <Card.Content>
        <ValidatedForm
          className="flex flex-col gap-4"
          onSubmit={() => {
            void submit();
          }}
        >
          {params.get("expired") && !message ? (
            <Alert status="warning">
              <Alert.Content>
                <Alert.Description>Your session has ended. Sign in again to continue.</Alert.Description>
              </Alert.Content>
            </Alert>
          ) : null}
          {message ? (
            <ErrorAlert
              title={step === "totp" ? "The code was not accepted" : "Could not sign in"}
              testId="sign-in-error"
            >
              {message}
            </ErrorAlert>
          ) : null}
          {step === "password" ? (
            <>
              <TextInput
                label="Email or directory user name"
                autoComplete="username"
                {...form.field("email")}
                isRequired
                autoFocus
              />
              <PasswordInput label="Password" autoComplete="current-password" {...form.field("password")} />
            </>
          ) : (
            <CodeInput
              label="Authentication code"
              autoComplete="one-time-code"
              {...form.field("totp")}
              description="The 6-digit code from your authenticator app, or one of your recovery codes."
              autoFocus
            />
          )}
          <Button type="submit" isPending={pending} fullWidth>
            {step === "password" ? "Sign in" : "Verify"}
          </Button>
          {step === "totp" ? (
            <Button
              variant="ghost"
              onPress={() => {
                setStep("password");
                form.set("totp", "");
              }}
            >
              Back
            </Button>
          ) : null}
        </ValidatedForm>
      </Card.Content>
    </Card>
  );
}
