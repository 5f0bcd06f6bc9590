/**
 * sealed-session: stateless, encrypted, typed cookie sessions.
 *
 * Start with {@link CookieSessionStore}; the guides cover each runtime and
 * the operational side.
 *
 * @document ../docs/nextjs.md
 * @document ../docs/node-express.md
 * @document ../docs/key-rotation.md
 * @document ../docs/ttl.md
 * @document ../docs/migrate-from-iron-session.md
 * @document ../docs/security.md
 * @packageDocumentation
 */
export { SessionError, isSessionError } from './errors';
export type { SessionErrorCode, UnsealErrorCode, SchemaIssue, SizeReport, SessionErrorDetails } from './errors';
export { sealData, unsealData } from './seal/index';
export type { SealOptions, UnsealOptions } from './seal/index';
export { createKeyRing, KeyRing } from './seal/keys';
export type { Keys, KeyDefinition, KeyRingOptions, Secret } from './seal/keys';
export type { EngineChoice, CryptoEngine } from './seal/engine';
export { CookieSessionStore } from './adapters/store';
export type { HandleSession } from './adapters/store';
export { SessionStore } from './session/store';
export type { StateOf } from './session/store';
export type { NodeRequestLike, NodeResponseLike, RequestLike, ResponseLike, HeadersLike, CookieStoreLike, CookieSetOptions } from './adapters/types';
export { Session } from './session/session';
export type { SessionStatus, DeepReadonly, OptionalKeys } from './session/session';
export type {
  CookieSessionStoreOptions,
  InvalidReason,
  InvalidSessionEvent,
  SessionInfo,
  InferState,
} from './session/options';
export type { StandardSchemaV1, StandardResult, Json, JsonObject } from './session/schema';
export type { CookieOptions, SameSite } from './cookie/options';
