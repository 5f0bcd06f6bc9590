declare namespace App {
  interface Locals {
    /** Put there by `sealedSession(store)` in src/middleware.ts. */
    session: import('sealed-session/astro').SessionOf<typeof import('./session').store>;
  }
}
