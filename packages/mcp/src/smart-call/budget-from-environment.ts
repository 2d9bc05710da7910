import { InvalidArgumentError } from '@sa/core';

/** The inline budget when neither the option nor the environment sets one: 20 s. */
export const defaultBudgetMs = 20_000;

/**
 * The inline budget in ms: the option, else `SMART_ASYNC_TIMEOUT_SECONDS` from the environment,
 * else 20 s. A bad value is an error naming where it came from.
 */
export function resolveBudgetMs(
  budgetMs: number | undefined,
  environment: NodeJS.ProcessEnv = process.env,
): number {
  if (budgetMs !== undefined) {
    if (typeof budgetMs !== 'number' || !Number.isFinite(budgetMs) || budgetMs < 0) {
      throw new InvalidArgumentError(
        `budgetMs must be a finite number of milliseconds >= 0, got ${String(budgetMs)}`,
      );
    }
    return budgetMs;
  }
  const raw = environment['SMART_ASYNC_TIMEOUT_SECONDS'];
  if (raw === undefined || raw.trim() === '') return defaultBudgetMs;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new InvalidArgumentError(
      `SMART_ASYNC_TIMEOUT_SECONDS must be a number of seconds >= 0, got ${JSON.stringify(raw)}`,
    );
  }
  return seconds * 1000;
}
