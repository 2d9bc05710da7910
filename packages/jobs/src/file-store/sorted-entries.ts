import { compareNewestFirst, type IndexEntry } from './index-entry';

/** Index entries by id, kept in newest-first order for paging. */
export interface SortedEntries {
  readonly size: number;
  get(id: string): IndexEntry | undefined;
  /** Inserts or replaces (a job's `createdAt` and `id` never change, so its place is stable). */
  set(entry: IndexEntry): void;
  delete(id: string): void;
  /** Every entry, newest first (read only; valid until the next change). */
  ordered(): readonly IndexEntry[];
  /** Where the first entry after `after` is in `ordered()`. */
  positionAfter(after: { createdAt: number; id: string }): number;
  values(): Iterable<IndexEntry>;
  clear(): void;
  /** Until `endBulk`, changes only touch the map; `endBulk` sorts once (a cold load in O(n log n)). */
  beginBulk(): void;
  endBulk(): void;
}

/** Creates an empty `SortedEntries` (a map plus an array kept sorted by binary search). */
export function createSortedEntries(): SortedEntries {
  const byId = new Map<string, IndexEntry>();
  let ordered: IndexEntry[] = [];
  let bulk = false;

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
      if (bulk) return;
      if (existing) {
        const at = position(existing);
        if (ordered[at]?.id === entry.id) {
          if (existing.createdAt === entry.createdAt) {
            ordered[at] = entry;
            return;
          }
          ordered.splice(at, 1);
        }
      }
      ordered.splice(position(entry), 0, entry);
    },
    delete(id) {
      const existing = byId.get(id);
      if (!existing) return;
      byId.delete(id);
      if (bulk) return;
      const at = position(existing);
      if (ordered[at]?.id === id) ordered.splice(at, 1);
    },
    ordered: () => ordered,
    positionAfter(after) {
      const at = position(after);
      const found = ordered[at];
      return found && compareNewestFirst(found, after) === 0 ? at + 1 : at;
    },
    values: () => byId.values(),
    clear() {
      byId.clear();
      ordered = [];
    },
    beginBulk() {
      bulk = true;
    },
    endBulk() {
      bulk = false;
      ordered = [...byId.values()].sort(compareNewestFirst);
    },
  };
}
