import { compareNewestFirst, type IndexEntry } from './index-entry';

/** Index entries by id, kept in newest-first order for paging. */
export interface SortedEntries {
  readonly size: number;
  get(id: string): IndexEntry | undefined;
  /** Inserts or replaces (a job's `createdAt` and `id` never change, so its place is stable). */
  set(entry: IndexEntry): void;
  delete(id: string): void;
  /** Entries in newest-first order from the first one after `after` (or from the start). */
  from(after: { createdAt: number; id: string } | undefined): Iterable<IndexEntry>;
  values(): Iterable<IndexEntry>;
  clear(): void;
}

/** Creates an empty `SortedEntries` (a map plus an array kept sorted by binary search). */
export function createSortedEntries(): SortedEntries {
  const byId = new Map<string, IndexEntry>();
  let ordered: IndexEntry[] = [];

  function position(key: { createdAt: number; id: string }): number {
    let low = 0;
    let high = ordered.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareNewestFirst(ordered[middle]!, key) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  return {
    get size() {
      return byId.size;
    },
    get: (id) => byId.get(id),
    set(entry) {
      const existing = byId.get(entry.id);
      byId.set(entry.id, entry);
      if (existing) {
        const at = position(existing);
        if (ordered[at]?.id === entry.id && existing.createdAt === entry.createdAt) {
          ordered[at] = entry;
          return;
        }
        if (ordered[at]?.id === entry.id) ordered.splice(at, 1);
      }
      ordered.splice(position(entry), 0, entry);
    },
    delete(id) {
      const existing = byId.get(id);
      if (!existing) return;
      byId.delete(id);
      const at = position(existing);
      if (ordered[at]?.id === id) ordered.splice(at, 1);
    },
    *from(after) {
      let at = 0;
      if (after) {
        at = position(after);
        const found = ordered[at];
        if (found && compareNewestFirst(found, after) === 0) at += 1;
      }
      for (; at < ordered.length; at += 1) yield ordered[at]!;
    },
    values: () => byId.values(),
    clear() {
      byId.clear();
      ordered = [];
    },
  };
}
