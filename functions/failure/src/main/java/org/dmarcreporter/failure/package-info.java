/**
 * The failure function: sends RFC 9991 failure reports for the failure candidates that ingest
 * writes (ROADMAP.md "Failure reports"), triggered by the candidates table's stream.
 */
package org.dmarcreporter.failure;
