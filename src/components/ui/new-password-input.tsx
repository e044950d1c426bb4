"use client";
// A new password's field with its strength shown as it is typed: the same zxcvbn-ts check the
// server applies (src/lib/password-strength.ts), its dictionaries fetched once, on first use.
import { useEffect, useState } from "react";
import {
  loadPasswordChecker,
  MIN_PASSWORD_SCORE,
  passwordUserInputs,
  scoreLabel,
  type PasswordChecker,
  type PasswordStrength,
} from "@/lib/password-strength.ts";
import { PasswordInput, type TextInputProps } from "./text-input.tsx";

export function NewPasswordInput({
  userInputs = [],
  ...props
}: Omit<TextInputProps, "type" | "isRequired" | "autoComplete" | "description"> & {
  /** the account's email and name: guessable words */
  userInputs?: readonly (string | null | undefined)[];
}) {
  const [checker, setChecker] = useState<PasswordChecker | null>(null);
  const [failed, setFailed] = useState(false);
  const used = props.value !== "";
  useEffect(() => {
    if (!used || checker) return;
    let live = true;
    loadPasswordChecker().then(
      (check) => {
        if (live) setChecker(() => check);
      },
      () => {
        if (live) setFailed(true);
      },
    );
    return () => {
      live = false;
    };
  }, [used, checker]);
  const strength = checker && used ? checker(props.value, passwordUserInputs(...userInputs)) : null;
  return (
    <PasswordInput
      {...props}
      autoComplete="new-password"
      description={<StrengthHint strength={strength} loading={used && !checker && !failed} />}
    />
  );
}

function StrengthHint({ strength, loading }: { strength: PasswordStrength | null; loading: boolean }) {
  const base = `At least 12 characters, rated at least ${scoreLabel(MIN_PASSWORD_SCORE)}.`;
  if (!strength) {
    return <span data-testid="password-strength">{loading ? `${base} Checking…` : base}</span>;
  }
  const advice = [strength.warning, ...strength.suggestions].filter(Boolean).join(" ");
  const text = strength.message?.startsWith("must")
    ? `The password ${strength.message}.`
    : `Strength: ${scoreLabel(strength.score)} (${strength.score} of 4)` +
      (strength.acceptable ? "." : `, needs ${scoreLabel(MIN_PASSWORD_SCORE)}.`) +
      (advice ? ` ${advice}` : "");
  return (
    <span
      data-testid="password-strength"
      data-score={strength.score}
      data-acceptable={strength.acceptable}
      className={strength.acceptable ? "text-success" : "text-warning"}
    >
      {text}
    </span>
  );
}
