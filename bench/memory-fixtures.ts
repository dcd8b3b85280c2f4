/**
 * Data shared by the memory benchmark and its heap-measuring child process: keys and
 * ~200-byte JSON values shaped like a listing API's records.
 */
const CITIES = ['Lisbon', 'Porto', 'Faro', 'Braga', 'Coimbra', 'Aveiro', 'Evora'];

export interface Listing {
  id: number;
  name: string;
  city: string;
  price: number;
  rooms: number;
  tags: string[];
  active: boolean;
  owner: { id: number; email: string };
  updated: string;
}

export function makeValue(i: number): Listing {
  return {
    id: i,
    name: `Property number ${i}`,
    city: CITIES[i % CITIES.length] as string,
    price: 150_000 + (i % 997) * 250.5,
    rooms: 1 + (i % 5),
    tags: ['sea', 'view', i % 2 === 0 ? 'garage' : 'garden'],
    active: i % 3 !== 0,
    owner: { id: i % 1000, email: `owner${i % 1000}@example.com` },
    updated: '2024-05-01T10:00:00.000Z',
  };
}

export const makeKey = (i: number): string => `property:${i}`;
