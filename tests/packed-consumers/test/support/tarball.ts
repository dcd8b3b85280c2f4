import { run } from './exec.js';

/** The fields of a packed `package.json` the checks read. */
export interface PackedManifest {
  name: string;
  version: string;
  private?: boolean;
  sideEffects?: boolean;
  engines?: Record<string, string>;
  exports?: Record<string, unknown>;
  files?: string[];
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/** Every file in a `.tgz`, as stored (`package/dist/index.js`). */
export async function listTarball(file: string): Promise<string[]> {
  const { stdout } = await run('tar', ['-tzf', file], { cwd: '/' });
  return stdout.split('\n').filter((line) => line !== '' && !line.endsWith('/'));
}

/** The `package.json` inside a `.tgz`: what the registry would serve. */
export async function readPackedManifest(file: string): Promise<{ text: string; manifest: PackedManifest }> {
  const { stdout } = await run('tar', ['-xzOf', file, 'package/package.json'], { cwd: '/' });
  return { text: stdout, manifest: JSON.parse(stdout) as PackedManifest };
}
