/**
 * `GETDEL` for servers older than 6.2: a script runs atomically, so of N concurrent callers
 * exactly one sees the value, as with `GETDEL`.
 */
export const GET_AND_DELETE_SCRIPT = `local value = redis.call('GET', KEYS[1])
if value then redis.call('DEL', KEYS[1]) end
return value`;

/** The server (or a proxy in front of it) does not know the command: time to use the script. */
export function isUnknownCommand(error: unknown): boolean {
  return error instanceof Error && /unknown command/i.test(error.message);
}
