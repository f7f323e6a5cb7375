/**
 * Baton's operator command line on picocli: {@code baton node} ({@link io.baton.cli.NodeCommand}),
 * {@code baton admin} ({@link io.baton.cli.AdminCommand}), the shared options, status rendering and
 * exit statuses ({@link io.baton.cli.BatonCommandLine}). Launchers add their own commands.
 */
package io.baton.cli;
