/**
 * The library a backend imports to run checkouts: start, status, result, cancel, list, and a fast "order
 * created" answer through update-with-start. Idempotent on the request id: the workflow id is
 * `checkout-<requestId>`; conflict policy FAIL (a second start while it runs is answered with the running
 * checkout, `started: false`), reuse policy REJECT_DUPLICATE (a finished checkout is never run again: a new
 * intent needs a new request id), and the same request id for another order is refused (`IdempotencyConflict`).
 */
import {
  Client,
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateStage,
  type Connection,
  type ConnectionLike,
  type WorkflowExecutionDescription,
  type WorkflowHandle,
} from '@temporalio/client';
import { CancelledFailure, type DataConverter } from '@temporalio/common';
import { loadConfig, withLocalKeys, type AppConfig } from './config';
import { createDataConverter } from './codec/data-converter';
import { isSealedToken } from './seal/format';
import { missingSealKey, tokenSealerFor, type TokenSealer } from './seal/seal';
import { connectToTemporal } from './temporal-connection';
import { redactText } from './redact';
import { parseCheckoutInput, parseToken, type CheckoutInput, type CheckoutRequest } from '../workflows/input';
import {
  CHECKOUT_WORKFLOW_TYPE,
  checkoutWorkflowId,
  checkoutMemo,
  refreshTokenUpdate,
  statusQuery,
  waitForOrderUpdate,
  type CheckoutMemo,
  type CheckoutResult,
  type CheckoutStatus,
  type RefreshTokenAnswer,
} from '../workflows/messages';
import { CHECKOUT_CINEMA_ID, startSearchAttributes } from '../workflows/search-attributes';
import { checkoutWorkflowIdOf, InvalidArgument, summaryOf, visibilityQuery, type CheckoutSummary, type ListFilter } from './client-list';
import { describeCheckout, detailCheckout } from './client-display';
import { outcomeOf, resultFromStatus } from './client-result';

export { InvalidArgument, visibilityQuery, type CheckoutSummary, type ListFilter } from './client-list';
export { describeCheckout } from './client-display';
export { outcomeOf } from './client-result';

export interface StartedCheckout {
  workflowId: string;
  runId?: string;
  /** False when the request id already had a checkout (running or finished) and that one is returned. */
  started: boolean;
  /** Set when `waitForOrder` was asked and the order exists. */
  orderId?: string;
}

/** The request id already belongs to a checkout for another order. */
export class IdempotencyConflict extends Error {
  override readonly name = 'IdempotencyConflict';
}

export class CheckoutNotFound extends Error {
  override readonly name = 'CheckoutNotFound';
}

export class CheckoutFinished extends Error {
  override readonly name = 'CheckoutFinished';
}

export interface CheckoutClientOptions {
  /** Default: the environment, with the keys `npm start` saved in this clone filling in unset ones (withLocalKeys). */
  config?: AppConfig;
  /** An existing connection (tests, or a backend that shares one); otherwise one is opened from the environment. */
  connection?: Connection | ConnectionLike;
  namespace?: string;
  /** Default `createDataConverter(config)`: refuses to run without CODEC_KEYS (unless INSECURE_PLAINTEXT_PAYLOADS). */
  dataConverter?: DataConverter;
  /** Default `tokenSealerFor(config)` (TOKEN_SEAL_PUBLIC_KEY); without one, starts and token refreshes are refused. */
  tokenSealer?: TokenSealer;
  /**
   * Ask for eager workflow start: the server hands the first workflow task back with the start, to a worker of
   * this task queue in THIS process, saving a trip through the task queue (docs/performance.md). Needs
   * `connection` to be the NativeConnection that worker uses; the SDK refuses it on any other connection.
   */
  eagerStart?: boolean;
}

export class CheckoutClient {
  private constructor(
    readonly temporal: Client,
    private readonly taskQueue: string,
    private readonly ownsConnection: boolean,
    private readonly sealer: TokenSealer | undefined,
    private readonly eagerStart = false,
  ) {}

  static async connect(options: CheckoutClientOptions = {}): Promise<CheckoutClient> {
    const config = options.config ?? loadConfig({}, withLocalKeys());
    // Fail closed before connecting: no payload key, no client (and a bad seal key is reported now, not at a start).
    const dataConverter = options.dataConverter ?? createDataConverter(config);
    const sealer = options.tokenSealer ?? tokenSealerFor(config);
    let connection = options.connection;
    let namespace = options.namespace ?? config.temporal.namespace;
    if (!connection) {
      const opened = await connectToTemporal(config);
      connection = opened.connection;
      namespace = options.namespace ?? opened.namespace;
    }
    const client = new Client({ connection, namespace, dataConverter });
    return new CheckoutClient(client, config.temporal.taskQueue, !options.connection, sealer, options.eagerStart);
  }

  /**
   * The token as it may enter a checkout: sealed to the workers' key. An already sealed one passes as is; a
   * client without TOKEN_SEAL_PUBLIC_KEY refuses (ConfigError naming what to set), so no configuration puts a
   * plaintext token into history.
   */
  private seal(token: string): string {
    if (isSealedToken(token)) return token;
    if (!this.sealer) throw missingSealKey();
    return this.sealer.seal(token);
  }

  /**
   * Validates the request (throws `InvalidInput` naming the field, before anything starts) and starts the
   * checkout, or returns the one this request id already has. With `waitForOrder`, answers once Womei has
   * created the order (update-with-start), while the rest of the checkout goes on.
   *
   * `started` is the server's word, not a guess: the start refuses an id that exists (conflict policy FAIL),
   * so of any number of concurrent starts of one request id exactly one says `started: true`; the others read
   * the existing checkout (and check it is for the same order). A first start is one call, no description.
   */
  async startCheckout(request: CheckoutRequest, options: { waitForOrder?: boolean } = {}): Promise<StartedCheckout> {
    const input = parseCheckoutInput(request);
    const sealed: CheckoutRequest = { ...request, token: this.seal(input.token) };
    const workflowId = checkoutWorkflowId(input.requestId);
    const startOptions = {
      taskQueue: this.taskQueue,
      workflowId,
      args: [sealed],
      workflowIdConflictPolicy: 'FAIL' as const,
      workflowIdReusePolicy: 'REJECT_DUPLICATE' as const,
      typedSearchAttributes: startSearchAttributes(input),
      memo: checkoutMemo(input),
      staticSummary: describeCheckout(input),
      staticDetails: detailCheckout(input),
    };
    try {
      if (options.waitForOrder) {
        const operation = new WithStartWorkflowOperation(CHECKOUT_WORKFLOW_TYPE, startOptions);
        const update = await this.temporal.workflow.startUpdateWithStart(waitForOrderUpdate, {
          startWorkflowOperation: operation,
          waitForStage: WorkflowUpdateStage.ACCEPTED,
        });
        const answer = await update.result();
        return { workflowId, runId: update.workflowRunId, started: true, orderId: answer.orderId };
      }
      const handle = await this.temporal.workflow.start(CHECKOUT_WORKFLOW_TYPE, { ...startOptions, requestEagerStart: this.eagerStart });
      return { workflowId, runId: handle.firstExecutionRunId, started: true };
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
    // This request id already has its checkout (running or ended): answer for it, start nothing.
    const existing = await this.temporal.workflow.getHandle(workflowId).describe();
    const runId = assertSameRequest(existing, input);
    if (!options.waitForOrder) return { workflowId, runId, started: false };
    return { workflowId, runId, started: false, orderId: await this.orderOf(workflowId, existing.status.name === 'RUNNING') };
  }

  /** Hands a running checkout a fresh token (sealed here), e.g. while it waits in WAITING_FOR_TOKEN or NEEDS_ATTENTION. */
  async refreshToken(id: string, token: string): Promise<RefreshTokenAnswer> {
    const sealed = this.seal(parseToken(token));
    return this.withHandle(id, (handle) => handle.executeUpdate(refreshTokenUpdate, { args: [sealed] }));
  }

  /** The order of an existing checkout: waited for while it runs, read from its status once it ended. */
  private async orderOf(workflowId: string, running: boolean): Promise<string | undefined> {
    const handle = this.temporal.workflow.getHandle(workflowId);
    if (running) {
      try {
        return (await handle.executeUpdate(waitForOrderUpdate)).orderId;
      } catch (error) {
        // It ended between the description and the update: its status knows the order.
        if (!(error instanceof WorkflowNotFoundError)) throw error;
      }
    }
    return (await handle.query(statusQuery)).orderId;
  }

  async getStatus(id: string): Promise<CheckoutStatus> {
    return this.withHandle(id, (handle) => handle.query(statusQuery));
  }

  /** Waits for the end and returns the outcome (COMPLETED, COMPENSATED or NEEDS_ATTENTION) without throwing for it. */
  async waitForResult(id: string): Promise<CheckoutResult> {
    return this.withHandle(id, async (handle) => {
      try {
        return (await handle.result()) as CheckoutResult;
      } catch (error) {
        const outcome = outcomeOf(error);
        if (outcome) return outcome;
        // Temporal's cancellation event carries no details: the status query still knows how it ended.
        if (error instanceof WorkflowFailedError && error.cause instanceof CancelledFailure) {
          return resultFromStatus(await handle.query(statusQuery));
        }
        throw error;
      }
    });
  }

  /**
   * Waits for the outcome while handing each status to `onStatus` (progress lines). A status query can miss
   * while a worker restarts; the next poll catches up.
   */
  async follow(id: string, onStatus: (status: CheckoutStatus) => void, intervalMs = 400): Promise<CheckoutResult> {
    const result = this.waitForResult(id);
    let finished = false;
    const settled = result.then(
      () => (finished = true),
      () => (finished = true),
    );
    const poll = async () => {
      try {
        onStatus(await this.getStatus(id));
      } catch {
        // Missed poll: see above.
      }
    };
    while (!finished) {
      await poll();
      await Promise.race([settled, new Promise((r) => setTimeout(r, intervalMs))]);
    }
    await poll();
    return result;
  }

  /** Asks the checkout to stop; it compensates (unbinds, releases the order) before it ends. */
  async cancel(id: string): Promise<void> {
    await this.withHandle(id, async (handle) => {
      // Temporal accepts a cancel request for a closed workflow silently; a caller deserves to know.
      const { status } = await handle.describe();
      if (status.name !== 'RUNNING') throw new CheckoutFinished(`checkout ${handle.workflowId} already ended (${status.name}); nothing to cancel`);
      await handle.cancel();
    });
  }

  async list(filter: ListFilter = {}): Promise<CheckoutSummary[]> {
    const limit = filter.limit ?? 20;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new InvalidArgument('limit: must be an integer 1-1000');
    const summaries: CheckoutSummary[] = [];
    for await (const execution of this.temporal.workflow.list({ query: visibilityQuery(filter) })) {
      summaries.push(summaryOf(execution));
      if (summaries.length >= limit) break;
    }
    return summaries;
  }

  async close(): Promise<void> {
    if (this.ownsConnection) await this.temporal.connection.close();
  }

  /** Accepts a request id or a workflow id (`checkout-…`). */
  workflowIdOf(id: string): string {
    return checkoutWorkflowIdOf(id);
  }

  private async withHandle<T>(id: string, use: (handle: WorkflowHandle) => Promise<T>): Promise<T> {
    const workflowId = this.workflowIdOf(id);
    try {
      return await use(this.temporal.workflow.getHandle(workflowId));
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw new CheckoutNotFound(`no checkout ${workflowId}`);
      throw error;
    }
  }
}

/** The request id's checkout must be for this order; returns its run id. */
function assertSameRequest(description: WorkflowExecutionDescription, input: CheckoutInput): string {
  const memo = (description.memo as Partial<CheckoutMemo> | undefined)?.checkout;
  const same =
    description.typedSearchAttributes.get(CHECKOUT_CINEMA_ID) === input.cinemaId &&
    (memo === undefined || (memo.scheduleId === input.scheduleId && memo.seats === input.seats.length));
  if (!same) {
    throw new IdempotencyConflict(
      `requestId ${input.requestId} already belongs to checkout ${description.workflowId} for another order; use a new request id`,
    );
  }
  return description.runId;
}

/** Error text safe for logs and the CLI. */
export function describeError(error: unknown): string {
  return redactText(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
}
