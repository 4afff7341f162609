package org.carbonio.directory.internal;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.RDN;
import com.unboundid.ldap.sdk.schema.Schema;
import com.unboundid.ldif.LDIFException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.carbonio.directory.Account;
import org.carbonio.directory.AccountStatus;
import org.carbonio.directory.ClassOfService;
import org.carbonio.directory.DistributionList;
import org.carbonio.directory.Domain;
import org.carbonio.directory.Role;

/**
 * Where things live in the tree, and the schema extension.
 *
 * <pre>
 * o=carbonio                                          organization
 * ou=domains,o=carbonio                               organizationalUnit
 * ou=example.com,ou=domains,o=carbonio                organizationalUnit + carbonioDomain
 * ou=people,ou=example.com,ou=domains,o=carbonio      organizationalUnit
 * uid=alice,ou=people,ou=example.com,...              inetOrgPerson + carbonioAccount
 * </pre>
 *
 * <p>DNs are built from {@link RDN} values, never by string concatenation, so any character in a
 * name is escaped (RFC 4514 §2.4).
 *
 * <p>Thread-safe (immutable).
 */
public final class LdapLayout {
  public static final String BASE = "o=carbonio";
  public static final String ADMIN_DN = "cn=admin,o=carbonio";
  public static final DN BASE_DN = dn(BASE);
  public static final DN DOMAINS_DN = new DN(new RDN("ou", "domains"), BASE_DN);

  public static final String OC_ACCOUNT = "carbonioAccount";
  public static final String OC_DOMAIN = "carbonioDomain";
  public static final String OC_LIST = "carbonioDistributionList";
  public static final String OC_COS = "carbonioClassOfService";
  public static final String AT_ID = "carbonioId";
  public static final String AT_STATUS = "carbonioAccountStatus";
  public static final String AT_ADMIN = "carbonioIsAdmin";
  public static final String AT_ALIAS = "carbonioMailAlias";
  public static final String AT_MEMBER = "carbonioMember";
  public static final String AT_DOMAIN_TYPE = "carbonioDomainType";
  public static final String AT_ALIAS_TARGET = "carbonioAliasTargetDomain";
  public static final String AT_QUOTA = "carbonioQuota";
  public static final String AT_COS = "carbonioCos";
  public static final String AT_MAIL_HOST = "carbonioMailHost";
  public static final String AT_FEATURE = "carbonioFeature";
  public static final String AT_PASSWORD_MIN_LENGTH = "carbonioPasswordMinLength";
  public static final String AT_ROLE = "carbonioRole";
  public static final String AT_APP_PASSWORD = "carbonioAppPassword";
  public static final String AT_SCRAM = "carbonioScramSha256";

  /** A domain's DKIM key, private key included: readable by the admin bind only. */
  public static final String AT_DKIM_KEY = "carbonioDkimKey";

  public static final String AT_PASSWORD = "userPassword";

  /**
   * Private OID arc for the schema: a UUID-derived OID (ITU-T X.667, arc 2.25), which needs no
   * registration. {@code .1.n} are attribute types, {@code .2.n} object classes.
   */
  public static final String OID_ARC = "2.25.226462734423007875869291070939851539826";

  private static final String DIRECTORY_STRING = "1.3.6.1.4.1.1466.115.121.1.15";
  private static final String BOOLEAN = "1.3.6.1.4.1.1466.115.121.1.7";
  private static final String INTEGER = "1.3.6.1.4.1.1466.115.121.1.27";

  /** One attribute type of the extension: number under the arc, name, description, syntax. */
  private record Type(int n, String name, String desc, String syntax, boolean single) {
    String definition() {
      String equality =
          switch (syntax) {
            case BOOLEAN -> "booleanMatch";
            case INTEGER -> "integerMatch";
            default -> "caseIgnoreMatch";
          };
      return "( "
          + OID_ARC
          + ".1."
          + n
          + " NAME '"
          + name
          + "' DESC '"
          + desc
          + "' EQUALITY "
          + equality
          + " SYNTAX "
          + syntax
          + (single ? " SINGLE-VALUE" : "")
          + " )";
    }
  }

  // Numbers are never reused: a type that goes away keeps its number retired.
  private static final List<Type> TYPES =
      List.of(
          new Type(1, AT_ID, "stable identifier (UUID)", DIRECTORY_STRING, true),
          new Type(2, AT_STATUS, "active, locked, maintenance or closed", DIRECTORY_STRING, true),
          new Type(3, AT_ADMIN, "global admin role", BOOLEAN, true),
          new Type(4, AT_ALIAS, "another address of the account", DIRECTORY_STRING, false),
          new Type(5, AT_MEMBER, "address of a list member", DIRECTORY_STRING, false),
          new Type(6, AT_DOMAIN_TYPE, "local or alias", DIRECTORY_STRING, true),
          new Type(
              7, AT_ALIAS_TARGET, "the domain an alias domain maps to", DIRECTORY_STRING, true),
          new Type(8, AT_QUOTA, "storage limit in octets (0: none)", INTEGER, true),
          new Type(9, AT_COS, "class of service name", DIRECTORY_STRING, true),
          new Type(
              10, AT_MAIL_HOST, "the mail node that serves the account", DIRECTORY_STRING, true),
          new Type(
              11, AT_FEATURE, "feature switch name=TRUE or name=FALSE", DIRECTORY_STRING, false),
          new Type(12, AT_PASSWORD_MIN_LENGTH, "minimum password length", INTEGER, true),
          new Type(
              13, AT_ROLE, "admin role: domain-admin:D or help-desk:D", DIRECTORY_STRING, false),
          new Type(
              14, AT_APP_PASSWORD, "app-specific password: name and hash", DIRECTORY_STRING, false),
          new Type(15, AT_SCRAM, "SCRAM-SHA-256 verifier (RFC 7677)", DIRECTORY_STRING, true),
          new Type(
              16,
              AT_DKIM_KEY,
              "DKIM key: selector, algorithm, state, created, PKCS#8 base64, TXT",
              DIRECTORY_STRING,
              false));

  private static final List<String> CLASSES =
      List.of(
          "( "
              + OID_ARC
              + ".2.1 NAME '"
              + OC_ACCOUNT
              + "' SUP top AUXILIARY MUST ( "
              + AT_ID
              + " $ mail ) MAY ( "
              + String.join(
                  " $ ",
                  AT_STATUS,
                  AT_ADMIN,
                  AT_ALIAS,
                  AT_QUOTA,
                  AT_COS,
                  AT_MAIL_HOST,
                  AT_ROLE,
                  AT_APP_PASSWORD,
                  AT_SCRAM)
              + " ) )",
          "( "
              + OID_ARC
              + ".2.2 NAME '"
              + OC_DOMAIN
              + "' SUP top AUXILIARY MUST ( "
              + AT_ID
              + " ) MAY ( "
              + AT_DOMAIN_TYPE
              + " $ "
              + AT_ALIAS_TARGET
              + " $ "
              + AT_COS
              + " $ "
              + AT_DKIM_KEY
              + " ) )",
          "( "
              + OID_ARC
              + ".2.3 NAME '"
              + OC_LIST
              + "' SUP top STRUCTURAL MUST ( cn $ mail $ "
              + AT_ID
              + " ) MAY ( "
              + AT_MEMBER
              + " $ displayName $ description ) )",
          "( "
              + OID_ARC
              + ".2.4 NAME '"
              + OC_COS
              + "' SUP top STRUCTURAL MUST ( cn $ "
              + AT_ID
              + " ) MAY ( "
              + AT_QUOTA
              + " $ "
              + AT_FEATURE
              + " $ "
              + AT_PASSWORD_MIN_LENGTH
              + " $ description ) )");

  private LdapLayout() {}

  /**
   * The carbonio attribute types and object classes alone, as a subschema entry (for exporting to
   * another server's schema format).
   */
  public static Schema extensionSchema() {
    List<String> lines = new java.util.ArrayList<>();
    lines.add("dn: cn=schema");
    lines.add("objectClass: top");
    lines.add("objectClass: ldapSubentry");
    lines.add("objectClass: subschema");
    lines.add("cn: schema");
    for (Type t : TYPES) {
      lines.add("attributeTypes: " + t.definition());
    }
    for (String c : CLASSES) {
      lines.add("objectClasses: " + c);
    }
    try {
      return new Schema(new Entry(lines.toArray(String[]::new)));
    } catch (LDIFException e) {
      throw new IllegalStateException("built-in schema does not parse", e);
    }
  }

  /** The standard schema plus the carbonio attribute types and object classes. */
  public static Schema schema() {
    try {
      return Schema.mergeSchemas(Schema.getDefaultStandardSchema(), extensionSchema());
    } catch (com.unboundid.ldap.sdk.LDAPException e) {
      throw new IllegalStateException("standard schema unavailable", e);
    }
  }

  /** Entries every directory starts with. */
  public static Entry[] skeleton() {
    return new Entry[] {
      new Entry(BASE_DN, attr("objectClass", "top", "organization"), attr("o", "carbonio")),
      new Entry(
          DOMAINS_DN, attr("objectClass", "top", "organizationalUnit"), attr("ou", "domains")),
      cosContainer(),
      defaultCos(),
    };
  }

  public static final DN COS_DN = new DN(new RDN("ou", "cos"), BASE_DN);

  /** {@code ou=cos}: added to directories created before classes of service existed. */
  public static Entry cosContainer() {
    return new Entry(COS_DN, attr("objectClass", "top", "organizationalUnit"), attr("ou", "cos"));
  }

  /** The {@value ClassOfService#DEFAULT} class: no quota, every feature on, 1-char passwords. */
  public static Entry defaultCos() {
    return cosEntry(
        new ClassOfService(ClassOfService.DEFAULT, OptionalLong.empty(), Map.of(), 1),
        "00000000-0000-0000-0000-000000000000");
  }

  public static DN cosDn(String name) {
    return new DN(new RDN("cn", name), COS_DN);
  }

  public static Entry cosEntry(ClassOfService c, String id) {
    Entry e =
        new Entry(
            cosDn(c.name()),
            attr("objectClass", "top", OC_COS),
            attr("cn", c.name()),
            attr(AT_ID, id),
            attr(AT_PASSWORD_MIN_LENGTH, Integer.toString(c.passwordMinLength())));
    c.quotaBytes().ifPresent(q -> e.addAttribute(AT_QUOTA, Long.toString(q)));
    if (!c.features().isEmpty()) {
      e.addAttribute(
          AT_FEATURE,
          c.sortedFeatures().entrySet().stream()
              .map(f -> f.getKey() + "=" + bool(f.getValue()))
              .toArray(String[]::new));
    }
    return e;
  }

  public static ClassOfService cos(Entry e) {
    Map<String, Boolean> features = new HashMap<>();
    String[] values = e.getAttributeValues(AT_FEATURE);
    if (values != null) {
      for (String v : values) {
        int eq = v.indexOf('=');
        if (eq > 0) {
          features.put(v.substring(0, eq), "TRUE".equalsIgnoreCase(v.substring(eq + 1)));
        }
      }
    }
    Integer min = e.getAttributeValueAsInteger(AT_PASSWORD_MIN_LENGTH);
    return new ClassOfService(
        e.getAttributeValue("cn"),
        quota(e.getAttributeValueAsLong(AT_QUOTA)),
        features,
        min == null || min < 1 || min > 1024 ? 1 : min);
  }

  public static DN listsDn(String domain) {
    return new DN(new RDN("ou", "lists"), domainDn(domain));
  }

  public static Entry listsEntry(String domain) {
    return new Entry(
        listsDn(domain), attr("objectClass", "top", "organizationalUnit"), attr("ou", "lists"));
  }

  public static DN listDn(Names.Address a) {
    return new DN(new RDN("cn", a.localPart()), listsDn(a.domain()));
  }

  public static Entry listEntry(Names.Address a, String id, String displayName) {
    Entry e =
        new Entry(
            listDn(a),
            attr("objectClass", "top", OC_LIST),
            attr("cn", a.localPart()),
            attr("mail", a.address()),
            attr(AT_ID, id));
    if (!displayName.isEmpty()) {
      e.addAttribute("displayName", displayName);
    }
    return e;
  }

  public static DistributionList list(Entry e) {
    String[] members = e.getAttributeValues(AT_MEMBER);
    List<String> sorted = members == null ? List.of() : Arrays.stream(members).sorted().toList();
    String name = e.getAttributeValue("displayName");
    return new DistributionList(
        e.getAttributeValue("mail"), e.getAttributeValue(AT_ID), name == null ? "" : name, sorted);
  }

  /** A stored quota: absent or 0 (or negative) means none. */
  static OptionalLong quota(Long value) {
    return value == null || value <= 0 ? OptionalLong.empty() : OptionalLong.of(value);
  }

  public static DN domainDn(String domain) {
    return new DN(new RDN("ou", domain), DOMAINS_DN);
  }

  public static DN peopleDn(String domain) {
    return new DN(new RDN("ou", "people"), domainDn(domain));
  }

  public static DN accountDn(Names.Address a) {
    return new DN(new RDN("uid", a.localPart()), peopleDn(a.domain()));
  }

  public static Entry domainEntry(String domain, String id) {
    return new Entry(
        domainDn(domain),
        attr("objectClass", "top", "organizationalUnit", OC_DOMAIN),
        attr("ou", domain),
        attr(AT_ID, id),
        attr(AT_DOMAIN_TYPE, "local"));
  }

  public static Entry aliasDomainEntry(String domain, String id, String target) {
    return new Entry(
        domainDn(domain),
        attr("objectClass", "top", "organizationalUnit", OC_DOMAIN),
        attr("ou", domain),
        attr(AT_ID, id),
        attr(AT_DOMAIN_TYPE, "alias"),
        attr(AT_ALIAS_TARGET, target));
  }

  public static Domain domain(Entry e) {
    String target = e.getAttributeValue(AT_ALIAS_TARGET);
    boolean alias = "alias".equalsIgnoreCase(e.getAttributeValue(AT_DOMAIN_TYPE)) && target != null;
    return new Domain(e.getAttributeValue("ou"), alias ? Optional.of(target) : Optional.empty());
  }

  public static Entry peopleEntry(String domain) {
    return new Entry(
        peopleDn(domain), attr("objectClass", "top", "organizationalUnit"), attr("ou", "people"));
  }

  public static Entry accountEntry(
      Names.Address a, String id, String passwordHash, String scramVerifier) {
    return new Entry(
        accountDn(a),
        attr("objectClass", "top", "person", "organizationalPerson", "inetOrgPerson", OC_ACCOUNT),
        attr("uid", a.localPart()),
        attr("mail", a.address()),
        attr("cn", a.address()),
        attr("sn", a.localPart()),
        attr(AT_PASSWORD, passwordHash),
        attr(AT_SCRAM, scramVerifier),
        attr(AT_ID, id),
        attr(AT_STATUS, status(AccountStatus.ACTIVE)),
        attr(AT_ADMIN, bool(false)));
  }

  /** Reads an account entry; the address is rebuilt from the DN, the source of truth. */
  public static Account account(Entry e) {
    try {
      DN dn = e.getParsedDN();
      String local = dn.getRDN().getAttributeValues()[0];
      String domain = dn.getParent().getParent().getRDN().getAttributeValues()[0];
      String[] aliases = e.getAttributeValues(AT_ALIAS);
      String[] roleValues = e.getAttributeValues(AT_ROLE);
      Set<Role> roles = new HashSet<>();
      if (roleValues != null) {
        for (String v : roleValues) {
          Role r = Role.parse(v);
          if (r != null) {
            roles.add(r);
          }
        }
      }
      String displayName = e.getAttributeValue("displayName");
      String cos = e.getAttributeValue(AT_COS);
      return new Account(
          local + "@" + domain,
          local,
          domain,
          e.getAttributeValue(AT_ID),
          "TRUE".equalsIgnoreCase(e.getAttributeValue(AT_ADMIN)),
          parseStatus(e.getAttributeValue(AT_STATUS)),
          displayName == null ? "" : displayName,
          quota(e.getAttributeValueAsLong(AT_QUOTA)),
          cos == null ? ClassOfService.DEFAULT : cos,
          Optional.ofNullable(e.getAttributeValue(AT_MAIL_HOST)),
          aliases == null ? List.of() : Arrays.stream(aliases).sorted().toList(),
          roles);
    } catch (com.unboundid.ldap.sdk.LDAPException ex) {
      throw new IllegalStateException("malformed account DN " + e.getDN(), ex);
    }
  }

  public static String status(AccountStatus s) {
    return s.name().toLowerCase(Locale.ROOT);
  }

  /** Unknown or missing values count as {@link AccountStatus#LOCKED}: fail closed. */
  static AccountStatus parseStatus(String value) {
    if (value == null) {
      return AccountStatus.LOCKED;
    }
    for (AccountStatus s : AccountStatus.values()) {
      if (s.name().equalsIgnoreCase(value)) {
        return s;
      }
    }
    return AccountStatus.LOCKED;
  }

  public static String bool(boolean b) {
    return b ? "TRUE" : "FALSE";
  }

  private static com.unboundid.ldap.sdk.Attribute attr(String name, String... values) {
    return new com.unboundid.ldap.sdk.Attribute(name, values);
  }

  private static DN dn(String s) {
    try {
      return new DN(s);
    } catch (com.unboundid.ldap.sdk.LDAPException e) {
      throw new IllegalStateException(s, e);
    }
  }
}
