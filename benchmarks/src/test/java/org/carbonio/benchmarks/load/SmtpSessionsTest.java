package org.carbonio.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Holds a few SMTP sessions against both targets, so that the 1,000-session program cannot rot. */
class SmtpSessionsTest {

  @Test
  void serverShouldHoldSessionsMidTransactionWhenFewAreOpened(@TempDir Path work) throws Exception {
    Path jar =
        Path.of("..", "carbonio-server", "target", "carbonio-server.jar")
            .toAbsolutePath()
            .normalize();
    assertThat(jar).as("built by the reactor before this module").exists();

    SmtpSessions.Result r =
        SmtpSessions.server(jar, work, 5, SmtpSessions.State.MAIL, List.of("-Xmx256m"));

    assertThat(r.held()).isEqualTo(5);
    assertThat(r.refused()).isZero();
    assertThat(r.heapAfter()).isPositive();
    assertThat(r.rssAfter()).isPositive();
    assertThat(SmtpSessions.table(List.of(r))).contains("| server | mail | 5 | 5 | 0 |");
  }

  @Test
  void engineShouldHoldSessionsAfterEhloWhenFewAreOpened() throws Exception {
    SmtpSessions.Result r = SmtpSessions.engine(5, SmtpSessions.State.EHLO, List.of("-Xmx128m"));

    assertThat(r.held()).isEqualTo(5);
    assertThat(r.refused()).isZero();
    assertThat(r.threadsAfter()).isPositive();
  }
}
