import { Type } from '@sinclair/typebox';
import { MODEL_PRICES_MAX_MODELS, ModelPrice, compileValidator, type ModelPrices } from '@x/ipc';
import { DAEMON_ERROR_CODES, DaemonError } from '../errors.js';

/** A price as the config file must give it: the protocol's fields, no other. */
const validatePrice = compileValidator(
  Type.Object(ModelPrice.properties, { additionalProperties: false }),
);

const EXAMPLE = '{ "inputUsdPerMTok": 0.15, "outputUsdPerMTok": 0.6 }';

/**
 * Validates an operator's `modelPrices` (of `x.config.json`, or `startDaemon({ modelPrices })`):
 * an object whose keys are model ids (1 to 256 characters, at most
 * {@link MODEL_PRICES_MAX_MODELS} of them) and whose values give US dollars per million tokens
 * (`inputUsdPerMTok`, `outputUsdPerMTok`, optional `cacheReadUsdPerMTok`,
 * `cacheWriteUsdPerMTok`; numbers ≥ 0, no other field). `where` starts each message
 * (`/srv/x.config.json: modelPrices`).
 * @returns a frozen copy, handed to every runner in `init.modelPrices`.
 * @throws DaemonError X_DAEMON_PRICE_CONFIG naming the model, the field, the value and the fix.
 */
export function resolveModelPrices(value: unknown, where = 'modelPrices'): Readonly<ModelPrices> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw priceError(
      `${where}: expected an object of prices by model id, e.g. { "gpt-4o-mini": ${EXAMPLE} }, got ${describe(value)}`,
    );
  }
  const entries = Object.entries(value);
  if (entries.length > MODEL_PRICES_MAX_MODELS) {
    throw priceError(
      `${where}: ${entries.length} models, over the limit of ${MODEL_PRICES_MAX_MODELS}; price only the models your agents use (the catalog knows the others)`,
    );
  }
  const prices: ModelPrices = {};
  for (const [model, price] of entries) {
    const at = `${where}[${JSON.stringify(model)}]`;
    if (model.length === 0 || model.length > 256) {
      throw priceError(
        `${at}: a model id must be 1 to 256 characters, got ${model.length}; use the id your agent's model reports (e.g. "gpt-4o-mini")`,
      );
    }
    if (typeof price !== 'object' || price === null || Array.isArray(price)) {
      throw priceError(`${at}: expected an object such as ${EXAMPLE}, got ${describe(price)}`);
    }
    const result = validatePrice(price);
    if (!result.ok) {
      const field = result.path.split('/')[1] ?? '';
      const got = (price as Record<string, unknown>)[field];
      const known = Object.keys(ModelPrice.properties).join(', ');
      const problem =
        field === ''
          ? result.message
          : !(field in ModelPrice.properties)
            ? `.${field}: not a price field (they are ${known})`
            : got === undefined
              ? `.${field}: missing; give US dollars per million tokens`
              : `.${field}: expected a number ≥ 0 (US dollars per million tokens), got ${describe(got)}`;
      throw priceError(`${at}${problem}; e.g. ${EXAMPLE}`);
    }
    prices[model] = Object.freeze({ ...result.value });
  }
  return Object.freeze(prices);
}

function priceError(message: string): DaemonError {
  return new DaemonError(DAEMON_ERROR_CODES.PRICE_CONFIG, `x: ${message}`);
}

function describe(value: unknown): string {
  if (value === undefined) {
    return 'nothing';
  }
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
