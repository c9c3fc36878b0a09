/**
 * The Relata server: SpiceDB's v1 HTTP/JSON API on Vert.x ({@link io.relata.server.RelataServer}),
 * errors mapped in one place, and the {@code relata} command line ({@link io.relata.server.Main}).
 */
package io.relata.server;
