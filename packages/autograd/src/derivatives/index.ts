/** Every op family's derivatives; importing registers them. */
import './arithmetic.js';
import './views.js';
import './linalg.js';
import './shape.js';
import './indexing.js';
import './elementwise.js';
import './reduction.js';
import './random.js';
import './nn-pool.js';
import './nn-conv.js';
import './nn-norm.js';
import './nn-loss.js';
