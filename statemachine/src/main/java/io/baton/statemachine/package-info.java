/**
 * The contract applications implement to be replicated by Baton: {@link
 * io.baton.statemachine.StateMachine}, the state it reads and writes, and role notifications. This
 * package depends on nothing but the JDK.
 */
package io.baton.statemachine;
