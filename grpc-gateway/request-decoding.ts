// Requests whose bytes do not decode answer INVALID_ARGUMENT, naming the field where one can be
// named, instead of INTERNAL. grpc-js deserializes a request before any handler or middleware
// runs and ends the call with INTERNAL when the deserializer throws; ts-proto's decoders throw on
// malformed bytes (truncated, bad varints, illegal wire types) and on int64 values beyond
// ±Number.MAX_SAFE_INTEGER. So the server gets a service definition whose decoders never throw:
// a failure becomes an UndecodableRequest, which requestDecodingMiddleware turns into the
// domain's INVALID_ARGUMENT. Nothing runs and nothing is written for such a request.
import {
  createFileRegistry,
  fromBinary,
  ScalarType,
  type DescField,
  type DescMessage,
} from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import type { CallContext, ServerMiddleware, ServerMiddlewareCall } from "nice-grpc";
import { invalidArgument, type FieldIssue } from "../src/server/core/errors.ts";

/** What the tolerant decoder hands on in place of a request it could not decode. */
export class UndecodableRequest {
  constructor(
    /** "license.v1.RecordUsageRequest" */
    readonly typeName: string,
    /** the field at fault, when the bytes show which */
    readonly issue: FieldIssue | null,
  ) {}
}

interface TsProtoMethod {
  readonly name: string;
  readonly requestType: { decode(input: Uint8Array): unknown };
}

const INT64_SCALARS = new Set([
  ScalarType.INT64,
  ScalarType.UINT64,
  ScalarType.SINT64,
  ScalarType.FIXED64,
  ScalarType.SFIXED64,
]);
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const OUT_OF_RANGE = `is out of range: at most ${Number.MAX_SAFE_INTEGER} either way`;
const MALFORMED = "is not valid protobuf (truncated or malformed bytes)";
const MAX_DEPTH = 32;

const join = (prefix: string, name: string) => (prefix ? `${prefix}.${name}` : name);

function int64Wire(scalar: ScalarType): WireType {
  return scalar === ScalarType.FIXED64 || scalar === ScalarType.SFIXED64 ? WireType.Bit64 : WireType.Varint;
}

function readInt64(reader: BinaryReader, scalar: ScalarType): bigint {
  switch (scalar) {
    case ScalarType.UINT64:
      return BigInt(reader.uint64());
    case ScalarType.SINT64:
      return BigInt(reader.sint64());
    case ScalarType.FIXED64:
      return BigInt(reader.fixed64());
    case ScalarType.SFIXED64:
      return BigInt(reader.sfixed64());
    default:
      return BigInt(reader.int64());
  }
}

/** Reads the 64-bit integers of a field (packed or not); an issue when one is beyond safe range. */
function checkInt64(reader: BinaryReader, wireType: WireType, scalar: ScalarType, path: string) {
  const values: bigint[] = [];
  if (wireType === WireType.LengthDelimited) {
    const end = reader.uint32() + reader.pos;
    if (end > reader.len) throw new Error("premature EOF");
    while (reader.pos < end) values.push(readInt64(reader, scalar));
  } else {
    values.push(readInt64(reader, scalar));
  }
  return values.some((v) => v > SAFE || v < -SAFE) ? { path, message: OUT_OF_RANGE } : null;
}

/** Skips every field of a sub-message whose schema is not walked (map entries). */
function skipAll(bytes: Uint8Array): void {
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [fieldNo, wireType] = reader.tag();
    reader.skip(wireType, fieldNo);
  }
}

function checkField(reader: BinaryReader, field: DescField, wireType: WireType, path: string, depth: number) {
  const scalar = field.fieldKind === "scalar" || field.fieldKind === "list" ? field.scalar : undefined;
  if (scalar !== undefined && INT64_SCALARS.has(scalar)) {
    const packed = field.fieldKind === "list" && wireType === WireType.LengthDelimited;
    if (packed || wireType === int64Wire(scalar)) return checkInt64(reader, wireType, scalar, path);
  }
  const message = field.fieldKind === "message" || field.fieldKind === "list" ? field.message : undefined;
  if (message && wireType === WireType.LengthDelimited)
    return locate(message, reader.bytes(), path, depth + 1);
  if (field.fieldKind === "map" && wireType === WireType.LengthDelimited) {
    skipAll(reader.bytes());
    return null;
  }
  // a field sent with another wire type than declared: the decoder skips it too
  reader.skip(wireType, field.number);
  return null;
}

/**
 * Walks encoded bytes against the message's descriptor to the first field the generated decoder
 * cannot take: bytes that end inside it or do not parse, or a 64-bit integer beyond what a
 * JavaScript number holds exactly. Paths use the fields' JSON (camelCase) names, as the domain's
 * field issues do. An issue with an empty path concerns the message as a whole.
 */
export function locate(desc: DescMessage, bytes: Uint8Array, prefix = "", depth = 0): FieldIssue | null {
  if (depth > MAX_DEPTH) return { path: prefix, message: "is nested too deeply" };
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    let fieldNo: number;
    let wireType: WireType;
    try {
      [fieldNo, wireType] = reader.tag();
    } catch {
      return { path: prefix, message: MALFORMED };
    }
    const field = desc.fields.find((f) => f.number === fieldNo);
    const path = field ? join(prefix, field.localName) : prefix;
    try {
      if (field) {
        const issue = checkField(reader, field, wireType, path, depth);
        if (issue) return issue;
      } else {
        reader.skip(wireType, fieldNo);
      }
    } catch {
      return { path, message: MALFORMED };
    }
  }
  return null;
}

/**
 * The service definition with decoders that never throw: what the generated decoder refuses
 * becomes an UndecodableRequest (the field found through the descriptors in `descriptorSet`,
 * the protoset the build writes).
 */
export function tolerantDecoding<
  D extends { readonly fullName: string; readonly methods: Readonly<Record<string, TsProtoMethod>> },
>(definition: D, descriptorSet: Uint8Array): D {
  const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, descriptorSet));
  const service = registry.getService(definition.fullName);
  const methods = Object.fromEntries(
    Object.entries(definition.methods).map(([key, method]) => {
      const input = service?.methods.find((m) => m.name === method.name)?.input;
      const typeName = input?.typeName ?? `${definition.fullName}/${method.name} request`;
      const decode = (bytes: Uint8Array): unknown => {
        try {
          return method.requestType.decode(bytes);
        } catch {
          return new UndecodableRequest(typeName, input ? locate(input, bytes) : null);
        }
      };
      return [key, { ...method, requestType: { ...method.requestType, decode } }];
    }),
  );
  return { ...definition, methods };
}

/**
 * Answers an UndecodableRequest with INVALID_ARGUMENT (a BadRequest naming the field when known).
 * Goes inside errorMappingMiddleware, which maps the domain error it throws.
 */
export const requestDecodingMiddleware: ServerMiddleware = async function* requestDecoding<Req, Res>(
  call: ServerMiddlewareCall<Req, Res>,
  context: CallContext,
) {
  const request: unknown = call.request;
  if (request instanceof UndecodableRequest) {
    const { issue, typeName } = request;
    if (issue?.path) {
      throw invalidArgument(`${issue.path} ${issue.message}`, [issue]);
    }
    throw invalidArgument(
      `the request is not a valid ${typeName} message${issue ? ` (${issue.message})` : ""}`,
    );
  }
  return yield* call.next(call.request, context);
};
