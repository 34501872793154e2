/**
 * DMARC policy records (RFC 9989 §4.7, §4.8): the parser, which never throws, and the parsed
 * record with its tags (policies, alignment modes, psd, fo, rua/ruf URIs).
 */
package org.dmarcreporter.core.record;
