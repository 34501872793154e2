/**
 * The failure function: sends RFC 9991 failure reports for the failure candidates that ingest
 * writes (planned; what ingest keeps: {@code docs/ingest-api.md}), triggered by the candidates table's stream.
 */
package org.dmarcreporter.failure;
