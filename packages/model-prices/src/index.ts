export { ModelCost, type CallTokens, type ModelPrice } from './model-cost.js';
