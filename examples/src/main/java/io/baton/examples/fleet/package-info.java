/**
 * Vehicle telematics: positions with a grid index for area queries, geofences, and alerts
 * dispatched by whichever node leads ({@link io.baton.examples.fleet.GeofenceAlertDispatcher}), the
 * example of a leader-only duty that moves on failover.
 */
package io.baton.examples.fleet;
