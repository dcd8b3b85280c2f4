/** `[major, minor, patch]` from an `INFO server` reply, or `undefined` when it has no `redis_version` line. */
export function parseRedisVersion(info: string): [number, number, number] | undefined {
  const match = /^redis_version:(\d+)\.(\d+)\.(\d+)/m.exec(info);
  if (match === null) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/** `GETDEL` exists since Redis 6.2.0. */
export function supportsGetDel(version: readonly [number, number, number]): boolean {
  const [major, minor] = version;
  return major > 6 || (major === 6 && minor >= 2);
}
