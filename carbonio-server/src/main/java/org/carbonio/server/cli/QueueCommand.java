package org.carbonio.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.carbonio.server.cli.ProvCommand.ProvFailure;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code carbonio queue}: the running server's mail queue, through its admin API (global admins
 * only), like Postfix's {@code mailq} and {@code postsuper}.
 *
 * <p>Exit codes as {@code carbonio prov}: 0 done, 1 refused (no such message, not on hold...), 2
 * bad command line, 3 server not running, 4 credentials refused, 5 not a global admin.
 *
 * <p>Not thread-safe: one instance per command-line run.
 */
@Command(
    name = "queue",
    mixinStandardHelpOptions = true,
    description =
        "List, inspect, retry, hold, release and delete the running server's queued mail.",
    subcommands = {
      QueueCommand.ListQueue.class,
      QueueCommand.Show.class,
      QueueCommand.Retry.class,
      QueueCommand.Hold.class,
      QueueCommand.Release.class,
      QueueCommand.Delete.class
    })
final class QueueCommand {

  @Option(
      names = "--data",
      defaultValue = "data",
      scope = ScopeType.INHERIT,
      description = "Data directory of the running server (default: ${DEFAULT-VALUE}).")
  Path data;

  @Option(
      names = "--json",
      scope = ScopeType.INHERIT,
      description = "Print the server's JSON answer.")
  boolean json;

  @Option(
      names = "--admin",
      paramLabel = "ADDRESS",
      scope = ScopeType.INHERIT,
      description =
          "Act as this global admin instead of the server's own admin; needs"
              + " --admin-password-file.")
  String admin;

  @Option(
      names = "--admin-password-file",
      paramLabel = "FILE",
      scope = ScopeType.INHERIT,
      description = "File whose first line is the password of --admin.")
  Path adminPasswordFile;

  /** Finds the server, calls it, prints the answer or the failure. */
  abstract static class Sub implements Callable<Integer> {
    @ParentCommand QueueCommand parent;
    @Spec CommandSpec spec;

    abstract JsonNode run(AdminClient client) throws IOException, ProvFailure, InterruptedException;

    abstract void print(PrintWriter out, JsonNode answer);

    @Override
    public Integer call() throws Exception {
      return AdminClient.callAndPrint(
          "carbonio queue",
          spec,
          parent.data,
          Optional.ofNullable(parent.admin),
          Optional.ofNullable(parent.adminPasswordFile),
          parent.json,
          this::run,
          this::print);
    }
  }

  /** A subcommand about one message. */
  abstract static class OneMessage extends Sub {
    @Parameters(index = "0", paramLabel = "ID", description = "The queue id (from queue list).")
    String id;

    String path() {
      return "queue/" + AdminClient.segment(id);
    }
  }

  @Command(
      name = "list",
      description =
          "List the queued messages like mailq: id ('!' when on hold), size, arrival, sender,"
              + " then each recipient with its state and last reply.")
  static final class ListQueue extends Sub {
    @Override
    JsonNode run(AdminClient client) throws IOException, ProvFailure, InterruptedException {
      return client.call("GET", "queue", null);
    }

    @Override
    void print(PrintWriter out, JsonNode answer) {
      out.print(mailq(answer, ZoneId.systemDefault()));
    }
  }

  @Command(name = "show", description = "Show one queued message: envelope, state and header.")
  static final class Show extends OneMessage {
    @Override
    JsonNode run(AdminClient client) throws IOException, ProvFailure, InterruptedException {
      return client.call("GET", path(), null);
    }

    @Override
    void print(PrintWriter out, JsonNode m) {
      out.print(describe(m));
    }
  }

  @Command(
      name = "retry",
      description = "Attempt a message now (or, with --all, every message not on hold).")
  static final class Retry extends Sub {
    @Parameters(arity = "0..1", paramLabel = "ID")
    String id;

    @Option(names = "--all", description = "Every message not on hold.")
    boolean all;

    @Override
    JsonNode run(AdminClient client) throws IOException, ProvFailure, InterruptedException {
      if (all == (id != null)) {
        throw new ProvFailure(Main.EXIT_USAGE, "retry needs a queue id or --all (not both)");
      }
      return all
          ? client.call("POST", "queue/retry", null)
          : client.call("POST", "queue/" + AdminClient.segment(id) + "/retry", null);
    }

    @Override
    void print(PrintWriter out, JsonNode answer) {
      JsonNode retried = answer.path("retried");
      if (retried.isNumber()) {
        int n = retried.asInt();
        out.println("retrying " + n + (n == 1 ? " message" : " messages") + " now");
      } else {
        out.println("retrying " + retried.asText() + " now");
      }
    }
  }

  @Command(
      name = "hold",
      description = "Put a message on hold: never attempted, never expired, until released.")
  static final class Hold extends OneMessage {
    @Parameters(index = "1", arity = "0..1", paramLabel = "REASON", description = "Why, for list.")
    String reason;

    @Override
    JsonNode run(AdminClient client) throws IOException, ProvFailure, InterruptedException {
      return client.call("POST", path() + "/hold", Map.of("reason", reason == null ? "" : reason));
    }

    @Override
    void print(PrintWriter out, JsonNode answer) {
      String why = answer.path("holdReason").asText("");
      out.println("held " + answer.path("id").asText() + (why.isEmpty() ? "" : ": " + why));
    }
  }

  @Command(name = "release", description = "Release a held message; it is attempted at once.")
  static final class Release extends OneMessage {
    @Override
    JsonNode run(AdminClient client) throws IOException, ProvFailure, InterruptedException {
      return client.call("POST", path() + "/release", null);
    }

    @Override
    void print(PrintWriter out, JsonNode answer) {
      out.println("released " + answer.path("released").asText());
    }
  }

  @Command(
      name = "delete",
      description = "Remove a message from the queue, without any delivery status notification.")
  static final class Delete extends OneMessage {
    @Override
    JsonNode run(AdminClient client) throws IOException, ProvFailure, InterruptedException {
      return client.call("DELETE", path(), null);
    }

    @Override
    void print(PrintWriter out, JsonNode answer) {
      out.println("deleted " + answer.path("deleted").asText());
    }
  }

  // ---- output ----

  private static final DateTimeFormatter MAILQ_TIME =
      DateTimeFormatter.ofPattern("EEE MMM dd HH:mm:ss", Locale.ROOT);

  /** Where recipient lines start: under the sender, as in mailq. */
  private static final String INDENT = " ".repeat(48);

  /**
   * The queue as Postfix's {@code mailq} prints it, one recipient per line with its state, its last
   * reply on the line below it.
   *
   * <pre>
   * -Queue ID-------- --Size-- ----Arrival Time---- -Sender/Recipient-------
   * 0MX1B14MI0001VPK!      395 Sun Nov 29 03:53:41  alice@example.org
   *                                                 (held: looks odd)
   *                                                 bob@remote.test  pending
   *                                                   451 4.4.1 Connect to mx.remote.test[...
   *
   * -- 1 Kbytes in 1 Request.
   * </pre>
   */
  static String mailq(JsonNode answer, ZoneId zone) {
    JsonNode queue = answer.path("queue");
    if (queue.isEmpty()) {
      return "Mail queue is empty" + System.lineSeparator();
    }
    StringBuilder b = new StringBuilder();
    String nl = System.lineSeparator();
    b.append(
            String.format(
                "%-17s %8s %-20s %s",
                "-Queue ID--------",
                "--Size--",
                "----Arrival Time----",
                "-Sender/Recipient-------"))
        .append(nl);
    long bytes = 0;
    for (JsonNode m : queue) {
      bytes += m.path("size").asLong();
      String sender = m.path("sender").asText("");
      b.append(
              String.format(
                  "%-17s %8d %-19s  %s",
                  m.path("id").asText() + (m.path("held").asBoolean() ? "!" : ""),
                  m.path("size").asLong(),
                  time(m.path("arrival").asText(""), zone),
                  sender.isEmpty() ? "MAILER-DAEMON" : sender))
          .append(nl);
      if (m.path("held").asBoolean()) {
        String why = m.path("holdReason").asText("");
        b.append(INDENT).append(why.isEmpty() ? "(held)" : "(held: " + why + ")").append(nl);
      }
      for (JsonNode r : m.path("recipients")) {
        b.append(INDENT)
            .append(r.path("address").asText())
            .append("  ")
            .append(r.path("state").asText().toLowerCase(Locale.ROOT))
            .append(nl);
        if (r.path("lastReply").isTextual()) {
          b.append(INDENT).append("  ").append(r.path("lastReply").asText()).append(nl);
        }
      }
      b.append(nl);
    }
    int n = queue.size();
    b.append("-- ")
        .append((bytes + 1023) / 1024)
        .append(" Kbytes in ")
        .append(n)
        .append(n == 1 ? " Request." : " Requests.")
        .append(nl);
    return b.toString();
  }

  /** One message for {@code queue show}: fields, recipients, then its header section. */
  static String describe(JsonNode m) {
    String nl = System.lineSeparator();
    StringBuilder b = new StringBuilder();
    String sender = m.path("sender").asText("");
    b.append("id:           ").append(m.path("id").asText()).append(nl);
    b.append("arrival:      ").append(m.path("arrival").asText()).append(nl);
    b.append("sender:       ").append(sender.isEmpty() ? "<> (MAILER-DAEMON)" : sender).append(nl);
    b.append("size:         ").append(m.path("size").asLong()).append(nl);
    b.append("attempts:     ").append(m.path("attempts").asInt()).append(nl);
    b.append("next attempt: ")
        .append(m.path("nextAttempt").isTextual() ? m.path("nextAttempt").asText() : "-")
        .append(nl);
    String why = m.path("holdReason").asText("");
    b.append("held:         ")
        .append(m.path("held").asBoolean() ? (why.isEmpty() ? "yes" : "yes: " + why) : "no")
        .append(nl);
    if (!m.path("envelopeId").asText("").isEmpty()) {
      b.append("envelope id:  ").append(m.path("envelopeId").asText()).append(nl);
    }
    for (JsonNode r : m.path("recipients")) {
      b.append("recipient:    ")
          .append(r.path("address").asText())
          .append(' ')
          .append(r.path("state").asText().toLowerCase(Locale.ROOT));
      if (r.path("lastReply").isTextual()) {
        b.append(" at ")
            .append(r.path("lastAttempt").asText())
            .append(r.path("remoteMta").isTextual() ? " from " + r.path("remoteMta").asText() : "")
            .append(": ")
            .append(r.path("lastReply").asText());
      }
      b.append(nl);
    }
    b.append(nl);
    String headers = m.path("headers").asText("");
    for (String line : headers.split("\r?\n", -1)) {
      if (!line.isEmpty()) {
        b.append(line).append(nl);
      }
    }
    return b.toString();
  }

  private static String time(String iso, ZoneId zone) {
    try {
      return MAILQ_TIME.format(Instant.parse(iso).atZone(zone));
    } catch (DateTimeParseException e) {
      return iso;
    }
  }
}
