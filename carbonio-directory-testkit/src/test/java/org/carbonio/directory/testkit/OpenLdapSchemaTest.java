package org.carbonio.directory.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.schema.AttributeTypeDefinition;
import com.unboundid.ldap.sdk.schema.ObjectClassDefinition;
import com.unboundid.ldif.LDIFReader;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.carbonio.directory.internal.LdapLayout;
import org.junit.jupiter.api.Test;

class OpenLdapSchemaTest {
  private static final List<Path> STANDARD =
      SlapdServer.SCHEMAS.stream().map(s -> SlapdServer.SCHEMA_DIR.resolve(s + ".ldif")).toList();

  private static Entry entry(List<Path> loaded) throws Exception {
    try (LDIFReader r =
        new LDIFReader(new java.io.BufferedReader(new StringReader(OpenLdapSchema.ldif(loaded))))) {
      return r.readEntry();
    }
  }

  @Test
  void ldifShouldHoldEveryCarbonioDefinitionWhenGenerated() throws Exception {
    Entry e = entry(STANDARD);
    assertThat(e.getDN()).isEqualTo(OpenLdapSchema.DN);
    assertThat(e.getObjectClassValues()).containsExactly("olcSchemaConfig");
    List<String> types = Arrays.asList(e.getAttributeValues("olcAttributeTypes"));
    List<String> classes = Arrays.asList(e.getAttributeValues("olcObjectClasses"));
    for (AttributeTypeDefinition t : LdapLayout.schema().getAttributeTypes()) {
      if (t.getOID().startsWith(LdapLayout.OID_ARC + ".")) {
        assertThat(types).contains(t.toString());
      }
    }
    for (ObjectClassDefinition oc : LdapLayout.schema().getObjectClasses()) {
      if (oc.getOID().startsWith(LdapLayout.OID_ARC + ".")) {
        assertThat(classes).contains(oc.toString());
      }
    }
    assertThat(String.join("\n", types))
        .contains("'" + LdapLayout.AT_ID + "'")
        .contains("'" + LdapLayout.AT_STATUS + "'")
        .contains("'" + LdapLayout.AT_ADMIN + "'");
    assertThat(String.join("\n", classes))
        .contains("'" + LdapLayout.OC_ACCOUNT + "'")
        .contains("'" + LdapLayout.OC_DOMAIN + "'");
  }

  @Test
  void ldifShouldLeaveOutStandardDefinitionsWhenGenerated() throws Exception {
    String ldif = OpenLdapSchema.ldif();
    assertThat(ldif).isEqualTo(OpenLdapSchema.ldif(STANDARD));
    assertThat(ldif)
        .doesNotContain("NAME 'inetOrgPerson'")
        .doesNotContain("NAME 'uid'")
        .doesNotContain("NAME 'mail'")
        .doesNotContain("NAME 'posixAccount'");
    Entry e = entry(List.of());
    for (String v : e.getAttributeValues("olcAttributeTypes")) {
      assertThat(v).contains(LdapLayout.OID_ARC);
    }
  }
}
