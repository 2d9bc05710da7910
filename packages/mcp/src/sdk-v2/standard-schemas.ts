import type { StandardSchemaV1, StandardSchemaWithJSON } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { perShape, smartParameters } from '../smart-call';

type JsonObject = Record<string, unknown>;
type StandardJsonSchema = StandardSchemaWithJSON['~standard']['jsonSchema'];
type JsonSchemaOptions = Parameters<StandardJsonSchema['input']>[0];

const accept = (value: unknown): StandardSchemaV1.Result<unknown> => ({ value: value ?? {} });

/** `async_mode` and `job_label`, built once: their JSON Schema is converted once per target. */
const smartObject = z.object(smartParameters);
const smartJson = new Map<string, JsonObject>();

function smartParametersJson(options: JsonSchemaOptions): JsonObject {
  let json = smartJson.get(options.target);
  if (json === undefined) {
    json = smartObject['~standard'].jsonSchema.input(options);
    smartJson.set(options.target, json);
  }
  return json;
}

/**
 * The schema a tool is registered with on `McpServer`: its JSON Schema is the tool's (for
 * `tools/list` and the SDK's per-request checks), and it accepts any arguments, because the
 * smart-call core parses them itself and answers bad input in its own `CODE: message` style
 * (the SDK would answer `Input validation error: ...`).
 */
export function advertisedOnly(schema: z.ZodObject): StandardSchemaWithJSON<JsonObject> {
  const json = schema['~standard'].jsonSchema;
  return {
    '~standard': { version: 1, vendor: 'zod', validate: accept, jsonSchema: json },
  } as StandardSchemaWithJSON<JsonObject>;
}

/**
 * The advertised input schema of a smart tool: the handler's shape plus `async_mode` and
 * `job_label`. SDK 2.4 builds a fresh server per request and converts the called tool's schema
 * to JSON Schema on every `tools/call`. Built once per shape object (see `perShape`): a shape
 * defined outside the server factory is converted once per target; the two smart parameters
 * come from a cache either way, and a fresh shape is converted only when the SDK asks.
 */
export const smartAdvertisedInput: (shape: z.ZodRawShape) => StandardSchemaWithJSON<JsonObject> =
  perShape((shape) => {
    let own: StandardJsonSchema | undefined;
    const converted = new Map<string, JsonObject>();
    const convert = (io: 'input' | 'output', options: JsonSchemaOptions): JsonObject => {
      own ??= z.strictObject(shape)['~standard'].jsonSchema;
      // Options beyond the target (a library's own) are not part of the cache key: convert anew.
      if (options.libraryOptions !== undefined) return own[io](options);
      const key = `${io} ${options.target}`;
      let json = converted.get(key);
      if (json === undefined) {
        json = own[io](options);
        converted.set(key, json);
      }
      return json;
    };
    return {
      '~standard': {
        version: 1,
        vendor: 'zod',
        validate: accept,
        jsonSchema: {
          input: (options) => merge(convert('input', options), smartParametersJson(options)),
          output: (options) => merge(convert('output', options), smartParametersJson(options)),
        },
      },
    } as StandardSchemaWithJSON<JsonObject>;
  });

function merge(own: JsonObject, smart: JsonObject): JsonObject {
  const properties = {
    ...(own['properties'] as JsonObject),
    ...(smart['properties'] as JsonObject),
  };
  const required = [
    ...((own['required'] as string[] | undefined) ?? []),
    ...((smart['required'] as string[] | undefined) ?? []),
  ];
  const merged: JsonObject = { ...own, properties };
  if (required.length > 0) merged['required'] = required;
  return merged;
}
