import type { StandardSchemaV1, StandardSchemaWithJSON } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { smartParameters } from '../smart-tool-schemas';

type JsonObject = Record<string, unknown>;
type JsonSchemaOptions = Parameters<StandardSchemaWithJSON['~standard']['jsonSchema']['input']>[0];

/** `async_mode` and `job_label`, built once: zod compiles a schema on its first parse. */
const smartObject = z.object(smartParameters);

/** JSON Schema of `async_mode` and `job_label`, converted once per target and reused. */
const smartParametersJson = new Map<string, JsonObject>();

function smartJson(options: JsonSchemaOptions): JsonObject {
  const key = options.target;
  let json = smartParametersJson.get(key);
  if (json === undefined) {
    json = smartObject['~standard'].jsonSchema.input(options);
    smartParametersJson.set(key, json);
  }
  return json;
}

/**
 * The smart tool's input schema (the handler's shape plus `async_mode` and `job_label`) as a
 * Standard Schema. SDK 2.4 builds a fresh server per request, so a tool's schema is new on
 * every call: it is converted to JSON Schema (for `Mcp-Param-*` checks) and compiled by zod on
 * every `tools/call`. Here only the handler's own shape pays that, as a plain tool's would:
 * the two smart parameters are validated and converted by one schema built once.
 */
export function smartInputSchema(shape: z.ZodRawShape): StandardSchemaWithJSON {
  assertNoSmartParameters(shape);
  const own = z.object(shape)['~standard'];
  const smart = smartObject['~standard'];
  return {
    '~standard': {
      version: 1,
      vendor: own.vendor,
      validate: (value) => {
        const ownResult = own.validate(value);
        if (typeof value !== 'object' || value === null) return ownResult;
        const { async_mode: asyncMode, job_label: jobLabel } = value as JsonObject;
        // The common call sets neither: its answer is known without a parse.
        const smartResult =
          asyncMode === undefined && jobLabel === undefined
            ? defaultSmartResult
            : smart.validate({ async_mode: asyncMode, job_label: jobLabel });
        if (ownResult instanceof Promise || smartResult instanceof Promise) {
          return Promise.all([ownResult, smartResult]).then(([first, second]) =>
            combine(first, second),
          );
        }
        return combine(ownResult, smartResult);
      },
      jsonSchema: {
        input: (options) => merge(own.jsonSchema.input(options), smartJson(options)),
        output: (options) =>
          merge(
            own.jsonSchema.output(options),
            smartObject['~standard'].jsonSchema.output(options),
          ),
      },
    },
  };
}

type Validated = StandardSchemaV1.Result<unknown>;

const defaultSmartResult: Validated = { value: { async_mode: false } };

function combine(first: Validated, second: Validated): Validated {
  if (first.issues !== undefined || second.issues !== undefined) {
    return { issues: [...(first.issues ?? []), ...(second.issues ?? [])] };
  }
  return { value: { ...(first.value as JsonObject), ...(second.value as JsonObject) } };
}

function assertNoSmartParameters(shape: z.ZodRawShape): void {
  for (const name of Object.keys(smartParameters)) {
    if (name in shape) {
      throw new Error(`The input schema must not define "${name}": smart tools add it themselves`);
    }
  }
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
