import { z } from 'zod';

/**
 * An optional tool parameter that also accepts `null` as "not given", as the original
 * server's parameters did (`python_version=null`), while its advertised JSON Schema stays
 * portable: one `type`, no `["string", "null"]` union and no `null` branch, which some hosts
 * (single-`type` dialects such as Gemini's function declarations) reject. `null` becomes
 * `undefined` before validation, so a handler sees an absent value either way.
 *
 * @example
 * const shape = { env_file: nullAsAbsent(z.string()).describe('A dotenv file.') };
 * // advertised as { "type": "string", "description": "A dotenv file." }, not required
 */
export function nullAsAbsent<Schema extends z.ZodType>(schema: Schema) {
  return z.preprocess((value) => (value === null ? undefined : value), schema.optional());
}
