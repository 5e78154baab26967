/**
 * The main job (`npm run demo`): the NAO's split reproduced on a calibrated synthetic panel, then
 * the same analysis on the embedded England panel (2013-2018), by all three methods with 95%
 * bootstrap intervals.
 */
import { naoReplication } from './nao-replication.js';
import { englandReplication } from './england-replication.js';

const t0 = performance.now();
console.log(naoReplication());
console.log('');
console.log(await englandReplication());
console.log(`\n(done in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
