// Takes the README's screenshot: a file store with a few jobs made by a real job manager in
// another process, one of them running with output, shown in headless Chromium.
// node --conditions=@sa/source --import tsx scripts/screenshot.ts
import { startDashboard } from '../src/index';
import { openStore } from '../src/store-selection';
import { launchBrowser } from '../src/testing/browser';
import { createTestStore, startJobOwner } from '../src/testing/test-helpers';

const testStore = await createTestStore('file');
const owner = startJobOwner(testStore.env);
await owner.send({ op: 'seed', count: 4, tool: 'export', label: 'nightly export' });
await owner.send({ op: 'fail', tool: 'import', label: 'import customers.csv' });
await owner.send({ op: 'seed', count: 2, tool: 'report', label: 'weekly report', scope: 'alice' });
const { id } = await owner.send<{ id: string }>({
  op: 'run',
  tool: 'train',
  label: 'train model v2',
  steps: 400,
  stepMs: 60,
  output: true,
});
await owner.send({ op: 'run', tool: 'python', label: 'analyse logs', steps: 100_000, stepMs: 500 });
const store = await openStore({ dataDirectory: testStore.env.SA_DATA_DIR });
const dashboard = await startDashboard({ store, port: 0 });
const browser = await launchBrowser();
const page = await browser.context.newPage();
await page.setViewportSize({ width: 1200, height: 760 });
await page.emulateMedia({ colorScheme: 'light' });
await page.goto(dashboard.url);
await page.locator(`tr[data-id="${id}"] button.open`).click();
await page.locator('#detail-output', { hasText: 'line 40' }).waitFor({ timeout: 60_000 });
await page.evaluate(() => window.scrollTo(0, 0));
await page.screenshot({ path: new URL('../docs/dashboard.png', import.meta.url).pathname });
await browser.close();
await dashboard.close();
await store.close();
await owner.stop();
await testStore.cleanup();
