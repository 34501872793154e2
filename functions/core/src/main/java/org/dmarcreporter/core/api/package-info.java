/**
 * The HTTP side of {@code POST /v1/results}, shared by API Gateway and the local server: request and
 * response, field-by-field reading of result objects, problem+json errors and the request limits.
 */
package org.dmarcreporter.core.api;
