/**
 * The {@code baton} launcher, {@link io.baton.examples.cli.BatonCli}: the example applications'
 * commands (kv, counter, fleet, demo) on picocli, mounted with the operator tools of {@code
 * io.baton.cli}.
 */
package io.baton.examples.cli;
