package org.carbonio.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A few IDLE sessions over TLS on the server jar, so that the 10,000-session run cannot rot. */
class ImapIdleSessionsTest {

  @Test
  void appendShouldReachEveryIdleSessionWhenFewAreOpen(@TempDir Path work) throws Exception {
    ImapIdleSessions.Result r =
        ImapIdleSessions.run(work, ServerJar.path(), List.of("-Xmx256m"), 20, 4, 10, 4, 0);
    assertThat(r.failures()).isEmpty();
    assertThat(r.idling()).isEqualTo(20);
    assertThat(r.notifiedWithinBound()).isEqualTo(20);
    assertThat(r.heapAfter()).isPositive();
    assertThat(ImapIdleSessions.table(r, 10)).contains("20 of 20 IDLE sessions");
  }
}
