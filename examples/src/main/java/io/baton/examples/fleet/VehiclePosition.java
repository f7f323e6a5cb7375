package io.baton.examples.fleet;

import io.baton.examples.fleet.proto.Position;
import java.time.Instant;
import java.util.Objects;

/**
 * A vehicle's last stored position.
 *
 * @param vehicleId the vehicle
 * @param lat latitude in degrees
 * @param lon longitude in degrees
 * @param reportedAt when the vehicle reported it, by the reporting client's clock
 */
public record VehiclePosition(String vehicleId, double lat, double lon, Instant reportedAt) {
  public VehiclePosition {
    Objects.requireNonNull(vehicleId, "vehicleId");
    Objects.requireNonNull(reportedAt, "reportedAt");
  }

  static VehiclePosition from(Position p) {
    return new VehiclePosition(
        p.getVehicleId(), p.getLat(), p.getLon(), Instant.ofEpochMilli(p.getReportedAtMillis()));
  }
}
