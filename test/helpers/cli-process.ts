/** The installed binary (`bin/womei-checkout.js`) run as a user runs it: its own process, output and exit code. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface CliRun {
  code: number;
  out: string[];
  err: string[];
}

const BIN = join(__dirname, '..', '..', 'bin', 'womei-checkout.js');

export function spawnCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out: stdout.split('\n').filter(Boolean), err: stderr.split('\n').filter(Boolean) }));
  });
}
