/**
 * Deterministic listings: the same seed always produces the same rows, so a fresh database
 * on any machine answers the same queries with the same results.
 */
export const CITIES = [
  'Lyon',
  'Paris',
  'Marseille',
  'Toulouse',
  'Nice',
  'Nantes',
  'Strasbourg',
  'Montpellier',
  'Bordeaux',
  'Lille',
  'Rennes',
  'Reims',
  'Toulon',
  'Grenoble',
  'Dijon',
  'Angers',
] as const;
export const PROPERTY_TYPES = ['apartment', 'house', 'studio', 'loft', 'villa'] as const;
export const AMENITIES = [
  'balcony',
  'garden',
  'parking',
  'pool',
  'elevator',
  'gym',
  'terrace',
  'fireplace',
  'air-conditioning',
  'dishwasher',
  'washer',
  'concierge',
  'bike-storage',
  'sea-view',
] as const;
const STREETS = [
  'Rue de la Paix',
  'Avenue Foch',
  'Quai Saint-Antoine',
  'Rue Victor Hugo',
  'Boulevard Pasteur',
];

export type PropertyType = (typeof PROPERTY_TYPES)[number];

/** A listing as it is inserted. */
export interface NewListing {
  title: string;
  city: string;
  price: number;
  bedrooms: number;
  type: PropertyType;
  amenities: string[];
  ownerId: string;
}

/** Number of distinct owners in generated data: `user-1` … `user-500`. */
export const SEED_OWNERS = 500;

/** mulberry32: a tiny, fast, seedable PRNG (Math.random cannot be seeded). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` listings from `seed`. */
export function* generateListings(count: number, seed = 42): Generator<NewListing> {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  for (let i = 0; i < count; i++) {
    const type = pick(PROPERTY_TYPES);
    const bedrooms = type === 'studio' ? 0 : 1 + Math.floor(next() * (type === 'villa' ? 7 : 4));
    const base = { studio: 90_000, apartment: 160_000, loft: 260_000, house: 300_000, villa: 650_000 }[type];
    const price = Math.round(((base + bedrooms * 45_000) * (0.6 + next() * 0.9)) / 1000) * 1000;
    const amenities = AMENITIES.filter(() => next() < 0.25);
    const city = pick(CITIES);
    yield {
      title: `${bedrooms === 0 ? 'Studio' : `${bedrooms}-bedroom ${type}`}, ${pick(STREETS)}, ${city}`,
      city,
      price,
      bedrooms,
      type,
      amenities,
      ownerId: `user-${1 + Math.floor(next() * SEED_OWNERS)}`,
    };
  }
}
