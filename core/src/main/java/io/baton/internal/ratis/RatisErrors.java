package io.baton.internal.ratis;

import java.net.BindException;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;
import org.apache.ratis.grpc.GrpcUtil;
import org.apache.ratis.protocol.exceptions.GroupMismatchException;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.LeaderSteppingDownException;
import org.apache.ratis.protocol.exceptions.ReadIndexException;
import org.apache.ratis.protocol.exceptions.ReconfigurationInProgressException;
import org.apache.ratis.protocol.exceptions.SetConfigurationException;
import org.apache.ratis.protocol.exceptions.TransferLeadershipException;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.apache.ratis.thirdparty.io.grpc.StatusException;
import org.apache.ratis.thirdparty.io.grpc.StatusRuntimeException;

/*
 * Why one class.
 *
 * Ratis reports most failures by exception type, but some only in words: the outcome of a
 * leadership transfer (TransferLeadership.Result.Type) is printed into the message of a
 * TransferLeadershipException, a compare-and-set configuration change that lost its race is a
 * SetConfigurationException like any other, and Netty's native (epoll) transport, Ratis's default,
 * reports a port in use as a plain IOException. Group-info requests are not unwrapped by Ratis's
 * gRPC client at all: they fail with the raw gRPC StatusRuntimeException, which carries the server's
 * exception in its trailers. Each question Baton asks about a Ratis error is answered here, by type
 * wherever Ratis gives one and by message only where it gives none, so that a Ratis upgrade that
 * changes any of it breaks this class and its test (RatisErrorsTest), and nothing else.
 */
/** Classifies the exceptions Ratis and its gRPC transport raise, for Baton's decisions. Not API. */
final class RatisErrors {
  private RatisErrors() {}

  /**
   * Whether {@code t} says the node asked runs no member of the requested group. Ratis raises a
   * {@link GroupMismatchException} ("... not found."); over a group-info request it arrives inside
   * the gRPC status's trailers, which {@link GrpcUtil#unwrapThrowable} restores.
   */
  static boolean isGroupNotFound(Throwable t) {
    return t instanceof GroupMismatchException
        || (t instanceof StatusRuntimeException
            && GrpcUtil.unwrapThrowable(t) instanceof GroupMismatchException);
  }

  /**
   * Whether {@code t} itself (not its causes) says the node could not be reached: gRPC's
   * UNAVAILABLE status, or the refused connection beneath it.
   */
  static boolean isUnreachable(Throwable t) {
    return t instanceof ConnectException || grpcCode(t) == Status.Code.UNAVAILABLE;
  }

  /**
   * Whether {@code t} itself (not its causes) says a request got no answer in time: gRPC's
   * DEADLINE_EXCEEDED status or a {@link TimeoutException}.
   */
  static boolean isNoAnswer(Throwable t) {
    return t instanceof TimeoutException || grpcCode(t) == Status.Code.DEADLINE_EXCEEDED;
  }

  /**
   * Whether {@code t} or a cause says the node does not know a ready leader yet: a follower's
   * {@link ReadIndexException} or a fresh leader's {@link LeaderNotReadyException}. Such a read or
   * write had no effect.
   */
  static boolean isLeaderUnknown(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ReadIndexException || c instanceof LeaderNotReadyException) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether {@code t} says the leader refused a request because it is stepping down or handing
   * leadership over; the request had no effect.
   */
  static boolean isSteppingDown(Throwable t) {
    return t instanceof LeaderSteppingDownException || t instanceof TransferLeadershipException;
  }

  /** Whether a read that failed with {@code t} had no effect and may be sent again at once. */
  static boolean isReadRetriable(Throwable t) {
    return isSteppingDown(t) || isLeaderUnknown(t);
  }

  /**
   * Whether a leadership transfer that failed with {@code t} may be asked again unchanged: the
   * leader was re-elected and is not ready yet ({@link LeaderNotReadyException}), or the target's
   * election did not make it leader. Ratis gives the latter no type of its own: it is a {@link
   * TransferLeadershipException} whose message names the result type {@code DIFFERENT_LEADER}
   * ({@code TransferLeadership.PendingRequest.complete}), so it is matched by message.
   */
  static boolean isTransferRetriable(Throwable t) {
    return t instanceof LeaderNotReadyException
        || (t instanceof TransferLeadershipException
            && String.valueOf(t.getMessage()).contains("DIFFERENT_LEADER"));
  }

  /** Whether {@code t} says another configuration change is staging or not yet committed. */
  static boolean isReconfigurationInProgress(Throwable t) {
    return t instanceof ReconfigurationInProgressException;
  }

  /**
   * Whether {@code t} says a compare-and-set configuration change was refused because the
   * configuration is no longer the one it was prepared against. Ratis raises a plain {@link
   * SetConfigurationException} ("current configuration ... is different than the request ...",
   * {@code RaftServerImpl.setConfigurationAsync}) as for other refusals, so it is matched by
   * message.
   */
  static boolean isConfigurationChangedMeanwhile(Throwable t) {
    return t instanceof SetConfigurationException
        && String.valueOf(t.getMessage()).contains("different");
  }

  /**
   * Whether {@code t} itself (not its causes) says the server's port is taken. The JDK's transport
   * raises a {@link BindException}; Netty's native epoll transport, which Ratis uses by default on
   * Linux, raises {@code Errors.NativeIoException}, a plain IOException whose only sign is the
   * operating system's message, so that case is matched by message.
   */
  static boolean isAddressInUse(Throwable t) {
    return t instanceof BindException
        || String.valueOf(t.getMessage()).contains("Address already in use");
  }

  private static Status.Code grpcCode(Throwable t) {
    if (t instanceof StatusRuntimeException s) {
      return s.getStatus().getCode();
    }
    if (t instanceof StatusException s) {
      return s.getStatus().getCode();
    }
    return null;
  }
}
