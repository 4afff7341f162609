package org.carbonio.directory.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryJournalTest {
  @TempDir Path dir;
  SnapshotFile files;
  InMemoryDirectoryServer server;
  DirectoryJournal journal;

  @AfterEach
  void closeAll() throws IOException {
    if (journal != null) {
      journal.close();
    }
    if (files != null) {
      files.close();
    }
  }

  void open(int everyChanges) throws Exception {
    files = SnapshotFile.open(dir);
    InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig(LdapLayout.BASE);
    config.setSchema(LdapLayout.schema());
    DirectoryJournal.configure(config);
    server = new InMemoryDirectoryServer(config);
    journal =
        DirectoryJournal.open(
            new java.util.concurrent.locks.ReentrantLock(),
            server,
            files,
            LdapLayout.skeleton(),
            everyChanges,
            1L << 30);
  }

  void reopen() throws Exception {
    journal.close();
    files.close();
    journal = null;
    files = null;
    open(1_000);
  }

  static Entry domain(String name) {
    return LdapLayout.domainEntry(name, "id-" + name);
  }

  boolean exists(String domain) throws Exception {
    return server.getEntry(LdapLayout.domainDn(domain).toString()) != null;
  }

  @Test
  void commitShouldRollMemoryBackAndLeaveNoBlockWhenAppendFails() throws Exception {
    open(1_000);
    server.add(domain("kept.org"));
    journal.commit();
    long size = Files.size(dir.resolve(DirectoryJournal.JOURNAL));

    journal.failNextAppend = new IOException("disk full");
    server.add(domain("lost.org"));
    server.modify(
        LdapLayout.domainDn("kept.org").toString(),
        new Modification(ModificationType.REPLACE, "description", "changed"));
    assertThatThrownBy(journal::commit).isInstanceOf(IOException.class).hasMessage("disk full");

    assertThat(exists("lost.org")).isFalse();
    assertThat(
            server.getEntry(LdapLayout.domainDn("kept.org").toString()).hasAttribute("description"))
        .isFalse();
    assertThat(Files.size(dir.resolve(DirectoryJournal.JOURNAL))).isEqualTo(size);
    assertThat(journal.sequence()).isEqualTo(1);

    server.add(domain("after.org"));
    journal.commit();
    reopen();
    assertThat(exists("kept.org")).isTrue();
    assertThat(exists("lost.org")).isFalse();
    assertThat(exists("after.org")).isTrue();
  }

  @Test
  void awaitDurableShouldRollBackAndRefuseLaterChangesWhenFsyncFails() throws Exception {
    open(1_000);
    server.add(domain("kept.org"));
    journal.commit();
    journal.failNextSync = new IOException("EIO");
    server.add(domain("lost.org"));
    assertThatThrownBy(journal::commit).isInstanceOf(IOException.class).hasMessage("EIO");
    assertThat(exists("lost.org")).isFalse();
    assertThat(exists("kept.org")).isTrue();
    // After a failed fsync the page cache cannot be trusted: no further change is accepted.
    server.add(domain("refused.org"));
    assertThatThrownBy(journal::commit)
        .isInstanceOf(IOException.class)
        .hasMessageContaining("restart");
    assertThat(exists("refused.org")).isFalse();
    reopen(); // the journal was cut back to its durable blocks
    assertThat(exists("kept.org")).isTrue();
    assertThat(exists("lost.org")).isFalse();
    assertThat(exists("refused.org")).isFalse();
  }

  @Test
  void concurrentWritersShouldShareFsyncsWhenTheyQueueBehindEachOther() throws Exception {
    ReentrantLock lock = new ReentrantLock();
    files = SnapshotFile.open(dir);
    InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig(LdapLayout.BASE);
    config.setSchema(LdapLayout.schema());
    DirectoryJournal.configure(config);
    server = new InMemoryDirectoryServer(config);
    journal = DirectoryJournal.open(lock, server, files, LdapLayout.skeleton(), 1_000, 1L << 30);
    int threads = 8;
    int each = 40;
    long before = journal.fsyncs();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      workers.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      for (int i = 0; i < each; i++) {
                        long ticket;
                        lock.lock();
                        try {
                          server.add(domain("t" + thread + "-" + i + ".org"));
                          ticket = journal.append();
                        } finally {
                          lock.unlock();
                        }
                        journal.awaitDurable(ticket);
                      }
                    } catch (Exception e) {
                      throw new IllegalStateException(e);
                    }
                  }));
    }
    for (Thread w : workers) {
      w.join();
    }
    assertThat(journal.sequence()).isEqualTo(threads * each);
    assertThat(journal.fsyncs() - before).isLessThan(threads * each);
    reopen();
    for (int t = 0; t < threads; t++) {
      for (int i = 0; i < each; i++) {
        assertThat(exists("t" + t + "-" + i + ".org")).isTrue();
      }
    }
  }

  @Test
  void rollbackShouldUndoUncommittedChangesAndKeepCommittedOnes() throws Exception {
    open(1_000);
    server.add(domain("one.org"));
    journal.commit();
    server.add(domain("two.org"));
    server.add(LdapLayout.peopleEntry("two.org"));
    journal.rollback(); // a change that failed half way
    assertThat(exists("one.org")).isTrue();
    assertThat(exists("two.org")).isFalse();
    journal.commit(); // nothing left to write
    assertThat(journal.sequence()).isEqualTo(1);
  }

  @Test
  void commitShouldWriteSnapshotWhenChangeLogCannotDescribeTheChange() throws Exception {
    open(1_000);
    server.add(domain("gone.org"));
    server.add(LdapLayout.peopleEntry("gone.org"));
    journal.commit();
    assertThat(Files.size(dir.resolve(DirectoryJournal.JOURNAL))).isPositive();
    server.deleteSubtree(LdapLayout.domainDn("gone.org").toString()); // no change-log entries
    journal.commit();
    assertThat(Files.size(dir.resolve(DirectoryJournal.JOURNAL))).isZero();
    assertThat(files.sequence()).isEqualTo(1);
    reopen();
    assertThat(exists("gone.org")).isFalse();
  }

  @Test
  void commitShouldRotateJournalWhenChangeCountIsReached() throws Exception {
    open(3);
    for (int i = 0; i < 7; i++) {
      server.add(domain("d" + i + ".org"));
      journal.commit();
    }
    assertThat(files.sequence()).isEqualTo(6);
    assertThat(journal.blocksSinceSnapshot()).isEqualTo(1);
    assertThat(Files.readString(dir.resolve(DirectoryJournal.JOURNAL)))
        .startsWith("# journal sequence=7 ")
        .contains("dn: ou=d6.org,ou=domains,o=carbonio\nchangetype: add\n");
    reopen();
    for (int i = 0; i < 7; i++) {
      assertThat(exists("d" + i + ".org")).isTrue();
    }
    assertThat(journal.sequence()).isEqualTo(7);
  }

  @Test
  void isClearTextShouldBeFalseWhenValueHasSchemePrefix() {
    assertThat(LdapWrites.isClearText("{PBKDF2-SHA512}1000$abc$def")).isFalse();
    assertThat(LdapWrites.isClearText("{SSHA}abc")).isFalse();
    assertThat(LdapWrites.isClearText("{crypt}$6$x")).isFalse();
    assertThat(LdapWrites.isClearText("secret")).isTrue();
    assertThat(LdapWrites.isClearText("{}secret")).isTrue();
    assertThat(LdapWrites.isClearText("{not closed")).isTrue();
  }

  @Test
  void accountAddressShouldMapAccountDnsOnly() {
    assertThat(LdapWrites.accountAddress("uid=Bob,ou=people,ou=example.com,ou=domains,o=carbonio"))
        .contains("bob@example.com");
    assertThat(LdapWrites.accountAddress("ou=people,ou=example.com,ou=domains,o=carbonio"))
        .isEmpty();
    assertThat(LdapWrites.accountAddress("cn=x,ou=groups,ou=example.com,ou=domains,o=carbonio"))
        .isEmpty();
    assertThat(LdapWrites.accountAddress("not a dn")).isEmpty();
  }
}
