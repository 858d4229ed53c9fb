// Types of build-vectors.mjs, for the tests that import it.
export type Direction = 'supervisor_to_runner' | 'runner_to_supervisor';
export type CodecName = 'jsonl' | 'msgpack';
export interface ValidVector {
  name: string;
  direction: Direction;
  message: { type: string } & Record<string, unknown>;
  /** Hex of one complete frame. */
  jsonl: string;
  msgpack: string;
  equivalents?: { codec: CodecName; note: string; frame: string }[];
}
export type ExpectedEvent =
  { frame: unknown } | { error: { code: string; frame: number; offset: number } };
export interface FrameVector {
  name: string;
  codec: CodecName;
  maxFrameBytes?: number;
  input: string;
  chunks?: number[];
  expect: ExpectedEvent[];
}
export interface MessageVector {
  name: string;
  direction: Direction;
  value: unknown;
  path: string;
}
export interface VectorDocument<V> {
  description: string;
  generatedBy: string;
  protocolVersion: number;
  vectors: V[];
}
export interface VectorDocuments {
  valid: VectorDocument<ValidVector>;
  invalidFrames: VectorDocument<FrameVector>;
  invalidMessages: VectorDocument<MessageVector>;
}
export declare const VECTOR_FILES: { [K in keyof VectorDocuments]: string };
export declare function buildVectors(ipc: object): VectorDocuments;
export declare function renderVectorFile(document: object): string;
