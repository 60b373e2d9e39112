// make-differential.mjs: writes differential.tsv, random realistic ISNCSCI
// exams with the classification the Praxis reference algorithm gives them.
//
// Run by hand, once, when the reference or the generator changes; the build
// and `make check` never run it and the test needs no network:
//
//   mkdir -p /tmp/isncsci-ref && cd /tmp/isncsci-ref && npm install isncsci@2.0.6
//   node tests/data/isncsci/make-differential.mjs \
//        /tmp/isncsci-ref/node_modules/isncsci > tests/data/isncsci/differential.tsv
//
// Only the reference's outputs go into the file (see ATTRIBUTION.md); this
// script is the project's own. The seed is fixed, so the same reference
// gives the same file byte for byte.
//
// Line layout (tab-separated; lines starting with '#' are comments):
//   id, right motor (10 values C5..S1, space-separated), right light touch
//   (28, C2..S4_5), right pin prick (28), right lowest non-key muscle ('-'
//   for none), the same four for left, VAC, DAP, then the 25 result fields in
//   the order of isncsci_field (src/core/isncsci.h); or, when the reference
//   throws, the single field "ERROR".

import { createRequire } from 'node:module';
import path from 'node:path';

const refDir = process.argv[2];
if (!refDir) {
    process.stderr.write('usage: node make-differential.mjs PATH/node_modules/isncsci [COUNT]\n');
    process.exit(2);
}
const require = createRequire(import.meta.url);
const { ISNCSCI } = require(path.resolve(refDir));
const refVersion = require(path.join(path.resolve(refDir), 'package.json')).version;
const COUNT = Number(process.argv[3] || 4000);

// mulberry32: small, seeded, identical on every machine.
let seed = 0x15c5c1;
function rand() {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const randInt = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = (a) => a[Math.floor(rand() * a.length)];
const chance = (p) => rand() < p;

const DERM = ['C2', 'C3', 'C4', 'C5', 'C6', 'C7', 'C8', 'T1', 'T2', 'T3', 'T4', 'T5', 'T6', 'T7',
    'T8', 'T9', 'T10', 'T11', 'T12', 'L1', 'L2', 'L3', 'L4', 'L5', 'S1', 'S2', 'S3', 'S4_5'];
const MUSC = ['C5', 'C6', 'C7', 'C8', 'T1', 'L2', 'L3', 'L4', 'L5', 'S1'];
// level index: C1 = 0 ... S4_5 = 28, as in src/core/isncsci.h
const LEVELS = ['C1', ...DERM];
const lvl = (name) => LEVELS.indexOf(name);
// Segments with a non-key muscle on the worksheet, and the thoracic / L1
// segments without one (the engine refuses those).
const NK_VALID = MUSC;
const NK_NO_MUSCLE = ['T2', 'T3', 'T4', 'T5', 'T6', 'T7', 'T8', 'T9', 'T10', 'T11', 'T12', 'L1'];

// Weighted value below a lesion: incomplete injuries keep some function.
function impaired(max, keep) {
    if (!keep) return chance(0.85) ? 0 : randInt(0, max);
    return randInt(0, max);
}

function tag(v, max, p) {
    // '*' / '**' only on values below normal (the reference's value lists).
    if (v === 'NT') return chance(p) ? pick(['NT*', 'NT**']) : 'NT';
    if (Number(v) < max && chance(p)) return v + pick(['*', '**']);
    return v;
}

function makeSide(opts) {
    const { sens, mot, zpp, keepBelow, pNT, pTag, fuzz } = opts;
    const motor = {};
    const lightTouch = {};
    const pinPrick = {};
    for (const d of DERM) {
        const i = lvl(d);
        for (const tab of [lightTouch, pinPrick]) {
            let v;
            if (i <= sens) v = 2;
            else if (i === sens + 1 && chance(0.6)) v = 1;
            else if (i <= sens + zpp) v = randInt(0, 2);
            else v = impaired(2, keepBelow);
            if (chance(fuzz)) v = randInt(0, 2);
            v = chance(pNT) ? 'NT' : String(v);
            tab[d] = tag(v, 2, pTag);
        }
    }
    for (const m of MUSC) {
        const i = lvl(m);
        let v;
        if (i < mot) v = 5;
        else if (i === mot) v = randInt(3, 5);
        else if (i <= mot + zpp) v = randInt(0, 3);
        else v = impaired(5, keepBelow);
        if (chance(fuzz)) v = randInt(0, 5);
        v = chance(pNT) ? 'NT' : String(v);
        motor[m] = tag(v, 5, pTag);
    }
    const side = { motor, lightTouch, pinPrick };
    if (chance(0.3)) {
        side.lowestNonKeyMuscleWithMotorFunction = chance(0.9) ? pick(NK_VALID) : pick(NK_NO_MUSCLE);
    }
    return side;
}

function makeExam() {
    const pNT = pick([0, 0, 0, 0, 0.01, 0.05, 0.15]);
    const pTag = pick([0, 0, 0.03, 0.1]);
    const fuzz = pick([0, 0, 0.02, 0.1]);
    const kind = rand();
    let exam;
    if (kind < 0.06) {
        // an otherwise normal exam, anal findings varied (VAC NT among them)
        const s = { sens: 28, mot: 29, zpp: 0, keepBelow: true, pNT: 0, pTag: 0, fuzz: 0 };
        exam = { right: makeSide(s), left: makeSide(s) };
        if (chance(0.5)) {
            delete exam.right.lowestNonKeyMuscleWithMotorFunction;
            delete exam.left.lowestNonKeyMuscleWithMotorFunction;
        }
        exam.voluntaryAnalContraction = pick(['NT', 'NT', 'No', 'Yes']);
        exam.deepAnalPressure = pick(['Yes', 'NT', 'No']);
        return exam;
    }
    if (kind < 0.14) {
        // uniform noise: every value independent
        const s = { sens: 0, mot: 0, zpp: 0, keepBelow: true, pNT, pTag: pTag + 0.05, fuzz: 1 };
        exam = { right: makeSide(s), left: makeSide(s) };
        exam.voluntaryAnalContraction = pick(['Yes', 'No', 'NT']);
        exam.deepAnalPressure = pick(['Yes', 'No', 'NT']);
        return exam;
    }
    // a lesion: sensory level anywhere C1..S4_5 (28 = intact sensation),
    // motor level near it, the other side within a few levels.
    const sensR = randInt(0, 28);
    const sensL = Math.max(0, Math.min(28, sensR + pick([0, 0, 0, -1, 1, -2, 2, randInt(-6, 6)])));
    const complete = chance(0.45);
    const mk = (sens) => ({
        sens,
        mot: Math.max(0, Math.min(29, sens + pick([0, 0, 1, -1, 2, 3, randInt(-4, 5)]))),
        zpp: complete ? randInt(0, 4) : randInt(0, 8),
        keepBelow: !complete,
        pNT,
        pTag,
        fuzz,
    });
    exam = { right: makeSide(mk(sensR)), left: makeSide(mk(sensL)) };
    if (complete) {
        for (const side of [exam.right, exam.left]) {
            if (chance(0.85)) {
                side.lightTouch.S4_5 = chance(pNT) ? 'NT' : '0';
                side.pinPrick.S4_5 = chance(pNT) ? 'NT' : '0';
            }
        }
        exam.voluntaryAnalContraction = chance(0.8) ? 'No' : pick(['NT', 'Yes']);
        exam.deepAnalPressure = chance(0.8) ? 'No' : pick(['NT', 'Yes']);
    } else {
        exam.voluntaryAnalContraction = pick(['Yes', 'Yes', 'No', 'No', 'NT']);
        exam.deepAnalPressure = pick(['Yes', 'Yes', 'No', 'NT']);
    }
    return exam;
}

// The 25 result fields, in the order of isncsci_field (src/core/isncsci.h).
const CLASSIFICATION = ['neurologicalLevels.sensoryRight', 'neurologicalLevels.sensoryLeft',
    'neurologicalLevels.motorRight', 'neurologicalLevels.motorLeft', 'neurologicalLevelOfInjury',
    'injuryComplete', 'ASIAImpairmentScale', 'zoneOfPartialPreservations.sensoryRight',
    'zoneOfPartialPreservations.sensoryLeft', 'zoneOfPartialPreservations.motorRight',
    'zoneOfPartialPreservations.motorLeft'].map((p) => 'classification.' + p);
const SIDE_TOTALS = ['upperExtremity', 'lowerExtremity', 'lightTouch', 'pinPrick', 'motor'];
const FIELD_PATHS = [...CLASSIFICATION,
    ...SIDE_TOTALS.map((t) => 'totals.left.' + t), ...SIDE_TOTALS.map((t) => 'totals.right.' + t),
    ...SIDE_TOTALS.slice(0, 4).map((t) => 'totals.' + t)];
const FIELDS = FIELD_PATHS.map((p) => (r) => p.split('.').reduce((o, k) => o[k], r));

const sideCols = (s) => [
    MUSC.map((m) => s.motor[m]).join(' '),
    DERM.map((d) => s.lightTouch[d]).join(' '),
    DERM.map((d) => s.pinPrick[d]).join(' '),
    s.lowestNonKeyMuscleWithMotorFunction || '-',
];

const out = [];
out.push('# Differential ISNCSCI cases: exams made by make-differential.mjs (seeded),');
out.push(`# results computed by the Praxis ISNCSCI algorithm, npm isncsci ${refVersion}`);
out.push('# (Apache-2.0, Praxis Spinal Cord Institute; see ATTRIBUTION.md).');
out.push('# Columns: see make-differential.mjs.');
for (let id = 1; id <= COUNT; id++) {
    const exam = makeExam();
    let res;
    try {
        const r = new ISNCSCI(exam);
        res = FIELDS.map((f) => String(f(r)));
    } catch (e) {
        res = ['ERROR'];
    }
    const cols = [String(id), ...sideCols(exam.right), ...sideCols(exam.left),
        exam.voluntaryAnalContraction, exam.deepAnalPressure, ...res];
    out.push(cols.join('\t'));
}
process.stdout.write(out.join('\n') + '\n');
