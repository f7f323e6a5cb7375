package io.baton.examples.fleet;

import java.util.List;
import java.util.Objects;

/**
 * What a position report did.
 *
 * @param stored whether the position was stored; {@code false} if it was older than the stored one
 * @param entered the geofences the vehicle entered with this report, empty if none
 * @param alertId the id of the alert raised for {@code entered}, or 0 if none was raised
 * @param reason why the report was not stored, or empty
 */
public record ReportResult(boolean stored, List<String> entered, long alertId, String reason) {
  public ReportResult {
    entered = List.copyOf(entered);
    Objects.requireNonNull(reason, "reason");
  }
}
