package org.carbonio.server;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.carbonio.directory.AttributeMapping;
import org.carbonio.directory.ExternalDirectoryConfig;

/**
 * Which directory the server uses: the embedded one (the default: UnboundID in-memory LDAP under
 * DIR/directory, with its own LDAP listener), or an organization's OpenLDAP or Active Directory,
 * read-only, through {@link org.carbonio.directory.ExternalDirectory}.
 *
 * <p>Immutable.
 *
 * @param external the external directory, if one is used
 */
public record DirectoryBackend(Optional<External> external) {

  /** The embedded directory. */
  public static final DirectoryBackend EMBEDDED = new DirectoryBackend(Optional.empty());

  public DirectoryBackend {
    requireNonNull(external, "external");
  }

  /**
   * An external LDAP directory.
   *
   * @param servers LDAP URIs, tried in order (failover)
   * @param bindDn the service account that searches
   * @param passwordFile the file that holds its password (never on the command line)
   * @param baseDn where users and groups are
   * @param mapping {@code openldap} or {@code active-directory}
   * @param postmaster the address mail to {@code postmaster} goes to (RFC 5321 §4.5.1), a user of
   *     that directory
   */
  public record External(
      List<URI> servers,
      String bindDn,
      Path passwordFile,
      String baseDn,
      String mapping,
      String postmaster) {
    public External {
      servers = List.copyOf(servers);
      requireNonNull(bindDn, "bindDn");
      requireNonNull(passwordFile, "passwordFile");
      requireNonNull(baseDn, "baseDn");
      requireNonNull(postmaster, "postmaster");
      attributeMapping(mapping); // fail early on a bad name
    }

    /** The mapping by name. */
    static AttributeMapping attributeMapping(String name) {
      return switch (requireNonNull(name, "mapping")) {
        case "openldap" -> AttributeMapping.OPENLDAP;
        case "active-directory" -> AttributeMapping.ACTIVE_DIRECTORY;
        default ->
            throw new IllegalArgumentException(
                "unknown directory mapping '" + name + "' (openldap, active-directory)");
      };
    }

    /** The directory configuration for the server's mail domain. */
    ExternalDirectoryConfig config(String domain) throws IOException {
      String password = Files.readString(passwordFile).strip();
      return ExternalDirectoryConfig.of(
          servers, bindDn, password, baseDn, List.of(domain), attributeMapping(mapping));
    }
  }
}
