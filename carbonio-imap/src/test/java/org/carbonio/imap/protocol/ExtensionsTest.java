package org.carbonio.imap.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExtensionsTest {

  @Test
  void enableShouldRunActionOnceAndReturnOnlyNewNamesWhenEnabledTwice() {
    List<String> log = new ArrayList<>();
    Extensions e = new Extensions();
    e.register("CONDSTORE", () -> log.add("on"), () -> log.add("off"));
    e.register("IMAP4rev2", () -> {});
    assertThat(e.enable(List.of("condstore", "X-NOPE", "CONDSTORE"))).containsExactly("CONDSTORE");
    assertThat(e.enable(List.of("CONDSTORE", "imap4REV2"))).containsExactly("IMAP4rev2");
    assertThat(log).containsExactly("on");
    assertThat(e.isEnabled("condStore")).isTrue();
    assertThat(e.isEnabled("X-NOPE")).isFalse();
    assertThat(e.enabled()).containsExactlyInAnyOrder("CONDSTORE", "IMAP4rev2");
  }

  @Test
  void resetShouldRunResetActionsWhenEnabledOnly() {
    List<String> log = new ArrayList<>();
    Extensions e = new Extensions();
    e.register("A", () -> {}, () -> log.add("A"));
    e.register("B", () -> {}, () -> log.add("B"));
    e.enable(List.of("B"));
    e.reset();
    assertThat(log).containsExactly("B");
    assertThat(e.enabled()).isEmpty();
    assertThat(e.enable(List.of("B"))).containsExactly("B");
  }

  @Test
  void registerShouldFailWhenNameTakenOrEmpty() {
    Extensions e = new Extensions();
    e.register("UTF8=ACCEPT", () -> {});
    assertThatThrownBy(() -> e.register("utf8=accept", () -> {}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> e.register("", () -> {})).isInstanceOf(IllegalArgumentException.class);
    assertThat(e.registered()).containsExactly("UTF8=ACCEPT");
  }
}
