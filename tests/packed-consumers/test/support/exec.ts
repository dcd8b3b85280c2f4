import { execFile } from 'node:child_process';

export interface RunOptions {
  cwd: string;
  /** Added to (not replacing) the current environment. */
  env?: Record<string, string | undefined> | undefined;
  /** Kill the command after this long. Default 120 s. */
  timeoutMs?: number | undefined;
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to completion. A failure is an error that carries the command line, its exit
 * code and the tail of both streams, so a broken install or a failing script explains itself
 * in the test report.
 */
export function run(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd,
        env: { ...process.env, ...options.env },
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve({ stdout, stderr });
          return;
        }
        const tail = (text: string): string => text.trim().split('\n').slice(-40).join('\n');
        reject(
          new Error(
            `${command} ${args.join(' ')} (in ${options.cwd}) failed: ${error.message}\n` +
              `--- stdout ---\n${tail(stdout)}\n--- stderr ---\n${tail(stderr)}`,
          ),
        );
      },
    );
  });
}

/** `node <script> …args`, with the Node running the tests. */
export function runNode(script: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return run(process.execPath, [script, ...args], options);
}
