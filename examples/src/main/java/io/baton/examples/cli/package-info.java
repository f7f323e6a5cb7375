/** The {@code baton} command-line launcher, {@link io.baton.examples.cli.BatonCli}. */
package io.baton.examples.cli;
