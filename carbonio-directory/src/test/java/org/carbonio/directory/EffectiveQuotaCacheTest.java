package org.carbonio.directory;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The class of service behind {@code effectiveQuota} is cached, and every change is seen. */
class EffectiveQuotaCacheTest {
  @TempDir Path dir;
  EmbeddedDirectory directory;

  @BeforeEach
  void open() throws Exception {
    directory = Fixtures.open(dir);
    directory.createDomain("example.com");
    directory.createAccount("alice@example.com", "pw-alice-1");
    directory.createClassOfService(
        new ClassOfService("gold", OptionalLong.of(10_000), Map.of(), 4));
    directory.setClassOfService("alice@example.com", "gold");
  }

  @AfterEach
  void close() {
    directory.close();
  }

  @Test
  void effectiveQuotaShouldFollowClassOfServiceWhenItIsUpdated() throws Exception {
    assertThat(directory.effectiveQuota("alice@example.com")).hasValue(10_000);
    assertThat(directory.effectiveQuota("alice@example.com")).hasValue(10_000); // cached
    directory.updateClassOfService(
        new ClassOfService("gold", OptionalLong.of(20_000), Map.of(), 4));
    assertThat(directory.effectiveQuota("alice@example.com")).hasValue(20_000);
    assertThat(directory.classOfService("gold").orElseThrow().quotaBytes()).hasValue(20_000);
  }

  @Test
  void effectiveQuotaShouldFollowAccountWhenItMovesToAnotherClass() throws Exception {
    assertThat(directory.effectiveQuota("alice@example.com")).hasValue(10_000);
    directory.createClassOfService(new ClassOfService("free", OptionalLong.empty(), Map.of(), 4));
    directory.setClassOfService("alice@example.com", "free");
    assertThat(directory.effectiveQuota("alice@example.com")).isEmpty();
    directory.setClassOfService("alice@example.com", "gold");
    directory.setQuota("alice@example.com", OptionalLong.of(5));
    assertThat(directory.effectiveQuota("alice@example.com")).hasValue(5);
  }

  @Test
  void classOfServiceShouldBeEmptyWhenDeletedAfterBeingCached() throws Exception {
    directory.createClassOfService(new ClassOfService("temp", OptionalLong.of(1), Map.of(), 4));
    assertThat(directory.classOfService("temp")).isPresent();
    directory.deleteClassOfService("temp");
    assertThat(directory.classOfService("temp")).isEmpty();
  }

  @Test
  void classOfServiceShouldBeEmptyWhenNameIsInvalid() {
    assertThat(directory.classOfService("*")).isEmpty();
    assertThat(directory.classOfService("*")).isEmpty();
  }
}
