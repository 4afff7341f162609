package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.carbonio.server.OperatorMtaExtension.ALICE;
import static org.carbonio.server.OperatorMtaExtension.DORA;
import static org.carbonio.server.OperatorMtaExtension.HUGO;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.carbonio.server.OperatorMtaExtension.Outcome;
import org.carbonio.server.internal.AdminApi;
import org.carbonio.smtp.queue.MailQueue;
import org.carbonio.smtp.queue.QueueId;
import org.carbonio.smtp.queue.QueuedMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code carbonio queue} against a running server whose queue holds a message submitted on port 587
 * for a remote domain whose MX refuses connections, so it stays deferred.
 */
class QueueCommandTest {

  @RegisterExtension final OperatorMtaExtension mta = new OperatorMtaExtension();

  /** Submits a message for bob@remote.test and waits for its first (failed) attempt. */
  private QueueId deferredMessage(String subject) throws Exception {
    mta.submit(ALICE, "bob@remote.test", subject, "Hello from the queue test.\n");
    MailQueue queue = mta.server().queue();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> queue.list().size() == 1 && queue.list().get(0).attempts() >= 1);
    return queue.list().get(0).id();
  }

  private QueuedMessage queued(QueueId id) {
    return mta.server().queue().show(id).orElseThrow();
  }

  /** Waits until the message has been attempted {@code n} times and is scheduled again. */
  private void awaitAttempts(QueueId id, int n) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> queued(id).attempts() >= n && queued(id).nextAttempt() != null);
    assertThat(queued(id).attempts()).isEqualTo(n);
  }

  @Test
  void queueShouldListShowHoldReleaseRetryAndDeleteWhenMessageIsDeferred() throws Exception {
    QueueId id = deferredMessage("deferred one");
    String n = System.lineSeparator();

    String list = mta.ok("queue", "list").out();
    assertThat(list)
        .startsWith("-Queue ID-------- --Size-- ----Arrival Time---- -Sender/Recipient-------" + n)
        .containsPattern(
            "(?m)^" + id + " +\\d+ \\w{3} \\w{3} \\d\\d \\d\\d:\\d\\d:\\d\\d  " + ALICE)
        .containsPattern("(?m)^ {48}bob@remote\\.test  pending$")
        .containsPattern("(?m)^ {50}4\\d\\d 4\\.\\d+\\.\\d+ .+$")
        .endsWith("-- 1 Kbytes in 1 Request." + n);
    assertThat(list).doesNotContain(id + "!");

    JsonNode json = AdminApi.json().readTree(mta.ok("queue", "--json", "list").out());
    assertThat(json.path("messages").asInt()).isEqualTo(1);
    JsonNode m = json.path("queue").get(0);
    assertThat(m.path("id").asText()).isEqualTo(id.value());
    assertThat(m.path("sender").asText()).isEqualTo(ALICE);
    assertThat(m.path("attempts").asInt()).isEqualTo(1);
    assertThat(m.path("nextAttempt").isTextual()).isTrue();
    assertThat(m.path("held").asBoolean()).isFalse();
    assertThat(m.path("size").asLong()).isEqualTo(queued(id).size());
    JsonNode rcpt = m.path("recipients").get(0);
    assertThat(rcpt.path("address").asText()).isEqualTo("bob@remote.test");
    assertThat(rcpt.path("state").asText()).isEqualTo("PENDING");
    assertThat(rcpt.path("lastReply").asText()).startsWith("4");
    assertThat(rcpt.path("lastAttempt").isTextual()).isTrue();

    String show = mta.ok("queue", "show", id.value()).out();
    assertThat(show)
        .contains("id:           " + id + n)
        .contains("sender:       " + ALICE + n)
        .contains("attempts:     1" + n)
        .contains("held:         no" + n)
        .containsPattern("recipient: +bob@remote\\.test pending at \\S+: 4")
        .contains("Subject: deferred one" + n)
        .contains("From: " + ALICE + n);
    assertThat(
            AdminApi.json()
                .readTree(mta.ok("queue", "--json", "show", id.value()).out())
                .path("headers")
                .asText())
        .contains("Subject: deferred one\r\n");

    assertThat(mta.ok("queue", "hold", id.value(), "looks odd").out())
        .isEqualTo("held " + id + ": looks odd" + n);
    assertThat(queued(id).held()).isTrue();
    assertThat(queued(id).holdReason()).isEqualTo("looks odd");
    assertThat(mta.ok("queue", "list").out())
        .contains(id + "!")
        .containsPattern("(?m)^ {48}\\(held: looks odd\\)$");
    Outcome heldRetry = mta.run("queue", "retry", id.value());
    assertThat(heldRetry.exitCode()).isEqualTo(1);
    assertThat(heldRetry.err()).contains("on hold");

    assertThat(mta.ok("queue", "release", id.value()).out()).isEqualTo("released " + id + n);
    assertThat(queued(id).held()).isFalse();
    awaitAttempts(id, 2); // a release attempts at once
    Outcome notHeld = mta.run("queue", "release", id.value());
    assertThat(notHeld.exitCode()).isEqualTo(1);
    assertThat(notHeld.err()).contains("not on hold");

    assertThat(mta.ok("queue", "retry", id.value()).out()).isEqualTo("retrying " + id + " now" + n);
    awaitAttempts(id, 3);
    assertThat(mta.ok("queue", "retry", "--all").out()).isEqualTo("retrying 1 message now" + n);
    awaitAttempts(id, 4);

    assertThat(mta.ok("queue", "delete", id.value()).out()).isEqualTo("deleted " + id + n);
    assertThat(mta.server().queue().list()).isEmpty();
    assertThat(mta.ok("queue", "list").out()).isEqualTo("Mail queue is empty" + n);
    assertThat(AdminApi.json().readTree(mta.ok("queue", "--json", "list").out()).path("messages"))
        .hasToString("0");
  }

  @Test
  void queueShouldExitNonZeroWithClearMessageWhenIdIsUnknownOrBad() {
    for (String command : new String[] {"show", "retry", "hold", "release", "delete"}) {
      Outcome unknown = mta.run("queue", command, "0NOSUCHID0001");
      assertThat(unknown.exitCode()).as(command).isEqualTo(1);
      assertThat(unknown.err())
          .as(command)
          .isEqualTo(
              "carbonio queue: no such message in the queue: 0NOSUCHID0001"
                  + System.lineSeparator());
    }
    Outcome bad = mta.run("queue", "show", "../etc");
    assertThat(bad.exitCode()).isEqualTo(1);
    assertThat(bad.err()).contains("bad queue id");
    Outcome neither = mta.run("queue", "retry");
    assertThat(neither.exitCode()).isEqualTo(2);
    assertThat(neither.err()).contains("a queue id or --all");
    assertThat(mta.run("queue", "retry", "X1", "--all").exitCode()).isEqualTo(2);
  }

  @Test
  void queueShouldBeForbiddenWhenCallerIsNoGlobalAdmin() throws Exception {
    QueueId id = deferredMessage("for admins only");
    String file = mta.passwordFile().toString();
    for (String delegated : new String[] {DORA, HUGO}) {
      for (String[] command :
          new String[][] {
            {"list"}, {"show", id.value()}, {"hold", id.value()}, {"delete", id.value()}
          }) {
        String[] args = new String[command.length + 4];
        System.arraycopy(
            new String[] {"--admin", delegated, "--admin-password-file", file}, 0, args, 0, 4);
        System.arraycopy(command, 0, args, 4, command.length);
        Outcome o = mta.run("queue", args);
        assertThat(o.exitCode()).as("%s %s", delegated, command[0]).isEqualTo(5);
        assertThat(o.err()).contains("global admins");
      }
    }
    assertThat(queued(id).held()).isFalse();

    // the API itself: 403 with the usual error body
    String http = mta.server().port(Listener.Kind.HTTP) + "";
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/admin/v1/queue"))
                    .header(
                        "Authorization",
                        "Basic "
                            + Base64.getEncoder()
                                .encodeToString(
                                    (DORA + ":" + OperatorMtaExtension.PASSWORD)
                                        .getBytes(StandardCharsets.UTF_8)))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(AdminApi.json().readTree(response.body()).path("error").asText())
        .isEqualTo("forbidden");

    // a global admin other than the server's own may
    mta.server().directory().setAdmin(DORA, true);
    Outcome global = mta.run("queue", "--admin", DORA, "--admin-password-file", file, "list");
    assertThat(global.exitCode()).as(global.err()).isZero();
    assertThat(global.out()).contains(id.value());
  }
}
