package org.carbonio.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.carbonio.server.cli.ProvCommand.ProvFailure;
import org.carbonio.server.cli.ProvCommand.Sub;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The {@code carbonio prov dkim-*} subcommands: DKIM signing keys of a domain (RFC 6376), generated
 * by the server, which keeps the private key; the commands print the TXT record to publish.
 *
 * <p>Rotation: {@code dkim-generate} (the new key is {@code published-next}), publish its record,
 * wait for it to propagate, {@code dkim-activate} (the old key becomes {@code retired}), keep the
 * old record a few days, then {@code dkim-remove} it.
 *
 * <p>Not thread-safe: one instance per command-line run.
 */
final class ProvDkim {
  private ProvDkim() {}

  @Command(
      name = "dkim-generate",
      description =
          "Generate a DKIM key for a domain in the server and print the TXT record to publish."
              + " The key waits (published-next) until dkim-activate, unless --activate is given"
              + " for a domain that has no active key yet.")
  static final class Generate extends Sub {
    @Parameters(paramLabel = "DOMAIN")
    String domain;

    @Option(
        names = "--selector",
        paramLabel = "S",
        description = "The selector (default: s + today's date, e.g. s20261129).")
    String selector;

    @Option(
        names = "--algorithm",
        paramLabel = "rsa|ed25519",
        defaultValue = "rsa",
        description = "rsa (2048 bits, verified everywhere) or ed25519 (RFC 8463).")
    String algorithm;

    @Option(
        names = "--activate",
        description = "Sign with it at once (only when the domain has no active key).")
    boolean activate;

    @Override
    JsonNode run(AdminClient client) throws IOException, ProvFailure, InterruptedException {
      Map<String, Object> body = new LinkedHashMap<>();
      if (selector != null) {
        body.put("selector", selector);
      }
      body.put("algorithm", algorithm);
      body.put("activate", activate);
      return client.call("POST", dkimPath(domain), body);
    }

    @Override
    void print(PrintWriter out, JsonNode k) {
      String state = state(k);
      out.println(
          "generated DKIM key "
              + k.path("selector").asText()
              + " ("
              + k.path("algorithm").asText()
              + ") for "
              + k.path("domain").asText()
              + ": "
              + state);
      out.println("publish this record in the domain's DNS zone:");
      out.println("  " + zoneLine(k.path("record")));
      if (!state.equals("active")) {
        out.println(
            "then, once it resolves: carbonio prov dkim-activate "
                + k.path("domain").asText()
                + " "
                + k.path("selector").asText());
      }
    }
  }

  @Command(
      name = "dkim-list",
      description = "List a domain's DKIM keys with their state and TXT record.")
  static final class ListKeys extends Sub {
    @Parameters(paramLabel = "DOMAIN")
    String domain;

    @Override
    JsonNode run(AdminClient client) throws IOException, ProvFailure, InterruptedException {
      return client.call("GET", dkimPath(domain), null);
    }

    @Override
    void print(PrintWriter out, JsonNode answer) {
      JsonNode keys = answer.path("keys");
      if (keys.isEmpty()) {
        out.println("no DKIM keys for " + answer.path("domain").asText());
      }
      keys.forEach(
          k -> {
            out.println(
                k.path("selector").asText()
                    + " "
                    + k.path("algorithm").asText()
                    + " "
                    + state(k)
                    + " created "
                    + k.path("created").asText());
            out.println("  " + zoneLine(k.path("record")));
          });
    }
  }

  @Command(
      name = "dkim-activate",
      description =
          "Sign the domain's mail with this key from the next message on; the key active before"
              + " becomes retired (keep its record published a few days, then dkim-remove it).")
  static final class Activate extends Sub {
    @Parameters(index = "0", paramLabel = "DOMAIN")
    String domain;

    @Parameters(index = "1", paramLabel = "SELECTOR")
    String selector;

    @Override
    JsonNode run(AdminClient client) throws IOException, ProvFailure, InterruptedException {
      return client.call(
          "POST", dkimPath(domain) + "/" + AdminClient.segment(selector) + "/activate", null);
    }

    @Override
    void print(PrintWriter out, JsonNode answer) {
      out.println(
          "activated DKIM key "
              + answer.path("activated").asText()
              + " of "
              + answer.path("domain").asText());
      List<String> retired = new ArrayList<>();
      answer
          .path("keys")
          .forEach(
              k -> {
                if (k.path("state").asText().equals("RETIRED")) {
                  retired.add(k.path("selector").asText());
                }
              });
      if (!retired.isEmpty()) {
        out.println(
            "retired: "
                + String.join(", ", retired)
                + " (keep the records published a few days, then dkim-remove)");
      }
    }
  }

  @Command(
      name = "dkim-remove",
      description = "Remove a DKIM key (then delete its TXT record from DNS).")
  static final class Remove extends Sub {
    @Parameters(index = "0", paramLabel = "DOMAIN")
    String domain;

    @Parameters(index = "1", paramLabel = "SELECTOR")
    String selector;

    @Override
    JsonNode run(AdminClient client) throws IOException, ProvFailure, InterruptedException {
      return client.call("DELETE", dkimPath(domain) + "/" + AdminClient.segment(selector), null);
    }

    @Override
    void print(PrintWriter out, JsonNode answer) {
      String domain = answer.path("domain").asText();
      out.println("removed DKIM key " + answer.path("removed").asText() + " of " + domain);
      if (answer.path("state").asText().equals("ACTIVE")) {
        out.println("warning: it was the active key: " + domain + " signs nothing now");
      }
    }
  }

  static String dkimPath(String domain) {
    return "domains/" + AdminClient.segment(domain) + "/dkim";
  }

  /** {@code PUBLISHED_NEXT} as {@code published-next}. */
  static String state(JsonNode key) {
    return key.path("state").asText().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * The record as a zone file line: {@code name. IN TXT "..." "..."}, the value cut into strings of
   * at most 255 characters (RFC 1035 §3.3.14; a DKIM verifier joins them, RFC 6376 §3.6.2.2).
   */
  static String zoneLine(JsonNode record) {
    String value = record.path("value").asText();
    StringBuilder b = new StringBuilder(record.path("name").asText()).append(". IN TXT");
    for (int i = 0; i < value.length(); i += 255) {
      b.append(" \"").append(value, i, Math.min(value.length(), i + 255)).append('"');
    }
    return b.toString();
  }
}
