package io.baton.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * {@code --version}: Baton's version, which Maven writes into {@code version.properties} at build
 * time (so it is right in tests and in every jar, shaded or not), and the JVM running it.
 */
public final class BatonVersion implements IVersionProvider {
  /** Baton's version, such as {@code 0.1.0}. */
  public static String version() {
    Properties p = new Properties();
    try (InputStream in = BatonVersion.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        return "unknown";
      }
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p.getProperty("version", "unknown");
  }

  @Override
  public String[] getVersion() {
    return new String[] {
      "baton " + version(),
      "JVM " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"
    };
  }
}
