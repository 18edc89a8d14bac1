/** Derivatives of the reduction family (core's ops/reduction); importing registers them. */
import './reduction-sum.js';
import './reduction-select.js';
import './reduction-stats.js';
import './reduction-scan.js';
import './reduction-softmax.js';
