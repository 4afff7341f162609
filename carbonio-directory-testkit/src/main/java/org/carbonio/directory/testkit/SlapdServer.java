package org.carbonio.directory.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.RDN;
import com.unboundid.ldap.sdk.schema.AttributeTypeDefinition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.carbonio.directory.internal.LdapLayout;

/**
 * One private OpenLDAP server (Debian's {@code slapd}) for tests and benchmarks: its own {@code
 * cn=config} directory and mdb database under a directory the caller owns, one suffix with a root
 * DN, the core, cosine, inetorgperson and nis schemas plus the carbonio schema ({@link
 * OpenLdapSchema}), listening on {@code ldap://127.0.0.1:<free port>/} only. No system slapd
 * configuration or service is touched.
 *
 * {@snippet :
 * try (SlapdServer slapd = SlapdServer.start(dir, "dc=example,dc=org")) {
 *   slapd.ldapAdd(Path.of("accounts.ldif"));           // runs /usr/bin/ldapadd
 *   try (LDAPConnection c = slapd.connection()) {       // bound as the root DN
 *     c.getEntry("uid=alice,ou=people,dc=example,dc=org");
 *   }
 * }
 * }
 *
 * <p>The {@code pw-sha2} and {@code argon2} modules are loaded, so binds verify {@code {SSHA}},
 * {@code {SSHA512}}, {@code {CRYPT}} and {@code {ARGON2}} userPassword values as well as cleartext.
 *
 * <p>slapd runs in the foreground as a child process ({@code -d none}: errors only, to {@code
 * slapd.log} in the directory). When the JVM runs as root, slapd drops to the OS user {@code
 * openldap} (or {@code nobody}) with {@code -u}/{@code -g}; the directory is then given to that
 * user, and its ancestors gain the others-execute bit where they lack it (traversal only), since
 * slapd reads its configuration after dropping privileges.
 *
 * <p>Starting on a directory that already holds a configuration restarts that server with its data
 * (the suffix and root password must match the first start).
 *
 * <p>Thread-safe.
 */
public final class SlapdServer implements AutoCloseable {
  /** Where Debian's slapd package puts {@code slapd} and {@code slapadd}. */
  public static final Path DEFAULT_BIN = Path.of("/usr/sbin");

  /** System property that overrides {@link #DEFAULT_BIN}. */
  public static final String BIN_PROPERTY = "carbonio.slapd.bin";

  /** Where Debian keeps the OpenLDAP schema LDIF files. */
  public static final Path SCHEMA_DIR = Path.of("/etc/ldap/schema");

  /** The OpenLDAP schemas every server loads, in order, before the carbonio schema. */
  public static final List<String> SCHEMAS = List.of("core", "cosine", "inetorgperson", "nis");

  /** The root password unless {@link Builder#rootPassword} sets another. */
  public static final String DEFAULT_ROOT_PASSWORD = "secret";

  private static final String HOST = "127.0.0.1";
  private static final String MODULE_PATH = "/usr/lib/ldap";
  private static final int START_ATTEMPTS = 3;
  private static final long START_TIMEOUT_MILLIS = 30_000;
  private static final long STOP_TIMEOUT_SECONDS = 30;
  private static final long TOOL_TIMEOUT_SECONDS = 120;

  /** Matching rules whose OpenLDAP implementation has an equality indexer. */
  private static final Set<String> INDEXABLE =
      Set.of(
          "caseignorematch",
          "caseexactmatch",
          "caseignoreia5match",
          "caseexactia5match",
          "octetstringmatch",
          "integermatch",
          "distinguishednamematch",
          "uuidmatch");

  private final Path dir;
  private final DN suffix;
  private final DN rootDn;
  private final String rootPassword;
  private final int port;
  private final Process process;
  private final Thread shutdownHook;
  private boolean stopped;

  private SlapdServer(
      Path dir, DN suffix, DN rootDn, String rootPassword, int port, Process process) {
    this.dir = dir;
    this.suffix = suffix;
    this.rootDn = rootDn;
    this.rootPassword = rootPassword;
    this.port = port;
    this.process = process;
    this.shutdownHook = new Thread(process::destroyForcibly, "slapd-test-stop");
  }

  /**
   * Starts a server with the defaults of {@link Builder}: a database for {@code suffix} holding the
   * suffix entry, root DN {@code cn=admin,<suffix>} with {@link #DEFAULT_ROOT_PASSWORD}.
   *
   * @param dir where the configuration ({@code slapd.d}), database ({@code data}), pid file and log
   *     go; created if missing
   * @param suffix the naming context, e.g. {@code o=carbonio} or {@code dc=example,dc=org}
   * @throws IllegalStateException if slapd is not installed or does not start
   */
  public static SlapdServer start(Path dir, String suffix) {
    return builder(dir, suffix).start();
  }

  /** A builder for a server in {@code dir} with naming context {@code suffix}. */
  public static Builder builder(Path dir, String suffix) {
    return new Builder(dir, suffix);
  }

  /**
   * Options of a server. Not thread-safe: confine to one thread.
   *
   * <p>Defaults: root password {@value SlapdServer#DEFAULT_ROOT_PASSWORD}; no fsync ({@code
   * olcDbNoSync}: the database is thrown away); the suffix entry is created; no schema besides
   * {@link SlapdServer#SCHEMAS} and carbonio's.
   */
  public static final class Builder {
    private final Path dir;
    private final String suffix;
    private String rootPassword = DEFAULT_ROOT_PASSWORD;
    private boolean durable;
    private boolean suffixEntry = true;
    private final List<Path> extraSchemas = new ArrayList<>();

    private Builder(Path dir, String suffix) {
      this.dir = Objects.requireNonNull(dir, "dir");
      this.suffix = Objects.requireNonNull(suffix, "suffix");
    }

    /** The root DN's password (stored as given: slapd compares cleartext). */
    public Builder rootPassword(String password) {
      if (password == null || password.isEmpty() || password.contains("\n")) {
        throw new IllegalArgumentException("root password must be a non-empty single line");
      }
      this.rootPassword = password;
      return this;
    }

    /** Whether the database syncs to disk on each commit (default false), for load runs. */
    public Builder durable(boolean durable) {
      this.durable = durable;
      return this;
    }

    /**
     * Whether to create the suffix entry (default true): {@code organization} for {@code o=},
     * {@code dcObject} + {@code organization} for {@code dc=}, {@code organizationalUnit} for
     * {@code ou=}. With false the database starts empty.
     */
    public Builder suffixEntry(boolean create) {
      this.suffixEntry = create;
      return this;
    }

    /**
     * One more OpenLDAP schema LDIF file, loaded after the standard ones and before carbonio's,
     * e.g. {@code /etc/ldap/schema/msuser.ldif} for Active Directory attributes.
     */
    public Builder schema(Path ldif) {
      extraSchemas.add(Objects.requireNonNull(ldif, "ldif"));
      return this;
    }

    /**
     * Writes the configuration (unless {@code dir} holds one already) and starts slapd.
     *
     * @throws IllegalStateException if slapd is not installed or does not start in time
     */
    public SlapdServer start() {
      return SlapdServer.start(this);
    }
  }

  private static SlapdServer start(Builder b) {
    Path bin = Path.of(System.getProperty(BIN_PROPERTY, DEFAULT_BIN.toString()));
    for (Path tool : List.of(bin.resolve("slapd"), bin.resolve("slapadd"))) {
      if (!Files.isExecutable(tool)) {
        throw new IllegalStateException(
            "OpenLDAP slapd is not installed: "
                + tool
                + " is missing (Debian: apt-get install slapd, or ./carbonio test, which installs"
                + " it without starting a system slapd; or set -D"
                + BIN_PROPERTY
                + " to the directory of slapd and slapadd)");
      }
    }
    DN suffix = parseDn(b.suffix);
    if (suffix.isNullDN()) {
      throw new IllegalArgumentException("suffix must not be empty");
    }
    DN rootDn = new DN(new RDN("cn", "admin"), suffix);
    Entry base = b.suffixEntry ? suffixEntry(suffix) : null;
    Path dir = b.dir.toAbsolutePath();
    boolean asRoot = "root".equals(System.getProperty("user.name"));
    try {
      Files.createDirectories(dir);
      if (!Files.isDirectory(dir.resolve("slapd.d"))) {
        configure(b, bin, dir, suffix, rootDn, base);
      }
      List<String> runAs = List.of();
      if (asRoot) {
        runAs = giveTo(dir);
      }
      IllegalStateException last = null;
      for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
        int port = freePort();
        try {
          return launch(bin, dir, suffix, rootDn, b.rootPassword, port, runAs);
        } catch (PortTakenException e) {
          // Another process took the port between freePort() and slapd's bind: try another.
          last = e;
        }
      }
      throw last;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start slapd in " + dir, e);
    }
  }

  private static final class PortTakenException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    PortTakenException(String message) {
      super(message);
    }
  }

  private static void configure(Builder b, Path bin, Path dir, DN suffix, DN rootDn, Entry base)
      throws IOException {
    List<Path> schemas = new ArrayList<>();
    for (String s : SCHEMAS) {
      schemas.add(SCHEMA_DIR.resolve(s + ".ldif"));
    }
    schemas.addAll(b.extraSchemas);
    StringBuilder ldif = new StringBuilder();
    ldif.append(
        """
        dn: cn=config
        objectClass: olcGlobal
        cn: config
        olcPidFile: %s
        olcArgsFile: %s

        dn: cn=module{0},cn=config
        objectClass: olcModuleList
        cn: module{0}
        olcModulePath: %s
        olcModuleLoad: back_mdb
        olcModuleLoad: pw-sha2
        olcModuleLoad: argon2

        dn: cn=schema,cn=config
        objectClass: olcSchemaConfig
        cn: schema

        """
            .formatted(dir.resolve("slapd.pid"), dir.resolve("slapd.args"), MODULE_PATH));
    for (Path schema : schemas) {
      if (!Files.isRegularFile(schema)) {
        throw new IllegalStateException("OpenLDAP schema file missing: " + schema);
      }
      ldif.append(Files.readString(schema, UTF_8).strip()).append("\n\n");
    }
    ldif.append(OpenLdapSchema.ldif(schemas).strip()).append("\n\n");
    // RFC 4512 §5.1: the root DSE and subschema are readable by anyone; sizes unlimited so that a
    // benchmark can list 10,000 accounts in one search.
    ldif.append(
        """
        dn: olcDatabase={-1}frontend,cn=config
        objectClass: olcDatabaseConfig
        objectClass: olcFrontendConfig
        olcDatabase: {-1}frontend
        olcSizeLimit: unlimited

        dn: olcDatabase={0}config,cn=config
        objectClass: olcDatabaseConfig
        olcDatabase: {0}config
        olcAccess: {0}to * by * none

        """);
    Entry db = new Entry("olcDatabase={1}mdb,cn=config");
    db.addAttribute("objectClass", "olcDatabaseConfig", "olcMdbConfig");
    db.addAttribute("olcDatabase", "{1}mdb");
    db.addAttribute("olcSuffix", suffix.toString());
    db.addAttribute("olcRootDN", rootDn.toString());
    db.addAttribute("olcRootPW", b.rootPassword);
    db.addAttribute("olcDbDirectory", dir.resolve("data").toString());
    db.addAttribute("olcDbMaxSize", Long.toString(4L << 30));
    db.addAttribute("olcDbNoSync", b.durable ? "FALSE" : "TRUE");
    db.addAttribute("olcSizeLimit", "unlimited");
    db.addAttribute(new Attribute("olcDbIndex", indexes()));
    db.addAttribute(
        "olcAccess",
        "{0}to attrs=userPassword by self write by anonymous auth by * none",
        // secrets of the carbonio schema: the root DN (which bypasses access control) only
        "{1}to attrs="
            + String.join(
                ",", LdapLayout.AT_DKIM_KEY, LdapLayout.AT_SCRAM, LdapLayout.AT_APP_PASSWORD)
            + " by * none",
        "{2}to * by * read");
    ldif.append(db.toLDIFString(0));
    Path config = dir.resolve("config.ldif");
    Files.writeString(config, ldif, UTF_8);
    String slapadd = bin.resolve("slapadd").toString();
    Path confDir = dir.resolve("slapd.d");
    Path dataDir = dir.resolve("data");
    Files.createDirectories(dataDir);
    Files.createDirectories(confDir);
    try {
      tool(dir, List.of(slapadd, "-n0", "-F", confDir.toString(), "-l", config.toString()));
      if (base != null) {
        Path baseLdif = dir.resolve("suffix.ldif");
        Files.writeString(baseLdif, base.toLDIFString(0), UTF_8);
        tool(dir, List.of(slapadd, "-n1", "-F", confDir.toString(), "-l", baseLdif.toString()));
      }
    } catch (IllegalStateException e) {
      // Leave no half-written configuration behind: the next start would reuse it.
      deleteTree(confDir);
      deleteTree(dataDir);
      Files.createDirectories(dataDir);
      throw e;
    }
  }

  /** Equality indexes: the usual lookup keys plus every indexable carbonio attribute type. */
  private static String[] indexes() {
    Set<String> names = new LinkedHashSet<>(List.of("objectClass", "uid", "mail", "cn"));
    for (AttributeTypeDefinition t : LdapLayout.schema().getAttributeTypes()) {
      String rule = t.getEqualityMatchingRule();
      if (t.getOID().startsWith(LdapLayout.OID_ARC + ".")
          && rule != null
          && INDEXABLE.contains(rule.toLowerCase(Locale.ROOT))) {
        names.add(t.getNameOrOID());
      }
    }
    return names.stream().map(n -> n + " eq").toArray(String[]::new);
  }

  static Entry suffixEntry(DN suffix) {
    RDN rdn = suffix.getRDN();
    if (rdn.getAttributeNames().length != 1) {
      throw new IllegalArgumentException(
          "cannot create a suffix entry for a multi-valued RDN: " + suffix);
    }
    String attr = rdn.getAttributeNames()[0].toLowerCase(Locale.ROOT);
    String value = rdn.getAttributeValues()[0];
    return switch (attr) {
      case "o" -> new Entry(suffix, attrs("objectClass", "top", "organization"), attrs("o", value));
      case "dc" ->
          new Entry(
              suffix,
              attrs("objectClass", "top", "dcObject", "organization"),
              attrs("dc", value),
              attrs("o", value));
      case "ou" ->
          new Entry(suffix, attrs("objectClass", "top", "organizationalUnit"), attrs("ou", value));
      default ->
          throw new IllegalArgumentException(
              "no suffix entry for attribute '"
                  + attr
                  + "' (use o=, dc= or ou=, or suffixEntry(false)): "
                  + suffix);
    };
  }

  private static Attribute attrs(String name, String... values) {
    return new Attribute(name, values);
  }

  /**
   * Gives {@code dir} to the unprivileged user slapd runs as and returns the {@code -u/-g}
   * arguments.
   */
  private static List<String> giveTo(Path dir) throws IOException {
    UserPrincipalLookupService lookup = dir.getFileSystem().getUserPrincipalLookupService();
    String userName = "openldap";
    String groupName = "openldap";
    UserPrincipal user;
    GroupPrincipal group;
    try {
      user = lookup.lookupPrincipalByName(userName);
      group = lookup.lookupPrincipalByGroupName(groupName);
    } catch (UserPrincipalNotFoundException e) {
      userName = "nobody";
      groupName = "nogroup";
      user = lookup.lookupPrincipalByName(userName);
      group = lookup.lookupPrincipalByGroupName(groupName);
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.toList()) {
        PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
        view.setOwner(user);
        view.setGroup(group);
      }
    }
    // slapd opens slapd.d and data after setuid: every ancestor must be traversable.
    for (Path p = dir.getParent(); p != null; p = p.getParent()) {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
      if (!perms.contains(PosixFilePermission.OTHERS_EXECUTE)) {
        perms.add(PosixFilePermission.OTHERS_EXECUTE);
        Files.setPosixFilePermissions(p, perms);
      }
    }
    return List.of("-u", userName, "-g", groupName);
  }

  private static SlapdServer launch(
      Path bin, Path dir, DN suffix, DN rootDn, String password, int port, List<String> runAs)
      throws IOException {
    Path log = dir.resolve("slapd.log");
    List<String> cmd = new ArrayList<>();
    cmd.addAll(
        List.of(
            bin.resolve("slapd").toString(),
            "-d",
            "none", // stay in the foreground; log only errors (LDAP_DEBUG_ANY)
            "-h",
            "ldap://" + HOST + ":" + port + "/",
            "-F",
            dir.resolve("slapd.d").toString()));
    cmd.addAll(runAs);
    long logStart = Files.exists(log) ? Files.size(log) : 0;
    Process p =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    SlapdServer server = new SlapdServer(dir, suffix, rootDn, password, port, p);
    Runtime.getRuntime().addShutdownHook(server.shutdownHook);
    try {
      server.awaitReady(log, logStart);
      return server;
    } catch (RuntimeException e) {
      server.stop();
      throw e;
    }
  }

  /** Binds as the root DN until it works, slapd exits, or the deadline passes. */
  private void awaitReady(Path log, long logStart) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MILLIS);
    LDAPException lastError = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        String text = logSince(log, logStart);
        String message =
            "slapd exited with " + process.exitValue() + " on port " + port + ":\n" + text;
        if (text.contains("errno=98")) {
          throw new PortTakenException(message);
        }
        throw new IllegalStateException(message);
      }
      try (LDAPConnection c = new LDAPConnection(options(1000), HOST, port)) {
        c.bind(rootDn.toString(), rootPassword);
        if (process.isAlive()) {
          return;
        }
      } catch (LDAPException e) {
        lastError = e;
      }
      try {
        // Waits on the process (returns at once if slapd exits), not a sleep.
        process.waitFor(50, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for slapd", e);
      }
    }
    throw new IllegalStateException(
        "slapd did not accept a bind within "
            + START_TIMEOUT_MILLIS
            + " ms on port "
            + port
            + " (last error: "
            + (lastError == null ? "none" : lastError.getMessage())
            + "):\n"
            + logSince(log, logStart));
  }

  private static LDAPConnectionOptions options(int timeoutMillis) {
    LDAPConnectionOptions o = new LDAPConnectionOptions();
    o.setConnectTimeoutMillis(timeoutMillis);
    o.setResponseTimeoutMillis(timeoutMillis * 5L);
    return o;
  }

  private static String logSince(Path log, long offset) {
    try {
      byte[] all = Files.readAllBytes(log);
      int from = (int) Math.min(offset, all.length);
      return new String(all, from, all.length - from, UTF_8);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /**
   * A port that was free a moment ago. slapd cannot bind port 0 and report it, so this binds port
   * 0, reads the port and closes the socket; another process may take the port before slapd binds
   * it (handled by retrying the start).
   */
  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** {@code ldap://127.0.0.1:<port>/}. */
  public String url() {
    return "ldap://" + HOST + ":" + port + "/";
  }

  /** {@code 127.0.0.1}. */
  public String host() {
    return HOST;
  }

  /** The TCP port on 127.0.0.1. */
  public int port() {
    return port;
  }

  /** The naming context, normalised by RFC 4514 §2 rules (e.g. {@code dc=example,dc=org}). */
  public String suffix() {
    return suffix.toString();
  }

  /** {@code cn=admin,<suffix>}: bypasses access control. */
  public String rootDn() {
    return rootDn.toString();
  }

  /** The root DN's password. */
  public String rootPassword() {
    return rootPassword;
  }

  /** The directory holding the configuration, database, pid file and {@code slapd.log}. */
  public Path directory() {
    return dir;
  }

  /** slapd's process id (the same as in its pid file), for CPU accounting in load runs. */
  public long pid() {
    return process.pid();
  }

  /** Whether slapd is still running. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /**
   * A new connection bound as the root DN; the caller closes it.
   *
   * @throws LDAPException if slapd cannot be reached or the bind fails
   */
  public LDAPConnection connection() throws LDAPException {
    LDAPConnection c = new LDAPConnection(options(5000), HOST, port);
    try {
      c.bind(rootDn.toString(), rootPassword);
      return c;
    } catch (LDAPException e) {
      c.close();
      throw e;
    }
  }

  /**
   * Adds the entries of an LDIF file with {@code /usr/bin/ldapadd} (ldap-utils), bound as the root
   * DN.
   *
   * @return what ldapadd printed
   * @throws IllegalStateException if ldapadd is missing or fails; the message holds its output
   */
  public String ldapAdd(Path ldif) {
    return ldapTool(
        "ldapadd", "-x", "-H", url(), "-D", rootDn(), "-w", rootPassword, "-f", ldif.toString());
  }

  /**
   * Searches the subtree of the suffix with {@code /usr/bin/ldapsearch} (ldap-utils), bound as the
   * root DN.
   *
   * @return the matching entries as LDIF ({@code -LLL}: no comments, no version line)
   * @throws IllegalStateException if ldapsearch is missing or fails; the message holds its output
   */
  public String ldapSearch(String filter, String... attributes) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "-x",
                "-LLL",
                "-o",
                "ldif-wrap=no",
                "-H",
                url(),
                "-D",
                rootDn(),
                "-w",
                rootPassword,
                "-b",
                suffix(),
                filter));
    args.addAll(List.of(attributes));
    return ldapTool("ldapsearch", args.toArray(String[]::new));
  }

  /**
   * Runs one ldap-utils client ({@code /usr/bin/<name>}, e.g. {@code ldapmodify}, {@code
   * ldapwhoami}) with {@code args}, ignoring any {@code ldap.conf} and {@code .ldaprc}.
   *
   * @return its standard output and error
   * @throws IllegalStateException if the tool is missing, fails or runs longer than 120 s
   */
  public String ldapTool(String name, String... args) {
    Path tool = Path.of("/usr/bin").resolve(name);
    if (!name.startsWith("ldap") || name.contains("/") || !Files.isExecutable(tool)) {
      throw new IllegalStateException(
          tool + " is not installed (Debian: apt-get install ldap-utils)");
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(tool.toString());
    cmd.addAll(List.of(args));
    try {
      return tool(dir, cmd);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + tool, e);
    }
  }

  private static String tool(Path workDir, List<String> cmd) throws IOException {
    Path out = Files.createTempFile("carbonio-slapd-cmd-", ".log");
    try {
      ProcessBuilder pb =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .directory(workDir.toFile());
      pb.environment().put("LDAPNOINIT", "1");
      Process p = pb.start();
      boolean done;
      try {
        done = p.waitFor(TOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
        throw new IllegalStateException("interrupted running " + cmd.getFirst(), e);
      }
      if (!done) {
        p.destroyForcibly();
        throw new IllegalStateException(
            cmd.getFirst() + " did not finish in " + TOOL_TIMEOUT_SECONDS + "s");
      }
      String text = Files.readString(out, UTF_8);
      if (p.exitValue() != 0) {
        throw new IllegalStateException(
            cmd.getFirst() + " failed (exit " + p.exitValue() + "):\n" + text);
      }
      return text;
    } finally {
      Files.deleteIfExists(out);
    }
  }

  /**
   * Stops slapd (SIGTERM, which flushes and closes the database; SIGKILL after 30 s) and waits for
   * the process to end. The directory stays. Idempotent.
   */
  public synchronized void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException ignored) {
        // the JVM is shutting down; the hook kills the process
      }
    }
  }

  /** Same as {@link #stop}. */
  @Override
  public void close() {
    stop();
  }

  private static DN parseDn(String s) {
    try {
      return new DN(s);
    } catch (LDAPException e) {
      throw new IllegalArgumentException("not a DN: " + s, e);
    }
  }

  static void deleteTree(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete " + root, e);
    }
  }
}
