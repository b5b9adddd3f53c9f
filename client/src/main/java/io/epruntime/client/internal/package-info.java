/** The client's internals that Pekko must reach by class name; not part of the client's API. */
package io.epruntime.client.internal;
