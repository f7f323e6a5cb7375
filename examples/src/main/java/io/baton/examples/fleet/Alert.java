package io.baton.examples.fleet;

import io.baton.examples.fleet.proto.StoredAlert;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A pending geofence alert: a position report moved {@code vehicleId} into {@code geofences}.
 *
 * @param id the alert's id, the command id of the report that raised it: the same on every replica
 * @param vehicleId the vehicle
 * @param geofences the geofences it entered, by name
 * @param lat the reported latitude
 * @param lon the reported longitude
 * @param reportedAt when the vehicle reported the position, by the reporting client's clock
 */
public record Alert(
    long id, String vehicleId, List<String> geofences, double lat, double lon, Instant reportedAt) {
  public Alert {
    Objects.requireNonNull(vehicleId, "vehicleId");
    geofences = List.copyOf(geofences);
    Objects.requireNonNull(reportedAt, "reportedAt");
  }

  static Alert from(StoredAlert a) {
    return new Alert(
        a.getId(),
        a.getVehicleId(),
        a.getGeofencesList(),
        a.getLat(),
        a.getLon(),
        Instant.ofEpochMilli(a.getReportedAtMillis()));
  }
}
