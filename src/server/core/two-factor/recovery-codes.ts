import { z } from "zod";
import { randomInt } from "node:crypto";
import { hashPassword, verifyPassword } from "../../crypto/password.ts";

const ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789";
export const RECOVERY_CODE_COUNT = 10;
/** scrypt N = 2^12: the codes carry 50 random bits themselves, unlike passwords */
const RECOVERY_CODE_COST = 12;

/** Ten one-time codes like "7KQ2M-XW9TB" (50 bits each); stored as scrypt hashes only. */
export async function newRecoveryCodes(): Promise<{ codes: string[]; hashes: string[] }> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const symbols = Array.from({ length: 10 }, () => ALPHABET.charAt(randomInt(ALPHABET.length))).join("");
    return `${symbols.slice(0, 5)}-${symbols.slice(5)}`;
  });
  const hashes = await Promise.all(codes.map((code) => hashPassword(code, RECOVERY_CODE_COST)));
  return { codes, hashes };
}

/** The stored hashes without the one that matched, or null when none matched. */
export async function consumeRecoveryCode(code: string, storedJson: string): Promise<string[] | null> {
  const normalized = code.trim().toUpperCase();
  if (!/^[A-Z0-9]{5}-[A-Z0-9]{5}$/.test(normalized)) return null;
  let hashes: string[];
  try {
    hashes = z.array(z.string()).parse(JSON.parse(storedJson));
  } catch {
    return null;
  }
  for (let i = 0; i < hashes.length; i++) {
    if (await verifyPassword(normalized, hashes[i] ?? "")) return hashes.filter((_, j) => j !== i);
  }
  return null;
}
