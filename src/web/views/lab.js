// Laboratory pages: the routes app.js adds to its router.
import { LAB_READ } from './lab-ui.js';
import { renderLabHome, renderInventory, renderStorage, renderLookback } from './lab-lists.js';
import { renderDonorNew, renderDonor } from './lab-donor.js';
import { renderBatch } from './lab-batch.js';
import { renderUnit } from './lab-unit.js';

export { LAB_READ };

export const labRoutes = [
  [/^\/lab$/, renderLabHome, LAB_READ],
  [/^\/lab\/inventory$/, renderInventory, LAB_READ],
  [/^\/lab\/storage$/, renderStorage, LAB_READ],
  [/^\/lab\/lookback$/, renderLookback, LAB_READ],
  [/^\/lab\/donors\/new$/, renderDonorNew, ['lab']],
  [/^\/lab\/donors\/(\d+)$/, (ctx) => renderDonor(ctx, ctx.params[0]), LAB_READ],
  [/^\/lab\/batches\/(\d+)$/, (ctx) => renderBatch(ctx, ctx.params[0]), LAB_READ],
  [/^\/lab\/units\/(\d+)$/, (ctx) => renderUnit(ctx, ctx.params[0]), LAB_READ],
];
