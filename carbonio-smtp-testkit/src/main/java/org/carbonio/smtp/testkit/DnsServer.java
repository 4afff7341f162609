package org.carbonio.smtp.testkit;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * A real authoritative DNS server for tests, on 127.0.0.1 with a free port, over UDP and TCP, whose
 * records the test sets. Thread-safe: records may change while it serves.
 *
 * <p>Names that hold no record and are not an ancestor of one are NXDOMAIN; names that exist
 * without records of the asked type are NODATA (NOERROR, empty answer); both carry a SOA in the
 * authority section with {@link #ttl} as its minimum (RFC 2308). CNAMEs are followed through the
 * server's own data (RFC 1034 §4.3.2). {@link #servfail}, {@link #drop} and {@link #truncate} make
 * a name fail (SERVFAIL), time out (no answer at all) or answer over UDP with only the TC bit (the
 * client must retry over TCP). {@link #secure} marks names whose answers carry the AD bit, standing
 * in for a validating resolver (RFC 4035 §3.2.3) in DANE tests.
 *
 * {@snippet :
 * try (DnsServer dns = DnsServer.start()) {
 *   dns.mx("example.test", 10, "mx.example.test").a("mx.example.test", "127.0.0.1");
 *   DnsResolver resolver = DnsjavaResolver.of(List.of(dns.address()), Duration.ofSeconds(2));
 * }
 * }
 */
public final class DnsServer implements AutoCloseable {

  private final DatagramSocket udp;
  private final ServerSocket tcp;
  private final ExecutorService threads =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("test-dns-", 0).factory());
  private final Map<Name, List<Record>> zone = new ConcurrentHashMap<>();
  private final Set<Name> servfail = ConcurrentHashMap.newKeySet();
  private final Set<Name> dropped = ConcurrentHashMap.newKeySet();
  private final Set<Name> truncated = ConcurrentHashMap.newKeySet();
  private final Set<Name> secure = ConcurrentHashMap.newKeySet();
  private final Map<String, AtomicInteger> queryCounts = new ConcurrentHashMap<>();
  private final List<Socket> connections = new CopyOnWriteArrayList<>();
  private final AtomicInteger tcpQueries = new AtomicInteger();
  private volatile long ttl = 60;
  private volatile boolean closed;

  private DnsServer(DatagramSocket udp, ServerSocket tcp) {
    this.udp = udp;
    this.tcp = tcp;
  }

  /** Starts a server on 127.0.0.1, UDP and TCP on the same free port. */
  public static DnsServer start() throws IOException {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    IOException last = null;
    for (int attempt = 0; attempt < 20; attempt++) {
      DatagramSocket udp = new DatagramSocket(new InetSocketAddress(loopback, 0));
      try {
        ServerSocket tcp = new ServerSocket();
        try {
          tcp.bind(new InetSocketAddress(loopback, udp.getLocalPort()));
        } catch (IOException e) {
          tcp.close();
          throw e;
        }
        DnsServer server = new DnsServer(udp, tcp);
        server.threads.execute(server::serveUdp);
        server.threads.execute(server::serveTcp);
        return server;
      } catch (BindException e) {
        udp.close();
        last = e; // the TCP port was taken: try another UDP port
      }
    }
    throw last;
  }

  /** The address to give a resolver. */
  public InetSocketAddress address() {
    return new InetSocketAddress(udp.getLocalAddress(), udp.getLocalPort());
  }

  /** The port (the same for UDP and TCP). */
  public int port() {
    return udp.getLocalPort();
  }

  /** The TTL of records added from now on and of the SOA minimum (default 60 s). */
  public DnsServer ttl(long seconds) {
    this.ttl = seconds;
    return this;
  }

  /** Adds an MX record; {@code host} "." is the null MX of RFC 7505. */
  public DnsServer mx(String domain, int preference, String host) {
    Name owner = name(domain);
    return add(
        new MXRecord(owner, DClass.IN, ttl, preference, host.equals(".") ? Name.root : name(host)));
  }

  /** Adds the null MX ({@code MX 0 .}, RFC 7505). */
  public DnsServer nullMx(String domain) {
    return mx(domain, 0, ".");
  }

  /** Adds A records. */
  public DnsServer a(String host, String... addresses) {
    Name owner = name(host);
    for (String address : addresses) {
      add(new ARecord(owner, DClass.IN, ttl, address(address)));
    }
    return this;
  }

  /** Adds AAAA records. */
  public DnsServer aaaa(String host, String... addresses) {
    Name owner = name(host);
    for (String address : addresses) {
      add(new AAAARecord(owner, DClass.IN, ttl, address(address)));
    }
    return this;
  }

  /**
   * Adds one TXT record made of {@code strings}; a string longer than 255 octets is split into
   * several character-strings, as zone files do.
   */
  public DnsServer txt(String name, String... strings) {
    List<String> parts = new ArrayList<>();
    for (String s : strings) {
      for (int i = 0; i < s.length(); i += 255) {
        parts.add(s.substring(i, Math.min(s.length(), i + 255)));
      }
    }
    if (parts.isEmpty()) {
      parts.add("");
    }
    return add(new TXTRecord(name(name), DClass.IN, ttl, parts));
  }

  /**
   * Adds a TLSA record (RFC 6698), e.g. {@code tlsa("_25._tcp.mx.example.test", 3, 1, 1, sha256)}.
   */
  public DnsServer tlsa(String name, int usage, int selector, int matchingType, byte[] data) {
    return add(new TLSARecord(name(name), DClass.IN, ttl, usage, selector, matchingType, data));
  }

  /** Adds a TLSA record with its data in hex. */
  public DnsServer tlsa(String name, int usage, int selector, int matchingType, String hex) {
    return tlsa(name, usage, selector, matchingType, HexFormat.of().parseHex(hex));
  }

  /** Adds a PTR record for {@code address} (in in-addr.arpa or ip6.arpa). */
  public DnsServer ptr(String address, String host) {
    Name owner = ReverseMap.fromAddress(address(address));
    return add(new PTRRecord(owner, DClass.IN, ttl, name(host)));
  }

  /** Adds a CNAME. */
  public DnsServer cname(String name, String target) {
    return add(new CNAMERecord(name(name), DClass.IN, ttl, name(target)));
  }

  /** Removes every record of {@code name} (it becomes NXDOMAIN unless it has descendants). */
  public DnsServer remove(String name) {
    zone.remove(name(name));
    return this;
  }

  /** Answers SERVFAIL for {@code name} (every type), or stops doing so when {@code on} is false. */
  public DnsServer servfail(String name, boolean on) {
    toggle(servfail, name, on);
    return this;
  }

  /** Answers SERVFAIL for {@code name}. */
  public DnsServer servfail(String name) {
    return servfail(name, true);
  }

  /** Never answers questions about {@code name}, so that clients time out. */
  public DnsServer drop(String name) {
    toggle(dropped, name, true);
    return this;
  }

  /** Over UDP, answers questions about {@code name} with the TC bit and no records. */
  public DnsServer truncate(String name) {
    toggle(truncated, name, true);
    return this;
  }

  /** Sets the AD bit on answers about {@code name} (and on negative answers for it). */
  public DnsServer secure(String... names) {
    for (String n : names) {
      toggle(secure, n, true);
    }
    return this;
  }

  /** How many questions about {@code name} (any type) arrived, over UDP and TCP. */
  public int queries(String name) {
    AtomicInteger n = queryCounts.get(key(name(name)));
    return n == null ? 0 : n.get();
  }

  /** How many questions arrived over TCP. */
  public int tcpQueries() {
    return tcpQueries.get();
  }

  private void toggle(Set<Name> set, String name, boolean on) {
    if (on) {
      set.add(name(name));
    } else {
      set.remove(name(name));
    }
  }

  private DnsServer add(Record record) {
    zone.computeIfAbsent(record.getName(), k -> new CopyOnWriteArrayList<>()).add(record);
    return this;
  }

  private static Name name(String text) {
    try {
      return Name.fromString(text.endsWith(".") ? text : text + ".");
    } catch (TextParseException e) {
      throw new IllegalArgumentException("bad DNS name " + text, e);
    }
  }

  private static String key(Name name) {
    return name.toString().toLowerCase(Locale.ROOT);
  }

  private static InetAddress address(String literal) {
    try {
      // a literal: no lookup happens
      if (!literal.matches("[0-9a-fA-F:.]+")) {
        throw new IllegalArgumentException("not an address literal: " + literal);
      }
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("bad address " + literal, e);
    }
  }

  /** Builds the answer, or returns null to drop the question. */
  Message answer(Message query, boolean overUdp) {
    Message response = new Message(query.getHeader().getID());
    Header h = response.getHeader();
    h.setFlag(Flags.QR);
    h.setFlag(Flags.AA);
    if (query.getHeader().getFlag(Flags.RD)) {
      h.setFlag(Flags.RD);
    }
    Record question = query.getQuestion();
    if (question == null || query.getHeader().getOpcode() != Opcode.QUERY) {
      h.setRcode(Rcode.FORMERR);
      return response;
    }
    response.addRecord(question, Section.QUESTION);
    Name qname = question.getName();
    queryCounts.computeIfAbsent(key(qname), k -> new AtomicInteger()).incrementAndGet();
    if (dropped.contains(qname)) {
      return null;
    }
    if (servfail.contains(qname)) {
      h.setRcode(Rcode.SERVFAIL);
      return response;
    }
    if (overUdp && truncated.contains(qname)) {
      h.setFlag(Flags.TC);
      return response;
    }
    int type = question.getType();
    Name current = qname;
    boolean authenticated = true;
    for (int hops = 0; ; hops++) {
      authenticated &= secure.contains(current);
      List<Record> records = zone.getOrDefault(current, List.of());
      List<Record> matching = records.stream().filter(r -> r.getType() == type).toList();
      if (!matching.isEmpty() || type == Type.ANY) {
        (type == Type.ANY ? records : matching).forEach(r -> response.addRecord(r, Section.ANSWER));
        break;
      }
      CNAMERecord cname =
          records.stream()
              .filter(CNAMERecord.class::isInstance)
              .map(CNAMERecord.class::cast)
              .findFirst()
              .orElse(null);
      if (cname != null && hops < 16) {
        response.addRecord(cname, Section.ANSWER);
        current = cname.getTarget();
        if (servfail.contains(current)) {
          h.setRcode(Rcode.SERVFAIL);
          return response;
        }
        continue;
      }
      if (!exists(current)) {
        h.setRcode(Rcode.NXDOMAIN);
      }
      response.addRecord(soa(current), Section.AUTHORITY);
      break;
    }
    if (authenticated) {
      h.setFlag(Flags.AD);
    }
    return response;
  }

  private boolean exists(Name name) {
    if (zone.containsKey(name)) {
      return true;
    }
    for (Name n : zone.keySet()) {
      if (n.subdomain(name)) {
        return true; // an empty non-terminal: NODATA, not NXDOMAIN (RFC 8020)
      }
    }
    return false;
  }

  private SOARecord soa(Name name) {
    Name zoneName = name.labels() > 3 ? new Name(name, name.labels() - 3) : name;
    try {
      return new SOARecord(
          zoneName,
          DClass.IN,
          ttl,
          Name.concatenate(Name.fromConstantString("ns"), zoneName),
          Name.concatenate(Name.fromConstantString("hostmaster"), zoneName),
          1,
          3600,
          600,
          86400,
          ttl);
    } catch (org.xbill.DNS.NameTooLongException e) {
      return new SOARecord(
          Name.root,
          DClass.IN,
          ttl,
          Name.fromConstantString("ns."),
          Name.fromConstantString("hostmaster."),
          1,
          3600,
          600,
          86400,
          ttl);
    }
  }

  private void serveUdp() {
    byte[] buffer = new byte[65535];
    while (!closed) {
      DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
      try {
        udp.receive(packet);
      } catch (IOException e) {
        return; // closed
      }
      try {
        Message query = new Message(java.util.Arrays.copyOf(packet.getData(), packet.getLength()));
        Message response = answer(query, true);
        if (response == null) {
          continue;
        }
        int max = query.getOPT() == null ? 512 : Math.max(512, query.getOPT().getPayloadSize());
        byte[] wire = response.toWire(max); // sets TC when it does not fit (RFC 1035 §4.2.1)
        udp.send(new DatagramPacket(wire, wire.length, packet.getSocketAddress()));
      } catch (IOException e) {
        // a malformed packet: ignore it, as a server would
      }
    }
  }

  private void serveTcp() {
    while (!closed) {
      Socket socket;
      try {
        socket = tcp.accept();
      } catch (IOException e) {
        return;
      }
      connections.add(socket);
      threads.execute(() -> serveConnection(socket));
    }
  }

  private void serveConnection(Socket socket) {
    try (socket;
        DataInputStream in = new DataInputStream(socket.getInputStream());
        DataOutputStream out = new DataOutputStream(socket.getOutputStream())) {
      socket.setSoTimeout(10_000);
      while (!closed) {
        int length = in.readUnsignedShort(); // RFC 1035 §4.2.2
        byte[] bytes = in.readNBytes(length);
        if (bytes.length < length) {
          return;
        }
        tcpQueries.incrementAndGet();
        Message response = answer(new Message(bytes), false);
        if (response == null) {
          continue;
        }
        byte[] wire = response.toWire(65535);
        out.writeShort(wire.length);
        out.write(wire);
        out.flush();
      }
    } catch (EOFException | SocketException e) {
      // client went away
    } catch (IOException e) {
      // timeout or malformed: close
    } finally {
      connections.remove(socket);
    }
  }

  /** Stops serving and waits for the server's threads. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    udp.close();
    try {
      tcp.close();
    } catch (IOException e) {
      // closing anyway
    }
    for (Socket s : connections) {
      try {
        s.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
    threads.shutdown();
    try {
      threads.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "DnsServer[" + address() + ", " + zone.size() + " names]";
  }
}
