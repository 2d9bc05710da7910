import type { z } from 'zod';

/**
 * Memoises a schema built from a zod shape, keyed by the shape object (held weakly). A server
 * built per request (`createMcpHandler`) registers its tools anew for every request; a shape
 * defined once, outside the factory, then gets the same built schema every time (and with it
 * zod's compiled parser and the converted JSON Schema). A shape is read as immutable once
 * passed to a smart tool, as zod reads it. A `build` that throws caches nothing.
 *
 * @example
 * const strictOf = perShape((shape) => z.strictObject(shape));
 * strictOf(shape) === strictOf(shape); // true
 */
export function perShape<T>(build: (shape: z.ZodRawShape) => T): (shape: z.ZodRawShape) => T {
  const built = new WeakMap<z.ZodRawShape, T>();
  return (shape) => {
    let value = built.get(shape);
    if (value === undefined) {
      value = build(shape);
      built.set(shape, value);
    }
    return value;
  };
}

/** The shape of a tool without parameters: one object, so its schemas are built once. */
export const emptyShape: z.ZodRawShape = Object.freeze({});
