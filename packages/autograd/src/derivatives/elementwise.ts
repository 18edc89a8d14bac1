/** Derivatives of the elementwise family (besides add/sub/mul/div/neg/abs in arithmetic.ts). */
import './elementwise-unary.js';
import './elementwise-activation.js';
import './elementwise-binary.js';
import './elementwise-ternary.js';
