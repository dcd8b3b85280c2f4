import type { FileHandle } from 'node:fs/promises';
import { nodeFs, type FsLayer } from '../../src/fs-layer.js';

/** Calls that can be made to fail. `write` covers writeSync and FileHandle.writeFile. */
export type FaultPoint = 'open' | 'read' | 'write' | 'rename' | 'unlink' | 'mkdir' | 'readdir';

function errno(code: string, call: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected failure, ${call}`), { code, syscall: call });
}

/**
 * The real file system with switchable faults: `fail('write', 'ENOSPC')` makes every later
 * write write half of its bytes (as a full disk does), then throw ENOSPC; `fail('write')`
 * heals it. Used where the machine cannot produce the fault for real (or in addition).
 */
export class FaultyFs {
  readonly #faults = new Map<FaultPoint, string>();
  /** How many calls failed on purpose. */
  injected = 0;

  fail(point: FaultPoint, code?: string): void {
    if (code === undefined) this.#faults.delete(point);
    else this.#faults.set(point, code);
  }

  #check(point: FaultPoint, call: string): void {
    const code = this.#faults.get(point);
    if (code === undefined) return;
    this.injected++;
    throw errno(code, call);
  }

  readonly layer: FsLayer = {
    ...nodeFs,
    openSync: ((file: string, flags: string, mode?: number) => {
      this.#check('open', 'open');
      return nodeFs.openSync(file, flags, mode);
    }) as FsLayer['openSync'],
    readSync: (fd, buffer, offset, length, position) => {
      this.#check('read', 'read');
      return nodeFs.readSync(fd, buffer, offset, length, position);
    },
    writeSync: (fd, buffer, offset, length) => {
      if (this.#faults.has('write') && length > 1)
        nodeFs.writeSync(fd, buffer, offset, Math.floor(length / 2));
      this.#check('write', 'write');
      return nodeFs.writeSync(fd, buffer, offset, length);
    },
    renameSync: (from, to) => {
      this.#check('rename', 'rename');
      nodeFs.renameSync(from, to);
    },
    unlinkSync: (file) => {
      this.#check('unlink', 'unlink');
      nodeFs.unlinkSync(file);
    },
    mkdirSync: ((file: string, options?: object) => {
      this.#check('mkdir', 'mkdir');
      return nodeFs.mkdirSync(file, options as never);
    }) as FsLayer['mkdirSync'],
    readdirSync: (file) => {
      this.#check('readdir', 'readdir');
      return nodeFs.readdirSync(file);
    },
    promises: {
      ...nodeFs.promises,
      open: (async (file: string, flags?: string, mode?: number) => {
        this.#check('open', 'open');
        const handle = await nodeFs.promises.open(file, flags, mode);
        return this.#wrapHandle(handle);
      }) as FsLayer['promises']['open'],
      readFile: async (file) => {
        this.#check('read', 'read');
        return nodeFs.promises.readFile(file);
      },
      rename: async (from, to) => {
        this.#check('rename', 'rename');
        return nodeFs.promises.rename(from, to);
      },
      mkdir: (async (file: string, options?: object) => {
        this.#check('mkdir', 'mkdir');
        return nodeFs.promises.mkdir(file, options as never);
      }) as FsLayer['promises']['mkdir'],
      readdir: async (file) => {
        this.#check('readdir', 'readdir');
        return nodeFs.promises.readdir(file);
      },
    },
  };

  #wrapHandle(handle: FileHandle): FileHandle {
    const writeFile = async (data: Buffer): Promise<void> => {
      if (this.#faults.has('write')) await handle.write(data.subarray(0, Math.floor(data.length / 2)));
      this.#check('write', 'write');
      return handle.writeFile(data);
    };
    return new Proxy(handle, {
      get(target, property) {
        if (property === 'writeFile') return writeFile;
        const value: unknown = Reflect.get(target, property);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }
}
