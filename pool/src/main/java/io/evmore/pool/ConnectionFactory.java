package io.evmore.pool;

/** Opens and closes the pool's connections to one endpoint (e.g. a web3j client, a CometBFT RPC client). */
public interface ConnectionFactory<C> {
    /** Opens a connection; throw on failure (the endpoint is then charged with an error). */
    C create(Endpoint endpoint) throws Exception;

    /** Releases a connection; must not throw for an already broken one. */
    void close(C connection);
}
