// TOTP (RFC 6238: SHA-1, 6 digits, 30 s) through otplib, with replay protection: a code's time
// step must be later than the last one accepted for the account.
import { generate, generateSecret, generateURI, verify } from "otplib";
import QRCode from "qrcode";

export const TOTP_ISSUER = "License Server";
/** one step either side, for clocks that drift and codes typed late */
const TOLERANCE_SECONDS = 30;

export function newTotpSecret(): string {
  return generateSecret();
}

export function totpUri(secret: string, accountEmail: string): string {
  return generateURI({ issuer: TOTP_ISSUER, label: accountEmail, secret });
}

/** The QR code of the otpauth URI as a PNG data URL (rendered locally, no network). */
export function totpQrCode(uri: string): Promise<string> {
  return QRCode.toDataURL(uri, { errorCorrectionLevel: "M", margin: 1, width: 240 });
}

/** The accepted time step, or null. */
export async function checkTotp(
  secret: string,
  token: string,
  now: Date,
  lastStep: number | null,
): Promise<number | null> {
  if (!/^\d{6}$/.test(token)) return null;
  const result = await verify({
    secret,
    token,
    epoch: Math.floor(now.getTime() / 1000),
    epochTolerance: TOLERANCE_SECONDS,
    ...(lastStep !== null ? { afterTimeStep: lastStep } : {}),
  });
  // the functional API's type is HOTP's and TOTP's result joined; a TOTP result has timeStep
  const step = (result as { timeStep?: number }).timeStep;
  return result.valid && step !== undefined ? step : null;
}

/** For tests and tools: the code a device would show at `now`. */
export function totpCode(secret: string, now: Date): Promise<string> {
  return generate({ secret, epoch: Math.floor(now.getTime() / 1000) });
}
