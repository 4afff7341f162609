package org.carbonio.server.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.carbonio.directory.Account;
import org.carbonio.directory.EmbeddedDirectory;
import org.carbonio.server.StoreBackends;
import org.carbonio.server.internal.AdminApi;
import org.carbonio.store.CheckFinding;
import org.carbonio.store.CheckOptions;
import org.carbonio.store.CheckReport;
import org.carbonio.store.MailStore;
import org.carbonio.store.StoreException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code carbonio store}: maintenance of the mail store of a stopped server. */
@Command(
    name = "store",
    mixinStandardHelpOptions = true,
    description = "Maintain the mail store of a data directory (the server must be stopped).",
    subcommands = {StoreCommand.Check.class})
final class StoreCommand {

  /** Exit code: the check found no problem. */
  static final int EXIT_CLEAN = 0;

  /** Exit code: the check found problems and repaired every one of them. */
  static final int EXIT_REPAIRED = 1;

  /** Exit code: problems remain (found without {@code --repair}, or not repairable). */
  static final int EXIT_PROBLEMS = 4;

  /** Exit code: the store could not be checked (in use by a running server, missing, I/O). */
  static final int EXIT_CANNOT_CHECK = 8;

  @Option(
      names = "--data",
      defaultValue = "data",
      scope = picocli.CommandLine.ScopeType.INHERIT,
      description = "Data directory (default: ${DEFAULT-VALUE}).")
  Path data;

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = {
        "Check the store's consistency: blob files of every message present (and intact, with"
            + " --verify-content), blob reference counts, folder UIDNEXT/HIGHESTMODSEQ, orphan"
            + " blob files (whole-store checks only).",
        "--repair fixes reference counts, folder counters and orphans; a missing or corrupt"
            + " blob is only reported, with the messages it affects."
      },
      exitCodeListHeading = "Exit codes:%n",
      exitCodeList = {
        "0:no problem found",
        "1:problems found and all repaired",
        "2:usage error",
        "4:problems remain (found without --repair, or not repairable)",
        "8:cannot check (store in use by a running server, no store, I/O error)"
      })
  static final class Check implements Callable<Integer> {
    @ParentCommand StoreCommand parent;
    @Spec CommandSpec spec;

    @Parameters(
        arity = "0..1",
        paramLabel = "ACCOUNT",
        description = "Check only this account: its address, or its id in the store.")
    String account;

    @Option(names = "--repair", description = "Repair what is safe to repair.")
    boolean repair;

    @Option(names = "--verify-content", description = "Re-hash every blob (reads all content).")
    boolean verifyContent;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    // The same store options as `run`, so that the check opens the store the server uses.
    @Mixin StoreOptions storeOptions;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      Path dir = parent.data.resolve("store");
      StoreBackends backends = storeOptions.backends(spec);
      if (backends.postgres().isEmpty() && !Files.exists(dir.resolve("metadata.db"))) {
        err.println("carbonio store check: no store in " + dir);
        err.flush();
        return EXIT_CANNOT_CHECK;
      }
      CheckReport report;
      try (StoreBackends.OpenedStore opened = backends.open(dir)) {
        MailStore store = opened.store();
        Optional<String> accountId = Optional.empty();
        if (account != null) {
          accountId = accountId(parent.data, account);
          if (accountId.isEmpty()) {
            err.println("carbonio store check: no account " + account);
            err.flush();
            return EXIT_CANNOT_CHECK;
          }
        }
        report = store.check(new CheckOptions(accountId, repair, verifyContent));
      } catch (StoreException.Unavailable e) {
        String why = e.getMessage();
        err.println(
            "carbonio store check: "
                + (why != null && why.contains("in use")
                    ? "the store " + dir + " is in use; stop the server first"
                    : "cannot check " + dir + ": " + why));
        err.flush();
        return EXIT_CANNOT_CHECK;
      } catch (StoreException e) {
        err.println("carbonio store check: " + e.getMessage());
        err.flush();
        return EXIT_CANNOT_CHECK;
      }
      if (json) {
        out.println(
            AdminApi.json().writerWithDefaultPrettyPrinter().writeValueAsString(json(report)));
      } else {
        print(out, report);
      }
      out.flush();
      if (report.clean()) {
        return EXIT_CLEAN;
      }
      return report.remaining().isEmpty() ? EXIT_REPAIRED : EXIT_PROBLEMS;
    }

    /** An address is looked up in the directory (the server is stopped); an id is taken as is. */
    private static Optional<String> accountId(Path data, String account) throws IOException {
      if (account.indexOf('@') < 0) {
        return Optional.of(account);
      }
      try (EmbeddedDirectory directory = EmbeddedDirectory.open(data.resolve("directory"))) {
        return directory.findAccount(account).map(Account::id);
      }
    }

    private static void print(PrintWriter out, CheckReport report) {
      for (CheckFinding f : report.findings()) {
        String state =
            report.repaired().contains(f)
                ? "repaired"
                : f.repairable() ? "repairable" : "not repairable";
        out.println(kind(f) + ": " + f.message() + " [" + state + "]");
      }
      out.printf(
          "checked %d folder(s), %d blob(s), %d message reference(s), %d blob file(s): %s%n",
          report.folders(),
          report.blobs(),
          report.messages(),
          report.blobFiles(),
          report.clean()
              ? "no problem found"
              : report.findings().size()
                  + " problem(s), "
                  + report.repaired().size()
                  + " repaired, "
                  + report.remaining().size()
                  + " remaining");
    }

    private static String kind(CheckFinding f) {
      return switch (f) {
        case CheckFinding.MissingBlob m -> "missing-blob";
        case CheckFinding.CorruptBlob c -> "corrupt-blob";
        case CheckFinding.MissingBlobRow r -> "missing-blob-row";
        case CheckFinding.WrongRefCount w -> "wrong-refcount";
        case CheckFinding.UidNextTooLow u -> "uidnext-too-low";
        case CheckFinding.ModSeqTooLow m -> "modseq-too-low";
        case CheckFinding.OrphanBlob o -> "orphan-blob";
      };
    }

    private static void detail(ObjectNode node, CheckFinding f) {
      switch (f) {
        case CheckFinding.MissingBlob m -> {
          node.put("blob", m.blob().sha256());
          messages(node, m.messages());
        }
        case CheckFinding.CorruptBlob c -> {
          node.put("blob", c.blob().sha256());
          node.put("actualSha256", c.actualSha256());
          messages(node, c.messages());
        }
        case CheckFinding.MissingBlobRow r -> {
          node.put("blob", r.blob().sha256());
          node.put("references", r.references());
        }
        case CheckFinding.WrongRefCount w -> {
          node.put("blob", w.blob().sha256());
          node.put("stored", w.stored());
          node.put("actual", w.actual());
        }
        case CheckFinding.UidNextTooLow u -> {
          node.put("account", u.account());
          node.put("folder", u.folder());
          node.put("uidNext", u.uidNext());
          node.put("maxUid", u.maxUid());
        }
        case CheckFinding.ModSeqTooLow m -> {
          node.put("account", m.account());
          node.put("folder", m.folder());
          node.put("highestModSeq", m.highestModSeq());
          node.put("maxModSeq", m.maxModSeq());
        }
        case CheckFinding.OrphanBlob o -> {
          node.put("blob", o.blob().sha256());
          node.put("size", o.size());
          node.put("modified", o.modified().toString());
        }
      }
    }

    private static void messages(ObjectNode node, java.util.List<CheckFinding.MessageRef> refs) {
      ArrayNode list = node.putArray("messages");
      for (CheckFinding.MessageRef ref : refs) {
        list.addObject()
            .put("account", ref.account())
            .put("folder", ref.folder())
            .put("uid", ref.uid());
      }
    }

    private static ObjectNode json(CheckReport report) {
      ObjectNode root = AdminApi.json().createObjectNode();
      root.put("clean", report.clean());
      root.put("folders", report.folders());
      root.put("blobs", report.blobs());
      root.put("messages", report.messages());
      root.put("blobFiles", report.blobFiles());
      ArrayNode findings = root.putArray("findings");
      for (CheckFinding f : report.findings()) {
        ObjectNode node = findings.addObject();
        node.put("kind", kind(f));
        node.put("message", f.message());
        node.put("repairable", f.repairable());
        node.put("repaired", report.repaired().contains(f));
        detail(node, f);
      }
      return root;
    }
  }
}
