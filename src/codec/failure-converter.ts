/**
 * Loaded by path (`DataConverter.failureConverterPath`): by the client, by the worker for activities, and bundled
 * into workflow code by the worker's bundler. It moves error messages and stack traces into an encoded payload so
 * the payload codec encrypts them too. Imports only @temporalio/common, so it is safe in the workflow sandbox.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
