package io.baton.cli;

import io.baton.Peer;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Converts one {@code ID=HOST:PORT} argument to a peer, with {@link Peer}'s message. */
public final class PeerConverter implements ITypeConverter<Peer> {
  @Override
  public Peer convert(String value) {
    try {
      return Peer.parse(value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }
}
