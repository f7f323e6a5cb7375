package io.baton.examples.cli;

import io.baton.BatonClient;
import io.baton.cli.BatonCommandLine;
import io.baton.cli.ClientOptions;
import io.baton.examples.fleet.Alert;
import io.baton.examples.fleet.FleetClient;
import io.baton.examples.fleet.FleetStateMachine;
import io.baton.examples.fleet.ReportResult;
import io.baton.examples.fleet.VehiclePosition;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.function.BiConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code baton fleet}: reports and finds vehicles and defines geofences on a running fleet cluster,
 * one subcommand each. Coordinates may be negative: a number is an argument, not an option.
 */
@Command(name = "fleet", description = "Reports and finds vehicles, defines geofences.")
final class FleetCommand {
  @Spec private CommandSpec spec;

  /** {@code --limit N} of the operations that list. */
  static final class Limit {
    @Option(
        names = "--limit",
        paramLabel = "N",
        defaultValue = "100",
        description = "the most to print, 1-10000 (default ${DEFAULT-VALUE})")
    long limit;

    int check(CommandSpec command) {
      return (int)
          BatonCommandLine.checkRange(command, "--limit", limit, 1, FleetStateMachine.MAX_LIMIT);
    }
  }

  @Command(name = "report", description = "Reports VEHICLE's position, timestamped now (or --at).")
  int report(
      @Parameters(paramLabel = "VEHICLE") String vehicle,
      @Parameters(paramLabel = "LAT") double lat,
      @Parameters(paramLabel = "LON") double lon,
      @Option(names = "--at", paramLabel = "EPOCH_MILLIS", description = "when it was taken")
          Long at,
      @Mixin ClientOptions client) {
    long millis =
        at == null
            ? System.currentTimeMillis()
            : BatonCommandLine.checkRange(
                spec.subcommands().get("report").getCommandSpec(), "--at", at, 0, Long.MAX_VALUE);
    return with(
        client,
        (fleet, out) -> {
          ReportResult r = fleet.report(vehicle, lat, lon, Instant.ofEpochMilli(millis));
          if (!r.stored()) {
            out.println("not stored: " + r.reason());
          } else if (r.entered().isEmpty()) {
            out.println("stored");
          } else {
            out.println(
                "stored; entered "
                    + String.join(", ", r.entered())
                    + " (alert "
                    + r.alertId()
                    + ")");
          }
        });
  }

  @Command(name = "where", description = "Prints VEHICLE's last position.")
  int where(@Parameters(paramLabel = "VEHICLE") String vehicle, @Mixin ClientOptions client) {
    return with(
        client,
        (fleet, out) ->
            out.println(fleet.where(vehicle).map(FleetCommand::format).orElse("(not found)")));
  }

  @Command(name = "area", description = "Lists the vehicles in the box with these corners.")
  int area(
      @Parameters(paramLabel = "LAT1") double lat1,
      @Parameters(paramLabel = "LON1") double lon1,
      @Parameters(paramLabel = "LAT2") double lat2,
      @Parameters(paramLabel = "LON2") double lon2,
      @Mixin Limit limit,
      @Mixin ClientOptions client) {
    int max = limit.check(spec.subcommands().get("area").getCommandSpec());
    return with(
        client,
        (fleet, out) -> {
          List<VehiclePosition> in = fleet.inArea(lat1, lon1, lat2, lon2, max);
          in.forEach(v -> out.println(format(v)));
          out.println(in.size() + (in.size() == 1 ? " vehicle" : " vehicles"));
        });
  }

  @Command(
      name = "geofence",
      description =
          "Defines (or replaces) a geofence; a vehicle entering it raises an alert that the"
              + " leader dispatches.")
  int geofence(
      @Parameters(paramLabel = "NAME") String name,
      @Parameters(paramLabel = "LAT1") double lat1,
      @Parameters(paramLabel = "LON1") double lon1,
      @Parameters(paramLabel = "LAT2") double lat2,
      @Parameters(paramLabel = "LON2") double lon2,
      @Mixin ClientOptions client) {
    return with(
        client,
        (fleet, out) -> {
          boolean replaced = fleet.defineGeofence(name, lat1, lon1, lat2, lon2);
          out.println("geofence " + name + (replaced ? " replaced" : " defined"));
        });
  }

  @Command(name = "alerts", description = "Lists the alerts not yet dispatched.")
  int alerts(@Mixin Limit limit, @Mixin ClientOptions client) {
    int max = limit.check(spec.subcommands().get("alerts").getCommandSpec());
    return with(
        client,
        (fleet, out) -> {
          List<Alert> alerts = fleet.pendingAlerts(max);
          for (Alert a : alerts) {
            out.printf(
                "alert %d: %s entered %s at %s, %s (%s)%n",
                a.id(),
                a.vehicleId(),
                String.join(", ", a.geofences()),
                a.lat(),
                a.lon(),
                a.reportedAt());
          }
          out.println(alerts.size() + " pending");
        });
  }

  private int with(ClientOptions client, BiConsumer<FleetClient, PrintWriter> operation) {
    try (BatonClient c = client.newClient()) {
      operation.accept(new FleetClient(c), spec.commandLine().getOut());
    }
    return BatonCommandLine.OK;
  }

  private static String format(VehiclePosition v) {
    return v.vehicleId() + " at " + v.lat() + ", " + v.lon() + " (reported " + v.reportedAt() + ")";
  }
}
