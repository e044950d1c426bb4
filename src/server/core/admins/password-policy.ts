// The server's password rule, applied wherever a password is set (create admin, reset, change
// own, the first super admin from the environment, the admin CLI through these): long enough
// (ZPassword) and rated strong enough by zxcvbn-ts with the account's email and name as
// guessable words (src/lib/password-strength.ts, the same check the forms show as a hint).
import { checkPasswordStrength, passwordUserInputs } from "../../../lib/password-strength.ts";
import { invalidArgument } from "../errors.ts";

/** Null when acceptable, else why not ("is too easy to guess (...)"). */
export async function passwordProblem(
  password: string,
  ...userInputs: readonly (string | null | undefined)[]
): Promise<string | null> {
  return (await checkPasswordStrength(password, passwordUserInputs(...userInputs))).message;
}

/** INVALID_ARGUMENT on `field` with the reason when the password is too weak. */
export async function requireStrongPassword(
  field: string,
  password: string,
  ...userInputs: readonly (string | null | undefined)[]
): Promise<void> {
  const problem = await passwordProblem(password, ...userInputs);
  if (problem) throw invalidArgument(`${field}: ${problem}`, [{ path: field, message: problem }]);
}
