// Generated from src/protocol/schema.ts by scripts/generate-checks.mjs: do not edit.
// Regenerate: `pnpm --filter @x/ipc build && pnpm --filter @x/ipc checks`.
// src/protocol/message-checks.test.ts fails when this file is stale.
/* eslint-disable */
// @ts-nocheck -- the check functions are emitted by TypeBox's TypeCompiler.Code.
import type { TSchema } from '@sinclair/typebox';

/** The generated check of one message type, and its TypeBox schema (for error messages). */
export interface MessageCheck {
  /** True when the value is a valid message of this type (same as TypeBox's `Check`). */
  readonly check: (value: unknown) => boolean;
  /** The message's schema, with TypeBox's symbol-keyed metadata, without descriptions. */
  readonly schema: TSchema;
}

/** The check of every message a runner receives, by `type`, in declaration order. */
export const SUPERVISOR_MESSAGE_CHECKS: Readonly<Record<string, MessageCheck>> =
  /* @__PURE__ */ (() => ({
    init: {
      check: (() => {
        const local_0 = /^(.*)$/;
        const local_1 = /^(.*)$/;
        return function check(value) {
          return (
            typeof value === 'object' &&
            value !== null &&
            !Array.isArray(value) &&
            value['type'] === 'init' &&
            Number.isInteger(value['protocolVersion']) &&
            value['protocolVersion'] >= 1 &&
            (value['codec'] === 'jsonl' || value['codec'] === 'msgpack') &&
            typeof value['runId'] === 'string' &&
            value['runId'].length <= 128 &&
            value['runId'].length >= 1 &&
            typeof value['name'] === 'string' &&
            value['name'].length <= 128 &&
            value['name'].length >= 1 &&
            (value['module'] !== undefined
              ? typeof value['module'] === 'string' && value['module'].length >= 1
              : true) &&
            typeof value['params'] === 'object' &&
            value['params'] !== null &&
            !Array.isArray(value['params']) &&
            !(value['params'] instanceof Date) &&
            !(value['params'] instanceof Uint8Array) &&
            Object.entries(value['params']).every(([key, value]) =>
              local_0.test(key) ? true : true,
            ) &&
            Number.isInteger(value['intervalMs']) &&
            value['intervalMs'] >= 0 &&
            (value['maxIterations'] !== undefined
              ? Number.isInteger(value['maxIterations']) && value['maxIterations'] >= 1
              : true) &&
            (value['heartbeatIntervalMs'] !== undefined
              ? Number.isInteger(value['heartbeatIntervalMs']) && value['heartbeatIntervalMs'] >= 1
              : true) &&
            (value['restored'] !== undefined
              ? typeof value['restored'] === 'object' &&
                value['restored'] !== null &&
                !Array.isArray(value['restored']) &&
                Number.isInteger(value['restored']['seq']) &&
                value['restored']['seq'] >= 1 &&
                true &&
                'state' in value['restored'] &&
                Number.isInteger(value['restored']['attempt']) &&
                value['restored']['attempt'] >= 1 &&
                Number.isInteger(value['restored']['savedAt']) &&
                value['restored']['savedAt'] >= 0
              : true) &&
            (value['checkpointMaxBytes'] !== undefined
              ? Number.isInteger(value['checkpointMaxBytes']) && value['checkpointMaxBytes'] >= 1
              : true) &&
            (value['storeMaxBytes'] !== undefined
              ? Number.isInteger(value['storeMaxBytes']) && value['storeMaxBytes'] >= 1
              : true) &&
            (value['paused'] !== undefined
              ? typeof value['paused'] === 'string' && value['paused'].length <= 1024
              : true) &&
            (value['modelPrices'] !== undefined
              ? typeof value['modelPrices'] === 'object' &&
                value['modelPrices'] !== null &&
                !Array.isArray(value['modelPrices']) &&
                !(value['modelPrices'] instanceof Date) &&
                !(value['modelPrices'] instanceof Uint8Array) &&
                Object.getOwnPropertyNames(value['modelPrices']).length <= 1000 &&
                Object.entries(value['modelPrices']).every(([key, value]) =>
                  local_1.test(key)
                    ? typeof value === 'object' &&
                      value !== null &&
                      !Array.isArray(value) &&
                      Number.isFinite(value['inputUsdPerMTok']) &&
                      value['inputUsdPerMTok'] >= 0 &&
                      Number.isFinite(value['outputUsdPerMTok']) &&
                      value['outputUsdPerMTok'] >= 0 &&
                      (value['cacheReadUsdPerMTok'] !== undefined
                        ? Number.isFinite(value['cacheReadUsdPerMTok']) &&
                          value['cacheReadUsdPerMTok'] >= 0
                        : true) &&
                      (value['cacheWriteUsdPerMTok'] !== undefined
                        ? Number.isFinite(value['cacheWriteUsdPerMTok']) &&
                          value['cacheWriteUsdPerMTok'] >= 0
                        : true)
                    : true,
                )
              : true) &&
            (value['budgeted'] !== undefined ? typeof value['budgeted'] === 'boolean' : true)
          );
        };
      })(),
      schema: {
        [Symbol.for('TypeBox.Kind')]: 'Object',
        type: 'object',
        required: ['type', 'protocolVersion', 'codec', 'runId', 'name', 'params', 'intervalMs'],
        properties: {
          type: { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'init', type: 'string' },
          protocolVersion: { [Symbol.for('TypeBox.Kind')]: 'Integer', minimum: 1, type: 'integer' },
          codec: {
            [Symbol.for('TypeBox.Kind')]: 'Union',
            anyOf: [
              { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'jsonl', type: 'string' },
              { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'msgpack', type: 'string' },
            ],
          },
          runId: {
            [Symbol.for('TypeBox.Kind')]: 'String',
            minLength: 1,
            maxLength: 128,
            type: 'string',
          },
          name: {
            [Symbol.for('TypeBox.Kind')]: 'String',
            minLength: 1,
            maxLength: 128,
            type: 'string',
          },
          module: {
            [Symbol.for('TypeBox.Kind')]: 'String',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
            minLength: 1,
            type: 'string',
          },
          params: {
            [Symbol.for('TypeBox.Kind')]: 'Record',
            type: 'object',
            patternProperties: { '^(.*)$': { [Symbol.for('TypeBox.Kind')]: 'Unknown' } },
          },
          intervalMs: { [Symbol.for('TypeBox.Kind')]: 'Integer', minimum: 0, type: 'integer' },
          maxIterations: {
            [Symbol.for('TypeBox.Kind')]: 'Integer',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
            minimum: 1,
            type: 'integer',
          },
          heartbeatIntervalMs: {
            [Symbol.for('TypeBox.Kind')]: 'Integer',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
            minimum: 1,
            type: 'integer',
          },
          restored: {
            [Symbol.for('TypeBox.Kind')]: 'Object',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
            type: 'object',
            required: ['seq', 'state', 'attempt', 'savedAt'],
            properties: {
              seq: { [Symbol.for('TypeBox.Kind')]: 'Integer', minimum: 1, type: 'integer' },
              state: { [Symbol.for('TypeBox.Kind')]: 'Unknown' },
              attempt: { [Symbol.for('TypeBox.Kind')]: 'Integer', minimum: 1, type: 'integer' },
              savedAt: { [Symbol.for('TypeBox.Kind')]: 'Integer', minimum: 0, type: 'integer' },
            },
          },
          checkpointMaxBytes: {
            [Symbol.for('TypeBox.Kind')]: 'Integer',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
            minimum: 1,
            type: 'integer',
          },
          storeMaxBytes: {
            [Symbol.for('TypeBox.Kind')]: 'Integer',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
            minimum: 1,
            type: 'integer',
          },
          paused: {
            [Symbol.for('TypeBox.Kind')]: 'String',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
            maxLength: 1024,
            type: 'string',
          },
          modelPrices: {
            [Symbol.for('TypeBox.Kind')]: 'Record',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
            maxProperties: 1000,
            type: 'object',
            patternProperties: {
              '^(.*)$': {
                [Symbol.for('TypeBox.Kind')]: 'Object',
                type: 'object',
                required: ['inputUsdPerMTok', 'outputUsdPerMTok'],
                properties: {
                  inputUsdPerMTok: {
                    [Symbol.for('TypeBox.Kind')]: 'Number',
                    minimum: 0,
                    type: 'number',
                  },
                  outputUsdPerMTok: {
                    [Symbol.for('TypeBox.Kind')]: 'Number',
                    minimum: 0,
                    type: 'number',
                  },
                  cacheReadUsdPerMTok: {
                    [Symbol.for('TypeBox.Kind')]: 'Number',
                    [Symbol.for('TypeBox.Optional')]: 'Optional',
                    minimum: 0,
                    type: 'number',
                  },
                  cacheWriteUsdPerMTok: {
                    [Symbol.for('TypeBox.Kind')]: 'Number',
                    [Symbol.for('TypeBox.Optional')]: 'Optional',
                    minimum: 0,
                    type: 'number',
                  },
                },
              },
            },
          },
          budgeted: {
            [Symbol.for('TypeBox.Kind')]: 'Boolean',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
            type: 'boolean',
          },
        },
      },
    },
    stop: {
      check: (() => {
        return function check(value) {
          return (
            typeof value === 'object' &&
            value !== null &&
            !Array.isArray(value) &&
            value['type'] === 'stop' &&
            Number.isInteger(value['graceMs']) &&
            value['graceMs'] >= 0 &&
            (value['reason'] !== undefined ? typeof value['reason'] === 'string' : true)
          );
        };
      })(),
      schema: {
        [Symbol.for('TypeBox.Kind')]: 'Object',
        type: 'object',
        required: ['type', 'graceMs'],
        properties: {
          type: { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'stop', type: 'string' },
          graceMs: { [Symbol.for('TypeBox.Kind')]: 'Integer', minimum: 0, type: 'integer' },
          reason: {
            [Symbol.for('TypeBox.Kind')]: 'String',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
            type: 'string',
          },
        },
      },
    },
    turn: {
      check: (() => {
        return function check(value) {
          return (
            typeof value === 'object' &&
            value !== null &&
            !Array.isArray(value) &&
            value['type'] === 'turn' &&
            typeof value['turnId'] === 'string' &&
            value['turnId'].length <= 128 &&
            value['turnId'].length >= 1 &&
            (value['input'] !== undefined ? true : true)
          );
        };
      })(),
      schema: {
        [Symbol.for('TypeBox.Kind')]: 'Object',
        type: 'object',
        required: ['type', 'turnId'],
        properties: {
          type: { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'turn', type: 'string' },
          turnId: {
            [Symbol.for('TypeBox.Kind')]: 'String',
            minLength: 1,
            maxLength: 128,
            type: 'string',
          },
          input: {
            [Symbol.for('TypeBox.Kind')]: 'Unknown',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
          },
        },
      },
    },
    turn_cancel: {
      check: (() => {
        return function check(value) {
          return (
            typeof value === 'object' &&
            value !== null &&
            !Array.isArray(value) &&
            value['type'] === 'turn_cancel' &&
            typeof value['turnId'] === 'string' &&
            value['turnId'].length <= 128 &&
            value['turnId'].length >= 1 &&
            (value['reason'] !== undefined ? typeof value['reason'] === 'string' : true)
          );
        };
      })(),
      schema: {
        [Symbol.for('TypeBox.Kind')]: 'Object',
        type: 'object',
        required: ['type', 'turnId'],
        properties: {
          type: { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'turn_cancel', type: 'string' },
          turnId: {
            [Symbol.for('TypeBox.Kind')]: 'String',
            minLength: 1,
            maxLength: 128,
            type: 'string',
          },
          reason: {
            [Symbol.for('TypeBox.Kind')]: 'String',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
            type: 'string',
          },
        },
      },
    },
    permission_response: {
      check: (() => {
        return function check(value) {
          return (
            typeof value === 'object' &&
            value !== null &&
            !Array.isArray(value) &&
            value['type'] === 'permission_response' &&
            typeof value['requestId'] === 'string' &&
            value['requestId'].length <= 128 &&
            value['requestId'].length >= 1 &&
            (value['decision'] === 'granted' || value['decision'] === 'denied') &&
            (value['reason'] !== undefined ? typeof value['reason'] === 'string' : true)
          );
        };
      })(),
      schema: {
        [Symbol.for('TypeBox.Kind')]: 'Object',
        type: 'object',
        required: ['type', 'requestId', 'decision'],
        properties: {
          type: {
            [Symbol.for('TypeBox.Kind')]: 'Literal',
            const: 'permission_response',
            type: 'string',
          },
          requestId: {
            [Symbol.for('TypeBox.Kind')]: 'String',
            minLength: 1,
            maxLength: 128,
            type: 'string',
          },
          decision: {
            [Symbol.for('TypeBox.Kind')]: 'Union',
            anyOf: [
              { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'granted', type: 'string' },
              { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'denied', type: 'string' },
            ],
          },
          reason: {
            [Symbol.for('TypeBox.Kind')]: 'String',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
            type: 'string',
          },
        },
      },
    },
    checkpoint_ack: {
      check: (() => {
        return function check(value) {
          return (
            typeof value === 'object' &&
            value !== null &&
            !Array.isArray(value) &&
            value['type'] === 'checkpoint_ack' &&
            typeof value['requestId'] === 'string' &&
            value['requestId'].length <= 128 &&
            value['requestId'].length >= 1 &&
            typeof value['ok'] === 'boolean' &&
            (value['seq'] !== undefined
              ? Number.isInteger(value['seq']) && value['seq'] >= 1
              : true) &&
            (value['savedAt'] !== undefined
              ? Number.isInteger(value['savedAt']) && value['savedAt'] >= 0
              : true) &&
            (value['error'] !== undefined
              ? typeof value['error'] === 'string' && value['error'].length <= 4096
              : true)
          );
        };
      })(),
      schema: {
        [Symbol.for('TypeBox.Kind')]: 'Object',
        type: 'object',
        required: ['type', 'requestId', 'ok'],
        properties: {
          type: {
            [Symbol.for('TypeBox.Kind')]: 'Literal',
            const: 'checkpoint_ack',
            type: 'string',
          },
          requestId: {
            [Symbol.for('TypeBox.Kind')]: 'String',
            minLength: 1,
            maxLength: 128,
            type: 'string',
          },
          ok: { [Symbol.for('TypeBox.Kind')]: 'Boolean', type: 'boolean' },
          seq: {
            [Symbol.for('TypeBox.Kind')]: 'Integer',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
            minimum: 1,
            type: 'integer',
          },
          savedAt: {
            [Symbol.for('TypeBox.Kind')]: 'Integer',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
            minimum: 0,
            type: 'integer',
          },
          error: {
            [Symbol.for('TypeBox.Kind')]: 'String',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
            maxLength: 4096,
            type: 'string',
          },
        },
      },
    },
    pause: {
      check: (() => {
        return function check(value) {
          return (
            typeof value === 'object' &&
            value !== null &&
            !Array.isArray(value) &&
            value['type'] === 'pause' &&
            typeof value['reason'] === 'string' &&
            value['reason'].length <= 1024
          );
        };
      })(),
      schema: {
        [Symbol.for('TypeBox.Kind')]: 'Object',
        type: 'object',
        required: ['type', 'reason'],
        properties: {
          type: { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'pause', type: 'string' },
          reason: { [Symbol.for('TypeBox.Kind')]: 'String', maxLength: 1024, type: 'string' },
        },
      },
    },
    resume: {
      check: (() => {
        return function check(value) {
          return (
            typeof value === 'object' &&
            value !== null &&
            !Array.isArray(value) &&
            value['type'] === 'resume'
          );
        };
      })(),
      schema: {
        [Symbol.for('TypeBox.Kind')]: 'Object',
        type: 'object',
        required: ['type'],
        properties: {
          type: { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'resume', type: 'string' },
        },
      },
    },
    store_result: {
      check: (() => {
        return function check(value) {
          return (
            typeof value === 'object' &&
            value !== null &&
            !Array.isArray(value) &&
            value['type'] === 'store_result' &&
            typeof value['requestId'] === 'string' &&
            value['requestId'].length <= 128 &&
            value['requestId'].length >= 1 &&
            typeof value['ok'] === 'boolean' &&
            (value['results'] !== undefined
              ? Array.isArray(value['results']) &&
                ((array) => {
                  for (const value of array)
                    if (!(
                      (typeof value === 'object' &&
                        value !== null &&
                        !Array.isArray(value) &&
                        value['op'] === 'put' &&
                        typeof value['written'] === 'boolean') ||
                      (typeof value === 'object' &&
                        value !== null &&
                        !Array.isArray(value) &&
                        value['op'] === 'get' &&
                        typeof value['found'] === 'boolean' &&
                        (value['value'] !== undefined ? true : true)) ||
                      (typeof value === 'object' &&
                        value !== null &&
                        !Array.isArray(value) &&
                        value['op'] === 'list' &&
                        Array.isArray(value['entries']) &&
                        ((array) => {
                          for (const value of array)
                            if (!(
                              typeof value === 'object' &&
                              value !== null &&
                              !Array.isArray(value) &&
                              typeof value['key'] === 'string' &&
                              value['key'].length <= 1024 &&
                              value['key'].length >= 1 &&
                              (value['value'] !== undefined ? true : true) &&
                              Number.isInteger(value['bytes']) &&
                              value['bytes'] >= 0
                            )) {
                              return false;
                            }
                          return true;
                        })(value['entries']) &&
                        typeof value['more'] === 'boolean') ||
                      (typeof value === 'object' &&
                        value !== null &&
                        !Array.isArray(value) &&
                        value['op'] === 'delete' &&
                        Number.isInteger(value['deleted']) &&
                        value['deleted'] >= 0)
                    )) {
                      return false;
                    }
                  return true;
                })(value['results'])
              : true) &&
            (value['usedBytes'] !== undefined
              ? Number.isInteger(value['usedBytes']) && value['usedBytes'] >= 0
              : true) &&
            (value['error'] !== undefined
              ? typeof value['error'] === 'string' && value['error'].length <= 4096
              : true)
          );
        };
      })(),
      schema: {
        [Symbol.for('TypeBox.Kind')]: 'Object',
        type: 'object',
        required: ['type', 'requestId', 'ok'],
        properties: {
          type: { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'store_result', type: 'string' },
          requestId: {
            [Symbol.for('TypeBox.Kind')]: 'String',
            minLength: 1,
            maxLength: 128,
            type: 'string',
          },
          ok: { [Symbol.for('TypeBox.Kind')]: 'Boolean', type: 'boolean' },
          results: {
            [Symbol.for('TypeBox.Kind')]: 'Array',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
            type: 'array',
            items: {
              [Symbol.for('TypeBox.Kind')]: 'Union',
              anyOf: [
                {
                  [Symbol.for('TypeBox.Kind')]: 'Object',
                  type: 'object',
                  required: ['op', 'written'],
                  properties: {
                    op: { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'put', type: 'string' },
                    written: { [Symbol.for('TypeBox.Kind')]: 'Boolean', type: 'boolean' },
                  },
                },
                {
                  [Symbol.for('TypeBox.Kind')]: 'Object',
                  type: 'object',
                  required: ['op', 'found'],
                  properties: {
                    op: { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'get', type: 'string' },
                    found: { [Symbol.for('TypeBox.Kind')]: 'Boolean', type: 'boolean' },
                    value: {
                      [Symbol.for('TypeBox.Kind')]: 'Unknown',
                      [Symbol.for('TypeBox.Optional')]: 'Optional',
                    },
                  },
                },
                {
                  [Symbol.for('TypeBox.Kind')]: 'Object',
                  type: 'object',
                  required: ['op', 'entries', 'more'],
                  properties: {
                    op: { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'list', type: 'string' },
                    entries: {
                      [Symbol.for('TypeBox.Kind')]: 'Array',
                      type: 'array',
                      items: {
                        [Symbol.for('TypeBox.Kind')]: 'Object',
                        type: 'object',
                        required: ['key', 'bytes'],
                        properties: {
                          key: {
                            [Symbol.for('TypeBox.Kind')]: 'String',
                            minLength: 1,
                            maxLength: 1024,
                            type: 'string',
                          },
                          value: {
                            [Symbol.for('TypeBox.Kind')]: 'Unknown',
                            [Symbol.for('TypeBox.Optional')]: 'Optional',
                          },
                          bytes: {
                            [Symbol.for('TypeBox.Kind')]: 'Integer',
                            minimum: 0,
                            type: 'integer',
                          },
                        },
                      },
                    },
                    more: { [Symbol.for('TypeBox.Kind')]: 'Boolean', type: 'boolean' },
                  },
                },
                {
                  [Symbol.for('TypeBox.Kind')]: 'Object',
                  type: 'object',
                  required: ['op', 'deleted'],
                  properties: {
                    op: {
                      [Symbol.for('TypeBox.Kind')]: 'Literal',
                      const: 'delete',
                      type: 'string',
                    },
                    deleted: {
                      [Symbol.for('TypeBox.Kind')]: 'Integer',
                      minimum: 0,
                      type: 'integer',
                    },
                  },
                },
              ],
            },
          },
          usedBytes: {
            [Symbol.for('TypeBox.Kind')]: 'Integer',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
            minimum: 0,
            type: 'integer',
          },
          error: {
            [Symbol.for('TypeBox.Kind')]: 'String',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
            maxLength: 4096,
            type: 'string',
          },
        },
      },
    },
    budget_state: {
      check: (() => {
        return function check(value) {
          return (
            typeof value === 'object' &&
            value !== null &&
            !Array.isArray(value) &&
            value['type'] === 'budget_state' &&
            typeof value['budgeted'] === 'boolean'
          );
        };
      })(),
      schema: {
        [Symbol.for('TypeBox.Kind')]: 'Object',
        type: 'object',
        required: ['type', 'budgeted'],
        properties: {
          type: { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'budget_state', type: 'string' },
          budgeted: { [Symbol.for('TypeBox.Kind')]: 'Boolean', type: 'boolean' },
        },
      },
    },
    usage_ack: {
      check: (() => {
        return function check(value) {
          return (
            typeof value === 'object' &&
            value !== null &&
            !Array.isArray(value) &&
            value['type'] === 'usage_ack' &&
            Number.isInteger(value['ack']) &&
            value['ack'] >= 1 &&
            (value['headroom'] !== undefined
              ? typeof value['headroom'] === 'object' &&
                value['headroom'] !== null &&
                !Array.isArray(value['headroom']) &&
                (value['headroom']['costUsd'] !== undefined
                  ? Number.isFinite(value['headroom']['costUsd']) &&
                    value['headroom']['costUsd'] >= 0
                  : true) &&
                (value['headroom']['tokens'] !== undefined
                  ? Number.isInteger(value['headroom']['tokens']) &&
                    value['headroom']['tokens'] >= 0
                  : true)
              : true)
          );
        };
      })(),
      schema: {
        [Symbol.for('TypeBox.Kind')]: 'Object',
        type: 'object',
        required: ['type', 'ack'],
        properties: {
          type: { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'usage_ack', type: 'string' },
          ack: { [Symbol.for('TypeBox.Kind')]: 'Integer', minimum: 1, type: 'integer' },
          headroom: {
            [Symbol.for('TypeBox.Kind')]: 'Object',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
            type: 'object',
            properties: {
              costUsd: {
                [Symbol.for('TypeBox.Kind')]: 'Number',
                [Symbol.for('TypeBox.Optional')]: 'Optional',
                minimum: 0,
                type: 'number',
              },
              tokens: {
                [Symbol.for('TypeBox.Kind')]: 'Integer',
                [Symbol.for('TypeBox.Optional')]: 'Optional',
                minimum: 0,
                type: 'integer',
              },
            },
          },
        },
      },
    },
  }))();

/** The check of every message a supervisor receives, by `type`, in declaration order. */
export const RUNNER_MESSAGE_CHECKS: Readonly<Record<string, MessageCheck>> =
  /* @__PURE__ */ (() => ({
    ready: {
      check: (() => {
        return function check(value) {
          return (
            typeof value === 'object' &&
            value !== null &&
            !Array.isArray(value) &&
            value['type'] === 'ready' &&
            Number.isInteger(value['protocolVersion']) &&
            value['protocolVersion'] >= 1 &&
            (value['codec'] === 'jsonl' || value['codec'] === 'msgpack') &&
            (value['pid'] !== undefined
              ? Number.isInteger(value['pid']) && value['pid'] >= 1
              : true) &&
            (value['capabilities'] !== undefined
              ? typeof value['capabilities'] === 'object' &&
                value['capabilities'] !== null &&
                !Array.isArray(value['capabilities']) &&
                (value['capabilities']['steps'] !== undefined
                  ? typeof value['capabilities']['steps'] === 'boolean'
                  : true) &&
                (value['capabilities']['turns'] !== undefined
                  ? typeof value['capabilities']['turns'] === 'boolean'
                  : true) &&
                (value['capabilities']['setup'] !== undefined
                  ? typeof value['capabilities']['setup'] === 'boolean'
                  : true) &&
                (value['capabilities']['checkpoints'] !== undefined
                  ? typeof value['capabilities']['checkpoints'] === 'boolean'
                  : true) &&
                (value['capabilities']['pause'] !== undefined
                  ? typeof value['capabilities']['pause'] === 'boolean'
                  : true) &&
                (value['capabilities']['retryTurns'] !== undefined
                  ? typeof value['capabilities']['retryTurns'] === 'boolean'
                  : true) &&
                (value['capabilities']['usageAcks'] !== undefined
                  ? typeof value['capabilities']['usageAcks'] === 'boolean'
                  : true)
              : true)
          );
        };
      })(),
      schema: {
        [Symbol.for('TypeBox.Kind')]: 'Object',
        type: 'object',
        required: ['type', 'protocolVersion', 'codec'],
        properties: {
          type: { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'ready', type: 'string' },
          protocolVersion: { [Symbol.for('TypeBox.Kind')]: 'Integer', minimum: 1, type: 'integer' },
          codec: {
            [Symbol.for('TypeBox.Kind')]: 'Union',
            anyOf: [
              { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'jsonl', type: 'string' },
              { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'msgpack', type: 'string' },
            ],
          },
          pid: {
            [Symbol.for('TypeBox.Kind')]: 'Integer',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
            minimum: 1,
            type: 'integer',
          },
          capabilities: {
            [Symbol.for('TypeBox.Kind')]: 'Object',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
            type: 'object',
            properties: {
              steps: {
                [Symbol.for('TypeBox.Kind')]: 'Boolean',
                [Symbol.for('TypeBox.Optional')]: 'Optional',
                type: 'boolean',
              },
              turns: {
                [Symbol.for('TypeBox.Kind')]: 'Boolean',
                [Symbol.for('TypeBox.Optional')]: 'Optional',
                type: 'boolean',
              },
              setup: {
                [Symbol.for('TypeBox.Kind')]: 'Boolean',
                [Symbol.for('TypeBox.Optional')]: 'Optional',
                type: 'boolean',
              },
              checkpoints: {
                [Symbol.for('TypeBox.Kind')]: 'Boolean',
                [Symbol.for('TypeBox.Optional')]: 'Optional',
                type: 'boolean',
              },
              pause: {
                [Symbol.for('TypeBox.Kind')]: 'Boolean',
                [Symbol.for('TypeBox.Optional')]: 'Optional',
                type: 'boolean',
              },
              retryTurns: {
                [Symbol.for('TypeBox.Kind')]: 'Boolean',
                [Symbol.for('TypeBox.Optional')]: 'Optional',
                type: 'boolean',
              },
              usageAcks: {
                [Symbol.for('TypeBox.Kind')]: 'Boolean',
                [Symbol.for('TypeBox.Optional')]: 'Optional',
                type: 'boolean',
              },
            },
          },
        },
      },
    },
    heartbeat: {
      check: (() => {
        return function check(value) {
          return (
            typeof value === 'object' &&
            value !== null &&
            !Array.isArray(value) &&
            value['type'] === 'heartbeat' &&
            Number.isInteger(value['at']) &&
            value['at'] >= 0
          );
        };
      })(),
      schema: {
        [Symbol.for('TypeBox.Kind')]: 'Object',
        type: 'object',
        required: ['type', 'at'],
        properties: {
          type: { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'heartbeat', type: 'string' },
          at: { [Symbol.for('TypeBox.Kind')]: 'Integer', minimum: 0, type: 'integer' },
        },
      },
    },
    iteration_start: {
      check: (() => {
        return function check(value) {
          return (
            typeof value === 'object' &&
            value !== null &&
            !Array.isArray(value) &&
            value['type'] === 'iteration_start' &&
            Number.isInteger(value['iteration']) &&
            value['iteration'] >= 1 &&
            Number.isInteger(value['startedAt']) &&
            value['startedAt'] >= 0
          );
        };
      })(),
      schema: {
        [Symbol.for('TypeBox.Kind')]: 'Object',
        type: 'object',
        required: ['type', 'iteration', 'startedAt'],
        properties: {
          type: {
            [Symbol.for('TypeBox.Kind')]: 'Literal',
            const: 'iteration_start',
            type: 'string',
          },
          iteration: { [Symbol.for('TypeBox.Kind')]: 'Integer', minimum: 1, type: 'integer' },
          startedAt: { [Symbol.for('TypeBox.Kind')]: 'Integer', minimum: 0, type: 'integer' },
        },
      },
    },
    iteration_done: {
      check: (() => {
        return function check(value) {
          return (
            typeof value === 'object' &&
            value !== null &&
            !Array.isArray(value) &&
            value['type'] === 'iteration_done' &&
            Number.isInteger(value['iteration']) &&
            value['iteration'] >= 1 &&
            (value['status'] === 'ok' || value['status'] === 'error') &&
            Number.isInteger(value['durationMs']) &&
            value['durationMs'] >= 0 &&
            (value['summary'] !== undefined
              ? typeof value['summary'] === 'string' && value['summary'].length <= 65536
              : true) &&
            (value['error'] !== undefined
              ? typeof value['error'] === 'string' && value['error'].length <= 65536
              : true) &&
            (value['errorDetail'] !== undefined
              ? typeof value['errorDetail'] === 'object' &&
                value['errorDetail'] !== null &&
                !Array.isArray(value['errorDetail']) &&
                typeof value['errorDetail']['name'] === 'string' &&
                value['errorDetail']['name'].length <= 256 &&
                typeof value['errorDetail']['message'] === 'string' &&
                value['errorDetail']['message'].length <= 65536 &&
                (value['errorDetail']['stack'] !== undefined
                  ? typeof value['errorDetail']['stack'] === 'string' &&
                    value['errorDetail']['stack'].length <= 16384
                  : true) &&
                (value['errorDetail']['code'] !== undefined
                  ? typeof value['errorDetail']['code'] === 'string' &&
                    value['errorDetail']['code'].length <= 256
                  : true) &&
                (value['errorDetail']['config'] !== undefined
                  ? typeof value['errorDetail']['config'] === 'boolean'
                  : true)
              : true) &&
            (value['usage'] !== undefined
              ? typeof value['usage'] === 'object' &&
                value['usage'] !== null &&
                !Array.isArray(value['usage']) &&
                (value['usage']['inputTokens'] !== undefined
                  ? Number.isInteger(value['usage']['inputTokens']) &&
                    value['usage']['inputTokens'] >= 0
                  : true) &&
                (value['usage']['outputTokens'] !== undefined
                  ? Number.isInteger(value['usage']['outputTokens']) &&
                    value['usage']['outputTokens'] >= 0
                  : true) &&
                (value['usage']['costUsd'] !== undefined
                  ? Number.isFinite(value['usage']['costUsd']) && value['usage']['costUsd'] >= 0
                  : true)
              : true)
          );
        };
      })(),
      schema: {
        [Symbol.for('TypeBox.Kind')]: 'Object',
        type: 'object',
        required: ['type', 'iteration', 'status', 'durationMs'],
        properties: {
          type: {
            [Symbol.for('TypeBox.Kind')]: 'Literal',
            const: 'iteration_done',
            type: 'string',
          },
          iteration: { [Symbol.for('TypeBox.Kind')]: 'Integer', minimum: 1, type: 'integer' },
          status: {
            [Symbol.for('TypeBox.Kind')]: 'Union',
            anyOf: [
              { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'ok', type: 'string' },
              { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'error', type: 'string' },
            ],
          },
          durationMs: { [Symbol.for('TypeBox.Kind')]: 'Integer', minimum: 0, type: 'integer' },
          summary: {
            [Symbol.for('TypeBox.Kind')]: 'String',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
            maxLength: 65536,
            type: 'string',
          },
          error: {
            [Symbol.for('TypeBox.Kind')]: 'String',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
            maxLength: 65536,
            type: 'string',
          },
          errorDetail: {
            [Symbol.for('TypeBox.Kind')]: 'Object',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
            type: 'object',
            required: ['name', 'message'],
            properties: {
              name: { [Symbol.for('TypeBox.Kind')]: 'String', maxLength: 256, type: 'string' },
              message: { [Symbol.for('TypeBox.Kind')]: 'String', maxLength: 65536, type: 'string' },
              stack: {
                [Symbol.for('TypeBox.Kind')]: 'String',
                [Symbol.for('TypeBox.Optional')]: 'Optional',
                maxLength: 16384,
                type: 'string',
              },
              code: {
                [Symbol.for('TypeBox.Kind')]: 'String',
                [Symbol.for('TypeBox.Optional')]: 'Optional',
                maxLength: 256,
                type: 'string',
              },
              config: {
                [Symbol.for('TypeBox.Kind')]: 'Boolean',
                [Symbol.for('TypeBox.Optional')]: 'Optional',
                type: 'boolean',
              },
            },
          },
          usage: {
            [Symbol.for('TypeBox.Kind')]: 'Object',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
            type: 'object',
            properties: {
              inputTokens: {
                [Symbol.for('TypeBox.Kind')]: 'Integer',
                [Symbol.for('TypeBox.Optional')]: 'Optional',
                minimum: 0,
                type: 'integer',
              },
              outputTokens: {
                [Symbol.for('TypeBox.Kind')]: 'Integer',
                [Symbol.for('TypeBox.Optional')]: 'Optional',
                minimum: 0,
                type: 'integer',
              },
              costUsd: {
                [Symbol.for('TypeBox.Kind')]: 'Number',
                [Symbol.for('TypeBox.Optional')]: 'Optional',
                minimum: 0,
                type: 'number',
              },
            },
          },
        },
      },
    },
    log: {
      check: (() => {
        return function check(value) {
          return (
            typeof value === 'object' &&
            value !== null &&
            !Array.isArray(value) &&
            value['type'] === 'log' &&
            (value['level'] === 'debug' ||
              value['level'] === 'info' ||
              value['level'] === 'warn' ||
              value['level'] === 'error') &&
            typeof value['message'] === 'string' &&
            value['message'].length <= 65536
          );
        };
      })(),
      schema: {
        [Symbol.for('TypeBox.Kind')]: 'Object',
        type: 'object',
        required: ['type', 'level', 'message'],
        properties: {
          type: { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'log', type: 'string' },
          level: {
            [Symbol.for('TypeBox.Kind')]: 'Union',
            anyOf: [
              { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'debug', type: 'string' },
              { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'info', type: 'string' },
              { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'warn', type: 'string' },
              { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'error', type: 'string' },
            ],
          },
          message: { [Symbol.for('TypeBox.Kind')]: 'String', maxLength: 65536, type: 'string' },
        },
      },
    },
    notify: {
      check: (() => {
        return function check(value) {
          return (
            typeof value === 'object' &&
            value !== null &&
            !Array.isArray(value) &&
            value['type'] === 'notify' &&
            (value['payload'] !== undefined ? true : true)
          );
        };
      })(),
      schema: {
        [Symbol.for('TypeBox.Kind')]: 'Object',
        type: 'object',
        required: ['type'],
        properties: {
          type: { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'notify', type: 'string' },
          payload: {
            [Symbol.for('TypeBox.Kind')]: 'Unknown',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
          },
        },
      },
    },
    error: {
      check: (() => {
        return function check(value) {
          return (
            typeof value === 'object' &&
            value !== null &&
            !Array.isArray(value) &&
            value['type'] === 'error' &&
            typeof value['message'] === 'string' &&
            (value['code'] !== undefined ? typeof value['code'] === 'string' : true) &&
            typeof value['fatal'] === 'boolean'
          );
        };
      })(),
      schema: {
        [Symbol.for('TypeBox.Kind')]: 'Object',
        type: 'object',
        required: ['type', 'message', 'fatal'],
        properties: {
          type: { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'error', type: 'string' },
          message: { [Symbol.for('TypeBox.Kind')]: 'String', type: 'string' },
          code: {
            [Symbol.for('TypeBox.Kind')]: 'String',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
            type: 'string',
          },
          fatal: { [Symbol.for('TypeBox.Kind')]: 'Boolean', type: 'boolean' },
        },
      },
    },
    exit: {
      check: (() => {
        return function check(value) {
          return (
            typeof value === 'object' &&
            value !== null &&
            !Array.isArray(value) &&
            value['type'] === 'exit' &&
            (value['reason'] === 'done' ||
              value['reason'] === 'max_iterations' ||
              value['reason'] === 'stopped' ||
              value['reason'] === 'error') &&
            Number.isInteger(value['iterations']) &&
            value['iterations'] >= 0 &&
            (value['summary'] !== undefined
              ? typeof value['summary'] === 'string' && value['summary'].length <= 65536
              : true)
          );
        };
      })(),
      schema: {
        [Symbol.for('TypeBox.Kind')]: 'Object',
        type: 'object',
        required: ['type', 'reason', 'iterations'],
        properties: {
          type: { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'exit', type: 'string' },
          reason: {
            [Symbol.for('TypeBox.Kind')]: 'Union',
            anyOf: [
              { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'done', type: 'string' },
              { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'max_iterations', type: 'string' },
              { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'stopped', type: 'string' },
              { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'error', type: 'string' },
            ],
          },
          iterations: { [Symbol.for('TypeBox.Kind')]: 'Integer', minimum: 0, type: 'integer' },
          summary: {
            [Symbol.for('TypeBox.Kind')]: 'String',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
            maxLength: 65536,
            type: 'string',
          },
        },
      },
    },
    turn_result: {
      check: (() => {
        return function check(value) {
          return (
            typeof value === 'object' &&
            value !== null &&
            !Array.isArray(value) &&
            value['type'] === 'turn_result' &&
            typeof value['turnId'] === 'string' &&
            value['turnId'].length <= 128 &&
            value['turnId'].length >= 1 &&
            (value['status'] === 'ok' ||
              value['status'] === 'error' ||
              value['status'] === 'cancelled') &&
            (value['output'] !== undefined ? true : true) &&
            (value['error'] !== undefined
              ? typeof value['error'] === 'string' && value['error'].length <= 65536
              : true) &&
            Number.isInteger(value['durationMs']) &&
            value['durationMs'] >= 0 &&
            (value['errorDetail'] !== undefined
              ? typeof value['errorDetail'] === 'object' &&
                value['errorDetail'] !== null &&
                !Array.isArray(value['errorDetail']) &&
                typeof value['errorDetail']['name'] === 'string' &&
                value['errorDetail']['name'].length <= 256 &&
                typeof value['errorDetail']['message'] === 'string' &&
                value['errorDetail']['message'].length <= 65536 &&
                (value['errorDetail']['stack'] !== undefined
                  ? typeof value['errorDetail']['stack'] === 'string' &&
                    value['errorDetail']['stack'].length <= 16384
                  : true) &&
                (value['errorDetail']['code'] !== undefined
                  ? typeof value['errorDetail']['code'] === 'string' &&
                    value['errorDetail']['code'].length <= 256
                  : true) &&
                (value['errorDetail']['config'] !== undefined
                  ? typeof value['errorDetail']['config'] === 'boolean'
                  : true)
              : true) &&
            (value['usage'] !== undefined
              ? typeof value['usage'] === 'object' &&
                value['usage'] !== null &&
                !Array.isArray(value['usage']) &&
                (value['usage']['inputTokens'] !== undefined
                  ? Number.isInteger(value['usage']['inputTokens']) &&
                    value['usage']['inputTokens'] >= 0
                  : true) &&
                (value['usage']['outputTokens'] !== undefined
                  ? Number.isInteger(value['usage']['outputTokens']) &&
                    value['usage']['outputTokens'] >= 0
                  : true) &&
                (value['usage']['costUsd'] !== undefined
                  ? Number.isFinite(value['usage']['costUsd']) && value['usage']['costUsd'] >= 0
                  : true) &&
                (value['usage']['counted'] !== undefined
                  ? typeof value['usage']['counted'] === 'boolean'
                  : true) &&
                (value['usage']['models'] !== undefined
                  ? Array.isArray(value['usage']['models']) &&
                    value['usage']['models'].length <= 64 &&
                    ((array) => {
                      for (const value of array)
                        if (!(
                          typeof value === 'object' &&
                          value !== null &&
                          !Array.isArray(value) &&
                          (value['model'] !== undefined
                            ? typeof value['model'] === 'string' &&
                              value['model'].length <= 256 &&
                              value['model'].length >= 1
                            : true) &&
                          (value['inputTokens'] !== undefined
                            ? Number.isInteger(value['inputTokens']) && value['inputTokens'] >= 0
                            : true) &&
                          (value['outputTokens'] !== undefined
                            ? Number.isInteger(value['outputTokens']) && value['outputTokens'] >= 0
                            : true) &&
                          (value['costUsd'] !== undefined
                            ? Number.isFinite(value['costUsd']) && value['costUsd'] >= 0
                            : true)
                        )) {
                          return false;
                        }
                      return true;
                    })(value['usage']['models'])
                  : true)
              : true)
          );
        };
      })(),
      schema: {
        [Symbol.for('TypeBox.Kind')]: 'Object',
        type: 'object',
        required: ['type', 'turnId', 'status', 'durationMs'],
        properties: {
          type: { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'turn_result', type: 'string' },
          turnId: {
            [Symbol.for('TypeBox.Kind')]: 'String',
            minLength: 1,
            maxLength: 128,
            type: 'string',
          },
          status: {
            [Symbol.for('TypeBox.Kind')]: 'Union',
            anyOf: [
              { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'ok', type: 'string' },
              { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'error', type: 'string' },
              { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'cancelled', type: 'string' },
            ],
          },
          output: {
            [Symbol.for('TypeBox.Kind')]: 'Unknown',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
          },
          error: {
            [Symbol.for('TypeBox.Kind')]: 'String',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
            maxLength: 65536,
            type: 'string',
          },
          durationMs: { [Symbol.for('TypeBox.Kind')]: 'Integer', minimum: 0, type: 'integer' },
          errorDetail: {
            [Symbol.for('TypeBox.Kind')]: 'Object',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
            type: 'object',
            required: ['name', 'message'],
            properties: {
              name: { [Symbol.for('TypeBox.Kind')]: 'String', maxLength: 256, type: 'string' },
              message: { [Symbol.for('TypeBox.Kind')]: 'String', maxLength: 65536, type: 'string' },
              stack: {
                [Symbol.for('TypeBox.Kind')]: 'String',
                [Symbol.for('TypeBox.Optional')]: 'Optional',
                maxLength: 16384,
                type: 'string',
              },
              code: {
                [Symbol.for('TypeBox.Kind')]: 'String',
                [Symbol.for('TypeBox.Optional')]: 'Optional',
                maxLength: 256,
                type: 'string',
              },
              config: {
                [Symbol.for('TypeBox.Kind')]: 'Boolean',
                [Symbol.for('TypeBox.Optional')]: 'Optional',
                type: 'boolean',
              },
            },
          },
          usage: {
            [Symbol.for('TypeBox.Kind')]: 'Object',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
            type: 'object',
            properties: {
              inputTokens: {
                [Symbol.for('TypeBox.Kind')]: 'Integer',
                [Symbol.for('TypeBox.Optional')]: 'Optional',
                minimum: 0,
                type: 'integer',
              },
              outputTokens: {
                [Symbol.for('TypeBox.Kind')]: 'Integer',
                [Symbol.for('TypeBox.Optional')]: 'Optional',
                minimum: 0,
                type: 'integer',
              },
              costUsd: {
                [Symbol.for('TypeBox.Kind')]: 'Number',
                [Symbol.for('TypeBox.Optional')]: 'Optional',
                minimum: 0,
                type: 'number',
              },
              counted: {
                [Symbol.for('TypeBox.Kind')]: 'Boolean',
                [Symbol.for('TypeBox.Optional')]: 'Optional',
                type: 'boolean',
              },
              models: {
                [Symbol.for('TypeBox.Kind')]: 'Array',
                [Symbol.for('TypeBox.Optional')]: 'Optional',
                maxItems: 64,
                type: 'array',
                items: {
                  [Symbol.for('TypeBox.Kind')]: 'Object',
                  type: 'object',
                  properties: {
                    model: {
                      [Symbol.for('TypeBox.Kind')]: 'String',
                      [Symbol.for('TypeBox.Optional')]: 'Optional',
                      minLength: 1,
                      maxLength: 256,
                      type: 'string',
                    },
                    inputTokens: {
                      [Symbol.for('TypeBox.Kind')]: 'Integer',
                      [Symbol.for('TypeBox.Optional')]: 'Optional',
                      minimum: 0,
                      type: 'integer',
                    },
                    outputTokens: {
                      [Symbol.for('TypeBox.Kind')]: 'Integer',
                      [Symbol.for('TypeBox.Optional')]: 'Optional',
                      minimum: 0,
                      type: 'integer',
                    },
                    costUsd: {
                      [Symbol.for('TypeBox.Kind')]: 'Number',
                      [Symbol.for('TypeBox.Optional')]: 'Optional',
                      minimum: 0,
                      type: 'number',
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
    permission_request: {
      check: (() => {
        return function check(value) {
          return (
            typeof value === 'object' &&
            value !== null &&
            !Array.isArray(value) &&
            value['type'] === 'permission_request' &&
            typeof value['requestId'] === 'string' &&
            value['requestId'].length <= 128 &&
            value['requestId'].length >= 1 &&
            typeof value['tool'] === 'string' &&
            value['tool'].length <= 256 &&
            value['tool'].length >= 1 &&
            (value['input'] !== undefined ? true : true) &&
            (value['rationale'] !== undefined
              ? typeof value['rationale'] === 'string' && value['rationale'].length <= 65536
              : true)
          );
        };
      })(),
      schema: {
        [Symbol.for('TypeBox.Kind')]: 'Object',
        type: 'object',
        required: ['type', 'requestId', 'tool'],
        properties: {
          type: {
            [Symbol.for('TypeBox.Kind')]: 'Literal',
            const: 'permission_request',
            type: 'string',
          },
          requestId: {
            [Symbol.for('TypeBox.Kind')]: 'String',
            minLength: 1,
            maxLength: 128,
            type: 'string',
          },
          tool: {
            [Symbol.for('TypeBox.Kind')]: 'String',
            minLength: 1,
            maxLength: 256,
            type: 'string',
          },
          input: {
            [Symbol.for('TypeBox.Kind')]: 'Unknown',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
          },
          rationale: {
            [Symbol.for('TypeBox.Kind')]: 'String',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
            maxLength: 65536,
            type: 'string',
          },
        },
      },
    },
    permission_cancel: {
      check: (() => {
        return function check(value) {
          return (
            typeof value === 'object' &&
            value !== null &&
            !Array.isArray(value) &&
            value['type'] === 'permission_cancel' &&
            typeof value['requestId'] === 'string' &&
            value['requestId'].length <= 128 &&
            value['requestId'].length >= 1 &&
            (value['reason'] !== undefined
              ? typeof value['reason'] === 'string' && value['reason'].length <= 65536
              : true)
          );
        };
      })(),
      schema: {
        [Symbol.for('TypeBox.Kind')]: 'Object',
        type: 'object',
        required: ['type', 'requestId'],
        properties: {
          type: {
            [Symbol.for('TypeBox.Kind')]: 'Literal',
            const: 'permission_cancel',
            type: 'string',
          },
          requestId: {
            [Symbol.for('TypeBox.Kind')]: 'String',
            minLength: 1,
            maxLength: 128,
            type: 'string',
          },
          reason: {
            [Symbol.for('TypeBox.Kind')]: 'String',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
            maxLength: 65536,
            type: 'string',
          },
        },
      },
    },
    setup_done: {
      check: (() => {
        return function check(value) {
          return (
            typeof value === 'object' &&
            value !== null &&
            !Array.isArray(value) &&
            value['type'] === 'setup_done' &&
            typeof value['ok'] === 'boolean' &&
            (value['error'] !== undefined
              ? typeof value['error'] === 'object' &&
                value['error'] !== null &&
                !Array.isArray(value['error']) &&
                typeof value['error']['name'] === 'string' &&
                value['error']['name'].length <= 256 &&
                typeof value['error']['message'] === 'string' &&
                value['error']['message'].length <= 65536 &&
                (value['error']['stack'] !== undefined
                  ? typeof value['error']['stack'] === 'string' &&
                    value['error']['stack'].length <= 16384
                  : true) &&
                (value['error']['code'] !== undefined
                  ? typeof value['error']['code'] === 'string' &&
                    value['error']['code'].length <= 256
                  : true) &&
                (value['error']['config'] !== undefined
                  ? typeof value['error']['config'] === 'boolean'
                  : true)
              : true)
          );
        };
      })(),
      schema: {
        [Symbol.for('TypeBox.Kind')]: 'Object',
        type: 'object',
        required: ['type', 'ok'],
        properties: {
          type: { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'setup_done', type: 'string' },
          ok: { [Symbol.for('TypeBox.Kind')]: 'Boolean', type: 'boolean' },
          error: {
            [Symbol.for('TypeBox.Kind')]: 'Object',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
            type: 'object',
            required: ['name', 'message'],
            properties: {
              name: { [Symbol.for('TypeBox.Kind')]: 'String', maxLength: 256, type: 'string' },
              message: { [Symbol.for('TypeBox.Kind')]: 'String', maxLength: 65536, type: 'string' },
              stack: {
                [Symbol.for('TypeBox.Kind')]: 'String',
                [Symbol.for('TypeBox.Optional')]: 'Optional',
                maxLength: 16384,
                type: 'string',
              },
              code: {
                [Symbol.for('TypeBox.Kind')]: 'String',
                [Symbol.for('TypeBox.Optional')]: 'Optional',
                maxLength: 256,
                type: 'string',
              },
              config: {
                [Symbol.for('TypeBox.Kind')]: 'Boolean',
                [Symbol.for('TypeBox.Optional')]: 'Optional',
                type: 'boolean',
              },
            },
          },
        },
      },
    },
    checkpoint: {
      check: (() => {
        return function check(value) {
          return (
            typeof value === 'object' &&
            value !== null &&
            !Array.isArray(value) &&
            value['type'] === 'checkpoint' &&
            typeof value['requestId'] === 'string' &&
            value['requestId'].length <= 128 &&
            value['requestId'].length >= 1 &&
            true &&
            'state' in value &&
            (value['iteration'] !== undefined
              ? Number.isInteger(value['iteration']) && value['iteration'] >= 0
              : true)
          );
        };
      })(),
      schema: {
        [Symbol.for('TypeBox.Kind')]: 'Object',
        type: 'object',
        required: ['type', 'requestId', 'state'],
        properties: {
          type: { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'checkpoint', type: 'string' },
          requestId: {
            [Symbol.for('TypeBox.Kind')]: 'String',
            minLength: 1,
            maxLength: 128,
            type: 'string',
          },
          state: { [Symbol.for('TypeBox.Kind')]: 'Unknown' },
          iteration: {
            [Symbol.for('TypeBox.Kind')]: 'Integer',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
            minimum: 0,
            type: 'integer',
          },
        },
      },
    },
    usage: {
      check: (() => {
        return function check(value) {
          return (
            typeof value === 'object' &&
            value !== null &&
            !Array.isArray(value) &&
            value['type'] === 'usage' &&
            (value['inputTokens'] !== undefined
              ? Number.isInteger(value['inputTokens']) && value['inputTokens'] >= 0
              : true) &&
            (value['outputTokens'] !== undefined
              ? Number.isInteger(value['outputTokens']) && value['outputTokens'] >= 0
              : true) &&
            (value['costUsd'] !== undefined
              ? Number.isFinite(value['costUsd']) && value['costUsd'] >= 0
              : true) &&
            (value['model'] !== undefined
              ? typeof value['model'] === 'string' &&
                value['model'].length <= 256 &&
                value['model'].length >= 1
              : true) &&
            (value['ack'] !== undefined
              ? Number.isInteger(value['ack']) && value['ack'] >= 1
              : true) &&
            (value['turnId'] !== undefined
              ? typeof value['turnId'] === 'string' &&
                value['turnId'].length <= 128 &&
                value['turnId'].length >= 1
              : true)
          );
        };
      })(),
      schema: {
        [Symbol.for('TypeBox.Kind')]: 'Object',
        type: 'object',
        required: ['type'],
        properties: {
          type: { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'usage', type: 'string' },
          inputTokens: {
            [Symbol.for('TypeBox.Kind')]: 'Integer',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
            minimum: 0,
            type: 'integer',
          },
          outputTokens: {
            [Symbol.for('TypeBox.Kind')]: 'Integer',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
            minimum: 0,
            type: 'integer',
          },
          costUsd: {
            [Symbol.for('TypeBox.Kind')]: 'Number',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
            minimum: 0,
            type: 'number',
          },
          model: {
            [Symbol.for('TypeBox.Kind')]: 'String',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
            minLength: 1,
            maxLength: 256,
            type: 'string',
          },
          ack: {
            [Symbol.for('TypeBox.Kind')]: 'Integer',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
            minimum: 1,
            type: 'integer',
          },
          turnId: {
            [Symbol.for('TypeBox.Kind')]: 'String',
            [Symbol.for('TypeBox.Optional')]: 'Optional',
            minLength: 1,
            maxLength: 128,
            type: 'string',
          },
        },
      },
    },
    store: {
      check: (() => {
        return function check(value) {
          return (
            typeof value === 'object' &&
            value !== null &&
            !Array.isArray(value) &&
            value['type'] === 'store' &&
            typeof value['requestId'] === 'string' &&
            value['requestId'].length <= 128 &&
            value['requestId'].length >= 1 &&
            Array.isArray(value['ops']) &&
            value['ops'].length <= 1000 &&
            value['ops'].length >= 1 &&
            ((array) => {
              for (const value of array)
                if (!(
                  (typeof value === 'object' &&
                    value !== null &&
                    !Array.isArray(value) &&
                    value['op'] === 'put' &&
                    typeof value['ns'] === 'string' &&
                    value['ns'].length <= 256 &&
                    value['ns'].length >= 1 &&
                    typeof value['key'] === 'string' &&
                    value['key'].length <= 1024 &&
                    value['key'].length >= 1 &&
                    true &&
                    'value' in value &&
                    (value['ifAbsent'] !== undefined
                      ? typeof value['ifAbsent'] === 'boolean'
                      : true)) ||
                  (typeof value === 'object' &&
                    value !== null &&
                    !Array.isArray(value) &&
                    value['op'] === 'get' &&
                    typeof value['ns'] === 'string' &&
                    value['ns'].length <= 256 &&
                    value['ns'].length >= 1 &&
                    typeof value['key'] === 'string' &&
                    value['key'].length <= 1024 &&
                    value['key'].length >= 1) ||
                  (typeof value === 'object' &&
                    value !== null &&
                    !Array.isArray(value) &&
                    value['op'] === 'list' &&
                    typeof value['ns'] === 'string' &&
                    value['ns'].length <= 256 &&
                    value['ns'].length >= 1 &&
                    (value['prefix'] !== undefined
                      ? typeof value['prefix'] === 'string' && value['prefix'].length <= 1024
                      : true) &&
                    (value['after'] !== undefined
                      ? typeof value['after'] === 'string' && value['after'].length <= 1024
                      : true) &&
                    (value['before'] !== undefined
                      ? typeof value['before'] === 'string' && value['before'].length <= 1024
                      : true) &&
                    (value['reverse'] !== undefined
                      ? typeof value['reverse'] === 'boolean'
                      : true) &&
                    (value['limit'] !== undefined
                      ? Number.isInteger(value['limit']) &&
                        value['limit'] <= 1000 &&
                        value['limit'] >= 1
                      : true) &&
                    (value['keysOnly'] !== undefined
                      ? typeof value['keysOnly'] === 'boolean'
                      : true)) ||
                  (typeof value === 'object' &&
                    value !== null &&
                    !Array.isArray(value) &&
                    value['op'] === 'delete' &&
                    typeof value['ns'] === 'string' &&
                    value['ns'].length <= 256 &&
                    value['ns'].length >= 1 &&
                    (value['key'] !== undefined
                      ? typeof value['key'] === 'string' &&
                        value['key'].length <= 1024 &&
                        value['key'].length >= 1
                      : true) &&
                    (value['prefix'] !== undefined
                      ? typeof value['prefix'] === 'string' && value['prefix'].length <= 1024
                      : true))
                )) {
                  return false;
                }
              return true;
            })(value['ops'])
          );
        };
      })(),
      schema: {
        [Symbol.for('TypeBox.Kind')]: 'Object',
        type: 'object',
        required: ['type', 'requestId', 'ops'],
        properties: {
          type: { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'store', type: 'string' },
          requestId: {
            [Symbol.for('TypeBox.Kind')]: 'String',
            minLength: 1,
            maxLength: 128,
            type: 'string',
          },
          ops: {
            [Symbol.for('TypeBox.Kind')]: 'Array',
            minItems: 1,
            maxItems: 1000,
            type: 'array',
            items: {
              [Symbol.for('TypeBox.Kind')]: 'Union',
              anyOf: [
                {
                  [Symbol.for('TypeBox.Kind')]: 'Object',
                  type: 'object',
                  required: ['op', 'ns', 'key', 'value'],
                  properties: {
                    op: { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'put', type: 'string' },
                    ns: {
                      [Symbol.for('TypeBox.Kind')]: 'String',
                      minLength: 1,
                      maxLength: 256,
                      type: 'string',
                    },
                    key: {
                      [Symbol.for('TypeBox.Kind')]: 'String',
                      minLength: 1,
                      maxLength: 1024,
                      type: 'string',
                    },
                    value: { [Symbol.for('TypeBox.Kind')]: 'Unknown' },
                    ifAbsent: {
                      [Symbol.for('TypeBox.Kind')]: 'Boolean',
                      [Symbol.for('TypeBox.Optional')]: 'Optional',
                      type: 'boolean',
                    },
                  },
                },
                {
                  [Symbol.for('TypeBox.Kind')]: 'Object',
                  type: 'object',
                  required: ['op', 'ns', 'key'],
                  properties: {
                    op: { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'get', type: 'string' },
                    ns: {
                      [Symbol.for('TypeBox.Kind')]: 'String',
                      minLength: 1,
                      maxLength: 256,
                      type: 'string',
                    },
                    key: {
                      [Symbol.for('TypeBox.Kind')]: 'String',
                      minLength: 1,
                      maxLength: 1024,
                      type: 'string',
                    },
                  },
                },
                {
                  [Symbol.for('TypeBox.Kind')]: 'Object',
                  type: 'object',
                  required: ['op', 'ns'],
                  properties: {
                    op: { [Symbol.for('TypeBox.Kind')]: 'Literal', const: 'list', type: 'string' },
                    ns: {
                      [Symbol.for('TypeBox.Kind')]: 'String',
                      minLength: 1,
                      maxLength: 256,
                      type: 'string',
                    },
                    prefix: {
                      [Symbol.for('TypeBox.Kind')]: 'String',
                      [Symbol.for('TypeBox.Optional')]: 'Optional',
                      maxLength: 1024,
                      type: 'string',
                    },
                    after: {
                      [Symbol.for('TypeBox.Kind')]: 'String',
                      [Symbol.for('TypeBox.Optional')]: 'Optional',
                      maxLength: 1024,
                      type: 'string',
                    },
                    before: {
                      [Symbol.for('TypeBox.Kind')]: 'String',
                      [Symbol.for('TypeBox.Optional')]: 'Optional',
                      maxLength: 1024,
                      type: 'string',
                    },
                    reverse: {
                      [Symbol.for('TypeBox.Kind')]: 'Boolean',
                      [Symbol.for('TypeBox.Optional')]: 'Optional',
                      type: 'boolean',
                    },
                    limit: {
                      [Symbol.for('TypeBox.Kind')]: 'Integer',
                      [Symbol.for('TypeBox.Optional')]: 'Optional',
                      minimum: 1,
                      maximum: 1000,
                      type: 'integer',
                    },
                    keysOnly: {
                      [Symbol.for('TypeBox.Kind')]: 'Boolean',
                      [Symbol.for('TypeBox.Optional')]: 'Optional',
                      type: 'boolean',
                    },
                  },
                },
                {
                  [Symbol.for('TypeBox.Kind')]: 'Object',
                  type: 'object',
                  required: ['op', 'ns'],
                  properties: {
                    op: {
                      [Symbol.for('TypeBox.Kind')]: 'Literal',
                      const: 'delete',
                      type: 'string',
                    },
                    ns: {
                      [Symbol.for('TypeBox.Kind')]: 'String',
                      minLength: 1,
                      maxLength: 256,
                      type: 'string',
                    },
                    key: {
                      [Symbol.for('TypeBox.Kind')]: 'String',
                      [Symbol.for('TypeBox.Optional')]: 'Optional',
                      minLength: 1,
                      maxLength: 1024,
                      type: 'string',
                    },
                    prefix: {
                      [Symbol.for('TypeBox.Kind')]: 'String',
                      [Symbol.for('TypeBox.Optional')]: 'Optional',
                      maxLength: 1024,
                      type: 'string',
                    },
                  },
                },
              ],
            },
          },
        },
      },
    },
  }))();
