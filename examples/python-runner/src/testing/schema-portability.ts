/** One place where a tool schema is not portable across MCP hosts. */
export interface PortabilityProblem {
  /** Where, as a path from the schema root (`properties.env_file`). */
  path: string;
  /** Which rule (see {@link portabilityRules}). */
  rule: keyof typeof portabilityRules;
  /** What was found. */
  found: string;
}

/**
 * The rules a portable tool schema follows. Hosts map tool schemas onto narrower dialects
 * (Gemini's OpenAPI 3.0 subset has one `type` per schema and no `null` type; several hosts do
 * not resolve references), so the schema keeps to forms every one of them reads.
 */
export const portabilityRules = {
  'root-object': 'the root schema is `type: "object"` with `properties`',
  'type-union': '`type` is one string, never an array such as ["string", "null"]',
  'null-type': 'no `type: "null"` and no `nullable`: a parameter that may be left out is optional',
  composition: 'no anyOf, oneOf, allOf, not, if, then, else: no unions to pick a branch from',
  reference: 'no $ref, $dynamicRef, $defs or definitions: every schema is inline',
  untyped: 'every schema declares its `type` (or an `enum` / `const`)',
  'boolean-schema': 'no bare `true` / `false` schema, except as `additionalProperties`',
  tuple: 'no tuple forms (`items` as an array, `prefixItems`)',
  'required-unknown': '`required` names only declared properties',
} as const;

const compositionKeywords = ['anyOf', 'oneOf', 'allOf', 'not', 'if', 'then', 'else'];
const referenceKeywords = ['$ref', '$dynamicRef', '$defs', 'definitions'];
const mapKeywords = ['properties', 'patternProperties', '$defs', 'definitions'];
const singleKeywords = [
  'additionalProperties',
  'items',
  'propertyNames',
  'contains',
  'additionalItems',
  'not',
  'if',
  'then',
  'else',
];
const arrayKeywords = ['anyOf', 'oneOf', 'allOf', 'prefixItems'];

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const join = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

/** Checks a tool's input (or output) JSON Schema against every rule in {@link portabilityRules}. */
export function findPortabilityProblems(schema: unknown): PortabilityProblem[] {
  const problems: PortabilityProblem[] = [];
  const report = (path: string, rule: PortabilityProblem['rule'], found: unknown): void => {
    problems.push({ path: path === '' ? '(root)' : path, rule, found: JSON.stringify(found) });
  };
  if (!isRecord(schema) || schema.type !== 'object' || !isRecord(schema.properties)) {
    report('', 'root-object', isRecord(schema) ? { type: schema.type } : schema);
  }
  const visit = (node: unknown, path: string, keyword: string | undefined): void => {
    if (typeof node === 'boolean') {
      if (keyword !== 'additionalProperties') report(path, 'boolean-schema', node);
      return;
    }
    if (!isRecord(node)) {
      report(path, 'untyped', node);
      return;
    }
    const { type } = node;
    if (Array.isArray(type)) report(join(path, 'type'), 'type-union', type);
    else if (typeof type !== 'string' && !('enum' in node) && !('const' in node))
      report(path, 'untyped', Object.keys(node));
    if (type === 'null' || (Array.isArray(type) && type.includes('null')) || 'nullable' in node)
      report(path, 'null-type', type ?? { nullable: node.nullable });
    for (const key of compositionKeywords)
      if (key in node) report(join(path, key), 'composition', node[key]);
    for (const key of referenceKeywords)
      if (key in node) report(join(path, key), 'reference', node[key]);
    if (Array.isArray(node.items) || 'prefixItems' in node)
      report(path, 'tuple', node.items ?? node.prefixItems);
    if (Array.isArray(node.required)) {
      const declared = isRecord(node.properties) ? node.properties : {};
      for (const name of node.required)
        if (typeof name !== 'string' || !(name in declared))
          report(join(path, 'required'), 'required-unknown', name);
    }
    for (const key of mapKeywords) {
      const map = node[key];
      if (isRecord(map))
        for (const [name, child] of Object.entries(map))
          visit(child, join(join(path, key), name), key);
    }
    for (const key of singleKeywords) {
      const child = node[key];
      if (child !== undefined && !Array.isArray(child)) visit(child, join(path, key), key);
    }
    for (const key of arrayKeywords) {
      const children = node[key];
      if (Array.isArray(children))
        children.forEach((child, index) => visit(child, `${join(path, key)}[${index}]`, key));
    }
    if (Array.isArray(node.items))
      node.items.forEach((child, index) =>
        visit(child, `${join(path, 'items')}[${index}]`, 'items'),
      );
  };
  visit(schema, '', undefined);
  return problems;
}
