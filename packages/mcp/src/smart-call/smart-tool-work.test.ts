import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { interpretedParses, parseArguments } from './smart-tool-work';
import { buildInputSchema } from './smart-tool-schemas';

/** A parse's outcome as plain data (zod's error as its issues). */
async function outcome(schema: z.ZodObject, value: unknown): Promise<unknown> {
  const parsed = await parseArguments(schema, value);
  return parsed.success ? { data: parsed.data } : { issues: parsed.error.issues };
}

describe('parseArguments', () => {
  const shape = {
    n: z.number().int(),
    tags: z.array(z.string()).default([]),
    nested: z.object({ on: z.boolean() }).optional(),
  };

  // The first parses skip zod's compiled parser; later ones use it: both must answer alike.
  it.each([
    ['valid arguments', { n: 1 }],
    ['defaults filled in', { n: 2, nested: { on: true } }],
    ['a wrong type', { n: 'one' }],
    ['an unknown parameter', { n: 1, extra: true }],
    ['a bad nested field', { n: 1, nested: { on: 'yes' } }],
    ['a bad smart parameter', { n: 1, async_mode: 'yes', job_label: 'x'.repeat(201) }],
    ['not an object', 42],
  ])('answers %s the same before and after the parser is compiled', async (_name, value) => {
    const schema = buildInputSchema({ ...shape });
    const first = await outcome(schema, value);
    for (let parse = 1; parse < interpretedParses; parse++) await outcome(schema, value);
    const compiled = await outcome(schema, value);
    expect(compiled).toEqual(first);
  });

  it('parses schemas with async refinements', async () => {
    const schema = z.object({
      n: z.number().refine((value) => Promise.resolve(value > 0), 'must be positive'),
    });
    expect(await outcome(schema, { n: 1 })).toEqual({ data: { n: 1 } });
    expect(await outcome(schema, { n: -1 })).toMatchObject({
      issues: [{ message: 'must be positive', path: ['n'] }],
    });
  });
});
