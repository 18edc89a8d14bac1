// CPU kernels of the 'shape' family, registered on import. (cat, split, repeat, roll, rot90 and
// pad are composites of views, copy_ and index_select: they need no kernel of their own.)
import { registerKernel } from '@torchts/core';
import { flipKernel } from './flip.js';
import { triluKernel } from './trilu.js';

registerKernel('flip', 'cpu', flipKernel);
registerKernel('tril', 'cpu', triluKernel);
registerKernel('triu', 'cpu', triluKernel);
