/**
 * Consistency tokens (zookies): {@link io.relata.zookie.ZookieCodec} makes and checks them,
 * {@link io.relata.zookie.ConsistencyResolver} turns a request's consistency requirement
 * into the revision to read at.
 */
package io.relata.zookie;
