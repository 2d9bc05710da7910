import { describe, expect, it } from 'vitest';
import { findPortabilityProblems, portabilityRules } from './schema-portability';

const root = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: 'object',
  properties,
  ...extra,
});

describe('findPortabilityProblems', () => {
  it('accepts the forms every host reads', () => {
    expect(
      findPortabilityProblems(
        root(
          {
            name: { type: 'string', maxLength: 200, description: 'A name.' },
            count: { type: 'integer', minimum: 0, default: 3 },
            mode: { type: 'string', enum: ['a', 'b'] },
            tags: { type: 'array', items: { type: 'string' } },
            env: {
              type: 'object',
              propertyNames: { type: 'string' },
              additionalProperties: { type: 'string' },
            },
            strict: { type: 'object', properties: {}, additionalProperties: false },
          },
          { required: ['name'], $schema: 'http://json-schema.org/draft-07/schema#' },
        ),
      ),
    ).toEqual([]);
  });

  it.each([
    ['root-object', { type: 'string' }],
    ['type-union', root({ a: { type: ['string', 'null'] } })],
    ['null-type', root({ a: { type: 'string', nullable: true } })],
    ['composition', root({ a: { type: 'string', anyOf: [{ type: 'string' }] } })],
    ['composition', root({ a: { type: 'string', not: { type: 'number' } } })],
    ['reference', root({ a: { $ref: '#/$defs/a' } }, { $defs: { a: { type: 'string' } } })],
    ['untyped', root({ a: { description: 'anything' } })],
    ['boolean-schema', root({ a: true })],
    ['tuple', root({ a: { type: 'array', prefixItems: [{ type: 'string' }] } })],
    ['required-unknown', root({ a: { type: 'string' } }, { required: ['b'] })],
  ] as const)('reports %s', (rule, schema) => {
    expect(Object.keys(portabilityRules)).toContain(rule);
    expect(findPortabilityProblems(schema).map((problem) => problem.rule)).toContain(rule);
  });

  it('finds a nullable union deep inside, with its path', () => {
    const problems = findPortabilityProblems(
      root({
        outer: {
          type: 'object',
          properties: { inner: { anyOf: [{ type: 'string' }, { type: 'null' }] } },
        },
      }),
    );
    expect(problems).toContainEqual(
      expect.objectContaining({
        rule: 'composition',
        path: 'properties.outer.properties.inner.anyOf',
      }),
    );
    expect(problems).toContainEqual(
      expect.objectContaining({
        rule: 'null-type',
        path: 'properties.outer.properties.inner.anyOf[1]',
      }),
    );
  });
});
