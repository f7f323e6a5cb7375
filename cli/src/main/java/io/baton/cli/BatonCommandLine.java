package io.baton.cli;

import io.baton.BatonException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Assembles and configures a {@code baton} command line on picocli: the operator tools ({@code
 * node}, {@code admin}, {@code help}, {@code generate-completion}) around a launcher's own
 * commands, and the exit statuses and error messages every Baton command shares.
 *
 * <p>Exit status: {@value #OK} when the command did what was asked, {@value #FAILED} on an
 * operational failure (a {@link BatonException}: the cluster could not be reached in time, a
 * command was rejected), {@value #USAGE} on bad usage, with a message naming the bad option or
 * argument and a pointer to the command's {@code --help}.
 */
public final class BatonCommandLine {
  /** The command did what was asked. */
  public static final int OK = 0;

  /** An operational failure: see the message. */
  public static final int FAILED = 1;

  /** Bad usage: the message names the option or argument. */
  public static final int USAGE = 2;

  private BatonCommandLine() {}

  /**
   * A command line for {@code root} with {@code baton node} running {@code apps}, then {@code
   * appCommands}, then {@code admin}, {@code help} and {@code generate-completion}, configured by
   * {@link #configure}.
   *
   * @param root the top-level command; give it {@code mixinStandardHelpOptions} and {@link
   *     BatonVersion} with {@code scope = INHERIT}, so every subcommand has {@code --help} and
   *     {@code --version}
   * @param apps the applications {@code baton node --app NAME} can run, by name
   */
  public static CommandLine create(
      Object root,
      Map<String, NodeApp> apps,
      List<Object> appCommands,
      PrintStream out,
      PrintStream err) {
    CommandLine cl = new CommandLine(root);
    CommandLine node = new CommandLine(new NodeCommand(apps));
    List<String> footer = new ArrayList<>(List.of(node.getCommandSpec().usageMessage().footer()));
    footer.add("%nApplications (--app): " + String.join(", ", new TreeSet<>(apps.keySet())));
    node.getCommandSpec().usageMessage().footer(footer.toArray(new String[0]));
    cl.addSubcommand(node);
    appCommands.forEach(cl::addSubcommand);
    cl.addSubcommand(new AdminCommand());
    cl.addSubcommand(new CommandLine.HelpCommand());
    CommandLine completion = new CommandLine(new AutoComplete.GenerateCompletion());
    completion.getCommandSpec().usageMessage().hidden(false);
    cl.addSubcommand(completion);
    return configure(cl, out, err);
  }

  /**
   * Sets Baton's conventions on {@code cl} and every subcommand it has now: output to {@code out}
   * and {@code err}, enum values in any case, usage errors as exit {@value #USAGE} with a message,
   * and a {@link BatonException} as exit {@value #FAILED} with its message.
   */
  public static CommandLine configure(CommandLine cl, PrintStream out, PrintStream err) {
    cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
    cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setParameterExceptionHandler(BatonCommandLine::usageError);
    cl.setExecutionExceptionHandler(
        (e, failed, parseResult) -> {
          if (!(e instanceof BatonException)) {
            throw e;
          }
          failed.getErr().println(failed.getCommandSpec().qualifiedName() + ": " + e.getMessage());
          return FAILED;
        });
    return cl;
  }

  private static int usageError(ParameterException e, String[] args) {
    CommandLine failed = e.getCommandLine();
    PrintWriter err = failed.getErr();
    String name = failed.getCommandSpec().qualifiedName();
    err.println(name + ": " + e.getMessage());
    UnmatchedArgumentException.printSuggestions(e, err);
    err.println("Run '" + name + " --help' for usage.");
    return USAGE;
  }

  /**
   * Runs {@code parse}, turning the {@link IllegalArgumentException} or {@link
   * IllegalStateException} it throws into a usage error naming {@code option} of {@code spec}'s
   * command.
   */
  public static <T> T checkOption(CommandSpec spec, String option, Supplier<T> parse) {
    try {
      return parse.get();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new ParameterException(spec.commandLine(), "option " + option + ": " + e.getMessage());
    }
  }

  /** Checks that {@code option}'s {@code value} is in [min, max], as a usage error otherwise. */
  public static long checkRange(CommandSpec spec, String option, long value, long min, long max) {
    if (value < min || value > max) {
      throw new ParameterException(
          spec.commandLine(),
          "option " + option + ": " + value + " is out of range " + min + " to " + max);
    }
    return value;
  }
}
