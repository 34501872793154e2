/**
 * Which messages become failure reports (RFC 9991): the {@code fo} options an outcome matches
 * and the failure candidate stored for the failure function to send.
 */
package org.dmarcreporter.core.report.trigger;
