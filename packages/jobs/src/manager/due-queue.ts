/**
 * A first-in, first-out queue of items with the time each is due, kept in two flat arrays (no
 * object per entry). Items are pushed in order of due time (every caller adds a constant delay
 * to a clock that moves forward), so the head is always the earliest.
 */
export class DueQueue<T> {
  #items: (T | undefined)[] = [];
  #dueAt: number[] = [];
  #head = 0;

  /** How many items wait. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  /** Adds `item`, due at `dueAt`. */
  push(item: T, dueAt: number): void {
    this.#items.push(item);
    this.#dueAt.push(dueAt);
  }

  /** When the head is due, or `Infinity` when empty. */
  peekDue(): number {
    return this.#head < this.#items.length ? this.#dueAt[this.#head]! : Number.POSITIVE_INFINITY;
  }

  /** Removes and returns the head (undefined when empty). */
  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head += 1;
    // Drop the consumed prefix once it is half the arrays: amortised O(1) per item, where
    // `Array.prototype.shift` moves every remaining item.
    if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#dueAt = this.#dueAt.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** Forgets every item. */
  clear(): void {
    this.#items = [];
    this.#dueAt = [];
    this.#head = 0;
  }
}
