import { defaultTimers } from '@sa/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BeatScheduler, type Beatable } from './beat-scheduler';
import { StoreLane } from './store-lane';

/** A job whose beats are counted and, when `hold` is set, stay in flight until released. */
class CountingJob implements Beatable {
  beats = 0;
  inFlight = 0;
  progressQueued = false;
  wantsBeats = true;
  hold = false;
  private readonly releases: (() => void)[] = [];
  beat(_kind: 'lease' | 'progress'): Promise<void> {
    this.beats++;
    if (!this.hold) return Promise.resolve();
    this.inFlight++;
    return new Promise((resolve) =>
      this.releases.push(() => {
        this.inFlight--;
        resolve();
      }),
    );
  }
  release(): void {
    for (const release of this.releases.splice(0)) release();
  }
}

describe('BeatScheduler', () => {
  let scheduler: BeatScheduler;
  const create = (lane = new StoreLane({ timers: defaultTimers })): BeatScheduler =>
    (scheduler = new BeatScheduler({
      timers: defaultTimers,
      now: () => Date.now(),
      heartbeatMs: 1000,
      progressFlushMs: 200,
      lane,
    }));

  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    scheduler.close();
    expect(vi.getTimerCount()).toBe(0);
    vi.useRealTimers();
  });

  it('renews every job every heartbeatMs on one timer', async () => {
    create();
    const jobs = [new CountingJob(), new CountingJob(), new CountingJob()];
    for (const job of jobs) scheduler.add(job);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(jobs.map((job) => job.beats)).toEqual([0, 0, 0]);
    await vi.advanceTimersByTimeAsync(1);
    expect(jobs.map((job) => job.beats)).toEqual([1, 1, 1]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(jobs.map((job) => job.beats)).toEqual([2, 2, 2]);
    expect(vi.getTimerCount()).toBe(1);
  });

  it('writes progress once per flush interval however often it changes', async () => {
    create();
    const job = new CountingJob();
    scheduler.add(job);
    for (let report = 0; report < 5; report++) {
      scheduler.progressChanged(job);
      await vi.advanceTimersByTimeAsync(30);
    }
    expect(job.beats).toBe(0);
    await vi.advanceTimersByTimeAsync(50);
    expect(job.beats).toBe(1);
    expect(job.progressQueued).toBe(false);
    scheduler.progressChanged(job);
    await vi.advanceTimersByTimeAsync(200);
    expect(job.beats).toBe(2);
  });

  it('runs no more beats at once than the lane allows; the rest follow as places free', async () => {
    create(new StoreLane({ timers: defaultTimers, limit: 2, startsPerTurn: 100 }));
    const jobs = Array.from({ length: 5 }, () => new CountingJob());
    for (const job of jobs) {
      job.hold = true;
      scheduler.add(job);
    }
    await vi.advanceTimersByTimeAsync(1000);
    expect(jobs.filter((job) => job.inFlight > 0)).toHaveLength(2);
    for (const job of jobs) job.release();
    await vi.advanceTimersByTimeAsync(0);
    for (const job of jobs) job.release();
    await vi.advanceTimersByTimeAsync(0);
    for (const job of jobs) job.release();
    await vi.advanceTimersByTimeAsync(0);
    expect(jobs.map((job) => job.beats)).toEqual([1, 1, 1, 1, 1]);
  });

  it('the next heartbeat counts from the end of the previous one', async () => {
    create();
    const job = new CountingJob();
    job.hold = true;
    scheduler.add(job);
    await vi.advanceTimersByTimeAsync(1000);
    expect(job.beats).toBe(1);
    await vi.advanceTimersByTimeAsync(500);
    job.release();
    await vi.advanceTimersByTimeAsync(999);
    expect(job.beats).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(job.beats).toBe(2);
    job.release();
  });

  it('drops a job that no longer wants beats, and stops everything on close', async () => {
    create();
    const leaving = new CountingJob();
    const staying = new CountingJob();
    scheduler.add(leaving);
    scheduler.add(staying);
    leaving.wantsBeats = false;
    scheduler.progressChanged(leaving);
    await vi.advanceTimersByTimeAsync(1000);
    expect([leaving.beats, staying.beats]).toEqual([0, 1]);
    scheduler.close();
    scheduler.progressChanged(staying);
    scheduler.add(new CountingJob());
    await vi.advanceTimersByTimeAsync(5000);
    expect(staying.beats).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});
