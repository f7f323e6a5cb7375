/** The {@code baton admin} operations, one command class each, over {@link io.baton.BatonAdmin}. */
package io.baton.cli.admin;
