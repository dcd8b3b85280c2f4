/** `pnpm start`: the property service on the configured port, with the cache from the environment. */
import { buildApp } from './app.js';
import { readSettings } from './settings.js';

const settings = readSettings();
const service = buildApp();
const close = async (): Promise<void> => {
  await service.app.close();
  process.exit(0);
};
process.once('SIGINT', () => void close());
process.once('SIGTERM', () => void close());

try {
  const url = await service.app.listen({ host: settings.host, port: settings.port });
  console.log(
    `property-service listening on ${url}\n` +
      `  cache:    ${service.describeCache()}\n` +
      `  database: ${service.db.count().toLocaleString('en')} listings in ${service.db.file}${service.db.seeded ? ' (seeded now)' : ''}\n` +
      `  try:      curl '${url}/properties?city=Lyon&minPrice=200000&bedrooms=2' -i`,
  );
} catch (error) {
  console.error(
    `property-service failed to start: ${error instanceof Error ? error.message : String(error)}`,
  );
  await service.app.close().catch(() => undefined);
  process.exit(1);
}
