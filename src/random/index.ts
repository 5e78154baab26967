/**
 * Seeded, platform-independent random numbers (a leaf module: imports nothing but errors).
 */
export { Rng, fillNormal } from './rng.js';
