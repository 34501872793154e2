/**
 * The email that carries a report: RFC 9990 names (report id, file name, subject, Message-ID),
 * MIME built with Jakarta Mail, and checks that keep addresses from injecting header text.
 */
package org.dmarcreporter.core.report.mail;
