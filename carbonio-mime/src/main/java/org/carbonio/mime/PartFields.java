package org.carbonio.mime;

import java.util.List;

/**
 * Content-* fields of one part as BODYSTRUCTURE reports them: raw values (byte strings, one char
 * per octet), nulls for absent fields.
 */
record PartFields(
    boolean multipart,
    boolean opaque,
    boolean defaultType,
    List<String[]> rawParams,
    String id,
    String description,
    String encoding,
    boolean encodingGiven,
    String md5,
    String dispositionType,
    List<String[]> dispositionParams,
    List<String> languages,
    String location) {}
