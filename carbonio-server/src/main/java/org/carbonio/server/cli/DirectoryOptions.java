package org.carbonio.server.cli;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.carbonio.server.DirectoryBackend;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** Which directory holds the accounts: the embedded one, or an external OpenLDAP or AD. */
final class DirectoryOptions {
  @Option(
      names = "--directory-ldap-url",
      description =
          "Use an external LDAP directory (read-only) at this ldap:// or ldaps:// URL instead of"
              + " the embedded one; repeat for failover servers.")
  List<URI> urls;

  @Option(names = "--directory-ldap-bind-dn", description = "The service account that searches.")
  String bindDn;

  @Option(
      names = "--directory-ldap-password-file",
      description = "File holding the service account's password.")
  Path passwordFile;

  @Option(names = "--directory-ldap-base", description = "Where users and groups are.")
  String baseDn;

  @Option(
      names = "--directory-ldap-mapping",
      defaultValue = "openldap",
      description = "openldap or active-directory (default: ${DEFAULT-VALUE}).")
  String mapping;

  @Option(
      names = "--postmaster",
      description = "Where mail to postmaster goes, with an external directory.")
  String postmaster;

  /** The directory options as a {@link DirectoryBackend}; a half-given one is a usage error. */
  DirectoryBackend backend(CommandSpec spec) {
    if (urls == null && bindDn == null && passwordFile == null && baseDn == null) {
      return DirectoryBackend.EMBEDDED;
    }
    if (urls == null
        || bindDn == null
        || passwordFile == null
        || baseDn == null
        || postmaster == null) {
      throw new ParameterException(
          spec.commandLine(),
          "an external directory needs --directory-ldap-url, --directory-ldap-bind-dn,"
              + " --directory-ldap-password-file, --directory-ldap-base and --postmaster");
    }
    try {
      return new DirectoryBackend(
          Optional.of(
              new DirectoryBackend.External(
                  urls, bindDn, passwordFile, baseDn, mapping, postmaster)));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }
}
