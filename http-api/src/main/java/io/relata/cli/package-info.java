/**
 * The client half of the {@code relata} command, shaped like SpiceDB's {@code zed}: contexts
 * (an endpoint and a token, kept in the user's config directory), and the schema,
 * relationship, permission, explain, export and watch commands, which talk to any Relata server
 * over its HTTP/JSON API (TLS included; {@code explain --file} also answers offline). Output is for people by default (tables, trees) and the
 * API's JSON with {@code --json}; the exit codes are those of {@link ExitCodes}.
 */
package io.relata.cli;
