package org.carbonio.directory.internal;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.RDN;
import com.unboundid.ldap.sdk.schema.Schema;
import com.unboundid.ldif.LDIFException;
import java.util.Locale;
import org.carbonio.directory.Account;
import org.carbonio.directory.AccountStatus;

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
  public static final String AT_ID = "carbonioId";
  public static final String AT_STATUS = "carbonioAccountStatus";
  public static final String AT_ADMIN = "carbonioIsAdmin";
  public static final String AT_PASSWORD = "userPassword";

  /**
   * Private OID arc for the schema: a UUID-derived OID (ITU-T X.667, arc 2.25), which needs no
   * registration. {@code .1.n} are attribute types, {@code .2.n} object classes.
   */
  public static final String OID_ARC = "2.25.226462734423007875869291070939851539826";

  private static final String DIRECTORY_STRING = "1.3.6.1.4.1.1466.115.121.1.15";
  private static final String BOOLEAN = "1.3.6.1.4.1.1466.115.121.1.7";

  private LdapLayout() {}

  /** The standard schema plus the carbonio attribute types and object classes. */
  public static Schema schema() {
    try {
      Schema extra =
          new Schema(
              new Entry(
                  "dn: cn=schema",
                  "objectClass: top",
                  "objectClass: ldapSubentry",
                  "objectClass: subschema",
                  "cn: schema",
                  "attributeTypes: ( "
                      + OID_ARC
                      + ".1.1 NAME '"
                      + AT_ID
                      + "' DESC 'stable identifier (UUID)' EQUALITY caseIgnoreMatch SYNTAX "
                      + DIRECTORY_STRING
                      + " SINGLE-VALUE )",
                  "attributeTypes: ( "
                      + OID_ARC
                      + ".1.2 NAME '"
                      + AT_STATUS
                      + "' DESC 'active, locked or closed' EQUALITY caseIgnoreMatch SYNTAX "
                      + DIRECTORY_STRING
                      + " SINGLE-VALUE )",
                  "attributeTypes: ( "
                      + OID_ARC
                      + ".1.3 NAME '"
                      + AT_ADMIN
                      + "' DESC 'global admin role' EQUALITY booleanMatch SYNTAX "
                      + BOOLEAN
                      + " SINGLE-VALUE )",
                  "objectClasses: ( "
                      + OID_ARC
                      + ".2.1 NAME '"
                      + OC_ACCOUNT
                      + "' SUP top AUXILIARY MUST ( "
                      + AT_ID
                      + " $ mail ) MAY ( "
                      + AT_STATUS
                      + " $ "
                      + AT_ADMIN
                      + " ) )",
                  "objectClasses: ( "
                      + OID_ARC
                      + ".2.2 NAME '"
                      + OC_DOMAIN
                      + "' SUP top AUXILIARY MUST ( "
                      + AT_ID
                      + " ) )"));
      return Schema.mergeSchemas(Schema.getDefaultStandardSchema(), extra);
    } catch (LDIFException e) {
      throw new IllegalStateException("built-in schema does not parse", e);
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
    };
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
        attr(AT_ID, id));
  }

  public static Entry peopleEntry(String domain) {
    return new Entry(
        peopleDn(domain), attr("objectClass", "top", "organizationalUnit"), attr("ou", "people"));
  }

  public static Entry accountEntry(Names.Address a, String id, String passwordHash) {
    return new Entry(
        accountDn(a),
        attr("objectClass", "top", "person", "organizationalPerson", "inetOrgPerson", OC_ACCOUNT),
        attr("uid", a.localPart()),
        attr("mail", a.address()),
        attr("cn", a.address()),
        attr("sn", a.localPart()),
        attr(AT_PASSWORD, passwordHash),
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
      return new Account(
          local + "@" + domain,
          local,
          domain,
          e.getAttributeValue(AT_ID),
          "TRUE".equalsIgnoreCase(e.getAttributeValue(AT_ADMIN)),
          parseStatus(e.getAttributeValue(AT_STATUS)));
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
