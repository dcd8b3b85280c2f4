import { describe, expect, it } from 'vitest';
import { parseRedisVersion, supportsGetDel } from '../src/server-version.js';

describe('server version', () => {
  it('reads redis_version from INFO server', () => {
    const info = '# Server\r\nredis_version:6.0.16\r\nredis_git_sha1:00000000\r\nredis_mode:standalone\r\n';
    expect(parseRedisVersion(info)).toEqual([6, 0, 16]);
    expect(parseRedisVersion('# Server\r\nredis_mode:standalone\r\n')).toBeUndefined();
  });

  it('GETDEL exists from 6.2.0 on', () => {
    expect(supportsGetDel([6, 0, 16])).toBe(false);
    expect(supportsGetDel([5, 9, 9])).toBe(false);
    expect(supportsGetDel([6, 2, 0])).toBe(true);
    expect(supportsGetDel([7, 0, 15])).toBe(true);
    expect(supportsGetDel([10, 0, 0])).toBe(true);
  });
});
