import { describe, expect, it } from 'vitest';
import { readNewOutput } from '../read-new-output';
import type { ContractHarness } from './contract-harness';
import { pendingJob, runningJob } from './contract-harness';

/** Output logs (offsets, bounds, UTF-8), cursors and `readNewOutput`. */
export function describeOutputContract(harness: ContractHarness): void {
  describe('output', () => {
    it('appends in order and reads by byte offset, per stream', async () => {
      const store = harness.store();
      const job = await store.create(runningJob('owner'));
      await store.appendOutput(job.id, 'stdout', 'hello ');
      await store.appendOutput(job.id, 'stdout', 'world');
      await store.appendOutput(job.id, 'stderr', 'oops');
      expect(await store.readOutput(job.id, 'stdout')).toEqual({
        data: 'hello world',
        nextOffset: 11,
        droppedBytes: 0,
        endOffset: 11,
      });
      expect(await store.readOutput(job.id, 'stdout', { offset: 6 })).toEqual({
        data: 'world',
        nextOffset: 11,
        droppedBytes: 0,
        endOffset: 11,
      });
      expect(await store.readOutput(job.id, 'stdout', { offset: 0, maxBytes: 5 })).toMatchObject({
        data: 'hello',
        nextOffset: 5,
      });
      expect(await store.readOutput(job.id, 'stderr')).toMatchObject({
        data: 'oops',
        endOffset: 4,
      });
      expect(await store.readOutput(job.id, 'stdout', { offset: 11 })).toEqual({
        data: '',
        nextOffset: 11,
        droppedBytes: 0,
        endOffset: 11,
      });
    });

    it('reads an empty stream of a job that wrote nothing', async () => {
      const store = harness.store();
      const job = await store.create(pendingJob());
      expect(await store.readOutput(job.id, 'stderr')).toEqual({
        data: '',
        nextOffset: 0,
        droppedBytes: 0,
        endOffset: 0,
      });
    });

    it('lets any number of readers tail with their own offsets', async () => {
      const store = harness.store();
      const job = await store.create(runningJob('owner'));
      const offsets = [0, 0, 0];
      const seen = ['', '', ''];
      for (const part of ['a', 'bc', 'def']) {
        await store.appendOutput(job.id, 'stdout', part);
        for (let reader = 0; reader < 3; reader++) {
          if (reader === 2 && part !== 'def') continue;
          const chunk = await store.readOutput(job.id, 'stdout', { offset: offsets[reader] });
          seen[reader] += chunk.data;
          offsets[reader] = chunk.nextOffset;
        }
      }
      expect(seen).toEqual(['abcdef', 'abcdef', 'abcdef']);
    });

    it('never splits a multi-byte character, whatever maxBytes', async () => {
      const store = harness.store();
      const job = await store.create(runningJob('owner'));
      const text = 'aé€😀z'; // 1 + 2 + 3 + 4 + 1 bytes
      await store.appendOutput(job.id, 'stdout', text);
      for (let maxBytes = 1; maxBytes <= 12; maxBytes++) {
        let offset = 0;
        let collected = '';
        for (let step = 0; step < 20 && offset < 11; step++) {
          const chunk = await store.readOutput(job.id, 'stdout', { offset, maxBytes });
          expect(chunk.data).not.toContain('\uFFFD');
          expect(chunk.nextOffset).toBeGreaterThan(offset);
          collected += chunk.data;
          offset = chunk.nextOffset;
        }
        expect(collected).toBe(text);
      }
    });

    it('keeps at most maxOutputBytes per stream, dropping the oldest bytes and counting them', async () => {
      const store = harness.store();
      const bound = harness.maxOutputBytes;
      const job = await store.create(runningJob('owner'));
      const lines = Array.from(
        { length: 50 },
        (_, index) => `line ${String(index).padStart(3, '0')}\n`,
      );
      for (const line of lines) await store.appendOutput(job.id, 'stdout', line);
      const total = lines.join('').length;
      const chunk = await store.readOutput(job.id, 'stdout', { offset: 0 });
      expect(chunk.endOffset).toBe(total);
      expect(chunk.nextOffset).toBe(total);
      expect(Buffer.byteLength(chunk.data)).toBeLessThanOrEqual(bound);
      expect(chunk.droppedBytes).toBe(total - Buffer.byteLength(chunk.data));
      expect(lines.join('').endsWith(chunk.data)).toBe(true);
      const fromInside = await store.readOutput(job.id, 'stdout', { offset: total - 3 });
      expect(fromInside).toMatchObject({ data: '49\n', droppedBytes: 0 });
    });

    it('drops whole characters only when the bound cuts multi-byte text', async () => {
      const store = harness.store();
      const job = await store.create(runningJob('owner'));
      const text = '€'.repeat(harness.maxOutputBytes); // 3 bytes each
      await store.appendOutput(job.id, 'stderr', text);
      const chunk = await store.readOutput(job.id, 'stderr');
      expect(chunk.data).toMatch(/^€+$/);
      expect(chunk.droppedBytes % 3).toBe(0);
      expect(chunk.endOffset).toBe(text.length * 3);
      expect(Buffer.byteLength(chunk.data) + chunk.droppedBytes).toBe(chunk.endOffset);
    });

    it('appends with expectedOffset only where the stream ends, so a retried append lands once', async () => {
      const store = harness.store();
      const job = await store.create(runningJob('owner'));
      await store.appendOutput(job.id, 'stdout', 'héllo ', { expectedOffset: 0 });
      await store.appendOutput(job.id, 'stdout', 'world', { expectedOffset: 7 });
      // The same append again (its reply was lost): refused, nothing written twice.
      await expect(
        store.appendOutput(job.id, 'stdout', 'world', { expectedOffset: 7 }),
      ).rejects.toMatchObject({ code: 'CONFLICT', data: { endOffset: 12 } });
      await expect(
        store.appendOutput(job.id, 'stdout', 'x', { expectedOffset: 99 }),
      ).rejects.toMatchObject({
        code: 'CONFLICT',
        message: expect.stringContaining('expectedOffset') as unknown,
      });
      await store.appendOutput(job.id, 'stdout', '', { expectedOffset: 12 });
      await expect(
        store.appendOutput(job.id, 'stdout', '', { expectedOffset: 3 }),
      ).rejects.toMatchObject({ code: 'CONFLICT' });
      // Each stream has its own end; no expectedOffset appends wherever the stream ends.
      await store.appendOutput(job.id, 'stderr', 'e', { expectedOffset: 0 });
      await store.appendOutput(job.id, 'stdout', '!');
      expect(await store.readOutput(job.id, 'stdout')).toMatchObject({
        data: 'héllo world!',
        endOffset: 13,
      });
      expect((await store.readOutput(job.id, 'stderr')).data).toBe('e');
      await expect(
        store.appendOutput('no-such-job-000000000000', 'stdout', 'x', { expectedOffset: 0 }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('counts dropped bytes in the offset expectedOffset is checked against', async () => {
      const store = harness.store();
      const job = await store.create(runningJob('owner'));
      const line = 'x'.repeat(harness.maxOutputBytes / 2 - 1) + '\n';
      let end = 0;
      for (let index = 0; index < 5; index++) {
        await store.appendOutput(job.id, 'stdout', line, { expectedOffset: end });
        end += line.length;
      }
      const read = await store.readOutput(job.id, 'stdout');
      expect(read.endOffset).toBe(end);
      expect(read.droppedBytes).toBeGreaterThan(0);
      await expect(
        store.appendOutput(job.id, 'stdout', line, { expectedOffset: end - line.length }),
      ).rejects.toMatchObject({ code: 'CONFLICT' });
    });

    it('throws NOT_FOUND for an unknown job and INVALID_ARGUMENT for bad arguments', async () => {
      const store = harness.store();
      const job = await store.create(runningJob('owner'));
      await store.appendOutput(job.id, 'stdout', 'abc');
      await expect(
        store.appendOutput('no-such-job-000000000000', 'stdout', 'x'),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(store.readOutput('no-such-job-000000000000', 'stdout')).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      // Thunks, so no rejection sits unhandled while an earlier one awaits a server round trip.
      const invalid: [string, () => Promise<unknown>][] = [
        ['stream', () => store.appendOutput(job.id, 'stdin' as never, 'x')],
        ['chunk', () => store.appendOutput(job.id, 'stdout', 5 as never)],
        ['expectedOffset', () => store.appendOutput(job.id, 'stdout', 'x', { expectedOffset: -1 })],
        [
          'expectedOffset',
          () => store.appendOutput(job.id, 'stdout', 'x', { expectedOffset: 1.5 }),
        ],
        [
          'expectedOffset',
          () => store.appendOutput(job.id, 'stdout', 'x', { expectedOffset: '3' as never }),
        ],
        ['options', () => store.appendOutput(job.id, 'stdout', 'x', 7 as never)],
        ['offset', () => store.readOutput(job.id, 'stdout', { offset: -1 })],
        ['offset', () => store.readOutput(job.id, 'stdout', { offset: 99 })],
        ['maxBytes', () => store.readOutput(job.id, 'stdout', { maxBytes: 0 })],
      ];
      for (const [field, attempt] of invalid)
        await expect(attempt()).rejects.toMatchObject({
          code: 'INVALID_ARGUMENT',
          message: expect.stringContaining(field) as unknown,
        });
      expect((await store.readOutput(job.id, 'stdout')).data).toBe('abc');
    });
  });

  describe('cursors', () => {
    it('are undefined until set, then compare-and-set', async () => {
      const store = harness.store();
      const job = await store.create(pendingJob());
      expect(await store.getCursor(job.id, 'delivered:stdout')).toBeUndefined();
      expect(await store.setCursor(job.id, 'delivered:stdout', 5, 10)).toBe(false);
      expect(await store.setCursor(job.id, 'delivered:stdout', undefined, 10)).toBe(true);
      expect(await store.setCursor(job.id, 'delivered:stdout', undefined, 12)).toBe(false);
      expect(await store.setCursor(job.id, 'delivered:stdout', 10, 12)).toBe(true);
      expect(await store.getCursor(job.id, 'delivered:stdout')).toBe(12);
      expect(await store.getCursor(job.id, 'other')).toBeUndefined();
    });

    it('let exactly one of many concurrent setters win', async () => {
      const store = harness.store();
      const job = await store.create(pendingJob());
      const results = await Promise.all(
        Array.from({ length: harness.options.raceSize }, (_, index) =>
          store.setCursor(job.id, 'c', undefined, index + 1),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('throw NOT_FOUND for an unknown job and INVALID_ARGUMENT for bad values', async () => {
      const store = harness.store();
      const job = await store.create(pendingJob());
      await expect(store.getCursor('no-such-job-000000000000', 'c')).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      await expect(
        store.setCursor('no-such-job-000000000000', 'c', undefined, 1),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(store.setCursor(job.id, '', undefined, 1)).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining('name') as unknown,
      });
      await expect(store.setCursor(job.id, 'c', undefined, -1)).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining('next') as unknown,
      });
      expect(await store.getCursor(job.id, 'c')).toBeUndefined();
    });
  });

  describe('readNewOutput', () => {
    it('returns only what was not delivered before, and advances the stored cursor', async () => {
      const store = harness.store();
      const job = await store.create(runningJob('owner'));
      await store.appendOutput(job.id, 'stdout', 'one ');
      expect((await readNewOutput(store, job.id, 'stdout')).data).toBe('one ');
      expect((await readNewOutput(store, job.id, 'stdout')).data).toBe('');
      await store.appendOutput(job.id, 'stdout', 'two');
      expect((await readNewOutput(store, job.id, 'stdout')).data).toBe('two');
      expect(await store.getCursor(job.id, 'delivered:stdout')).toBe(7);
      expect((await readNewOutput(store, job.id, 'stdout', { cursorName: 'other' })).data).toBe(
        'one two',
      );
    });

    it('never gives the same bytes to two concurrent callers', async () => {
      const store = harness.store();
      const job = await store.create(runningJob('owner'));
      const text = 'abcdefghijklmnopqrstuvwxyz0123456789';
      await store.appendOutput(job.id, 'stdout', text);
      const parts = await Promise.all(
        Array.from({ length: harness.options.raceSize }, () =>
          readNewOutput(store, job.id, 'stdout', { maxBytes: 5 }),
        ),
      );
      let joined = parts.map((part) => part.data).join('');
      for (let round = 0; round < 20 && joined.length < text.length; round++)
        joined += (await readNewOutput(store, job.id, 'stdout', { maxBytes: 5 })).data;
      expect(joined.length).toBe(text.length);
      expect([...joined].sort().join('')).toBe([...text].sort().join(''));
    });
  });
}
