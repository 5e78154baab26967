/**
 * A look-alike of lme4's `InstEval` (73,421 ratings of 1,128 lecturers by 2,972 students in 14
 * departments) for the crossed-design benchmarks. The data set itself ships with lme4 under the
 * GPL and is not part of this repository; only facts about it are: the number of students with
 * each number of ratings, the number of lecturers with each number of ratings, and the number of
 * lecturers in each department (every lecturer belongs to one department), computed from
 * `lme4::InstEval` (lme4 1.1-31) with `table(table(InstEval$s))`, `table(table(InstEval$d))` and
 * `table(unique(InstEval[, c("d", "dept")])$dept)`.
 *
 * The look-alike pairs student rating slots with lecturer rating slots at random (seeded), so
 * the level counts and the distributions of ratings per student and per lecturer are exactly
 * those of InstEval; who rates whom is random, which makes the lecturer block of the Schur
 * complement at least as dense as InstEval's. Ratings are simulated from the model
 * `y ~ 1 + (1|s) + (1|d) + (1|dept)` with variances near InstEval's REML estimates, rounded to
 * the 1-5 scale.
 */
import { Rng } from '../src/random/rng.js';

/** `count:number of students with that many ratings` (InstEval, `table(table(s))`). */
const STUDENT_COUNTS =
  '1:5,2:11,3:10,4:9,5:50,6:47,7:50,8:63,9:85,10:130,11:164,12:142,13:99,14:101,15:78,16:70,17:64,18:55,19:57,20:75,21:87,22:86,23:81,24:85,25:85,26:74,27:59,28:72,29:60,30:57,31:66,32:51,33:37,34:43,35:43,36:51,37:48,38:27,39:31,40:30,41:24,42:28,43:28,44:16,45:14,46:25,47:17,48:18,49:25,50:15,51:15,52:16,53:17,54:13,55:17,56:9,57:12,58:11,59:8,60:11,61:11,62:18,63:6,64:3,65:4,66:9,67:4,68:3,69:4,70:3,71:3,72:4,73:2,74:3,75:2,76:1,77:2,78:3,79:2,82:1,83:2,84:1,85:1,87:1,89:1,92:1';

/** `count:number of lecturers with that many ratings` (InstEval, `table(table(d))`). */
const LECTURER_COUNTS =
  '10:53,11:42,12:31,13:41,14:53,15:41,16:22,17:28,18:29,19:16,20:27,21:19,22:29,23:15,24:20,25:13,26:16,27:19,28:16,29:16,30:12,31:14,32:8,33:8,34:7,35:7,36:12,37:5,38:11,39:8,40:5,41:9,42:4,43:9,44:8,45:4,46:10,47:3,48:9,49:8,50:8,51:3,52:5,53:6,54:7,55:3,56:4,57:6,58:6,59:5,60:8,62:9,63:1,64:5,65:7,66:2,67:5,68:2,69:3,70:2,71:2,72:4,73:3,74:3,75:4,77:4,78:2,79:7,80:5,81:4,82:2,83:2,84:4,85:5,86:6,87:2,88:2,89:5,90:3,91:5,92:3,93:6,94:1,95:1,96:2,97:4,98:3,99:4,100:4,102:2,103:2,104:2,105:3,106:7,107:2,108:2,109:2,110:2,112:2,113:3,115:1,116:1,118:2,120:2,121:2,122:1,123:1,124:2,125:1,126:3,127:1,128:2,130:1,131:2,132:3,133:1,134:1,135:2,138:2,139:1,140:2,141:4,142:1,143:2,144:2,146:1,148:3,149:1,150:3,151:1,152:2,153:2,155:1,157:2,158:1,159:3,160:1,162:1,163:2,164:2,165:3,167:1,169:1,171:2,172:1,173:3,174:2,175:3,176:3,177:4,179:1,180:1,182:2,183:1,184:1,186:1,187:1,188:1,190:1,192:2,193:1,194:2,196:1,197:1,199:3,201:1,202:2,203:1,204:1,205:2,206:2,207:3,208:1,210:1,212:1,213:1,216:3,217:1,220:1,221:1,222:1,226:1,227:1,234:1,236:2,237:1,238:1,239:1,240:1,241:1,242:2,245:1,250:2,251:2,254:1,256:1,260:2,263:1,264:1,267:1,269:2,271:1,272:2,278:1,282:1,283:1,285:1,287:1,289:1,292:1,293:1,295:1,307:1,310:1,313:1,315:1,321:1,323:1,335:1,337:2,340:2,342:1,345:1,367:1,376:1,406:1,565:1,637:1,666:1,792:1';

/** Lecturers per department (InstEval's 14 departments, in level order). */
const LECTURERS_PER_DEPT = [96, 53, 94, 134, 111, 68, 144, 75, 63, 63, 63, 61, 59, 44];

/** The model the crossed benchmarks fit (InstEval's random-intercept model). */
export const INSTEVAL_FORMULA = 'y ~ 1 + (1|s) + (1|d) + (1|dept)';

function expand(spec: string): number[] {
  const out: number[] = [];
  for (const part of spec.split(',')) {
    const [count, times] = part.split(':').map(Number);
    for (let i = 0; i < times; i++) out.push(count);
  }
  return out;
}

function shuffle(a: Int32Array, rng: Rng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}

/** Columns of the look-alike: `s`, `d`, `dept` (level labels) and the rating `y`. */
export type InstEvalLookalike = {
  readonly s: string[];
  readonly d: string[];
  readonly dept: string[];
  readonly y: Float64Array;
};

/**
 * The InstEval look-alike for a seed: 73,421 rows, 2,972 students, 1,128 lecturers, 14
 * departments, with InstEval's distributions of ratings per student and per lecturer.
 */
export function instEvalLookalike(seed = 1): InstEvalLookalike {
  const rng = new Rng(seed);
  const perStudent = expand(STUDENT_COUNTS);
  const perLecturer = expand(LECTURER_COUNTS);
  const n = perStudent.reduce((a, b) => a + b, 0);
  if (n !== perLecturer.reduce((a, b) => a + b, 0)) throw new Error('rating totals differ');
  const studentSlots = new Int32Array(n);
  const lecturerSlots = new Int32Array(n);
  let k = 0;
  perStudent.forEach((c, s) => studentSlots.fill(s, k, (k += c)));
  k = 0;
  perLecturer.forEach((c, d) => lecturerSlots.fill(d, k, (k += c)));
  shuffle(lecturerSlots, rng);
  const lecturerIds = new Int32Array(perLecturer.length).map((_, i) => i);
  shuffle(lecturerIds, rng); // department membership independent of the number of ratings
  const deptOf = new Int32Array(perLecturer.length);
  k = 0;
  LECTURERS_PER_DEPT.forEach((c, dep) => {
    for (let i = 0; i < c; i++) deptOf[lecturerIds[k++]] = dep;
  });
  // Effects with variances near InstEval's REML estimates (students 0.105, lecturers 0.262,
  // departments 0.0026, residual 1.385).
  const uS = Float64Array.from(perStudent, () => Math.sqrt(0.105) * rng.normal());
  const uD = Float64Array.from(perLecturer, () => Math.sqrt(0.262) * rng.normal());
  const uDept = Float64Array.from(LECTURERS_PER_DEPT, () => Math.sqrt(0.0026) * rng.normal());
  const s: string[] = new Array(n);
  const d: string[] = new Array(n);
  const dept: string[] = new Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const si = studentSlots[i];
    const di = lecturerSlots[i];
    const dep = deptOf[di];
    s[i] = `s${si + 1}`;
    d[i] = `d${di + 1}`;
    dept[i] = `dept${dep + 1}`;
    const v = 3.2 + uS[si] + uD[di] + uDept[dep] + Math.sqrt(1.385) * rng.normal();
    y[i] = Math.min(5, Math.max(1, Math.round(v)));
  }
  return { s, d, dept, y };
}
