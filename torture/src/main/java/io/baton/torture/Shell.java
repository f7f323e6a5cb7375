package io.baton.torture;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs short system commands (ip, iptables, tc, kill) and captures their output. */
final class Shell {
  private Shell() {}

  /**
   * What a command did.
   *
   * @param exitCode its exit status, or -1 if it had to be killed after the timeout
   * @param output its standard output and error, merged
   */
  record Result(int exitCode, String output) {
    boolean ok() {
      return exitCode == 0;
    }
  }

  /** Runs {@code command} for at most 20 s. Never throws for a non-zero exit status. */
  static Result run(List<String> command) {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      return new Result(127, "cannot run " + command.get(0) + ": " + e.getMessage());
    }
    try (InputStream in = p.getInputStream()) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Result(-1, out.toString(StandardCharsets.UTF_8) + "(timed out)");
      }
      return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8).strip());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      return new Result(-1, "interrupted");
    }
  }

  /** Runs {@code command} and throws, with its output, if it fails. */
  static String check(String... command) {
    Result r = run(List.of(command));
    if (!r.ok()) {
      throw new IllegalStateException(
          String.join(" ", command) + " failed (exit " + r.exitCode() + "): " + r.output());
    }
    return r.output();
  }

  /** Runs {@code command}, ignoring failure (for cleanup of things that may not exist). */
  static Result quiet(String... command) {
    return run(List.of(command));
  }

  /** Whether {@code program} can be run (found on PATH). */
  static boolean available(String program) {
    String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    for (String dir : path.split(":", -1)) {
      if (new java.io.File(dir, program).canExecute()) {
        return true;
      }
    }
    return new java.io.File("/usr/sbin", program).canExecute()
        || new java.io.File("/sbin", program).canExecute();
  }
}
