import type { JobRecord } from './job-record';
import { isAfterPosition } from './list-cursor';
import type { ListPosition } from './list-cursor';
import { compareNewestFirst, matchesListQuery } from './record-rules';
import type { NormalizedListQuery } from './validate-arguments';

/** Something that holds a record whose `createdAt` and `id` never change. */
export interface IndexedEntry {
  record: JobRecord;
}

/** A page of the index: the (frozen) records, the total of matches, and whether more follow. */
export interface IndexPage {
  jobs: JobRecord[];
  total: number;
  more: boolean;
}

/**
 * The memory store's list index: entries oldest first (`createdAt`, then `id`), so new jobs
 * append at the end and the newest page is read from the end. Unfiltered pages cost O(limit);
 * filtered pages scan every entry once (the total counts every match).
 */
export class NewestFirstIndex<Entry extends IndexedEntry> {
  private entries: Entry[] = [];

  /** How many entries the index holds. */
  get size(): number {
    return this.entries.length;
  }

  /** Adds an entry at its place. */
  insert(entry: Entry): void {
    // Almost every new job is the newest: append without a search.
    const last = this.entries[this.entries.length - 1];
    if (last === undefined || compareNewestFirst(entry.record, last.record) < 0) {
      this.entries.push(entry);
      return;
    }
    // Jobs created in the same millisecond sort by id: walk back over the few of them first.
    let position = this.entries.length - 1;
    const stop = Math.max(0, position - 32);
    while (
      position > stop &&
      compareNewestFirst(entry.record, this.entries[position - 1]!.record) > 0
    )
      position--;
    if (position === stop && stop > 0) position = this.positionOf(entry.record);
    this.entries.splice(position, 0, entry);
  }

  /** Removes entries (one splice for one, one pass for many). */
  removeMany(batch: readonly Entry[]): void {
    if (batch.length === 1) {
      const index = this.positionOf(batch[0]!.record);
      if (this.entries[index] === batch[0]) this.entries.splice(index, 1);
    } else if (batch.length > 1) {
      const gone = new Set(batch);
      this.entries = this.entries.filter((entry) => !gone.has(entry));
    }
  }

  /** A page of matches newest first, after `position` when given. */
  page(query: NormalizedListQuery, position: ListPosition | undefined): IndexPage {
    const { entries } = this;
    const jobs: JobRecord[] = [];
    if (query.statuses === undefined && query.scope === undefined && query.label === undefined) {
      let index = position === undefined ? entries.length - 1 : this.countAfter(position) - 1;
      for (; index >= 0 && jobs.length < query.limit; index--) jobs.push(entries[index]!.record);
      return { jobs, total: entries.length, more: index >= 0 };
    }
    let total = 0;
    let more = false;
    for (let index = entries.length - 1; index >= 0; index--) {
      const record = entries[index]!.record;
      if (!matchesListQuery(record, query)) continue;
      total++;
      if (position !== undefined && !isAfterPosition(record, position)) continue;
      if (jobs.length < query.limit) jobs.push(record);
      else more = true;
    }
    return { jobs, total, more };
  }

  private positionOf(record: JobRecord): number {
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareNewestFirst(record, this.entries[middle]!.record) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** How many entries come after `position` in newest-first order (they sit at the front). */
  private countAfter(position: ListPosition): number {
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (isAfterPosition(this.entries[middle]!.record, position)) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
