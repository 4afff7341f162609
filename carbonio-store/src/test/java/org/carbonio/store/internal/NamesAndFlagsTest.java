package org.carbonio.store.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.strings;

import java.util.List;
import java.util.Set;
import org.carbonio.store.FlagOperation;
import org.carbonio.store.StoreException;
import org.junit.jupiter.api.Test;

class NamesAndFlagsTest {
  @Test
  void canonicalShouldSpellInboxUpperCaseWhenFirstSegmentIsInbox() {
    assertThat(FolderNames.canonical("inbox")).isEqualTo("INBOX");
    assertThat(FolderNames.canonical("InBoX/Sub/inbox")).isEqualTo("INBOX/Sub/inbox");
    assertThat(FolderNames.canonical("inboxes")).isEqualTo("inboxes");
    assertThat(FolderNames.canonical("Archive/INBOX")).isEqualTo("Archive/INBOX");
  }

  @Test
  void canonicalShouldCountCodePointsWhenSegmentHasSupplementaryCharacters() {
    String emoji = "\uD83D\uDCE7".repeat(255); // 255 code points, 510 chars
    assertThat(FolderNames.canonical(emoji)).isEqualTo(emoji);
    assertThatThrownBy(() -> FolderNames.canonical("\uD800x"))
        .isInstanceOf(StoreException.Invalid.class);
  }

  @Test
  void canonicalShouldNeverThrowAnythingButInvalidWhenGivenArbitraryStrings() {
    qt().forAll(strings().allPossible().ofLengthBetween(0, 40))
        .checkAssert(
            s -> {
              try {
                String c = FolderNames.canonical(s);
                assertThat(FolderNames.canonical(c)).isEqualTo(c); // idempotent
              } catch (StoreException.Invalid expected) {
                // fine
              }
            });
  }

  @Test
  void parentsShouldListOutermostFirst() {
    assertThat(FolderNames.parents("a/b/c")).containsExactly("a", "a/b");
    assertThat(FolderNames.parents("a")).isEmpty();
  }

  @Test
  void flagSetShouldNormaliseSystemFlagsAndRejectUnknownOnes() {
    FlagSet f = FlagSet.of(List.of("\\SEEN", "\\draft", "Junk", "$MDNSent"));
    assertThat(f.toSet()).containsExactly("\\Seen", "\\Draft", "$MDNSent", "Junk");
    assertThat(FlagSet.stored(f.system(), f.keywordText())).isEqualTo(f);
    for (String bad : List.of("\\Recent", "\\", "a b", "x(", "]", "", "k".repeat(256))) {
      assertThatThrownBy(() -> FlagSet.of(List.of(bad)))
          .as(bad)
          .isInstanceOf(StoreException.Invalid.class);
    }
  }

  @Test
  void applyShouldAddRemoveAndReplace() {
    FlagSet cur = FlagSet.of(Set.of("\\Seen", "a"));
    FlagSet arg = FlagSet.of(Set.of("\\Flagged", "a", "b"));
    assertThat(cur.apply(FlagOperation.ADD, arg).toSet())
        .containsExactlyInAnyOrder("\\Seen", "\\Flagged", "a", "b");
    assertThat(cur.apply(FlagOperation.REMOVE, arg).toSet()).containsExactly("\\Seen");
    assertThat(cur.apply(FlagOperation.REPLACE, arg)).isEqualTo(arg);
  }
}
