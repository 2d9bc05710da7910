import { SaError, type Work, type WorkContext } from '@sa/core';
import type { JsonValue } from '@sa/jobs';
import type { z } from 'zod';
import type { Caller } from './caller';
import type { OutputSink } from './output-sink';
import type { ProgressForwarder } from './progress-forwarder';
import type { SmartToolDefinition } from './smart-tool-definition';
import { formatIssues } from './smart-tool-schemas';
import type { SmartToolContext } from './smart-tool-types';
import { toJsonValue } from './to-json-value';

/**
 * The work a smart tool call runs: the handler, its result checked against the output schema
 * and converted to JSON. A handler that returns a plain value (not a promise) is finished
 * synchronously: the runner settles the work at once (no budget timer, no extra ticks), which
 * keeps the inline path close to a plain `registerTool` call.
 */
export function createWork(
  definition: SmartToolDefinition,
  args: Record<string, unknown>,
  caller: Caller,
  sink: OutputSink,
  forwarder: ProgressForwarder | undefined,
): Work<JsonValue> {
  return (workContext) => {
    let returned: unknown;
    try {
      returned = definition.handler(args, new HandlerContext(workContext, caller, sink, forwarder));
    } catch (error) {
      forwarder?.finish();
      throw error;
    }
    if (!isThenable(returned)) {
      forwarder?.finish();
      // The work settles synchronously on a non-promise result (see @sa/core's `Work`).
      return finishResult(definition, returned);
    }
    const finished = Promise.resolve(returned).then((value) => finishResult(definition, value));
    // Without a forwarder (every call but a task's) the running work holds no `finally` step.
    return forwarder === undefined ? finished : finished.finally(() => forwarder.finish());
  };
}

/**
 * The context a handler receives. A class rather than an object literal of closures: a call
 * allocates one small object, and the work's signal is only made when the handler reads it.
 */
class HandlerContext implements SmartToolContext {
  readonly #workContext: WorkContext;
  readonly #sink: OutputSink;
  readonly #forwarder: ProgressForwarder | undefined;
  readonly sessionId: string | undefined;
  readonly authInfo: SmartToolContext['authInfo'];
  #reportProgress: SmartToolContext['reportProgress'] | undefined;
  #appendOutput: SmartToolContext['appendOutput'] | undefined;

  constructor(
    workContext: WorkContext,
    caller: Caller,
    sink: OutputSink,
    forwarder: ProgressForwarder | undefined,
  ) {
    this.#workContext = workContext;
    this.#sink = sink;
    this.#forwarder = forwarder;
    this.sessionId = caller.sessionId;
    this.authInfo = caller.authInfo;
  }

  get signal(): AbortSignal {
    return this.#workContext.signal;
  }

  /** Bound on first read, so a handler may pass it around detached. */
  get reportProgress(): SmartToolContext['reportProgress'] {
    return (this.#reportProgress ??= (update) => {
      this.#workContext.reportProgress(update);
      this.#forwarder?.push(update);
    });
  }

  get appendOutput(): SmartToolContext['appendOutput'] {
    return (this.#appendOutput ??= (stream, chunk) => this.#sink.append(stream, chunk));
  }
}

function finishResult(
  definition: SmartToolDefinition,
  value: unknown,
): JsonValue | Promise<JsonValue> {
  const schema = definition.outputSchema;
  if (schema === undefined) return toJsonValue(value);
  const parsed = parseArguments(schema, value);
  return isThenable(parsed)
    ? parsed.then((result) => checkedResult(definition, result))
    : checkedResult(definition, parsed);
}

function checkedResult(
  definition: SmartToolDefinition,
  parsed: z.ZodSafeParseResult<Record<string, unknown>>,
): JsonValue {
  if (parsed.success) return toJsonValue(parsed.data);
  throw new SaError(
    'HANDLER_ERROR',
    `The result of tool ${definition.name} does not match its output schema: ${formatIssues(parsed.error)}`,
  );
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * How many parses of one schema run without zod's compiled fast path. zod compiles an object
 * schema's parser (`new Function`) on its first synchronous parse: that costs tens of parses,
 * and a server built per request (`createMcpHandler`) parses each fresh schema once. A schema
 * parsed more often than this (a long-lived server, or a shape defined once outside the
 * factory) is compiled on the next parse, as zod would have done; results are the same.
 */
export const interpretedParses = 8;
const parseCounts = new WeakMap<z.ZodType, number>();
const jitless = { jitless: true } as const;

/**
 * Parses synchronously (much cheaper); async parsing only for schemas with async refinements.
 * The first `interpretedParses` parses of a schema skip zod's compiled fast path.
 */
export function parseArguments(
  schema: z.ZodObject,
  value: unknown,
):
  | z.ZodSafeParseResult<Record<string, unknown>>
  | Promise<z.ZodSafeParseResult<Record<string, unknown>>> {
  const count = parseCounts.get(schema) ?? 0;
  let context: typeof jitless | undefined;
  if (count < interpretedParses) {
    parseCounts.set(schema, count + 1);
    context = jitless;
  }
  try {
    return schema.safeParse(value, context);
  } catch {
    return schema.safeParseAsync(value, context);
  }
}
