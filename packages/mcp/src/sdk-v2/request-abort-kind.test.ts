import { SdkError, SdkErrorCode } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import { abortKindOf } from './request-abort-kind';

const abortedWith = (reason: unknown): AbortSignal => {
  const controller = new AbortController();
  controller.abort(reason);
  return controller.signal;
};

describe('abortKindOf', () => {
  it('2025 era: the SDK’s connection-closed abort keeps the work (closed)', () => {
    const signal = abortedWith(new SdkError(SdkErrorCode.ConnectionClosed, 'Connection closed'));
    expect(abortKindOf('legacy', signal)).toBe('closed');
  });

  it('2025 era: a notifications/cancelled abort (its reason, or none) is a cancel', () => {
    expect(abortKindOf('legacy', abortedWith('the user pressed stop'))).toBe('cancelled');
    expect(abortKindOf('legacy', abortedWith(undefined))).toBe('cancelled');
    expect(
      abortKindOf('legacy', abortedWith(new SdkError(SdkErrorCode.RequestTimeout, 'timeout'))),
    ).toBe('cancelled');
  });

  it('2026-07-28: every abort is a cancel (closing the response stream is the cancel)', () => {
    const closed = abortedWith(new SdkError(SdkErrorCode.ConnectionClosed, 'Connection closed'));
    expect(abortKindOf('modern', closed)).toBe('cancelled');
    expect(abortKindOf('tasks', closed)).toBe('cancelled');
  });
});
