// Password strength, one rule for the server and the browser: zxcvbn-ts (offline: its common
// password list and English dictionaries) must rate a password at least MIN_PASSWORD_SCORE of 4,
// with the account's own email and name counted as guessable words. Free of server code. The
// dictionaries are ~1.5 MB, so they are loaded on first use (a dynamic import: the browser fetches
// them as a chunk of their own when a password field is first used, not with the page).
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "../server/core/admins/schemas.ts";

/** zxcvbn's 0–4 scale: 3 is "safely unguessable: moderate protection from offline attacks" */
export const MIN_PASSWORD_SCORE = 3;

export type PasswordScore = 0 | 1 | 2 | 3 | 4;

export interface PasswordStrength {
  score: PasswordScore;
  /** long enough, short enough and scored at least MIN_PASSWORD_SCORE */
  acceptable: boolean;
  /** why it is refused and what would help (null when acceptable) */
  message: string | null;
  /** zxcvbn's warning, e.g. "This is a commonly used password." */
  warning: string | null;
  suggestions: string[];
}

export type PasswordChecker = (password: string, userInputs?: readonly string[]) => PasswordStrength;

const SCORE_WORDS = ["very weak", "weak", "fair", "strong", "very strong"] as const;
export function scoreLabel(score: PasswordScore): string {
  return SCORE_WORDS[score];
}

/** The words of an email and a name that an attacker would try first ("ann.lee@acme.example"). */
export function passwordUserInputs(...values: readonly (string | null | undefined)[]): string[] {
  const words = new Set<string>();
  for (const value of values) {
    const text = value?.trim().toLowerCase();
    if (!text) continue;
    words.add(text);
    // "Alexandra Montgomery-Smith" → also "alexandramontgomerysmith"
    words.add(text.replace(/[^\p{L}\p{N}]+/gu, ""));
    for (const part of text.split(/[^\p{L}\p{N}]+/u)) if (part.length >= 3) words.add(part);
  }
  return [...words];
}

let loading: Promise<PasswordChecker> | undefined;

/** The checker, with its dictionaries loaded once per process (or page). */
export function loadPasswordChecker(): Promise<PasswordChecker> {
  loading ??= (async () => {
    const [{ ZxcvbnFactory }, common, en] = await Promise.all([
      import("@zxcvbn-ts/core"),
      import("@zxcvbn-ts/language-common"),
      import("@zxcvbn-ts/language-en"),
    ]);
    const zxcvbn = new ZxcvbnFactory({
      dictionary: { ...common.dictionary, ...en.dictionary },
      graphs: common.adjacencyGraphs,
      translations: en.translations,
      useLevenshteinDistance: false,
      maxLength: 100,
    });
    return (password, userInputs = []) =>
      rate(password, () => zxcvbn.check(canonical(password), [...userInputs]));
  })();
  // a failed load (a chunk that did not arrive) is retried on the next call
  loading.catch(() => (loading = undefined));
  return loading;
}

/** One-shot form of the checker. */
export async function checkPasswordStrength(
  password: string,
  userInputs: readonly string[] = [],
): Promise<PasswordStrength> {
  return (await loadPasswordChecker())(password, userInputs);
}

function rate(
  password: string,
  check: () => { score: PasswordScore; feedback: { warning: string | null; suggestions: string[] } },
): PasswordStrength {
  if (password.length > PASSWORD_MAX_LENGTH) {
    const message = `must be at most ${PASSWORD_MAX_LENGTH} characters`;
    return { score: 0, acceptable: false, message, warning: null, suggestions: [] };
  }
  const { score, feedback } = check();
  const warning = feedback.warning || null;
  const suggestions = feedback.suggestions.filter(Boolean);
  if (password.length < PASSWORD_MIN_LENGTH) {
    const message = `must be at least ${PASSWORD_MIN_LENGTH} characters`;
    return { score, acceptable: false, message, warning, suggestions };
  }
  if (score >= MIN_PASSWORD_SCORE) return { score, acceptable: true, message: null, warning, suggestions };
  const advice = [warning, ...suggestions].filter((s): s is string => Boolean(s)).map(trimStop);
  const message =
    `is too easy to guess (${scoreLabel(score)}: strength ${score} of 4, needs ${MIN_PASSWORD_SCORE})` +
    (advice.length > 0 ? `: ${advice.join("; ")}` : ": add more words or characters");
  return { score, acceptable: false, message, warning, suggestions };
}

const trimStop = (text: string) => text.trim().replace(/\.$/, "");

/**
 * What the password is rated as: compatibility forms folded (full-width "ｐａｓｓ" is "pass") and
 * invisible format characters dropped (a zero-width space inside "pass\u200bword" hides nothing),
 * so look-alikes of weak passwords are as weak as they are.
 */
export function canonical(password: string): string {
  return password.normalize("NFKC").replace(/\p{Cf}/gu, "");
}
