package org.carbonio.store.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HeaderCaptureTest {
  static HeaderCapture drain(String message) throws IOException {
    HeaderCapture c = new HeaderCapture(new ByteArrayInputStream(message.getBytes(UTF_8)));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    c.transferTo(out);
    assertThat(out.toString(UTF_8)).isEqualTo(message); // passes everything through
    return c;
  }

  @Test
  void headerShouldStopAtEmptyLineWhenLinesEndWithCrlfOrLf() throws IOException {
    assertThat(new String(drain("A: 1\r\nB: 2\r\n\r\nbody\r\n\r\nmore").header(), UTF_8))
        .isEqualTo("A: 1\r\nB: 2\r\n\r\n");
    assertThat(new String(drain("A: 1\n\nbody\n").header(), UTF_8)).isEqualTo("A: 1\n\n");
    assertThat(new String(drain("A: 1\r\n").header(), UTF_8)).isEqualTo("A: 1\r\n");
  }

  @Test
  void headerShouldBeBoundedWhenItNeverEnds() throws IOException {
    String big = "X: " + "y".repeat(HeaderCapture.MAX_HEADER_BYTES * 2);
    assertThat(drain(big).header()).hasSize(HeaderCapture.MAX_HEADER_BYTES);
  }

  @Test
  void threadRefsShouldReadIdsAndSubjectWhenPresent() throws IOException {
    HeaderCapture c =
        drain(
            "Message-ID: <3@x>\r\nReferences: <1@x>\r\n <2@x>\r\nSubject: Re: Fwd: Plan\r\n\r\n"
                + "Message-ID: <body@x>\r\n");
    var refs = c.threadRefs();
    assertThat(refs.messageId()).isEqualTo(Optional.of("3@x"));
    assertThat(refs.references()).isEqualTo(List.of("1@x", "2@x"));
    assertThat(refs.subjectHash()).isEqualTo(HeaderCapture.subjectHash("plan"));
    assertThat(HeaderCapture.subjectHash("PLAN")).isEqualTo(HeaderCapture.subjectHash("plan"));
  }
}
