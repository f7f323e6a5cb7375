/**
 * The unplanned-failover demonstration behind {@code baton demo}, {@link
 * io.baton.examples.demo.FailoverDemo}.
 */
package io.baton.examples.demo;
