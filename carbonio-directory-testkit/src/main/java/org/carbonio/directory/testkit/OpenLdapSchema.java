package org.carbonio.directory.testkit;

import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.schema.AttributeTypeDefinition;
import com.unboundid.ldap.sdk.schema.ObjectClassDefinition;
import com.unboundid.ldap.sdk.schema.Schema;
import com.unboundid.ldif.LDIFException;
import com.unboundid.ldif.LDIFReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.carbonio.directory.internal.LdapLayout;

/**
 * The carbonio schema extension as an OpenLDAP {@code cn=config} schema entry ({@code dn:
 * cn=carbonio,cn=schema,cn=config} with {@code olcAttributeTypes} and {@code olcObjectClasses}),
 * generated at run time from {@link LdapLayout#schema()}: every attribute type and object class
 * that schema adds to UnboundID's standard schema, minus those the OpenLDAP schema files loaded
 * before it already define. New definitions in {@code LdapLayout} reach slapd without edits here.
 *
 * <p>Definitions keep their RFC 4512 §4.1 text; superiors come before the definitions that name
 * them (slapd resolves {@code SUP} at load time). Matching rule uses, DIT content and structure
 * rules and name forms are not carried over.
 *
 * <p>Thread-safe (stateless).
 */
public final class OpenLdapSchema {
  /** The DN of the generated schema entry. */
  public static final String DN = "cn=carbonio,cn=schema,cn=config";

  private static final Pattern OID = Pattern.compile("^\\(\\s*([0-9A-Za-z.:;\\-]+)");
  private static final Pattern NAMES = Pattern.compile("\\sNAME\\s+(?:'([^']*)'|\\(([^)]*)\\))");

  private OpenLdapSchema() {}

  /**
   * The carbonio schema entry as LDIF, for a slapd that loads the {@link SlapdServer#SCHEMAS} from
   * {@link SlapdServer#SCHEMA_DIR} before it (e.g. to add to a running slapd with {@code ldapadd -Y
   * EXTERNAL -H ldapi:///}).
   */
  public static String ldif() {
    return ldif(
        SlapdServer.SCHEMAS.stream()
            .map(s -> SlapdServer.SCHEMA_DIR.resolve(s + ".ldif"))
            .toList());
  }

  /**
   * The carbonio schema entry as LDIF, for a slapd that loads {@code loaded} (OpenLDAP schema LDIF
   * files such as {@code /etc/ldap/schema/core.ldif}) before it; definitions those files already
   * hold are left out. Missing files are ignored.
   */
  public static String ldif(List<Path> loaded) {
    Set<String> known = new HashSet<>();
    Schema standard;
    try {
      standard = Schema.getDefaultStandardSchema();
    } catch (LDAPException e) {
      throw new IllegalStateException("UnboundID standard schema unavailable", e);
    }
    standard.getAttributeTypes().forEach(d -> addKeys(known, d.getOID(), d.getNames()));
    standard.getObjectClasses().forEach(d -> addKeys(known, d.getOID(), d.getNames()));
    Set<String> inFiles = new HashSet<>();
    for (Path file : loaded) {
      collectDefinitionKeys(file, inFiles);
    }
    Schema full = LdapLayout.schema();
    List<AttributeTypeDefinition> types =
        ordered(
            full.getAttributeTypes().stream()
                .filter(d -> isNew(d.getOID(), d.getNames(), known, inFiles))
                .toList(),
            AttributeTypeDefinition::getOID,
            AttributeTypeDefinition::getNames,
            d -> d.getSuperiorType() == null ? new String[0] : new String[] {d.getSuperiorType()});
    List<ObjectClassDefinition> classes =
        ordered(
            full.getObjectClasses().stream()
                .filter(d -> isNew(d.getOID(), d.getNames(), known, inFiles))
                .toList(),
            ObjectClassDefinition::getOID,
            ObjectClassDefinition::getNames,
            ObjectClassDefinition::getSuperiorClasses);
    Entry e = new Entry(DN);
    e.addAttribute("objectClass", "olcSchemaConfig");
    e.addAttribute("cn", "carbonio");
    if (!types.isEmpty()) {
      e.addAttribute(
          new Attribute(
              "olcAttributeTypes",
              types.stream().map(AttributeTypeDefinition::toString).toArray(String[]::new)));
    }
    if (!classes.isEmpty()) {
      e.addAttribute(
          new Attribute(
              "olcObjectClasses",
              classes.stream().map(ObjectClassDefinition::toString).toArray(String[]::new)));
    }
    return e.toLDIFString(0);
  }

  private static void addKeys(Set<String> keys, String oid, String[] names) {
    keys.add(oid.toLowerCase(Locale.ROOT));
    for (String n : names) {
      keys.add(n.toLowerCase(Locale.ROOT));
    }
  }

  private static boolean isNew(String oid, String[] names, Set<String> known, Set<String> inFiles) {
    Set<String> keys = new HashSet<>();
    addKeys(keys, oid, names);
    if (keys.stream().anyMatch(inFiles::contains)) {
      return false;
    }
    return !known.contains(oid.toLowerCase(Locale.ROOT));
  }

  /** The OIDs and names defined by an OpenLDAP cn=config schema LDIF file. */
  private static void collectDefinitionKeys(Path file, Set<String> keys) {
    if (!Files.isRegularFile(file)) {
      return;
    }
    try (LDIFReader r = new LDIFReader(file.toFile())) {
      Entry e;
      while ((e = r.readEntry()) != null) {
        for (String attr : List.of("olcAttributeTypes", "olcObjectClasses")) {
          String[] values = e.getAttributeValues(attr);
          if (values == null) {
            continue;
          }
          for (String v : values) {
            String def = v.replaceFirst("^\\{\\d+\\}", "").strip();
            Matcher m = OID.matcher(def);
            if (m.find()) {
              keys.add(m.group(1).toLowerCase(Locale.ROOT));
            }
            Matcher n = NAMES.matcher(def);
            if (n.find()) {
              String list = n.group(1) != null ? n.group(1) : n.group(2).replace("'", " ");
              for (String name : list.trim().split("\\s+")) {
                if (!name.isEmpty()) {
                  keys.add(name.toLowerCase(Locale.ROOT));
                }
              }
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read schema " + file, e);
    } catch (LDIFException e) {
      throw new IllegalStateException("schema file " + file + " is not LDIF", e);
    }
  }

  /** Orders definitions so that each one's superiors within {@code defs} come first. */
  private static <T> List<T> ordered(
      List<T> defs,
      Function<T, String> oid,
      Function<T, String[]> names,
      Function<T, String[]> superiors) {
    Map<String, T> byKey = new LinkedHashMap<>();
    for (T d : defs) {
      byKey.put(oid.apply(d).toLowerCase(Locale.ROOT), d);
      for (String n : names.apply(d)) {
        byKey.put(n.toLowerCase(Locale.ROOT), d);
      }
    }
    List<T> out = new ArrayList<>();
    Set<T> done = new HashSet<>();
    for (T d : defs) {
      visit(d, byKey, superiors, done, new HashSet<>(), out);
    }
    return out;
  }

  private static <T> void visit(
      T d,
      Map<String, T> byKey,
      Function<T, String[]> superiors,
      Set<T> done,
      Set<T> path,
      List<T> out) {
    if (done.contains(d) || !path.add(d)) {
      return; // already emitted, or a SUP cycle (slapd reports it)
    }
    for (String sup : superiors.apply(d)) {
      T parent = byKey.get(sup.toLowerCase(Locale.ROOT));
      if (parent != null) {
        visit(parent, byKey, superiors, done, path, out);
      }
    }
    done.add(d);
    out.add(d);
  }
}
