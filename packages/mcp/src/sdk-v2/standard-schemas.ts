import type { StandardSchemaV1, StandardSchemaWithJSON } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { smartParameters } from '../smart-call';

type JsonObject = Record<string, unknown>;
type JsonSchemaOptions = Parameters<StandardSchemaWithJSON['~standard']['jsonSchema']['input']>[0];

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
 * to JSON Schema on every `tools/call`; only the handler's own shape is converted here, as a
 * plain tool's would be, and the two smart parameters come from a cache.
 */
export function smartAdvertisedInput(shape: z.ZodRawShape): StandardSchemaWithJSON<JsonObject> {
  const own = z.strictObject(shape)['~standard'].jsonSchema;
  return {
    '~standard': {
      version: 1,
      vendor: 'zod',
      validate: accept,
      jsonSchema: {
        input: (options) => merge(own.input(options), smartParametersJson(options)),
        output: (options) => merge(own.output(options), smartParametersJson(options)),
      },
    },
  } as StandardSchemaWithJSON<JsonObject>;
}

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
