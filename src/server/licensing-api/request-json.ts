// The REST twin's request bodies into contract messages without INTERNAL on bad values. ts-proto's
// fromJSON coerces most wrong types (Number("x") is NaN, which the operation's Zod schema then
// names), but throws on some: a `nonce` (bytes) that is not a base64 string, for one. Such a body
// is the caller's mistake: INVALID_ARGUMENT naming the field. It also reads a repeated field that
// is not a list as an empty one (an object for `client.components`: no components), and a message
// that is not an object as an empty message: both are refused here too, naming the field.
import { invalidArgument } from "../core/errors.ts";

interface FromJson<T> {
  fromJSON(object: unknown): T;
}

/** Decodes a JSON value at one position of the request message (the whole body, a field, an element). */
type Probe = (value: unknown) => unknown;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A decoded message or map (not a Date nor bytes, which JSON carries as strings). */
const isMessage = (value: unknown): value is Record<string, unknown> =>
  isObject(value) && Object.getPrototypeOf(value) === Object.prototype;

function wrongType(path: string, message: string): never {
  throw invalidArgument(`${path} ${message}`, [{ path, message }]);
}

/**
 * Checks `value`, decoded by `probe`, against the shape the message expects where fromJSON would
 * silently drop it: a repeated field must be a list (of objects when it holds messages), a message
 * (or map) field an object; recursively. Scalars are left to fromJSON and the operation's schema.
 */
function checkShape(probe: Probe, value: unknown, path: string): void {
  if (value === null || value === undefined) return;
  const expected = probe({});
  if (Array.isArray(expected)) {
    if (!Array.isArray(value)) wrongType(path, "must be a list");
    const element: Probe = (item) => {
      const decoded = probe([item]);
      return Array.isArray(decoded) ? (decoded[0] as unknown) : undefined;
    };
    const holdsMessages = isMessage(element({}));
    value.forEach((item, index) => {
      if (!holdsMessages) return;
      if (!isObject(item)) wrongType(`${path}.${index}`, "must be an object");
      checkFields(element, item, `${path}.${index}.`);
    });
    return;
  }
  if (isMessage(expected)) {
    if (!isObject(value)) wrongType(path, "must be an object");
    checkFields(probe, value, `${path}.`);
  }
}

/** checkShape for each field of an object at `probe`'s position. */
function checkFields(probe: Probe, body: Record<string, unknown>, prefix: string): void {
  for (const [key, value] of Object.entries(body)) {
    const field: Probe = (inner) => {
      const decoded = probe({ [key]: inner });
      return isObject(decoded) ? decoded[key] : undefined;
    };
    checkShape(field, value, `${prefix}${key}`);
  }
}

/** `type.fromJSON(body)`, or INVALID_ARGUMENT naming the first field it cannot take. */
export function requestFromJson<T>(type: FromJson<T>, body: Record<string, unknown>): T {
  // probes decode made-up values ({} for a field): one that throws just has no shape to check
  const probe: Probe = (value) => {
    try {
      return type.fromJSON(value);
    } catch {
      return undefined;
    }
  };
  checkFields(probe, body, "");
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
