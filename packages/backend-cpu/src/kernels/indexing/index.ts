// CPU kernels of the 'indexing' family, registered on import.
import { registerKernel } from '@torchts/core';
import { gatherKernel, scatterKernel } from './gather.js';
import { indexAddKernel, indexCopyKernel, indexFillKernel, indexSelectKernel, takeKernel } from './indexSelect.js';
import { maskedFillKernel, maskedScatterKernel, maskedSelectKernel, nonzeroKernel } from './masked.js';
import { searchsortedKernel } from './search.js';
import { bincountKernel, histcKernel } from './histogram.js';
import { indexKernel, indexPutKernel } from './advanced.js';

registerKernel('gather', 'cpu', gatherKernel);
// scatter, scatter_add and scatter_reduce (and their `_` forms) share one kernel.
registerKernel('scatter', 'cpu', scatterKernel);
registerKernel('index_select', 'cpu', indexSelectKernel);
registerKernel('index_add_', 'cpu', indexAddKernel);
registerKernel('index_copy_', 'cpu', indexCopyKernel);
registerKernel('index_fill_', 'cpu', indexFillKernel);
registerKernel('take', 'cpu', takeKernel);
registerKernel('masked_fill_', 'cpu', maskedFillKernel);
registerKernel('masked_select', 'cpu', maskedSelectKernel);
registerKernel('masked_scatter_', 'cpu', maskedScatterKernel);
registerKernel('nonzero', 'cpu', nonzeroKernel);
registerKernel('searchsorted', 'cpu', searchsortedKernel);
registerKernel('histc', 'cpu', histcKernel);
registerKernel('bincount', 'cpu', bincountKernel);
registerKernel('index', 'cpu', indexKernel);
registerKernel('index_put_', 'cpu', indexPutKernel);
