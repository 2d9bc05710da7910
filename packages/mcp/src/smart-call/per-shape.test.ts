import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createJobManager, createMemoryJobStore } from '@sa/jobs';
import { perShape } from './per-shape';
import { defineSmartTool } from './smart-tool-definition';
import { buildInputSchema } from './smart-tool-schemas';

describe('perShape', () => {
  it('builds once per shape object, anew for another shape', () => {
    let builds = 0;
    const strictOf = perShape((shape) => {
      builds += 1;
      return z.strictObject(shape);
    });
    const shape = { n: z.number() };
    expect(strictOf(shape)).toBe(strictOf(shape));
    expect(builds).toBe(1);
    const other = { n: z.number() };
    expect(strictOf(other)).not.toBe(strictOf(shape));
    expect(builds).toBe(2);
  });

  it('caches nothing when the build throws', () => {
    let builds = 0;
    const failing = perShape(() => {
      builds += 1;
      throw new Error('bad shape');
    });
    const shape = {};
    expect(() => failing(shape)).toThrow('bad shape');
    expect(() => failing(shape)).toThrow('bad shape');
    expect(builds).toBe(2);
  });
});

describe('smart tool schemas per shape', () => {
  const jobs = createJobManager({ store: createMemoryJobStore() });
  afterAll(() => jobs.close({ graceMs: 0 }));
  const define = (config: Parameters<typeof defineSmartTool>[1]) =>
    defineSmartTool(
      't',
      config,
      () => ({}),
      { jobs, budgetMs: 1000 },
      {
        statusToolName: () => 'job_status',
      },
    );

  it('two definitions of one shape share every schema; another shape gets its own', () => {
    const input = { n: z.number() };
    const output = { doubled: z.number() };
    const first = define({ inputSchema: input, outputSchema: output });
    const second = define({ inputSchema: input, outputSchema: output });
    expect(second.inputSchema).toBe(first.inputSchema);
    expect(second.outputSchema).toBe(first.outputSchema);
    expect(second.advertisedOutputSchema).toBe(first.advertisedOutputSchema);
    const fresh = define({ inputSchema: { n: z.number() }, outputSchema: { doubled: z.number() } });
    expect(fresh.inputSchema).not.toBe(first.inputSchema);
    expect(fresh.outputSchema).not.toBe(first.outputSchema);
    expect(fresh.advertisedOutputSchema).not.toBe(first.advertisedOutputSchema);
  });

  it('tools without parameters share one input schema', () => {
    expect(define({}).inputSchema).toBe(define({}).inputSchema);
  });

  it('a shape that defines a smart parameter is refused every time, naming the field', () => {
    const shape = { async_mode: z.boolean() };
    for (let attempt = 0; attempt < 2; attempt++) {
      expect(() => buildInputSchema(shape)).toThrow(
        expect.objectContaining({
          code: 'INVALID_ARGUMENT',
          data: { field: 'inputSchema.async_mode' },
        }),
      );
    }
  });
});
