// The sa-jobs dashboard page: plain DOM code, no framework, no network beyond this server.
/* global document, window, fetch, EventSource, URLSearchParams, history, location */

const terminal = ['completed', 'failed', 'cancelled', 'interrupted'];
const statuses = ['pending', 'running', ...terminal];
const readOnly = document.body.dataset.readOnly === 'true';
const pageSize = 25;

const state = {
  filters: {},
  cursors: [undefined], // cursor of each page seen; the last one is the current page's
  nextCursor: undefined,
  selected: undefined,
  output: { stdout: 0, stderr: 0 },
  outputFor: undefined,
};

const $ = (id) => document.getElementById(id);

// A token in the address was turned into a cookie by the server: keep it out of history.
if (new URLSearchParams(location.search).has('token'))
  history.replaceState(null, '', location.pathname);

async function api(path, init) {
  const response = await fetch(`./api/${path}`, { credentials: 'same-origin', ...init });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error?.message ?? `HTTP ${response.status}`);
  return body;
}

function element(tag, properties = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(properties)) {
    if (name === 'class') node.className = value;
    else if (name === 'text') node.textContent = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function duration(milliseconds) {
  const seconds = Math.max(0, Math.floor(milliseconds / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

function time(epochMs) {
  return epochMs === null || epochMs === undefined ? '–' : new Date(epochMs).toLocaleString();
}

function progressText(progress) {
  if (!progress) return '';
  const share = progress.total
    ? ` (${Math.floor((100 * progress.progress) / progress.total)}%)`
    : '';
  const of = progress.total ? `${progress.progress}/${progress.total}` : `${progress.progress}`;
  return `${of}${share}${progress.message ? ` ${progress.message}` : ''}`;
}

function progressBar(job) {
  const bar = element('progress', { max: String(job.progress?.total || 1) });
  if (job.progress?.total) bar.value = job.progress.progress;
  else if (job.status === 'completed') bar.value = 1;
  else if (job.status === 'running')
    bar.removeAttribute('value'); // indeterminate
  else bar.value = 0;
  bar.setAttribute('aria-label', `progress of ${job.label || job.id}`);
  return bar;
}

// ---- counts ----
async function loadCounts() {
  const { counts } = await api('summary');
  const list = $('counts');
  list.replaceChildren(
    ...statuses.map((status) =>
      element('li', {}, [
        element(
          'button',
          {
            type: 'button',
            'aria-pressed': String(state.filters.status === status),
            'data-status': status,
            onclick: () => {
              state.filters = {
                ...state.filters,
                status: state.filters.status === status ? undefined : status,
              };
              $('filters').elements.status.value = state.filters.status ?? '';
              resetPages();
            },
          },
          [
            element('span', { class: `status status-${status}`, text: status }),
            element('span', { class: 'count', text: String(counts[status]) }),
          ],
        ),
      ]),
    ),
  );
}

// ---- list ----
function resetPages() {
  state.cursors = [undefined];
  void refreshList();
  void loadCounts().catch(showListError);
}

function showListError(error) {
  const node = $('list-error');
  node.textContent = error.message;
  node.hidden = false;
}

async function loadList() {
  const parameters = new URLSearchParams({ limit: String(pageSize) });
  for (const [name, value] of Object.entries(state.filters)) if (value) parameters.set(name, value);
  const cursor = state.cursors[state.cursors.length - 1];
  if (cursor) parameters.set('cursor', cursor);
  const page = await api(`jobs?${parameters}`);
  $('list-error').hidden = true;
  state.nextCursor = page.nextCursor;
  for (const job of page.jobs) rememberStatus(job.id, job.status);
  $('total').textContent = page.total === undefined ? '' : `(${page.total})`;
  $('rows').replaceChildren(
    ...(page.jobs.length === 0
      ? [
          element('tr', {}, [
            element('td', { colspan: '5', class: 'muted', text: 'No jobs match.' }),
          ]),
        ]
      : page.jobs.map((job) =>
          element('tr', { 'data-id': job.id, class: job.id === state.selected ? 'selected' : '' }, [
            element('td', {}, [
              element('button', {
                type: 'button',
                class: 'open',
                text: job.label || job.tool,
                onclick: () => select(job.id),
              }),
              element('span', { class: 'id', text: job.id }),
            ]),
            element('td', { class: `status status-${job.status}`, text: job.status }),
            element('td', { class: 'wide', text: job.tool }),
            element('td', {}, [progressBar(job)]),
            element('td', { class: 'wide', text: duration(page.now - job.createdAt) }),
          ]),
        )),
  );
  $('first').disabled = state.cursors.length === 1;
  $('prev').disabled = state.cursors.length === 1;
  $('next').disabled = state.nextCursor === undefined;
}

// ---- detail ----
async function select(id) {
  state.selected = id;
  state.output = { stdout: 0, stderr: 0 };
  state.outputFor = id;
  $('detail-output').replaceChildren();
  if ($('cancel-result')) $('cancel-result').textContent = '';
  $('detail').hidden = false;
  for (const row of $('rows').querySelectorAll('tr'))
    row.classList.toggle('selected', row.dataset.id === id);
  await refreshDetail();
  const detail = $('detail');
  detail.focus({ preventScroll: true });
  const top = detail.getBoundingClientRect().top;
  if (top < 0 || top > window.innerHeight - 80) detail.scrollIntoView({ block: 'start' });
}

function closeDetail() {
  const id = state.selected;
  state.selected = undefined;
  $('detail').hidden = true;
  for (const row of $('rows').querySelectorAll('tr')) row.classList.remove('selected');
  $('rows').querySelector(`tr[data-id="${id}"] button`)?.focus();
}

async function loadDetail() {
  const id = state.selected;
  if (!id) return;
  const { job, output, now } = await api(`jobs/${encodeURIComponent(id)}`);
  if (id !== state.selected) return;
  $('detail-title').textContent = job.label || job.id;
  const bar = $('detail-progress');
  bar.max = job.progress?.total || 1;
  if (job.progress?.total) bar.value = job.progress.progress;
  else if (job.status === 'completed') bar.value = 1;
  else if (job.status === 'running') bar.removeAttribute('value');
  else bar.value = 0;
  $('detail-progress-text').textContent = progressText(job.progress);
  const fields = [
    ['Id', job.id],
    ['Status', job.status],
    ['Tool', job.tool],
    ['Scope', job.scope ?? '(shared)'],
    ['Created', `${time(job.createdAt)} (${duration(now - job.createdAt)} ago)`],
    ['Started', time(job.startedAt)],
    [
      'Finished',
      job.finishedAt
        ? `${time(job.finishedAt)} (took ${duration(job.finishedAt - (job.startedAt ?? job.createdAt))})`
        : '–',
    ],
    [
      'Owner',
      job.owner ? `${job.owner.instanceId} (pid ${job.owner.pid} on ${job.owner.host})` : '–',
    ],
    [
      'Lease',
      job.leaseExpiresAt
        ? job.leaseExpiresAt > now
          ? `expires in ${duration(job.leaseExpiresAt - now)}`
          : `expired ${duration(now - job.leaseExpiresAt)} ago`
        : '–',
    ],
    ['Cancel', job.cancelRequestedAt ? `requested ${time(job.cancelRequestedAt)}` : '–'],
    ['Output', `stdout ${output.stdout.writtenBytes} B, stderr ${output.stderr.writtenBytes} B`],
  ];
  $('detail-fields').replaceChildren(
    ...fields.flatMap(([name, value]) => [
      element('dt', { text: name }),
      element('dd', {
        text: value,
        ...(name === 'Status'
          ? { class: `status status-${job.status}`, 'data-field': 'status' }
          : {}),
      }),
    ]),
  );
  $('detail-input').textContent = JSON.stringify(job.input ?? null, null, 2);
  $('detail-outcome-title').textContent = job.error ? 'Error' : 'Result';
  $('detail-outcome').textContent = job.error
    ? `${job.error.code}: ${job.error.message}`
    : job.result === undefined
      ? '–'
      : JSON.stringify(job.result, null, 2);
  const cancel = $('cancel');
  if (cancel) {
    cancel.hidden = terminal.includes(job.status);
    cancel.disabled = job.cancelRequestedAt !== null;
  }
  await loadOutput(id);
}

async function loadOutput(id) {
  const pre = $('detail-output');
  for (const stream of ['stdout', 'stderr']) {
    for (;;) {
      const chunk = await api(
        `jobs/${encodeURIComponent(id)}/output?stream=${stream}&offset=${state.output[stream]}`,
      );
      if (state.outputFor !== id) return;
      if (chunk.droppedBytes > 0)
        pre.append(
          element('span', { class: 'muted', text: `[${chunk.droppedBytes} bytes dropped]\n` }),
        );
      if (chunk.data) {
        const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
        pre.append(element('span', { class: stream, text: chunk.data }));
        if (atEnd) pre.scrollTop = pre.scrollHeight;
      }
      state.output[stream] = chunk.nextOffset;
      if (!chunk.data || chunk.nextOffset >= chunk.endOffset) break;
    }
  }
}

async function cancelSelected() {
  const id = state.selected;
  $('cancel').disabled = true;
  try {
    const { job } = await api(`jobs/${encodeURIComponent(id)}/cancel`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'cancelled from the dashboard' }),
    });
    $('cancel-result').textContent = terminal.includes(job.status)
      ? `Job ${job.status}.`
      : 'Cancel requested; its owner stops it.';
  } catch (error) {
    $('cancel-result').textContent = error.message;
    $('cancel').disabled = false;
  }
  scheduleRefresh(id);
}

async function prune(event) {
  event.preventDefault();
  const form = event.target;
  const result = $('prune-result');
  try {
    const body = await api('prune', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        statuses: form.elements.statuses.value,
        olderThan: form.elements.olderThan.value,
        dryRun: form.elements.dryRun.checked,
      }),
    });
    result.textContent = body.dryRun
      ? `${body.wouldDelete} job(s) would be deleted (dry run).`
      : `${body.deleted} job(s) deleted.`;
  } catch (error) {
    result.textContent = error.message;
  }
  scheduleRefresh();
}

// ---- live updates: each change hint re-reads what it touches (hints are never data) ----
// Three independent loops, so a slow part never delays another: the open job's detail first,
// the list page, and the counts (at most once a second: each count is a query of its own).
function refresher(load, minimumGapMs = 0) {
  let dirty = false;
  let running = false;
  let last = 0;
  async function run() {
    running = true;
    try {
      while (dirty) {
        const wait = last + minimumGapMs - Date.now();
        if (wait > 0) await new Promise((resolve) => window.setTimeout(resolve, wait));
        dirty = false;
        last = Date.now();
        await load().catch(showListError);
      }
    } finally {
      running = false;
    }
  }
  return () => {
    dirty = true;
    if (!running) void run();
  };
}

const refreshDetailSoon = refresher(() => loadDetail());
const refreshListSoon = refresher(() => loadList());
const refreshCountsSoon = refresher(() => loadCounts(), 1000);

function scheduleRefresh(id, countsToo = true) {
  if (id === undefined || id === state.selected) refreshDetailSoon();
  refreshListSoon();
  if (countsToo) refreshCountsSoon();
}

// The last status seen of each job (bounded): a hint that changes no status (progress, a lease)
// does not recount.
const knownStatus = new Map();
function rememberStatus(id, status) {
  knownStatus.delete(id);
  knownStatus.set(id, status);
  if (knownStatus.size > 5000) knownStatus.delete(knownStatus.keys().next().value);
}
function changesStatus(event) {
  if (event.type === 'deleted' || event.status === undefined) return true;
  const before = knownStatus.get(event.id);
  rememberStatus(event.id, event.status);
  return before !== event.status;
}

async function refreshList() {
  try {
    await loadList();
  } catch (error) {
    showListError(error);
  }
}

async function refreshDetail() {
  try {
    await loadDetail();
  } catch (error) {
    $('detail-progress-text').textContent = error.message;
  }
}

function connect() {
  const live = $('live');
  const events = new EventSource('./api/events');
  events.addEventListener('open', () => {
    live.textContent = 'live';
    live.classList.add('on');
    scheduleRefresh(); // catch up with what changed while disconnected
  });
  events.addEventListener('error', () => {
    live.textContent = 'reconnecting…';
    live.classList.remove('on');
  });
  events.addEventListener('job', (message) => {
    const event = JSON.parse(message.data);
    if (event.type === 'output' && event.id !== state.selected) return;
    if (event.type === 'output') {
      refreshDetailSoon();
      return;
    }
    scheduleRefresh(event.id, changesStatus(event));
  });
}

// ---- wiring ----
$('filters').addEventListener('submit', (event) => {
  event.preventDefault();
  const data = new window.FormData(event.target);
  state.filters = Object.fromEntries([...data.entries()].filter(([, value]) => value !== ''));
  resetPages();
});
$('next').addEventListener('click', () => {
  if (state.nextCursor === undefined) return;
  state.cursors.push(state.nextCursor);
  void refreshList();
});
$('prev').addEventListener('click', () => {
  if (state.cursors.length > 1) state.cursors.pop();
  void refreshList();
});
$('first').addEventListener('click', () => {
  state.cursors = [undefined];
  void refreshList();
});
$('close-detail').addEventListener('click', closeDetail);
// In read-only mode the server leaves the action controls out of the page.
if (!readOnly) {
  $('cancel').addEventListener('click', () => void cancelSelected());
  $('prune-form').addEventListener('submit', (event) => void prune(event));
}
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && state.selected) closeDetail();
});

void refreshList();
void loadCounts().catch(showListError);
connect();
