import { NotFoundError } from '@sa/core';
import type { JobStoreBackend } from '../job-store-backend';
import { offsetPastEnd, outputOffsetConflict } from '../validate-arguments';
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
): Pick<JobStoreBackend, 'appendOutput' | 'readOutput' | 'getCursor' | 'setCursor'> {
  const { run, name, maxOutputBytes } = context;
  const notFound = (id: string): NotFoundError => new NotFoundError(`${name}: job ${id} not found`);
  return {
    async appendOutput(id, stream, chunk, expectedOffset) {
      if (chunk === '' && expectedOffset === undefined) {
        // The reply is [now] without a record, [now, record] with one.
        const exists = (await run(redisScripts.get, [id])) as unknown[];
        if (exists.length < 2) throw notFound(id);
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

    async readOutput(id, stream, { offset, maxBytes }) {
      const reply = (await run(redisScripts.readOutput, [
        id,
        stream,
        String(offset),
        String(maxBytes),
      ])) as [number, number?, number?, number?, string?];
      if (Number(reply[0]) === 0) throw notFound(id);
      const endOffset = Number(reply[2]);
      if (Number(reply[0]) === 2) throw offsetPastEnd(stream, offset, endOffset);
      const data = reply[4] ?? '';
      return {
        data,
        nextOffset: Number(reply[3]) + Buffer.byteLength(data),
        droppedBytes: Math.max(0, Number(reply[1]) - offset),
        endOffset,
      };
    },

    async getCursor(id, cursorName) {
      const reply = (await run(redisScripts.getCursor, [id, cursorName])) as [number, unknown?];
      if (Number(reply[0]) === 0) throw notFound(id);
      return reply[1] === null || reply[1] === undefined ? undefined : Number(reply[1]);
    },

    async setCursor(id, cursorName, expected, next) {
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
