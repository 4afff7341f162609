package org.carbonio.directory;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * How an external directory's entries map to accounts and lists: which entries are users and
 * groups, and which attributes hold the address, the login names, the aliases, the display name,
 * the stable id, group members and the disabled flag. Two presets cover the usual schemas; every
 * field can be changed with the {@code with*} methods.
 *
 * <p>Immutable.
 *
 * @param userFilter an LDAP filter (RFC 4515) that matches user entries
 * @param addressAttribute the attribute with the primary mail address
 * @param loginAttributes attributes a login name is matched against, in order (a name without
 *     {@code @} is matched only against those that hold bare names, such as {@code uid} or {@code
 *     sAMAccountName}: the attributes listed in {@code bareLoginAttributes})
 * @param bareLoginAttributes the subset of {@code loginAttributes} holding names without a domain
 * @param aliasAttribute the attribute with further addresses, if any
 * @param aliasPrefix the prefix of alias values, compared case-insensitively ({@code smtp:} for
 *     Active Directory's {@code proxyAddresses}; empty for none)
 * @param displayNameAttribute the display name attribute
 * @param idAttribute the stable id ({@code entryUUID}; {@code objectGUID} is binary and shown as
 *     hex)
 * @param groupFilter an LDAP filter that matches distribution groups (which carry an address)
 * @param memberAttribute the attribute of a group that holds its members' DNs
 * @param disabledFlagAttribute an integer attribute whose bit {@code disabledFlag} marks a disabled
 *     account (Active Directory's {@code userAccountControl}, bit 2); empty for none
 * @param disabledFlag the bit of {@code disabledFlagAttribute}
 */
public record AttributeMapping(
    String userFilter,
    String addressAttribute,
    List<String> loginAttributes,
    List<String> bareLoginAttributes,
    Optional<String> aliasAttribute,
    String aliasPrefix,
    String displayNameAttribute,
    String idAttribute,
    String groupFilter,
    String memberAttribute,
    Optional<String> disabledFlagAttribute,
    long disabledFlag) {

  public AttributeMapping {
    requireNonNull(userFilter, "userFilter");
    requireNonNull(addressAttribute, "addressAttribute");
    loginAttributes = List.copyOf(loginAttributes);
    bareLoginAttributes = List.copyOf(bareLoginAttributes);
    requireNonNull(aliasAttribute, "aliasAttribute");
    requireNonNull(aliasPrefix, "aliasPrefix");
    requireNonNull(displayNameAttribute, "displayNameAttribute");
    requireNonNull(idAttribute, "idAttribute");
    requireNonNull(groupFilter, "groupFilter");
    requireNonNull(memberAttribute, "memberAttribute");
    requireNonNull(disabledFlagAttribute, "disabledFlagAttribute");
    if (!loginAttributes.containsAll(bareLoginAttributes)) {
      throw new IllegalArgumentException("bareLoginAttributes must be among loginAttributes");
    }
  }

  /**
   * OpenLDAP with the standard schemas (RFC 4519, RFC 2798): {@code inetOrgPerson} users with
   * {@code mail} and {@code uid}, {@code groupOfNames} groups with {@code mail} and {@code member},
   * ids from {@code entryUUID} (RFC 4530).
   */
  public static final AttributeMapping OPENLDAP =
      new AttributeMapping(
          "(objectClass=inetOrgPerson)",
          "mail",
          List.of("mail", "uid"),
          List.of("uid"),
          Optional.empty(),
          "",
          "displayName",
          "entryUUID",
          "(objectClass=groupOfNames)",
          "member",
          Optional.empty(),
          0);

  /**
   * Active Directory: {@code user} entries that are not computers, logins by {@code mail}, {@code
   * userPrincipalName} or {@code sAMAccountName}, aliases in {@code proxyAddresses} ({@code
   * smtp:}), groups with {@code mail} and {@code member}, ids from {@code objectGUID}, disabled
   * accounts by {@code userAccountControl} bit 2 (ACCOUNTDISABLE).
   */
  public static final AttributeMapping ACTIVE_DIRECTORY =
      new AttributeMapping(
          "(&(objectClass=user)(!(objectClass=computer)))",
          "mail",
          List.of("mail", "userPrincipalName", "sAMAccountName"),
          List.of("sAMAccountName"),
          Optional.of("proxyAddresses"),
          "smtp:",
          "displayName",
          "objectGUID",
          "(objectClass=group)",
          "member",
          Optional.of("userAccountControl"),
          2);

  /** The same mapping with another user filter. */
  public AttributeMapping withUserFilter(String filter) {
    return new AttributeMapping(
        filter,
        addressAttribute,
        loginAttributes,
        bareLoginAttributes,
        aliasAttribute,
        aliasPrefix,
        displayNameAttribute,
        idAttribute,
        groupFilter,
        memberAttribute,
        disabledFlagAttribute,
        disabledFlag);
  }

  /** The same mapping with another id attribute. */
  public AttributeMapping withIdAttribute(String attribute) {
    return new AttributeMapping(
        userFilter,
        addressAttribute,
        loginAttributes,
        bareLoginAttributes,
        aliasAttribute,
        aliasPrefix,
        displayNameAttribute,
        attribute,
        groupFilter,
        memberAttribute,
        disabledFlagAttribute,
        disabledFlag);
  }
}
