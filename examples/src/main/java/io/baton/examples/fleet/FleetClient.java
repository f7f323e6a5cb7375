package io.baton.examples.fleet;

import io.baton.BatonClient;
import io.baton.CommandRejectedException;
import io.baton.ReadConsistency;
import io.baton.examples.fleet.proto.AckAlert;
import io.baton.examples.fleet.proto.Area;
import io.baton.examples.fleet.proto.DefineGeofence;
import io.baton.examples.fleet.proto.FleetCommand;
import io.baton.examples.fleet.proto.FleetQuery;
import io.baton.examples.fleet.proto.FleetReply;
import io.baton.examples.fleet.proto.InArea;
import io.baton.examples.fleet.proto.PendingAlerts;
import io.baton.examples.fleet.proto.RemoveGeofence;
import io.baton.examples.fleet.proto.ReportPosition;
import io.baton.examples.fleet.proto.Where;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A typed client for a cluster running {@link FleetStateMachine}.
 *
 * <p>Every method blocks and fails as the underlying {@link BatonClient} does: a write that throws
 * {@link io.baton.CommandTimeoutException} may or may not have been applied. Reads are linearizable
 * unless a {@link ReadConsistency} is given. Thread-safe. Does not own the {@code BatonClient}:
 * close that yourself.
 */
public final class FleetClient {
  private final BatonClient client;

  /** A client sending its commands and queries through {@code client}. */
  public FleetClient(BatonClient client) {
    this.client = Objects.requireNonNull(client, "client");
  }

  /**
   * Reports that {@code vehicleId} was at ({@code lat}, {@code lon}) at {@code reportedAt}.
   *
   * @throws CommandRejectedException if the id, the coordinates or the time are invalid
   */
  public ReportResult report(String vehicleId, double lat, double lon, Instant reportedAt) {
    FleetReply reply =
        submit(
            FleetCommand.newBuilder()
                .setReport(
                    ReportPosition.newBuilder()
                        .setVehicleId(vehicleId)
                        .setLat(lat)
                        .setLon(lon)
                        .setReportedAtMillis(reportedAt.toEpochMilli()))
                .build());
    return new ReportResult(
        reply.getOk(), reply.getEnteredList(), reply.getAlertId(), reply.getError());
  }

  /** Where {@code vehicleId} last was, if it ever reported. */
  public Optional<VehiclePosition> where(String vehicleId) {
    return where(vehicleId, ReadConsistency.LINEARIZABLE);
  }

  /** Where {@code vehicleId} last was, read with {@code consistency}. */
  public Optional<VehiclePosition> where(String vehicleId, ReadConsistency consistency) {
    FleetReply reply =
        query(
            FleetQuery.newBuilder().setWhere(Where.newBuilder().setVehicleId(vehicleId)).build(),
            consistency);
    return reply.getFound()
        ? Optional.of(VehiclePosition.from(reply.getPosition()))
        : Optional.empty();
  }

  /**
   * The vehicles whose last position lies in the box with corners ({@code lat1}, {@code lon1}) and
   * ({@code lat2}, {@code lon2}), edges included, in no particular order.
   *
   * @param limit the most vehicles to return, 1 to {@value FleetStateMachine#MAX_LIMIT}
   */
  public List<VehiclePosition> inArea(
      double lat1, double lon1, double lat2, double lon2, int limit) {
    checkLimit(limit);
    FleetReply reply =
        query(
            FleetQuery.newBuilder()
                .setInArea(
                    InArea.newBuilder().setArea(area(lat1, lon1, lat2, lon2)).setLimit(limit))
                .build(),
            ReadConsistency.LINEARIZABLE);
    return reply.getPositionsList().stream().map(VehiclePosition::from).toList();
  }

  /**
   * Creates or replaces the geofence {@code name}: the box with corners ({@code lat1}, {@code
   * lon1}) and ({@code lat2}, {@code lon2}).
   *
   * @return whether a geofence of that name existed and was replaced
   */
  public boolean defineGeofence(String name, double lat1, double lon1, double lat2, double lon2) {
    return submit(
            FleetCommand.newBuilder()
                .setDefineGeofence(
                    DefineGeofence.newBuilder().setName(name).setArea(area(lat1, lon1, lat2, lon2)))
                .build())
        .getFound();
  }

  /**
   * Removes the geofence {@code name}.
   *
   * @return whether it existed
   */
  public boolean removeGeofence(String name) {
    return submit(
            FleetCommand.newBuilder()
                .setRemoveGeofence(RemoveGeofence.newBuilder().setName(name))
                .build())
        .getFound();
  }

  /**
   * The oldest pending alerts, oldest first, read linearizably.
   *
   * @param limit the most alerts to return, 1 to {@value FleetStateMachine#MAX_LIMIT}
   */
  public List<Alert> pendingAlerts(int limit) {
    checkLimit(limit);
    FleetReply reply =
        query(
            FleetQuery.newBuilder()
                .setPendingAlerts(PendingAlerts.newBuilder().setLimit(limit))
                .build(),
            ReadConsistency.LINEARIZABLE);
    return reply.getAlertsList().stream().map(Alert::from).toList();
  }

  /**
   * Acknowledges alert {@code alertId}, deleting it. Idempotent.
   *
   * @return whether it was still pending
   */
  public boolean ack(long alertId) {
    return submit(
            FleetCommand.newBuilder()
                .setAckAlert(AckAlert.newBuilder().setAlertId(alertId))
                .build())
        .getFound();
  }

  private static Area area(double lat1, double lon1, double lat2, double lon2) {
    return Area.newBuilder()
        .setMinLat(Math.min(lat1, lat2))
        .setMaxLat(Math.max(lat1, lat2))
        .setMinLon(Math.min(lon1, lon2))
        .setMaxLon(Math.max(lon1, lon2))
        .build();
  }

  private static void checkLimit(int limit) {
    if (limit < 1 || limit > FleetStateMachine.MAX_LIMIT) {
      throw new IllegalArgumentException(
          "limit (" + limit + ") must be 1 to " + FleetStateMachine.MAX_LIMIT);
    }
  }

  private FleetReply submit(FleetCommand command) {
    FleetReply reply = FleetStateMachine.REPLIES.decode(client.submit(command.toByteArray()));
    if (!reply.getOk() && !command.hasReport()) {
      // Only a report can be refused by the state machine as a business outcome; anything else
      // not applied means a leader of another version refused it.
      throw new CommandRejectedException(reply.getError());
    }
    return reply;
  }

  private FleetReply query(FleetQuery query, ReadConsistency consistency) {
    return FleetStateMachine.REPLIES.decode(client.query(query.toByteArray(), consistency));
  }
}
