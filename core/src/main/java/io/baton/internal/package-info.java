/**
 * Helpers shared inside Baton (preconditions, deadlines, waiting). <b>Not API</b>: these types are
 * public only so that Baton's own modules can use them; they may change or disappear in any release
 * without notice. Applications use {@link io.baton} and {@link io.baton.statemachine}.
 */
package io.baton.internal;
