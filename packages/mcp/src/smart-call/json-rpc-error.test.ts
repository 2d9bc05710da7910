import {
  ConflictError,
  InvalidArgumentError,
  NotFoundError,
  SaError,
  StoreUnavailableError,
} from '@sa/core';
import { describe, expect, it } from 'vitest';
import { jsonRpcErrorOf } from './json-rpc-error';

describe('jsonRpcErrorOf', () => {
  it.each([
    [new InvalidArgumentError('bad id', { data: { field: 'taskId' } }), -32602, 'INVALID_ARGUMENT'],
    [new NotFoundError('no such task'), -32602, 'NOT_FOUND'],
    [new ConflictError('already finished'), -32602, 'CONFLICT'],
    [new StoreUnavailableError('redis at 127.0.0.1:6379 is down'), -32603, 'STORE_UNAVAILABLE'],
    [new SaError('CLOSED', 'manager closed'), -32603, 'CLOSED'],
    [new Error('a bug'), -32603, 'HANDLER_ERROR'],
  ])('%s → %i with data.code %s', (error, code, saCode) => {
    const mapped = jsonRpcErrorOf(error);
    expect(mapped.code).toBe(code);
    expect(mapped.data.code).toBe(saCode);
    expect(mapped.message).toBe(`${saCode}: ${error.message}`);
  });

  it('keeps the fields of the error data', () => {
    const mapped = jsonRpcErrorOf(
      new InvalidArgumentError('bad id', { data: { field: 'taskId' } }),
    );
    expect(mapped.data).toEqual({ field: 'taskId', code: 'INVALID_ARGUMENT' });
  });
});
