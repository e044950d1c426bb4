// The REST twin's request bodies into contract messages without INTERNAL on bad values. ts-proto's
// fromJSON coerces most wrong types (Number("x") is NaN, which the operation's Zod schema then
// names), but throws on some: a `nonce` (bytes) that is not a base64 string, for one. Such a body
// is the caller's mistake: INVALID_ARGUMENT naming the field.
import { invalidArgument } from "../core/errors.ts";

interface FromJson<T> {
  fromJSON(object: unknown): T;
}

/** `type.fromJSON(body)`, or INVALID_ARGUMENT naming the first top-level field it cannot take. */
export function requestFromJson<T>(type: FromJson<T>, body: Record<string, unknown>): T {
  try {
    return type.fromJSON(body);
  } catch {
    // one field at a time, to name the one at fault
    for (const [key, value] of Object.entries(body)) {
      try {
        type.fromJSON({ [key]: value });
      } catch {
        throw invalidArgument(`${key} has the wrong type`, [{ path: key, message: "has the wrong type" }]);
      }
    }
    throw invalidArgument("the body does not match the request message");
  }
}
