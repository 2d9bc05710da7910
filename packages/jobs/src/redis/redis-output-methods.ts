import { InvalidArgumentError, NotFoundError } from '@sa/core';
import type { JobStore } from '../job-store';
import {
  assertJobId,
  assertOutputChunk,
  assertOutputStream,
  normalizeAppendOutputOptions,
  normalizeReadOutputOptions,
  outputOffsetConflict,
  validateCursor,
} from '../validate-arguments';
import type { RedisConnection } from './redis-connection';
import { redisScripts } from './redis-scripts';

/** What the output and cursor methods need from the store. */
export interface RedisOutputContext {
  run: RedisConnection['run'];
  name: string;
  maxOutputBytes: number;
}

/** The Redis store's output log and cursor methods (`appendOutput`, `readOutput`, cursors). */
export function createRedisOutputMethods(
  context: RedisOutputContext,
): Pick<JobStore, 'appendOutput' | 'readOutput' | 'getCursor' | 'setCursor'> {
  const { run, name, maxOutputBytes } = context;
  const notFound = (id: string): NotFoundError => new NotFoundError(`${name}: job ${id} not found`);
  return {
    async appendOutput(id, stream, chunk, appendOptions) {
      assertJobId(id);
      assertOutputStream(stream);
      assertOutputChunk(chunk);
      const expectedOffset = normalizeAppendOutputOptions(appendOptions);
      if (chunk === '' && expectedOffset === undefined) {
        const exists = (await run(redisScripts.get, [id])) as unknown[];
        if (exists.length === 0) throw notFound(id);
        return;
      }
      const reply = await run(redisScripts.appendOutput, [
        id,
        stream,
        chunk,
        String(maxOutputBytes),
        expectedOffset === undefined ? '' : String(expectedOffset),
      ]);
      if (Array.isArray(reply))
        throw outputOffsetConflict(id, stream, expectedOffset ?? 0, Number(reply[1]));
      if (Number(reply) === 0) throw notFound(id);
    },

    async readOutput(id, stream, readOptions) {
      assertJobId(id);
      assertOutputStream(stream);
      const { offset, maxBytes } = normalizeReadOutputOptions(readOptions);
      const reply = (await run(redisScripts.readOutput, [
        id,
        stream,
        String(offset),
        String(maxBytes),
      ])) as [number, number?, number?, number?, string?];
      if (Number(reply[0]) === 0) throw notFound(id);
      const endOffset = Number(reply[2]);
      if (Number(reply[0]) === 2) {
        throw new InvalidArgumentError(
          `Invalid offset: ${String(offset)} is past the end of ${stream} (${String(endOffset)} bytes)`,
          { data: { field: 'offset' } },
        );
      }
      const data = reply[4] ?? '';
      return {
        data,
        nextOffset: Number(reply[3]) + Buffer.byteLength(data),
        droppedBytes: Math.max(0, Number(reply[1]) - offset),
        endOffset,
      };
    },

    async getCursor(id, cursorName) {
      assertJobId(id);
      validateCursor(cursorName);
      const reply = (await run(redisScripts.getCursor, [id, cursorName])) as [number, unknown?];
      if (Number(reply[0]) === 0) throw notFound(id);
      return reply[1] === null || reply[1] === undefined ? undefined : Number(reply[1]);
    },

    async setCursor(id, cursorName, expected, next) {
      assertJobId(id);
      validateCursor(cursorName, expected, next);
      const reply = Number(
        await run(redisScripts.setCursor, [
          id,
          cursorName,
          expected === undefined ? '' : String(expected),
          String(next),
        ]),
      );
      if (reply === -1) throw notFound(id);
      return reply === 1;
    },
  };
}
