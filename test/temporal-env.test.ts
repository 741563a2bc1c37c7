import { startDevServer, DEV_SERVER_START_TIMEOUT_MS } from './helpers/temporal-env';
import type { TestWorkflowEnvironment } from '@temporalio/testing';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await startDevServer();
}, DEV_SERVER_START_TIMEOUT_MS);
afterAll(async () => {
  await env?.teardown();
});

test('the dev server registers the checkout search attributes', async () => {
  const res = await env.connection.operatorService.listSearchAttributes({ namespace: 'default' });
  expect(Object.keys(res.customAttributes)).toEqual(
    expect.arrayContaining(['CheckoutPhase', 'CheckoutCinemaId', 'CheckoutOrderId', 'CheckoutRequestId']),
  );
});
