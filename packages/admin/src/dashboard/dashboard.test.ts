import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobStore } from '@sa/jobs';
import type { DashboardServer } from './dashboard-server';
import { startDashboard } from './dashboard-server';
import { openStore } from '../store-selection';
import type { AdminStoreKind } from '../store-selection';
import type { TestBrowser } from '../testing/browser';
import { launchBrowser } from '../testing/browser';
import type { JobOwner, TestStore } from '../testing/test-helpers';
import { createTestStore, startJobOwner } from '../testing/test-helpers';

/** A raw HTTP request with the headers given (fetch would not let us set Host). */
function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const call = request(
      url,
      { method: options.method ?? 'GET', headers: options.headers },
      (response) => {
        let body = '';
        response.setEncoding('utf8').on('data', (text: string) => (body += text));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    call.on('error', reject);
    call.end(options.body);
  });
}

describe.each(['file', 'redis', 'postgres'] as const)(
  'dashboard in Chromium on the %s store',
  (kind) => {
    let testStore: TestStore;
    let owner: JobOwner;
    let store: JobStore;
    let dashboard: DashboardServer;
    let browser: TestBrowser;
    let seeded: string[];

    beforeAll(async () => {
      testStore = await createTestStore(kind);
      owner = startJobOwner(testStore.env);
      seeded = (
        await owner.send<{ ids: string[] }>({
          op: 'seed',
          count: 3,
          tool: 'export',
          label: 'nightly export',
        })
      ).ids;
      store = await openStore({
        store: testStore.env.SA_STORE as AdminStoreKind,
        dataDirectory: testStore.env.SA_DATA_DIR,
        storeUrl: testStore.env.SA_STORE_URL,
        storePrefix: testStore.env.SA_STORE_PREFIX,
      });
      dashboard = await startDashboard({ store, port: 0 });
      browser = await launchBrowser();
    });

    afterAll(async () => {
      await browser?.close();
      await dashboard?.close();
      await store?.close();
      await owner?.stop();
      await testStore?.cleanup();
    });

    it('lists the jobs', async () => {
      const page = await browser.context.newPage();
      await page.goto(dashboard.url);
      for (const id of seeded) await page.locator(`tr[data-id="${id}"]`).waitFor();
      await expect(
        page.locator('#counts [data-status="completed"] .count').textContent(),
      ).resolves.toBe('3');
      await page.close();
    });

    it("moves a running job's progress without a reload, from another process", async () => {
      const page = await browser.context.newPage();
      await page.goto(dashboard.url);
      await page.evaluate(() => Object.assign(window, { loadedOnce: true }));
      const { id } = await owner.send<{ id: string }>({
        op: 'run',
        tool: 'train',
        label: 'training',
        hold: true,
        steps: 100_000,
        stepMs: 20,
        output: true,
      });
      // The new job appears by itself (server-sent events), then its detail follows it.
      await page.locator(`tr[data-id="${id}"] button.open`).click();
      await page.waitForFunction(
        () => (document.getElementById('detail-progress') as HTMLProgressElement).value > 0,
      );
      const first = await page.evaluate(
        () => (document.getElementById('detail-progress') as HTMLProgressElement).value,
      );
      await page.waitForFunction(
        (before) =>
          (document.getElementById('detail-progress') as HTMLProgressElement).value > before,
        first,
      );
      await page.locator('#detail-output', { hasText: 'line 2' }).waitFor();
      expect(
        await page.evaluate(() => (window as unknown as { loadedOnce?: boolean }).loadedOnce),
      ).toBe(true);
      await owner.send({ op: 'release', id });
      await page
        .locator('#detail-fields [data-field="status"]', { hasText: 'completed' })
        .waitFor();
      await page.close();
    });

    it('cancels a job another process owns when the cancel button is clicked', async () => {
      const { id } = await owner.send<{ id: string }>({
        op: 'run',
        tool: 'train',
        label: 'to cancel',
        hold: true,
        stepMs: 20,
      });
      const page = await browser.context.newPage();
      await page.goto(dashboard.url);
      await page.locator(`tr[data-id="${id}"] button.open`).click();
      await page.locator('#detail-fields [data-field="status"]', { hasText: 'running' }).waitFor();
      await page.locator('#cancel').click();
      await page
        .locator('#detail-fields [data-field="status"]', { hasText: 'cancelled' })
        .waitFor();
      const record = await store.get(id);
      expect(record?.status).toBe('cancelled');
      expect(record?.owner?.pid).toBe(owner.pid); // it was the other process's job
      await page.close();
    });

    it('prunes from the page: a dry run lists what would go and deletes nothing', async () => {
      const page = await browser.context.newPage();
      await page.goto(dashboard.url);
      await page.locator('#prune summary').click();
      await page.locator('#prune-form [name="statuses"]').selectOption('completed');
      await page.locator('#prune-form [name="olderThan"]').fill('');
      await page.locator('#prune-form button[type="submit"]').click();
      await page.locator('#prune-result', { hasText: 'would be deleted (dry run)' }).waitFor();
      const wouldGo = Number(
        /^(\d+)/.exec((await page.locator('#prune-result').textContent()) ?? '')?.[1],
      );
      expect(wouldGo).toBeGreaterThanOrEqual(seeded.length);
      for (const id of seeded) expect(await store.get(id)).toBeDefined();
      await page.close();
    });

    it('shows no actions in read-only mode and refuses them', async () => {
      const readOnly = await startDashboard({ store, port: 0, readOnly: true });
      try {
        const page = await browser.context.newPage();
        await page.goto(readOnly.url);
        await page.locator(`tr[data-id="${seeded[0]}"] button.open`).click();
        await page
          .locator('#detail-fields [data-field="status"]', { hasText: 'completed' })
          .waitFor();
        expect(await page.locator('#cancel').count()).toBe(0);
        expect(await page.locator('#prune').count()).toBe(0);
        expect(await page.content()).not.toContain('Cancel job');
        await page.close();
        const origin = new URL(readOnly.url).origin;
        const refused = await rawRequest(`${origin}/api/prune`, {
          method: 'POST',
          headers: { origin, 'content-type': 'application/json' },
          body: '{}',
        });
        expect(refused.status).toBe(403);
      } finally {
        await readOnly.close();
      }
    });

    it('refuses a request without the token, a foreign Host, and a cross-site action', async () => {
      const token = 'a-long-enough-secret-token';
      const guarded = await startDashboard({ store, port: 0, token });
      try {
        const origin = new URL(guarded.url).origin;
        const page = await browser.context.newPage();
        const bare = await page.goto(`${origin}/`);
        expect(bare?.status()).toBe(401);
        expect(await page.content()).not.toContain(seeded[0]);
        expect((await rawRequest(`${origin}/api/jobs`, {})).status).toBe(401);
        expect(
          (
            await rawRequest(`${origin}/api/jobs`, {
              headers: { authorization: 'Bearer wrong-token-of-some-length' },
            })
          ).status,
        ).toBe(401);
        // With the token the page works (it keeps the token in a same-site cookie).
        await page.goto(guarded.url);
        await page.locator(`tr[data-id="${seeded[0]}"]`).waitFor();
        expect(page.url()).not.toContain('token');
        // DNS rebinding: a foreign Host is refused even with the token.
        const rebound = await rawRequest(`${origin}/api/jobs`, {
          headers: { host: 'evil.example', authorization: `Bearer ${token}` },
        });
        expect(rebound.status).toBe(403);
        // A cross-site cancel is refused even with the token.
        const { id } = await owner.send<{ id: string }>({
          op: 'run',
          tool: 'train',
          hold: true,
          stepMs: 20,
        });
        const crossSite = await rawRequest(`${origin}/api/jobs/${id}/cancel`, {
          method: 'POST',
          headers: {
            origin: 'http://evil.example',
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
          },
          body: '{}',
        });
        expect(crossSite.status).toBe(403);
        const untouched = await store.get(id);
        expect(untouched?.status).not.toBe('cancelled');
        expect(untouched?.cancelRequestedAt).toBeNull();
        await owner.send({ op: 'release', id });
        await page.close();
      } finally {
        await guarded.close();
      }
    });

    it('refuses to bind beyond loopback without a token', async () => {
      await expect(startDashboard({ store, host: '0.0.0.0', port: 0 })).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
    });
  },
);
