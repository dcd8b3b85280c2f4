export type { PropertyCacheManagerOptions } from './property-cache-manager.js';
export { PropertyCacheManager } from './property-cache-manager.js';
export type { PropertyFilters } from './filters.js';
