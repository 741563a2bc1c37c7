/**
 * Operators use the official Temporal CLI too: finished checkouts are found by the CheckoutPhase search
 * attribute, and `temporal workflow query --type status` answers with the checkout's status.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { resolveTemporalCli } from '../../src/temporal-cli';
import { checkoutRequest } from '../helpers/checkout-harness';
import { useHarness } from '../helpers/use-harness';
import type { CheckoutStatus } from '../../workflows/messages';

const run = promisify(execFile);
const h = useHarness({ name: 'temporal-cli', resetEachTest: false });

async function temporal(...args: string[]): Promise<string> {
  const { stdout } = await run(resolveTemporalCli(), [...args, '--address', h.env.address, '--namespace', 'default', '--output', 'json'], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
  });
  return stdout;
}

test("`temporal workflow list --query 'CheckoutPhase=\"COMPLETED\"'` finds a finished checkout and `workflow query` returns its status", async () => {
  const request = checkoutRequest();
  const { handle, settled } = await h.run(request);
  expect(settled.status).toBe('COMPLETED');

  let listed: { execution: { workflowId: string } }[] = [];
  for (let i = 0; i < 50; i++) {
    const out = await temporal('workflow', 'list', '--query', `CheckoutPhase="COMPLETED" AND CheckoutRequestId="${request.requestId}"`);
    listed = out.trim() ? (JSON.parse(out) as typeof listed) : [];
    if (listed.length > 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(listed.map((w) => w.execution.workflowId)).toEqual([handle.workflowId]);
  const stillBinding = await temporal('workflow', 'list', '--query', `CheckoutPhase="BINDING" AND CheckoutRequestId="${request.requestId}"`);
  expect(stillBinding.trim() ? JSON.parse(stillBinding) : []).toEqual([]);

  const answer = JSON.parse(await temporal('workflow', 'query', '--workflow-id', handle.workflowId, '--type', 'status')) as {
    queryResult: CheckoutStatus[];
  };
  const status = answer.queryResult[0]!;
  expect(status).toMatchObject({ requestId: request.requestId, phase: 'COMPLETED', outcome: 'COMPLETED' });
  expect(status.orderId).toMatch(/^\d{18}$/);
  expect(JSON.stringify(answer)).not.toContain(request.token);
});
