package org.carbonio.smtp.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.carbonio.smtp.Compliance;
import org.carbonio.smtp.SmtpLimits;

/** Feeds bytes to a decoder in given pieces and records the results, merging data chunks. */
final class DecoderDriver {

  /** A recorded event: a command, a bad reply, the data of one DATA, or its end. */
  sealed interface Event {}

  record Cmd(SmtpCommand command) implements Event {}

  record BadReply(SmtpReply reply) implements Event {}

  record Data(String bytes) implements Event {} // ISO-8859-1, one char per byte

  record End(long bytes, boolean bareLineBreak) implements Event {}

  record ChunkDone(long bytes, boolean last) implements Event {}

  record AuthLine(String line) implements Event {}

  private DecoderDriver() {}

  static List<Event> run(SmtpLimits limits, Compliance compliance, byte[] input, int[] cuts) {
    SmtpDecoder decoder = new SmtpDecoder(limits, compliance);
    List<Event> events = new ArrayList<>();
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    ByteBuffer buffer = ByteBuffer.allocate(input.length);
    buffer.flip();
    int from = 0;
    for (int i = 0; i <= cuts.length; i++) {
      int to = i < cuts.length ? cuts[i] : input.length;
      buffer.compact();
      buffer.put(input, from, to - from);
      buffer.flip();
      from = to;
      while (true) {
        Decoded d = decoder.decode(buffer);
        if (d instanceof Decoded.NeedMore) {
          break;
        }
        switch (d) {
          case Decoded.Command c -> {
            events.add(new Cmd(c.command()));
            if (c.command() instanceof SmtpCommand.Data) {
              decoder.startData();
            }
            if (c.command() instanceof SmtpCommand.Auth a && a.initialResponse() == null) {
              decoder.startAuthResponse(); // as the session does after its 334
            }
          }
          case Decoded.Bad b -> events.add(new BadReply(b.reply()));
          case Decoded.DataChunk ch -> {
            byte[] b = new byte[ch.bytes().remaining()];
            ch.bytes().get(b);
            data.writeBytes(b);
          }
          case Decoded.DataEnd e -> {
            events.add(new Data(data.toString(StandardCharsets.ISO_8859_1)));
            data.reset();
            events.add(new End(e.bytes(), e.bareLineBreak()));
          }
          case Decoded.ChunkEnd e -> {
            events.add(new Data(data.toString(StandardCharsets.ISO_8859_1)));
            data.reset();
            events.add(new ChunkDone(e.bytes(), e.last()));
          }
          case Decoded.AuthResponse r -> events.add(new AuthLine(r.line()));
          case Decoded.NeedMore n -> throw new AssertionError();
        }
      }
    }
    if (data.size() > 0) {
      events.add(new Data(data.toString(StandardCharsets.ISO_8859_1))); // unfinished DATA
    }
    return events;
  }

  static List<Event> whole(SmtpLimits limits, Compliance compliance, byte[] input) {
    return run(limits, compliance, input, new int[0]);
  }

  static List<Event> byteByByte(SmtpLimits limits, Compliance compliance, byte[] input) {
    int[] cuts = new int[Math.max(0, input.length - 1)];
    for (int i = 0; i < cuts.length; i++) {
      cuts[i] = i + 1;
    }
    return run(limits, compliance, input, cuts);
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }
}
