import type { Figure } from './figure.js';
export const ringFigure: Figure = { name: 'ring', run: async () => [] };
