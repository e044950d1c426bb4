// Rows in the backup's body: one JSON array per row, values in the table's column order, written
// the same way whichever database they came from (times as RFC 3339 UTC strings with
// milliseconds, BigInt as decimal strings), and read back into what Prisma writes to either.

export type BackupColumnValue = string | number | boolean | bigint | Date | null;
export type EncodedValue = string | number | boolean | null;

export function encodeValue(value: unknown): EncodedValue {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  // Bytes, Decimal and Json columns do not occur in this data model
  throw new Error(`a column value of type ${typeof value} cannot be backed up`);
}

export function decodeValue(value: EncodedValue, type: string): BackupColumnValue {
  if (value === null) return null;
  switch (type) {
    case "DateTime": {
      if (typeof value !== "string") throw new Error("a time must be a string");
      const date = new Date(value);
      if (Number.isNaN(date.getTime())) throw new Error(`not a time: ${value}`);
      return date;
    }
    case "BigInt":
      if (typeof value !== "string" || !/^-?\d+$/.test(value))
        throw new Error("a BigInt must be a decimal string");
      return BigInt(value);
    case "Int":
    case "Float":
      if (typeof value !== "number") throw new Error(`a ${type} must be a number`);
      return value;
    case "Boolean":
      if (typeof value !== "boolean") throw new Error("a Boolean must be true or false");
      return value;
    case "String":
      if (typeof value !== "string") throw new Error("a String must be a string");
      return value;
    default:
      throw new Error(`column type ${type} is not supported`);
  }
}
