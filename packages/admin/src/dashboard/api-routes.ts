import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidArgumentError, NotFoundError } from '@sa/core';
import type { JobManager, JobStore } from '@sa/jobs';
import { echo } from '../admin-error';
import { parseDuration, parseStatuses } from '../job-filter';
import { countByStatus } from '../job-stats';
import { toJobView } from '../job-view';
import { listJobs } from '../list-jobs';
import { pruneJobs } from '../prune-jobs';
import { outputSizes } from '../output-sizes';
import { readJsonBody, sendJson } from './http-replies';

/** What the API routes work with. */
export interface ApiContext {
  store: JobStore;
  readOnly: boolean;
  /** The manager cancels go through (created on first use). */
  manager: () => JobManager;
}

function optionalParameter(url: URL, name: string): string | undefined {
  const value = url.searchParams.get(name);
  return value === null || value === '' ? undefined : value;
}

/** `GET api/summary`: counts by status and whether actions are allowed. */
export async function summaryRoute(context: ApiContext, response: ServerResponse): Promise<void> {
  sendJson(response, 200, {
    counts: await countByStatus(context.store),
    readOnly: context.readOnly,
  });
}

/** `GET api/jobs?status=&tool=&label=&scope=&newerThan=&olderThan=&limit=&cursor=`: a page. */
export async function listRoute(
  context: ApiContext,
  url: URL,
  response: ServerResponse,
): Promise<void> {
  const status = optionalParameter(url, 'status');
  const limitText = optionalParameter(url, 'limit');
  const limit = limitText === undefined ? 25 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200)
    throw new InvalidArgumentError(
      `limit must be an integer from 1 to 200, not ${echo(limitText)}`,
    );
  const olderThan = optionalParameter(url, 'olderThan');
  const newerThan = optionalParameter(url, 'newerThan');
  const page = await listJobs(context.store, {
    statuses: status === undefined ? undefined : parseStatuses(status, 'status'),
    tool: optionalParameter(url, 'tool'),
    label: optionalParameter(url, 'label'),
    scope: optionalParameter(url, 'scope'),
    olderThanMs: olderThan === undefined ? undefined : parseDuration(olderThan, 'olderThan'),
    newerThanMs: newerThan === undefined ? undefined : parseDuration(newerThan, 'newerThan'),
    limit,
    cursor: optionalParameter(url, 'cursor'),
  });
  sendJson(response, 200, { ...page, now: await context.store.now() });
}

/** `GET api/jobs/<id>`: the job (without its lease token) and its output sizes. */
export async function jobRoute(
  context: ApiContext,
  id: string,
  response: ServerResponse,
): Promise<void> {
  const record = await context.store.get(id);
  if (!record) throw new NotFoundError(`no job with id ${echo(id)}`);
  sendJson(response, 200, {
    job: toJobView(record),
    output: await outputSizes(context.store, id),
    now: await context.store.now(),
  });
}

/** `GET api/jobs/<id>/output?stream=stdout&offset=`: up to 64 KiB of output from an offset. */
export async function outputRoute(
  context: ApiContext,
  id: string,
  url: URL,
  response: ServerResponse,
): Promise<void> {
  const stream = url.searchParams.get('stream') ?? 'stdout';
  if (stream !== 'stdout' && stream !== 'stderr')
    throw new InvalidArgumentError(`stream must be stdout or stderr, not ${echo(stream)}`);
  const offsetText = url.searchParams.get('offset');
  const offset = offsetText === null ? 0 : Number(offsetText);
  if (!Number.isSafeInteger(offset) || offset < 0)
    throw new InvalidArgumentError(
      `offset must be a whole number of bytes, not ${echo(offsetText)}`,
    );
  if (!(await context.store.get(id))) throw new NotFoundError(`no job with id ${echo(id)}`);
  const chunk = await context.store.readOutput(id, stream, {
    offset,
    maxBytes: 64 * 1024,
  });
  sendJson(response, 200, chunk);
}

/** `POST api/jobs/<id>/cancel`: asks the owner to stop the job (any replica, through the store). */
export async function cancelRoute(
  context: ApiContext,
  id: string,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const body = await readJsonBody(request);
  const reason =
    typeof body.reason === 'string' ? body.reason.slice(0, 200) : 'cancelled from the dashboard';
  const record = await context.manager().cancel(id, { reason });
  sendJson(response, 200, { job: toJobView(record) });
}

/** `POST api/prune` with `{statuses?, olderThan?, expired?, dryRun?}`: deletes finished jobs. */
export async function pruneRoute(
  context: ApiContext,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const body = await readJsonBody(request);
  const statuses =
    typeof body.statuses === 'string' && body.statuses !== ''
      ? parseStatuses(body.statuses, 'statuses')
      : undefined;
  const olderThanMs =
    typeof body.olderThan === 'string' && body.olderThan !== ''
      ? parseDuration(body.olderThan, 'olderThan')
      : undefined;
  const result = await pruneJobs(
    context.store,
    { statuses, olderThanMs, expired: body.expired === true },
    { dryRun: body.dryRun === true },
  );
  sendJson(response, 200, {
    deleted: result.deleted,
    dryRun: result.dryRun,
    wouldDelete: result.jobs?.length,
  });
}
