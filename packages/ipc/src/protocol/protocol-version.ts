/**
 * Version of runner protocol v1 described in `schema.ts`. A peer with another version is
 * refused at the handshake. In a module of its own so that a bundled runner reads it without
 * evaluating the TypeBox schema.
 */
export const PROTOCOL_VERSION = 1;
