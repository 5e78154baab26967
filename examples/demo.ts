/**
 * The main job: `npm run demo`.
 *
 * Fits the NAO-sized synthetic panel (150 authorities x 8 years) as lme4 would and prints the fit.
 */
import { fit, naoPanel } from '../src/index.js';

const panel = naoPanel({ seed: 2019, exact: true });
const m = fit(panel, 'rate ~ deprivation + (1|la) + (1|year)');
console.log('== vardecomp demo: a calibrated NAO-sized panel (150 authorities x 8 years) ==\n');
console.log(m.summary());
