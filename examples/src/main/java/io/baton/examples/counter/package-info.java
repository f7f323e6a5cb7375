/**
 * The smallest Baton application: a replicated counter, {@link
 * io.baton.examples.counter.CounterStateMachine}.
 */
package io.baton.examples.counter;
