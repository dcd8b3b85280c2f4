import * as fs from 'node:fs';

/**
 * The file-system calls the backend makes, gathered in one object so a test can make any of
 * them fail (ENOSPC, EIO…) on purpose. Production code always uses `nodeFs`. Synchronous
 * calls serve small entries (a page-cache read costs less than the thread-pool hop of the
 * promise API); the promise calls serve large entries and `fsync: true` writes.
 */
export interface FsLayer {
  openSync: typeof fs.openSync;
  readSync: (fd: number, buffer: Buffer, offset: number, length: number, position: number) => number;
  writeSync: (fd: number, buffer: Buffer, offset: number, length: number) => number;
  closeSync: typeof fs.closeSync;
  renameSync: typeof fs.renameSync;
  unlinkSync: typeof fs.unlinkSync;
  mkdirSync: typeof fs.mkdirSync;
  statSync: (path: string) => fs.Stats;
  /** `stat` that answers `undefined` for a missing path instead of throwing (throwing is slow). */
  statIfExistsSync: (path: string) => fs.Stats | undefined;
  fstatSync: (fd: number) => fs.Stats;
  readdirSync: (path: string) => string[];
  promises: {
    open: typeof fs.promises.open;
    readFile: (path: string) => Promise<Buffer>;
    rename: typeof fs.promises.rename;
    unlink: typeof fs.promises.unlink;
    mkdir: typeof fs.promises.mkdir;
    readdir: (path: string) => Promise<string[]>;
    stat: (path: string) => Promise<fs.Stats>;
  };
}

/** The real file system. */
export const nodeFs: FsLayer = {
  openSync: fs.openSync,
  readSync: (fd, buffer, offset, length, position) => fs.readSync(fd, buffer, offset, length, position),
  writeSync: (fd, buffer, offset, length) => fs.writeSync(fd, buffer, offset, length),
  closeSync: fs.closeSync,
  renameSync: fs.renameSync,
  unlinkSync: fs.unlinkSync,
  mkdirSync: fs.mkdirSync,
  statSync: (path) => fs.statSync(path),
  statIfExistsSync: (path) => fs.statSync(path, { throwIfNoEntry: false }),
  fstatSync: (fd) => fs.fstatSync(fd),
  readdirSync: (path) => fs.readdirSync(path),
  promises: {
    open: fs.promises.open,
    readFile: (path) => fs.promises.readFile(path),
    rename: fs.promises.rename,
    unlink: fs.promises.unlink,
    mkdir: fs.promises.mkdir,
    readdir: (path) => fs.promises.readdir(path),
    stat: (path) => fs.promises.stat(path),
  },
};

/** The `code` of a Node system error (`'ENOENT'`…), or `undefined`. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** ENOENT and ENOTDIR both mean "there is no such file" for a path inside the cache. */
export function isMissing(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
}
