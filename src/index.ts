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
 * @document ../docs/redis.md
 * @document ../docs/backends.md
 * @packageDocumentation
 */
export { SessionError, isSessionError } from './errors';
export type { SessionErrorCode, UnsealErrorCode, SchemaIssue, SizeReport, SessionErrorDetails, SessionErrorDetailsByCode, DetailsOf } from './errors';
export { sealData, unsealData } from './seal/index';
export type { SealOptions, UnsealOptions } from './seal/index';
export { createKeyRing } from './seal/keys';
export type { KeyRing, Keys, KeyDefinition, KeyRingOptions, Secret } from './seal/keys';
export type { EngineChoice } from './seal/engine';
export { CookieSessionStore } from './adapters/store';
export type { HandleSession } from './adapters/store';
export type { InferState } from './session/store';
export type { NodeRequestLike, NodeResponseLike, RequestLike, ResponseLike, HeadersLike, CookieStoreLike, CookieSetOptions } from './adapters/types';
export type { Session, SessionStatus, DeepReadonly, OptionalKeys } from './session/session';
export type { CookieSessionStoreOptions, FlashState, InvalidReason, InvalidSessionEvent, SessionWarning, SessionInfo, SchemaState } from './session/options';
export type { LegacyReader, LegacyCookie, LegacyOpenResult } from './session/legacy';
export type { SessionBackend, StoredSession, NewSession, SessionChange, RenewedSession, WriteResult } from './session/backend';
export type { SpillOptions, ConflictPolicy } from './session/backed';
export type { StandardSchemaV1, StandardResult, Json, JsonObject } from './session/schema';
export type { CookieOptions, SameSite } from './cookie/options';
