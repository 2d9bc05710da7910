import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

const terminal = new Set(['completed', 'failed', 'cancelled', 'interrupted']);

/**
 * Calls the status tool with `wait_seconds` until the job is terminal (a waiting call also
 * returns on progress or output), and returns the last job view with all new stdout joined.
 */
export async function waitForJobEnd(
  client: Client,
  statusTool: string,
  jobId: string,
): Promise<Record<string, unknown>> {
  let job: Record<string, unknown> = {};
  let stdout = '';
  for (let call = 0; call < 50 && !terminal.has(job['status'] as string); call++) {
    const result = (await client.callTool({
      name: statusTool,
      arguments: { job_id: jobId, wait_seconds: 10 },
    })) as CallToolResult;
    if (result.isError === true) throw new Error(JSON.stringify(result.content));
    job = (result.structuredContent as { job: Record<string, unknown> }).job;
    stdout += job['new_stdout'] as string;
  }
  return { ...job, new_stdout: stdout };
}
