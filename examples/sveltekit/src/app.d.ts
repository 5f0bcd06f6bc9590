import type { SessionOf } from 'sealed-session/sveltekit';
import type { store } from '#lib/server/session.ts';

declare global {
  namespace App {
    interface Locals {
      /** Put there by `sealedSession(store)` in hooks.server.ts. */
      session: SessionOf<typeof store>;
    }
  }
}

export {};
