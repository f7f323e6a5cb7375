package io.baton.torture;

import java.io.PrintStream;
import java.util.List;

/**
 * The soak command line: {@code java -jar torture/target/torture.jar [options]}, or {@code ./baton
 * torture [options]}. {@code --help} lists the options. Exit status: 0 when every check passed, 1
 * when one failed (the report says which), 2 on bad usage.
 */
public final class TortureMain {
  private TortureMain() {}

  public static void main(String[] args) {
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      // The harness's own Ratis clients log every redirect at INFO; only warnings matter here.
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
    System.exit(run(List.of(args), System.out, System.err));
  }

  static int run(List<String> args, PrintStream out, PrintStream err) {
    TortureOptions options;
    try {
      options = TortureOptions.parse(args);
    } catch (UsageException e) {
      err.println("baton torture: " + e.getMessage());
      err.println("Run 'baton torture --help' for usage.");
      return 2;
    }
    if (options == null) {
      out.print(TortureOptions.USAGE);
      return 0;
    }
    if (System.getProperty("org.slf4j.simpleLogger.logFile") == null) {
      // The harness's own Ratis clients log leader redirects as errors: keep them out of the
      // console, in the report directory.
      System.setProperty(
          "org.slf4j.simpleLogger.logFile", options.out().resolve("harness.log").toString());
    }
    RunResult result = TortureRun.run(options, out);
    out.println();
    out.println(
        "torture: "
            + (result.passed() ? "PASS" : "FAIL")
            + "; report: "
            + result.reportDir().resolve("report.txt"));
    return result.passed() ? 0 : 1;
  }
}
