/**
 * Every child process the harness starts is registered here and killed by its pid when the
 * harness exits (normally, on an error, or on SIGINT/SIGTERM), so nothing is left running.
 */
import type { ChildProcess } from 'node:child_process';

const children = new Set<ChildProcess>();
let hooked = false;

export function trackChild(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (hooked) return;
  hooked = true;
  process.once('exit', killTrackedChildrenSync);
}

export function killTrackedChildrenSync(): void {
  for (const child of children) {
    if (child.pid === undefined) continue;
    try {
      process.kill(child.pid, 'SIGCONT');
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  children.clear();
}
