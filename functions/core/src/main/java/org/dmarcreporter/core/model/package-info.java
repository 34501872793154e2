/**
 * The values of the ingest API: the authentication result a mail server posts (SPF and DKIM checks)
 * and the verdict it gets back, with the enums of their tokens (results, policies, SPF scope).
 */
package org.dmarcreporter.core.model;
