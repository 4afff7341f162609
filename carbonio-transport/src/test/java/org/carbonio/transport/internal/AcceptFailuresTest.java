package org.carbonio.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.List;
import org.carbonio.transport.internal.AcceptFailures.Action;
import org.junit.jupiter.api.Test;
import org.quicktheories.generators.SourceDSL;

class AcceptFailuresTest {

  @Test
  void failedShouldRetryAndLogOnceWhenFailuresRepeat() {
    AcceptFailures f = new AcceptFailures();
    assertThat(f.failed(false)).isEqualTo(Action.LOG_AND_RETRY);
    for (int i = 0; i < 1000; i++) {
      assertThat(f.failed(false)).isEqualTo(Action.RETRY);
    }
    assertThat(f.accepted()).isEqualTo(1001);
  }

  @Test
  void failedShouldLogAgainWhenANewBurstStarts() {
    AcceptFailures f = new AcceptFailures();
    f.failed(false);
    f.failed(false);
    assertThat(f.accepted()).isEqualTo(2);
    assertThat(f.accepted()).isZero();
    assertThat(f.failed(false)).isEqualTo(Action.LOG_AND_RETRY);
  }

  @Test
  void failedShouldStopWhenListenerIsClosed() {
    AcceptFailures f = new AcceptFailures();
    assertThat(f.failed(true)).isEqualTo(Action.STOP);
    f.failed(false);
    assertThat(f.failed(true)).isEqualTo(Action.STOP);
  }

  /** Any sequence of accepts and failures: STOP only when closed, one log per burst. */
  @Test
  void failedShouldLogOncePerBurstWhenEventsAreArbitrary() {
    qt().forAll(lists().of(SourceDSL.integers().between(0, 2)).ofSizeBetween(0, 200))
        .checkAssert(
            (List<Integer> events) -> {
              AcceptFailures f = new AcceptFailures();
              boolean inBurst = false;
              long count = 0;
              for (int e : events) {
                switch (e) {
                  case 0 -> { // accept succeeded
                    assertThat(f.accepted()).isEqualTo(count);
                    inBurst = false;
                    count = 0;
                  }
                  case 1 -> { // accept failed, listener open
                    Action a = f.failed(false);
                    assertThat(a).isEqualTo(inBurst ? Action.RETRY : Action.LOG_AND_RETRY);
                    inBurst = true;
                    count++;
                  }
                  default -> assertThat(f.failed(true)).isEqualTo(Action.STOP);
                }
              }
            });
  }
}
