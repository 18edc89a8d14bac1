/** Every op family's derivatives; importing registers them. */
import './arithmetic.js';
import './views.js';
